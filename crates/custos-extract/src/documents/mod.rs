//! Reading documents: PDF, Office Open XML and OpenDocument files, images
//! and text, each from bytes in memory.
//!
//! PDFs are read by poppler's `pdfinfo` and `pdftotext` through pipes
//! ([`crate::tools`]); everything else in this process: Office and ODF
//! packages are opened as zip archives in memory (never unpacked to disk)
//! and their XML parts read with quick-xml, spreadsheets with calamine,
//! EXIF with kamadak-exif, text encodings guessed with chardetng.
//!
//! Metadata is returned as found, each value with its source: a PDF's
//! document information dictionary and its XMP packet are both reported
//! even when they disagree, since the disagreement can matter.

mod image;
mod office;
mod pdf;
mod rtf;
mod text;
mod xml;

use crate::{Extracted, Extractor, Result};

/// The Office Open XML and OpenDocument kinds [`office`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeKind {
    /// A Word document (`.docx`).
    Docx,
    /// An Excel workbook (`.xlsx`).
    Xlsx,
    /// A PowerPoint presentation (`.pptx`).
    Pptx,
    /// An OpenDocument text (`.odt`).
    Odt,
    /// An OpenDocument spreadsheet (`.ods`).
    Ods,
    /// An OpenDocument presentation (`.odp`).
    Odp,
}

/// The text kinds [`text`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Plain text in any encoding.
    Plain,
    /// Comma- (or otherwise) separated values, returned as decoded.
    Csv,
    /// An HTML page, returned as its visible text.
    Html,
    /// Rich Text Format, returned as its text.
    Rtf,
}

/// Reads a PDF's metadata (document information and XMP) and its text,
/// pages separated by form feeds (`\x0c`), with `pdfinfo` and `pdftotext`.
///
/// Pages with fewer than [`crate::OCR_BELOW_CHARS`] characters of text are
/// listed in [`Extracted::wants_ocr`]. A PDF that needs a password is
/// returned with `encrypted` = `yes` and a [`crate::Problem`]; bytes that
/// are not a PDF, or one damaged past reading, are
/// [`crate::Error::Malformed`].
pub fn pdf(bytes: &[u8]) -> Result<Extracted> {
    pdf::read(bytes)
}

/// Reads an Office Open XML or OpenDocument file: its document properties
/// and its text (a spreadsheet's sheets each as its name then its rows,
/// cells separated by tabs).
///
/// A zip that is not a package of `kind` is [`crate::Error::Malformed`]; a
/// part past the size limits (a zip bomb) is left unread and reported as a
/// [`crate::Problem`].
pub fn office(bytes: &[u8], kind: OfficeKind) -> Result<Extracted> {
    office::read(bytes, kind)
}

/// Reads an image's EXIF metadata (dates, camera, GPS position, size).
///
/// An image has one page, which wants OCR ([`crate::ocr`]); no text is
/// returned here. Bytes that are not an image format are
/// [`crate::Error::Malformed`].
pub fn image(bytes: &[u8]) -> Result<Extracted> {
    image::read(bytes)
}

/// The text of an RTF document (e.g. a message body kept as RTF).
pub(crate) fn rtf_text(bytes: &[u8]) -> Result<String> {
    rtf::read(bytes).map(|d| d.text)
}

/// Reads a text file of `kind`: its encoding detected (a byte order mark
/// wins), HTML reduced to its visible text and title, RTF to its text and
/// document information.
pub fn text(bytes: &[u8], kind: TextKind) -> Result<Extracted> {
    text::read(bytes, kind)
}

/// The extractor everything but PDF is recorded under.
fn own_extractor(settings: &str) -> Extractor {
    Extractor {
        name: "custos-extract/documents".into(),
        version: format!("{} (quick-xml 0.38, calamine 0.31, kamadak-exif 0.6, chardetng 1)", crate::VERSION),
        settings: settings.into(),
    }
}

/// Counts the characters of `text` that are not white space.
fn visible_chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// `Some(text)` if it has any visible character.
fn non_blank(text: String) -> Option<String> {
    if visible_chars(&text) > 0 { Some(text) } else { None }
}
