//! Verifying a bundle without the producing vault: seal, BagIt manifests,
//! signed checkpoint, inclusion proofs, and agreement of natives, load file
//! and custody records. Every finding is collected.

use super::layout::{
    ALLOWED_SIGNERS_FILE, BAG_INFO_FILE, BAGIT_FILE, BUNDLE_NAMESPACE, CHECKPOINT_FILE, CHECKPOINT_NAMESPACE, CHECKPOINT_SIG_FILE, EVENTS_FILE,
    LOAD_FILE_FOLDER, MANIFEST_MD5_FILE, MANIFEST_SHA256_FILE, NATIVES_FOLDER, PAYLOAD_FOLDER, SEAL_FILE, TAG_MANIFEST_FILE,
};
use super::read::{Bundle, Whole};
use super::seal_key::{PinnedKeys, SealKeyFingerprint, SealKeyPinning};
use crate::format::custody::{CustodyEvent, SignedCheckpoint, checkpoint_message};
use crate::error::{Error, Result};
use crate::progress::{NoProgress, Progress};
use crate::format::finding::{Finding, FindingKind, Severity};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use crate::format::pipeline::Md5;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

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
/// (damage, which the checks below report as a finding); an error if the
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

fn err(kind: FindingKind, message: String, action: &str) -> Finding {
    Finding { severity: Severity::Error, exhibit: None, kind, event: None, message, action: action.into() }
}

const TAMPERED: &str = "The bundle is not as it was sealed. Ask the producing party for a fresh copy and report the finding.";

pub(crate) fn parse_manifest(text: &str) -> std::result::Result<Vec<(String, String)>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (h, p) = l.split_once(char::is_whitespace).ok_or_else(|| format!("bad manifest line {l:?}"))?;
            Ok((h.to_ascii_lowercase(), p.trim_start().to_string()))
        })
        .collect()
}

