//! What crosses the IPC boundary: every argument, result and event type of
//! the app's commands, and the one error type. TypeScript definitions are
//! generated from these (see `export_bindings`).

use custos_core::{CustodyEvent, Exhibit, ExhibitDetail, FileOutcome, MatterInfo};
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
            E::InvalidInput(_) => ErrorCode::InvalidInput,
            E::Cancelled => ErrorCode::Cancelled,
            E::Io { .. } => ErrorCode::Io,
            E::ProducerKeyChanged { .. } => ErrorCode::ProducerKeyChanged,
            _ => ErrorCode::Internal,
        };
        WireError::new(code, e.to_string())
    }
}

/// Result of every command.
pub type Res<T> = Result<T, WireError>;

/// App-wide settings (kept in the app's config folder, not in a vault).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Settings {
    /// The examiner recorded as actor of every custody event of a session.
    pub examiner: String,
    /// Minutes without activity before the vault locks itself (0 = never).
    pub idle_lock_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self { examiner: String::new(), idle_lock_minutes: 15 }
    }
}

/// What the settings screen saves.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SaveSettings {
    /// Examiner name.
    pub examiner: String,
    /// Idle lock time in minutes (0 = never, at most 480).
    pub idle_lock_minutes: u32,
    /// New exhibit-number prefix for the open vault, if it should change.
    pub exhibit_prefix: Option<String>,
}

/// A vault opened before. Only the folder and the vault's random id are kept
/// (no matter name: the list lives outside the encrypted vault).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct RecentVault {
    /// The vault's random id.
    pub vault_id: String,
    /// The vault folder.
    pub path: String,
    /// When it was last opened here (UTC, RFC 3339).
    pub last_opened: String,
    /// Whether the folder still holds that vault.
    pub available: bool,
}

/// What the start screen needs.
#[derive(Debug, Clone, Serialize, Type)]
pub struct AppInfo {
    /// App version.
    pub version: String,
    /// Settings.
    pub settings: Settings,
    /// Recently opened vaults, newest first.
    pub recent: Vec<RecentVault>,
    /// The open vault, if one is unlocked.
    pub open: Option<VaultSummary>,
    /// Whether paths may be typed (set by `CUSTOS_ALLOW_TYPED_PATHS=1` at
    /// launch, for automated tests; otherwise paths come only from native
    /// dialogs and drag and drop).
    pub typed_paths: bool,
}

/// The unlocked vault.
#[derive(Debug, Clone, Serialize, Type)]
pub struct VaultSummary {
    /// The matter.
    pub matter: MatterInfo,
    /// The vault folder.
    pub path: String,
    /// Whether this is the demo matter.
    pub demo: bool,
}

/// What a native dialog is for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PickPurpose {
    /// An existing vault folder to open.
    OpenVault,
    /// An empty or new folder for a new vault.
    NewVault,
    /// Files to take in.
    IntakeFiles,
    /// A folder to take in.
    IntakeFolder,
    /// A bundle file (`.zip` or age-encrypted `.zip.age`) to check or import.
    BundleFile,
    /// An extracted bundle folder to check or import.
    BundleFolder,
    /// An age identity file (`AGE-SECRET-KEY-1…`) that decrypts a bundle.
    IdentityFile,
}

/// Paths the user picked in a native dialog or dropped on the window,
/// held by the backend; the web view refers to them by `token` only.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Selection {
    /// One-time reference to the paths.
    pub token: String,
    /// The paths, for display.
    pub paths: Vec<String>,
}

/// Emitted when files or folders are dropped on the window.
#[derive(Debug, Clone, Serialize, Type, tauri_specta::Event)]
pub struct DropEvent {
    /// The dropped paths, held by the backend.
    pub selection: Selection,
}

/// Why the vault was locked.
#[derive(Debug, Clone, Copy, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum LockReason {
    /// The user locked it.
    User,
    /// No activity for the configured time.
    Idle,
}

