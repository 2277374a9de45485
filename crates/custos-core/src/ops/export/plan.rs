//! Planning an export before anything is written: the selection, its Bates
//! numbers, the earlier productions under the prefix, and the QC result.

use super::request::CheckedExport;
use super::load_file::{load_file, qc_checks};
use super::write::{Laid, laid_out};
use crate::error::Result;
use crate::store::Vault;
use crate::store::productions::ProductionRecord;
use serde::{Deserialize, Serialize};

/// One exhibit as it would be produced.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedExhibit {
    /// Exhibit id.
    pub exhibit_id: String,
    /// Original file name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Custodian.
    pub custodian: Option<String>,
    /// Its Bates number.
    pub bates: String,
    /// Where its native goes in the bag (its slip sheet, when withheld).
    pub native_path: String,
    /// Withheld as privileged: a slip sheet takes its place.
    pub withheld: bool,
}

/// What an export would do, checked before writing.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportPlan {
    /// The selection in exhibit (and Bates) order.
    pub exhibits: Vec<PlannedExhibit>,
    /// How many exhibits the selection holds (the app is sent only the
    /// first of `exhibits`).
    pub exhibit_count: u64,
    /// [`super::request::selection_digest`] of the selection: a reviewed
    /// export sends it back as `expect_selection`.
    pub selection_sha256: String,
    /// First Bates number.
    pub bates_first: String,
    /// Last Bates number.
    pub bates_last: String,
    /// The first number (what an export started at it would be given).
    pub first_number: u64,
    /// The next number not yet produced under the prefix (the default start).
    pub next_free: u64,
    /// The highest Bates number produced before under the prefix, formatted
    /// as it was produced.
    pub last_produced: Option<String>,
    /// Plaintext bytes to write.
    pub total_bytes: u64,
    /// Checks passed.
    pub qc: Vec<String>,
    /// Things the user should know (values changed to fit the load file,
    /// numbers produced before).
    pub warnings: Vec<String>,
    /// Earlier productions under the same prefix, oldest first.
    pub earlier: Vec<ProductionRecord>,
    /// With page images: how many pages (numbers) the production takes.
    pub pages: Option<u64>,
    /// Documents withheld as privileged (a slip sheet each).
    pub withheld_count: u64,
    /// Documents with a confidentiality designation (their level is their legend).
    pub confidential_count: u64,
}

impl Vault {
    /// Plans an export: the same selection, numbering and QC the export runs,
    /// without decrypting or writing anything. An error is what the export
    /// itself would refuse with. `req.out` is not looked at.
    pub fn plan_export(&self, req: &CheckedExport) -> Result<ExportPlan> {
        self.plan_export_showing(req, usize::MAX)
    }

