//! The case timeline through the real binary: audit-log exports in the
//! published formats, taken in like any file, become events joined to the
//! documents they touched, each join labelled; a changed row is named.

#[macro_use]
mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

fn timeline(vault: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["timeline".to_string(), vault.display().to_string(), "--json".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = custos(&args);
    out.assert_success("timeline");
    out.json().as_array().cloned().unwrap()
}

#[test]
fn audit_log_exports_become_a_timeline_joined_to_the_documents_they_touched() {
    let dir = tempfile::tempdir().unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    let docs = dir.path().join("docs");
    let specs = b"Lodestar specifications\n".to_vec();
    write_file(&docs.join("specs.txt"), &specs);
    write_file(&docs.join("tolerances.txt"), "Lodestar tolerances: 0.01 mm\n");
    write_file(&docs.join("pricing.xlsx.txt"), "price list\n");
    custos(argv!["add", &vault, &docs, "--custodian", "Halvorsen"]).assert_success("add docs");
    // A document collected from a SharePoint address, named there.
    let plan = dir.path().join("plan").join("plan.docx");
    write_file(&plan, "plan text");
    let url = "https://halvorsen.sharepoint.com/sites/eng/Shared Documents/plan.docx";
    custos(argv!["add", &vault, &plan, "--source", url]).assert_success("add plan");
    let logs = dir.path().join("logs");
    // Microsoft 365, CSV: by name and size, by name alone (weak), by URL.
    let m365 = format!(
        "CreationDate,UserIds,Operations,AuditData\r\n\
         2026-05-14T21:04:00Z,erik@halvorsen.example,FileDownloaded,\"{{\"\"CreationTime\"\":\"\"2026-05-14T21:04:00\"\",\"\"Operation\"\":\"\"FileDownloaded\"\",\"\"UserId\"\":\"\"erik@halvorsen.example\"\",\"\"ObjectId\"\":\"\"https://halvorsen.sharepoint.com/sites/eng/Shared Documents/tolerances.txt\"\",\"\"SourceFileName\"\":\"\"tolerances.txt\"\",\"\"FileSizeBytes\"\":29}}\"\r\n\
         2026-05-14T21:05:00Z,erik@halvorsen.example,FileDownloaded,\"{{\"\"CreationTime\"\":\"\"2026-05-14T21:05:00\"\",\"\"Operation\"\":\"\"FileDownloaded\"\",\"\"UserId\"\":\"\"erik@halvorsen.example\"\",\"\"ObjectId\"\":\"\"https://halvorsen.sharepoint.com/sites/eng/Shared Documents/specs.txt\"\",\"\"SourceFileName\"\":\"\"specs.txt\"\"}}\"\r\n\
         2026-05-14T21:06:00Z,erik@halvorsen.example,FileDownloaded,\"{{\"\"CreationTime\"\":\"\"2026-05-14T21:06:00\"\",\"\"Operation\"\":\"\"FileDownloaded\"\",\"\"UserId\"\":\"\"erik@halvorsen.example\"\",\"\"ObjectId\"\":\"\"{url}\"\"}}\"\r\n\
         2026-05-14T21:07:00Z,erik@halvorsen.example,FileDownloaded,\"{{broken\"\r\n"
    );
    write_file(&logs.join("ual.csv"), m365);
    // Box, JSON: by the content's hash (SHA-1 is not recorded by default, so a SHA-256 the log carries).
    let boxed = format!(
        r#"{{"entries":[{{"type":"event","event_type":"DOWNLOAD","created_at":"2026-05-14T14:10:00-07:00","ip_address":"198.51.100.4","created_by":{{"name":"Erik Brandt","login":"erik@halvorsen.example"}},"source":{{"item_type":"file","item_id":"987","item_name":"renamed.pdf","sha256":"{}"}}}}]}}"#,
        sha256_hex(&specs)
    );
    write_file(&logs.join("box-events.json"), boxed);
    // Google Drive, CSV: another actor, a file not in the vault.
    write_file(&logs.join("drive.csv"), "Item name,Event,Actor,Date,Item ID,IP address\nunknown.doc,Download,anna@rival.example,2026-05-15T08:00:00Z,1X,203.0.113.9\n");
    custos(argv!["add", &vault, &logs]).assert_success("add logs");
    let list = list_json(&vault);
    let id_of = |name: &str| str_field(list.iter().find(|e| e["name"] == name).unwrap_or_else(|| panic!("no {name}")), "id").to_string();

    let all = timeline(&vault, &[]);
    assert_eq!(all.len(), 5, "three M365 rows read (the fourth broken), one Box, one Drive: {all:#?}");
    let times: Vec<&str> = all.iter().map(|e| e["time"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "in time order");
    let by_time = |t: &str| all.iter().find(|e| e["time"] == t).unwrap_or_else(|| panic!("no event at {t}: {all:#?}"));
    let tol = by_time("2026-05-14T21:04:00Z");
    assert_eq!((tol["exhibit"].as_str(), tol["join"].as_str(), tol["weak"].as_bool()), (Some(id_of("tolerances.txt").as_str()), Some("name_size"), Some(false)));
    assert_eq!(tol["row"], 1);
    assert_eq!(tol["source_exhibit"], id_of("ual.csv"));
    let sp = by_time("2026-05-14T21:05:00Z");
    assert_eq!((sp["join"].as_str(), sp["weak"].as_bool()), (Some("name"), Some(true)), "a name alone is a weak join");
    let pl = by_time("2026-05-14T21:06:00Z");
    assert_eq!((pl["exhibit"].as_str(), pl["join"].as_str()), (Some(id_of("plan.docx").as_str()), Some("object_id")));
    let bx = by_time("2026-05-14T21:10:00Z");
    assert_eq!((bx["exhibit"].as_str(), bx["join"].as_str()), (Some(id_of("specs.txt").as_str()), Some("hash")), "a renamed file is still found by its hash");
    let dr = by_time("2026-05-15T08:00:00Z");
    assert_eq!((dr["exhibit"].clone(), dr["join"].clone()), (Value::Null, Value::Null));

    // What happened to one document; one actor's events.
    let specs_events = timeline(&vault, &["--exhibit", &id_of("specs.txt")]);
    assert_eq!(specs_events.len(), 2, "downloaded twice: by name in M365, by hash in Box");
    assert_eq!(timeline(&vault, &["--actor", "ANNA@rival.example"]).len(), 1);
    let ual = custos(argv!["show", &vault, id_of("ual.csv"), "--json"]).json();
    assert_eq!(ual["processing"]["kind"], "audit_log");
    assert!(ual["processing"]["problems"].to_string().contains("row 4"), "the broken row is a problem: {}", ual["processing"]);
    let csv = custos(argv!["timeline", &vault, "--csv"]);
    assert!(csv.stdout.starts_with("time,actor,action,object,exhibit,join,weak,burst,source,source_exhibit,row,raw_sha256,ip\r\n"), "{}", csv.stdout);
    assert_eq!(csv.stdout.lines().count(), 6);

    // In a production, each document's downloads (strong joins only) and the last one's time.
    let zip = dir.path().join("prod.zip");
    custos(argv!["export", &vault, "--out", &zip, "--bates-prefix", "TL"]).assert_success("export");
    let rows = load_file_rows(&unzip_bundle(&zip, &dir.path().join("x")));
    let downloads = |name: &str| {
        let r = rows.iter().find(|r| r["FILENAME"] == name).unwrap_or_else(|| panic!("no row for {name}"));
        (r["DOWNLOADCOUNT"].clone(), r["LASTDOWNLOAD"].clone())
    };
    assert_eq!(downloads("specs.txt"), ("1".into(), "2026-05-14 21:10:00".into()), "the Box download by hash; the weak M365 one is not counted");
    assert_eq!(downloads("tolerances.txt"), ("1".into(), "2026-05-14 21:04:00".into()));
    assert_eq!(downloads("plan.docx"), ("1".into(), "2026-05-14 21:06:00".into()));
    assert_eq!(downloads("ual.csv"), ("0".into(), String::new()));

    // The events are derivations of the exports, checked by re-extraction.
    let (out, report) = verify_json(&vault, true);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(report["ok"], true, "{report}");
    let out = custos(argv!["verify", &vault, "--reextract", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
}

#[test]
fn a_mass_download_by_one_actor_is_marked_as_a_burst() {
    let dir = tempfile::tempdir().unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    // 55 downloads in under four minutes, one more an hour later, and another
    // actor's downloads at the same time.
    let mut csv = String::from("Item name,Event,Actor,Date,Item ID\n");
    for i in 0..55 {
        csv.push_str(&format!("doc{i}.pdf,Download,mallory@rival.example,2026-05-14T21:{:02}:{:02}Z,{i}\n", i / 15, (i % 15) * 4));
    }
    csv.push_str("late.pdf,Download,mallory@rival.example,2026-05-14T22:30:00Z,99\n");
    for i in 0..5 {
        csv.push_str(&format!("x{i}.pdf,Download,anna@rival.example,2026-05-14T21:01:0{i}Z,a{i}\n"));
    }
    write_file(&dir.path().join("logs").join("drive.csv"), csv);
    custos(argv!["add", &vault, dir.path().join("logs")]).assert_success("add");
    let all = timeline(&vault, &[]);
    assert_eq!(all.len(), 61);
    let burst = |actor: &str| all.iter().filter(|e| e["actor"] == actor && e["burst"] == true).count();
    assert_eq!(burst("mallory@rival.example"), 55, "the burst, not the download an hour later");
    assert_eq!(burst("anna@rival.example"), 0);
}

#[test]
fn the_exhibits_own_dates_stand_beside_the_audit_events_and_the_range_filters_both() {
    let dir = tempfile::tempdir().unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    let mail = "From: Erik Brandt <erik@halvorsen.example>\r\nTo: erik.b@private.example\r\nSubject: specs\r\n\
                Date: Thu, 14 May 2026 23:40:00 +0200\r\nMessage-ID: <a@halvorsen.example>\r\n\r\nsee attached\r\n";
    write_file(&dir.path().join("in").join("mail.eml"), mail);
    write_file(
        &dir.path().join("in").join("drive.csv"),
        "Item name,Event,Actor,Date,Item ID\nspecs.pdf,Download,erik@halvorsen.example,2026-05-14T21:00:00Z,1\nspecs.pdf,Edit,erik@halvorsen.example,2026-05-16T09:00:00Z,1\n",
    );
    custos(argv!["add", &vault, dir.path().join("in")]).assert_success("add");
    assert_eq!(timeline(&vault, &[]).len(), 2, "audit events alone by default");
    let all = timeline(&vault, &["--dates"]);
    assert_eq!(all.len(), 3, "{all:#?}");
    let sent = &all[1];
    assert_eq!((sent["source"].as_str(), sent["action"].as_str(), sent["time"].as_str()), (Some("metadata"), Some("e-mail sent"), Some("2026-05-14T21:40:00Z")));
    assert!(sent["actor"].as_str().unwrap().contains("erik@halvorsen.example"), "the sender: {sent}");
    assert_eq!(sent["exhibit"], sent["source_exhibit"]);
    // A day, an hour, an action.
    assert_eq!(timeline(&vault, &["--dates", "--from", "2026-05-14", "--to", "2026-05-14"]).len(), 2);
    assert_eq!(timeline(&vault, &["--dates", "--from", "2026-05-14T21", "--to", "2026-05-14T21"]).len(), 2);
    assert_eq!(timeline(&vault, &["--from", "2026-05-15"]).len(), 1);
    assert_eq!(timeline(&vault, &["--action", "edit"]).len(), 1);
    // As a PDF exhibit: every event, the sender's message among them.
    let pdf = dir.path().join("timeline.pdf");
    custos(argv!["timeline", &vault, "--dates", "--pdf", &pdf]).assert_success("timeline --pdf");
    let text = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext runs");
    let text = String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    for want in ["Case timeline", "e-mail sent", "2026-05-14 21:40:00", "Download", "row 2", "3 Selected every event"] {
        assert!(text.contains(want), "{want}: {text}");
    }
    let again = custos(argv!["timeline", &vault, "--pdf", &pdf]);
    assert_eq!(again.code, Some(2), "an existing file is not overwritten: {}", again.describe());
    let bad = custos(argv!["timeline", &vault, "--from", "14 May"]);
    assert_eq!(bad.code, Some(2), "{}", bad.describe());
    assert!(bad.stderr.contains("14 May is not a day"), "{}", bad.stderr);
}

#[test]
fn a_usb_history_in_no_known_format_is_read_through_a_saved_column_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    let docs = dir.path().join("docs");
    let specs = b"Lodestar specifications\n".to_vec();
    write_file(&docs.join("specs.txt"), &specs);
    write_file(&docs.join("tolerances.txt"), "Lodestar tolerances: 0.01 mm\n");
    write_file(&docs.join("notes.txt"), "notes\n");
    custos(argv!["add", &vault, &docs]).assert_success("add docs");
    // An endpoint agent's USB history: local times (UTC-5), a hash on one row, sizes on some.
    let usb = "Date Time,User Name,Computer,Event,File Path,File Size,Device Serial,SHA256\r\n\
               2026-05-14 16:02:00,ebrandt,WS-ENG-0291,Copied to removable media,E:\\Lodestar\\renamed.bin,24,USB-7731,"
        .to_string()
        + &sha256_hex(&specs)
        + "\r\n2026-05-14 16:02:05,ebrandt,WS-ENG-0291,Copied to removable media,E:\\Lodestar\\tolerances.txt,29,USB-7731,\r\n\
           2026-05-14 16:02:09,ebrandt,WS-ENG-0291,Copied to removable media,E:\\Lodestar\\notes.txt,,USB-7731,\r\n\
           2026-05-14 16:03:00,ebrandt,WS-ENG-0291,Device removed,E:\\,,USB-7731,\r\n\
           yesterday,ebrandt,WS-ENG-0291,Copied to removable media,E:\\x.txt,,USB-7731,\r\n";
    write_file(&dir.path().join("logs").join("usb-history.csv"), &usb);
    custos(argv!["add", &vault, dir.path().join("logs")]).assert_success("add the export");
    assert!(timeline(&vault, &[]).is_empty(), "a CSV in no known format is a document, not yet events");

    // A mapping that names a column twice, or lacks one, is refused and nothing is saved.
    let twice = custos(argv!["audit-mapping", &vault, "--name", "usb", "--time", "Date Time", "--actor", "User Name", "--action", "Event", "--object", "Event"]);
    assert_eq!(twice.code, Some(2), "{}", twice.describe());
    assert!(twice.stderr.contains("named for both action and object"), "{}", twice.describe());
    let offset = custos(argv!["audit-mapping", &vault, "--name", "usb", "--time", "Date Time", "--actor", "User Name", "--action", "Event", "--object", "File Path", "--utc-offset", "5h"]);
    assert_eq!(offset.code, Some(2), "{}", offset.describe());
    assert_eq!(custos(argv!["audit-mapping", &vault, "--list", "--json"]).json(), serde_json::json!([]));

    let saved = custos(argv![
        "audit-mapping", &vault, "--name", "usb", "--time", "Date Time", "--actor", "User Name", "--action", "Event", "--object", "File Path",
        "--device", "Computer", "--size", "File Size", "--hash", "SHA256", "--utc-offset", "-05:00", "--json"
    ]);
    saved.assert_success("save the mapping");
    let saved = saved.json();
    let list = list_json(&vault);
    let id_of = |name: &str| str_field(list.iter().find(|e| e["name"] == name).unwrap_or_else(|| panic!("no {name}")), "id").to_string();
    assert_eq!(saved["read"], serde_json::json!([{"exhibit": id_of("usb-history.csv"), "events": 4, "problems": 1}]), "{saved:#}");
    let again = custos(argv!["audit-mapping", &vault, "--name", "USB", "--time", "a", "--actor", "b", "--action", "c", "--object", "d"]);
    assert_eq!(again.code, Some(2), "a saved mapping never changes: {}", again.describe());

    let all = timeline(&vault, &[]);
    assert_eq!(all.len(), 4, "{all:#?}");
    let at = |t: &str| all.iter().find(|e| e["time"] == t).unwrap_or_else(|| panic!("no event at {t}: {all:#?}"));
    let first = at("2026-05-14T21:02:00Z");
    assert_eq!((first["exhibit"].as_str(), first["join"].as_str()), (Some(id_of("specs.txt").as_str()), Some("hash")), "a renamed copy found by its hash");
    let second = at("2026-05-14T21:02:05Z");
    assert_eq!((second["exhibit"].as_str(), second["join"].as_str()), (Some(id_of("tolerances.txt").as_str()), Some("name_size")));
    let third = at("2026-05-14T21:02:09Z");
    assert_eq!((third["join"].as_str(), third["weak"].as_bool()), (Some("name"), Some(true)));
    assert_eq!(at("2026-05-14T21:03:00Z")["exhibit"], Value::Null);
    assert_eq!(timeline(&vault, &["--exhibit", &id_of("tolerances.txt")]).len(), 1);
    let show = custos(argv!["show", &vault, id_of("usb-history.csv"), "--json"]).json();
    assert_eq!(show["processing"]["kind"], "audit_log");
    assert!(show["processing"]["problems"].to_string().contains("row 5"), "the row with no readable time: {}", show["processing"]);

    // An export with the same columns taken in later is read through it when processed.
    write_file(&dir.path().join("later").join("usb-2.csv"), "Date Time,User Name,Computer,Event,File Path,File Size,Device Serial,SHA256\r\n2026-05-20 09:00:00,ebrandt,WS-ENG-0291,Device inserted,E:\\,,USB-7731,\r\n");
    custos(argv!["add", &vault, dir.path().join("later")]).assert_success("add another export");
    assert_eq!(timeline(&vault, &[]).len(), 5);

    // Logged, and checked again by re-extraction through the recorded mapping.
    let log = custos(argv!["log", &vault, "--json"]).json();
    let setting = log.as_array().unwrap().iter().find(|e| e["action"] == "setting_changed").expect("the mapping is logged");
    assert_eq!(setting["details"]["setting"], "audit_mapping_saved");
    assert_eq!(setting["details"]["sha256"], saved["saved"]["sha256"]);
    let out = custos(argv!["verify", &vault, "--reextract", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(out.json()["ok"], true);
    assert_eq!(out.json()["findings"], serde_json::json!([]), "re-extraction agrees with every derivation, the metadata read anew included");
}
