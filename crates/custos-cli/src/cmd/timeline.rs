//! `custos timeline`: the events read from audit-log exports, in time
//! order, each joined to the exhibit it is about where the log allows it.

use crate::args::Session;
use crate::failure::Failure;
use crate::shared::open_vault;
use clap::Args;
use custos_core::TimelineQuery;
use std::path::PathBuf;

#[derive(Args)]
pub struct TimelineArgs {
    /// The vault
    vault: PathBuf,
    /// Only what happened to this exhibit (events joined to it)
    #[arg(long)]
    exhibit: Option<String>,
    /// Only this actor's events
    #[arg(long)]
    actor: Option<String>,
    /// Only events of this action (e.g. FileDownloaded)
    #[arg(long)]
    action: Option<String>,
    /// Only events from this day (2025-05-14), hour (2025-05-14T09) or time on
    #[arg(long)]
    from: Option<String>,
    /// Only events up to this day, hour or time (inclusive)
    #[arg(long)]
    to: Option<String>,
    /// The exhibits' own dates as well: e-mails sent and received, documents created and modified
    #[arg(long)]
    dates: bool,
    /// Print JSON: an array of {"time", "actor", "action", "source_exhibit", "row", "exhibit", "join", …}
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV
    #[arg(long, conflicts_with = "pdf")]
    csv: bool,
    /// Write the timeline as a PDF exhibit to this file (which must not exist)
    #[arg(long, value_name = "FILE", conflicts_with = "json")]
    pdf: Option<PathBuf>,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: TimelineArgs) -> Result<u8, Failure> {
    let v = open_vault(&args.vault, &args.session)?;
    if let Some(id) = &args.exhibit {
        v.show(id)?;
    }
    let query = TimelineQuery { exhibit: args.exhibit.clone(), actor: args.actor.clone(), action: args.action.clone(), from: args.from.clone(), to: args.to.clone(), dates: args.dates };
    if let Some(out) = &args.pdf {
        if out.exists() {
            return Err(Failure::input(format!("{} already exists; choose another file", out.display())));
        }
        let bytes = v.timeline_pdf(&query)?;
        v.close()?;
        std::fs::write(out, bytes).map_err(|e| Failure::input(format!("cannot write {}: {e}", out.display())))?;
        eprintln!("wrote the timeline to {}", out.display());
        return Ok(0);
    }
    let events = v.timeline(&query)?;
    v.close()?;
    if args.json {
        crate::output::print_json(&events);
    } else if args.csv {
        print!("{}", custos_core::reports::timeline_csv(&events));
    } else {
        for e in &events {
            let about = match (&e.exhibit, &e.join) {
                (Some(x), Some(j)) => format!("{x} (by {j}{})", if e.weak { ", weak" } else { "" }),
                _ => "—".into(),
            };
            let burst = if e.burst { "  MASS DOWNLOAD" } else { "" };
            let from = if e.source == "metadata" { format!("[{}'s own metadata]", e.source_exhibit) } else { format!("[{} row {}]", e.source_exhibit, e.row) };
            println!("{}  {:<28} {:<24} {:<40} {}  {from}{burst}", e.time, e.actor, e.action, e.object, about);
        }
        if events.is_empty() {
            eprintln!("no events: take in an audit-log export (Microsoft 365, Google Drive or Box) and process it");
        }
    }
    Ok(0)
}
