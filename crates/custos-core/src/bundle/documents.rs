//! Renders the documents a production bundle gives counsel: the exhibit index, the
//! chain-of-custody report and the draft FRE 902(14) certification (PDF and DOCX).
//!
//! Layout (wrapping, tables, page breaks, running header and footer) is done here;
//! text is shaped with rustybuzz in embedded DejaVu fonts and drawn with krilla, so
//! any Unicode name prints (a glyph DejaVu lacks shows as a box). Output depends only
//! on the [`Production`]: no clock, no random ids, so the same production gives the
//! same bytes.

use std::fmt::Display;
use std::io::{Cursor, Read, Write};

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime as PdfDateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};
use unicode_bidi::{BidiInfo, Level};
use unicode_segmentation::UnicodeSegmentation;

use super::model::{ProducedExhibit, Production};
use crate::format::custody::CustodyEvent;
use crate::error::{Error, Result};

// DejaVu Sans, Sans Bold and Sans Mono, kept in the repository
// (assets/fonts/, with their LICENSE) so the core builds anywhere. Licence:
// Bitstream Vera Fonts licence, DejaVu changes in the public domain; free to use,
// embed in documents and redistribute. Embedded (subset) so every reader shows the
// same glyphs, accents, Greek, Cyrillic, Hebrew and Arabic included.
const SANS_TTF: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts/DejaVuSans.ttf"));
const SANS_BOLD_TTF: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts/DejaVuSans-Bold.ttf"));
const MONO_TTF: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts/DejaVuSansMono.ttf"));

/// The title of the certification, as FRE 902(14) practice words it.
const CERT_TITLE: &str = "Certification of Authenticity of Data Copied from an Electronic Device, Storage \
Medium, or File Pursuant to Federal Rules of Evidence 902(14) and 902(11)";
const DRAFT_MARK: &str = "DRAFT \u{2014} to be reviewed and signed by a qualified person";
/// The 28 U.S.C. § 1746(2) wording for a declaration made within the United States.
const DECLARATION_1746: &str =
    "I declare under penalty of perjury under the laws of the United States of America that the foregoing is true and correct.";
const EXECUTED: &str = "Executed on ____________________ at ________________________________.";
const BLANK: &str = "______________________________________________";

/// The exhibit index: summary of the production and one row per exhibit with its hashes.
pub fn exhibit_index_pdf(p: &Production) -> Result<Vec<u8>> {
    let fonts = Fonts::load()?;
    layout_exhibit_index(p, &fonts).render(&fonts, &format!("Exhibit index \u{2014} {}", p.matter), p)
}

/// The chain-of-custody report: per exhibit, its collection record and custody timeline.
pub fn custody_report_pdf(p: &Production) -> Result<Vec<u8>> {
    let fonts = Fonts::load()?;
    layout_custody_report(p, &fonts).render(&fonts, &format!("Chain-of-custody report \u{2014} {}", p.matter), p)
}

/// The draft FRE 902(14)/902(11) certification as PDF, for reading; sign the DOCX.
pub fn certification_pdf(p: &Production) -> Result<Vec<u8>> {
    let fonts = Fonts::load()?;
    let title = format!("Draft FRE 902(14) certification \u{2014} {}", p.matter);
    // The draft mark runs in the footer of every page.
    layout_certification(p, &fonts).render_with(&fonts, &title, p, Some((DRAFT_MARK, ALERT)))
}

/// The draft FRE 902(14)/902(11) certification as DOCX, to be completed and signed.
pub fn certification_docx(p: &Production) -> Result<Vec<u8>> {
    docx::certification(p, &Certification::new(p))
}

fn render_error(what: impl Display) -> Error {
    Error::InvalidInput(format!("could not render the production documents: {what}"))
}

// ---------------------------------------------------------------------------------
// Text: fonts, shaping, measuring, wrapping.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Face {
    Regular,
    Bold,
    Mono,
}

struct Fonts {
    shapers: [rustybuzz::Face<'static>; 3],
    pdf: [Font; 3],
}

/// One shaped run of a line, in visual order, ready for krilla.
struct ShapedRun {
    text: String,
    glyphs: Vec<KrillaGlyph>,
    /// Advance in em.
    advance: f32,
}

impl Fonts {
    fn load() -> Result<Fonts> {
        let shaper = |data: &'static [u8]| rustybuzz::Face::from_slice(data, 0).ok_or_else(|| render_error("embedded font unreadable"));
        let font = |data: &'static [u8]| Font::new(data.into(), 0).ok_or_else(|| render_error("embedded font unreadable"));
        Ok(Fonts {
            shapers: [shaper(SANS_TTF)?, shaper(SANS_BOLD_TTF)?, shaper(MONO_TTF)?],
            pdf: [font(SANS_TTF)?, font(SANS_BOLD_TTF)?, font(MONO_TTF)?],
        })
    }

    fn index(face: Face) -> usize {
        match face {
            Face::Regular => 0,
            Face::Bold => 1,
            Face::Mono => 2,
        }
    }

    /// Shapes one line; right-to-left scripts are reordered (UAX #9) into visual runs.
    fn shape(&self, face: Face, text: &str) -> Vec<ShapedRun> {
        if text.is_empty() {
            return Vec::new();
        }
        let bidi = BidiInfo::new(text, Some(Level::ltr()));
        if !bidi.has_rtl() {
            return vec![self.shape_run(face, text, rustybuzz::Direction::LeftToRight)];
        }
        let mut runs = Vec::new();
        for para in &bidi.paragraphs {
            let (levels, visual) = bidi.visual_runs(para, para.range.clone());
            for range in visual {
                let dir = if levels[range.start].is_rtl() {
                    rustybuzz::Direction::RightToLeft
                } else {
                    rustybuzz::Direction::LeftToRight
                };
                runs.push(self.shape_run(face, &text[range], dir));
            }
        }
        runs
    }

