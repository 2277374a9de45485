//! Full-text search of the exhibits (not a custody event: nothing is read
//! out of an exhibit).

use super::blocking;
use crate::wire::Res;
use custos_core::{SearchHit, SearchReport, TimelineEvent, TimelineQuery, TimelineUnit, TimelineView};
use tauri::AppHandle;

/// The exhibits a query finds, best first, at most `limit`; a query that
/// cannot be searched exactly is an `invalid_input` error with the reason.
#[tauri::command]
#[specta::specta]
pub async fn search_exhibits(app: AppHandle, query: String, limit: u32) -> Res<Vec<SearchHit>> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.search(&query, limit)?))).await
}

/// The search-term report of a list of terms (one query per line): per term
/// the exhibits found, with their families, and those no other term finds,
/// with the hashes of the list and of the set searched. A term that cannot
/// be searched exactly refuses the report, naming its line.
#[tauri::command]
#[specta::specta]
pub async fn search_report(app: AppHandle, terms: String) -> Res<SearchReport> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.search_report(&terms)?))).await
}

/// The case timeline: the events read from audit-log exports, in time
/// order, each joined to the exhibit it is about where the log allows it
/// (only those joined to `query.exhibit`, or of `query.actor`, when given).
#[tauri::command]
#[specta::specta]
pub async fn timeline(app: AppHandle, query: TimelineQuery) -> Res<Vec<TimelineEvent>> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.timeline(&query)?))).await
}

/// The case timeline as the Timeline screen shows it: the events `query`
/// selects (audit events, and the exhibits' own dates when asked) counted
/// per day or hour, the first `limit` of them, and the actors and actions
/// among them for the filters.
#[tauri::command]
#[specta::specta]
pub async fn timeline_view(app: AppHandle, query: TimelineQuery, unit: TimelineUnit, limit: u32) -> Res<TimelineView> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.timeline_view(&query, unit, limit)?))).await
}
