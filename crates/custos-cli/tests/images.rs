//! Productions with page images through the real binary, checked with tools
//! no one here wrote: an e-mail with two attachments, a multi-page PDF and a
//! scanned image are imaged as Group IV TIFF and as searchable PDF, every
//! page stamped with its own Bates number and the legend; `tiffinfo`,
//! `pdfinfo`, `pdftotext` and `qpdf --check` read the results, an
//! independent OPT and DAT reading agrees with them, and a swapped page, a
//! deleted OPT line and a removed privilege-log row are each caught by name.

#[macro_use]
mod common;

use common::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A PDF of `pages` pages, each saying "Falcon pricing page N", written by
/// hand (Helvetica, no dependencies) with a correct cross-reference table.
fn pdf_of(pages: usize) -> Vec<u8> {
    let mut objects: Vec<String> = Vec::new();
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into());
    for i in 0..pages {
        objects.push(format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>", 5 + 2 * i));
        let stream = format!("BT /F1 24 Tf 72 700 Td (Falcon pricing page {}) Tj ET", i + 1);
        objects.push(format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()));
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}

/// A minimal Word document (Office Open XML) saying `text`, zipped here.
fn docx(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default();
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_string(),
        ),
        (
            "word/document.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"#),
        ),
    ];
    for (name, body) in parts {
        z.start_file(name, opts).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.finish().unwrap();
    out.into_inner()
}

fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A one-page scanned PDF: a JPEG of a page and no text layer.
fn scanned_pdf(jpeg: &[u8], w: u32, h: u32) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let content = "q 612 0 0 792 0 0 cm /Im0 Do Q";
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>".to_vec(),
        [
            format!("<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n", jpeg.len()).into_bytes(),
            jpeg.to_vec(),
            b"\nendstream".to_vec(),
        ]
        .concat(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes(),
    ];
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}

/// A page of `pdf_of(1)` rasterised by pdftoppm at 150 dpi (`-png` or `-jpeg`).
fn page_image(dir: &Path, format: &str) -> Vec<u8> {
    let p = dir.join("page.pdf");
    std::fs::write(&p, pdf_of(1)).unwrap();
    let out = Command::new("pdftoppm").args(["-r", "150", format, "-f", "1", "-l", "1", "-singlefile"]).arg(&p).output().unwrap();
    assert!(out.status.success() && !out.stdout.is_empty(), "pdftoppm made a page image");
    out.stdout
}

/// The matter: an e-mail with a PDF and a text attachment, a three-page PDF,
/// a scanned page (PNG), a scanned PDF, and a privileged memo withheld.
fn matter(dir: &Path) -> (PathBuf, HashMap<String, String>) {
    let vault = init_vault(&dir.join("vault"));
    let src = dir.join("collected");
    let attachment = pdf_of(2);
    let b64 = {
        // Base64 by hand: the test's own, no crate.
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut s = String::new();
        for c in attachment.chunks(3) {
            let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
            for k in 0..4 {
                s.push(if k <= c.len() { T[(n >> (18 - 6 * k) & 63) as usize] as char } else { '=' });
            }
        }
        s
    };
    write_file(
        &src.join("email/pricing.eml"),
        format!(
            "From: Erik Brandt <e.brandt@halvorsen.example>\r\nTo: j.corvane@corvane.example\r\nSubject: Falcon pricing\r\n\
             Date: Thu, 14 May 2026 21:47:02 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
             Content-Type: text/plain\r\n\r\nAs discussed, the Falcon price sheets.\r\n--b\r\nContent-Type: application/pdf; name=\"sheet.pdf\"\r\n\
             Content-Disposition: attachment; filename=\"sheet.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b\r\n\
             Content-Type: text/plain; name=\"notes.txt\"\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n\r\nTolerances rev 7.\r\n--b--\r\n"
        ),
    );
    write_file(&src.join("docs/falcon-pricing.pdf"), pdf_of(3));
    let png = page_image(dir, "-png");
    assert!(png.starts_with(b"\x89PNG"));
    write_file(&src.join("scans/whiteboard.png"), png);
    write_file(&src.join("scans/scanned.pdf"), scanned_pdf(&page_image(dir, "-jpeg"), 1275, 1650));
    write_file(&src.join("legal/advice.txt"), "Privileged advice on the Brandt agreement.\n");
    custos(argv!["add", &vault, &src]).assert_success("add");
    let ids: HashMap<String, String> =
        list_json(&vault).iter().map(|e| (str_field(e, "name").to_string(), str_field(e, "id").to_string())).collect();
    custos(argv!["designate", &vault, &ids["advice.txt"], "--privilege", "attorney-client", "--withhold", "--log-description", "Advice of counsel"])
        .assert_success("designate");
    custos(argv!["designate", &vault, &ids["falcon-pricing.pdf"], "--confidentiality", "HIGHLY CONFIDENTIAL - AEO"]).assert_success("designate");
    (vault, ids)
}

