//! Reading the text of images and scanned PDF pages with Tesseract.
//!
//! Everything passes through pipes: a PDF page is rasterised by poppler's
//! `pdftoppm` to a PNG on its standard output, which goes to `tesseract
//! stdin stdout … tsv`. The TSV output gives every word with its
//! confidence, from which the page's text and its mean confidence are
//! built; a page below [`LOW_CONFIDENCE`] is marked for a person to check.

use crate::{Error, Extractor, Result, tools};

/// Pages whose mean word confidence is below this (0–100) are marked
/// [`OcrPage::low_confidence`].
pub const LOW_CONFIDENCE: f32 = 60.0;

/// The resolution PDF pages are rasterised at, and that Tesseract is told
/// images have.
const DPI: &str = "300";

/// Tesseract's page segmentation mode: automatic, without orientation
/// detection.
const PSM: &str = "3";

/// The text Tesseract read from one page.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrPage {
    /// The page, from 1 (an image is page 1).
    pub page: u32,
    /// The words, lines separated by a line break and paragraphs by an
    /// empty line.
    pub text: String,
    /// The mean confidence of the words, 0–100 (0 when none was read).
    pub confidence: f32,
    /// Whether [`Self::confidence`] is below [`LOW_CONFIDENCE`]; a page on
    /// which no word was read counts as low confidence, since it may hold
    /// writing Tesseract could not read.
    pub low_confidence: bool,
}

/// The extractor OCR results are recorded under, for language `lang`.
pub fn extractor(lang: &str) -> Result<Extractor> {
    check_lang(lang)?;
    Ok(Extractor {
        name: "tesseract".into(),
        version: tools::version("tesseract")?,
        settings: format!("lang={lang} psm={PSM} dpi={DPI} (pdftoppm {} for PDF pages)", tools::version("pdftoppm")?),
    })
}

/// Reads the text of an image (any format Tesseract reads: PNG, JPEG,
/// TIFF, …) in language `lang` (e.g. `eng`, `eng+deu`).
pub fn image(bytes: &[u8], lang: &str) -> Result<OcrPage> {
    check_lang(lang)?;
    if bytes.is_empty() {
        return Err(Error::Malformed("the image is empty".into()));
    }
    let tsv = tools::run("tesseract", &["stdin", "stdout", "-l", lang, "--psm", PSM, "--dpi", DPI, "tsv"], bytes)?;
    Ok(page_from_tsv(1, &String::from_utf8_lossy(&tsv)))
}

/// Reads the text of page `page` (from 1) of a PDF, rasterised at 300 dpi.
pub fn pdf_page(bytes: &[u8], page: u32, lang: &str) -> Result<OcrPage> {
    check_lang(lang)?;
    if page == 0 {
        return Err(Error::Malformed("PDF pages are counted from 1".into()));
    }
    let n = page.to_string();
    // With no output root pdftoppm writes the single page to standard
    // output (a root of `-` would write nothing).
    let png = tools::run("pdftoppm", &["-png", "-r", DPI, "-f", &n, "-l", &n, "-singlefile", "-"], bytes)?;
    if png.is_empty() {
        return Err(Error::Malformed(format!("the PDF has no page {page}")));
    }
    let mut out = image(&png, lang)?;
    out.page = page;
    Ok(out)
}

/// A text-only PDF page of an image (PNG, JPEG, TIFF …): Tesseract's
/// words, invisible, where they are on the image, for laying over it so
/// the page can be searched and its words selected. Its page has the
/// image's shape.
pub fn text_layer(image: &[u8], lang: &str) -> Result<Vec<u8>> {
    check_lang(lang)?;
    if image.is_empty() {
        return Err(Error::Malformed("the image is empty".into()));
    }
    tools::run("tesseract", &["stdin", "stdout", "-l", lang, "--psm", PSM, "--dpi", DPI, "-c", "textonly_pdf=1", "pdf"], image)
}

/// [`text_layer`] of page `page` (from 1) of a PDF, rasterised at 300 dpi.
pub fn pdf_page_text_layer(bytes: &[u8], page: u32, lang: &str) -> Result<Vec<u8>> {
    let n = page.to_string();
    let png = tools::run("pdftoppm", &["-png", "-r", DPI, "-f", &n, "-l", &n, "-singlefile", "-"], bytes)?;
    if png.is_empty() {
        return Err(Error::Malformed(format!("the PDF has no page {page}")));
    }
    text_layer(&png, lang)
}

/// How a text layer is made, in words, for the records.
pub fn text_layer_words(lang: &str) -> Result<String> {
    Ok(format!("text layer recognised by tesseract {} (lang={lang}, psm={PSM}, {DPI} dpi), invisible over the page", tools::version("tesseract")?))
}

/// The languages the installed Tesseract has data for.
pub fn languages() -> Result<Vec<String>> {
    let out = tools::run("tesseract", &["--list-langs"], b"")?;
    let text = String::from_utf8_lossy(&out);
    // The first line is a heading ("List of available languages in …").
    Ok(text.lines().skip(1).map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect())
}

/// A language argument must be a name (or names joined by `+`), never
/// something Tesseract could take for an option.
fn check_lang(lang: &str) -> Result<()> {
    let ok = !lang.is_empty()
        && lang.len() <= 200
        && !lang.starts_with('-')
        && lang.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-' | '/'));
    if ok { Ok(()) } else { Err(Error::Tool { program: "tesseract".into(), reason: format!("not a language name: {lang:?}") }) }
}

