//! What crosses the IPC boundary: every argument, result and event type of
//! the app's commands, and the one error type, by domain as the commands
//! are. TypeScript definitions are generated from these (see
//! `export_bindings`).

mod exhibits;
mod export;
mod import;
mod intake;
mod paths;
mod session;

pub use exhibits::*;
pub use export::*;
pub use import::*;
pub use intake::*;
pub use paths::*;
pub use session::*;

use custos_core::FileOutcome;
use serde::{Deserialize, Serialize};
use specta::Type;

/// Stable error codes; the UI branches on these only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The passphrase did not open the key file.
    WrongPassphrase,
    /// The key file is damaged or asks for absurd scrypt work.
    DamagedKeyFile,
    /// The folder is not a Custos vault.
    NotAVault,
    /// The vault or its database is of a version this app does not know.
    UnsupportedVersion,
    /// The vault database is damaged.
    DamagedDatabase,
    /// Another Custos process has the vault open.
    VaultInUse,
    /// A vault already exists where one was to be created.
    AlreadyExists,
    /// A stored object is missing or failed authentication.
    ObjectDamaged,
    /// No such exhibit.
    NotFound,
    /// An input file could not be read or changed while being read.
    Input,
    /// An argument is invalid (the message says which and why).
    InvalidInput,
    /// The job was cancelled.
    Cancelled,
    /// A file-system error.
    Io,
    /// A production arrived from a producer vault under a seal key other than
    /// the one pinned for it; the UI offers to accept the new key explicitly.
    ProducerKeyChanged,
    /// No vault is open (never opened, locked on demand or after idle time).
    Locked,
    /// Another long job (intake, verification) is running.
    Busy,
    /// A file selection is unknown or was already used.
    StaleSelection,
    /// The operation is not allowed in this app session.
    NotAllowed,
    /// Anything else.
    Internal,
}

/// The one error every command returns: a stable code and a message for people.
#[derive(Debug, Clone, Serialize, Deserialize, Type, thiserror::Error)]
#[error("{message}")]
pub struct WireError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
}

impl WireError {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl From<custos_core::Error> for WireError {
    fn from(e: custos_core::Error) -> Self {
        use custos_core::Error as E;
        let code = match &e {
            E::WrongPassphrase => ErrorCode::WrongPassphrase,
            E::ExcessiveWorkFactor { .. } | E::DamagedKeyFile { .. } => ErrorCode::DamagedKeyFile,
            E::NotAVault { .. } => ErrorCode::NotAVault,
            E::UnknownFormatVersion { .. } | E::SchemaTooNew { .. } => ErrorCode::UnsupportedVersion,
            E::DamagedDatabase(_) => ErrorCode::DamagedDatabase,
            E::VaultBusy(_) => ErrorCode::VaultInUse,
            E::AlreadyExists(_) => ErrorCode::AlreadyExists,
            E::ObjectAuthentication { .. } | E::ObjectMissing(_) => ErrorCode::ObjectDamaged,
            E::NoSuchExhibit(_) => ErrorCode::NotFound,
            E::Input { .. } | E::SourceChanged { .. } => ErrorCode::Input,
            E::InvalidInput(_) | E::InvalidQuery(_) => ErrorCode::InvalidInput,
            E::Cancelled => ErrorCode::Cancelled,
            E::Io { .. } | E::ObjectStore(_) | E::Catalog(_) => ErrorCode::Io,
            E::ProducerKeyChanged { .. } => ErrorCode::ProducerKeyChanged,
            _ => ErrorCode::Internal,
        };
        WireError::new(code, e.to_string())
    }
}

/// Result of every command.
pub type Res<T> = Result<T, WireError>;

/// Progress of a long job, streamed over a channel.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum JobEvent {
    /// Total work known.
    Begin {
        /// Files.
        files: u64,
        /// Bytes.
        bytes: u64,
    },
    /// Work on one file started.
    FileStarted {
        /// The file (or exhibit).
        path: String,
        /// Its size.
        size: u64,
    },
    /// Work done so far in total.
    Progress {
        /// Bytes done.
        bytes: u64,
        /// Items finished (files taken in, exhibits checked or tagged).
        items: u64,
    },
    /// One file is finished.
    FileDone {
        /// The file.
        path: String,
        /// What happened.
        outcome: FileOutcome,
    },
}
