//! The matter at a glance: the dashboard.

use super::blocking;
use crate::wire::{MatterDashboard, Res};
use tauri::AppHandle;

/// Counts, custodians, last verification, recent events (with their words)
/// and productions.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(app: AppHandle) -> Res<MatterDashboard> {
    blocking(app, |_, s| {
        s.with_vault(|o| {
            let dashboard = o.vault.dashboard()?;
            let recent_words = dashboard.recent_events.iter().map(|e| e.in_words()).collect();
            Ok(MatterDashboard { dashboard, recent_words })
        })
    })
    .await
}
