//! Output to a closed pipe (`custos add … | head -1`) must not abort the work.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn custos(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_custos"));
    c.args(args).env("CUSTOS_PASSPHRASE", "pipe test passphrase").stdin(Stdio::null());
    c
}

#[test]
fn intake_finishes_when_stdout_is_closed_early() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    // More than one commit batch (256 files), so lines are printed after the reader left.
    for i in 0..300 {
        std::fs::write(src.join(format!("f{i:03}.txt")), format!("file number {i}")).unwrap();
    }
    let vault = dir.path().join("v");
    let v = vault.to_str().unwrap();
    assert!(custos(&["init", v, "--matter", "M", "--examiner", "E", "--work-factor", "10"]).output().unwrap().status.success());

    let mut child = custos(&["add", v, src.to_str().unwrap()]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("stored "), "the first acknowledgement arrives: {first}");
    // The reader is dropped here: every later line hits a closed pipe.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "a closed pipe is not a failure: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("300 stored"), "the summary still reaches stderr");

    let list = custos(&["list", v, "--json"]).output().unwrap();
    let exhibits: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(exhibits.as_array().unwrap().len(), 300, "every file was taken in");
}
