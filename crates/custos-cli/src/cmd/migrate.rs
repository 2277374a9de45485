//! `custos migrate`: move a vault's objects into a firm's write-once S3 bucket.

use crate::args::Session;
use crate::failure::Failure;
use crate::output::print_json;
use crate::shared::open_vault;
use clap::Args;
use custos_core::objects_config::ObjectsConfig;
use std::path::PathBuf;

#[derive(Args)]
pub struct MigrateArgs {
    /// The vault whose objects are in its folder
    vault: PathBuf,
    /// The TOML file whose [objects] section names the S3 bucket with Object
    /// Lock (as for init --objects). Credentials come from AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY or ~/.aws/credentials (mode 0600), never an argument
    #[arg(long, value_name = "CONFIG.toml")]
    to: PathBuf,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: MigrateArgs) -> Result<u8, Failure> {
    let config = ObjectsConfig::from_file(&args.to)?;
    let mut v = open_vault(&args.vault, &args.session)?;
    let moved = v.move_objects_to_bucket(&config)?;
    v.close()?;
    if args.json {
        print_json(&moved);
    } else {
        println!("Moved {} objects ({} bytes) to {}; the vault folder keeps no copy", moved.objects, moved.bytes, moved.to);
    }
    Ok(0)
}
