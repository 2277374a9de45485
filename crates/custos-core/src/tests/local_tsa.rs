//! A local RFC 3161 time-stamp authority for tests: a test CA and a TSA
//! certificate (extendedKeyUsage critical,timeStamping) made with the
//! `openssl` command in a temp folder, and a tiny HTTP responder on
//! 127.0.0.1 that pipes each POSTed query through `openssl ts -reply`.
//! No test reaches the network. Shared by the core's tests and the CLI's
//! (included there by path).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;

/// A running local authority. Dropping it stops the responder thread.
pub struct LocalTsa {
    /// `http://127.0.0.1:<port>/tsa`.
    pub url: String,
    /// The CA certificate (PEM) that issued the TSA certificate.
    pub ca_pem: PathBuf,
    /// The TSA's own certificate (PEM).
    pub tsa_pem: PathBuf,
    /// How many queries were answered.
    pub answered: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    port: u16,
    thread: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("the openssl command (Debian package openssl) runs");
    assert!(out.status.success(), "openssl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

impl LocalTsa {
    /// Makes a CA and a TSA certificate named `name` and starts answering.
    pub fn start(name: &str) -> LocalTsa {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        let ca_subject = format!("/CN={name} Test TSA CA");
        let mut ca = vec!["req", "-x509"];
        ca.extend(ec);
        ca.extend(["-keyout", "ca.key", "-out", "ca.crt", "-days", "3650", "-subj", &ca_subject]);
        ca.extend(["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        openssl(d, &ca);
        let tsa_subject = format!("/CN={name} Test TSA");
        let mut req = vec!["req"];
        req.extend(ec);
        req.extend(["-keyout", "tsa.key", "-out", "tsa.csr", "-subj", &tsa_subject]);
        openssl(d, &req);
        std::fs::write(
            d.join("tsa-ext.cnf"),
            "basicConstraints = CA:FALSE\nextendedKeyUsage = critical,timeStamping\nkeyUsage = critical,digitalSignature,nonRepudiation\n",
        )
        .unwrap();
        openssl(d, &[
            "x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tsa.crt", "-days", "3650",
            "-extfile", "tsa-ext.cnf",
        ]);
        std::fs::write(d.join("tsaserial"), "01\n").unwrap();
        let dd = d.display();
        std::fs::write(
            d.join("tsa.cnf"),
            format!(
                "[ tsa ]\ndefault_tsa = tsa_config1\n[ tsa_config1 ]\nserial = {dd}/tsaserial\ncrypto_device = builtin\n\
                 signer_cert = {dd}/tsa.crt\nsigner_key = {dd}/tsa.key\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n\
                 digests = sha256, sha384, sha512\naccuracy = secs:1\nordering = no\ntsa_name = yes\n\
                 ess_cert_id_chain = no\ness_cert_id_alg = sha256\n"
            ),
        )
        .unwrap();

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicUsize::new(0));
        let (stop2, answered2, work) = (stop.clone(), answered.clone(), d.to_path_buf());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(s) = stream {
                    answer(s, &work);
                    answered2.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        LocalTsa {
            url: format!("http://127.0.0.1:{port}/tsa"),
            ca_pem: d.join("ca.crt"),
            tsa_pem: d.join("tsa.crt"),
            answered,
            stop,
            port,
            thread: Some(thread),
            _dir: dir,
        }
    }
}

impl Drop for LocalTsa {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one HTTP POST, runs `openssl ts -reply` on its body, writes the reply.
fn answer(stream: TcpStream, dir: &Path) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0usize;
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() || first.is_empty() {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    std::fs::write(dir.join("query.tsq"), &body).unwrap();
    let out = Command::new("openssl")
        .args(["ts", "-reply", "-queryfile", "query.tsq", "-config", "tsa.cnf", "-section", "tsa_config1", "-out", "reply.tsr"])
        .current_dir(dir)
        .output()
        .unwrap();
    let mut stream = stream;
    if !out.status.success() {
        let _ = write!(stream, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    let reply = std::fs::read(dir.join("reply.tsr")).unwrap();
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reply.len()
    );
    let _ = stream.write_all(&reply);
    let _ = stream.flush();
}
