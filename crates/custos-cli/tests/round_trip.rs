//! Round trips through the `custos` binary: what goes in comes out byte for
//! byte, with the hashes, names and custody events it should have.

#[macro_use]
mod common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use common::*;



fn log_json(vault: &Path) -> Vec<Value> {
    let out = custos(argv!["log", vault, "--json"]);
    assert_eq!(out.code, Some(0), "log --json should succeed: {}", out.describe());
    out.json().as_array().cloned().expect("log --json should print an array")
}

fn show_json(vault: &Path, id: &str) -> Value {
    let out = custos(argv!["show", vault, id, "--json"]);
    assert_eq!(out.code, Some(0), "show --json {id} should succeed: {}", out.describe());
    out.json()
}

/// Extracts `id` to `dest` and returns the bytes written.
fn extract(vault: &Path, id: &str, dest: &Path) -> Vec<u8> {
    let out = custos(argv!["extract", vault, id, "--out", dest]);
    assert_eq!(out.code, Some(0), "extract of {id} should succeed: {}", out.describe());
    fs::read(dest).unwrap_or_else(|e| panic!("extract of {id} should write {}: {e}", dest.display()))
}

/// Absolute path string as the vault records it.
fn abs(p: &Path) -> String {
    std::path::absolute(p).unwrap().to_str().expect("test paths are UTF-8").to_string()
}

#[test]
fn folder_round_trip_keeps_bytes_hashes_and_custody() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = init_vault(&tmp.path().join("vault"));
    let src = tmp.path().join("collection");
    let files: Vec<(PathBuf, Vec<u8>)> = vec![
        (src.join("notes.txt"), b"Meeting moved to 3pm.\nBring the contract.\n".to_vec()),
        (src.join("sales.csv"), b"region,q1,q2\nnorth,10,12\nsouth,7,9\n".to_vec()),
        (src.join("mail/message.eml"), EML.as_bytes().to_vec()),
        (src.join("image.dat"), PNG.to_vec()),
        (src.join("empty.bin"), Vec::new()),
    ];
    for (p, b) in &files {
        write_file(p, b);
    }
    let out = custos(argv!["add", &vault, &src, "--custodian", "Dana Custodian"]);
    assert_eq!(out.code, Some(0), "adding a folder of regular files should succeed: {}", out.describe());
    assert!(out.stderr.contains("5 stored, 0 duplicates, 0 failed"), "all five files should be stored: {}", out.describe());

    let list = list_json(&vault);
    assert_eq!(list.len(), files.len(), "every file should be one exhibit: {list:?}");
    let by_path: BTreeMap<String, &Value> = list.iter().map(|e| (str_field(e, "path").to_string(), e)).collect();
    let extracted = tmp.path().join("extracted");
    fs::create_dir(&extracted).unwrap();
    for (p, bytes) in &files {
        let e = by_path.get(&abs(p)).unwrap_or_else(|| panic!("list should hold {} by its full path: {list:?}", p.display()));
        for f in ["id", "name", "path", "size", "sha256", "md5", "custodian"] {
            assert!(e.get(f).is_some(), "list --json entries should have field {f:?}: {e}");
        }
        assert_eq!(str_field(e, "name"), p.file_name().unwrap().to_str().unwrap(), "name should be the file name");
        assert_eq!(e["size"].as_u64(), Some(bytes.len() as u64), "size should be the file length for {}", p.display());
        assert_eq!(str_field(e, "sha256"), sha256sum_one(p), "SHA-256 should equal sha256sum of {}", p.display());
        assert_eq!(str_field(e, "md5"), md5sum_one(p), "MD5 should equal md5sum of {}", p.display());
        assert_eq!(str_field(e, "sha256"), sha256_hex(bytes), "the test's own SHA-256 should agree with sha256sum");
        assert_eq!(str_field(e, "custodian"), "Dana Custodian", "the custodian given to add should be recorded");
        let id = str_field(e, "id");
        let got = extract(&vault, id, &extracted.join(id));
        assert!(got == *bytes, "extract of {id} should give the original bytes of {}", p.display());
    }
    let mime = |name: &str| str_field(by_path[&abs(&src.join(name))], "mime").to_string();
    assert_eq!(mime("image.dat"), "image/png", "a PNG must be typed by its content even when named .dat");
    assert_eq!(mime("mail/message.eml"), "message/rfc822", "an .eml text file should be typed as a message");
    assert_eq!(mime("notes.txt"), "text/plain", "a .txt file should be text/plain");

    // The custody log: well-formed events, one `collected` per exhibit, one `extracted` per extract.
    let log = log_json(&vault);
    for (i, ev) in log.iter().enumerate() {
        for f in ["seq", "time", "actor", "action", "exhibit"] {
            assert!(ev.get(f).is_some(), "every custody event should have field {f:?}: {ev}");
        }
        assert_eq!(ev["seq"].as_u64(), Some(i as u64 + 1), "seq should run 1, 2, 3… without gaps");
        assert_eq!(str_field(ev, "actor"), EXAMINER, "the default actor is the vault's examiner");
    }
    let ids: BTreeSet<String> = list.iter().map(|e| str_field(e, "id").to_string()).collect();
    for action in ["collected", "extracted"] {
        let with: Vec<String> = log
            .iter()
            .filter(|ev| ev["action"] == action)
            .map(|ev| ev["exhibit"].as_str().expect("exhibit events name their exhibit").to_string())
            .collect();
        assert_eq!(with.len(), ids.len(), "one {action} event per exhibit: {with:?}");
        assert_eq!(with.into_iter().collect::<BTreeSet<_>>(), ids, "{action} events should name every exhibit once");
    }
    assert_eq!(log[0]["action"], "vault_created", "the log should start with the vault's creation");

    for id in &ids {
        let d = show_json(&vault, id);
        assert_eq!(str_field(&d, "id"), id, "show should report the id asked for");
        assert_eq!(d["sources"].as_array().map(Vec::len), Some(1), "a file taken in once has one source: {d}");
    }

    let out = custos(argv!["verify", &vault]);
    assert_eq!(out.code, Some(0), "a vault after intake and extraction should verify clean: {}", out.describe());
}

