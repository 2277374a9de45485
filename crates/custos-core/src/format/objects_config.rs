//! Where a vault keeps its objects when they live in a firm's S3 bucket
//! with Object Lock, and the credentials to reach it.
//!
//! The location comes from a TOML file given to `custos init --objects`:
//!
//! ```toml
//! [objects]
//! endpoint = "https://s3.firm.example"   # https; plain http only on loopback
//! bucket = "matter-4711"                 # created with Object Lock enabled
//! region = "us-east-1"
//! retention_days = 2555                  # each object locked this long after it is written
//! mode = "compliance"                    # or "governance"
//! legal_hold = false                     # also place a legal hold on every object
//! ```
//!
//! It is kept in the vault's encrypted database, never in the plaintext
//! config. Credentials never come from an argument or the config: from
//! `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`),
//! or else from an AWS credentials file readable only by its owner.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The retention mode objects are written with.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LockMode {
    /// No one, not even the bucket's owner, can delete an object or shorten its
    /// retention before the date (SEC 17a-4 style WORM).
    Compliance,
    /// Users granted `s3:BypassGovernanceRetention` can still delete or shorten.
    Governance,
}

impl LockMode {
    /// The name S3 uses (`COMPLIANCE`, `GOVERNANCE`).
    pub fn as_s3(self) -> &'static str {
        match self {
            LockMode::Compliance => "COMPLIANCE",
            LockMode::Governance => "GOVERNANCE",
        }
    }

    /// The mode S3 names `name`, if any.
    pub fn from_s3(name: &str) -> Option<Self> {
        [LockMode::Compliance, LockMode::Governance].into_iter().find(|m| m.as_s3() == name)
    }
}

/// A vault's object location and lock policy.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectsConfig {
    /// The S3 endpoint URL.
    pub endpoint: String,
    /// The bucket (Object Lock enabled).
    pub bucket: String,
    /// The region the endpoint signs for.
    #[serde(default = "default_region")]
    pub region: String,
    /// Days each object stays locked after it is written.
    pub retention_days: u32,
    /// The retention mode.
    pub mode: LockMode,
    /// Whether each object also gets a legal hold.
    #[serde(default)]
    pub legal_hold: bool,
}

fn default_region() -> String {
    "us-east-1".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    objects: ObjectsConfig,
}

/// The longest retention accepted (100 years).
const MAX_RETENTION_DAYS: u32 = 36_500;

impl ObjectsConfig {
    /// Reads and checks the `[objects]` section of the TOML file at `path`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::InvalidInput(format!("cannot read the objects config {}: {e}", path.display())))?;
        Self::parse(&text).map_err(|e| match e {
            Error::InvalidInput(m) => Error::InvalidInput(format!("objects config {}: {m}", path.display())),
            e => e,
        })
    }

    /// Parses and checks a config's text.
    pub fn parse(text: &str) -> Result<Self> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| Error::InvalidInput(e.message().to_string()))?;
        file.objects.check()?;
        Ok(file.objects)
    }

    /// Checks every field.
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidInput(m));
        let b = &self.bucket;
        let bucket_ok = (3..=63).contains(&b.len())
            && b.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
            && b.as_bytes()[0].is_ascii_alphanumeric()
            && b.as_bytes()[b.len() - 1].is_ascii_alphanumeric();
        if !bucket_ok {
            return bad(format!("bucket '{b}' is not a valid S3 bucket name (3 to 63 lower-case letters, digits, '-' or '.')"));
        }
        if self.region.trim().is_empty() {
            return bad("region must not be empty".into());
        }
        if !(1..=MAX_RETENTION_DAYS).contains(&self.retention_days) {
            return bad(format!("retention_days must be 1 to {MAX_RETENTION_DAYS}, not {}", self.retention_days));
        }
        let (scheme, rest) = self
            .endpoint
            .split_once("://")
            .ok_or_else(|| Error::InvalidInput(format!("endpoint '{}' is not a URL (https://host[:port])", self.endpoint)))?;
        let host = rest.split(['/', '?']).next().unwrap_or("");
        let host_only = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => host.rsplit_once(':').map_or(host, |(h, _)| h),
        };
        if host.contains('@') || rest.contains('?') {
            // Not repeated: it may hold a secret.
            return bad("the endpoint must be only https://host[:port][/path]: credentials and query strings never go in the URL".into());
        }
        if host_only.is_empty() {
            return bad(format!("endpoint '{}' names no host", self.endpoint));
        }
        match scheme {
            "https" => {}
            "http" if is_loopback(host_only) => {}
            "http" => return bad(format!("endpoint '{}' is plain http: exhibits travel only over https (plain http only to 127.0.0.1)", self.endpoint)),
            _ => return bad(format!("endpoint '{}' must start with https://", self.endpoint)),
        }
        Ok(())
    }

    /// How the policy is said in a custody event and on screen.
    pub fn describe(&self) -> String {
        format!(
            "{}/{} ({} retention {} day{}{})",
            self.endpoint.trim_end_matches('/'),
            self.bucket,
            self.mode.as_s3(),
            self.retention_days,
            if self.retention_days == 1 { "" } else { "s" },
            if self.legal_hold { ", legal hold" } else { "" }
        )
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// S3 credentials, wiped when dropped.
pub struct S3Credentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Zeroizing<String>,
    /// A session token, for temporary credentials.
    pub session_token: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Credentials").field("access_key_id", &self.access_key_id).finish_non_exhaustive()
    }
}

