//! Asking a time-stamp authority over HTTP (RFC 3161 §3.4): one POST of an
//! `application/timestamp-query`, answered by an `application/timestamp-reply`.

use super::TsaUrl;
use std::time::Duration;

/// How long one authority may take to answer.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The largest answer read (a token with a certificate chain is a few KiB).
const MAX_REPLY: u64 = 1 << 20;

/// Posts `query` to `url` and returns the reply's bytes, or why there is none.
pub(super) fn post(url: &TsaUrl, query: &[u8]) -> Result<Vec<u8>, String> {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        // OpenSSL (the vendored one the vault already uses) for https://,
        // with Mozilla's root certificates.
        .tls_config(ureq::tls::TlsConfig::builder().provider(ureq::tls::TlsProvider::NativeTls).build())
        .user_agent(crate::TOOL)
        .build();
    let agent: ureq::Agent = config.into();
    let mut resp = agent
        .post(url.as_str())
        .header("Content-Type", "application/timestamp-query")
        .send(query)
        .map_err(|e| format!("no answer: {e}"))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("it answered HTTP {status}"));
    }
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if !content_type.starts_with("application/timestamp-reply") {
        return Err(format!("it answered {content_type:?}, not application/timestamp-reply"));
    }
    resp.body_mut().with_config().limit(MAX_REPLY).read_to_vec().map_err(|e| format!("the answer could not be read: {e}"))
}