/// Emitted when the vault locks.
#[derive(Debug, Clone, Serialize, Type, tauri_specta::Event)]
pub struct LockedEvent {
    /// Why.
    pub reason: LockReason,
}

/// Create a vault.
/// (No `Debug`: it carries a passphrase.)
#[derive(Clone, Deserialize, Type)]
pub struct CreateVaultRequest {
    /// Selection token of the folder (from `pick_paths` with `new_vault`).
    pub folder: String,
    /// Matter name.
    pub matter: String,
    /// Matter number.
    pub matter_number: Option<String>,
    /// Examiner.
    pub examiner: String,
    /// Passphrase (wrapped as a secret on arrival; never sent back).
    pub passphrase: String,
    /// Optional escrow recipient (`age1…`).
    pub recovery_recipient: Option<String>,
    /// Exhibit-number prefix (default `EX-`).
    pub exhibit_prefix: Option<String>,
}

/// Which vault to open.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VaultTarget {
    /// One of the recent vaults, by vault id.
    Recent {
        /// Vault id.
        vault_id: String,
    },
    /// A folder picked in a native dialog.
    Selection {
        /// Selection token.
        token: String,
    },
}

/// Custodian with how many exhibits.
#[derive(Debug, Clone, Serialize, Type)]
pub struct CustodianCount {
    /// Custodian name ("" for none recorded).
    pub name: String,
    /// Exhibits.
    pub exhibits: u32,
}

/// The latest verification, from the custody log.
#[derive(Debug, Clone, Serialize, Type)]
pub struct LastVerification {
    /// When.
    pub time: String,
    /// `quick` or `full`.
    pub mode: String,
    /// Whether it passed.
    pub ok: bool,
    /// Errors found.
    pub errors: u32,
    /// Warnings found.
    pub warnings: u32,
    /// Who ran it.
    pub actor: String,
}

/// The matter dashboard.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Dashboard {
    /// The matter.
    pub matter: MatterInfo,
    /// Exhibits.
    pub exhibits: u32,
    /// Total plaintext size.
    pub total_bytes: u64,
    /// Custody events.
    pub events: u32,
    /// Custodians, most exhibits first.
    pub custodians: Vec<CustodianCount>,
    /// Latest verification, if any.
    pub last_verification: Option<LastVerification>,
    /// The latest custody events, newest first.
    pub recent_events: Vec<CustodyEvent>,
    /// Productions made from this vault, newest first.
    pub productions: Vec<custos_core::export::ProductionRecord>,
}

/// One exhibit with its custody history.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ExhibitView {
    /// Everything recorded about it.
    pub detail: ExhibitDetail,
    /// Its custody events, oldest first.
    pub events: Vec<CustodyEvent>,
}

/// Change description and tags of one exhibit.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct EditRequest {
    /// Exhibit id.
    pub id: String,
    /// New description, if it changes.
    pub description: Option<String>,
    /// Tags to add.
    pub add_tags: Vec<String>,
    /// Tags to remove.
    pub remove_tags: Vec<String>,
}

/// Tag or untag many exhibits.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct TagRequest {
    /// Exhibit ids.
    pub ids: Vec<String>,
    /// Tags to add.
    pub add_tags: Vec<String>,
    /// Tags to remove.
    pub remove_tags: Vec<String>,
}

/// How a preview is shown.
#[derive(Debug, Clone, Copy, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PreviewKind {
    /// An image, shown with `<img>` from the preview URL (SVG included: an
    /// image element never runs its scripts).
    Image,
    /// A PDF, rendered by pdf.js from the preview URL.
    Pdf,
    /// Text, in `text`.
    Text,
    /// HTML, its source in `text`, shown as text (nothing in it runs or loads).
    Html,
    /// An e-mail message, parsed, in `email`.
    Email,
    /// No preview for this type or size; `reason` says why.
    None,
}

