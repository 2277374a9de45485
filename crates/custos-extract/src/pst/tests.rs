use super::*;
use std::collections::BTreeMap;
use mail_parser::MimeHeaders;
use std::io::Cursor;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/pst/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn run(data: Vec<u8>, limits: &Limits) -> (Result<Extracted>, Vec<Item>) {
    let mut items = Vec::new();
    let result = pst(Cursor::new(data), limits, &mut |item| {
        items.push(item);
        Ok(())
    });
    (result, items)
}

fn field(out: &Extracted, name: &str) -> String {
    out.metadata.iter().find(|f| f.field == name).map(|f| f.value.clone()).unwrap_or_default()
}

/// The folder below the store's top folder, as both sides name it.
const TOP: &str = "/Top of Personal Folders";
const MAILBOX: &str = "/lokay-m/MLOKAY (Non-Privileged)";

/// What a message shows a reader: its subject and its attachments (name
/// and bytes), sorted.
type Summary = (String, Vec<(String, Vec<u8>)>);

fn summary(eml: &[u8]) -> Summary {
    let message = mail_parser::MessageParser::default().parse(eml).expect("the message parses");
    let subject = message.subject().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
    let mut attachments: Vec<(String, Vec<u8>)> = message.attachments().map(|a| (a.attachment_name().unwrap_or_default().to_string(), a.contents().to_vec())).collect();
    attachments.sort();
    (subject, attachments)
}

#[test]
fn extractor_names_itself() {
    let e = extractor();
    assert_eq!(e.name, "custos-extract/pst");
    assert_eq!(e.version, format!("{} (outlook-pst 1.2)", crate::VERSION));
    assert_eq!(e.settings, "messages written as RFC 5322 with attachments as MIME parts");
}

#[test]
fn empty_pst_has_folders_and_no_messages() {
    let (result, items) = run(fixture("Empty.pst"), &Limits::default());
    let out = result.unwrap();
    assert!(items.is_empty());
    assert_eq!(out.problems, vec![]);
    assert_eq!(field(&out, "message_count"), "0");
    assert_eq!(field(&out, "folder_count"), "4");
    assert_eq!(field(&out, "pst_format"), "Unicode");
    assert_eq!(out.metadata.iter().find(|f| f.field == "pst_format").unwrap().source, "pst:header");
    assert_eq!(out.extractor, extractor());
}

#[test]
fn files_that_are_not_outlook_data_files_are_malformed() {
    for data in [Vec::new(), b"hello, not a PST".to_vec(), b"PK\x03\x04 a zip".to_vec(), vec![0; 4096]] {
        match run(data, &Limits::default()).0 {
            Err(Error::Malformed(m)) => assert!(m.starts_with("not an Outlook data file: "), "{m}"),
            other => panic!("expected Malformed, got {:?}", other.map(|o| o.metadata)),
        }
    }
}

#[test]
fn ost_with_4k_pages_is_malformed() {
    let mut data = fixture("Empty.pst");
    data[10..12].copy_from_slice(&36u16.to_le_bytes());
    match run(data, &Limits::default()).0 {
        Err(Error::Malformed(m)) => assert!(m.contains("version 36"), "{m}"),
        other => panic!("expected Malformed, got {:?}", other.map(|o| o.metadata)),
    }
}

