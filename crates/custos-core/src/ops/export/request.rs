//! An export request, checked once: a front end fills an [`ExportRequest`],
//! [`ExportRequest::check`] turns it into a [`CheckedExport`] (Bates numbering,
//! load-file delimiters against the encoding, recipients parsed, the
//! passphrase rule, one encryption or the other), and planning and writing
//! take only that.

use crate::bundle::dat::{DatDelimiters, DatEncoding};
use crate::error::{Error, Result};
use crate::format::keys::Recipient;
use age::secrecy::SecretString;
use std::path::{Path, PathBuf};

/// What to export and how.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// The bundle file to write (must not exist).
    pub out: PathBuf,
    /// Exhibit ids to export (all when empty and no other filter).
    pub exhibits: Vec<String>,
    /// Only exhibits with this tag.
    pub tag: Option<String>,
    /// Only exhibits of this custodian.
    pub custodian: Option<String>,
    /// Bates prefix (letters, digits, `-`, `_`).
    pub bates_prefix: String,
    /// First Bates number; default: after the last one produced under the prefix.
    pub bates_start: Option<u64>,
    /// Digits of the Bates number (default 6).
    pub bates_width: usize,
    /// Encrypt the bundle to these age recipients (`age1…`).
    pub recipients: Vec<Recipient>,
    /// Or (also) to this passphrase.
    pub passphrase: Option<SecretString>,
    /// DAT encoding.
    pub dat_encoding: DatEncoding,
    /// DAT delimiters.
    pub dat_delimiters: DatDelimiters,
    /// Producing organisation for bag-info.txt and the documents.
    pub organization: Option<String>,
    /// Fixed production time (seconds since 1970, as `SOURCE_DATE_EPOCH`).
    pub source_date_epoch: Option<i64>,
    /// The first and last Bates numbers the user reviewed: the export is
    /// refused, with nothing written, if the numbering came out otherwise.
    pub expect_range: Option<(String, String)>,
    /// Only the exhibits this query finds (and the other members of their
    /// families); the search is recorded with the production.
    pub search: Option<String>,
    /// The name of the saved search `search` is, if it is one.
    pub search_name: Option<String>,
    /// A search-term list (one query per line): its report over the produced
    /// documents travels in the bundle, for the other side to reproduce.
    pub search_terms: Option<String>,
    /// The [`selection_digest`] of the exhibits the user reviewed: the
    /// export is refused, with nothing written, if the request now chooses
    /// others (a tag moved since the review, say).
    pub expect_selection: Option<String>,
    /// Page images of every document besides its native (Bates numbers by
    /// page), or natives alone (one number per document).
    pub images: Option<super::images::ImageProfile>,
    /// The legend stamped on every page image (an exhibit designated with a
    /// confidentiality level gets that instead).
    pub endorse: Option<String>,
    /// The corners of the Bates number and the legend on page images.
    pub endorsements: custos_documents::imaging::Endorsements,
    /// Refuse unless documents are withheld (and so a privilege log goes
    /// with the production).
    pub require_privilege_log: bool,
}

