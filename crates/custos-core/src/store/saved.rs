//! Saved searches (DESIGN §3.2): queries kept under a name, to run again and
//! to choose a production by.

use super::Vault;
use crate::error::{Error, Result};
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
        self.conn.execute("INSERT INTO saved_searches (name, query, saved_at, saved_by) VALUES (?1, ?2, ?3, ?4)", params![s.name, s.query, s.saved_at, s.saved_by])?;
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
        if self.conn.execute("DELETE FROM saved_searches WHERE name = ?1", [name])? == 0 {
            return Err(Error::InvalidInput(format!("no search is saved as {name}")));
        }
        Ok(())
    }
}
