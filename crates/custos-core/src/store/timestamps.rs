//! Time-stamping as stored: the settings row and the tokens received for
//! checkpoints (`checkpoint_timestamps`).

use crate::error::{Error, Result};
use crate::format::custody::NewEvent;
use crate::format::tsp::settings::{SETTINGS_KEY, TimestampSettings};
use crate::store::Vault;
use rusqlite::{Connection, OptionalExtension, params};

/// One row of `checkpoint_timestamps`, with the token itself.
pub(crate) struct TokenRow {
    pub tree_size: u64,
    pub tsa_url: String,
    pub token: Vec<u8>,
    pub gen_time: String,
    pub nonce: String,
}

/// Every stored token, by tree size then age.
fn read_tokens(conn: &Connection) -> Result<Vec<TokenRow>> {
    let mut stmt = conn.prepare("SELECT tree_size, tsa_url, token, gen_time, nonce FROM checkpoint_timestamps ORDER BY tree_size, id")?;
    let rows = stmt.query_map([], |r| {
        Ok(TokenRow { tree_size: r.get::<_, i64>(0)? as u64, tsa_url: r.get(1)?, token: r.get(2)?, gen_time: r.get(3)?, nonce: r.get(4)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A token to store, as received and checked.
pub(crate) struct NewToken<'a> {
    pub tree_size: u64,
    pub tsa_url: &'a str,
    pub token: &'a [u8],
    pub gen_time: &'a str,
    pub checkpoint_sha256: &'a str,
    pub nonce: &'a str,
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

    /// Writes the settings and logs `event`, in one transaction.
    pub(crate) fn save_timestamp_settings(&mut self, s: &TimestampSettings, event: NewEvent) -> Result<()> {
        let change = self.change()?;
        change.tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![SETTINGS_KEY, serde_json::to_string(s).expect("serialise")],
        )?;
        change.commit(vec![event])?;
        Ok(())
    }

    /// Every stored token, by tree size then age.
    pub(crate) fn timestamp_tokens(&self) -> Result<Vec<TokenRow>> {
        read_tokens(&self.conn)
    }

    /// Stores tokens and logs their events, in one transaction.
    pub(crate) fn store_timestamp_tokens(&mut self, tokens: &[NewToken<'_>], events: Vec<NewEvent>) -> Result<()> {
        let change = self.change()?;
        let now = change.now().to_string();
        for t in tokens {
            change.tx.execute(
                "INSERT INTO checkpoint_timestamps (tree_size, tsa_url, token, gen_time, checkpoint_sha256, nonce, stamped_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![t.tree_size as i64, t.tsa_url, t.token, t.gen_time, t.checkpoint_sha256, t.nonce, now],
            )?;
        }
        change.commit(events)?;
        Ok(())
    }
}