    fn shape_run(&self, face: Face, text: &str, dir: rustybuzz::Direction) -> ShapedRun {
        let shaper = &self.shapers[Self::index(face)];
        let upem = shaper.units_per_em() as f32;
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(dir);
        buffer.guess_segment_properties();
        let out = rustybuzz::shape(shaper, &[], buffer);
        // A glyph's text is its cluster up to the next cluster start, whatever the direction.
        let mut starts: Vec<usize> = out.glyph_infos().iter().map(|g| g.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        // A character the font lacks is drawn as a white square (U+25A1), not as
        // .notdef: PDF readers drop the text of glyph 0 when searching or copying, and
        // the name must stay searchable even where it cannot be shown.
        let square = shaper.glyph_index('\u{25A1}');
        let mut advance = 0.0;
        let glyphs = out
            .glyph_infos()
            .iter()
            .zip(out.glyph_positions())
            .map(|(info, pos)| {
                let start = info.cluster as usize;
                let end = starts.get(starts.partition_point(|&c| c <= start)).copied().unwrap_or(text.len());
                let (id, x_advance) = match square {
                    Some(sq) if info.glyph_id == 0 => {
                        (u32::from(sq.0), shaper.glyph_hor_advance(sq).map_or(pos.x_advance, i32::from) as f32 / upem)
                    }
                    _ => (info.glyph_id, pos.x_advance as f32 / upem),
                };
                advance += x_advance;
                KrillaGlyph::new(
                    GlyphId::new(id),
                    x_advance,
                    pos.x_offset as f32 / upem,
                    pos.y_offset as f32 / upem,
                    pos.y_advance as f32 / upem,
                    start..end,
                    None,
                )
            })
            .collect();
        ShapedRun { text: text.to_string(), glyphs, advance }
    }

    fn width(&self, st: Style, text: &str) -> f32 {
        self.shape(st.face, text).iter().map(|r| r.advance).sum::<f32>() * st.size
    }

    /// Greedy wrapping at spaces and after `/ \ _ - . , ;`, between CJK characters, and
    /// between any two graphemes when a piece is wider than the line (hashes, long names).
    fn wrap(&self, text: &str, st: Style, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut line_w = 0.0;
        let flush = |line: &mut String, line_w: &mut f32, lines: &mut Vec<String>| {
            let done = line.trim_end().to_string();
            if !done.is_empty() {
                lines.push(done);
            }
            line.clear();
            *line_w = 0.0;
        };
        for seg in segments(text.trim()) {
            let seg_w = self.width(st, seg);
            let ink_w = self.width(st, seg.trim_end());
            if line_w + ink_w <= max {
                line.push_str(seg);
                line_w += seg_w;
                continue;
            }
            flush(&mut line, &mut line_w, &mut lines);
            if ink_w <= max {
                line.push_str(seg);
                line_w = seg_w;
                continue;
            }
            for g in seg.graphemes(true) {
                if line.is_empty() && g.trim().is_empty() {
                    continue;
                }
                let gw = self.width(st, g);
                if line_w + gw > max && !line.is_empty() {
                    flush(&mut line, &mut line_w, &mut lines);
                }
                line.push_str(g);
                line_w += gw;
            }
        }
        flush(&mut line, &mut line_w, &mut lines);
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }

    /// Wraps to at most `max_lines`, the last ending in an ellipsis when text was cut,
    /// so a block drawn without page breaks always fits a page.
    fn wrap_capped(&self, text: &str, st: Style, max: f32, max_lines: usize) -> (Vec<String>, bool) {
        let mut lines = self.wrap(text, st, max);
        let cut = lines.len() > max_lines;
        if cut {
            lines.truncate(max_lines);
            let last = format!("{}\u{2026}", lines[max_lines - 1]);
            lines[max_lines - 1] = self.ellipsize(&last, st, max);
        }
        (lines, cut)
    }

    /// Cuts `text` to `max` wide, ending in an ellipsis when something was cut.
    fn ellipsize(&self, text: &str, st: Style, max: f32) -> String {
        if self.width(st, text) <= max {
            return text.to_string();
        }
        let graphemes: Vec<&str> = text.graphemes(true).collect();
        let mut keep = graphemes.len();
        while keep > 0 {
            let candidate = format!("{}\u{2026}", graphemes[..keep].concat().trim_end());
            if self.width(st, &candidate) <= max {
                return candidate;
            }
            keep -= 1;
        }
        "\u{2026}".to_string()
    }
}

/// Splits text after each break opportunity (see [`Fonts::wrap`]). `.`, `,` and `-`
/// before a digit are not opportunities, so versions, dates and ids stay whole.
fn segments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev_cjk = false;
    let graphemes: Vec<(usize, &str)> = text.grapheme_indices(true).collect();
    for (k, &(i, g)) in graphemes.iter().enumerate() {
        let cjk = g.chars().next().is_some_and(is_cjk);
        if i > start && (cjk || prev_cjk) {
            out.push(&text[start..i]);
            start = i;
        }
        prev_cjk = cjk;
        let next_is_digit = graphemes.get(k + 1).is_some_and(|(_, n)| n.starts_with(|c: char| c.is_ascii_digit()));
        let breaks_after = match g.chars().last() {
            Some(c) if c.is_whitespace() => true,
            Some('/' | '\\' | '_' | ';') => true,
            Some('.' | ',' | '-') => !next_is_digit,
            _ => false,
        };
        if breaks_after {
            out.push(&text[start..i + g.len()]);
            start = i + g.len();
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// CJK text has no spaces; a line may break between any two of these characters.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x11FF | 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Makes a value safe to print: line breaks and tabs become spaces, other control
/// characters U+FFFD, and explicit bidi controls are shown as `[U+202E]` so a name
/// cannot display reversed (the "invoice<U+202E>fdp.exe" trick) in an evidence document.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push(' '),
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
                out.push_str(&format!("[U+{:04X}]", c as u32))
            }
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// Page layout: a flow of pages holding draw operations, rendered once the page count
// is known (for "Page N of M").

const PAGE_W: f32 = 612.0; // US Letter, points
const PAGE_H: f32 = 792.0;
const MARGIN: f32 = 54.0; // 0.75 in
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const BODY_TOP: f32 = 66.0; // below the running header
const BODY_BOTTOM: f32 = PAGE_H - 62.0; // above the running footer
/// A table cell never grows past this many lines, so a row always fits on a page.
const MAX_CELL_LINES: usize = 24;
/// Nor does a heading bar or the caption (the full text is also printed elsewhere).
const MAX_HEADING_LINES: usize = 8;

type Rgb = [u8; 3];
const INK: Rgb = [0x1a, 0x1a, 0x1a];
const MUTED: Rgb = [0x5a, 0x5a, 0x5a];
const RULE: Rgb = [0xb8, 0xb8, 0xb8];
const SHADE: Rgb = [0xec, 0xec, 0xec];
const ALERT: Rgb = [0xa8, 0x10, 0x10];

#[derive(Debug, Clone, Copy)]
struct Style {
    face: Face,
    size: f32,
    color: Rgb,
}

impl Style {
    const fn new(face: Face, size: f32, color: Rgb) -> Style {
        Style { face, size, color }
    }
    fn line_height(&self) -> f32 {
        self.size * 1.3
    }
    fn color(self, color: Rgb) -> Style {
        Style { color, ..self }
    }
}

const BODY: Style = Style::new(Face::Regular, 9.5, INK);
const BODY_BOLD: Style = Style::new(Face::Bold, 9.5, INK);
const CELL: Style = Style::new(Face::Regular, 8.5, INK);
const CELL_BOLD: Style = Style::new(Face::Bold, 8.5, INK);
const HEAD: Style = Style::new(Face::Bold, 8.0, INK);
const LABEL: Style = Style::new(Face::Regular, 8.0, MUTED);
const HASH: Style = Style::new(Face::Mono, 7.5, INK);
const SMALL: Style = Style::new(Face::Regular, 7.5, MUTED);
const TITLE: Style = Style::new(Face::Bold, 15.0, INK);
const BAR: Style = Style::new(Face::Bold, 10.0, INK);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
    Center,
}

enum Op {
    /// One line of text; `y` is the baseline.
    Text { x: f32, y: f32, style: Style, text: String },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32, color: Rgb },
    Rect { x: f32, y: f32, w: f32, h: f32, color: Rgb },
}

/// A cell of a key/value block.
struct Kv {
    label: String,
    value: String,
    style: Style,
}

fn kv(label: &str, value: impl Into<String>, style: Style) -> Kv {
    Kv { label: label.to_string(), value: clean(&value.into()), style }
}

struct Column {
    title: &'static str,
    width: f32,
    align: Align,
}

struct Cell {
    text: String,
    style: Style,
}

fn cell(text: impl AsRef<str>, style: Style) -> Cell {
    let text = clean(text.as_ref());
    Cell { text: if text.trim().is_empty() { "\u{2014}".into() } else { text }, style }
}

/// A table row: its cells, then full-width "label value" lines under it (hashes).
struct Row {
    cells: Vec<Cell>,
    details: Vec<(String, String, Style)>,
}

struct Table {
    /// Shown above the table, and again with "(continued)" on each new page.
    caption: Option<String>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    /// The column under which detail lines start.
    detail_column: usize,
}

struct Flow<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'f> Flow<'f> {
    fn new(fonts: &'f Fonts) -> Flow<'f> {
        Flow { fonts, pages: vec![Vec::new()], y: BODY_TOP }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a flow always has a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = BODY_TOP;
    }

    fn room(&self) -> f32 {
        BODY_BOTTOM - self.y
    }

    /// Starts a new page unless `h` fits (or the page is still empty).
    fn ensure(&mut self, h: f32) {
        if h > self.room() && self.y > BODY_TOP {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, baseline: f32, width: f32, text: &str, style: Style, align: Align) {
        if text.is_empty() {
            return;
        }
        let dx = match align {
            Align::Left => 0.0,
            Align::Right => width - self.fonts.width(style, text),
            Align::Center => (width - self.fonts.width(style, text)) / 2.0,
        };
        self.ops().push(Op::Text { x: x + dx.max(0.0), y: baseline, style, text: text.to_string() });
    }

    fn rule(&mut self, x1: f32, y: f32, x2: f32, width: f32, color: Rgb) {
        self.ops().push(Op::Line { x1, y1: y, x2, y2: y, width, color });
    }

    fn gap(&mut self, h: f32) {
        self.y = (self.y + h).min(BODY_BOTTOM);
    }

    /// Wrapped text at `indent`; breaks across pages between lines.
    fn paragraph(&mut self, text: &str, style: Style, indent: f32, align: Align) {
        self.marked_paragraph(None, text, style, indent, align);
    }

    /// A paragraph with `marker` (a number) hanging in the indent of its first line.
    fn marked_paragraph(&mut self, marker: Option<&str>, text: &str, style: Style, indent: f32, align: Align) {
        let width = CONTENT_W - indent;
        let lines = self.fonts.wrap(&clean(text), style, width);
        // No paragraph starts with a single line at the foot of a page or ends with
        // a single line at the head of the next.
        let fit = (self.room() / style.line_height()).floor() as usize;
        let mut break_after = usize::MAX;
        if lines.len() > fit && lines.len() > 1 {
            let here = if lines.len() - fit < 2 { fit.saturating_sub(1) } else { fit };
            if here < 2 {
                self.ensure(BODY_BOTTOM - BODY_TOP);
            } else {
                break_after = here;
            }
        }
        for (i, line) in lines.into_iter().enumerate() {
            if i == break_after {
                self.new_page();
            }
            self.ensure(style.line_height());
            let baseline = self.y + style.size;
            if let (0, Some(m)) = (i, marker) {
                self.text(MARGIN, baseline, indent, m, style, Align::Left);
            }
            self.text(MARGIN + indent, baseline, width, &line, style, align);
            self.y += style.line_height();
        }
    }

    /// A numbered paragraph with a hanging number.
    fn numbered(&mut self, number: usize, text: &str) {
        self.marked_paragraph(Some(&format!("{number}.")), text, BODY, 22.0, Align::Left);
        self.gap(6.0);
    }

    fn title(&mut self, text: &str) {
        self.paragraph(text, TITLE, 0.0, Align::Left);
        self.gap(2.0);
        let y = self.y;
        self.rule(MARGIN, y, MARGIN + CONTENT_W, 1.0, INK);
        self.gap(10.0);
    }

    /// A shaded bar with a bold heading, kept with the next `keep` points.
    fn bar(&mut self, text: &str, keep: f32) {
        let style = BAR;
        let (lines, _) = self.fonts.wrap_capped(&clean(text), style, CONTENT_W - 12.0, MAX_HEADING_LINES);
        let h = lines.len() as f32 * style.line_height() + 8.0;
        self.ensure(h + keep);
        let top = self.y;
        self.ops().push(Op::Rect { x: MARGIN, y: top, w: CONTENT_W, h, color: SHADE });
        for (i, line) in lines.iter().enumerate() {
            self.text(MARGIN + 6.0, top + 4.0 + style.size + i as f32 * style.line_height(), CONTENT_W - 12.0, line, style, Align::Left);
        }
        self.y = top + h + 6.0;
    }

    /// The height `kv_rows` will take.
    fn kv_height(&self, rows: &[Vec<Kv>], label_w: f32) -> f32 {
        rows.iter()
            .map(|row| {
                let width = CONTENT_W / row.len() as f32 - label_w - if row.len() == 1 { 0.0 } else { 8.0 };
                let h = row
                    .iter()
                    .map(|kv| {
                        let lines = self.fonts.wrap(&kv.value, kv.style, width).len();
                        lines.min(if row.len() == 1 { usize::MAX } else { MAX_CELL_LINES }) as f32 * kv.style.line_height()
                    })
                    .fold(LABEL.line_height(), f32::max);
                h + 2.5
            })
            .sum()
    }

    /// Key/value rows: a single pair spans the width, two pairs share it. A single
    /// pair's value may break across pages.
    fn kv_rows(&mut self, rows: Vec<Vec<Kv>>, label_w: f32) {
        for row in rows {
            if row.len() == 1 {
                let kv = &row[0];
                let width = CONTENT_W - label_w;
                let lines = self.fonts.wrap(&kv.value, kv.style, width);
                let lh = kv.style.line_height().max(LABEL.line_height());
                for (i, line) in lines.iter().enumerate() {
                    self.ensure(lh);
                    let baseline = self.y + kv.style.size.max(LABEL.size);
                    if i == 0 {
                        self.text(MARGIN, baseline, label_w, &kv.label, LABEL, Align::Left);
                    }
                    self.text(MARGIN + label_w, baseline, width, line, kv.style, Align::Left);
                    self.y += if i + 1 == lines.len() { lh } else { kv.style.line_height() };
                }
            } else {
                let half = CONTENT_W / row.len() as f32;
                let width = half - label_w - 8.0;
                let wrapped: Vec<Vec<String>> =
                    row.iter().map(|kv| self.fonts.wrap_capped(&kv.value, kv.style, width, MAX_CELL_LINES).0).collect();
                let h = row
                    .iter()
                    .zip(&wrapped)
                    .map(|(kv, lines)| lines.len() as f32 * kv.style.line_height())
                    .fold(LABEL.line_height(), f32::max);
                self.ensure(h);
                let first = row.iter().map(|kv| kv.style.size).fold(LABEL.size, f32::max);
                let top = self.y;
                for (k, (kv, lines)) in row.iter().zip(&wrapped).enumerate() {
                    let x = MARGIN + k as f32 * half;
                    self.text(x, top + first, label_w, &kv.label, LABEL, Align::Left);
                    for (i, line) in lines.iter().enumerate() {
                        self.text(x + label_w, top + first + i as f32 * kv.style.line_height(), width, line, kv.style, Align::Left);
                    }
                }
                self.y = top + h;
            }
            self.y += 2.5;
        }
    }

    fn table(&mut self, t: &Table) {
        let fonts = self.fonts;
        const PAD_X: f32 = 4.0;
        const PAD_Y: f32 = 3.0;
        let xs: Vec<f32> = t
            .columns
            .iter()
            .scan(MARGIN, |x, c| {
                let at = *x;
                *x += c.width;
                Some(at)
            })
            .collect();
        let right = MARGIN + t.columns.iter().map(|c| c.width).sum::<f32>();
        let caption_h = if t.caption.is_some() { CELL_BOLD.line_height() + 3.0 } else { 0.0 };
        let header_lines: Vec<Vec<String>> =
            t.columns.iter().map(|c| fonts.wrap(c.title, HEAD, c.width - 2.0 * PAD_X)).collect();
        let header_h = header_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * HEAD.line_height() + 2.0 * PAD_Y;
        let detail_x = xs.get(t.detail_column).copied().unwrap_or(MARGIN) + PAD_X;
        let label_w = t
            .rows
            .iter()
            .flat_map(|r| r.details.iter())
            .map(|(label, _, _)| fonts.width(SMALL, label))
            .fold(0.0, f32::max)
            + 6.0;

        // Lays out one row: wrapped cells, wrapped details, height.
        let layout = |row: &Row| {
            let cells: Vec<Vec<String>> = row
                .cells
                .iter()
                .zip(&t.columns)
                .map(|(c, col)| {
                    fonts.wrap_capped(&c.text, c.style, col.width - 2.0 * PAD_X, MAX_CELL_LINES).0
                })
                .collect();
            let details: Vec<Vec<String>> = row
                .details
                .iter()
                .map(|(_, value, style)| fonts.wrap(value, *style, right - PAD_X - detail_x - label_w))
                .collect();
            let cells_h = row
                .cells
                .iter()
                .zip(&cells)
                .map(|(c, lines)| lines.len() as f32 * c.style.line_height())
                .fold(0.0, f32::max);
            let details_h: f32 =
                row.details.iter().zip(&details).map(|((_, _, st), lines)| lines.len() as f32 * st.line_height()).sum();
            let h = 2.0 * PAD_Y + cells_h + if details_h > 0.0 { details_h + 1.5 } else { 0.0 };
            (cells, details, h)
        };

        let draw_header = |flow: &mut Flow, continued: bool| {
            if let Some(caption) = &t.caption {
                let text = if continued { format!("{caption} (continued)") } else { caption.clone() };
                let top = flow.y;
                flow.text(MARGIN, top + CELL_BOLD.size, CONTENT_W, &clean(&text), CELL_BOLD, Align::Left);
                flow.y = top + caption_h;
            }
            let top = flow.y;
            flow.ops().push(Op::Rect { x: MARGIN, y: top, w: right - MARGIN, h: header_h, color: SHADE });
            for ((col, x), lines) in t.columns.iter().zip(&xs).zip(&header_lines) {
                for (i, line) in lines.iter().enumerate() {
                    let baseline = top + PAD_Y + HEAD.size + i as f32 * HEAD.line_height();
                    flow.text(x + PAD_X, baseline, col.width - 2.0 * PAD_X, line, HEAD, col.align);
                }
            }
            flow.y = top + header_h;
            flow.rule(MARGIN, flow.y, right, 0.8, MUTED);
        };

        let first_h = t.rows.first().map(|r| layout(r).2).unwrap_or(0.0);
        self.ensure(caption_h + header_h + first_h);
        draw_header(self, false);
        if t.rows.is_empty() {
            let top = self.y;
            self.text(MARGIN + PAD_X, top + PAD_Y + CELL.size, CONTENT_W, "None.", CELL.color(MUTED), Align::Left);
            self.y = top + CELL.line_height() + 2.0 * PAD_Y;
        }
        for row in &t.rows {
            let (cells, details, h) = layout(row);
            if h > self.room() {
                self.new_page();
                draw_header(self, true);
            }
            let top = self.y;
            let first = row.cells.iter().map(|c| c.style.size).fold(0.0, f32::max);
            for (((c, col), x), lines) in row.cells.iter().zip(&t.columns).zip(&xs).zip(&cells) {
                for (i, line) in lines.iter().enumerate() {
                    let baseline = top + PAD_Y + first + i as f32 * c.style.line_height();
                    self.text(x + PAD_X, baseline, col.width - 2.0 * PAD_X, line, c.style, col.align);
                }
            }
            let mut y = top + PAD_Y
                + row.cells.iter().zip(&cells).map(|(c, l)| l.len() as f32 * c.style.line_height()).fold(0.0, f32::max)
                + 1.5;
            for ((label, _, style), lines) in row.details.iter().zip(&details) {
                self.text(detail_x, y + style.size, label_w, label, SMALL, Align::Left);
                for line in lines {
                    self.text(detail_x + label_w, y + style.size, right - PAD_X - detail_x - label_w, line, *style, Align::Left);
                    y += style.line_height();
                }
            }
            self.y = top + h;
            self.rule(MARGIN, self.y, right, 0.4, RULE);
        }
    }

    /// Draws the running header and footer and writes the PDF.
    fn render(self, fonts: &Fonts, title: &str, p: &Production) -> Result<Vec<u8>> {
        self.render_with(fonts, title, p, None)
    }

    fn render_with(self, fonts: &Fonts, title: &str, p: &Production, footer_note: Option<(&str, Rgb)>) -> Result<Vec<u8>> {
        let settings = SerializeSettings { enable_tagging: false, ..Default::default() };
        let mut doc = Document::new_with(settings);
        let total = self.pages.len();
        let size = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| render_error("bad page size"))?;
        let header_right = format!("Bates {}", bates_range(p));
        let matter = match &p.matter_number {
            Some(n) if !n.trim().is_empty() => format!("{} \u{00b7} {}", p.matter, n),
            _ => p.matter.clone(),
        };
        let note = footer_note.map(|(t, c)| (t.to_string(), c)).unwrap_or_else(|| (title.to_string(), MUTED));
        for (i, ops) in self.pages.iter().enumerate() {
            let mut chrome = Vec::new();
            let head = Style::new(Face::Bold, 8.0, INK);
            let right_w = fonts.width(head, &header_right);
            let left = fonts.ellipsize(&clean(&matter), head, CONTENT_W - right_w - 24.0);
            chrome.push(Op::Text { x: MARGIN, y: 42.0, style: head, text: left });
            chrome.push(Op::Text { x: MARGIN + CONTENT_W - right_w, y: 42.0, style: head, text: header_right.clone() });
            chrome.push(Op::Line { x1: MARGIN, y1: 48.0, x2: MARGIN + CONTENT_W, y2: 48.0, width: 0.6, color: MUTED });
            let foot_y = PAGE_H - 38.0;
            chrome.push(Op::Line { x1: MARGIN, y1: foot_y - 10.0, x2: MARGIN + CONTENT_W, y2: foot_y - 10.0, width: 0.4, color: RULE });
            let page_no = format!("Page {} of {}", i + 1, total);
            let foot = SMALL;
            let page_w = fonts.width(foot, &page_no);
            let note_text = fonts.ellipsize(&clean(&note.0), foot.color(note.1), CONTENT_W - page_w - 24.0);
            chrome.push(Op::Text { x: MARGIN, y: foot_y, style: foot.color(note.1), text: note_text });
            chrome.push(Op::Text { x: MARGIN + CONTENT_W - page_w, y: foot_y, style: foot, text: page_no });

            let mut page = doc.start_page_with(size.clone());
            let mut surface = page.surface();
            for op in chrome.iter().chain(ops) {
                draw(&mut surface, fonts, op);
            }
            surface.finish();
            page.finish();
        }
        let mut meta = Metadata::new()
            .title(clean(title))
            .creator(p.tool.clone())
            .producer(p.tool.clone())
            .language("en-US".into());
        if let Some(t) = parse_utc(&p.produced_at) {
            use chrono::{Datelike, Timelike};
            let date = PdfDateTime::new(t.year().clamp(0, 9999) as u16)
                .month(t.month() as u8)
                .day(t.day() as u8)
                .hour(t.hour() as u8)
                .minute(t.minute() as u8)
                .second(t.second().min(59) as u8)
                .utc_offset_hour(0)
                .utc_offset_minute(0);
            meta = meta.creation_date(date);
        }
        doc.set_metadata(meta);
        doc.finish().map_err(|e| render_error(format!("{e:?}")))
    }
}

fn paint(color: Rgb) -> krilla::paint::Paint {
    rgb::Color::new(color[0], color[1], color[2]).into()
}

fn draw(surface: &mut Surface, fonts: &Fonts, op: &Op) {
    match op {
        Op::Text { x, y, style, text } => {
            surface.set_stroke(None);
            surface.set_fill(Some(Fill { paint: paint(style.color), ..Default::default() }));
            let font = &fonts.pdf[Fonts::index(style.face)];
            let mut x = *x;
            for run in fonts.shape(style.face, text) {
                surface.draw_glyphs(Point::from_xy(x, *y), &run.glyphs, font.clone(), &run.text, style.size, false);
                x += run.advance * style.size;
            }
        }
        Op::Line { x1, y1, x2, y2, width, color } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke { paint: paint(*color), width: *width, ..Default::default() }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Rect { x, y, w, h, color } => {
            let mut pb = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                pb.push_rect(rect);
                if let Some(path) = pb.finish() {
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill { paint: paint(*color), ..Default::default() }));
                    surface.draw_path(&path);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Formatting helpers.

fn parse_utc(ts: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(ts.trim()).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// `2026-01-02 03:04:05 UTC`; an unparsable value is shown as recorded.
fn utc_time(ts: &str) -> String {
    parse_utc(ts).map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string()).unwrap_or_else(|| ts.to_string())
}

fn utc_date(ts: &str) -> String {
    parse_utc(ts).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| ts.to_string())
}

fn opt_time(ts: &Option<String>) -> String {
    ts.as_deref().map(utc_time).unwrap_or_else(|| "not recorded".into())
}

fn or_not_recorded(v: &Option<String>) -> String {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "not recorded".into(),
    }
}

/// `1,234,567`
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn bates_range(p: &Production) -> String {
    if p.bates_first == p.bates_last { p.bates_first.clone() } else { format!("{} \u{2013} {}", p.bates_first, p.bates_last) }
}

/// Whether the exported copy has the hashes recorded at intake.
fn copy_matches(e: &ProducedExhibit) -> bool {
    !e.intake_sha256.trim().is_empty()
        && e.intake_sha256.trim().eq_ignore_ascii_case(e.export_sha256.trim())
        && e.intake_md5.trim().eq_ignore_ascii_case(e.export_md5.trim())
}

/// `collected` → `Collected`, `duplicate_source_recorded` → `Duplicate source recorded`.
fn action_name(e: &CustodyEvent) -> String {
    let raw = e.action.as_str().replace('_', " ");
    let mut chars = raw.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn summary_rows(p: &Production) -> Vec<Vec<Kv>> {
    let mut by = p.examiner.clone();
    if let Some(org) = p.organization.as_deref().filter(|o| !o.trim().is_empty()) {
        by = format!("{by}, {org}");
    }
    vec![
        vec![kv("Matter", p.matter.clone(), BODY_BOLD)],
        vec![kv("Matter number", or_not_recorded(&p.matter_number), BODY), kv("Bates range", bates_range(p), BODY_BOLD)],
        vec![kv("Produced at", utc_time(&p.produced_at), BODY), kv("Exhibits", thousands(p.exhibits.len() as u64), BODY)],
        vec![kv("Produced by", by, BODY), kv("Tool", p.tool.clone(), BODY)],
        vec![kv("Signer key", p.signer_fingerprint.clone(), HASH.color(INK))],
        vec![kv("Vault ID", p.vault_id.clone(), HASH.color(INK))],
    ]
}

// ---------------------------------------------------------------------------------
// The exhibit index.

fn layout_exhibit_index<'f>(p: &Production, fonts: &'f Fonts) -> Flow<'f> {
    let mut f = Flow::new(fonts);
    f.title("Exhibit Index");
    f.kv_rows(summary_rows(p), 84.0);
    f.gap(10.0);
    let mismatches = p.exhibits.iter().filter(|e| !copy_matches(e)).count();
    let check = if mismatches == 0 {
        "Each exported copy was hashed as it was written; every SHA-256 and MD5 below equals the value recorded at intake."
            .to_string()
    } else {
        format!(
            "Each exported copy was hashed as it was written. {mismatches} exported cop{} did NOT match the hash recorded at intake; see the custody report.",
            if mismatches == 1 { "y" } else { "ies" }
        )
    };
    f.paragraph(&check, if mismatches == 0 { BODY } else { BODY_BOLD.color(ALERT) }, 0.0, Align::Left);
    f.gap(10.0);
    // A Bates number must not wrap: widen its column (from the file name's)
    // to the longest number, at about 6.2 pt per bold digit.
    let longest = p.exhibits.iter().map(|e| e.bates.chars().count()).max().unwrap_or(0) as f32;
    let bates_w = (longest * 6.2 + 8.0).clamp(66.0, 150.0);
    let columns = vec![
        Column { title: "Bates", width: bates_w, align: Align::Left },
        Column { title: "Exhibit", width: 50.0, align: Align::Left },
        Column { title: "File name", width: 176.0 - (bates_w - 66.0), align: Align::Left },
        Column { title: "Size (bytes)", width: 62.0, align: Align::Right },
        Column { title: "Custodian", width: 86.0, align: Align::Left },
        Column { title: "Collected", width: 64.0, align: Align::Left },
    ];
    let rows = p
        .exhibits
        .iter()
        .map(|e| {
            let details = if copy_matches(e) {
                vec![("SHA-256".to_string(), e.export_sha256.clone(), HASH), ("MD5".to_string(), e.export_md5.clone(), HASH)]
            } else {
                vec![
                    ("SHA-256 export".to_string(), e.export_sha256.clone(), HASH.color(ALERT)),
                    ("SHA-256 intake".to_string(), e.intake_sha256.clone(), HASH),
                    ("MD5 export".to_string(), e.export_md5.clone(), HASH.color(ALERT)),
                    ("MD5 intake".to_string(), e.intake_md5.clone(), HASH),
                    ("Result".to_string(), "MISMATCH \u{2014} the exported copy differs from the file collected".to_string(), CELL_BOLD.color(ALERT)),
                ]
            };
            Row {
                cells: vec![
                    cell(&e.bates, CELL_BOLD),
                    cell(&e.exhibit_id, CELL),
                    cell(&e.name, CELL),
                    cell(thousands(e.size), CELL),
                    cell(e.custodian.as_deref().unwrap_or(""), CELL),
                    cell(utc_date(&e.collected_at), CELL),
                ],
                details,
            }
        })
        .collect();
    f.table(&Table { caption: None, columns, rows, detail_column: 1 });
    f
}

// ---------------------------------------------------------------------------------
// The custody report.

fn layout_custody_report<'f>(p: &Production, fonts: &'f Fonts) -> Flow<'f> {
    let mut f = Flow::new(fonts);
    f.title("Chain-of-Custody Report");
    f.kv_rows(summary_rows(p), 84.0);
    f.gap(8.0);
    f.paragraph(
        "For each exhibit this report gives its collection record, the hashes recorded at intake and recomputed on export, \
         and every custody event recorded for it in the vault's custody log, in log order (Seq). Each event in that log is \
         digitally signed and chained in a Merkle tree; the signed records travel with this bundle. Times are UTC.",
        BODY.color(MUTED),
        0.0,
        Align::Left,
    );
    f.gap(12.0);
    for e in &p.exhibits {
        let matches = copy_matches(e);
        let verdict = if matches {
            kv("Hashes", "Match \u{2014} the exported copy has the SHA-256 and MD5 recorded at intake", BODY_BOLD)
        } else {
            kv("Hashes", "MISMATCH \u{2014} the exported copy does not have the hashes recorded at intake", BODY_BOLD.color(ALERT))
        };
        let mut rows = vec![
            vec![kv("Custodian", or_not_recorded(&e.custodian), BODY), kv("Source", or_not_recorded(&e.source), BODY)],
            vec![kv("Method", or_not_recorded(&e.method), BODY), kv("MIME type", e.mime.clone(), BODY)],
            vec![kv("Collected by", e.collected_by.clone(), BODY), kv("Collected at", utc_time(&e.collected_at), BODY)],
            vec![kv("OS modified", opt_time(&e.modified), BODY), kv("OS created", opt_time(&e.created), BODY)],
            vec![kv("Size", format!("{} bytes", thousands(e.size)), BODY), kv("Native", e.native_path.clone(), BODY)],
            vec![kv("Original path", e.path.clone(), BODY)],
        ];
        if !e.description.trim().is_empty() {
            rows.push(vec![kv("Description", e.description.clone(), BODY)]);
        }
        rows.push(vec![kv("SHA-256 intake", e.intake_sha256.clone(), HASH)]);
        rows.push(vec![kv("SHA-256 export", e.export_sha256.clone(), HASH)]);
        rows.push(vec![kv("MD5 intake", e.intake_md5.clone(), HASH), kv("MD5 export", e.export_md5.clone(), HASH)]);
        rows.push(vec![verdict]);
        let heading = format!("{}   {}   {}", e.bates, e.exhibit_id, e.name);
        if fonts.wrap_capped(&clean(&heading), BAR, CONTENT_W - 12.0, MAX_HEADING_LINES).1 {
            // The bar shows only the start of a very long name.
            rows.insert(0, vec![kv("File name", e.name.clone(), BODY)]);
        }
        // The collection record stays on one page with its heading.
        let keep = f.kv_height(&rows, 78.0).min(BODY_BOTTOM - BODY_TOP - 80.0);
        f.bar(&heading, keep);
        f.kv_rows(rows, 78.0);
        f.gap(6.0);
        let rows = e.events.iter().map(event_row).collect();
        f.table(&Table {
            caption: Some(format!("Custody timeline \u{2014} {}", e.bates)),
            columns: vec![
                Column { title: "Seq", width: 30.0, align: Align::Right },
                Column { title: "Time (UTC)", width: 108.0, align: Align::Left },
                Column { title: "Action", width: 74.0, align: Align::Left },
                Column { title: "Actor", width: 80.0, align: Align::Left },
                Column { title: "Location", width: 72.0, align: Align::Left },
                Column { title: "Details", width: 140.0, align: Align::Left },
            ],
            rows,
            detail_column: 1,
        });
        f.gap(18.0);
    }
    f
}

