//! The tamper-evident custody log: signed events as leaves of an RFC 6962
//! Merkle tree, with a signed checkpoint after every transaction.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

/// Domain separation for event signatures.
const EVENT_CONTEXT: &[u8] = b"custos-event-v1\n";

/// The actions the log records. Stored as their snake_case names.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// The vault was created.
    VaultCreated,
    /// The vault was unlocked.
    VaultUnlocked,
    /// An exhibit was collected (taken in).
    Collected,
    /// Content already in the vault was collected again from another source.
    DuplicateSourceRecorded,
    /// An exhibit's description or tags changed.
    MetadataEdited,
    /// An exhibit was viewed.
    Viewed,
    /// An exhibit's bytes were written out of the vault.
    Extracted,
    /// A verification ran.
    Verified,
    /// An object with no exhibit was moved to quarantine.
    StrayObjectQuarantined,
    /// The passphrase changed.
    PassphraseChanged,
    /// A sealed bundle was exported.
    Exported,
    /// A bundle was imported (custody received).
    Received,
    /// A vault setting changed (e.g. the exhibit-number prefix).
    SettingChanged,
    /// A partial file that an interrupted export or extraction left outside
    /// the vault (plaintext) was removed.
    PartialOutputRemoved,
    /// A producer vault's seal key was pinned on first sight of one of its productions.
    ProducerKeyPinned,
    /// The user explicitly accepted a new seal key for a producer vault (old
    /// key, new key and the reason given are recorded).
    ProducerKeyAccepted,
    /// An RFC 3161 time-stamp authority countersigned a checkpoint.
    Timestamped,
    /// Something was derived from an exhibit by an extractor: an item found
    /// inside it (a new exhibit or a new source of one), its metadata, its
    /// text, or its text by OCR.
    Derived,
}

impl Action {
    /// The stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::VaultCreated => "vault_created",
            Action::VaultUnlocked => "vault_unlocked",
            Action::Collected => "collected",
            Action::DuplicateSourceRecorded => "duplicate_source_recorded",
            Action::MetadataEdited => "metadata_edited",
            Action::Viewed => "viewed",
            Action::Extracted => "extracted",
            Action::Verified => "verified",
            Action::StrayObjectQuarantined => "stray_object_quarantined",
            Action::PassphraseChanged => "passphrase_changed",
            Action::Exported => "exported",
            Action::Received => "received",
            Action::SettingChanged => "setting_changed",
            Action::PartialOutputRemoved => "partial_output_removed",
            Action::ProducerKeyPinned => "producer_key_pinned",
            Action::ProducerKeyAccepted => "producer_key_accepted",
            Action::Timestamped => "timestamped",
            Action::Derived => "derived",
        }
    }
}

/// One custody event as stored (its canonical JSON is what is signed and hashed).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustodyEvent {
    /// Position in the log, from 1, without gaps.
    pub seq: u64,
    /// UTC time, RFC 3339 with microseconds.
    pub time: String,
    /// What happened.
    pub action: Action,
    /// The exhibit concerned, if any.
    pub exhibit: Option<String>,
    /// Who performed it (the examiner of the session).
    pub actor: String,
    /// For transfers: who released the evidence.
    pub released_by: Option<String>,
    /// For transfers: who received it.
    pub received_by: Option<String>,
    /// Purpose or authority.
    pub purpose: Option<String>,
    /// Method used.
    pub method: Option<String>,
    /// Tool and version.
    pub tool: String,
    /// Hash algorithm of `hash_before`/`hash_after`.
    pub hash_algorithm: Option<String>,
    /// Hash before the action (e.g. of the source).
    pub hash_before: Option<String>,
    /// Hash after the action (e.g. of the stored copy).
    pub hash_after: Option<String>,
    /// Whether the two hashes match.
    pub hashes_match: Option<bool>,
    /// Where (host name).
    pub location: Option<String>,
    /// Action-specific details.
    pub details: serde_json::Value,
}

impl CustodyEvent {
    /// Parses a stored event's body (event `seq` in errors).
    pub(crate) fn parse(seq: i64, body: &[u8]) -> crate::Result<CustodyEvent> {
        serde_json::from_slice(body).map_err(|e| crate::Error::Custody(format!("event {seq} cannot be read: {e}")))
    }

    /// The details read as `T`, if they are one.
    pub(crate) fn details_as<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        T::deserialize(&self.details).ok()
    }
}

/// An event to append: everything but what the log fills in itself.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewEvent {
    /// What happened (required).
    pub action: Option<Action>,
    /// The exhibit concerned.
    pub exhibit: Option<String>,
    /// For transfers.
    pub released_by: Option<String>,
    /// For transfers.
    pub received_by: Option<String>,
    /// Purpose or authority.
    pub purpose: Option<String>,
    /// Method.
    pub method: Option<String>,
    /// Hash algorithm.
    pub hash_algorithm: Option<String>,
    /// Hash before.
    pub hash_before: Option<String>,
    /// Hash after.
    pub hash_after: Option<String>,
    /// Details.
    pub details: Option<serde_json::Value>,
}

