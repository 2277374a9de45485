//! What opening and verifying a vault make of what a crash, a rolled-back
//! database or an outsider left behind: interrupted intakes are cleaned up
//! and logged, lost committed work and foreign files are errors, never a
//! silent quarantine and "OK".

use super::ExportFromRequest;
use super::{clock, new_vault, pass, sources};
use crate::{Action, Error, IntakeOptions, NoProgress, Unlock, Vault, VerifyMode};
use std::path::Path;

fn reopen(root: &Path) -> Vault {
    Vault::open(root, &Unlock::Passphrase(pass()), None, clock()).unwrap()
}

fn kinds(r: &crate::VerifyReport) -> Vec<(crate::Severity, String)> {
    r.findings.iter().map(|f| (f.severity, f.kind.to_string())).collect()
}

fn logged(v: &Vault, action: Action) -> Vec<crate::CustodyEvent> {
    v.custody_log(None).unwrap().into_iter().filter(|e| e.action == action).collect()
}

#[test]
fn an_interrupted_intakes_objects_are_quarantined_and_logged_on_open() {
    let (dir, v) = new_vault();
    let root = v.root().to_path_buf();
    // A crash after an object was put in place (its name journaled first)
    // but before its row committed; and a partial object.
    let stray = v.objects().path(&"cd".repeat(32));
    std::fs::create_dir_all(stray.parent().unwrap()).unwrap();
    std::fs::write(&stray, b"orphaned ciphertext").unwrap();
    std::fs::write(root.join("objects/.partial-0123"), b"half").unwrap();
    std::fs::write(root.join("objects/.intake-0123"), format!("{}\n", "cd".repeat(32))).unwrap();
    drop(v);
    let mut v = reopen(&root);
    assert!(!stray.exists(), "the stray object is moved out of the object store");
    assert!(!root.join("objects/.partial-0123").exists(), "partial files are removed");
    assert!(!root.join("objects/.intake-0123").exists(), "the journal is removed once handled");
    let q: Vec<_> = std::fs::read_dir(root.join("quarantine")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(q.len(), 1, "the stray object is kept in quarantine for inspection");
    let events = logged(&v, Action::StrayObjectQuarantined);
    assert_eq!(events.len(), 2, "the removal and the quarantine are each logged");
    let moved_to = events.iter().find_map(|e| e.details["moved_to"].as_str()).unwrap();
    assert_eq!(moved_to, format!("quarantine/{}", q[0].to_string_lossy()), "the event names where it went");
    let report = v.verify(VerifyMode::Quick, &NoProgress).unwrap();
    assert!(report.ok, "a logged quarantine is not a problem: {:?}", kinds(&report));
    drop(dir);
}

#[test]
fn exhibits_lost_with_a_rolled_back_database_are_an_error_not_a_quarantine() {
    let (dir, mut v) = new_vault();
    let root = v.root().to_path_buf();
    let src = sources(dir.path(), &[("kept.txt", b"kept before the backup")]);
    v.add(&crate::tests::inputs(&[src.join("kept.txt")]), &IntakeOptions::default(), &NoProgress).unwrap();
    drop(v);
    // A backup that copied only custos.db, taken now.
    let backup = std::fs::read(root.join("db/custos.db")).unwrap();
    let mut v = reopen(&root);
    let later = sources(dir.path(), &[("a.txt", b"acknowledged A"), ("b.txt", b"acknowledged B")]);
    let r = v.add(&crate::tests::inputs(&[later.join("a.txt"), later.join("b.txt")]), &IntakeOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.stored(), 2, "both acknowledged");
    drop(v);
    // The database is put back from the older copy; the WAL is gone.
    std::fs::write(root.join("db/custos.db"), &backup).unwrap();
    for f in ["db/custos.db-wal", "db/custos.db-shm"] {
        let _ = std::fs::remove_file(root.join(f));
    }
    let mut v = reopen(&root);
    assert_eq!(v.objects().scan().unwrap().0.len(), 3, "opening moves none of the lost exhibits away");
    assert!(logged(&v, Action::StrayObjectQuarantined).is_empty(), "nothing is quarantined");
    let report = v.verify(VerifyMode::Quick, &NoProgress).unwrap();
    assert!(!report.ok, "acknowledged exhibits are gone: verification must fail");
    let lost: Vec<_> = report.findings.iter().filter(|f| f.kind == "lost_exhibit_object").collect();
    assert_eq!(lost.len(), 2, "each lost exhibit is named: {:?}", kinds(&report));
    let a_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"acknowledged A"));
    assert!(lost.iter().any(|f| f.message.contains(&a_sha)), "the finding gives the lost content's SHA-256");
    assert!(lost.iter().all(|f| f.severity == crate::Severity::Error && f.action.contains("Restore db/")), "and says what to do");
    drop(dir);
}

