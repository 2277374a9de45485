//! Exhibits and their sources as stored: the listing, one exhibit with its
//! sources and received records, and the rows a new exhibit or a new source
//! of known content adds (intake and import write them the same way).

use super::{Change, Vault};
use crate::error::{Error, Result};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

macro_rules! listing_columns {
    () => {
        "SELECT e.id, e.original_name, e.original_path, e.size, e.sha256, e.md5, e.sha1, e.mime,
                s.custodian, s.source, s.collected_by, e.collected_at, e.description,
                (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM tags t WHERE t.exhibit_id = e.id ORDER BY tag)),
                fam.parent_id, coalesce(fam.family_id, e.id),
                (SELECT count(*) FROM exhibit_family m WHERE m.family_id = e.id)"
    };
}
macro_rules! with_first_source {
    () => {
        " FROM exhibits e
          JOIN exhibit_sources s ON s.id = (SELECT min(id) FROM exhibit_sources WHERE exhibit_id = e.id)
          LEFT JOIN exhibit_family fam ON fam.exhibit_id = e.id"
    };
}

/// The listing's columns; a query adds its WHERE and ORDER BY.
pub(crate) const LISTING: &str = concat!(listing_columns!(), with_first_source!());

/// One exhibit's listing.
pub(crate) const LISTING_BY_ID: &str = concat!(listing_columns!(), with_first_source!(), " WHERE e.id = ?1");

/// The listing's columns and what a production needs besides (the object,
/// the first source's method and times).
const CHOSEN: &str = concat!(listing_columns!(), ", e.object, s.method, s.modified, s.created", with_first_source!());

/// An exhibit chosen for a production, with what producing it needs.
#[derive(Debug, Clone)]
pub(crate) struct Chosen {
    pub exhibit: Exhibit,
    pub object: String,
    pub first: FirstSource,
    /// The exhibit heading the family it is produced with (its own family
    /// until the selection's families are completed).
    pub group: String,
}

pub(crate) fn listing_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Exhibit> {
    Ok(Exhibit {
        id: r.get(0)?,
        name: r.get(1)?,
        path: r.get(2)?,
        size: r.get::<_, i64>(3)? as u64,
        sha256: r.get(4)?,
        md5: r.get(5)?,
        sha1: r.get(6)?,
        mime: r.get(7)?,
        custodian: r.get(8)?,
        source: r.get(9)?,
        collected_by: r.get(10)?,
        collected_at: r.get(11)?,
        description: r.get(12)?,
        tags: r
            .get::<_, Option<String>>(13)?
            .map(|t| t.split('\u{1f}').map(str::to_string).collect())
            .unwrap_or_default(),
        parent: r.get(14)?,
        family: r.get(15)?,
        members: r.get::<_, i64>(16)? as u32,
    })
}

/// One exhibit as listed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Exhibit {
    /// Exhibit id (`EX-0001`).
    pub id: String,
    /// Original file name.
    pub name: String,
    /// Original full path.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// MD5 of the content, hex.
    pub md5: String,
    /// SHA-1 of the content, if computed.
    pub sha1: Option<String>,
    /// MIME type sniffed from the content.
    pub mime: String,
    /// Custodian of the first source.
    pub custodian: Option<String>,
    /// Source (device, account) of the first source.
    pub source: Option<String>,
    /// Who collected it.
    pub collected_by: String,
    /// When it was collected (UTC).
    pub collected_at: String,
    /// Description.
    pub description: String,
    /// Tags.
    pub tags: Vec<String>,
    /// The exhibit it was found inside as an attachment or archive entry
    /// (its first parent), if any.
    pub parent: Option<String>,
    /// Its family's id: the exhibit heading the family (itself when it has
    /// no parent).
    pub family: String,
    /// How many other exhibits its family holds when it heads one (0 for a
    /// member and for an exhibit on its own).
    pub members: u32,
}

/// Where an exhibit's content was collected from (one per source).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceRecord {
    /// Full path at collection.
    pub path: String,
    /// File name.
    pub name: String,
    /// Size.
    pub size: u64,
    /// Modification time reported by the OS.
    pub modified: Option<String>,
    /// Creation time reported by the OS.
    pub created: Option<String>,
    /// Access time reported by the OS (before reading).
    pub accessed: Option<String>,
    /// Custodian.
    pub custodian: Option<String>,
    /// Source (device, account).
    pub source: Option<String>,
    /// Collection method.
    pub method: Option<String>,
    /// Purpose or authority.
    pub purpose: Option<String>,
    /// Examiner.
    pub collected_by: String,
    /// When.
    pub collected_at: String,
}

