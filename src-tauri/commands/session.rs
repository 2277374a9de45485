//! The session: the start screen, creating, opening and locking vaults, the
//! recent list, app settings, activity and the running job.

use super::{blocking, one_held, opt, secret};
use crate::demo;
use crate::state::{AppState, OpenVault, Use};
use crate::wire::{
    AppInfo, CreateVaultRequest, ErrorCode, JoinFirmRequest, LockReason, LockedEvent, Res, SaveSettings, Settings, VaultSummary, VaultTarget, WireError,
};
use custos_core::{CreateOptions, SystemClock, Unlock, Vault};
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tauri::AppHandle;
use tauri_specta::Event;

/// Version, settings, recent vaults and the open vault.
#[tauri::command]
#[specta::specta]
pub async fn app_info(app: AppHandle) -> Res<AppInfo> {
    blocking(app, |_, s| {
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").into(),
            settings: s.settings(),
            recent: s.recent(),
            open: s.summary(),
            typed_paths: s.typed_paths,
        })
    })
    .await
}

/// The user is active: postpones the idle lock.
#[tauri::command]
#[specta::specta]
pub fn keep_alive(state: tauri::State<'_, AppState>) {
    state.touch();
}

/// Stops the running intake, verification, export, import or bundle check as soon as it safely can.
#[tauri::command]
#[specta::specta]
pub fn cancel_job(state: tauri::State<'_, AppState>) -> bool {
    state.cancel_running()
}

/// Creates a vault in an empty folder and opens it.
#[tauri::command]
#[specta::specta]
pub async fn create_vault(app: AppHandle, request: CreateVaultRequest) -> Res<VaultSummary> {
    blocking(app, move |_, s| {
        let new = NewVault::checked(s, request)?;
        let vault = Vault::create(&new.root, &new.options, &new.passphrase, Arc::new(SystemClock))?;
        let _ = s.take(&new.folder, Use::VaultFolder);
        keep_first_examiner(s, &new.options.examiner)?;
        start(s, &new.root, OpenVault { vault, demo: false })
    })
    .await
}

/// Unlocks a vault with its passphrase.
#[tauri::command]
#[specta::specta]
pub async fn open_vault(app: AppHandle, target: VaultTarget, passphrase: String) -> Res<VaultSummary> {
    blocking(app, move |_, s| {
        let passphrase = secret(passphrase);
        let (root, token) = match target {
            VaultTarget::Recent { vault_id } => (s.recent_path(&vault_id)?, None),
            VaultTarget::Selection { token } => (vault_folder(s, &token)?, Some(token)),
        };
        let examiner = s.settings().examiner;
        // A firm vault's events name the person whose key opens it.
        let firm = custos_core::probe(&root).is_ok_and(|c| c.firm.is_some());
        let actor = Some(examiner.as_str()).filter(|e| !e.trim().is_empty() && !firm);
        let vault = Vault::open(&root, &Unlock::Passphrase(passphrase), actor, Arc::new(SystemClock))?;
        if let Some(t) = token {
            let _ = s.take(&t, Use::VaultFolder);
        }
        let demo = root == s.demo_dir;
        start(s, &root, OpenVault { vault, demo })
    })
    .await
}

/// The matters whose catalogs the firm database in a firm config holds.
#[tauri::command]
#[specta::specta]
pub async fn firm_matters(app: AppHandle, config: String) -> Res<Vec<custos_core::FirmMatter>> {
    blocking(app, move |_, s| {
        let catalog = firm_catalog(s, &config)?;
        Ok(custos_core::firm_matters(&catalog)?)
    })
    .await
}

/// Makes a copy of a firm matter in an empty folder, opened with the
/// person's own passphrase, and opens it.
#[tauri::command]
#[specta::specta]
pub async fn join_firm(app: AppHandle, request: JoinFirmRequest) -> Res<VaultSummary> {
    blocking(app, move |_, s| {
        let JoinFirmRequest { config, vault_id, folder, passphrase } = request;
        let passphrase = secret(passphrase);
        let catalog = firm_catalog(s, &config)?;
        let root = vault_folder(s, &folder)?;
        let vault = Vault::join_firm(&root, &catalog, Some(vault_id.trim()), &Unlock::Passphrase(passphrase), None, Arc::new(SystemClock))?;
        let _ = s.take(&folder, Use::VaultFolder);
        let _ = s.take(&config, Use::FirmConfig);
        start(s, &root, OpenVault { vault, demo: false })
    })
    .await
}

/// The `[catalog]` of the firm config a selection holds.
fn firm_catalog(s: &AppState, token: &str) -> Res<custos_core::firm_config::CatalogConfig> {
    let path = one_held(s, token, Use::FirmConfig, "choose one firm config file")?;
    let config = custos_core::firm_config::FirmConfig::from_file(&path)?;
    config.catalog.ok_or_else(|| WireError::new(ErrorCode::InvalidInput, format!("{} has no [catalog] section", path.display())))
}

