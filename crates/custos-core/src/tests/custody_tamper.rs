//! TRUST.md rows 4 and 5: custody events edited, deleted, swapped,
//! duplicated, inserted; a truncated log; each named by verification.

use super::{new_vault, sources};
use crate::format::custody::{Action, NewEvent};
use crate::{IntakeOptions, NoProgress, Vault, VerifyMode, VerifyReport};
use rusqlite::params;

/// A vault with a few exhibits and a dozen events.
fn populated() -> (tempfile::TempDir, Vault) {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha"), ("b.txt", b"bravo"), ("c.txt", b"charlie")]);
    v.add(&crate::tests::inputs(std::slice::from_ref(&src)), &IntakeOptions::default(), &NoProgress).unwrap();
    v.edit("EX-0001", Some("first"), &["hot".into()], &[]).unwrap();
    v.log(vec![NewEvent::new(Action::Viewed).exhibit("EX-0002")]).unwrap();
    (dir, v)
}

/// Lets a test change the log the way an attacker with the database key could.
pub(super) fn drop_guards(v: &Vault) {
    v.db()
        .execute_batch(
            "DROP TRIGGER custody_events_no_update; DROP TRIGGER custody_events_no_delete;
             DROP TRIGGER checkpoints_no_update; DROP TRIGGER checkpoints_no_delete;",
        )
        .unwrap();
}

fn body(v: &Vault, seq: i64) -> Vec<u8> {
    v.db().query_row("SELECT body FROM custody_events WHERE seq = ?1", [seq], |r| r.get(0)).unwrap()
}

fn check(v: &mut Vault) -> VerifyReport {
    v.verify(VerifyMode::Quick, &NoProgress).unwrap()
}

fn first_log_finding(r: &VerifyReport) -> (&str, Option<u64>) {
    let f = r.findings.iter().find(|f| f.kind.as_str().starts_with("custody") || f.kind.as_str().starts_with("checkpoint")).expect("a custody finding");
    (f.kind.as_str(), f.event)
}

#[test]
fn untouched_log_verifies() {
    let (_d, mut v) = populated();
    let r = check(&mut v);
    assert!(r.ok, "a vault nobody tampered with must verify clean: {:?}", r.findings);
    assert_eq!(r.events, 7, "created, three collected, two edits, one view");
}

#[test]
fn append_only_triggers_refuse_update_and_delete() {
    let (_d, v) = populated();
    let upd = v.db().execute("UPDATE custody_events SET body = x'00' WHERE seq = 1", []);
    assert!(upd.is_err(), "the log table must refuse UPDATE");
    let del = v.db().execute("DELETE FROM custody_events WHERE seq = 1", []);
    assert!(del.is_err(), "the log table must refuse DELETE");
    let cp = v.db().execute("DELETE FROM checkpoints", []);
    assert!(cp.is_err(), "checkpoints must refuse DELETE");
}

#[test]
fn edited_event_is_named() {
    let (_d, mut v) = populated();
    drop_guards(&v);
    let b = String::from_utf8(body(&v, 4)).unwrap().replace("Pat Paralegal", "Someone Else");
    v.db().execute("UPDATE custody_events SET body = ?1 WHERE seq = 4", params![b.as_bytes()]).unwrap();
    let r = check(&mut v);
    assert!(!r.ok, "an edited event must fail verification");
    assert_eq!(first_log_finding(&r), ("custody_event_signature", Some(4)), "the edited event must be named first");
    assert!(r.findings.iter().any(|f| f.kind == "checkpoint_root_mismatch"), "the tree no longer matches the signed roots");
}

#[test]
fn deleted_event_is_named() {
    let (_d, mut v) = populated();
    drop_guards(&v);
    v.db().execute("DELETE FROM custody_events WHERE seq = 3", []).unwrap();
    let r = check(&mut v);
    assert!(!r.ok);
    assert_eq!(first_log_finding(&r), ("custody_sequence_gap", Some(3)), "the gap must be named at the deleted event");
}

#[test]
fn swapped_events_are_named() {
    let (_d, mut v) = populated();
    drop_guards(&v);
    let (b3, b4) = (body(&v, 3), body(&v, 4));
    let sig = |s: i64| -> Vec<u8> { v.db().query_row("SELECT signature FROM custody_events WHERE seq = ?1", [s], |r| r.get(0)).unwrap() };
    let (s3, s4) = (sig(3), sig(4));
    v.db().execute("UPDATE custody_events SET body = ?1, signature = ?2 WHERE seq = 3", params![b4, s4]).unwrap();
    v.db().execute("UPDATE custody_events SET body = ?1, signature = ?2 WHERE seq = 4", params![b3, s3]).unwrap();
    let r = check(&mut v);
    assert!(!r.ok);
    assert_eq!(first_log_finding(&r), ("custody_event_misplaced", Some(3)), "the first swapped position must be named");
}

