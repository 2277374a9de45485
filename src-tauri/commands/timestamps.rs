//! The open vault's time-stamping settings.

use super::blocking;
use crate::wire::{Res, SaveTimestampSettings};
use custos_core::{TimestampSettings, TsaUrl};
use tauri::AppHandle;

/// The open vault's time-stamping settings (authorities, automatic stamping, trusted CAs).
#[tauri::command]
#[specta::specta]
pub async fn timestamp_settings(app: AppHandle) -> Res<TimestampSettings> {
    blocking(app, |_, s| s.with_vault(|o| Ok(o.vault.timestamp_settings()?))).await
}

/// Keeps the authorities and the automatic option in the open vault (each change logged).
#[tauri::command]
#[specta::specta]
pub async fn save_timestamp_settings(app: AppHandle, request: SaveTimestampSettings) -> Res<TimestampSettings> {
    blocking(app, move |_, s| {
        let urls = tsa_urls(&request.tsa_urls)?;
        // core: one `Vault::set_timestamp_settings` would save both as one change.
        s.with_vault(|o| {
            o.vault.set_tsa_urls(&urls)?;
            o.vault.set_auto_timestamp(request.automatic)?;
            Ok(o.vault.timestamp_settings()?)
        })
    })
    .await
}

/// The authorities typed in the settings, blank lines dropped, each checked.
fn tsa_urls(typed: &[String]) -> Res<Vec<TsaUrl>> {
    Ok(typed.iter().map(|u| u.trim()).filter(|u| !u.is_empty()).map(TsaUrl::parse).collect::<Result<Vec<_>, _>>()?)
}