/// Opens the demo matter, creating it from the bundled sample documents the
/// first time.
#[tauri::command]
#[specta::specta]
pub async fn open_demo(app: AppHandle) -> Res<VaultSummary> {
    blocking(app, |_, s| {
        let vault = demo::open_or_create(&s.demo_dir, &s.settings().examiner)?;
        start(s, &s.demo_dir, OpenVault { vault, demo: true })
    })
    .await
}

/// Locks the vault now: keys are wiped from memory.
#[tauri::command]
#[specta::specta]
pub async fn lock_vault(app: AppHandle) -> Res<()> {
    blocking(app, |app, s| {
        s.cancel_running();
        if s.lock_session()? {
            let _ = LockedEvent { reason: LockReason::User }.emit(app);
        }
        Ok(())
    })
    .await
}

/// Removes a vault from the recent list (its folder is not touched).
#[tauri::command]
#[specta::specta]
pub async fn forget_recent(app: AppHandle, vault_id: String) -> Res<()> {
    blocking(app, move |_, s| s.forget(&vault_id)).await
}

/// Saves app settings and, with a vault open, its exhibit-number prefix.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(app: AppHandle, request: SaveSettings) -> Res<Settings> {
    blocking(app, move |_, s| {
        let (settings, exhibit_prefix) = checked_settings(request)?;
        if let Some(prefix) = exhibit_prefix {
            s.with_vault(|o| Ok(o.vault.set_exhibit_prefix(&prefix)?))?;
        }
        if s.summary().is_some_and(|v| v.firm.is_none()) {
            // The open vault records the new examiner from now on (a firm
            // vault's events name the person whose key opened it).
            s.with_vault(|o| Ok(o.vault.set_actor(&settings.examiner)?))?;
        }
        s.set_settings(settings.clone())?;
        Ok(settings)
    })
    .await
}

/// A new vault's folder, passphrase and options, checked.
struct NewVault {
    /// Selection token of the folder (taken once the vault exists).
    folder: String,
    root: PathBuf,
    passphrase: SecretString,
    options: CreateOptions,
}

impl NewVault {
    /// Checks the request: a matter name, an examiner (given or from the
    /// settings), the passphrase rule and one folder.
    fn checked(s: &AppState, request: CreateVaultRequest) -> Res<NewVault> {
        let CreateVaultRequest { folder, matter, matter_number, examiner, passphrase, recovery_recipient, exhibit_prefix } = request;
        let passphrase = secret(passphrase);
        if matter.trim().is_empty() {
            return Err(WireError::new(ErrorCode::InvalidInput, "the matter name is required"));
        }
        let examiner = examiner_or_settings(s, &examiner);
        if examiner.is_empty() {
            return Err(WireError::new(ErrorCode::InvalidInput, "the examiner's name is required"));
        }
        custos_core::keys::check_passphrase(&passphrase)?;
        let root = vault_folder(s, &folder)?;
        let mut options = CreateOptions::new(matter.trim(), examiner);
        options.matter_number = opt(matter_number);
        options.recovery_recipient = opt(recovery_recipient).map(|r| r.parse()).transpose()?;
        if let Some(p) = opt(exhibit_prefix) {
            options.exhibit_prefix = p;
        }
        Ok(NewVault { folder, root, passphrase, options })
    }
}

/// The examiner given, or the one in the settings when none is.
fn examiner_or_settings(s: &AppState, given: &str) -> String {
    let given = given.trim();
    if given.is_empty() { s.settings().examiner } else { given.to_string() }
}

/// The first vault made here names the examiner of later sessions.
fn keep_first_examiner(s: &AppState, examiner: &str) -> Res<()> {
    if s.settings().examiner.is_empty() {
        let mut settings = s.settings();
        settings.examiner = examiner.to_string();
        s.set_settings(settings)?;
    }
    Ok(())
}

/// The one folder of a vault-folder selection, left held.
fn vault_folder(s: &AppState, token: &str) -> Res<PathBuf> {
    one_held(s, token, Use::VaultFolder, "choose exactly one folder")
}

/// Makes an unlocked vault the session's, first in the recent list.
fn start(s: &AppState, root: &Path, open: OpenVault) -> Res<VaultSummary> {
    s.remember(&open.vault.config().vault_id, root)?;
    s.install(open)?;
    Ok(s.summary().expect("just installed"))
}

/// The settings to save and the new exhibit-number prefix, if any, checked.
fn checked_settings(request: SaveSettings) -> Res<(Settings, Option<String>)> {
    if request.idle_lock_minutes > 480 {
        return Err(WireError::new(ErrorCode::InvalidInput, "the idle lock time must be at most 480 minutes (0 turns it off)"));
    }
    let examiner = request.examiner.trim().to_string();
    if examiner.is_empty() {
        return Err(WireError::new(ErrorCode::InvalidInput, "the examiner's name is required"));
    }
    Ok((Settings { examiner, idle_lock_minutes: request.idle_lock_minutes }, opt(request.exhibit_prefix)))
}
