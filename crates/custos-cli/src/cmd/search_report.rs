//! `custos search-report`: what each term of a negotiated list finds, with
//! families and unique hits, and the hashes that let the other side
//! reproduce it (not a custody event: nothing is read out of an exhibit).
//! Run on a vault, it searches the vault; run on a production bundle, it
//! searches the produced documents (their load-file fields and text), as the
//! report a bundle carries was made.

use crate::args::Session;
use crate::failure::Failure;
use crate::shared::open_vault;
use clap::Args;
use custos_core::SearchReport;
use std::path::PathBuf;

#[derive(Args)]
pub struct SearchReportArgs {
    /// The vault, or a production bundle (a .zip, an age-encrypted bundle, or its extracted folder)
    vault: PathBuf,
    /// age identity file for an encrypted bundle (AGE-SECRET-KEY-1…)
    #[arg(long, value_name = "KEYFILE")]
    identity: Option<PathBuf>,
    /// The term list: one query per line (blank lines are skipped); see `custos search --help`
    #[arg(long)]
    terms: PathBuf,
    /// Write the report to this file (which must not exist): .csv or .pdf
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: SearchReportArgs) -> Result<u8, Failure> {
    let list = crate::shared::read_term_list(&args.terms)?;
    if let Some(out) = &args.out {
        if out.exists() {
            return Err(Failure::input(format!("{} already exists; choose another file", out.display())));
        }
        if !matches!(out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref(), Some("csv" | "pdf")) {
            return Err(Failure::input(format!("{}: the report is written as CSV or PDF (a .csv or .pdf file)", out.display())));
        }
    }
    let pdf = args.out.as_ref().is_some_and(|o| o.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")));
    let (report, bytes) = if args.vault.is_file() || args.vault.join("bagit.txt").is_file() {
        let report = bundle_report(&args, &list)?;
        let bytes = if pdf {
            let name = args.vault.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let now = custos_core::clock::format_time(custos_core::Clock::now(&custos_core::SystemClock));
            custos_core::reports::search_report_pdf(&report, &format!("Production bundle {name}"), &now, "the documents of the production bundle")?
        } else {
            custos_core::reports::search_report_csv(&report).into_bytes()
        };
        (report, bytes)
    } else {
        let v = open_vault(&args.vault, &args.session)?;
        let report = v.search_report(&list)?;
        let bytes = if pdf { v.search_report_pdf(&report)? } else { custos_core::reports::search_report_csv(&report).into_bytes() };
        v.close()?;
        (report, bytes)
    };
    if let Some(out) = &args.out {
        std::fs::write(out, bytes).map_err(|e| Failure::input(format!("cannot write {}: {e}", out.display())))?;
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

/// The report over a bundle's produced documents, once the bundle verifies
/// (its own carried report aside: that is what may be being checked).
fn bundle_report(args: &SearchReportArgs, list: &str) -> Result<SearchReport, Failure> {
    let id = crate::shared::read_identity(args.identity.as_deref())?;
    let mut b = custos_core::export::Bundle::open(&args.vault, id.as_ref(), crate::shared::bundle_passphrase().as_ref())?;
    let (verified, contents) = custos_core::export::verify::verify_bundle(&mut b, None)?;
    if !verified.ok {
        let errors = verified.findings.iter().filter(|f| f.severity == custos_core::Severity::Error).count();
        return Err(Failure::input(format!(
            "{} does not verify ({errors} error finding(s); see custos verify-bundle): counts over it would prove nothing",
            args.vault.display()
        )));
    }
    Ok(custos_core::export::bundle_search_report(&mut b, &contents, list)?)
}
