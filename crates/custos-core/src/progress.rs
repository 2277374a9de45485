//! Progress reporting and cancellation, implemented by each front end.

use std::path::Path;

/// What happened to one file of a batch.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FileOutcome {
    /// Stored as a new exhibit (acknowledged: durable and committed).
    Stored {
        /// The new exhibit id.
        exhibit: String,
        /// Plaintext SHA-256.
        sha256: String,
    },
    /// The content was already an exhibit; this source was recorded against it.
    Duplicate {
        /// The existing exhibit id.
        exhibit: String,
        /// Plaintext SHA-256.
        sha256: String,
    },
    /// The file was not taken in.
    Failed {
        /// Why.
        reason: String,
    },
}

/// Receives progress from long operations and tells them whether to stop.
///
/// The core calls these from the thread running the operation; implementations
/// must be cheap (a front end throttles its own redraws).
pub trait Progress: Send + Sync {
    /// The total amount of work is known: `files` items, `bytes` bytes.
    fn begin(&self, _files: u64, _bytes: u64) {}
    /// Work started on one file.
    fn file_started(&self, _path: &Path, _size: u64) {}
    /// `bytes` more bytes were processed.
    fn advance(&self, _bytes: u64) {}
    /// One file is finished, with its outcome.
    fn file_done(&self, _path: &Path, _outcome: &FileOutcome) {}
    /// One item without a file outcome (an exhibit checked) is finished.
    fn item_done(&self) {}
    /// Whether the operation should stop as soon as it safely can.
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// A [`Progress`] that reports nothing and never cancels.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}
