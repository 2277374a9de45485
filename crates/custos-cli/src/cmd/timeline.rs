//! `custos timeline`: the events read from audit-log exports, in time
//! order, each joined to the exhibit it is about where the log allows it.

use crate::args::Session;
use crate::failure::Failure;
use crate::shared::open_vault;
use clap::Args;
use custos_core::{TimelineEvent, TimelineQuery};
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
    /// Print JSON: an array of {"time", "actor", "action", "source_exhibit", "row", "exhibit", "join", …}
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV
    #[arg(long)]
    csv: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: TimelineArgs) -> Result<u8, Failure> {
    let v = open_vault(&args.vault, &args.session)?;
    if let Some(id) = &args.exhibit {
        v.show(id)?;
    }
    let events = v.timeline(&TimelineQuery { exhibit: args.exhibit.clone(), actor: args.actor.clone() })?;
    v.close()?;
    if args.json {
        crate::output::print_json(&events);
    } else if args.csv {
        print!("{}", csv(&events));
    } else {
        for e in &events {
            let about = match (&e.exhibit, &e.join) {
                (Some(x), Some(j)) => format!("{x} (by {j}{})", if e.weak { ", weak" } else { "" }),
                _ => "—".into(),
            };
            let burst = if e.burst { "  MASS DOWNLOAD" } else { "" };
            println!("{}  {:<28} {:<24} {:<40} {}  [{} row {}]{burst}", e.time, e.actor, e.action, e.object, about, e.source_exhibit, e.row);
        }
        if events.is_empty() {
            eprintln!("no events: take in an audit-log export (Microsoft 365, Google Drive or Box) and process it");
        }
    }
    Ok(0)
}

/// The events as CSV (RFC 4180, CRLF), formula-like fields kept as text.
fn csv(events: &[TimelineEvent]) -> String {
    let field = crate::output::csv_field;
    let mut out = String::from("time,actor,action,object,exhibit,join,weak,burst,source_exhibit,row,raw_sha256,ip\r\n");
    for e in events {
        let cols = [
            e.time.clone(),
            e.actor.clone(),
            e.action.clone(),
            e.object.clone(),
            e.exhibit.clone().unwrap_or_default(),
            e.join.clone().unwrap_or_default(),
            e.weak.to_string(),
            e.burst.to_string(),
            e.source_exhibit.clone(),
            e.row.to_string(),
            e.raw_sha256.clone(),
            e.ip.clone().unwrap_or_default(),
        ];
        out.push_str(&cols.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}
