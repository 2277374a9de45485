//! `custos timestamp`: RFC 3161 countersignatures of the latest checkpoint,
//! and the settings that say which authorities to ask and when.

use crate::args::{Session, parse_auto, parse_tsa_url};
use crate::failure::Failure;
use crate::output::{self, Format, print_json, print_stamps};
use crate::shared::{open_vault, read_tsa_cas};
use crate::terminal::printable;
use clap::Args;
use custos_core::{AutoTimestamp, StampOutcome, TsaUrl};
use std::path::PathBuf;

#[derive(Args)]
pub struct TimestampArgs {
    /// The vault
    vault: PathBuf,
    /// Ask this authority (http:// or https://; repeatable; default: those kept with --set-tsa)
    #[arg(long = "tsa", value_name = "URL", value_parser = parse_tsa_url)]
    tsa: Vec<TsaUrl>,
    /// Keep these authorities in the vault, replacing the list (repeatable; logged; does not stamp)
    #[arg(long = "set-tsa", value_name = "URL", value_parser = parse_tsa_url)]
    set_tsa: Vec<TsaUrl>,
    /// Forget the authorities kept in the vault (logged; does not stamp)
    #[arg(long, conflicts_with = "set_tsa")]
    clear_tsa: bool,
    /// Stamp automatically after every intake and export: on or off (logged; does not stamp)
    #[arg(long, value_name = "on|off", value_parser = parse_auto)]
    auto: Option<AutoTimestamp>,
    /// Trust the TSA CA certificate(s) in this PEM file when verifying tokens (repeatable; logged; does not stamp)
    #[arg(long = "trust-ca", value_name = "FILE")]
    trust_ca: Vec<PathBuf>,
    /// Print the settings and the stored tokens instead of stamping
    #[arg(long)]
    list: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: TimestampArgs) -> Result<u8, Failure> {
    let TimestampArgs { vault, tsa, set_tsa, clear_tsa, auto, trust_ca, list, json, session } = args;
    let format = Format::json_if(json);
    // Everything is read before the vault is opened: bad input changes nothing.
    let cas = read_tsa_cas(&trust_ca)?;
    let settings_only = !set_tsa.is_empty() || clear_tsa || auto.is_some() || !cas.is_empty();
    if settings_only && !tsa.is_empty() {
        return Err(Failure::input("change the settings (--set-tsa, --clear-tsa, --auto, --trust-ca) or stamp (--tsa), not both at once"));
    }
    let mut v = open_vault(&vault, &session)?;
    if list {
        let settings = v.timestamp_settings()?;
        let stored = v.timestamps()?;
        v.close()?;
        output::print_timestamp_settings(&settings, &stored, format);
        return Ok(0);
    }
    if settings_only {
        if !set_tsa.is_empty() || clear_tsa {
            v.set_tsa_urls(&set_tsa)?;
        }
        if let Some(a) = auto {
            v.set_auto_timestamp(a)?;
        }
        for pem in &cas {
            for c in v.trust_tsa_ca(pem.as_bytes())? {
                eprintln!("Trusted TSA CA {} (SHA-256 {})", printable(&c.subject), c.sha256);
            }
        }
        v.close()?;
        return Ok(0);
    }
    let outcomes = v.timestamp(&tsa)?;
    let stamped = outcomes.iter().any(|o| matches!(o, StampOutcome::Stamped { .. }));
    // With no token the command failed: the unlock is not logged and
    // the vault stays as it was.
    if stamped {
        v.close()?;
    }
    match format {
        Format::Json => print_json(&outcomes),
        Format::Text => print_stamps(&outcomes),
    }
    Ok(if stamped { 0 } else { 2 })
}
