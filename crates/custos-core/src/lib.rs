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
//! use custos_core::{CreateOptions, IntakeOptions, NoProgress, SystemClock, Vault, VerifyMode};
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
//! let report = vault.add(&["exhibits/".into()], &IntakeOptions::default(), &NoProgress)?;
//! println!("{} stored, {} duplicates", report.stored(), report.duplicates());
//! assert!(vault.verify(VerifyMode::Full, &NoProgress)?.ok);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod agefile;
pub mod atomic;
pub mod clock;
pub mod custody;
mod db;
mod direct;
mod error;
mod failpoint;
pub mod export;
#[doc(hidden)]
pub mod floor;
mod intake;
pub mod keys;
mod merkle;
pub mod names;
mod objects;
mod outside_partials;
mod pipeline;
pub mod progress;
pub mod timestamp;
mod vault;
mod verify;

#[cfg(test)]
mod tests;

pub use age;
pub use clock::{Clock, SteppingClock, SystemClock};
pub use custody::{Action, Checkpoint, CustodyEvent};
pub use error::{Error, Result};
pub use intake::{IntakeOptions, IntakeReport};
pub use progress::{FileOutcome, NoProgress, Progress};
pub use timestamp::{AutoTimestamp, StampOutcome, StoredTimestamp, TimestampSettings, TrustedTsaCa, TsaUrl};
pub use vault::{CreateOptions, Exhibit, ExhibitDetail, FORMAT_VERSION, MatterInfo, ReceivedRecord, SourceRecord, Unlock, Vault, VaultConfig, probe};
pub use verify::{Anchors, Finding, Severity, VerifyMode, VerifyReport};

/// The tool name and version recorded in custody events.
pub const TOOL: &str = concat!("custos ", env!("CARGO_PKG_VERSION"));
