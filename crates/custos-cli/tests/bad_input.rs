//! Bad input to the `custos` binary: each case checks the exit code, that the
//! error names the problem, and that nothing at all changed on disk.

#[macro_use]
mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use common::*;

/// A vault holding two small exhibits, in a fresh temp folder.
fn vault_with_exhibits(tmp: &Path) -> PathBuf {
    let vault = init_vault(&tmp.join("vault"));
    let src = tmp.join("src");
    write_file(&src.join("memo.txt"), "The shipment left on Tuesday.\n");
    write_file(&src.join("ledger.csv"), "date,amount\n2024-01-02,100\n");
    add_ok(&vault, &[&src]);
    vault
}

#[track_caller]
fn assert_code(out: &Output, code: i32, why: &str) {
    assert_eq!(out.code, Some(code), "{why}: {}", out.describe());
}

#[track_caller]
fn assert_stderr_has(out: &Output, phrase: &str, why: &str) {
    assert!(
        out.stderr.to_lowercase().contains(&phrase.to_lowercase()),
        "{why}: stderr should contain {phrase:?}; {}",
        out.describe()
    );
}

/// Asserts the vault folder is exactly as snapshotted. If not, the message also
/// names the custody events the failed command appended (read back with `log`,
/// whose own unlock is the last event and is left out).
#[track_caller]
fn assert_vault_unchanged(vault: &Path, before: &Snapshot, why: &str) {
    let changes = snapshot_diff(before, &snapshot(vault));
    if changes.is_empty() {
        return;
    }
    let log = custos(argv!["log", vault, "--json"]);
    let events: Vec<String> = match serde_json::from_str::<serde_json::Value>(&log.stdout) {
        Ok(serde_json::Value::Array(evs)) => evs
            .iter()
            .rev()
            .skip(1)
            .take(3)
            .map(|e| format!("seq {} {} {}", e["seq"], e["action"], e["exhibit"]))
            .collect(),
        _ => vec![format!("(log unreadable: {})", log.describe())],
    };
    panic!("{why}; but the vault changed:\n  {}\nlatest custody events before this check: {events:?}", changes.join("\n  "));
}

#[test]
fn wrong_passphrase_exits_3_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = vault_with_exhibits(tmp.path());
    let before = snapshot(&vault);
    for cmd in ["list", "verify", "log"] {
        let out = run(custos_command(argv![cmd, &vault]).env("CUSTOS_PASSPHRASE", "not the passphrase"));
        assert_code(&out, 3, &format!("`{cmd}` with a wrong passphrase must exit 3 (wrong passphrase)"));
        assert_stderr_has(&out, "wrong passphrase", "the error must say the passphrase is wrong");
        assert!(out.stdout.is_empty(), "nothing may be printed on stdout without unlocking: {}", out.describe());
    }
    assert_unchanged(&before, &snapshot(&vault), "a refused unlock must not write to the vault");
}

#[test]
fn empty_folder_is_not_a_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("empty");
    fs::create_dir(&dir).unwrap();
    let before = snapshot(&dir);
    for cmd in ["list", "verify", "log"] {
        let out = custos(argv![cmd, &dir]);
        assert_code(&out, 2, &format!("`{cmd}` on an empty folder must exit 2"));
        assert_stderr_has(&out, "not a Custos vault", "the error must say the folder is not a vault");
    }
    let out = custos(argv!["add", &dir, tmp.path()]);
    assert_code(&out, 2, "`add` into an empty folder must exit 2");
    assert_stderr_has(&out, "not a Custos vault", "the error must say the folder is not a vault");
    assert_unchanged(&before, &snapshot(&dir), "refusing a non-vault must not create anything in it (no lock file)");
}

