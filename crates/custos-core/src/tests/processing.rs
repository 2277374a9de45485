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

/// Cancels processing at the `n`th time it asks.
struct CancelAt {
    asked: std::sync::atomic::AtomicUsize,
    n: usize,
}

impl crate::Progress for CancelAt {
    fn is_cancelled(&self) -> bool {
        self.asked
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1
            >= self.n
    }
}

#[test]
fn a_mailbox_expanded_in_steps_resumes_where_it_stopped_and_records_each_message_once() {
    const MESSAGES: usize = 2500;
    let mut mbox = Vec::new();
    for i in 1..=MESSAGES {
        mbox.extend_from_slice(format!("From a@example.com Mon May  5 10:00:00 2025\nFrom: a@example.com\nSubject: note {i}\nMessage-ID: <{i}@example.com>\n\nbody {i}\n\n").as_bytes());
    }
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("box.mbox", &mbox)]);
    v.add(
        &crate::tests::inputs(&[src]),
        &IntakeOptions::default(),
        &NoProgress,
    )
    .unwrap();
    let recorded = |v: &crate::Vault| -> (i64, i64) {
        v.db()
            .query_row("SELECT count(*), count(DISTINCT position) FROM item_sources WHERE container_id = 'EX-0001'", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    };

    // Stopped after the mailbox's first batches were recorded.
    let stop = CancelAt {
        asked: Default::default(),
        n: 5,
    };
    let first = v.process(&ProcessOptions::default(), &stop).unwrap();
    assert!(first.cancelled);
    let (rows, positions) = recorded(&v);
    assert!(
        rows > 0 && (rows as usize) < MESSAGES,
        "some messages recorded, not all: {rows}"
    );
    assert_eq!(rows, positions);
    assert_eq!(
        v.processing_state("EX-0001").unwrap().status,
        "pending",
        "the mailbox is not done until its last message is recorded"
    );

    // The next run goes on from there.
    let second = v
        .process(
            &ProcessOptions {
                exhibits: vec!["EX-0001".into()],
                recurse: false,
                ..Default::default()
            },
            &NoProgress,
        )
        .unwrap();
    let mailbox = &second.exhibits[0];
    assert_eq!(
        (mailbox.exhibit.as_str(), mailbox.status.as_str()),
        ("EX-0001", "done"),
        "{second:?}"
    );
    assert_eq!(
        mailbox.new_items as usize + rows as usize,
        MESSAGES,
        "the second run records only what the first did not"
    );
    let (rows, positions) = recorded(&v);
    assert_eq!(
        (rows as usize, positions as usize),
        (MESSAGES, MESSAGES),
        "each message once"
    );
    let events: i64 = v
        .db()
        .query_row(
            "SELECT count(*) FROM derivations WHERE exhibit_id = 'EX-0001' AND kind = 'item'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(events as usize, MESSAGES, "one derivation per message");
    let count = v
        .metadata("EX-0001")
        .unwrap()
        .into_iter()
        .find(|m| m.field == "message_count")
        .unwrap();
    assert_eq!(count.value, MESSAGES.to_string());
    assert_eq!(v.list().unwrap().len(), MESSAGES + 1);
    assert!(v.verify(crate::VerifyMode::Full, &NoProgress).unwrap().ok);
}

#[test]
fn a_large_archive_is_expanded_as_a_stream_into_a_family() {
    use std::io::Write;
    // Past the size from which archives are streamed, incompressible.
    let mut big = vec![0u8; (crate::ops::process::STREAM_ARCHIVES_ABOVE + (1 << 20)) as usize];
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for b in big.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    for (name, data) in [
        ("first.txt", &b"alpha"[..]),
        ("data/big.bin", &big),
        ("last.txt", b"omega"),
    ] {
        w.start_file(name, stored).unwrap();
        w.write_all(data).unwrap();
    }
    let z = w.finish().unwrap().into_inner();
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("collection.zip", &z)]);
    v.add(
        &crate::tests::inputs(&[src]),
        &IntakeOptions::default(),
        &NoProgress,
    )
    .unwrap();
    let report = v.process(&ProcessOptions::default(), &NoProgress).unwrap();
    let zip = report
        .exhibits
        .iter()
        .find(|o| o.exhibit == "EX-0001")
        .unwrap();
    assert_eq!(
        (zip.kind.as_str(), zip.status.as_str(), zip.new_items),
        ("zip", "done", 3),
        "{report:?}"
    );
    // The entries are the archive's children, in its order, with their folders.
    let d = v.show("EX-0001").unwrap();
    assert_eq!(d.children.len(), 3);
    let names: Vec<String> = d
        .children
        .iter()
        .map(|c| v.listing(c).unwrap().name)
        .collect();
    assert_eq!(names, ["first.txt", "big.bin", "last.txt"]);
    let big_id = &d.children[1];
    let e = v.listing(big_id).unwrap();
    assert_eq!(
        (e.parent.as_deref(), e.family.as_str(), e.size),
        (Some("EX-0001"), "EX-0001", big.len() as u64)
    );
    assert_eq!(
        e.sha256,
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&big))
    );
    assert!(
        v.show(big_id).unwrap().sources[0]
            .path
            .ends_with("EX-0001:/data/big.bin")
    );
    assert!(v.verify(crate::VerifyMode::Full, &NoProgress).unwrap().ok);
    assert!(
        v.reextract(&NoProgress).unwrap().is_empty(),
        "the streamed archive re-extracts to the same items"
    );
}