#[test]
fn foreign_objects_and_unknown_files_are_errors() {
    let (dir, v) = new_vault();
    let root = v.root().to_path_buf();
    let foreign = v.objects().path(&"ab".repeat(32));
    std::fs::create_dir_all(foreign.parent().unwrap()).unwrap();
    std::fs::write(&foreign, b"not made with this vault's key").unwrap();
    std::fs::write(root.join("objects/notes.txt"), b"dropped here").unwrap();
    // An object-like name in the wrong folder.
    std::fs::create_dir_all(root.join("objects/00")).unwrap();
    std::fs::write(root.join(format!("objects/00/{}", "ef".repeat(32))), b"misplaced").unwrap();
    drop(v);
    let mut v = reopen(&root);
    assert!(foreign.exists(), "a file no journal names is not moved on open");
    let report = v.verify(VerifyMode::Quick, &NoProgress).unwrap();
    assert!(!report.ok, "{:?}", kinds(&report));
    let k = kinds(&report);
    assert!(k.contains(&(crate::Severity::Error, "unknown_object".into())), "{k:?}");
    assert_eq!(k.iter().filter(|(s, kind)| *s == crate::Severity::Error && kind == "unknown_file").count(), 2, "{k:?}");
    drop(dir);
}

#[test]
fn a_quarantined_file_without_its_event_is_reported() {
    let (dir, mut v) = new_vault();
    let root = v.root().to_path_buf();
    std::fs::create_dir_all(root.join("quarantine")).unwrap();
    std::fs::write(root.join("quarantine/deadbeef-0011"), b"moved without a log entry").unwrap();
    let report = v.verify(VerifyMode::Quick, &NoProgress).unwrap();
    assert!(!report.ok);
    assert!(kinds(&report).contains(&(crate::Severity::Error, "quarantine_unlogged".into())), "{:?}", kinds(&report));
    drop(dir);
}

#[test]
fn a_changed_vault_id_in_the_plaintext_config_is_refused_before_any_write() {
    let (dir, v) = new_vault();
    let root = v.root().to_path_buf();
    drop(v);
    let cfg_path = root.join("custos-vault.json");
    let original = std::fs::read_to_string(&cfg_path).unwrap();
    let mut cfg: serde_json::Value = serde_json::from_str(&original).unwrap();
    cfg["vault_id"] = "00000000-0000-4000-8000-000000000000".into();
    std::fs::write(&cfg_path, serde_json::to_vec_pretty(&cfg).unwrap()).unwrap();
    let db = std::fs::read(root.join("db/custos.db")).unwrap();
    let err = Vault::open(&root, &Unlock::Passphrase(pass()), None, clock()).unwrap_err();
    assert!(matches!(err, Error::ConfigTampered { .. }), "{err}");
    assert!(err.to_string().contains("00000000-0000-4000-8000-000000000000"), "the message names the forged id: {err}");
    assert_eq!(std::fs::read(root.join("db/custos.db")).unwrap(), db, "nothing was written");
    // Put back, the log verifies: no checkpoint was ever signed over the forged id.
    std::fs::write(&cfg_path, original).unwrap();
    let mut v = reopen(&root);
    assert!(v.verify(VerifyMode::Full, &NoProgress).unwrap().ok);
    drop(dir);
}

