//! `custos edit`: an exhibit's description or tags changed (logged).

use crate::args::Session;
use crate::failure::Failure;
use crate::shared::open_vault;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct EditArgs {
    /// The vault
    vault: PathBuf,
    /// Exhibit id
    exhibit: String,
    /// New description
    #[arg(long)]
    description: Option<String>,
    /// Tag to add (repeatable)
    #[arg(long)]
    add_tag: Vec<String>,
    /// Tag to remove (repeatable)
    #[arg(long)]
    remove_tag: Vec<String>,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: EditArgs) -> Result<u8, Failure> {
    let mut v = open_vault(&args.vault, &args.session)?;
    v.edit(&args.exhibit, args.description.as_deref(), &args.add_tag, &args.remove_tag)?;
    v.close()?;
    Ok(0)
}
