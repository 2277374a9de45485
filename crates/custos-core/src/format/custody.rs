//! The tamper-evident custody log: signed events as leaves of an RFC 6962
//! Merkle tree, with a signed checkpoint after every transaction.

use crate::error::{Error, Result};
use crate::format::merkle::{Frontier, LeafHash};
use crate::format::finding::{Finding, FindingKind, Severity};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rusqlite::{Transaction, params};
use serde::{Deserialize, Serialize};

/// Domain separation for event signatures.
const EVENT_CONTEXT: &[u8] = b"custos-event-v1\n";

/// The actions the log records. Stored as their snake_case names.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// The vault was created.
    VaultCreated,
    /// The vault was unlocked.
    VaultUnlocked,
    /// An exhibit was collected (taken in).
    Collected,
    /// Content already in the vault was collected again from another source.
    DuplicateSourceRecorded,
    /// An exhibit's description or tags changed.
    MetadataEdited,
    /// An exhibit was viewed.
    Viewed,
    /// An exhibit's bytes were written out of the vault.
    Extracted,
    /// A verification ran.
    Verified,
    /// An object with no exhibit was moved to quarantine.
    StrayObjectQuarantined,
    /// The passphrase changed.
    PassphraseChanged,
    /// A sealed bundle was exported.
    Exported,
    /// A bundle was imported (custody received).
    Received,
    /// A vault setting changed (e.g. the exhibit-number prefix).
    SettingChanged,
    /// A partial file that an interrupted export or extraction left outside
    /// the vault (plaintext) was removed.
    PartialOutputRemoved,
    /// A producer vault's seal key was pinned on first sight of one of its productions.
    ProducerKeyPinned,
    /// The user explicitly accepted a new seal key for a producer vault (old
    /// key, new key and the reason given are recorded).
    ProducerKeyAccepted,
    /// An RFC 3161 time-stamp authority countersigned a checkpoint.
    Timestamped,
}

impl Action {
    /// The stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::VaultCreated => "vault_created",
            Action::VaultUnlocked => "vault_unlocked",
            Action::Collected => "collected",
            Action::DuplicateSourceRecorded => "duplicate_source_recorded",
            Action::MetadataEdited => "metadata_edited",
            Action::Viewed => "viewed",
            Action::Extracted => "extracted",
            Action::Verified => "verified",
            Action::StrayObjectQuarantined => "stray_object_quarantined",
            Action::PassphraseChanged => "passphrase_changed",
            Action::Exported => "exported",
            Action::Received => "received",
            Action::SettingChanged => "setting_changed",
            Action::PartialOutputRemoved => "partial_output_removed",
            Action::ProducerKeyPinned => "producer_key_pinned",
            Action::ProducerKeyAccepted => "producer_key_accepted",
            Action::Timestamped => "timestamped",
        }
    }
}

/// One custody event as stored (its canonical JSON is what is signed and hashed).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustodyEvent {
    /// Position in the log, from 1, without gaps.
    pub seq: u64,
    /// UTC time, RFC 3339 with microseconds.
    pub time: String,
    /// What happened.
    pub action: Action,
    /// The exhibit concerned, if any.
    pub exhibit: Option<String>,
    /// Who performed it (the examiner of the session).
    pub actor: String,
    /// For transfers: who released the evidence.
    pub released_by: Option<String>,
    /// For transfers: who received it.
    pub received_by: Option<String>,
    /// Purpose or authority.
    pub purpose: Option<String>,
    /// Method used.
    pub method: Option<String>,
    /// Tool and version.
    pub tool: String,
    /// Hash algorithm of `hash_before`/`hash_after`.
    pub hash_algorithm: Option<String>,
    /// Hash before the action (e.g. of the source).
    pub hash_before: Option<String>,
    /// Hash after the action (e.g. of the stored copy).
    pub hash_after: Option<String>,
    /// Whether the two hashes match.
    pub hashes_match: Option<bool>,
    /// Where (host name).
    pub location: Option<String>,
    /// Action-specific details.
    pub details: serde_json::Value,
}

