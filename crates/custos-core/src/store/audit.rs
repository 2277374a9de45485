//! Events read from audit-log exports, and the case timeline they make:
//! each event joined, when read, to the exhibit it is about, by the
//! strongest evidence the log gives (DESIGN §3.3).

use super::{Change, Vault};
use crate::error::Result;
use custos_extract::audit::AuditEvent;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// Which events a timeline holds.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineQuery {
    /// Only events joined to this exhibit ("what happened to this document").
    pub exhibit: Option<String>,
    /// Only events of this actor (any case).
    pub actor: Option<String>,
    /// Only events of this action (any case).
    #[serde(default)]
    pub action: Option<String>,
    /// Only events at or after this time: a day (`2025-05-14`), an hour
    /// (`2025-05-14T09`) or a whole RFC 3339 time in UTC.
    #[serde(default)]
    pub from: Option<String>,
    /// Only events within or before this day, hour or time.
    #[serde(default)]
    pub to: Option<String>,
    /// The exhibits' own dates as well (e-mails sent and received, documents
    /// created and modified, photographs taken), beside the audit events.
    #[serde(default)]
    pub dates: bool,
}

/// One event of the case timeline.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEvent {
    /// Where the event comes from: `audit` (a row of an audit-log export)
    /// or `metadata` (a date recorded in the exhibit itself).
    pub source: String,
    /// When (RFC 3339, UTC).
    pub time: String,
    /// Who.
    pub actor: String,
    /// What, in the log's own word.
    pub action: String,
    /// The audit-log export (an exhibit) the event was read from.
    pub source_exhibit: String,
    /// Its row there.
    pub row: u32,
    /// The SHA-256 of the row's raw bytes.
    pub raw_sha256: String,
    /// On what, as the log names it (a URL, a path, a name).
    pub object: String,
    /// The exhibit the event is about, if it could be joined.
    pub exhibit: Option<String>,
    /// How: `hash` (the log gives the content's hash), `object_id` (the
    /// object's id or URL is where the exhibit was collected from),
    /// `name_size` (same file name and size) or `name` (the same file name
    /// only: weak).
    pub join: Option<String>,
    /// Whether the join is weak (by name alone).
    pub weak: bool,
    /// The client's IP address.
    pub ip: Option<String>,
    /// Part of a mass download: one actor downloading more than
    /// [`BURST_FILES`] files within [`BURST_MINUTES`] minutes.
    pub burst: bool,
}

/// More downloads than this by one actor …
pub const BURST_FILES: usize = 50;
/// … within this many minutes make a burst.
pub const BURST_MINUTES: i64 = 5;

/// Whether an action is a download (or a sync or copy of a file down to a device).
pub(crate) fn is_download(action: &str) -> bool {
    let a = action.to_ascii_lowercase();
    a.contains("download") || a.contains("synced") || a.contains("copied to removable") || a == "copy_to_usb"
}

/// Marks the downloads that fall in a burst (`events` in time order).
fn mark_bursts(events: &mut [TimelineEvent]) {
    let at = |e: &TimelineEvent| chrono::DateTime::parse_from_rfc3339(&e.time).map(|t| t.timestamp()).ok();
    let mut by_actor: std::collections::HashMap<String, Vec<(usize, i64)>> = std::collections::HashMap::new();
    for (i, e) in events.iter().enumerate() {
        if let Some(t) = at(e).filter(|_| is_download(&e.action)) {
            by_actor.entry(e.actor.to_lowercase()).or_default().push((i, t));
        }
    }
    for downloads in by_actor.values() {
        let mut from = 0;
        for to in 0..downloads.len() {
            while downloads[to].1 - downloads[from].1 > BURST_MINUTES * 60 {
                from += 1;
            }
            if to - from + 1 > BURST_FILES {
                for (i, _) in &downloads[from..=to] {
                    events[*i].burst = true;
                }
            }
        }
    }
}

impl Change<'_> {
    /// Records the events read from an audit-log export.
    pub(crate) fn add_audit_events(&mut self, exhibit: &str, events: &[AuditEvent], derivation: i64) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO audit_events (exhibit_id, row, raw_sha256, time, actor, action, object, object_id, file_name, size, hash_algorithm, hash, ip, device, derivation_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        for e in events {
            stmt.execute(params![
                exhibit,
                e.row,
                e.raw_sha256,
                e.time,
                e.actor,
                e.action,
                e.object,
                e.object_id,
                e.file_name,
                e.size.map(|s| s as i64),
                e.hash.as_ref().map(|h| h.0.as_str()),
                e.hash.as_ref().map(|h| h.1.as_str()),
                e.ip,
                e.device,
                derivation
            ])?;
        }
        Ok(())
    }
}

/// An event as stored, before it is joined.
struct Stored {
    event: TimelineEvent,
    object_id: Option<String>,
    file_name: Option<String>,
    size: Option<i64>,
    hash: Option<(String, String)>,
}