impl NewEvent {
    /// An event of `action`.
    pub fn new(action: Action) -> Self {
        Self { action: Some(action), ..Default::default() }
    }
    /// Names the exhibit.
    pub fn exhibit(mut self, id: impl Into<String>) -> Self {
        self.exhibit = Some(id.into());
        self
    }
    /// Records a SHA-256 before and after.
    pub fn sha256(mut self, before: impl Into<String>, after: impl Into<String>) -> Self {
        self.hash_algorithm = Some("SHA-256".into());
        self.hash_before = Some(before.into());
        self.hash_after = Some(after.into());
        self
    }
    /// Sets the details.
    pub(crate) fn details(mut self, d: impl super::details::EventDetails) -> Self {
        self.details = Some(d.to_value());
        self
    }
    /// Sets the method.
    pub fn method(mut self, m: Option<String>) -> Self {
        self.method = m;
        self
    }
    /// Sets the purpose.
    pub fn purpose(mut self, p: Option<String>) -> Self {
        self.purpose = p;
        self
    }
}

/// The text a checkpoint signature covers.
pub fn checkpoint_message(vault_id: &str, tree_size: u64, root: &[u8; 32], time: &str) -> String {
    format!("custos-checkpoint-v1\n{vault_id}\n{tree_size}\n{}\n{time}\n", hex::encode(root))
}

fn event_message(body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(EVENT_CONTEXT.len() + body.len());
    m.extend_from_slice(EVENT_CONTEXT);
    m.extend_from_slice(body);
    m
}

/// Signs an event's canonical body (with the event context).
pub(crate) fn sign_event(key: &SigningKey, body: &[u8]) -> Signature {
    key.sign(&event_message(body))
}

/// Whether `signature` (64 bytes) is `key`'s signature of the event `body`.
pub(crate) fn event_signature_verifies(key: &VerifyingKey, body: &[u8], signature: &[u8]) -> bool {
    <[u8; 64]>::try_from(signature).is_ok_and(|b| key.verify(&event_message(body), &Signature::from_bytes(&b)).is_ok())
}

/// One stored event as read: sequence number, canonical body, signature.
pub(crate) type RawEvent = (i64, Vec<u8>, Vec<u8>);

/// A signed checkpoint of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Number of events covered.
    pub tree_size: u64,
    /// RFC 6962 root, hex.
    pub root: String,
    /// When it was made.
    pub time: String,
    /// Ed25519 signature over [`checkpoint_message`], hex.
    pub signature: String,
}

impl Checkpoint {
    /// The root as bytes, if it is 32 bytes of hex.
    pub(crate) fn root_bytes(&self) -> Option<[u8; 32]> {
        hex::decode(&self.root).ok().and_then(|r| <[u8; 32]>::try_from(r).ok())
    }

    /// Whether the signature is `key`'s over this checkpoint of vault `vault_id`.
    pub fn signature_verifies(&self, key: &VerifyingKey, vault_id: &str) -> bool {
        let sig = hex::decode(&self.signature).ok().and_then(|s| <[u8; 64]>::try_from(s).ok());
        match (self.root_bytes(), sig) {
            (Some(root), Some(sig)) => {
                key.verify(checkpoint_message(vault_id, self.tree_size, &root, &self.time).as_bytes(), &Signature::from_bytes(&sig)).is_ok()
            }
            _ => false,
        }
    }
}

/// The format name of a checkpoint kept outside the vault.
pub const CHECKPOINT_FORMAT: &str = "custos-checkpoint-v1";

/// A checkpoint as kept outside the vault: printed by `custos checkpoint`,
/// carried in a bundle as `data/custody/checkpoint.json`. It names its vault
/// and the vault's public key, so it can be checked on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCheckpoint {
    /// [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// The vault whose log it covers.
    pub vault_id: String,
    /// The vault's Ed25519 public key, hex.
    pub signing_key: String,
    /// Events covered.
    pub tree_size: u64,
    /// RFC 6962 root, hex.
    pub root: String,
    /// When it was made.
    pub time: String,
    /// Ed25519 signature over [`checkpoint_message`], hex.
    pub signature: String,
}

impl SignedCheckpoint {
    /// `checkpoint` of vault `vault_id` whose public key is `signing_key` (hex).
    pub fn new(vault_id: &str, signing_key: &str, checkpoint: Checkpoint) -> Self {
        SignedCheckpoint {
            format: CHECKPOINT_FORMAT.into(),
            vault_id: vault_id.into(),
            signing_key: signing_key.into(),
            tree_size: checkpoint.tree_size,
            root: checkpoint.root,
            time: checkpoint.time,
            signature: checkpoint.signature,
        }
    }

    /// Parses one, refusing another format.
    pub fn parse(bytes: &[u8]) -> std::result::Result<Self, String> {
        let k: SignedCheckpoint = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if k.format != CHECKPOINT_FORMAT {
            return Err(format!("unknown checkpoint format '{}'", k.format));
        }
        Ok(k)
    }

    /// The checkpoint without its vault's names.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint { tree_size: self.tree_size, root: self.root.clone(), time: self.time.clone(), signature: self.signature.clone() }
    }

    /// The public key it names, if it is one.
    pub fn verifying_key(&self) -> Option<VerifyingKey> {
        hex::decode(&self.signing_key).ok().and_then(|k| <[u8; 32]>::try_from(k).ok()).and_then(|k| VerifyingKey::from_bytes(&k).ok())
    }
}
