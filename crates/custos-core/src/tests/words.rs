//! Custody events in words: each sentence is built from the event's typed
//! details, and an event whose details do not read as its action's says so.

use super::{inputs, new_vault, sources};
use crate::{Action, IntakeOptions, NoProgress, VerifyMode};

#[test]
fn every_event_of_a_worked_matter_reads_as_a_sentence() {
    let (dir, mut v) = new_vault();
    let src = sources(&dir.path().join("laptop"), &[("Q3 pricing.xlsx", b"numbers")]);
    let with = IntakeOptions {
        custodian: Some("Erik Brandt".into()),
        source: Some("Work laptop HD-L-0291".into()),
        method: Some("logical copy".into()),
        verify_after_copy: true,
        ..IntakeOptions::default()
    };
    v.add(&inputs(&[src]), &with, &NoProgress).unwrap();
    v.edit("EX-0001", Some("Pricing model"), &["hot".into()], &[]).unwrap();
    v.edit("EX-0001", None, &[], &["hot".into()]).unwrap();
    let withheld = crate::Designation {
        privilege: Some(crate::PrivilegeBasis::WorkProduct),
        withheld: true,
        log_description: "Pricing analysis prepared for counsel".into(),
        confidentiality: Some("CONFIDENTIAL".into()),
    };
    v.designate("EX-0001", &withheld).unwrap();
    v.designate("EX-0001", &withheld).unwrap();
    v.designate("EX-0001", &crate::Designation::default()).unwrap();
    v.verify(VerifyMode::Quick, &NoProgress).unwrap();
    let log = v.custody_log(None).unwrap();
    let words = |a: Action| log.iter().filter(|e| e.action == a).map(|e| e.in_words()).collect::<Vec<_>>();

    let collected = &words(Action::Collected)[0];
    assert!(collected.starts_with("Collected “Q3 pricing.xlsx” (7 bytes) from Work laptop HD-L-0291 by logical copy; custodian Erik Brandt; file modified "), "{collected}");
    assert!(collected.ends_with(" UTC; copy verified against the source"), "{collected}");
    assert_eq!(
        words(Action::MetadataEdited),
        [
            "Description set to “Pricing model” (was empty)",
            "Tag “hot” added",
            "Tag “hot” removed",
            "Designated: Attorney work product claimed; withheld from productions (privilege log); confidentiality “CONFIDENTIAL”; log description “Pricing analysis prepared for counsel”",
            "Designations cleared",
        ],
        "the same designation again logs nothing"
    );
    assert_eq!(words(Action::Verified), ["Quick verification passed: 1 exhibit and 7 custody events checked"]);
    assert_eq!(words(Action::VaultCreated).len(), 1);
    for e in &log {
        let w = e.in_words();
        assert!(!w.contains("do not read"), "event {} ({:?}) reads: {w}", e.seq, e.action);
    }

    // Details that are not the action's are named, not guessed at.
    let mut odd = log[0].clone();
    odd.action = Action::Exported;
    assert!(odd.in_words().contains("do not read as this action's"), "{}", odd.in_words());
}

#[test]
fn evidence_gathered_before_intake_keeps_its_stated_time() {
    let (dir, mut v) = new_vault();
    let src = sources(&dir.path().join("usb"), &[("memo.docx", b"memo")]);
    let bad = |t: &str| IntakeOptions { collected_at: Some(t.into()), ..IntakeOptions::default() };
    for (stated, why) in [("20.05.2026", "neither a day"), ("2026-01-03", "in the future"), ("2026-05-20T14:00:00", "neither a day")] {
        let err = v.add(&inputs(std::slice::from_ref(&src)), &bad(stated), &NoProgress).unwrap_err();
        assert!(err.to_string().contains(why), "{stated}: {err}");
    }
    assert!(v.list().unwrap().is_empty(), "a refused time takes nothing in");

    let with = IntakeOptions { collected_at: Some("2025-11-20T16:00:00+02:00".into()), ..IntakeOptions::default() };
    v.add(&inputs(&[src]), &with, &NoProgress).unwrap();
    let shown = v.show("EX-0001").unwrap();
    assert_eq!(shown.exhibit.collected_at, "2025-11-20T14:00:00.000000Z", "in UTC, as the vault writes times");
    assert_eq!(shown.sources[0].collected_at, "2025-11-20T14:00:00.000000Z");
    let event = v.custody_log(Some("EX-0001")).unwrap().into_iter().find(|e| e.action == Action::Collected).unwrap();
    assert_ne!(event.time, shown.exhibit.collected_at, "the event is dated at intake");
    assert!(event.in_words().contains("; gathered 2025-11-20 14:00 UTC (before intake)"), "{}", event.in_words());
    assert!(v.verify(VerifyMode::Quick, &NoProgress).unwrap().ok);

    // A day stated is said as the day, not as an invented midnight.
    let more = sources(&dir.path().join("usb2"), &[("plan.docx", b"plan")]);
    v.add(&inputs(&[more]), &IntakeOptions { collected_at: Some("2025-11-21".into()), ..IntakeOptions::default() }, &NoProgress).unwrap();
    let event = v.custody_log(Some("EX-0002")).unwrap().into_iter().find(|e| e.action == Action::Collected).unwrap();
    assert!(event.in_words().contains("; gathered 2025-11-21 (before intake)"), "{}", event.in_words());
}
