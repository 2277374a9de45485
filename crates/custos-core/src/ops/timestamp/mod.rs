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

use crate::clock::format_time;
use crate::format::custody::{self, Action, NewEvent};
use crate::error::{Error, Result};
use crate::format::finding::{Finding, FindingKind, Severity};
use crate::store::Vault;
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The `settings` row holding [`TimestampSettings`].
const SETTINGS_KEY: &str = "timestamping";
/// Longest TSA address accepted.
const MAX_URL: usize = 2000;

/// The address of a time-stamp authority: `http://` or `https://`, checked once.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TsaUrl(String);

impl TsaUrl {
    /// Checks an address: scheme http or https, a host, no spaces or control characters.
    pub fn parse(text: &str) -> Result<TsaUrl> {
        let t = text.trim();
        let bad = |why: &str| Error::InvalidInput(format!("'{t}' is not a time-stamp authority address: {why}"));
        if t.len() > MAX_URL {
            return Err(bad("it is too long"));
        }
        if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("it contains spaces or control characters"));
        }
        let lower = t.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("http://")
            .or_else(|| lower.strip_prefix("https://"))
            .ok_or_else(|| bad("it must start with http:// or https://"))?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        if host.is_empty() || host.starts_with(':') {
            return Err(bad("it names no host"));
        }
        Ok(TsaUrl(t.to_string()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TsaUrl {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        TsaUrl::parse(&s)
    }
}

impl From<TsaUrl> for String {
    fn from(u: TsaUrl) -> String {
        u.0
    }
}

impl std::fmt::Display for TsaUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A TSA CA certificate the vault trusts for checking tokens.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedTsaCa {
    /// The certificate's subject.
    pub subject: String,
    /// SHA-256 of the DER certificate, hex.
    pub sha256: String,
    /// The certificate, PEM.
    pub pem: String,
    /// When it was added (UTC, RFC 3339).
    pub added_at: String,
}

/// Whether tokens are asked for without being told to.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoTimestamp {
    /// Only when asked (`custos timestamp`); the default, since it needs the network.
    #[default]
    Off,
    /// Also after every intake that stored something and every export.
    AfterIntakeAndExport,
}

/// The vault's time-stamping settings (one JSON row of `settings`).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TimestampSettings {
    /// The authorities asked, in order.
    pub tsa_urls: Vec<TsaUrl>,
    /// Whether intake and export stamp on their own.
    pub automatic: AutoTimestamp,
    /// Trusted TSA CA certificates.
    pub trusted_cas: Vec<TrustedTsaCa>,
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

/// One row of `checkpoint_timestamps`, with the token itself.
pub(crate) struct TokenRow {
    pub tree_size: u64,
    pub tsa_url: String,
    pub token: Vec<u8>,
    pub gen_time: String,
    pub nonce: String,
}

