//! Page layout: a flow of pages holding draw operations, rendered once the
//! page count is known.

use crate::*;

pub(crate) const PAGE_W: f32 = 612.0; // US Letter, points
pub(crate) const PAGE_H: f32 = 792.0;
pub(crate) const MARGIN: f32 = 54.0; // 0.75 in
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
pub(crate) const BODY_TOP: f32 = 66.0; // below the running header
pub(crate) const BODY_BOTTOM: f32 = PAGE_H - 62.0; // above the running footer
/// A table cell never grows past this many lines, so a row always fits on a page.
pub(crate) const MAX_CELL_LINES: usize = 24;
/// Nor does a heading bar or the caption (the full text is also printed elsewhere).
pub(crate) const MAX_HEADING_LINES: usize = 8;

pub(crate) type Rgb = [u8; 3];
pub(crate) const INK: Rgb = [0x1a, 0x1a, 0x1a];
pub(crate) const MUTED: Rgb = [0x5a, 0x5a, 0x5a];
pub(crate) const RULE: Rgb = [0xb8, 0xb8, 0xb8];
pub(crate) const SHADE: Rgb = [0xec, 0xec, 0xec];
pub(crate) const ALERT: Rgb = [0xa8, 0x10, 0x10];

#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub(crate) face: Face,
    pub(crate) size: f32,
    pub(crate) color: Rgb,
}

impl Style {
    pub(crate) const fn new(face: Face, size: f32, color: Rgb) -> Style {
        Style { face, size, color }
    }
    pub(crate) fn line_height(&self) -> f32 {
        self.size * 1.3
    }
    pub(crate) fn color(self, color: Rgb) -> Style {
        Style { color, ..self }
    }
}

pub(crate) const BODY: Style = Style::new(Face::Regular, 9.5, INK);
pub(crate) const BODY_BOLD: Style = Style::new(Face::Bold, 9.5, INK);
pub(crate) const CELL: Style = Style::new(Face::Regular, 8.5, INK);
pub(crate) const CELL_BOLD: Style = Style::new(Face::Bold, 8.5, INK);
pub(crate) const HEAD: Style = Style::new(Face::Bold, 8.0, INK);
pub(crate) const LABEL: Style = Style::new(Face::Regular, 8.0, MUTED);
pub(crate) const HASH: Style = Style::new(Face::Mono, 7.5, INK);
pub(crate) const SMALL: Style = Style::new(Face::Regular, 7.5, MUTED);
pub(crate) const TITLE: Style = Style::new(Face::Bold, 15.0, INK);
pub(crate) const BAR: Style = Style::new(Face::Bold, 10.0, INK);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
    Center,
}

pub(crate) enum Op {
    /// One line of text; `y` is the baseline.
    Text { x: f32, y: f32, style: Style, text: String },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32, color: Rgb },
    Rect { x: f32, y: f32, w: f32, h: f32, color: Rgb },
}

/// A cell of a key/value block.
pub(crate) struct Kv {
    pub(crate) label: String,
    pub(crate) value: String,
    pub(crate) style: Style,
}

pub(crate) fn kv(label: &str, value: impl Into<String>, style: Style) -> Kv {
    Kv { label: label.to_string(), value: clean(&value.into()), style }
}

pub(crate) struct Column {
    pub(crate) title: std::borrow::Cow<'static, str>,
    pub(crate) width: f32,
    pub(crate) align: Align,
}

pub(crate) struct Cell {
    pub(crate) text: String,
    pub(crate) style: Style,
}

pub(crate) fn cell(text: impl AsRef<str>, style: Style) -> Cell {
    let text = clean(text.as_ref());
    Cell { text: if text.trim().is_empty() { "\u{2014}".into() } else { text }, style }
}

/// A table row: its cells, then full-width "label value" lines under it (hashes).
pub(crate) struct Row {
    pub(crate) cells: Vec<Cell>,
    pub(crate) details: Vec<(String, String, Style)>,
}

pub(crate) struct Table {
    /// Shown above the table, and again with "(continued)" on each new page.
    pub(crate) caption: Option<String>,
    pub(crate) columns: Vec<Column>,
    pub(crate) rows: Vec<Row>,
    /// The column under which detail lines start.
    pub(crate) detail_column: usize,
}

/// The running header and the document's metadata.
pub(crate) struct Chrome {
    /// Header, left: the matter.
    pub(crate) left: String,
    /// Header, right: the Bates range, or what the document is.
    pub(crate) right: String,
    /// The program that made it.
    pub(crate) tool: String,
    /// When (RFC 3339), for the PDF's creation date.
    pub(crate) made_at: String,
}

