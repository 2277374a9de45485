//! Export failure paths: nothing partial at the destination, nothing logged.

use super::ExportFromRequest;
use super::{new_vault, sources};
use crate::export::ExportRequest;
use crate::{Action, IntakeOptions, NoProgress, Progress};
use std::sync::atomic::{AtomicU64, Ordering};

fn exported_events(v: &crate::Vault) -> usize {
    v.custody_log(None).unwrap().iter().filter(|e| e.action == Action::Exported).count()
}

#[test]
fn a_damaged_object_stops_the_export_with_nothing_left_behind() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha"), ("b.txt", b"bravo")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let obj = v.objects().path(&v.show("EX-0002").unwrap().object);
    let mut bytes = std::fs::read(&obj).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&obj, bytes).unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let err = v.export_req(&ExportRequest::new(out_dir.join("b.zip"), "ABC"), &NoProgress).unwrap_err();
    assert!(matches!(err, crate::Error::ObjectAuthentication { .. }), "the export must stop on the damaged native: {err}");
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 0, "no bundle and no temp file at the destination");
    assert_eq!(exported_events(&v), 0, "a failed export is not logged as an export");
    assert_eq!(v.next_bates("ABC").unwrap(), 1, "and uses no Bates numbers");
}

struct CancelAfter(AtomicU64, u64);
impl Progress for CancelAfter {
    fn advance(&self, n: u64) {
        self.0.fetch_add(n, Ordering::SeqCst);
    }
    fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst) > self.1
    }
}

#[test]
fn a_cancelled_export_leaves_nothing() {
    let (dir, mut v) = new_vault();
    let big: Vec<u8> = (0..6u32 << 20).map(|i| (i >> 5) as u8).collect();
    let src = sources(dir.path(), &[("a.bin", &big), ("b.bin", &big[1..])]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let out = dir.path().join("b.zip");
    let err = v.export_req(&ExportRequest::new(&out, "ABC"), &CancelAfter(AtomicU64::new(0), 2 << 20)).unwrap_err();
    assert!(matches!(err, crate::Error::Cancelled));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("partial")).count(), 0);
    assert!(!out.exists());
    assert_eq!(exported_events(&v), 0);
}

#[test]
fn bates_numbers_continue_and_overlaps_are_refused() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let mut first = ExportRequest::new(dir.path().join("1.zip"), "ABC");
    first.exhibits = vec!["EX-0001".into(), "EX-0002".into()];
    let r = v.export_req(&first, &NoProgress).unwrap();
    assert_eq!((r.bates_first.as_str(), r.bates_last.as_str()), ("ABC000001", "ABC000002"));
    assert_eq!(v.next_bates("ABC").unwrap(), 3, "the vault remembers the production");

    let mut overlap = ExportRequest::new(dir.path().join("2.zip"), "ABC");
    overlap.exhibits = vec!["EX-0003".into()];
    overlap.bates_start = Some(2);
    let err = v.export_req(&overlap, &NoProgress).unwrap_err();
    assert!(err.to_string().contains("ABC000002 was already produced for EX-0002"), "{err}");
    assert!(!dir.path().join("2.zip").exists(), "nothing written");

    let mut same = ExportRequest::new(dir.path().join("3.zip"), "ABC");
    same.exhibits = vec!["EX-0002".into()];
    same.bates_start = Some(2);
    assert!(v.export_req(&same, &NoProgress).is_ok(), "the same exhibit may keep its number");

    let mut next = ExportRequest::new(dir.path().join("4.zip"), "ABC");
    next.exhibits = vec!["EX-0003".into()];
    assert_eq!(v.export_req(&next, &NoProgress).unwrap().bates_first, "ABC000003", "default continues after the last");
    assert_eq!(exported_events(&v), 4, "one exported event per exhibit per production");
}

