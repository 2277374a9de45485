//! `custos search-report`: what each term of a negotiated list finds, with
//! families and unique hits, and the hashes that let the other side
//! reproduce it (not a custody event: nothing is read out of an exhibit).

use crate::args::Session;
use crate::failure::Failure;
use crate::shared::open_vault;
use clap::Args;
use custos_core::SearchReport;
use std::path::PathBuf;

#[derive(Args)]
pub struct SearchReportArgs {
    /// The vault
    vault: PathBuf,
    /// The term list: one query per line (blank lines are skipped); see `custos search --help`
    #[arg(long)]
    terms: PathBuf,
    /// Write the report as CSV to this file (which must not exist)
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: SearchReportArgs) -> Result<u8, Failure> {
    let list = std::fs::read(&args.terms).map_err(|e| Failure::input(format!("cannot read the term list {}: {e}", args.terms.display())))?;
    let list = String::from_utf8(list).map_err(|_| Failure::input(format!("the term list {} is not UTF-8 text", args.terms.display())))?;
    if let Some(out) = &args.out {
        if out.exists() {
            return Err(Failure::input(format!("{} already exists; choose another file", out.display())));
        }
        if out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() != Some("csv") {
            return Err(Failure::input(format!("{}: the report is written as CSV (a .csv file)", out.display())));
        }
    }
    let v = open_vault(&args.vault, &args.session)?;
    let report = v.search_report(&list)?;
    v.close()?;
    if let Some(out) = &args.out {
        std::fs::write(out, custos_core::reports::search_report_csv(&report)).map_err(|e| Failure::input(format!("cannot write {}: {e}", out.display())))?;
    }
    if args.json {
        crate::output::print_json(&report);
    } else if args.out.is_none() {
        print!("{}", table(&report));
    }
    Ok(0)
}

/// The report as text, a line per term.
fn table(r: &SearchReport) -> String {
    let width = r.terms.iter().map(|t| t.term.chars().count()).max().unwrap_or(4).clamp(4, 60);
    let mut out = format!("{:width$}  {:>9}  {:>13}  {:>6}\n", "term", "documents", "with families", "unique");
    for t in r.terms.iter().chain(std::iter::once(&r.total)) {
        out.push_str(&format!("{:width$}  {:>9}  {:>13}  {:>6}\n", t.term, t.documents, t.with_families, t.unique));
    }
    out.push_str(&format!("searched {} exhibits, set SHA-256 {}\nterm list SHA-256 {}\n", r.searched, r.searched_sha256, r.terms_sha256));
    out
}
