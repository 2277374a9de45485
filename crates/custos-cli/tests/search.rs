//! Full-text search through the real binary: each construct of the query
//! language finds what it should on a small corpus of known content, a
//! query that cannot be searched exactly is refused with its reason, and
//! the index leaves no plaintext on disk.

#[macro_use]
mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

const CANARY: &str = "zebracanary";

fn message(from: &str, to: &str, subject: &str, date: &str, body: &str) -> String {
    format!("From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{}@example.com>\r\n\r\n{body}\r\n", subject.replace(' ', "."))
}

/// The ids a query finds, best first, by name.
fn found(vault: &Path, query: &str) -> Vec<String> {
    let out = custos(argv!["search", vault, query, "--json"]);
    assert!(matches!(out.code, Some(0 | 1)), "{query}: {}", out.describe());
    let hits: Vec<Value> = out.json().as_array().cloned().unwrap_or_default();
    let names = list_json(vault);
    let mut found: Vec<String> = hits
        .iter()
        .map(|h| {
            let id = h["id"].as_str().unwrap();
            names.iter().find(|e| e["id"] == id).unwrap()["name"].as_str().unwrap().to_string()
        })
        .collect();
    found.sort();
    found
}

#[test]
fn the_query_language_finds_what_each_construct_says_and_refuses_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    let src = dir.path().join("collected");
    write_file(
        &src.join("a.eml"),
        message("Erik Brandt <erik@example.com>", "Anna Ruiz <anna@rival.example>", "Falcon drawings", "Thu, 14 May 2026 21:04:00 +0000", "The Falcon price list is attached. Café tolerances follow."),
    );
    write_file(
        &src.join("b.eml"),
        message("Anna Ruiz <anna@rival.example>", "Erik Brandt <erik@example.com>", "Lunch", "Mon, 4 May 2026 12:00:00 +0000", "Lunch on Friday? The price is right."),
    );
    write_file(&src.join("memo.txt"), format!("Drawing board notes: the price of the new falcon parts went up.\n{CANARY}\n"));
    write_file(&src.join("plan.txt"), "A trade secret plan, not for the rival.");
    let out = custos(argv!["add", &vault, &src, "--custodian", "Erik Brandt", "--tag", "hot"]);
    out.assert_success("add");

    let all = ["a.eml", "b.eml", "memo.txt", "plan.txt"];
    let cases: &[(&str, &[&str])] = &[
        ("falcon", &["a.eml", "memo.txt"]),
        ("FALCON", &["a.eml", "memo.txt"]),
        ("cafe", &["a.eml"]),
        ("\"price list\"", &["a.eml"]),
        ("\"list price\"", &[]),
        ("price AND lunch", &["b.eml"]),
        ("price lunch", &["b.eml"]),
        ("lunch OR secret", &["b.eml", "plan.txt"]),
        ("price NOT falcon", &["b.eml"]),
        ("NOT price", &["plan.txt"]),
        ("(lunch OR falcon) NOT memo", &["a.eml", "b.eml"]),
        ("draw*", &["a.eml", "memo.txt"]),
        ("falcon w/2 price", &["a.eml"]),
        ("falcon w/5 price", &["a.eml", "memo.txt"]),
        // In order: falcon before price in a.eml, after it in the memo.
        ("falcon pre/2 price", &["a.eml"]),
        ("price pre/5 falcon", &["memo.txt"]),
        ("price pre/2 falcon", &[]),
        ("price pre/3 falcon", &["memo.txt"]),
        ("draw* pre/5 price", &["memo.txt"]),
        ("\"price list\" pre/3 cafe", &["a.eml"]),
        ("NOT (falcon pre/2 price)", &["b.eml", "memo.txt", "plan.txt"]),
        ("lunch OR falcon pre/2 price", &["a.eml", "b.eml"]),
        ("from:anna", &["b.eml"]),
        ("to:anna", &["a.eml"]),
        ("subject:falcon", &["a.eml"]),
        ("subject:price", &[]),
        ("name:memo", &["memo.txt"]),
        ("custodian:brandt", &all),
        ("tag:hot", &all),
        ("type:rfc822", &["a.eml", "b.eml"]),
        ("sent:2026-05-14", &["a.eml"]),
        ("sent:2026-05-01..2026-05-10", &["b.eml"]),
        ("sent:..2026-05-31 falcon", &["a.eml"]),
        ("sent:2026-06-01..", &[]),
        (CANARY, &["memo.txt"]),
    ];
    for (query, want) in cases {
        assert_eq!(found(&vault, query), *want, "{query}");
    }

    // Best first, with the words found marked in the snippet.
    let out = custos(argv!["search", &vault, "falcon", "--json"]);
    let hits: Vec<Value> = out.json().as_array().cloned().unwrap_or_default();
    assert!(hits[0]["score"].as_f64().unwrap() >= hits[1]["score"].as_f64().unwrap());
    assert!(hits.iter().all(|h| h["snippet"].as_str().unwrap().to_lowercase().contains("«falcon»")), "{hits:#?}");
    let out = custos(argv!["search", &vault, "falcon", "--limit", "1", "--json"]);
    assert_eq!(out.json().as_array().cloned().unwrap_or_default().len(), 1);

    // Nothing found: exit 1. Refused: exit 2 with the reason, nothing searched.
    let out = custos(argv!["search", &vault, "nothinglikethis"]);
    assert_eq!(out.code, Some(1), "{}", out.describe());
    for (query, why) in [("*cret", "wildcard"), ("\"trade secret", "never closed"), ("a pre/0 b", "from 1 to 1000"), ("colour:red", "is not a field")] {
        let out = custos(argv!["search", &vault, query]);
        assert_eq!(out.code, Some(2), "{query}: {}", out.describe());
        assert!(out.stderr.contains("cannot be searched exactly") && out.stderr.contains(why), "{query}: {}", out.describe());
    }

    // The index is inside the encrypted database: no plaintext of it anywhere.
    for f in files_under(&vault) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(find_all(&bytes, CANARY.as_bytes()).is_empty(), "{} holds the canary in plaintext", f.display());
    }
}

