//! `custos passwd`: a new passphrase (only the key file is rewritten).

use crate::args::Session;
use crate::failure::Failure;
use crate::shared::{Confirm, open_vault, passphrase_from};
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct PasswdArgs {
    /// The vault
    vault: PathBuf,
    /// scrypt work factor for the new key file (default: keep the current one)
    #[arg(long)]
    work_factor: Option<u8>,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: PasswdArgs) -> Result<u8, Failure> {
    let mut v = open_vault(&args.vault, &args.session)?;
    let new = passphrase_from("CUSTOS_NEW_PASSPHRASE", "New passphrase: ", Confirm::Twice)?;
    // The new passphrase is held to the rule by the core before anything is written.
    v.change_passphrase(&new, args.work_factor)?;
    v.close()?;
    eprintln!("Passphrase changed.");
    Ok(0)
}
