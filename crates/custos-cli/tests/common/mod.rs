//! Shared helpers for the integration tests that drive the real `custos`
//! binary: building commands, running them with a time limit, making vaults,
//! reading JSON output, snapshotting folders, seeded pseudo-random data and
//! independent SHA-256 sums (coreutils `sha256sum`).
//!
//! Include it with `#[macro_use] mod common;`; each test file uses only part
//! of it.
#![allow(dead_code, unused_macros)]

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::hash::Hasher;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The passphrase of the vaults made by [`init_vault`].
pub const PASSPHRASE: &str = "test passphrase: correct horse battery staple";
/// The matter of the vaults made by [`init_vault`].
pub const MATTER: &str = "Test Matter v. Example";
/// The examiner of the vaults made by [`init_vault`].
pub const EXAMINER: &str = "Test Examiner";
/// How long one ordinary command may take before the test fails instead of hanging.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Builds an argument list from a mix of strings and paths:
/// `argv!["list", &vault, "--json"]`.
macro_rules! argv {
    ($($a:expr),* $(,)?) => {
        vec![$(::std::ffi::OsStr::new(&$a).to_os_string()),*]
    };
}

/// The `custos` binary under test.
pub fn custos_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_custos"))
}

/// `custos ARGS…` with a controlled environment: CUSTOS_PASSPHRASE set to
/// [`PASSPHRASE`], no CUSTOS_NEW_PASSPHRASE or CUSTOS_EXAMINER inherited, stdin
/// null (so no prompt can wait for input), stdout and stderr piped.
pub fn custos_command<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(custos_bin());
    cmd.args(args)
        .env("CUSTOS_PASSPHRASE", PASSPHRASE)
        .env_remove("CUSTOS_NEW_PASSPHRASE")
        .env_remove("CUSTOS_EXAMINER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// What one run of a program produced.
#[derive(Debug)]
pub struct Output {
    /// How it ended.
    pub status: ExitStatus,
    /// Exit code (`None` if ended by a signal).
    pub code: Option<i32>,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
    /// Wall-clock time it took.
    pub elapsed: Duration,
}

impl Output {
    /// A description for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "{} after {:.2?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status,
            self.elapsed,
            tail(&self.stdout, 4000),
            tail(&self.stderr, 4000)
        )
    }

    /// Standard output parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout should be JSON ({e}); {}", self.describe()))
    }

    /// Asserts exit code 0.
    #[track_caller]
    pub fn assert_success(&self, why: &str) -> &Self {
        assert_eq!(self.code, Some(0), "{why}; {}", self.describe());
        self
    }
}

fn tail(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// Reads everything from `r` on a thread.
pub fn read_all_in_thread(mut r: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

/// Reads complete lines (each still ending in `\n`) from `r` on a thread,
/// passing each to `on_line` as soon as it arrives. A last line without a
/// newline (a torn write) is returned separately.
pub fn read_lines_in_thread(
    r: impl Read + Send + 'static,
    mut on_line: impl FnMut(&str) + Send + 'static,
) -> JoinHandle<(Vec<String>, Option<String>)> {
    std::thread::spawn(move || {
        let mut r = BufReader::new(r);
        let mut lines = Vec::new();
        loop {
            let mut buf = Vec::new();
            match r.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => return (lines, None),
                Ok(_) => {
                    let s = String::from_utf8_lossy(&buf).into_owned();
                    if !s.ends_with('\n') {
                        return (lines, Some(s));
                    }
                    on_line(&s);
                    lines.push(s);
                }
            }
        }
    })
}

/// Waits for `child` for at most `timeout`; on timeout kills it, reaps it
/// and panics, so a hang fails the test instead of stalling the suite.
#[track_caller]
pub fn wait_with_timeout(child: &mut Child, timeout: Duration, what: &str) -> ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status,
            Ok(None) => {}
            Err(e) => panic!("waiting for {what} failed: {e}"),
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {timeout:?}; it was killed so the test does not hang");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs `cmd` to the end (stdout and stderr captured), failing the test if
/// it takes longer than `timeout`.
#[track_caller]
pub fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> Output {
    let what = format!("{cmd:?}");
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what} should start: {e}"));
    let out = read_all_in_thread(child.stdout.take().expect("piped stdout"));
    let err = read_all_in_thread(child.stderr.take().expect("piped stderr"));
    let status = wait_with_timeout(&mut child, timeout, &what);
    let stdout = String::from_utf8_lossy(&out.join().expect("stdout reader")).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().expect("stderr reader")).into_owned();
    Output { status, code: status.code(), stdout, stderr, elapsed: start.elapsed() }
}

/// Runs `cmd` with [`DEFAULT_TIMEOUT`].
#[track_caller]
pub fn run(cmd: &mut Command) -> Output {
    run_with_timeout(cmd, DEFAULT_TIMEOUT)
}

