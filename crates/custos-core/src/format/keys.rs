//! The vault secrets and the key files that protect them.
//!
//! One set of secrets (the X25519 identity exhibits are encrypted to, the
//! Ed25519 signing key, the database key) is stored once per way in: a
//! passphrase key file (age scrypt recipient, explicit work factor) and,
//! optionally, a recovery key file encrypted to an escrow `age1…` key.

use crate::format::atomic::write_atomically;
use crate::error::{Error, Result};
use age::secrecy::{ExposeSecret, SecretString};
use ed25519_dalek::{SigningKey, VerifyingKey};
use std::io::{Read, Write};
use std::path::Path;
use std::str::FromStr;
use zeroize::Zeroizing;

/// What opens a key file.
#[derive(Clone, Copy)]
pub(crate) enum KeyUnlock<'a> {
    /// A passphrase (scrypt key file).
    Passphrase(&'a SecretString),
    /// An age X25519 identity.
    Identity(&'a age::x25519::Identity),
}

/// The scrypt work factor (log2 N) written by default: the age reference value.
pub const DEFAULT_WORK_FACTOR: u8 = 18;
/// The lowest work factor `init` accepts (tests use it to stay fast).
pub const MIN_WORK_FACTOR: u8 = 10;
/// The highest work factor Custos will run when unlocking; a key file asking
/// for more is refused before any scrypt work is done.
pub const MAX_WORK_FACTOR: u8 = 22;

/// The secrets of one vault. Dropping it wipes them from memory.
pub struct VaultSecrets {
    age_identity: age::x25519::Identity,
    signing_key: SigningKey,
    db_key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for VaultSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultSecrets").finish_non_exhaustive()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SecretsDoc {
    version: u32,
    age_identity: String,
    signing_key: String,
    db_key: String,
}

impl Drop for SecretsDoc {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.age_identity.zeroize();
        self.signing_key.zeroize();
        self.db_key.zeroize();
    }
}

impl VaultSecrets {
    /// Generates fresh secrets from the operating system's random source.
    pub fn generate() -> Self {
        let mut db_key = Zeroizing::new([0u8; 32]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, db_key.as_mut());
        Self {
            age_identity: age::x25519::Identity::generate(),
            signing_key: SigningKey::generate(&mut rand::rngs::OsRng),
            db_key,
        }
    }

    /// The X25519 identity that decrypts exhibit objects.
    pub(crate) fn age_identity(&self) -> &age::x25519::Identity {
        &self.age_identity
    }

    /// The public recipient exhibits are encrypted to.
    pub fn age_recipient(&self) -> age::x25519::Recipient {
        self.age_identity.to_public()
    }