/// A parsed e-mail message for display (as text only).
#[derive(Debug, Clone, Serialize, Type)]
pub struct EmailPreview {
    /// From.
    pub from: String,
    /// To.
    pub to: String,
    /// Cc.
    pub cc: String,
    /// Date header.
    pub date: String,
    /// Subject.
    pub subject: String,
    /// The plain-text body (or the HTML body as text).
    pub body: String,
    /// Attachment names.
    pub attachments: Vec<String>,
}

/// An exhibit preview. Viewing is a custody event.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Preview {
    /// How to show it.
    pub kind: PreviewKind,
    /// MIME type.
    pub mime: String,
    /// URL on the preview protocol (image, PDF).
    pub url: Option<String>,
    /// Text content (text, HTML source).
    pub text: Option<String>,
    /// Whether `text` was cut short.
    pub truncated: bool,
    /// The parsed message (e-mail).
    pub email: Option<EmailPreview>,
    /// Why there is no preview (none).
    pub reason: Option<String>,
}

/// Take in files.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct IntakeRequest {
    /// Selection tokens (dialog picks or drops).
    pub selections: Vec<String>,
    /// Whose evidence.
    pub custodian: Option<String>,
    /// Device or account.
    pub source: Option<String>,
    /// How collected.
    pub method: Option<String>,
    /// Why (purpose or authority).
    pub purpose: Option<String>,
    /// Description of each new exhibit.
    pub description: Option<String>,
    /// Tags of each new exhibit.
    pub tags: Vec<String>,
    /// Decrypt and compare each object before acknowledging (default on).
    pub verify_after_copy: bool,
}

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
    /// Bytes done so far in total.
    Progress {
        /// Bytes done.
        bytes: u64,
    },
    /// One file is finished.
    FileDone {
        /// The file.
        path: String,
        /// What happened.
        outcome: FileOutcome,
    },
}

/// One file of an intake.
#[derive(Debug, Clone, Serialize, Type)]
pub struct IntakeFile {
    /// The file.
    pub path: String,
    /// What happened.
    pub outcome: FileOutcome,
}

/// The result of an intake.
#[derive(Debug, Clone, Serialize, Type)]
pub struct IntakeSummary {
    /// New exhibits.
    pub stored: u32,
    /// Sources recorded against existing exhibits.
    pub duplicates: u32,
    /// Files not taken in.
    pub failed: u32,
    /// Whether it was cancelled.
    pub cancelled: bool,
    /// Every file.
    pub files: Vec<IntakeFile>,
    /// Automatic time stamping that failed after the intake (the intake stands).
    pub warnings: Vec<String>,
}

/// What the settings screen saves about time stamping of the open vault.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SaveTimestampSettings {
    /// The RFC 3161 authorities to keep (http:// or https://), in order.
    pub tsa_urls: Vec<String>,
    /// Whether intake and export stamp on their own.
    pub automatic: custos_core::AutoTimestamp,
}

/// Where the web view may save a text file it made (CSV of the custody log).
#[derive(Debug, Clone, Deserialize, Type)]
pub struct SaveTextRequest {
    /// Suggested file name.
    pub suggested_name: String,
    /// The content.
    pub content: String,
}

/// Load-file encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum DatEncodingChoice {
    /// UTF-8 with byte-order mark (the default).
    Utf8,
    /// Windows-1252, for older review platforms.
    Windows1252,
}

/// What to export and how (the wizard's choices).
/// (No `Debug`: it carries a passphrase.)
#[derive(Clone, Deserialize, Type)]
pub struct ExportOptions {
    /// Hand-picked exhibit ids (all exhibits when empty and no filter).
    pub exhibits: Vec<String>,
    /// Only exhibits with this tag.
    pub tag: Option<String>,
    /// Only exhibits of this custodian.
    pub custodian: Option<String>,
    /// Bates prefix.
    pub bates_prefix: String,
    /// First Bates number (default: the next free one under the prefix).
    pub bates_start: Option<u64>,
    /// Digits of the number.
    pub bates_width: u32,
    /// Encrypt to these age recipients (`age1…`).
    pub recipients: Vec<String>,
    /// Or to this passphrase (wrapped as a secret on arrival; never sent back).
    pub passphrase: Option<String>,
    /// Load-file encoding.
    pub dat_encoding: DatEncodingChoice,
    /// Producing organisation (firm) for bag-info.txt and the documents.
    pub organization: Option<String>,
}

