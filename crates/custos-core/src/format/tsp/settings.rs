//! The vault's time-stamping settings as stored (one JSON row of the
//! `settings` table): the authorities asked, whether stamping is automatic,
//! and the CA certificates trusted for their tokens.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The `settings` row holding [`TimestampSettings`].
pub(crate) const SETTINGS_KEY: &str = "timestamping";
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

