//! What processing derived from exhibits, as stored: items found inside
//! other exhibits and the families they make, metadata, text, the
//! derivations that produced them, and where processing stands.

use super::{Change, Vault};
use crate::error::Result;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The deepest an item may sit inside containers (a message attached to a
/// message inside a mailbox is at depth 2); items deeper are not expanded.
pub const MAX_DEPTH: u32 = 10;

/// One value of an exhibit's metadata, with where it came from.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MetadataValue {
    /// The field (`from`, `subject`, `date_sent`, `author`, `created`, …).
    pub field: String,
    /// The value as read.
    pub value: String,
    /// Where in the exhibit it was read (`email:Date`, `pdf:docinfo:CreationDate`).
    pub source: String,
    /// The extractor and its version.
    pub extractor: String,
}

/// One artifact derived from an exhibit.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Derivation {
    /// `item`, `metadata`, `text` or `ocr`.
    pub kind: String,
    /// The extractor.
    pub extractor: String,
    /// Its version.
    pub version: String,
    /// The settings that change its output.
    pub settings: String,
    /// SHA-256 of the input (the exhibit).
    pub input_sha256: String,
    /// SHA-256 of the output.
    pub output_sha256: String,
    /// For an item: the exhibit it became.
    pub item: Option<String>,
    /// The custody event that records it.
    pub seq: u64,
    /// When.
    pub time: String,
}

/// An exhibit's place among its family.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct FamilyPlace {
    /// The exhibit it is a child of (its first parent), if any.
    pub parent: Option<String>,
    /// The family's id: the exhibit that heads it (itself when it has no parent).
    pub family: String,
    /// Its children, in order.
    pub children: Vec<String>,
}

/// One exhibit of a family tree, in order (parent before its children).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FamilyMember {
    /// The exhibit.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its depth below the head (0 for the head).
    pub depth: u32,
    /// Its parent in this tree.
    pub parent: Option<String>,
}

/// Where processing stands for one exhibit.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct ProcessingState {
    /// `done`, `failed`, or `pending` (not processed yet).
    pub status: String,
    /// What it was read as (`email`, `pdf`, `zip`, …).
    pub kind: String,
    /// Why it failed.
    pub reason: Option<String>,
    /// Pages that want OCR.
    pub wants_ocr: Vec<u32>,
    /// Whether OCR ran.
    pub ocr_done: bool,
    /// What could not be read inside it, item by item.
    pub problems: Vec<(String, String)>,
}

/// A derivation's row, before its event is committed.
pub(crate) struct NewDerivation<'a> {
    pub exhibit: &'a str,
    pub kind: &'a str,
    pub extractor: &'a custos_extract::Extractor,
    pub input_sha256: &'a str,
    pub output_sha256: &'a str,
    pub item: Option<&'a str>,
}

/// Where an item sat in its container.
pub(crate) struct ItemPlace<'a> {
    pub container: &'a str,
    pub path: &'a str,
    pub flags: &'a [String],
    pub position: u32,
}

