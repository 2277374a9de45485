//! Productions: the export wizard's choices and the bundle written.

use serde::{Deserialize, Serialize};
use specta::Type;

/// Load-file encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum DatEncodingChoice {
    /// UTF-8 with byte-order mark (the default).
    Utf8,
    /// Windows-1252, for older review platforms.
    Windows1252,
}

/// What to export and how (the wizard's choices).
/// (No `Debug`: it carries a passphrase.)
#[derive(Clone, Deserialize, Type)]
pub struct ExportOptions {
    /// Hand-picked exhibit ids (all exhibits when empty and no filter).
    pub exhibits: Vec<String>,
    /// Only exhibits with this tag.
    pub tag: Option<String>,
    /// Only exhibits of this custodian.
    pub custodian: Option<String>,
    /// Bates prefix.
    pub bates_prefix: String,
    /// First Bates number (default: the next free one under the prefix).
    pub bates_start: Option<u64>,
    /// Digits of the number.
    pub bates_width: u32,
    /// Encrypt to these age recipients (`age1…`).
    pub recipients: Vec<String>,
    /// Or to this passphrase (wrapped as a secret on arrival; never sent back).
    pub passphrase: Option<String>,
    /// Load-file encoding.
    pub dat_encoding: DatEncodingChoice,
    /// Producing organisation (firm) for bag-info.txt and the documents.
    pub organization: Option<String>,
    /// Only the exhibits this query finds (with their families); recorded
    /// with the production.
    pub search: Option<String>,
    /// The saved search `search` is, by name (it must still be saved as that query).
    pub search_name: Option<String>,
    /// A search-term list (one query per line) whose report over the
    /// produced documents goes in the bundle.
    pub search_terms: Option<String>,
    /// Page images besides the natives (numbered by page), or none.
    pub images: Option<custos_core::export::ImageProfile>,
    /// The legend stamped on every page (a designated confidentiality level wins).
    pub endorse: Option<String>,
    /// The legend's corner.
    pub endorse_corner: CornerChoice,
    /// The Bates number's corner.
    pub bates_corner: CornerChoice,
}

/// A corner of a page image, where a stamp goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "kebab-case")]
pub enum CornerChoice {
    /// Bottom right (the Bates number's usual place).
    BottomRight,
    /// Bottom left (the legend's usual place).
    BottomLeft,
    /// Top right.
    TopRight,
    /// Top left.
    TopLeft,
}

impl From<CornerChoice> for custos_core::export::Corner {
    fn from(c: CornerChoice) -> Self {
        match c {
            CornerChoice::BottomRight => Self::BottomRight,
            CornerChoice::BottomLeft => Self::BottomLeft,
            CornerChoice::TopRight => Self::TopRight,
            CornerChoice::TopLeft => Self::TopLeft,
        }
    }
}

/// A stamped page, as the export would make it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct StampPreview {
    /// The page as a `data:image/png;base64,…` URL.
    pub data_url: String,
    /// The exhibit it belongs to.
    pub exhibit_id: String,
    /// Its Bates number.
    pub bates: String,
    /// Its legend, if any.
    pub legend: Option<String>,
    /// Its document's pages.
    pub pages: u32,
}

/// Write a bundle.
/// (No `Debug`: it carries a passphrase.)
#[derive(Clone, Deserialize, Type)]
pub struct ExportBundleRequest {
    /// The choices as reviewed, with the reviewed first number.
    pub options: ExportOptions,
    /// The first Bates number the user reviewed; refused if it changed.
    pub expect_first: String,
    /// The last Bates number the user reviewed; refused if it changed.
    pub expect_last: String,
    /// The plan's `selection_sha256`: refused if the choices now take other
    /// exhibits (so what is written is what was reviewed).
    pub expect_selection: String,
    /// Selection token of the destination file (from `pick_destination`).
    pub destination: String,
}

/// A bundle written.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ExportResult {
    /// Where it is.
    pub path: String,
    /// SHA-256 of the file as written.
    pub bundle_sha256: String,
    /// Size of the file.
    pub bundle_bytes: u64,
    /// First Bates number.
    pub bates_first: String,
    /// Last Bates number.
    pub bates_last: String,
    /// Exhibits produced.
    pub exhibits: u32,
    /// Whether it is age-encrypted.
    pub encrypted: bool,
    /// The seal key's fingerprint.
    pub signer_fingerprint: String,
    /// The identity for `ssh-keygen -Y verify -I`.
    pub signer_identity: String,
    /// The bag folder inside the zip.
    pub bag: String,
    /// Checks passed while writing.
    pub qc: Vec<String>,
    /// The search that chose the exhibits, as recorded with the production.
    pub search: Option<custos_core::SearchSelection>,
    /// The search-term report the bundle carries.
    pub search_report: Option<custos_core::SearchReport>,
    /// The Bates numbers of the documents withheld as privileged (a slip
    /// sheet each, and a row on the bundle's privilege log).
    pub withheld: Vec<String>,
    /// With page images: how many pages were produced.
    pub pages: Option<u64>,
}
