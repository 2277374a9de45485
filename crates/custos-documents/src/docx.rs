//! The certification as a DOCX document, to be completed and signed.

use crate::*;
use docx_rs::{
    AlignmentType, Docx, FieldCharType, Footer, Header, InstrNUMPAGES, InstrPAGE, InstrText, LineSpacing, PageMargin,
    Paragraph, Run, RunFonts, Shading, SpecialIndentType, Table, TableCell, TableLayoutType, TableRow, WidthType,
};

const SANS: &str = "Arial";
const MONO: &str = "Courier New";
/// Text width in twentieths of a point: 8.5 in less two 0.75 in margins.
const TEXT_W: usize = 10080;
const COLS: [usize; 3] = [1480, 6800, 1800];

fn run(text: &str) -> Run {
    Run::new().add_text(text)
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text)).line_spacing(LineSpacing::new().after(120))
}

fn mono(text: &str) -> Run {
    Run::new().add_text(text).fonts(RunFonts::new().ascii(MONO).hi_ansi(MONO).cs(MONO)).size(16)
}

/// A page-number field in the footer's style (docx-rs's own one is unstyled).
fn field(instr: InstrText) -> Run {
    Run::new()
        .size(15)
        .color("A81010")
        .add_field_char(FieldCharType::Begin, false)
        .add_instr_text(instr)
        .add_field_char(FieldCharType::Separate, false)
        .add_text("1")
        .add_field_char(FieldCharType::End, false)
}

pub(crate) fn certification(p: &Production, c: &Certification) -> Result<Vec<u8>> {
    let header_text = match &p.matter_number {
        Some(n) if !n.trim().is_empty() => format!("{} \u{00b7} {}    Bates {}", clean(&p.matter), clean(n), bates_range(p)),
        _ => format!("{}    Bates {}", clean(&p.matter), bates_range(p)),
    };
    let header = Header::new().add_paragraph(Paragraph::new().add_run(run(&header_text).size(16).color("555555")));
    let footer = Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(run(&format!("{DRAFT_MARK}    Page ")).size(15).color("A81010"))
            .add_run(field(InstrText::PAGE(InstrPAGE::new())))
            .add_run(run(" of ").size(15).color("A81010"))
            .add_run(field(InstrText::NUMPAGES(InstrNUMPAGES::new()))),
    );

    let mut d = Docx::new()
        .page_size(12240, 15840)
        .page_margin(PageMargin::new().top(1080).bottom(1080).left(1080).right(1080).header(560).footer(560))
        .default_fonts(RunFonts::new().ascii(SANS).hi_ansi(SANS).cs(SANS).east_asia(SANS))
        .default_size(20)
        .header(header)
        .footer(footer);
    if let Some(t) = parse_utc(&p.produced_at) {
        let stamp = t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        d = d.created_at(&stamp).updated_at(&stamp);
    }

    d = d.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(run(DRAFT_MARK).bold().color("A81010"))
            .line_spacing(LineSpacing::new().after(240)),
    );
    for line in COURT_LINES {
        d = d.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(line).bold()));
    }
    d = d.add_paragraph(para(""));
    d = d.add_paragraph(Paragraph::new().add_run(run("In the matter of").size(16).color("555555")));
    d = d.add_paragraph(Paragraph::new().add_run(run(&c.caption_matter).bold().size(22)));
    d = d.add_paragraph(Paragraph::new().add_run(run("Case / matter no.").size(16).color("555555")));
    let number = if c.caption_number.is_empty() { "____________________" } else { c.caption_number.as_str() };
    d = d.add_paragraph(Paragraph::new().add_run(run(number).bold().size(22)).line_spacing(LineSpacing::new().after(240)));
    d = d.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(run(CERT_TITLE).bold().size(23))
            .line_spacing(LineSpacing::new().after(240)),
    );
    d = d.add_paragraph(para("Declarant (to be completed by the person who signs)").bold());
    for field in DECLARANT_FIELDS {
        d = d.add_paragraph(para(&format!("{field}: {BLANK}")));
        if field == "Qualifications" {
            d = d.add_paragraph(para(BLANK).indent(Some(1400), None, None, None));
        }
    }
    d = d.add_paragraph(para(""));
    d = d.add_paragraph(para(INTRO));
    for (i, text) in c.paragraphs.iter().enumerate() {
        d = d.add_paragraph(
            Paragraph::new()
                .add_run(run(&format!("{}.", i + 1)).add_tab().add_text(text))
                .indent(Some(440), Some(SpecialIndentType::Hanging(440)), None, None)
                .line_spacing(LineSpacing::new().after(160))
                .align(AlignmentType::Both),
        );
        if i + 1 == TABLE_AFTER {
            d = d.add_paragraph(para("Records certified").bold().keep_next(true));
            d = d.add_table(records_table(c));
            d = d.add_paragraph(para(""));
        }
    }
    d = d.add_paragraph(para("Declaration under 28 U.S.C. \u{00a7} 1746").bold().keep_next(true));
    d = d.add_paragraph(para(DECLARATION_1746).keep_next(true));
    d = d.add_paragraph(para(EXECUTED).keep_next(true).line_spacing(LineSpacing::new().before(120).after(720)));
    d = d.add_paragraph(para("______________________________________").keep_next(true).line_spacing(LineSpacing::new().after(0)));
    d = d.add_paragraph(para("Signature").size(16).color("555555").keep_next(true).line_spacing(LineSpacing::new().after(360)));
    d = d.add_paragraph(para("Printed name: ______________________________"));

    let mut packed = Cursor::new(Vec::new());
    d.build().pack(&mut packed).map_err(render_error)?;
    repack(packed.into_inner(), p)
}

