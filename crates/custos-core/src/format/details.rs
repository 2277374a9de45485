//! What each kind of custody event records in its `details`, typed per
//! action. An event's details are written as the JSON of these types (object
//! keys in sorted order, as before) and read back through them; the signed
//! bytes of events written earlier are never re-encoded.

use super::finding::VerifyMode;
use super::tsp::settings::{AutoTimestamp, TsaUrl};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Details an event can carry.
pub trait EventDetails: Serialize + DeserializeOwned {
    /// The JSON value stored in the event.
    fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("event details serialise")
    }
}

macro_rules! details {
    ($($t:ty),* $(,)?) => { $(impl EventDetails for $t {})* };
}

details!(
    VaultCreated,
    VaultUnlocked,
    Collected,
    StrayObject,
    MetadataEdited,
    Extracted,
    Verified,
    PassphraseChanged,
    Exported,
    Received,
    SettingChanged,
    PartialOutputRemoved,
    ProducerKey,
    Timestamped,
    Derived,
);

/// `vault_created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaultCreated {
    pub matter: String,
    pub matter_number: Option<String>,
    pub work_factor: u8,
    pub recovery_recipient: Option<String>,
    /// The vault's Ed25519 public key, hex.
    pub signing_key: String,
    /// Where the objects are kept when not in the vault folder: the S3
    /// bucket and its lock policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<String>,
}

/// `vault_unlocked`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaultUnlocked {
    /// `passphrase` or `recovery_identity`.
    pub via: String,
    pub unlocked_at: String,
}

/// `collected` and `duplicate_source_recorded`: the file as found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collected {
    pub name: String,
    pub path: String,
    /// The exact bytes of a path that is not UTF-8, hex.
    pub path_bytes_hex: Option<String>,
    pub size: u64,
    pub md5: String,
    pub sha1: Option<String>,
    pub mime: String,
    pub custodian: Option<String>,
    pub source: Option<String>,
    pub modified: Option<String>,
    pub created: Option<String>,
    pub accessed: Option<String>,
    /// The object stored for it (none when the content was already there).
    pub object: Option<String>,
    pub verify_after_copy: bool,
    /// When the evidence was gathered, as stated, if before intake (events
    /// without it were gathered at intake).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
}

/// `stray_object_quarantined`: an object (or an unfinished partial file)
/// no exhibit refers to, and what was done with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrayObject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    pub disposition: String,
}

/// `metadata_edited`: one change to an exhibit's description or tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum MetadataEdited {
    /// The description changed.
    Description { before: String, after: String },
    /// A tag was added or removed.
    Tags {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        added: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        removed: Option<String>,
    },
    /// Its designations for productions changed (privilege, withholding,
    /// the privilege log's description, confidentiality).
    Designation { before: super::designation::Designation, after: super::designation::Designation },
}

/// `extracted`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extracted {
    pub destination: String,
}

/// `verified`: the run and its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verified {
    pub mode: VerifyMode,
    pub ok: bool,
    pub exhibits: u64,
    pub events: u64,
    pub errors: u64,
    pub warnings: u64,
    /// The kinds of finding, by name.
    pub kinds: std::collections::BTreeSet<String>,
}

/// `passphrase_changed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassphraseChanged {
    pub work_factor: u8,
    /// SHA-256 of the new key file, hex.
    pub key_file_sha256: String,
}

/// `exported`: one exhibit in a production.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exported {
    pub bates: String,
    pub bundle_sha256: String,
    pub destination: String,
    pub encrypted: bool,
    /// The age recipients the bundle was encrypted to, as given.
    pub recipients: Vec<String>,
    /// The search that chose the production's exhibits, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchSelection>,
    /// The SHA-256 of the term list whose report the bundle carries, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_terms_sha256: Option<String>,
    /// Withheld on this ground: a slip sheet took its place, and it is on
    /// the production's privilege log (nothing of it was produced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withheld: Option<String>,
    /// Produced with page images: how, and the record of its pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<ExportedImages>,
}

/// A document's page images in a production: the derivation the custody
/// log records (the bundle's page records hold each page's details).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedImages {
    /// `pdf` or `tiff`.
    pub profile: String,
    /// Its pages.
    pub pages: u64,
    /// Its last page's Bates number.
    pub bates_end: String,
    /// SHA-256 of its lines of the bundle's page records, in order.
    pub records_sha256: String,
}

