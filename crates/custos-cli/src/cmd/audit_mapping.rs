//! `custos audit-mapping`: a column mapping for audit-log CSV exports in no
//! known format (a document system's log, a USB device history), saved in
//! the vault and logged; every processed export it fits is read into events
//! at once, and every later one when processed.

use crate::args::Session;
use crate::failure::Failure;
use crate::shared::open_vault;
use clap::Args;
use custos_core::AuditMapping;
use std::path::PathBuf;

#[derive(Args)]
pub struct AuditMappingArgs {
    /// The vault
    vault: PathBuf,
    /// List the saved mappings instead
    #[arg(long, conflicts_with_all = ["name", "time", "actor", "action", "object"])]
    list: bool,
    /// The mapping's name (new: a saved mapping never changes)
    #[arg(long, required_unless_present = "list")]
    name: Option<String>,
    /// The column holding when (RFC 3339, `YYYY-MM-DD HH:MM:SS`, `M/D/YYYY h:mm:ss AM`)
    #[arg(long, value_name = "COLUMN", required_unless_present = "list")]
    time: Option<String>,
    /// The column holding who
    #[arg(long, value_name = "COLUMN", required_unless_present = "list")]
    actor: Option<String>,
    /// The column holding what was done
    #[arg(long, value_name = "COLUMN", required_unless_present = "list")]
    action: Option<String>,
    /// The column holding what it was done to (a path, a URL, a name)
    #[arg(long, value_name = "COLUMN", required_unless_present = "list")]
    object: Option<String>,
    /// The column holding the client's IP address
    #[arg(long, value_name = "COLUMN")]
    ip: Option<String>,
    /// The column holding the device or workstation
    #[arg(long, value_name = "COLUMN")]
    device: Option<String>,
    /// The column holding the file's name (default: the object's last part)
    #[arg(long, value_name = "COLUMN")]
    file_name: Option<String>,
    /// The column holding the file's size in bytes
    #[arg(long, value_name = "COLUMN")]
    size: Option<String>,
    /// The column holding the file's SHA-256 (or SHA-1 or MD5)
    #[arg(long, value_name = "COLUMN")]
    hash: Option<String>,
    /// The offset from UTC of times written without a zone, e.g. -05:00 (default: UTC)
    #[arg(long, value_name = "±HH:MM", allow_hyphen_values = true)]
    utc_offset: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: AuditMappingArgs) -> Result<u8, Failure> {
    let mut v = open_vault(&args.vault, &args.session)?;
    if args.list {
        let all = v.saved_mappings()?;
        v.close()?;
        if args.json {
            crate::output::print_json(&all);
        } else {
            for s in &all {
                let m = &s.mapping;
                println!("{}: time {}, actor {}, action {}, object {}  (saved {}, SHA-256 {})", m.name, m.time, m.actor, m.action, m.object, s.saved_at, s.sha256);
            }
            if all.is_empty() {
                eprintln!("no column mapping is saved");
            }
        }
        return Ok(0);
    }
    let mapping = AuditMapping {
        name: args.name.unwrap_or_default(),
        time: args.time.unwrap_or_default(),
        actor: args.actor.unwrap_or_default(),
        action: args.action.unwrap_or_default(),
        object: args.object.unwrap_or_default(),
        ip: args.ip,
        device: args.device,
        file_name: args.file_name,
        size: args.size,
        hash: args.hash,
        utc_offset: args.utc_offset,
    };
    let saved = v.save_audit_mapping(mapping)?;
    v.close()?;
    if args.json {
        crate::output::print_json(&saved);
    } else {
        eprintln!("saved the column mapping {} (SHA-256 {})", saved.saved.mapping.name, saved.saved.sha256);
        for r in &saved.read {
            eprintln!("  {}: {} events read through it{}", r.exhibit, r.events, if r.problems > 0 { format!(", {} rows unreadable", r.problems) } else { String::new() });
        }
        if saved.read.is_empty() {
            eprintln!("  no export in the vault has its columns yet; exports taken in later that have them are read through it when processed");
        }
    }
    Ok(0)
}
