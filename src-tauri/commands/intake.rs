//! Intake: taking files and folders into the open vault.

use super::{blocking, opt, stamp_warnings};
use crate::progress::vault_job;
use crate::state::{AppState, Use};
use crate::wire::{ErrorCode, IntakeFile, IntakeRequest, IntakeSummary, JobEvent, Res, WireError};
use custos_core::{IntakeInputs, IntakeOptions, IntakeReport, IntakeSuggestions};
use std::path::PathBuf;
use tauri::AppHandle;
use tauri::ipc::Channel;

/// Takes in the selected files and folders, streaming progress.
#[tauri::command]
#[specta::specta]
pub async fn intake(app: AppHandle, request: IntakeRequest, on_progress: Channel<JobEvent>) -> Res<IntakeSummary> {
    blocking(app, move |_, s| {
        let paths = take_inputs(s, &request.selections)?;
        let options = intake_options(request);
        // Collected (checked and walked) once, inside the job: a long walk
        // counts as work (the vault stays busy, not idle), and a missing
        // input is refused before anything is written.
        vault_job(s, on_progress, |o, progress| {
            let inputs = IntakeInputs::collect(&paths)?;
            Ok(intake_summary(o.vault.add(&inputs, &options, progress)?))
        })
    })
    .await
}

/// The custodians, sources, methods and purposes recorded before, most
/// used first (what the intake form suggests).
#[tauri::command]
#[specta::specta]
pub async fn intake_suggestions(app: AppHandle) -> Res<IntakeSuggestions> {
    blocking(app, |_, s| s.with_vault(|o| Ok(o.vault.intake_suggestions()?))).await
}

/// The paths of every selection to take in (each selection is used once).
fn take_inputs(s: &AppState, selections: &[String]) -> Res<Vec<PathBuf>> {
    if selections.is_empty() {
        return Err(WireError::new(ErrorCode::InvalidInput, "choose or drop files or folders to take in"));
    }
    let mut inputs = Vec::new();
    for t in selections {
        inputs.extend(s.take(t, Use::Intake)?);
    }
    Ok(inputs)
}

/// The core's intake options from the form: blank fields are none, blank tags dropped.
fn intake_options(request: IntakeRequest) -> IntakeOptions {
    IntakeOptions {
        custodian: opt(request.custodian),
        source: opt(request.source),
        method: opt(request.method),
        purpose: opt(request.purpose),
        description: opt(request.description),
        tags: request.tags.into_iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect(),
        verify_after_copy: request.verify_after_copy,
        sha1: false,
        collected_at: opt(request.collected_at),
    }
}

/// What the intake screen shows of the core's report.
fn intake_summary(report: IntakeReport) -> IntakeSummary {
    IntakeSummary {
        stored: report.stored() as u32,
        duplicates: report.duplicates() as u32,
        failed: report.failed() as u32,
        cancelled: report.cancelled,
        warnings: stamp_warnings(&report.timestamps),
        files: report.files.into_iter().map(|(p, outcome)| IntakeFile { path: p.to_string_lossy().into_owned(), outcome }).collect(),
    }
}
