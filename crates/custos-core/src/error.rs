//! The errors the vault core reports.

use std::path::PathBuf;

/// Everything that can go wrong in the vault core.
///
/// Cryptographic failures on exhibit objects collapse into
/// [`Error::ObjectAuthentication`] so that error detail does not leak what
/// part of a ciphertext was wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The passphrase (or recovery identity) does not open the key file.
    #[error("wrong passphrase or damaged key file: the key file could not be decrypted with it")]
    WrongPassphrase,

    /// The key file asks for more scrypt work than Custos allows.
    #[error("the key file {path} asks for scrypt work factor 2^{required}, above the limit of 2^{limit}; refusing it")]
    ExcessiveWorkFactor {
        /// The key file.
        path: PathBuf,
        /// log2 N asked for by the file.
        required: u8,
        /// The cap.
        limit: u8,
    },

    /// The key file is not a valid age file, or its contents are not Custos secrets.
    #[error("the key file {path} is damaged: {reason}")]
    DamagedKeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// The folder is not a Custos vault.
    #[error("{path} is not a Custos vault ({reason})")]
    NotAVault {
        /// The folder.
        path: PathBuf,
        /// Why it is not one.
        reason: String,
    },

    /// The vault's format version is not one this program knows.
    #[error("the vault at {path} has format version {found}; this Custos reads version {supported} only. Use a newer Custos")]
    UnknownFormatVersion {
        /// The vault folder.
        path: PathBuf,
        /// Version found.
        found: u64,
        /// Version supported.
        supported: u64,
    },

    /// The database schema is newer than this program.
    #[error("the vault database has schema version {found}, newer than this Custos knows ({supported}); it was left unchanged. Use a newer Custos")]
    SchemaTooNew {
        /// Version found.
        found: i64,
        /// Version supported.
        supported: i64,
    },

    /// The database could not be read (damaged page, wrong key, not a database).
    #[error("the vault database is damaged or unreadable: {0}")]
    DamagedDatabase(String),

    /// Another process has the vault open.
    #[error("the vault is in use by another Custos process (lock file {0})")]
    VaultBusy(PathBuf),

    /// A vault already exists where one was to be created.
    #[error("{0} already exists and is not empty; choose a new folder for the vault")]
    AlreadyExists(PathBuf),

    /// A stored object failed authentication or did not match its recorded hash.
    #[error("stored object {object} failed authentication: it is damaged or was tampered with")]
    ObjectAuthentication {
        /// The object name (SHA-256 of its ciphertext).
        object: String,
    },

    /// A stored object is missing.
    #[error("stored object {0} is missing from the vault")]
    ObjectMissing(String),

    /// No exhibit has this id.
    #[error("no exhibit {0} in this vault")]
    NoSuchExhibit(String),

    /// A path given as input does not exist or cannot be read.
    #[error("cannot read {path}: {source}")]
    Input {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },

    /// The source changed while it was being read.
    #[error("{path} changed while it was being read ({what}); it was not taken in. Take it in again once it is no longer being written")]
    SourceChanged {
        /// The path.
        path: PathBuf,
        /// What changed.
        what: String,
    },

    /// An argument is not acceptable.
    #[error("{0}")]
    InvalidInput(String),

    /// A search query that cannot be searched exactly, and why.
    #[error("the query cannot be searched exactly: {0}")]
    InvalidQuery(String),

    /// An outside program that the operation needs is not installed.
    #[error("{0}")]
    MissingTool(String),

    /// The operation was cancelled; nothing partial remains.
    #[error("cancelled")]
    Cancelled,

    /// An I/O error while writing the vault (or a destination). A full
    /// disk is named as such.
    #[error("{}", io_message(path, source))]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },

    /// A database error.
    #[error("database error: {0}")]
    Database(rusqlite::Error),

    /// Encryption failed (for example a bad recipient).
    #[error("encryption failed: {0}")]
    Encryption(String),

    /// The disk holding the vault (or a destination) has no space left.
    /// Nothing was changed: a write that ran out of space is rolled back.
    #[error("the disk holding {0} is full; nothing was changed. Free some space and try again")]
    DiskFull(PathBuf),

    /// `custos-vault.json` disagrees with the vault's encrypted records (its
    /// vault id or public keys were changed by someone who could write the
    /// folder). Nothing is written until it is restored.
    #[error("custos-vault.json in {path} has been changed: {what}. Nothing was written; restore custos-vault.json from a backup (the encrypted database and key file are authoritative)")]
    ConfigTampered {
        /// The vault folder.
        path: PathBuf,
        /// What disagrees.
        what: String,
    },

    /// A production arrived from a producer vault under a seal key other than
    /// the one pinned for that vault when its first production was received.
    /// Nothing was written.
    #[error(
        "refusing the bundle: productions of vault {producer_vault} were received here under seal key {pinned}, \
         but this bundle is sealed by key {presented}; it may have been re-made by someone else. \
         Confirm the new key's fingerprint with the producing party by another channel; if they confirm it, \
         accept it explicitly (custos import-bundle --accept-new-key {presented} --reason \"…\", or \"Accept the new key\" in the app)"
    )]
    ProducerKeyChanged {
        /// The producer vault id (from the bundle's signed checkpoint).
        producer_vault: String,
        /// The fingerprint pinned for it here.
        pinned: String,
        /// The fingerprint of the key that sealed this bundle.
        presented: String,
    },

    /// The S3 bucket holding the vault's objects could not be reached, refused
    /// a request, or answered something unexpected.
    #[error("the vault's object store: {0}")]
    ObjectStore(String),

    /// The firm catalog (PostgreSQL) could not be reached, refused a
    /// request, or holds something this copy cannot accept.
    #[error("the firm catalog: {0}")]
    Catalog(String),

    /// The custody log refused a write (it is append-only).
    #[error("custody log error: {0}")]
    Custody(String),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseCorrupt, DiskFull, NotADatabase};
        match e.sqlite_error_code() {
            Some(DatabaseCorrupt | NotADatabase) => Error::DamagedDatabase(e.to_string()),
            Some(DiskFull) => Error::DiskFull(PathBuf::from("the vault database")),
            _ => Error::Database(e),
        }
    }
}

