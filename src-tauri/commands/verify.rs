//! Verification of the open vault.

use super::blocking;
use crate::progress::vault_job;
use crate::wire::{JobEvent, Res};
use custos_core::{VerifyMode, VerifyReport};
use tauri::AppHandle;
use tauri::ipc::Channel;

/// Quick or full verification, streaming progress; with `reextract`, every
/// processed exhibit's extractors also run again and an output that no
/// longer comes out the same is reported.
#[tauri::command]
#[specta::specta]
pub async fn verify_vault(app: AppHandle, mode: VerifyMode, reextract: bool, on_progress: Channel<JobEvent>) -> Res<VerifyReport> {
    blocking(app, move |_, s| {
        vault_job(s, on_progress, |o, progress| {
            let mut report = o.vault.verify(mode, progress)?;
            if reextract {
                report.findings.extend(o.vault.reextract(progress)?);
            }
            Ok(report)
        })
    })
    .await
}
