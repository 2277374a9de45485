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
