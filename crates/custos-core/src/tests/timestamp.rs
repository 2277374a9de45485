//! TRUST.md row 23: a checkpoint timestamped by an RFC 3161 authority, then
//! history rewritten by someone holding the key: `verify` catches it. Also
//! tampered and untrusted tokens, the settings, and automatic stamping.

use super::ExportFromRequest;
use super::local_tsa::LocalTsa;
use super::{new_vault, sources};
use crate::format::custody::{Action, NewEvent};
use crate::ops::timestamp::{AutoTimestamp, StampOutcome, TsaUrl};
use crate::{Anchors, Error, IntakeOptions, NoProgress, Vault, VerifyMode, VerifyReport};

fn url(u: &str) -> TsaUrl {
    TsaUrl::parse(u).unwrap()
}

/// A vault with three exhibits and a few events.
fn populated() -> (tempfile::TempDir, Vault) {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha"), ("b.txt", b"bravo"), ("c.txt", b"charlie")]);
    v.add(&crate::tests::inputs(std::slice::from_ref(&src)), &IntakeOptions::default(), &NoProgress).unwrap();
    v.edit("EX-0001", Some("first"), &["hot".into()], &[]).unwrap();
    (dir, v)
}

fn stamp(v: &mut Vault, tsa: &LocalTsa) -> (u64, String) {
    let out = v.timestamp(&[url(&tsa.url)]).unwrap();
    match out.as_slice() {
        [StampOutcome::Stamped { tree_size, gen_time, .. }] => (*tree_size, gen_time.clone()),
        other => panic!("the local authority must stamp: {other:?}"),
    }
}

fn check(v: &mut Vault, cas: &[&LocalTsa]) -> VerifyReport {
    let tsa_cas = cas.iter().map(|t| std::fs::read_to_string(&t.ca_pem).unwrap()).collect();
    v.verify_anchored(VerifyMode::Quick, &Anchors { kept: Vec::new(), tsa_cas }, &NoProgress).unwrap()
}

fn kinds(r: &VerifyReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.kind.as_str()).collect()
}

#[test]
fn a_stamped_checkpoint_verifies_against_its_authority_and_is_logged() {
    let tsa = LocalTsa::start("Good");
    let (_d, mut v) = populated();
    let (size, tsa_time) = stamp(&mut v, &tsa);
    assert_eq!(size, v.custody_log(None).unwrap().len() as u64 - 1, "the latest checkpoint before the stamp's own event");
    let r = check(&mut v, &[&tsa]);
    assert!(r.ok && r.findings.is_empty(), "a stamped, untouched vault verifies clean: {:?}", r.findings);
    let ev = v.custody_log(None).unwrap().into_iter().rev().find(|e| e.action == Action::Timestamped).expect("a timestamped event");
    assert_eq!(ev.details["tree_size"], size);
    assert_eq!(ev.details["tsa_url"], tsa.url.as_str());
    assert_eq!(ev.details["gen_time"], tsa_time.as_str());
    let stored = v.timestamps().unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].token_sha256, ev.details["token_sha256"].as_str().unwrap());
}

#[test]
fn history_rewritten_after_a_stamp_is_caught_naming_size_and_time() {
    // Row 23: the key holder truncates the log below the stamped
    // checkpoint's end and re-extends it with validly signed events. The
    // log checks out on its own; the token does not match it any more.
    let tsa = LocalTsa::start("Good");
    let (_d, mut v) = populated();
    let (size, tsa_time) = stamp(&mut v, &tsa);
    super::custody_tamper::drop_guards(&v);
    let cut = size as i64 - 1;
    v.db().execute("DELETE FROM custody_events WHERE seq >= ?1", [cut]).unwrap();
    v.db().execute("DELETE FROM checkpoints WHERE tree_size >= ?1", [cut]).unwrap();
    v.reload_frontier();
    // Two events bring the log back to the stamped size, with a new signed
    // checkpoint at exactly that size; one more goes beyond it.
    v.log(vec![NewEvent::new(Action::Viewed).exhibit("EX-0003"), NewEvent::new(Action::Viewed).exhibit("EX-0002")]).unwrap();
    assert!(v.latest_checkpoint().unwrap().is_some_and(|c| c.tree_size == size), "a re-signed checkpoint at the stamped size");
    v.log(vec![NewEvent::new(Action::Viewed).exhibit("EX-0001")]).unwrap();
    let own = crate::ops::verify_log::verify_log(&v.raw_events().unwrap(), &v.checkpoints().unwrap(), &v.secrets().verifying_key(), &v.config().vault_id);
    assert!(own.is_empty(), "the rewritten log is self-consistent: {own:?}");
    let r = check(&mut v, &[&tsa]);
    assert!(!r.ok, "a rewritten history must fail verification");
    let f = r.findings.iter().find(|f| f.kind == "timestamp_checkpoint_rewritten").expect("the timestamp must expose the rewrite");
    assert!(f.message.contains(&format!("tree size {size}")), "names the tree size: {}", f.message);
    assert!(f.message.contains(&tsa_time), "names the TSA time: {}", f.message);
    assert_eq!(f.severity, crate::Severity::Error);
}