#[test]
fn custom_delimiters_and_a_passphrase_bundle_verify() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"line one\nline two"), ("b.csv", b"x,y\n")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let out = dir.path().join("b.zip.age");
    let mut req = ExportRequest::new(&out, "DLM");
    req.dat_delimiters = crate::bundle::DatDelimiters::new('|', '^', '~').unwrap();
    req.dat_encoding = crate::bundle::DatEncoding::Windows1252;
    let pass = age::secrecy::SecretString::from("counsel passphrase".to_string());
    req.passphrase = Some(pass.clone());
    v.export_req(&req, &NoProgress).unwrap();
    assert!(crate::bundle::Bundle::open(&out, None, None).is_err(), "a passphrase bundle needs its passphrase");
    let mut b = crate::bundle::Bundle::open(&out, None, Some(&pass)).unwrap();
    let (report, contents) = crate::bundle::verify_bundle(&mut b, None).unwrap();
    assert!(report.ok, "the verifier reads the delimiters named in bag-info.txt: {:?}", report.findings);
    assert_eq!(contents.rows.len(), 2);
    assert_eq!(contents.rows[0]["BEGBATES"], "DLM000001");
}

#[test]
fn the_plan_matches_the_export_and_writes_nothing() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha"), ("b.pdf", b"%PDF-1.4\n"), ("c\u{2603}.txt", b"snow")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions { custodian: Some("Jordan \u{0141}ee".into()), ..Default::default() }, &NoProgress).unwrap();
    let log = v.custody_log(None).unwrap().len();
    let mut req = ExportRequest::new(dir.path().join("never.zip"), "ABC");
    req.exhibits = vec!["EX-0001".into(), "EX-0003".into()];
    let plan = v.plan_req(&req).unwrap();
    assert_eq!((plan.bates_first.as_str(), plan.bates_last.as_str(), plan.next_free), ("ABC000001", "ABC000002", 1));
    assert_eq!(plan.exhibits.iter().map(|e| (e.exhibit_id.as_str(), e.bates.as_str())).collect::<Vec<_>>(), [("EX-0001", "ABC000001"), ("EX-0003", "ABC000002")]);
    assert_eq!(plan.exhibits[1].native_path, "data/VOL001/NATIVES/0001/ABC000002.txt");
    assert_eq!(plan.total_bytes, 9);
    assert!(plan.qc.iter().any(|q| q.contains("no gaps, no duplicates")), "{:?}", plan.qc);
    assert!(plan.qc.iter().any(|q| q.contains("no earlier production under ABC")), "{:?}", plan.qc);
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    assert!(!dir.path().join("never.zip").exists());
    assert_eq!(v.custody_log(None).unwrap().len(), log, "planning is not a custody event");

    // Windows-1252 cannot hold the snowman: the plan says so before writing.
    req.dat_encoding = crate::bundle::DatEncoding::Windows1252;
    let plan = v.plan_req(&req).unwrap();
    assert!(plan.warnings.iter().any(|w| w.contains("no Windows-1252 form")), "{:?}", plan.warnings);

    // After a production, the plan continues after it and lists it.
    req.out = dir.path().join("1.zip");
    req.dat_encoding = crate::bundle::DatEncoding::Utf8;
    let report = v.export_req(&req, &NoProgress).unwrap();
    let mut again = ExportRequest::new(dir.path().join("x.zip"), "ABC");
    again.exhibits = vec!["EX-0002".into()];
    let plan = v.plan_req(&again).unwrap();
    assert_eq!((plan.bates_first.as_str(), plan.next_free), ("ABC000003", 3));
    assert_eq!(plan.earlier.len(), 1);
    assert_eq!(plan.earlier[0].bundle_sha256, report.bundle_sha256);
    assert_eq!((plan.earlier[0].bates_first.as_str(), plan.earlier[0].bates_last.as_str(), plan.earlier[0].exhibits), ("ABC000001", "ABC000002", 2));
    assert!(plan.qc.iter().any(|q| q.contains("no overlap with the 1 earlier production(s) under ABC (the last number produced is ABC000002)")), "{:?}", plan.qc);
    assert_eq!((plan.first_number, plan.last_produced.as_deref(), plan.earlier[0].bates_width), (3, Some("ABC000002"), 6));

    // The export's refusals are the plan's.
    again.bates_start = Some(2);
    let err = v.plan_req(&again).unwrap_err();
    assert!(err.to_string().contains("ABC000002 was already produced for EX-0003"), "{err}");
    again.bates_start = Some(10);
    let plan = v.plan_req(&again).unwrap();
    assert!(plan.warnings.iter().any(|w| w.contains("ABC000003 to ABC000009 stay unused")), "{:?}", plan.warnings);
    again.bates_start = None;
    // A recipient is parsed where it enters the request; a bad one is named.
    assert!("age1nope".parse::<crate::keys::Recipient>().unwrap_err().to_string().contains("age1nope"));
    again.tag = Some("nothing-has-this".into());
    assert!(v.plan_req(&again).unwrap_err().to_string().contains("selection is empty"));

    // Re-producing the same exhibits on the same numbers is allowed and said.
    let mut same = ExportRequest::new(dir.path().join("y.zip"), "ABC");
    same.exhibits = vec!["EX-0001".into()];
    same.bates_start = Some(1);
    let plan = v.plan_req(&same).unwrap();
    assert!(plan.warnings.iter().any(|w| w.contains("1 number(s) of this production were produced before under ABC")), "{:?}", plan.warnings);
    assert!(!plan.warnings.iter().any(|w| w.contains("never used")), "{:?}", plan.warnings);

    // A gap left by a custom start is not a re-use; a different width is said.
    let mut gap = ExportRequest::new(dir.path().join("g.zip"), "GAP");
    gap.exhibits = vec!["EX-0002".into()];
    gap.bates_start = Some(5);
    v.export_req(&gap, &NoProgress).unwrap();
    let mut below = ExportRequest::new(dir.path().join("b.zip"), "GAP");
    below.exhibits = vec!["EX-0001".into(), "EX-0003".into()];
    below.bates_start = Some(2);
    below.bates_width = 8;
    let plan = v.plan_req(&below).unwrap();
    assert!(plan.warnings.iter().any(|w| w.contains("2 number(s) of this production lie below the last one produced under GAP but were never used")), "{:?}", plan.warnings);
    assert!(!plan.warnings.iter().any(|w| w.contains("produced before")), "{:?}", plan.warnings);
    assert!(plan.warnings.iter().any(|w| w.contains("earlier productions under GAP used 6 digit(s); this one uses 8")), "{:?}", plan.warnings);
    assert_eq!(plan.last_produced.as_deref(), Some("GAP000005"), "formatted as produced, not with the new width");

    // A start too large for the digits is refused, also where the sum would overflow.
    below.bates_start = Some(u64::MAX - 1);
    assert!(v.plan_req(&below).unwrap_err().to_string().contains("do not fit in 8 digits"));
    below.bates_start = Some(99_999_999);
    assert!(v.plan_req(&below).unwrap_err().to_string().contains("do not fit in 8 digits"));
}

