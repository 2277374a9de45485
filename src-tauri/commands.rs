//! The commands the web view calls. Each is a thin adapter: take the state,
//! call the vault core off the UI thread, map the error.

use crate::demo;
use crate::preview;
use crate::progress::{vault_job, vaultless_job};
use crate::state::{AppState, OpenVault, Use};
use crate::wire::*;
use custos_core::export::{
    Bundle, CounselKey, DatEncoding, ExportPlan, ExportRequest, KeyAcceptance, PinnedKeys, ProductionRecord, SealKeyFingerprint, SealKeyTrust,
};
use custos_core::{
    CreateOptions, CustodyEvent, FileOutcome, IntakeOptions, SystemClock, Unlock, Vault, VerifyMode, VerifyReport,
};
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::DialogExt;
use tauri_specta::Event;

/// Runs blocking work on a worker thread with the app state.
async fn blocking<T: Send + 'static>(app: AppHandle, f: impl FnOnce(&AppHandle, &AppState) -> Res<T> + Send + 'static) -> Res<T> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        f(&app, &state)
    })
    .await
    .map_err(|e| WireError::new(ErrorCode::Internal, format!("background task failed: {e}")))?
}

/// Wraps a passphrase that arrived over IPC as a secret and wipes the
/// string it came in (all of its buffer, not only its length).
fn secret(mut s: String) -> SecretString {
    let out = SecretString::from(s.as_str());
    zeroize::Zeroize::zeroize(&mut s);
    out
}

