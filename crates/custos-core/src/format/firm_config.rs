//! A firm vault's config: the write-once bucket its objects go to and the
//! PostgreSQL database its catalog and custody log live in.
//!
//! ```toml
//! [objects]
//! endpoint = "https://s3.firm.example"
//! bucket = "matter-4711"
//! retention_days = 2555
//! mode = "compliance"
//!
//! [catalog]
//! url = "postgresql://custos@db.firm.example:5432/matters"   # no password
//! ```
//!
//! The database password never comes from the config or an argument: from
//! `PGPASSWORD`, or else from `~/.pgpass` (or `PGPASSFILE`), which must be
//! readable only by its owner. TLS is required, except to a loopback address.

use crate::error::{Error, Result};
use crate::format::objects_config::ObjectsConfig;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Where a firm vault's catalog lives.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogConfig {
    /// A PostgreSQL connection string (URL or `key=value` form) without a password.
    pub url: String,
}

/// A firm config: `[objects]` and `[catalog]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirmConfig {
    /// The write-once bucket.
    pub objects: Option<ObjectsConfig>,
    /// The PostgreSQL catalog.
    pub catalog: Option<CatalogConfig>,
}

impl FirmConfig {
    /// Reads and checks a firm config file.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::InvalidInput(format!("cannot read the firm config {}: {e}", path.display())))?;
        Self::parse(&text).map_err(|e| match e {
            Error::InvalidInput(m) => Error::InvalidInput(format!("firm config {}: {m}", path.display())),
            e => e,
        })
    }

    /// Parses and checks a config's text: at least one section.
    pub fn parse(text: &str) -> Result<Self> {
        let c: FirmConfig = toml::from_str(text).map_err(|e| Error::InvalidInput(e.message().to_string()))?;
        if let Some(o) = &c.objects {
            o.check()?;
        }
        if let Some(cat) = &c.catalog {
            cat.check()?;
        }
        if c.objects.is_none() && c.catalog.is_none() {
            return Err(Error::InvalidInput("it has neither an [objects] nor a [catalog] section".into()));
        }
        Ok(c)
    }
}

/// The parts of a connection string Custos checks and needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogTarget {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Database.
    pub dbname: String,
    /// Role.
    pub user: String,
    /// Whether TLS may be left out (a loopback host).
    pub loopback: bool,
}

impl CatalogConfig {
    /// Checks the connection string: a TCP host, a role, a database, no password.
    pub fn check(&self) -> Result<()> {
        self.target().map(|_| ())
    }

    /// The connection string, read.
    pub fn target(&self) -> Result<CatalogTarget> {
        let bad = |m: &str| Error::InvalidInput(format!("[catalog] url: {m}"));
        let url = self.url.trim();
        let (mut host, mut port, mut dbname, mut user) = (None, 5432u16, None, None);
        if let Some(rest) = url.strip_prefix("postgresql://").or_else(|| url.strip_prefix("postgres://")) {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            if path.contains('?') {
                return Err(bad("options after '?' are not taken: give only postgresql://role@host[:port]/database"));
            }
            let (userinfo, hostport) = authority.rsplit_once('@').ok_or_else(|| bad("it names no role (postgresql://role@host/database)"))?;
            if userinfo.contains(':') {
                // Not repeated: it holds a secret.
                return Err(bad("it holds a password; the password comes only from PGPASSWORD or ~/.pgpass"));
            }
            user = Some(userinfo.to_string());
            let (h, p) = match hostport.rsplit_once(':') {
                Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => (h, Some(p)),
                _ => (hostport, None),
            };
            host = Some(h.trim_start_matches('[').trim_end_matches(']').to_string());
            if let Some(p) = p {
                port = p.parse().map_err(|_| bad("the port is not a number"))?;
            }
            dbname = Some(path.to_string());
        } else {
            for pair in url.split_whitespace() {
                let (k, v) = pair.split_once('=').ok_or_else(|| bad("it is neither a postgresql:// URL nor key=value pairs"))?;
                match k {
                    "host" => host = Some(v.to_string()),
                    "port" => port = v.parse().map_err(|_| bad("the port is not a number"))?,
                    "dbname" => dbname = Some(v.to_string()),
                    "user" => user = Some(v.to_string()),
                    "password" => return Err(bad("it holds a password; the password comes only from PGPASSWORD or ~/.pgpass")),
                    other => return Err(bad(&format!("'{other}' is not taken (only host, port, dbname, user)"))),
                }
            }
        }
        let host = host.filter(|h| !h.is_empty()).ok_or_else(|| bad("it names no host"))?;
        if host.starts_with('/') {
            return Err(bad("a Unix socket is not taken: name a TCP host"));
        }
        let user = user.filter(|u| !u.is_empty()).ok_or_else(|| bad("it names no role"))?;
        let dbname = dbname.filter(|d| !d.is_empty()).ok_or_else(|| bad("it names no database"))?;
        for (what, v) in [("host", &host), ("role", &user), ("database", &dbname)] {
            if v.chars().any(|c| c.is_whitespace() || c == '\'' || c == '\\' || c.is_control()) {
                return Err(bad(&format!("the {what} has a character that is not taken")));
            }
        }
        let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        Ok(CatalogTarget { host, port, dbname, user, loopback })
    }
}

