//! The matter at a glance: the dashboard.

use super::blocking;
use crate::wire::Res;
use custos_core::Dashboard;
use tauri::AppHandle;

/// Counts, custodians, last verification, recent events and productions.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(app: AppHandle) -> Res<Dashboard> {
    blocking(app, |_, s| s.with_vault(|o| Ok(o.vault.dashboard()?))).await
}