    /// The key that signs custody events and checkpoints.
    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.signing_key
    }

    /// The public half of the signing key.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing_key.verifying_key()
    }

    /// The raw SQLCipher key as the `PRAGMA key` literal `x'…'`.
    pub(crate) fn db_key_pragma(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(&self.db_key[..])))
    }

    /// The key that seals a firm catalog's fields (derived from the database key).
    pub(crate) fn field_key(&self) -> crate::format::sealed::FieldKey {
        crate::format::sealed::FieldKey::derive(&self.db_key)
    }

    /// The secrets as a key file for a passphrase (an age file, returned).
    pub(crate) fn passphrase_key_file(&self, passphrase: &SecretString, work_factor: u8) -> Result<Vec<u8>> {
        check_passphrase(passphrase)?;
        let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
        recipient.set_work_factor(work_factor);
        self.key_file_bytes(&recipient)
    }

    /// The secrets as a key file for an age X25519 recipient.
    pub(crate) fn identity_key_file(&self, recipient: &age::x25519::Recipient) -> Result<Vec<u8>> {
        self.key_file_bytes(recipient)
    }

    /// Opens a key file held in memory (a firm catalog keeps them), with a
    /// passphrase or an identity.
    pub(crate) fn open_key_bytes(bytes: &[u8], label: &Path, unlock_with: KeyUnlock<'_>) -> Result<Self> {
        match unlock_with {
            KeyUnlock::Passphrase(p) => {
                let mut identity = age::scrypt::Identity::new(p.clone());
                identity.set_max_work_factor(MAX_WORK_FACTOR);
                Self::open_bytes(bytes, label, &identity, true)
            }
            KeyUnlock::Identity(id) => Self::open_bytes(bytes, label, id, false),
        }
    }

    fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let doc = SecretsDoc {
            version: 1,
            age_identity: self.age_identity.to_string().expose_secret().to_string(),
            signing_key: hex::encode(self.signing_key.to_bytes()),
            db_key: hex::encode(&self.db_key[..]),
        };
        Zeroizing::new(serde_json::to_vec(&doc).expect("secrets serialise"))
    }

    fn from_json(bytes: &[u8], path: &Path) -> Result<Self> {
        let damaged = |reason: &str| Error::DamagedKeyFile { path: path.to_path_buf(), reason: reason.into() };
        let doc: SecretsDoc = serde_json::from_slice(bytes).map_err(|_| damaged("its contents are not Custos vault secrets"))?;
        if doc.version != 1 {
            return Err(damaged(&format!("unknown secrets version {}", doc.version)));
        }
        let age_identity = age::x25519::Identity::from_str(&doc.age_identity).map_err(|_| damaged("bad age identity"))?;
        let sk = Zeroizing::new(hex::decode(&doc.signing_key).map_err(|_| damaged("bad signing key"))?);
        let sk: [u8; 32] = sk.as_slice().try_into().map_err(|_| damaged("bad signing key length"))?;
        let dk = Zeroizing::new(hex::decode(&doc.db_key).map_err(|_| damaged("bad database key"))?);
        let mut db_key = Zeroizing::new([0u8; 32]);
        if dk.len() != 32 {
            return Err(damaged("bad database key length"));
        }
        db_key.copy_from_slice(&dk);
        Ok(Self { age_identity, signing_key: SigningKey::from_bytes(&sk), db_key })
    }

    /// Writes the passphrase key file (atomically) with an explicit scrypt work factor.
    pub fn write_passphrase_file(&self, path: &Path, passphrase: &SecretString, work_factor: u8) -> Result<()> {
        if !(MIN_WORK_FACTOR..=MAX_WORK_FACTOR).contains(&work_factor) {
            return Err(Error::InvalidInput(format!(
                "work factor {work_factor} is outside {MIN_WORK_FACTOR}..={MAX_WORK_FACTOR}"
            )));
        }
        check_passphrase(passphrase)?;
        let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
        recipient.set_work_factor(work_factor);
        self.write_key_file(path, &recipient)
    }

    /// Writes a key file encrypted to a recovery `age1…` recipient.
    pub fn write_recovery_file(&self, path: &Path, recipient: &age::x25519::Recipient) -> Result<()> {
        self.write_key_file(path, recipient)
    }

    fn write_key_file(&self, path: &Path, recipient: &dyn age::Recipient) -> Result<()> {
        write_atomically(path, &self.key_file_bytes(recipient)?)
    }

    fn key_file_bytes(&self, recipient: &dyn age::Recipient) -> Result<Vec<u8>> {
        let encryptor = age::Encryptor::with_recipients(std::iter::once(recipient))
            .map_err(|e| Error::Encryption(e.to_string()))?;
        let mut out = Vec::new();
        let mut w = encryptor.wrap_output(&mut out).map_err(|e| Error::Encryption(e.to_string()))?;
        w.write_all(&self.to_json()).and_then(|_| w.finish()).map_err(|e| Error::Encryption(e.to_string()))?;
        Ok(out)
    }

    /// Opens the passphrase key file. scrypt runs once, capped at [`MAX_WORK_FACTOR`].
    pub fn open_with_passphrase(path: &Path, passphrase: &SecretString) -> Result<Self> {
        let mut identity = age::scrypt::Identity::new(passphrase.clone());
        identity.set_max_work_factor(MAX_WORK_FACTOR);
        Self::open_key_file(path, &identity, true)
    }

    /// Opens the recovery key file with the escrow identity.
    pub fn open_with_identity(path: &Path, identity: &age::x25519::Identity) -> Result<Self> {
        Self::open_key_file(path, identity, false)
    }

    fn open_key_file(path: &Path, identity: &dyn age::Identity, want_scrypt: bool) -> Result<Self> {
        let damaged = |reason: String| Error::DamagedKeyFile { path: path.to_path_buf(), reason };
        let bytes = std::fs::read(path).map_err(|e| damaged(format!("cannot read it: {e}")))?;
        Self::open_bytes(&bytes, path, identity, want_scrypt)
    }

    fn open_bytes(bytes: &[u8], path: &Path, identity: &dyn age::Identity, want_scrypt: bool) -> Result<Self> {
        let damaged = |reason: String| Error::DamagedKeyFile { path: path.to_path_buf(), reason };
        let decryptor = age::Decryptor::new_buffered(bytes).map_err(|e| damaged(format!("not a valid age file ({e})")))?;
        if decryptor.is_scrypt() != want_scrypt {
            return Err(damaged("it is not the expected kind of key file".into()));
        }
        let mut reader = decryptor.decrypt(std::iter::once(identity)).map_err(|e| match e {
            age::DecryptError::ExcessiveWork { required, .. } => {
                Error::ExcessiveWorkFactor { path: path.to_path_buf(), required, limit: MAX_WORK_FACTOR }
            }
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys | age::DecryptError::KeyDecryptionFailed => {
                Error::WrongPassphrase
            }
            other => damaged(other.to_string()),
        })?;
        let mut plain = Zeroizing::new(Vec::new());
        reader.read_to_end(&mut plain).map_err(|_| damaged("its encrypted contents fail authentication".into()))?;
        Self::from_json(&plain, path)
    }
}