fn event_row(ev: &CustodyEvent) -> Row {
    let mut notes = Vec::new();
    if let Some(m) = ev.method.as_deref().filter(|s| !s.is_empty()) {
        notes.push(format!("Method: {m}"));
    }
    if let Some(m) = ev.purpose.as_deref().filter(|s| !s.is_empty()) {
        notes.push(format!("Purpose: {m}"));
    }
    match (ev.released_by.as_deref(), ev.received_by.as_deref()) {
        (Some(a), Some(b)) => notes.push(format!("Released by {a} to {b}")),
        (Some(a), None) => notes.push(format!("Released by {a}")),
        (None, Some(b)) => notes.push(format!("Received by {b}")),
        (None, None) => {}
    }
    let mut mismatch = false;
    match ev.hashes_match {
        Some(true) => notes.push("Hashes match".into()),
        Some(false) => {
            notes.push("HASHES DO NOT MATCH".into());
            mismatch = true;
        }
        None => {}
    }
    notes.push(format!("Tool: {}", ev.tool));
    let alg = ev.hash_algorithm.clone().unwrap_or_else(|| "Hash".into());
    let mut details = Vec::new();
    if let Some(h) = &ev.hash_before {
        details.push((format!("{alg} before"), h.clone(), HASH));
    }
    if let Some(h) = &ev.hash_after {
        details.push((format!("{alg} after"), h.clone(), if mismatch { HASH.color(ALERT) } else { HASH }));
    }
    Row {
        cells: vec![
            cell(ev.seq.to_string(), CELL),
            cell(utc_time(&ev.time).trim_end_matches(" UTC"), CELL),
            cell(action_name(ev), CELL_BOLD),
            cell(&ev.actor, CELL),
            cell(ev.location.as_deref().unwrap_or(""), CELL),
            cell(notes.join("; "), if mismatch { CELL.color(ALERT) } else { CELL }),
        ],
        details,
    }
}