fn records_table(c: &Certification) -> Table {
    let head = |t: &str, w: usize| {
        TableCell::new()
            .add_paragraph(Paragraph::new().add_run(run(t).bold().size(17)))
            .width(w, WidthType::Dxa)
            .shading(Shading::new().fill("ECECEC"))
    };
    // `cant_split` marks the header row; see `repack`.
    let mut rows = vec![TableRow::new(vec![head("Bates", COLS[0]), head("File name", COLS[1]), head("Hash comparison", COLS[2])]).cant_split()];
    for r in &c.rows {
        let result = if r.matches { run("Match").bold() } else { run("MISMATCH").bold().color("A81010") };
        rows.push(TableRow::new(vec![
            TableCell::new().add_paragraph(Paragraph::new().add_run(run(&r.bates).bold().size(17)).keep_next(true)).width(COLS[0], WidthType::Dxa),
            TableCell::new().add_paragraph(Paragraph::new().add_run(run(&r.name).size(17)).keep_next(true)).width(COLS[1], WidthType::Dxa),
            TableCell::new().add_paragraph(Paragraph::new().add_run(result.size(17)).keep_next(true)).width(COLS[2], WidthType::Dxa),
        ]));
        let hashes = TableCell::new()
            .add_paragraph(Paragraph::new().add_run(run("SHA-256 at intake  ").size(15).color("555555")).add_run(mono(&r.intake)).keep_next(true))
            .add_paragraph(Paragraph::new().add_run(run("SHA-256 at export  ").size(15).color("555555")).add_run(mono(&r.export)))
            .grid_span(2)
            .width(COLS[1] + COLS[2], WidthType::Dxa);
        rows.push(TableRow::new(vec![TableCell::new().add_paragraph(Paragraph::new()).width(COLS[0], WidthType::Dxa), hashes]));
    }
    Table::new(rows).set_grid(COLS.to_vec()).width(TEXT_W, WidthType::Dxa).layout(TableLayoutType::Fixed)
}

/// Rewrites the package docx-rs made: every entry gets the production time (the zip
/// crate would stamp the current time when its `time` feature is on anywhere in the
/// build) and is deflated; paragraph ids are renumbered from 1 (docx-rs draws them
/// from a thread-local counter, so they depend on what the thread built before); and
/// the header row is marked to repeat on each page (docx-rs has no `w:tblHeader`).
fn repack(docx: Vec<u8>, p: &Production) -> Result<Vec<u8>> {
    use chrono::{Datelike, Timelike};
    let stamp = parse_utc(&p.produced_at)
        .and_then(|t| {
            zip::DateTime::from_date_and_time(
                t.year().clamp(1980, 2107) as u16,
                t.month() as u8,
                t.day() as u8,
                t.hour() as u8,
                t.minute() as u8,
                t.second().min(58) as u8,
            )
            .ok()
        })
        .unwrap_or_default();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .unix_permissions(0o644);
    let mut input = zip::ZipArchive::new(Cursor::new(docx)).map_err(render_error)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut para_id = 1;
    for i in 0..input.len() {
        let mut entry = input.by_index(i).map_err(render_error)?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(render_error)?;
        let part = name.strip_prefix("word/").unwrap_or_default();
        if part == "document.xml" || (part.ends_with(".xml") && (part.starts_with("header") || part.starts_with("footer"))) {
            let mut xml = renumber_para_ids(&String::from_utf8(bytes).map_err(render_error)?, &mut para_id);
            if part == "document.xml" {
                xml = xml.replacen("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />", 1);
            }
            bytes = xml.into_bytes();
        }
        out.start_file(name, options).map_err(render_error)?;
        out.write_all(&bytes).map_err(render_error)?;
    }
    Ok(out.finish().map_err(render_error)?.into_inner())
}

fn renumber_para_ids(xml: &str, next: &mut u32) -> String {
    const KEY: &str = "w14:paraId=\"";
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(at) = rest.find(KEY) {
        let start = at + KEY.len();
        let Some(len) = rest[start..].find('"') else { break };
        out.push_str(&rest[..start]);
        out.push_str(&format!("{:08X}", *next));
        *next += 1;
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}
