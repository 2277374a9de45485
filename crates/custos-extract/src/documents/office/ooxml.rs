//! Office Open XML packages: DOCX, XLSX and PPTX.

use std::io::Cursor;

use calamine::Reader;
use quick_xml::events::Event;

use super::{Package, part, part_elements, sheets_text};
use crate::documents::xml::{self, push_ref};
use crate::documents::{OfficeKind, non_blank};
use crate::{Error, Extracted, Field, Problem, Result};

/// Core properties: element, field, source.
const OOXML_CORE: [(&str, &str, &str); 11] = [
    ("title", "title", "ooxml:core:title"),
    ("subject", "subject", "ooxml:core:subject"),
    ("creator", "author", "ooxml:core:creator"),
    ("keywords", "keywords", "ooxml:core:keywords"),
    ("description", "description", "ooxml:core:description"),
    ("category", "category", "ooxml:core:category"),
    ("lastModifiedBy", "last_modified_by", "ooxml:core:lastModifiedBy"),
    ("revision", "revision", "ooxml:core:revision"),
    ("created", "created", "ooxml:core:created"),
    ("modified", "modified", "ooxml:core:modified"),
    ("lastPrinted", "last_printed", "ooxml:core:lastPrinted"),
];

/// Extended (application) properties: element, field, source.
const OOXML_APP: [(&str, &str, &str); 10] = [
    ("Application", "application", "ooxml:app:Application"),
    ("Company", "company", "ooxml:app:Company"),
    ("Manager", "manager", "ooxml:app:Manager"),
    ("Template", "template", "ooxml:app:Template"),
    ("TotalTime", "editing_minutes", "ooxml:app:TotalTime"),
    ("Pages", "page_count", "ooxml:app:Pages"),
    ("Words", "word_count", "ooxml:app:Words"),
    ("Slides", "slide_count", "ooxml:app:Slides"),
    ("HiddenSlides", "hidden_slide_count", "ooxml:app:HiddenSlides"),
    ("Notes", "notes_count", "ooxml:app:Notes"),
];

/// The fields of a properties part: the root's children named in `map`.
fn property_fields(els: &[xml::Element], map: &[(&str, &str, &str)]) -> Vec<Field> {
    let mut out = Vec::new();
    for el in els.iter().filter(|e| e.parent == Some(0)) {
        if let (Some((_, field, source)), Some(v)) = (map.iter().find(|(l, _, _)| *l == el.local), el.value()) {
            out.push(Field::new(field, v, source));
        }
    }
    out
}

/// A relationship part's entries: id, type, target resolved against `dir`.
fn relationships(els: &[xml::Element], dir: &str) -> Vec<(String, String, String)> {
    els.iter()
        .filter(|e| e.local == "Relationship" && e.attr("TargetMode") != Some("External"))
        .filter_map(|e| Some((e.attr("Id")?.to_string(), e.attr("Type").unwrap_or("").to_string(), resolve(dir, e.attr("Target")?))))
        .collect()
}

