//! Confidentiality at rest: case data (exhibit bytes, file names, custodians,
//! descriptions, tags…) must never be written to disk in plaintext, neither
//! in the vault folder nor in temporary files (DESIGN.md sections 1.1, 1.4, 6).

#[macro_use]
mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Sizes and marker offsets of the large canary file: the marker at the
/// start, across the end of the first 64 KiB age chunk, across the 1 MiB
/// boundary of the intake pipeline, in the middle and at the very end.
const BIG_LEN: usize = 3 << 20;

/// Runs one `custos` command with its own TMPDIR, asserting exit 0.
#[track_caller]
fn custos_in(tmpdir: &Path, args: Vec<std::ffi::OsString>, why: &str) -> Output {
    let mut cmd: Command = custos_command(&args);
    cmd.env("TMPDIR", tmpdir);
    let out = run(&mut cmd);
    out.assert_success(why);
    out
}

/// Every occurrence of any needle in any file (by content or by name) under `root`.
fn find_leaks(root: &Path, needles: &[(&str, Vec<u8>)]) -> Vec<String> {
    let mut leaks = Vec::new();
    let mut all = entries_named(root, "");
    all.push(root.to_path_buf());
    for p in &all {
        let name = p.file_name().map(|n| n.as_encoded_bytes().to_vec()).unwrap_or_default();
        for (what, n) in needles {
            if !find_all(&name, n).is_empty() {
                leaks.push(format!("{what} in the name of {}", p.display()));
            }
        }
    }
    for f in files_under(root) {
        let bytes = std::fs::read(&f).unwrap_or_else(|e| panic!("read {} to scan it: {e}", f.display()));
        for (what, n) in needles {
            let at = find_all(&bytes, n);
            if !at.is_empty() {
                leaks.push(format!("{what} in {} at offsets {at:?}", f.display()));
            }
        }
    }
    leaks
}

