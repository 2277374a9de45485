//! The custody log as stored: appending signed events and checkpoints in a
//! transaction, and reading them back.

use crate::error::{Error, Result};
use crate::format::custody::{Action, Checkpoint, CustodyEvent, NewEvent, RawEvent, SignedCheckpoint, checkpoint_message, sign_event};
use crate::format::merkle::{Frontier, LeafHash};
use ed25519_dalek::{Signer, SigningKey};
use crate::store::Vault;
use rusqlite::{Transaction, params};

/// A session's place in the log: its end (as a Merkle frontier), the events
/// waiting to be written with the next change, and who is acting where.
#[derive(Debug, Clone)]
pub(crate) struct SessionLog {
    pub frontier: Frontier,
    pub pending: Vec<NewEvent>,
    pub actor: String,
    pub location: Option<String>,
}

impl SessionLog {
    /// Appends the pending events and `events` in `tx` with a checkpoint and
    /// commits; the session advances only once the commit succeeded.
    /// In a firm vault the change is written to the firm catalog (and
    /// committed there) before `tx` commits.
    pub fn commit(
        &mut self,
        tx: Transaction<'_>,
        key: &SigningKey,
        vault_id: &str,
        time: &str,
        events: Vec<NewEvent>,
        firm: Option<&crate::store::firm::Firm>,
    ) -> Result<Vec<CustodyEvent>> {
        let mut all = self.pending.clone();
        all.extend(events);
        let mut frontier = self.frontier.clone();
        let writer = LogWriter { key, vault_id, actor: &self.actor, location: self.location.as_deref() };
        let out = writer.append(&tx, &mut frontier, time, all)?;
        if let Some(f) = firm {
            f.push(&tx)?;
        }
        tx.commit()?;
        self.frontier = frontier;
        self.pending.clear();
        Ok(out)
    }
}

/// Who and where events are written: the session's context.
pub(crate) struct LogWriter<'a> {
    pub key: &'a SigningKey,
    pub vault_id: &'a str,
    pub actor: &'a str,
    pub location: Option<&'a str>,
}

impl LogWriter<'_> {
    /// Appends events in `tx` and writes the checkpoint covering them.
    /// `frontier` is advanced only on success (the caller passes a copy and
    /// keeps it once the transaction commits).
    pub fn append(&self, tx: &Transaction<'_>, frontier: &mut Frontier, time: &str, events: Vec<NewEvent>) -> Result<Vec<CustodyEvent>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::with_capacity(events.len());
        let next = tx.query_row("SELECT coalesce(max(seq), 0) + 1 FROM custody_events", [], |r| r.get::<_, i64>(0))? as u64;
        if next != frontier.size() + 1 {
            return Err(Error::Custody(format!(
                "the log holds {} events but this session expected {}; reopen the vault",
                next - 1,
                frontier.size()
            )));
        }
        let mut stmt = tx.prepare_cached("INSERT INTO custody_events (seq, body, signature) VALUES (?1, ?2, ?3)")?;
        let mut index = tx.prepare_cached("INSERT OR REPLACE INTO custody_index (seq, action, exhibit, actor, time) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for (i, ev) in events.into_iter().enumerate() {
            let event = CustodyEvent {
                seq: next + i as u64,
                time: time.to_string(),
                action: ev.action.ok_or_else(|| Error::Custody("event without action".into()))?,
                exhibit: ev.exhibit,
                actor: self.actor.to_string(),
                released_by: ev.released_by,
                received_by: ev.received_by,
                purpose: ev.purpose,
                method: ev.method,
                tool: crate::TOOL.to_string(),
                hashes_match: match (&ev.hash_before, &ev.hash_after) {
                    // An input and what was derived from it are not copies.
                    _ if ev.action == Some(Action::Derived) => None,
                    (Some(a), Some(b)) => Some(a == b),
                    _ => None,
                },
                hash_algorithm: ev.hash_algorithm,
                hash_before: ev.hash_before,
                hash_after: ev.hash_after,
                location: self.location.map(str::to_string),
                details: ev.details.unwrap_or(serde_json::Value::Null),
            };
            let body = serde_json::to_vec(&event).expect("event serialises");
            let sig = sign_event(self.key, &body);
            stmt.execute(params![event.seq as i64, body, sig.to_bytes().to_vec()])?;
            index.execute(params![event.seq as i64, event.action.as_str(), event.exhibit, event.actor, event.time])?;
            frontier.push(LeafHash::of(&body));
            out.push(event);
        }
        let root = frontier.root();
        let msg = checkpoint_message(self.vault_id, frontier.size(), &root, time);
        let sig = self.key.sign(msg.as_bytes());
        tx.execute(
            "INSERT INTO checkpoints (tree_size, root, time, signature) VALUES (?1, ?2, ?3, ?4)",
            params![frontier.size() as i64, root.to_vec(), time, sig.to_bytes().to_vec()],
        )?;
        Ok(out)
    }
}

