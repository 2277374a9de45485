//! `custos privilege-log`: the privilege log of the withheld exhibits, from
//! their designations and what processing read of them (not a custody event:
//! nothing is read out of an exhibit).

use crate::args::Session;
use crate::failure::Failure;
use crate::shared::open_vault;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct PrivilegeLogArgs {
    /// The vault
    vault: PathBuf,
    /// Write it to this file (which must not exist): .csv or .pdf
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print it as JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: PrivilegeLogArgs) -> Result<u8, Failure> {
    let pdf = match &args.out {
        None => false,
        Some(out) if out.exists() => return Err(Failure::input(format!("{} already exists; choose another file", out.display()))),
        Some(out) => match out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => false,
            Some("pdf") => true,
            _ => return Err(Failure::input(format!("{}: the log is written as CSV or PDF (a .csv or .pdf file)", out.display()))),
        },
    };
    let v = open_vault(&args.vault, &args.session)?;
    let rows = v.privilege_log()?;
    let bytes = if pdf { v.privilege_log_pdf(&rows)? } else { custos_core::privilege_log_csv(&rows).into_bytes() };
    v.close()?;
    if let Some(out) = &args.out {
        std::fs::write(out, bytes).map_err(|e| Failure::input(format!("cannot write {}: {e}", out.display())))?;
    }
    if args.json {
        crate::output::print_json(&rows);
    } else if args.out.is_none() {
        print!("{}", custos_core::privilege_log_csv(&rows));
    }
    if rows.is_empty() {
        eprintln!("no exhibit is withheld (custos designate VAULT ID --privilege … --withhold --log-description …)");
    }
    Ok(0)
}
