//! The vault: creating, unlocking, reading and editing a matter's evidence store.


pub(crate) mod counsel;
pub(crate) mod custody_log;
pub(crate) mod db;
pub(crate) mod exhibits;
pub use exhibits::{Exhibit, ExhibitDetail, ReceivedRecord, SourceRecord};
pub(crate) mod objects;
pub(crate) mod partials;
pub(crate) mod received;
pub(crate) mod timestamps;

use crate::format::atomic::{sync_dir, write_atomically};
use crate::clock::{Clock, format_time};
use crate::format::custody::{Action, CustodyEvent, NewEvent};
use crate::store::custody_log::LogWriter;
use crate::error::{Error, IoContext, Result};
use crate::format::keys::{self, VaultSecrets};
use crate::format::merkle::Frontier;
use crate::store::objects::{ObjectStore, PARTIAL_PREFIX, quarantine_path};
use crate::store::partials::{OutputKind, OutsidePartial};
use crate::format::pipeline;
use crate::progress::{NoProgress, Progress};
use age::secrecy::SecretString;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The vault format this program reads and writes.
pub const FORMAT_VERSION: u64 = 1;
const FORMAT_NAME: &str = "custos-vault";
const CONFIG_FILE: &str = "custos-vault.json";
/// A new passphrase key file, written before its change is logged.
const NEW_KEY_FILE: &str = "keys/passphrase.age.new";

/// The plaintext description of a vault folder (no case data).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VaultConfig {
    /// Always `custos-vault`.
    pub format: String,
    /// Format version.
    pub version: u64,
    /// Random id of this vault.
    pub vault_id: String,
    /// Creation time.
    pub created: String,
    /// The public age recipient exhibits are encrypted to.
    pub age_recipient: String,
    /// The Ed25519 public key of custody signatures, hex.
    pub signing_key: String,
}

/// How to unlock a vault.
pub enum Unlock {
    /// With the passphrase.
    Passphrase(SecretString),
    /// With the recovery identity (`AGE-SECRET-KEY-1…`).
    Recovery(age::x25519::Identity),
}

/// What `init` needs.
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// Matter name.
    pub matter: String,
    /// Matter number, if any.
    pub matter_number: Option<String>,
    /// Examiner who creates the vault (the default actor).
    pub examiner: String,
    /// Optional escrow recipient for a recovery key file.
    pub recovery_recipient: Option<String>,
    /// scrypt work factor for the passphrase key file.
    pub work_factor: u8,
    /// Exhibit number prefix (default `EX-`).
    pub exhibit_prefix: String,
}

impl CreateOptions {
    /// Options with defaults for everything but the matter and examiner.
    pub fn new(matter: impl Into<String>, examiner: impl Into<String>) -> Self {
        Self {
            matter: matter.into(),
            matter_number: None,
            examiner: examiner.into(),
            recovery_recipient: None,
            work_factor: keys::DEFAULT_WORK_FACTOR,
            exhibit_prefix: "EX-".into(),
        }
    }
}

/// The matter a vault holds.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MatterInfo {
    /// Vault id.
    pub vault_id: String,
    /// Matter name.
    pub matter: String,
    /// Matter number.
    pub matter_number: Option<String>,
    /// Default examiner.
    pub examiner: String,
    /// Exhibit number prefix.
    pub exhibit_prefix: String,
    /// When the vault was created.
    pub created: String,
}

/// An open, unlocked vault. Dropping it locks the vault (secrets wiped).
pub struct Vault {
    pub(crate) root: PathBuf,
    pub(crate) config: VaultConfig,
    pub(crate) secrets: VaultSecrets,
    pub(crate) conn: Connection,
    pub(crate) objects: ObjectStore,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) matter: MatterInfo,
    /// The session's place in the log. Its pending events (the unlock) are
    /// written with the session's first change or by [`Vault::close`], so
    /// that a command that fails on bad input leaves the vault as it was.
    pub(crate) session: crate::store::custody_log::SessionLog,
    _lock: File,
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
    now: String,
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
    pub(crate) fn commit(self, events: Vec<NewEvent>) -> Result<Vec<CustodyEvent>> {
        self.session.commit(self.tx, self.key, self.vault_id, &self.now, events)
    }
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("root", &self.root).finish_non_exhaustive()
    }
}