/// A search that chose a production's exhibits (a saved search, or a query
/// given for the export).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchSelection {
    /// The saved search's name, if it was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The query, as written.
    pub query: String,
    /// The exhibits it found (before their families were added).
    pub hits: u64,
    /// The SHA-256 of their ids in exhibit order, each followed by a line feed.
    pub hits_sha256: String,
}

/// `received`: one exhibit taken in from a sealed production.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    pub bates: String,
    pub bundle_sha256: String,
    pub sender_fingerprint: String,
    pub sender_exhibit: String,
    pub sender_events: u64,
    pub md5: String,
    pub object: Option<String>,
    pub duplicate_of_existing: bool,
}

/// `setting_changed`: which setting, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "setting", rename_all = "snake_case")]
pub enum SettingChanged {
    /// The prefix of new exhibit numbers.
    ExhibitPrefix { before: String, after: String },
    /// The time-stamp authorities kept in the vault.
    TsaUrls { before: Vec<TsaUrl>, after: Vec<TsaUrl> },
    /// Automatic time-stamping.
    AutomaticTimestamps { before: AutoTimestamp, after: AutoTimestamp },
    /// TSA CA certificates trusted.
    TsaCaTrusted { certificates: Vec<CertificateRef> },
    /// A key added to the counsel address book.
    CounselKeyAdded { name: String, recipient: String },
    /// A key removed from it.
    CounselKeyRemoved { name: String, recipient: String },
    /// A column mapping saved for audit-log exports in no known format:
    /// its name, its JSON's SHA-256 and the mapping itself.
    AuditMappingSaved { name: String, sha256: String, mapping: serde_json::Value },
    /// The exhibits' objects moved from the vault folder into a write-once
    /// S3 bucket (its location and lock policy), how many and their bytes.
    ObjectsMoved { to: String, objects: u64, bytes: u64 },
    /// The catalog and custody log moved into a firm's PostgreSQL database
    /// (where), with the people whose keys open it there.
    CatalogMoved { to: String, members: Vec<String> },
    /// A person given their own key to the firm vault (`passphrase`, or
    /// their age recipient).
    MemberAdded { name: String, key: String },
    /// A person's key removed from the firm vault.
    MemberRemoved { name: String },
}

/// A certificate named in an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateRef {
    pub subject: String,
    pub sha256: String,
}

/// `partial_output_removed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialOutputRemoved {
    /// `bundle` or `extraction`.
    pub output: String,
    pub file: String,
    pub destination: String,
    /// What was removed, in words.
    pub removed: String,
}

/// `producer_key_pinned` and `producer_key_accepted`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProducerKey {
    pub producer_vault: String,
    pub fingerprint: String,
    pub bundle_sha256: String,
    /// For an accepted new key: the key pinned before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_fingerprint: Option<String>,
    /// For an accepted new key: the key now pinned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_fingerprint: Option<String>,
}

/// `timestamped`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timestamped {
    pub tree_size: u64,
    pub tsa_url: String,
    pub gen_time: String,
    pub checkpoint_sha256: String,
    pub token_sha256: String,
}

/// `derived`: an artifact an extractor derived from an exhibit. The event's
/// `hash_before` is the input's SHA-256 and `hash_after` the output's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    /// `item` (an item found inside the exhibit: the event's exhibit is the
    /// item's), `metadata`, `text` or `ocr`.
    pub kind: String,
    /// The exhibit it was derived from.
    pub from: String,
    /// The extractor, its version and the settings that change its output.
    pub extractor: String,
    pub extractor_version: String,
    pub settings: String,
    /// For an item: where it was inside, its name, flags and order, and
    /// whether its content was new to the vault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<DerivedItem>,
    /// How many values (metadata), characters (text) or pages (OCR).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// OCR: pages whose mean word confidence is low, to review.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub low_confidence_pages: Vec<u32>,
    /// What could not be read (item or page, and why).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<(String, String)>,
}

/// Where an item was found inside its container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedItem {
    pub name: String,
    pub path: String,
    pub flags: Vec<String>,
    pub position: u32,
    /// Whether it heads a family of its own (a mailbox's message) rather
    /// than joining its container's.
    pub family_head: bool,
    pub new_content: bool,
    /// The item's size and MD5 (its SHA-256 is the event's `hash_after`),
    /// as a collection records them.
    pub size: u64,
    pub md5: String,
}
