//! The search index of a production (DESIGN §3.2, §6): the produced
//! documents' text and load-file fields in an SQLite database held in
//! memory only, with the tables and tokenizer of a vault's index, so that a
//! search-term report runs over what was produced exactly as it runs over a
//! vault. The producing vault builds it while writing a bundle; whoever
//! receives the bundle builds the same one from its load file and text files
//! and gets the same counts.

use super::search::{self, SearchReport};
use crate::error::Result;
use rusqlite::{Connection, params};

/// The schema: the columns the search code reads, nothing more.
const SCHEMA: &str = "
CREATE TABLE exhibits (number INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, sha256 TEXT NOT NULL, collected_at TEXT NOT NULL);
CREATE TABLE exhibit_metadata (exhibit_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL);
CREATE TABLE exhibit_family (exhibit_id TEXT NOT NULL PRIMARY KEY, family_id TEXT NOT NULL);
CREATE VIRTUAL TABLE exhibit_search USING fts5(
    name, custodian, kind, tags, sender, recipients, subject, body,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
);";

/// The load-file fields dates are read from, and the metadata field each is
/// searched as (`sent:` reads `date_sent`, …).
const DATES: [(&str, &str); 4] = [("DATESENT", "date_sent"), ("DATERCVD", "date_received"), ("DATECREATED", "created"), ("DATEMODIFIED", "modified")];

/// A production's index, in memory.
pub struct ProductionIndex {
    conn: Connection,
    next: i64,
}

impl ProductionIndex {
    /// An empty index.
    pub fn new() -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn, next: 1 })
    }

    /// Adds a produced document from its load-file row (field → value) and
    /// its text: the Bates number is its id, `SHA256HASH` its hash, the
    /// family its `BEGATTACH`. The index's columns: `FILENAME`, `CUSTODIAN`,
    /// `FILEEXT` as its type, `FROM`, `TO` with `CC` and `BCC`, `SUBJECT`,
    /// and the text. Tags are work product and are never produced.
    pub fn add(&mut self, row: &std::collections::BTreeMap<String, String>, text: &str) -> Result<()> {
        let get = |f: &str| row.get(f).map(String::as_str).unwrap_or_default();
        let bates = get("BEGBATES");
        let n = self.next;
        self.next += 1;
        let tx = self.conn.transaction()?;
        tx.execute("INSERT INTO exhibits (number, id, sha256, collected_at) VALUES (?1, ?2, ?3, ?4)", params![n, bates, get("SHA256HASH"), get("DATECOLLECTED")])?;
        for (dat, field) in DATES {
            if !get(dat).is_empty() {
                tx.execute("INSERT INTO exhibit_metadata (exhibit_id, field, value) VALUES (?1, ?2, ?3)", params![bates, field, get(dat)])?;
            }
        }
        let head = get("BEGATTACH");
        if !head.is_empty() && head != bates {
            tx.execute("INSERT INTO exhibit_family (exhibit_id, family_id) VALUES (?1, ?2)", params![bates, head])?;
        }
        let recipients = [get("TO"), get("CC"), get("BCC")].iter().filter(|v| !v.is_empty()).copied().collect::<Vec<_>>().join("\n");
        tx.execute(
            "INSERT INTO exhibit_search (rowid, name, custodian, kind, tags, sender, recipients, subject, body) VALUES (?1, ?2, ?3, ?4, '', ?5, ?6, ?7, ?8)",
            params![n, get("FILENAME"), get("CUSTODIAN"), get("FILEEXT"), get("FROM"), recipients, get("SUBJECT"), text],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The search-term report of `list` over the produced documents.
    pub fn report(&self, list: &str) -> Result<SearchReport> {
        search::report(&self.conn, list)
    }
}
