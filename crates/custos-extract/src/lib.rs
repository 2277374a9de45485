//! Understanding exhibits: the metadata, the text and the items inside
//! containers (e-mail messages, mailboxes, archives), read from bytes in
//! memory.
//!
//! This crate knows nothing of the vault. It writes no files: the outside
//! programs it uses (poppler's `pdftotext`, `pdfinfo` and `pdftoppm`,
//! Tesseract) are fed through their standard input and read from their
//! standard output ([`tools`]). Each extractor names itself and its version
//! ([`Extractor`]), so that a result can be recorded as a derivation of the
//! input and checked later by running the extractor again.
//!
//! An extractor returns what it could read: an item that cannot be read (a
//! malformed MIME part, an attachment past a limit) is a [`Problem`] beside
//! the rest, not a failure of the whole.

pub mod audit;
pub mod documents;
pub mod kind;
pub mod mail;
pub mod ocr;
pub mod pst;
pub mod tools;

pub use kind::Kind;

/// This crate's version, part of every extractor's name.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One value of metadata, with where in the item it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Field {
    /// The field, as production protocols name it where they do (`from`,
    /// `to`, `subject`, `date_sent`, `author`, `title`, `created`,
    /// `modified`, `page_count`, …): lower case, words joined by `_`.
    pub field: String,
    /// The value as read (dates as RFC 3339 where the source gives a zone,
    /// else as written).
    pub value: String,
    /// Where it came from, e.g. `email:Date`, `pdf:docinfo:CreationDate`,
    /// `exif:DateTimeOriginal`, `ooxml:core:creator`.
    pub source: String,
}

impl Field {
    /// A field.
    pub fn new(field: &str, value: impl Into<String>, source: &str) -> Self {
        Self { field: field.into(), value: value.into(), source: source.into() }
    }
}

/// Which extractor produced a result: enough to run it again and to tell
/// a changed tool from a changed input.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Extractor {
    /// E.g. `custos-extract/mail`, `pdftotext`, `tesseract`.
    pub name: String,
    /// The version of the code or the outside program that did the work
    /// (for a program, as it reports itself).
    pub version: String,
    /// The settings that change the output (e.g. `lang=eng dpi=300`).
    pub settings: String,
}

/// Something inside an item that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// Which part of the item (an attachment's name, a message's position
    /// in a mailbox, a PST folder path, a page).
    pub item: String,
    /// Why, in words.
    pub reason: String,
}

/// An item found inside a container, to become an exhibit of its own.
#[derive(Clone, PartialEq, Eq)]
pub struct Item {
    /// Its file name (an attachment's name; for a message, a name made from
    /// its subject or position, ending `.eml`).
    pub name: String,
    /// Its bytes, exactly as held in the container (decoded from the
    /// transfer encoding, never otherwise changed), or, for a PST message,
    /// the message written as RFC 5322 (see [`pst`]).
    pub bytes: Vec<u8>,
    /// Where it was inside the container: a PST folder path
    /// (`/Top of Personal Folders/Inbox`), a path inside an archive, a
    /// message's position in a mailbox (`message 12`).
    pub path: String,
    /// Flags the container records for it (e.g. `read`, `flagged`,
    /// `answered`, `draft`, `deleted`, `inline`).
    pub flags: Vec<String>,
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the content.
        f.debug_struct("Item").field("name", &self.name).field("bytes", &self.bytes.len()).field("path", &self.path).field("flags", &self.flags).finish()
    }
}

/// What an extractor read from one item.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    /// Who read it.
    pub extractor: Extractor,
    /// The metadata, every value with its source (conflicting values are
    /// all kept).
    pub metadata: Vec<Field>,
    /// The text, if the item has any.
    pub text: Option<String>,
    /// The number of pages, for paged documents.
    pub pages: Option<u32>,
    /// Pages (from 1) with no usable text layer, which want OCR: every page
    /// of an image, a PDF's pages with fewer than [`OCR_BELOW_CHARS`]
    /// characters of text.
    pub wants_ocr: Vec<u32>,
    /// Items inside it (attachments, archive entries), in their order.
    pub children: Vec<Item>,
    /// What could not be read.
    pub problems: Vec<Problem>,
    /// The events, when the item is an audit-log export.
    pub events: Vec<audit::AuditEvent>,
    /// The column mapping they were read through, when the export is in no known format.
    pub audit_mapping: Option<audit::Mapping>,
}

/// A PDF page with fewer characters of text than this wants OCR.
pub const OCR_BELOW_CHARS: usize = 25;

/// Bounds on what one container may yield, against bombs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest single item, in bytes.
    pub max_item_bytes: u64,
    /// The most items one container yields.
    pub max_items: usize,
    /// The most bytes all items of one container add up to.
    pub max_total_bytes: u64,
    /// The largest ratio of an archive entry's size to its compressed size.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_item_bytes: 1 << 30, max_items: 1_000_000, max_total_bytes: 16 << 30, max_ratio: 1000 }
    }
}

/// Why an extractor could not read an item at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The item is not what its kind says, or is damaged past reading.
    #[error("{0}")]
    Malformed(String),
    /// An outside program the extractor needs is not installed.
    #[error("{program} is not installed ({package}); install it and run processing again")]
    ToolMissing {
        /// The program.
        program: String,
        /// The Debian package that has it.
        package: String,
    },
    /// An outside program failed.
    #[error("{program} failed: {reason}")]
    Tool {
        /// The program.
        program: String,
        /// What it said or how it ended.
        reason: String,
    },
    /// The receiver of streamed items asked to stop (cancelled, or its own
    /// error, which it keeps).
    #[error("stopped")]
    Stopped,
}

/// A result of this crate.
pub type Result<T> = std::result::Result<T, Error>;