// ---------------------------------------------------------------------------------
// The certification: its text is built once and rendered to PDF and DOCX alike.

struct CertRow {
    bates: String,
    name: String,
    intake: String,
    export: String,
    matches: bool,
}

struct Certification {
    caption_matter: String,
    caption_number: String,
    /// Paragraph 2 is followed by the table of records.
    paragraphs: Vec<String>,
    rows: Vec<CertRow>,
}

const COURT_LINES: [&str; 2] = ["UNITED STATES DISTRICT COURT", "____________________ DISTRICT OF ____________________"];
const DECLARANT_FIELDS: [&str; 4] = ["Name", "Title", "Employer", "Qualifications"];
const INTRO: &str = "I, the declarant identified above, declare as follows:";
const TABLE_AFTER: usize = 2;

impl Certification {
    fn new(p: &Production) -> Certification {
        let n = p.exhibits.len();
        let matter_ref = match p.matter_number.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(num) => format!("{} (No. {num})", p.matter),
            None => p.matter.clone(),
        };
        let bates = if n == 1 {
            format!("Bates number {}", p.bates_first)
        } else {
            format!("Bates numbers {} through {}", p.bates_first, p.bates_last)
        };
        let mismatched: Vec<&str> = p.exhibits.iter().filter(|e| !copy_matches(e)).map(|e| e.bates.as_str()).collect();