impl Change<'_> {
    /// The sequence number the next event committed in this change gets
    /// (events are appended in the order given to [`Change::commit`]).
    pub(crate) fn next_seq(&self, pending: usize) -> u64 {
        self.session.frontier.size() + self.session.pending.len() as u64 + pending as u64 + 1
    }

    /// The id of the source row just added.
    pub(crate) fn last_source_id(&self) -> i64 {
        self.tx.last_insert_rowid()
    }

    /// Records where the source `source_id` sat inside its container, and
    /// (unless the item heads its own family) links it under the container.
    pub(crate) fn add_item_place(&mut self, source_id: i64, child: &str, place: &ItemPlace<'_>, family_head: bool) -> Result<()> {
        self.tx
            .prepare_cached("INSERT INTO item_sources (source_id, container_id, item_path, item_flags, position) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![source_id, place.container, place.path, place.flags.join(" "), place.position])?;
        if !family_head && child != place.container {
            self.tx
                .prepare_cached("INSERT OR IGNORE INTO family_links (parent_id, child_id, position, source_id) VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![place.container, child, place.position, source_id])?;
            self.keep_family(child, place.container)?;
        }
        Ok(())
    }

    /// A child's first parent is the first link made; its family is its
    /// parent's, and so is that of every exhibit below it that took its
    /// family from it.
    fn keep_family(&mut self, child: &str, parent: &str) -> Result<()> {
        let had: bool = self.tx.prepare_cached("SELECT 1 FROM exhibit_family WHERE exhibit_id = ?1")?.exists([child])?;
        if had {
            return Ok(());
        }
        let family: String = self
            .tx
            .prepare_cached("SELECT family_id FROM exhibit_family WHERE exhibit_id = ?1")?
            .query_row([parent], |r| r.get(0))
            .optional()?
            .unwrap_or_else(|| parent.to_string());
        if family == child {
            // A loop (not possible by content, refused all the same).
            return Ok(());
        }
        self.tx
            .prepare_cached("INSERT INTO exhibit_family (exhibit_id, parent_id, family_id) VALUES (?1, ?2, ?3)")?
            .execute(params![child, parent, family])?;
        // Exhibits that headed their family from `child` down now belong to `family`.
        self.tx.prepare_cached("UPDATE exhibit_family SET family_id = ?1 WHERE family_id = ?2")?.execute(params![family, child])?;
        Ok(())
    }

    /// Records a derivation made by the event `seq`; returns its id.
    pub(crate) fn add_derivation(&mut self, d: &NewDerivation<'_>, seq: u64) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO derivations (exhibit_id, kind, extractor, version, settings, input_sha256, output_sha256, item, seq, time)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                d.exhibit,
                d.kind,
                d.extractor.name,
                d.extractor.version,
                d.extractor.settings,
                d.input_sha256,
                d.output_sha256,
                d.item,
                seq as i64,
                self.now
            ])?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Replaces an exhibit's metadata with `fields`, read by derivation `derivation`.
    pub(crate) fn set_metadata(&mut self, exhibit: &str, fields: &[custos_extract::Field], derivation: i64) -> Result<()> {
        self.tx.execute("DELETE FROM exhibit_metadata WHERE exhibit_id = ?1", [exhibit])?;
        let mut ins = self.tx.prepare_cached(
            "INSERT INTO exhibit_metadata (exhibit_id, position, field, value, source, derivation_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (i, f) in fields.iter().enumerate() {
            ins.execute(params![exhibit, i as i64, f.field, f.value, f.source, derivation])?;
        }
        Ok(())
    }

    /// Sets one text of an exhibit (`kind` `text`, page 0; or `ocr`, a page).
    pub(crate) fn set_text(&mut self, exhibit: &str, kind: &str, page: u32, text: &str, confidence: Option<f32>, derivation: i64) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO exhibit_text (exhibit_id, kind, page, text, confidence, derivation_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![exhibit, kind, page, text, confidence.map(f64::from), derivation])?;
        Ok(())
    }

    /// Records where processing stands for an exhibit, with what could not
    /// be read inside it.
    pub(crate) fn set_processing(&mut self, exhibit: &str, state: &ProcessingState) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO processing (exhibit_id, status, kind, reason, wants_ocr, ocr_done, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                exhibit,
                state.status,
                state.kind,
                state.reason,
                serde_json::to_string(&state.wants_ocr).expect("pages serialise"),
                state.ocr_done,
                self.now
            ])?;
        // The list given is the whole list (a later OCR run passes the first run's too).
        self.tx.prepare_cached("DELETE FROM processing_problems WHERE exhibit_id = ?1")?.execute([exhibit])?;
        let mut ins = self.tx.prepare_cached("INSERT INTO processing_problems (exhibit_id, item, reason, time) VALUES (?1, ?2, ?3, ?4)")?;
        for (item, reason) in &state.problems {
            ins.execute(params![exhibit, item, reason, self.now])?;
        }
        Ok(())
    }
}

