//! Phase 2: the BagIt manifests. Every tag file the sealed tag manifest lists
//! is unchanged, and it lists the four a bag depends on; every payload file
//! the manifests list is present with its SHA-256 and MD5, nothing under
//! `data/` is unlisted, and bag-info.txt's Payload-Oxum is the payload's.

use super::{read_whole, tampered, text};
use crate::bundle::layout::{BAG_INFO_FILE, BAGIT_FILE, MANIFEST_MD5_FILE, MANIFEST_SHA256_FILE, PAYLOAD_FOLDER};
use crate::bundle::read::{Bundle, Whole};
use crate::error::{Error, Result};
use crate::format::finding::{Finding, FindingKind};
use crate::format::pipeline::Md5;
use crate::progress::Progress;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// What the manifests phase learned.
pub(super) struct Manifests {
    /// Payload path → SHA-256 (hex), as `manifest-sha256.txt` lists it.
    pub sha256: BTreeMap<String, String>,
    /// Payload path → MD5 (hex), as `manifest-md5.txt` lists it.
    pub md5: BTreeMap<String, String>,
    /// The text of bag-info.txt.
    pub bag_info: String,
    /// Payload path → the SHA-256 (hex) its bytes have, as read.
    pub actual: BTreeMap<String, String>,
}

/// A manifest's lines as (hash, path), the hash in lower case.
pub(crate) fn parse_manifest(text: &str) -> std::result::Result<Vec<(String, String)>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (h, p) = l.split_once(char::is_whitespace).ok_or_else(|| format!("bad manifest line {l:?}"))?;
            Ok((h.to_ascii_lowercase(), p.trim_start().to_string()))
        })
        .collect()
}

/// Checks the tag manifest (the bytes of `tagmanifest-sha256.txt`, which the
/// seal covers), then the payload against the payload manifests, reporting
/// its hashing to `progress`.
pub(super) fn check_manifests(bundle: &mut Bundle, tag_manifest: &[u8], progress: &dyn Progress, f: &mut Vec<Finding>) -> Result<Manifests> {
    check_tag_files(bundle, tag_manifest, f)?;
    let sha256: BTreeMap<String, String> = listed(bundle, MANIFEST_SHA256_FILE)?;
    let md5 = listed(bundle, MANIFEST_MD5_FILE)?;
    for p in bundle.paths().filter(|p| p.starts_with(PAYLOAD_FOLDER)) {
        if !sha256.contains_key(p) {
            f.push(tampered(FindingKind::PayloadUnlisted, format!("{p} is in the bundle but not in its manifest: it was added")));
        }
    }
    let mut actual = BTreeMap::new();
    let bytes_total = check_payload(bundle, &sha256, &md5, &mut actual, progress, f)?;
    let bag_info = text(&read_whole(bundle, BAG_INFO_FILE, Whole::Small)?.unwrap_or_default());
    let oxum = bag_info.lines().find_map(|l| l.strip_prefix("Payload-Oxum:")).map(str::trim).unwrap_or("");
    if oxum != format!("{bytes_total}.{}", sha256.len()) {
        f.push(tampered(FindingKind::PayloadOxum, format!("bag-info.txt says Payload-Oxum {oxum}, the payload is {bytes_total}.{}", sha256.len())));
    }
    Ok(Manifests { sha256, md5, bag_info, actual })
}

/// Every tag file the tag manifest lists is present and unchanged, and the
/// ones a bag depends on are listed.
fn check_tag_files(bundle: &mut Bundle, tag_manifest: &[u8], f: &mut Vec<Finding>) -> Result<()> {
    let mut tag_listed = BTreeSet::new();
    match parse_manifest(&text(tag_manifest)) {
        Ok(entries) => {
            for (h, p) in entries {
                tag_listed.insert(p.clone());
                if !bundle.contains(&p) {
                    f.push(tampered(FindingKind::TagFileMissing, format!("{p} is listed in the tag manifest but missing")));
                    continue;
                }
                // Hashed as it streams: a listed file is never read whole.
                let mut sha = Sha256::new();
                match bundle.read_with(&p, &mut |c| {
                    sha.update(c);
                    Ok(())
                }) {
                    Ok(_) if hex::encode(sha.finalize()) == h => {}
                    Ok(_) => f.push(tampered(FindingKind::TagFileChanged, format!("{p} has changed since the bundle was sealed"))),
                    Err(Error::Io { source, .. }) => {
                        f.push(tampered(FindingKind::TagFileUnreadable, format!("{p} cannot be read from the archive ({source})")))
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Err(e) => f.push(tampered(FindingKind::TagManifestInvalid, e)),
    }
    for required in [BAGIT_FILE, BAG_INFO_FILE, MANIFEST_SHA256_FILE, MANIFEST_MD5_FILE] {
        if !tag_listed.contains(required) {
            f.push(tampered(FindingKind::TagFileUnsealed, format!("{required} is not covered by the sealed tag manifest")));
        }
    }
    Ok(())
}

/// A payload manifest as path → hash; empty when it is missing or unreadable
/// (the tag manifest's findings say so).
fn listed(bundle: &mut Bundle, manifest: &str) -> Result<BTreeMap<String, String>> {
    let entries = parse_manifest(&text(&read_whole(bundle, manifest, Whole::Manifest)?.unwrap_or_default())).unwrap_or_default();
    Ok(entries.into_iter().map(|(h, p)| (p, h)).collect())
}

/// Hashes every listed payload file as it streams and holds it against both
/// manifests; returns the bytes read.
fn check_payload(
    bundle: &mut Bundle,
    sha256: &BTreeMap<String, String>,
    md5_listed: &BTreeMap<String, String>,
    actual: &mut BTreeMap<String, String>,
    progress: &dyn Progress,
    f: &mut Vec<Finding>,
) -> Result<u64> {
    let mut bytes_total = 0u64;
    progress.begin(sha256.len() as u64, sha256.keys().filter_map(|p| bundle.size(p)).sum());
    for (p, h) in sha256 {
        if progress.is_cancelled() {
            return Err(Error::Cancelled);
        }
        if !bundle.contains(p) {
            f.push(tampered(FindingKind::PayloadMissing, format!("{p} is listed in the manifest but missing: it was removed")));
            continue;
        }
        let (mut sha, mut md5) = (Sha256::new(), Md5::new()?);
        progress.file_started(std::path::Path::new(p), bundle.size(p).unwrap_or(0));
        let read = match bundle.read_with(p, &mut |c| {
            sha.update(c);
            md5.update(c);
            progress.advance(c.len() as u64);
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            Ok(())
        }) {
            Ok(n) => n,
            Err(Error::Io { source, .. }) => {
                f.push(tampered(FindingKind::PayloadUnreadable, format!("{p} cannot be read from the archive ({source}): it was damaged or changed")));
                continue;
            }
            Err(e) => return Err(e),
        };
        bytes_total += read;
        let got = hex::encode(sha.finalize());
        actual.insert(p.clone(), got.clone());
        if got != *h {
            f.push(tampered(FindingKind::PayloadChanged, format!("{p} does not match its SHA-256 in the manifest: it was changed")));
        } else if md5_listed.get(p).is_some_and(|m| *m != hex::encode(md5.finalize())) {
            f.push(tampered(FindingKind::PayloadChanged, format!("{p} does not match its MD5 in the manifest")));
        }
    }
    Ok(bytes_total)
}
