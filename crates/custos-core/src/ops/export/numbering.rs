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
    /// (exhibit id, first number), in exhibit order.
    pub items: Vec<(String, u64)>,
    /// The numbers (pages) each takes: 1 each for natives alone; its page
    /// count in a production with page images.
    pub pages: Vec<u64>,
}

impl BatesPlan {
    /// The formatted Bates number of `n`.
    pub fn format(&self, n: u64) -> String {
        format!("{}{:0width$}", self.prefix, n, width = self.width)
    }

    /// The first number of the production.
    pub fn first_number(&self) -> u64 {
        self.items[0].1
    }

    /// The last number of the production.
    pub fn last_number(&self) -> u64 {
        self.end_of(self.items.len() - 1)
    }

    /// The last number of document `i`.
    pub fn end_of(&self, i: usize) -> u64 {
        self.items[i].1 + self.pages[i] - 1
    }

    /// The formatted numbers of document `i`, one per page.
    pub fn numbers_of(&self, i: usize) -> Vec<String> {
        (self.items[i].1..=self.end_of(i)).map(|n| self.format(n)).collect()
    }

    /// Every number the production gives, with its exhibit.
    pub fn every_number(&self) -> Vec<(String, u64)> {
        self.items.iter().enumerate().flat_map(|(i, (id, first))| (*first..=self.end_of(i)).map(move |n| (id.clone(), n))).collect()
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
        let chosen = self.complete_families(chosen)?;
        if req.require_privilege_log {
            let designations = self.designations()?;
            if !chosen.iter().any(|c| designations.get(&c.exhibit.id).is_some_and(|d| d.withheld)) {
                return Err(Error::InvalidInput(
                    "a privilege log was asked for, but no document of the selection is withheld; designate the privileged ones first (custos designate)".into(),
                ));
            }
        }
        Ok((chosen, search))
    }

    /// The next free Bates number under `prefix` (1 if none was produced).
    pub fn next_bates(&self, prefix: &str) -> Result<u64> {
        Ok(self.last_bates_number(prefix)?.map_or(1, |l| l + 1))
    }

    /// Numbers a selection, document `i` taking `pages[i]` numbers, and
    /// checks it against every earlier production: a number already given
    /// to another exhibit under the same prefix is refused.
    pub(crate) fn plan_bates(&self, req: &CheckedExport, selection: &[Chosen], pages: &[u64]) -> Result<BatesPlan> {
        let start = match req.bates_start {
            Some(s) => s,
            None => self.next_bates(&req.bates_prefix)?,
        };
        let total: u64 = pages.iter().sum();
        let what = if req.images.is_some() { "page(s)" } else { "exhibit(s)" };
        let last = start.checked_add(total - 1).filter(|l| l.to_string().len() <= req.bates_width).ok_or_else(|| {
            Error::InvalidInput(format!(
                "Bates numbers from {start} for {total} {what} do not fit in {} digits; choose more digits (--bates-width) or a lower start",
                req.bates_width
            ))
        })?;
        let mut next = start;
        let items = selection
            .iter()
            .zip(pages)
            .map(|(c, n)| {
                let first = next;
                next += n;
                (c.exhibit.id.clone(), first)
            })
            .collect();
        let plan = BatesPlan { prefix: req.bates_prefix.clone(), width: req.bates_width, items, pages: pages.to_vec() };
        let planned: std::collections::HashMap<u64, String> = plan.every_number().into_iter().map(|(id, n)| (n, id)).collect();
        for (ex, n, prod) in self.bates_produced(&req.bates_prefix, start, last)? {
            let now = planned.get(&n).map(String::as_str);
            if now != Some(ex.as_str()) {
                return Err(Error::InvalidInput(format!(
                    "Bates {} was already produced for {ex} (production {prod}); it would now go to {}. \
                     Start after the last number produced (the default) or keep the same exhibits on the same numbers",
                    plan.format(n),
                    now.unwrap_or("?")
                )));
            }
        }
        Ok(plan)
    }
}