impl Vault {
    /// The case timeline: every event read from the audit-log exports, in
    /// time order, each joined to the exhibit it is about where the log
    /// allows it.
    pub fn timeline(&self, q: &TimelineQuery) -> Result<Vec<TimelineEvent>> {
        super::timeline::check(q)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT time, actor, action, exhibit_id, row, raw_sha256, object, ip, object_id, file_name, size, hash_algorithm, hash
             FROM audit_events WHERE (?1 IS NULL OR actor = ?1 COLLATE NOCASE) ORDER BY time, exhibit_id, row",
        )?;
        let stored = stmt.query_map([q.actor.as_deref()], |r| {
            Ok(Stored {
                event: TimelineEvent {
                    source: "audit".into(),
                    time: r.get(0)?,
                    actor: r.get(1)?,
                    action: r.get(2)?,
                    source_exhibit: r.get(3)?,
                    row: r.get::<_, i64>(4)? as u32,
                    raw_sha256: r.get(5)?,
                    object: r.get(6)?,
                    exhibit: None,
                    join: None,
                    weak: false,
                    ip: r.get(7)?,
                    burst: false,
                },
                object_id: r.get(8)?,
                file_name: r.get(9)?,
                size: r.get(10)?,
                hash: r.get::<_, Option<String>>(11)?.zip(r.get::<_, Option<String>>(12)?),
            })
        })?;
        let mut all = Vec::new();
        // Events about the same object join the same way: each is looked up once.
        type Key = (Option<(String, String)>, Option<String>, String, Option<String>, Option<i64>);
        let mut joined: std::collections::HashMap<Key, Option<(String, &'static str)>> = std::collections::HashMap::new();
        for s in stored {
            let mut s = s?;
            let key: Key = (s.hash.clone(), s.object_id.clone(), s.event.object.clone(), s.file_name.clone(), s.size);
            let join = match joined.get(&key) {
                Some(j) => j.clone(),
                None => {
                    let j = self.join(&s)?;
                    joined.insert(key, j.clone());
                    j
                }
            };
            if let Some((exhibit, join)) = join {
                s.event.weak = join == "name";
                s.event.exhibit = Some(exhibit);
                s.event.join = Some(join.to_string());
            }
            all.push(s.event);
        }
        // Bursts are found over every event of the actor, then filtered.
        mark_bursts(&mut all);
        if q.dates {
            all.extend(self.exhibit_dates()?);
            all.sort_by(|a, b| a.time.cmp(&b.time).then(a.source.cmp(&b.source)).then(a.source_exhibit.cmp(&b.source_exhibit)).then(a.row.cmp(&b.row)));
        }
        Ok(all.into_iter().filter(|e| super::timeline::wanted(q, e)).collect())
    }

    /// The rows recorded from an audit-log export and their raw SHA-256, in order.
    pub(crate) fn audit_rows(&self, exhibit: &str) -> Result<Vec<(u32, String)>> {
        let mut stmt = self.conn.prepare_cached("SELECT row, raw_sha256 FROM audit_events WHERE exhibit_id = ?1 ORDER BY row")?;
        let rows = stmt.query_map([exhibit], |r| Ok((r.get::<_, i64>(0)? as u32, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The exhibit an event is about, and how it was found: by hash, by the
    /// object's id or URL, by name and size, or by name alone.
    fn join(&self, s: &Stored) -> Result<Option<(String, &'static str)>> {
        if let Some((algorithm, hash)) = &s.hash {
            let sql = match algorithm.as_str() {
                "sha256" => "SELECT id FROM exhibits WHERE sha256 = ?1",
                "md5" => "SELECT id FROM exhibits WHERE md5 = ?1 ORDER BY number LIMIT 1",
                _ => "SELECT id FROM exhibits WHERE sha1 = ?1 ORDER BY number LIMIT 1",
            };
            if let Some(id) = self.conn.prepare_cached(sql)?.query_row([hash], |r| r.get(0)).optional()? {
                return Ok(Some((id, "hash")));
            }
        }
        for object in [s.object_id.as_deref(), Some(s.event.object.as_str())].into_iter().flatten().filter(|o| !o.is_empty()) {
            let found = self
                .conn
                .prepare_cached("SELECT exhibit_id FROM exhibit_sources WHERE path = ?1 OR source = ?1 ORDER BY id LIMIT 1")?
                .query_row([object], |r| r.get(0))
                .optional()?;
            if let Some(id) = found {
                return Ok(Some((id, "object_id")));
            }
        }
        let Some(name) = s.file_name.as_deref().filter(|n| !n.is_empty()) else { return Ok(None) };
        if let Some(size) = s.size {
            let found = self
                .conn
                .prepare_cached("SELECT id FROM exhibits WHERE original_name = ?1 COLLATE NOCASE AND size = ?2 ORDER BY number LIMIT 1")?
                .query_row(params![name, size], |r| r.get(0))
                .optional()?;
            if let Some(id) = found {
                return Ok(Some((id, "name_size")));
            }
        }
        let found =
            self.conn.prepare_cached("SELECT id FROM exhibits WHERE original_name = ?1 COLLATE NOCASE ORDER BY number LIMIT 1")?.query_row([name], |r| r.get(0)).optional()?;
        Ok(found.map(|id| (id, "name")))
    }
}
