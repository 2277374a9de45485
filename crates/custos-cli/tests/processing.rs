//! Processing through the real binary: e-mail, mailboxes and archives
//! expanded into exhibits and families, metadata and text read, each a
//! `derived` custody event; damaged containers stay stored and verified;
//! no plaintext of an item reaches the disk.

#[macro_use]
mod common;

use common::*;
use serde_json::Value;
use std::io::Write;
use std::path::Path;

const CANARY: &str = "CANARY-7f3a9c-ATTACHMENT-PLAINTEXT";

fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A message with a text attachment and an attached message that has an
/// attachment of its own.
fn message_with_nested(attachment: &[u8]) -> String {
    let inner = "From: Carol <carol@rival.example>\r\nTo: Dan <dan@rival.example>\r\nSubject: Inner plan\r\nDate: Tue, 6 May 2025 09:00:00 +0000\r\nMessage-ID: <inner@rival.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"in\"\r\n\r\n--in\r\nContent-Type: text/plain\r\n\r\nSee the list.\r\n--in\r\nContent-Type: text/csv; name=\"customers.csv\"\r\nContent-Disposition: attachment; filename=\"customers.csv\"\r\n\r\nname,revenue\r\nAcme,100\r\n--in--\r\n";
    format!(
        "From: Eve Example <eve@victim.example>\r\nTo: Mallory <mallory@rival.example>\r\nCc: Trent <trent@victim.example>\r\nSubject: Project Falcon drawings\r\nDate: Mon, 5 May 2025 14:30:00 -0400\r\nMessage-ID: <outer@victim.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"out\"\r\n\r\n--out\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAttached are the Falcon drawings.\r\n--out\r\nContent-Type: text/plain; name=\"notes.txt\"\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--out\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n{inner}\r\n--out--\r\n",
        b64(attachment)
    )
}

fn mailbox(attachment: &[u8]) -> String {
    let mut m = String::new();
    for (i, subject) in ["Lunch", "Falcon again", "From the road"].iter().enumerate() {
        m.push_str(&format!("From sender{i}@victim.example Mon May  5 10:0{i}:00 2025\n"));
        m.push_str(&format!("From: sender{i}@victim.example\nTo: eve@victim.example\nSubject: {subject}\nDate: Mon, 5 May 2025 10:0{i}:00 +0000\nMessage-ID: <mbox{i}@victim.example>\nStatus: RO\n"));
        if i == 1 {
            m.push_str(&format!("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nSame notes.\n--b\nContent-Type: text/plain; name=\"notes.txt\"\nContent-Disposition: attachment; filename=\"notes.txt\"\nContent-Transfer-Encoding: base64\n\n{}\n--b--\n\n", b64(attachment)));
        } else {
            m.push_str("\n>From the road, with love.\nBody of the message.\n\n");
        }
    }
    m
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn by_name<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter().find(|e| e["name"] == name).unwrap_or_else(|| panic!("no exhibit named {name} in {list:#?}"))
}

fn show(vault: &Path, id: &str) -> Value {
    let out = custos(argv!["show", vault, id, "--json"]);
    out.assert_success("show --json");
    out.json()
}