fn opt(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

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

/// Opens a native dialog; the picked paths stay in the backend.
#[tauri::command]
#[specta::specta]
pub async fn pick_paths(app: AppHandle, purpose: PickPurpose) -> Res<Option<Selection>> {
    blocking(app, move |app, s| {
        let dialog = app.dialog().file();
        let picked: Option<Vec<PathBuf>> = match purpose {
            PickPurpose::OpenVault => dialog.set_title("Open a Custos vault folder").blocking_pick_folder().map(|p| vec![p]).map(paths),
            PickPurpose::NewVault => dialog.set_title("Choose an empty folder for the new vault").blocking_pick_folder().map(|p| vec![p]).map(paths),
            PickPurpose::IntakeFolder => dialog.set_title("Choose a folder to take in").blocking_pick_folder().map(|p| vec![p]).map(paths),
            PickPurpose::IntakeFiles => dialog.set_title("Choose files to take in").blocking_pick_files().map(paths),
            PickPurpose::BundleFile => dialog
                .set_title("Choose a bundle")
                .add_filter("Bundles (.zip, .age)", &["zip", "age"])
                .blocking_pick_file()
                .map(|p| vec![p])
                .map(paths),
            PickPurpose::BundleFolder => dialog.set_title("Choose an extracted bundle folder").blocking_pick_folder().map(|p| vec![p]).map(paths),
            PickPurpose::IdentityFile => dialog.set_title("Choose the age key file (AGE-SECRET-KEY-1…)").blocking_pick_file().map(|p| vec![p]).map(paths),
        }
        .transpose()?;
        let purpose = match purpose {
            PickPurpose::OpenVault | PickPurpose::NewVault => Use::VaultFolder,
            PickPurpose::IntakeFiles | PickPurpose::IntakeFolder => Use::Intake,
            PickPurpose::BundleFile | PickPurpose::BundleFolder => Use::Bundle,
            PickPurpose::IdentityFile => Use::Key,
        };
        Ok(picked.filter(|p| !p.is_empty()).map(|p| s.hold(purpose, p)))
    })
    .await
}

fn paths(list: Vec<tauri_plugin_dialog::FilePath>) -> Res<Vec<PathBuf>> {
    list.into_iter()
        .map(|p| p.into_path().map_err(|e| WireError::new(ErrorCode::InvalidInput, format!("not a local path: {e}"))))
        .collect()
}

/// A typed path, accepted only when the app was started with
/// `CUSTOS_ALLOW_TYPED_PATHS=1` (automated tests drive no native dialogs).
#[tauri::command]
#[specta::specta]
pub async fn typed_path(app: AppHandle, path: String) -> Res<Selection> {
    blocking(app, move |_, s| {
        if !s.typed_paths {
            return Err(WireError::new(ErrorCode::NotAllowed, "paths can only be chosen in a dialog or dropped on the window"));
        }
        let p = PathBuf::from(path.trim());
        if !p.is_absolute() {
            return Err(WireError::new(ErrorCode::InvalidInput, format!("{} is not an absolute path", p.display())));
        }
        Ok(s.hold(Use::Typed, vec![p]))
    })
    .await
}

/// The one folder of a selection; the selection stays until `s.take` after success.
fn one_path(s: &AppState, token: &str) -> Res<PathBuf> {
    let mut p = s.peek(token, Use::VaultFolder)?;
    if p.len() != 1 {
        return Err(WireError::new(ErrorCode::InvalidInput, "choose exactly one folder"));
    }
    Ok(p.remove(0))
}

fn examiner_or(s: &AppState, given: &str) -> String {
    let given = given.trim();
    if given.is_empty() { s.settings().examiner } else { given.to_string() }
}

/// Creates a vault in an empty folder and opens it.
#[tauri::command]
#[specta::specta]
pub async fn create_vault(app: AppHandle, request: CreateVaultRequest) -> Res<VaultSummary> {
    blocking(app, move |_, s| {
        let CreateVaultRequest { folder, matter, matter_number, examiner, passphrase, recovery_recipient, exhibit_prefix } = request;
        let passphrase = secret(passphrase);
        if matter.trim().is_empty() {
            return Err(WireError::new(ErrorCode::InvalidInput, "the matter name is required"));
        }
        let examiner = examiner_or(s, &examiner);
        if examiner.is_empty() {
            return Err(WireError::new(ErrorCode::InvalidInput, "the examiner's name is required"));
        }
        custos_core::keys::check_passphrase(&passphrase)?;
        let root = one_path(s, &folder)?;
        let mut opts = CreateOptions::new(matter.trim(), examiner.clone());
        opts.matter_number = opt(matter_number);
        opts.recovery_recipient = opt(recovery_recipient);
        if let Some(p) = opt(exhibit_prefix) {
            opts.exhibit_prefix = p;
        }
        let vault = Vault::create(&root, &opts, &passphrase, Arc::new(SystemClock))?;
        let _ = s.take(&folder, Use::VaultFolder);
        if s.settings().examiner.is_empty() {
            let mut set = s.settings();
            set.examiner = examiner;
            s.set_settings(set)?;
        }
        s.remember(&vault.config().vault_id, &root)?;
        s.install(OpenVault { vault, demo: false })?;
        Ok(s.summary().expect("just installed"))
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
            VaultTarget::Selection { token } => (one_path(s, &token)?, Some(token)),
        };
        let examiner = s.settings().examiner;
        let actor = Some(examiner.as_str()).filter(|e| !e.trim().is_empty());
        let demo = root == s.demo_dir;
        let vault = Vault::open(&root, &Unlock::Passphrase(passphrase), actor, Arc::new(SystemClock))?;
        if let Some(t) = token {
            let _ = s.take(&t, Use::VaultFolder);
        }
        s.remember(&vault.config().vault_id, &root)?;
        s.install(OpenVault { vault, demo })?;
        Ok(s.summary().expect("just installed"))
    })
    .await
}