        let mut tools: Vec<String> = p
            .exhibits
            .iter()
            .flat_map(|e| e.events.iter())
            .filter(|ev| ev.action == crate::format::custody::Action::Collected)
            .map(|ev| ev.tool.clone())
            .collect();
        tools.push(p.tool.clone());
        tools.sort();
        tools.dedup();
        let mut methods: Vec<String> =
            p.exhibits.iter().filter_map(|e| e.method.clone()).filter(|m| !m.trim().is_empty()).collect();
        methods.sort();
        methods.dedup();
        let methods = match methods.len() {
            0 => "the method recorded for each record in the custody report".to_string(),
            1..=3 => format!("{} (as recorded for each record in the custody report)", methods.join("; ")),
            _ => format!("{}; and others, as recorded for each record in the custody report", methods[..3].join("; ")),
        };
        let mut times: Vec<String> = p.exhibits.iter().map(|e| e.collected_at.clone()).collect();
        times.sort_by_key(|t| parse_utc(t).map(|d| d.to_rfc3339()).unwrap_or_else(|| t.clone()));
        let collected = match (times.first(), times.last()) {
            (Some(a), Some(b)) if a == b => format!("on {}", utc_time(a)),
            (Some(a), Some(b)) => format!("between {} and {}", utc_time(a), utc_time(b)),
            _ => "at the times shown in the custody report".to_string(),
        };
        let org = p
            .organization
            .as_deref()
            .filter(|o| !o.trim().is_empty())
            .map(|o| format!("{o}'s"))
            .unwrap_or_else(|| "my employer's".to_string());

