//! What verification reports: findings, each with a severity, a stable kind,
//! what is wrong and what to do. The vault's verification, the custody log's
//! and a bundle's all add to one list of these.

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Integrity is broken.
    Error,
    /// Worth attention; integrity of exhibits is not affected.
    Warning,
}

/// One problem found.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Severity.
    pub severity: Severity,
    /// The exhibit concerned, if any.
    pub exhibit: Option<String>,
    /// Stable machine-readable kind (e.g. `object_missing`).
    pub kind: FindingKind,
    /// The custody event concerned, if any.
    pub event: Option<u64>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub action: String,
}

/// What a finding is about, stable for scripts (serialised as its
/// snake_case name, e.g. `object_missing`).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// An exhibit's object is not in the vault.
    ObjectMissing,
    /// An exhibit's object cannot be read.
    ObjectUnreadable,
    /// An object does not decrypt and authenticate under the vault key.
    ObjectAuthentication,
    /// An object's ciphertext no longer hashes to its name.
    ObjectHashMismatch,
    /// An exhibit's decrypted content no longer has its intake hash.
    ContentHashMismatch,
    /// An object of the vault's key has no exhibit row (an exhibit's record was lost).
    LostExhibitObject,
    /// An object-named file that is not this vault's.
    UnknownObject,
    /// A file among the objects that is no object.
    UnknownFile,
    /// An object this session stored whose exhibit is not committed yet.
    UncommittedObject,
    /// An object in a write-once bucket whose retention was shortened or
    /// removed, whose lock mode was weakened, or whose legal hold was lifted.
    ObjectLockWeakened,
    /// The version of an object the catalog records is not in the bucket,
    /// or no version is recorded for it.
    ObjectVersionMissing,
    /// Something was written over an object's name in the bucket (a later
    /// version or a delete marker); reads still get the recorded version.
    ObjectOverwritten,
    /// An object an interrupted intake left in a write-once bucket, which
    /// keeps it until its retention date; never referenced, never trusted.
    StrayBucketObject,
    /// A firm vault's database tables do not hold what this copy holds: a
    /// row lost, added or changed there, or a sealed value that does not open
    /// in its place.
    CatalogDiffers,
    /// A partial object left by an interrupted write.
    PartialObject,
    /// A quarantined file without a custody event saying why.
    QuarantineUnlogged,
    /// The database fails its integrity check.
    DatabaseIntegrity,
    /// The plaintext configuration and the keys disagree.
    ConfigKeysMismatch,
    /// The verification itself could not be logged.
    VerificationNotLogged,
    /// The custody log's index (by exhibit, action, time) disagrees with the signed events.
    EventIndexMismatch,
    /// A table derived from the catalog (counts, word index, suggestions)
    /// disagrees with it.
    DerivedTableMismatch,
    /// Running an extractor again on an exhibit no longer gives the output
    /// its derivation recorded (a changed tool, or a changed record).
    DerivationChanged,
    /// Custody events are missing from the sequence.
    CustodySequenceGap,
    /// A custody event sits at another position than its own.
    CustodyEventMisplaced,
    /// A custody event cannot be read.
    CustodyEventUnreadable,
    /// A custody event's signature does not verify.
    CustodyEventSignature,
    /// A custody line of a bundle is not a valid signed event of its log.
    CustodyEventInvalid,
    /// Custody events no signed checkpoint covers.
    CustodyEventsUnsealed,
    /// A checkpoint covers more events than the log holds.
    CustodyLogTruncated,
    /// A line of a bundle's custody record cannot be read.
    CustodyLineUnreadable,
    /// A bundle's custody record disagrees with its load file.
    CustodyRecordMismatch,
    /// A checkpoint's signature does not verify.
    CheckpointSignature,
    /// The events no longer hash to a signed root.
    CheckpointRootMismatch,
    /// Two checkpoints are not consistent: history was rewritten.
    CheckpointInconsistent,
    /// A kept checkpoint is not part of the current log.
    CheckpointNotInLog,
    /// A bundle has no custody checkpoint.
    CheckpointMissing,
    /// A bundle's checkpoint is signed by another key than its events.
    CheckpointKeyMismatch,
    /// A bundle's checkpoint has no SSH signature.
    CheckpointSealMissing,
    /// A bundle's checkpoint SSH signature does not verify.
    CheckpointSealInvalid,
    /// A bundle has no seal.
    SealMissing,
    /// A bundle's seal does not verify.
    SealInvalid,
    /// The seal names another identity than the bundle.
    SealIdentityMismatch,
    /// The seal key is not pinned (or not the pinned one).
    SealKeyNotPinned,
    /// The tag manifest cannot be read.
    TagManifestInvalid,
    /// A tag file listed in the tag manifest is missing.
    TagFileMissing,
    /// A tag file cannot be read.
    TagFileUnreadable,
    /// A tag file no longer has its listed hash.
    TagFileChanged,
    /// A tag file not listed in the sealed tag manifest.
    TagFileUnsealed,
    /// A payload file listed in the manifest is missing.
    PayloadMissing,
    /// A payload file cannot be read.
    PayloadUnreadable,
    /// A payload file no longer has its listed hash.
    PayloadChanged,
    /// A payload file not listed in the manifest.
    PayloadUnlisted,
    /// The payload's byte and file count differ from the bag's Payload-Oxum.
    PayloadOxum,
    /// The bundle has no load file.
    LoadFileMissing,
    /// The load file cannot be parsed.
    LoadFileInvalid,
    /// A native's hash differs from the load file's.
    LoadFileHashMismatch,
    /// A native named by the load file is missing.
    NativeMissing,
    /// A native the load file does not name.
    NativeNotInLoadFile,
    /// The search-term report a bundle carries is not what its term list
    /// finds in the produced documents.
    SearchReportMismatch,
    /// The privilege log and the load file's withheld documents disagree.
    PrivilegeLogMismatch,
    /// The image load file (OPT) or the page records cannot be read.
    ImageLoadFileInvalid,
    /// The image load file, the load file and the page records disagree
    /// (a document's first page, its page count, a page missing from one).
    ImageLoadFileMismatch,
    /// A page's image is not in the bundle.
    PageImageMissing,
    /// A page's image is not the one its page record gives (swapped,
    /// replaced or altered).
    PageImageMismatch,
    /// A time-stamp token or its record is invalid.
    TimestampInvalid,
    /// A stored time-stamp token does not verify.
    TimestampTokenInvalid,
    /// A timestamped checkpoint has no token.
    TimestampTokenMissing,
    /// A time-stamp token's authority is not trusted.
    TimestampUntrusted,
    /// Tokens were checked, but not against a trusted authority.
    TimestampTrustUnchecked,
    /// A timestamped checkpoint is not a prefix of the current one.
    TimestampInconsistent,
    /// A timestamped checkpoint's history was rewritten.
    TimestampCheckpointRewritten,
}