    /// [`Vault::plan_export`] listing only the first `rows` planned
    /// exhibits (the count and digest still cover all of them): what a
    /// screen shows of a production of 500,000.
    pub fn plan_export_showing(&self, req: &CheckedExport, rows: usize) -> Result<ExportPlan> {
        let (selection, _) = self.export_selection(req)?;
        let info = self.document_info(&selection, false)?;
        let pages = self.page_counts(req, &selection, &info)?;
        let plan = self.plan_bates(req, &selection, &pages)?;
        let selection_sha256 = super::request::selection_digest(selection.iter().map(|c| c.exhibit.id.as_str()));
        let mut exhibits = Vec::with_capacity(selection.len());
        let mut withheld = Vec::new();
        let mut planned = Vec::new();
        for (i, c) in selection.iter().enumerate() {
            let ex = &c.exhibit;
            let (bates, path, is_withheld) = match laid_out(c, &info, &plan, i, req.images) {
                Laid::Produced(p) => {
                    let at = (p.bates.clone(), p.native_path.clone(), false);
                    exhibits.push(*p);
                    at
                }
                Laid::Withheld(w) => {
                    let at = (w.bates.clone(), w.slip_sheet_path.clone(), true);
                    withheld.push(w);
                    at
                }
            };
            if planned.len() < rows {
                planned.push(PlannedExhibit {
                    exhibit_id: ex.id.clone(),
                    name: ex.name.clone(),
                    size: ex.size,
                    custodian: ex.custodian.clone(),
                    bates,
                    native_path: path,
                    withheld: is_withheld,
                });
            }
        }
        // Not produced yet: no time, no seal.
        let production = self.production(req, &plan, String::new(), String::new(), exhibits, withheld);
        let mut qc = qc_checks(&production)?;
        let (_, dat_warnings) = load_file(&production, req, false);
        let mut warnings: Vec<String> = dat_warnings;
        let earlier: Vec<ProductionRecord> =
            self.productions()?.into_iter().filter(|p| p.bates_prefix == req.bates_prefix).collect();
        let next_free = self.next_bates(&req.bates_prefix)?;
        // The highest number produced so far, formatted as it was produced.
        let last_produced = (next_free > 1).then(|| {
            earlier
                .iter()
                .find(|p| p.bates_last[p.bates_prefix.len()..].parse::<u64>().ok() == Some(next_free - 1))
                .map_or_else(|| plan.format(next_free - 1), |p| p.bates_last.clone())
        });
        let (first, last) = (plan.first_number(), plan.last_number());
        if first < next_free {
            let produced = self.numbers_produced(&req.bates_prefix, first, last)? as i64;
            let below = last.min(next_free - 1) - first + 1;
            if produced > 0 {
                warnings.push(format!(
                    "{produced} number(s) of this production were produced before under {}, each for the same exhibit it goes to now",
                    req.bates_prefix
                ));
            }
            let unused = below - produced as u64;
            if unused > 0 {
                warnings.push(format!(
                    "{unused} number(s) of this production lie below the last one produced under {} but were never used",
                    req.bates_prefix
                ));
            }
        } else if earlier.is_empty() {
            qc.push(format!("no earlier production under {}", req.bates_prefix));
        } else {
            qc.push(format!(
                "no overlap with the {} earlier production(s) under {} (the last number produced is {})",
                earlier.len(),
                req.bates_prefix,
                last_produced.clone().unwrap_or_default()
            ));
        }
        if first > next_free {
            warnings.push(format!(
                "numbering starts at {}; {} to {} stay unused under {}",
                production.bates_first,
                plan.format(next_free),
                plan.format(first - 1),
                req.bates_prefix
            ));
        }
        let widths: std::collections::BTreeSet<u32> = earlier.iter().map(|p| p.bates_width).filter(|w| *w as usize != req.bates_width).collect();
        if !widths.is_empty() {
            warnings.push(format!(
                "earlier productions under {} used {} digit(s); this one uses {}, so their numbers will not line up",
                req.bates_prefix,
                widths.iter().map(u32::to_string).collect::<Vec<_>>().join(" and "),
                req.bates_width
            ));
        }
        let folders = production.exhibits.len().div_ceil(super::write::PER_FOLDER);
        qc.push(format!("{} native(s) in {folders} folder(s) of at most 1,000, named by Bates number", production.exhibits.len()));
        if !production.withheld.is_empty() {
            qc.push(format!(
                "{} withheld as privileged: a slip sheet each, and a privilege log of exactly those",
                production.withheld.len()
            ));
        }
        let confidential_count = selection.iter().filter(|c| info.designations.get(&c.exhibit.id).is_some_and(|d| d.confidentiality.is_some())).count() as u64;
        if req.images.is_some() {
            qc.push(format!("page images: {} pages, numbered by page; each document's pages counted before anything is written", pages.iter().sum::<u64>()));
        }
        Ok(ExportPlan {
            pages: req.images.map(|_| pages.iter().sum()),
            withheld_count: production.withheld.len() as u64,
            confidential_count,
            exhibit_count: (production.exhibits.len() + production.withheld.len()) as u64,
            selection_sha256,
            total_bytes: production.exhibits.iter().map(|e| e.size).sum(),
            exhibits: planned,
            bates_first: production.bates_first,
            bates_last: production.bates_last,
            first_number: first,
            next_free,
            last_produced,
            qc,
            warnings,
            earlier,
        })
    }
}
