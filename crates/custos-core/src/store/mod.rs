//! The second floor: the open vault. `Vault` holds the database connection,
//! the keys, the object store and the session's place in the custody log;
//! only this floor writes SQL. Operations read through its methods and write
//! through a [`Change`].


pub(crate) mod audit;
pub(crate) mod counsel;
pub(crate) mod custody_log;
pub(crate) mod db;
pub(crate) mod derived;
pub(crate) mod designations;
pub use derived::{Derivation, FamilyMember, FamilyPlace, MetadataValue, ProcessingState};
pub(crate) mod exhibits;
pub(crate) mod firm;
pub use firm::{FirmMatter, FirmMember, MemberKey, MovedCatalog};
pub use exhibits::{Exhibit, ExhibitDetail, ReceivedRecord, SourceRecord};
pub(crate) mod objects;
pub(crate) mod open;
mod passphrase;
pub(crate) mod partials;
pub(crate) mod placements;
pub(crate) mod productions;
pub(crate) mod received;
pub(crate) mod production_index;
mod proximity;
pub(crate) mod saved;
pub(crate) mod search;
pub(crate) mod timeline;
pub(crate) mod timestamps;
pub mod windows;

pub use crate::format::config::{FORMAT_VERSION, MatterInfo, VaultConfig, probe};
pub use open::{CreateOptions, Unlock};

use crate::clock::{Clock, format_time};
use crate::format::custody::{CustodyEvent, NewEvent};
use crate::error::{Error, Result};
use crate::format::keys::VaultSecrets;
use crate::store::objects::ObjectStore;
use rusqlite::Connection;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A new passphrase key file, written before its change is logged.
pub(crate) const NEW_KEY_FILE: &str = "keys/passphrase.age.new";


/// An open, unlocked vault. Dropping it locks the vault (secrets wiped).
pub struct Vault {
    root: PathBuf,
    config: VaultConfig,
    secrets: VaultSecrets,
    conn: Connection,
    objects: ObjectStore,
    clock: Arc<dyn Clock>,
    matter: MatterInfo,
    /// The session's place in the log. Its pending events (the unlock) are
    /// written with the session's first change or by [`Vault::close`], so
    /// that a command that fails on bad input leaves the vault as it was.
    session: crate::store::custody_log::SessionLog,
    /// A firm vault's catalog in PostgreSQL, which every change goes through.
    firm: Option<firm::Firm>,
    _lock: File,
}

#[cfg(test)]
impl Vault {
    /// The database itself, for tests that tamper with it as an attacker would.
    pub(crate) fn db(&self) -> &Connection {
        &self.conn
    }

    /// Re-reads the session's place in the log after a test rewrote it.
    pub(crate) fn reload_frontier(&mut self) {
        self.session.frontier = custody_log::load_frontier(&self.conn).expect("the log reads");
    }
}

/// One change to the vault: a write transaction whose rows and custody
/// events commit together, with a signed checkpoint, or not at all (dropped
/// without [`Change::commit`], it rolls back).
pub(crate) struct Change<'a> {
    tx: rusqlite::Transaction<'a>,
    session: &'a mut crate::store::custody_log::SessionLog,
    key: &'a ed25519_dalek::SigningKey,
    vault_id: &'a str,
    exhibit_prefix: &'a str,
    objects: &'a ObjectStore,
    now: String,
    /// The firm catalog's side of the change (ended if the change is dropped).
    firm: firm::FirmGuard<'a>,
}

impl Change<'_> {
    /// The time the change is recorded at.
    pub(crate) fn now(&self) -> &str {
        &self.now
    }

    /// The session's examiner.
    pub(crate) fn actor(&self) -> &str {
        &self.session.actor
    }

    /// Appends `events` (after any the session still holds) with a
    /// checkpoint, and commits.
    /// Uploads to a bucket acknowledged since the last change are recorded
    /// with it.
    pub(crate) fn commit(self, events: Vec<NewEvent>) -> Result<Vec<CustodyEvent>> {
        let firm = self.firm.0;
        let Some(bucket) = self.objects.bucket() else {
            return self.session.commit(self.tx, self.key, self.vault_id, &self.now, events, firm);
        };
        let placed = bucket.take_placed();
        let committed = crate::store::placements::record(&self.tx, &placed)
            .and_then(|()| self.session.commit(self.tx, self.key, self.vault_id, &self.now, events, firm));
        if committed.is_err() {
            // Kept for the next change that commits: the objects are in the bucket.
            bucket.restore_placed(placed);
        }
        committed
    }
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("root", &self.root).finish_non_exhaustive()
    }
}

