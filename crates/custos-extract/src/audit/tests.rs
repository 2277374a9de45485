//! Audit-log exports in each format: events with their rows, raw-row
//! hashes, times in UTC, the file they touched; bad rows as problems; other
//! CSV and JSON not taken for audit logs.

use super::*;

fn sha(raw: &str) -> String {
    sha256(raw.as_bytes())
}

#[test]
fn m365_csv_reads_audit_data_and_hashes_each_raw_row() {
    let row1 = r#"2026-05-14T21:04:00.0000000Z,erik@halvorsen.example,FileDownloaded,"{""CreationTime"":""2026-05-14T21:04:00"",""Operation"":""FileDownloaded"",""UserId"":""erik@halvorsen.example"",""ClientIP"":""203.0.113.7"",""ObjectId"":""https://halvorsen.sharepoint.com/sites/eng/Shared Documents/Lodestar/specs.pdf"",""SourceFileName"":""specs.pdf"",""ListItemUniqueId"":""6f1c0a3e-1111-4a5b-9c00-0000000000aa"",""UserAgent"":""OneDriveMpc-Transform_Thumbnail/1.0""}""#;
    // The date column alone when AuditData lacks one; a US-style date.
    let row2 = r#"5/14/2026 9:10:00 PM,erik@halvorsen.example,FileSyncDownloadedFull,"{""Operation"":""FileSyncDownloadedFull"",""ObjectId"":""https://halvorsen.sharepoint.com/sites/eng/Shared Documents/Lodestar/tolerances.txt"",""FileSizeBytes"":28}""#;
    let row3 = r#"2026-05-14T21:20:00Z,erik@halvorsen.example,FileDownloaded,"{not json""#;
    let csv = format!("\u{feff}CreationDate,UserIds,Operations,AuditData\r\n{row1}\r\n{row2}\r\n{row3}\r\n");
    let log = audit_log(csv.as_bytes()).unwrap().expect("an M365 export");
    assert_eq!(log.format, "m365-csv");
    assert_eq!(log.events.len(), 2);
    let a = &log.events[0];
    assert_eq!((a.row, a.time.as_str(), a.actor.as_str(), a.action.as_str()), (1, "2026-05-14T21:04:00Z", "erik@halvorsen.example", "FileDownloaded"));
    assert_eq!(a.file_name.as_deref(), Some("specs.pdf"));
    assert_eq!(a.object_id.as_deref(), Some("6f1c0a3e-1111-4a5b-9c00-0000000000aa"));
    assert_eq!(a.ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(a.raw_sha256, sha(row1), "the row's bytes as the export has them");
    let b = &log.events[1];
    assert_eq!((b.row, b.time.as_str(), b.action.as_str()), (2, "2026-05-14T21:10:00Z", "FileSyncDownloadedFull"));
    assert_eq!((b.file_name.as_deref(), b.size), (Some("tolerances.txt"), Some(28)), "the name from the object's URL");
    assert_eq!(b.raw_sha256, sha(row2));
    assert_eq!(log.problems.len(), 1);
    assert!(log.problems[0].item == "row 3" && log.problems[0].reason.contains("AuditData is not JSON"), "{:?}", log.problems);
}

#[test]
fn m365_json_drive_csv_and_box_json() {
    let m365 = r#"[{"CreationTime":"2026-05-14T21:04:00","Operation":"FileDownloaded","UserId":"erik@halvorsen.example","ObjectId":"https://x/specs.pdf","SHA256":"AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12"},
        {"RecordType":6,"CreationDate":"2026-05-14T21:05:00Z","AuditData":"{\"CreationTime\":\"2026-05-14T21:05:00\",\"Operation\":\"FileAccessed\",\"UserId\":\"anna@rival.example\",\"ObjectId\":\"https://x/plan.docx\"}"}]"#;
    let log = audit_log(m365.as_bytes()).unwrap().unwrap();
    assert_eq!(log.format, "m365-json");
    assert_eq!(log.events.len(), 2);
    assert_eq!(log.events[0].hash, Some(("sha256".into(), "ab12".repeat(16))));
    assert_eq!((log.events[1].actor.as_str(), log.events[1].file_name.as_deref()), ("anna@rival.example", Some("plan.docx")));
    let first_raw = &m365[1..m365.find("},").unwrap() + 1];
    assert_eq!(log.events[0].raw_sha256, sha(first_raw), "an entry's raw bytes as the export has them");

    let drive = "Item name,Event,Description,Actor,Date,Item ID,Item type,Owner,IP address\n\
                 specs.pdf,Download,Erik downloaded an item,erik@halvorsen.example,2026-05-14T21:04:00Z,1AbCdEf,PDF,erik@halvorsen.example,203.0.113.7\n\
                 \"plan, final.docx\",View,,anna@rival.example,2026-05-14T23:00:00+02:00,2XyZ,Document,erik@halvorsen.example,\n";
    let log = audit_log(drive.as_bytes()).unwrap().unwrap();
    assert_eq!(log.format, "drive-csv");
    assert_eq!(log.events[0].object_id.as_deref(), Some("1AbCdEf"));
    assert_eq!((log.events[1].file_name.as_deref(), log.events[1].time.as_str()), (Some("plan, final.docx"), "2026-05-14T21:00:00Z"));
    assert_eq!(log.events[1].ip, None);

    let boxed = r#"{"entries":[{"type":"event","event_id":"e1","event_type":"DOWNLOAD","created_at":"2026-05-14T14:04:00-07:00","ip_address":"198.51.100.4","created_by":{"type":"user","name":"Erik Brandt","login":"erik@halvorsen.example"},"source":{"item_type":"file","item_id":"987","item_name":"specs.pdf","sha1":"0123456789abcdef0123456789abcdef01234567"}}],"next_stream_position":"0"}"#;
    let log = audit_log(boxed.as_bytes()).unwrap().unwrap();
    assert_eq!(log.format, "box-json");
    let e = &log.events[0];
    assert_eq!((e.time.as_str(), e.actor.as_str(), e.action.as_str(), e.object_id.as_deref()), ("2026-05-14T21:04:00Z", "erik@halvorsen.example", "DOWNLOAD", Some("987")));
    assert_eq!(e.hash, Some(("sha1".into(), "0123456789abcdef0123456789abcdef01234567".into())));
}