impl Vault {
    /// Exhibits not processed yet, in number order, at most `limit`, with
    /// `after` the last number seen (for paging through).
    pub(crate) fn unprocessed(&self, after: i64, limit: u32) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.number, e.id FROM exhibits e WHERE e.number > ?1
             AND NOT EXISTS (SELECT 1 FROM processing p WHERE p.exhibit_id = e.id) ORDER BY e.number LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Exhibits processed with pages that want OCR and no OCR yet, as above.
    pub(crate) fn awaiting_ocr(&self, after: i64, limit: u32) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.number, e.id FROM exhibits e JOIN processing p ON p.exhibit_id = e.id
             WHERE e.number > ?1 AND p.status = 'done' AND p.ocr_done = 0 AND p.wants_ocr <> '[]' ORDER BY e.number LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Exhibits processed successfully, in number order, after `after`.
    pub(crate) fn processed(&self, after: i64, limit: u32) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.number, e.id FROM exhibits e JOIN processing p ON p.exhibit_id = e.id
             WHERE e.number > ?1 AND p.status = 'done' ORDER BY e.number LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Items found in `id` that are not processed yet.
    pub(crate) fn unprocessed_children(&self, id: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT s.exhibit_id FROM item_sources i JOIN exhibit_sources s ON s.id = i.source_id
             WHERE i.container_id = ?1 AND NOT EXISTS (SELECT 1 FROM processing p WHERE p.exhibit_id = s.exhibit_id)
             ORDER BY s.exhibit_id",
        )?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The positions of the items already recorded as found inside a
    /// container, in order (a container expanded in steps resumes after
    /// them, never recording an occurrence twice).
    pub(crate) fn item_positions(&self, container: &str) -> Result<Vec<u32>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT position FROM item_sources WHERE container_id = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([container], |r| r.get::<_, i64>(0).map(|p| p as u32))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Where processing stands for an exhibit.
    pub fn processing_state(&self, id: &str) -> Result<ProcessingState> {
        let row = self
            .conn
            .query_row("SELECT status, kind, reason, wants_ocr, ocr_done FROM processing WHERE exhibit_id = ?1", [id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, String>(3)?, r.get::<_, bool>(4)?))
            })
            .optional()?;
        let mut stmt = self.conn.prepare_cached("SELECT item, reason FROM processing_problems WHERE exhibit_id = ?1 ORDER BY rowid")?;
        let problems = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        Ok(match row {
            Some((status, kind, reason, wants, ocr_done)) => ProcessingState {
                status,
                kind,
                reason,
                wants_ocr: serde_json::from_str(&wants).unwrap_or_default(),
                ocr_done,
                problems,
            },
            None => ProcessingState {
                status: "pending".into(),
                kind: String::new(),
                reason: None,
                wants_ocr: Vec::new(),
                ocr_done: false,
                problems,
            },
        })
    }

    /// An exhibit's metadata, in the order read.
    pub fn metadata(&self, id: &str) -> Result<Vec<MetadataValue>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.field, m.value, m.source, d.extractor || ' ' || d.version FROM exhibit_metadata m
             JOIN derivations d ON d.id = m.derivation_id WHERE m.exhibit_id = ?1 ORDER BY m.position",
        )?;
        let rows = stmt.query_map([id], |r| Ok(MetadataValue { field: r.get(0)?, value: r.get(1)?, source: r.get(2)?, extractor: r.get(3)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every derivation made from an exhibit, and the one that found it
    /// inside another, oldest first.
    pub fn derivations(&self, id: &str) -> Result<Vec<Derivation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, extractor, version, settings, input_sha256, output_sha256, item, seq, time FROM derivations
             WHERE exhibit_id = ?1 OR item = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(Derivation {
                kind: r.get(0)?,
                extractor: r.get(1)?,
                version: r.get(2)?,
                settings: r.get(3)?,
                input_sha256: r.get(4)?,
                output_sha256: r.get(5)?,
                item: r.get(6)?,
                seq: r.get::<_, i64>(7)? as u64,
                time: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every family link: (parent, child), each parent's children in order.
    pub(crate) fn family_links(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare_cached("SELECT parent_id, child_id FROM family_links ORDER BY parent_id, position, child_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// For each of `ids` with metadata, the first value of each of `fields`.
    pub(crate) fn first_values(&self, ids: &[&str], fields: &[&str]) -> Result<HashMap<String, Vec<(String, String)>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.exhibit_id, m.field, m.value FROM json_each(?1) i CROSS JOIN exhibit_metadata m ON m.exhibit_id = i.value
             WHERE m.field IN (SELECT value FROM json_each(?2)) ORDER BY m.exhibit_id, m.position",
        )?;
        let (ids, wanted) = (serde_json::to_string(ids).expect("ids serialise"), serde_json::to_string(fields).expect("names serialise"));
        let mut out: HashMap<String, Vec<(String, String)>> = HashMap::new();
        let mut rows = stmt.query(params![ids, wanted])?;
        while let Some(r) = rows.next()? {
            let (id, field, value): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let v = out.entry(id).or_default();
            if !v.iter().any(|(f, _)| *f == field) {
                v.push((field, value));
            }
        }
        Ok(out)
    }

    /// Those of `ids` that have text (read or recognised).
    pub(crate) fn exhibits_with_text(&self, ids: &[&str]) -> Result<HashSet<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.value FROM json_each(?1) i WHERE EXISTS (SELECT 1 FROM exhibit_text t WHERE t.exhibit_id = i.value)",
        )?;
        let rows = stmt.query_map([serde_json::to_string(ids).expect("ids serialise")], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// An exhibit's text: the text read from it, then each page recognised
    /// by OCR; `None` when it has none.
    pub(crate) fn stored_text(&self, id: &str) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT kind, page, text FROM exhibit_text WHERE exhibit_id = ?1 ORDER BY kind = 'ocr', page")?;
        let parts: Vec<(String, u32, String)> =
            stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
        if parts.is_empty() {
            return Ok(None);
        }
        let mut out = String::new();
        for (kind, page, text) in parts {
            if kind == "ocr" {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&format!("\u{c}[OCR, page {page}]\n"));
            }
            out.push_str(&text);
        }
        Ok(Some(out))
    }

    /// An exhibit's place in its family: its first parent, the family's head
    /// and its children in order.
    pub fn family_place(&self, id: &str) -> Result<FamilyPlace> {
        let row: Option<(String, String)> = self
            .conn
            .prepare_cached("SELECT parent_id, family_id FROM exhibit_family WHERE exhibit_id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (parent, family) = match row {
            Some((p, f)) => (Some(p), f),
            None => (None, id.to_string()),
        };
        Ok(FamilyPlace { parent, family, children: self.children_of(id)? })
    }

    /// An exhibit's children, in their order inside it.
    pub(crate) fn children_of(&self, id: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT child_id FROM family_links WHERE parent_id = ?1 ORDER BY position, child_id")?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The family headed by `head`: the head, then each child followed by
    /// its own children, in order (every occurrence's family, so a child
    /// found in two families is a member of both).
    pub fn family_tree(&self, head: &str) -> Result<Vec<FamilyMember>> {
        let mut out = Vec::new();
        self.walk_family(head, None, 0, &mut out)?;
        Ok(out)
    }

    fn walk_family(&self, id: &str, parent: Option<&str>, depth: u32, out: &mut Vec<FamilyMember>) -> Result<()> {
        if depth > MAX_DEPTH + 2 || out.iter().any(|m| m.id == id && m.parent.as_deref() == parent) {
            return Ok(());
        }
        let name: String = self.conn.prepare_cached("SELECT original_name FROM exhibits WHERE id = ?1")?.query_row([id], |r| r.get(0))?;
        out.push(FamilyMember { id: id.into(), name, depth, parent: parent.map(str::to_string) });
        for c in self.children_of(id)? {
            self.walk_family(&c, Some(id), depth + 1, out)?;
        }
        Ok(())
    }

    /// How deep an exhibit sits inside containers (0 when collected as a file).
    pub(crate) fn container_depth(&self, id: &str) -> Result<u32> {
        let mut depth = 0;
        let mut at = id.to_string();
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.container_id FROM exhibit_sources s JOIN item_sources i ON i.source_id = s.id
             WHERE s.exhibit_id = ?1 ORDER BY s.id LIMIT 1",
        )?;
        while let Some(c) = stmt.query_row([&at], |r| r.get::<_, String>(0)).optional()? {
            depth += 1;
            if depth > MAX_DEPTH + 1 {
                break;
            }
            at = c;
        }
        Ok(depth)
    }
}
