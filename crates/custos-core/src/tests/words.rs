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
    v.verify(VerifyMode::Quick, &NoProgress).unwrap();
    let log = v.custody_log(None).unwrap();
    let words = |a: Action| log.iter().filter(|e| e.action == a).map(|e| e.in_words()).collect::<Vec<_>>();

    let collected = &words(Action::Collected)[0];
    assert!(collected.starts_with("Collected “Q3 pricing.xlsx” (7 bytes) from Work laptop HD-L-0291 by logical copy; custodian Erik Brandt; file modified "), "{collected}");
    assert!(collected.ends_with(" UTC; copy verified against the source"), "{collected}");
    assert_eq!(words(Action::MetadataEdited), ["Description set to “Pricing model” (was empty)", "Tag “hot” added", "Tag “hot” removed"]);
    assert_eq!(words(Action::Verified), ["Quick verification passed: 1 exhibit and 5 custody events checked"]);
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