/// Write a bundle.
/// (No `Debug`: it carries a passphrase.)
#[derive(Clone, Deserialize, Type)]
pub struct ExportBundleRequest {
    /// The choices, with the reviewed exhibits listed by id and the reviewed
    /// first number (so what is written is what was reviewed).
    pub options: ExportOptions,
    /// The first Bates number the user reviewed; refused if it changed.
    pub expect_first: String,
    /// The last Bates number the user reviewed; refused if it changed.
    pub expect_last: String,
    /// Selection token of the destination file (from `pick_destination`).
    pub destination: String,
}

/// A bundle written.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ExportResult {
    /// Where it is.
    pub path: String,
    /// SHA-256 of the file as written.
    pub bundle_sha256: String,
    /// Size of the file.
    pub bundle_bytes: u64,
    /// First Bates number.
    pub bates_first: String,
    /// Last Bates number.
    pub bates_last: String,
    /// Exhibits produced.
    pub exhibits: u32,
    /// Whether it is age-encrypted.
    pub encrypted: bool,
    /// The seal key's fingerprint.
    pub signer_fingerprint: String,
    /// The identity for `ssh-keygen -Y verify -I`.
    pub signer_identity: String,
    /// The bag folder inside the zip.
    pub bag: String,
    /// Checks passed while writing.
    pub qc: Vec<String>,
}

/// A bundle to check or import, and how to decrypt it.
/// (No `Debug`: it carries a passphrase.)
#[derive(Clone, Deserialize, Type)]
pub struct BundleSource {
    /// Selection token of the bundle file or folder.
    pub bundle: String,
    /// Selection token of an age identity file, for a bundle encrypted to a key.
    pub identity: Option<String>,
    /// The passphrase of a passphrase-encrypted bundle (wrapped as a secret on arrival; never sent back).
    pub passphrase: Option<String>,
    /// The seal key fingerprint (`SHA256:…`) the producing party gave out of
    /// band; empty or absent: not pinned.
    pub expect_key: Option<String>,
}

/// The user's explicit acceptance of a producer's new seal key.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct AcceptNewKey {
    /// The new key's fingerprint, typed by the user (`SHA256:…`); must be the bundle's key.
    pub fingerprint: String,
    /// Why it is accepted (who confirmed it, and how); logged.
    pub reason: String,
}

/// The result of checking a bundle.
#[derive(Debug, Clone, Serialize, Type)]
pub struct BundleCheck {
    /// The bundle checked.
    pub path: String,
    /// SHA-256 of the bundle file, or of its tag manifest for a folder.
    pub bundle_sha256: String,
    /// Whether the bundle is an extracted folder (then `bundle_sha256` is the
    /// tag manifest's hash, not a file's).
    pub folder: bool,
    /// Every finding.
    pub report: custos_core::export::BundleReport,
}

/// One produced exhibit taken in.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ImportedExhibit {
    /// Its Bates number.
    pub bates: String,
    /// What became of it here.
    pub outcome: FileOutcome,
}

/// The result of an import.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ImportSummary {
    /// SHA-256 of the bundle.
    pub bundle_sha256: String,
    /// The sender's seal key fingerprint.
    pub sender_fingerprint: String,
    /// The sender's seal identity.
    pub sender_identity: String,
    /// How the sender's key stands against the key pinned for its vault.
    pub producer_key: custos_core::export::ProducerKey,
    /// Whether the user pinned the key for this import (a fingerprint given).
    pub key_expected: bool,
    /// New exhibits.
    pub stored: u32,
    /// Exhibits already here (the sender's record was added to them).
    pub duplicates: u32,
    /// Each produced exhibit.
    pub exhibits: Vec<ImportedExhibit>,
}

/// An exhibit row for the table.
pub type ExhibitRow = Exhibit;
