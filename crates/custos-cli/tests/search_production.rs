//! Searches that travel with a production, through the real binary: a
//! saved search chooses the exhibits and is recorded with the production,
//! and a search-term report over the produced documents goes in the bundle,
//! where the receiving side runs the same list on the bundle and gets the
//! same counts; a report that does not match its documents is a finding.

#[macro_use]
mod common;

use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn corpus(dir: &Path) -> std::path::PathBuf {
    let vault = init_vault(&dir.join("vault"));
    let src = dir.join("collected");
    write_file(
        &src.join("offer.eml"),
        "From: erik@example.com\r\nTo: anna@rival.example\r\nSubject: Falcon offer\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the attached sheet.\r\n--b\r\nContent-Type: text/plain; name=\"sheet.txt\"\r\nContent-Disposition: attachment; filename=\"sheet.txt\"\r\n\r\nprice per unit: 12\r\n--b--\r\n",
    );
    write_file(&src.join("memo.txt"), "Falcon is a trade secret.");
    write_file(&src.join("lunch.txt"), "Lunch on Friday.");
    custos(argv!["add", &vault, &src]).assert_success("add");
    vault
}

#[test]
fn a_saved_search_chooses_a_production_and_its_term_report_is_reproduced_from_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let vault = corpus(dir.path());

    // Saved, listed, refused under the same name for another query.
    custos(argv!["search", &vault, "falcon", "--save", "falcon docs"]).assert_success("save");
    let listed = custos(argv!["search", &vault, "--list-saved", "--json"]).json();
    assert_eq!(listed[0]["name"], "falcon docs");
    assert_eq!(listed[0]["query"], "falcon");
    let clash = custos(argv!["search", &vault, "price", "--save", "falcon docs"]);
    assert_eq!(clash.code, Some(2), "{}", clash.describe());
    assert!(clash.stderr.contains("already saved"), "{}", clash.describe());
    let bad = custos(argv!["search", &vault, "*alcon", "--save", "wild"]);
    assert_eq!(bad.code, Some(2), "a query that cannot be searched exactly is not saved: {}", bad.describe());
    assert_eq!(custos(argv!["search", &vault, "--list-saved", "--json"]).json().as_array().unwrap().len(), 1);
    let again = custos(argv!["search", &vault, "--saved", "falcon docs", "--json"]);
    again.assert_success("run a saved search");
    assert_eq!(again.json().as_array().unwrap().len(), 2, "the message and the memo");

    // The production: chosen by the saved search, families completed, with a term list.
    let terms = dir.path().join("terms.txt");
    let list = "falcon\nprice\n\"trade secret\"\nlunch\n";
    write_file(&terms, list);
    let zip = dir.path().join("prod.zip");
    let out = custos(argv!["export", &vault, "--out", &zip, "--bates-prefix", "TS", "--saved-search", "falcon docs", "--search-terms", &terms, "--json"]);
    out.assert_success("export");
    let report = out.json();
    assert_eq!(report["exhibits"], 3, "the message, its attachment and the memo: {report:#}");
    assert_eq!((report["search"]["name"].as_str(), report["search"]["query"].as_str(), report["search"]["hits"].as_u64()), (Some("falcon docs"), Some("falcon"), Some(2)));
    let carried = &report["search_report"];
    let counts: Vec<(u64, u64, u64)> =
        carried["terms"].as_array().unwrap().iter().map(|t| (t["documents"].as_u64().unwrap(), t["with_families"].as_u64().unwrap(), t["unique"].as_u64().unwrap())).collect();
    // Over the three produced documents: lunch.txt was not produced.
    assert_eq!(counts, [(2, 3, 1), (1, 2, 1), (1, 1, 0), (0, 0, 0)], "{carried:#}");
    assert_eq!(carried["searched"], 3);
    assert_eq!(carried["terms_sha256"], sha256_hex(list.as_bytes()));

    // Recorded with the production: every exported event names the search.
    let log = custos(argv!["log", &vault, "--json"]).json();
    let exported: Vec<&Value> = log.as_array().unwrap().iter().filter(|e| e["action"] == "exported").collect();
    assert_eq!(exported.len(), 3);
    for e in &exported {
        assert_eq!(e["details"]["search"]["name"], "falcon docs", "{e:#}");
        assert_eq!(e["details"]["search"]["query"], "falcon");
        assert_eq!(e["details"]["search_terms_sha256"], sha256_hex(list.as_bytes()));
    }

    // The bundle carries the search, the list and the report, sealed.
    let bag = unzip_bundle(&zip, &dir.path().join("x"));
    let selection: Value = serde_json::from_slice(&std::fs::read(bag.join("data/search/selection.json")).unwrap()).unwrap();
    assert_eq!(selection, report["search"]);
    assert_eq!(std::fs::read_to_string(bag.join("data/search/terms.txt")).unwrap(), list);
    let csv = std::fs::read_to_string(bag.join("data/search/search-term-report.csv")).unwrap();
    assert!(csv.starts_with("term,documents,with_families,unique\r\nfalcon,2,3,1\r\n"), "{csv}");
    let pdf = std::fs::read(bag.join("data/search/search-term-report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let verified = custos(argv!["verify-bundle", &zip, "--json"]);
    verified.assert_success("the bundle verifies, its report reproduced");

    // The receiving side, without the vault: the same list on the bundle gives the same counts.
    for target in [&zip, &bag] {
        let theirs = custos(argv!["search-report", target, "--terms", bag.join("data/search/terms.txt"), "--json"]);
        theirs.assert_success("search-report on the bundle");
        assert_eq!(&theirs.json(), carried, "reproduced from {}", target.display());
    }

    // As a PDF from the bundle, and from the vault.
    let pdf = dir.path().join("theirs.pdf");
    custos(argv!["search-report", &zip, "--terms", &terms, "--out", &pdf]).assert_success("pdf from the bundle");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let ours = dir.path().join("ours.pdf");
    custos(argv!["search-report", &vault, "--terms", &terms, "--out", &ours]).assert_success("pdf from the vault");
    let text = Command::new("pdftotext").arg(&ours).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Search-term report") && text.contains(&sha256_hex(list.as_bytes())) && text.contains("every exhibit in the vault"), "{text}");

    // A report changed after the fact is named (besides the changed payload).
    let path = bag.join("data/search/search-term-report.json");
    let mut changed: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    changed["terms"][1]["documents"] = 0.into();
    std::fs::write(&path, serde_json::to_vec_pretty(&changed).unwrap()).unwrap();
    let out = custos(argv!["verify-bundle", &bag, "--json"]);
    assert_eq!(out.code, Some(1), "{}", out.describe());
    let findings = out.json()["findings"].to_string();
    assert!(findings.contains("search_report_mismatch") && findings.contains("price: 1/2/1 where the report says 0/2/1"), "{findings}");

    // A search that finds nothing writes nothing.
    let none = dir.path().join("none.zip");
    let out = custos(argv!["export", &vault, "--out", &none, "--search", "zeppelin"]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("finds no exhibit"), "{}", out.describe());
    assert!(!none.exists());
    custos(argv!["search", &vault, "--delete-saved", "falcon docs"]).assert_success("delete");
    assert_eq!(custos(argv!["search", &vault, "--list-saved", "--json"]).json(), serde_json::json!([]));
}