/// Opens the demo matter, creating it from the bundled sample documents the
/// first time.
#[tauri::command]
#[specta::specta]
pub async fn open_demo(app: AppHandle) -> Res<VaultSummary> {
    blocking(app, |_, s| {
        let vault = demo::open_or_create(&s.demo_dir, &s.settings().examiner)?;
        s.remember(&vault.config().vault_id, &s.demo_dir)?;
        s.install(OpenVault { vault, demo: true })?;
        Ok(s.summary().expect("just installed"))
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

/// Counts, custodians, last verification, recent events and productions.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(app: AppHandle) -> Res<Dashboard> {
    blocking(app, |_, s| {
        s.with_vault(|o| {
            let list = o.vault.list()?;
            let log = o.vault.custody_log(None)?;
            let productions = o.vault.productions()?;
            Ok(build_dashboard(o.vault.matter().clone(), &list, &log, productions))
        })
    })
    .await
}

/// The dashboard's figures from the exhibit list and the custody log.
/// The dashboard's figures from the exhibit list, the custody log and the
/// productions (oldest first, as the vault lists them).
pub fn build_dashboard(
    matter: custos_core::MatterInfo,
    list: &[custos_core::Exhibit],
    log: &[CustodyEvent],
    mut productions: Vec<ProductionRecord>,
) -> Dashboard {
    productions.reverse();
    let mut custodians: std::collections::BTreeMap<String, u32> = Default::default();
    for e in list {
        *custodians.entry(e.custodian.clone().unwrap_or_default()).or_default() += 1;
    }
    let mut custodians: Vec<CustodianCount> = custodians.into_iter().map(|(name, exhibits)| CustodianCount { name, exhibits }).collect();
    custodians.sort_by(|a, b| b.exhibits.cmp(&a.exhibits).then(a.name.cmp(&b.name)));
    let last_verification = log.iter().rev().find(|e| e.action == custos_core::Action::Verified).map(|e| {
        let d = &e.details;
        let num = |k: &str| d.get(k).and_then(|v| v.as_u64()).unwrap_or(0) as u32;
        LastVerification {
            time: e.time.clone(),
            mode: d.get("mode").and_then(|v| v.as_str()).unwrap_or("").into(),
            ok: d.get("ok").and_then(|v| v.as_bool()).unwrap_or(false),
            errors: num("errors"),
            warnings: num("warnings"),
            actor: e.actor.clone(),
        }
    });
    Dashboard {
        matter,
        exhibits: list.len() as u32,
        total_bytes: list.iter().map(|e| e.size).sum(),
        events: log.len() as u32,
        custodians,
        last_verification,
        recent_events: log.iter().rev().take(12).cloned().collect(),
        productions,
    }
}

/// Every exhibit.
#[tauri::command]
#[specta::specta]
pub async fn list_exhibits(app: AppHandle) -> Res<Vec<ExhibitRow>> {
    blocking(app, |_, s| s.with_vault(|o| Ok(o.vault.list()?))).await
}

/// One exhibit with its sources and custody events.
#[tauri::command]
#[specta::specta]
pub async fn exhibit_detail(app: AppHandle, id: String) -> Res<ExhibitView> {
    blocking(app, move |_, s| {
        s.with_vault(|o| Ok(ExhibitView { detail: o.vault.show(&id)?, events: o.vault.custody_log(Some(&id))? }))
    })
    .await
}

/// Changes one exhibit's description and tags (each change logged).
#[tauri::command]
#[specta::specta]
pub async fn edit_exhibit(app: AppHandle, request: EditRequest) -> Res<ExhibitView> {
    blocking(app, move |_, s| {
        s.with_vault(|o| {
            o.vault.edit(&request.id, request.description.as_deref(), &request.add_tags, &request.remove_tags)?;
            Ok(ExhibitView { detail: o.vault.show(&request.id)?, events: o.vault.custody_log(Some(&request.id))? })
        })
    })
    .await
}

/// Adds and removes tags on many exhibits. Every id is checked first, so a
/// bad id changes nothing.
#[tauri::command]
#[specta::specta]
pub async fn tag_exhibits(app: AppHandle, request: TagRequest) -> Res<u32> {
    blocking(app, move |_, s| {
        s.with_vault(|o| {
            if request.ids.is_empty() {
                return Err(WireError::new(ErrorCode::InvalidInput, "select at least one exhibit"));
            }
            for id in &request.ids {
                o.vault.show(id)?;
            }
            for id in &request.ids {
                o.vault.edit(id, None, &request.add_tags, &request.remove_tags)?;
            }
            Ok(request.ids.len() as u32)
        })
    })
    .await
}

/// Decrypts an exhibit into memory for display (a `viewed` custody event).
#[tauri::command]
#[specta::specta]
pub async fn preview_exhibit(app: AppHandle, id: String) -> Res<Preview> {
    blocking(app, move |_, s| {
        let (mime, name, size) = s.with_vault(|o| {
            let e = o.vault.show(&id)?.exhibit;
            Ok((e.mime, e.name, e.size))
        })?;
        let kind = preview::kind_for(&mime, &name);
        if matches!(kind, PreviewKind::None) {
            return Ok(preview::none(&mime, format!("No preview for {mime} files. Extract the exhibit to open it in its own program.")));
        }
        if size > preview::MAX_PREVIEW {
            return Ok(preview::none(&mime, format!("The exhibit is {size} bytes, more than a preview shows; extract it to open it.")));
        }
        let bytes = s.with_vault(|o| Ok(o.vault.view(&id, preview::MAX_PREVIEW)?))?;
        Ok(preview::build(s, kind, mime, bytes))
    })
    .await
}

/// Takes in the selected files and folders, streaming progress.
#[tauri::command]
#[specta::specta]
pub async fn intake(app: AppHandle, request: IntakeRequest, on_progress: Channel<JobEvent>) -> Res<IntakeSummary> {
    blocking(app, move |_, s| {
        if request.selections.is_empty() {
            return Err(WireError::new(ErrorCode::InvalidInput, "choose or drop files or folders to take in"));
        }
        let mut inputs = Vec::new();
        for t in &request.selections {
            inputs.extend(s.take(t, Use::Intake)?);
        }
        let opts = IntakeOptions {
            custodian: opt(request.custodian),
            source: opt(request.source),
            method: opt(request.method),
            purpose: opt(request.purpose),
            description: opt(request.description),
            tags: request.tags.into_iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect(),
            verify_after_copy: request.verify_after_copy,
            sha1: false,
        };
        vault_job(s, on_progress, |o, progress| {
            let report = o.vault.add(&inputs, &opts, progress)?;
            Ok(IntakeSummary {
                stored: report.stored() as u32,
                duplicates: report.duplicates() as u32,
                failed: report.failed() as u32,
                cancelled: report.cancelled,
                warnings: stamp_warnings(&report.timestamps),
                files: report
                    .files
                    .into_iter()
                    .map(|(p, outcome)| IntakeFile { path: p.to_string_lossy().into_owned(), outcome })
                    .collect(),
            })
        })
    })
    .await
}

/// Stops the running intake, verification, export, import or bundle check as soon as it safely can.
#[tauri::command]
#[specta::specta]
pub fn cancel_job(state: tauri::State<'_, AppState>) -> bool {
    state.cancel_running()
}

/// Quick or full verification, streaming progress.
#[tauri::command]
#[specta::specta]
pub async fn verify_vault(app: AppHandle, mode: VerifyMode, on_progress: Channel<JobEvent>) -> Res<VerifyReport> {
    blocking(app, move |_, s| {
        vault_job(s, on_progress, |o, progress| Ok(o.vault.verify(mode, progress)?))
    })
    .await
}

/// The whole custody log, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn custody_log(app: AppHandle) -> Res<Vec<CustodyEvent>> {
    blocking(app, |_, s| s.with_vault(|o| Ok(o.vault.custody_log(None)?))).await
}

/// Saves text the UI made (the custody log as CSV) where the user chooses in
/// a native save dialog. Returns the path written, or nothing if cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_text_file(app: AppHandle, request: SaveTextRequest) -> Res<Option<String>> {
    blocking(app, move |app, s| {
        s.touch();
        let Some(picked) = app.dialog().file().set_file_name(file_name(&request.suggested_name)).blocking_save_file() else {
            return Ok(None);
        };
        let path = paths(vec![picked])?.remove(0);
        custos_core::atomic::write_atomically(&path, request.content.as_bytes())?;
        Ok(Some(path.to_string_lossy().into_owned()))
    })
    .await
}

