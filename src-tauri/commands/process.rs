//! Processing: understanding exhibits (containers expanded, metadata and
//! text read, OCR), and what it produced.

use super::blocking;
use crate::progress::ChannelProgress;
use crate::wire::{JobEvent, ProcessRequest, Res};
use custos_core::{FamilyMember, ProcessOptions, ProcessReport, Progress};
use tauri::AppHandle;
use tauri::ipc::Channel;

/// Processes the exhibits named (and the items found in them), or every
/// exhibit not processed yet when none are named, streaming progress. The
/// vault takes each round only to prepare and to record it, so the screens
/// keep reading it while exhibits are read, extracted and recognised.
#[tauri::command]
#[specta::specta]
pub async fn process_exhibits(app: AppHandle, request: ProcessRequest, on_progress: Channel<JobEvent>) -> Res<ProcessReport> {
    blocking(app, move |_, s| {
        let opts = ProcessOptions { ocr: request.ocr, exhibits: request.exhibits, ..ProcessOptions::default() };
        let mut run = s.with_vault(|o| Ok(o.vault.start_processing(&opts)?))?;
        s.shared_job(|cancel| {
            let progress = ChannelProgress::new(on_progress, cancel);
            progress.begin(run.known_total(), run.known_total());
            loop {
                if progress.is_cancelled() {
                    run.cancelled();
                    break;
                }
                let Some(round) = s.with_vault(|o| Ok(run.next_round(&o.vault)?))? else { break };
                let worked = run.work(round);
                let done = s.with_vault(|o| Ok(run.record(&mut o.vault, worked)?))?;
                for _ in &done {
                    progress.item_done();
                }
                progress.advance(done.len() as u64);
                progress.report();
            }
            let report = run.finish();
            if !report.exhibits.is_empty() {
                s.with_vault(|o| Ok(o.vault.tidy_search_index()?))?;
            }
            Ok(report)
        })
    })
    .await
}

/// The family an exhibit belongs to, head first, each member after its
/// parent (every member, including one also found in another family).
#[tauri::command]
#[specta::specta]
pub async fn exhibit_family(app: AppHandle, id: String) -> Res<Vec<FamilyMember>> {
    blocking(app, move |_, s| {
        s.with_vault(|o| {
            let head = o.vault.family_place(&id)?.family;
            Ok(o.vault.family_tree(&head)?)
        })
    })
    .await
}

/// An exhibit's extracted text (what was read from it, then its OCR pages),
/// or null when it has none; logged as a view.
#[tauri::command]
#[specta::specta]
pub async fn exhibit_text(app: AppHandle, id: String) -> Res<Option<String>> {
    blocking(app, move |_, s| s.with_vault(|o| Ok(o.vault.text(&id)?))).await
}
