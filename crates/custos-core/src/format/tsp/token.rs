//! Opening an RFC 3161 token: its CMS signature checked with OpenSSL, its
//! signer chained (when a trust store is given) to a trusted TSA certificate
//! with the timeStamping extended key usage, and only then its TSTInfo read.

use super::der;
use sha2::{Digest, Sha256};
use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::{X509, X509PurposeId};

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not an RFC 3161 token (CMS SignedData over a TSTInfo).
    #[error("it is not an RFC 3161 time-stamp token: {0}")]
    Malformed(String),
    /// The CMS signature does not verify over the signed TSTInfo.
    #[error("its CMS signature does not verify: the token was altered")]
    BadSignature,
    /// The signature verifies but the signer does not chain to a trusted TSA
    /// certificate usable for time stamping.
    #[error("its signer does not chain to a trusted time-stamp authority certificate with the timeStamping key usage ({0})")]
    Untrusted(String),
}

/// Trusted TSA CA certificates, checked for the timestamp-signing purpose.
pub struct TsaTrust {
    store: X509Store,
    count: usize,
}

impl std::fmt::Debug for TsaTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsaTrust").field("certificates", &self.count).finish()
    }
}

/// A certificate read from PEM: its subject, SHA-256 fingerprint and PEM text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCert {
    /// The subject, one line.
    pub subject: String,
    /// SHA-256 of the DER certificate, hex.
    pub sha256: String,
    /// The certificate as PEM.
    pub pem: String,
}

/// Reads every certificate of a PEM file; refuses a file without one.
pub fn parse_pem_certificates(bytes: &[u8]) -> Result<Vec<ParsedCert>, String> {
    let certs = X509::stack_from_pem(bytes).map_err(|e| format!("it is not PEM certificates ({e})"))?;
    if certs.is_empty() {
        return Err("it holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into());
    }
    certs
        .iter()
        .map(|c| {
            let subject = c
                .subject_name()
                .entries()
                .map(|e| {
                    let key = e.object().nid().short_name().unwrap_or("?");
                    let value = String::from_utf8_lossy(e.data().as_slice()).into_owned();
                    format!("{key}={value}")
                })
                .collect::<Vec<_>>()
                .join(", ");
            let der = c.to_der().map_err(|e| e.to_string())?;
            let pem = String::from_utf8(c.to_pem().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
            Ok(ParsedCert { subject, sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&der)), pem })
        })
        .collect()
}

impl TsaTrust {
    /// A store of the given PEM certificates; empty when none are given.
    pub fn from_pems<'a>(pems: impl IntoIterator<Item = &'a str>) -> Result<Option<TsaTrust>, String> {
        let mut b = X509StoreBuilder::new().map_err(|e| e.to_string())?;
        let mut count = 0;
        for pem in pems {
            for c in X509::stack_from_pem(pem.as_bytes()).map_err(|e| e.to_string())? {
                b.add_cert(c).map_err(|e| e.to_string())?;
                count += 1;
            }
        }
        if count == 0 {
            return Ok(None);
        }
        b.set_purpose(X509PurposeId::TIMESTAMP_SIGN).map_err(|e| e.to_string())?;
        Ok(Some(TsaTrust { store: b.build(), count }))
    }
}

/// Checks a token's signature (and, with `trust`, its signer's chain) and
/// returns the TSTInfo it signs.
pub(crate) fn open(token: &[u8], trust: Option<&TsaTrust>) -> Result<der::TstInfo, TokenError> {
    der::check_token_shape(token).map_err(TokenError::Malformed)?;
    let parse = || CmsContentInfo::from_der(token).map_err(|e| TokenError::Malformed(format!("CMS: {e}")));
    let mut signed = Vec::new();
    parse()?
        .verify(None, None, None, Some(&mut signed), CMSOptions::NO_SIGNER_CERT_VERIFY | CMSOptions::BINARY)
        .map_err(|_| TokenError::BadSignature)?;
    if let Some(trust) = trust {
        parse()?.verify(None, Some(&trust.store), None, None, CMSOptions::BINARY).map_err(|e| {
            let reason = e.errors().iter().filter_map(|x| x.data().map(str::to_string).or_else(|| x.reason().map(str::to_string))).collect::<Vec<_>>().join("; ");
            TokenError::Untrusted(if reason.is_empty() { "no chain to a trusted certificate".into() } else { reason })
        })?;
    }
    der::tst_info(&signed).map_err(TokenError::Malformed)
}

/// A token a bundle carries, checked without the vault: it must verify
/// (and chain to `trust` when given) and its imprint must be the SHA-256 of
/// `text`.
pub(crate) fn check_carried(token: &[u8], text: &[u8], trust: Option<&TsaTrust>) -> std::result::Result<String, TokenError> {
    let info = open(token, trust)?;
    if !info.imprint_is_sha256 || info.imprint != Sha256::digest(text).as_slice() {
        return Err(TokenError::Malformed("its message imprint is not the SHA-256 of the checkpoint text beside it".into()));
    }
    Ok(info.gen_time)
}
