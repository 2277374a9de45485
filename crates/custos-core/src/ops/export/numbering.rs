//! Bates numbering: the exhibits a request selects and the numbers they
//! get, checked against every earlier production.

use super::request::CheckedExport;
use crate::error::{Error, Result};
use crate::store::Vault;
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
    /// The exhibits an export request selects, in exhibit order.
    pub fn export_selection(&self, req: &CheckedExport) -> Result<Vec<crate::Exhibit>> {
        if let Some(id) = self.unknown_exhibits(&req.exhibits)?.into_iter().next() {
            return Err(Error::NoSuchExhibit(id));
        }
        let wanted: std::collections::HashSet<&str> = req.exhibits.iter().map(String::as_str).collect();
        let chosen: Vec<_> = self
            .list()?
            .into_iter()
            .filter(|e| wanted.is_empty() || wanted.contains(e.id.as_str()))
            .filter(|e| req.tag.as_ref().is_none_or(|t| e.tags.contains(t)))
            .filter(|e| req.custodian.as_ref().is_none_or(|c| e.custodian.as_ref() == Some(c)))
            .collect();
        if chosen.is_empty() {
            return Err(Error::InvalidInput("the selection is empty: no exhibit matches".into()));
        }
        Ok(chosen)
    }

    /// The next free Bates number under `prefix` (1 if none was produced).
    pub fn next_bates(&self, prefix: &str) -> Result<u64> {
        Ok(self.last_bates_number(prefix)?.map_or(1, |l| l + 1))
    }

    /// Numbers a selection and checks it against every earlier production:
    /// a number already given to another exhibit under the same prefix is refused.
    pub fn plan_bates(&self, req: &CheckedExport, selection: &[crate::Exhibit]) -> Result<BatesPlan> {
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
            items: selection.iter().enumerate().map(|(i, e)| (e.id.clone(), start + i as u64)).collect(),
        };
        for (ex, n, prod) in self.bates_produced(&req.bates_prefix, start, last)? {
            let planned = plan.items.iter().find(|(_, pn)| *pn == n).map(|(id, _)| id.as_str());
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
