//! Renders the documents a production bundle gives counsel: the exhibit index, the
//! chain-of-custody report and the draft FRE 902(14) certification (PDF and DOCX).
//!
//! Layout (wrapping, tables, page breaks, running header and footer) is done here;
//! text is shaped with rustybuzz in embedded DejaVu fonts and drawn with krilla, so
//! any Unicode name prints (a glyph DejaVu lacks shows as a box). Output depends only
//! on the [`Production`]: no clock, no random ids, so the same production gives the
//! same bytes.
//!
//! The crate knows nothing of vaults or custody logs: it takes a plain
//! [`Production`] (the matter, the exhibits in Bates order and each one's
//! events as text) and returns bytes.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod certification;
mod custody;
mod docx;
mod fmt;
pub mod imaging;
mod index;
mod model;
mod page;
mod report;
mod text;
pub mod tiff;
#[cfg(test)]
mod tests;

pub use model::{Event, ProducedExhibit, Production, WithheldDocument};
pub use report::{Report, ReportColumn, ReportRow, report_pdf};

pub(crate) use certification::*;
pub(crate) use custody::*;
pub(crate) use fmt::*;
pub(crate) use index::*;
pub(crate) use page::*;
#[cfg(test)]
pub(crate) use report::layout_report;
pub(crate) use text::*;

pub(crate) use std::fmt::Display;
pub(crate) use std::io::{Cursor, Read, Write};

pub(crate) use krilla::color::rgb;
pub(crate) use krilla::geom::{PathBuilder, Point, Rect};
pub(crate) use krilla::metadata::{DateTime as PdfDateTime, Metadata};
pub(crate) use krilla::page::PageSettings;
pub(crate) use krilla::paint::{Fill, Stroke};
pub(crate) use krilla::surface::Surface;
pub(crate) use krilla::text::{Font, GlyphId, KrillaGlyph};
pub(crate) use krilla::{Document, SerializeSettings};
pub(crate) use unicode_bidi::{BidiInfo, Level};
pub(crate) use unicode_segmentation::UnicodeSegmentation;

/// A document could not be rendered (a font unreadable, a layout or archive
/// error); the message says which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(pub String);

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "could not render the production documents: {}", self.0)
    }
}

impl std::error::Error for RenderError {}

/// What rendering returns.
pub type Result<T> = std::result::Result<T, RenderError>;

// DejaVu Sans, Sans Bold and Sans Mono, kept in the repository
// (assets/fonts/, with their LICENSE) so the core builds anywhere. Licence:
// Bitstream Vera Fonts licence, DejaVu changes in the public domain; free to use,
// embed in documents and redistribute. Embedded (subset) so every reader shows the
// same glyphs, accents, Greek, Cyrillic, Hebrew and Arabic included.
pub(crate) const SANS_TTF: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts/DejaVuSans.ttf"));
pub(crate) const SANS_BOLD_TTF: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts/DejaVuSans-Bold.ttf"));
pub(crate) const MONO_TTF: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts/DejaVuSansMono.ttf"));

/// The title of the certification, as FRE 902(14) practice words it.
pub(crate) const CERT_TITLE: &str = "Certification of Authenticity of Data Copied from an Electronic Device, Storage \
Medium, or File Pursuant to Federal Rules of Evidence 902(14) and 902(11)";
pub(crate) const DRAFT_MARK: &str = "DRAFT \u{2014} to be reviewed and signed by a qualified person";
/// The 28 U.S.C. § 1746(2) wording for a declaration made within the United States.
pub(crate) const DECLARATION_1746: &str =
    "I declare under penalty of perjury under the laws of the United States of America that the foregoing is true and correct.";
pub(crate) const EXECUTED: &str = "Executed on ____________________ at ________________________________.";
pub(crate) const BLANK: &str = "______________________________________________";

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

/// The one-page slip sheet standing in a production for a withheld document:
/// its Bates number, "Withheld — Privileged" and the privilege claimed.
pub fn slip_sheet_pdf(p: &Production, w: &WithheldDocument) -> Result<Vec<u8>> {
    let fonts = Fonts::load()?;
    let mut f = Flow::new(&fonts);
    f.gap(180.0);
    f.paragraph(&w.bates, TITLE, 0.0, Align::Center);
    f.gap(24.0);
    f.paragraph("WITHHELD \u{2014} PRIVILEGED", TITLE.color(ALERT), 0.0, Align::Center);
    f.gap(16.0);
    f.paragraph(&w.privilege, BODY_BOLD, 0.0, Align::Center);
    f.gap(10.0);
    f.paragraph(
        "This document is withheld from the production on the ground of privilege. It is listed on the privilege log under this Bates number.",
        BODY,
        40.0,
        Align::Center,
    );
    f.render(&fonts, &format!("Slip sheet {} \u{2014} {}", w.bates, p.matter), p)
}

/// The draft FRE 902(14)/902(11) certification as DOCX, to be completed and signed.
pub fn certification_docx(p: &Production) -> Result<Vec<u8>> {
    docx::certification(p, &Certification::new(p))
}

pub(crate) fn render_error(what: impl Display) -> RenderError {
    RenderError(what.to_string())
}
