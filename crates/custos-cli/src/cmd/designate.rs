//! `custos designate`: an exhibit's designations for productions — the
//! privilege claimed, whether it is withheld (a slip sheet in its place and
//! a row on the privilege log), the log's description, its confidentiality.
//! Each change is logged as a metadata edit.

use crate::args::Session;
use crate::failure::Failure;
use crate::shared::open_vault;
use clap::Args;
use custos_core::{Designation, PrivilegeBasis};
use std::path::PathBuf;

#[derive(Args)]
pub struct DesignateArgs {
    /// The vault
    vault: PathBuf,
    /// The exhibits (the same designations for each)
    #[arg(required = true)]
    exhibits: Vec<String>,
    /// The privilege claimed: attorney-client, work-product, common-interest, or none
    #[arg(long, value_name = "BASIS")]
    privilege: Option<String>,
    /// Withhold it from productions (a slip sheet takes its place; it goes on the privilege log)
    #[arg(long, conflicts_with = "produce")]
    withhold: bool,
    /// Produce it again (no longer withheld)
    #[arg(long)]
    produce: bool,
    /// What the privilege log says it is (never its privileged content)
    #[arg(long, value_name = "TEXT")]
    log_description: Option<String>,
    /// Its confidentiality level, e.g. "CONFIDENTIAL"
    #[arg(long, value_name = "LEVEL", conflicts_with = "no_confidentiality")]
    confidentiality: Option<String>,
    /// No confidentiality level
    #[arg(long)]
    no_confidentiality: bool,
    /// Clear every designation first
    #[arg(long)]
    clear: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: DesignateArgs) -> Result<u8, Failure> {
    let privilege = match args.privilege.as_deref() {
        None => None,
        Some(p) if p.trim().eq_ignore_ascii_case("none") => Some(None),
        Some(p) => Some(Some(PrivilegeBasis::parse(p).ok_or_else(|| {
            Failure::input(format!("{p} is not a privilege: give attorney-client, work-product, common-interest or none"))
        })?)),
    };
    let mut v = open_vault(&args.vault, &args.session)?;
    // Every exhibit's new designations are checked before any is written.
    let mut planned = Vec::with_capacity(args.exhibits.len());
    for id in &args.exhibits {
        let mut d = if args.clear { Designation::default() } else { v.show(id)?.designation };
        if let Some(p) = privilege {
            d.privilege = p;
        }
        if args.withhold {
            d.withheld = true;
        }
        if args.produce {
            d.withheld = false;
        }
        if let Some(t) = &args.log_description {
            d.log_description = t.trim().to_string();
        }
        if let Some(c) = &args.confidentiality {
            d.confidentiality = Some(c.trim().to_string());
        }
        if args.no_confidentiality {
            d.confidentiality = None;
        }
        d.check().map_err(|why| Failure::input(format!("{id}: {why}")))?;
        planned.push((id.clone(), d));
    }
    for (id, d) in &planned {
        v.designate(id, d)?;
        eprintln!("{id}: {}", if d.is_empty() { "no designations".to_string() } else { describe(d) });
    }
    v.close()?;
    Ok(0)
}

fn describe(d: &Designation) -> String {
    let mut parts = Vec::new();
    if let Some(p) = d.privilege {
        parts.push(p.words().to_string());
    }
    parts.push(if d.withheld { "withheld".into() } else { "produced".into() });
    if let Some(c) = &d.confidentiality {
        parts.push(c.clone());
    }
    parts.join(", ")
}