/// Saves app settings and, with a vault open, its exhibit-number prefix.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(app: AppHandle, request: SaveSettings) -> Res<Settings> {
    blocking(app, move |_, s| {
        if request.idle_lock_minutes > 480 {
            return Err(WireError::new(ErrorCode::InvalidInput, "the idle lock time must be at most 480 minutes (0 turns it off)"));
        }
        let examiner = request.examiner.trim().to_string();
        if examiner.is_empty() {
            return Err(WireError::new(ErrorCode::InvalidInput, "the examiner's name is required"));
        }
        if let Some(prefix) = opt(request.exhibit_prefix) {
            s.with_vault(|o| Ok(o.vault.set_exhibit_prefix(&prefix)?))?;
        }
        if s.summary().is_some() {
            // The open vault records the new examiner from now on.
            s.with_vault(|o| Ok(o.vault.set_actor(&examiner)?))?;
        }
        let settings = Settings { examiner, idle_lock_minutes: request.idle_lock_minutes };
        s.set_settings(settings.clone())?;
        Ok(settings)
    })
    .await
}

/// A native save dialog for a file to be written; the path stays in the backend.
#[tauri::command]
#[specta::specta]
pub async fn pick_destination(app: AppHandle, suggested_name: String) -> Res<Option<Selection>> {
    blocking(app, move |app, s| {
        let Some(picked) = app.dialog().file().set_title("Save the bundle as").set_file_name(file_name(&suggested_name)).blocking_save_file() else {
            return Ok(None);
        };
        let path = paths(vec![picked])?.remove(0);
        check_destination(s, &path)?;
        Ok(Some(s.hold(Use::Destination, vec![path])))
    })
    .await
}

