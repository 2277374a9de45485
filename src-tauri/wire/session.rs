//! The session: app settings, the start screen, creating and opening vaults,
//! locking, and the open vault's time-stamping settings.

use custos_core::MatterInfo;
use serde::{Deserialize, Serialize};
use specta::Type;

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

/// What the settings screen saves about time stamping of the open vault.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SaveTimestampSettings {
    /// The RFC 3161 authorities to keep (http:// or https://), in order.
    pub tsa_urls: Vec<String>,
    /// Whether intake and export stamp on their own.
    pub automatic: custos_core::AutoTimestamp,
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
    /// The examiner its custody events are recorded under now (in a firm
    /// vault, the person whose key opened it).
    pub examiner: String,
    /// In a firm vault's copy, the database its catalog and custody log are in.
    pub firm: Option<String>,
}

/// Make a copy of a firm matter on this machine and open it.
/// (No `Debug`: it carries a passphrase.)
#[derive(Clone, Deserialize, Type)]
pub struct JoinFirmRequest {
    /// Selection token of the firm config file (from `pick_paths` with `firm_config`).
    pub config: String,
    /// The matter's vault id (from `firm_matters`).
    pub vault_id: String,
    /// Selection token of an empty folder for the copy (from `pick_paths` with `new_vault`).
    pub folder: String,
    /// The person's own passphrase to the matter (wrapped as a secret on arrival).
    pub passphrase: String,
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