#[test]
fn duplicate_content_is_one_exhibit_with_every_source() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = init_vault(&tmp.path().join("vault"));
    let content = b"Same bytes under two names.\n";
    let a = tmp.path().join("src/a-original.txt");
    let b = tmp.path().join("src/b-copy.txt");
    write_file(&a, content);
    write_file(&b, content);
    let out = add_ok(&vault, &[&tmp.path().join("src")]);
    assert!(out.stderr.contains("1 stored, 1 duplicate, 0 failed"), "the second copy should be a duplicate: {}", out.describe());

    let list = list_json(&vault);
    assert_eq!(list.len(), 1, "the same content must be stored once: {list:?}");
    let id = str_field(&list[0], "id").to_string();
    assert_eq!(str_field(&list[0], "name"), "a-original.txt", "the exhibit keeps the first source's name");

    // A third copy in a later session is recorded against the same exhibit.
    let c = tmp.path().join("later/c-again.txt");
    write_file(&c, content);
    let out = add_ok(&vault, &[&c]);
    assert!(out.stderr.contains("0 stored, 1 duplicate"), "a later copy should be a duplicate: {}", out.describe());
    assert_eq!(list_json(&vault).len(), 1, "a later copy must not add an exhibit");

    let d = show_json(&vault, &id);
    let sources: Vec<&str> = d["sources"].as_array().expect("sources array").iter().map(|s| str_field(s, "path")).collect();
    assert_eq!(sources, vec![abs(&a), abs(&b), abs(&c)], "show should list every source, first first");

    let log = log_json(&vault);
    let dups: Vec<&Value> = log.iter().filter(|e| e["action"] == "duplicate_source_recorded").collect();
    assert_eq!(dups.len(), 2, "each further source should log duplicate_source_recorded: {dups:?}");
    assert!(dups.iter().all(|e| e["exhibit"] == id.as_str()), "duplicate events should name the exhibit");
    assert_eq!(log.iter().filter(|e| e["action"] == "collected").count(), 1, "only the first copy is `collected`");
}