/// A name suggested by the web view, as a file name (no folder separators, no NUL).
fn file_name(suggested: &str) -> String {
    suggested.chars().filter(|c| !matches!(c, '/' | '\\' | '\0')).collect()
}

/// A bundle is never written over an existing file or into the vault folder.
fn check_destination(s: &AppState, path: &Path) -> Res<()> {
    if path.exists() {
        return Err(WireError::new(
            ErrorCode::InvalidInput,
            format!("{} already exists; Custos never replaces a file: choose a new name", path.display()),
        ));
    }
    let parent = path.parent().map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()));
    if let (Some(parent), Some(root)) = (parent, s.summary().map(|v| PathBuf::from(v.path))) {
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        if parent.starts_with(&root) {
            return Err(WireError::new(ErrorCode::InvalidInput, "a bundle cannot be saved inside the vault folder; choose another folder"));
        }
    }
    Ok(())
}

/// The vault's address book of counsel keys.
#[tauri::command]
#[specta::specta]
pub async fn counsel_keys(app: AppHandle) -> Res<Vec<CounselKey>> {
    blocking(app, |_, s| s.with_vault(|o| Ok(o.vault.counsel_keys()?))).await
}

/// Adds counsel's age public key to the address book (logged).
#[tauri::command]
#[specta::specta]
pub async fn add_counsel_key(app: AppHandle, name: String, recipient: String) -> Res<CounselKey> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.add_counsel_key(&name, &recipient)?))).await
}

/// Removes a key from the address book (logged).
#[tauri::command]
#[specta::specta]
pub async fn remove_counsel_key(app: AppHandle, id: u32) -> Res<()> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.remove_counsel_key(id)?))).await
}

/// Failed automatic stamps as warnings for the UI.
fn stamp_warnings(outcomes: &[custos_core::StampOutcome]) -> Vec<String> {
    outcomes
        .iter()
        .filter_map(|o| match o {
            custos_core::StampOutcome::Failed { tsa_url, error } => Some(format!("no timestamp from {tsa_url}: {error}")),
            custos_core::StampOutcome::Stamped { .. } => None,
        })
        .collect()
}

/// The open vault's time-stamping settings (authorities, automatic stamping, trusted CAs).
#[tauri::command]
#[specta::specta]
pub async fn timestamp_settings(app: AppHandle) -> Res<custos_core::TimestampSettings> {
    blocking(app, |_, s| s.with_vault(|o| Ok(o.vault.timestamp_settings()?))).await
}