        let comparison = if mismatched.is_empty() {
            format!(
                "When each copy was made, the tool re-computed the SHA-256 hash value (and the MD5 hash value) of the copy and \
                 compared it with the value recorded at collection. For every one of the {n} records identified in paragraph 2 \
                 the values match (\"Match\" in the table), which shows that each copy is an exact duplicate of the file as it \
                 was collected."
            )
        } else {
            format!(
                "When each copy was made, the tool re-computed the SHA-256 hash value (and the MD5 hash value) of the copy and \
                 compared it with the value recorded at collection. For {} of the {n} records identified in paragraph 2 the \
                 values match (\"Match\" in the table). For the {} record{} marked \"MISMATCH\" ({}) the values do not match: \
                 those copies are not shown to be identical to the files as collected, and this certification does not extend \
                 to them.",
                n - mismatched.len(),
                mismatched.len(),
                if mismatched.len() == 1 { "" } else { "s" },
                mismatched.join(", ")
            )
        };

        let paragraphs = [
            "I am the declarant identified above, employed by the employer and in the position stated above, with the \
             qualifications stated above. In that role I am responsible for, or supervised, the collection, preservation and \
             production of the electronic records described below, and I am familiar with the tool and the process used to \
             copy them. I have personal knowledge of the facts stated here and am a qualified person to make this \
             certification under Federal Rules of Evidence 902(11) and 902(14)."
                .to_string(),
            format!(
                "This certification concerns {n} electronic record{} produced in {matter_ref} as {bates}. Each record is a copy \
                 of a file identified in the table below by its Bates number and original file name, with the SHA-256 hash \
                 value recorded when the file was collected (at intake) and the SHA-256 hash value of the copy made for this \
                 production (at export). The source, custodian and full custody history of each record are set out in the \
                 accompanying chain-of-custody report.",
                if n == 1 { "" } else { "s" }
            ),
            format!(
                "The records were collected and copied with {}, an evidence vault application that takes in files, stores \
                 them encrypted and unaltered, and records every action in a digitally signed custody log. Method of \
                 collection: {methods}. The records were collected {collected}; the collection time of each is shown in the \
                 custody report. The copies identified above were made by exporting them from the vault on {}. At \
                 collection the tool computed and recorded the SHA-256 hash value of each file, and its MD5 hash value for \
                 compatibility with review platforms; SHA-256 is the hash algorithm relied on here.",
                tools.join(", "),
                utc_time(&p.produced_at)
            ),
            comparison,
            "I rely on this process because SHA-256 is an industry-standard cryptographic hash function, published by the \
             National Institute of Standards and Technology (FIPS 180-4) and widely used by courts and forensic examiners to \
             identify electronic data. Any change to a file, even of a single bit, produces a different SHA-256 value, and it \
             is computationally infeasible to create two different files with the same value; identical SHA-256 values \
             therefore show that two files are identical. The hash value of each record was recorded at the time of \
             collection, and the hash value of each copy was re-computed from the copy itself when the copy was made. MD5 \
             values are reported for compatibility only and are not relied on to establish identity."
                .to_string(),
            format!(
                "The records were copied, and their hash values and custody events recorded, in the course of {org} regularly \
                 conducted activity of collecting, preserving and producing electronic evidence. It is the regular practice of \
                 that activity to make such copies and records at or near the time of each act, by, or from information \
                 transmitted by, a person with knowledge."
            ),
            format!(
                "The production bundle containing these copies is sealed with a digital signature (Ed25519) made with the \
                 key whose fingerprint is {}; the copies were exported from the evidence vault with ID {}. Verifying that \
                 signature reveals any change made to the bundle after it was sealed.",
                p.signer_fingerprint, p.vault_id
            ),
        ];
        let rows = p
            .exhibits
            .iter()
            .map(|e| CertRow {
                bates: e.bates.clone(),
                name: clean(&e.name),
                intake: e.intake_sha256.clone(),
                export: e.export_sha256.clone(),
                matches: copy_matches(e),
            })
            .collect();
        Certification {
            caption_matter: clean(&p.matter),
            caption_number: p.matter_number.as_deref().map(clean).unwrap_or_default(),
            paragraphs: paragraphs.iter().map(|s| clean(s)).collect(),
            rows,
        }
    }
}

