//! Time from outside: RFC 3161 time-stamp tokens over custody checkpoints,
//! so that a log rewritten by whoever holds the signing key no longer matches
//! what an independent authority countersigned.
//!
//! A token is asked for over the exact signed text of the latest checkpoint
//! ([`crate::format::custody::checkpoint_message`]): SHA-256 message imprint, a random
//! nonce, certReq true. It is checked on arrival (signature, imprint, nonce),
//! stored as received in `checkpoint_timestamps`, and logged as a
//! `timestamped` custody event. Verification recomputes the checkpoint text
//! from the current log and compares it with what the authority signed.

use crate::format::tsp::{der, token};
mod http;

pub use token::{ParsedCert, TokenError, TsaTrust, parse_pem_certificates};

mod check;

pub(crate) use check::{check_stored, checkpoint_texts};
pub use crate::format::tsp::settings::{AutoTimestamp, TimestampSettings, TrustedTsaCa, TsaUrl};

use crate::format::custody::{self, Action, NewEvent};
use crate::error::{Error, Result};
use crate::store::Vault;
use crate::format::details::{CertificateRef, SettingChanged, Timestamped};
use crate::store::timestamps::NewToken;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A `setting_changed` event with these details.
fn setting_changed(details: SettingChanged) -> NewEvent {
    NewEvent::new(Action::SettingChanged).details(details)
}

/// What asking one authority gave.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StampOutcome {
    /// A token was received, checked, stored and logged.
    Stamped {
        /// The authority.
        tsa_url: String,
        /// The checkpoint it covers.
        tree_size: u64,
        /// The time the authority put in it.
        gen_time: String,
    },
    /// No token (the vault is unchanged for this authority).
    Failed {
        /// The authority (empty when the settings themselves could not be read).
        tsa_url: String,
        /// Why.
        error: String,
    },
}

/// A token as stored.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTimestamp {
    /// The checkpoint's tree size.
    pub tree_size: u64,
    /// The authority asked.
    pub tsa_url: String,
    /// The time in the token.
    pub gen_time: String,
    /// SHA-256 of the checkpoint text the token covers, hex.
    pub checkpoint_sha256: String,
    /// SHA-256 of the token (DER), hex.
    pub token_sha256: String,
}

/// The nonce as compared: the INTEGER's magnitude, hex.
pub(crate) fn nonce_hex(integer_content: &[u8]) -> String {
    hex::encode(der::positive_integer(integer_content))
}

/// What a received token must say before it is stored: the imprint of
/// `text` and the nonce sent.
fn check_fresh_token(token: &[u8], text: &str, nonce: &[u8]) -> std::result::Result<String, String> {
    let info = token::open(token, None).map_err(|e| format!("the token is refused: {e}"))?;
    if !info.imprint_is_sha256 || info.imprint != Sha256::digest(text.as_bytes()).as_slice() {
        return Err("the token covers other data than the checkpoint sent".into());
    }
    if info.nonce.as_deref().map(nonce_hex) != Some(nonce_hex(nonce)) {
        return Err("the token's nonce is not the one sent (a replayed or mixed-up answer)".into());
    }
    Ok(info.gen_time)
}

impl Vault {
    /// Replaces the list of authorities kept in the vault (logged).
    pub fn set_tsa_urls(&mut self, urls: &[TsaUrl]) -> Result<()> {
        let mut s = self.timestamp_settings()?;
        let mut after: Vec<TsaUrl> = Vec::new();
        for u in urls {
            if !after.contains(u) {
                after.push(u.clone());
            }
        }
        if s.tsa_urls == after {
            return Ok(());
        }
        let before = std::mem::replace(&mut s.tsa_urls, after.clone());
        self.save_timestamp_settings(&s, setting_changed(SettingChanged::TsaUrls { before, after }))
    }

    /// Turns automatic stamping after intake and export on or off (logged).
    pub fn set_auto_timestamp(&mut self, auto: AutoTimestamp) -> Result<()> {
        let mut s = self.timestamp_settings()?;
        if s.automatic == auto {
            return Ok(());
        }
        let before = std::mem::replace(&mut s.automatic, auto);
        self.save_timestamp_settings(&s, setting_changed(SettingChanged::AutomaticTimestamps { before, after: auto }))
    }

    /// Adds the certificates of a PEM file to the trusted TSA CAs (logged).
    /// A certificate already trusted is refused, and so is a file without one.
    pub fn trust_tsa_ca(&mut self, pem: &[u8]) -> Result<Vec<TrustedTsaCa>> {
        let certs = parse_pem_certificates(pem).map_err(|e| Error::InvalidInput(format!("the TSA CA file is refused: {e}")))?;
        let mut s = self.timestamp_settings()?;
        let now = self.now();
        let mut added = Vec::new();
        for c in certs {
            if s.trusted_cas.iter().chain(&added).any(|t: &TrustedTsaCa| t.sha256 == c.sha256) {
                return Err(Error::InvalidInput(format!("the certificate {} ({}) is already trusted", c.subject, c.sha256)));
            }
            added.push(TrustedTsaCa { subject: c.subject, sha256: c.sha256, pem: c.pem, added_at: now.clone() });
        }
        s.trusted_cas.extend(added.iter().cloned());
        let certificates = added.iter().map(|c| CertificateRef { subject: c.subject.clone(), sha256: c.sha256.clone() }).collect();
        self.save_timestamp_settings(&s, setting_changed(SettingChanged::TsaCaTrusted { certificates }))?;
        Ok(added)
    }

