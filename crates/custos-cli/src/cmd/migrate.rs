//! `custos migrate`: move a vault into a firm's storage — its objects into a
//! write-once S3 bucket, its catalog and custody log into PostgreSQL.

use crate::args::Session;
use crate::failure::Failure;
use crate::output::{out, print_json};
use crate::shared::open_vault;
use clap::Args;
use custos_core::firm_config::FirmConfig;
use std::path::PathBuf;

#[derive(Args)]
pub struct MigrateArgs {
    /// The vault to move
    vault: PathBuf,
    /// The firm config: [objects] names the S3 bucket with Object Lock,
    /// [catalog] the PostgreSQL database (either or both). Credentials come
    /// from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws/credentials and
    /// PGPASSWORD or ~/.pgpass (mode 0600), never an argument
    #[arg(long, value_name = "CONFIG.toml")]
    to: PathBuf,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

#[derive(serde::Serialize)]
struct Moved {
    objects: Option<custos_core::MovedObjects>,
    catalog: Option<custos_core::MovedCatalog>,
}

pub fn run(args: MigrateArgs) -> Result<u8, Failure> {
    let config = FirmConfig::from_file(&args.to)?;
    let mut v = open_vault(&args.vault, &args.session)?;
    let objects = match &config.objects {
        // Objects already in a bucket stay there when only the catalog is left to move.
        Some(_) if config.catalog.is_some() && v.objects_in_bucket() => None,
        Some(o) => Some(v.move_objects_to_bucket(o)?),
        None => None,
    };
    let catalog = match &config.catalog {
        Some(c) => Some(v.move_catalog_to_firm(c)?),
        None => None,
    };
    v.close()?;
    if args.json {
        print_json(&Moved { objects, catalog });
        return Ok(0);
    }
    if let Some(m) = objects {
        out!("Moved {} objects ({} bytes) to {}; the vault folder keeps no copy", m.objects, m.bytes, m.to);
    }
    if let Some(c) = catalog {
        out!("Moved the catalog and custody log ({} events) to {}; keys: {}", c.events, c.to, c.members.join(", "));
        out!("The folder is now this machine's copy of the firm vault; others join with custos join");
    }
    Ok(0)
}
