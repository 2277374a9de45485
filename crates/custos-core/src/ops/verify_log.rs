//! Checking the custody log as stored: sequence, event signatures, the
//! Merkle tree and every checkpoint; and a checkpoint kept outside the vault
//! against it.

use crate::format::custody::{Checkpoint, CustodyEvent, RawEvent, event_signature_verifies};
use crate::store::custody_log::IndexRow;
use crate::format::finding::{Finding, FindingKind, Severity};
use ed25519_dalek::VerifyingKey;

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
pub(crate) fn verify_log(raw: &[RawEvent], checkpoints: &[Checkpoint], key: &VerifyingKey, vault_id: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut tree = crate::format::merkle::Tree::default();
    let mut roots_at = std::collections::BTreeMap::new();
    let stored_root = |c: &Checkpoint| c.root_bytes();
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
        if !event_signature_verifies(key, body, sig) {
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
        if !cp.signature_verifies(key, vault_id) {
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
    findings
}

/// Checks a checkpoint kept outside the vault (from an earlier export or
/// `custos checkpoint`) against the current log: its signature must be this
/// vault's, and the log must still contain exactly the history it signed.
pub(crate) fn check_external(raw: &[RawEvent], key: &VerifyingKey, vault_id: &str, cp: &Checkpoint) -> Vec<Finding> {
    let mut findings = Vec::new();
    let root = cp.root_bytes();
    if !cp.signature_verifies(key, vault_id) {
        findings.push(log_finding(
            FindingKind::CheckpointSignature,
            None,
            format!("the kept checkpoint of size {} made {} is not signed by this vault's key", cp.tree_size, cp.time),
        ));
        return findings;
    }
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
        return findings;
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
    findings
}

/// Checks the log's index (`custody_index`: exhibit, action and time of
/// each event, what one exhibit's history and the dashboard are read
/// through) against the signed events. A row that says otherwise, or is
/// missing or extra, would show a paralegal a history the log does not hold.
pub(crate) fn check_index(raw: &[RawEvent], index: &[IndexRow]) -> Vec<Finding> {
    let mismatch = |seq: i64, message: String| Finding {
        severity: Severity::Error,
        exhibit: None,
        kind: FindingKind::EventIndexMismatch,
        event: Some(seq as u64),
        message,
        action: "The database was changed outside Custos; the signed custody log is what counts. Restore the vault from a \
                 backup, or report the finding."
            .to_string(),
    };
    let by_seq: std::collections::BTreeMap<i64, &IndexRow> = index.iter().map(|r| (r.seq, r)).collect();
    let mut findings = Vec::new();
    for (seq, body, _) in raw {
        let expected = serde_json::from_slice::<CustodyEvent>(body)
            .map(|e| (e.action.as_str().to_string(), e.exhibit, e.actor, e.time))
            .unwrap_or_else(|_| ("?".to_string(), None, String::new(), String::new()));
        match by_seq.get(seq) {
            None => findings.push(mismatch(*seq, format!("custody event {seq} is missing from the log's index"))),
            Some(row)
                if (row.action.as_str(), row.exhibit.as_deref(), row.actor.as_str(), row.time.as_str())
                    != (expected.0.as_str(), expected.1.as_deref(), expected.2.as_str(), expected.3.as_str()) =>
            {
                findings.push(mismatch(
                    *seq,
                    format!(
                        "the log's index says custody event {seq} is '{}' of {} by {} at {}, but the signed event is '{}' of {} by {} at {}",
                        row.action,
                        row.exhibit.as_deref().unwrap_or("no exhibit"),
                        row.actor,
                        row.time,
                        expected.0,
                        expected.1.as_deref().unwrap_or("no exhibit"),
                        expected.2,
                        expected.3
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    let stored: std::collections::BTreeSet<i64> = raw.iter().map(|(seq, _, _)| *seq).collect();
    for row in index.iter().filter(|r| !stored.contains(&r.seq)) {
        findings.push(mismatch(row.seq, format!("the log's index lists custody event {}, which the log does not hold", row.seq)));
    }
    findings
}