fn layout_certification<'f>(p: &Production, fonts: &'f Fonts) -> Flow<'f> {
    let c = Certification::new(p);
    let mut f = Flow::new(fonts);

    // Draft banner.
    let banner = Style::new(Face::Bold, 9.5, ALERT);
    let top = f.y;
    f.ops().push(Op::Line { x1: MARGIN, y1: top, x2: MARGIN + CONTENT_W, y2: top, width: 0.8, color: ALERT });
    f.text(MARGIN, top + 6.0 + banner.size, CONTENT_W, DRAFT_MARK, banner, Align::Center);
    f.ops().push(Op::Line { x1: MARGIN, y1: top + 22.0, x2: MARGIN + CONTENT_W, y2: top + 22.0, width: 0.8, color: ALERT });
    f.y = top + 34.0;

    // Caption.
    for line in COURT_LINES {
        f.paragraph(line, BODY_BOLD, 0.0, Align::Center);
    }
    f.gap(10.0);
    let top = f.y;
    let split = MARGIN + CONTENT_W * 0.62;
    let left = f.fonts.wrap_capped(&c.caption_matter, Style::new(Face::Bold, 10.5, INK), split - MARGIN - 16.0, MAX_HEADING_LINES).0;
    let number = if c.caption_number.is_empty() { "____________________".to_string() } else { c.caption_number.clone() };
    let right = f.fonts.wrap_capped(&number, Style::new(Face::Bold, 10.5, INK), MARGIN + CONTENT_W - split - 16.0, MAX_HEADING_LINES).0;
    let lh = 10.5 * 1.3;
    let h = 14.0 + LABEL.line_height() + lh * left.len().max(right.len()) as f32 + 8.0;
    f.text(MARGIN, top + 10.0 + LABEL.size, 200.0, "In the matter of", LABEL, Align::Left);
    f.text(split + 12.0, top + 10.0 + LABEL.size, 200.0, "Case / matter no.", LABEL, Align::Left);
    for (i, line) in left.iter().enumerate() {
        f.text(MARGIN, top + 14.0 + LABEL.line_height() + 10.5 + i as f32 * lh, split - MARGIN, line, Style::new(Face::Bold, 10.5, INK), Align::Left);
    }
    for (i, line) in right.iter().enumerate() {
        f.text(split + 12.0, top + 14.0 + LABEL.line_height() + 10.5 + i as f32 * lh, 200.0, line, Style::new(Face::Bold, 10.5, INK), Align::Left);
    }
    f.rule(MARGIN, top, MARGIN + CONTENT_W, 0.6, INK);
    f.rule(MARGIN, top + h, MARGIN + CONTENT_W, 0.6, INK);
    f.ops().push(Op::Line { x1: split, y1: top, x2: split, y2: top + h, width: 0.6, color: INK });
    f.y = top + h + 16.0;

    // Title.
    f.paragraph(CERT_TITLE, Style::new(Face::Bold, 11.5, INK), 0.0, Align::Center);
    f.gap(14.0);

    // Declarant.
    f.paragraph("Declarant (to be completed by the person who signs)", BODY_BOLD, 0.0, Align::Left);
    f.gap(4.0);
    for field in DECLARANT_FIELDS {
        let top = f.y;
        f.text(MARGIN, top + 8.0 + BODY.size, 90.0, &format!("{field}:"), BODY, Align::Left);
        f.rule(MARGIN + 92.0, top + 8.0 + BODY.size + 2.0, MARGIN + CONTENT_W, 0.5, INK);
        f.y = top + 8.0 + BODY.line_height();
        if field == "Qualifications" {
            let top = f.y;
            f.rule(MARGIN + 92.0, top + 8.0 + BODY.size + 2.0, MARGIN + CONTENT_W, 0.5, INK);
            f.y = top + 8.0 + BODY.line_height();
        }
    }
    f.gap(14.0);
    f.paragraph(INTRO, BODY, 0.0, Align::Left);
    f.gap(6.0);

    for (i, text) in c.paragraphs.iter().enumerate() {
        f.numbered(i + 1, text);
        if i + 1 == TABLE_AFTER {
            f.gap(2.0);
            let rows = c
                .rows
                .iter()
                .map(|r| Row {
                    cells: vec![
                        cell(&r.bates, CELL_BOLD),
                        cell(&r.name, CELL),
                        if r.matches { cell("Match", CELL_BOLD) } else { cell("MISMATCH", CELL_BOLD.color(ALERT)) },
                    ],
                    details: vec![
                        ("SHA-256 at intake".to_string(), r.intake.clone(), HASH),
                        ("SHA-256 at export".to_string(), r.export.clone(), if r.matches { HASH } else { HASH.color(ALERT) }),
                    ],
                })
                .collect();
            let longest = p.exhibits.iter().map(|e| e.bates.chars().count()).max().unwrap_or(0) as f32;
            let bates_w = (longest * 6.2 + 8.0).clamp(74.0, 150.0);
            f.table(&Table {
                caption: Some("Records certified".to_string()),
                columns: vec![
                    Column { title: "Bates", width: bates_w, align: Align::Left },
                    Column { title: "File name", width: 340.0 - (bates_w - 74.0), align: Align::Left },
                    Column { title: "Hash comparison", width: 90.0, align: Align::Left },
                ],
                rows,
                detail_column: 1,
            });
            f.gap(10.0);
        }
    }

    // The declaration and signature block stay together.
    f.gap(6.0);
    f.ensure(170.0);
    f.paragraph("Declaration under 28 U.S.C. \u{00a7} 1746", BODY_BOLD, 0.0, Align::Left);
    f.gap(4.0);
    f.paragraph(DECLARATION_1746, BODY, 0.0, Align::Left);
    f.gap(14.0);
    f.paragraph(EXECUTED, BODY, 0.0, Align::Left);
    f.gap(40.0);
    let top = f.y;
    f.rule(MARGIN, top, MARGIN + 260.0, 0.6, INK);
    f.text(MARGIN, top + 2.0 + LABEL.size, 260.0, "Signature", LABEL, Align::Left);
    f.y = top + 34.0;
    let top = f.y;
    f.text(MARGIN, top + BODY.size, 90.0, "Printed name:", BODY, Align::Left);
    f.rule(MARGIN + 70.0, top + BODY.size + 2.0, MARGIN + 260.0, 0.5, INK);
    f.y = top + BODY.line_height();
    f
}