#[test]
fn messages_mailboxes_and_archives_become_families_with_metadata_text_and_derivations() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    let attachment = format!("Falcon notes\n{CANARY}\n");
    let src = dir.path().join("collected");
    write_file(&src.join("falcon.eml"), message_with_nested(attachment.as_bytes()));
    write_file(&src.join("eve.mbox"), mailbox(attachment.as_bytes()));
    write_file(&src.join("take.zip"), zip_of(&[("docs/plan.txt", b"the plan"), ("inner.zip", &zip_of(&[("deep.txt", b"deep")]))]));
    write_file(&src.join("broken.zip"), b"PK\x03\x04 this is not a whole archive");

    let mut cmd = custos_command(argv!["add", &vault, &src, "--custodian", "Eve Example"]);
    cmd.env("TMPDIR", &tmp);
    let out = run(&mut cmd);
    // The damaged archive fails processing (exit 2); everything else is in.
    assert_eq!(out.code, Some(2), "a failed item makes the exit status 2; {}", out.describe());
    assert!(out.stderr.contains("failed 1"), "{}", out.describe());

    let list = list_json(&vault);
    let eml = by_name(&list, "falcon.eml");
    let eml_id = str_field(eml, "id");
    assert_eq!(eml["parent"], Value::Null);
    assert_eq!(eml["family"], eml_id, "a message collected as a file heads its family");
    let notes = by_name(&list, "notes.txt");
    assert_eq!(notes["parent"], eml_id, "the attachment's first parent is the message");
    assert_eq!(notes["family"], eml_id);
    assert_eq!(notes["custodian"], "Eve Example", "items inherit the container's custodian");
    assert_eq!(str_field(notes, "sha256"), sha256_hex(attachment.as_bytes()), "the attachment is stored byte for byte");
    let inner = by_name(&list, "Inner plan.eml");
    assert_eq!(inner["parent"], eml_id);
    let csv = by_name(&list, "customers.csv");
    assert_eq!(csv["parent"], inner["id"], "an attachment of an attached message is its child");
    assert_eq!(csv["family"], eml_id, "and a member of the top message's family");

    // The message's detail: children in order, metadata with sources, derivations.
    let d = show(&vault, eml_id);
    assert_eq!(d["children"], serde_json::json!([notes["id"], inner["id"]]));
    let meta = d["metadata"].as_array().unwrap();
    let field = |f: &str| meta.iter().find(|m| m["field"] == f).unwrap_or_else(|| panic!("no {f} in {meta:#?}")).clone();
    assert_eq!(field("subject")["value"], "Project Falcon drawings");
    assert_eq!(field("subject")["source"], "email:Subject");
    assert!(field("from")["value"].as_str().unwrap().contains("eve@victim.example"));
    assert!(field("date_sent")["value"].as_str().unwrap().starts_with("2025-05-05T14:30:00"), "{}", field("date_sent"));
    assert!(field("subject")["extractor"].as_str().unwrap().starts_with("custos-extract/mail"));
    let kinds: Vec<&str> = d["derivations"].as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "item").count(), 2, "{kinds:?}");
    assert!(kinds.contains(&"metadata") && kinds.contains(&"text"), "{kinds:?}");
    for x in d["derivations"].as_array().unwrap() {
        assert_eq!(x["input_sha256"], eml["sha256"], "every derivation names the message's hash as its input");
    }

    // The mailbox: messages head their own families; the same attachment in
    // two messages is one exhibit, in both families.
    let mbox = by_name(&list, "eve.mbox");
    let falcon_again = list.iter().find(|e| e["name"].as_str().unwrap().contains("Falcon again")).expect("the second message");
    assert_eq!(falcon_again["parent"], Value::Null, "a mailbox's messages head families");
    assert_eq!(falcon_again["family"], falcon_again["id"]);
    let fa = show(&vault, str_field(falcon_again, "id"));
    assert_eq!(fa["children"], serde_json::json!([notes["id"]]), "deduplication does not break the second family");
    let notes_detail = show(&vault, str_field(notes, "id"));
    let sources = notes_detail["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2, "each occurrence is recorded: {sources:#?}");
    let m = show(&vault, str_field(mbox, "id"));
    assert_eq!(m["processing"]["kind"], "mbox");
    assert_eq!(list.iter().filter(|e| e["name"].as_str().unwrap().starts_with("message ")).count(), 3, "three messages");

    // Archives: entries are children, nested archives expanded in turn.
    let take = by_name(&list, "take.zip");
    let deep = by_name(&list, "deep.txt");
    assert_eq!(deep["family"], take["id"]);
    assert_eq!(by_name(&list, "plan.txt")["parent"], take["id"]);

    // The damaged archive is stored and verified; its failure is recorded.
    let broken = show(&vault, str_field(by_name(&list, "broken.zip"), "id"));
    assert_eq!(broken["processing"]["status"], "failed");
    assert!(broken["processing"]["reason"].as_str().unwrap().contains("zip"), "{}", broken["processing"]);

    // Text: printed, and logged as a view.
    let out = custos(argv!["text", &vault, eml_id]);
    out.assert_success("text of a processed message");
    assert!(out.stdout.contains("Attached are the Falcon drawings."), "{}", out.describe());
    let log = custos(argv!["log", &vault, "--exhibit", eml_id, "--json"]).json();
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"derived") && actions.last() == Some(&"viewed"), "{actions:?}");
    let born = custos(argv!["log", &vault, "--exhibit", str_field(deep, "id"), "--json"]).json();
    let first = &born.as_array().unwrap()[0];
    assert_eq!(first["action"], "derived", "an item's first event is its derivation");
    assert_eq!(first["hash_after"], deep["sha256"]);
    assert_eq!(first["details"]["item"]["path"], "/");

    assert_verifies(&vault, true, "after processing");
    // No plaintext of any item anywhere in the vault or the temporary folder.
    for root in [&vault, &tmp] {
        for f in files_under(root) {
            let bytes = std::fs::read(&f).unwrap();
            assert!(find_all(&bytes, CANARY.as_bytes()).is_empty(), "the canary is in {}", f.display());
            assert!(find_all(&bytes, b"Falcon drawings").is_empty(), "a subject is in {}", f.display());
        }
    }
}

