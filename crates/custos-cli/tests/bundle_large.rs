//! An exhibit larger than 4 GiB exported to a bundle: the zip needs ZIP64,
//! and outside tools (unzip, sha256sum) must read it back byte for byte.

#[macro_use]
mod common;

use common::*;
use std::fs::{self};
use std::process::Command;
use std::time::Instant;


/// Step timings, printed when the test ends (also when it fails part-way).
struct Timings {
    started: Instant,
    steps: Vec<String>,
}

impl Drop for Timings {
    fn drop(&mut self) {
        eprintln!("{}\ntotal: {:.1?}", self.steps.join("\n"), self.started.elapsed());
    }
}

fn timed<T>(what: &str, times: &mut Timings, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let r = f();
    times.steps.push(format!("{what}: {:.1?}", t.elapsed()));
    r
}

#[test]
fn file_over_4_gib_exports_and_verifies() {
    let mut times = Timings { started: Instant::now(), steps: Vec::new() };
    let tmp = tempfile::tempdir().expect("a temp folder");
    let vault = init_vault(&tmp.path().join("vault"));
    let big = tmp.path().join("src/huge.bin");
    fs::create_dir_all(big.parent().unwrap()).expect("create the source folder");

    // Sparse: only the marked pages take disk space.
    fs::File::create(&big).and_then(|f| f.set_len(LEN)).expect("make a sparse 4 GiB + 4097 byte file");
    write_at(&big, 0, b"HEAD: first bytes of a >4 GiB exhibit");
    write_at(&big, GIB4 - 7, b"ACROSS-4GiB-BOUNDARY");
    write_at(&big, GIB4 + 1, b"\xff just past 2^32 \xff");
    write_at(&big, LEN - 12, b"TAIL: end.\n\x7f");
    assert_eq!(fs::metadata(&big).unwrap().len(), LEN, "the source must be exactly 4 GiB + 4097 bytes");

    let expected = timed("sha256sum of the source", &mut times, || sha256sum_one(&big));
    let add = timed("custos add", &mut times, || {
        run_with_timeout(&mut custos_command(argv!["add", &vault, &big]), STEP_TIMEOUT)
    });
    add.assert_success("adding a file over 4 GiB must succeed");
    fs::remove_file(&big).expect("remove the source as soon as it is stored");

    let zip = tmp.path().join("big.zip");
    let export = timed("custos export", &mut times, || {
        run_with_timeout(&mut custos_command(argv!["export", &vault, "--out", &zip, "--json"]), STEP_TIMEOUT)
    });
    export.assert_success("exporting a file over 4 GiB must succeed (ZIP64)");
    let report = export.json();
    let bag = format!("{}-{}", str_field(&report, "bates_first"), str_field(&report, "bates_last"));
    assert!(fs::metadata(&zip).unwrap().len() > LEN, "the bundle holds the whole exhibit, stored");

    // The archive as Info-ZIP sees it: the entry's size must be the full 64-bit size.
    let native = format!("{bag}/data/VOL001/NATIVES/0001/{}.bin", str_field(&report, "bates_first"));
    let listing = run(Command::new("unzip").arg("-Zl").arg(&zip).arg(&native));
    assert_eq!(listing.code, Some(0), "unzip must list the native; {}", listing.describe());
    assert!(
        listing.stdout.split_whitespace().any(|w| w == LEN.to_string()),
        "unzip must see the native's full size {LEN} (ZIP64), not a 32-bit truncation: {}",
        listing.stdout
    );

    let test = timed("unzip -t", &mut times, || run_with_timeout(Command::new("unzip").arg("-tq").arg(&zip), STEP_TIMEOUT));
    assert_eq!(test.code, Some(0), "unzip -t must accept the ZIP64 bundle; {}", test.describe());
    assert!(test.stdout.contains("No errors detected"), "{}", test.describe());

    let verify = timed("custos verify-bundle", &mut times, || {
        run_with_timeout(&mut custos_command(argv!["verify-bundle", &zip, "--json"]), STEP_TIMEOUT)
    });
    verify.assert_success("verify-bundle must pass on the >4 GiB bundle");
    assert_eq!(verify.json()["ok"], serde_json::Value::Bool(true));

    // Extracted by unzip and hashed by sha256sum, streamed so 4 GiB is not written again.
    let hashed = timed("unzip -p | sha256sum", &mut times, || {
        run_with_timeout(
            Command::new("bash").args(["-c", "set -o pipefail; unzip -p -- \"$1\" \"$2\" | sha256sum", "_"]).arg(&zip).arg(&native),
            STEP_TIMEOUT,
        )
    });
    assert_eq!(hashed.code, Some(0), "unzip -p must extract the native; {}", hashed.describe());
    let got = hashed.stdout.split_whitespace().next().unwrap_or("").to_string();
    fs::remove_file(&zip).expect("remove the bundle");
    assert_eq!(got, expected, "the native unzip extracts must be the original bytes (independent sha256sum)");
    drop(tmp);
}