#[test]
fn a_tampered_token_is_an_error() {
    let tsa = LocalTsa::start("Good");
    let (_d, mut v) = populated();
    stamp(&mut v, &tsa);
    let mut token: Vec<u8> = v.db().query_row("SELECT token FROM checkpoint_timestamps", [], |r| r.get(0)).unwrap();
    // Change the signed message imprint inside the token.
    let imprint: String = v.db().query_row("SELECT checkpoint_sha256 FROM checkpoint_timestamps", [], |r| r.get(0)).unwrap();
    let imprint = hex::decode(imprint).unwrap();
    let at = token.windows(32).position(|w| w == imprint.as_slice()).expect("the imprint is in the token");
    token[at] ^= 0x01;
    v.db().execute_batch("DROP TRIGGER checkpoint_timestamps_no_update").unwrap();
    v.db().execute("UPDATE checkpoint_timestamps SET token = ?1", [&token]).unwrap();
    let r = check(&mut v, &[&tsa]);
    assert!(!r.ok);
    assert!(kinds(&r).contains(&"timestamp_token_invalid"), "{:?}", r.findings);
}

#[test]
fn a_removed_token_is_an_error() {
    let tsa = LocalTsa::start("Good");
    let (_d, mut v) = populated();
    stamp(&mut v, &tsa);
    v.db().execute_batch("DROP TRIGGER checkpoint_timestamps_no_delete; DELETE FROM checkpoint_timestamps;").unwrap();
    let r = check(&mut v, &[&tsa]);
    assert!(kinds(&r).contains(&"timestamp_token_missing"), "the timestamped event names a token that is gone: {:?}", r.findings);
}