#[test]
fn processing_can_wait_for_a_later_run_named_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    let src = dir.path().join("in");
    write_file(&src.join("falcon.eml"), message_with_nested(b"later"));
    let out = custos(argv!["add", &vault, &src, "--no-process"]);
    out.assert_success("add --no-process");
    assert_eq!(list_json(&vault).len(), 1, "nothing expanded yet");
    let id = str_field(&list_json(&vault)[0], "id").to_string();
    assert_eq!(show(&vault, &id)["processing"]["status"], "pending");
    let out = custos(argv!["text", &vault, &id]);
    assert_eq!(out.code, Some(1), "no text yet: {}", out.describe());

    // Only the message: its attachments wait, pending.
    let out = custos(argv!["process", &vault, &id, "--no-recurse", "--json"]);
    out.assert_success("process --no-recurse");
    assert_eq!(out.json()["exhibits"].as_array().unwrap().len(), 1);
    assert_eq!(list_json(&vault).len(), 3, "the message and its two attachments");
    let notes = str_field(by_name(&list_json(&vault), "notes.txt"), "id").to_string();
    assert_eq!(show(&vault, &notes)["processing"]["status"], "pending");

    let out = custos(argv!["process", &vault, "--json"]);
    out.assert_success("process");
    let r = out.json();
    let done: Vec<&Value> = r["exhibits"].as_array().unwrap().iter().filter(|o| o["status"] == "done").collect();
    assert_eq!(done.len(), 3, "the two attachments and the attachment inside the attached message: {r:#}");
    assert_eq!(list_json(&vault).len(), 4);
    // Running again finds nothing left to do.
    let again = custos(argv!["process", &vault, "--json"]).json();
    assert!(again["exhibits"].as_array().unwrap().is_empty(), "{again:#}");
    // Unknown exhibits are refused before anything is done.
    let out = custos(argv!["process", &vault, "EX-9999"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("EX-9999"), "{}", out.describe());
    assert_verifies(&vault, true, "after processing later");
}

/// A one-page PDF with `text` in a standard font (no embedded font needed).
fn pdf_with_text(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 40 Tf 40 700 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    pdf
}

