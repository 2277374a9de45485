//! Custos vault core: an encrypted, tamper-evident evidence vault.
//!
//! A vault is a folder per matter. Exhibit bytes are encrypted with
//! [age](https://age-encryption.org) to the vault's X25519 key and stored
//! write-once under the SHA-256 of their ciphertext; metadata lives in a
//! SQLCipher database; every action is a signed custody event, a leaf of an
//! RFC 6962 Merkle tree with a signed checkpoint after each transaction. The
//! on-disk format and its invariants are in `DESIGN.md` at the repository root.
//!
//! ```no_run
//! use custos_core::{CreateOptions, IntakeInputs, IntakeOptions, NoProgress, SystemClock, Vault, VerifyMode};
//! use age::secrecy::SecretString;
//! use std::sync::Arc;
//!
//! # fn main() -> custos_core::Result<()> {
//! let pass = SecretString::from("correct horse battery staple".to_string());
//! let mut vault = Vault::create(
//!     "matter-vault".as_ref(),
//!     &CreateOptions::new("Acme v. Doe", "Pat Paralegal"),
//!     &pass,
//!     Arc::new(SystemClock),
//! )?;
//! let inputs = IntakeInputs::collect(&["exhibits/".into()])?;
//! let report = vault.add(&inputs, &IntakeOptions::default(), &NoProgress)?;
//! println!("{} stored, {} duplicates", report.stored(), report.duplicates());
//! assert!(vault.verify(VerifyMode::Full, &NoProgress)?.ok);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// Shared by every floor: errors, time, progress reports, fault injection.
pub mod clock;
mod error;
mod failpoint;
#[doc(hidden)]
pub mod floor;
pub mod progress;

// The floors, each depending only on those listed before it.
pub mod format;
pub(crate) mod store;
pub mod bundle;
pub(crate) mod ops;

pub use format::{atomic, custody, firm_config, keys, names, objects_config};
pub use store::{FirmMatter, FirmMember, MemberKey, MovedCatalog};
pub use store::firm::vault::firm_matters;
pub use ops::timestamp;
pub use ops::reports;
pub use ops::move_objects::MovedObjects;

/// Producing a sealed bundle and receiving one: the requests, plans and
/// reports of the export and import operations, and the bundle types they use.
pub mod export {
    pub use crate::bundle::{
        Bundle, BundleReport, DatDelimiters, DatEncoding, PinnedKeys, SealKeyFingerprint, SealKeyPinning, dat, model, read,
        timestamps, verify,
    };
    pub use crate::ops::bundle_search::{bundle_search_report, check_search_report, verify_bundle, verify_bundle_trusting, verify_bundle_with};
    pub use crate::ops::export::plan::{ExportPlan, PlannedExhibit};
    pub use crate::store::productions::ProductionRecord;
    pub use crate::ops::export::ExportReport;
    pub use crate::ops::export::numbering::BatesPlan;
    pub use crate::ops::export::request::{CheckedExport, ExportRequest, selection_digest};
    pub use crate::ops::export::images::ImageProfile;
    pub use crate::ops::export::pages::ImagePreview;
    pub use crate::bundle::images::{OptLine, PageRecord, parse_opt};
    pub use custos_documents::imaging::{Corner, Endorsements, Stamp};
    pub use crate::ops::import::{ImportReport, KeyAcceptance, ProducerKey, SealKeyTrust, bundle_sha256};
    pub use crate::store::counsel::CounselKey;
}

#[cfg(test)]
mod tests;

pub use age;
pub use clock::{Clock, SteppingClock, SystemClock};
pub use custody::{Action, Checkpoint, CustodyEvent};
pub use error::{Error, Result};
pub use ops::intake::{IntakeInputs, IntakeOptions, IntakeReport, IntakeSuggestions};
pub use progress::{FileOutcome, NoProgress, Progress};
pub use ops::timestamp::{AutoTimestamp, StampOutcome, StoredTimestamp, TimestampSettings, TrustedTsaCa, TsaUrl};
pub use store::{CreateOptions, Exhibit, ExhibitDetail, FORMAT_VERSION, MatterInfo, ReceivedRecord, SourceRecord, Unlock, Vault, VaultConfig, probe};
pub use format::finding::{Finding, FindingKind, Severity};
pub use ops::dashboard::{CustodianCount, Dashboard, LastVerification};
pub use ops::edit::TAG_BATCH;
pub use ops::process::{ProcessOptions, ProcessOutcome, ProcessReport, ProcessRound, ProcessRun, RoundWorker, WorkedRound};
pub use store::{Derivation, FamilyMember, FamilyPlace, MetadataValue, ProcessingState};
pub use custos_extract::Limits as ProcessLimits;
pub use store::windows::{CustodianFilter, CustodyQuery, CustodyWindow, Direction, ExhibitOrder, ExhibitQuery, ExhibitWindow, MAX_WINDOW};
pub use store::audit::{TimelineEvent, TimelineQuery};
pub use store::timeline::{MAX_VIEW_EVENTS, TimelineBucket, TimelineUnit, TimelineView, buckets as timeline_buckets};
pub use store::search::{MAX_HITS, SearchHit, SearchReport, TermCount};
pub use store::saved::{AuditMapping, SavedMapping, SavedSearch};
pub use format::designation::{Designation, PrivilegeBasis};
pub use ops::privilege_log::{PrivilegeLogRow, privilege_log_csv};
pub use ops::audit_mapping::{MappedExport, MappingSaved};
pub use format::details::SearchSelection;
pub use ops::verify::{Anchors, VerifyMode, VerifyReport};

/// The tool name and version recorded in custody events.
pub const TOOL: &str = concat!("custos ", env!("CARGO_PKG_VERSION"));