/// A relationship target, relative to the folder `dir` (`""` for the
/// package root, else ending in `/`), as a part name.
fn resolve(dir: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("{dir}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The parts of a Word document beside its body whose text is kept after
/// it, each under its label: relationship type (its end), label.
const DOCX_ASIDES: [(&str, &str); 5] =
    [("Headers", "/header"), ("Footers", "/footer"), ("Footnotes", "/footnotes"), ("Endnotes", "/endnotes"), ("Comments", "/comments")];

/// The relationships of the part `name` (in the folder `dir`), from its
/// `_rels` part; none when it has none.
fn part_relationships(pkg: &mut Package<'_>, name: &str, dir: &str, out: &mut Extracted) -> Vec<(String, String, String)> {
    let rels_name = format!("{dir}_rels/{}.rels", name.rsplit('/').next().unwrap_or(name));
    part_elements(pkg, &rels_name, out).map(|els| relationships(&els, dir)).unwrap_or_default()
}

/// Reads an Office Open XML package into `out`.
pub(super) fn read(pkg: &mut Package<'_>, bytes: &[u8], kind: OfficeKind, out: &mut Extracted) -> Result<()> {
    let (default_main, root) = match kind {
        OfficeKind::Docx => ("word/document.xml", "document"),
        OfficeKind::Xlsx => ("xl/workbook.xml", "workbook"),
        _ => ("ppt/presentation.xml", "presentation"),
    };
    if !pkg.has("[Content_Types].xml") {
        return Err(Error::Malformed("not an Office Open XML package: no [Content_Types].xml".into()));
    }
    let main = part_elements(pkg, "_rels/.rels", out)
        .and_then(|els| relationships(&els, "").into_iter().find(|(_, t, _)| t.ends_with("/officeDocument")).map(|(_, _, target)| target))
        .unwrap_or_else(|| default_main.to_string());
    let main_xml = match pkg.part(&main) {
        Ok(Some(x)) => Some(x),
        Ok(None) => return Err(Error::Malformed(format!("not a {kind:?} package: it has no {main}"))),
        Err(reason) => {
            out.problems.push(Problem { item: main.clone(), reason });
            None
        }
    };
    if let Some(x) = &main_xml {
        let found = first_element(x).map_err(|e| Error::Malformed(format!("{main} is not well-formed XML: {e}")))?;
        if found != root {
            return Err(Error::Malformed(format!("not a {kind:?} package: its main part is a {found}, not a {root}")));
        }
    }

    if let Some(els) = part_elements(pkg, "docProps/core.xml", out) {
        out.metadata.extend(property_fields(&els, &OOXML_CORE));
    }
    if let Some(els) = part_elements(pkg, "docProps/app.xml", out) {
        out.metadata.extend(property_fields(&els, &OOXML_APP));
    }
    let Some(main_xml) = main_xml else { return Ok(()) };
    let dir = main.rsplit_once('/').map(|(d, _)| format!("{d}/")).unwrap_or_default();

    match kind {
        OfficeKind::Docx => match docx_text(&main_xml) {
            Ok(doc) => {
                if let Some(source) = doc.tracked {
                    out.metadata.push(Field::new("tracked_changes", "yes", source));
                }
                let rels = part_relationships(pkg, &main, &dir, out);
                let mut text = doc.text;
                for (label, rel) in DOCX_ASIDES {
                    let mut aside = String::new();
                    for (_, _, target) in rels.iter().filter(|(_, t, _)| t.ends_with(rel)) {
                        let Some(x) = part(pkg, target, out) else { continue };
                        match docx_text(&x) {
                            Ok(d) if !d.text.trim().is_empty() => {
                                aside.push_str(d.text.trim());
                                aside.push('\n');
                            }
                            Ok(_) => {}
                            Err(e) => out.problems.push(Problem { item: target.clone(), reason: format!("not well-formed XML: {e}") }),
                        }
                        if rel == "/comments" {
                            let n = xml::elements(&x).unwrap_or_default().iter().filter(|e| e.local == "comment").count();
                            if n > 0 {
                                out.metadata.push(Field::new("comment_count", n.to_string(), "ooxml:comments"));
                            }
                        }
                    }
                    if !aside.trim().is_empty() {
                        text.push_str(&format!("\n\n[{label}]\n{}", aside.trim_end()));
                    }
                }
                out.text = non_blank(text);
            }
            Err(e) => out.problems.push(Problem { item: main.clone(), reason: format!("not well-formed XML: {e}") }),
        },
        OfficeKind::Xlsx => {
            let els = xml::elements(&main_xml).unwrap_or_default();
            for sheet in els.iter().filter(|e| e.local == "sheet") {
                if let (Some(name), Some("hidden" | "veryHidden")) = (sheet.attr("name"), sheet.attr("state")) {
                    out.metadata.push(Field::new("hidden_sheets", name, "ooxml:workbook:state"));
                }
            }
            let date1904 = els.iter().filter(|e| e.local == "workbookPr").any(|e| matches!(e.attr("date1904"), Some("1" | "true")));
            if let Err(reason) = pkg.check_all() {
                out.problems.push(Problem { item: "workbook".into(), reason });
                return Ok(());
            }
            match calamine::Xlsx::new(Cursor::new(bytes)) {
                Ok(mut wb) => out.text = non_blank(sheets_text(&mut wb, date1904, out)),
                Err(e) => out.problems.push(Problem { item: "workbook".into(), reason: e.to_string() }),
            }
        }
        _ => {
            let rels = part_relationships(pkg, &main, &dir, out);
            let els = xml::elements(&main_xml).unwrap_or_default();
            let mut slides: Vec<String> = els
                .iter()
                .filter(|e| e.local == "sldId")
                .filter_map(|e| e.attrs.iter().find(|(ns, l, _)| l == "id" && !ns.is_empty()).map(|(_, _, v)| v.as_str()))
                .filter_map(|id| rels.iter().find(|(rid, _, _)| rid == id).map(|(_, _, t)| t.clone()))
                .collect();
            if slides.is_empty() {
                // No usable slide list: the slide parts in number order.
                let mut named: Vec<(u32, String)> = pkg
                    .zip
                    .file_names()
                    .filter_map(|n| {
                        let num = n.strip_prefix(&format!("{dir}slides/slide"))?.strip_suffix(".xml")?.parse().ok()?;
                        Some((num, n.to_string()))
                    })
                    .collect();
                named.sort();
                slides = named.into_iter().map(|(_, n)| n).collect();
            }
            let mut text = String::new();
            for slide in &slides {
                if let Some(x) = part(pkg, slide, out) {
                    match drawing_text(&x) {
                        Ok(t) => {
                            text.push_str(t.trim_end());
                            text.push_str("\n\n");
                        }
                        Err(e) => out.problems.push(Problem { item: slide.clone(), reason: format!("not well-formed XML: {e}") }),
                    }
                }
                // The speaker's notes, after their slide.
                let slide_dir = slide.rsplit_once('/').map(|(d, _)| format!("{d}/")).unwrap_or_default();
                for (_, _, notes) in part_relationships(pkg, slide, &slide_dir, out).iter().filter(|(_, t, _)| t.ends_with("/notesSlide")) {
                    match part(pkg, notes, out).map(|x| drawing_text(&x)) {
                        Some(Ok(t)) if !t.trim().is_empty() => text.push_str(&format!("[Notes]\n{}\n\n", t.trim())),
                        Some(Err(e)) => out.problems.push(Problem { item: notes.clone(), reason: format!("not well-formed XML: {e}") }),
                        _ => {}
                    }
                }
            }
            out.pages = Some(slides.len() as u32);
            out.text = non_blank(text.trim_end().to_string());
        }
    }
    Ok(())
}

/// The local name of the root element.
fn first_element(xml: &[u8]) -> std::result::Result<String, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Start(e) | Event::Empty(e) => return Ok(String::from_utf8_lossy(e.local_name().as_ref()).into_owned()),
            Event::Eof => return Err("no element".into()),
            _ => {}
        }
        buf.clear();
    }
}