/// Reads every event body and signature in `seq` order.
pub(crate) fn read_raw(conn: &rusqlite::Connection) -> Result<Vec<RawEvent>> {
    let mut stmt = conn.prepare("SELECT seq, body, signature FROM custody_events ORDER BY seq")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Reads every checkpoint in order of size.
pub(crate) fn read_checkpoints(conn: &rusqlite::Connection) -> Result<Vec<Checkpoint>> {
    let mut stmt = conn.prepare("SELECT tree_size, root, time, signature FROM checkpoints ORDER BY tree_size")?;
    let rows = stmt.query_map([], |r| {
        Ok(Checkpoint {
            tree_size: r.get::<_, i64>(0)? as u64,
            root: hex::encode(r.get::<_, Vec<u8>>(1)?),
            time: r.get(2)?,
            signature: hex::encode(r.get::<_, Vec<u8>>(3)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Reads and parses the events (without checking them; verification does).
pub(crate) fn read_events(conn: &rusqlite::Connection) -> Result<Vec<CustodyEvent>> {
    read_raw(conn)?.into_iter().map(|(seq, body, _)| CustodyEvent::parse(seq, &body)).collect()
}

/// Rebuilds the frontier from the stored events (used on open).
pub(crate) fn load_frontier(conn: &rusqlite::Connection) -> Result<Frontier> {
    let mut f = Frontier::default();
    for (_, body, _) in read_raw(conn)? {
        f.push(LeafHash::of(&body));
    }
    Ok(f)
}


/// One row of the log's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexRow {
    pub seq: i64,
    pub action: String,
    pub exhibit: Option<String>,
    pub actor: String,
    pub time: String,
}

impl Vault {
    /// The custody log, optionally only the events of one exhibit.
    pub fn custody_log(&self, exhibit: Option<&str>) -> Result<Vec<CustodyEvent>> {
        let Some(id) = exhibit else { return self.events() };
        self.listing(id)?;
        // One exhibit's history through the index (custody_index), not a
        // read of the whole log.
        self.query_events(
            "SELECT e.seq, e.body FROM custody_index i JOIN custody_events e ON e.seq = i.seq WHERE i.exhibit = ?1 ORDER BY i.seq",
            [id],
        )
    }

    /// The events a query of (seq, body) rows selects, parsed, in its order.
    pub(crate) fn query_events(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<CustodyEvent>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
        rows.map(|row| {
            let (seq, body) = row?;
            CustodyEvent::parse(seq, &body)
        })
        .collect()
    }

    /// The latest signed checkpoint of the custody log.
    pub fn latest_checkpoint(&self) -> Result<Option<Checkpoint>> {
        Ok(self.checkpoints()?.pop())
    }

    /// A signed checkpoint of the latest state, to keep outside the vault.
    pub fn kept_checkpoint(&self) -> Result<Option<SignedCheckpoint>> {
        Ok(self.latest_checkpoint()?.map(|c| SignedCheckpoint::new(&self.config.vault_id, &self.config.signing_key, c)))
    }

    /// How many events the log holds.
    pub(crate) fn event_count(&self) -> Result<u64> {
        // The session's place in the log: read on open, advanced by every
        // commit, and checked against the log before each append.
        Ok(self.session.frontier.size())
    }

    /// The newest `n` events, newest first.
    pub(crate) fn newest_events(&self, n: usize) -> Result<Vec<CustodyEvent>> {
        self.query_events("SELECT seq, body FROM custody_events ORDER BY seq DESC LIMIT ?1", [n as i64])
    }

    /// The newest event of `action`, through the index.
    pub(crate) fn newest_event_of(&self, action: Action) -> Result<Option<CustodyEvent>> {
        let newest = self.query_events(
            "SELECT e.seq, e.body FROM custody_index i JOIN custody_events e ON e.seq = i.seq
             WHERE i.action = ?1 ORDER BY i.seq DESC LIMIT 1",
            [action.as_str()],
        )?;
        Ok(newest.into_iter().next())
    }

    /// Every event of `action`, in order, through the index.
    pub(crate) fn events_of(&self, action: Action) -> Result<Vec<CustodyEvent>> {
        self.query_events(
            "SELECT e.seq, e.body FROM custody_index i JOIN custody_events e ON e.seq = i.seq WHERE i.action = ?1 ORDER BY i.seq",
            [action.as_str()],
        )
    }

    /// The index of the log as stored: (seq, action, exhibit, time) in order.
    pub(crate) fn custody_index(&self) -> Result<Vec<IndexRow>> {
        let mut stmt = self.conn.prepare("SELECT seq, action, exhibit, actor, time FROM custody_index ORDER BY seq")?;
        let rows = stmt.query_map([], |r| Ok(IndexRow { seq: r.get(0)?, action: r.get(1)?, exhibit: r.get(2)?, actor: r.get(3)?, time: r.get(4)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every stored event, unparsed, in order.
    pub(crate) fn raw_events(&self) -> Result<Vec<RawEvent>> {
        read_raw(&self.conn)
    }

    /// Every checkpoint, in order of size.
    pub(crate) fn checkpoints(&self) -> Result<Vec<Checkpoint>> {
        read_checkpoints(&self.conn)
    }

    /// Every event, parsed (not checked; verification does that).
    pub(crate) fn events(&self) -> Result<Vec<CustodyEvent>> {
        read_events(&self.conn)
    }
}
