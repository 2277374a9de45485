//! Rendering checks: every document opens, prints every name, and is the same bytes each time.

use crate::*;
use md5::Md5;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NAMES: [&str; 10] = [
    "Q3 board minutes.pdf",
    "Résumé – Ana Núñez (final).docx",
    "契約書_2024年度_最終版.pdf",
    "📎 attachment from Zoë 🚀.msg",
    "דוח כספי 2024.xlsx",
    "تقرير المبيعات الربعي.pdf",
    "Very_Long_File_Name_Without_Any_Spaces_That_Must_Wrap_Across_Several_Lines_In_The_Exhibit_Index_0123456789abcdef0123456789.eml",
    "download-log.csv",
    "Привет, мир — письмо клиенту.eml",
    "invoice\u{202E}fdp.exe",
];
const MISMATCHED: usize = 41;
const DECLARATION: &str =
    "I declare under penalty of perjury under the laws of the United States of America that the foregoing is true and correct.";

fn sha256(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn md5(b: &[u8]) -> String {
    hex::encode(Md5::digest(b))
}

fn event(seq: u64, time: String, action: &str, _exhibit: &str, hashes: Option<(&str, &str)>) -> Event {
    Event {
        seq,
        time,
        action: action.to_string(),
        actor: "Pat Paralegal".into(),
        released_by: None,
        received_by: None,
        purpose: (action == "exported").then(|| "Production to opposing counsel".to_string()),
        method: (action == "collected").then(|| "Logical copy from mounted share".to_string()),
        tool: "custos 0.1.0".into(),
        hash_algorithm: hashes.map(|_| "SHA-256".to_string()),
        hash_before: hashes.map(|h| h.0.to_string()),
        hash_after: hashes.map(|h| h.1.to_string()),
        hashes_match: hashes.map(|h| h.0 == h.1),
        location: Some("paralegal-laptop-07".into()),
        summary: None,
    }
}

/// Sixty exhibits with long, accented, CJK, emoji and right-to-left names; one
/// exported copy does not match its intake hash.
fn sample() -> Production {
    let mut seq = 1;
    let mut next = || {
        seq += 1;
        seq
    };
    let exhibits = (0..60)
        .map(|i| {
            let content = format!("exhibit {i}");
            let (sha, md) = (sha256(content.as_bytes()), md5(content.as_bytes()));
            let (export_sha, export_md) =
                if i == MISMATCHED { (sha256(b"tampered"), md5(b"tampered")) } else { (sha.clone(), md.clone()) };
            let bates = format!("ABC{:06}", i + 1);
            let id = format!("EX-{:04}", i + 1);
            let name = NAMES[i % NAMES.len()].to_string();
            let collected_at = format!("2026-01-{:02}T{:02}:{:02}:05.123456Z", 2 + i / 20, 9 + i % 8, i % 60);
            let mut events = vec![
                event(next(), collected_at.clone(), "collected", &id, Some((&sha, &sha))),
                event(next(), format!("2026-01-10T08:00:{:02}.000001Z", i % 60), "verified", &id, Some((&sha, &sha))),
            ];
            if i % 3 == 0 {
                events.push(event(next(), format!("2026-01-11T10:15:{:02}.5Z", i % 60), "viewed", &id, None));
            }
            if i % 7 == 0 {
                let mut transfer = event(next(), "2026-01-12T16:45:00Z".into(), "received", &id, None);
                transfer.released_by = Some("Morgan Investigator".into());
                transfer.received_by = Some("Pat Paralegal".into());
                transfer.purpose = Some("Hand-over of the forensic image of the former employee's laptop for review".into());
                events.push(transfer);
            }
            events.push(event(next(), "2026-02-01T12:00:00.000000Z".into(), "exported", &id, Some((&sha, &export_sha))));
            ProducedExhibit {
                bates_end: None,
                image_path: None,
                native_path: format!("data/VOL001/NATIVES/0001/{bates}.bin"),
                text_path: None,
                path: format!(
                    "/Volumes/Evidence/Custodians/{}/Documents/Projects/Quarterly Reporting/Archive {}/{}",
                    ["Doe, John", "Nguyễn Thị Minh", "María-José O'Connor"][i % 3],
                    2020 + i % 5,
                    name
                ),
                mime: "application/octet-stream".into(),
                size: 1_000 + (i as u64) * 987_654,
                intake_sha256: sha,
                intake_md5: md,
                export_sha256: export_sha,
                export_md5: export_md,
                custodian: Some(["John Doe", "Nguyễn Thị Minh", "María-José O'Connor"][i % 3].into()),
                source: Some(if i % 2 == 0 { "MacBook Pro (serial C02XK0ABJG5H)" } else { "jdoe@example.com (Microsoft 365)" }.into()),
                method: Some("Logical copy from mounted share".into()),
                collected_by: "Pat Paralegal".into(),
                collected_at,
                modified: Some("2025-11-30T17:02:11Z".into()),
                created: if i % 4 == 0 { None } else { Some("2025-10-01T08:00:00Z".into()) },
                description: if i % 5 == 0 { "Downloaded the day of the meeting with the competitor.".into() } else { String::new() },
                events,
                family: id.clone(),
                document_fields: Vec::new(),
                bates,
                exhibit_id: id,
                name,
            }
        })
        .collect();
    Production {
        matter: "Acme Widgets, Inc. v. John Doe and Competitor Holdings LLC".into(),
        matter_number: Some("2:26-cv-01234-ABC".into()),
        organization: Some("Smith & Lee LLP".into()),
        examiner: "Pat Paralegal".into(),
        bates_prefix: "ABC".into(),
        bates_first: "ABC000001".into(),
        bates_last: "ABC000060".into(),
        produced_at: "2026-02-01T12:00:00.000000Z".into(),
        tool: "custos 0.1.0".into(),
        signer_fingerprint: "SHA256:4Yk3pD1v1tqNqCNzxEeLrP0+0h6fJ8m3aHhq7l0lW9U".into(),
        vault_id: "0b7f3c52-8d3e-4b7c-9a51-3f0f6b7c2e11".into(),
        exhibits,
        withheld: Vec::new(),
    }
}

/// Runs a poppler tool; a missing tool fails the test and says how to install it.
fn poppler(tool: &str, args: &[&str]) -> Output {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run `{tool}` ({e}); it is in the Debian package poppler-utils: run scripts/install-deps.sh")
    });
    assert!(out.status.success(), "`{tool} {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    out
}