/// Whether `sig` (an `SSHSIG` in PEM) is `key`'s signature over `message` in `namespace`.
fn ssh_signature_verifies(key: &ssh_key::PublicKey, namespace: &str, message: &[u8], sig: &[u8]) -> bool {
    ssh_key::SshSig::from_pem(sig).ok().is_some_and(|s| key.verify(namespace, message, &s).is_ok())
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
    trust: Option<&crate::format::tsp::token::TsaTrust>,
) -> Result<(BundleReport, BundleContents)> {
    let mut f: Vec<Finding> = Vec::new();
    let mut contents = BundleContents::default();
    if !bundle.contains(BAGIT_FILE) {
        return Err(Error::InvalidInput("refusing the bundle: it has no bagit.txt, so it is not a BagIt bag".into()));
    }
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();

    // 0. Every file read whole is small enough, before anything is read.
    let dat_path = bundle.paths().find(|p| p.starts_with(LOAD_FILE_FOLDER) && p.ends_with(".dat")).map(str::to_string);
    for (path, kind) in WHOLE_FILES.iter().copied().chain(dat_path.as_deref().map(|p| (p, Whole::LoadFile))) {
        bundle.check_whole(path, kind)?;
    }

    // 1. The seal over the tag manifest.
    let tagmanifest = read_whole(bundle, TAG_MANIFEST_FILE, Whole::Small)?.unwrap_or_default();
    let (mut seal_fingerprint, mut identity, mut seal_public) = (None, None, None);
    match (read_whole(bundle, ALLOWED_SIGNERS_FILE, Whole::Small)?, read_whole(bundle, SEAL_FILE, Whole::Small)?) {
        (Some(allowed), Some(sig)) => {
            let line = text(allowed);
            let mut parts = line.split_whitespace();
            let id = parts.next().unwrap_or("").to_string();
            let key_text: Vec<&str> = parts.skip_while(|p| !p.starts_with("ssh-")).take(2).collect();
            match ssh_key::PublicKey::from_openssh(&key_text.join(" ")) {
                Ok(pk) => {
                    seal_fingerprint = Some(SealKeyFingerprint::of(&pk));
                    identity = Some(id);
                    if !ssh_signature_verifies(&pk, BUNDLE_NAMESPACE, &tagmanifest, &sig) {
                        f.push(err(
                            FindingKind::SealInvalid,
                            "the seal signature does not verify over tagmanifest-sha256.txt with the key in seal/allowed_signers".into(),
                            TAMPERED,
                        ));
                    }
                    seal_public = Some(pk);
                }
                Err(e) => f.push(err(FindingKind::SealInvalid, format!("seal/allowed_signers holds no usable key ({e})"), TAMPERED)),
            }
        }
        _ => f.push(err(FindingKind::SealMissing, "the bundle has no seal (seal/allowed_signers and its signature)".into(), TAMPERED)),
    }
    let seal_key_pinning = check_pinned_key(seal_fingerprint.as_ref(), pinned, &mut f);

    // 2. Tag manifest, then payload manifests.
    let mut tag_listed = BTreeSet::new();
    match parse_manifest(&text(tagmanifest)) {
        Ok(entries) => {
            for (h, p) in entries {
                tag_listed.insert(p.clone());
                if !bundle.contains(&p) {
                    f.push(err(FindingKind::TagFileMissing, format!("{p} is listed in the tag manifest but missing"), TAMPERED));
                    continue;
                }
                // Hashed as it streams: a listed file is never read whole.
                let mut sha = Sha256::new();
                match bundle.read_with(&p, &mut |c| {
                    sha.update(c);
                    Ok(())
                }) {
                    Ok(_) if hex::encode(sha.finalize()) == h => {}
                    Ok(_) => f.push(err(FindingKind::TagFileChanged, format!("{p} has changed since the bundle was sealed"), TAMPERED)),
                    Err(Error::Io { source, .. }) => {
                        f.push(err(FindingKind::TagFileUnreadable, format!("{p} cannot be read from the archive ({source})"), TAMPERED))
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Err(e) => f.push(err(FindingKind::TagManifestInvalid, e, TAMPERED)),
    }
    for required in [BAGIT_FILE, BAG_INFO_FILE, MANIFEST_SHA256_FILE, MANIFEST_MD5_FILE] {
        if !tag_listed.contains(required) {
            f.push(err(FindingKind::TagFileUnsealed, format!("{required} is not covered by the sealed tag manifest"), TAMPERED));
        }
    }
    let sha_manifest = parse_manifest(&text(read_whole(bundle, MANIFEST_SHA256_FILE, Whole::Manifest)?.unwrap_or_default())).unwrap_or_default();
    let md5_manifest: BTreeMap<String, String> = parse_manifest(&text(read_whole(bundle, MANIFEST_MD5_FILE, Whole::Manifest)?.unwrap_or_default()))
        .unwrap_or_default()
        .into_iter()
        .map(|(h, p)| (p, h))
        .collect();
    let listed: BTreeMap<String, String> = sha_manifest.into_iter().map(|(h, p)| (p, h)).collect();
    let on_disk: Vec<String> = bundle.paths().filter(|p| p.starts_with(PAYLOAD_FOLDER)).map(str::to_string).collect();
    for p in &on_disk {
        if !listed.contains_key(p) {
            f.push(err(FindingKind::PayloadUnlisted, format!("{p} is in the bundle but not in its manifest: it was added"), TAMPERED));
        }
    }
    let mut bytes_total = 0u64;
    progress.begin(listed.len() as u64, listed.keys().filter_map(|p| bundle.size(p)).sum());
    for (p, h) in &listed {
        if progress.is_cancelled() {
            return Err(Error::Cancelled);
        }
        if !bundle.contains(p) {
            f.push(err(FindingKind::PayloadMissing, format!("{p} is listed in the manifest but missing: it was removed"), TAMPERED));
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
                f.push(err(FindingKind::PayloadUnreadable, format!("{p} cannot be read from the archive ({source}): it was damaged or changed"), TAMPERED));
                continue;
            }
            Err(e) => return Err(e),
        };
        bytes_total += read;
        if hex::encode(sha.finalize()) != *h {
            f.push(err(FindingKind::PayloadChanged, format!("{p} does not match its SHA-256 in the manifest: it was changed"), TAMPERED));
        } else if md5_manifest.get(p).is_some_and(|m| *m != hex::encode(md5.finalize())) {
            f.push(err(FindingKind::PayloadChanged, format!("{p} does not match its MD5 in the manifest"), TAMPERED));
        }
    }
    let info = text(read_whole(bundle, BAG_INFO_FILE, Whole::Small)?.unwrap_or_default());
    let oxum = info.lines().find_map(|l| l.strip_prefix("Payload-Oxum:")).map(str::trim).unwrap_or("");
    if oxum != format!("{bytes_total}.{}", listed.len()) {
        f.push(err(FindingKind::PayloadOxum, format!("bag-info.txt says Payload-Oxum {oxum}, the payload is {bytes_total}.{}", listed.len()), TAMPERED));
    }
    contents.manifest = listed.clone();

    // 3. The signed checkpoint (its Ed25519 signature, and the OpenSSH
    // signature outside verifiers check) and every custody event's proof.
    let seal_key = seal_public.as_ref().and_then(|pk| pk.key_data().ed25519().map(|k| k.0));
    let mut event_count = 0;
    let checkpoint_bytes = read_whole(bundle, CHECKPOINT_FILE, Whole::Small)?;
    let checkpoint: Option<SignedCheckpoint> = checkpoint_bytes.as_deref().and_then(|b| serde_json::from_slice(b).ok());
    match (&seal_public, &checkpoint_bytes, read_whole(bundle, CHECKPOINT_SIG_FILE, Whole::Small)?) {
        (_, _, None) => f.push(err(
            FindingKind::CheckpointSealMissing,
            format!("{CHECKPOINT_SIG_FILE} is missing: outside verifiers cannot check the custody checkpoint with ssh-keygen"),
            TAMPERED,
        )),
        (Some(pk), Some(cp), Some(sig)) if ssh_signature_verifies(pk, CHECKPOINT_NAMESPACE, cp, &sig) => {}
        // Without the seal's key there is nothing to check against; the seal's finding says why.
        (None, _, Some(_)) => {}
        (Some(_), _, Some(_)) => f.push(err(
            FindingKind::CheckpointSealInvalid,
            format!(
                "{CHECKPOINT_SIG_FILE} does not verify over {CHECKPOINT_FILE} (namespace {CHECKPOINT_NAMESPACE}) with the key in seal/allowed_signers"
            ),
            TAMPERED,
        )),
    }
    match &checkpoint {
        None => f.push(err(FindingKind::CheckpointMissing, format!("{CHECKPOINT_FILE} is missing or unreadable"), TAMPERED)),
        Some(cp) => {
            let key = hex::decode(&cp.signing_key).ok().and_then(|k| <[u8; 32]>::try_from(k).ok());
            if key.is_some() && seal_key.is_some() && key != seal_key {
                f.push(err(FindingKind::CheckpointKeyMismatch, "the custody checkpoint is signed by a different key than the seal".into(), TAMPERED));
            }
            let expected_identity = format!("custos-vault-{}", cp.vault_id);
            if identity.as_deref().is_some_and(|i| i != expected_identity) {
                f.push(err(
                    FindingKind::SealIdentityMismatch,
                    format!(
                        "the seal names the signer {:?}, but the custody checkpoint is of vault {} ({expected_identity})",
                        identity.as_deref().unwrap_or(""),
                        cp.vault_id
                    ),
                    TAMPERED,
                ));
            }
            let vk = key.and_then(|k| VerifyingKey::from_bytes(&k).ok());
            let root = hex::decode(&cp.root).ok().and_then(|r| <[u8; 32]>::try_from(r).ok());
            let sig_ok = match (&vk, root, hex::decode(&cp.signature).ok().and_then(|s| <[u8; 64]>::try_from(s).ok())) {
                (Some(vk), Some(root), Some(sig)) => vk
                    .verify(checkpoint_message(&cp.vault_id, cp.tree_size, &root, &cp.time).as_bytes(), &Signature::from_bytes(&sig))
                    .is_ok(),
                _ => false,
            };
            if !sig_ok {
                f.push(err(FindingKind::CheckpointSignature, "the custody checkpoint's signature does not verify".into(), TAMPERED));
            }
            let lines = text(read_whole(bundle, EVENTS_FILE, Whole::Events)?.unwrap_or_default());
            for (n, l) in lines.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                event_count += 1;
                let line: EventLine = match serde_json::from_str(l) {
                    Ok(x) => x,
                    Err(e) => {
                        f.push(err(FindingKind::CustodyLineUnreadable, format!("custody line {} cannot be read ({e})", n + 1), TAMPERED));
                        continue;
                    }
                };
                let body = line.body.as_bytes();
                let signed = vk.as_ref().is_some_and(|vk| {
                    hex::decode(&line.signature).is_ok_and(|s| crate::format::custody::event_signature_verifies(vk, body, &s))
                });
                let proof: Option<Vec<[u8; 32]>> =
                    line.inclusion_proof.iter().map(|h| hex::decode(h).ok().and_then(|b| <[u8; 32]>::try_from(b).ok())).collect();
                let included = match (root, proof) {
                    (Some(root), Some(proof)) => {
                        crate::format::merkle::verify_inclusion(crate::format::merkle::LeafHash::of(body), line.leaf_index, cp.tree_size, &proof, &root)
                    }
                    _ => false,
                };
                let event: Option<CustodyEvent> = serde_json::from_slice(body).ok();
                let placed = event.as_ref().is_some_and(|e| e.seq == line.leaf_index + 1);
                if !signed || !included || !placed {
                    let what = if !signed { "its signature does not verify" } else if !included { "its inclusion proof does not lead to the signed root" } else { "its position does not match its sequence number" };
                    let mut finding = err(FindingKind::CustodyEventInvalid, format!("custody line {} (event {}): {what}: it was edited or forged", n + 1, line.leaf_index + 1), TAMPERED);
                    finding.event = Some(line.leaf_index + 1);
                    finding.exhibit = event.as_ref().and_then(|e| e.exhibit.clone());
                    f.push(finding);
                    continue;
                }
                let event = event.expect("placed implies parsed");
                if let Some(ex) = event.exhibit.clone() {
                    contents.events.entry(ex).or_default().push((event, line));
                }
            }
            // RFC 3161 tokens over an earlier checkpoint of the same history.
            f.extend(super::timestamps::check_bundle(bundle, cp, vk.as_ref(), trust));
        }
    }
    contents.checkpoint = checkpoint;

    // 4. Natives, load file and custody records agree.
    let delims = super::dat::delimiters_from_info(&info);
    let load_file = match &dat_path {
        Some(p) => Some(match bundle.read(p, Whole::LoadFile) {
            Ok(b) => super::dat::parse_dat_with(&b, delims),
            Err(Error::Io { source, .. }) => Err(format!("{p} cannot be read from the archive ({source})")),
            Err(e) => return Err(e),
        }),
        None => None,
    };
    match load_file {
        None => f.push(err(FindingKind::LoadFileMissing, "the volume has no .dat load file".into(), TAMPERED)),
        Some(Err(e)) => f.push(err(FindingKind::LoadFileInvalid, e, TAMPERED)),
        Some(Ok(rows)) => {
            let mut natives_in_dat = BTreeSet::new();
            for row in &rows {
                let bates = row.get("BEGBATES").cloned().unwrap_or_default();
                let native = format!("data/{}", row.get("NATIVEPATH").cloned().unwrap_or_default().replace('\\', "/"));
                natives_in_dat.insert(native.clone());
                let mut finding = |kind: FindingKind, msg: String| {
                    let mut x = err(kind, msg, TAMPERED);
                    x.exhibit = Some(bates.clone());
                    f.push(x);
                };
                match listed.get(&native) {
                    None => finding(FindingKind::NativeMissing, format!("{bates}: the load file points at {native}, which is not in the bundle")),
                    Some(h) if Some(h) != row.get("SHA256HASH") => {
                        finding(FindingKind::LoadFileHashMismatch, format!("{bates}: SHA256HASH in the load file differs from the native's manifest hash"))
                    }
                    Some(_) if md5_manifest.get(&native) != row.get("MD5HASH") => {
                        finding(FindingKind::LoadFileHashMismatch, format!("{bates}: MD5HASH in the load file differs from the native's manifest hash"))
                    }
                    Some(_) => {}
                }
                let ex = row.get("EXHIBITID").cloned().unwrap_or_default();
                // Taken in by collection, or received in an earlier production.
                let collected = contents.events.get(&ex).is_some_and(|evs| {
                    evs.iter().any(|(e, _)| match e.action {
                        crate::format::custody::Action::Collected => e.hash_before.as_ref() == row.get("SHA256HASH"),
                        crate::format::custody::Action::Received => e.hash_after.as_ref() == row.get("SHA256HASH"),
                        _ => false,
                    })
                });
                if !collected {
                    finding(
                        FindingKind::CustodyRecordMismatch,
                        format!("{bates} ({ex}): no verified custody event records its collection or receipt with this SHA-256"),
                    );
                }
            }
            for p in listed.keys().filter(|p| p.starts_with(NATIVES_FOLDER)) {
                if !natives_in_dat.contains(p) {
                    f.push(err(FindingKind::NativeNotInLoadFile, format!("{p} is not in the load file"), TAMPERED));
                }
            }
            contents.rows = rows;
        }
    }

    let ok = !f.iter().any(|x| x.severity == Severity::Error);
    Ok((
        BundleReport {
            ok,
            bag: bundle.bag.clone(),
            signer_fingerprint: seal_fingerprint.map(|k| k.to_string()),
            seal_key_pinning,
            signer_identity: identity,
            exhibits: contents.rows.len(),
            events: event_count,
            findings: f,
        },
        contents,
    ))
}

/// The seal key against the key(s) the user pinned: a key that is not one of
/// them, or no readable key at all, is an error finding.
fn check_pinned_key(seal: Option<&SealKeyFingerprint>, pinned: Option<&PinnedKeys>, f: &mut Vec<Finding>) -> SealKeyPinning {
    let Some(pinned) = pinned else { return SealKeyPinning::NotPinned };
    match seal {
        Some(key) if pinned.contains(key) => SealKeyPinning::MatchesPinned,
        seal => {
            let sealed_by = seal.map_or_else(|| "no readable key".to_string(), |k| format!("key {k}"));
            f.push(err(
                FindingKind::SealKeyNotPinned,
                format!("the bundle is sealed by {sealed_by}, not by the pinned key ({})", pinned.describe()),
                "Do not rely on this bundle: it was sealed by a key other than the one the producing party gave you. \
                 Ask them for a fresh copy and confirm their key's fingerprint by another channel.",
            ));
            SealKeyPinning::DiffersFromPinned
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::format::merkle::{LeafHash, Tree};

    #[test]
    fn the_bundled_python_checker_follows_the_same_audit_paths() {
        // verify_custody.py re-implements the RFC 9162 audit path; it must
        // accept every ct-merkle proof of trees of 1 to 17 leaves and refuse
        // each with a leaf, a path hash or the index changed.
        let mut cases = Vec::new();
        for size in 1u64..=17 {
            let mut t = Tree::default();
            for i in 0..size {
                t.push(i.to_be_bytes().to_vec());
            }
            for i in 0..size {
                let path: Vec<String> = t.inclusion_proof(i).as_bytes().chunks(32).map(hex::encode).collect();
                let leaf = hex::encode(LeafHash::of(&i.to_be_bytes()).0);
                let root = hex::encode(t.root_bytes());
                cases.push(serde_json::json!([i, size, leaf, path, root, true]));
                cases.push(serde_json::json!([i, size, hex::encode(LeafHash::of(b"x").0), path, root, false]));
                if let Some(first) = path.first() {
                    let mut bad = path.clone();
                    bad[0] = format!("{}{}", if first.starts_with('0') { "1" } else { "0" }, &first[1..]);
                    cases.push(serde_json::json!([i, size, leaf, bad, root, false]));
                }
                if size > 1 {
                    cases.push(serde_json::json!([(i + 1) % size, size, leaf, path, root, false]));
                }
            }
        }
        let program = r#"
import json, runpy, sys
checker = runpy.run_path(sys.argv[1])
wrong = []
for index, size, leaf, path, root, expected in json.load(sys.stdin):
    got = checker["root_from_audit_path"](index, size, bytes.fromhex(leaf), [bytes.fromhex(h) for h in path]) == bytes.fromhex(root)
    if got != expected:
        wrong.append([index, size, expected])
print(json.dumps(wrong))
"#;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/verify_custody.py");
        let mut child = std::process::Command::new("python3")
            .args(["-c", program, script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 must be installed (scripts/install-deps.sh)");
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), serde_json::to_string(&cases).unwrap().as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "the checker must load and run: {out:?}");
        let wrong: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert!(wrong.is_empty(), "verify_custody.py disagrees with RFC 6962 proofs at [index, size, expected]: {wrong:?}");
    }
}