pub(crate) struct Flow<'f> {
    pub(crate) fonts: &'f Fonts,
    pub(crate) pages: Vec<Vec<Op>>,
    pub(crate) y: f32,
}

impl<'f> Flow<'f> {
    pub(crate) fn new(fonts: &'f Fonts) -> Flow<'f> {
        Flow { fonts, pages: vec![Vec::new()], y: BODY_TOP }
    }

    pub(crate) fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a flow always has a page")
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = BODY_TOP;
    }

    pub(crate) fn room(&self) -> f32 {
        BODY_BOTTOM - self.y
    }

    /// Starts a new page unless `h` fits (or the page is still empty).
    pub(crate) fn ensure(&mut self, h: f32) {
        if h > self.room() && self.y > BODY_TOP {
            self.new_page();
        }
    }

    pub(crate) fn text(&mut self, x: f32, baseline: f32, width: f32, text: &str, style: Style, align: Align) {
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

    pub(crate) fn rule(&mut self, x1: f32, y: f32, x2: f32, width: f32, color: Rgb) {
        self.ops().push(Op::Line { x1, y1: y, x2, y2: y, width, color });
    }

    pub(crate) fn gap(&mut self, h: f32) {
        self.y = (self.y + h).min(BODY_BOTTOM);
    }

    /// Wrapped text at `indent`; breaks across pages between lines.
    pub(crate) fn paragraph(&mut self, text: &str, style: Style, indent: f32, align: Align) {
        self.marked_paragraph(None, text, style, indent, align);
    }

    /// A paragraph with `marker` (a number) hanging in the indent of its first line.
    pub(crate) fn marked_paragraph(&mut self, marker: Option<&str>, text: &str, style: Style, indent: f32, align: Align) {
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
    pub(crate) fn numbered(&mut self, number: usize, text: &str) {
        self.marked_paragraph(Some(&format!("{number}.")), text, BODY, 22.0, Align::Left);
        self.gap(6.0);
    }

    pub(crate) fn title(&mut self, text: &str) {
        self.paragraph(text, TITLE, 0.0, Align::Left);
        self.gap(2.0);
        let y = self.y;
        self.rule(MARGIN, y, MARGIN + CONTENT_W, 1.0, INK);
        self.gap(10.0);
    }

    /// A shaded bar with a bold heading, kept with the next `keep` points.
    pub(crate) fn bar(&mut self, text: &str, keep: f32) {
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
    pub(crate) fn kv_height(&self, rows: &[Vec<Kv>], label_w: f32) -> f32 {
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
    pub(crate) fn kv_rows(&mut self, rows: Vec<Vec<Kv>>, label_w: f32) {
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

    pub(crate) fn table(&mut self, t: &Table) {
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
            t.columns.iter().map(|c| fonts.wrap(&c.title, HEAD, c.width - 2.0 * PAD_X)).collect();
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
    pub(crate) fn render(self, fonts: &Fonts, title: &str, p: &Production) -> Result<Vec<u8>> {
        self.render_with(fonts, title, p, None)
    }

    pub(crate) fn render_with(self, fonts: &Fonts, title: &str, p: &Production, footer_note: Option<(&str, Rgb)>) -> Result<Vec<u8>> {
        let matter = match &p.matter_number {
            Some(n) if !n.trim().is_empty() => format!("{} \u{00b7} {}", p.matter, n),
            _ => p.matter.clone(),
        };
        let chrome = Chrome { left: matter, right: format!("Bates {}", bates_range(p)), tool: p.tool.clone(), made_at: p.produced_at.clone() };
        self.render_chrome(fonts, title, &chrome, footer_note)
    }

    /// Draws the running header (`chrome.left`, `chrome.right`) and footer
    /// (the title or `footer_note`, and the page number) and writes the PDF.
    pub(crate) fn render_chrome(self, fonts: &Fonts, title: &str, chrome: &Chrome, footer_note: Option<(&str, Rgb)>) -> Result<Vec<u8>> {
        let settings = SerializeSettings { enable_tagging: false, ..Default::default() };
        let mut doc = Document::new_with(settings);
        let total = self.pages.len();
        let size = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| render_error("bad page size"))?;
        let header_right = chrome.right.clone();
        let matter = chrome.left.clone();
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
            .creator(chrome.tool.clone())
            .producer(chrome.tool.clone())
            .language("en-US".into());
        if let Some(t) = parse_utc(&chrome.made_at) {
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

pub(crate) fn paint(color: Rgb) -> krilla::paint::Paint {
    rgb::Color::new(color[0], color[1], color[2]).into()
}

pub(crate) fn draw(surface: &mut Surface, fonts: &Fonts, op: &Op) {
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