/// Runs `custos ARGS…` (see [`custos_command`]) with [`DEFAULT_TIMEOUT`].
#[track_caller]
pub fn custos<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(&mut custos_command(args))
}

/// Creates a vault at `vault` with work factor 10 (fast unlocks) and the
/// default matter and examiner; returns its path.
#[track_caller]
pub fn init_vault(vault: &Path) -> PathBuf {
    init_vault_with(vault, &[])
}

/// Like [`init_vault`] with extra `init` arguments (a later `--matter` or
/// `--examiner` overrides the default one).
#[track_caller]
pub fn init_vault_with(vault: &Path, extra: &[&OsStr]) -> PathBuf {
    let mut args: Vec<OsString> =
        argv!["init", vault, "--matter", MATTER, "--examiner", EXAMINER, "--work-factor", "10"];
    args.extend(extra.iter().map(|a| a.to_os_string()));
    let out = custos(&args);
    out.assert_success("init of a new vault should succeed");
    assert!(vault.join("custos-vault.json").is_file(), "init should leave custos-vault.json, which marks a vault");
    vault.to_path_buf()
}

/// `custos list VAULT --json`, asserted successful, as an array of exhibits.
#[track_caller]
pub fn list_json(vault: &Path) -> Vec<serde_json::Value> {
    let out = custos(argv!["list", vault, "--json"]);
    out.assert_success("list --json of a healthy vault should succeed");
    match out.json() {
        serde_json::Value::Array(a) => a,
        other => panic!("list --json should print an array of exhibits, got {other}"),
    }
}

/// `custos verify VAULT --json` (full, or quick), returning the run and the
/// parsed report. Does not assert the outcome.
#[track_caller]
pub fn verify_json(vault: &Path, full: bool) -> (Output, serde_json::Value) {
    let out = if full {
        custos(argv!["verify", vault, "--json"])
    } else {
        custos(argv!["verify", vault, "--quick", "--json"])
    };
    let v = out.json();
    (out, v)
}

/// Asserts a verification of `vault` exits 0 and reports `"ok": true`.
#[track_caller]
pub fn assert_verifies(vault: &Path, full: bool, context: &str) -> serde_json::Value {
    let (out, v) = verify_json(vault, full);
    assert_eq!(out.code, Some(0), "{context}: verify must exit 0 on a vault that is intact; {}", out.describe());
    assert_eq!(v["ok"], serde_json::Value::Bool(true), "{context}: verify must report ok=true; report: {v:#}");
    v
}

/// The string field `f` of a JSON object.
#[track_caller]
pub fn str_field<'a>(v: &'a serde_json::Value, f: &str) -> &'a str {
    v.get(f).and_then(serde_json::Value::as_str).unwrap_or_else(|| panic!("field {f:?} should be a string in {v}"))
}

/// Writes a file, creating its folders.
#[track_caller]
pub fn write_file(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(d) = path.parent() {
        fs::create_dir_all(d).unwrap_or_else(|e| panic!("create folder {}: {e}", d.display()));
    }
    fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Every regular file under `root` (recursively, links not followed), sorted.
/// A missing `root` yields nothing.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        for e in rd {
            let e = e.unwrap_or_else(|err| panic!("read an entry of {}: {err}", dir.display()));
            let ft = e.file_type().unwrap_or_else(|err| panic!("stat {}: {err}", e.path().display()));
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// Every entry (file, folder, link…) under `root` whose file name starts
/// with `prefix`.
pub fn entries_named(root: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with(prefix) {
                out.push(e.path());
            }
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// What a snapshot records for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A folder.
    Dir,
    /// A regular file: length and a 64-bit fingerprint of its bytes
    /// (enough to notice a change; not a cryptographic hash).
    File { len: u64, fingerprint: u64 },
    /// A symbolic link and its target.
    Symlink(PathBuf),
    /// Anything else (FIFO, socket, device).
    Other,
}

/// Every path under a folder, relative to it, with what is there.
pub type Snapshot = BTreeMap<PathBuf, Entry>;

/// Snapshots `root` (a missing `root` gives an empty snapshot). Files are
/// streamed, so large files are fine.
pub fn snapshot(root: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        for e in rd {
            let p = e.unwrap_or_else(|err| panic!("read an entry of {}: {err}", dir.display())).path();
            let rel = p.strip_prefix(root).expect("entry under root").to_path_buf();
            let m = fs::symlink_metadata(&p).unwrap_or_else(|err| panic!("stat {}: {err}", p.display()));
            let ft = m.file_type();
            let entry = if ft.is_dir() {
                stack.push(p.clone());
                Entry::Dir
            } else if ft.is_file() {
                Entry::File { len: m.len(), fingerprint: fingerprint_file(&p) }
            } else if ft.is_symlink() {
                Entry::Symlink(fs::read_link(&p).unwrap_or_default())
            } else {
                Entry::Other
            };
            out.insert(rel, entry);
        }
    }
    out
}