#[test]
fn folder_with_other_files_is_not_a_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("documents");
    write_file(&dir.join("letter.txt"), "Dear Sir,\n");
    write_file(&dir.join("db/custos.db"), Rng::new(1).bytes(4096));
    write_file(&dir.join("keys/notes.md"), "# not keys\n");
    let before = snapshot(&dir);
    for cmd in ["list", "verify", "log"] {
        let out = custos(argv![cmd, &dir]);
        assert_code(&out, 2, &format!("`{cmd}` on a folder of other files must exit 2"));
        assert_stderr_has(&out, "not a Custos vault", "the error must say the folder is not a vault");
    }
    assert_unchanged(&before, &snapshot(&dir), "refusing a non-vault must leave its files alone");
}

fn set_config_version(vault: &Path, version: u64) {
    let p = vault.join("custos-vault.json");
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(&p).unwrap()).expect("config is JSON");
    v["version"] = serde_json::json!(version);
    fs::write(&p, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    assert!(
        fs::read_to_string(&p).unwrap().contains(&format!("\"version\": {version}")),
        "the rewritten config should hold the new version"
    );
}

#[test]
fn unknown_format_version_is_refused_before_any_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = vault_with_exhibits(tmp.path());
    set_config_version(&vault, 99);
    let before = snapshot(&vault);

    // No passphrase in the environment and no terminal: the version error must
    // come first, not "no passphrase".
    for cmd in ["list", "verify", "log", "passwd"] {
        let out = run(custos_command(argv![cmd, &vault]).env_remove("CUSTOS_PASSPHRASE"));
        assert_code(&out, 2, &format!("`{cmd}` on a version 99 vault must exit 2"));
        assert_stderr_has(&out, "version 99", "the error must name the unknown version 99");
        assert!(
            !out.stderr.contains("CUSTOS_PASSPHRASE"),
            "the version must be refused before a passphrase is asked for: {}",
            out.describe()
        );
    }
    // With the right passphrase available it is still refused.
    let out = custos(argv!["list", &vault]);
    assert_code(&out, 2, "a version 99 vault must be refused even with the right passphrase");
    assert_stderr_has(&out, "version 99", "the error must name the unknown version 99");
    let out = custos(argv!["add", &vault, tmp.path().join("src")]);
    assert_code(&out, 2, "`add` into a version 99 vault must be refused");
    assert_stderr_has(&out, "version 99", "the error must name the unknown version 99");

    assert_unchanged(&before, &snapshot(&vault), "a vault of an unknown version must not be touched");
}

#[test]
fn truncated_key_file_is_reported_damaged() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = vault_with_exhibits(tmp.path());
    let key = vault.join("keys/passphrase.age");
    let bytes = fs::read(&key).unwrap();
    fs::write(&key, &bytes[..bytes.len() / 2]).unwrap();
    let before = snapshot(&vault);
    let out = custos(argv!["list", &vault]);
    assert_code(&out, 2, "a truncated key file must exit 2 (not 3: the passphrase is right)");
    assert_stderr_has(&out, "damaged", "the error must say the key file is damaged");
    assert_stderr_has(&out, "passphrase.age", "the error must name the key file");
    assert_unchanged(&before, &snapshot(&vault), "a damaged key file must not lead to any write");
}

#[test]
fn garbage_key_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = vault_with_exhibits(tmp.path());
    let key = vault.join("keys/passphrase.age");
    let len = fs::metadata(&key).unwrap().len() as usize;
    fs::write(&key, Rng::new(7).bytes(len)).unwrap();
    let before = snapshot(&vault);
    let out = custos(argv!["list", &vault]);
    assert_code(&out, 2, "a key file of random bytes must exit 2");
    assert_stderr_has(&out, "damaged", "the error must say the key file is damaged");
    assert_unchanged(&before, &snapshot(&vault), "a garbage key file must not lead to any write");
}