/// Keeps the authorities and the automatic option in the open vault (each change logged).
#[tauri::command]
#[specta::specta]
pub async fn save_timestamp_settings(app: AppHandle, request: SaveTimestampSettings) -> Res<custos_core::TimestampSettings> {
    blocking(app, move |_, s| {
        let urls = request
            .tsa_urls
            .iter()
            .map(|u| u.trim())
            .filter(|u| !u.is_empty())
            .map(custos_core::TsaUrl::parse)
            .collect::<Result<Vec<_>, _>>()?;
        s.with_vault(|o| {
            o.vault.set_tsa_urls(&urls)?;
            o.vault.set_auto_timestamp(request.automatic)?;
            Ok(o.vault.timestamp_settings()?)
        })
    })
    .await
}

/// Every production made from the vault, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn productions(app: AppHandle) -> Res<Vec<ProductionRecord>> {
    blocking(app, |_, s| s.with_vault(|o| Ok(o.vault.productions()?))).await
}

fn export_request(options: ExportOptions, out: PathBuf) -> Res<ExportRequest> {
    let ExportOptions { exhibits, tag, custodian, bates_prefix, bates_start, bates_width, recipients, passphrase, dat_encoding, organization } =
        options;
    let mut req = ExportRequest::new(out, bates_prefix.trim());
    req.exhibits = exhibits;
    req.tag = opt(tag);
    req.custodian = opt(custodian);
    req.bates_start = bates_start;
    req.bates_width = bates_width as usize;
    req.recipients = recipients.into_iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
    req.passphrase = passphrase.filter(|p| !p.is_empty()).map(secret);
    if req.passphrase.is_some() && !req.recipients.is_empty() {
        return Err(WireError::new(ErrorCode::InvalidInput, "encrypt either to counsel's keys or to a passphrase, not both"));
    }
    if let Some(p) = &req.passphrase {
        custos_core::keys::check_passphrase(p)?;
    }
    req.dat_encoding = match dat_encoding {
        DatEncodingChoice::Utf8 => DatEncoding::Utf8,
        DatEncodingChoice::Windows1252 => DatEncoding::Windows1252,
    };
    req.organization = opt(organization);
    // The app always dates a production by the clock (reproducible dates are
    // a command-line feature, `SOURCE_DATE_EPOCH`).
    Ok(req)
}

/// The selection, Bates numbers and QC result of an export, before writing.
#[tauri::command]
#[specta::specta]
pub async fn plan_export(app: AppHandle, options: ExportOptions) -> Res<ExportPlan> {
    blocking(app, move |_, s| {
        let req = export_request(options, PathBuf::new())?;
        s.with_vault(|o| Ok(o.vault.plan_export(&req)?))
    })
    .await
}

/// Writes a sealed bundle to the chosen destination, streaming progress.
#[tauri::command]
#[specta::specta]
pub async fn export_bundle(app: AppHandle, request: ExportBundleRequest, on_progress: Channel<JobEvent>) -> Res<ExportResult> {
    blocking(app, move |_, s| {
        let mut out = s.peek(&request.destination, Use::Destination)?;
        if out.len() != 1 {
            return Err(WireError::new(ErrorCode::InvalidInput, "choose one file to write the bundle to"));
        }
        let out = out.remove(0);
        check_destination(s, &out)?;
        if request.options.exhibits.is_empty() {
            return Err(WireError::new(ErrorCode::InvalidInput, "list the exhibits to export (the ones reviewed)"));
        }
        let mut req = export_request(request.options, out)?;
        req.expect_range = Some((request.expect_first, request.expect_last));
        let report = vault_job(s, on_progress, |o, progress| Ok(o.vault.export(&req, progress)?))?;
        let _ = s.take(&request.destination, Use::Destination);
        let bundle_bytes = std::fs::metadata(&report.out).map(|m| m.len()).unwrap_or(0);
        Ok(ExportResult {
            path: report.out.to_string_lossy().into_owned(),
            bag: format!("{}-{}", report.bates_first, report.bates_last),
            bundle_sha256: report.bundle_sha256,
            bundle_bytes,
            bates_first: report.bates_first,
            bates_last: report.bates_last,
            exhibits: report.exhibits as u32,
            encrypted: report.encrypted,
            signer_fingerprint: report.signer_fingerprint,
            signer_identity: report.signer_identity,
            // A failed automatic stamp is a warning beside the QC notes; the export stands.
            qc: report.qc.into_iter().chain(stamp_warnings(&report.timestamps).into_iter().map(|w| format!("warning: {w}"))).collect(),
        })
    })
    .await
}