/// An OPT file read independently: (key, path, doc break, page count).
fn opt_lines(bag: &Path, prefix: &str) -> Vec<(String, String, bool, Option<u32>)> {
    let text = std::fs::read_to_string(bag.join(format!("data/VOL001/DATA/{prefix}_VOL001.opt"))).unwrap();
    assert!(text.ends_with("\r\n") && !text.contains("\n\n"), "CRLF lines");
    text.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 7, "{l}");
            assert_eq!(f[1], "VOL001");
            (f[0].to_string(), f[2].to_string(), f[3] == "Y", (!f[6].is_empty()).then(|| f[6].parse().unwrap()))
        })
        .collect()
}

fn verify_kinds(zip: &Path) -> Vec<(String, String)> {
    let out = custos(argv!["verify-bundle", zip, "--json"]);
    let report = out.json();
    report["findings"].as_array().unwrap().iter().map(|f| (f["kind"].as_str().unwrap().to_string(), f["message"].as_str().unwrap().to_string())).collect()
}

fn rezip(bag: &Path, to: &Path) {
    let parent = bag.parent().unwrap();
    let name = bag.file_name().unwrap();
    let z = run(Command::new("zip").args(["-q", "-r"]).arg(to).arg(name).current_dir(parent));
    assert_eq!(z.code, Some(0), "{}", z.describe());
}