/// SHA-256 (hex) of the chosen exhibits' ids in Bates order, one per line:
/// what a plan shows and a reviewed export must still choose.
pub fn selection_digest<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for id in ids {
        h.update(id.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

impl ExportRequest {
    /// A request with defaults: every exhibit, width 6, UTF-8 DAT, no encryption.
    pub fn new(out: impl Into<PathBuf>, bates_prefix: impl Into<String>) -> Self {
        Self {
            out: out.into(),
            exhibits: Vec::new(),
            tag: None,
            custodian: None,
            bates_prefix: bates_prefix.into(),
            bates_start: None,
            bates_width: 6,
            recipients: Vec::new(),
            passphrase: None,
            dat_encoding: DatEncoding::Utf8,
            dat_delimiters: DatDelimiters::default(),
            organization: None,
            source_date_epoch: None,
            expect_range: None,
            expect_selection: None,
            search: None,
            search_name: None,
            search_terms: None,
            images: None,
            endorse: None,
            endorsements: Default::default(),
            require_privilege_log: false,
        }
    }
}

/// An export request whose every value has been checked.
#[derive(Debug, Clone)]
pub struct CheckedExport {
    request: ExportRequest,
}

impl ExportRequest {
    /// Checks every value once. Nothing about the vault is looked at (that
    /// is for planning), nor the destination (see
    /// [`CheckedExport::check_destination`]).
    pub fn check(mut self) -> Result<CheckedExport> {
        validate_bates_prefix(&self.bates_prefix)?;
        if !(1..=12).contains(&self.bates_width) {
            return Err(Error::InvalidInput("the Bates width must be 1 to 12 digits".into()));
        }
        if self.bates_start == Some(0) {
            return Err(Error::InvalidInput("Bates numbers start at 1".into()));
        }
        // A native is named by its Bates number; COM1 or LPT3 cannot be a file
        // on Windows, and only a COM/LPT prefix with one digit can form one.
        if self.bates_width == 1 && matches!(self.bates_prefix.to_ascii_uppercase().as_str(), "COM" | "LPT") {
            return Err(Error::InvalidInput(format!(
                "Bates numbers {}1… would name files like {}1.pdf, a reserved device name on Windows; choose another prefix or a wider number",
                self.bates_prefix, self.bates_prefix
            )));
        }
        self.dat_delimiters.check_encoding(self.dat_encoding)?;
        if let Some(q) = &self.search {
            crate::format::query::parse(q).map_err(|e| Error::InvalidQuery(e.0))?;
        }
        if self.search_name.is_some() && self.search.is_none() {
            return Err(Error::InvalidInput("a saved search's name was given without its query".into()));
        }
        if let Some(list) = &self.search_terms {
            crate::store::search::parse_terms(list)?;
        }
        if let Some(l) = &self.endorse {
            if self.images.is_none() {
                return Err(Error::InvalidInput("a legend is stamped on page images: choose page images (pdf or tiff) to endorse them".into()));
            }
            if l.trim().is_empty() {
                return Err(Error::InvalidInput("the legend is empty; give its text or none".into()));
            }
        }
        if self.images.is_some() {
            self.check_stamps(&self.endorse.iter().map(String::as_str).collect::<Vec<_>>())?;
        }
        let passphrase = self.passphrase.take();
        let checked = CheckedExport { request: self };
        match passphrase {
            Some(p) => checked.with_passphrase(p),
            None => Ok(checked),
        }
    }
}

impl ExportRequest {
    /// Checks that the Bates number and each of `legends` fit the corners
    /// chosen, with the widest number the width allows (DejaVu's digits
    /// share one width).
    pub(crate) fn check_stamps(&self, legends: &[&str]) -> Result<()> {
        let widest = format!("{}{}", self.bates_prefix, "0".repeat(self.bates_width));
        custos_documents::imaging::check_endorsements(&widest, legends, &self.endorsements).map_err(|e| Error::InvalidInput(e.0))
    }
}

impl CheckedExport {
    /// The request as given.
    pub fn request(&self) -> &ExportRequest {
        &self.request
    }

    /// The request with the bundle encrypted to `passphrase` (which must
    /// meet the passphrase rule; and then there must be no recipients). A
    /// front end that asks for the passphrase only once the rest is checked
    /// adds it here.
    pub fn with_passphrase(mut self, passphrase: SecretString) -> Result<CheckedExport> {
        if !self.request.recipients.is_empty() {
            return Err(Error::InvalidInput(
                "encrypt either to counsel's keys (recipients) or to a passphrase, not both: age encrypts one file to one or the other".into(),
            ));
        }
        crate::format::keys::check_passphrase(&passphrase)?;
        self.request.passphrase = Some(passphrase);
        Ok(self)
    }

    /// The recipients' keys.
    pub(crate) fn recipient_keys(&self) -> Vec<age::x25519::Recipient> {
        self.request.recipients.iter().map(|r| r.key().clone()).collect()
    }

    /// The destination must not exist and its folder must. Front ends ask
    /// before unlocking; the export asks again at the moment it writes.
    pub fn check_destination(&self) -> Result<()> {
        let out = &self.request.out;
        if out.exists() {
            return Err(Error::InvalidInput(format!("{} already exists; choose another destination", out.display())));
        }
        let parent = self.destination_folder();
        if !parent.is_dir() {
            return Err(Error::InvalidInput(format!("the folder {} does not exist", parent.display())));
        }
        Ok(())
    }

    /// The folder the bundle is written in.
    pub(crate) fn destination_folder(&self) -> &Path {
        self.request.out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
    }
}

impl std::ops::Deref for CheckedExport {
    type Target = ExportRequest;
    fn deref(&self) -> &ExportRequest {
        &self.request
    }
}

fn validate_bates_prefix(p: &str) -> Result<()> {
    if p.is_empty() || p.len() > 20 || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(Error::InvalidInput(format!("Bates prefix '{p}' must be 1 to 20 letters, digits, '-' or '_' (no spaces)")));
    }
    Ok(())
}