/// An event to append: everything but what the log fills in itself.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    /// What happened (required).
    pub action: Option<Action>,
    /// The exhibit concerned.
    pub exhibit: Option<String>,
    /// For transfers.
    pub released_by: Option<String>,
    /// For transfers.
    pub received_by: Option<String>,
    /// Purpose or authority.
    pub purpose: Option<String>,
    /// Method.
    pub method: Option<String>,
    /// Hash algorithm.
    pub hash_algorithm: Option<String>,
    /// Hash before.
    pub hash_before: Option<String>,
    /// Hash after.
    pub hash_after: Option<String>,
    /// Details.
    pub details: Option<serde_json::Value>,
}

impl NewEvent {
    /// An event of `action`.
    pub fn new(action: Action) -> Self {
        Self { action: Some(action), ..Default::default() }
    }
    /// Names the exhibit.
    pub fn exhibit(mut self, id: impl Into<String>) -> Self {
        self.exhibit = Some(id.into());
        self
    }
    /// Records a SHA-256 before and after.
    pub fn sha256(mut self, before: impl Into<String>, after: impl Into<String>) -> Self {
        self.hash_algorithm = Some("SHA-256".into());
        self.hash_before = Some(before.into());
        self.hash_after = Some(after.into());
        self
    }
    /// Sets the details.
    pub fn details(mut self, d: serde_json::Value) -> Self {
        self.details = Some(d);
        self
    }
    /// Sets the method.
    pub fn method(mut self, m: Option<String>) -> Self {
        self.method = m;
        self
    }
    /// Sets the purpose.
    pub fn purpose(mut self, p: Option<String>) -> Self {
        self.purpose = p;
        self
    }
}

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
    pub fn commit(&mut self, tx: Transaction<'_>, key: &SigningKey, vault_id: &str, time: &str, events: Vec<NewEvent>) -> Result<Vec<CustodyEvent>> {
        let mut all = self.pending.clone();
        all.extend(events);
        let mut frontier = self.frontier.clone();
        let writer = LogWriter { key, vault_id, actor: &self.actor, location: self.location.as_deref() };
        let out = writer.append(&tx, &mut frontier, time, all)?;
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

/// The text a checkpoint signature covers.
pub fn checkpoint_message(vault_id: &str, tree_size: u64, root: &[u8; 32], time: &str) -> String {
    format!("custos-checkpoint-v1\n{vault_id}\n{tree_size}\n{}\n{time}\n", hex::encode(root))
}

fn event_message(body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(EVENT_CONTEXT.len() + body.len());
    m.extend_from_slice(EVENT_CONTEXT);
    m.extend_from_slice(body);
    m
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
            let sig = self.key.sign(&event_message(&body));
            stmt.execute(params![event.seq as i64, body, sig.to_bytes().to_vec()])?;
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

/// A signed checkpoint of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Number of events covered.
    pub tree_size: u64,
    /// RFC 6962 root, hex.
    pub root: String,
    /// When it was made.
    pub time: String,
    /// Ed25519 signature over [`checkpoint_message`], hex.
    pub signature: String,
}

/// One stored event as read: sequence number, canonical body, signature.
pub(crate) type RawEvent = (i64, Vec<u8>, Vec<u8>);

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

/// Reads and parses the events (without checking them; see [`verify_log`]).
pub(crate) fn read_events(conn: &rusqlite::Connection) -> Result<Vec<CustodyEvent>> {
    read_raw(conn)?
        .into_iter()
        .map(|(seq, body, _)| {
            serde_json::from_slice(&body).map_err(|e| Error::Custody(format!("event {seq} cannot be read: {e}")))
        })
        .collect()
}

/// Rebuilds the frontier from the stored events (used on open).
pub(crate) fn load_frontier(conn: &rusqlite::Connection) -> Result<Frontier> {
    let mut f = Frontier::default();
    for (_, body, _) in read_raw(conn)? {
        f.push(LeafHash::of(&body));
    }
    Ok(f)
}

fn log_finding(kind: FindingKind, seq: Option<u64>, message: String) -> Finding {
    Finding {
        severity: Severity::Error,
        exhibit: None,
        kind,
        event: seq,
        message,
        action: "The custody log was altered outside Custos. Preserve the vault as it is, compare it with \
                 checkpoints held elsewhere (exported bundles), and report the finding."
            .to_string(),
    }
}

/// Checks the whole log: sequence, event signatures, tree, checkpoints.
/// Returns every finding; the first error names the first bad event.
pub(crate) fn verify_log(conn: &rusqlite::Connection, key: &VerifyingKey, vault_id: &str) -> Result<Vec<Finding>> {
    let raw = read_raw(conn)?;
    let checkpoints = read_checkpoints(conn)?;
    let mut findings = Vec::new();
    let mut tree = crate::format::merkle::Tree::default();
    let mut roots_at = std::collections::BTreeMap::new();
    let stored_root = |c: &Checkpoint| hex::decode(&c.root).ok().and_then(|r| <[u8; 32]>::try_from(r).ok());
    let index_of: std::collections::BTreeMap<u64, usize> =
        checkpoints.iter().enumerate().map(|(i, c)| (c.tree_size, i)).collect();
    let mut inconsistent = std::collections::BTreeSet::new();

    for (pos, (seq, body, sig)) in raw.iter().enumerate() {
        let expected = pos as u64 + 1;
        let seq = *seq as u64;
        if seq != expected {
            findings.push(log_finding(
                FindingKind::CustodySequenceGap,
                Some(expected),
                format!("custody event {expected} is missing (the next stored event is {seq}): events were deleted"),
            ));
        }
        match serde_json::from_slice::<CustodyEvent>(body) {
            Ok(ev) if ev.seq != seq => findings.push(log_finding(
                FindingKind::CustodyEventMisplaced,
                Some(seq),
                format!("custody event at position {seq} says it is event {}: events were swapped, duplicated or inserted", ev.seq),
            )),
            Ok(_) => {}
            Err(e) => findings.push(log_finding(FindingKind::CustodyEventUnreadable, Some(seq), format!("custody event {seq} cannot be read: {e}"))),
        }
        let sig_ok = <[u8; 64]>::try_from(sig.as_slice())
            .map(|b| key.verify(&event_message(body), &Signature::from_bytes(&b)).is_ok())
            .unwrap_or(false);
        if !sig_ok {
            findings.push(log_finding(
                FindingKind::CustodyEventSignature,
                Some(seq),
                format!("custody event {seq} does not carry a valid signature of this vault: it was edited or inserted"),
            ));
        }
        tree.push(body.clone());
        if let Some(&j) = index_of.get(&tree.len()) {
            roots_at.insert(tree.len(), tree.root_bytes());
            if j > 0 {
                let (p, c) = (&checkpoints[j - 1], &checkpoints[j]);
                let ok = match (stored_root(p), stored_root(c)) {
                    (Some(pr), Some(cr)) => crate::format::merkle::verify_consistency(&tree, (p.tree_size, pr), (c.tree_size, cr)),
                    _ => false,
                };
                if !ok {
                    inconsistent.insert(j);
                }
            }
        }
    }

    let n = raw.len() as u64;
    for (j, cp) in checkpoints.iter().enumerate() {
        let msg_ok = hex::decode(&cp.root).ok().and_then(|r| <[u8; 32]>::try_from(r).ok()).map(|root| {
            let msg = checkpoint_message(vault_id, cp.tree_size, &root, &cp.time);
            hex::decode(&cp.signature)
                .ok()
                .and_then(|s| <[u8; 64]>::try_from(s).ok())
                .map(|s| key.verify(msg.as_bytes(), &Signature::from_bytes(&s)).is_ok())
                .unwrap_or(false)
        });
        if msg_ok != Some(true) {
            findings.push(log_finding(
                FindingKind::CheckpointSignature,
                None,
                format!("the checkpoint at size {} does not carry a valid signature of this vault", cp.tree_size),
            ));
        }
        if cp.tree_size > n {
            findings.push(log_finding(
                FindingKind::CustodyLogTruncated,
                Some(n + 1),
                format!("a signed checkpoint covers {} events but the log holds only {n}: events from {} on were removed", cp.tree_size, n + 1),
            ));
        } else if let Some(root) = roots_at.get(&cp.tree_size) && hex::encode(root) != cp.root {
            findings.push(log_finding(
                FindingKind::CheckpointRootMismatch,
                None,
                format!("the events up to {} no longer hash to the root signed in the checkpoint of {}", cp.tree_size, cp.time),
            ));
        }
        if inconsistent.contains(&j) {
            findings.push(log_finding(
                FindingKind::CheckpointInconsistent,
                None,
                format!(
                    "the checkpoint at size {} is not consistent with the one at size {}: history was rewritten between them",
                    cp.tree_size,
                    checkpoints[j - 1].tree_size
                ),
            ));
        }
    }
    match checkpoints.last() {
        Some(last) if last.tree_size < n => findings.push(log_finding(
            FindingKind::CustodyEventsUnsealed,
            Some(last.tree_size + 1),
            format!("custody events {} to {n} are not covered by any signed checkpoint: they were appended outside Custos", last.tree_size + 1),
        )),
        None if n > 0 => findings.push(log_finding(FindingKind::CustodyEventsUnsealed, Some(1), "the custody log has no signed checkpoint".into())),
        _ => {}
    }
    // The first bad event leads the list.
    findings.sort_by_key(|f| f.event.unwrap_or(u64::MAX));
    Ok(findings)
}

/// Checks a checkpoint kept outside the vault (from an earlier export or
/// `custos checkpoint`) against the current log: its signature must be this
/// vault's, and the log must still contain exactly the history it signed.
pub(crate) fn check_external(conn: &rusqlite::Connection, key: &VerifyingKey, vault_id: &str, cp: &Checkpoint) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let root = hex::decode(&cp.root).ok().and_then(|r| <[u8; 32]>::try_from(r).ok());
    let sig = hex::decode(&cp.signature).ok().and_then(|s| <[u8; 64]>::try_from(s).ok());
    let signed = match (root, sig) {
        (Some(root), Some(sig)) => {
            let msg = checkpoint_message(vault_id, cp.tree_size, &root, &cp.time);
            key.verify(msg.as_bytes(), &Signature::from_bytes(&sig)).is_ok()
        }
        _ => false,
    };
    if !signed {
        findings.push(log_finding(
            FindingKind::CheckpointSignature,
            None,
            format!("the kept checkpoint of size {} made {} is not signed by this vault's key", cp.tree_size, cp.time),
        ));
        return Ok(findings);
    }
    let raw = read_raw(conn)?;
    if cp.tree_size as usize > raw.len() {
        findings.push(log_finding(
            FindingKind::CheckpointNotInLog,
            Some(raw.len() as u64 + 1),
            format!(
                "a checkpoint signed at {} covers {} events, but the log now holds only {}: the log was truncated",
                cp.time,
                cp.tree_size,
                raw.len()
            ),
        ));
        return Ok(findings);
    }
    let mut tree = crate::format::merkle::Tree::default();
    for (_, body, _) in raw.iter().take(cp.tree_size as usize) {
        tree.push(body.clone());
    }
    if Some(tree.root_bytes()) != root {
        findings.push(log_finding(
            FindingKind::CheckpointNotInLog,
            None,
            format!(
                "the first {} events no longer hash to the root signed at {}: the history was rewritten after that checkpoint",
                cp.tree_size, cp.time
            ),
        ));
    }
    Ok(findings)
}
