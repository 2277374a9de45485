//! Bundles received: how to open one, accepting a new producer key, and
//! the results of a check and of an import.

use custos_core::FileOutcome;
use serde::{Deserialize, Serialize};
use specta::Type;

/// A bundle to check or import, and how to decrypt it.
/// (No `Debug`: it carries a passphrase.)
#[derive(Clone, Deserialize, Type)]
pub struct BundleSource {
    /// Selection token of the bundle file or folder.
    pub bundle: String,
    /// Selection token of an age identity file, for a bundle encrypted to a key.
    pub identity: Option<String>,
    /// The passphrase of a passphrase-encrypted bundle (wrapped as a secret on arrival; never sent back).
    pub passphrase: Option<String>,
    /// The seal key fingerprint (`SHA256:…`) the producing party gave out of
    /// band; empty or absent: not pinned.
    pub expect_key: Option<String>,
}

/// The user's explicit acceptance of a producer's new seal key.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct AcceptNewKey {
    /// The new key's fingerprint, typed by the user (`SHA256:…`); must be the bundle's key.
    pub fingerprint: String,
    /// Why it is accepted (who confirmed it, and how); logged.
    pub reason: String,
}

/// The result of checking a bundle.
#[derive(Debug, Clone, Serialize, Type)]
pub struct BundleCheck {
    /// The bundle checked.
    pub path: String,
    /// SHA-256 of the bundle file, or of its tag manifest for a folder.
    pub bundle_sha256: String,
    /// Whether the bundle is an extracted folder (then `bundle_sha256` is the
    /// tag manifest's hash, not a file's).
    pub folder: bool,
    /// Every finding.
    pub report: custos_core::export::BundleReport,
}

/// One produced exhibit taken in.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ImportedExhibit {
    /// Its Bates number.
    pub bates: String,
    /// What became of it here.
    pub outcome: FileOutcome,
}

/// The result of an import.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ImportSummary {
    /// SHA-256 of the bundle.
    pub bundle_sha256: String,
    /// The sender's seal key fingerprint.
    pub sender_fingerprint: String,
    /// The sender's seal identity.
    pub sender_identity: String,
    /// How the sender's key stands against the key pinned for its vault.
    pub producer_key: custos_core::export::ProducerKey,
    /// Whether the user pinned the key for this import (a fingerprint given).
    pub key_expected: bool,
    /// New exhibits.
    pub stored: u32,
    /// Exhibits already here (the sender's record was added to them).
    pub duplicates: u32,
    /// Each produced exhibit.
    pub exhibits: Vec<ImportedExhibit>,
}