/// The result type of the vault core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attaches a path to an I/O error.
pub(crate) trait IoContext<T> {
    /// Maps an I/O error to [`Error::Io`] naming `path`.
    fn at(self, path: &std::path::Path) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: &std::path::Path) -> Result<T> {
        self.map_err(|source| io_error(path, source))
    }
}

/// An I/O error on `path`, told apart as a full disk where it is one.
pub(crate) fn io_error(path: &std::path::Path, source: std::io::Error) -> Error {
    if is_disk_full(&source) {
        Error::DiskFull(path.to_path_buf())
    } else {
        Error::Io { path: path.to_path_buf(), source }
    }
}

fn io_message(path: &std::path::Path, source: &std::io::Error) -> String {
    if is_disk_full(source) {
        format!("the disk holding {} is full ({source})", path.display())
    } else {
        format!("I/O error on {}: {source}", path.display())
    }
}

/// Whether an I/O error says the disk (or the user's quota) is full.
pub(crate) fn is_disk_full(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded)
}

/// Whether the file system holding `path` has (almost) no space left for
/// this user: how a database error that SQLite reports only as "disk I/O
/// error" is recognised as a full disk.
pub(crate) fn no_space_left(path: &std::path::Path) -> bool {
    let dir = if path.is_dir() { path } else { path.parent().unwrap_or(std::path::Path::new(".")) };
    match rustix::fs::statvfs(dir) {
        Ok(s) => s.f_bavail.saturating_mul(s.f_frsize) < 64 * 1024,
        Err(_) => false,
    }
}

/// Maps a database error, naming a full disk as such rather than as damage.
pub(crate) fn db_error(e: rusqlite::Error, db: &std::path::Path) -> Error {
    use rusqlite::ErrorCode::{DiskFull, SystemIoFailure, CannotOpen};
    match e.sqlite_error_code() {
        Some(DiskFull) => Error::DiskFull(db.to_path_buf()),
        Some(SystemIoFailure | CannotOpen) if no_space_left(db) => Error::DiskFull(db.to_path_buf()),
        _ => Error::from(e),
    }
}
