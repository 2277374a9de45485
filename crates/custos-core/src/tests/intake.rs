//! Intake behaviour: de-duplication, sources that change or vanish, cancellation,
//! MIME sniffing, verify-after-copy and the injected clock.

use super::{new_vault, sources};
use crate::{Action, FileOutcome, IntakeOptions, NoProgress, Progress, VerifyMode};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

fn partials(v: &crate::Vault) -> usize {
    std::fs::read_dir(v.root().join("objects"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".partial-"))
        .count()
}

#[test]
fn same_content_is_stored_once_and_each_source_recorded() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("one.txt", b"same bytes"), ("two.txt", b"same bytes"), ("other.txt", b"other")]);
    let r = v.add(&crate::tests::inputs(std::slice::from_ref(&src)), &IntakeOptions::default(), &NoProgress).unwrap();
    assert_eq!((r.stored(), r.duplicates()), (2, 1), "two contents, one repeated within the batch");
    let again = v.add(&crate::tests::inputs(&[src.join("one.txt")]), &IntakeOptions { custodian: Some("B".into()), ..Default::default() }, &NoProgress).unwrap();
    assert_eq!(again.duplicates(), 1, "a later intake of the same content is a duplicate");
    let list = v.list().unwrap();
    assert_eq!(list.len(), 2);
    let dup_id = list.iter().find(|e| e.name == "one.txt").unwrap().id.clone();
    let detail = v.show(&dup_id).unwrap();
    assert_eq!(detail.sources.len(), 3, "every source of the content is recorded");
    assert_eq!(detail.sources[2].custodian.as_deref(), Some("B"));
    let objects = v.objects().scan().unwrap().0.len();
    assert_eq!(objects, 2, "one object per distinct content");
    let dups = v.custody_log(Some(&dup_id)).unwrap().iter().filter(|e| e.action == Action::DuplicateSourceRecorded).count();
    assert_eq!(dups, 2, "each duplicate source is logged");
}

/// Appends to the file being read as soon as reading has started.
struct Grower(PathBuf, AtomicBool);
impl Progress for Grower {
    fn advance(&self, _: u64) {
        if !self.1.swap(true, Ordering::SeqCst) {
            use std::io::Write;
            std::fs::OpenOptions::new().append(true).open(&self.0).unwrap().write_all(b"more").unwrap();
        }
    }
}

#[test]
fn a_source_that_changes_while_read_is_rejected_and_the_rest_proceed() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a-growing.log", b"first line\n"), ("b-steady.txt", b"steady")]);
    let r = v.add(&crate::tests::inputs(std::slice::from_ref(&src)), &IntakeOptions::default(), &Grower(src.join("a-growing.log"), AtomicBool::new(false))).unwrap();
    let (path, outcome) = &r.files[0];
    assert!(path.ends_with("a-growing.log"));
    match outcome {
        FileOutcome::Failed { reason } => assert!(reason.contains("changed while it was being read"), "clear reason: {reason}"),
        o => panic!("a changing source must be rejected, got {o:?}"),
    }
    assert_eq!(r.stored(), 1, "the other file is still taken in");
    assert_eq!(v.list().unwrap().len(), 1);
    assert_eq!(partials(&v), 0, "the rejected file leaves no partial object");
    assert!(v.verify(VerifyMode::Full, &NoProgress).unwrap().ok);
}

/// Deletes one file just before intake reaches it.
struct Vanisher(PathBuf);
impl Progress for Vanisher {
    fn file_started(&self, path: &Path, _: u64) {
        if path == self.0 {
            std::fs::remove_file(path).unwrap();
        }
    }
}

#[test]
fn a_file_that_vanishes_mid_batch_is_reported_and_the_rest_proceed() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("1.txt", b"one"), ("2.txt", b"two"), ("3.txt", b"three")]);
    let r = v.add(&crate::tests::inputs(std::slice::from_ref(&src)), &IntakeOptions::default(), &Vanisher(src.join("2.txt"))).unwrap();
    assert_eq!(r.stored(), 2);
    assert_eq!(r.failed(), 1);
    let FileOutcome::Failed { reason } = &r.files.iter().find(|(p, _)| p.ends_with("2.txt")).unwrap().1 else {
        panic!("the vanished file must be reported as failed")
    };
    assert!(reason.contains("2.txt"), "the reason names the file: {reason}");
}