fn to_utc(t: std::io::Result<std::time::SystemTime>) -> Option<String> {
    t.ok().map(|t| format_time(chrono::DateTime::<chrono::Utc>::from(t)))
}

/// The OS times of a file: (modified, created, accessed).
pub(crate) fn file_times(m: &fs::Metadata) -> (Option<String>, Option<String>, Option<String>) {
    (to_utc(m.modified()), to_utc(m.created()), to_utc(m.accessed()))
}

impl Vault {

    /// Writes the session's pending events (the unlock) if any are left, and
    /// locks the vault. Front ends call it when a command succeeds.
    pub fn close(mut self) -> Result<()> {
        self.flush()
    }

    /// Changes who is recorded as actor of the events from now on (the
    /// examiner changed mid-session). Events already pending keep the
    /// earlier actor: they are written first.
    pub fn set_actor(&mut self, actor: &str) -> Result<()> {
        let actor = actor.trim();
        if actor.is_empty() {
            return Err(Error::InvalidInput("the examiner's name is required".into()));
        }
        if let Some(f) = &self.firm
            && f.member_name() != actor
        {
            return Err(Error::InvalidInput(format!(
                "in a firm vault each event names the person whose key opened it ({})",
                f.member_name()
            )));
        }
        self.flush()?;
        self.session.actor = actor.to_string();
        Ok(())
    }

    /// Writes the session's pending events now.
    pub fn flush(&mut self) -> Result<()> {
        if !self.session.pending.is_empty() {
            self.log(Vec::new())?;
        }
        Ok(())
    }

    /// Appends events in their own transaction (with a checkpoint).
    pub(crate) fn log(&mut self, events: Vec<NewEvent>) -> Result<Vec<CustodyEvent>> {
        self.change()?.commit(events)
    }

    /// Replaces the matter record (e.g. a new exhibit prefix) and logs `event`.
    pub(crate) fn save_matter(&mut self, matter: MatterInfo, event: NewEvent) -> Result<()> {
        let change = self.change()?;
        change.tx.execute("UPDATE settings SET value = ?1 WHERE key = 'matter'", [serde_json::to_string(&matter).expect("serialise")])?;
        change.commit(vec![event])?;
        self.matter = matter;
        Ok(())
    }

    /// SQLCipher's integrity check: "ok", or what is wrong.
    pub(crate) fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))?)
    }

    /// Begins a change: rows written through it and the custody events
    /// given to [`Change::commit`] are committed together, or not at all.
    /// In a firm vault, the change first takes the matter's lock in the
    /// catalog and replays what others wrote since.
    pub(crate) fn change(&mut self) -> Result<Change<'_>> {
        if let Some(firm) = &self.firm {
            firm.begin()?;
            if let Err(e) = self.catch_up() {
                if let Some(f) = &self.firm {
                    f.rollback();
                }
                return Err(e);
            }
        }
        let now = format_time(self.clock.now());
        Ok(Change {
            firm: firm::FirmGuard(self.firm.as_ref()),
            tx: self.conn.transaction()?,
            session: &mut self.session,
            key: self.secrets.signing_key(),
            vault_id: &self.config.vault_id,
            exhibit_prefix: &self.matter.exhibit_prefix,
            objects: &self.objects,
            now,
        })
    }

    /// The vault's keys (unlocked).
    pub(crate) fn secrets(&self) -> &VaultSecrets {
        &self.secrets
    }

    /// The object store.
    pub(crate) fn objects(&self) -> &ObjectStore {
        &self.objects
    }

    /// The current time as the log writes it (UTC, RFC 3339, microseconds).
    pub(crate) fn now(&self) -> String {
        format_time(self.clock.now())
    }

    /// The current time of the vault's clock.
    pub(crate) fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The vault folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The plaintext config.
    pub fn config(&self) -> &VaultConfig {
        &self.config
    }

    /// The matter.
    pub fn matter(&self) -> &MatterInfo {
        &self.matter
    }

    /// Whether the exhibits' objects are in a write-once bucket.
    pub fn objects_in_bucket(&self) -> bool {
        self.objects.bucket().is_some()
    }

    /// The examiner acting in this session.
    pub fn actor(&self) -> &str {
        &self.session.actor
    }
}
