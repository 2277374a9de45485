//! Shared helpers for the integration tests that drive the real `custos`
//! binary: building commands, running them with a time limit, making vaults,
//! reading JSON output, snapshotting folders, seeded pseudo-random data and
//! digests independent of the code under test (coreutils `sha256sum` and
//! `md5sum`, and a SHA-256 written out here).
//!
//! Include it with `#[macro_use] mod common;`; each test file uses only part
//! of it.
#![allow(dead_code, unused_macros, unused_imports)]

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The passphrase of the vaults made by [`init_vault`].
pub const PASSPHRASE: &str = "test passphrase: correct horse battery staple";
/// The matter of the vaults made by [`init_vault`].
pub const MATTER: &str = "Test Matter v. Example";
/// The examiner of the vaults made by [`init_vault`].
pub const EXAMINER: &str = "Test Examiner";

/// Builds an argument list from a mix of strings and paths:
/// `argv!["list", &vault, "--json"]`.
macro_rules! argv {
    ($($a:expr),* $(,)?) => {
        vec![$(::std::ffi::OsStr::new(&$a).to_os_string()),*]
    };
}

mod bag;
mod digest;
mod large;
mod pg;
mod process;
mod random;
mod s3;
mod samples;
mod snapshot;

// Each test file uses only part of these.
#[allow(unused_imports)]
pub use bag::*;
#[allow(unused_imports)]
pub use digest::*;
pub use large::*;
pub use pg::*;
pub use process::*;
#[allow(unused_imports)]
pub use random::*;
pub use s3::*;
pub use samples::*;
#[allow(unused_imports)]
pub use snapshot::*;

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

/// `custos add VAULT PATHS…`, asserted successful.
#[track_caller]
pub fn add_ok(vault: &Path, paths: &[&Path]) -> Output {
    let mut args: Vec<OsString> = argv!["add", vault];
    args.extend(paths.iter().map(|p| p.as_os_str().to_os_string()));
    let out = custos(&args);
    out.assert_success("add of readable regular files should succeed");
    out
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

/// A folder `name` for this test process under Cargo's per-target temp
/// folder (`<prefix><pid>/<name>`, emptied first); the folders of earlier
/// processes with the same prefix that are no longer running are removed.
pub fn scratch(prefix: &str, name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"));
    if let Ok(rd) = fs::read_dir(root) {
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if let Some(pid) = n.strip_prefix(prefix)
                && pid != std::process::id().to_string()
                && !Path::new("/proc").join(pid).exists()
            {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    let dir = root.join(format!("{prefix}{}", std::process::id())).join(name);
    if dir.exists() {
        fs::remove_dir_all(&dir).expect("clear an old scratch folder");
    }
    fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
}
