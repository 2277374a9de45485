//! `custos verify`: every exhibit and the custody log checked.

use crate::args::Session;
use crate::failure::Failure;
use crate::output::{self, Format};
use crate::shared::{open_vault, read_kept_checkpoint, read_tsa_cas};
use crate::terminal::TerminalProgress;
use clap::Args;
use custos_core::{Anchors, VerifyMode};
use std::path::PathBuf;

#[derive(Args)]
pub struct VerifyArgs {
    /// The vault
    vault: PathBuf,
    /// Only check stored objects by their names, the database and the log (no decryption)
    #[arg(long)]
    quick: bool,
    /// Also run the extractors again on every processed exhibit and report any derived
    /// output (items, metadata, text, OCR) that no longer comes out byte-identical
    #[arg(long, conflicts_with = "quick")]
    reextract: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
    /// Also check that the log still holds the history signed in this
    /// checkpoint (as printed earlier by `custos checkpoint`; repeatable)
    #[arg(long = "checkpoint", value_name = "FILE")]
    checkpoints: Vec<PathBuf>,
    /// Also trust the TSA CA certificate(s) in this PEM file for the time-stamp tokens (repeatable)
    #[arg(long = "tsa-ca", value_name = "FILE")]
    tsa_ca: Vec<PathBuf>,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: VerifyArgs) -> Result<u8, Failure> {
    let VerifyArgs { vault, quick, reextract, json, checkpoints, tsa_ca, session } = args;
    let format = Format::json_if(json);
    let kept = checkpoints.iter().map(|f| read_kept_checkpoint(f)).collect::<Result<Vec<_>, _>>()?;
    let tsa_cas = read_tsa_cas(&tsa_ca)?;
    let mut v = open_vault(&vault, &session)?;
    for (file, k) in checkpoints.iter().zip(&kept) {
        if k.vault_id != v.config().vault_id {
            return Err(Failure::input(format!("{} is a checkpoint of vault {}, not of this vault", file.display(), k.vault_id)));
        }
    }
    let (mode, what) = if quick { (VerifyMode::Quick, "Quick") } else { (VerifyMode::Full, "Full") };
    let progress = TerminalProgress::new(format.file_lines());
    progress.install_interrupt_handler();
    let anchors = Anchors { kept: kept.iter().map(|k| k.checkpoint()).collect(), tsa_cas };
    let mut report = v.verify_anchored(mode, &anchors, &progress)?;
    if reextract {
        report.findings.extend(v.reextract(&progress)?);
    }
    progress.finish();
    v.close()?;
    output::print_verification(&report, what, format);
    Ok(if report.ok { 0 } else { 1 })
}
