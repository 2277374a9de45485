//! Helpers for the bad-input, round-trip and architecture tests: running the
//! real `custos` binary, making vaults, and snapshotting folders.
//!
//! Each test file includes this with `mod support;` and uses only part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The passphrase of the vaults made by [`init_vault`].
pub const PASS: &str = "correct horse battery staple";
/// The matter of the vaults made by [`init_vault`].
pub const MATTER: &str = "Acme Corp. v. Doe";
/// The examiner of the vaults made by [`init_vault`].
pub const EXAMINER: &str = "Pat Examiner";

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Output {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl Output {
    /// A one-line description for assertion messages.
    pub fn describe(&self) -> String {
        format!("exit {}; stdout: {:?}; stderr: {:?}", self.code, self.stdout, self.stderr)
    }

    /// Parses standard output as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout should be JSON ({e}); {}", self.describe()))
    }
}

/// One invocation of `custos`, with a clean environment for the variables it reads.
pub struct Run {
    cmd: Command,
}

impl Run {
    /// `custos ARGS…` with CUSTOS_PASSPHRASE set to [`PASS`] and stdin null.
    pub fn new<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_custos"));
        cmd.args(args)
            .env_remove("CUSTOS_PASSPHRASE")
            .env_remove("CUSTOS_NEW_PASSPHRASE")
            .env_remove("CUSTOS_EXAMINER")
            .env("CUSTOS_PASSPHRASE", PASS)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Run { cmd }
    }

    /// Uses this passphrase instead of [`PASS`] (`None`: no CUSTOS_PASSPHRASE at all).
    pub fn pass(mut self, p: Option<&str>) -> Self {
        match p {
            Some(p) => self.cmd.env("CUSTOS_PASSPHRASE", p),
            None => self.cmd.env_remove("CUSTOS_PASSPHRASE"),
        };
        self
    }

    /// Sets another environment variable.
    pub fn env(mut self, k: &str, v: impl AsRef<OsStr>) -> Self {
        self.cmd.env(k, v);
        self
    }

    /// Runs the command to the end.
    pub fn run(mut self) -> Output {
        let out = self.cmd.output().expect("the custos binary should start");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// `custos ARGS…` with the default passphrase.
pub fn custos<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Run::new(args).run()
}

/// Builds an argument list from mixed strings and paths (`#[macro_use] mod support;`).
macro_rules! args {
    ($($a:expr),* $(,)?) => {
        vec![$(::std::ffi::OsString::from($a)),*]
    };
}

/// Creates a vault at `vault` (work factor 10) and returns its path.
pub fn init_vault(vault: &Path) -> PathBuf {
    init_vault_with(vault, &[])
}

/// Creates a vault at `vault` with extra `init` arguments.
pub fn init_vault_with(vault: &Path, extra: &[&str]) -> PathBuf {
    let mut a: Vec<OsString> =
        vec!["init".into(), vault.into(), "--matter".into(), MATTER.into(), "--examiner".into(), EXAMINER.into()];
    a.extend(["--work-factor".into(), "10".into()]);
    a.extend(extra.iter().map(OsString::from));
    let out = custos(&a);
    assert_eq!(out.code, 0, "init of a fresh vault should succeed: {}", out.describe());
    assert!(vault.join("custos-vault.json").is_file(), "init should write custos-vault.json");
    vault.to_path_buf()
}

/// Takes `paths` into `vault` and asserts success; returns the run.
pub fn add_ok(vault: &Path, paths: &[&Path]) -> Output {
    let mut a: Vec<OsString> = vec!["add".into(), vault.into()];
    a.extend(paths.iter().map(|p| p.as_os_str().to_owned()));
    let out = custos(&a);
    assert_eq!(out.code, 0, "add of readable regular files should succeed: {}", out.describe());
    out
}