#[test]
fn the_search_index_follows_processing_and_tags_and_is_rebuilt_from_the_catalog() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("q.eml", MESSAGE)]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let ids = |v: &crate::Vault, q: &str| v.search(q, 10).unwrap().into_iter().map(|h| h.id).collect::<Vec<_>>();
    assert!(ids(&v, "revenue").is_empty(), "not processed yet: nothing read to search");
    assert_eq!(ids(&v, "name:q"), ["EX-0001"], "its name is searchable from intake");
    v.process(&ProcessOptions::default(), &NoProgress).unwrap();
    assert_eq!(ids(&v, "revenue"), ["EX-0002"], "the attachment's text");
    assert_eq!(ids(&v, "subject:quarterly"), ["EX-0001"]);
    v.edit("EX-0002", None, &["hot".into()], &[]).unwrap();
    assert_eq!(ids(&v, "tag:hot"), ["EX-0002"]);
    v.edit("EX-0002", None, &[], &["hot".into()]).unwrap();
    assert!(ids(&v, "tag:hot").is_empty());

    // Lost, it is built again from the catalog.
    v.db().execute_batch("DELETE FROM exhibit_search").unwrap();
    assert!(ids(&v, "revenue").is_empty());
    assert_eq!(v.rebuild_search_index().unwrap(), 2);
    assert_eq!(ids(&v, "revenue"), ["EX-0002"]);
    assert_eq!(ids(&v, "subject:quarterly"), ["EX-0001"]);
    assert!(matches!(v.search("*x", 10), Err(crate::Error::InvalidQuery(_))));
    assert!(matches!(v.search("x", 0), Err(crate::Error::InvalidInput(_))));
}

#[test]
fn an_audit_event_whose_row_no_longer_reads_the_same_is_named_by_reextraction() {
    let log = "Item name,Event,Actor,Date,Item ID\nspecs.pdf,Download,erik@example.com,2026-05-14T21:04:00Z,1A\nplan.docx,Download,erik@example.com,2026-05-14T21:05:00Z,2B\n";
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("drive.csv", log.as_bytes())]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    v.process(&ProcessOptions::default(), &NoProgress).unwrap();
    assert_eq!(v.timeline(&Default::default()).unwrap().len(), 2);
    assert!(v.reextract(&NoProgress).unwrap().is_empty());
    v.db().execute("UPDATE audit_events SET raw_sha256 = ?1 WHERE exhibit_id = 'EX-0001' AND row = 2", ["00".repeat(32)]).unwrap();
    let f = v.reextract(&NoProgress).unwrap();
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].message.contains("event of row 2"), "{}", f[0].message);
}