#[test]
fn a_partial_output_left_by_a_crash_is_removed_and_logged_on_open() {
    let (dir, v) = new_vault();
    let root = v.root().to_path_buf();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // What a crash mid-extraction leaves: the record, then the partial plaintext.
    let partial = v.begin_outside_partial(&out.join("memo.txt"), crate::store::partials::OutputKind::Extraction).unwrap();
    std::fs::write(&partial.path, b"CANARY plaintext").unwrap();
    let left = partial.path.clone();
    std::mem::forget(partial);
    let record: Vec<_> = std::fs::read_dir(root.join("pending")).unwrap().collect();
    assert_eq!(record.len(), 1, "the partial was recorded before it was written");
    let sealed = std::fs::read(record[0].as_ref().unwrap().path()).unwrap();
    assert!(!sealed.windows(8).any(|w| w == b"memo.txt"), "the record does not show the destination");
    drop(v);
    let v = reopen(&root);
    assert!(!left.exists(), "the plaintext partial is gone");
    assert_eq!(std::fs::read_dir(root.join("pending")).unwrap().count(), 0, "and its record");
    let ev = logged(&v, Action::PartialOutputRemoved);
    assert_eq!(ev.len(), 1, "the removal is logged");
    assert_eq!(ev[0].details["file"].as_str(), Some(left.to_string_lossy().as_ref()));
    drop(dir);
}

#[test]
fn an_output_in_place_but_never_logged_is_removed_on_open() {
    let (dir, v) = new_vault();
    let root = v.root().to_path_buf();
    let dest = dir.path().join("memo.txt");
    // A crash after the rename and before the `extracted` event.
    let partial = v.begin_outside_partial(&dest, crate::store::partials::OutputKind::Extraction).unwrap();
    partial.before_rename(&v, &hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"CANARY plaintext"))).unwrap();
    std::fs::write(&dest, b"CANARY plaintext").unwrap();
    std::mem::forget(partial);
    drop(v);
    let v = reopen(&root);
    assert!(!dest.exists(), "an unlogged output does not stand");
    assert_eq!(logged(&v, Action::PartialOutputRemoved).len(), 1);
    drop(dir);
}

#[test]
fn a_file_someone_else_put_at_the_destination_is_never_removed() {
    let (dir, v) = new_vault();
    let root = v.root().to_path_buf();
    // A crash before the output was complete (no hash recorded), and one
    // after it (hash recorded), each followed by someone else's file at the destination.
    let early = dir.path().join("early.txt");
    let late = dir.path().join("late.txt");
    let a = v.begin_outside_partial(&early, crate::store::partials::OutputKind::Extraction).unwrap();
    let b = v.begin_outside_partial(&late, crate::store::partials::OutputKind::Extraction).unwrap();
    b.before_rename(&v, &hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"what Custos wrote"))).unwrap();
    std::mem::forget(a);
    std::mem::forget(b);
    std::fs::write(&early, b"the user's own file").unwrap();
    std::fs::write(&late, b"the user's own file").unwrap();
    drop(v);
    let v = reopen(&root);
    assert_eq!(std::fs::read(&early).unwrap(), b"the user's own file", "not Custos's output: kept");
    assert_eq!(std::fs::read(&late).unwrap(), b"the user's own file", "not the content Custos wrote: kept");
    assert!(logged(&v, Action::PartialOutputRemoved).is_empty(), "nothing was removed");
    assert_eq!(std::fs::read_dir(root.join("pending")).unwrap().count(), 0, "the records are handled");
    drop(dir);
}

#[test]
fn an_extraction_that_is_logged_stays_and_leaves_no_record() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("memo.txt", b"memo")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let dest = dir.path().join("out.txt");
    v.extract("EX-0001", &dest, &NoProgress).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), b"memo");
    assert_eq!(std::fs::read_dir(v.root().join("pending")).unwrap().count(), 0, "the record is gone once logged");
    let inside = v.root().join("db/out.txt");
    let err = v.extract("EX-0001", &inside, &NoProgress).unwrap_err();
    assert!(err.to_string().contains("inside the vault folder"), "{err}");
    assert!(!inside.exists());
    drop(dir);
}