#[test]
fn passwd_rewrites_only_the_passphrase_key_file() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = init_vault(&tmp.path().join("vault"));
    write_file(&tmp.path().join("src/x.txt"), "x\n");
    write_file(&tmp.path().join("src/y.bin"), Rng::new(3).bytes(5000));
    add_ok(&vault, &[&tmp.path().join("src")]);
    let objects_before = snapshot(&vault.join("objects"));
    let keys_before = snapshot(&vault.join("keys"));
    let config_before = fs::read(vault.join("custos-vault.json")).unwrap();

    let new_pass = "a brand new passphrase";
    let out = run(custos_command(argv!["passwd", &vault]).env("CUSTOS_NEW_PASSPHRASE", new_pass));
    assert_eq!(out.code, Some(0), "passwd with CUSTOS_NEW_PASSPHRASE should succeed: {}", out.describe());

    let out = custos(argv!["list", &vault]);
    assert_eq!(out.code, Some(3), "the old passphrase must no longer open the vault: {}", out.describe());
    let out = run(custos_command(argv!["list", &vault, "--json"]).env("CUSTOS_PASSPHRASE", new_pass));
    assert_eq!(out.code, Some(0), "the new passphrase must open the vault: {}", out.describe());
    assert_eq!(out.json().as_array().map(Vec::len), Some(2), "both exhibits should still be listed");

    assert_unchanged(&objects_before, &snapshot(&vault.join("objects")), "passwd must not touch any object");
    let keys_after = snapshot(&vault.join("keys"));
    let changed = snapshot_diff(&keys_before, &keys_after);
    assert_eq!(changed.len(), 1, "exactly one file under keys/ should change: {changed:?}");
    assert!(changed[0].starts_with("changed passphrase.age"), "only keys/passphrase.age should change: {changed:?}");
    assert_eq!(fs::read(vault.join("custos-vault.json")).unwrap(), config_before, "passwd must not rewrite custos-vault.json");
    let key = fs::read(vault.join("keys/passphrase.age")).unwrap();
    let header = String::from_utf8_lossy(&key[..key.len().min(200)]).into_owned();
    let stanza = header.lines().find(|l| l.starts_with("-> scrypt ")).expect("new key file has a scrypt stanza");
    assert!(stanza.ends_with(" 10"), "passwd should keep the work factor (10): {stanza:?}");

    let log = run(custos_command(argv!["log", &vault, "--json"]).env("CUSTOS_PASSPHRASE", new_pass));
    assert!(log.json().as_array().unwrap().iter().any(|e| e["action"] == "passphrase_changed"), "passwd should be logged");
    let out = run(custos_command(argv!["verify", &vault]).env("CUSTOS_PASSPHRASE", new_pass));
    assert_eq!(out.code, Some(0), "the vault should verify clean after passwd: {}", out.describe());
}

#[test]
fn recovery_identity_unlocks_without_the_passphrase() {
    use custos_core::age::secrecy::ExposeSecret;
    let tmp = tempfile::tempdir().unwrap();
    let identity = custos_core::age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let vault = init_vault_with(&tmp.path().join("vault"), &[OsStr::new("--recovery-recipient"), OsStr::new(&recipient)]);
    assert!(vault.join("keys/recovery.age").is_file(), "a recovery recipient should produce keys/recovery.age");
    write_file(&tmp.path().join("src/deed.txt"), "Deed of sale\n");
    add_ok(&vault, &[&tmp.path().join("src")]);

    let id_file = tmp.path().join("escrow.key");
    write_file(&id_file, format!("# escrow key\n{}\n", identity.to_string().expose_secret()));
    let out = run(custos_command(argv!["list", &vault, "--json", "--recovery-identity", &id_file]).env_remove("CUSTOS_PASSPHRASE"));
    assert_eq!(out.code, Some(0), "the recovery identity should unlock the vault with no passphrase set: {}", out.describe());
    let list = out.json();
    assert_eq!(list[0]["name"], "deed.txt", "the recovered vault should list its exhibit: {list}");

    let log = run(custos_command(argv!["log", &vault, "--json", "--recovery-identity", &id_file]).env_remove("CUSTOS_PASSPHRASE"));
    let last_unlock = log.json().as_array().unwrap().iter().rev().find(|e| e["action"] == "vault_unlocked").cloned();
    assert_eq!(
        last_unlock.as_ref().and_then(|e| e["details"]["via"].as_str()),
        Some("recovery key"),
        "an unlock by the recovery key should be logged as such: {last_unlock:?}"
    );

    let other = custos_core::age::x25519::Identity::generate();
    let other_file = tmp.path().join("other.key");
    write_file(&other_file, format!("{}\n", other.to_string().expose_secret()));
    let out = run(custos_command(argv!["list", &vault, "--recovery-identity", &other_file]).env_remove("CUSTOS_PASSPHRASE"));
    assert_eq!(out.code, Some(3), "a different identity must be refused like a wrong passphrase: {}", out.describe());
}