#[test]
fn a_missing_input_path_is_refused_before_anything_changes() {
    let (dir, v) = new_vault();
    let before = v.custody_log(None).unwrap().len();
    // The inputs are collected before the vault is asked to take anything in.
    let err = crate::IntakeInputs::collect(&[dir.path().join("nope")]).unwrap_err();
    assert!(err.to_string().contains("does not exist"), "clear error: {err}");
    assert_eq!(v.custody_log(None).unwrap().len(), before, "nothing logged");
}

/// Cancels once more than `limit` bytes have been processed.
struct CancelAfter {
    seen: AtomicU64,
    limit: u64,
    done: Mutex<Vec<FileOutcome>>,
}
impl Progress for CancelAfter {
    fn advance(&self, n: u64) {
        self.seen.fetch_add(n, Ordering::SeqCst);
    }
    fn file_done(&self, _: &Path, o: &FileOutcome) {
        self.done.lock().unwrap().push(o.clone());
    }
    fn is_cancelled(&self) -> bool {
        self.seen.load(Ordering::SeqCst) > self.limit
    }
}

#[test]
fn cancelling_leaves_no_partial_exhibit() {
    let (dir, mut v) = new_vault();
    let big: Vec<u8> = (0..12u32 << 20).map(|i| (i >> 7) as u8).collect();
    let src = sources(dir.path(), &[("a.txt", b"small a"), ("b.txt", b"small b"), ("c-big.bin", &big), ("d.txt", b"after")]);
    let p = CancelAfter { seen: AtomicU64::new(0), limit: 3 << 20, done: Mutex::new(Vec::new()) };
    let r = v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &p).unwrap();
    assert!(r.cancelled, "the report says the intake was cancelled");
    assert_eq!(r.stored(), 2, "files finished before the cancel are kept");
    assert_eq!(p.done.lock().unwrap().len(), 2, "only those were acknowledged");
    let names: Vec<String> = v.list().unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["a.txt", "b.txt"], "the file being read when cancelled is not an exhibit");
    assert_eq!(partials(&v), 0, "its partial object was removed");
    assert_eq!(v.objects().scan().unwrap().0.len(), 2, "no stray object");
    assert!(v.verify(VerifyMode::Full, &NoProgress).unwrap().ok);
}

#[test]
fn large_files_go_through_the_threaded_pipeline_with_correct_hashes() {
    use md5::Md5;
    use sha2::{Digest, Sha256};
    let (dir, mut v) = new_vault();
    let big: Vec<u8> = (0..(9u32 << 20) + 12345).map(|i| (i.wrapping_mul(2654435761) >> 11) as u8).collect();
    let src = sources(dir.path(), &[("big.bin", &big)]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions { sha1: true, ..Default::default() }, &NoProgress).unwrap();
    let e = &v.list().unwrap()[0];
    assert_eq!(e.size, big.len() as u64);
    assert_eq!(e.sha256, hex::encode(Sha256::digest(&big)), "SHA-256 of the content");
    assert_eq!(e.md5, hex::encode(Md5::digest(&big)), "MD5 of the content");
    assert_eq!(e.sha1.as_deref(), Some(hex::encode(sha1::Sha1::digest(&big)).as_str()), "SHA-1 on request");
    assert!(v.verify(VerifyMode::Full, &NoProgress).unwrap().ok);
}