#[test]
fn duplicated_event_is_named() {
    let (_d, mut v) = populated();
    drop_guards(&v);
    let n: i64 = v.db().query_row("SELECT max(seq) FROM custody_events", [], |r| r.get(0)).unwrap();
    // Copy event 3 (validly signed) to the end of the log.
    v.db()
        .execute("INSERT INTO custody_events (seq, body, signature) SELECT ?1, body, signature FROM custody_events WHERE seq = 3", [n + 1])
        .unwrap();
    let r = check(&mut v);
    assert!(!r.ok);
    assert_eq!(first_log_finding(&r).1, Some(n as u64 + 1), "the duplicate must be named: {:?}", r.findings);
}

#[test]
fn inserted_forged_event_is_named() {
    let (_d, mut v) = populated();
    drop_guards(&v);
    // Shift events 5.. up by one and forge an event 5 without the key.
    let n: i64 = v.db().query_row("SELECT max(seq) FROM custody_events", [], |r| r.get(0)).unwrap();
    for s in (5..=n).rev() {
        v.db().execute("UPDATE custody_events SET seq = seq + 1 WHERE seq = ?1", [s]).unwrap();
    }
    let mut forged: crate::CustodyEvent = serde_json::from_slice(&body(&v, 4)).unwrap();
    forged.seq = 5;
    forged.action = Action::Extracted;
    v.db()
        .execute("INSERT INTO custody_events (seq, body, signature) VALUES (5, ?1, ?2)", params![serde_json::to_vec(&forged).unwrap(), vec![0u8; 64]])
        .unwrap();
    let r = check(&mut v);
    assert!(!r.ok);
    assert_eq!(first_log_finding(&r), ("custody_event_signature", Some(5)), "the forged event must be named: {:?}", r.findings);
}

#[test]
fn truncated_log_is_caught_by_its_own_checkpoints() {
    let (_d, mut v) = populated();
    drop_guards(&v);
    let n: i64 = v.db().query_row("SELECT max(seq) FROM custody_events", [], |r| r.get(0)).unwrap();
    v.db().execute("DELETE FROM custody_events WHERE seq >= ?1", [n - 1]).unwrap();
    let r = check(&mut v);
    assert!(!r.ok);
    let f = r.findings.iter().find(|f| f.kind == "custody_log_truncated").expect("truncation must be reported");
    assert_eq!(f.event, Some(n as u64 - 1), "the first removed event must be named");
}

#[test]
fn truncated_and_resigned_log_is_caught_against_an_earlier_checkpoint() {
    // Row 5: whoever holds the key can truncate the log, delete the later
    // checkpoints and append new, validly signed events. Only a checkpoint
    // kept elsewhere catches it.
    let (_d, mut v) = populated();
    let kept = v.latest_checkpoint().unwrap().unwrap();
    drop_guards(&v);
    let n = kept.tree_size as i64;
    v.db().execute("DELETE FROM custody_events WHERE seq >= ?1", [n - 2]).unwrap();
    v.db().execute("DELETE FROM checkpoints WHERE tree_size >= ?1", [n - 2]).unwrap();
    v.reload_frontier();
    v.log(vec![NewEvent::new(Action::Viewed).exhibit("EX-0003"), NewEvent::new(Action::Viewed).exhibit("EX-0003")]).unwrap();
    v.log(vec![NewEvent::new(Action::Viewed).exhibit("EX-0001")]).unwrap();
    let own = check(&mut v);
    assert!(own.ok, "a rewritten, re-signed log is self-consistent; the vault alone cannot tell: {:?}", own.findings);
    let against = v.check_checkpoint(&kept).unwrap();
    assert!(!against.is_empty(), "the earlier checkpoint must expose the rewrite");
    assert_eq!(against[0].kind, "checkpoint_not_in_log");
}

#[test]
fn a_kept_checkpoint_of_an_intact_log_checks_out() {
    let (_d, mut v) = populated();
    let kept = v.latest_checkpoint().unwrap().unwrap();
    v.log(vec![NewEvent::new(Action::Viewed).exhibit("EX-0003")]).unwrap();
    assert!(v.check_checkpoint(&kept).unwrap().is_empty(), "the log grew but kept its history");
    let mut forged = kept.clone();
    forged.signature = "00".repeat(64);
    assert_eq!(v.check_checkpoint(&forged).unwrap()[0].kind, "checkpoint_signature");
}

#[test]
fn an_event_body_that_is_not_json_is_reported_and_verification_goes_on() {
    // Verification reads the log once; the checks that look at what events
    // say skip an unreadable one, which the log check names.
    let (_d, mut v) = populated();
    drop_guards(&v);
    v.db().execute("UPDATE custody_events SET body = x'00ff' WHERE seq = 3", []).unwrap();
    std::fs::create_dir_all(v.root().join("quarantine")).unwrap();
    let r = check(&mut v);
    assert!(!r.ok);
    assert_eq!(first_log_finding(&r), ("custody_event_unreadable", Some(3)));
}
