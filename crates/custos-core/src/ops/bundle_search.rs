//! Searching what a production holds, without its vault: a search-term
//! report over the produced documents (the load file's fields and the
//! produced text, indexed in memory as the producing vault indexed them), and
//! the check that the report a bundle carries is the one its documents give.

use crate::bundle::layout::{SEARCH_REPORT_JSON_FILE, SEARCH_TERMS_FILE};
use crate::bundle::read::{Bundle, Whole};
use crate::bundle::seal_key::PinnedKeys;
use crate::format::tsp::token::TsaTrust;
use crate::bundle::verify::{BundleContents, BundleReport};
use crate::error::{Error, Result};
use crate::format::finding::{Finding, FindingKind, Severity};
use crate::progress::{NoProgress, Progress};
use crate::store::production_index::ProductionIndex;
use crate::store::search::SearchReport;

/// The most text one produced document may hold for the index (the writer
/// keeps no text file over 64 MiB).
const MAX_TEXT: u64 = 64 << 20;

/// The search-term report of `list` over the documents of a verified
/// bundle (`contents`, from its verification): each load-file row with the
/// text file it names.
pub fn bundle_search_report(bundle: &mut Bundle, contents: &BundleContents, list: &str) -> Result<SearchReport> {
    crate::store::search::parse_terms(list)?;
    let mut index = ProductionIndex::new()?;
    for row in &contents.rows {
        let text = match row.get("TEXTPATH").filter(|p| !p.is_empty()) {
            None => String::new(),
            Some(p) => {
                let path = format!("data/{}", p.replace('\\', "/"));
                if bundle.size(&path).is_some_and(|s| s > MAX_TEXT) {
                    return Err(Error::InvalidInput(format!("{path} is over 64 MiB; a production's text file is never that large")));
                }
                let mut bytes = Vec::new();
                bundle.read_with(&path, &mut |c| {
                    bytes.extend_from_slice(c);
                    Ok(())
                })?;
                String::from_utf8_lossy(&bytes).into_owned()
            }
        };
        index.add(row, &text)?;
    }
    index.report(list)
}

/// Checks the search-term report a bundle carries (if it carries one)
/// against its term list run anew over the produced documents; a report
/// that does not match is an error finding naming the terms that differ.
pub fn check_search_report(bundle: &mut Bundle, report: &mut BundleReport, contents: &BundleContents) -> Result<()> {
    if !bundle.contains(SEARCH_TERMS_FILE) && !bundle.contains(SEARCH_REPORT_JSON_FILE) {
        return Ok(());
    }
    let mut finding = |message: String| {
        report.findings.push(Finding {
            severity: Severity::Error,
            exhibit: None,
            kind: FindingKind::SearchReportMismatch,
            event: None,
            message,
            action: "Ask the producing party for the term list and report as produced; do not rely on these counts.".into(),
        });
        report.ok = false;
    };
    let (list, carried) = match (bundle.read(SEARCH_TERMS_FILE, Whole::Small), bundle.read(SEARCH_REPORT_JSON_FILE, Whole::Small)) {
        (Ok(l), Ok(r)) => (l, r),
        _ => {
            finding(format!("the bundle's search-term report needs both {SEARCH_TERMS_FILE} and {SEARCH_REPORT_JSON_FILE}; one is missing or unreadable"));
            return Ok(());
        }
    };
    let Ok(list) = String::from_utf8(list) else {
        finding(format!("{SEARCH_TERMS_FILE} is not UTF-8 text"));
        return Ok(());
    };
    let carried: SearchReport = match serde_json::from_slice(&carried) {
        Ok(r) => r,
        Err(e) => {
            finding(format!("{SEARCH_REPORT_JSON_FILE} is not a search-term report: {e}"));
            return Ok(());
        }
    };
    let now = match bundle_search_report(bundle, contents, &list) {
        Ok(r) => r,
        Err(e @ (Error::InvalidQuery(_) | Error::InvalidInput(_))) => {
            finding(format!("the bundle's term list cannot be run again: {e}"));
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    if now != carried {
        let mut differ: Vec<String> = now
            .terms
            .iter()
            .chain(std::iter::once(&now.total))
            .zip(carried.terms.iter().chain(std::iter::once(&carried.total)))
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("{}: {}/{}/{} where the report says {}/{}/{}", a.term, a.documents, a.with_families, a.unique, b.documents, b.with_families, b.unique))
            .collect();
        if now.terms.len() != carried.terms.len() {
            differ.push(format!("{} terms where the report lists {}", now.terms.len(), carried.terms.len()));
        }
        for (what, a, b) in [("term list", &now.terms_sha256, &carried.terms_sha256), ("searched set", &now.searched_sha256, &carried.searched_sha256)] {
            if a != b {
                differ.push(format!("the {what}'s SHA-256 is {a} where the report says {b}"));
            }
        }
        finding(format!("the search-term report the bundle carries is not what its term list finds in the produced documents (documents/with families/unique): {}", differ.join("; ")));
    }
    Ok(())
}

/// [`crate::bundle::verify_bundle_trusting`], and the search-term report the
/// bundle carries checked against its documents.
pub fn verify_bundle_trusting(
    bundle: &mut Bundle,
    pinned: Option<&PinnedKeys>,
    progress: &dyn Progress,
    trust: Option<&TsaTrust>,
) -> Result<(BundleReport, BundleContents)> {
    let (mut report, contents) = crate::bundle::verify_bundle_trusting(bundle, pinned, progress, trust)?;
    check_search_report(bundle, &mut report, &contents)?;
    Ok((report, contents))
}

/// [`verify_bundle_trusting`] with no trusted TSA.
pub fn verify_bundle_with(bundle: &mut Bundle, pinned: Option<&PinnedKeys>, progress: &dyn Progress) -> Result<(BundleReport, BundleContents)> {
    verify_bundle_trusting(bundle, pinned, progress, None)
}

/// [`verify_bundle_with`] reporting no progress.
pub fn verify_bundle(bundle: &mut Bundle, pinned: Option<&PinnedKeys>) -> Result<(BundleReport, BundleContents)> {
    verify_bundle_with(bundle, pinned, &NoProgress)
}