impl CatalogTarget {
    /// How the catalog is named in events and messages (no secret in it).
    pub fn describe(&self) -> String {
        format!("postgresql://{}@{}:{}/{}", self.user, self.host, self.port, self.dbname)
    }

    /// The role's password: `PGPASSWORD`, or else the first matching line of
    /// the password file (`PGPASSFILE` or `~/.pgpass`), which must be
    /// readable only by its owner. `None` when neither gives one.
    pub fn password(&self) -> Result<Option<Zeroizing<String>>> {
        if let Ok(p) = std::env::var("PGPASSWORD") {
            return Ok(Some(Zeroizing::new(p)));
        }
        let file = match std::env::var_os("PGPASSFILE") {
            Some(f) => PathBuf::from(f),
            None => match std::env::var_os("HOME") {
                Some(h) => Path::new(&h).join(".pgpass"),
                None => return Ok(None),
            },
        };
        let Ok(meta) = std::fs::metadata(&file) else { return Ok(None) };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if meta.permissions().mode() & 0o077 != 0 {
                return Err(Error::InvalidInput(format!(
                    "the password file {} can be read by others: make it readable only by you (chmod 600)",
                    file.display()
                )));
            }
        }
        let text = Zeroizing::new(
            std::fs::read_to_string(&file).map_err(|e| Error::InvalidInput(format!("cannot read the password file {}: {e}", file.display())))?,
        );
        Ok(self.password_in(&text))
    }

    /// The password a `.pgpass` text gives for this target (`*` matches any value).
    fn password_in(&self, text: &str) -> Option<Zeroizing<String>> {
        let port = self.port.to_string();
        let want = [self.host.as_str(), port.as_str(), self.dbname.as_str(), self.user.as_str()];
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let fields = split_pgpass(line);
            if fields.len() != 5 {
                continue;
            }
            let f: Vec<&str> = fields.iter().map(|x| x.as_str()).collect();
            let host_ok = f[0] == "*" || f[0] == want[0] || (f[0] == "localhost" && self.loopback);
            if host_ok && (1..4).all(|i| f[i] == "*" || f[i] == want[i]) {
                return Some(Zeroizing::new(f[4].to_string()));
            }
        }
        None
    }
}

/// One `.pgpass` line's fields: `:` separates, `\` escapes.
fn split_pgpass(line: &str) -> Vec<Zeroizing<String>> {
    let mut out = vec![Zeroizing::new(String::new())];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.last_mut().expect("one field").push(n);
                }
            }
            ':' => out.push(Zeroizing::new(String::new())),
            c => out.last_mut().expect("one field").push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(url: &str) -> CatalogConfig {
        CatalogConfig { url: url.into() }
    }

    #[test]
    fn connection_strings_are_read_and_passwords_refused() {
        let t = cat("postgresql://custos@db.firm.example:6543/matters").target().unwrap();
        assert_eq!((t.host.as_str(), t.port, t.dbname.as_str(), t.user.as_str(), t.loopback), ("db.firm.example", 6543, "matters", "custos", false));
        let t = cat("host=127.0.0.1 port=5499 dbname=m user=u").target().unwrap();
        assert!(t.loopback);
        assert_eq!(t.describe(), "postgresql://u@127.0.0.1:5499/m");
        for (url, says) in [
            ("postgresql://custos:hunter2@db/m", "holds a password"),
            ("host=db dbname=m user=u password=hunter2", "holds a password"),
            ("postgresql://db/m", "names no role"),
            ("postgresql://u@db/", "names no database"),
            ("host=/run/postgresql dbname=m user=u", "Unix socket"),
            ("postgresql://u@db/m?sslmode=disable", "options after"),
        ] {
            let e = cat(url).target().unwrap_err().to_string();
            assert!(e.contains(says), "{url}: {e}");
            assert!(!e.contains("hunter2"), "the secret is never repeated: {e}");
        }
    }

    #[test]
    fn pgpass_lines_match_by_field_with_wildcards_and_escapes() {
        let t = cat("postgresql://custos@127.0.0.1:5499/matters").target().unwrap();
        let text = "# comment\nother:5499:matters:custos:no\n127.0.0.1:*:matters:custos:pa\\:ss\\\\word\n*:*:*:*:late\n";
        assert_eq!(t.password_in(text).unwrap().as_str(), "pa:ss\\word");
        assert_eq!(t.password_in("localhost:5499:matters:custos:lo\n").unwrap().as_str(), "lo");
        assert!(t.password_in("127.0.0.1:5499:other:custos:x\n").is_none());
    }

    #[test]
    fn a_firm_config_has_known_sections_only() {
        let c = FirmConfig::parse("[catalog]\nurl = \"postgresql://u@127.0.0.1/m\"\n").unwrap();
        assert!(c.objects.is_none() && c.catalog.is_some());
        assert!(FirmConfig::parse("").unwrap_err().to_string().contains("neither"));
        assert!(FirmConfig::parse("[catalog]\nurl = \"postgresql://u@h/m\"\nextra = 1\n").unwrap_err().to_string().contains("extra"));
        assert!(FirmConfig::parse("[other]\n").unwrap_err().to_string().contains("other"));
    }
}
