//! PDF: metadata from `pdfinfo`, text from `pdftotext`, both fed through
//! pipes.

use super::xml::{self, DC, RDF};
use super::{non_blank, visible_chars};
use crate::{Error, Extracted, Extractor, Field, OCR_BELOW_CHARS, Problem, Result, tools};

/// XMP basic.
const XMP: &str = "http://ns.adobe.com/xap/1.0/";
/// Adobe's PDF schema.
const XMP_PDF: &str = "http://ns.adobe.com/pdf/1.3/";

/// The most pages listed for OCR when no text could be read at all.
const MAX_OCR_PAGES: u32 = 100_000;

const INFO_ARGS: [&str; 4] = ["-isodates", "-enc", "UTF-8", "-"];
const META_ARGS: [&str; 2] = ["-meta", "-"];
const TEXT_ARGS: [&str; 4] = ["-enc", "UTF-8", "-", "-"];

/// The keys `pdfinfo` prints; a line starting with none of them continues
/// the value above it (a title with a line break).
const PDFINFO_KEYS: [&str; 24] = [
    "Title", "Subject", "Keywords", "Author", "Creator", "Producer", "CreationDate", "ModDate", "Custom Metadata",
    "Metadata Stream", "Tagged", "UserProperties", "Suspects", "Form", "JavaScript", "Pages", "Encrypted",
    "Page size", "Page rot", "File size", "Optimized", "PDF version", "Metadata", "Page",
];

/// Document information entries: pdfinfo's key, field name, source.
const DOCINFO: [(&str, &str, &str); 8] = [
    ("Title", "title", "pdf:docinfo:Title"),
    ("Subject", "subject", "pdf:docinfo:Subject"),
    ("Keywords", "keywords", "pdf:docinfo:Keywords"),
    ("Author", "author", "pdf:docinfo:Author"),
    ("Creator", "creator", "pdf:docinfo:Creator"),
    ("Producer", "producer", "pdf:docinfo:Producer"),
    ("CreationDate", "created", "pdf:docinfo:CreationDate"),
    ("ModDate", "modified", "pdf:docinfo:ModDate"),
];

/// XMP properties: namespace, name, field name, source.
const XMP_FIELDS: [(&str, &str, &str, &str); 6] = [
    (DC, "title", "title", "pdf:xmp:dc:title"),
    (DC, "creator", "author", "pdf:xmp:dc:creator"),
    (XMP, "CreateDate", "created", "pdf:xmp:xmp:CreateDate"),
    (XMP, "ModifyDate", "modified", "pdf:xmp:xmp:ModifyDate"),
    (XMP, "CreatorTool", "creator", "pdf:xmp:xmp:CreatorTool"),
    (XMP_PDF, "Producer", "producer", "pdf:xmp:pdf:Producer"),
];

/// Reads a PDF; see [`super::pdf`].
pub(super) fn read(bytes: &[u8]) -> Result<Extracted> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(Error::Malformed("not a PDF (no %PDF- header)".into()));
    }
    let extractor = Extractor {
        name: "poppler".into(),
        version: tools::version("pdftotext")?,
        settings: format!("pdfinfo {}; pdfinfo {}; pdftotext {}", INFO_ARGS[..3].join(" "), META_ARGS[0], TEXT_ARGS[..2].join(" ")),
    };
    let (info, meta, text) = std::thread::scope(|s| {
        let info = s.spawn(|| tools::output("pdfinfo", &INFO_ARGS, bytes));
        let meta = s.spawn(|| tools::output("pdfinfo", &META_ARGS, bytes));
        let text = tools::output("pdftotext", &TEXT_ARGS, bytes);
        let join = |h: std::thread::ScopedJoinHandle<'_, Result<tools::Output>>| {
            h.join().unwrap_or_else(|_| Err(Error::Tool { program: "pdfinfo".into(), reason: "its reader stopped".into() }))
        };
        (join(info), join(meta), text)
    });
    assemble(extractor, info?, meta?, text?)
}

