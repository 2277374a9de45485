//! Paths: native open and save dialogs and typed paths (automated tests
//! only). Paths stay in the backend; the web view gets a selection token.

use super::blocking;
use crate::state::{AppState, Use};
use crate::wire::{ErrorCode, PickPurpose, Res, SaveTextRequest, Selection, WireError};
use std::path::{Path, PathBuf};
use tauri::AppHandle;
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder, FilePath};

/// Opens a native dialog; the picked paths stay in the backend.
#[tauri::command]
#[specta::specta]
pub async fn pick_paths(app: AppHandle, purpose: PickPurpose) -> Res<Option<Selection>> {
    blocking(app, move |app, s| {
        let picked = pick(app.dialog().file(), purpose)?;
        Ok(picked.filter(|p| !p.is_empty()).map(|p| s.hold(held_as(purpose), p)))
    })
    .await
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

/// A native save dialog for a file to be written; the path stays in the backend.
#[tauri::command]
#[specta::specta]
pub async fn pick_destination(app: AppHandle, suggested_name: String) -> Res<Option<Selection>> {
    blocking(app, move |app, s| {
        let Some(picked) = app.dialog().file().set_title("Save the bundle as").set_file_name(file_name(&suggested_name)).blocking_save_file() else {
            return Ok(None);
        };
        let path = local_path(picked)?;
        check_destination(s, &path)?;
        Ok(Some(s.hold(Use::Destination, vec![path])))
    })
    .await
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
        let path = local_path(picked)?;
        custos_core::atomic::write_atomically(&path, request.content.as_bytes())?;
        Ok(Some(path.to_string_lossy().into_owned()))
    })
    .await
}

/// Shows the open dialog for `purpose`; none when the user cancels.
fn pick(dialog: FileDialogBuilder<tauri::Wry>, purpose: PickPurpose) -> Res<Option<Vec<PathBuf>>> {
    let one = |p: Option<FilePath>| p.map(|p| vec![p]);
    let picked = match purpose {
        PickPurpose::OpenVault => one(dialog.set_title("Open a Custos vault folder").blocking_pick_folder()),
        PickPurpose::NewVault => one(dialog.set_title("Choose an empty folder for the new vault").blocking_pick_folder()),
        PickPurpose::IntakeFolder => one(dialog.set_title("Choose a folder to take in").blocking_pick_folder()),
        PickPurpose::IntakeFiles => dialog.set_title("Choose files to take in").blocking_pick_files(),
        PickPurpose::BundleFile => one(dialog.set_title("Choose a bundle").add_filter("Bundles (.zip, .age)", &["zip", "age"]).blocking_pick_file()),
        PickPurpose::BundleFolder => one(dialog.set_title("Choose an extracted bundle folder").blocking_pick_folder()),
        PickPurpose::IdentityFile => one(dialog.set_title("Choose the age key file (AGE-SECRET-KEY-1…)").blocking_pick_file()),
        PickPurpose::FirmConfig => one(dialog.set_title("Choose the firm config").add_filter("Firm config (.toml)", &["toml"]).blocking_pick_file()),
    };
    picked.map(|list| list.into_iter().map(local_path).collect()).transpose()
}

/// What the paths picked for `purpose` are held as.
fn held_as(purpose: PickPurpose) -> Use {
    match purpose {
        PickPurpose::OpenVault | PickPurpose::NewVault => Use::VaultFolder,
        PickPurpose::IntakeFiles | PickPurpose::IntakeFolder => Use::Intake,
        PickPurpose::BundleFile | PickPurpose::BundleFolder => Use::Bundle,
        PickPurpose::IdentityFile => Use::Key,
        PickPurpose::FirmConfig => Use::FirmConfig,
    }
}

/// A dialog's answer as a local path.
fn local_path(picked: FilePath) -> Res<PathBuf> {
    picked.into_path().map_err(|e| WireError::new(ErrorCode::InvalidInput, format!("not a local path: {e}")))
}

/// A name suggested by the web view, as a file name (no folder separators, no NUL).
fn file_name(suggested: &str) -> String {
    suggested.chars().filter(|c| !matches!(c, '/' | '\\' | '\0')).collect()
}

/// A bundle is never written over an existing file or into the vault folder.
/// Checked when the destination is chosen, so the user hears it then; the
/// export checks both again when it writes.
pub(super) fn check_destination(s: &AppState, path: &Path) -> Res<()> {
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