#[test]
fn canary_never_reaches_disk_in_plaintext() {
    let seed = Rng::seed_from_env("CUSTOS_CANARY_SEED");
    let mut rng = Rng::new(seed);
    let hex = rng.hex(16);
    let marker = format!("CANARY-{hex}");
    let tmp = tempfile::tempdir().expect("a temp folder");
    let private_tmp = tmp.path().join("private-tmp");
    std::fs::create_dir(&private_tmp).expect("create the private TMPDIR");
    let vault = tmp.path().join("vault");
    let src = tmp.path().join("src");

    // Source files: the marker in their names, a folder name and their bytes.
    let text = src.join(format!("notes {marker}.txt"));
    write_file(&text, format!("Meeting notes\nThe code word is {marker}.\nEnd of notes, {marker}\n"));
    let utf16 = src.join(format!("memo-{marker}.txt"));
    let mut memo = vec![0xff, 0xfe];
    memo.extend(utf16le(&format!("Memo about {marker}, in UTF-16.\r\n")));
    write_file(&utf16, memo);
    let big = src.join(format!("dir-{marker}")).join(format!("{marker}.bin"));
    let mut bytes = rng.bytes(BIG_LEN);
    let m = marker.as_bytes();
    let offsets = [0, (64 << 10) - 11, (1 << 20) - 17, (2 << 20) + 12_345, BIG_LEN - m.len()];
    for at in offsets {
        bytes[at..at + m.len()].copy_from_slice(m);
    }
    write_file(&big, &bytes);
    drop(bytes);
    let sources: Vec<PathBuf> = vec![text, utf16, big];

    let matter = format!("Matter {marker}");
    let examiner = format!("Examiner {marker}");
    custos_in(
        &private_tmp,
        argv![
            "init",
            &vault,
            "--matter",
            &matter,
            "--examiner",
            &examiner,
            "--work-factor",
            "10",
            "--matter-number",
            &marker
        ],
        "init with the marker in the matter and examiner should succeed",
    );
    let add = custos_in(
        &private_tmp,
        argv![
            "add",
            &vault,
            &src,
            "--custodian",
            format!("Custodian {marker}"),
            "--source",
            format!("Laptop {marker}"),
            "--description",
            format!("Collected {marker}"),
            "--tag",
            format!("tag-{marker}"),
            "--method",
            format!("Method {marker}"),
            "--purpose",
            format!("Warrant {marker}"),
            "--examiner",
            format!("Intake examiner {marker}"),
        ],
        "add of readable files should succeed",
    );
    let stored = add.stdout.lines().filter(|l| l.starts_with("stored ")).count();
    assert_eq!(stored, sources.len(), "each canary file has distinct content and must be stored: {}", add.describe());
    custos_in(
        &private_tmp,
        argv![
            "edit",
            &vault,
            "EX-0001",
            "--description",
            format!("Edited {marker}"),
            "--add-tag",
            format!("edited-{marker}")
        ],
        "edit of an existing exhibit should succeed",
    );
    custos_in(&private_tmp, argv!["verify", &vault], "a full verify of an intact vault should succeed");
    custos_in(&private_tmp, argv!["list", &vault], "list should succeed");
    let list = custos_in(&private_tmp, argv!["list", &vault, "--json"], "list --json should succeed");
    let log = custos_in(&private_tmp, argv!["log", &vault, "--json"], "log --json should succeed");

    // Export (plaintext bundle, then one encrypted to counsel), extraction,
    // import into a second vault, and an export killed after its partial
    // bundle was written: only the explicit plaintext outputs may hold the
    // marker, and the killed export's partial is gone once the vault reopens.
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).expect("create the output folder");
    let plain_bundle = out.join("plain.zip");
    custos_in(&private_tmp, argv!["export", &vault, "--out", &plain_bundle], "a plaintext export should succeed");
    custos_in(&private_tmp, argv!["extract", &vault, "EX-0001", "--out", out.join("extracted.txt")], "extract should succeed");
    let key = tmp.path().join("counsel.key");
    let keygen = Command::new("age-keygen").arg("-o").arg(&key).output().expect("run age-keygen");
    assert!(keygen.status.success(), "age-keygen must make a key");
    let recipient = std::fs::read_to_string(&key)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: ").map(str::to_string))
        .expect("age-keygen writes the public key as a comment");
    let sealed_dir = tmp.path().join("sealed");
    std::fs::create_dir_all(&sealed_dir).unwrap();
    custos_in(
        &private_tmp,
        argv!["export", &vault, "--out", sealed_dir.join("counsel.zip.age"), "--recipient", &recipient],
        "an export encrypted to counsel should succeed",
    );
    // Page images: text typeset, rasterised through pipes, never a file.
    custos_in(
        &private_tmp,
        argv!["export", &vault, "--out", sealed_dir.join("images.zip.age"), "--recipient", &recipient, "--images", "tiff", "--bates-prefix", "IMG"],
        "an export with page images encrypted to counsel should succeed",
    );
    // The Office converter's folder on the memory file system keeps nothing of it either.
    let shm = find_leaks(Path::new("/dev/shm"), &[("the marker", marker.as_bytes().to_vec())]);
    assert!(shm.is_empty(), "{shm:?}");
    let vault2 = tmp.path().join("vault2");
    custos_in(&private_tmp, argv!["init", &vault2, "--matter", "Receiving", "--examiner", "Counsel", "--work-factor", "10"], "init");
    custos_in(&private_tmp, argv!["import-bundle", &vault2, &plain_bundle], "import of the plaintext bundle should succeed");
    let killed_dir = tmp.path().join("killed");
    std::fs::create_dir_all(&killed_dir).unwrap();
    let mut killed = custos_command(argv!["export", &vault, "--out", killed_dir.join("killed.zip")]);
    killed.env("TMPDIR", &private_tmp).env("CUSTOS_FAILPOINT", "export.written=crash");
    let crashed = run(&mut killed);
    assert!(crashed.code.is_none(), "the export must die after writing its partial bundle: {}", crashed.describe());
    assert!(!entries_named(&killed_dir, ".custos-partial-").is_empty(), "control: the killed export left its partial bundle");
    custos_in(&private_tmp, argv!["list", &vault], "reopening after the killed export should succeed");

    // Positive control: the marker really was stored (encrypted) everywhere
    // it was given, so its absence on disk below means something.
    let exhibits = match list.json() {
        serde_json::Value::Array(a) => a,
        other => panic!("list --json should print an array, got {other}"),
    };
    assert_eq!(exhibits.len(), sources.len(), "list must show every canary exhibit");
    for field in ["name", "path", "custodian", "source", "description"] {
        for e in &exhibits {
            assert!(
                str_field(e, field).contains(&marker),
                "list --json must show the marker in {field} (the test is void if it was not stored): {e}"
            );
        }
    }
    for e in &exhibits {
        let tags = e["tags"].to_string();
        assert!(tags.contains(&format!("tag-{marker}")), "list --json must show the marker tag: {e}");
    }
    let edited = exhibits.iter().find(|e| str_field(e, "id") == "EX-0001").expect("EX-0001 is listed");
    assert_eq!(str_field(edited, "description"), format!("Edited {marker}"), "the edit must have been applied");
    assert!(edited["tags"].to_string().contains(&format!("edited-{marker}")), "the tag added by edit must be listed");
    assert!(
        log.stdout.contains(&format!("Edited {marker}")) && log.stdout.contains(&format!("Warrant {marker}")),
        "the custody log must record the marker-bearing edit and purpose (so the log was exercised too)"
    );

    // The scan: raw bytes, UTF-16LE, and the random part alone (in case a
    // leak split or re-encoded the prefix).
    let needles: Vec<(&str, Vec<u8>)> = vec![
        ("the marker", marker.as_bytes().to_vec()),
        ("the marker in UTF-16LE", utf16le(&marker)),
        ("the marker's random part", hex.as_bytes().to_vec()),
        ("the marker's random part in UTF-16LE", utf16le(&hex)),
    ];
    let control = find_leaks(&src, &needles);
    for what in ["the marker", "the marker in UTF-16LE", "the marker's random part"] {
        assert!(
            control.iter().any(|l| l.starts_with(what)),
            "control: the scan must find {what} in the plaintext source folder, or finding nothing in the vault proves nothing: {control:?}"
        );
    }
    let scanned_files = files_under(&vault).len() + files_under(&private_tmp).len();
    assert!(scanned_files >= sources.len() + 3, "the scan must cover the objects, database and key files");
    let control = find_leaks(&out, &needles);
    assert!(!control.is_empty(), "control: the explicit plaintext outputs hold the marker");
    for root in [&vault, &private_tmp, &vault2, &sealed_dir, &killed_dir] {
        let leaks = find_leaks(root, &needles);
        assert!(
            leaks.is_empty(),
            "case data must never be on disk in plaintext (seed {seed}), but under {} found:\n  {}",
            root.display(),
            leaks.join("\n  ")
        );
    }
    // The plaintext config is the first thing a finder reads.
    let config = std::fs::read_to_string(vault.join("custos-vault.json")).expect("read custos-vault.json");
    assert!(!config.contains("Matter"), "custos-vault.json must hold no matter name: {config}");
}