#[test]
fn a_tiff_production_numbers_and_stamps_every_page_and_a_swapped_page_or_a_lost_line_is_caught_by_its_bates_number() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, ids) = matter(dir.path());
    let zip = dir.path().join("prod.zip");
    let out = custos(argv![
        "export", &vault, "--out", &zip, "--bates-prefix", "HAL", "--images", "tiff", "--endorse", "CONFIDENTIAL",
        "--endorse-corner", "bottom-left", "--bates-corner", "bottom-right", "--privilege-log", "--json"
    ]);
    out.assert_success("export");
    let report = out.json();
    // E-mail 1 + sheet.pdf 2 + notes 1 + the 3-page PDF + the scan 1 + the scanned PDF 1 + the slip sheet 1.
    assert_eq!(report["images"], serde_json::json!(["tiff", 10]), "{report:#}");
    assert_eq!((report["bates_first"].as_str(), report["bates_last"].as_str()), (Some("HAL000001"), Some("HAL000010")));
    let bag = unzip_bundle(&zip, &dir.path().join("x"));
    let lines = opt_lines(&bag, "HAL");
    let keys: Vec<String> = lines.iter().map(|l| l.0.clone()).collect();
    assert_eq!(keys, (1..=10).map(|n| format!("HAL{n:06}")).collect::<Vec<_>>(), "one line a page, contiguous");

    // The load file agrees with the image load file, document by document.
    let rows = load_file_rows(&bag);
    assert_eq!(rows.len(), 7);
    for row in &rows {
        let beg = &row["BEGBATES"];
        let at = lines.iter().position(|l| &l.0 == beg).unwrap_or_else(|| panic!("{beg} is in the OPT"));
        assert!(lines[at].2, "{beg} begins a document");
        let pages: u32 = row["PGCOUNT"].parse().unwrap();
        assert_eq!(lines[at].3, Some(pages), "{beg}: the OPT's page count is PGCOUNT");
        assert_eq!(lines[at + pages as usize - 1].0, row["ENDBATES"], "{beg}: ENDBATES is its last page");
        assert!(lines[at + 1..at + pages as usize].iter().all(|l| !l.2), "{beg}: no break inside it");
        assert_eq!(row["IMAGEPATH"], lines[at].1);
    }
    let number = |b: &str| b[3..].parse::<u64>().unwrap();
    let bates = |n: u64| format!("HAL{n:06}");
    let email = rows.iter().find(|r| r["EXHIBITID"] == ids["pricing.eml"]).unwrap();
    let e = number(&email["BEGBATES"]);
    assert_eq!((email["PGCOUNT"].as_str(), email["ENDBATES"].clone()), ("1", bates(e)));
    // The message 1 page, sheet.pdf 2, notes.txt 1: the family spans 4 pages.
    assert_eq!((email["BEGATTACH"].clone(), email["ENDATTACH"].clone()), (bates(e), bates(e + 3)), "the family spans its members' pages");
    let sheet = rows.iter().find(|r| r["BEGBATES"] == bates(e + 1)).unwrap();
    assert_eq!((sheet["FILENAME"].as_str(), sheet["PGCOUNT"].as_str(), sheet["ENDBATES"].clone()), ("sheet.pdf", "2", bates(e + 2)));
    let pdf = rows.iter().find(|r| r["EXHIBITID"] == ids["falcon-pricing.pdf"]).unwrap();
    assert_eq!(pdf["PGCOUNT"], "3");
    let (p1, p2) = (bates(number(&pdf["BEGBATES"])), bates(number(&pdf["BEGBATES"]) + 1));
    let withheld = rows.iter().find(|r| r["EXHIBITID"] == ids["advice.txt"]).unwrap()["BEGBATES"].clone();

    // tiffinfo: Group 4, 300 dpi, a US Letter page.
    let first = bag.join("data").join(lines[0].1.replace('\\', "/"));
    let info = tool("tiffinfo", &[first.to_str().unwrap()]);
    assert!(info.contains("CCITT Group 4") && info.contains("300, 300 pixels/inch") && info.contains("Image Width: 2550 Image Length: 3300"), "{info}");
    // The scan is a colour page: a JPEG.
    let scan = rows.iter().find(|r| r["EXHIBITID"] == ids["whiteboard.png"]).unwrap();
    assert!(scan["IMAGEPATH"].ends_with(".jpg"));
    assert!(std::fs::read(bag.join("data").join(scan["IMAGEPATH"].replace('\\', "/"))).unwrap().starts_with(&[0xFF, 0xD8, 0xFF]));
    // A TIFF page, made a PDF by libtiff's tiff2pdf, is a page pdftoppm can read.
    let as_pdf = dir.path().join("first.pdf");
    tool("tiff2pdf", &["-o", as_pdf.to_str().unwrap(), first.to_str().unwrap()]);
    assert!(tool("pdfinfo", &[as_pdf.to_str().unwrap()]).contains("Pages:           1"));

    // Every page is traceable: its native, renderer, image hash and stamps.
    let records: Vec<Value> = std::fs::read_to_string(bag.join("data/VOL001/DATA/page-records.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 10);
    assert!(records.iter().all(|r| r["text_layer"].is_null()), "a TIFF production's text is in its TEXT files, not on its pages");
    let page6 = records.iter().find(|r| r["bates"] == p2.as_str()).unwrap();
    assert_eq!(page6["document"], p1.as_str());
    assert_eq!(page6["source"], "page 2 of 3 of the native PDF");
    assert!(page6["renderer"].as_str().unwrap().contains("pdftoppm") && page6["renderer"].as_str().unwrap().contains("-r 300 -mono"));
    assert_eq!(page6["image_sha256"].as_str().unwrap(), sha256sum_one(&bag.join(format!("data/VOL001/IMAGES/0001/{p2}.tif"))));
    assert_eq!(page6["stamps"][0]["text"], p2.as_str());
    assert_eq!(page6["stamps"][0]["corner"], "bottom-right");
    assert_eq!(page6["stamps"][1]["text"], "HIGHLY CONFIDENTIAL - AEO", "the designation's level, not the production's legend");
    let email_page = records.iter().find(|r| r["bates"] == bates(e).as_str()).unwrap();
    assert_eq!(email_page["stamps"][1]["text"], "CONFIDENTIAL");
    // The custody log records each document's pages.
    let log = custos(argv!["log", &vault, "--exhibit", &ids["falcon-pricing.pdf"], "--json"]).json();
    let exported = log.as_array().unwrap().iter().rev().find(|e| e["action"] == "exported").unwrap();
    assert_eq!(exported["details"]["images"]["pages"], 3);
    assert_eq!(exported["details"]["images"]["bates_end"], bates(number(&pdf["BEGBATES"]) + 2).as_str());

    let readme = std::fs::read_to_string(bag.join("README.txt")).unwrap();
    assert!(readme.contains("Page images: 10 pages of 7 documents") && readme.contains("HAL_VOL001.opt"), "{readme}");
    let index = std::fs::read_to_string(bag.join("data/exhibit-index.csv")).unwrap();
    assert!(index.contains(&format!("{p1},{},{}", bates(number(&p1) + 2), ids["falcon-pricing.pdf"])), "the index spans the pages: {index}");
    assert_eq!(verify_kinds(&zip), vec![], "the bundle verifies");
    // Counsel takes the production in; the chain continues.
    let counsel = init_vault(&dir.path().join("counsel"));
    custos(argv!["import-bundle", &counsel, &zip]).assert_success("import");
    assert_eq!(list_json(&counsel).len(), 6, "every produced native, none withheld");
    // Numbering continues by page: the next production starts after the last page.
    let next = dir.path().join("next.zip");
    let out = custos(argv!["export", &vault, "--out", &next, "--bates-prefix", "HAL", "--exhibits", &ids["notes.txt"], "--json"]);
    out.assert_success("the next production");
    assert_eq!(out.json()["bates_first"], "HAL000011", "{}", out.describe());

    // Two pages swapped: each is named by its Bates number.
    let swapped = dir.path().join("swapped.zip");
    let (a, b) = (bag.join(format!("data/VOL001/IMAGES/0001/{p1}.tif")), bag.join(format!("data/VOL001/IMAGES/0001/{p2}.tif")));
    let (ba, bb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    std::fs::write(&a, &bb).unwrap();
    std::fs::write(&b, &ba).unwrap();
    rezip(&bag, &swapped);
    let kinds = verify_kinds(&swapped);
    for page in [&p1, &p2] {
        assert!(kinds.iter().any(|(k, m)| k == "page_image_mismatch" && m.contains(&format!("page {page}"))), "{page}: {kinds:#?}");
    }
    std::fs::write(&a, &ba).unwrap();
    std::fs::write(&b, &bb).unwrap();

    // A page image removed: named by its Bates number.
    std::fs::remove_file(&b).unwrap();
    let missing = dir.path().join("missing.zip");
    rezip(&bag, &missing);
    let kinds = verify_kinds(&missing);
    assert!(kinds.iter().any(|(k, m)| k == "page_image_missing" && m.contains(&format!("page {p2}"))), "{kinds:#?}");
    std::fs::write(&b, &bb).unwrap();

    // An OPT line deleted: the document's page count no longer agrees.
    let opt = bag.join("data/VOL001/DATA/HAL_VOL001.opt");
    let text = std::fs::read_to_string(&opt).unwrap();
    let line = format!("{p2},VOL001,VOL001\\IMAGES\\0001\\{p2}.tif,,,,\r\n");
    assert!(text.contains(&line));
    std::fs::write(&opt, text.replace(&line, "")).unwrap();
    let cut = dir.path().join("cut.zip");
    rezip(&bag, &cut);
    let kinds = verify_kinds(&cut);
    assert!(kinds.iter().any(|(k, m)| k == "image_load_file_mismatch" && m.contains(&p1) && m.contains("counts 3")), "{kinds:#?}");
    assert!(kinds.iter().any(|(k, m)| k == "image_load_file_mismatch" && m.contains(&format!("page {p2}"))), "{kinds:#?}");
    std::fs::write(&opt, text).unwrap();

    // A privilege-log row removed.
    let log = bag.join("data/privilege-log.json");
    std::fs::write(&log, "[]").unwrap();
    let unlogged = dir.path().join("unlogged.zip");
    rezip(&bag, &unlogged);
    let kinds = verify_kinds(&unlogged);
    assert!(kinds.iter().any(|(k, m)| k == "privilege_log_mismatch" && m.contains(&withheld)), "{kinds:#?}");
}

#[test]
fn a_pdf_production_keeps_each_pages_text_under_its_own_bates_number() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, mut ids) = matter(dir.path());
    // A Word document, which LibreOffice prints.
    write_file(&dir.path().join("office/offer.docx"), docx("Offer letter for the Falcon engineer"));
    custos(argv!["add", &vault, dir.path().join("office")]).assert_success("add the Word document");
    ids.insert("offer.docx".into(), list_json(&vault).iter().find(|e| e["name"] == "offer.docx").map(|e| str_field(e, "id").to_string()).unwrap());
    let zip = dir.path().join("prod.zip");
    custos(argv!["export", &vault, "--out", &zip, "--bates-prefix", "HALP", "--images", "pdf", "--endorse", "CONFIDENTIAL", "--bates-corner", "top-right"])
        .assert_success("export");
    let bag = unzip_bundle(&zip, &dir.path().join("x"));
    let rows = load_file_rows(&bag);
    let lines = opt_lines(&bag, "HALP");
    assert_eq!(lines.len(), 11);
    for row in &rows {
        let path = bag.join("data").join(row["IMAGEPATH"].replace('\\', "/"));
        let p = path.to_str().unwrap();
        assert!(p.ends_with(&format!("{}.pdf", row["BEGBATES"])));
        let pages: usize = row["PGCOUNT"].parse().unwrap();
        let info = tool("pdfinfo", &[p]);
        let counted: usize = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
        assert_eq!(counted, pages, "{p}: pdfinfo's page count is PGCOUNT");
        tool("qpdf", &["--check", p]);
        let first: u64 = row["BEGBATES"][4..].parse().unwrap();
        for k in 0..pages {
            let n = (k + 1).to_string();
            let text = tool("pdftotext", &["-f", &n, "-l", &n, p, "-"]);
            assert!(text.contains(&format!("HALP{:06}", first + k as u64)), "{p} page {n}: {text}");
            assert!(text.contains("CONFIDENTIAL"), "{p} page {n}: the legend");
        }
        // Every line of the document in the OPT names its one PDF.
        assert!(lines.iter().filter(|l| l.1 == row["IMAGEPATH"]).count() == pages);
    }
    let pdf = rows.iter().find(|r| r["EXHIBITID"] == ids["falcon-pricing.pdf"]).unwrap();
    let p = bag.join("data").join(pdf["IMAGEPATH"].replace('\\', "/"));
    let text = tool("pdftotext", &["-f", "2", "-l", "2", p.to_str().unwrap(), "-"]);
    assert!(text.contains("Falcon pricing page 2"), "the native page's own text is kept: {text}");
    // Scanned pages get recognised text laid over them, invisible, where the
    // words are: pdftotext finds them, and the page record says how.
    let records: Vec<Value> = std::fs::read_to_string(bag.join("data/VOL001/DATA/page-records.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for name in ["whiteboard.png", "scanned.pdf"] {
        let row = rows.iter().find(|r| r["EXHIBITID"] == ids[name]).unwrap();
        let p = bag.join("data").join(row["IMAGEPATH"].replace('\\', "/"));
        let text = tool("pdftotext", &[p.to_str().unwrap(), "-"]);
        assert!(text.contains("Falcon pricing page 1"), "{name}: the recognised text is searchable: {text}");
        let r = records.iter().find(|r| r["bates"] == row["BEGBATES"].as_str()).unwrap();
        assert!(r["text_layer"].as_str().unwrap().starts_with("text layer recognised by tesseract"), "{name}: {r}");
    }
    assert!(records.iter().filter(|r| !r["text_layer"].is_null()).count() == 2, "only the pages without text get a layer");
    // The Word document as LibreOffice prints it, stamped like the rest.
    let offer = rows.iter().find(|r| r["EXHIBITID"] == ids["offer.docx"]).unwrap();
    let offer_pdf = bag.join("data").join(offer["IMAGEPATH"].replace('\\', "/"));
    let text = tool("pdftotext", &[offer_pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("Offer letter for the Falcon engineer") && text.contains(offer["BEGBATES"].as_str()), "{text}");
    let r = records.iter().find(|r| r["bates"] == offer["BEGBATES"].as_str()).unwrap();
    assert!(r["renderer"].as_str().unwrap().starts_with("LibreOffice "), "{r}");
    // Where the stamps went: the Bates number in the top band at the right,
    // the legend in the bottom band at the left, on the 612 × 792 page.
    let page2 = records.iter().find(|r| r["document"] == pdf["BEGBATES"].as_str() && r["page"] == 2).unwrap();
    let (bates, legend) = (&page2["stamps"][0], &page2["stamps"][1]);
    assert_eq!((bates["corner"].as_str(), legend["corner"].as_str()), (Some("top-right"), Some("bottom-left")), "{page2}");
    assert!(bates["y"].as_f64().unwrap() < 36.0 && bates["x"].as_f64().unwrap() > 306.0, "{page2}");
    assert!(legend["y"].as_f64().unwrap() > 756.0 && legend["x"].as_f64().unwrap() < 36.0, "{page2}");
    assert!(page2["scale"].as_f64().unwrap() < 1.0, "the page was shrunk clear of both bands: {page2}");
    assert_eq!(verify_kinds(&zip), vec![]);
}

#[test]
fn a_stamp_that_cannot_fit_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, ids) = matter(dir.path());
    let zip = dir.path().join("prod.zip");
    let out = custos(argv!["export", &vault, "--out", &zip, "--bates-prefix", "HAL", "--exhibits", &ids["pricing.eml"], "--privilege-log"]);
    assert_eq!(out.code, Some(2), "a privilege log asked for where nothing is withheld: {}", out.describe());
    assert!(out.stderr.contains("no document of the selection is withheld"), "{}", out.describe());
    let long = "CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER - ".repeat(3);
    let out = custos(argv!["export", &vault, "--out", &zip, "--bates-prefix", "HAL", "--images", "tiff", "--endorse", long.trim()]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("points wide") && out.stderr.contains("bottom-left"), "{}", out.describe());
    let out = custos(argv!["export", &vault, "--out", &zip, "--bates-prefix", "HAL", "--images", "pdf", "--endorse", "X", "--endorse-corner", "bottom-right"]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("cannot share the bottom-right corner"), "{}", out.describe());
    let out = custos(argv!["export", &vault, "--out", &zip, "--bates-prefix", "HAL", "--endorse", "X"]);
    assert_eq!(out.code, Some(2), "a legend without images: {}", out.describe());
    assert!(!zip.exists(), "nothing was written");
    let exported = custos(argv!["log", &vault, "--json"]).json().as_array().unwrap().iter().filter(|e| e["action"] == "exported").count();
    assert_eq!(exported, 0);
}
