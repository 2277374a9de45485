//! `custos process`: exhibits understood after intake — containers
//! expanded into exhibits, metadata and text read, text recognised (OCR).

use crate::args::Session;
use crate::failure::Failure;
use crate::output::{self, Format};
use crate::shared::open_vault;
use crate::terminal::TerminalProgress;
use clap::Args;
use custos_core::ProcessOptions;
use std::path::PathBuf;

#[derive(Args)]
pub struct ProcessArgs {
    /// The vault
    vault: PathBuf,
    /// Only these exhibits (and the items found in them); all not yet processed when none are given
    exhibits: Vec<String>,
    /// With exhibits named: process only them, leaving the items found inside them for a later run
    #[arg(long, requires = "exhibits")]
    no_recurse: bool,
    /// Also recognise text (OCR, with Tesseract) in images and in PDF pages without a text layer
    #[arg(long)]
    ocr: bool,
    /// Tesseract language(s) for OCR, e.g. eng or eng+deu
    #[arg(long, default_value = "eng", requires = "ocr")]
    ocr_language: String,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: ProcessArgs) -> Result<u8, Failure> {
    let format = Format::json_if(args.json);
    let mut v = open_vault(&args.vault, &args.session)?;
    let opts = ProcessOptions {
        ocr: args.ocr,
        ocr_language: args.ocr_language,
        exhibits: args.exhibits,
        recurse: !args.no_recurse,
        ..ProcessOptions::default()
    };
    let progress = TerminalProgress::new(false);
    progress.install_interrupt_handler();
    let report = v.process(&opts, &progress);
    progress.finish();
    let report = report?;
    output::print_processing(&report, format);
    v.close()?;
    Ok(if report.failed() > 0 || report.cancelled { 2 } else { 0 })
}
