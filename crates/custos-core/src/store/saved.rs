//! Saved searches (DESIGN §3.2): queries kept under a name, to run again and
//! to choose a production by; and saved column mappings for audit-log
//! exports in no known format (DESIGN §3.3).

use super::Vault;
use crate::error::{Error, Result};
use custos_extract::audit::Mapping;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// A saved search.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSearch {
    /// Its name.
    pub name: String,
    /// The query.
    pub query: String,
    /// When it was saved (RFC 3339, UTC).
    pub saved_at: String,
    /// Who saved it.
    pub saved_by: String,
}

/// The longest name a saved search may have.
const MAX_NAME: usize = 100;

impl Vault {
    /// Saves `query` as `name`; a name already saved for another query is
    /// refused (delete it first), the same query again changes nothing. A
    /// query that cannot be searched exactly is refused.
    pub fn save_search(&mut self, name: &str, query: &str) -> Result<SavedSearch> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
            return Err(Error::InvalidInput(format!("a saved search's name is 1 to {MAX_NAME} characters, none of them control characters")));
        }
        crate::format::query::parse(query).map_err(|e| Error::InvalidQuery(e.0))?;
        if let Some(s) = self.saved_search(name)? {
            if s.query == query {
                return Ok(s);
            }
            return Err(Error::InvalidInput(format!("a search named {name} is already saved (for {}); delete it first or choose another name", s.query)));
        }
        let s = SavedSearch { name: name.to_string(), query: query.to_string(), saved_at: self.now(), saved_by: self.actor().to_string() };
        let change = self.change()?;
        change.tx.execute("INSERT INTO saved_searches (name, query, saved_at, saved_by) VALUES (?1, ?2, ?3, ?4)", params![s.name, s.query, s.saved_at, s.saved_by])?;
        change.commit(Vec::new())?;
        Ok(s)
    }

    /// The saved search named `name`, if there is one.
    pub fn saved_search(&self, name: &str) -> Result<Option<SavedSearch>> {
        let mut stmt = self.conn.prepare_cached("SELECT name, query, saved_at, saved_by FROM saved_searches WHERE name = ?1")?;
        Ok(stmt.query_row([name], |r| Ok(SavedSearch { name: r.get(0)?, query: r.get(1)?, saved_at: r.get(2)?, saved_by: r.get(3)? })).optional()?)
    }

    /// Every saved search, by name.
    pub fn saved_searches(&self) -> Result<Vec<SavedSearch>> {
        let mut stmt = self.conn.prepare_cached("SELECT name, query, saved_at, saved_by FROM saved_searches ORDER BY name COLLATE NOCASE")?;
        let rows = stmt.query_map([], |r| Ok(SavedSearch { name: r.get(0)?, query: r.get(1)?, saved_at: r.get(2)?, saved_by: r.get(3)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes the saved search `name` (a production it chose keeps its record).
    pub fn delete_saved_search(&mut self, name: &str) -> Result<()> {
        let change = self.change()?;
        if change.tx.execute("DELETE FROM saved_searches WHERE name = ?1", [name])? == 0 {
            return Err(Error::InvalidInput(format!("no search is saved as {name}")));
        }
        change.commit(Vec::new())?;
        Ok(())
    }
}

/// A column mapping for audit-log exports, as saved.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedMapping {
    /// The mapping (its columns).
    pub mapping: AuditMapping,
    /// The SHA-256 of its JSON, as recorded in the custody log and in each
    /// derivation read through it.
    pub sha256: String,
    /// When it was saved.
    pub saved_at: String,
}

/// A column mapping, as the app sees one (the same fields as the reader's).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditMapping {
    /// Its name.
    pub name: String,
    /// The time column.
    pub time: String,
    /// The actor column.
    pub actor: String,
    /// The action column.
    pub action: String,
    /// The object column (a path, a URL, a name).
    pub object: String,
    /// The IP address column.
    pub ip: Option<String>,
    /// The device column.
    pub device: Option<String>,
    /// The file name column.
    pub file_name: Option<String>,
    /// The file size column.
    pub size: Option<String>,
    /// The content hash column.
    pub hash: Option<String>,
    /// The offset of times written without a zone (`-05:00`).
    pub utc_offset: Option<String>,
}

impl From<AuditMapping> for Mapping {
    fn from(m: AuditMapping) -> Mapping {
        let opt = |c: Option<String>| c.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
        Mapping {
            name: m.name.trim().to_string(),
            time: m.time.trim().to_string(),
            actor: m.actor.trim().to_string(),
            action: m.action.trim().to_string(),
            object: m.object.trim().to_string(),
            ip: opt(m.ip),
            device: opt(m.device),
            file_name: opt(m.file_name),
            size: opt(m.size),
            hash: opt(m.hash),
            utc_offset: opt(m.utc_offset),
        }
    }
}

impl From<Mapping> for AuditMapping {
    fn from(m: Mapping) -> AuditMapping {
        AuditMapping {
            name: m.name,
            time: m.time,
            actor: m.actor,
            action: m.action,
            object: m.object,
            ip: m.ip,
            device: m.device,
            file_name: m.file_name,
            size: m.size,
            hash: m.hash,
            utc_offset: m.utc_offset,
        }
    }
}

impl Vault {
    /// The audit-log column mappings, in the order saved.
    pub(crate) fn audit_mappings(&self) -> Result<Vec<Mapping>> {
        let mut stmt = self.conn.prepare_cached("SELECT mapping FROM audit_mappings ORDER BY number")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            out.push(serde_json::from_str(&json?).map_err(|e| Error::DamagedDatabase(format!("a saved audit-log mapping does not read: {e}")))?);
        }
        Ok(out)
    }

    /// The audit-log column mappings with their hashes, in the order saved.
    pub fn saved_mappings(&self) -> Result<Vec<SavedMapping>> {
        let mut stmt = self.conn.prepare_cached("SELECT mapping, sha256, saved_at FROM audit_mappings ORDER BY number")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (json, sha256, saved_at) = row?;
            let m: Mapping = serde_json::from_str(&json).map_err(|e| Error::DamagedDatabase(format!("a saved audit-log mapping does not read: {e}")))?;
            out.push(SavedMapping { mapping: m.into(), sha256, saved_at });
        }
        Ok(out)
    }

    /// The columns of a processed CSV exhibit (its text's header row), for
    /// a mapping to name; none when it has no text.
    pub fn csv_columns(&self, id: &str) -> Result<Vec<String>> {
        self.show(id)?;
        Ok(self.stored_text(id)?.map(|t| custos_extract::audit::header_columns(t.lines().next().unwrap_or_default())).unwrap_or_default())
    }

    /// Processed CSV exhibits read into no events (in no known format when
    /// processed), in exhibit order.
    pub(crate) fn csv_without_events(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.exhibit_id FROM processing p JOIN exhibits e ON e.id = p.exhibit_id
             WHERE p.status = 'done' AND p.kind IN ('csv', 'text')
               AND NOT EXISTS (SELECT 1 FROM derivations d WHERE d.exhibit_id = p.exhibit_id AND d.kind = 'events')
             ORDER BY e.number",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl super::Change<'_> {
    /// Saves a mapping (checked, its name new).
    pub(crate) fn add_audit_mapping(&mut self, m: &Mapping) -> Result<()> {
        let json = serde_json::to_string(m).expect("a mapping serialises");
        let now = self.now().to_string();
        self.tx.execute("INSERT INTO audit_mappings (name, mapping, sha256, saved_at) VALUES (?1, ?2, ?3, ?4)", params![m.name, json, m.sha256(), now])?;
        Ok(())
    }
}