    /// Every stored token.
    pub fn timestamps(&self) -> Result<Vec<StoredTimestamp>> {
        let vault_id = self.config().vault_id.clone();
        let texts = checkpoint_texts(&self.raw_events()?, &self.checkpoints()?, &vault_id);
        Ok(self.timestamp_tokens()?
            .into_iter()
            .map(|t| StoredTimestamp {
                tree_size: t.tree_size,
                tsa_url: t.tsa_url,
                gen_time: t.gen_time,
                checkpoint_sha256: texts.get(&t.tree_size).map(|x| hex::encode(Sha256::digest(x.as_bytes()))).unwrap_or_default(),
                token_sha256: hex::encode(Sha256::digest(&t.token)),
            })
            .collect())
    }

    /// Asks each authority (those given, else those kept in the settings) to
    /// timestamp the latest checkpoint. Every token received is checked
    /// (signature, imprint, nonce), stored and logged in one transaction;
    /// an authority that fails is reported and changes nothing.
    pub fn timestamp(&mut self, urls: &[TsaUrl]) -> Result<Vec<StampOutcome>> {
        let urls = if urls.is_empty() { self.timestamp_settings()?.tsa_urls } else { urls.to_vec() };
        if urls.is_empty() {
            return Err(Error::InvalidInput(
                "no time-stamp authority: give one (--tsa URL) or keep one in the vault (--set-tsa URL)".into(),
            ));
        }
        let cp = self.latest_checkpoint()?.ok_or_else(|| Error::Custody("the log has no checkpoint".into()))?;
        let root: [u8; 32] = hex::decode(&cp.root)
            .ok()
            .and_then(|r| r.try_into().ok())
            .ok_or_else(|| Error::DamagedDatabase(format!("the checkpoint at size {} has no readable root", cp.tree_size)))?;
        let text = custody::checkpoint_message(&self.config().vault_id, cp.tree_size, &root, &cp.time);
        let imprint: [u8; 32] = Sha256::digest(text.as_bytes()).into();

        let mut outcomes = Vec::new();
        let mut received = Vec::new();
        for url in &urls {
            let mut nonce = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut nonce);
            let query = der::timestamp_request(&imprint, &nonce);
            let answer = http::post(url, &query)
                .and_then(|reply| der::response_token(&reply))
                .and_then(|token| check_fresh_token(&token, &text, &nonce).map(|time| (token, time)));
            match answer {
                Ok((token, gen_time)) => received.push((url.clone(), token, gen_time, nonce)),
                Err(error) => outcomes.push(StampOutcome::Failed { tsa_url: url.to_string(), error }),
            }
        }
        if received.is_empty() {
            return Ok(outcomes);
        }
        let imprint_hex = hex::encode(imprint);
        let nonces: Vec<String> = received.iter().map(|(_, _, _, nonce)| nonce_hex(nonce)).collect();
        let mut rows = Vec::new();
        let mut events = Vec::new();
        for ((url, token, gen_time, _), nonce) in received.iter().zip(&nonces) {
            rows.push(NewToken {
                tree_size: cp.tree_size,
                tsa_url: url.as_str(),
                token,
                gen_time,
                checkpoint_sha256: &imprint_hex,
                nonce,
            });
            events.push(NewEvent::new(Action::Timestamped).details(Timestamped {
                tree_size: cp.tree_size,
                tsa_url: url.to_string(),
                gen_time: gen_time.clone(),
                checkpoint_sha256: imprint_hex.clone(),
                token_sha256: hex::encode(Sha256::digest(token)),
            }));
        }
        self.store_timestamp_tokens(&rows, events)?;
        let stamped = received.into_iter().map(|(url, _, gen_time, _)| StampOutcome::Stamped {
            tsa_url: url.to_string(),
            tree_size: cp.tree_size,
            gen_time,
        });
        Ok(stamped.chain(outcomes).collect())
    }

    /// Stamps the latest checkpoint when the settings ask for it after
    /// intake and export. Never fails: problems come back as
    /// [`StampOutcome::Failed`], for the caller to show as warnings.
    pub(crate) fn stamp_automatically(&mut self) -> Vec<StampOutcome> {
        let failed = |e: Error| vec![StampOutcome::Failed { tsa_url: String::new(), error: e.to_string() }];
        match self.timestamp_settings() {
            Ok(s) if s.automatic == AutoTimestamp::AfterIntakeAndExport && !s.tsa_urls.is_empty() => {
                self.timestamp(&s.tsa_urls).unwrap_or_else(failed)
            }
            Ok(_) => Vec::new(),
            Err(e) => failed(e),
        }
    }

    /// The trust store of the settings' CAs and `extra` PEM certificates,
    /// or none when there are none.
    pub(crate) fn tsa_trust(&self, extra: &[String]) -> Result<Option<TsaTrust>> {
        let s = self.timestamp_settings()?;
        TsaTrust::from_pems(s.trusted_cas.iter().map(|c| c.pem.as_str()).chain(extra.iter().map(String::as_str)))
            .map_err(|e| Error::InvalidInput(format!("a trusted TSA certificate cannot be used: {e}")))
    }
}

