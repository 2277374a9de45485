//! OpenDocument packages: ODT, ODS and ODP.

use std::io::Cursor;

use calamine::Reader;
use quick_xml::events::Event;

use super::{Package, part, part_elements, sheets_text};
use crate::documents::xml::push_ref;
use crate::documents::{OfficeKind, non_blank};
use crate::{Error, Extracted, Field, Problem, Result};

/// Meta elements: element, field, source.
const ODF_META: [(&str, &str, &str); 12] = [
    ("title", "title", "odf:meta:title"),
    ("subject", "subject", "odf:meta:subject"),
    ("description", "description", "odf:meta:description"),
    ("initial-creator", "author", "odf:meta:initial-creator"),
    ("creator", "last_modified_by", "odf:meta:creator"),
    ("creation-date", "created", "odf:meta:creation-date"),
    ("date", "modified", "odf:meta:date"),
    ("print-date", "last_printed", "odf:meta:print-date"),
    ("editing-cycles", "revision", "odf:meta:editing-cycles"),
    ("editing-duration", "editing_duration", "odf:meta:editing-duration"),
    ("generator", "application", "odf:meta:generator"),
    ("keyword", "keywords", "odf:meta:keyword"),
];

/// Reads an OpenDocument package into `out`.
pub(super) fn read(pkg: &mut Package<'_>, bytes: &[u8], kind: OfficeKind, out: &mut Extracted) -> Result<()> {
    let want = match kind {
        OfficeKind::Odt => "text",
        OfficeKind::Ods => "spreadsheet",
        _ => "presentation",
    };
    match pkg.part("mimetype") {
        Ok(Some(m)) => {
            let m = String::from_utf8_lossy(&m);
            let sub = m.trim().strip_prefix("application/vnd.oasis.opendocument.").unwrap_or("");
            let sub = sub.strip_suffix("-template").unwrap_or(sub);
            if sub != want && !(want == "text" && sub == "text-master") {
                return Err(Error::Malformed(format!("not an OpenDocument {want}: its type is {:?}", m.trim())));
            }
        }
        Ok(None) => {}
        Err(reason) => return Err(Error::Malformed(format!("its mimetype cannot be read: {reason}"))),
    }
    if !pkg.has("content.xml") {
        return Err(Error::Malformed(format!("not an OpenDocument {want}: it has no content.xml")));
    }

    if let Some(els) = part_elements(pkg, "meta.xml", out) {
        let mut keywords = Vec::new();
        for el in &els {
            if el.local == "document-statistic" {
                for (attr, field) in [("page-count", "page_count"), ("word-count", "word_count")] {
                    if let Some(v) = el.attr(attr) {
                        out.metadata.push(Field::new(field, v, &format!("odf:meta:{attr}")));
                    }
                }
                continue;
            }
            let Some((local, field, source)) = ODF_META.iter().find(|(l, _, _)| *l == el.local) else { continue };
            let Some(v) = el.value() else { continue };
            if *local == "keyword" {
                keywords.push(v.to_string());
            } else {
                out.metadata.push(Field::new(field, v, source));
            }
        }
        if !keywords.is_empty() {
            out.metadata.push(Field::new("keywords", keywords.join("; "), "odf:meta:keyword"));
        }
    }

    if kind == OfficeKind::Ods {
        if let Err(reason) = pkg.check_all() {
            out.problems.push(Problem { item: "spreadsheet".into(), reason });
            return Ok(());
        }
        match calamine::Ods::new(Cursor::new(bytes)) {
            Ok(mut wb) => {
                for sheet in wb.sheets_metadata() {
                    if sheet.visible != calamine::SheetVisible::Visible {
                        out.metadata.push(Field::new("hidden_sheets", sheet.name.clone(), "odf:content:table:display"));
                    }
                }
                out.text = non_blank(sheets_text(&mut wb, false, out));
            }
            Err(e) => out.problems.push(Problem { item: "spreadsheet".into(), reason: e.to_string() }),
        }
        return Ok(());
    }

    let Some(content) = part(pkg, "content.xml", out) else { return Ok(()) };
    match odf_text(&content) {
        Ok((text, pages)) => {
            out.text = non_blank(text);
            if kind == OfficeKind::Odp {
                out.pages = Some(pages);
            }
        }
        Err(e) => out.problems.push(Problem { item: "content.xml".into(), reason: format!("not well-formed XML: {e}") }),
    }
    Ok(())
}

/// The text of an ODF `content.xml`, each paragraph or heading a line, and
/// the number of drawing pages (slides); slides are separated by an empty
/// line. The author and date of a comment are not text.
fn odf_text(xml: &[u8]) -> std::result::Result<(String, u32), String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut text = String::new();
    let (mut paragraphs, mut pages, mut skip) = (0usize, 0u32, 0usize);
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| e.to_string())?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let start = matches!(event, Event::Start(_));
                if skip > 0 {
                    skip += usize::from(start);
                    buf.clear();
                    continue;
                }
                match e.local_name().as_ref() {
                    b"p" | b"h" if start => paragraphs += 1,
                    b"p" | b"h" => text.push('\n'),
                    b"tab" if paragraphs > 0 => text.push('\t'),
                    b"line-break" if paragraphs > 0 => text.push('\n'),
                    b"s" if paragraphs > 0 => {
                        let count = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.local_name().as_ref() == b"c")
                            .and_then(|a| String::from_utf8_lossy(&a.value).parse::<usize>().ok())
                            .unwrap_or(1);
                        text.extend(std::iter::repeat_n(' ', count.min(1000)));
                    }
                    b"creator" | b"date" if start => skip = 1,
                    _ => {}
                }
            }
            Event::End(e) => {
                if skip > 0 {
                    skip -= 1;
                } else {
                    match e.local_name().as_ref() {
                        b"p" | b"h" => {
                            paragraphs = paragraphs.saturating_sub(1);
                            text.push('\n');
                        }
                        b"page" => {
                            pages += 1;
                            text.push('\n');
                        }
                        _ => {}
                    }
                }
            }
            Event::Text(t) if paragraphs > 0 && skip == 0 => {
                // Inside a paragraph, white space in the XML is one space;
                // kept spaces are written as text:s.
                let raw = t.decode().map_err(|e| e.to_string())?;
                let mut last_space = false;
                for c in raw.chars() {
                    let space = matches!(c, ' ' | '\t' | '\n' | '\r');
                    if !(space && last_space) {
                        text.push(if space { ' ' } else { c });
                    }
                    last_space = space;
                }
            }
            Event::GeneralRef(r) if paragraphs > 0 && skip == 0 => push_ref(&mut text, r),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok((text.trim_end().to_string(), pages))
}