fn lock_vault(root: &Path) -> Result<File> {
    let p = root.join("lock");
    let f = fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&p).at(&p)?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(fs::TryLockError::WouldBlock) => Err(Error::VaultBusy(p)),
        Err(fs::TryLockError::Error(e)) => Err(Error::Io { path: p, source: e }),
    }
}

fn host_name() -> Option<String> {
    gethostname::gethostname().into_string().ok().filter(|h| !h.is_empty())
}

/// Reads and checks `custos-vault.json` without a passphrase. Refuses unknown
/// formats and versions; changes nothing.
pub fn probe(root: &Path) -> Result<VaultConfig> {
    let not = |reason: String| Error::NotAVault { path: root.to_path_buf(), reason };
    if !root.is_dir() {
        return Err(not("no such folder".into()));
    }
    let p = root.join(CONFIG_FILE);
    let bytes = fs::read(&p).map_err(|_| not(format!("it has no {CONFIG_FILE}")))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| not(format!("{CONFIG_FILE} is not valid JSON: {e}")))?;
    if v.get("format").and_then(|f| f.as_str()) != Some(FORMAT_NAME) {
        return Err(not(format!("{CONFIG_FILE} does not name the {FORMAT_NAME} format")));
    }
    let version = v.get("version").and_then(|x| x.as_u64()).ok_or_else(|| not(format!("{CONFIG_FILE} has no version")))?;
    if version != FORMAT_VERSION {
        return Err(Error::UnknownFormatVersion { path: root.to_path_buf(), found: version, supported: FORMAT_VERSION });
    }
    serde_json::from_value(v).map_err(|e| not(format!("{CONFIG_FILE} is incomplete: {e}")))
}

fn to_utc(t: std::io::Result<std::time::SystemTime>) -> Option<String> {
    t.ok().map(|t| format_time(chrono::DateTime::<chrono::Utc>::from(t)))
}

/// The OS times of a file: (modified, created, accessed).
pub(crate) fn file_times(m: &fs::Metadata) -> (Option<String>, Option<String>, Option<String>) {
    (to_utc(m.modified()), to_utc(m.created()), to_utc(m.accessed()))
}