#[test]
fn enron_messages_are_all_written() {
    let (result, items) = run(fixture("enron.pst"), &Limits::default());
    let out = result.unwrap();
    assert_eq!(out.problems, vec![]);
    assert_eq!(field(&out, "message_count"), "71");
    assert_eq!(field(&out, "pst_format"), "Unicode");
    assert_eq!(items.len(), 71);

    let mut per_folder: BTreeMap<&str, usize> = BTreeMap::new();
    for item in &items {
        *per_folder.entry(item.path.as_str()).or_default() += 1;
        assert!(item.name.ends_with(".eml"));
        assert!(item.name.chars().count() <= 64);
        assert!(!item.name.contains('/'));
    }
    let folder = |sub: &str| format!("{TOP}{MAILBOX}{sub}");
    let expected: BTreeMap<String, usize> = [("", 1), ("/Personal", 47), ("/TW-Commercial Group", 14), ("/Systems", 7), ("/Sent Items", 2)].into_iter().map(|(f, n)| (folder(f), n)).collect();
    assert_eq!(per_folder.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<BTreeMap<_, _>>(), expected);

    let summaries: Vec<Summary> = items.iter().map(|i| summary(&i.bytes)).collect();
    let attachments: Vec<&(String, Vec<u8>)> = summaries.iter().flat_map(|s| &s.1).collect();
    assert_eq!(attachments.len(), 70, "attachments, as readpst counts them");
    for (name, size) in [("TWEOL.pdf", 206_848), ("invite2001.doc", 866_304), ("EOLTWdeals.xls", 75_776), ("B&W 300dpi.jpg", 168_092)] {
        let found = attachments.iter().find(|a| a.0 == name).unwrap_or_else(|| panic!("no attachment {name}"));
        assert_eq!(found.1.len(), size, "{name}");
    }
    let pdf = attachments.iter().find(|a| a.0 == "TWEOL.pdf").unwrap();
    assert!(pdf.1.starts_with(b"%PDF-"));
    assert!(summaries.iter().any(|s| s.0 == "New OBA's"));

    // Every message has the headers a review needs.
    for item in &items {
        let message = mail_parser::MessageParser::default().parse(&item.bytes).unwrap();
        assert!(message.date().is_some(), "{}: no date", item.name);
        assert!(message.from().is_some(), "{}: no sender", item.name);
        assert!(item.flags.contains(&"read".to_string()));
    }
    assert_eq!(items.iter().filter(|i| i.flags.contains(&"important".to_string())).count(), 2);
}