fn pdfinfo_pages(pdf: &Path) -> usize {
    let out = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
    let info = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap_or_else(|| panic!("pdfinfo gave no page count:\n{info}"));
    line["Pages:".len()..].trim().parse().unwrap()
}

fn rendered_pages(pdf: &Path, dir: &Path) -> usize {
    let prefix = dir.join(pdf.file_stem().unwrap());
    poppler("pdftoppm", &["-r", "50", "-png", pdf.to_str().unwrap(), prefix.to_str().unwrap()]);
    let stem = pdf.file_stem().unwrap().to_str().unwrap().to_string();
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("{stem}-")) && n.ends_with(".png"))
        .count()
}

/// pdftotext output with all white space collapsed, so wrapped sentences compare.
fn pdf_text(pdf: &Path) -> String {
    let out = poppler("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]);
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

type Render = fn(&Production) -> Result<Vec<u8>>;
const PDFS: [(&str, Render); 3] =
    [("exhibit-index", exhibit_index_pdf), ("custody-report", custody_report_pdf), ("certification", certification_pdf)];

fn layout_pages(name: &str, p: &Production, fonts: &Fonts) -> usize {
    match name {
        "exhibit-index" => layout_exhibit_index(p, fonts).pages.len(),
        "custody-report" => layout_custody_report(p, fonts).pages.len(),
        _ => layout_certification(p, fonts).pages.len(),
    }
}

/// Writes the documents to a temp dir (and, for looking at them, to
/// $CUSTOS_KEEP_DOCUMENTS when set).
fn write_all(p: &Production) -> (tempfile::TempDir, Vec<(&'static str, PathBuf)>) {
    let dir = tempfile::tempdir().unwrap();
    let keep = std::env::var_os("CUSTOS_KEEP_DOCUMENTS").map(PathBuf::from);
    let mut files = Vec::new();
    for (name, render) in PDFS {
        let path = dir.path().join(format!("{name}.pdf"));
        let bytes = render(p).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        if let Some(k) = &keep {
            std::fs::write(k.join(format!("{name}.pdf")), &bytes).unwrap();
        }
        files.push((name, path));
    }
    if let Some(k) = &keep {
        std::fs::write(k.join("certification.docx"), certification_docx(p).unwrap()).unwrap();
    }
    (dir, files)
}

#[test]
fn pdfs_open_with_the_page_count_of_the_layout() {
    let p = sample();
    let fonts = Fonts::load().unwrap();
    let (dir, files) = write_all(&p);
    for (name, path) in files {
        let expected = layout_pages(name, &p, &fonts);
        assert!(expected > 1, "{name}: 60 exhibits should need several pages, layout made {expected}");
        assert_eq!(pdfinfo_pages(&path), expected, "{name}: pdfinfo page count");
        assert_eq!(rendered_pages(&path, dir.path()), expected, "{name}: pages rendered by pdftoppm");
    }
}

#[test]
fn pdf_text_has_the_bates_range_hashes_and_declaration() {
    let p = sample();
    let (_dir, files) = write_all(&p);
    let sha = &p.exhibits[0].intake_sha256;
    for (name, path) in files {
        let text = pdf_text(&path);
        assert!(text.contains("ABC000001") && text.contains("ABC000060"), "{name}: Bates range missing");
        assert!(text.contains(sha.as_str()), "{name}: full SHA-256 {sha} missing");
        assert!(text.contains("Page 1 of"), "{name}: page numbers missing");
        if name == "certification" {
            assert!(text.contains(DECLARATION), "certification: § 1746 declaration missing");
            assert!(text.contains("DRAFT"), "certification: draft mark missing");
            assert!(text.contains("MISMATCH"), "certification: the mismatched copy is not flagged");
            assert!(text.contains(CERT_TITLE), "certification: title missing");
            assert!(text.contains(&p.signer_fingerprint), "certification: signer fingerprint missing");
        }
        if name == "exhibit-index" {
            for n in &NAMES[2..4] {
                assert!(text.contains(n), "exhibit index: {n:?} (not in DejaVu) is not extractable");
            }
        }
        if name == "custody-report" {
            assert!(text.contains("Custody timeline"), "custody report: timeline missing");
            assert!(text.contains("[U+202E]"), "custody report: bidi override not neutralised");
        }
    }
}

#[test]
fn docx_is_a_zip_with_the_declaration_and_every_bates_number() {
    let p = sample();
    let bytes = certification_docx(&p).unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("the DOCX is a zip archive");
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap_or_else(|e| panic!("{name} missing: {e}")).read_to_string(&mut s).unwrap();
        s
    };
    let doc = read("word/document.xml");
    assert!(doc.contains(DECLARATION), "document.xml lacks the § 1746 declaration");
    for e in &p.exhibits {
        assert!(doc.contains(&e.bates), "document.xml lacks {}", e.bates);
    }
    assert!(doc.contains(&p.exhibits[0].intake_sha256));
    assert!(doc.contains("MISMATCH"));
    assert_eq!(doc.matches("<w:tblHeader />").count(), 1, "the records table header should repeat on each page");
    let core = read("docProps/core.xml");
    assert!(core.contains("2026-02-01T12:00:00Z"), "core properties should carry the production time:\n{core}");
    assert!(read("[Content_Types].xml").contains("wordprocessingml"));
}

#[test]
fn same_production_gives_identical_bytes() {
    let p = sample();
    for (name, render) in PDFS {
        assert!(render(&p).unwrap() == render(&p).unwrap(), "{name} differs between two renders");
    }
    let docx = certification_docx(&p).unwrap();
    // docx-rs numbers paragraphs from a thread-local counter; leave it elsewhere.
    for _ in 0..5 {
        let _ = docx_rs::Paragraph::new();
    }
    assert!(docx == certification_docx(&p).unwrap(), "the DOCX differs between two renders");
    let other = std::thread::spawn(move || certification_docx(&p).unwrap()).join().unwrap();
    assert!(docx == other, "the DOCX differs when rendered on another thread");
}

/// Every line of text lies inside the margins and between header and footer.
fn assert_inside(name: &str, flow: &Flow, fonts: &Fonts) {
    for (n, page) in flow.pages.iter().enumerate() {
        for op in page {
            if let Op::Text { x, y, style, text } = op {
                let right = x + fonts.width(*style, text);
                assert!(
                    *x >= MARGIN - 0.01 && right <= MARGIN + CONTENT_W + 0.01 && *y > BODY_TOP && *y <= BODY_BOTTOM,
                    "{name}, page {}: {text:?} at ({x}, {y}) to {right} leaves the text area",
                    n + 1
                );
            }
        }
    }
}

fn assert_all_inside(p: &Production) {
    let fonts = Fonts::load().unwrap();
    assert_inside("exhibit index", &layout_exhibit_index(p, &fonts), &fonts);
    assert_inside("custody report", &layout_custody_report(p, &fonts), &fonts);
    assert_inside("certification", &layout_certification(p, &fonts), &fonts);
}

#[test]
fn text_stays_inside_the_margins() {
    assert_all_inside(&sample());
}

#[test]
fn odd_productions_still_render() {
    let mut p = sample();
    p.exhibits.truncate(1);
    p.bates_last = p.bates_first.clone();
    p.matter = "A matter whose name is far too long for the running header of the page, ".repeat(4) + "\u{0007}\u{202E}";
    p.matter_number = None;
    p.organization = None;
    p.produced_at = "not a time".into();
    p.exhibits[0].name = "x".repeat(3000);
    p.exhibits[0].path = "/".repeat(5000);
    p.exhibits[0].custodian = Some("🙂".repeat(200));
    p.exhibits[0].events.clear();
    assert_all_inside(&p);
    for (name, render) in PDFS {
        assert!(render(&p).is_ok(), "{name} failed");
    }
    certification_docx(&p).unwrap();
    p.exhibits.clear();
    for (name, render) in PDFS {
        assert!(render(&p).is_ok(), "{name} failed without exhibits");
    }
    certification_docx(&p).unwrap();
}

#[test]
fn wrapped_lines_fit_their_width() {
    let fonts = Fonts::load().unwrap();
    for text in NAMES.iter().map(|s| s.to_string()).chain([sha256(b"x"), "a b ".repeat(50), "契約書".repeat(30)]) {
        for width in [40.0, 90.0, 200.0] {
            let lines = fonts.wrap(&clean(&text), CELL, width);
            for line in &lines {
                // A single grapheme wider than the column is the only allowed overflow.
                assert!(
                    fonts.width(CELL, line) <= width + 0.01 || line.graphemes(true).count() == 1,
                    "{line:?} is wider than {width}"
                );
            }
            let joined: String = lines.concat().split_whitespace().collect();
            let original: String = clean(&text).split_whitespace().collect();
            assert_eq!(joined, original, "wrapping lost text");
        }
    }
}

fn sample_report(rows: usize) -> Report {
    Report {
        title: "Case timeline".into(),
        matter: "Halvorsen v. Brandt".into(),
        matter_number: Some("1:26-cv-0412".into()),
        made_at: "2026-06-01T12:00:00Z".into(),
        tool: "custos test".into(),
        summary: vec![("Events".into(), thousands(rows as u64)), ("Term list SHA-256".into(), "ab".repeat(32))],
        notes: vec!["Each event names the audit-log export and row it was read from.".into()],
        columns: vec![
            ReportColumn { title: "Time (UTC)".into(), share: 2.0, numeric: false },
            ReportColumn { title: "Actor".into(), share: 2.0, numeric: false },
            ReportColumn { title: "Action".into(), share: 2.0, numeric: false },
            ReportColumn { title: "Count".into(), share: 1.0, numeric: true },
        ],
        rows: (0..rows)
            .map(|i| ReportRow {
                cells: vec![format!("2026-05-14 21:{:02}:00", i % 60), "erik@halvorsen.example".into(), "FileDownloaded".into(), i.to_string()],
                marked: i % 2 == 0,
                details: vec![("Source".into(), format!("EX-0007 row {}", i + 1))],
            })
            .collect(),
    }
}

#[test]
fn a_report_renders_its_summary_notes_and_every_row_on_as_many_pages_as_laid_out() {
    let r = sample_report(120);
    let fonts = Fonts::load().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    let bytes = report_pdf(&r).unwrap();
    assert_eq!(bytes, report_pdf(&r).unwrap(), "the same report gives the same bytes");
    std::fs::write(&path, &bytes).unwrap();
    let pages = layout_report(&r, &fonts).pages.len();
    assert!(pages > 1, "120 rows take more than a page");
    assert_eq!(pdfinfo_pages(&path), pages);
    assert_eq!(rendered_pages(&path, dir.path()), pages);
    let text = pdf_text(&path);
    for want in ["Case timeline", "Halvorsen v. Brandt", "1:26-cv-0412", &"ab".repeat(32), "Each event names the audit-log export", "EX-0007 row 1 ", "EX-0007 row 120"] {
        assert!(text.contains(want), "{want} is in the report: {text}");
    }
}

#[test]
fn a_slip_sheet_is_one_page_with_the_bates_number_and_the_privilege_and_the_index_lists_it() {
    let mut p = sample();
    let w = WithheldDocument {
        bates: "ABC000061".into(),
        exhibit_id: "EX-0061".into(),
        family: "EX-0061".into(),
        privilege: "Attorney-client privilege".into(),
        custodian: Some("Erik Brandt".into()),
        confidentiality: None,
        slip_sheet_path: "data/VOL001/IMAGES/0001/ABC000061.pdf".into(),
    };
    p.withheld.push(w.clone());
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("slip.pdf");
    std::fs::write(&sheet, slip_sheet_pdf(&p, &w).unwrap()).unwrap();
    assert_eq!(pdfinfo_pages(&sheet), 1);
    let text = pdf_text(&sheet);
    assert!(text.contains("ABC000061") && text.contains("WITHHELD") && text.contains("Attorney-client privilege"), "{text}");
    let index = dir.path().join("index.pdf");
    std::fs::write(&index, exhibit_index_pdf(&p).unwrap()).unwrap();
    let text = pdf_text(&index);
    assert!(text.contains("1 document is withheld on the ground of privilege") && text.contains("EX-0061"), "{text}");
}
