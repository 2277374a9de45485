//! The custody log's index (by exhibit, action and time): one exhibit's
//! history and the newest events of an action are read through it; it is
//! built from the signed events for a vault made before it; and an index
//! that disagrees with the signed log is a verification error.

use super::{inputs, new_vault, sources};
use crate::{Action, FindingKind, IntakeOptions, NoProgress, Vault, VerifyMode};

fn populated() -> (tempfile::TempDir, Vault) {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha"), ("b.txt", b"bravo"), ("c.txt", b"charlie")]);
    v.add(&inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    v.edit("EX-0002", Some("the contract"), &["hot".into()], &[]).unwrap();
    v.view("EX-0002", 1 << 20).unwrap();
    v.verify(VerifyMode::Quick, &NoProgress).unwrap();
    (dir, v)
}

fn history_from_the_whole_log(v: &Vault, id: &str) -> Vec<u64> {
    v.custody_log(None).unwrap().iter().filter(|e| e.exhibit.as_deref() == Some(id)).map(|e| e.seq).collect()
}

#[test]
fn one_exhibits_history_through_the_index_is_its_events_in_the_log() {
    let (_d, v) = populated();
    for id in ["EX-0001", "EX-0002", "EX-0003"] {
        let indexed: Vec<u64> = v.custody_log(Some(id)).unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(indexed, history_from_the_whole_log(&v, id), "{id}");
    }
    assert_eq!(v.custody_log(Some("EX-0002")).unwrap().len(), 4, "collected, two edits, viewed");
    assert!(matches!(v.custody_log(Some("EX-0099")), Err(crate::Error::NoSuchExhibit(_))));
    let newest = v.newest_event_of(Action::Verified).unwrap().expect("the verification");
    assert_eq!(newest.seq, v.custody_log(None).unwrap().iter().rev().find(|e| e.action == Action::Verified).unwrap().seq);
    assert!(v.newest_event_of(Action::Exported).unwrap().is_none());
}

#[test]
fn a_vault_made_before_the_index_gets_it_built_from_the_signed_events() {
    let (_d, v) = populated();
    let before: Vec<u64> = history_from_the_whole_log(&v, "EX-0002");
    // The database as it was before: no index, schema one step back.
    let index_migration = crate::store::db::MIGRATIONS.iter().position(|m| m.contains("CREATE TABLE IF NOT EXISTS custody_index")).unwrap();
    v.db().execute_batch(&format!("DROP TABLE custody_index; PRAGMA user_version = {index_migration};")).unwrap();
    let root = v.root().to_path_buf();
    drop(v);
    let mut v = Vault::open(&root, &crate::Unlock::Passphrase(super::pass()), None, super::clock()).unwrap();
    let indexed: Vec<u64> = v.custody_log(Some("EX-0002")).unwrap().iter().map(|e| e.seq).collect();
    assert_eq!(indexed, before, "the history is the same, read through the rebuilt index");
    let r = v.verify(VerifyMode::Quick, &NoProgress).unwrap();
    assert!(r.ok, "the rebuilt index agrees with the signed log: {:?}", r.findings);
}

#[test]
fn an_index_that_disagrees_with_the_signed_log_is_an_error_naming_the_event() {
    let kinds = |v: &mut Vault| -> Vec<(FindingKind, Option<u64>)> {
        let r = v.verify(VerifyMode::Quick, &NoProgress).unwrap();
        r.findings.iter().filter(|f| f.kind == FindingKind::EventIndexMismatch).map(|f| (f.kind, f.event)).collect()
    };
    // An event moved to another exhibit's history.
    let (_d, mut v) = populated();
    let seq: i64 = v.db().query_row("SELECT seq FROM custody_index WHERE action = 'viewed'", [], |r| r.get(0)).unwrap();
    v.db().execute("UPDATE custody_index SET exhibit = 'EX-0001' WHERE seq = ?1", [seq]).unwrap();
    assert_eq!(kinds(&mut v), vec![(FindingKind::EventIndexMismatch, Some(seq as u64))]);
    assert!(!v.verify(VerifyMode::Quick, &NoProgress).unwrap().ok);

    // The examiner, the action or the time of an event changed in the index.
    for (column, value) in [("actor", "Mallory"), ("action", "extracted"), ("time", "2020-01-01T00:00:00Z")] {
        let (_d, mut v) = populated();
        v.db().execute(&format!("UPDATE custody_index SET {column} = ?1 WHERE seq = 2"), [value]).unwrap();
        assert_eq!(kinds(&mut v), vec![(FindingKind::EventIndexMismatch, Some(2))], "{column}");
    }

    // An event hidden from the index.
    let (_d, mut v) = populated();
    v.db().execute("DELETE FROM custody_index WHERE seq = 3", []).unwrap();
    assert_eq!(kinds(&mut v), vec![(FindingKind::EventIndexMismatch, Some(3))]);

    // An event the log does not hold.
    let (_d, mut v) = populated();
    v.db().execute("INSERT INTO custody_index (seq, action, exhibit, actor, time) VALUES (9999, 'viewed', 'EX-0001', 'Pat', 'x')", []).unwrap();
    assert_eq!(kinds(&mut v), vec![(FindingKind::EventIndexMismatch, Some(9999))]);
}
