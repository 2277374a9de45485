//! Tagging many exhibits as one job: checked before anything is written,
//! one transaction per batch, one custody event per tag actually changed,
//! and a cancel that keeps the batches done.

use super::{inputs, new_vault};
use crate::{Action, Error, IntakeOptions, NoProgress, Progress, Vault};
use std::sync::atomic::{AtomicU64, Ordering};

/// A vault of `n` one-line exhibits.
fn vault_of(n: usize) -> (tempfile::TempDir, Vault, Vec<String>) {
    let (dir, mut v) = new_vault();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..n {
        std::fs::write(src.join(format!("{i:05}.txt")), format!("exhibit {i}\n")).unwrap();
    }
    v.add(&inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let ids = v.list().unwrap().into_iter().map(|e| e.id).collect();
    (dir, v, ids)
}

fn checkpoints(v: &Vault) -> usize {
    v.checkpoints().unwrap().len()
}

#[test]
fn many_exhibits_are_tagged_in_batches_with_one_event_each() {
    let n = crate::ops::edit::TAG_BATCH + 7;
    let (_d, mut v, ids) = vault_of(n);
    v.edit(&ids[0], None, &["hot".into()], &[]).unwrap();
    let (events, cps) = (v.event_count().unwrap(), checkpoints(&v));
    assert_eq!(v.tag_exhibits(&ids, &["hot".into()], &[], &NoProgress).unwrap(), n);
    assert_eq!(checkpoints(&v), cps + 2, "two batches, two transactions");
    assert_eq!(v.event_count().unwrap(), events + n as u64 - 1, "one event per exhibit that did not have the tag");
    assert!(v.list().unwrap().iter().all(|e| e.tags == ["hot"]));
    let last = v.custody_log(Some(&ids[n - 1])).unwrap().pop().unwrap();
    assert_eq!((last.action, last.details["field"].as_str(), last.details["added"].as_str()), (Action::MetadataEdited, Some("tags"), Some("hot")));

    // Removing: an event only where the tag was there.
    let events = v.event_count().unwrap();
    v.tag_exhibits(&ids[..3], &[], &["hot".into(), "never-there".into()], &NoProgress).unwrap();
    assert_eq!(v.event_count().unwrap(), events + 3);
}

#[test]
fn a_bad_tag_or_an_unknown_exhibit_is_refused_with_nothing_written() {
    let (_d, mut v, mut ids) = vault_of(3);
    let (events, cps) = (v.event_count().unwrap(), checkpoints(&v));
    assert!(matches!(v.tag_exhibits(&ids, &["".into()], &[], &NoProgress), Err(Error::InvalidInput(_))));
    ids.push("EX-0999".into());
    match v.tag_exhibits(&ids, &["hot".into()], &[], &NoProgress) {
        Err(Error::NoSuchExhibit(id)) => assert_eq!(id, "EX-0999"),
        other => panic!("an unknown exhibit must be named: {other:?}"),
    }
    assert!(matches!(v.tag_exhibits(&[], &["hot".into()], &[], &NoProgress), Err(Error::InvalidInput(_))));
    assert_eq!((v.event_count().unwrap(), checkpoints(&v)), (events, cps), "nothing was written");
    assert!(v.list().unwrap().iter().all(|e| e.tags.is_empty()));
}

/// Cancels once `after` exhibits are done.
struct CancelAfter(AtomicU64, u64);

impl Progress for CancelAfter {
    fn advance(&self, n: u64) {
        self.0.fetch_add(n, Ordering::SeqCst);
    }
    fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst) >= self.1
    }
}

#[test]
fn a_cancel_stops_before_the_next_batch_and_keeps_the_batches_done() {
    let n = crate::ops::edit::TAG_BATCH + 5;
    let (_d, mut v, ids) = vault_of(n);
    let cancel = CancelAfter(AtomicU64::new(0), 1);
    assert!(matches!(v.tag_exhibits(&ids, &["hot".into()], &[], &cancel), Err(Error::Cancelled)));
    let tagged = v.list().unwrap().iter().filter(|e| e.tags == ["hot"]).count();
    assert_eq!(tagged, crate::ops::edit::TAG_BATCH, "the first batch stays, the second never started");
    assert!(v.verify(crate::VerifyMode::Quick, &NoProgress).unwrap().ok);
}
