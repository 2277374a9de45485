//! `custos extract`: an exhibit's original bytes written to a file (logged).

use crate::args::Session;
use crate::failure::Failure;
use crate::shared::open_vault;
use crate::terminal::TerminalProgress;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct ExtractArgs {
    /// The vault
    vault: PathBuf,
    /// Exhibit id
    exhibit: String,
    /// Destination file (must not exist)
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: ExtractArgs) -> Result<u8, Failure> {
    let ExtractArgs { vault, exhibit, out, session } = args;
    if out.exists() {
        return Err(Failure::input(format!("{} already exists; choose another destination", out.display())));
    }
    let mut v = open_vault(&vault, &session)?;
    let progress = TerminalProgress::new(true);
    let sha = v.extract(&exhibit, &out, &progress)?;
    progress.finish();
    v.close()?;
    eprintln!("Wrote {} ({exhibit}), SHA-256 {sha} (matches intake)", out.display());
    Ok(0)
}