/// An exhibit with every source and its object.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExhibitDetail {
    /// The listing fields.
    #[serde(flatten)]
    pub exhibit: Exhibit,
    /// The stored object's name (SHA-256 of its ciphertext).
    pub object: String,
    /// Every source, first first.
    pub sources: Vec<SourceRecord>,
    /// Productions this content was received in (import), with the
    /// producer's Bates number and seal.
    pub received: Vec<ReceivedRecord>,
    /// The items found inside it that are its children, in order.
    pub children: Vec<String>,
    /// Its metadata, each value with where it came from.
    pub metadata: Vec<super::derived::MetadataValue>,
    /// What was derived from it, and the derivation it came from if it was
    /// found inside another exhibit.
    pub derivations: Vec<super::derived::Derivation>,
    /// Where processing stands.
    pub processing: super::derived::ProcessingState,
    /// Its designations for productions.
    pub designation: crate::format::designation::Designation,
}

/// How an exhibit was received in a sealed production.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReceivedRecord {
    /// The producer's Bates number.
    pub bates: String,
    /// SHA-256 of the bundle file.
    pub bundle_sha256: String,
    /// The producer's seal identity.
    pub sender_identity: String,
    /// The producer's seal key fingerprint.
    pub sender_fingerprint: String,
    /// The exhibit id in the producer's vault.
    pub sender_exhibit_id: String,
    /// How many of the producer's signed custody events came with it.
    pub sender_events: usize,
    /// When it was received.
    pub received_at: String,
}

/// What verification checks an exhibit's object against.
pub(crate) struct StoredContent {
    pub id: String,
    /// The object's name.
    pub object: String,
    pub size: u64,
    pub sha256: String,
    pub md5: String,
}

/// What a production's documents say of an exhibit's first source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FirstSource {
    pub method: Option<String>,
    pub modified: Option<String>,
    pub created: Option<String>,
}

/// A new exhibit's row.
pub(crate) struct NewExhibit<'a> {
    /// The object's name (SHA-256 of its ciphertext), hex.
    pub object: &'a str,
    pub size: u64,
    pub sha256: &'a str,
    pub md5: &'a str,
    pub sha1: Option<&'a str>,
    pub mime: &'a str,
    pub original_name: &'a str,
    pub original_path: &'a str,
    pub description: &'a str,
    pub collected_at: &'a str,
    pub tags: &'a [String],
}

/// Where content was collected from: one row per source.
pub(crate) struct NewSource<'a> {
    pub path: &'a str,
    /// The exact bytes of a path that is not UTF-8.
    pub path_bytes: Option<&'a [u8]>,
    pub name: &'a str,
    pub size: u64,
    pub modified: Option<&'a str>,
    pub created: Option<&'a str>,
    pub accessed: Option<&'a str>,
    pub custodian: Option<&'a str>,
    pub source: Option<&'a str>,
    pub method: Option<&'a str>,
    pub purpose: Option<&'a str>,
    pub collected_by: &'a str,
    pub collected_at: &'a str,
}

