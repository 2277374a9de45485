//! Designations for productions (DESIGN §6.2), one row per designated exhibit.

use super::{Change, Vault};
use crate::error::Result;
use crate::format::designation::{Designation, PrivilegeBasis};
use rusqlite::{OptionalExtension, params};

fn basis_name(b: PrivilegeBasis) -> &'static str {
    match b {
        PrivilegeBasis::AttorneyClient => "attorney_client",
        PrivilegeBasis::WorkProduct => "work_product",
        PrivilegeBasis::CommonInterest => "common_interest",
    }
}

fn basis_of(s: Option<String>) -> Option<PrivilegeBasis> {
    s.as_deref().and_then(PrivilegeBasis::parse)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Designation> {
    Ok(Designation { privilege: basis_of(r.get(0)?), withheld: r.get(1)?, log_description: r.get(2)?, confidentiality: r.get(3)? })
}

impl Vault {
    /// An exhibit's designations (all unset when it has none).
    pub fn designation(&self, id: &str) -> Result<Designation> {
        let mut stmt = self.conn.prepare_cached("SELECT privilege, withheld, log_description, confidentiality FROM designations WHERE exhibit_id = ?1")?;
        Ok(stmt.query_row([id], row).optional()?.unwrap_or_default())
    }

    /// Every designated exhibit's designations.
    pub(crate) fn designations(&self) -> Result<std::collections::HashMap<String, Designation>> {
        let mut stmt = self.conn.prepare_cached("SELECT exhibit_id, privilege, withheld, log_description, confidentiality FROM designations")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, Designation { privilege: basis_of(r.get(1)?), withheld: r.get(2)?, log_description: r.get(3)?, confidentiality: r.get(4)? }))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The withheld exhibits, in exhibit order, with their designations.
    pub(crate) fn withheld(&self) -> Result<Vec<(String, Designation)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.exhibit_id, d.privilege, d.withheld, d.log_description, d.confidentiality FROM designations d JOIN exhibits e ON e.id = d.exhibit_id
             WHERE d.withheld = 1 ORDER BY e.number",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, Designation { privilege: basis_of(r.get(1)?), withheld: r.get(2)?, log_description: r.get(3)?, confidentiality: r.get(4)? }))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Change<'_> {
    /// Sets an exhibit's designations (none: the row goes).
    pub(crate) fn set_designation(&mut self, id: &str, d: &Designation) -> Result<()> {
        if d.is_empty() {
            self.tx.execute("DELETE FROM designations WHERE exhibit_id = ?1", [id])?;
            return Ok(());
        }
        self.tx.execute(
            "INSERT OR REPLACE INTO designations (exhibit_id, privilege, withheld, log_description, confidentiality) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, d.privilege.map(basis_name), d.withheld, d.log_description, d.confidentiality],
        )?;
        Ok(())
    }
}
