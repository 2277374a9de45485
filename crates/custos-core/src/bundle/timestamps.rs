//! RFC 3161 tokens in a bundle: the latest timestamped checkpoint the
//! bundle's checkpoint extends, its exact signed text (what the token's
//! imprint was made over), the tokens, and a consistency proof from it to the
//! bundle's checkpoint; and checking all of that without the vault.

use super::layout::TIMESTAMPS_FOLDER;
use super::read::Bundle;
use crate::format::custody::SignedCheckpoint;
use crate::format::custody::checkpoint_message;
use crate::format::tsp::token::{TokenError, TsaTrust, check_carried};
use crate::format::finding::{Finding, FindingKind, Severity};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

/// `data/custody/timestamps/<size>.json`: a timestamped checkpoint and how
/// it leads to the bundle's checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarriedCheckpoint {
    /// Events the timestamped checkpoint covers.
    pub tree_size: u64,
    /// Its root, hex.
    pub root: String,
    /// Its time.
    pub time: String,
    /// Its Ed25519 signature (the vault's key), hex.
    pub signature: String,
    /// RFC 6962 consistency proof from it to `data/custody/checkpoint.json`, hex hashes.
    pub consistency_proof: Vec<String>,
    /// The tokens over its text (`<size>.txt`).
    pub tokens: Vec<CarriedToken>,
}

/// One token file of a carried checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarriedToken {
    /// The token's file name in the folder (`<size>-<n>.tst`, DER).
    pub file: String,
    /// The authority that made it.
    pub tsa_url: String,
    /// The time in it.
    pub gen_time: String,
}

/// The README.txt step that checks the carried tokens with OpenSSL alone.
pub(crate) fn readme_step(carried: &[(u64, String, String)]) -> String {
    let Some((size, _, _)) = carried.first() else { return String::new() };
    let mut s = format!(
        "
6. The custody checkpoint at tree size {size} was timestamped by an outside
   RFC 3161 time-stamp authority, so the history it covers existed, as it
   is, at the authority's time. In {TIMESTAMPS_FOLDER}/, {size}.txt is the exact
   checkpoint text the authority signed and {size}.json links it to
   data/custody/checkpoint.json (its Ed25519 signature and an RFC 6962
   consistency proof). Check each token with OpenSSL and the authority's
   CA certificate (tsa-ca.pem, from the authority):

"
    );
    for (i, (_, url, time)) in carried.iter().enumerate() {
        s.push_str(&format!(
            "       openssl ts -verify -data {TIMESTAMPS_FOLDER}/{size}.txt \\\n           -in {TIMESTAMPS_FOLDER}/{size}-{}.tst -token_in -CAfile tsa-ca.pem\n       ({url}, {time})\n",
            i + 1
        ));
    }
    s.push_str("\n   Each must print \"Verification: OK\".\n");
    s
}

fn err(severity: Severity, kind: FindingKind, message: String) -> Finding {
    Finding {
        severity,
        exhibit: None,
        kind,
        event: None,
        message,
        action: "The bundle's time-stamp evidence is not as it was sealed or cannot be trusted; ask the producing party \
                 for a fresh copy and the authority's CA certificate."
            .into(),
    }
}

/// Checks every carried timestamped checkpoint against the bundle's
/// checkpoint (`cp`, signed by `key`): the text is that checkpoint's signed
/// text, its signature is the vault's, it is a prefix of the bundle's
/// history, and every token verifies over the text (chained to `trust` when given).
pub(super) fn check_bundle(bundle: &mut Bundle, cp: &SignedCheckpoint, key: Option<&VerifyingKey>, trust: Option<&TsaTrust>) -> Vec<Finding> {
    let mut f = Vec::new();
    let prefix = format!("{TIMESTAMPS_FOLDER}/");
    let indexes: Vec<String> =
        bundle.paths().filter(|p| p.starts_with(&prefix) && p.ends_with(".json")).map(str::to_string).collect();
    let mut tokens = 0;
    for index in indexes {
        let carried: CarriedCheckpoint = match bundle.read(&index, super::read::Whole::Small).ok().and_then(|b| serde_json::from_slice(&b).ok()) {
            Some(c) => c,
            None => {
                f.push(err(Severity::Error, FindingKind::TimestampInvalid, format!("{index} cannot be read")));
                continue;
            }
        };
        let n = carried.tree_size;
        let text_path = format!("{TIMESTAMPS_FOLDER}/{n}.txt");
        let text = bundle.read(&text_path, super::read::Whole::Small).unwrap_or_default();
        let root = hex::decode(&carried.root).ok().and_then(|r| <[u8; 32]>::try_from(r).ok());
        let expected = root.map(|r| checkpoint_message(&cp.vault_id, n, &r, &carried.time));
        if expected.as_deref().map(str::as_bytes) != Some(text.as_slice()) {
            f.push(err(Severity::Error, FindingKind::TimestampInvalid, format!("{text_path} is not the signed text of the checkpoint at tree size {n}")));
            continue;
        }
        let signed = key.is_some_and(|k| {
            hex::decode(&carried.signature)
                .ok()
                .and_then(|s| <[u8; 64]>::try_from(s).ok())
                .is_some_and(|s| k.verify(&text, &Signature::from_bytes(&s)).is_ok())
        });
        if !signed {
            f.push(err(Severity::Error, FindingKind::TimestampInvalid, format!("the checkpoint at tree size {n} in {index} is not signed by the bundle's key")));
        }
        let proof: Option<Vec<u8>> = carried.consistency_proof.iter().map(|h| hex::decode(h).ok().filter(|b| b.len() == 32)).collect::<Option<Vec<_>>>().map(|v| v.concat());
        let bundle_root = hex::decode(&cp.root).ok().and_then(|r| <[u8; 32]>::try_from(r).ok());
        let consistent = match (root, bundle_root, proof) {
            (Some(old), Some(new), Some(p)) => crate::format::merkle::verify_consistency_proof((n, old), (cp.tree_size, new), &p),
            _ => false,
        };
        if !consistent {
            f.push(err(
                Severity::Error,
                FindingKind::TimestampInconsistent,
                format!("the timestamped checkpoint at tree size {n} is not a prefix of the bundle's checkpoint at {}: history was rewritten", cp.tree_size),
            ));
        }
        for t in &carried.tokens {
            tokens += 1;
            let path = format!("{TIMESTAMPS_FOLDER}/{}", t.file);
            let Ok(token) = bundle.read(&path, super::read::Whole::Small).map_err(|_| ()).and_then(|b| if t.file.contains('/') { Err(()) } else { Ok(b) }) else {
                f.push(err(Severity::Error, FindingKind::TimestampInvalid, format!("{path} is missing")));
                continue;
            };
            match check_carried(&token, &text, trust) {
                Ok(time) if time == t.gen_time => {}
                Ok(time) => f.push(err(Severity::Error, FindingKind::TimestampInvalid, format!("{path} says {time}, {index} says {}", t.gen_time))),
                Err(e @ TokenError::Untrusted(_)) => f.push(err(Severity::Error, FindingKind::TimestampUntrusted, format!("{path} ({}): {e}", t.tsa_url))),
                Err(e) => f.push(err(Severity::Error, FindingKind::TimestampInvalid, format!("{path} ({}): {e}", t.tsa_url))),
            }
        }
    }
    if tokens > 0 && trust.is_none() {
        f.push(err(
            Severity::Warning,
            FindingKind::TimestampTrustUnchecked,
            format!("{tokens} time-stamp token(s) were checked for their signature and checkpoint, but not against a trusted TSA certificate (--tsa-ca)"),
        ));
    }
    f
}
