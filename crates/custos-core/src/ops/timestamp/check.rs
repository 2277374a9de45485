//! Checking time-stamp tokens: those stored in the vault against the
//! current log, and those a bundle carries against its checkpoint text.

use super::nonce_hex;
use crate::format::custody::{self, Action, Checkpoint, CustodyEvent, RawEvent};
use crate::format::finding::{Finding, FindingKind, Severity};
use crate::format::tsp::token::{self, TokenError, TsaTrust};
use crate::store::timestamps::TokenRow;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The signed text of every checkpoint, recomputed from the current log:
/// its root from the events now stored, its time from the checkpoint row.
/// A size the log no longer reaches, or with no checkpoint row, is absent.
pub(crate) fn checkpoint_texts(raw: &[RawEvent], checkpoints: &[Checkpoint], vault_id: &str) -> BTreeMap<u64, String> {
    let times: BTreeMap<u64, &str> = checkpoints.iter().map(|c| (c.tree_size, c.time.as_str())).collect();
    let mut frontier = crate::format::merkle::Frontier::default();
    let mut out = BTreeMap::new();
    for (_, body, _) in raw {
        frontier.push(crate::format::merkle::LeafHash::of(body));
        if let Some(time) = times.get(&frontier.size()) {
            out.insert(frontier.size(), custody::checkpoint_message(vault_id, frontier.size(), &frontier.root(), time));
        }
    }
    out
}

fn ts_finding(severity: Severity, kind: FindingKind, message: String, action: &str) -> Finding {
    Finding { severity, exhibit: None, kind, event: None, message, action: action.into() }
}

const REWRITTEN: &str = "The custody log no longer holds the history an outside authority timestamped: it was rewritten by \
                         someone holding the vault's key. Preserve the vault as it is and compare it with bundles sent earlier.";
const BAD_TOKEN: &str = "A stored time-stamp token is damaged or was replaced. Preserve the vault and report the finding.";
const TRUST_IT: &str = "Add the authority's CA certificate (custos timestamp --trust-ca FILE, or --tsa-ca FILE for one run) \
                        so its tokens can be checked against it.";

/// The verification phase for stored tokens: each must verify (and chain to
/// `trust`, when given), carry the nonce sent, and cover the checkpoint
/// text recomputed from the current log. Every `timestamped` event must
/// still have its token.
pub(crate) fn check_stored(tokens: &[TokenRow], texts: &BTreeMap<u64, String>, events: &[CustodyEvent], trust: Option<&TsaTrust>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut present = BTreeSet::new();
    for t in tokens {
        present.insert(hex::encode(Sha256::digest(&t.token)));
        let at = format!("the time-stamp token from {} for the checkpoint at tree size {} (TSA time {})", t.tsa_url, t.tree_size, t.gen_time);
        let info = match token::open(&t.token, trust) {
            Ok(i) => i,
            Err(e @ TokenError::Untrusted(_)) => {
                findings.push(ts_finding(Severity::Error, FindingKind::TimestampUntrusted, format!("{at}: {e}"), TRUST_IT));
                continue;
            }
            Err(e) => {
                findings.push(ts_finding(Severity::Error, FindingKind::TimestampTokenInvalid, format!("{at}: {e}"), BAD_TOKEN));
                continue;
            }
        };
        if info.nonce.as_deref().map(nonce_hex).as_deref() != Some(t.nonce.as_str()) {
            findings.push(ts_finding(Severity::Error, FindingKind::TimestampTokenInvalid, format!("{at}: its nonce is not the one sent"), BAD_TOKEN));
            continue;
        }
        let matches = texts
            .get(&t.tree_size)
            .is_some_and(|text| info.imprint_is_sha256 && info.imprint == Sha256::digest(text.as_bytes()).as_slice());
        if !matches {
            findings.push(ts_finding(
                Severity::Error,
                FindingKind::TimestampCheckpointRewritten,
                format!(
                    "the checkpoint at tree size {} timestamped by {} at {} no longer matches the custody log: \
                     the history up to it was rewritten after that time",
                    t.tree_size, t.tsa_url, t.gen_time
                ),
                REWRITTEN,
            ));
        }
    }
    if trust.is_none() && !tokens.is_empty() {
        findings.push(ts_finding(
            Severity::Warning,
            FindingKind::TimestampTrustUnchecked,
            format!("{} time-stamp token(s) were checked for their signature and checkpoint, but not against a trusted TSA certificate", tokens.len()),
            TRUST_IT,
        ));
    }
    for ev in events.iter().filter(|e| e.action == Action::Timestamped) {
        let sha = ev.details_as::<crate::format::details::Timestamped>().map(|d| d.token_sha256).unwrap_or_default();
        let sha = sha.as_str();
        if !present.contains(sha) {
            let mut f = ts_finding(
                Severity::Error,
                FindingKind::TimestampTokenMissing,
                format!("custody event {} records a time-stamp token ({sha}) that is no longer stored", ev.seq),
                BAD_TOKEN,
            );
            f.event = Some(ev.seq);
            findings.push(f);
        }
    }
    findings
}