/// Builds the result from what the three runs left behind.
fn assemble(extractor: Extractor, info: tools::Output, meta: tools::Output, text: tools::Output) -> Result<Extracted> {
    let mut out = Extracted { extractor, ..Default::default() };

    if !info.status.success() {
        let said = tools::first_line(&info.stderr).unwrap_or_default();
        if said.to_ascii_lowercase().contains("password") {
            out.metadata.push(Field::new("encrypted", "yes", "pdf:encryption"));
            out.problems.push(Problem {
                item: "document".into(),
                reason: format!("encrypted with a password that was not given; its metadata and text cannot be read ({said})"),
            });
            return Ok(out);
        }
        return Err(Error::Malformed(format!("the PDF cannot be read: {}", info.failure_reason())));
    }

    let info_text = String::from_utf8_lossy(&info.stdout);
    let entries = pdfinfo_entries(&info_text);
    let get = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim());
    for (key, field, source) in DOCINFO {
        if let Some(v) = get(key).filter(|v| !v.is_empty()) {
            out.metadata.push(Field::new(field, v, source));
        }
    }
    let pages = get("Pages").and_then(|p| p.parse::<u32>().ok());
    if let Some(p) = pages {
        out.metadata.push(Field::new("page_count", p.to_string(), "pdf:pages"));
    }
    if let Some(enc) = get("Encrypted") {
        let yes = enc.starts_with("yes");
        out.metadata.push(Field::new("encrypted", if yes { "yes" } else { "no" }, "pdf:encryption"));
        if let Some(detail) = enc.strip_prefix("yes").map(str::trim).filter(|d| !d.is_empty()) {
            out.metadata.push(Field::new("encryption", detail.trim_matches(|c| c == '(' || c == ')'), "pdf:encryption"));
        }
    }
    if let Some(v) = get("PDF version").filter(|v| !v.is_empty()) {
        out.metadata.push(Field::new("pdf_version", v, "pdf:header"));
    }

    if meta.status.success() {
        let packet = String::from_utf8_lossy(&meta.stdout);
        if !packet.trim().is_empty() {
            match xmp_fields(packet.trim().as_bytes()) {
                Ok(fields) => out.metadata.extend(fields),
                Err(e) => out.problems.push(Problem { item: "XMP metadata".into(), reason: format!("cannot be parsed: {e}") }),
            }
        }
    } else {
        out.problems.push(Problem { item: "XMP metadata".into(), reason: format!("pdfinfo -meta failed: {}", meta.failure_reason()) });
    }

    if text.status.success() {
        let all = String::from_utf8_lossy(&text.stdout);
        let all = all.strip_suffix('\x0c').unwrap_or(&all);
        let per_page: Vec<&str> = all.split('\x0c').collect();
        let count = pages.unwrap_or(per_page.len() as u32);
        out.pages = Some(count);
        // Only pages pdftotext went through: a page count in a damaged or
        // hostile file may be far larger than the pages there are.
        let seen = count.min(per_page.len() as u32);
        out.wants_ocr = (1..=seen).filter(|&p| visible_chars(per_page.get(p as usize - 1).copied().unwrap_or("")) < OCR_BELOW_CHARS).collect();
        out.text = non_blank(all.to_string());
    } else {
        out.pages = pages;
        out.wants_ocr = (1..=pages.unwrap_or(0).min(MAX_OCR_PAGES)).collect();
        out.problems.push(Problem { item: "text".into(), reason: format!("pdftotext failed: {}", text.failure_reason()) });
    }
    Ok(out)
}

/// `pdfinfo`'s `Key: value` lines, in order.
fn pdfinfo_entries(text: &str) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let known = line.split_once(':').filter(|(k, _)| PDFINFO_KEYS.contains(k) || k.starts_with("Page "));
        match known {
            Some((k, v)) => entries.push((k.to_string(), v.trim_start().to_string())),
            None => {
                if let Some((_, v)) = entries.last_mut() {
                    v.push('\n');
                    v.push_str(line);
                }
            }
        }
    }
    entries
}

