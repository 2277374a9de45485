//! `custos checkpoint`: the latest signed checkpoint, to keep outside the vault.

use crate::args::Session;
use crate::failure::Failure;
use crate::output::print_json;
use crate::shared::open_vault;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct CheckpointArgs {
    /// The vault
    vault: PathBuf,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: CheckpointArgs) -> Result<u8, Failure> {
    let mut v = open_vault(&args.vault, &args.session)?;
    // The unlock is logged first, so the checkpoint printed covers it.
    v.flush()?;
    let cp = v.kept_checkpoint()?.ok_or_else(|| Failure::input("the custody log has no checkpoint yet"))?;
    print_json(&cp);
    Ok(0)
}
