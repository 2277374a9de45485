//! Creating a vault and unlocking one: the folder, keys, database and
//! first events; on unlock, the recovery of what an interrupted intake or
//! passphrase change left.

use crate::format::atomic::{sync_dir, write_atomically};
use crate::clock::{Clock, format_time};
use crate::format::custody::{Action, NewEvent};
use crate::store::custody_log::LogWriter;
use crate::error::{Error, IoContext, Result};
use crate::format::keys::{self, VaultSecrets};
use crate::format::merkle::Frontier;
use crate::store::objects::{ObjectStore, PARTIAL_PREFIX, quarantine_path};
use age::secrecy::SecretString;
use rusqlite::OptionalExtension;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use super::NEW_KEY_FILE;
use crate::format::config::{BUCKET_FORMAT_VERSION, CONFIG_FILE, FOLDER_FORMAT_VERSION, FORMAT_NAME, MatterInfo, VaultConfig, probe, validate_prefix};
use crate::format::objects_config::ObjectsConfig;
use crate::store::objects::S3Objects;
use crate::store::Vault;

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
    pub recovery_recipient: Option<keys::Recipient>,
    /// scrypt work factor for the passphrase key file.
    pub work_factor: u8,
    /// Exhibit number prefix (default `EX-`).
    pub exhibit_prefix: String,
    /// The S3 bucket with Object Lock to keep the objects in, instead of
    /// the vault folder.
    pub objects: Option<ObjectsConfig>,
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
            objects: None,
        }
    }
}

