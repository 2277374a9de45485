//! The seal key a bundle is checked against. A bundle names its own key in
//! `seal/allowed_signers`, so a bundle re-made and re-sealed with another key
//! verifies against itself; only a fingerprint the producing party gave out of
//! band (or the key pinned when an earlier production of theirs was received)
//! tells the genuine key from another one.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A seal key fingerprint, `SHA256:<43 base64 characters>` as `ssh-keygen -l`
/// prints it. Parsed once; everything inside compares these, never strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealKeyFingerprint(ssh_key::Fingerprint);

impl SealKeyFingerprint {
    /// The fingerprint of an OpenSSH public key.
    pub fn of(key: &ssh_key::PublicKey) -> Self {
        Self(key.fingerprint(ssh_key::HashAlg::Sha256))
    }
}

impl FromStr for SealKeyFingerprint {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        // ssh-key also accepts SHA512 fingerprints; seals are always named by SHA-256.
        let parsed = s.strip_prefix("SHA256:").and_then(|_| ssh_key::Fingerprint::from_str(s).ok());
        parsed.map(Self).ok_or_else(|| {
            Error::InvalidInput(format!(
                "{s:?} is not a seal key fingerprint: expected SHA256: followed by 43 base64 characters, as ssh-keygen -l prints it"
            ))
        })
    }
}

impl fmt::Display for SealKeyFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The seal keys the user expects (`--expect-key`): a bundle sealed by any
/// other key is an error finding. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedKeys(Vec<SealKeyFingerprint>);

impl PinnedKeys {
    /// One key, by its fingerprint.
    pub fn one(fingerprint: SealKeyFingerprint) -> Self {
        Self(vec![fingerprint])
    }

    /// Every key of an OpenSSH allowed_signers file (`principals [options]
    /// keytype base64 [comment]`, `#` comments); any of them is accepted. A
    /// line without a readable key, or a file without any key, is refused.
    pub fn from_allowed_signers(text: &str) -> Result<Self> {
        let mut keys = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split_whitespace().collect();
            // The key is the first field that names a key algorithm, with the base64 after it.
            let key = fields.windows(2).find_map(|w| {
                ssh_key::Algorithm::from_str(w[0]).ok()?;
                ssh_key::PublicKey::from_openssh(&format!("{} {}", w[0], w[1])).ok()
            });
            match key {
                Some(k) => keys.push(SealKeyFingerprint::of(&k)),
                None => return Err(Error::InvalidInput(format!("line {} of the allowed_signers file holds no readable public key", n + 1))),
            }
        }
        if keys.is_empty() {
            return Err(Error::InvalidInput("the allowed_signers file lists no key".into()));
        }
        Ok(Self(keys))
    }

    /// Whether `key` is one of the pinned keys.
    pub fn contains(&self, key: &SealKeyFingerprint) -> bool {
        self.0.contains(key)
    }

    /// The pinned fingerprints, for messages.
    pub fn describe(&self) -> String {
        self.0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    }
}

/// How a bundle's seal key stands against the key(s) the user pinned.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SealKeyPinning {
    /// No key was pinned: the seal proves only that the bundle is unchanged
    /// since someone holding *this* key sealed it. Compare the fingerprint
    /// with the one the producing party gave.
    NotPinned,
    /// The seal key is one of the pinned keys.
    MatchesPinned,
    /// The seal key is not one of the pinned keys (or could not be read): an
    /// error finding.
    DiffersFromPinned,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Ed25519 public key made from a fixed seed, as an OpenSSH line (`ssh-ed25519 AAAA…`).
    fn key(seed: u8) -> String {
        let public = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]).verifying_key().to_bytes();
        let key = ssh_key::PublicKey::new(ssh_key::public::KeyData::Ed25519(ssh_key::public::Ed25519PublicKey(public)), "");
        key.to_openssh().unwrap().trim().to_string()
    }

    fn fingerprint_of(openssh: &str) -> SealKeyFingerprint {
        SealKeyFingerprint::of(&ssh_key::PublicKey::from_openssh(openssh).unwrap())
    }

    #[test]
    fn a_fingerprint_parses_and_prints_back_unchanged() {
        let fp = fingerprint_of(&key(1)).to_string();
        assert!(fp.starts_with("SHA256:") && fp.len() == 7 + 43, "{fp}");
        assert_eq!(fp.parse::<SealKeyFingerprint>().unwrap().to_string(), fp, "parse and display round-trip");
        assert_eq!(format!("  {fp}\n").parse::<SealKeyFingerprint>().unwrap().to_string(), fp, "surrounding white space is ignored");
    }

    #[test]
    fn malformed_fingerprints_are_refused() {
        let fp = fingerprint_of(&key(1)).to_string();
        for bad in ["", "SHA256:", "SHA256:abc", &fp[7..], &fp.replace("SHA256:", "MD5:"), &format!("{fp}AA"), "/etc/allowed_signers"] {
            let e = bad.parse::<SealKeyFingerprint>().expect_err(bad).to_string();
            assert!(e.contains("not a seal key fingerprint"), "{bad:?}: the error says what is wrong: {e}");
        }
    }

    #[test]
    fn an_allowed_signers_file_pins_every_key_it_lists() {
        let (first, second) = (key(1), key(2));
        let text = format!("# producer\ncustos-vault-1 namespaces=\"custos-bundle\" {first}\n\nsomeone@example.com {second} comment\n");
        let pinned = PinnedKeys::from_allowed_signers(&text).unwrap();
        assert!(pinned.contains(&fingerprint_of(&first)), "the first key is pinned");
        assert!(pinned.contains(&fingerprint_of(&second)), "and the second");
        assert!(!pinned.contains(&fingerprint_of(&key(3))), "a key not listed is not pinned");
        assert!(PinnedKeys::one(fingerprint_of(&first)).contains(&fingerprint_of(&first)));
        assert!(!PinnedKeys::one(fingerprint_of(&first)).contains(&fingerprint_of(&second)));
    }

    #[test]
    fn an_allowed_signers_file_without_a_readable_key_is_refused() {
        assert!(PinnedKeys::from_allowed_signers("").is_err(), "no key at all");
        assert!(PinnedKeys::from_allowed_signers("# only a comment\n").is_err(), "only a comment");
        let broken = format!("id {}\nid ssh-ed25519 AAAA-not-base64\n", key(1));
        let e = PinnedKeys::from_allowed_signers(&broken).unwrap_err().to_string();
        assert!(e.contains("line 2"), "the bad line is named: {e}");
    }
}