/// `custos list VAULT --json`, asserted successful, as a JSON array.
pub fn list_json(vault: &Path) -> Vec<serde_json::Value> {
    let out = custos(args!["list", vault, "--json"]);
    assert_eq!(out.code, 0, "list --json should succeed: {}", out.describe());
    match out.json() {
        serde_json::Value::Array(a) => a,
        other => panic!("list --json should print an array, got {other}"),
    }
}

/// Writes a file, creating its folder.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(d) = path.parent() {
        fs::create_dir_all(d).expect("create the parent folder of a test file");
    }
    fs::write(path, bytes).expect("write a test file");
}

/// A deterministic pseudo-random byte string (xorshift), for content that
/// must differ between files without depending on the clock.
pub fn pseudo_random(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// What a snapshot records for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A folder.
    Dir,
    /// A regular file: its length and the SHA-256 of its bytes.
    File { len: u64, sha256: String },
    /// A symbolic link and its target.
    Symlink(PathBuf),
    /// Anything else (FIFO, socket, device).
    Other(String),
}

/// Every relative path under a folder with its type and content hash.
pub type Snapshot = BTreeMap<PathBuf, Entry>;

/// Snapshots `root` (which need not exist: then the snapshot is empty).
pub fn snapshot(root: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    if fs::symlink_metadata(root).is_ok() {
        walk(root, root, &mut out);
    }
    out
}

fn walk(root: &Path, dir: &Path, out: &mut Snapshot) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read folder {} for a snapshot: {e}", dir.display()))
        .map(|e| e.expect("read a folder entry").path())
        .collect();
    entries.sort();
    for p in entries {
        let rel = p.strip_prefix(root).expect("entry under root").to_path_buf();
        let m = fs::symlink_metadata(&p).expect("stat an entry for a snapshot");
        let ft = m.file_type();
        let entry = if ft.is_dir() {
            walk(root, &p, out);
            Entry::Dir
        } else if ft.is_file() {
            let bytes = fs::read(&p).unwrap_or_else(|e| panic!("read {} for a snapshot: {e}", p.display()));
            Entry::File { len: bytes.len() as u64, sha256: sha256_hex(&bytes) }
        } else if ft.is_symlink() {
            Entry::Symlink(fs::read_link(&p).expect("read a link"))
        } else if ft.is_fifo() {
            Entry::Other("fifo".into())
        } else if ft.is_socket() {
            Entry::Other("socket".into())
        } else {
            Entry::Other("device".into())
        };
        out.insert(rel, entry);
    }
}

/// The differences between two snapshots, one line each (empty: equal).
pub fn diff(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let mut d = Vec::new();
    for (p, e) in before {
        match after.get(p) {
            None => d.push(format!("removed {}", p.display())),
            Some(a) if a != e => d.push(format!("changed {}: {e:?} -> {a:?}", p.display())),
            _ => {}
        }
    }
    for (p, a) in after {
        if !before.contains_key(p) {
            d.push(format!("added {}: {a:?}", p.display()));
        }
    }
    d
}

/// Asserts two snapshots are equal, listing every difference otherwise.
#[track_caller]
pub fn assert_unchanged(before: &Snapshot, after: &Snapshot, why: &str) {
    let d = diff(before, after);
    assert!(d.is_empty(), "{why}; but the folder changed:\n  {}", d.join("\n  "));
}

/// Runs an external tool that prints `<hex>  <file>` (sha256sum, md5sum)
/// and returns the hex digest of `path`.
pub fn external_digest(tool: &str, path: &Path) -> String {
    let out = Command::new(tool).arg("--").arg(path).output().unwrap_or_else(|e| panic!("run {tool}: {e}"));
    assert!(out.status.success(), "{tool} should hash {}", path.display());
    let text = String::from_utf8_lossy(&out.stdout);
    // A name with a newline or backslash makes coreutils prefix the line with '\'.
    let first = text.split_whitespace().next().expect("digest output");
    first.trim_start_matches('\\').to_string()
}

/// SHA-256 (FIPS 180-4), written out here so snapshots do not depend on any
/// code under test.
pub fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, c) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}