/// What a bundle source names: the bundle path, the identity read from the
/// key file, the passphrase and the pinned seal key. The selections stay held
/// so the same bundle can be imported after it was checked.
struct BundleInputs {
    path: PathBuf,
    identity: Option<custos_core::age::x25519::Identity>,
    passphrase: Option<SecretString>,
    expect: Option<PinnedKeys>,
}

/// Reads an age identity file (capped; the secret's bytes are wiped after parsing).
fn read_identity(file: &Path) -> Res<custos_core::age::x25519::Identity> {
    Ok(custos_core::keys::read_identity_file(file)?)
}

fn bundle_inputs(s: &AppState, source: &mut BundleSource) -> Res<BundleInputs> {
    let mut bundle = s.peek(&source.bundle, Use::Bundle)?;
    if bundle.len() != 1 {
        return Err(WireError::new(ErrorCode::InvalidInput, "choose one bundle file or folder"));
    }
    let identity = match &source.identity {
        Some(token) => {
            let file = s.peek(token, Use::Key)?.into_iter().next().ok_or_else(|| WireError::new(ErrorCode::InvalidInput, "choose the key file"))?;
            Some(read_identity(&file)?)
        }
        None => None,
    };
    let passphrase = source.passphrase.take().filter(|p| !p.is_empty()).map(secret);
    let expect = match source.expect_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(PinnedKeys::one(k.parse::<SealKeyFingerprint>()?)),
        None => None,
    };
    Ok(BundleInputs { path: bundle.remove(0), identity, passphrase, expect })
}

/// Checks a bundle without any vault: seal, manifests, checkpoint, inclusion
/// proofs, and agreement of natives, load file and custody records.
#[tauri::command]
#[specta::specta]
pub async fn verify_bundle(app: AppHandle, source: BundleSource, on_progress: Channel<JobEvent>) -> Res<BundleCheck> {
    blocking(app, move |_, s| {
        let mut source = source;
        let BundleInputs { path, identity, passphrase, expect } = bundle_inputs(s, &mut source)?;
        vaultless_job(s, on_progress, |progress| {
            let mut bundle = Bundle::open(&path, identity.as_ref(), passphrase.as_ref())?;
            let (report, _) = custos_core::export::verify_bundle_with(&mut bundle, expect.as_ref(), progress)?;
            let bundle_sha256 = custos_core::export::bundle_sha256(&path, &mut bundle)?;
            Ok(BundleCheck { folder: path.is_dir(), path: path.to_string_lossy().into_owned(), bundle_sha256, report })
        })
    })
    .await
}