#[test]
fn absurd_work_factor_is_refused_quickly() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = vault_with_exhibits(tmp.path());
    let key = vault.join("keys/passphrase.age");
    let bytes = fs::read(&key).unwrap();
    // The header line is `-> scrypt <salt> 10`; only its last field changes.
    let start = bytes.windows(10).position(|w| w == b"-> scrypt ").expect("key file should have a scrypt stanza");
    let end = start + bytes[start..].iter().position(|&b| b == b'\n').expect("stanza line ends");
    let line = std::str::from_utf8(&bytes[start..end]).expect("stanza line is text");
    let fields: Vec<&str> = line.split(' ').collect();
    assert_eq!(fields.len(), 4, "stanza line should be `-> scrypt <salt> <work factor>`: {line:?}");
    assert_eq!(fields[3], "10", "the vault was made with work factor 10: {line:?}");
    let new_line = format!("-> scrypt {} 40", fields[2]);
    let mut patched = bytes[..start].to_vec();
    patched.extend_from_slice(new_line.as_bytes());
    patched.extend_from_slice(&bytes[end..]);
    fs::write(&key, &patched).unwrap();

    let before = snapshot(&vault);
    let t = Instant::now();
    let out = custos(argv!["list", &vault]);
    let took = t.elapsed();
    assert_code(&out, 2, "a key file asking for 2^40 scrypt work must be refused with exit 2");
    assert_stderr_has(&out, "work factor", "the error must say the work factor is the problem");
    assert!(out.stderr.contains("40"), "the error should name the work factor asked for: {}", out.describe());
    assert!(
        took < Duration::from_secs(5),
        "the refusal must come without running scrypt (2^40 would take hours), took {took:?}"
    );
    assert_unchanged(&before, &snapshot(&vault), "a refused key file must not lead to any write");
}

/// The byte offset of the middle page of a database file (SQLCipher 4 pages are 4096 bytes).
fn middle_page_offset(len: u64) -> u64 {
    let pages = len / 4096;
    (pages / 2) * 4096
}

#[test]
fn damaged_database_page_is_reported_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = init_vault(&tmp.path().join("vault"));
    let src = tmp.path().join("many");
    for i in 0..200u64 {
        write_file(&src.join(format!("note-{i:03}.txt")), format!("note {i}: {}\n", sha256_hex(&i.to_le_bytes())));
    }
    let out = add_ok(&vault, &[&src]);
    assert!(out.stderr.contains("200 stored"), "all 200 notes should be stored: {}", out.describe());

    let db = vault.join("db/custos.db");
    let wal = vault.join("db/custos.db-wal");
    let wal_len = fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_len, 0, "after the CLI exits the WAL must be checkpointed into custos.db (no -wal data left)");
    let len = fs::metadata(&db).unwrap().len();
    assert!(len >= 40 * 4096, "200 exhibits should make a database of many pages, got {len} bytes");

    // 64 bytes in the middle of a page in the middle of the file.
    let off = (middle_page_offset(len) + 1024) as usize;
    let mut bytes = fs::read(&db).unwrap();
    for (i, b) in bytes[off..off + 64].iter_mut().enumerate() {
        *b ^= 0x5a ^ i as u8;
    }
    fs::write(&db, &bytes).unwrap();

    let before = snapshot(&vault);
    for cmd in ["list", "log", "verify"] {
        let out = custos(argv![cmd, &vault]);
        assert_code(&out, 2, &format!("`{cmd}` on a vault with a damaged database page must exit 2"));
        assert_stderr_has(&out, "damaged", "the error must say the database is damaged");
    }
    let out = custos(argv!["add", &vault, tmp.path().join("many/note-000.txt")]);
    assert_code(&out, 2, "`add` into a vault with a damaged database must exit 2");
    assert_unchanged(&before, &snapshot(&vault), "a damaged database must be left exactly as found");
}