impl FindingKind {
    /// The stable name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::ObjectMissing => "object_missing",
            FindingKind::ObjectUnreadable => "object_unreadable",
            FindingKind::ObjectAuthentication => "object_authentication",
            FindingKind::ObjectHashMismatch => "object_hash_mismatch",
            FindingKind::ContentHashMismatch => "content_hash_mismatch",
            FindingKind::LostExhibitObject => "lost_exhibit_object",
            FindingKind::UnknownObject => "unknown_object",
            FindingKind::UnknownFile => "unknown_file",
            FindingKind::UncommittedObject => "uncommitted_object",
            FindingKind::ObjectLockWeakened => "object_lock_weakened",
            FindingKind::ObjectVersionMissing => "object_version_missing",
            FindingKind::ObjectOverwritten => "object_overwritten",
            FindingKind::StrayBucketObject => "stray_bucket_object",
            FindingKind::CatalogDiffers => "catalog_differs",
            FindingKind::PartialObject => "partial_object",
            FindingKind::QuarantineUnlogged => "quarantine_unlogged",
            FindingKind::DatabaseIntegrity => "database_integrity",
            FindingKind::ConfigKeysMismatch => "config_keys_mismatch",
            FindingKind::VerificationNotLogged => "verification_not_logged",
            FindingKind::EventIndexMismatch => "event_index_mismatch",
            FindingKind::DerivedTableMismatch => "derived_table_mismatch",
            FindingKind::DerivationChanged => "derivation_changed",
            FindingKind::CustodySequenceGap => "custody_sequence_gap",
            FindingKind::CustodyEventMisplaced => "custody_event_misplaced",
            FindingKind::CustodyEventUnreadable => "custody_event_unreadable",
            FindingKind::CustodyEventSignature => "custody_event_signature",
            FindingKind::CustodyEventInvalid => "custody_event_invalid",
            FindingKind::CustodyEventsUnsealed => "custody_events_unsealed",
            FindingKind::CustodyLogTruncated => "custody_log_truncated",
            FindingKind::CustodyLineUnreadable => "custody_line_unreadable",
            FindingKind::CustodyRecordMismatch => "custody_record_mismatch",
            FindingKind::CheckpointSignature => "checkpoint_signature",
            FindingKind::CheckpointRootMismatch => "checkpoint_root_mismatch",
            FindingKind::CheckpointInconsistent => "checkpoint_inconsistent",
            FindingKind::CheckpointNotInLog => "checkpoint_not_in_log",
            FindingKind::CheckpointMissing => "checkpoint_missing",
            FindingKind::CheckpointKeyMismatch => "checkpoint_key_mismatch",
            FindingKind::CheckpointSealMissing => "checkpoint_seal_missing",
            FindingKind::CheckpointSealInvalid => "checkpoint_seal_invalid",
            FindingKind::SealMissing => "seal_missing",
            FindingKind::SealInvalid => "seal_invalid",
            FindingKind::SealIdentityMismatch => "seal_identity_mismatch",
            FindingKind::SealKeyNotPinned => "seal_key_not_pinned",
            FindingKind::TagManifestInvalid => "tag_manifest_invalid",
            FindingKind::TagFileMissing => "tag_file_missing",
            FindingKind::TagFileUnreadable => "tag_file_unreadable",
            FindingKind::TagFileChanged => "tag_file_changed",
            FindingKind::TagFileUnsealed => "tag_file_unsealed",
            FindingKind::PayloadMissing => "payload_missing",
            FindingKind::PayloadUnreadable => "payload_unreadable",
            FindingKind::PayloadChanged => "payload_changed",
            FindingKind::PayloadUnlisted => "payload_unlisted",
            FindingKind::PayloadOxum => "payload_oxum",
            FindingKind::LoadFileMissing => "load_file_missing",
            FindingKind::LoadFileInvalid => "load_file_invalid",
            FindingKind::LoadFileHashMismatch => "load_file_hash_mismatch",
            FindingKind::NativeMissing => "native_missing",
            FindingKind::NativeNotInLoadFile => "native_not_in_load_file",
            FindingKind::SearchReportMismatch => "search_report_mismatch",
            FindingKind::PrivilegeLogMismatch => "privilege_log_mismatch",
            FindingKind::ImageLoadFileInvalid => "image_load_file_invalid",
            FindingKind::ImageLoadFileMismatch => "image_load_file_mismatch",
            FindingKind::PageImageMissing => "page_image_missing",
            FindingKind::PageImageMismatch => "page_image_mismatch",
            FindingKind::TimestampInvalid => "timestamp_invalid",
            FindingKind::TimestampTokenInvalid => "timestamp_token_invalid",
            FindingKind::TimestampTokenMissing => "timestamp_token_missing",
            FindingKind::TimestampUntrusted => "timestamp_untrusted",
            FindingKind::TimestampTrustUnchecked => "timestamp_trust_unchecked",
            FindingKind::TimestampInconsistent => "timestamp_inconsistent",
            FindingKind::TimestampCheckpointRewritten => "timestamp_checkpoint_rewritten",
        }
    }
}

impl std::fmt::Display for FindingKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for FindingKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Quick or full.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VerifyMode {
    /// Objects present and named by their ciphertext hash, no unknown objects,
    /// database integrity, custody log.
    Quick,
    /// Quick, plus decrypting every object and comparing plaintext hashes.
    Full,
}
