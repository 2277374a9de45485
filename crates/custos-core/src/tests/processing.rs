//! Processing inside the core: derivations recorded in the catalog and the
//! log agree, re-extraction catches an output that no longer reproduces,
//! and nesting beyond the limit is a problem, not a failure.

use crate::format::finding::FindingKind;
use crate::progress::NoProgress;
use crate::tests::{new_vault, sources};
use crate::{Action, IntakeOptions, ProcessOptions};

const MESSAGE: &[u8] = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: Quarterly numbers\r\nDate: Mon, 5 May 2025 10:00:00 +0000\r\nMessage-ID: <q@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--x\r\nContent-Type: text/plain; name=\"q.txt\"\r\nContent-Disposition: attachment; filename=\"q.txt\"\r\n\r\nrevenue 12\r\n--x--\r\n";

#[test]
fn every_derivation_is_an_event_and_reextraction_reports_a_changed_output() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("q.eml", MESSAGE)]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let report = v.process(&ProcessOptions::default(), &NoProgress).unwrap();
    assert_eq!(report.exhibits.len(), 2, "the message and its attachment: {report:?}");
    assert_eq!(report.new_items(), 1);

    // Each derivation row names the event that records it, with the same hashes.
    let log = v.custody_log(None).unwrap();
    for id in ["EX-0001", "EX-0002"] {
        for d in v.derivations(id).unwrap() {
            let e = log.iter().find(|e| e.seq == d.seq).expect("the event exists");
            assert_eq!(e.action, Action::Derived);
            assert_eq!(e.hash_before.as_deref(), Some(d.input_sha256.as_str()));
            assert_eq!(e.hash_after.as_deref(), Some(d.output_sha256.as_str()));
            assert_eq!(e.hashes_match, None, "an input and its derivative are not copies");
        }
    }
    assert!(v.reextract(&NoProgress).unwrap().is_empty(), "the same extractors give the same outputs");

    // A recorded text that no longer reproduces is reported with the tool versions.
    v.db().execute("UPDATE derivations SET output_sha256 = ?1 WHERE exhibit_id = 'EX-0001' AND kind = 'text'", ["00".repeat(32)]).unwrap();
    let f = v.reextract(&NoProgress).unwrap();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].kind, FindingKind::DerivationChanged);
    assert_eq!(f[0].exhibit.as_deref(), Some("EX-0001"));
    assert!(f[0].message.contains("custos-extract/mail"), "{}", f[0].message);
    // An item that is no longer found is reported too.
    v.db().execute("UPDATE derivations SET output_sha256 = ?1 WHERE kind = 'item'", ["11".repeat(32)]).unwrap();
    let f = v.reextract(&NoProgress).unwrap();
    assert!(f.iter().any(|f| f.message.contains("items")), "{f:?}");
}

#[test]
fn items_beyond_the_nesting_limit_are_a_problem_and_the_rest_is_kept() {
    // A message attached to a message, eleven deep.
    let mut m = b"From: z@example.com\r\nSubject: bottom\r\n\r\nthe bottom\r\n".to_vec();
    for i in 0..11 {
        let mut outer = format!(
            "From: a@example.com\r\nSubject: level {i}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\nContent-Type: text/plain\r\n\r\nlevel {i}\r\n--b{i}\r\nContent-Type: message/rfc822\r\n\r\n"
        )
        .into_bytes();
        outer.extend_from_slice(&m);
        outer.extend_from_slice(format!("\r\n--b{i}--\r\n").as_bytes());
        m = outer;
    }
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("deep.eml", &m)]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let report = v.process(&ProcessOptions::default(), &NoProgress).unwrap();
    assert_eq!(report.failed(), 0);
    let limited: Vec<_> = report.exhibits.iter().filter(|o| o.problems.iter().any(|(_, why)| why.contains("nesting beyond the limit"))).collect();
    assert_eq!(limited.len(), 1, "{report:#?}");
    assert_eq!(v.list().unwrap().len(), crate::store::derived::MAX_DEPTH as usize + 1, "the top and ten levels inside it");
    let tree = v.family_tree("EX-0001").unwrap();
    assert_eq!(tree.len(), v.list().unwrap().len(), "every level is one family");
    assert!(v.verify(crate::VerifyMode::Full, &NoProgress).unwrap().ok);
}

#[test]
fn a_window_of_family_heads_counts_each_familys_members() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("q.eml", MESSAGE), ("alone.txt", b"on its own")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    v.process(&ProcessOptions::default(), &NoProgress).unwrap();
    let q = crate::ExhibitQuery { limit: 10, ..Default::default() };
    let all = v.exhibit_window(&q).unwrap();
    assert_eq!(all.total, 3, "the message, its attachment and the file on its own");
    let heads = v.exhibit_window(&crate::ExhibitQuery { heads_only: true, ..q.clone() }).unwrap();
    assert_eq!(heads.total, 2);
    let members: Vec<_> = heads.rows.iter().map(|e| (e.id.as_str(), e.members)).collect();
    assert_eq!(members, [("EX-0001", 0), ("EX-0002", 1)], "{:?}", heads.rows);
    // With a filter the count is the filter's.
    let named = v.exhibit_window(&crate::ExhibitQuery { heads_only: true, text: "q.txt".into(), ..q.clone() }).unwrap();
    assert_eq!(named.total, 0, "the attachment is a member, not a head");
    let attachment = v.exhibit_window(&crate::ExhibitQuery { text: "q.txt".into(), ..q }).unwrap();
    assert_eq!(attachment.rows[0].members, 0);
    assert_eq!(attachment.rows[0].parent.as_deref(), Some("EX-0002"));
}