/// The XMP properties of [`XMP_FIELDS`], whether written as elements
/// (simple, or `rdf:Alt`/`rdf:Seq`/`rdf:Bag` lists) or as attributes of an
/// `rdf:Description`.
fn xmp_fields(packet: &[u8]) -> std::result::Result<Vec<Field>, String> {
    let els = xml::elements(packet)?;
    let mut out = Vec::new();
    for (i, el) in els.iter().enumerate() {
        for (ns, local, value) in &el.attrs {
            if let Some((_, _, field, source)) = XMP_FIELDS.iter().find(|(n, l, _, _)| n == ns && l == local)
                && !value.trim().is_empty()
            {
                out.push(Field::new(field, value.trim(), source));
            }
        }
        let Some((_, _, field, source)) = XMP_FIELDS.iter().find(|(n, l, _, _)| el.is(n, l)) else { continue };
        let within = |mut j: usize| loop {
            match els[j].parent {
                Some(p) if p == i => return true,
                Some(p) => j = p,
                None => return false,
            }
        };
        let items: Vec<&xml::Element> = els.iter().enumerate().skip(i + 1).filter(|(j, e)| e.is(RDF, "li") && within(*j)).map(|(_, e)| e).collect();
        let value = if items.is_empty() {
            el.value().map(str::to_string)
        } else if *field == "title" {
            // A language alternative: the default language, else the first.
            let chosen = items.iter().find(|e| e.attr("lang") == Some("x-default")).or(items.first());
            chosen.and_then(|e| e.value()).map(str::to_string)
        } else {
            let all: Vec<&str> = items.iter().filter_map(|e| e.value()).collect();
            (!all.is_empty()).then(|| all.join("; "))
        };
        if let Some(v) = value {
            out.push(Field::new(field, v, source));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::pdf;
    use krilla::geom::{PathBuilder, Point, Rect};
    use krilla::metadata::{DateTime, Metadata};
    use krilla::page::PageSettings;
    use krilla::paint::Fill;
    use krilla::text::{Font, TextDirection};

    const BODY: &str = "The merger closes on the first of March.";

    fn font() -> Font {
        let data = std::fs::read("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").expect("DejaVu Sans is installed");
        Font::new(data.into(), 0).unwrap()
    }

    /// Three pages: two lines of text, a page with only a drawn rectangle,
    /// then one more line.
    fn sample_pdf() -> Vec<u8> {
        let mut doc = krilla::Document::new();
        let size = PageSettings::from_wh(595.0, 842.0).unwrap();
        for p in 0..3 {
            let mut page = doc.start_page_with(size.clone());
            let mut surface = page.surface();
            surface.set_fill(Some(Fill::default()));
            match p {
                0 => {
                    surface.draw_text(Point::from_xy(50.0, 100.0), font(), 14.0, BODY, false, TextDirection::Auto);
                    surface.draw_text(Point::from_xy(50.0, 130.0), font(), 14.0, "Privileged und vertraulich: Über", false, TextDirection::Auto);
                }
                1 => {
                    let mut pb = PathBuilder::new();
                    pb.push_rect(Rect::from_xywh(100.0, 100.0, 300.0, 200.0).unwrap());
                    surface.draw_path(&pb.finish().unwrap());
                }
                _ => surface.draw_text(Point::from_xy(50.0, 100.0), font(), 14.0, "Third page with enough words for a text layer.", false, TextDirection::Auto),
            }
            surface.finish();
            page.finish();
        }
        let date = DateTime::new(2024).month(3).day(5).hour(9).minute(30).second(0).utc_offset_hour(0).utc_offset_minute(0);
        doc.set_metadata(
            Metadata::new()
                .title("Merger memo".into())
                .authors(vec!["Jane Roe".into()])
                .creator("Custos test".into())
                .creation_date(date),
        );
        doc.finish().unwrap()
    }

    fn installed() -> bool {
        let ok = tools::check("pdfinfo").is_ok() && tools::check("pdftotext").is_ok();
        if !ok {
            eprintln!("note: poppler-utils not installed; PDF reading not tested");
        }
        ok
    }

    fn field<'a>(ex: &'a Extracted, source: &str) -> Option<&'a str> {
        ex.metadata.iter().find(|f| f.source == source).map(|f| f.value.as_str())
    }

    #[test]
    fn documents_pdf_text_metadata_and_ocr_pages() {
        if !installed() {
            return;
        }
        let ex = pdf(&sample_pdf()).unwrap();
        assert_eq!(ex.extractor.name, "poppler");
        assert!(ex.extractor.version.contains('.'), "{}", ex.extractor.version);
        assert_eq!(ex.pages, Some(3));
        assert_eq!(ex.wants_ocr, vec![2], "only the page with no text wants OCR");
        let text = ex.text.as_deref().unwrap();
        let pages: Vec<&str> = text.split('\x0c').collect();
        assert_eq!(pages.len(), 3, "pages are separated by form feeds");
        assert!(pages[0].contains(BODY));
        assert!(pages[0].contains("Über"), "text is UTF-8");
        assert!(pages[2].contains("Third page"));
        assert_eq!(field(&ex, "pdf:docinfo:Title"), Some("Merger memo"));
        assert_eq!(field(&ex, "pdf:docinfo:Author"), Some("Jane Roe"));
        assert_eq!(field(&ex, "pdf:docinfo:Creator"), Some("Custos test"));
        assert_eq!(field(&ex, "pdf:docinfo:CreationDate"), Some("2024-03-05T09:30:00Z"));
        assert_eq!(field(&ex, "pdf:pages"), Some("3"));
        assert_eq!(field(&ex, "pdf:encryption"), Some("no"));
        // krilla writes an XMP packet as well.
        assert_eq!(field(&ex, "pdf:xmp:dc:title"), Some("Merger memo"));
        assert_eq!(field(&ex, "pdf:xmp:dc:creator"), Some("Jane Roe"));
        assert_eq!(field(&ex, "pdf:xmp:xmp:CreatorTool"), Some("Custos test"));
        assert!(field(&ex, "pdf:xmp:xmp:CreateDate").unwrap().starts_with("2024-03-05T09:30:00"));
        let fields: Vec<&str> = ex.metadata.iter().filter(|f| f.field == "title").map(|f| f.source.as_str()).collect();
        assert_eq!(fields, ["pdf:docinfo:Title", "pdf:xmp:dc:title"], "both sources are kept");
        assert!(ex.problems.is_empty(), "{:?}", ex.problems);
    }

    #[test]
    fn documents_pdf_rejects_what_is_not_a_pdf() {
        assert!(matches!(pdf(b"hello, not a PDF"), Err(Error::Malformed(_))));
        if !installed() {
            return;
        }
        let mut broken = b"%PDF-1.7\n".to_vec();
        broken.extend_from_slice(&[0x55; 400]);
        assert!(matches!(pdf(&broken), Err(Error::Malformed(_))), "a damaged PDF is malformed");
    }

    #[test]
    fn documents_pdf_with_a_password() {
        // What poppler 22 does with a PDF that needs a user password: every
        // tool exits with status 1 and says so on standard error.
        use std::os::unix::process::ExitStatusExt;
        let refused = || tools::Output {
            status: std::process::ExitStatus::from_raw(1 << 8),
            stdout: Vec::new(),
            stderr: b"Command Line Error: Incorrect password\n".to_vec(),
        };
        let ex = assemble(Extractor::default(), refused(), refused(), refused()).unwrap();
        assert_eq!(field(&ex, "pdf:encryption"), Some("yes"));
        assert_eq!(ex.problems.len(), 1);
        assert!(ex.problems[0].reason.contains("password"));
        assert!(ex.text.is_none());
        let damaged = tools::Output { stderr: b"Syntax Error: Couldn't find trailer dictionary\n".to_vec(), ..refused() };
        assert!(matches!(assemble(Extractor::default(), damaged, refused(), refused()), Err(Error::Malformed(_))));
    }

    #[test]
    fn documents_pdf_xmp_attributes_and_lists() {
        let packet = br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description rdf:about="" xmlns:xap="http://ns.adobe.com/xap/1.0/" xap:CreateDate="2020-01-02T03:04:05-05:00"
                xmlns:p="http://ns.adobe.com/pdf/1.3/" p:Producer="Acrobat &amp; Co"/>
            <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
              <dc:title><rdf:Alt><rdf:li xml:lang="de">Titel</rdf:li><rdf:li xml:lang="x-default">Title</rdf:li></rdf:Alt></dc:title>
              <dc:creator><rdf:Seq><rdf:li>A. One</rdf:li><rdf:li>B. Two</rdf:li></rdf:Seq></dc:creator>
            </rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let fields = xmp_fields(packet).unwrap();
        let get = |s: &str| fields.iter().find(|f| f.source == s).map(|f| f.value.as_str());
        assert_eq!(get("pdf:xmp:xmp:CreateDate"), Some("2020-01-02T03:04:05-05:00"), "another prefix for the same namespace");
        assert_eq!(get("pdf:xmp:pdf:Producer"), Some("Acrobat & Co"));
        assert_eq!(get("pdf:xmp:dc:title"), Some("Title"), "the default language wins");
        assert_eq!(get("pdf:xmp:dc:creator"), Some("A. One; B. Two"));
        assert_eq!(fields.len(), 4);
    }

    #[test]
    fn documents_pdf_info_continuation_lines() {
        let entries = pdfinfo_entries("Title:           Line one\nline two\nPages:           2\n");
        assert_eq!(entries[0], ("Title".into(), "Line one\nline two".into()));
        assert_eq!(entries[1], ("Pages".into(), "2".into()));
    }
}