#[test]
fn adding_a_missing_path_names_it_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = vault_with_exhibits(tmp.path());
    let before = snapshot(&vault);
    let out = custos(argv!["add", &vault, "/does/not/exist"]);
    assert_code(&out, 2, "adding a path that does not exist must exit 2");
    assert_stderr_has(&out, "/does/not/exist", "the error must name the missing path");
    assert_vault_unchanged(&vault, &before, "a refused add must leave the vault byte for byte as it was");
}

#[test]
fn showing_an_unknown_exhibit_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = vault_with_exhibits(tmp.path());
    let before = snapshot(&vault);
    let out = custos(argv!["show", &vault, "EX-9999"]);
    assert_code(&out, 2, "showing an exhibit that does not exist must exit 2");
    assert_stderr_has(&out, "no exhibit", "the error must say there is no such exhibit");
    assert_stderr_has(&out, "EX-9999", "the error must name the exhibit id asked for");
    assert_vault_unchanged(&vault, &before, "a failed show must not change the vault");
}

#[test]
fn extracting_onto_an_existing_file_refuses_and_keeps_it() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = vault_with_exhibits(tmp.path());
    let dest = tmp.path().join("out/already-here.txt");
    write_file(&dest, "precious existing content\n");
    let out_before = snapshot(&tmp.path().join("out"));
    let before = snapshot(&vault);
    let out = custos(argv!["extract", &vault, "EX-0001", "--out", &dest]);
    assert_code(&out, 2, "extracting onto an existing file must exit 2");
    assert_stderr_has(&out, "already exists", "the error must say the destination exists");
    assert_eq!(
        fs::read(&dest).unwrap(),
        b"precious existing content\n",
        "the existing destination file must keep its bytes"
    );
    assert_unchanged(&out_before, &snapshot(&tmp.path().join("out")), "no temp file may be left beside the destination");
    assert_vault_unchanged(&vault, &before, "a refused extract must not change the vault");
}

#[test]
fn init_into_a_non_empty_folder_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("busy");
    write_file(&dir.join("existing.txt"), "someone else's file\n");
    let before = snapshot(&dir);
    let out = custos(argv!["init", &dir, "--matter", "M", "--examiner", "E", "--work-factor", "10"]);
    assert_code(&out, 2, "init into a non-empty folder must exit 2");
    assert_stderr_has(&out, "not empty", "the error must say the folder is not empty");
    assert_unchanged(&before, &snapshot(&dir), "a refused init must not add anything to the folder");
}

#[test]
fn init_over_an_existing_vault_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = vault_with_exhibits(tmp.path());
    let before = snapshot(&vault);
    let out = custos(argv!["init", &vault, "--matter", "Other", "--examiner", "E", "--work-factor", "10"]);
    assert_code(&out, 2, "init over an existing vault must exit 2");
    assert_stderr_has(&out, "not empty", "the error must say the folder is not empty");
    assert_unchanged(&before, &snapshot(&vault), "an existing vault must survive a second init untouched");
}

#[test]
fn init_with_a_bad_recovery_recipient_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("new-vault");
    let before = snapshot(tmp.path());
    for bad in ["age1notarealkey", "ssh-ed25519 AAAA", "", "AGE-SECRET-KEY-1QQQQ"] {
        let out = custos(argv![
            "init", &target, "--matter", "M", "--examiner", "E", "--work-factor", "10", "--recovery-recipient", bad
        ]);
        assert_code(&out, 2, &format!("init with recovery recipient {bad:?} must exit 2"));
        assert_stderr_has(&out, "recipient", "the error must say the recovery recipient is bad");
        assert!(!target.exists(), "a refused init must not create the vault folder (recipient {bad:?})");
    }
    assert_unchanged(&before, &snapshot(tmp.path()), "a refused init must not create anything");
}