/// The fewest characters a passphrase (a vault's or a bundle's) may have.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// The passphrase policy, kept here so that every front end obeys it: at
/// least [`MIN_PASSPHRASE_CHARS`] characters.
pub fn check_passphrase(passphrase: &SecretString) -> Result<()> {
    let n = passphrase.expose_secret().chars().count();
    if n < MIN_PASSPHRASE_CHARS {
        return Err(Error::InvalidInput(format!(
            "the passphrase must be at least {MIN_PASSPHRASE_CHARS} characters ({n} given); a few unrelated words work well"
        )));
    }
    Ok(())
}

/// Largest key file read (an age identity file is well under 1 KiB).
pub const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// Reads an age identity file (`AGE-SECRET-KEY-1…`) of at most
/// [`MAX_KEY_FILE_BYTES`]; the bytes read are wiped once parsed.
pub fn read_identity_file(path: &Path) -> Result<age::x25519::Identity> {
    let unreadable = |e: std::io::Error| Error::Input { path: path.to_path_buf(), source: e };
    let mut bytes = Zeroizing::new(Vec::new());
    std::fs::File::open(path).map_err(unreadable)?.take(MAX_KEY_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(Error::InvalidInput(format!(
            "{} is too large to be an age key file (more than {} KiB)",
            path.display(),
            MAX_KEY_FILE_BYTES / 1024
        )));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::InvalidInput(format!("{} is not a text file, so not an age key file", path.display())))?;
    parse_identity_file(text)
}

/// Parses an `age1…` recipient string, accepting native X25519 recipients only
/// (plugin recipients would run external programs).
pub fn parse_recipient(s: &str) -> Result<age::x25519::Recipient> {
    age::x25519::Recipient::from_str(s.trim())
        .map_err(|e| Error::InvalidInput(format!("'{s}' is not an age X25519 recipient (age1…): {e}")))
}

/// An age X25519 recipient, parsed once where it enters (a command-line
/// argument, a form field), kept with the text it was given as (trimmed),
/// which is what custody events record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    text: String,
    key: age::x25519::Recipient,
}

impl std::str::FromStr for Recipient {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(Recipient { key: parse_recipient(s)?, text: s.trim().to_string() })
    }
}

impl Recipient {
    /// The recipient as given (`age1…`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The key.
    pub fn key(&self) -> &age::x25519::Recipient {
        &self.key
    }
}

impl std::fmt::Display for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Parses an `AGE-SECRET-KEY-1…` identity (the first such line of a key file).
pub fn parse_identity_file(text: &str) -> Result<age::x25519::Identity> {
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .ok_or_else(|| Error::InvalidInput("no AGE-SECRET-KEY-1… line in the identity file".into()))
        .and_then(|l| {
            age::x25519::Identity::from_str(l).map_err(|e| Error::InvalidInput(format!("bad age identity: {e}")))
        })
}