/// Builds a page from Tesseract's TSV: one row per page, block, paragraph,
/// line and word; only word rows (level 5) carry text.
fn page_from_tsv(page: u32, tsv: &str) -> OcrPage {
    let mut text = String::new();
    let mut confidences = Vec::new();
    let mut last: Option<(u32, u32, u32, u32)> = None;
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let word = cols[11].trim();
        let Ok(conf) = cols[10].trim().parse::<f32>() else { continue };
        if word.is_empty() || conf < 0.0 {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<u32>().unwrap_or(0);
        let at = (num(1), num(2), num(3), num(4));
        if let Some(prev) = last {
            if (prev.0, prev.1, prev.2) != (at.0, at.1, at.2) {
                text.push_str("\n\n");
            } else if prev.3 != at.3 {
                text.push('\n');
            } else {
                text.push(' ');
            }
        }
        text.push_str(word);
        confidences.push(conf);
        last = Some(at);
    }
    let confidence = if confidences.is_empty() { 0.0 } else { confidences.iter().sum::<f32>() / confidences.len() as f32 };
    OcrPage { page, text, confidence, low_confidence: confidences.is_empty() || confidence < LOW_CONFIDENCE }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-page PDF with `line` in large type.
    fn pdf_with_text(line: &str) -> Vec<u8> {
        use krilla::geom::Point;
        use krilla::page::PageSettings;
        use krilla::text::{Font, TextDirection};
        let data = std::fs::read("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").expect("DejaVu Sans is installed");
        let font = Font::new(data.into(), 0).unwrap();
        let mut doc = krilla::Document::new();
        let mut page = doc.start_page_with(PageSettings::from_wh(700.0, 200.0).unwrap());
        let mut surface = page.surface();
        surface.draw_text(Point::from_xy(30.0, 100.0), font, 28.0, line, false, TextDirection::Auto);
        surface.finish();
        page.finish();
        doc.finish().unwrap()
    }

    fn installed() -> bool {
        let ok = tools::check("tesseract").is_ok() && tools::check("pdftoppm").is_ok();
        if !ok {
            eprintln!("note: tesseract or pdftoppm not installed; OCR not tested");
        }
        ok
    }

    const WORDS: [&str; 4] = ["confidential", "project", "falcon", "2025"];

    fn assert_reads(page: &OcrPage) {
        let lower = page.text.to_lowercase();
        for w in WORDS {
            assert!(lower.contains(w), "OCR should read {w:?}");
        }
        assert!(page.confidence > LOW_CONFIDENCE, "clear type reads with high confidence: {}", page.confidence);
        assert!(!page.low_confidence);
    }

    #[test]
    fn ocr_reads_a_rendered_image() {
        if !installed() {
            return;
        }
        let pdf = pdf_with_text("CONFIDENTIAL PROJECT FALCON 2025");
        let png = tools::run("pdftoppm", &["-png", "-r", "150", "-singlefile"], &pdf).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "pdftoppm wrote a PNG to stdout");
        let page = image(&png, "eng").unwrap();
        assert_eq!(page.page, 1);
        assert_reads(&page);
    }

    #[test]
    fn ocr_reads_a_pdf_page() {
        if !installed() {
            return;
        }
        let pdf = pdf_with_text("CONFIDENTIAL PROJECT FALCON 2025");
        let page = pdf_page(&pdf, 1, "eng").unwrap();
        assert_eq!(page.page, 1);
        assert_reads(&page);
        assert!(pdf_page(&pdf, 2, "eng").is_err(), "a page past the end is an error");
        assert!(matches!(pdf_page(&pdf, 0, "eng"), Err(Error::Malformed(_))));
    }

    #[test]
    fn ocr_extractor_and_languages() {
        if !installed() {
            return;
        }
        let ex = extractor("eng").unwrap();
        assert_eq!(ex.name, "tesseract");
        assert!(ex.version.starts_with(|c: char| c.is_ascii_digit()), "{}", ex.version);
        assert!(ex.settings.starts_with("lang=eng psm=3 dpi=300 (pdftoppm "), "{}", ex.settings);
        assert!(languages().unwrap().iter().any(|l| l == "eng"));
        assert!(extractor("-l").is_err(), "an option is not a language");
        assert!(image(b"\x89PNG", "--help").is_err());
    }

    #[test]
    fn ocr_rejects_what_is_not_an_image() {
        if !installed() {
            return;
        }
        assert!(matches!(image(b"", "eng"), Err(Error::Malformed(_))));
        assert!(matches!(image(b"this is not an image at all", "eng"), Err(Error::Tool { .. })));
    }

    #[test]
    fn ocr_tsv_layout_and_confidence() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
            5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\tOne\n\
            5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t80\ttwo\n\
            5\t1\t1\t1\t2\t1\t0\t0\t1\t1\t70\tthree\n\
            5\t1\t1\t1\t2\t2\t0\t0\t1\t1\t95\t \n\
            5\t1\t2\t1\t1\t1\t0\t0\t1\t1\t40\tfour\n";
        let page = page_from_tsv(3, tsv);
        assert_eq!(page.text, "One two\nthree\n\nfour");
        assert!((page.confidence - 70.0).abs() < 0.01, "mean of 90, 80, 70, 40: {}", page.confidence);
        assert!(!page.low_confidence);
        let empty = page_from_tsv(1, "level\tpage_num\n");
        assert_eq!(empty.text, "");
        assert!(empty.low_confidence, "a page with no words wants a person to look");
    }
}
