//! Full-text search of the exhibits (not a custody event: nothing is read
//! out of an exhibit).

use super::blocking;
use crate::wire::Res;
use custos_core::SearchHit;
use tauri::AppHandle;

/// The exhibits a query finds, best first, at most `limit`; a query that
/// cannot be searched exactly is an `invalid_input` error with the reason.
#[tauri::command]
#[specta::specta]
pub async fn search_exhibits(app: AppHandle, query: String, limit: u32) -> Res<Vec<SearchHit>> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.search(&query, limit)?))).await
}
