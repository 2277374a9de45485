//! The custody log, a window at a time.

use super::blocking;
use crate::wire::{logged, CustodyPage, Res};
use custos_core::CustodyQuery;
use tauri::AppHandle;

/// A window of the custody log, filtered, ordered and counted through its
/// index, each event with its words.
#[tauri::command]
#[specta::specta]
pub async fn custody_window(app: AppHandle, query: CustodyQuery) -> Res<CustodyPage> {
    blocking(app, move |_, s| {
        s.with_vault(|o| {
            let w = o.vault.custody_window(&query)?;
            Ok(CustodyPage { total: w.total, offset: w.offset, events: logged(w.events) })
        })
    })
    .await
}
