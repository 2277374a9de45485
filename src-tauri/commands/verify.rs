//! Verification of the open vault.

use super::blocking;
use crate::progress::vault_job;
use crate::wire::{JobEvent, Res};
use custos_core::{VerifyMode, VerifyReport};
use tauri::AppHandle;
use tauri::ipc::Channel;

/// Quick or full verification, streaming progress.
#[tauri::command]
#[specta::specta]
pub async fn verify_vault(app: AppHandle, mode: VerifyMode, on_progress: Channel<JobEvent>) -> Res<VerifyReport> {
    blocking(app, move |_, s| vault_job(s, on_progress, |o, progress| Ok(o.vault.verify(mode, progress)?))).await
}
