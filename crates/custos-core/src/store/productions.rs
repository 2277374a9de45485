//! Productions made from this vault and the Bates numbers each gave.

use super::{Change, Vault};
use crate::error::Result;
use rusqlite::OptionalExtension;
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// A production made earlier from this vault.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductionRecord {
    /// Row id.
    pub id: u32,
    /// Bates prefix.
    pub bates_prefix: String,
    /// Digits of the number.
    pub bates_width: u32,
    /// First Bates number, formatted.
    pub bates_first: String,
    /// Last Bates number, formatted.
    pub bates_last: String,
    /// Exhibits produced.
    pub exhibits: u32,
    /// SHA-256 of the bundle file.
    pub bundle_sha256: String,
    /// Where it was written.
    pub destination: String,
    /// When (UTC, RFC 3339).
    pub produced_at: String,
}

/// A production to record: its numbering and where the bundle went.
pub(crate) struct NewProduction<'a> {
    pub bates_prefix: &'a str,
    pub bates_width: usize,
    pub first: u64,
    pub last: u64,
    pub bundle_sha256: &'a str,
    pub destination: &'a str,
    pub produced_at: &'a str,
    /// (exhibit id, Bates number) of every number given (a page each with page images).
    pub items: &'a [(String, u64)],
}

impl Vault {
    /// Every production made from this vault, oldest first.
    pub fn productions(&self) -> Result<Vec<ProductionRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT p.id, p.bates_prefix, p.bates_width, p.first_number, p.last_number, p.bundle_sha256, p.destination, p.produced_at,
                    (SELECT count(DISTINCT i.exhibit_id) FROM production_items i WHERE i.production_id = p.id)
             FROM productions p ORDER BY p.id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let prefix: String = r.get(1)?;
                let width: i64 = r.get(2)?;
                let fmt = |n: i64| format!("{prefix}{n:0width$}", width = width as usize);
                Ok(ProductionRecord {
                    id: r.get(0)?,
                    bates_width: width as u32,
                    bates_first: fmt(r.get(3)?),
                    bates_last: fmt(r.get(4)?),
                    bates_prefix: prefix.clone(),
                    bundle_sha256: r.get(5)?,
                    destination: r.get(6)?,
                    produced_at: r.get(7)?,
                    exhibits: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The highest Bates number produced under `prefix`, if any.
    pub(crate) fn last_bates_number(&self, prefix: &str) -> Result<Option<u64>> {
        let last: Option<i64> =
            self.conn.query_row("SELECT max(last_number) FROM productions WHERE bates_prefix = ?1", [prefix], |r| r.get(0))?;
        Ok(last.map(|l| l as u64))
    }

    /// The numbers between `first` and `last` already produced under
    /// `prefix`: (exhibit id, number, production id).
    pub(crate) fn bates_produced(&self, prefix: &str, first: u64, last: u64) -> Result<Vec<(String, u64, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT exhibit_id, bates_number, production_id FROM production_items
             WHERE bates_prefix = ?1 AND bates_number BETWEEN ?2 AND ?3",
        )?;
        let rows = stmt.query_map(params![prefix, first as i64, last as i64], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many distinct numbers between `first` and `last` were produced under `prefix`.
    pub(crate) fn numbers_produced(&self, prefix: &str, first: u64, last: u64) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(DISTINCT bates_number) FROM production_items WHERE bates_prefix = ?1 AND bates_number BETWEEN ?2 AND ?3",
            params![prefix, first as i64, last as i64],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }
}

impl Change<'_> {
    /// Records a production and the number each exhibit got.
    pub(crate) fn add_production(&mut self, p: &NewProduction<'_>) -> Result<()> {
        // Numbers are planned before the change; in a firm vault someone
        // else's production may have been recorded since, under the lock: a
        // number given meanwhile to another exhibit is refused.
        {
            let mut taken = self.tx.prepare_cached(
                "SELECT exhibit_id FROM production_items WHERE bates_prefix = ?1 AND bates_number = ?2 AND exhibit_id <> ?3 LIMIT 1",
            )?;
            for (ex, n) in p.items {
                let other: Option<String> = taken.query_row(params![p.bates_prefix, *n as i64, ex], |r| r.get(0)).optional()?;
                if let Some(other) = other {
                    return Err(crate::Error::InvalidInput(format!(
                        "{}{n:0w$} was given to {other} by a production recorded meanwhile (from another copy of the vault): export again",
                        p.bates_prefix,
                        w = p.bates_width
                    )));
                }
            }
        }
        self.tx.execute(
            "INSERT INTO productions (bates_prefix, bates_width, first_number, last_number, bundle_sha256, destination, produced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![p.bates_prefix, p.bates_width as i64, p.first as i64, p.last as i64, p.bundle_sha256, p.destination, p.produced_at],
        )?;
        let id = self.tx.last_insert_rowid();
        let mut item = self.tx.prepare_cached(
            "INSERT INTO production_items (production_id, exhibit_id, bates_prefix, bates_number) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (ex, n) in p.items {
            item.execute(params![id, ex, p.bates_prefix, *n as i64])?;
        }
        Ok(())
    }
}
