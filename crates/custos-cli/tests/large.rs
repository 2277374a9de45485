//! An exhibit larger than 4 GiB goes in and comes out byte for byte: sizes
//! and offsets must not be truncated to 32 bits anywhere (intake, database,
//! verification, extraction).

#[macro_use]
mod common;

use common::*;
use std::fs::{self};
use std::time::Instant;


fn timed<T>(what: &str, times: &mut Vec<String>, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let r = f();
    times.push(format!("{what}: {:.1?}", t.elapsed()));
    r
}

#[test]
fn file_over_4_gib_round_trips() {
    let started = Instant::now();
    let mut times = Vec::new();
    let tmp = tempfile::tempdir().expect("a temp folder");
    let vault = init_vault(&tmp.path().join("vault"));
    let src_dir = tmp.path().join("src");
    fs::create_dir(&src_dir).expect("create the source folder");
    let big = src_dir.join("huge.bin");

    // Sparse: only the marked pages take disk space.
    let f = fs::File::create(&big).expect("create the big file");
    f.set_len(LEN).expect("make the file 4 GiB + 4097 bytes (sparse)");
    drop(f);
    write_at(&big, 0, b"HEAD: first bytes of a >4 GiB exhibit");
    write_at(&big, 4097, b"\x01\x02\x03");
    write_at(&big, GIB4 - 7, b"ACROSS-4GiB-BOUNDARY");
    write_at(&big, GIB4 + 1, b"\xff just past 2^32 \xff");
    write_at(&big, LEN - 12, b"TAIL: end.\n\x7f");
    assert_eq!(fs::metadata(&big).expect("stat").len(), LEN, "the source must be exactly 4 GiB + 4097 bytes");

    let expected = timed("sha256sum of the source", &mut times, || sha256sum_one(&big));

    let add = timed("custos add", &mut times, || {
        run_with_timeout(&mut custos_command(argv!["add", &vault, &big]), STEP_TIMEOUT)
    });
    add.assert_success("adding a file over 4 GiB must succeed");
    assert!(
        add.stdout.contains(&format!("stored EX-0001 {expected} ")),
        "add must acknowledge the exhibit with the SHA-256 sha256sum computed: {}",
        add.describe()
    );
    fs::remove_file(&big).expect("remove the source as soon as it is stored");

    let list = list_json(&vault);
    assert_eq!(list.len(), 1, "one file in, one exhibit");
    let e = &list[0];
    assert_eq!(e["size"].as_u64(), Some(LEN), "the recorded size must be exact, not truncated to 32 bits: {e}");
    assert_eq!(
        str_field(e, "sha256"),
        expected,
        "the intake SHA-256 must equal an independent sha256sum of the source"
    );
    let id = str_field(e, "id").to_string();

    let report = timed("custos verify (full)", &mut times, || {
        let out = run_with_timeout(&mut custos_command(argv!["verify", &vault, "--json"]), STEP_TIMEOUT);
        assert_eq!(out.code, Some(0), "a full verify of the >4 GiB exhibit must pass; {}", out.describe());
        out.json()
    });
    assert_eq!(report["ok"], serde_json::Value::Bool(true), "full verify must report ok: {report:#}");
    assert_eq!(report["exhibits"].as_u64(), Some(1), "verify must have checked the exhibit: {report:#}");

    let out_file = tmp.path().join("extracted.bin");
    let extract = timed("custos extract", &mut times, || {
        run_with_timeout(&mut custos_command(argv!["extract", &vault, &id, "--out", &out_file]), STEP_TIMEOUT)
    });
    extract.assert_success("extracting the >4 GiB exhibit must succeed");
    assert_eq!(
        fs::metadata(&out_file).expect("the extracted file exists").len(),
        LEN,
        "the extracted file must have the exact original size"
    );
    let got = timed("sha256sum of the extracted file", &mut times, || sha256sum_one(&out_file));
    fs::remove_file(&out_file).expect("remove the extracted copy");
    assert_eq!(got, expected, "the extracted bytes must be the original bytes (independent sha256sum)");
    drop(tmp);
    eprintln!("{}\ntotal: {:.1?}", times.join("\n"), started.elapsed());
}