/// Every stored token, by tree size then age.
pub(crate) fn read_tokens(conn: &Connection) -> Result<Vec<TokenRow>> {
    let mut stmt = conn.prepare("SELECT tree_size, tsa_url, token, gen_time, nonce FROM checkpoint_timestamps ORDER BY tree_size, id")?;
    let rows = stmt.query_map([], |r| {
        Ok(TokenRow { tree_size: r.get::<_, i64>(0)? as u64, tsa_url: r.get(1)?, token: r.get(2)?, gen_time: r.get(3)?, nonce: r.get(4)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The nonce as compared: the INTEGER's magnitude, hex.
fn nonce_hex(integer_content: &[u8]) -> String {
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
    /// The time-stamping settings.
    pub fn timestamp_settings(&self) -> Result<TimestampSettings> {
        let row: Option<String> =
            self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [SETTINGS_KEY], |r| r.get(0)).optional()?;
        match row {
            None => Ok(TimestampSettings::default()),
            Some(s) => serde_json::from_str(&s).map_err(|e| Error::DamagedDatabase(format!("the time-stamping settings cannot be read: {e}"))),
        }
    }

    /// Writes the settings and logs `details` as a `setting_changed` event, in one transaction.
    fn save_timestamp_settings(&mut self, s: &TimestampSettings, details: serde_json::Value) -> Result<()> {
        let now = format_time(self.clock.now());
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![SETTINGS_KEY, serde_json::to_string(s).expect("serialise")],
        )?;
        let events = vec![NewEvent::new(Action::SettingChanged).details(details)];
        self.session.commit(tx, self.secrets.signing_key(), &self.config.vault_id, &now, events)?;
        Ok(())
    }

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
        self.save_timestamp_settings(&s, serde_json::json!({ "setting": "tsa_urls", "before": before, "after": after }))
    }

    /// Turns automatic stamping after intake and export on or off (logged).
    pub fn set_auto_timestamp(&mut self, auto: AutoTimestamp) -> Result<()> {
        let mut s = self.timestamp_settings()?;
        if s.automatic == auto {
            return Ok(());
        }
        let before = std::mem::replace(&mut s.automatic, auto);
        self.save_timestamp_settings(&s, serde_json::json!({ "setting": "automatic_timestamps", "before": before, "after": auto }))
    }

    /// Adds the certificates of a PEM file to the trusted TSA CAs (logged).
    /// A certificate already trusted is refused, and so is a file without one.
    pub fn trust_tsa_ca(&mut self, pem: &[u8]) -> Result<Vec<TrustedTsaCa>> {
        let certs = parse_pem_certificates(pem).map_err(|e| Error::InvalidInput(format!("the TSA CA file is refused: {e}")))?;
        let mut s = self.timestamp_settings()?;
        let now = format_time(self.clock.now());
        let mut added = Vec::new();
        for c in certs {
            if s.trusted_cas.iter().chain(&added).any(|t: &TrustedTsaCa| t.sha256 == c.sha256) {
                return Err(Error::InvalidInput(format!("the certificate {} ({}) is already trusted", c.subject, c.sha256)));
            }
            added.push(TrustedTsaCa { subject: c.subject, sha256: c.sha256, pem: c.pem, added_at: now.clone() });
        }
        s.trusted_cas.extend(added.iter().cloned());
        let listed: Vec<_> = added.iter().map(|c| serde_json::json!({ "subject": c.subject, "sha256": c.sha256 })).collect();
        self.save_timestamp_settings(&s, serde_json::json!({ "setting": "tsa_ca_trusted", "certificates": listed }))?;
        Ok(added)
    }

    /// Every stored token.
    pub fn timestamps(&self) -> Result<Vec<StoredTimestamp>> {
        let vault_id = self.config.vault_id.clone();
        let texts = checkpoint_texts(&self.conn, &vault_id)?;
        Ok(read_tokens(&self.conn)?
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
        let text = custody::checkpoint_message(&self.config.vault_id, cp.tree_size, &root, &cp.time);
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
        let now = format_time(self.clock.now());
        let tx = self.conn.transaction()?;
        let mut events = Vec::new();
        for (url, token, gen_time, nonce) in &received {
            tx.execute(
                "INSERT INTO checkpoint_timestamps (tree_size, tsa_url, token, gen_time, checkpoint_sha256, nonce, stamped_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![cp.tree_size as i64, url.as_str(), token, gen_time, hex::encode(imprint), nonce_hex(nonce), now],
            )?;
            events.push(NewEvent::new(Action::Timestamped).details(serde_json::json!({
                "tree_size": cp.tree_size,
                "tsa_url": url.as_str(),
                "gen_time": gen_time,
                "checkpoint_sha256": hex::encode(imprint),
                "token_sha256": hex::encode(Sha256::digest(token)),
            })));
        }
        self.session.commit(tx, self.secrets.signing_key(), &self.config.vault_id, &now, events)?;
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

/// The signed text of every checkpoint, recomputed from the current log:
/// its root from the events now stored, its time from the checkpoint row.
/// A size the log no longer reaches, or with no checkpoint row, is absent.
pub(crate) fn checkpoint_texts(conn: &Connection, vault_id: &str) -> Result<BTreeMap<u64, String>> {
    let times: BTreeMap<u64, String> = custody::read_checkpoints(conn)?.into_iter().map(|c| (c.tree_size, c.time)).collect();
    let mut frontier = crate::format::merkle::Frontier::default();
    let mut out = BTreeMap::new();
    for (_, body, _) in custody::read_raw(conn)? {
        frontier.push(crate::format::merkle::LeafHash::of(&body));
        if let Some(time) = times.get(&frontier.size()) {
            out.insert(frontier.size(), custody::checkpoint_message(vault_id, frontier.size(), &frontier.root(), time));
        }
    }
    Ok(out)
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
pub(crate) fn check_stored(conn: &Connection, vault_id: &str, trust: Option<&TsaTrust>) -> Result<Vec<Finding>> {
    let tokens = read_tokens(conn)?;
    let texts = checkpoint_texts(conn, vault_id)?;
    let mut findings = Vec::new();
    let mut present = BTreeSet::new();
    for t in &tokens {
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
    for ev in custody::read_events(conn).unwrap_or_default().iter().filter(|e| e.action == Action::Timestamped) {
        let sha = ev.details.get("token_sha256").and_then(|v| v.as_str()).unwrap_or("");
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
    Ok(findings)
}

/// A token a bundle carries, checked without the vault: it must verify
/// (and chain to `trust` when given) and its imprint must be the SHA-256 of
/// `text`.
pub(crate) fn check_carried(token: &[u8], text: &[u8], trust: Option<&TsaTrust>) -> std::result::Result<String, TokenError> {
    let info = token::open(token, trust)?;
    if !info.imprint_is_sha256 || info.imprint != Sha256::digest(text).as_slice() {
        return Err(TokenError::Malformed("its message imprint is not the SHA-256 of the checkpoint text beside it".into()));
    }
    Ok(info.gen_time)
}
