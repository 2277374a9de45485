//! `custos log`: the custody log.

use crate::args::Session;
use crate::failure::Failure;
use crate::output::{self, Format};
use crate::shared::open_vault;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct LogArgs {
    /// The vault
    vault: PathBuf,
    /// Only this exhibit's events
    #[arg(long)]
    exhibit: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: LogArgs) -> Result<u8, Failure> {
    let v = open_vault(&args.vault, &args.session)?;
    let events = v.custody_log(args.exhibit.as_deref())?;
    v.close()?;
    output::print_custody_log(&events, Format::json_if(args.json));
    Ok(0)
}
