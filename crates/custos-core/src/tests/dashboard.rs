//! The dashboard's figures, from the store's queries: they must agree with
//! the full exhibit list and the full custody log.

use crate::{Action, IntakeOptions, NoProgress, VerifyMode};

#[test]
fn dashboard_figures_agree_with_the_list_and_the_log() {
    let (dir, mut v) = super::new_vault();
    let empty = v.dashboard().unwrap();
    assert_eq!((empty.exhibits, empty.total_bytes, empty.custodians.len()), (0, 0, 0));
    assert!(empty.last_verification.is_none());

    let a = super::sources(&dir.path().join("a"), &[("1.txt", b"one"), ("2.txt", b"two!")]);
    let b = super::sources(&dir.path().join("b"), &[("3.txt", b"three")]);
    let c = super::sources(&dir.path().join("c"), &[("4.txt", b"four")]);
    let opts = |custodian: Option<&str>| IntakeOptions { custodian: custodian.map(str::to_string), ..IntakeOptions::default() };
    v.add(&super::inputs(&[a]), &opts(Some("Zoe")), &NoProgress).unwrap();
    v.add(&super::inputs(&[b]), &opts(Some("Adam")), &NoProgress).unwrap();
    v.add(&super::inputs(&[c]), &opts(None), &NoProgress).unwrap();
    v.verify(VerifyMode::Quick, &NoProgress).unwrap();

    let d = v.dashboard().unwrap();
    let list = v.list().unwrap();
    let log = v.custody_log(None).unwrap();
    assert_eq!(d.exhibits as usize, list.len());
    assert_eq!(d.total_bytes, list.iter().map(|e| e.size).sum::<u64>());
    assert_eq!(d.events as usize, log.len());
    let custodians: Vec<(&str, u32)> = d.custodians.iter().map(|c| (c.name.as_str(), c.exhibits)).collect();
    assert_eq!(custodians, vec![("Zoe", 2), ("", 1), ("Adam", 1)], "most exhibits first, then by name");
    let last = d.last_verification.expect("the verification is found");
    assert_eq!((last.mode, last.ok, last.errors, last.warnings), (VerifyMode::Quick, true, 0, 0));
    let newest: Vec<u64> = log.iter().rev().take(crate::ops::dashboard::RECENT_EVENTS).map(|e| e.seq).collect();
    assert_eq!(d.recent_events.iter().map(|e| e.seq).collect::<Vec<_>>(), newest, "the newest events, newest first");
    assert_eq!(d.recent_events[0].action, Action::Verified);

    // The newest verification, not the first: a full one, after an object went missing.
    let gone = v.show("EX-0001").unwrap().object;
    let path = v.objects().path(&gone);
    std::fs::remove_file(path).unwrap();
    let second = v.verify(VerifyMode::Full, &NoProgress).unwrap();
    let last = v.dashboard().unwrap().last_verification.unwrap();
    assert_eq!((last.mode, last.ok), (VerifyMode::Full, false));
    assert_eq!(last.errors as usize, second.findings.iter().filter(|f| f.severity == crate::Severity::Error).count());
}

/// Verification names each exhibit as it checks it and counts those done,
/// whether or not its stored copy could be read.
#[test]
fn verification_reports_exhibits_by_number_and_counts_them() {
    use std::sync::Mutex;
    #[derive(Default)]
    struct Seen {
        started: Mutex<Vec<String>>,
        done: Mutex<u64>,
    }
    impl crate::Progress for Seen {
        fn file_started(&self, path: &std::path::Path, _size: u64) {
            self.started.lock().unwrap().push(path.to_string_lossy().into_owned());
        }
        fn item_done(&self) {
            *self.done.lock().unwrap() += 1;
        }
    }
    let (dir, mut v) = super::new_vault();
    let src = super::sources(dir.path(), &[("a.txt", b"alpha"), ("b.txt", b"beta"), ("c.txt", b"gamma")]);
    v.add(&super::inputs(&[src]), &crate::IntakeOptions::default(), &crate::NoProgress).unwrap();
    // One stored copy gone: still named and counted.
    let object = v.show("EX-0002").unwrap().object;
    std::fs::remove_file(v.objects().path(&object)).unwrap();
    for mode in [crate::VerifyMode::Quick, crate::VerifyMode::Full] {
        let seen = Seen::default();
        v.verify(mode, &seen).unwrap();
        assert_eq!(*seen.started.lock().unwrap(), ["EX-0001", "EX-0002", "EX-0003"], "{mode:?}");
        assert_eq!(*seen.done.lock().unwrap(), 3, "{mode:?}");
    }
}
