//! `custos init`: a new vault for a matter.

use crate::args::parse_age_recipient;
use crate::failure::Failure;
use crate::output::out;
use crate::shared::{Confirm, passphrase_from};
use clap::Args;
use custos_core::age::secrecy::ExposeSecret;
use custos_core::firm_config::FirmConfig;
use custos_core::objects_config::ObjectsConfig;
use custos_core::{CreateOptions, SystemClock, Vault, keys};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args)]
pub struct InitArgs {
    /// Folder for the new vault (must not exist, or be empty)
    vault: PathBuf,
    /// Matter name, e.g. "Acme Corp. v. Doe"
    #[arg(long)]
    matter: String,
    /// Matter or docket number
    #[arg(long)]
    matter_number: Option<String>,
    /// Examiner creating the vault (the default actor for later sessions)
    #[arg(long)]
    examiner: String,
    /// Also make the vault keys recoverable with this age X25519 public key (age1…)
    #[arg(long, value_name = "AGE1…", value_parser = parse_age_recipient)]
    recovery_recipient: Option<custos_core::keys::Recipient>,
    /// scrypt work factor, log2 N (10..=22; default 18)
    #[arg(long, default_value_t = keys::DEFAULT_WORK_FACTOR)]
    work_factor: u8,
    /// Exhibit number prefix
    #[arg(long, default_value = "EX-")]
    exhibit_prefix: String,
    /// Keep the exhibits' encrypted objects in an S3 bucket with Object Lock
    /// (write-once) described by this TOML file's [objects] section, instead
    /// of the vault folder. Credentials come from AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY or ~/.aws/credentials (mode 0600), never an argument
    #[arg(long, value_name = "CONFIG.toml", conflicts_with = "firm")]
    objects: Option<PathBuf>,
    /// Make a firm vault: objects in the S3 bucket the file's [objects] names,
    /// catalog and custody log in the PostgreSQL database its [catalog] names
    /// (password from PGPASSWORD or ~/.pgpass); this folder is your copy
    #[arg(long, value_name = "CONFIG.toml")]
    firm: Option<PathBuf>,
}

pub fn run(args: InitArgs) -> Result<u8, Failure> {
    let InitArgs { vault, matter, matter_number, examiner, recovery_recipient, work_factor, exhibit_prefix, objects, firm } = args;
    let mut objects = objects.map(|p| ObjectsConfig::from_file(&p)).transpose()?;
    let catalog = match &firm {
        Some(path) => {
            let config = FirmConfig::from_file(path)?;
            let (Some(o), Some(c)) = (config.objects, config.catalog) else {
                return Err(Failure::input(format!("{}: a firm vault needs both [objects] and [catalog]", path.display())));
            };
            // The database is reached (and the password taken) before anything is made.
            custos_core::firm_matters(&c)?;
            objects = Some(o);
            Some(c)
        }
        None => None,
    };
    let opts = CreateOptions { matter, matter_number, examiner, recovery_recipient, work_factor, exhibit_prefix, objects };
    let pass = passphrase_from("CUSTOS_PASSPHRASE", "New vault passphrase: ", Confirm::Twice)?;
    if pass.expose_secret().is_empty() {
        return Err(Failure::input("the passphrase must not be empty"));
    }
    let existed = vault.exists();
    let mut v = Vault::create(&vault, &opts, &pass, Arc::new(SystemClock))?;
    let moved = match &catalog {
        Some(c) => match v.move_catalog_to_firm(c) {
            Ok(m) => Some(m),
            Err(e) => {
                // Nothing of the new vault is left: its bucket is still empty.
                drop(v);
                let _ = std::fs::remove_dir_all(&vault);
                if existed {
                    let _ = std::fs::create_dir(&vault);
                }
                return Err(e.into());
            }
        },
        None => None,
    };
    out!("Created vault {} for matter \"{}\" (vault id {})", vault.display(), v.matter().matter, v.config().vault_id);
    out!("Custody signing key (Ed25519): {}", v.config().signing_key);
    if let Some(objects) = &opts.objects {
        out!("Objects: {} (write-once)", objects.describe());
    }
    if let Some(m) = moved {
        out!("Catalog and custody log: {} (this folder is your copy; others join with custos join)", m.to);
    }
    v.close()?;
    Ok(0)
}