const NO_CREDENTIALS: &str = "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put them in \
     ~/.aws/credentials (readable only by you, mode 0600)";

impl S3Credentials {
    /// From the environment, or else the credentials file
    /// (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`, profile
    /// `AWS_PROFILE` or `default`), which must be readable only by its owner.
    pub fn load() -> Result<Self> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => {
                return Ok(Self {
                    access_key_id: id,
                    secret_access_key: Zeroizing::new(secret),
                    session_token: var("AWS_SESSION_TOKEN").map(Zeroizing::new),
                });
            }
            (Some(_), None) => return Err(Error::InvalidInput("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".into())),
            (None, Some(_)) => return Err(Error::InvalidInput("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not".into())),
            (None, None) => {}
        }
        let file = var("AWS_SHARED_CREDENTIALS_FILE")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| Path::new(&h).join(".aws/credentials")));
        let Some(file) = file.filter(|f| f.is_file()) else {
            return Err(Error::InvalidInput(NO_CREDENTIALS.into()));
        };
        let profile = var("AWS_PROFILE").unwrap_or_else(|| "default".into());
        Self::from_file(&file, &profile)
    }

    /// Reads `profile` from an AWS credentials file readable only by its owner.
    pub fn from_file(path: &Path, profile: &str) -> Result<Self> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::metadata(path).map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", path.display())))?;
            if meta.mode() & 0o077 != 0 {
                return Err(Error::InvalidInput(format!(
                    "{} can be read by others (mode {:o}): make it readable only by you (chmod 600) before it is used",
                    path.display(),
                    meta.mode() & 0o777
                )));
            }
        }
        let text = Zeroizing::new(
            std::fs::read_to_string(path).map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", path.display())))?,
        );
        let mut in_profile = false;
        let (mut id, mut secret, mut token) = (None, None, None);
        for line in text.lines().map(str::trim) {
            if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                in_profile = section.trim() == profile;
            } else if in_profile && let Some((k, v)) = line.split_once('=') {
                let v = v.trim().to_string();
                match k.trim() {
                    "aws_access_key_id" => id = Some(v),
                    "aws_secret_access_key" => secret = Some(Zeroizing::new(v)),
                    "aws_session_token" => token = Some(Zeroizing::new(v)),
                    _ => {}
                }
            }
        }
        match (id, secret) {
            (Some(access_key_id), Some(secret_access_key)) => Ok(Self { access_key_id, secret_access_key, session_token: token }),
            _ => Err(Error::InvalidInput(format!(
                "{} has no aws_access_key_id and aws_secret_access_key under [{profile}]",
                path.display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "[objects]\nendpoint = \"https://s3.firm.example\"\nbucket = \"matter-4711\"\nretention_days = 2555\nmode = \"compliance\"\n";

    #[test]
    fn a_config_is_read_with_defaults_and_checked() {
        let c = ObjectsConfig::parse(GOOD).unwrap();
        assert_eq!(c.region, "us-east-1");
        assert!(!c.legal_hold);
        assert_eq!(c.mode, LockMode::Compliance);
        assert_eq!(c.describe(), "https://s3.firm.example/matter-4711 (COMPLIANCE retention 2555 days)");
        let loopback = GOOD.replace("https://s3.firm.example", "http://127.0.0.1:7480");
        assert!(ObjectsConfig::parse(&loopback).is_ok(), "plain http to loopback is allowed for tests");
    }

    #[test]
    fn a_bad_config_is_refused_naming_the_problem() {
        let cases = [
            (GOOD.replace("https://s3.firm.example", "http://s3.firm.example"), "plain http"),
            (GOOD.replace("https://s3.firm.example", "https://key:secret@s3.firm.example"), "credentials and query strings never go in the URL"),
            (GOOD.replace("https://s3.firm.example", "https://s3.firm.example/?X-Amz-Credential=k"), "never go in the URL"),
            (GOOD.replace("matter-4711", "Matter_4711"), "not a valid S3 bucket name"),
            (GOOD.replace("2555", "0"), "retention_days must be 1"),
            (GOOD.replace("compliance", "worm"), "unknown variant"),
            (format!("{GOOD}secret_access_key = \"x\"\n"), "unknown field"),
            ("[catalog]\nurl = \"postgres://db\"\n".to_string(), "unknown field"),
        ];
        for (text, want) in cases {
            let err = ObjectsConfig::parse(&text).unwrap_err().to_string();
            assert!(err.contains(want), "{want}: {err}");
            assert!(!err.contains("key:secret") && !err.contains("X-Amz-Credential"), "a refused URL is not repeated: {err}");
        }
    }

    #[test]
    fn a_credentials_file_others_can_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("credentials");
        std::fs::write(&p, "[other]\naws_access_key_id = A\n[default]\naws_access_key_id = AK\naws_secret_access_key = SK\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = S3Credentials::from_file(&p, "default").unwrap_err().to_string();
        assert!(err.contains("can be read by others"), "{err}");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let c = S3Credentials::from_file(&p, "default").unwrap();
        assert_eq!((c.access_key_id.as_str(), c.secret_access_key.as_str()), ("AK", "SK"));
        let err = S3Credentials::from_file(&p, "other").unwrap_err().to_string();
        assert!(err.contains("no aws_access_key_id and aws_secret_access_key under [other]"), "{err}");
    }
}