#[test]
fn an_untrusted_authority_is_an_error_and_no_trust_store_a_warning() {
    let trusted = LocalTsa::start("Trusted");
    let other = LocalTsa::start("Other");
    let (_d, mut v) = populated();
    stamp(&mut v, &other);
    let r = check(&mut v, &[&trusted]);
    assert!(!r.ok);
    assert!(kinds(&r).contains(&"timestamp_untrusted"), "{:?}", r.findings);

    let r = check(&mut v, &[]);
    assert!(r.ok, "without a trust store the token's signature and checkpoint still check out");
    assert_eq!(kinds(&r), ["timestamp_trust_unchecked"]);
    assert_eq!(r.findings[0].severity, crate::Severity::Warning);

    // Trusting the right CA in the vault's settings is enough.
    v.trust_tsa_ca(&std::fs::read(&other.ca_pem).unwrap()).unwrap();
    let r = check(&mut v, &[]);
    assert!(r.ok && r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn the_tsa_certificate_alone_is_not_a_trust_anchor() {
    // Trusting the TSA's own certificate instead of its CA must not make a
    // chain: a trust anchor is a CA, and the store checks the whole chain
    // for the timestamp-signing purpose.
    let tsa = LocalTsa::start("Good");
    let (_d, mut v) = populated();
    stamp(&mut v, &tsa);
    let pem = std::fs::read_to_string(&tsa.tsa_pem).unwrap();
    let r = v.verify_anchored(VerifyMode::Quick, &Anchors { kept: Vec::new(), tsa_cas: vec![pem] }, &NoProgress).unwrap();
    assert!(kinds(&r).contains(&"timestamp_untrusted"), "{:?}", r.findings);
}

#[test]
fn settings_are_logged_and_bad_input_changes_nothing() {
    let (_d, mut v) = new_vault();
    let before = v.custody_log(None).unwrap().len();
    for (bad, why) in [
        ("ftp://tsa.example", "http:// or https://"),
        ("http://", "no host"),
        ("https://exa mple.org", "spaces"),
        ("tsa.example.org", "http:// or https://"),
    ] {
        let e = TsaUrl::parse(bad).unwrap_err();
        assert!(e.to_string().contains(why), "{bad}: {e}");
    }
    for (pem, why) in [(&b"not a certificate"[..], "refused"), (&b""[..], "refused")] {
        let e = v.trust_tsa_ca(pem).unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)) && e.to_string().contains(why), "{e}");
    }
    assert!(matches!(v.timestamp(&[]), Err(Error::InvalidInput(m)) if m.contains("no time-stamp authority")));
    assert_eq!(v.custody_log(None).unwrap().len(), before, "refused input logs nothing");
    assert_eq!(v.timestamp_settings().unwrap(), Default::default());

    let tsa = LocalTsa::start("Good");
    v.set_tsa_urls(&[url("https://freetsa.org/tsr"), url(&tsa.url)]).unwrap();
    v.set_auto_timestamp(AutoTimestamp::AfterIntakeAndExport).unwrap();
    let ca = std::fs::read(&tsa.ca_pem).unwrap();
    let added = v.trust_tsa_ca(&ca).unwrap();
    assert_eq!(added.len(), 1);
    assert!(added[0].subject.contains("Good Test TSA CA"), "{}", added[0].subject);
    let e = v.trust_tsa_ca(&ca).unwrap_err();
    assert!(e.to_string().contains("already trusted"), "{e}");
    let s = v.timestamp_settings().unwrap();
    assert_eq!(s.tsa_urls.len(), 2);
    assert_eq!(s.automatic, AutoTimestamp::AfterIntakeAndExport);
    let changes: Vec<_> = v.custody_log(None).unwrap()[before..]
        .iter()
        .filter(|e| e.action == Action::SettingChanged)
        .map(|e| e.details["setting"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(changes, ["tsa_urls", "automatic_timestamps", "tsa_ca_trusted"]);
}

#[test]
fn an_authority_that_does_not_answer_changes_nothing() {
    let (_d, mut v) = populated();
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let before = v.custody_log(None).unwrap().len();
    let out = v.timestamp(&[url(&format!("http://127.0.0.1:{port}/tsa"))]).unwrap();
    assert!(matches!(out.as_slice(), [StampOutcome::Failed { error, .. }] if error.contains("no answer")), "{out:?}");
    assert_eq!(v.custody_log(None).unwrap().len(), before);
    assert!(v.timestamps().unwrap().is_empty());
}

#[test]
fn automatic_stamping_follows_intake_and_its_failure_undoes_nothing() {
    let tsa = LocalTsa::start("Good");
    let (dir, mut v) = new_vault();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    v.set_tsa_urls(&[url(&format!("http://127.0.0.1:{port}/down")), url(&tsa.url)]).unwrap();
    v.set_auto_timestamp(AutoTimestamp::AfterIntakeAndExport).unwrap();
    let src = sources(dir.path(), &[("a.txt", b"alpha")]);
    let report = v.add(&crate::tests::inputs(std::slice::from_ref(&src)), &IntakeOptions::default(), &NoProgress).unwrap();
    assert_eq!(report.stored(), 1, "the intake stands");
    assert!(matches!(&report.timestamps[..], [StampOutcome::Stamped { .. }, StampOutcome::Failed { .. }]), "{:?}", report.timestamps);
    assert_eq!(v.list().unwrap().len(), 1);

    // Only the failing authority left: the intake still stands, with a warning.
    v.set_tsa_urls(&[url(&format!("http://127.0.0.1:{port}/down"))]).unwrap();
    let src2 = sources(&dir.path().join("more"), &[("b.txt", b"bravo")]);
    let report = v.add(&crate::tests::inputs(std::slice::from_ref(&src2)), &IntakeOptions::default(), &NoProgress).unwrap();
    assert_eq!(report.stored(), 1);
    assert!(matches!(&report.timestamps[..], [StampOutcome::Failed { .. }]), "{:?}", report.timestamps);
    assert_eq!(v.list().unwrap().len(), 2);
    assert!(check(&mut v, &[&tsa]).ok);
}

#[test]
fn a_bundle_carries_its_timestamp_and_verify_bundle_checks_it() {
    let tsa = LocalTsa::start("Good");
    let other = LocalTsa::start("Other");
    let (dir, mut v) = populated();
    let (size, _) = stamp(&mut v, &tsa);
    v.log(vec![NewEvent::new(Action::Viewed).exhibit("EX-0002")]).unwrap();
    let out = dir.path().join("bundle.zip");
    let report = v.export_req(&crate::export::ExportRequest::new(&out, "ACME"), &NoProgress).unwrap();
    assert_eq!(report.carried_timestamps.len(), 1);
    assert_eq!(report.carried_timestamps[0].0, size);

    let trust = |t: &LocalTsa| crate::ops::timestamp::TsaTrust::from_pems([std::fs::read_to_string(&t.ca_pem).unwrap().as_str()]).unwrap();
    let mut b = crate::bundle::Bundle::open(&out, None, None).unwrap();
    let (r, _) = crate::bundle::verify_bundle_trusting(&mut b, None, &NoProgress, trust(&tsa).as_ref()).unwrap();
    assert!(r.ok && r.findings.is_empty(), "{:?}", r.findings);
    let mut b = crate::bundle::Bundle::open(&out, None, None).unwrap();
    let (r, _) = crate::bundle::verify_bundle_trusting(&mut b, None, &NoProgress, trust(&other).as_ref()).unwrap();
    assert!(!r.ok && r.findings.iter().any(|f| f.kind == "timestamp_untrusted"), "{:?}", r.findings);
    let mut b = crate::bundle::Bundle::open(&out, None, None).unwrap();
    let (r, _) = crate::bundle::verify_bundle(&mut b, None).unwrap();
    assert!(r.ok && r.findings.iter().map(|f| f.kind.as_str()).eq(["timestamp_trust_unchecked"]), "{:?}", r.findings);
}
