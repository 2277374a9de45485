//! Phase 3: the custody record. The OpenSSH signature over the checkpoint
//! (what outside verifiers check with ssh-keygen); the checkpoint itself
//! (signed by the seal's key, of the vault the seal names, its Ed25519
//! signature); every line of `events.jsonl` (the event's signature, its
//! inclusion proof to the checkpoint's root, its place in the log); and the
//! RFC 3161 time stamps the bundle carries.

use super::seal::{Seal, ssh_signature_verifies};
use super::{EventLine, read_whole, tampered, text};
use crate::bundle::layout::{CHECKPOINT_FILE, CHECKPOINT_NAMESPACE, CHECKPOINT_SIG_FILE, EVENTS_FILE};
use crate::bundle::read::{Bundle, Whole};
use crate::error::Result;
use crate::format::custody::{CustodyEvent, SignedCheckpoint, checkpoint_message, event_signature_verifies};
use crate::format::finding::{Finding, FindingKind};
use crate::format::merkle::{LeafHash, verify_inclusion};
use crate::format::tsp::token::TsaTrust;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use std::collections::BTreeMap;

/// Verified custody events, by the producer's exhibit id.
pub(super) type EventsByExhibit = BTreeMap<String, Vec<(CustodyEvent, EventLine)>>;

/// What the custody phase learned.
#[derive(Default)]
pub(super) struct CustodyRecord {
    /// The checkpoint, if it could be read.
    pub checkpoint: Option<SignedCheckpoint>,
    /// The events whose signature, proof and place verified.
    pub events: EventsByExhibit,
    /// Custody lines checked.
    pub lines: usize,
}

/// The checkpoint's key and root, as far as they could be read.
struct SignedRoot {
    key: Option<VerifyingKey>,
    root: Option<[u8; 32]>,
}

/// Checks the custody record against the seal's key and identity, and the
/// carried time stamps against `trust` when given.
pub(super) fn check_custody(bundle: &mut Bundle, seal: &Seal, trust: Option<&TsaTrust>, f: &mut Vec<Finding>) -> Result<CustodyRecord> {
    let checkpoint_bytes = read_whole(bundle, CHECKPOINT_FILE, Whole::Small)?;
    let checkpoint: Option<SignedCheckpoint> = checkpoint_bytes.as_deref().and_then(|b| serde_json::from_slice(b).ok());
    let checkpoint_sig = read_whole(bundle, CHECKPOINT_SIG_FILE, Whole::Small)?;
    check_checkpoint_seal(seal.public.as_ref(), checkpoint_bytes.as_deref(), checkpoint_sig.as_deref(), f);
    let mut record = CustodyRecord::default();
    match &checkpoint {
        None => f.push(tampered(FindingKind::CheckpointMissing, format!("{CHECKPOINT_FILE} is missing or unreadable"))),
        Some(cp) => {
            let signed = check_checkpoint(cp, seal, f);
            let lines = text(&read_whole(bundle, EVENTS_FILE, Whole::Events)?.unwrap_or_default());
            check_events(&lines, cp, &signed, &mut record, f);
            // RFC 3161 tokens over an earlier checkpoint of the same history.
            f.extend(crate::bundle::timestamps::check_bundle(bundle, cp, signed.key.as_ref(), trust));
        }
    }
    record.checkpoint = checkpoint;
    Ok(record)
}

/// The OpenSSH signature over `checkpoint.json` with the seal's key.
fn check_checkpoint_seal(seal_key: Option<&ssh_key::PublicKey>, checkpoint: Option<&[u8]>, sig: Option<&[u8]>, f: &mut Vec<Finding>) {
    match (seal_key, checkpoint, sig) {
        (_, _, None) => f.push(tampered(
            FindingKind::CheckpointSealMissing,
            format!("{CHECKPOINT_SIG_FILE} is missing: outside verifiers cannot check the custody checkpoint with ssh-keygen"),
        )),
        (Some(pk), Some(cp), Some(sig)) if ssh_signature_verifies(pk, CHECKPOINT_NAMESPACE, cp, sig) => {}
        // Without the seal's key there is nothing to check against; the seal's finding says why.
        (None, _, Some(_)) => {}
        (Some(_), _, Some(_)) => f.push(tampered(
            FindingKind::CheckpointSealInvalid,
            format!(
                "{CHECKPOINT_SIG_FILE} does not verify over {CHECKPOINT_FILE} (namespace {CHECKPOINT_NAMESPACE}) with the key in seal/allowed_signers"
            ),
        )),
    }
}

