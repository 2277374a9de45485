//! The case timeline beyond the audit events (DESIGN §3.3): the exhibits'
//! own dates beside them, the filters, and counts per day or hour for a
//! screen to zoom through.

use super::Vault;
use super::audit::{TimelineEvent, TimelineQuery};
use crate::error::{Error, Result};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

/// The exhibits' dates that become events, and the action each is.
const DATES: [(&str, &str, &str); 5] = [
    ("date_sent", "e-mail sent", "from"),
    ("date_received", "e-mail received", "to"),
    ("created", "document created", "author"),
    ("modified", "document modified", "last_modified_by"),
    ("date_taken", "photograph taken", ""),
];

/// How finely a timeline is counted.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineUnit {
    /// Per day (`2025-05-14`).
    Day,
    /// Per hour (`2025-05-14T09`).
    Hour,
}

/// The events of one day or hour.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineBucket {
    /// The day (`2025-05-14`) or hour (`2025-05-14T09`), UTC.
    pub at: String,
    /// Its events.
    pub events: u32,
    /// Of those, downloads (and syncs and copies to devices).
    pub downloads: u32,
    /// Of those, downloads within a mass download.
    pub bursts: u32,
}

/// A timeline as a screen shows it: counts per day or hour over every event
/// the query selects, and the first of those events.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineView {
    /// Every event the query selects.
    pub total: u32,
    /// Their counts per day or hour, in time order.
    pub buckets: Vec<TimelineBucket>,
    /// The first events (at most the limit asked for), in time order.
    pub events: Vec<TimelineEvent>,
    /// The actors and actions among them, for filters.
    pub actors: Vec<String>,
    /// The actions.
    pub actions: Vec<String>,
}

/// The most events one view lists.
pub const MAX_VIEW_EVENTS: u32 = 5_000;

/// A bound of a range as given: a day, an hour or a whole time.
fn bound(s: &str) -> Result<&str> {
    let ok = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
        || (s.len() == 13 && chrono::NaiveDateTime::parse_from_str(&format!("{s}:00:00"), "%Y-%m-%dT%H:%M:%S").is_ok())
        || chrono::DateTime::parse_from_rfc3339(s).is_ok();
    if ok { Ok(s) } else { Err(Error::InvalidInput(format!("{s} is not a day (2025-05-14), an hour (2025-05-14T09) or an RFC 3339 time"))) }
}

/// Checks a query's range before it is used.
pub(crate) fn check(q: &TimelineQuery) -> Result<()> {
    for b in [&q.from, &q.to].into_iter().flatten() {
        bound(b)?;
    }
    Ok(())
}

/// Whether an event is one the query selects (the actor aside for audit
/// events, which are selected by it when read).
pub(crate) fn wanted(q: &TimelineQuery, e: &TimelineEvent) -> bool {
    let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w.eq_ignore_ascii_case(have));
    // A time compared with a bound over the bound's length: within a day
    // or an hour counts as at it.
    let from = q.from.as_deref().is_none_or(|f| e.time.as_str() >= f || e.time.starts_with(f));
    let to = q.to.as_deref().is_none_or(|t| e.time.get(..t.len()).unwrap_or(&e.time) <= t);
    (q.exhibit.is_none() || e.exhibit == q.exhibit) && eq(&q.actor, &e.actor) && eq(&q.action, &e.action) && from && to
}

/// Counts events per day or hour.
pub fn buckets(events: &[TimelineEvent], unit: TimelineUnit) -> Vec<TimelineBucket> {
    let len = match unit {
        TimelineUnit::Day => 10,
        TimelineUnit::Hour => 13,
    };
    let mut out: Vec<TimelineBucket> = Vec::new();
    for e in events {
        let at = e.time.get(..len).unwrap_or(&e.time);
        if out.last().is_none_or(|b| b.at != at) {
            out.push(TimelineBucket { at: at.to_string(), events: 0, downloads: 0, bursts: 0 });
        }
        let b = out.last_mut().expect("pushed");
        b.events += 1;
        b.downloads += u32::from(super::audit::is_download(&e.action));
        b.bursts += u32::from(e.burst);
    }
    out
}

impl Vault {
    /// The timeline as a screen shows it: the events `q` selects counted per
    /// `unit`, and the first `limit` of them.
    pub fn timeline_view(&self, q: &TimelineQuery, unit: TimelineUnit, limit: u32) -> Result<TimelineView> {
        if limit > MAX_VIEW_EVENTS {
            return Err(Error::InvalidInput(format!("a timeline view lists at most {MAX_VIEW_EVENTS} events; {limit} were asked for")));
        }
        let mut events = self.timeline(q)?;
        let mut actors: Vec<String> = events.iter().map(|e| e.actor.clone()).filter(|a| !a.is_empty()).collect();
        actors.sort_unstable_by_key(|a| a.to_lowercase());
        actors.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        let mut actions: Vec<String> = events.iter().map(|e| e.action.clone()).filter(|a| !a.is_empty()).collect();
        actions.sort_unstable();
        actions.dedup();
        let total = events.len() as u32;
        let buckets = buckets(&events, unit);
        events.truncate(limit as usize);
        Ok(TimelineView { total, buckets, events, actors, actions })
    }