/// Names that trip up file handling and display (name, content).
fn awkward_names() -> Vec<(String, Vec<u8>)> {
    let long = format!("{}.txt", "L".repeat(251));
    assert_eq!(long.len(), 255, "the long name should be exactly the Linux limit");
    let mut v: Vec<(String, Vec<u8>)> = vec![
        ("caf\u{e9}.txt".into(), b"NFC e-acute\n".to_vec()),
        ("cafe\u{301}.txt".into(), b"NFD e + combining acute\n".to_vec()),
        ("\u{1F4CE} evidence \u{1F512}.txt".into(), b"emoji\n".to_vec()),
        ("\u{200F}rtl-mark.txt".into(), b"right-to-left mark\n".to_vec()),
        ("invoice\u{202E}fdp.exe".into(), b"right-to-left override\n".to_vec()),
        ("line one\nline two.txt".into(), b"newline in the name\n".to_vec()),
        (long, b"255 bytes of name\n".to_vec()),
        ("CON".into(), b"windows reserved CON\n".to_vec()),
        ("AUX.txt".into(), b"windows reserved AUX\n".to_vec()),
        ("nul".into(), b"windows reserved nul\n".to_vec()),
        ("empty".into(), Vec::new()),
    ];
    // A 255-byte name made of two-byte characters plus one byte.
    let wide = format!("{}x", "\u{e9}".repeat(127));
    assert_eq!(wide.len(), 255, "the wide name should be exactly 255 bytes");
    v.push((wide, b"255 bytes, multi-byte\n".to_vec()));
    v
}

#[test]
fn awkward_file_names_are_kept_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = init_vault(&tmp.path().join("vault"));
    let src = tmp.path().join("names");
    fs::create_dir(&src).unwrap();
    let names = awkward_names();
    for (n, b) in &names {
        fs::write(src.join(n), b).unwrap_or_else(|e| panic!("create test file {n:?}: {e}"));
    }
    assert_eq!(fs::read_dir(&src).unwrap().count(), names.len(), "NFC and NFD names must be distinct files");
    let out = add_ok(&vault, &[&src]);
    assert!(
        out.stderr.contains(&format!("{} stored, 0 duplicates, 0 failed", names.len())),
        "every awkward name should be stored: {}",
        out.describe()
    );

    let list = list_json(&vault);
    assert_eq!(list.len(), names.len(), "one exhibit per file");
    let by_name: BTreeMap<&str, &Value> = list.iter().map(|e| (str_field(e, "name"), e)).collect();
    let out_dir = tmp.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    for (n, bytes) in &names {
        let e = by_name.get(n.as_str()).unwrap_or_else(|| {
            panic!("list should hold name {n:?} byte for byte; names are {:?}", by_name.keys().collect::<Vec<_>>())
        });
        assert_eq!(str_field(e, "path"), abs(&src.join(n)), "the full path should be kept exactly for {n:?}");
        assert_eq!(str_field(e, "sha256"), sha256_hex(bytes), "the content hash should match for {n:?}");
        let id = str_field(e, "id");
        let got = extract(&vault, id, &out_dir.join(id));
        assert!(got == *bytes, "extract of {n:?} ({id}) should give its original bytes");
    }

    // The human listing: one line per exhibit, no raw control or bidi-override characters.
    let out = custos(argv!["list", &vault]);
    assert_eq!(out.code, Some(0), "list should succeed: {}", out.describe());
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), names.len() + 1, "a header and one line per exhibit; a newline in a name must not break a line");
    for l in &lines {
        for c in l.chars() {
            assert!(!c.is_control(), "list printed a raw control character {c:?} in line {l:?}");
            assert!(
                !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'),
                "list printed a raw bidi embedding/override/isolate {c:?} in line {l:?}"
            );
        }
    }
    assert!(out.stdout.contains("line one\\u{a}line two.txt"), "the newline should be shown escaped: {}", out.stdout);
    assert!(out.stdout.contains("invoice\\u{202e}fdp.exe"), "U+202E should be shown escaped: {}", out.stdout);
}

#[test]
fn human_list_escapes_bidi_marks_too() {
    // U+200E, U+200F and U+061C are Bidi_Control characters like U+202E: printed
    // raw they can reorder what the examiner sees around them.
    let tmp = tempfile::tempdir().unwrap();
    let vault = init_vault(&tmp.path().join("vault"));
    let src = tmp.path().join("names");
    for (i, n) in ["\u{200F}rlm.txt", "lrm\u{200E}.txt", "alm\u{61C}.txt"].iter().enumerate() {
        write_file(&src.join(n), format!("mark {i}\n"));
    }
    add_ok(&vault, &[&src]);
    let out = custos(argv!["list", &vault]);
    assert_eq!(out.code, Some(0), "list should succeed: {}", out.describe());
    for mark in ['\u{200E}', '\u{200F}', '\u{61C}'] {
        assert!(!out.stdout.contains(mark), "list printed a raw bidi mark {mark:?}: {:?}", out.stdout);
    }
}

