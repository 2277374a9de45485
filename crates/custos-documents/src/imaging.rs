//! Page images of exhibits: every page of a document on a page of its own,
//! scaled into the space its endorsements leave clear, and stamped with its
//! Bates number and legend.
//!
//! A PDF's pages are embedded as they are (their text layer kept), an
//! image is one page, text (an e-mail's headers first) is typeset into pages,
//! and a slip sheet is one page saying why the document is not imaged. Each
//! page is US Letter, turned landscape for a source wider than tall; the
//! source is never enlarged, and shrunk only as far as it must be to keep off
//! the bands the stamps sit in, so a stamp never covers content.

use crate::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Size of the stamps, in points.
pub const STAMP_SIZE: f32 = 10.0;
/// The stamps' face: DejaVu Sans Bold.
const STAMP: Style = Style::new(Face::Bold, STAMP_SIZE, [0, 0, 0]);
/// Left and right margin of every page, in points.
const SIDE: f32 = 18.0;
/// Height of the clear band at an edge that carries a stamp.
const BAND: f32 = 36.0;
/// Margin at an edge that carries none.
const EDGE: f32 = 18.0;
/// The least space between two stamps in one band.
const GAP: f32 = 18.0;

/// A corner of the page, where a stamp goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Corner {
    /// Top left.
    TopLeft,
    /// Top right.
    TopRight,
    /// Bottom left.
    BottomLeft,
    /// Bottom right.
    BottomRight,
}

impl Corner {
    /// Every corner, in the order a form lists them.
    pub const ALL: [Corner; 4] = [Corner::BottomRight, Corner::BottomLeft, Corner::TopRight, Corner::TopLeft];

    /// Its name as the CLI and the bundle's records write it (`bottom-right`).
    pub fn name(self) -> &'static str {
        match self {
            Corner::TopLeft => "top-left",
            Corner::TopRight => "top-right",
            Corner::BottomLeft => "bottom-left",
            Corner::BottomRight => "bottom-right",
        }
    }

    /// The corner named `name`, if it is one.
    pub fn parse(name: &str) -> Option<Corner> {
        Corner::ALL.into_iter().find(|c| c.name() == name)
    }

    fn top(self) -> bool {
        matches!(self, Corner::TopLeft | Corner::TopRight)
    }

    fn left(self) -> bool {
        matches!(self, Corner::TopLeft | Corner::BottomLeft)
    }
}

/// Where the stamps of a production go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endorsements {
    /// The corner of the Bates number.
    pub bates_corner: Corner,
    /// The corner of the legend, on pages that have one.
    pub legend_corner: Corner,
}

impl Default for Endorsements {
    fn default() -> Self {
        Endorsements { bates_corner: Corner::BottomRight, legend_corner: Corner::BottomLeft }
    }
}

/// A stamp as placed on a page: its text, corner, and the start of its
/// baseline in points from the page's top left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stamp {
    /// What it says.
    pub text: String,
    /// Its corner.
    pub corner: Corner,
    /// Left end of the baseline, points from the left edge.
    pub x: f32,
    /// The baseline, points from the top edge.
    pub y: f32,
    /// Font size in points.
    pub size: f32,
}

/// How one page was made: its size, how its source was scaled, its stamps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PagePlacement {
    /// The page's width and height, in points.
    pub page: [f32; 2],
    /// The factor the source page was scaled by (at most 1).
    pub scale: f32,
    /// The stamps, Bates number first.
    pub stamps: Vec<Stamp>,
}