#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_are_kept_exactly_and_stay_distinct() {
    use std::os::unix::ffi::OsStrExt;
    let (dir, mut v) = new_vault();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let a = src.join(std::ffi::OsStr::from_bytes(b"x\xff.txt"));
    let b = src.join(std::ffi::OsStr::from_bytes(b"x\xfe.txt"));
    std::fs::write(&a, b"first").unwrap();
    std::fs::write(&b, b"second").unwrap();
    let r = v.add(&crate::tests::inputs(std::slice::from_ref(&src)), &IntakeOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.stored(), 2);
    let json = serde_json::to_string(&r).expect("a report with such names serialises");
    assert!(json.contains(r"x\\xFE.txt") && json.contains(r"x\\xFF.txt"), "{json}");
    let names: Vec<String> = v.list().unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, vec![r"x\xFE.txt".to_string(), r"x\xFF.txt".to_string()], "distinct readable names");
    let bytes: Vec<u8> = v
        .db()
        .query_row("SELECT path_bytes FROM exhibit_sources WHERE name = ?1", [r"x\xFF.txt"], |r| r.get(0))
        .unwrap();
    assert!(bytes.ends_with(b"/x\xff.txt"), "the exact bytes are kept");
    drop(dir);
}

#[test]
fn an_export_into_the_vault_folder_is_refused_and_changes_nothing() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("memo.txt", b"memo")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let events = v.custody_log(None).unwrap().len();
    let inside = v.root().join("objects/prod.zip");
    let err = v.export_req(&crate::export::ExportRequest::new(&inside, "ABC"), &NoProgress).unwrap_err();
    assert!(err.to_string().contains("inside the vault folder"), "{err}");
    assert!(!inside.exists());
    assert_eq!(v.custody_log(None).unwrap().len(), events, "nothing was logged");
    drop(dir);
}

#[test]
fn a_damaged_key_file_stanza_reads_as_wrong_passphrase_or_damaged_key_file() {
    let (dir, v) = new_vault();
    let root = v.root().to_path_buf();
    drop(v);
    let key = root.join("keys/passphrase.age");
    let mut bytes = std::fs::read(&key).unwrap();
    // The scrypt stanza's body is the second header line; change one of its characters.
    let body = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
    let at = body + bytes[body..].iter().position(|b| *b == b'\n').unwrap() + 3;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&key, &bytes).unwrap();
    let err = Vault::open(&root, &Unlock::Passphrase(pass()), None, clock()).unwrap_err();
    assert!(err.to_string().contains("wrong passphrase or damaged key file"), "{err}");
    drop(dir);
}

#[test]
fn a_forged_record_removes_nothing() {
    let (dir, v) = new_vault();
    let root = v.root().to_path_buf();
    // Anyone can encrypt to the vault's public age key; only a record signed
    // with the vault key is acted on.
    let victim = dir.path().join(".custos-partial-somebodys-file");
    std::fs::write(&victim, b"not Custos's to remove").unwrap();
    let payload = [b"extraction\0".as_slice(), victim.as_os_str().as_encoded_bytes(), b"\0", dir.path().join("x").as_os_str().as_encoded_bytes()].concat();
    let recipient = v.secrets().age_recipient();
    let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).unwrap();
    let mut sealed = Vec::new();
    let mut w = enc.wrap_output(&mut sealed).unwrap();
    std::io::Write::write_all(&mut w, &payload).unwrap();
    w.finish().unwrap();
    std::fs::create_dir_all(root.join("pending")).unwrap();
    std::fs::write(root.join("pending/forged.age"), sealed).unwrap();
    drop(v);
    let v = reopen(&root);
    assert!(victim.exists(), "a record the vault did not sign is never acted on");
    assert!(logged(&v, Action::PartialOutputRemoved).is_empty());
    drop(dir);
}