#[test]
fn importing_the_same_production_twice_adds_nothing() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha"), ("b.txt", b"bravo")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let out = dir.path().join("p.zip");
    v.export_req(&ExportRequest::new(&out, "ABC"), &NoProgress).unwrap();
    let (_d2, mut counsel) = new_vault();
    let first = counsel.import_bundle(&out, None, None, &Default::default(), &NoProgress).unwrap();
    assert!(first.exhibits.iter().all(|(_, o)| matches!(o, crate::FileOutcome::Stored { .. })));
    let log = counsel.custody_log(None).unwrap().len();
    let sources_before = counsel.show("EX-0001").unwrap().sources.len();
    let again = counsel.import_bundle(&out, None, None, &Default::default(), &NoProgress).unwrap();
    assert!(again.exhibits.iter().all(|(_, o)| matches!(o, crate::FileOutcome::Duplicate { .. })), "{:?}", again.exhibits);
    assert_eq!(counsel.custody_log(None).unwrap().len(), log, "no second received event");
    assert_eq!(counsel.show("EX-0001").unwrap().sources.len(), sources_before, "no second source record");
    assert_eq!(counsel.list().unwrap().len(), 2);
}

#[test]
fn a_received_exhibit_keeps_the_stated_collection_time_and_one_method_per_producer() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha"), ("b.txt", b"bravo"), ("c.txt", b"charlie")]);
    let stated = IntakeOptions { collected_at: Some("2025-11-20".into()), ..IntakeOptions::default() };
    v.add(&crate::tests::inputs(&[src]), &stated, &NoProgress).unwrap();
    let out = dir.path().join("p.zip");
    v.export_req(&ExportRequest::new(&out, "ABC"), &NoProgress).unwrap();
    let (_d2, mut counsel) = new_vault();
    counsel.import_bundle(&out, None, None, &Default::default(), &NoProgress).unwrap();
    let shown = counsel.show("EX-0002").unwrap();
    assert_eq!(shown.exhibit.collected_at, "2025-11-20T00:00:00.000000Z", "the producer's stated time, not its intake time");
    assert_eq!(shown.sources[0].collected_at, "2025-11-20T00:00:00.000000Z");
    let methods = counsel.intake_suggestions().unwrap().methods;
    assert_eq!(methods.len(), 1, "one method for the producer, not one per Bates number: {methods:?}");
    assert!(methods[0].starts_with("received in a sealed production from "), "{methods:?}");
}