#[test]
fn mime_is_sniffed_from_content() {
    let (dir, mut v) = new_vault();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let src = sources(dir.path(), &[("photo.dat", png), ("notes.bin", b"plain words\n"), ("log.csv", b"a,b\n1,2\n"), ("empty", b"")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let mime = |n: &str| v.list().unwrap().into_iter().find(|e| e.name == n).unwrap().mime;
    assert_eq!(mime("photo.dat"), "image/png", "content wins over a misleading extension");
    assert_eq!(mime("notes.bin"), "text/plain");
    assert_eq!(mime("log.csv"), "text/csv");
    assert_eq!(mime("empty"), "application/x-empty");
}

#[test]
fn collection_record_uses_the_injected_clock_and_verified_hash() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha")]);
    let opts = IntakeOptions {
        custodian: Some("J. Doe".into()),
        source: Some("Work laptop".into()),
        method: Some("Logical copy".into()),
        purpose: Some("Litigation hold".into()),
        ..Default::default()
    };
    v.add(&crate::tests::inputs(&[src]), &opts, &NoProgress).unwrap();
    let ev = v.custody_log(Some("EX-0001")).unwrap().pop().unwrap();
    assert_eq!(ev.action, Action::Collected);
    assert!(ev.time.starts_with("2026-01-02T03:04:"), "time comes from the injected clock: {}", ev.time);
    assert_eq!(ev.hash_before, ev.hash_after, "hash of the source and of the stored copy, read back");
    assert_eq!(ev.hashes_match, Some(true));
    assert_eq!(ev.method.as_deref(), Some("Logical copy"));
    assert_eq!(ev.purpose.as_deref(), Some("Litigation hold"));
    assert_eq!(ev.actor, "Pat Paralegal");
    let s = &v.show("EX-0001").unwrap().sources[0];
    assert_eq!((s.custodian.as_deref(), s.source.as_deref()), (Some("J. Doe"), Some("Work laptop")));
    assert!(s.modified.is_some(), "the OS modification time is recorded");
}

#[test]
fn an_older_schema_is_migrated_on_open_and_keeps_its_data() {
    // A vault whose database is at schema 1 (before productions, received
    // records and the counsel address book).
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    v.db()
        .execute_batch(
            "ALTER TABLE exhibit_sources DROP COLUMN path_bytes; DROP TABLE counsel_keys; DROP TABLE received_records; DROP TABLE production_items; DROP TABLE productions; PRAGMA user_version = 1;",
        )
        .unwrap();
    let root = v.root().to_path_buf();
    drop(v);
    let v = crate::Vault::open(&root, &crate::Unlock::Passphrase(super::pass()), None, super::clock()).unwrap();
    let version: i64 = v.db().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, crate::store::db::SCHEMA_VERSION, "all pending migrations ran");
    assert_eq!(v.next_bates("ABC").unwrap(), 1, "the productions table exists again");
    assert!(v.counsel_keys().unwrap().is_empty(), "the address book exists again");
    assert_eq!(v.list().unwrap().len(), 1, "exhibits survive the upgrade");
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let (_dir, v) = new_vault();
    v.db().execute_batch("PRAGMA user_version = 99;").unwrap();
    let root = v.root().to_path_buf();
    drop(v);
    let db = std::fs::read(root.join("db/custos.db")).unwrap();
    let err = crate::Vault::open(&root, &crate::Unlock::Passphrase(super::pass()), None, super::clock()).unwrap_err();
    assert!(matches!(err, crate::Error::SchemaTooNew { found: 99, .. }), "{err}");
    assert_eq!(std::fs::read(root.join("db/custos.db")).unwrap(), db, "the database is not touched");
}

/// The inputs are collected once, before the vault is unlocked: a missing
/// path among existing ones refuses them all, and a file that goes away
/// between collecting and taking in is reported while the rest go in.
#[test]
fn inputs_are_collected_once_before_intake() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha"), ("b.txt", b"bravo")]);
    let err = crate::IntakeInputs::collect(&[src.clone(), dir.path().join("missing")]).unwrap_err();
    assert!(err.to_string().contains("does not exist or cannot be read; nothing was taken in"), "{err}");
    let inputs = crate::IntakeInputs::collect(std::slice::from_ref(&src)).unwrap();
    assert_eq!((inputs.len(), inputs.bytes()), (2, 10));
    std::fs::remove_file(src.join("b.txt")).unwrap();
    let r = v.add(&inputs, &IntakeOptions::default(), &NoProgress).unwrap();
    assert_eq!((r.stored(), r.failed()), (1, 1), "{:?}", r.files);
    assert_eq!(partials(&v), 0, "no partial object is left");
}