// ---------------------------------------------------------------------------------
// DOCX.

mod docx {
    use super::*;
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

    pub(super) fn certification(p: &Production, c: &Certification) -> Result<Vec<u8>> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::custody::Action;
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

    fn event(seq: u64, time: String, action: Action, exhibit: &str, hashes: Option<(&str, &str)>) -> CustodyEvent {
        CustodyEvent {
            seq,
            time,
            action,
            exhibit: Some(exhibit.to_string()),
            actor: "Pat Paralegal".into(),
            released_by: None,
            received_by: None,
            purpose: (action == Action::Exported).then(|| "Production to opposing counsel".to_string()),
            method: (action == Action::Collected).then(|| "Logical copy from mounted share".to_string()),
            tool: "custos 0.1.0".into(),
            hash_algorithm: hashes.map(|_| "SHA-256".to_string()),
            hash_before: hashes.map(|h| h.0.to_string()),
            hash_after: hashes.map(|h| h.1.to_string()),
            hashes_match: hashes.map(|h| h.0 == h.1),
            location: Some("paralegal-laptop-07".into()),
            details: serde_json::Value::Null,
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
                    event(next(), collected_at.clone(), Action::Collected, &id, Some((&sha, &sha))),
                    event(next(), format!("2026-01-10T08:00:{:02}.000001Z", i % 60), Action::Verified, &id, Some((&sha, &sha))),
                ];
                if i % 3 == 0 {
                    events.push(event(next(), format!("2026-01-11T10:15:{:02}.5Z", i % 60), Action::Viewed, &id, None));
                }
                if i % 7 == 0 {
                    let mut transfer = event(next(), "2026-01-12T16:45:00Z".into(), Action::Received, &id, None);
                    transfer.released_by = Some("Morgan Investigator".into());
                    transfer.received_by = Some("Pat Paralegal".into());
                    transfer.purpose = Some("Hand-over of the forensic image of the former employee's laptop for review".into());
                    events.push(transfer);
                }
                events.push(event(next(), "2026-02-01T12:00:00.000000Z".into(), Action::Exported, &id, Some((&sha, &export_sha))));
                ProducedExhibit {
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
}
