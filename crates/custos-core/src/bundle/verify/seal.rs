//! Phase 1: the seal. `seal/allowed_signers` names the key, its SSHSIG over
//! the tag manifest must verify, and the key is held against the one(s) the
//! user pinned.

use super::{read_whole, tampered, text};
use crate::bundle::layout::{ALLOWED_SIGNERS_FILE, BUNDLE_NAMESPACE, SEAL_FILE};
use crate::bundle::read::{Bundle, Whole};
use crate::bundle::seal_key::{PinnedKeys, SealKeyFingerprint, SealKeyPinning};
use crate::error::Result;
use crate::format::finding::{Finding, FindingKind, Severity};

/// What the seal phase learned: the key the bundle names, if it could be read.
pub(super) struct Seal {
    /// The key's fingerprint.
    pub fingerprint: Option<SealKeyFingerprint>,
    /// The signer identity in `seal/allowed_signers`.
    pub identity: Option<String>,
    /// The key itself.
    pub public: Option<ssh_key::PublicKey>,
    /// How the key stood against the pinned one(s).
    pub pinning: SealKeyPinning,
}

impl Seal {
    /// The seal key's Ed25519 bytes, when it is an Ed25519 key.
    pub fn ed25519(&self) -> Option<[u8; 32]> {
        self.public.as_ref().and_then(|pk| pk.key_data().ed25519().map(|k| k.0))
    }
}

/// Checks the seal over `tag_manifest` (the bytes of `tagmanifest-sha256.txt`)
/// and the seal key against `pinned`.
pub(super) fn check_seal(bundle: &mut Bundle, tag_manifest: &[u8], pinned: Option<&PinnedKeys>, f: &mut Vec<Finding>) -> Result<Seal> {
    let (mut fingerprint, mut identity, mut public) = (None, None, None);
    match (read_whole(bundle, ALLOWED_SIGNERS_FILE, Whole::Small)?, read_whole(bundle, SEAL_FILE, Whole::Small)?) {
        (Some(allowed), Some(sig)) => {
            let line = text(&allowed);
            let mut parts = line.split_whitespace();
            let id = parts.next().unwrap_or("").to_string();
            let key_text: Vec<&str> = parts.skip_while(|p| !p.starts_with("ssh-")).take(2).collect();
            match ssh_key::PublicKey::from_openssh(&key_text.join(" ")) {
                Ok(pk) => {
                    fingerprint = Some(SealKeyFingerprint::of(&pk));
                    identity = Some(id);
                    if !ssh_signature_verifies(&pk, BUNDLE_NAMESPACE, tag_manifest, &sig) {
                        f.push(tampered(
                            FindingKind::SealInvalid,
                            "the seal signature does not verify over tagmanifest-sha256.txt with the key in seal/allowed_signers".into(),
                        ));
                    }
                    public = Some(pk);
                }
                Err(e) => f.push(tampered(FindingKind::SealInvalid, format!("seal/allowed_signers holds no usable key ({e})"))),
            }
        }
        _ => f.push(tampered(FindingKind::SealMissing, "the bundle has no seal (seal/allowed_signers and its signature)".into())),
    }
    let pinning = check_pinned_key(fingerprint.as_ref(), pinned, f);
    Ok(Seal { fingerprint, identity, public, pinning })
}

/// Whether `sig` (an `SSHSIG` in PEM) is `key`'s signature over `message` in `namespace`.
pub(super) fn ssh_signature_verifies(key: &ssh_key::PublicKey, namespace: &str, message: &[u8], sig: &[u8]) -> bool {
    ssh_key::SshSig::from_pem(sig).ok().is_some_and(|s| key.verify(namespace, message, &s).is_ok())
}

/// The seal key against the key(s) the user pinned: a key that is not one of
/// them, or no readable key at all, is an error finding.
fn check_pinned_key(seal: Option<&SealKeyFingerprint>, pinned: Option<&PinnedKeys>, f: &mut Vec<Finding>) -> SealKeyPinning {
    let Some(pinned) = pinned else { return SealKeyPinning::NotPinned };
    match seal {
        Some(key) if pinned.contains(key) => SealKeyPinning::MatchesPinned,
        seal => {
            let sealed_by = seal.map_or_else(|| "no readable key".to_string(), |k| format!("key {k}"));
            f.push(Finding {
                severity: Severity::Error,
                exhibit: None,
                kind: FindingKind::SealKeyNotPinned,
                event: None,
                message: format!("the bundle is sealed by {sealed_by}, not by the pinned key ({})", pinned.describe()),
                action: "Do not rely on this bundle: it was sealed by a key other than the one the producing party gave you. \
                         Ask them for a fresh copy and confirm their key's fingerprint by another channel."
                    .into(),
            });
            SealKeyPinning::DiffersFromPinned
        }
    }
}

