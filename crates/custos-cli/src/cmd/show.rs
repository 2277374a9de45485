//! `custos show`: one exhibit with all its sources.

use crate::args::Session;
use crate::failure::Failure;
use crate::output::{self, Format};
use crate::shared::open_vault;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct ShowArgs {
    /// The vault
    vault: PathBuf,
    /// Exhibit id as `list` prints it
    exhibit: String,
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: ShowArgs) -> Result<u8, Failure> {
    let v = open_vault(&args.vault, &args.session)?;
    let detail = v.show(&args.exhibit)?;
    v.close()?;
    output::print_exhibit(&detail, Format::json_if(args.json));
    Ok(0)
}
