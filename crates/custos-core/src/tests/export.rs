//! Export failure paths: nothing partial at the destination, nothing logged.

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
    v.add(&[src], &IntakeOptions::default(), &NoProgress).unwrap();
    let obj = v.objects.path(&v.show("EX-0002").unwrap().object);
    let mut bytes = std::fs::read(&obj).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&obj, bytes).unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let err = v.export(&ExportRequest::new(out_dir.join("b.zip"), "ABC"), &NoProgress).unwrap_err();
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
    v.add(&[src], &IntakeOptions::default(), &NoProgress).unwrap();
    let out = dir.path().join("b.zip");
    let err = v.export(&ExportRequest::new(&out, "ABC"), &CancelAfter(AtomicU64::new(0), 2 << 20)).unwrap_err();
    assert!(matches!(err, crate::Error::Cancelled));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("partial")).count(), 0);
    assert!(!out.exists());
    assert_eq!(exported_events(&v), 0);
}

#[test]
fn bates_numbers_continue_and_overlaps_are_refused() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c")]);
    v.add(&[src], &IntakeOptions::default(), &NoProgress).unwrap();
    let mut first = ExportRequest::new(dir.path().join("1.zip"), "ABC");
    first.exhibits = vec!["EX-0001".into(), "EX-0002".into()];
    let r = v.export(&first, &NoProgress).unwrap();
    assert_eq!((r.bates_first.as_str(), r.bates_last.as_str()), ("ABC000001", "ABC000002"));
    assert_eq!(v.next_bates("ABC").unwrap(), 3, "the vault remembers the production");

    let mut overlap = ExportRequest::new(dir.path().join("2.zip"), "ABC");
    overlap.exhibits = vec!["EX-0003".into()];
    overlap.bates_start = Some(2);
    let err = v.export(&overlap, &NoProgress).unwrap_err();
    assert!(err.to_string().contains("ABC000002 was already produced for EX-0002"), "{err}");
    assert!(!dir.path().join("2.zip").exists(), "nothing written");

    let mut same = ExportRequest::new(dir.path().join("3.zip"), "ABC");
    same.exhibits = vec!["EX-0002".into()];
    same.bates_start = Some(2);
    assert!(v.export(&same, &NoProgress).is_ok(), "the same exhibit may keep its number");

    let mut next = ExportRequest::new(dir.path().join("4.zip"), "ABC");
    next.exhibits = vec!["EX-0003".into()];
    assert_eq!(v.export(&next, &NoProgress).unwrap().bates_first, "ABC000003", "default continues after the last");
    assert_eq!(exported_events(&v), 4, "one exported event per exhibit per production");
}

#[test]
fn custom_delimiters_and_a_passphrase_bundle_verify() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"line one\nline two"), ("b.csv", b"x,y\n")]);
    v.add(&[src], &IntakeOptions::default(), &NoProgress).unwrap();
    let out = dir.path().join("b.zip.age");
    let mut req = ExportRequest::new(&out, "DLM");
    req.dat_delimiters = crate::export::DatDelimiters { field: '|', quote: '^', newline: '~' };
    req.dat_encoding = crate::export::DatEncoding::Windows1252;
    let pass = age::secrecy::SecretString::from("counsel passphrase".to_string());
    req.passphrase = Some(pass.clone());
    v.export(&req, &NoProgress).unwrap();
    assert!(crate::export::Bundle::open(&out, None, None).is_err(), "a passphrase bundle needs its passphrase");
    let mut b = crate::export::Bundle::open(&out, None, Some(&pass)).unwrap();
    let (report, contents) = crate::export::verify_bundle(&mut b).unwrap();
    assert!(report.ok, "the verifier reads the delimiters named in bag-info.txt: {:?}", report.findings);
    assert_eq!(contents.rows.len(), 2);
    assert_eq!(contents.rows[0]["BEGBATES"], "DLM000001");
}