    /// The exhibits' own dates as events, each about its exhibit.
    pub(crate) fn exhibit_dates(&self) -> Result<Vec<TimelineEvent>> {
        let fields = DATES.iter().map(|(f, ..)| format!("'{f}'")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT m.exhibit_id, m.field, m.value, e.original_name FROM exhibit_metadata m JOIN exhibits e ON e.id = m.exhibit_id
             WHERE m.field IN ({fields}) ORDER BY e.number, m.field, m.value"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)))?;
        let mut actor_of = self.conn.prepare_cached("SELECT value FROM exhibit_metadata WHERE exhibit_id = ?1 AND field = ?2 ORDER BY value LIMIT 1")?;
        let mut out: Vec<TimelineEvent> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for row in rows {
            let (exhibit, field, value, name) = row?;
            // Only a date with its zone: a local time written without one
            // (as cameras do) has no place on a UTC timeline.
            let Ok(time) = chrono::DateTime::parse_from_rfc3339(&value) else { continue };
            let time = time.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let (_, action, by) = DATES.iter().find(|(f, ..)| *f == field).expect("selected by field");
            // One event per exhibit, date and time (a message may give its
            // sent time twice, from two properties).
            if !seen.insert((exhibit.clone(), *action, time.clone())) {
                continue;
            }
            let actor = if by.is_empty() { None } else { actor_of.query_row([exhibit.as_str(), by], |r| r.get::<_, String>(0)).optional()? };
            out.push(TimelineEvent {
                source: "metadata".into(),
                time,
                actor: actor.unwrap_or_default(),
                action: action.to_string(),
                source_exhibit: exhibit.clone(),
                row: 0,
                raw_sha256: String::new(),
                object: name,
                exhibit: Some(exhibit),
                join: None,
                weak: false,
                ip: None,
                burst: false,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time: &str, action: &str, burst: bool) -> TimelineEvent {
        TimelineEvent {
            source: "audit".into(),
            time: time.into(),
            actor: "erik".into(),
            action: action.into(),
            source_exhibit: "EX-0001".into(),
            row: 1,
            raw_sha256: String::new(),
            object: String::new(),
            exhibit: None,
            join: None,
            weak: false,
            ip: None,
            burst,
        }
    }

    #[test]
    fn events_are_counted_per_day_and_per_hour() {
        let all = [
            event("2026-05-14T09:01:00Z", "FileDownloaded", true),
            event("2026-05-14T09:59:00Z", "FileAccessed", false),
            event("2026-05-14T10:00:00Z", "FileDownloaded", false),
            event("2026-05-16T00:00:00Z", "FileSyncDownloadedFull", false),
        ];
        let days = buckets(&all, TimelineUnit::Day);
        assert_eq!(days.iter().map(|b| (b.at.as_str(), b.events, b.downloads, b.bursts)).collect::<Vec<_>>(), [("2026-05-14", 3, 2, 1), ("2026-05-16", 1, 1, 0)]);
        let hours = buckets(&all, TimelineUnit::Hour);
        assert_eq!(hours.iter().map(|b| (b.at.as_str(), b.events)).collect::<Vec<_>>(), [("2026-05-14T09", 2), ("2026-05-14T10", 1), ("2026-05-16T00", 1)]);
    }

    #[test]
    fn a_range_is_a_day_an_hour_or_a_time_and_takes_in_all_of_it() {
        let q = |from: &str, to: &str| TimelineQuery { from: Some(from.into()), to: Some(to.into()), ..Default::default() };
        let e = event("2026-05-14T09:30:00Z", "x", false);
        assert!(wanted(&q("2026-05-14", "2026-05-14"), &e));
        assert!(wanted(&q("2026-05-14T09", "2026-05-14T09"), &e));
        assert!(!wanted(&q("2026-05-14T10", "2026-05-15"), &e));
        assert!(!wanted(&q("2026-05-13", "2026-05-14T08"), &e));
        assert!(wanted(&q("2026-05-14T09:30:00Z", "2026-05-14T09:30:00Z"), &e));
        for bad in ["14 May", "2026-05-14T9", "2026-13-01"] {
            assert!(check(&q(bad, "2026-05-14")).is_err(), "{bad}");
        }
    }
}
