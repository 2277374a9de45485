//! Where each object of a vault kept in an S3 bucket was written: its
//! version id and the lock it was written with (`object_placements`), and
//! the bucket's location and policy (the `objects` setting). A folder vault
//! has neither.

use crate::error::Result;
use crate::format::objects_config::{LockMode, ObjectsConfig};
use crate::store::objects::Placement;
use rusqlite::{OptionalExtension, Transaction};

/// Records uploads the server acknowledged (an object already recorded keeps its first row).
pub(crate) fn record(tx: &Transaction<'_>, placed: &[(String, Placement)]) -> Result<()> {
    if placed.is_empty() {
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO object_placements (name, version_id, mode, retain_until, legal_hold, etag) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (name, p) in placed {
        stmt.execute(rusqlite::params![name, p.version_id, p.mode.as_s3(), p.retain_until, p.legal_hold, p.etag])?;
    }
    Ok(())
}

/// The bucket a vault's objects live in, if they live in one.
pub(crate) fn objects_config(conn: &rusqlite::Connection) -> Result<Option<ObjectsConfig>> {
    let text: Option<String> = conn.query_row("SELECT value FROM settings WHERE key = 'objects'", [], |r| r.get(0)).optional()?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| crate::Error::DamagedDatabase(format!("the objects setting cannot be read: {e}")))
    })
    .transpose()
}

/// Records the bucket of a new vault.
pub(crate) fn save_objects_config(tx: &Transaction<'_>, config: &ObjectsConfig) -> Result<()> {
    tx.execute("INSERT INTO settings (key, value) VALUES ('objects', ?1)", [serde_json::to_string(config).expect("serialise")])?;
    Ok(())
}

/// Every recorded placement, by object name.
pub(crate) fn all(conn: &rusqlite::Connection) -> Result<std::collections::HashMap<String, Placement>> {
    let mut stmt = conn.prepare("SELECT name, version_id, mode, retain_until, legal_hold, etag FROM object_placements")?;
    let rows = stmt.query_map([], |r| {
        // The table's CHECK allows only the two modes.
        let mode = LockMode::from_s3(&r.get::<_, String>(2)?).unwrap_or(LockMode::Compliance);
        Ok((
            r.get::<_, String>(0)?,
            Placement { version_id: r.get(1)?, mode, retain_until: r.get(3)?, legal_hold: r.get(4)?, etag: r.get(5)? },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl crate::store::Vault {
    /// Where each object was written, for a vault whose objects are in a bucket.
    pub(crate) fn object_placements(&self) -> Result<std::collections::HashMap<String, Placement>> {
        all(&self.conn)
    }
}

impl crate::store::Vault {
    /// Makes `bucket` this vault's object store, its objects already
    /// uploaded: their placements, the bucket's setting and `event` commit
    /// together, then `custos-vault.json` says format 2.
    pub(crate) fn adopt_bucket(
        &mut self,
        bucket: crate::store::objects::S3Objects,
        config: &ObjectsConfig,
        event: crate::format::custody::NewEvent,
    ) -> Result<()> {
        let placed = bucket.take_placed();
        let change = self.change()?;
        record(&change.tx, &placed)?;
        save_objects_config(&change.tx, config)?;
        change.commit(vec![event])?;
        self.objects = crate::store::objects::ObjectStore::in_bucket(bucket, self.root.join("objects"));
        self.config.version = crate::format::config::BUCKET_FORMAT_VERSION;
        crate::format::atomic::write_atomically(
            &self.root.join(crate::format::config::CONFIG_FILE),
            &serde_json::to_vec_pretty(&self.config).expect("serialise"),
        )?;
        Ok(())
    }
}
