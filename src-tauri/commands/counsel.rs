//! The vault's address book of counsel keys (the recipients of encrypted
//! productions).

use super::blocking;
use crate::wire::Res;
use custos_core::export::CounselKey;
use tauri::AppHandle;

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
