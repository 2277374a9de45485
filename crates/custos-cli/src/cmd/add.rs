//! `custos add`: files and folders taken in as exhibits.

use crate::args::Session;
use crate::failure::Failure;
use crate::output::{self, Format, print_stamps};
use crate::shared::open_vault;
use crate::terminal::TerminalProgress;
use clap::Args;
use custos_core::{FileOutcome, IntakeInputs, IntakeOptions, ProcessOptions};
use std::path::PathBuf;

#[derive(Args)]
pub struct AddArgs {
    /// The vault
    vault: PathBuf,
    /// Files or folders (folders are taken in recursively)
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Whose evidence it is
    #[arg(long)]
    custodian: Option<String>,
    /// Device or account it came from
    #[arg(long)]
    source: Option<String>,
    /// How it was collected
    #[arg(long)]
    method: Option<String>,
    /// Why it was collected (purpose or authority)
    #[arg(long)]
    purpose: Option<String>,
    /// Description for each new exhibit
    #[arg(long)]
    description: Option<String>,
    /// Tag for each new exhibit (repeatable)
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// When the evidence was gathered, if before intake: a day (2026-05-20)
    /// or a time with its zone (2026-05-20T14:00:00Z)
    #[arg(long, value_name = "TIME")]
    collected_at: Option<String>,
    /// Also compute SHA-1
    #[arg(long)]
    sha1: bool,
    /// Skip decrypting each stored copy to compare it before acknowledging
    #[arg(long)]
    no_verify_after_copy: bool,
    /// Do not process the new exhibits (expand containers, read metadata and text) after intake
    #[arg(long)]
    no_process: bool,
    /// Also recognise text (OCR) in images and scanned pages when processing
    #[arg(long, conflicts_with = "no_process")]
    ocr: bool,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: AddArgs) -> Result<u8, Failure> {
    let AddArgs { vault, paths, custodian, source, method, purpose, description, tags, collected_at, sha1, no_verify_after_copy, no_process, ocr, json, session } =
        args;
    let format = Format::json_if(json);
    // The inputs are collected before the vault is unlocked: a missing one
    // is refused before the passphrase is asked for, and changes nothing.
    let inputs = IntakeInputs::collect(&paths)?;
    let mut v = open_vault(&vault, &session)?;
    let opts = IntakeOptions {
        custodian,
        source,
        method,
        purpose,
        description,
        tags,
        verify_after_copy: !no_verify_after_copy,
        sha1,
        collected_at,
    };
    let progress = TerminalProgress::new(format.file_lines());
    progress.install_interrupt_handler();
    let report = v.add(&inputs, &opts, &progress)?;
    progress.finish();
    // What was acknowledged is reported before anything else can fail.
    print_stamps(&report.timestamps);
    output::print_intake(&report, format);
    if let Some(why) = &report.stopped {
        eprintln!("error: the intake stopped after the files listed: {why}; the files listed as stored are in the vault");
    }
    let mut processing_failed = false;
    if !no_process && report.stopped.is_none() && !report.cancelled {
        let stored: Vec<String> = report
            .files
            .iter()
            .filter_map(|(_, o)| match o {
                FileOutcome::Stored { exhibit, .. } => Some(exhibit.clone()),
                _ => None,
            })
            .collect();
        if !stored.is_empty() {
            let opts = ProcessOptions { ocr, exhibits: stored, ..ProcessOptions::default() };
            let progress = TerminalProgress::new(false);
            progress.install_interrupt_handler();
            match v.process(&opts, &progress) {
                Ok(r) => {
                    progress.finish();
                    output::print_processing_summary(&r);
                    processing_failed = r.failed() > 0 || r.cancelled;
                }
                Err(e) => {
                    progress.finish();
                    eprintln!("error: processing stopped: {e}; the files listed as stored are in the vault (run `custos process` to go on)");
                    processing_failed = true;
                }
            }
        }
    }
    // An intake that took nothing in leaves the vault as it was (no unlock event either).
    if report.stored() + report.duplicates() > 0
        && let Err(e) = v.close()
    {
        eprintln!("warning: the session could not be closed cleanly ({e}); the files listed as stored are in the vault");
    }
    Ok(if report.failed() > 0 || report.cancelled || report.stopped.is_some() || processing_failed { 2 } else { 0 })
}
