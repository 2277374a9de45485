//! `custos list`: the exhibits of a vault.

use crate::args::Session;
use crate::failure::Failure;
use crate::output::{self, Format};
use crate::shared::open_vault;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct ListArgs {
    /// The vault
    vault: PathBuf,
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: ListArgs) -> Result<u8, Failure> {
    let v = open_vault(&args.vault, &args.session)?;
    let list = v.list()?;
    v.close()?;
    output::print_exhibits(&list, Format::json_if(args.json));
    Ok(0)
}