/// What a document's pages come from.
pub enum Source<'a> {
    /// Every page of a PDF.
    Pdf(&'a [u8]),
    /// One image (PNG, JPEG, GIF or WebP).
    Image(&'a [u8]),
    /// Text typeset into pages, the `heading` pairs (an e-mail's From, To …)
    /// first.
    Text {
        /// Label and value of each heading line.
        heading: Vec<(String, String)>,
        /// The body.
        body: &'a str,
    },
    /// A one-page sheet standing for the document: a title and lines.
    Sheet {
        /// The title, large (e.g. "PRODUCED IN NATIVE FORM").
        title: String,
        /// Lines beneath it.
        lines: Vec<String>,
    },
}

enum Pages {
    Pdf(krilla::pdf::PdfDocument, Vec<(f32, f32)>, krilla::configure::PdfVersion),
    Image(krilla::image::Image, (f32, f32)),
    Typeset(Vec<Vec<Op>>),
}

/// A document read and laid out: its page count is known, and it can be
/// stamped with any numbers.
pub struct Imaged {
    pages: Pages,
    fonts: Fonts,
    /// Text layers laid over pages (by index): a text-only PDF page each.
    layers: std::collections::HashMap<usize, krilla::pdf::PdfDocument>,
}

/// Why a document could not be imaged.
pub fn unreadable(why: impl Display) -> RenderError {
    RenderError(why.to_string())
}

impl Imaged {
    /// Reads `source` and lays it out into pages (nothing is stamped yet).
    pub fn new(source: Source<'_>) -> Result<Imaged> {
        let fonts = Fonts::load()?;
        let pages = match source {
            Source::Pdf(bytes) => {
                let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(bytes.to_vec());
                let pdf = krilla::pdf::Pdf::new(data).map_err(|e| {
                    unreadable(match e {
                        hayro_syntax::LoadPdfError::Decryption(_) => "the PDF is encrypted".to_string(),
                        hayro_syntax::LoadPdfError::Invalid => "the PDF cannot be read".to_string(),
                    })
                })?;
                let sizes: Vec<(f32, f32)> = pdf.pages().iter().map(|p| p.render_dimensions()).collect();
                if sizes.is_empty() {
                    return Err(unreadable("the PDF has no pages"));
                }
                if let Some((w, h)) = sizes.iter().find(|(w, h)| !(w.is_finite() && h.is_finite() && *w >= 1.0 && *h >= 1.0)) {
                    return Err(unreadable(format!("the PDF has a page of {w}×{h} points")));
                }
                let version = match pdf.version() {
                    hayro_syntax::PdfVersion::Pdf20 => krilla::configure::PdfVersion::Pdf20,
                    _ => krilla::configure::PdfVersion::Pdf17,
                };
                Pages::Pdf(krilla::pdf::PdfDocument::new(Arc::new(pdf)), sizes, version)
            }
            Source::Image(bytes) => {
                let data: krilla::Data = bytes.to_vec().into();
                let image = match crate::imaging::image_kind(bytes) {
                    Some("png") => krilla::image::Image::from_png(data, true),
                    Some("jpeg") => krilla::image::Image::from_jpeg(data, true),
                    Some("gif") => krilla::image::Image::from_gif(data, true),
                    Some("webp") => krilla::image::Image::from_webp(data, true),
                    _ => Err("not a PNG, JPEG, GIF or WebP image".to_string()),
                }
                .map_err(|e| unreadable(format!("the image cannot be read: {e}")))?;
                let (w, h) = image.size();
                if w == 0 || h == 0 {
                    return Err(unreadable("the image is empty"));
                }
                Pages::Image(image, (w as f32, h as f32))
            }
            Source::Text { heading, body } => Pages::Typeset(typeset_text(&fonts, &heading, body)),
            Source::Sheet { title, lines } => Pages::Typeset(typeset_sheet(&fonts, &title, &lines)),
        };
        Ok(Imaged { pages, fonts, layers: Default::default() })
    }

    /// Lays `layer`, a one-page PDF of invisible text (an OCR engine's), over
    /// page `page` (from 0), stretched to the page's drawn area: the page
    /// can then be searched, its words selected where they are.
    pub fn lay_text_over(&mut self, page: usize, layer: &[u8]) -> Result<()> {
        if page >= self.page_count() {
            return Err(render_error(format!("no page {} to lay text over", page + 1)));
        }
        let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(layer.to_vec());
        let pdf = krilla::pdf::Pdf::new(data).map_err(|_| unreadable("the text layer is not a PDF"))?;
        if pdf.pages().len() != 1 {
            return Err(unreadable("a text layer is one page"));
        }
        self.layers.insert(page, krilla::pdf::PdfDocument::new(Arc::new(pdf)));
        Ok(())
    }

    /// How many pages the document has.
    pub fn page_count(&self) -> usize {
        match &self.pages {
            Pages::Pdf(_, sizes, _) => sizes.len(),
            Pages::Image(..) => 1,
            Pages::Typeset(pages) => pages.len(),
        }
    }

    fn source_size(&self, i: usize) -> (f32, f32) {
        match &self.pages {
            Pages::Pdf(_, sizes, _) => sizes[i],
            Pages::Image(_, size) => *size,
            Pages::Typeset(_) => (PAGE_W, PAGE_H),
        }
    }

    /// The document as a PDF, page `i` stamped with `bates[i]` and, when
    /// given, `legend`; with how each page was made.
    pub fn stamped(&self, bates: &[String], legend: Option<&str>, e: &Endorsements) -> Result<(Vec<u8>, Vec<PagePlacement>)> {
        if bates.len() != self.page_count() {
            return Err(render_error(format!("{} Bates numbers for {} pages", bates.len(), self.page_count())));
        }
        self.stamped_from(0, bates, legend, e)
    }

    /// Pages `first` to `first + bates.len() - 1` alone, stamped as
    /// [`Imaged::stamped`] stamps them: a long document rasterised a part at
    /// a time never has all its pages in memory at once.
    pub fn stamped_from(&self, first: usize, bates: &[String], legend: Option<&str>, e: &Endorsements) -> Result<(Vec<u8>, Vec<PagePlacement>)> {
        if first + bates.len() > self.page_count() {
            return Err(render_error(format!("pages {} to {} of {}", first + 1, first + bates.len(), self.page_count())));
        }
        let legend = legend.map(clean).filter(|l| !l.trim().is_empty());
        let version = match &self.pages {
            Pages::Pdf(_, _, v) => *v,
            _ => krilla::configure::PdfVersion::Pdf17,
        };
        let settings = SerializeSettings {
            enable_tagging: false,
            configuration: krilla::configure::Configuration::new_with_version(version),
            ..Default::default()
        };
        let mut doc = Document::new_with(settings);
        let mut placements = Vec::with_capacity(bates.len());
        for (k, number) in bates.iter().enumerate() {
            let i = first + k;
            let (w, h) = self.source_size(i);
            let (pw, ph) = if w > h { (PAGE_H, PAGE_W) } else { (PAGE_W, PAGE_H) };
            let mut stamps = vec![(number.clone(), e.bates_corner)];
            if let Some(l) = &legend {
                stamps.push((l.clone(), e.legend_corner));
            }
            let placed = place_stamps(&self.fonts, &stamps, pw, ph)?;
            let top = if placed.iter().any(|s| s.corner.top()) { BAND } else { EDGE };
            let bottom = if placed.iter().any(|s| !s.corner.top()) { BAND } else { EDGE };
            let (cw, ch) = (pw - 2.0 * SIDE, ph - top - bottom);
            let scale = (cw / w).min(ch / h).min(1.0);
            let (sw, sh) = (w * scale, h * scale);
            let (x, y) = (SIDE + (cw - sw) / 2.0, top + (ch - sh) / 2.0);

            let size = PageSettings::from_wh(pw, ph).ok_or_else(|| render_error("bad page size"))?;
            let mut page = doc.start_page_with(size);
            let mut surface = page.surface();
            surface.push_transform(&krilla::geom::Transform::from_translate(x, y));
            let drawn = krilla::geom::Size::from_wh(sw, sh).ok_or_else(|| render_error("a page too small to draw"))?;
            match &self.pages {
                Pages::Pdf(pdf, _, _) => surface.draw_pdf_page(pdf, drawn, i),
                Pages::Image(image, _) => surface.draw_image(image.clone(), drawn),
                Pages::Typeset(pages) => {
                    surface.push_transform(&krilla::geom::Transform::from_scale(scale, scale));
                    for op in &pages[i] {
                        draw(&mut surface, &self.fonts, op);
                    }
                    surface.pop();
                }
            }
            if let Some(layer) = self.layers.get(&i) {
                surface.draw_pdf_page(layer, drawn, 0);
            }
            surface.pop();
            for s in &placed {
                draw(&mut surface, &self.fonts, &Op::Text { x: s.x, y: s.y, style: STAMP, text: s.text.clone() });
            }
            surface.finish();
            page.finish();
            placements.push(PagePlacement { page: [pw, ph], scale, stamps: placed });
        }
        let pdf = doc.finish().map_err(|e| render_error(format!("{e:?}")))?;
        Ok((pdf, placements))
    }
}

/// Where the stamps go on a page of `pw`×`ph` points, or why they do not fit.
fn place_stamps(fonts: &Fonts, stamps: &[(String, Corner)], pw: f32, ph: f32) -> Result<Vec<Stamp>> {
    let mut out = Vec::with_capacity(stamps.len());
    for (i, (text, corner)) in stamps.iter().enumerate() {
        if stamps[..i].iter().any(|(_, c)| c == corner) {
            return Err(render_error(format!("the Bates number and the legend cannot share the {} corner", corner.name())));
        }
        let width = fonts.width(STAMP, text);
        // Those placed before it in the same band take their width and a gap.
        let beside: f32 = stamps[..i]
            .iter()
            .filter(|(_, c)| c != corner && c.top() == corner.top())
            .map(|(t, _)| fonts.width(STAMP, t) + GAP)
            .sum();
        let room = pw - 2.0 * SIDE - beside;
        if width > room {
            return Err(render_error(format!(
                "the stamp \u{201c}{text}\u{201d} is {width:.0} points wide; {room:.0} fit in the {} corner of a {}×{}-point page{}; shorten it or move the stamps to opposite edges",
                corner.name(),
                pw,
                ph,
                if beside > 0.0 { " beside the other stamp" } else { "" }
            )));
        }
        let x = if corner.left() { SIDE } else { pw - SIDE - width };
        let y = if corner.top() { BAND / 2.0 + STAMP_SIZE * 0.35 } else { ph - BAND / 2.0 + STAMP_SIZE * 0.35 };
        out.push(Stamp { text: text.clone(), corner: *corner, x, y, size: STAMP_SIZE });
    }
    Ok(out)
}

/// Checks that stamps reading `bates` and, where given, each of `legends`
/// fit a portrait page (the narrowest a production has) in the corners
/// chosen: what an export checks before it writes anything.
pub fn check_endorsements(bates: &str, legends: &[&str], e: &Endorsements) -> Result<()> {
    let fonts = Fonts::load()?;
    place_stamps(&fonts, &[(bates.to_string(), e.bates_corner)], PAGE_W, PAGE_H)?;
    for legend in legends.iter().map(|l| clean(l)).filter(|l| !l.trim().is_empty()) {
        place_stamps(&fonts, &[(bates.to_string(), e.bates_corner), (legend, e.legend_corner)], PAGE_W, PAGE_H)?;
    }
    Ok(())
}

/// The kind of an image by its first bytes: `png`, `jpeg`, `gif` or `webp`.
pub fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => Some("png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("jpeg"),
        [b'G', b'I', b'F', b'8', ..] => Some("gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("webp"),
        _ => None,
    }
}

/// Text set in pages: the heading pairs, a rule, then the body line by line
/// (a long line wraps; an empty one is space).
fn typeset_text(fonts: &Fonts, heading: &[(String, String)], body: &str) -> Vec<Vec<Op>> {
    let mut f = Flow::new(fonts);
    if !heading.is_empty() {
        let label_w = heading.iter().map(|(l, _)| fonts.width(LABEL, l)).fold(0.0, f32::max) + 10.0;
        f.kv_rows(heading.iter().map(|(l, v)| vec![kv(l, v.as_str(), BODY)]).collect(), label_w);
        f.gap(4.0);
        let y = f.y;
        f.rule(MARGIN, y, MARGIN + CONTENT_W, 0.6, RULE);
        f.gap(10.0);
    }
    for line in body.lines() {
        if line.trim().is_empty() {
            f.gap(BODY.line_height() * 0.6);
        } else {
            f.paragraph(line, BODY, 0.0, Align::Left);
        }
    }
    // Text that ended in blank lines can leave an empty last page.
    if f.pages.len() > 1 && f.pages.last().is_some_and(Vec::is_empty) {
        f.pages.pop();
    }
    f.pages
}

fn typeset_sheet(fonts: &Fonts, title: &str, lines: &[String]) -> Vec<Vec<Op>> {
    let mut f = Flow::new(fonts);
    f.gap(200.0);
    f.paragraph(title, TITLE, 0.0, Align::Center);
    f.gap(18.0);
    for l in lines {
        f.paragraph(l, BODY, 0.0, Align::Center);
        f.gap(6.0);
    }
    f.pages.truncate(1);
    f.pages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdftotext(pdf: &[u8], page: usize) -> String {
        let mut child = std::process::Command::new("pdftotext")
            .args(["-layout", "-f", &page.to_string(), "-l", &page.to_string(), "-", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("pdftotext (poppler-utils) is installed");
        child.stdin.take().unwrap().write_all(pdf).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    }

    fn numbers(first: u64, n: usize) -> Vec<String> {
        (0..n as u64).map(|i| format!("HAL{:06}", first + i)).collect()
    }

    #[test]
    fn text_is_paginated_and_each_page_of_a_pdf_keeps_its_text_under_its_own_stamps() {
        let body: String = (1..=150).map(|i| format!("Line {i} of the memo on Project Falcon pricing.\n")).collect();
        let heading = vec![("From".to_string(), "j.doe@halcyon.example".to_string()), ("Subject".to_string(), "Falcon".to_string())];
        let text = Imaged::new(Source::Text { heading, body: &body }).unwrap();
        let pages = text.page_count();
        assert!(pages >= 2, "150 lines take more than a page, got {pages}");
        let e = Endorsements::default();
        let (pdf, placed) = text.stamped(&numbers(1, pages), Some("CONFIDENTIAL"), &e).unwrap();
        assert_eq!(placed.len(), pages);
        assert!(placed.iter().all(|p| p.scale < 1.0 && p.stamps.len() == 2));

        // The typeset PDF is now a source: every page embedded, text kept, stamped anew.
        let again = Imaged::new(Source::Pdf(&pdf)).unwrap();
        assert_eq!(again.page_count(), pages);
        let (stamped, placed) = again.stamped(&numbers(7, pages), None, &Endorsements { bates_corner: Corner::TopLeft, ..e }).unwrap();
        for p in 1..=pages {
            let t = pdftotext(&stamped, p);
            assert!(t.contains(&format!("HAL{:06}", 6 + p)), "page {p}: {t}");
            assert!(t.contains(&format!("HAL{:06}", p)), "page {p} keeps its first stamp as content: {t}");
            assert!(t.contains("Project Falcon"), "page {p} keeps its text");
            assert!(t.contains("CONFIDENTIAL"), "page {p}: the first legend is the page's content now: {t}");
        }
        assert!(pdftotext(&stamped, 1).contains("j.doe@halcyon.example"));
        assert_eq!(placed[0].stamps[0].corner, Corner::TopLeft);
        assert!(placed[0].stamps[0].y < 36.0);
        assert!(text.stamped(&numbers(1, pages + 1), None, &e).is_err());
    }

    #[test]
    fn an_image_is_one_page_fitted_and_a_landscape_one_turns_the_page() {
        // A 2000 × 1000 PNG, made with krilla's own dependency-free encoder path.
        let mut png = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut png, 2000, 1000);
            enc.set_color(png::ColorType::Grayscale);
            let mut w = enc.write_header().unwrap();
            w.write_image_data(&vec![200u8; 2000 * 1000]).unwrap();
        }
        let img = Imaged::new(Source::Image(&png)).unwrap();
        assert_eq!(img.page_count(), 1);
        let (_, placed) = img.stamped(&numbers(3, 1), Some("CONFIDENTIAL"), &Endorsements::default()).unwrap();
        assert_eq!(placed[0].page, [PAGE_H, PAGE_W]);
        assert!((placed[0].scale - (PAGE_H - 2.0 * SIDE) / 2000.0).abs() < 1e-4);
        assert!(Imaged::new(Source::Image(b"BM not an image we draw")).is_err());
        assert!(Imaged::new(Source::Pdf(b"%PDF-1.4 nothing")).is_err());
    }

    #[test]
    fn a_stamp_that_would_not_fit_or_shares_a_corner_is_refused_before_anything_is_drawn() {
        let e = Endorsements::default();
        check_endorsements("HAL000001", &["CONFIDENTIAL \u{2014} SUBJECT TO PROTECTIVE ORDER"], &e).unwrap();
        let long = "CONFIDENTIAL ".repeat(10);
        let err = check_endorsements("HAL000001", &[&long], &e).unwrap_err().0;
        assert!(err.contains("bottom-left") && err.contains("points wide"), "{err}");
        // In opposite bands, each has the page's width.
        let apart = Endorsements { bates_corner: Corner::TopRight, legend_corner: Corner::BottomLeft };
        check_endorsements("HAL000001", &["CONFIDENTIAL ".repeat(5).trim()], &apart).unwrap();
        let same = Endorsements { bates_corner: Corner::BottomLeft, legend_corner: Corner::BottomLeft };
        assert!(check_endorsements("HAL000001", &["X"], &same).unwrap_err().0.contains("cannot share"));
        // No legend: the corners may coincide, nothing else is stamped.
        check_endorsements("HAL000001", &[], &same).unwrap();
    }
}
