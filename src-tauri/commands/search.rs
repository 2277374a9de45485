//! Full-text search of the exhibits (not a custody event: nothing is read
//! out of an exhibit).

use super::blocking;
use crate::wire::{ReportFormat, Res, WireError};
use custos_core::{PrivilegeLogRow, AuditMapping, MappingSaved, SavedMapping, SavedSearch, SearchHit, SearchReport, TimelineEvent, TimelineQuery, TimelineUnit, TimelineView};
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

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

/// Every saved search, by name.
#[tauri::command]
#[specta::specta]
pub async fn saved_searches(app: AppHandle) -> Res<Vec<SavedSearch>> {
    blocking(app, |_, s| s.with_vault(|o| Ok(o.vault.saved_searches()?))).await
}

/// Saves `query` as `name` (a name saved for another query is refused; a
/// query that cannot be searched exactly is refused with the reason).
#[tauri::command]
#[specta::specta]
pub async fn save_search(app: AppHandle, name: String, query: String) -> Res<SavedSearch> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.save_search(&name, &query)?))).await
}

/// Deletes a saved search (a production it chose keeps its record).
#[tauri::command]
#[specta::specta]
pub async fn delete_saved_search(app: AppHandle, name: String) -> Res<()> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.delete_saved_search(&name)?))).await
}

/// Writes the search-term report of `terms` as CSV or PDF where the user
/// chooses in a native save dialog; the path written, or nothing if cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_search_report(app: AppHandle, terms: String, format: ReportFormat) -> Res<Option<String>> {
    blocking(app, move |app, s| {
        let bytes = s.with_vault(|o| {
            let r = o.vault.search_report(&terms)?;
            Ok(match format {
                ReportFormat::Csv => custos_core::reports::search_report_csv(&r).into_bytes(),
                ReportFormat::Pdf => o.vault.search_report_pdf(&r)?,
            })
        })?;
        save_as(app, &format!("search-term-report.{}", format.extension()), &bytes)
    })
    .await
}

/// Writes the timeline `query` selects as CSV or as a PDF exhibit where the
/// user chooses in a native save dialog; the path written, or nothing if cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_timeline(app: AppHandle, query: TimelineQuery, format: ReportFormat) -> Res<Option<String>> {
    blocking(app, move |app, s| {
        let bytes = s.with_vault(|o| {
            Ok(match format {
                ReportFormat::Csv => custos_core::reports::timeline_csv(&o.vault.timeline(&query)?).into_bytes(),
                ReportFormat::Pdf => o.vault.timeline_pdf(&query)?,
            })
        })?;
        save_as(app, &format!("timeline.{}", format.extension()), &bytes)
    })
    .await
}

/// A native save dialog, then the bytes written there whole (never half a file).
fn save_as(app: &AppHandle, suggested: &str, bytes: &[u8]) -> Res<Option<String>> {
    let Some(picked) = app.dialog().file().set_file_name(suggested).blocking_save_file() else {
        return Ok(None);
    };
    let path = picked.into_path().map_err(|e| WireError::new(crate::wire::ErrorCode::InvalidInput, format!("not a local path: {e}")))?;
    custos_core::atomic::write_atomically(&path, bytes)?;
    Ok(Some(path.to_string_lossy().into_owned()))
}

/// The column mappings saved for audit-log exports in no known format.
#[tauri::command]
#[specta::specta]
pub async fn audit_mappings(app: AppHandle) -> Res<Vec<SavedMapping>> {
    blocking(app, |_, s| s.with_vault(|o| Ok(o.vault.saved_mappings()?))).await
}

/// The columns of a processed CSV exhibit (its header row), for a mapping to name.
#[tauri::command]
#[specta::specta]
pub async fn csv_columns(app: AppHandle, exhibit: String) -> Res<Vec<String>> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.csv_columns(&exhibit)?))).await
}

/// Saves a column mapping (logged; a saved one never changes) and reads
/// every processed CSV export it fits into events.
#[tauri::command]
#[specta::specta]
pub async fn save_audit_mapping(app: AppHandle, mapping: AuditMapping) -> Res<MappingSaved> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.save_audit_mapping(mapping)?))).await
}

/// The privilege log of the withheld exhibits.
#[tauri::command]
#[specta::specta]
pub async fn privilege_log(app: AppHandle) -> Res<Vec<PrivilegeLogRow>> {
    blocking(app, |_, s| s.with_vault(|o| Ok(o.vault.privilege_log()?))).await
}

/// Writes the privilege log as CSV or PDF where the user chooses in a native
/// save dialog; the path written, or nothing if cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_privilege_log(app: AppHandle, format: ReportFormat) -> Res<Option<String>> {
    blocking(app, move |app, s| {
        let bytes = s.with_vault(|o| {
            let rows = o.vault.privilege_log()?;
            Ok(match format {
                ReportFormat::Csv => custos_core::privilege_log_csv(&rows).into_bytes(),
                ReportFormat::Pdf => o.vault.privilege_log_pdf(&rows)?,
            })
        })?;
        save_as(app, &format!("privilege-log.{}", format.extension()), &bytes)
    })
    .await
}
