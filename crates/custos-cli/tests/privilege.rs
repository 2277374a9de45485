//! Designations and the privilege log through the real binary: a document
//! designated privileged and withheld is on the log with what processing
//! read of it (never its content), each designation is logged, and a
//! designation that cannot stand is refused with nothing changed.

#[macro_use]
mod common;

use common::*;
use serde_json::Value;

#[test]
fn a_withheld_document_is_on_the_privilege_log_and_every_designation_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    let src = dir.path().join("collected");
    write_file(
        &src.join("advice.eml"),
        "From: Dana Whitfield <dana@halvorsen.example>\r\nTo: Ruth Kessler <rkessler@kesslermoreau.example>\r\nCc: legal@halvorsen.example\r\n\
         Subject: Brandt agreement - the secret strategy\r\nDate: Tue, 19 May 2026 09:15:00 +0000\r\nMessage-ID: <adv@halvorsen.example>\r\n\r\n\
         Our privileged strategy is to settle.\r\n",
    );
    write_file(&src.join("memo.txt"), "Lodestar memo\n");
    custos(argv!["add", &vault, &src]).assert_success("add");
    let list = list_json(&vault);
    let id_of = |name: &str| str_field(list.iter().find(|e| e["name"] == name).unwrap(), "id").to_string();
    let (advice, memo) = (id_of("advice.eml"), id_of("memo.txt"));

    // Withheld needs a privilege and a description; refused, nothing changes.
    let edits = || custos(argv!["log", &vault, "--json"]).json().as_array().unwrap().iter().filter(|e| e["action"] == "metadata_edited").count();
    let before = edits();
    let out = custos(argv!["designate", &vault, &advice, &memo, "--withhold", "--privilege", "attorney-client"]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("description for the privilege log"), "{}", out.describe());
    let out = custos(argv!["designate", &vault, &advice, "--privilege", "secret"]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert_eq!(edits(), before, "nothing was designated");
    assert_eq!(custos(argv!["show", &vault, &memo, "--json"]).json()["designation"]["withheld"], false);

    custos(argv![
        "designate", &vault, &advice, "--privilege", "attorney-client", "--withhold",
        "--log-description", "E-mail to outside counsel requesting legal advice on the Brandt agreement", "--confidentiality", "CONFIDENTIAL"
    ])
    .assert_success("designate");
    custos(argv!["designate", &vault, &memo, "--confidentiality", "HIGHLY CONFIDENTIAL"]).assert_success("designate the memo");
    let shown = custos(argv!["show", &vault, &advice, "--json"]).json();
    assert_eq!(
        shown["designation"],
        serde_json::json!({"privilege": "attorney_client", "withheld": true, "log_description": "E-mail to outside counsel requesting legal advice on the Brandt agreement", "confidentiality": "CONFIDENTIAL"})
    );
    let log = custos(argv!["log", &vault, "--exhibit", &advice, "--json"]).json();
    let edit = log.as_array().unwrap().iter().rev().find(|e| e["action"] == "metadata_edited").expect("the designation is logged");
    assert_eq!(edit["details"]["field"], "designation");
    assert_eq!(edit["details"]["before"]["withheld"], false);
    assert_eq!(edit["details"]["after"]["withheld"], true);

    // The log: the withheld document only, from its metadata.
    let rows = custos(argv!["privilege-log", &vault, "--json"]).json();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:#?}");
    let r = &rows[0];
    assert_eq!(r["exhibit"], Value::String(advice.clone()));
    assert_eq!(r["document_type"], "E-mail");
    assert!(r["date"].as_str().unwrap().starts_with("2026-05-19"), "{r}");
    assert!(r["author"].as_str().unwrap().contains("dana@halvorsen.example"), "{r}");
    assert!(r["recipients"].as_str().unwrap().contains("rkessler@kesslermoreau.example") && r["recipients"].as_str().unwrap().contains("legal@halvorsen.example"), "{r}");
    assert_eq!(r["privilege"], "Attorney-client privilege");
    let csv = custos(argv!["privilege-log", &vault]);
    assert!(csv.stdout.starts_with("bates,exhibit,family,date,document_type,author,recipients,privilege,description\r\n"), "{}", csv.stdout);
    assert!(!csv.stdout.contains("strategy"), "never the content, nor the subject: {}", csv.stdout);
    let pdf = dir.path().join("privilege-log.pdf");
    custos(argv!["privilege-log", &vault, "--out", &pdf]).assert_success("pdf");
    let text = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Privilege log") && text.contains("requesting legal advice") && !text.contains("strategy"), "{text}");

    // Produced again: off the log.
    custos(argv!["designate", &vault, &advice, "--produce"]).assert_success("produce");
    assert_eq!(custos(argv!["privilege-log", &vault, "--json"]).json(), serde_json::json!([]));
}