#[test]
fn other_csv_and_json_are_not_audit_logs() {
    assert!(audit_log(b"name,revenue\nAcme,100\n").unwrap().is_none());
    assert!(audit_log(br#"{"name": "x"}"#).unwrap().is_none());
    assert!(audit_log(b"[1, 2, 3]").unwrap().is_none());
    assert!(audit_log(b"").unwrap().is_none());
    assert_eq!(utc("2026-05-14T21:04:00+02:00").as_deref(), Some("2026-05-14T19:04:00Z"));
    assert_eq!(utc("yesterday"), None);
}


fn usb_mapping() -> Mapping {
    Mapping {
        name: "usb".into(),
        time: "Date Time".into(),
        actor: "user_name".into(),
        action: "EVENT".into(),
        object: "File Path".into(),
        ip: None,
        device: Some("Computer".into()),
        file_name: None,
        size: Some("File Size".into()),
        hash: Some("SHA256".into()),
        utc_offset: Some("-05:00".into()),
    }
}

#[test]
fn a_csv_in_no_known_format_is_read_through_the_first_mapping_whose_columns_it_has() {
    let csv = b"Date Time,User Name,Computer,Event,File Path,File Size,SHA256\n2026-05-14 16:02:00,ebrandt,WS-1,Copied,E:\\a\\specs.pdf,\"1,024\",ABCDEF0123456789ABCDEF0123456789\n2026-05-14T21:02:00Z,ebrandt,WS-1,Copied,E:\\b,,\n";
    assert!(audit_log(csv).unwrap().is_none(), "no known format, no mapping");
    let other = Mapping { name: "docsys".into(), time: "timestamp_utc".into(), ..usb_mapping() };
    let log = audit_log_with(csv, &[other, usb_mapping()]).unwrap().expect("read through the mapping that fits");
    assert_eq!((log.format, log.mapping.as_ref().map(|m| m.name.as_str())), ("mapped-csv", Some("usb")));
    assert!(log.problems.is_empty(), "{:?}", log.problems);
    let e = &log.events[0];
    assert_eq!(e.time, "2026-05-14T21:02:00Z", "local time at UTC-5");
    assert_eq!(log.events[1].time, "2026-05-14T21:02:00Z", "a time with its zone keeps it");
    assert_eq!((e.actor.as_str(), e.action.as_str(), e.device.as_deref()), ("ebrandt", "Copied", Some("WS-1")));
    assert_eq!((e.file_name.as_deref(), e.size), (Some("specs.pdf"), Some(1024)));
    assert_eq!(e.hash, Some(("md5".into(), "abcdef0123456789abcdef0123456789".into())), "a 32-digit hash is MD5");
    assert_eq!(log.events[1].file_name, None, "a path with no file name");
    assert!(log.fields().iter().any(|f| f.field == "audit_mapping" && f.value == "usb"));
    assert!(extractor_for(Some(&usb_mapping())).settings.contains(&usb_mapping().sha256()));
}

#[test]
fn a_mapping_is_checked_before_it_is_saved() {
    assert_eq!(usb_mapping().check(), Ok(()));
    let blank = Mapping { actor: " ".into(), ..usb_mapping() };
    assert_eq!(blank.check(), Err("the actor column is named by nothing".into()));
    let twice = Mapping { device: Some("Date_Time".into()), ..usb_mapping() };
    assert_eq!(twice.check(), Err("the column Date_Time is named for both time and device".into()));
    for bad in ["5", "+25:00", "-05:60", "05:00"] {
        assert!(Mapping { utc_offset: Some(bad.into()), ..usb_mapping() }.check().is_err(), "{bad}");
    }
    assert_eq!(Mapping { utc_offset: Some("+05:30".into()), ..usb_mapping() }.check(), Ok(()));
}