#[test]
fn enron_matches_readpst() {
    // readpst (pst-utils) is an independent reader; it runs here on the
    // test fixture only.
    let dir = std::env::temp_dir().join(format!("custos-pst-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixture_path = format!("{}/tests/data/pst/enron.pst", env!("CARGO_MANIFEST_DIR"));
    let status = std::process::Command::new("readpst").args(["-o"]).arg(&dir).args(["-D", "-j", "0", "-r", "-e", "-q"]).arg(&fixture_path).status();
    let Ok(status) = status else {
        let _ = std::fs::remove_dir_all(&dir);
        eprintln!("readpst (pst-utils) is not installed: comparison with it not made");
        return;
    };
    assert!(status.success());
    let mut theirs: BTreeMap<String, Vec<Summary>> = BTreeMap::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let folder = path.parent().unwrap().strip_prefix(dir.join("Personal folders")).unwrap().to_string_lossy().to_string();
                theirs.entry(format!("/{folder}").trim_end_matches('/').to_string()).or_default().push(summary(&std::fs::read(&path).unwrap()));
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();

    let (result, items) = run(fixture("enron.pst"), &Limits::default());
    result.unwrap();
    let mut ours: BTreeMap<String, Vec<Summary>> = BTreeMap::new();
    for item in &items {
        let folder = item.path.strip_prefix(TOP).unwrap().to_string();
        ours.entry(folder).or_default().push(summary(&item.bytes));
    }
    for list in theirs.values_mut().chain(ours.values_mut()) {
        list.sort();
    }
    assert_eq!(ours.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>());
    for (folder, list) in &ours {
        let other = &theirs[folder];
        assert_eq!(list.len(), other.len(), "{folder}");
        for (a, b) in list.iter().zip(other) {
            assert_eq!(a.0, b.0, "{folder}: subject");
            assert_eq!(a.1.len(), b.1.len(), "{folder}: {}: attachment count", a.0);
            let mut ours_sorted: Vec<&(String, Vec<u8>)> = a.1.iter().collect();
            let mut theirs_sorted: Vec<&(String, Vec<u8>)> = b.1.iter().collect();
            ours_sorted.sort_by(|x, y| x.1.cmp(&y.1));
            theirs_sorted.sort_by(|x, y| x.1.cmp(&y.1));
            for (x, y) in ours_sorted.into_iter().zip(theirs_sorted) {
                assert!(x.1 == y.1, "{folder}: {}: attachment bytes differ", a.0);
                // readpst leaves apostrophes and parentheses unencoded in an
                // RFC 2231 file name, which cuts the name there when read
                // back.
                let same = x.0 == y.0 || x.0.contains(['\'', '(', ')']) && x.0.contains(y.0.trim());
                assert!(same, "{folder}: {}: attachment name {:?} against {:?}", a.0, x.0, y.0);
            }
        }
    }
}

#[test]
fn limits_turn_messages_into_problems() {
    let limits = Limits { max_items: 5, ..Limits::default() };
    let (result, items) = run(fixture("enron.pst"), &limits);
    let out = result.unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(out.problems.len(), 1);
    assert!(out.problems[0].reason.contains("limit of 5 items") && out.problems[0].reason.contains("65 after it"), "{:?}", out.problems);
    assert_eq!(field(&out, "message_count"), "71");

    let limits = Limits { max_item_bytes: 10_000, ..Limits::default() };
    let (result, items) = run(fixture("enron.pst"), &limits);
    let out = result.unwrap();
    assert!(items.iter().all(|i| i.bytes.len() <= 10_000));
    assert_eq!(items.len() + out.problems.len(), 71);
    assert!(out.problems.iter().all(|p| p.reason.contains("limit of 10000 bytes") && p.item.contains("/message ")), "{:?}", out.problems);

    let limits = Limits { max_total_bytes: 100_000, ..Limits::default() };
    let (result, items) = run(fixture("enron.pst"), &limits);
    let out = result.unwrap();
    assert!(items.iter().map(|i| i.bytes.len()).sum::<usize>() <= 100_000);
    assert!(!out.problems.is_empty() && out.problems.iter().all(|p| p.reason.contains("for all items")));
    assert_eq!(items.len() + out.problems.len(), 71);
}

#[test]
fn an_error_from_the_sink_stops_the_walk() {
    let mut seen = 0;
    let result = pst(Cursor::new(fixture("enron.pst")), &Limits::default(), &mut |_| {
        seen += 1;
        if seen == 3 { Err(Error::Stopped) } else { Ok(()) }
    });
    assert!(matches!(result, Err(Error::Stopped)));
    assert_eq!(seen, 3);
}

#[test]
fn damaged_files_give_problems_or_malformed_never_a_panic() {
    let original = fixture("enron.pst");
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for len in [0x100, 0x4400, 0x10000, original.len() / 3, original.len() / 2, original.len() - 4096] {
        cases.push((format!("truncated to {len}"), original[..len].to_vec()));
    }
    for (i, at) in (1..12).map(|k| (k, original.len() * k / 12)) {
        let mut data = original.clone();
        for b in &mut data[at..at + 512] {
            *b ^= 0x5A;
        }
        cases.push((format!("flipped block {i} at {at}"), data));
    }
    let mut with_problems = 0;
    for (what, data) in cases {
        let (result, items) = run(data, &Limits::default());
        match result {
            Ok(out) => {
                assert!(items.len() + out.problems.len() >= 1, "{what}");
                if !out.problems.is_empty() {
                    with_problems += 1;
                }
                for item in &items {
                    assert!(mail_parser::MessageParser::default().parse(&item.bytes).is_some(), "{what}");
                }
            }
            Err(Error::Malformed(_)) => {}
            Err(e) => panic!("{what}: unexpected error {e}"),
        }
    }
    assert!(with_problems >= 3, "damage was noticed in {with_problems} cases only");

    let empty = fixture("Empty.pst");
    for len in [600, 0x4400, empty.len() / 2] {
        let (result, items) = run(empty[..len].to_vec(), &Limits::default());
        assert!(items.is_empty());
        // Half of Empty.pst still holds all its folders.
        let noticed = matches!(result, Err(Error::Malformed(_))) || result.as_ref().is_ok_and(|o| !o.problems.is_empty());
        assert!(noticed || len == empty.len() / 2 && result.is_ok(), "Empty.pst truncated to {len}");
    }
}

#[test]
fn file_names_come_from_subjects() {
    assert_eq!(file_name("Re: a/b \\ c?"), Some("Re_ a_b _ c_".to_string()));
    assert_eq!(file_name("  ...  "), None);
    assert_eq!(file_name(&"x".repeat(100)).unwrap().chars().count(), MAX_NAME_CHARS);
    assert_eq!(file_name("tab\there\nline"), Some("tab_here_line".to_string()));
}
