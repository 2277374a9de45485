//! `custos list`: the exhibits of a vault.

use crate::args::Session;
use crate::failure::Failure;
use crate::output::{self, Format};
use crate::shared::open;
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
    let v = open(&args.vault, &args.session)?;
    let list = v.list()?;
    v.close()?;
    output::exhibit_list(&list, Format::json_if(args.json));
    Ok(0)
}