/// How a stray object left in a write-once bucket is recorded.
pub(crate) const BUCKET_STRAY: &str =
    "left in the write-once bucket, which keeps it until its retention date: an interrupted intake put it there but never committed it; never trusted";

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
        let recovery = opts.recovery_recipient.as_ref().map(|r| r.key().clone());
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
        // The bucket is checked before anything is made: reachable with these
        // credentials and write-once, or no vault.
        let bucket = match &opts.objects {
            Some(config) => {
                let bucket = S3Objects::connect(config, root.join("objects"))?;
                bucket.check_bucket(&Default::default())?;
                Some(bucket)
            }
            None => None,
        };
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
            version: if bucket.is_some() { BUCKET_FORMAT_VERSION } else { FOLDER_FORMAT_VERSION },
            vault_id: uuid::Uuid::new_v4().to_string(),
            created: now.clone(),
            age_recipient: secrets.age_recipient().to_string(),
            signing_key: hex::encode(secrets.verifying_key().to_bytes()),
            firm: None,
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
            if let Some(config) = &opts.objects {
                crate::store::placements::save_objects_config(&tx, config)?;
            }
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
                vec![NewEvent::new(Action::VaultCreated).details(crate::format::details::VaultCreated {
                    matter: matter_info.matter.clone(),
                    matter_number: matter_info.matter_number.clone(),
                    work_factor: opts.work_factor,
                    recovery_recipient: opts.recovery_recipient.as_ref().map(|r| r.to_string()),
                    signing_key: config.signing_key.clone(),
                    objects: opts.objects.as_ref().map(ObjectsConfig::describe),
                })],
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
            objects: match bucket {
                Some(b) => ObjectStore::in_bucket(b, root.join("objects")),
                None => ObjectStore::new(root.join("objects")),
            },
            clock,
            matter: matter_info,
            session: crate::store::custody_log::SessionLog { frontier, pending: Vec::new(), actor: examiner.into(), location: host_name() },
            firm: None,
            _lock: lock,
        })
    }

    /// Unlocks an existing vault. `actor` overrides the examiner recorded as
    /// performing this session's actions. Stray objects left by an interrupted
    /// intake are quarantined and logged; the unlock is logged.
    pub fn open(root: &Path, unlock: &Unlock, actor: Option<&str>, clock: Arc<dyn Clock>) -> Result<Vault> {
        let config = probe(root)?;
        let lock = lock_vault(root)?;
        // A firm vault's copy opens with its member's key file, which the catalog holds.
        let mut reached = None;
        let (secrets, via) = if let Some(link) = &config.firm {
            let catalog = crate::format::firm_config::CatalogConfig { url: link.catalog.clone() };
            let r = crate::store::firm::vault::reach(&catalog, &config.vault_id)?;
            let (secrets, member) = r.unlock(Some(&link.member), unlock)?;
            reached = Some((r, member));
            (secrets, if matches!(unlock, Unlock::Passphrase(_)) { "passphrase" } else { "age key" })
        } else { match unlock {
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
        } };
        let mut conn = crate::store::db::open(&root.join("db/custos.db"), &secrets, false)?;
        let firm = match reached {
            Some((r, member)) => {
                let firm = r.into_firm(&conn, &secrets, member)?;
                firm.catch_up(&mut conn)?;
                Some(firm)
            }
            None => None,
        };
        let matter = read_matter(&conn)?;
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
        let objects = match crate::store::placements::objects_config(&conn)? {
            Some(config) => {
                let bucket = S3Objects::connect(&config, root.join("objects"))?;
                bucket.remember(crate::store::placements::all(&conn)?.into_iter().map(|(name, p)| (name, p.version_id)));
                ObjectStore::in_bucket(bucket, root.join("objects"))
            }
            None => ObjectStore::new(root.join("objects")),
        };
        let frontier = crate::store::custody_log::load_frontier(&conn)?;
        let actor = actor.map(str::trim).filter(|a| !a.is_empty());
        let actor = match &firm {
            // Each event names the person whose key opened the matter.
            Some(f) => match actor {
                Some(a) if a != f.member_name() => {
                    return Err(Error::InvalidInput(format!(
                        "in a firm vault each event names the person whose key opened it ({}); --examiner cannot name {a}",
                        f.member_name()
                    )));
                }
                _ => f.member_name().to_string(),
            },
            None => actor.unwrap_or(&matter.examiner).to_string(),
        };
        let mut vault = Vault {
            root: root.to_path_buf(),
            config,
            secrets,
            conn,
            objects,
            clock,
            matter,
            session: crate::store::custody_log::SessionLog { frontier, pending: Vec::new(), actor, location: host_name() },
            firm,
            _lock: lock,
        };
        let unlocked_at = format_time(vault.clock.now());
        // Recovery changes the disk: it is logged first, then done.
        vault.settle_passphrase_change()?;
        vault.recover_interrupted_intake()?;
        vault.finish_move_to_bucket()?;
        vault.remove_left_partials()?;
        vault.session.pending.push(
            NewEvent::new(Action::VaultUnlocked).details(crate::format::details::VaultUnlocked { via: via.to_string(), unlocked_at }),
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
        let (names, other) = self.objects.leftovers()?;
        let (journaled, journals) = self.objects.journaled(&other);
        let partials: Vec<PathBuf> = other
            .into_iter()
            .filter(|p| p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(PARTIAL_PREFIX)))
            .collect();
        let mut events = Vec::new();
        for p in &partials {
            let fname = p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            // An unfinished write: its ciphertext is incomplete and was never referenced.
            events.push(NewEvent::new(Action::StrayObjectQuarantined).details(crate::format::details::StrayObject {
                object: None,
                file: Some(fname),
                moved_to: None,
                disposition: "removed unfinished partial object".into(),
            }));
        }
        let mut moves = Vec::new();
        if !journaled.is_empty() {
            let referenced = self.referenced_objects()?;
            let quarantine = self.root.join("quarantine");
            for name in names.iter().filter(|n| journaled.contains(*n) && !referenced.contains(*n)) {
                if self.objects.bucket().is_some() {
                    events.push(NewEvent::new(Action::StrayObjectQuarantined).details(crate::format::details::StrayObject {
                        object: Some(name.to_string()),
                        file: None,
                        moved_to: None,
                        disposition: BUCKET_STRAY.into(),
                    }));
                    continue;
                }
                let from = self.objects.path(name);
                let dest = quarantine_path(&from, &quarantine);
                events.push(NewEvent::new(Action::StrayObjectQuarantined).details(crate::format::details::StrayObject {
                    object: Some(name.to_string()),
                    file: None,
                    moved_to: Some(dest.strip_prefix(&self.root).unwrap_or(&dest).to_string_lossy().into_owned()),
                    disposition: "quarantined: an interrupted intake put it in place but never committed it; never trusted".into(),
                }));
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

    /// Removes the folder copies a move to the bucket left when it was
    /// interrupted after it committed: each is in the bucket, recorded.
    fn finish_move_to_bucket(&mut self) -> Result<()> {
        let copies = self.objects.folder_copies()?;
        if copies.is_empty() {
            return Ok(());
        }
        let placed = crate::store::placements::all(&self.conn)?;
        let moved: Vec<String> = copies.into_iter().filter(|n| placed.contains_key(n)).collect();
        self.objects.remove_folder_copies(&moved)
    }

    pub(crate) fn referenced_objects(&self) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self.conn.prepare("SELECT object FROM exhibits")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The matter record a catalog holds.
pub(crate) fn read_matter(conn: &rusqlite::Connection) -> Result<MatterInfo> {
    conn.query_row("SELECT value FROM settings WHERE key = 'matter'", [], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|s| serde_json::from_str(&s).ok())
        .ok_or_else(|| Error::DamagedDatabase("the matter settings are missing".into()))
}