impl Change<'_> {
    /// Adds an exhibit under the next number and returns its id.
    pub(crate) fn add_exhibit(&mut self, e: &NewExhibit<'_>) -> Result<String> {
        let next: i64 = self.tx.query_row("SELECT coalesce(max(number), 0) + 1 FROM exhibits", [], |r| r.get(0))?;
        let id = format!("{}{:04}", self.exhibit_prefix, next);
        self.tx
            .prepare_cached(
                "INSERT INTO exhibits (id, number, object, size, sha256, md5, sha1, mime, original_name, original_path, description, collected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                id,
                next,
                e.object,
                e.size as i64,
                e.sha256,
                e.md5,
                e.sha1,
                e.mime,
                e.original_name,
                e.original_path,
                e.description,
                e.collected_at
            ])?;
        let mut tag = self.tx.prepare_cached("INSERT OR IGNORE INTO tags (exhibit_id, tag) VALUES (?1, ?2)")?;
        for t in e.tags {
            tag.execute(params![id, t.trim()])?;
        }
        Ok(id)
    }

    /// Sets an exhibit's description.
    pub(crate) fn set_description(&mut self, id: &str, description: &str) -> Result<()> {
        self.tx.execute("UPDATE exhibits SET description = ?1 WHERE id = ?2", params![description, id])?;
        Ok(())
    }

    /// Tags an exhibit; false if it had the tag already.
    pub(crate) fn add_tag(&mut self, id: &str, tag: &str) -> Result<bool> {
        Ok(self.tx.prepare_cached("INSERT OR IGNORE INTO tags (exhibit_id, tag) VALUES (?1, ?2)")?.execute(params![id, tag])? > 0)
    }

    /// Removes a tag; false if the exhibit did not have it.
    pub(crate) fn remove_tag(&mut self, id: &str, tag: &str) -> Result<bool> {
        Ok(self.tx.prepare_cached("DELETE FROM tags WHERE exhibit_id = ?1 AND tag = ?2")?.execute(params![id, tag])? > 0)
    }

    /// Records a source of exhibit `id`.
    pub(crate) fn add_source(&mut self, id: &str, s: &NewSource<'_>) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO exhibit_sources (exhibit_id, path, path_bytes, name, size, modified, created, accessed, custodian, source, method, purpose, collected_by, collected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?
            .execute(params![
                id,
                s.path,
                s.path_bytes,
                s.name,
                s.size as i64,
                s.modified,
                s.created,
                s.accessed,
                s.custodian,
                s.source,
                s.method,
                s.purpose,
                s.collected_by,
                s.collected_at
            ])?;
        Ok(())
    }
}