/// The text of a Word document's body, and whether it has tracked changes.
pub(super) struct DocxText {
    pub(super) text: String,
    /// The source of the `tracked_changes` field, if there are any.
    pub(super) tracked: Option<&'static str>,
}

/// The text of `word/document.xml`: runs' text (`w:t`), tabs and breaks
/// inside runs, each paragraph a line. Deleted text (`w:delText`) and field
/// codes are not text; the fallback copy of alternative content is skipped.
pub(super) fn docx_text(xml: &[u8]) -> std::result::Result<DocxText, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut text = String::new();
    let (mut inserted, mut deleted) = (false, false);
    let (mut in_t, mut runs, mut skip) = (false, 0usize, 0usize);
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| e.to_string())?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let start = matches!(event, Event::Start(_));
                let name = e.local_name();
                if skip > 0 {
                    skip += usize::from(start);
                } else {
                    match name.as_ref() {
                        b"Fallback" if start => skip = 1,
                        b"t" => in_t = start,
                        b"r" if start => runs += 1,
                        b"tab" if runs > 0 => text.push('\t'),
                        b"br" | b"cr" if runs > 0 => text.push('\n'),
                        b"noBreakHyphen" if runs > 0 => text.push('-'),
                        b"ins" | b"moveTo" => inserted = true,
                        b"del" | b"moveFrom" => deleted = true,
                        b"p" if !start => text.push('\n'),
                        _ => {}
                    }
                }
            }
            Event::End(e) => {
                if skip > 0 {
                    skip -= 1;
                } else {
                    match e.local_name().as_ref() {
                        b"t" => in_t = false,
                        b"r" => runs = runs.saturating_sub(1),
                        b"p" => text.push('\n'),
                        _ => {}
                    }
                }
            }
            Event::Text(t) if in_t && skip == 0 => text.push_str(&t.decode().map_err(|e| e.to_string())?),
            Event::CData(t) if in_t && skip == 0 => text.push_str(&t.decode().map_err(|e| e.to_string())?),
            Event::GeneralRef(r) if in_t && skip == 0 => push_ref(&mut text, r),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let tracked = if inserted {
        Some("ooxml:document:w:ins")
    } else if deleted {
        Some("ooxml:document:w:del")
    } else {
        None
    };
    Ok(DocxText { text: text.trim_end().to_string(), tracked })
}

/// The text of a DrawingML part (a slide): `a:t` runs, each paragraph a
/// line, line breaks kept; the fallback copy of alternative content is
/// skipped.
fn drawing_text(xml: &[u8]) -> std::result::Result<String, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut text = String::new();
    let (mut in_t, mut skip) = (false, 0usize);
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| e.to_string())?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let start = matches!(event, Event::Start(_));
                if skip > 0 {
                    skip += usize::from(start);
                } else {
                    match e.local_name().as_ref() {
                        b"Fallback" if start => skip = 1,
                        b"t" => in_t = start,
                        b"br" => text.push('\n'),
                        _ => {}
                    }
                }
            }
            Event::End(e) => {
                if skip > 0 {
                    skip -= 1;
                } else {
                    match e.local_name().as_ref() {
                        b"t" => in_t = false,
                        b"p" => text.push('\n'),
                        _ => {}
                    }
                }
            }
            Event::Text(t) if in_t && skip == 0 => text.push_str(&t.decode().map_err(|e| e.to_string())?),
            Event::GeneralRef(r) if in_t && skip == 0 => push_ref(&mut text, r),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(text)
}