#[test]
fn symlinks_and_fifos_fail_and_the_rest_is_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = init_vault(&tmp.path().join("vault"));
    let src = tmp.path().join("batch");
    write_file(&src.join("a.txt"), "alpha\n");
    write_file(&src.join("z.txt"), "omega\n");
    std::os::unix::fs::symlink("/nonexistent/target/of/link", src.join("dangling-link")).unwrap();
    let fifo = src.join("named-pipe");
    let st = Command::new("mkfifo").arg(&fifo).status().expect("run mkfifo");
    assert!(st.success(), "mkfifo should create the FIFO");

    let out = custos(argv!["add", &vault, &src]);
    assert_eq!(out.code, Some(2), "a batch with files that could not be taken in must exit 2: {}", out.describe());
    let failed: Vec<&str> = out.stderr.lines().filter(|l| l.starts_with("failed ")).collect();
    assert_eq!(failed.len(), 2, "the link and the FIFO should each be reported as failed: {}", out.describe());
    let link_line = failed.iter().find(|l| l.contains("dangling-link")).expect("the dangling link should be reported");
    assert!(link_line.contains("symbolic link"), "the link's failure should give the reason: {link_line}");
    let fifo_line = failed.iter().find(|l| l.contains("named-pipe")).expect("the FIFO should be reported");
    assert!(fifo_line.contains("not a regular file"), "the FIFO's failure should give the reason: {fifo_line}");
    assert!(out.stderr.contains("2 stored, 0 duplicates, 2 failed"), "the summary should count both: {}", out.describe());

    let names: BTreeSet<String> = list_json(&vault).iter().map(|e| str_field(e, "name").to_string()).collect();
    assert_eq!(names, BTreeSet::from(["a.txt".to_string(), "z.txt".to_string()]), "the regular files should be stored");
    let out = custos(argv!["verify", &vault]);
    assert_eq!(out.code, Some(0), "the vault should verify clean after a partly failed batch: {}", out.describe());
    assert!(out.stdout.starts_with("OK"), "verify should report OK: {}", out.describe());
}

#[test]
fn help_lists_the_exit_codes() {
    let out = custos(["--help"]);
    assert_eq!(out.code, Some(0), "--help should succeed: {}", out.describe());
    let section = out.stdout.split("Exit codes:").nth(1).unwrap_or_else(|| panic!("--help should have an exit code section: {}", out.stdout));
    for code in 0..=3 {
        assert!(
            section.lines().any(|l| l.trim_start().starts_with(&format!("{code} "))),
            "--help should explain exit code {code}: {section}"
        );
    }
}

#[test]
fn vault_folder_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let vault = init_vault(&tmp.path().join("vault"));
    let src = tmp.path().join("src");
    write_file(&src.join("a.txt"), "alpha");
    add_ok(&vault, &[&src]);
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for d in ["", "keys", "db", "objects"] {
        assert_eq!(mode(&vault.join(d)), 0o700, "folder {d:?} must be readable only by its owner");
    }
    for f in ["keys/passphrase.age", "db/custos.db", "custos-vault.json"] {
        assert_eq!(mode(&vault.join(f)), 0o600, "{f} must be readable only by its owner");
    }
}

#[test]
fn reading_a_source_leaves_its_access_time_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = init_vault(&tmp.path().join("vault"));
    let src = tmp.path().join("src");
    let file = src.join("original.txt");
    write_file(&file, "evidence whose metadata must not change");
    // An access time older than the modification time: a plain read would
    // update it even on a relatime mount.
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    fs::File::options().write(true).open(&file).unwrap().set_times(fs::FileTimes::new().set_accessed(old)).unwrap();
    assert_eq!(fs::metadata(&file).unwrap().accessed().unwrap(), old, "control: the access time was set");
    add_ok(&vault, &[&src]);
    assert_eq!(fs::metadata(&file).unwrap().accessed().unwrap(), old, "intake must not change the source's access time");
}

#[test]
fn a_symbolic_link_given_to_add_is_reported_and_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = init_vault(&tmp.path().join("vault"));
    let real = tmp.path().join("real");
    write_file(&real.join("inside.txt"), "behind a link");
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = custos(argv!["add", &vault, &link]);
    assert_eq!(out.code, Some(2), "a link is not taken in: {}", out.describe());
    assert!(out.stderr.contains("symbolic link"), "{}", out.describe());
    assert!(list_json(&vault).is_empty(), "what the link points to was not taken in either");
}