impl Vault {
    /// Every exhibit, in exhibit-number order.
    pub fn list(&self) -> Result<Vec<Exhibit>> {
        let mut stmt = self.conn.prepare_cached(&format!("{LISTING} ORDER BY e.number"))?;
        let rows = stmt.query_map([], listing_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One exhibit as listed, found by its primary key.
    pub(crate) fn listing(&self, id: &str) -> Result<Exhibit> {
        let mut stmt = self.conn.prepare_cached(LISTING_BY_ID)?;
        stmt.query_row([id], listing_row).optional()?.ok_or_else(|| Error::NoSuchExhibit(id.into()))
    }

    /// Every exhibit's (id, object, size, SHA-256, MD5), in number order:
    /// what verification checks each object against.
    pub(crate) fn stored_contents(&self) -> Result<Vec<StoredContent>> {
        let mut stmt = self.conn.prepare("SELECT id, object, size, sha256, md5 FROM exhibits ORDER BY number")?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredContent { id: r.get(0)?, object: r.get(1)?, size: r.get::<_, i64>(2)? as u64, sha256: r.get(3)?, md5: r.get(4)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many exhibits there are, and the total size of their content,
    /// from the totals kept per custodian.
    pub(crate) fn exhibit_totals(&self) -> Result<(u64, u64)> {
        Ok(self.conn.query_row("SELECT coalesce(sum(exhibits), 0), coalesce(sum(bytes), 0) FROM custodian_totals", [], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
        })?)
    }

    /// Exhibits per custodian of their first source ("" for none), most
    /// exhibits first, then by name, from the totals kept per custodian.
    pub(crate) fn exhibits_per_custodian(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self.conn.prepare_cached("SELECT custodian, exhibits FROM custodian_totals ORDER BY exhibits DESC, custodian")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The exhibits among `ids` (every exhibit if empty) that carry `tag`
    /// and whose first source names `custodian`, in number order: one query.
    pub(crate) fn choose(&self, ids: &[String], tag: Option<&str>, custodian: Option<&str>) -> Result<Vec<Chosen>> {
        let mut f = super::windows::Filter::default();
        if !ids.is_empty() {
            f.bind("e.id IN (SELECT value FROM json_each(?))", serde_json::to_string(ids).map_err(|e| Error::InvalidInput(e.to_string()))?);
        }
        if let Some(tag) = tag {
            f.bind("e.id IN (SELECT exhibit_id FROM tags WHERE tag = ?)", tag.to_string());
        }
        if let Some(custodian) = custodian {
            f.bind("s.custodian = ?", custodian.to_string());
        }
        let mut stmt = self.conn.prepare_cached(&format!("{CHOSEN}{} ORDER BY e.number", f.sql()))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(&f.args))?;
        let mut chosen = Vec::new();
        while let Some(r) = rows.next()? {
            let exhibit = listing_row(r)?;
            chosen.push(Chosen {
                group: exhibit.family.clone(),
                exhibit,
                object: r.get(17)?,
                first: FirstSource { method: r.get(18)?, modified: r.get(19)?, created: r.get(20)? },
            });
        }
        Ok(chosen)
    }

    /// The values recorded for a source field (`custodian`, `source`,
    /// `method` or `purpose`), most used first, at most `limit`.
    pub(crate) fn source_values(&self, field: &str, limit: u32) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT value FROM source_values WHERE field = ?1 ORDER BY uses DESC, value LIMIT ?2")?;
        let rows = stmt.query_map(params![field, limit], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every tag in use with how many exhibits carry it, by tag, from the
    /// counts kept per tag.
    pub fn tags_in_use(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self.conn.prepare_cached("SELECT tag, exhibits FROM tag_counts ORDER BY tag")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The ids among `ids` that name no exhibit (checked a few hundred at a
    /// time, by primary key).
    pub(crate) fn unknown_exhibits(&self, ids: &[String]) -> Result<Vec<String>> {
        let mut unknown = Vec::new();
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let mut stmt = self.conn.prepare(&format!("SELECT id FROM exhibits WHERE id IN ({marks})"))?;
            let known: std::collections::HashSet<String> =
                stmt.query_map(rusqlite::params_from_iter(chunk), |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            unknown.extend(chunk.iter().filter(|id| !known.contains(*id)).cloned());
        }
        Ok(unknown)
    }

    /// The exhibit already holding content of this SHA-256, if any.
    pub(crate) fn exhibit_with_sha256(&self, sha256: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT id FROM exhibits WHERE sha256 = ?1", [sha256], |r| r.get(0)).optional()?)
    }

    /// One exhibit with all its sources.
    pub fn show(&self, id: &str) -> Result<ExhibitDetail> {
        let mut detail = self.record_of(id)?;
        detail.children = self.children_of(id)?;
        detail.metadata = self.metadata(id)?;
        detail.derivations = self.derivations(id)?;
        detail.processing = self.processing_state(id)?;
        detail.designation = self.designation(id)?;
        Ok(detail)
    }

    /// One exhibit with its sources and received records only: what
    /// processing needs of it (its children, metadata, derivations and
    /// processing state are left empty, not read).
    pub(crate) fn record_of(&self, id: &str) -> Result<ExhibitDetail> {
        let exhibit = self.listing(id)?;
        let object: String = self.conn.query_row("SELECT object FROM exhibits WHERE id = ?1", [id], |r| r.get(0))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT path, name, size, modified, created, accessed, custodian, source, method, purpose, collected_by, collected_at
             FROM exhibit_sources WHERE exhibit_id = ?1 ORDER BY id",
        )?;
        let sources = stmt
            .query_map([id], |r| {
                Ok(SourceRecord {
                    path: r.get(0)?,
                    name: r.get(1)?,
                    size: r.get::<_, i64>(2)? as u64,
                    modified: r.get(3)?,
                    created: r.get(4)?,
                    accessed: r.get(5)?,
                    custodian: r.get(6)?,
                    source: r.get(7)?,
                    method: r.get(8)?,
                    purpose: r.get(9)?,
                    collected_by: r.get(10)?,
                    collected_at: r.get(11)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT bates, bundle_sha256, sender_identity, sender_fingerprint, sender_exhibit_id, sender_events, received_at
             FROM received_records WHERE exhibit_id = ?1 ORDER BY received_at, bates",
        )?;
        let received = stmt
            .query_map([id], |r| {
                Ok(ReceivedRecord {
                    bates: r.get(0)?,
                    bundle_sha256: r.get(1)?,
                    sender_identity: r.get(2)?,
                    sender_fingerprint: r.get(3)?,
                    sender_exhibit_id: r.get(4)?,
                    sender_events: r.get::<_, String>(5)?.lines().count(),
                    received_at: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ExhibitDetail {
            exhibit,
            object,
            sources,
            received,
            children: Vec::new(),
            metadata: Vec::new(),
            derivations: Vec::new(),
            processing: super::derived::ProcessingState::default(),
            designation: Default::default(),
        })
    }
}
