//! The custody log.

use super::blocking;
use crate::wire::Res;
use custos_core::CustodyEvent;
use tauri::AppHandle;

/// The whole custody log, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn custody_log(app: AppHandle) -> Res<Vec<CustodyEvent>> {
    blocking(app, |_, s| s.with_vault(|o| Ok(o.vault.custody_log(None)?))).await
}
