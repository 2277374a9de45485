//! Verifying a bundle without the producing vault. Bad input (not a bundle,
//! a hostile archive, a file too large to read) is an error; anything wrong
//! inside a readable bundle is a finding. The phases run in this order, each
//! adding to one list of findings and handing on what it learned:
//!
//! 0. every file read whole is small enough, before anything is read;
//! 1. `seal`: the seal over the tag manifest, and its key against the pinned one(s);
//! 2. `manifests`: the tag manifest, the payload manifests, Payload-Oxum, nothing unlisted;
//! 3. `custody`: the signed checkpoint and its SSH signature, every custody
//!    event's signature and inclusion proof, the carried time stamps;
//! 4. `load_file`: the load file's rows against the natives, their hashes
//!    and the custody events.

mod custody;
mod images;
mod load_file;
mod manifests;
mod seal;

#[cfg(test)]
pub(crate) use manifests::parse_manifest;
pub(crate) use load_file::is_withheld;

use super::layout::{
    ALLOWED_SIGNERS_FILE, BAG_INFO_FILE, BAGIT_FILE, CHECKPOINT_FILE, CHECKPOINT_SIG_FILE, EVENTS_FILE, MANIFEST_MD5_FILE,
    MANIFEST_SHA256_FILE, SEAL_FILE, TAG_MANIFEST_FILE,
};
use super::read::{Bundle, Whole};
use super::seal_key::{PinnedKeys, SealKeyPinning};
use crate::error::{Error, Result};
use crate::format::custody::{CustodyEvent, SignedCheckpoint};
use crate::format::finding::{Finding, FindingKind, Severity};
use crate::format::tsp::token::TsaTrust;
use crate::progress::{NoProgress, Progress};
use custody::check_custody;
use load_file::{check_load_file, load_file_path};
use manifests::check_manifests;
use seal::check_seal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The result of checking a bundle.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BundleReport {
    /// No error-severity finding.
    pub ok: bool,
    /// The bag folder name.
    pub bag: String,
    /// Seal key fingerprint (`SHA256:…`), if the seal could be read. The
    /// bundle names this key itself: it is only as good as the fingerprint
    /// the producing party gave out of band.
    pub signer_fingerprint: Option<String>,
    /// Whether the seal key was checked against a pinned key, and how it stood.
    pub seal_key_pinning: SealKeyPinning,
    /// The signer identity in `seal/allowed_signers`.
    pub signer_identity: Option<String>,
    /// Exhibits (load-file rows) found.
    pub exhibits: usize,
    /// Custody events checked.
    pub events: usize,
    /// Every finding.
    pub findings: Vec<Finding>,
}

/// One custody line of `data/custody/events.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventLine {
    /// Index of the event's leaf in the producer's log (seq − 1).
    pub leaf_index: u64,
    /// The exact canonical event bytes.
    pub body: String,
    /// Ed25519 signature, hex.
    pub signature: String,
    /// RFC 6962 inclusion proof, hex hashes from leaf to root.
    pub inclusion_proof: Vec<String>,
}

/// What was learned about the bundle while verifying, for import.
#[derive(Debug, Clone, Default)]
pub struct BundleContents {
    /// Load-file rows: field name → value.
    pub rows: Vec<BTreeMap<String, String>>,
    /// Verified custody events, by exhibit id of the producer.
    pub events: BTreeMap<String, Vec<(CustodyEvent, EventLine)>>,
    /// The checkpoint.
    pub checkpoint: Option<SignedCheckpoint>,
    /// SHA-256 of each payload file as listed.
    pub manifest: BTreeMap<String, String>,
}

/// Verifies a bundle. Bad input (not a bundle, hostile archive, wrong key) is
/// an error; anything wrong inside a readable bundle is a finding. With
/// `pinned`, a seal key other than the pinned one(s) is an error finding;
/// without it the report says the key is not pinned.
pub fn verify_bundle(bundle: &mut Bundle, pinned: Option<&PinnedKeys>) -> Result<(BundleReport, BundleContents)> {
    verify_bundle_with(bundle, pinned, &NoProgress)
}