/// The checkpoint is signed by the seal's key, of the vault the seal names,
/// and its Ed25519 signature verifies.
fn check_checkpoint(cp: &SignedCheckpoint, seal: &Seal, f: &mut Vec<Finding>) -> SignedRoot {
    let key = hex::decode(&cp.signing_key).ok().and_then(|k| <[u8; 32]>::try_from(k).ok());
    let seal_key = seal.ed25519();
    if key.is_some() && seal_key.is_some() && key != seal_key {
        f.push(tampered(FindingKind::CheckpointKeyMismatch, "the custody checkpoint is signed by a different key than the seal".into()));
    }
    let expected_identity = format!("custos-vault-{}", cp.vault_id);
    if seal.identity.as_deref().is_some_and(|i| i != expected_identity) {
        f.push(tampered(
            FindingKind::SealIdentityMismatch,
            format!(
                "the seal names the signer {:?}, but the custody checkpoint is of vault {} ({expected_identity})",
                seal.identity.as_deref().unwrap_or(""),
                cp.vault_id
            ),
        ));
    }
    let key = key.and_then(|k| VerifyingKey::from_bytes(&k).ok());
    let root = hex::decode(&cp.root).ok().and_then(|r| <[u8; 32]>::try_from(r).ok());
    let sig_ok = match (&key, root, hex::decode(&cp.signature).ok().and_then(|s| <[u8; 64]>::try_from(s).ok())) {
        (Some(vk), Some(root), Some(sig)) => {
            vk.verify(checkpoint_message(&cp.vault_id, cp.tree_size, &root, &cp.time).as_bytes(), &Signature::from_bytes(&sig)).is_ok()
        }
        _ => false,
    };
    if !sig_ok {
        f.push(tampered(FindingKind::CheckpointSignature, "the custody checkpoint's signature does not verify".into()));
    }
    SignedRoot { key, root }
}

/// Every custody line: its event signed by the checkpoint's key, included
/// under the checkpoint's root, at the leaf its sequence number gives.
/// Events that pass go into `record`, by exhibit.
fn check_events(lines: &str, cp: &SignedCheckpoint, signed: &SignedRoot, record: &mut CustodyRecord, f: &mut Vec<Finding>) {
    for (n, l) in lines.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        record.lines += 1;
        let line: EventLine = match serde_json::from_str(l) {
            Ok(x) => x,
            Err(e) => {
                f.push(tampered(FindingKind::CustodyLineUnreadable, format!("custody line {} cannot be read ({e})", n + 1)));
                continue;
            }
        };
        let body = line.body.as_bytes();
        let is_signed = signed.key.as_ref().is_some_and(|vk| hex::decode(&line.signature).is_ok_and(|s| event_signature_verifies(vk, body, &s)));
        let proof: Option<Vec<[u8; 32]>> =
            line.inclusion_proof.iter().map(|h| hex::decode(h).ok().and_then(|b| <[u8; 32]>::try_from(b).ok())).collect();
        let included = match (signed.root, proof) {
            (Some(root), Some(proof)) => verify_inclusion(LeafHash::of(body), line.leaf_index, cp.tree_size, &proof, &root),
            _ => false,
        };
        let event: Option<CustodyEvent> = serde_json::from_slice(body).ok();
        let placed = event.as_ref().is_some_and(|e| e.seq == line.leaf_index + 1);
        if !is_signed || !included || !placed {
            let what = if !is_signed {
                "its signature does not verify"
            } else if !included {
                "its inclusion proof does not lead to the signed root"
            } else {
                "its position does not match its sequence number"
            };
            let mut finding = tampered(
                FindingKind::CustodyEventInvalid,
                format!("custody line {} (event {}): {what}: it was edited or forged", n + 1, line.leaf_index + 1),
            );
            finding.event = Some(line.leaf_index + 1);
            finding.exhibit = event.as_ref().and_then(|e| e.exhibit.clone());
            f.push(finding);
            continue;
        }
        let event = event.expect("placed implies parsed");
        if let Some(ex) = event.exhibit.clone() {
            record.events.entry(ex).or_default().push((event, line));
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