fn fingerprint_file(p: &Path) -> u64 {
    let mut f = fs::File::open(p).unwrap_or_else(|e| panic!("open {} for a snapshot: {e}", p.display()));
    // Fixed keys: deterministic within a test run, and a change of any byte shows.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).unwrap_or_else(|e| panic!("read {} for a snapshot: {e}", p.display()));
        if n == 0 {
            return h.finish();
        }
        h.write(&buf[..n]);
    }
}

/// The differences between two snapshots, one line each (empty: equal).
pub fn snapshot_diff(before: &Snapshot, after: &Snapshot) -> Vec<String> {
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

/// A small seeded pseudo-random generator (SplitMix64): the same seed gives
/// the same sequence, so a failing run can be repeated.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The seed from the environment variable `var` if set (decimal), else
    /// from the clock. Prints it so a failure can be replayed.
    pub fn seed_from_env(var: &str) -> u64 {
        let seed = match std::env::var(var) {
            Ok(s) => s.trim().parse().unwrap_or_else(|_| panic!("{var} should be a decimal u64, got {s:?}")),
            Err(_) => {
                let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock after 1970");
                t.as_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32)
            }
        };
        eprintln!("random seed {seed} (replay with {var}={seed})");
        seed
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        assert!(lo <= hi, "empty range");
        let span = hi - lo;
        if span == u64::MAX {
            return self.next_u64();
        }
        lo + self.next_u64() % (span + 1)
    }

    /// Fills `buf` with random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        let mut chunks = buf.chunks_exact_mut(8);
        for c in &mut chunks {
            c.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        let last = self.next_u64().to_le_bytes();
        rest.copy_from_slice(&last[..rest.len()]);
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut v = vec![0u8; len];
        self.fill(&mut v);
        v
    }

    /// `n` random bytes as lower-case hex (2n characters).
    pub fn hex(&mut self, n: usize) -> String {
        self.bytes(n).iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Writes a file of `len` random bytes from `rng`, streaming in 1 MiB pieces.
#[track_caller]
pub fn write_random_file(path: &Path, len: u64, rng: &mut Rng) {
    if let Some(d) = path.parent() {
        fs::create_dir_all(d).unwrap_or_else(|e| panic!("create folder {}: {e}", d.display()));
    }
    let mut f =
        std::io::BufWriter::new(fs::File::create(path).unwrap_or_else(|e| panic!("create {}: {e}", path.display())));
    let mut buf = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(buf.len() as u64) as usize;
        rng.fill(&mut buf[..n]);
        f.write_all(&buf[..n]).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        left -= n as u64;
    }
    f.flush().unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// SHA-256 of each file, computed by coreutils `sha256sum` (an
/// implementation independent of the code under test), in the order given.
#[track_caller]
pub fn sha256sum(paths: &[PathBuf]) -> Vec<String> {
    let mut out = Vec::with_capacity(paths.len());
    // Bounded argument lists; `-z` so names with newlines cannot confuse parsing.
    for chunk in paths.chunks(256) {
        let mut cmd = Command::new("sha256sum");
        cmd.arg("-z").arg("--").args(chunk).stdin(Stdio::null());
        let o = run(&mut cmd);
        assert_eq!(o.code, Some(0), "sha256sum should hash the test files; {}", o.describe());
        let records: Vec<&str> = o.stdout.split('\0').filter(|r| !r.is_empty()).collect();
        assert_eq!(records.len(), chunk.len(), "sha256sum should print one record per file");
        for r in records {
            let hex = r.split_whitespace().next().expect("a digest in sha256sum output");
            assert!(is_sha256_hex(hex), "sha256sum should print 64 hex digits, got {hex:?}");
            out.push(hex.to_string());
        }
    }
    out
}

/// SHA-256 of one file by coreutils `sha256sum`.
#[track_caller]
pub fn sha256sum_one(path: &Path) -> String {
    sha256sum(&[path.to_path_buf()]).pop().expect("one digest")
}

/// Whether `s` is 64 lower-case hex digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Offsets at which `needle` occurs in `haystack`.
pub fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return Vec::new();
    }
    let first = needle[0];
    let mut out = Vec::new();
    let mut i = 0;
    let last_start = haystack.len() - needle.len();
    while i <= last_start {
        match haystack[i..=last_start].iter().position(|&b| b == first) {
            None => break,
            Some(k) => {
                let at = i + k;
                if &haystack[at..at + needle.len()] == needle {
                    out.push(at);
                }
                i = at + 1;
            }
        }
    }
    out
}

/// `s` as UTF-16LE bytes.
pub fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Sends a signal to a process with `kill -SIG PID` (std has no signal API).
#[track_caller]
pub fn send_signal(pid: u32, signal: &str) {
    let o = run_with_timeout(
        Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).stdin(Stdio::null()),
        Duration::from_secs(30),
    );
    assert_eq!(o.code, Some(0), "kill -{signal} {pid} should be delivered; {}", o.describe());
}
