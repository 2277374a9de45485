//! Productions received (import): the record kept per exhibit received, and
//! the seal keys pinned per producer vault.

use super::{Change, Vault};
use crate::error::Result;
use rusqlite::{OptionalExtension, params};

/// The record of one exhibit received in a sealed production.
pub(crate) struct NewReceived<'a> {
    pub exhibit_id: &'a str,
    pub bundle_sha256: &'a str,
    pub bates: &'a str,
    pub sender_identity: &'a str,
    pub sender_fingerprint: &'a str,
    pub sender_exhibit_id: &'a str,
    /// The load-file row, as JSON.
    pub load_file_row: &'a str,
    /// The producer's custody lines for it (JSON lines).
    pub sender_events: &'a str,
}

impl Vault {
    /// The exhibit this production's `bates` with content `sha256` was
    /// received as before, if it was.
    pub(crate) fn received_before(&self, bundle_sha256: &str, bates: &str, sha256: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT r.exhibit_id FROM received_records r JOIN exhibits e ON e.id = r.exhibit_id
                 WHERE r.bundle_sha256 = ?1 AND r.bates = ?2 AND e.sha256 = ?3",
                params![bundle_sha256, bates, sha256],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The SHA-256 of other content received before from `sender_identity`
    /// under `bates`, if any.
    pub(crate) fn other_content_under_bates(&self, sender_identity: &str, bates: &str, sha256: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT e.sha256 FROM received_records r JOIN exhibits e ON e.id = r.exhibit_id
                 WHERE r.sender_identity = ?1 AND r.bates = ?2 AND e.sha256 <> ?3 LIMIT 1",
                params![sender_identity, bates, sha256],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The seal-key fingerprint pinned for a producer vault, if any.
    pub(crate) fn pinned_producer_key(&self, producer_vault: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT fingerprint FROM producer_keys WHERE producer_vault_id = ?1", [producer_vault], |r| r.get(0))
            .optional()?)
    }
}

impl Change<'_> {
    /// Pins (or re-pins) a producer vault's seal key.
    pub(crate) fn pin_producer_key(&mut self, producer_vault: &str, fingerprint: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO producer_keys (producer_vault_id, fingerprint, pinned_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (producer_vault_id) DO UPDATE SET fingerprint = excluded.fingerprint, pinned_at = excluded.pinned_at",
            params![producer_vault, fingerprint, self.now],
        )?;
        Ok(())
    }

    /// Records how an exhibit was received.
    pub(crate) fn add_received(&mut self, r: &NewReceived<'_>) -> Result<()> {
        self.tx.execute(
            "INSERT OR REPLACE INTO received_records (exhibit_id, bundle_sha256, bates, sender_identity, sender_fingerprint, sender_exhibit_id, load_file_row, sender_events, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                r.exhibit_id,
                r.bundle_sha256,
                r.bates,
                r.sender_identity,
                r.sender_fingerprint,
                r.sender_exhibit_id,
                r.load_file_row,
                r.sender_events,
                self.now
            ],
        )?;
        Ok(())
    }
}