#[test]
fn a_pst_is_expanded_and_a_screenshot_is_read_by_ocr_without_plaintext_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    let src = dir.path().join("in");
    let pst = Path::new(env!("CARGO_MANIFEST_DIR")).join("../custos-extract/tests/data/pst/enron.pst");
    write_file(&src.join("lokay.pst"), std::fs::read(&pst).unwrap());
    let pdf = pdf_with_text("FALCON BLUEPRINT 2025");
    write_file(&src.join("blueprint.pdf"), &pdf);
    // A screenshot: the page rasterised (the fixture is made here, it is not case data).
    let mut raster = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "100", "-singlefile", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("pdftoppm (poppler-utils) runs");
    raster.stdin.take().unwrap().write_all(&pdf).unwrap();
    let png = raster.wait_with_output().unwrap().stdout;
    assert!(png.starts_with(b"\x89PNG"), "pdftoppm made a PNG");
    write_file(&src.join("screenshot.png"), &png);

    let mut cmd = custos_command(argv!["add", &vault, &src, "--ocr"]);
    cmd.env("TMPDIR", &tmp);
    run(&mut cmd).assert_success("add with processing and OCR");

    let list = list_json(&vault);
    let pst_id = str_field(by_name(&list, "lokay.pst"), "id").to_string();
    let p = show(&vault, &pst_id);
    assert_eq!(p["processing"]["kind"], "pst");
    let messages: Vec<&Value> = list.iter().filter(|e| e["name"].as_str().unwrap().ends_with(".eml")).collect();
    // The mailbox's 71 messages (identical ones are one exhibit, with a source each).
    let sources: usize = messages.iter().map(|m| show(&vault, str_field(m, "id"))["sources"].as_array().unwrap().len()).sum();
    assert_eq!(sources, 71, "every message of the PST is recorded (readpst counts 71)");
    let tweol = by_name(&list, "TWEOL.pdf");
    assert_eq!(tweol["size"], 206_848);
    let parent = show(&vault, tweol["parent"].as_str().expect("the attachment has a parent"));
    assert!(parent["name"].as_str().unwrap().ends_with(".eml"));
    assert!(parent["family"] == parent["id"], "a PST message heads its family");
    let src_record = &parent["sources"][0];
    assert!(src_record["path"].as_str().unwrap().starts_with(&format!("{pst_id}:/")), "the folder path is in the source: {src_record}");

    // The PDF's text layer, and the screenshot's text by OCR.
    let pdf_id = str_field(by_name(&list, "blueprint.pdf"), "id").to_string();
    let out = custos(argv!["text", &vault, &pdf_id]);
    assert!(out.stdout.contains("FALCON BLUEPRINT 2025"), "{}", out.describe());
    let d = show(&vault, &pdf_id);
    assert!(d["metadata"].as_array().unwrap().iter().any(|m| m["field"] == "page_count" && m["value"] == "1"), "{:#}", d["metadata"]);
    let shot = str_field(by_name(&list, "screenshot.png"), "id").to_string();
    let out = custos(argv!["text", &vault, &shot]);
    assert!(out.stdout.to_uppercase().contains("BLUEPRINT"), "OCR reads the screenshot: {}", out.describe());
    let s = show(&vault, &shot);
    assert_eq!(s["processing"]["ocr_done"], true);
    let ocr = s["derivations"].as_array().unwrap().iter().find(|x| x["kind"] == "ocr").expect("an OCR derivation");
    assert_eq!(ocr["extractor"], "tesseract");
    assert!(ocr["settings"].as_str().unwrap().contains("lang=eng"));

    // Re-extraction gives the same outputs, so verification reports nothing.
    let out = custos(argv!["verify", &vault, "--reextract", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let findings = out.json()["findings"].clone();
    assert!(findings.as_array().unwrap().iter().all(|f| f["kind"] != "derivation_changed"), "{findings:#}");

    // A canary from inside a PST attachment: bytes from the middle of
    // TWEOL.pdf as extracted (outside the folders scanned).
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    custos(argv!["extract", &vault, str_field(tweol, "id"), "--out", outside.join("t.pdf")]).assert_success("extract the attachment");
    let attachment = std::fs::read(outside.join("t.pdf")).unwrap();
    let canary = attachment[100_000..100_048].to_vec();
    assert_eq!(find_all(&attachment, &canary).len(), 1, "the canary is distinctive");

    // No plaintext from the PST or the OCR in the vault or the temporary folder.
    for root in [&vault, &tmp] {
        for f in files_under(root) {
            let bytes = std::fs::read(&f).unwrap();
            for needle in [&b"TWEOL"[..], b"FALCON BLUEPRINT", b"Lokay", &canary] {
                assert!(find_all(&bytes, needle).is_empty(), "{} is in {}", String::from_utf8_lossy(needle), f.display());
            }
        }
    }
}

/// Debian's forensic sample documents (package forensics-samples-files,
/// CC BY-SA 4.0): text, page counts, encryption and EXIF as processing
/// reads them, against poppler's `pdftotext` and `exiftool` run here.
#[test]
fn real_documents_and_photos_read_the_same_as_independent_tools() {
    let samples = Path::new("/usr/share/forensics-samples/original-files");
    assert!(samples.is_dir(), "forensics-samples-files is installed by scripts/install-deps.sh");
    let dir = tempfile::tempdir().unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    let src = dir.path().join("in");
    for f in ["text1/a-text.pdf", "text1/a-text.docx", "text1/a-text.odt", "text1/a-text-pass-A5d.pdf", "text2/d-text.pdf", "pic1/IMG_1054.JPG", "pic2/IMG_20191224_234846.jpg"] {
        let p = samples.join(f);
        write_file(&src.join(p.file_name().unwrap()), std::fs::read(&p).unwrap());
    }
    run(&mut custos_command(argv!["add", &vault, &src])).assert_success("add the samples");
    let list = list_json(&vault);
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let tool = |program: &str, args: &[&str], input: &Path| {
        let out = std::process::Command::new(program).args(args).arg(input).args(if program == "pdftotext" { &["-"][..] } else { &[][..] }).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for pdf in ["a-text.pdf", "d-text.pdf"] {
        let id = str_field(by_name(&list, pdf), "id");
        let ours = custos(argv!["text", &vault, id]).stdout;
        let theirs = tool("pdftotext", &["-enc", "UTF-8"], &src.join(pdf));
        assert_eq!(words(&ours), words(&theirs), "{pdf}: the text is poppler's");
        let pages = tool("pdfinfo", &[], &src.join(pdf)).lines().find(|l| l.starts_with("Pages:")).unwrap().split_whitespace().last().unwrap().to_string();
        let d = show(&vault, id);
        assert!(d["metadata"].as_array().unwrap().iter().any(|m| m["field"] == "page_count" && m["value"] == pages.as_str()), "{pdf}: {:#}", d["metadata"]);
    }
    // The Word and ODF versions of the same document hold the PDF's words.
    let pdf_text = words(&custos(argv!["text", &vault, str_field(by_name(&list, "a-text.pdf"), "id")]).stdout);
    for office in ["a-text.docx", "a-text.odt"] {
        let text = words(&custos(argv!["text", &vault, str_field(by_name(&list, office), "id")]).stdout);
        assert!(text.contains("This is a text from LibreOffice Writer") && pdf_text.contains("This is a text from LibreOffice Writer"), "{office}: {text}");
    }
    let locked = show(&vault, str_field(by_name(&list, "a-text-pass-A5d.pdf"), "id"));
    assert!(locked["metadata"].as_array().unwrap().iter().any(|m| m["field"] == "encrypted" && m["value"] == "yes"), "{:#}", locked["metadata"]);
    for photo in ["IMG_1054.JPG", "IMG_20191224_234846.jpg"] {
        let exif: Value = serde_json::from_str(&tool("exiftool", &["-json", "-DateTimeOriginal", "-Make", "-Model"], &src.join(photo))).unwrap();
        let d = show(&vault, str_field(by_name(&list, photo), "id"));
        let meta = d["metadata"].as_array().unwrap();
        let get = |f: &str| meta.iter().find(|m| m["field"] == f).map(|m| m["value"].as_str().unwrap().to_string()).unwrap_or_default();
        let taken = exif[0]["DateTimeOriginal"].as_str().unwrap();
        assert!(get("date_taken").replace('-', ":").starts_with(&taken.replace(' ', "T")) || get("date_taken") == taken, "{photo}: {} vs {taken}", get("date_taken"));
        assert_eq!(get("camera_make"), exif[0]["Make"].as_str().unwrap(), "{photo}");
        assert_eq!(get("camera_model"), exif[0]["Model"].as_str().unwrap(), "{photo}");
        assert!(meta.iter().any(|m| m["field"] == "date_taken" && m["source"] == "exif:DateTimeOriginal"));
    }
    assert_verifies(&vault, true, "after processing the samples");
}

/// The rows of a UTF-8 Concordance load file, by field name.
fn dat_rows(bytes: &[u8]) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = String::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("BOM").to_vec()).unwrap();
    let split = |l: &str| -> Vec<String> { l.split('\u{14}').map(|f| f.trim_matches('þ').replace('®', "\n")).collect() };
    let mut lines = text.trim_end_matches("\r\n").split("\r\n");
    let header = split(lines.next().unwrap());
    lines.map(|l| header.iter().cloned().zip(split(l)).collect()).collect()
}

