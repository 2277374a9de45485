//! Firm vaults: joining a matter from another machine, the people who hold
//! keys to it, and the matters a firm database holds.

use crate::args::{Session, parse_age_recipient};
use crate::failure::Failure;
use crate::output::{out, print_json};
use crate::shared::{Confirm, open_vault, passphrase_from};
use clap::{Args, Subcommand};
use custos_core::firm_config::{CatalogConfig, FirmConfig};
use custos_core::{MemberKey, SystemClock, Unlock, Vault, keys};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The `[catalog]` section of a firm config, which these commands need.
pub fn catalog_of(config: &Path) -> Result<CatalogConfig, Failure> {
    FirmConfig::from_file(config)?
        .catalog
        .ok_or_else(|| Failure::input(format!("{} has no [catalog] section (url = \"postgresql://role@host/database\")", config.display())))
}

#[derive(Args)]
pub struct JoinArgs {
    /// Folder for this machine's copy of the matter (must not exist, or be empty)
    vault: PathBuf,
    /// The firm config whose [catalog] names the database (the password comes
    /// from PGPASSWORD or ~/.pgpass, never an argument)
    #[arg(long, value_name = "CONFIG.toml")]
    firm: PathBuf,
    /// The matter's vault id, when the database holds more than one
    #[arg(long, value_name = "VAULT-ID")]
    matter: Option<String>,
    #[command(flatten)]
    session: Session,
}

/// `custos join`: a copy of a firm matter on this machine, opened with one's own key.
pub fn join(args: JoinArgs) -> Result<u8, Failure> {
    let catalog = catalog_of(&args.firm)?;
    let unlock = match &args.session.recovery_identity {
        Some(f) => Unlock::Recovery(keys::read_identity_file(f)?),
        None => Unlock::Passphrase(passphrase_from("CUSTOS_PASSPHRASE", "Your passphrase for the matter: ", Confirm::Once)?),
    };
    let v = Vault::join_firm(&args.vault, &catalog, args.matter.as_deref(), &unlock, args.session.examiner.as_deref(), Arc::new(SystemClock))?;
    out!("Joined matter \"{}\" (vault id {}) as {}", v.matter().matter, v.config().vault_id, v.actor());
    out!("Catalog: {}", v.firm_catalog().unwrap_or_default());
    v.close()?;
    Ok(0)
}

#[derive(Args)]
pub struct MemberArgs {
    #[command(subcommand)]
    what: MemberCommand,
}

#[derive(Subcommand)]
enum MemberCommand {
    /// List the people who hold keys to the firm vault
    List {
        vault: PathBuf,
        /// Print as JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        session: Session,
    },
    /// Give a person their own key: their age public key, or a passphrase of
    /// their own read from CUSTOS_NEW_PASSPHRASE (or typed twice)
    Add {
        vault: PathBuf,
        /// Their name, as the custody log will name them
        #[arg(long)]
        name: String,
        /// Their age X25519 public key (age1…); without it, a passphrase
        #[arg(long, value_name = "AGE1…", value_parser = parse_age_recipient)]
        recipient: Option<keys::Recipient>,
        /// scrypt work factor for a passphrase key file (10..=22)
        #[arg(long, default_value_t = keys::DEFAULT_WORK_FACTOR)]
        work_factor: u8,
        #[command(flatten)]
        session: Session,
    },
    /// Remove a person's key (logged; the matter's keys are not changed)
    Remove {
        vault: PathBuf,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        session: Session,
    },
}

/// `custos member`.
pub fn member(args: MemberArgs) -> Result<u8, Failure> {
    match args.what {
        MemberCommand::List { vault, json, session } => {
            let v = open_vault(&vault, &session)?;
            let members = v.firm_members()?;
            v.close()?;
            if json {
                print_json(&members);
            } else {
                for m in members {
                    out!("{}\t{}{}", m.name, m.key, if m.this_copy { "\t(this copy)" } else { "" });
                }
            }
        }
        MemberCommand::Add { vault, name, recipient, work_factor, session } => {
            let key = match recipient {
                Some(r) => MemberKey::Age(r),
                None => MemberKey::Passphrase(
                    passphrase_from("CUSTOS_NEW_PASSPHRASE", &format!("Passphrase for {name}: "), Confirm::Twice)?,
                    work_factor,
                ),
            };
            let mut v = open_vault(&vault, &session)?;
            let m = v.add_member(&name, &key)?;
            v.close()?;
            out!("{} now holds a key ({}) to the matter", m.name, m.key);
        }
        MemberCommand::Remove { vault, name, session } => {
            let mut v = open_vault(&vault, &session)?;
            v.remove_member(&name)?;
            v.close()?;
            out!("{name}'s key to the matter is removed");
        }
    }
    Ok(0)
}

#[derive(Args)]
pub struct MattersArgs {
    /// The firm config whose [catalog] names the database
    #[arg(long, value_name = "CONFIG.toml")]
    firm: PathBuf,
    /// Print as JSON
    #[arg(long)]
    json: bool,
}

/// `custos matters`: the matters a firm database holds (ids only: names are sealed).
pub fn matters(args: MattersArgs) -> Result<u8, Failure> {
    let catalog = catalog_of(&args.firm)?;
    let matters = custos_core::firm_matters(&catalog)?;
    if args.json {
        print_json(&matters);
    } else {
        for m in matters {
            out!("{}\tcreated {}\t{} changes", m.vault_id, m.created, m.changes);
        }
    }
    Ok(0)
}