/// Verifies a bundle and takes its exhibits into the open vault, keeping the
/// producer's records; the chain continues with a `received` event. A
/// producer's key other than the one pinned for it is refused
/// (`producer_key_changed`) unless `accept` names it.
#[tauri::command]
#[specta::specta]
pub async fn import_bundle(app: AppHandle, source: BundleSource, accept: Option<AcceptNewKey>, on_progress: Channel<JobEvent>) -> Res<ImportSummary> {
    blocking(app, move |_, s| {
        let mut source = source;
        let accept_new = accept.map(|a| KeyAcceptance::new(a.fingerprint.parse()?, &a.reason)).transpose()?;
        let BundleInputs { path, identity, passphrase, expect } = bundle_inputs(s, &mut source)?;
        let key_expected = expect.is_some();
        let trust = SealKeyTrust { expect, accept_new };
        let report = vault_job(s, on_progress, |o, progress| Ok(o.vault.import_bundle(&path, identity.as_ref(), passphrase.as_ref(), &trust, progress)?))?;
        let _ = s.take(&source.bundle, Use::Bundle);
        if let Some(t) = &source.identity {
            let _ = s.take(t, Use::Key);
        }
        let count = |dup: bool| {
            report.exhibits.iter().filter(|(_, o)| matches!((o, dup), (FileOutcome::Stored { .. }, false) | (FileOutcome::Duplicate { .. }, true))).count() as u32
        };
        Ok(ImportSummary {
            stored: count(false),
            duplicates: count(true),
            bundle_sha256: report.bundle_sha256.clone(),
            sender_fingerprint: report.sender_fingerprint.clone(),
            sender_identity: report.sender_identity.clone(),
            producer_key: report.producer_key,
            key_expected,
            exhibits: report.exhibits.into_iter().map(|(bates, outcome)| ImportedExhibit { bates, outcome }).collect(),
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ExportOptions {
        ExportOptions {
            exhibits: vec!["EX-0001".into()],
            tag: Some("  ".into()),
            custodian: None,
            bates_prefix: " HAL ".into(),
            bates_start: None,
            bates_width: 8,
            recipients: vec![" age1abc ".into(), "".into()],
            passphrase: None,
            dat_encoding: DatEncodingChoice::Windows1252,
            organization: Some(" Kessler Moreau LLP ".into()),
        }
    }

    #[test]
    fn export_options_become_a_core_request() {
        let req = export_request(options(), PathBuf::from("/out/b.zip")).unwrap();
        assert_eq!(req.bates_prefix, "HAL");
        assert_eq!(req.bates_width, 8);
        assert_eq!(req.tag, None, "a blank tag is no filter");
        assert_eq!(req.recipients, vec!["age1abc".to_string()], "trimmed, blanks dropped");
        assert_eq!(req.dat_encoding, DatEncoding::Windows1252);
        assert_eq!(req.organization.as_deref(), Some("Kessler Moreau LLP"));
        assert_eq!(req.source_date_epoch, None, "the app dates productions by the clock");
    }

    #[test]
    fn passphrase_rules() {
        let mut both = options();
        both.passphrase = Some("a long enough passphrase".into());
        let e = export_request(both, PathBuf::new()).err().unwrap();
        assert!(e.message.contains("not both"), "{}", e.message);
        let mut short = options();
        short.recipients.clear();
        short.passphrase = Some("too short".into());
        assert!(export_request(short, PathBuf::new()).err().unwrap().message.contains("at least 12 characters"));
        let mut empty = options();
        empty.recipients.clear();
        empty.passphrase = Some(String::new());
        assert!(export_request(empty, PathBuf::new()).unwrap().passphrase.is_none(), "an empty passphrase is none");
    }

    #[test]
    fn identity_files_are_read_with_limits() {
        let dir = tempfile::tempdir().unwrap();
        let id = custos_core::age::x25519::Identity::generate();
        let good = dir.path().join("key.txt");
        std::fs::write(&good, format!("# created: today\n{}\n", secrecy::ExposeSecret::expose_secret(&id.to_string()))).unwrap();
        assert_eq!(read_identity(&good).unwrap().to_public().to_string(), id.to_public().to_string());
        let big = dir.path().join("big.txt");
        std::fs::write(&big, vec![b'#'; 70 * 1024]).unwrap();
        assert!(read_identity(&big).err().unwrap().message.contains("too large"));
        let binary = dir.path().join("bin");
        std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
        assert!(read_identity(&binary).err().unwrap().message.contains("not a text file"));
        let none = dir.path().join("none.txt");
        std::fs::write(&none, "age1notasecret\n").unwrap();
        assert!(read_identity(&none).err().unwrap().message.contains("no AGE-SECRET-KEY-1"));
        assert_eq!(read_identity(&dir.path().join("missing")).err().unwrap().code, ErrorCode::Input);
    }
}
