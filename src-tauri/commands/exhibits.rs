//! Exhibits: the list, one exhibit with its history, editing, tagging and
//! previews.

use super::blocking;
use crate::preview;
use crate::state::OpenVault;
use crate::progress::ChannelProgress;
use crate::wire::{logged, EditRequest, ErrorCode, WireError, ExhibitFacets, ExhibitView, JobEvent, Preview, PreviewKind, Res, TagCount, TagRequest};
use custos_core::{Exhibit, ExhibitQuery, ExhibitWindow, NoProgress, Progress, TAG_BATCH};
use tauri::AppHandle;
use tauri::ipc::Channel;

/// A window of the exhibit list: filtered, ordered and counted by the vault.
#[tauri::command]
#[specta::specta]
pub async fn exhibit_window(app: AppHandle, query: ExhibitQuery) -> Res<ExhibitWindow> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.exhibit_window(&query)?))).await
}

/// The ids of every exhibit a query matches, in its order ("select all").
#[tauri::command]
#[specta::specta]
pub async fn exhibit_ids(app: AppHandle, query: ExhibitQuery) -> Res<Vec<String>> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.exhibit_ids(&query)?))).await
}

/// The custodians and tags in use, with their counts.
#[tauri::command]
#[specta::specta]
pub async fn exhibit_facets(app: AppHandle) -> Res<ExhibitFacets> {
    blocking(app, |_, s| {
        s.with_vault(|o| {
            let custodians = o.vault.custodian_counts()?;
            let tags = o.vault.tags_in_use()?.into_iter().map(|(tag, n)| TagCount { tag, exhibits: n as u32 }).collect();
            Ok(ExhibitFacets { exhibits: custodians.iter().map(|c| c.exhibits).sum(), custodians, tags })
        })
    })
    .await
}

/// One exhibit with its sources and custody events.
#[tauri::command]
#[specta::specta]
pub async fn exhibit_detail(app: AppHandle, id: String) -> Res<ExhibitView> {
    blocking(app, move |_, s| s.with_vault(|o| exhibit_view(o, &id))).await
}

/// Changes one exhibit's description and tags (each change logged).
#[tauri::command]
#[specta::specta]
pub async fn edit_exhibit(app: AppHandle, request: EditRequest) -> Res<ExhibitView> {
    blocking(app, move |_, s| {
        s.with_vault(|o| {
            o.vault.edit(&request.id, request.description.as_deref(), &request.add_tags, &request.remove_tags)?;
            exhibit_view(o, &request.id)
        })
    })
    .await
}

/// Sets one exhibit's designations for productions (privilege, withheld,
/// the privilege log's description, confidentiality); checked, then logged.
#[tauri::command]
#[specta::specta]
pub async fn designate_exhibit(app: AppHandle, id: String, designation: custos_core::Designation) -> Res<ExhibitView> {
    blocking(app, move |_, s| {
        s.with_vault(|o| {
            o.vault.designate(&id, &designation)?;
            exhibit_view(o, &id)
        })
    })
    .await
}

/// Adds and removes tags on many exhibits as a job, streaming progress (in
/// exhibits) and stopping between batches on cancel. Every id and tag is
/// checked first, so a bad one changes nothing. Each batch takes the vault
/// for itself only, so the rest of the app goes on working meanwhile.
#[tauri::command]
#[specta::specta]
pub async fn tag_exhibits(app: AppHandle, request: TagRequest, on_progress: Channel<JobEvent>) -> Res<u32> {
    blocking(app, move |_, s| {
        let TagRequest { ids, add_tags, remove_tags } = request;
        let vault_id = s.with_vault(|o| {
            o.vault.check_tagging(&ids, &add_tags)?;
            Ok(o.vault.config().vault_id.clone())
        })?;
        s.shared_job(|cancel| {
            let progress = ChannelProgress::new(on_progress, cancel);
            progress.begin(ids.len() as u64, ids.len() as u64);
            for batch in ids.chunks(TAG_BATCH) {
                if progress.is_cancelled() {
                    return Err(custos_core::Error::Cancelled.into());
                }
                s.with_vault(|o| {
                    // Between batches the vault may have been locked and another opened.
                    if o.vault.config().vault_id != vault_id {
                        return Err(WireError::new(ErrorCode::Locked, "the vault was locked while tagging; the batches done are tagged and logged"));
                    }
                    Ok(o.vault.tag_exhibits(batch, &add_tags, &remove_tags, &NoProgress)?)
                })?;
                progress.advance(batch.len() as u64);
                progress.report();
            }
            Ok(ids.len() as u32)
        })
    })
    .await
}

/// Decrypts an exhibit into memory for display (a `viewed` custody event).
#[tauri::command]
#[specta::specta]
pub async fn preview_exhibit(app: AppHandle, id: String) -> Res<Preview> {
    blocking(app, move |_, s| {
        let exhibit = s.with_vault(|o| Ok(o.vault.show(&id)?.exhibit))?;
        let kind = match preview_kind(&exhibit) {
            Ok(kind) => kind,
            Err(reason) => return Ok(preview::none(&exhibit.mime, reason)),
        };
        let bytes = s.with_vault(|o| Ok(o.vault.view(&id, preview::MAX_PREVIEW)?))?;
        Ok(preview::build(s, kind, exhibit.mime, bytes))
    })
    .await
}

/// Everything recorded about an exhibit, with its custody events.
fn exhibit_view(o: &OpenVault, id: &str) -> Res<ExhibitView> {
    Ok(ExhibitView { detail: o.vault.show(id)?, events: logged(o.vault.custody_log(Some(id))?) })
}


/// How an exhibit is previewed, or why it is not (a type without a
/// preview, or too large to decrypt into memory).
fn preview_kind(exhibit: &Exhibit) -> Result<PreviewKind, String> {
    let Exhibit { mime, name, size, .. } = exhibit;
    let kind = preview::kind_for(mime, name);
    if matches!(kind, PreviewKind::None) {
        return Err(format!("No preview for {mime} files. Extract the exhibit to open it in its own program."));
    }
    if *size > preview::MAX_PREVIEW {
        return Err(format!("The exhibit is {size} bytes, more than a preview shows; extract it to open it."));
    }
    Ok(kind)
}