#[test]
fn checking_a_bundle_reports_progress_and_can_be_cancelled() {
    let (dir, mut v) = new_vault();
    let big: Vec<u8> = (0..3u32 << 20).map(|i| (i >> 7) as u8).collect();
    let src = sources(dir.path(), &[("a.bin", &big), ("b.txt", b"bravo")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let out = dir.path().join("p.zip");
    v.export_req(&ExportRequest::new(&out, "ABC"), &NoProgress).unwrap();

    struct Count(AtomicU64, AtomicU64, u64);
    impl Progress for Count {
        fn begin(&self, _files: u64, bytes: u64) {
            self.1.store(bytes, Ordering::SeqCst);
        }
        fn advance(&self, n: u64) {
            self.0.fetch_add(n, Ordering::SeqCst);
        }
        fn is_cancelled(&self) -> bool {
            self.0.load(Ordering::SeqCst) > self.2
        }
    }
    let all = Count(AtomicU64::new(0), AtomicU64::new(0), u64::MAX);
    let mut b = crate::bundle::Bundle::open(&out, None, None).unwrap();
    let (report, _) = crate::bundle::verify_bundle_with(&mut b, None, &all).unwrap();
    assert!(report.ok);
    let (done, total) = (all.0.load(Ordering::SeqCst), all.1.load(Ordering::SeqCst));
    assert!(total > big.len() as u64 && done == total, "every payload byte is reported: {done} of {total}");

    let mut b = crate::bundle::Bundle::open(&out, None, None).unwrap();
    let err = crate::bundle::verify_bundle_with(&mut b, None, &Count(AtomicU64::new(0), AtomicU64::new(0), 1 << 20)).unwrap_err();
    assert!(matches!(err, crate::Error::Cancelled), "{err}");
}

#[test]
fn an_export_whose_numbering_differs_from_the_reviewed_one_is_refused() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha"), ("b.txt", b"bravo")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let out = dir.path().join("p.zip");
    let mut req = ExportRequest::new(&out, "ABC");
    req.expect_range = Some(("ABC000001".into(), "ABC000001".into()));
    let err = v.export_req(&req, &NoProgress).unwrap_err();
    assert!(err.to_string().contains("ABC000001–ABC000002 instead of ABC000001–ABC000001"), "{err}");
    assert!(!out.exists());
    assert_eq!(exported_events(&v), 0);
    assert_eq!(v.next_bates("ABC").unwrap(), 1);
    req.expect_range = Some(("ABC000001".into(), "ABC000002".into()));
    assert_eq!(v.export_req(&req, &NoProgress).unwrap().bates_last, "ABC000002");
}

#[test]
fn an_export_whose_exhibits_differ_from_the_reviewed_ones_is_refused() {
    // Review "hot": EX-0001 and EX-0002. Then the tag moves from EX-0002 to
    // EX-0003: the same count, the same Bates range, other exhibits.
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha"), ("b.txt", b"bravo"), ("c.txt", b"charlie")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    v.tag_exhibits(&["EX-0001".into(), "EX-0002".into()], &["hot".into()], &[], &NoProgress).unwrap();
    let out = dir.path().join("p.zip");
    let mut req = ExportRequest::new(&out, "ABC");
    req.tag = Some("hot".into());
    let plan = v.plan_export(&req.clone().check().unwrap()).unwrap();
    assert_eq!((plan.exhibit_count, plan.bates_last.as_str()), (2, "ABC000002"));
    assert_eq!(plan.selection_sha256, crate::export::selection_digest(["EX-0001", "EX-0002"]));
    req.expect_range = Some((plan.bates_first.clone(), plan.bates_last.clone()));
    req.expect_selection = Some(plan.selection_sha256.clone());
    v.tag_exhibits(&["EX-0003".into()], &["hot".into()], &[], &NoProgress).unwrap();
    v.tag_exhibits(&["EX-0002".into()], &[], &["hot".into()], &NoProgress).unwrap();
    let err = v.export_req(&req, &NoProgress).unwrap_err();
    assert!(err.to_string().contains("no longer the ones reviewed"), "{err}");
    assert!(!out.exists());
    assert_eq!(exported_events(&v), 0);
    // Reviewed again, it goes through.
    req.expect_selection = Some(v.plan_export(&req.clone().check().unwrap()).unwrap().selection_sha256);
    assert_eq!(v.export_req(&req, &NoProgress).unwrap().exhibits, 2);
}

/// Copies a closed vault folder, file by file.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn the_same_vault_state_exported_twice_gives_byte_identical_bundles() {
    // One vault state (the folder and its copy) opened at the same clock
    // reading: everything a bundle holds, the custody events, checkpoint,
    // its SSH signature, PDFs, DOCX and seal included, must come out the same.
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("memo.txt", b"the shipment left on Tuesday\n"), ("table.csv", b"a,b\r\n1,2\r\n"), ("empty.bin", b"")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    v.close().unwrap();
    let (first, second) = (dir.path().join("vault"), dir.path().join("copy"));
    copy_tree(&first, &second);
    let export = |vault: &std::path::Path, out: &str| {
        let mut v = crate::Vault::open(vault, &crate::Unlock::Passphrase(super::pass()), None, super::clock()).unwrap();
        let mut req = ExportRequest::new(dir.path().join(out), "REP");
        req.source_date_epoch = Some(1_700_000_000);
        v.export_req(&req, &NoProgress).unwrap();
        std::fs::read(dir.path().join(out)).unwrap()
    };
    let (a, b) = (export(&first, "a.zip"), export(&second, "b.zip"));
    if a != b {
        // Name the entries that differ, for whoever has to fix it.
        let entries = |bytes: &[u8]| {
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
            (0..z.len())
                .map(|i| {
                    let mut f = z.by_index(i).unwrap();
                    let mut buf = Vec::new();
                    std::io::Read::read_to_end(&mut f, &mut buf).unwrap();
                    (f.name().to_string(), buf)
                })
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let (ea, eb) = (entries(&a), entries(&b));
        let differing: Vec<&String> = ea.keys().filter(|k| ea.get(*k) != eb.get(*k)).collect();
        panic!("two exports of one vault state must be byte-identical; entries that differ: {differing:?}");
    }
}

#[test]
fn productions_received_before_pinning_have_their_first_key_pinned_by_the_upgrade() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let out = dir.path().join("p.zip");
    v.export_req(&ExportRequest::new(&out, "ABC"), &NoProgress).unwrap();
    let (_d2, mut counsel) = new_vault();
    let first = counsel.import_bundle(&out, None, None, &Default::default(), &NoProgress).unwrap();
    assert_eq!(first.producer_key, crate::export::ProducerKey::PinnedNow, "the first production pins its key");

    // The database as it was before the pinning migration: no pins, only received records.
    counsel
        .db()
        .execute_batch(&format!(
            "DROP TABLE producer_keys; PRAGMA user_version = {};",
            // The schema just before the pinning migration (later ones are idempotent).
            crate::store::db::MIGRATIONS.iter().position(|m| m.contains("CREATE TABLE IF NOT EXISTS producer_keys")).unwrap()
        ))
        .unwrap();
    let root = counsel.root().to_path_buf();
    drop(counsel);
    let mut counsel = crate::Vault::open(&root, &crate::Unlock::Passphrase(super::pass()), None, super::clock()).unwrap();
    let pinned: String = counsel.db().query_row("SELECT fingerprint FROM producer_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(pinned, first.sender_fingerprint, "the upgrade pins the key the production was received under");
    let again = counsel.import_bundle(&out, None, None, &Default::default(), &NoProgress).unwrap();
    assert_eq!(again.producer_key, crate::export::ProducerKey::MatchesPinned, "so the same producer's key is recognised, not pinned anew");
}