#[test]
fn passphrase_is_never_offered_as_an_argument() {
    for args in [vec!["--help"], vec!["init", "--help"], vec!["passwd", "--help"], vec!["add", "--help"], vec!["list", "--help"]] {
        let out = custos(&args);
        assert_eq!(out.code, Some(0), "`custos {}` should succeed: {}", args.join(" "), out.describe());
        let flags: Vec<&str> = out
            .stdout
            .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']' || c == '=')
            .filter(|w| w.starts_with('-'))
            .collect();
        assert!(!flags.is_empty() || args == ["--help"], "help for {args:?} should list options");
        for f in &flags {
            let l = f.to_lowercase();
            assert!(
                !(l.contains("pass") || l.contains("pwd") || l.contains("secret")),
                "`custos {}` must not offer a flag for a passphrase, found {f}",
                args.join(" ")
            );
        }
    }
    // And an attempt to pass one is a usage error that creates nothing.
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("v");
    let out = custos(argv!["init", &target, "--matter", "M", "--examiner", "E", "--work-factor", "10", "--passphrase", "x"]);
    assert_code(&out, 2, "an unknown --passphrase flag must be a usage error");
    assert!(!target.exists(), "a usage error must not create the vault folder");
}

#[test]
fn a_passphrase_shorter_than_twelve_characters_is_refused_by_the_cli_too() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("v");
    let out = run(custos_command(argv!["init", &target, "--matter", "M", "--examiner", "E", "--work-factor", "10"]).env("CUSTOS_PASSPHRASE", "eleven char"));
    assert_code(&out, 2, "a short passphrase is bad input");
    assert_stderr_has(&out, "at least 12 characters", "the error must state the rule");
    assert!(!target.exists(), "nothing is created");
    // A passphrase change is held to the same rule, and changes nothing.
    let vault = vault_with_exhibits(tmp.path());
    let before = snapshot(&vault);
    let out = run(custos_command(argv!["passwd", &vault]).env("CUSTOS_NEW_PASSPHRASE", "too short"));
    assert_code(&out, 2, "a short new passphrase is bad input");
    assert_stderr_has(&out, "at least 12 characters", "the error must state the rule");
    assert_vault_unchanged(&vault, &before, "a refused passphrase change");
}

#[test]
fn an_oversized_identity_file_is_refused_without_reading_it_all() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = vault_with_exhibits(tmp.path());
    let key = tmp.path().join("huge-key.txt");
    let mut text = String::from("# not a key file\n");
    while text.len() < 200 * 1024 {
        text.push_str("padding padding padding padding padding padding padding\n");
    }
    write_file(&key, text);
    let before = snapshot(&vault);
    let out = custos(argv!["list", &vault, "--recovery-identity", &key]);
    assert_code(&out, 2, "an oversized identity file is bad input");
    assert_stderr_has(&out, "too large", "the error must say the file is too large");
    assert_vault_unchanged(&vault, &before, "a refused identity file");
    let out = custos(argv!["verify-bundle", tmp.path(), "--identity", &key]);
    assert_code(&out, 2, "verify-bundle refuses it too");
    assert_stderr_has(&out, "too large", "the error must say the file is too large");
}

#[test]
fn a_collection_time_that_is_not_one_is_refused_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = vault_with_exhibits(tmp.path());
    let src = tmp.path().join("more");
    write_file(&src.join("late.txt"), "Gathered on the twentieth.\n");
    let before = snapshot(&vault);
    for (stated, why) in [("20/05/2026", "neither a day"), ("2999-12-31", "in the future")] {
        let out = custos(argv!["add", &vault, &src, "--collected-at", stated]);
        assert_code(&out, 2, stated);
        assert_stderr_has(&out, why, stated);
        assert_vault_unchanged(&vault, &before, stated);
    }
    // A day stated is the exhibit's collection time; the event is dated at intake.
    custos(argv!["add", &vault, &src, "--collected-at", "2026-05-20"]).assert_success("add with a collection time");
    let shown = custos(argv!["show", &vault, "EX-0003", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(json["collected_at"], "2026-05-20T00:00:00.000000Z", "{}", shown.stdout);
}
