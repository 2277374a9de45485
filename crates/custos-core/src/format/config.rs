//! The vault's plaintext configuration (`custos-vault.json`), read without
//! a passphrase, and the matter record kept in the database; the rules an
//! exhibit prefix and a tag must follow.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::Path;

/// The newest vault format this program reads and writes: 3 is a person's
/// copy of a firm vault, whose catalog and custody log are kept in a firm's
/// PostgreSQL database (named in `firm`); an older program must refuse it
/// rather than work on the copy alone.
pub const FORMAT_VERSION: u64 = 3;
/// A vault whose objects live in an S3 bucket (named in its encrypted
/// database), which an older program must refuse rather than find its
/// objects missing.
pub(crate) const BUCKET_FORMAT_VERSION: u64 = 2;
/// The format of a vault whose objects are in its own folder.
pub(crate) const FOLDER_FORMAT_VERSION: u64 = 1;
pub(crate) const FORMAT_NAME: &str = "custos-vault";
pub(crate) const CONFIG_FILE: &str = "custos-vault.json";

/// The plaintext description of a vault folder (no case data).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VaultConfig {
    /// Always `custos-vault`.
    pub format: String,
    /// Format version.
    pub version: u64,
    /// Random id of this vault.
    pub vault_id: String,
    /// Creation time.
    pub created: String,
    /// The public age recipient exhibits are encrypted to.
    pub age_recipient: String,
    /// The Ed25519 public key of custody signatures, hex.
    pub signing_key: String,
    /// In a firm vault's copy: the catalog it belongs to and whose key opens it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firm: Option<FirmLink>,
}

/// Where a firm vault's catalog is, and which member this copy is opened by
/// (no secret: the password and the key are never here).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FirmLink {
    /// The catalog's connection string (no password).
    pub catalog: String,
    /// The member whose key file opens the matter.
    pub member: String,
}

/// The matter a vault holds.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MatterInfo {
    /// Vault id.
    pub vault_id: String,
    /// Matter name.
    pub matter: String,
    /// Matter number.
    pub matter_number: Option<String>,
    /// Default examiner.
    pub examiner: String,
    /// Exhibit number prefix.
    pub exhibit_prefix: String,
    /// When the vault was created.
    pub created: String,
}

/// Reads and checks `custos-vault.json` without a passphrase. Refuses unknown
/// formats and versions; changes nothing.
pub fn probe(root: &Path) -> Result<VaultConfig> {
    let not = |reason: String| Error::NotAVault { path: root.to_path_buf(), reason };
    if !root.is_dir() {
        return Err(not("no such folder".into()));
    }
    let p = root.join(CONFIG_FILE);
    let bytes = fs::read(&p).map_err(|_| not(format!("it has no {CONFIG_FILE}")))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| not(format!("{CONFIG_FILE} is not valid JSON: {e}")))?;
    if v.get("format").and_then(|f| f.as_str()) != Some(FORMAT_NAME) {
        return Err(not(format!("{CONFIG_FILE} does not name the {FORMAT_NAME} format")));
    }
    let version = v.get("version").and_then(|x| x.as_u64()).ok_or_else(|| not(format!("{CONFIG_FILE} has no version")))?;
    if !(FOLDER_FORMAT_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(Error::UnknownFormatVersion { path: root.to_path_buf(), found: version, supported: FORMAT_VERSION });
    }
    let config: VaultConfig = serde_json::from_value(v).map_err(|e| not(format!("{CONFIG_FILE} is incomplete: {e}")))?;
    if (version == FORMAT_VERSION) != config.firm.is_some() {
        return Err(not(format!("{CONFIG_FILE} says format {version} but {} a firm catalog", if config.firm.is_some() { "names" } else { "does not name" })));
    }
    Ok(config)
}

pub(crate) fn validate_prefix(p: &str) -> Result<()> {
    if p.is_empty() || p.len() > 16 || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(Error::InvalidInput(format!(
            "exhibit prefix '{p}' must be 1 to 16 letters, digits, '-' or '_'"
        )));
    }
    Ok(())
}

pub(crate) fn validate_tag(t: &str) -> Result<&str> {
    let t = t.trim();
    if t.is_empty() || t.len() > 64 || t.chars().any(char::is_control) {
        return Err(Error::InvalidInput(format!("tag '{t}' must be 1 to 64 printable characters")));
    }
    Ok(t)
}

