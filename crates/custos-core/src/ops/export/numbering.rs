//! Bates numbering: the exhibits a request selects and the numbers they
//! get, checked against every earlier production.

use super::request::CheckedExport;
use crate::error::{Error, Result};
use crate::format::details::SearchSelection;
use crate::store::Vault;
use crate::store::exhibits::Chosen;
use serde::Serialize;

/// A Bates plan for a selection, checked against earlier productions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatesPlan {
    /// Prefix.
    pub prefix: String,
    /// Width.
    pub width: usize,
    /// (exhibit id, number), in exhibit order.
    pub items: Vec<(String, u64)>,
}

impl BatesPlan {
    /// The formatted Bates number of `n`.
    pub fn format(&self, n: u64) -> String {
        format!("{}{:0width$}", self.prefix, n, width = self.width)
    }
}

impl Vault {
    /// The exhibits an export request selects, in exhibit order, and the
    /// search that chose them (as recorded with the production), if one did.
    pub(crate) fn export_selection(&self, req: &CheckedExport) -> Result<(Vec<Chosen>, Option<SearchSelection>)> {
        if let Some(id) = self.unknown_exhibits(&req.exhibits)?.into_iter().next() {
            return Err(Error::NoSuchExhibit(id));
        }
        let mut search = None;
        let ids = match &req.search {
            None => req.exhibits.clone(),
            Some(q) => {
                if let Some(name) = &req.search_name
                    && self.saved_search(name)?.is_none_or(|s| s.query != *q)
                {
                    return Err(Error::InvalidInput(format!("the saved search {name} is no longer the query {q} (changed or deleted since); choose it again")));
                }
                let found = self.matching_ids(q)?;
                search = Some(SearchSelection {
                    name: req.search_name.clone(),
                    query: q.clone(),
                    hits: found.len() as u64,
                    hits_sha256: super::request::selection_digest(found.iter().map(String::as_str)),
                });
                let ids: Vec<String> = if req.exhibits.is_empty() { found } else { found.into_iter().filter(|id| req.exhibits.contains(id)).collect() };
                if ids.is_empty() {
                    return Err(Error::InvalidInput(format!("the selection is empty: the search {q} finds no exhibit{}", if req.exhibits.is_empty() { "" } else { " among those chosen" })));
                }
                ids
            }
        };
        let chosen = self.choose(&ids, req.tag.as_deref(), req.custodian.as_deref())?;
        if chosen.is_empty() {
            return Err(Error::InvalidInput("the selection is empty: no exhibit matches".into()));
        }
        Ok((self.complete_families(chosen)?, search))
    }

    /// The next free Bates number under `prefix` (1 if none was produced).
    pub fn next_bates(&self, prefix: &str) -> Result<u64> {
        Ok(self.last_bates_number(prefix)?.map_or(1, |l| l + 1))
    }

    /// Numbers a selection and checks it against every earlier production:
    /// a number already given to another exhibit under the same prefix is refused.
    pub(crate) fn plan_bates(&self, req: &CheckedExport, selection: &[Chosen]) -> Result<BatesPlan> {
        let start = match req.bates_start {
            Some(s) => s,
            None => self.next_bates(&req.bates_prefix)?,
        };
        let last = start.checked_add(selection.len() as u64 - 1).filter(|l| l.to_string().len() <= req.bates_width).ok_or_else(|| {
            Error::InvalidInput(format!(
                "Bates numbers from {start} for {} exhibit(s) do not fit in {} digits; choose more digits (--bates-width) or a lower start",
                selection.len(),
                req.bates_width
            ))
        })?;
        let plan = BatesPlan {
            prefix: req.bates_prefix.clone(),
            width: req.bates_width,
            items: selection.iter().enumerate().map(|(i, c)| (c.exhibit.id.clone(), start + i as u64)).collect(),
        };
        for (ex, n, prod) in self.bates_produced(&req.bates_prefix, start, last)? {
            // The plan's numbers run on from `start`, one per exhibit.
            let planned = n.checked_sub(start).and_then(|i| plan.items.get(i as usize)).map(|(id, _)| id.as_str());
            if planned != Some(ex.as_str()) {
                return Err(Error::InvalidInput(format!(
                    "Bates {} was already produced for {ex} (production {prod}); it would now go to {}. \
                     Start after the last number produced (the default) or keep the same exhibits on the same numbers",
                    plan.format(n),
                    planned.unwrap_or("?")
                )));
            }
        }
        Ok(plan)
    }
}