#[test]
fn a_production_keeps_families_together_head_first_with_their_fields_text_and_derivations() {
    let dir = tempfile::tempdir().unwrap();
    let vault = init_vault(&dir.path().join("vault"));
    let src = dir.path().join("in");
    write_file(&src.join("a-memo.txt"), b"a loose memo\n");
    write_file(&src.join("falcon.eml"), message_with_nested(b"Falcon notes\n"));
    run(&mut custos_command(argv!["add", &vault, &src])).assert_success("add and process");
    let list = list_json(&vault);
    let csv = str_field(by_name(&list, "customers.csv"), "id").to_string();
    let memo = str_field(by_name(&list, "a-memo.txt"), "id").to_string();
    // Choosing one attachment deep inside the family and the memo produces the whole family.
    let zip = dir.path().join("prod.zip");
    let out = custos(argv!["export", &vault, "--out", &zip, "--bates-prefix", "FAM", "--exhibits", &format!("{csv},{memo}"), "--json"]);
    out.assert_success("export");
    let report = out.json();
    assert_eq!(report["exhibits"], 5, "the memo and the whole family of four: {report:#}");
    let qc = report["qc"].as_array().unwrap().iter().map(|q| q.as_str().unwrap().to_string()).collect::<Vec<_>>().join("\n");
    assert!(qc.contains("1 family of more than one exhibit"), "{qc}");

    let bag_dir = dir.path().join("x");
    assert!(std::process::Command::new("unzip").arg("-q").arg(&zip).arg("-d").arg(&bag_dir).status().unwrap().success());
    let bag = std::fs::read_dir(&bag_dir).unwrap().next().unwrap().unwrap().path();
    let dat = files_under(&bag.join("data/VOL001/DATA")).into_iter().find(|p| p.extension().is_some_and(|e| e == "dat")).unwrap();
    let rows = dat_rows(&std::fs::read(dat).unwrap());
    let names: Vec<&str> = rows.iter().map(|r| r["FILENAME"].as_str()).collect();
    assert_eq!(names, ["a-memo.txt", "falcon.eml", "notes.txt", "Inner plan.eml", "customers.csv"], "the memo, then the family head first in tree order");
    assert_eq!((rows[0]["BEGATTACH"].as_str(), rows[0]["ENDATTACH"].as_str()), ("FAM000001", "FAM000001"));
    for r in &rows[1..] {
        assert_eq!((r["BEGATTACH"].as_str(), r["ENDATTACH"].as_str()), ("FAM000002", "FAM000005"), "{r:?}");
        assert_eq!(r["FAMILYID"], rows[1]["EXHIBITID"]);
    }
    assert_eq!(rows[1]["SUBJECT"], "Project Falcon drawings");
    assert!(rows[1]["FROM"].contains("eve@victim.example") && rows[1]["TO"].contains("mallory@rival.example"), "{:?}", rows[1]);
    assert!(rows[1]["CC"].contains("trent@victim.example"));
    assert!(rows[1]["DATESENT"].starts_with("2025-05-05T14:30:00"), "{}", rows[1]["DATESENT"]);
    assert!(rows[1]["MESSAGEID"].contains("outer@victim.example"));
    assert_eq!(rows[3]["SUBJECT"], "Inner plan");
    // Every exhibit with text has its TEXT file; the message's is its body, not its MIME source.
    let text = std::fs::read_to_string(bag.join("data").join(rows[1]["TEXTPATH"].replace('\\', "/"))).unwrap();
    assert!(text.contains("Attached are the Falcon drawings.") && !text.contains("Content-Type"), "{text}");
    // The custody record carries the derivations; the provenance names them.
    let events = std::fs::read_to_string(bag.join("data/custody/events.jsonl")).unwrap();
    assert!(events.contains(r#"\"action\":\"derived\""#), "derived events travel with the production");
    // The custody report says what each derivation produced, in words.
    let report = std::process::Command::new("pdftotext").arg(bag.join("data/custody-report.pdf")).arg("-").output().unwrap();
    let report = String::from_utf8_lossy(&report.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(report.contains("Metadata read by custos") && report.contains("Text read by custos"), "custody report: {report}");
    assert!(report.contains("Found inside EX-0002 as “notes.txt” (attachment 1)"), "custody report: {report}");
    let prov = std::fs::read_to_string(bag.join("data/provenance.jsonld")).unwrap();
    assert!(prov.contains("\"uco-core:name\": \"derived\"") && prov.contains("custos-extract/mail"), "provenance names the derivations");
    let o = std::process::Command::new("case_validate").arg("data/provenance.jsonld").current_dir(&bag).output().unwrap();
    assert!(o.status.success(), "case_validate: {}", String::from_utf8_lossy(&o.stdout).chars().take(2000).collect::<String>());
    let out = custos(argv!["verify-bundle", &zip, "--json"]);
    assert_eq!(out.code, Some(0), "the production verifies: {}", out.describe());
    // And with the script the bundle carries (Python's standard library alone).
    let o = std::process::Command::new("python3").args(["-I", "-S", "verify_custody.py"]).current_dir(&bag).output().unwrap();
    assert!(o.status.success(), "verify_custody.py: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
}