impl Vault {
    /// Creates a new vault in `root` (which must not exist or be empty).
    pub fn create(root: &Path, opts: &CreateOptions, passphrase: &SecretString, clock: Arc<dyn Clock>) -> Result<Vault> {
        let matter = opts.matter.trim();
        let examiner = opts.examiner.trim();
        if matter.is_empty() {
            return Err(Error::InvalidInput("the matter name must not be empty".into()));
        }
        if examiner.is_empty() {
            return Err(Error::InvalidInput("the examiner name must not be empty".into()));
        }
        validate_prefix(&opts.exhibit_prefix)?;
        keys::check_passphrase(passphrase)?;
        let recovery = opts.recovery_recipient.as_deref().map(keys::parse_recipient).transpose()?;
        if !(keys::MIN_WORK_FACTOR..=keys::MAX_WORK_FACTOR).contains(&opts.work_factor) {
            return Err(Error::InvalidInput(format!(
                "work factor {} is outside {}..={}",
                opts.work_factor,
                keys::MIN_WORK_FACTOR,
                keys::MAX_WORK_FACTOR
            )));
        }
        if root.exists() {
            let empty = root.is_dir() && fs::read_dir(root).at(root)?.next().is_none();
            if !empty {
                return Err(Error::AlreadyExists(root.to_path_buf()));
            }
        }
        // Readable only by its owner: the folder and everything Custos makes in it.
        crate::format::atomic::create_private_dir(root)?;
        #[cfg(unix)]
        fs::set_permissions(root, std::os::unix::fs::PermissionsExt::from_mode(0o700)).at(root)?;
        for d in ["keys", "db", "objects"] {
            crate::format::atomic::create_private_dir(&root.join(d))?;
        }
        // SQLite gives its WAL and shared-memory files the database file's mode.
        let db = root.join("db/custos.db");
        crate::format::atomic::private_file(fs::OpenOptions::new().write(true).create_new(true)).open(&db).at(&db)?;
        let lock = lock_vault(root)?;
        let secrets = VaultSecrets::generate();
        secrets.write_passphrase_file(&root.join("keys/passphrase.age"), passphrase, opts.work_factor)?;
        if let Some(r) = &recovery {
            secrets.write_recovery_file(&root.join("keys/recovery.age"), r)?;
        }
        let now = format_time(clock.now());
        let config = VaultConfig {
            format: FORMAT_NAME.into(),
            version: FORMAT_VERSION,
            vault_id: uuid::Uuid::new_v4().to_string(),
            created: now.clone(),
            age_recipient: secrets.age_recipient().to_string(),
            signing_key: hex::encode(secrets.verifying_key().to_bytes()),
        };
        let mut conn = crate::store::db::open(&root.join("db/custos.db"), &secrets, true)?;
        let matter_info = MatterInfo {
            vault_id: config.vault_id.clone(),
            matter: matter.into(),
            matter_number: opts.matter_number.clone().filter(|s| !s.trim().is_empty()),
            examiner: examiner.into(),
            exhibit_prefix: opts.exhibit_prefix.clone(),
            created: now.clone(),
        };
        let mut frontier = Frontier::default();
        let location = host_name();
        {
            let tx = conn.transaction()?;
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ('matter', ?1)",
                [serde_json::to_string(&matter_info).expect("serialise")],
            )?;
            let writer = LogWriter {
                key: secrets.signing_key(),
                vault_id: &config.vault_id,
                actor: examiner,
                location: location.as_deref(),
            };
            writer.append(
                &tx,
                &mut frontier,
                &now,
                vec![NewEvent::new(Action::VaultCreated).details(serde_json::json!({
                    "matter": matter_info.matter,
                    "matter_number": matter_info.matter_number,
                    "work_factor": opts.work_factor,
                    "recovery_recipient": opts.recovery_recipient,
                    "signing_key": config.signing_key,
                }))],
            )?;
            tx.commit()?;
        }
        sync_dir(&root.join("db"))?;
        // The config is written last: a folder without it is not a vault.
        write_atomically(&root.join(CONFIG_FILE), &serde_json::to_vec_pretty(&config).expect("serialise"))?;
        sync_dir(root)?;
        Ok(Vault {
            root: root.to_path_buf(),
            config,
            secrets,
            conn,
            objects: ObjectStore::new(root.join("objects")),
            clock,
            matter: matter_info,
            session: crate::store::custody_log::SessionLog { frontier, pending: Vec::new(), actor: examiner.into(), location: host_name() },
            _lock: lock,
        })
    }

    /// Unlocks an existing vault. `actor` overrides the examiner recorded as
    /// performing this session's actions. Stray objects left by an interrupted
    /// intake are quarantined and logged; the unlock is logged.
    pub fn open(root: &Path, unlock: &Unlock, actor: Option<&str>, clock: Arc<dyn Clock>) -> Result<Vault> {
        let config = probe(root)?;
        let lock = lock_vault(root)?;
        let (secrets, via) = match unlock {
            Unlock::Passphrase(p) => match VaultSecrets::open_with_passphrase(&root.join("keys/passphrase.age"), p) {
                // A passphrase change interrupted by a crash: the new one opens the new key file.
                Err(Error::WrongPassphrase) if root.join(NEW_KEY_FILE).is_file() => {
                    (VaultSecrets::open_with_passphrase(&root.join(NEW_KEY_FILE), p)?, "passphrase")
                }
                other => (other?, "passphrase"),
            },
            Unlock::Recovery(id) => {
                let p = root.join("keys/recovery.age");
                if !p.exists() {
                    return Err(Error::InvalidInput("this vault has no recovery key file".into()));
                }
                (VaultSecrets::open_with_identity(&p, id)?, "recovery key")
            }
        };
        let conn = crate::store::db::open(&root.join("db/custos.db"), &secrets, false)?;
        let matter: MatterInfo = conn
            .query_row("SELECT value FROM settings WHERE key = 'matter'", [], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|s| serde_json::from_str(&s).ok())
            .ok_or_else(|| Error::DamagedDatabase("the matter settings are missing".into()))?;
        // The vault id is the one in the encrypted database: the plaintext
        // file can be changed by anyone who can write the folder, and
        // checkpoints signed over a forged id would make the log look altered
        // for good once the file is restored.
        if matter.vault_id != config.vault_id {
            return Err(Error::ConfigTampered {
                path: root.to_path_buf(),
                what: format!("it names vault {} but the encrypted database belongs to vault {}", config.vault_id, matter.vault_id),
            });
        }
        let frontier = crate::store::custody_log::load_frontier(&conn)?;
        let actor = actor.map(str::trim).filter(|a| !a.is_empty()).unwrap_or(&matter.examiner).to_string();
        let mut vault = Vault {
            root: root.to_path_buf(),
            config,
            secrets,
            conn,
            objects: ObjectStore::new(root.join("objects")),
            clock,
            matter,
            session: crate::store::custody_log::SessionLog { frontier, pending: Vec::new(), actor, location: host_name() },
            _lock: lock,
        };
        let unlocked_at = format_time(vault.clock.now());
        // Recovery changes the disk: it is logged first, then done.
        vault.settle_passphrase_change()?;
        vault.recover_interrupted_intake()?;
        vault.remove_left_partials()?;
        vault.session.pending.push(
            NewEvent::new(Action::VaultUnlocked).details(serde_json::json!({ "via": via, "unlocked_at": unlocked_at })),
        );
        Ok(vault)
    }

    /// Cleans up after an interrupted intake: removes unfinished partial
    /// objects, and moves to `quarantine/` the objects that an intake
    /// journal names and no exhibit refers to (put in place, never
    /// committed). Each is logged before it is done, so nothing is moved or
    /// removed without its event.
    ///
    /// An object that no exhibit refers to and no journal names is left
    /// where it is: it is either committed work the database has lost (a
    /// restored older database, a lost WAL) or was put there from outside,
    /// and `verify` reports it as an error.
    fn recover_interrupted_intake(&mut self) -> Result<()> {
        let (names, other) = self.objects.scan()?;
        let (journaled, journals) = self.objects.journaled(&other);
        let partials: Vec<PathBuf> = other
            .into_iter()
            .filter(|p| p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(PARTIAL_PREFIX)))
            .collect();
        let mut events = Vec::new();
        for p in &partials {
            let fname = p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            // An unfinished write: its ciphertext is incomplete and was never referenced.
            events.push(NewEvent::new(Action::StrayObjectQuarantined).details(serde_json::json!({
                "file": fname, "disposition": "removed unfinished partial object"
            })));
        }
        let mut moves = Vec::new();
        if !journaled.is_empty() {
            let referenced = self.referenced_objects()?;
            let quarantine = self.root.join("quarantine");
            for name in names.iter().filter(|n| journaled.contains(*n) && !referenced.contains(*n)) {
                let from = self.objects.path(name);
                let dest = quarantine_path(&from, &quarantine);
                events.push(NewEvent::new(Action::StrayObjectQuarantined).details(serde_json::json!({
                    "object": name,
                    "moved_to": dest.strip_prefix(&self.root).unwrap_or(&dest).to_string_lossy(),
                    "disposition": "quarantined: an interrupted intake put it in place but never committed it; never trusted"
                })));
                moves.push((from, dest));
            }
        }
        if !events.is_empty() {
            self.log(events)?;
        }
        crate::failpoint::hit("open.recovery_logged")?;
        for p in &partials {
            // Something that cannot be removed (a folder named like a
            // partial) is left for verify to report; opening goes on.
            let _ = fs::remove_file(p);
        }
        for (from, dest) in &moves {
            self.objects.move_to_quarantine(from, dest)?;
        }
        for j in journals {
            let _ = fs::remove_file(&j);
        }
        Ok(())
    }

    pub(crate) fn referenced_objects(&self) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self.conn.prepare("SELECT object FROM exhibits")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

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

    /// Begins a change: rows written through it and the custody events
    /// given to [`Change::commit`] are committed together, or not at all.
    pub(crate) fn change(&mut self) -> Result<Change<'_>> {
        let now = format_time(self.clock.now());
        Ok(Change {
            tx: self.conn.transaction()?,
            session: &mut self.session,
            key: self.secrets.signing_key(),
            vault_id: &self.config.vault_id,
            exhibit_prefix: &self.matter.exhibit_prefix,
            now,
        })
    }

    /// The current time as the log writes it (UTC, RFC 3339, microseconds).
    pub(crate) fn now(&self) -> String {
        format_time(self.clock.now())
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

    /// The examiner acting in this session.
    pub fn actor(&self) -> &str {
        &self.session.actor
    }

    /// Writes an exhibit's original bytes to `dest` (which must not exist).
    /// The file appears only once the whole object has authenticated and its
    /// SHA-256 matches the intake value; the extraction is logged.
    pub fn extract(&mut self, id: &str, dest: &Path, progress: &dyn Progress) -> Result<String> {
        let detail = self.show(id)?;
        if dest.exists() {
            return Err(Error::InvalidInput(format!("{} already exists; choose another destination", dest.display())));
        }
        let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        self.refuse_inside_vault(parent)?;
        let (sha, partial) = self.decrypt_to(&detail, dest, progress)?;
        let destination = std::path::absolute(dest).unwrap_or_else(|_| dest.to_path_buf());
        let logged = self.log(vec![
            NewEvent::new(Action::Extracted)
                .exhibit(id)
                .sha256(detail.exhibit.sha256.clone(), sha.clone())
                .details(serde_json::json!({ "destination": destination.to_string_lossy() })),
        ]);
        if let Err(e) = logged {
            // Unlogged, the plaintext must not stand. If it cannot be
            // removed, the record stays and the next open removes it.
            if fs::remove_file(dest).is_err() {
                partial.keep();
            }
            return Err(e);
        }
        partial.finish();
        Ok(sha)
    }

    fn decrypt_to(&self, detail: &ExhibitDetail, dest: &Path, progress: &dyn Progress) -> Result<(String, OutsidePartial)> {
        // Recorded in the vault first: a crash leaves no plaintext that the
        // next open does not remove.
        let partial = self.begin_outside_partial(dest, OutputKind::Extraction)?;
        let tmp = partial.path.clone();
        let res = (|| -> Result<String> {
            let src = self.objects.open(&detail.object)?;
            let mut out = std::io::BufWriter::with_capacity(
                1 << 20,
                fs::OpenOptions::new().write(true).create_new(true).open(&tmp).at(&tmp)?,
            );
            let got = pipeline::decrypt_stream(
                src,
                &detail.object,
                self.secrets.age_identity(),
                false,
                true,
                detail.exhibit.size,
                progress,
                &mut |c| out.write_all(c).at(&tmp),
            )?;
            let sha = hex::encode(got.sha256);
            if sha != detail.exhibit.sha256 || hex::encode(got.object_sha256) != detail.object {
                return Err(Error::ObjectAuthentication { object: detail.object.clone() });
            }
            let f = out.into_inner().map_err(|e| Error::Io { path: tmp.clone(), source: e.into_error() })?;
            f.sync_all().at(&tmp)?;
            drop(f);
            partial.before_rename(self, &sha)?;
            crate::failpoint::hit("extract.written")?;
            fs::rename(&tmp, dest).at(dest)?;
            let synced = match dest.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(parent) => sync_dir(parent),
                None => Ok(()),
            };
            if let Err(e) = synced.and_then(|_| crate::failpoint::hit("extract.renamed")) {
                // In place but not to be logged: it must not stand.
                let _ = fs::remove_file(dest);
                return Err(e);
            }
            Ok(sha)
        })();
        res.map(|sha| (sha, partial))
    }

    /// Refuses a destination inside the vault's own folder: plaintext must
    /// never be written there.
    pub(crate) fn refuse_inside_vault(&self, folder: &Path) -> Result<()> {
        let vault = fs::canonicalize(&self.root).at(&self.root)?;
        let folder = fs::canonicalize(folder).at(folder)?;
        if folder.starts_with(&vault) {
            return Err(Error::InvalidInput(format!(
                "{} is inside the vault folder; choose a destination outside the vault",
                folder.display()
            )));
        }
        Ok(())
    }

    /// Reads a whole exhibit into memory for display (at most `max_bytes`),
    /// only after it has fully authenticated; logs a `viewed` event.
    pub fn view(&mut self, id: &str, max_bytes: u64) -> Result<Vec<u8>> {
        let detail = self.show(id)?;
        if detail.exhibit.size > max_bytes {
            return Err(Error::InvalidInput(format!(
                "{id} is {} bytes, more than the {max_bytes} a preview may hold",
                detail.exhibit.size
            )));
        }
        let mut buf = Vec::with_capacity(detail.exhibit.size as usize);
        let src = self.objects.open(&detail.object)?;
        let got = pipeline::decrypt_stream(
            src,
            &detail.object,
            self.secrets.age_identity(),
            false,
            true,
            detail.exhibit.size,
            &NoProgress,
            &mut |c| {
                buf.extend_from_slice(c);
                Ok(())
            },
        )?;
        if hex::encode(got.sha256) != detail.exhibit.sha256 || hex::encode(got.object_sha256) != detail.object {
            return Err(Error::ObjectAuthentication { object: detail.object });
        }
        self.log(vec![NewEvent::new(Action::Viewed).exhibit(id).sha256(detail.exhibit.sha256.clone(), hex::encode(got.sha256))])?;
        Ok(buf)
    }

    /// Changes an exhibit's description and tags; each change is logged.
    pub fn edit(&mut self, id: &str, description: Option<&str>, add_tags: &[String], remove_tags: &[String]) -> Result<()> {
        let before = self.show(id)?.exhibit;
        let mut events = Vec::new();
        let tx = self.conn.transaction()?;
        if let Some(d) = description && d != before.description {
            tx.execute("UPDATE exhibits SET description = ?1 WHERE id = ?2", params![d, id])?;
            events.push(NewEvent::new(Action::MetadataEdited).exhibit(id).details(serde_json::json!({
                "field": "description", "before": before.description, "after": d
            })));
        }
        for t in add_tags {
            let t = validate_tag(t)?;
            if tx.execute("INSERT OR IGNORE INTO tags (exhibit_id, tag) VALUES (?1, ?2)", params![id, t])? > 0 {
                events.push(NewEvent::new(Action::MetadataEdited).exhibit(id).details(serde_json::json!({
                    "field": "tags", "added": t
                })));
            }
        }
        for t in remove_tags {
            if tx.execute("DELETE FROM tags WHERE exhibit_id = ?1 AND tag = ?2", params![id, t])? > 0 {
                events.push(NewEvent::new(Action::MetadataEdited).exhibit(id).details(serde_json::json!({
                    "field": "tags", "removed": t
                })));
            }
        }
        if events.is_empty() {
            return Ok(());
        }
        let now = format_time(self.clock.now());
        self.session.commit(tx, self.secrets.signing_key(), &self.config.vault_id, &now, events)?;
        Ok(())
    }

    /// Changes the prefix of exhibit numbers given from now on (existing
    /// exhibits keep theirs). Logged.
    pub fn set_exhibit_prefix(&mut self, prefix: &str) -> Result<()> {
        validate_prefix(prefix)?;
        if prefix == self.matter.exhibit_prefix {
            return Ok(());
        }
        let mut matter = self.matter.clone();
        let before = std::mem::replace(&mut matter.exhibit_prefix, prefix.to_string());
        let now = format_time(self.clock.now());
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE settings SET value = ?1 WHERE key = 'matter'",
            [serde_json::to_string(&matter).expect("serialise")],
        )?;
        let events = vec![NewEvent::new(Action::SettingChanged).details(serde_json::json!({
            "setting": "exhibit_prefix", "before": before, "after": prefix
        }))];
        self.session.commit(tx, self.secrets.signing_key(), &self.config.vault_id, &now, events)?;
        self.matter = matter;
        Ok(())
    }

    /// Replaces the passphrase. Only `keys/passphrase.age` is rewritten
    /// (atomically); objects and database are untouched. Logged.
    pub fn change_passphrase(&mut self, new: &SecretString, work_factor: Option<u8>) -> Result<()> {
        let path = self.root.join("keys/passphrase.age");
        let wf = match work_factor {
            Some(w) => w,
            None => current_work_factor(&path).unwrap_or(keys::DEFAULT_WORK_FACTOR),
        };
        // The new key file is written beside the old one, the change is
        // logged naming it, and only then is it put in place: after a crash,
        // opening finishes a logged change and drops one that was not.
        let pending = self.root.join(NEW_KEY_FILE);
        self.secrets.write_passphrase_file(&pending, new, wf)?;
        let written = (|| {
            crate::failpoint::hit("passwd.written")?;
            let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(fs::read(&pending).at(&pending)?));
            self.log(vec![NewEvent::new(Action::PassphraseChanged).details(serde_json::json!({ "work_factor": wf, "key_file_sha256": sha }))])
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&pending);
            return Err(e);
        }
        crate::failpoint::hit("passwd.logged")?;
        fs::rename(&pending, &path).at(&path)?;
        sync_dir(&self.root.join("keys"))
    }

    /// Finishes or drops a passphrase change a crash interrupted: the new
    /// key file is put in place if its change was logged, removed otherwise.
    fn settle_passphrase_change(&mut self) -> Result<()> {
        // A key file whose atomic write a crash cut short was never used.
        if let Ok(entries) = fs::read_dir(self.root.join("keys")) {
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            crate::format::atomic::remove_unfinished_temps(&mut paths);
        }
        let pending = self.root.join(NEW_KEY_FILE);
        let Ok(bytes) = fs::read(&pending) else { return Ok(()) };
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let logged = self.events()?
            .iter()
            .rev()
            .find(|e| e.action == Action::PassphraseChanged)
            .is_some_and(|e| e.details.get("key_file_sha256").and_then(|v| v.as_str()) == Some(sha.as_str()));
        if logged {
            let path = self.root.join("keys/passphrase.age");
            fs::rename(&pending, &path).at(&path)?;
        } else {
            fs::remove_file(&pending).at(&pending)?;
        }
        sync_dir(&self.root.join("keys"))
    }
}

/// The scrypt work factor recorded in a passphrase key file's header.
fn current_work_factor(path: &Path) -> Option<u8> {
    let bytes = fs::read(path).ok()?;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).into_owned();
    text.lines().find(|l| l.starts_with("-> scrypt "))?.split(' ').nth(3)?.parse().ok()
}

fn validate_prefix(p: &str) -> Result<()> {
    if p.is_empty() || p.len() > 16 || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(Error::InvalidInput(format!(
            "exhibit prefix '{p}' must be 1 to 16 letters, digits, '-' or '_'"
        )));
    }
    Ok(())
}

pub(crate) fn validate_tag(t: &str) -> Result<&str> {
    let t = t.trim();
    if t.is_empty() || t.len() > 64 || t.chars().any(char::is_control) {
        return Err(Error::InvalidInput(format!("tag '{t}' must be 1 to 64 printable characters")));
    }
    Ok(t)
}