/// [`verify_bundle`], reporting the payload's hashing to `progress` (one
/// file per payload file) and stopping with [`Error::Cancelled`] when asked.
pub fn verify_bundle_with(bundle: &mut Bundle, pinned: Option<&PinnedKeys>, progress: &dyn Progress) -> Result<(BundleReport, BundleContents)> {
    verify_bundle_trusting(bundle, pinned, progress, None)
}

/// [`verify_bundle_with`], also checking the RFC 3161 tokens the bundle
/// carries against these trusted TSA certificates (without them, a warning
/// says the tokens were checked for signature and checkpoint only).
pub fn verify_bundle_trusting(
    bundle: &mut Bundle,
    pinned: Option<&PinnedKeys>,
    progress: &dyn Progress,
    trust: Option<&TsaTrust>,
) -> Result<(BundleReport, BundleContents)> {
    if !bundle.contains(BAGIT_FILE) {
        return Err(Error::InvalidInput("refusing the bundle: it has no bagit.txt, so it is not a BagIt bag".into()));
    }
    // 0. Every file read whole is small enough, before anything is read.
    let load_file = load_file_path(bundle);
    for (path, kind) in WHOLE_FILES.iter().copied().chain(load_file.as_deref().map(|p| (p, Whole::LoadFile))) {
        bundle.check_whole(path, kind)?;
    }
    // 1 to 4, each phase with what the earlier ones learned.
    let mut findings = Vec::new();
    let tag_manifest = read_whole(bundle, TAG_MANIFEST_FILE, Whole::Small)?.unwrap_or_default();
    let seal = check_seal(bundle, &tag_manifest, pinned, &mut findings)?;
    let manifests = check_manifests(bundle, &tag_manifest, progress, &mut findings)?;
    let custody = check_custody(bundle, &seal, trust, &mut findings)?;
    let rows = check_load_file(bundle, load_file.as_deref(), &manifests, &custody.events, &mut findings)?;
    images::check_images(bundle, &rows, &manifests, &mut findings)?;
    let report = BundleReport {
        ok: !findings.iter().any(|x| x.severity == Severity::Error),
        bag: bundle.bag.clone(),
        signer_fingerprint: seal.fingerprint.map(|k| k.to_string()),
        seal_key_pinning: seal.pinning,
        signer_identity: seal.identity,
        exhibits: rows.len(),
        events: custody.lines,
        findings,
    };
    let contents = BundleContents { rows, events: custody.events, checkpoint: custody.checkpoint, manifest: manifests.sha256 };
    Ok((report, contents))
}

/// The files verify reads whole, and what each is.
const WHOLE_FILES: &[(&str, Whole)] = &[
    (BAGIT_FILE, Whole::Small),
    (BAG_INFO_FILE, Whole::Small),
    (TAG_MANIFEST_FILE, Whole::Small),
    (ALLOWED_SIGNERS_FILE, Whole::Small),
    (SEAL_FILE, Whole::Small),
    (CHECKPOINT_FILE, Whole::Small),
    (CHECKPOINT_SIG_FILE, Whole::Small),
    (MANIFEST_SHA256_FILE, Whole::Manifest),
    (MANIFEST_MD5_FILE, Whole::Manifest),
    (EVENTS_FILE, Whole::Events),
];

/// A file read whole: `None` if the bundle lacks it or it cannot be read
/// (damage, which the phases report as a finding); an error if the
/// bundle must be refused (too large, or inflating past its size).
fn read_whole(bundle: &mut Bundle, path: &str, kind: Whole) -> Result<Option<Vec<u8>>> {
    if !bundle.contains(path) {
        return Ok(None);
    }
    match bundle.read(path, kind) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(Error::Io { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A text file's bytes as text (invalid UTF-8 replaced).
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What to do about a bundle that is not as it was sealed.
const TAMPERED: &str = "The bundle is not as it was sealed. Ask the producing party for a fresh copy and report the finding.";

/// An error finding about a bundle that is not as it was sealed.
fn tampered(kind: FindingKind, message: String) -> Finding {
    Finding { severity: Severity::Error, exhibit: None, kind, event: None, message, action: TAMPERED.into() }
}
