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

#[test]
fn a_withheld_document_is_a_slip_sheet_in_the_production_and_its_family_keeps_its_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    let src = dir.path().join("collected");
    // A privileged message whose attachment is not privileged, and a memo.
    write_file(
        &src.join("advice.eml"),
        "From: Dana Whitfield <dana@halvorsen.example>\r\nTo: Ruth Kessler <rkessler@kesslermoreau.example>\r\nSubject: Brandt agreement - our settlement strategy\r\n\
         Date: Tue, 19 May 2026 09:15:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
         Privileged: we plan to settle for two million.\r\n--b\r\nContent-Type: text/plain; name=\"agreement.txt\"\r\nContent-Disposition: attachment; filename=\"agreement.txt\"\r\n\r\n\
         Employment agreement, section 7: confidentiality.\r\n--b--\r\n",
    );
    write_file(&src.join("memo.txt"), "Lodestar memo\n");
    custos(argv!["add", &vault, &src]).assert_success("add");
    let list = list_json(&vault);
    let id_of = |name: &str| str_field(list.iter().find(|e| e["name"] == name).unwrap(), "id").to_string();
    let advice = id_of("advice.eml");
    custos(argv![
        "designate", &vault, &advice, "--privilege", "attorney-client", "--withhold",
        "--log-description", "E-mail to outside counsel requesting legal advice", "--confidentiality", "CONFIDENTIAL"
    ])
    .assert_success("designate");
    custos(argv!["designate", &vault, id_of("memo.txt"), "--confidentiality", "HIGHLY CONFIDENTIAL"]).assert_success("designate the memo");

    let zip = dir.path().join("prod.zip");
    let out = custos(argv!["export", &vault, "--out", &zip, "--bates-prefix", "TS", "--json"]);
    out.assert_success("export");
    let report = out.json();
    assert_eq!(report["withheld"], serde_json::json!(["TS000001"]), "{report:#}");
    assert_eq!(report["exhibits"], 2, "the attachment and the memo are produced");
    assert!(report["qc"].to_string().contains("privilege log: 1 withheld document"), "{report:#}");

    let bag = unzip_bundle(&zip, &dir.path().join("x"));
    // Nothing of the withheld message is in the bag: not its text, not its subject.
    for f in files_under(&bag) {
        let bytes = std::fs::read(&f).unwrap();
        for secret in ["two million", "settlement strategy"] {
            assert!(find_all(&bytes, secret.as_bytes()).is_empty(), "{} holds {secret:?}", f.display());
        }
    }
    // The slip sheet: one page with its Bates number and the privilege.
    let sheet = bag.join("data/VOL001/IMAGES/0001/TS000001.pdf");
    let text = std::process::Command::new("pdftotext").arg(&sheet).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("TS000001") && text.contains("WITHHELD") && text.contains("Attorney-client privilege"), "{text}");
    assert!(!bag.join("data/VOL001/NATIVES/0001/TS000001.eml").exists());

    // The load file: the family spans both numbers; the withheld row names only its slip sheet.
    let rows = load_file_rows(&bag);
    assert_eq!(rows.len(), 3);
    let w = &rows[0];
    assert_eq!((w["BEGBATES"].as_str(), w["BEGATTACH"].as_str(), w["ENDATTACH"].as_str()), ("TS000001", "TS000001", "TS000002"));
    assert_eq!((w["NATIVEPATH"].as_str(), w["SHA256HASH"].as_str(), w["FILENAME"].as_str(), w["SUBJECT"].as_str()), ("", "", "", ""));
    assert_eq!((w["PRIVILEGE"].as_str(), w["CONFIDENTIALITY"].as_str(), w["IMAGEPATH"].as_str()), ("Withheld \u{2013} Attorney-client privilege", "CONFIDENTIAL", "VOL001\\IMAGES\\0001\\TS000001.pdf"));
    assert_eq!((rows[1]["FILENAME"].as_str(), rows[1]["BEGATTACH"].as_str(), rows[1]["PRIVILEGE"].as_str()), ("agreement.txt", "TS000001", ""));
    assert_eq!(rows[2]["CONFIDENTIALITY"], "HIGHLY CONFIDENTIAL");
    // The privilege log lists exactly it, with its Bates number.
    let log: Value = serde_json::from_slice(&std::fs::read(bag.join("data/privilege-log.json")).unwrap()).unwrap();
    assert_eq!(log.as_array().unwrap().len(), 1);
    assert_eq!((log[0]["bates"].as_str(), log[0]["exhibit"].as_str()), (Some("TS000001"), Some(advice.as_str())));
    assert!(std::fs::read_to_string(bag.join("data/privilege-log.csv")).unwrap().contains("TS000001"));
    assert!(std::fs::read(bag.join("data/privilege-log.pdf")).unwrap().starts_with(b"%PDF-"));
    let readme = std::fs::read_to_string(bag.join("README.txt")).unwrap();
    assert!(readme.contains("1 document(s) are withheld on the ground of privilege: TS000001."), "{readme}");
    // Logged: the withheld exhibit's export event says so and carries no hash.
    let events = custos(argv!["log", &vault, "--exhibit", &advice, "--json"]).json();
    let exported = events.as_array().unwrap().iter().find(|e| e["action"] == "exported").expect("logged");
    assert_eq!(exported["details"]["withheld"], "Attorney-client privilege");
    assert_eq!(exported["hash_after"], Value::Null);

    // The bundle verifies; the receiving side takes in what was produced, not the slip sheet.
    custos(argv!["verify-bundle", &zip, "--json"]).assert_success("verify");
    let theirs = init_vault(&dir.path().join("counsel"));
    let out = custos(argv!["import-bundle", &theirs, &zip, "--json"]);
    out.assert_success("import");
    assert_eq!(list_json(&theirs).len(), 2, "the attachment and the memo");

    // A privilege-log row removed is named by verify-bundle.
    std::fs::write(bag.join("data/privilege-log.json"), "[]").unwrap();
    let out = custos(argv!["verify-bundle", &bag, "--json"]);
    assert_eq!(out.code, Some(1), "{}", out.describe());
    let findings = out.json()["findings"].to_string();
    assert!(findings.contains("privilege_log_mismatch") && findings.contains("TS000001 is withheld but not on the privilege log"), "{findings}");
}