#[test]
fn a_search_term_report_counts_documents_families_and_unique_hits_reproducibly() {
    let dir = tempfile::tempdir().unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    let src = dir.path().join("collected");
    // A message whose attachment mentions the price: a family of two.
    write_file(
        &src.join("offer.eml"),
        "From: erik@example.com\r\nTo: anna@rival.example\r\nSubject: Falcon offer\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the attached sheet.\r\n--b\r\nContent-Type: text/plain; name=\"sheet.txt\"\r\nContent-Disposition: attachment; filename=\"sheet.txt\"\r\n\r\nprice per unit: 12\r\n--b--\r\n",
    );
    write_file(&src.join("memo.txt"), "Falcon is a trade secret.");
    write_file(&src.join("lunch.txt"), "Lunch on Friday.");
    custos(argv!["add", &vault, &src]).assert_success("add");

    let terms = dir.path().join("terms.txt");
    let list = "falcon\nprice\n\n\"trade secret\"\nzeppelin\n";
    write_file(&terms, list);
    let out = custos(argv!["search-report", &vault, "--terms", &terms, "--json"]);
    out.assert_success("search-report");
    let r = out.json();
    let counts: Vec<(String, u64, u64, u64)> = r["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["term"].as_str().unwrap().to_string(), t["documents"].as_u64().unwrap(), t["with_families"].as_u64().unwrap(), t["unique"].as_u64().unwrap()))
        .collect();
    let row = |t: &str, d, f, u| (t.to_string(), d, f, u);
    assert_eq!(
        counts,
        [
            // The message and the memo; with the message's attachment, three; the message is found by no other term.
            row("falcon", 2, 3, 1),
            // The attachment alone; its family brings the message.
            row("price", 1, 2, 1),
            // The memo, also found by falcon.
            row("\"trade secret\"", 1, 1, 0),
            row("zeppelin", 0, 0, 0),
        ]
    );
    assert_eq!((r["total"]["documents"].as_u64(), r["total"]["with_families"].as_u64(), r["total"]["unique"].as_u64()), (Some(3), Some(3), Some(2)));
    // The hashes that let another party check they ran the same list on the same set.
    assert_eq!(r["terms_sha256"], sha256_hex(list.as_bytes()));
    let mut hashes: Vec<String> = list_json(&vault).iter().map(|e| str_field(e, "sha256").to_string()).collect();
    hashes.sort();
    assert_eq!(r["searched"], 4);
    assert_eq!(r["searched_sha256"], sha256_hex(hashes.iter().map(|h| format!("{h}\n")).collect::<String>().as_bytes()));

    // As CSV, once: an existing file is not overwritten.
    let csv = dir.path().join("report.csv");
    custos(argv!["search-report", &vault, "--terms", &terms, "--out", &csv]).assert_success("--out");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("term,documents,with_families,unique\r\nfalcon,2,3,1\r\n"), "{text}");
    assert!(text.contains("\"\"\"trade secret\"\"\",1,1,0\r\n") && text.contains("(any term),3,3,2\r\n"), "{text}");
    let again = custos(argv!["search-report", &vault, "--terms", &terms, "--out", &csv]);
    assert_eq!(again.code, Some(2), "{}", again.describe());
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), text);

    // A term that cannot be searched exactly refuses the whole report, by line.
    write_file(&terms, "falcon\n*cret\n");
    let out = custos(argv!["search-report", &vault, "--terms", &terms]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("line 2 (*cret)"), "{}", out.describe());
}
