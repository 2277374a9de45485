//! Opening a firm vault with one's own key, joining a matter from another
//! machine, moving a vault's catalog into the firm database, and the people
//! who hold keys to it.

use super::{CaughtUp, Firm, pg, replica};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::format::atomic::{create_private_dir, private_file, sync_dir, write_atomically};
use crate::format::config::{CONFIG_FILE, FORMAT_NAME, FORMAT_VERSION, FirmLink, MatterInfo, VaultConfig};
use crate::format::custody::{Action, NewEvent};
use crate::format::details::SettingChanged;
use crate::format::firm_config::{CatalogConfig, CatalogTarget};
use crate::format::keys::{KeyUnlock, VaultSecrets};
use crate::format::sealed::{FieldKey, Value};
use crate::store::{Unlock, Vault};
use age::secrecy::SecretString;
use std::path::Path;
use std::sync::Arc;

/// A person's key to a firm vault.
pub enum MemberKey {
    /// A passphrase of their own, with the scrypt work factor.
    Passphrase(SecretString, u8),
    /// Their age X25519 public key (they open with the identity file).
    Age(crate::format::keys::Recipient),
}

/// A person who holds a key to a firm vault.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FirmMember {
    /// Their name, as events name them.
    pub name: String,
    /// `passphrase` or `age`.
    pub key: String,
    /// Whether this copy is opened with their key.
    pub this_copy: bool,
}

/// A matter whose catalog a firm database holds.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FirmMatter {
    /// The vault id.
    pub vault_id: String,
    /// When its catalog was made there (UTC, RFC 3339).
    pub created: String,
    /// How many changes it holds.
    pub changes: i64,
}

/// What moving a catalog into the firm database did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MovedCatalog {
    /// Where it went.
    pub to: String,
    /// Who can open it there (the key files this vault had).
    pub members: Vec<String>,
    /// Custody events it holds.
    pub events: u64,
}

/// A catalog reached, before the key that opens it is known.
pub(crate) struct Reached {
    client: postgres::Client,
    target: CatalogTarget,
    schema: String,
    members: Vec<pg::MemberRow>,
}

fn kind_of(unlock: &Unlock) -> &'static str {
    match unlock {
        Unlock::Passphrase(_) => "passphrase",
        Unlock::Recovery(_) => "age",
    }
}

fn key_unlock(unlock: &Unlock) -> KeyUnlock<'_> {
    match unlock {
        Unlock::Passphrase(p) => KeyUnlock::Passphrase(p),
        Unlock::Recovery(id) => KeyUnlock::Identity(id),
    }
}

/// Reaches the catalog of vault `vault_id`.
pub(crate) fn reach(catalog: &CatalogConfig, vault_id: &str) -> Result<Reached> {
    let target = catalog.target()?;
    let mut client = pg::connect(&target)?;
    let schema = pg::schema_name(vault_id);
    let present = pg::tables_present(&mut client, &schema).map_err(|e| pg::pg_error(&target, e))?;
    if present == 0 {
        return Err(Error::Catalog(format!("{} holds no catalog for matter {vault_id}", target.describe())));
    }
    let members = pg::members(&mut client, &schema).map_err(|e| pg::pg_error(&target, e))?;
    Ok(Reached { client, target, schema, members })
}

impl Reached {
    /// Opens the secrets with the key file of `member` (or, with none named,
    /// the first key file `unlock` opens): (secrets, member id).
    pub(crate) fn unlock(&self, member: Option<&str>, unlock: &Unlock) -> Result<(VaultSecrets, uuid::Uuid)> {
        let label = Path::new("the firm catalog's key file");
        if let Some(id) = member {
            let m = self.members.iter().find(|m| m.id.to_string() == id).ok_or_else(|| {
                Error::Catalog("your key was removed from this matter's catalog: ask someone who holds a key to add you again".into())
            })?;
            if m.kind != kind_of(unlock) {
                return Err(Error::InvalidInput(format!("your key to this matter is a{} {}, not what was given", if m.kind == "age" { "n" } else { "" }, if m.kind == "age" { "age identity (--recovery-identity FILE)" } else { "passphrase" })));
            }
            return Ok((VaultSecrets::open_key_bytes(&m.key_file, label, key_unlock(unlock))?, m.id));
        }
        for m in self.members.iter().filter(|m| m.kind == kind_of(unlock)) {
            match VaultSecrets::open_key_bytes(&m.key_file, label, key_unlock(unlock)) {
                Ok(s) => return Ok((s, m.id)),
                Err(Error::WrongPassphrase) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::WrongPassphrase)
    }

    /// The catalog as this copy works with it.
    pub(crate) fn into_firm(self, conn: &rusqlite::Connection, secrets: &VaultSecrets, member: uuid::Uuid) -> Result<Firm> {
        let key = secrets.field_key();
        let row = self.members.iter().find(|m| m.id == member).ok_or_else(|| Error::Catalog("the member is gone".into()))?;
        let member_name = open_name(&key, row)?;
        let mut client = self.client;
        let version: i32 = client
            .query_one(&format!("SELECT catalog_schema FROM \"{}\".matter", self.schema), &[])
            .map_err(|e| pg::pg_error(&self.target, e))?
            .get(0);
        if version as i64 != crate::store::db::SCHEMA_VERSION {
            return Err(Error::Catalog(format!(
                "the firm catalog is at schema {version} and this Custos at {}: every copy must run the same Custos",
                crate::store::db::SCHEMA_VERSION
            )));
        }
        replica::install_capture(conn)?;
        Ok(Firm {
            client: std::sync::Mutex::new(client),
            target: self.target,
            schema: self.schema,
            key,
            member,
            member_name,
            shapes: replica::shapes(conn)?,
            open: false.into(),
            whole_copy: false.into(),
        })
    }
}

fn open_name(key: &FieldKey, row: &pg::MemberRow) -> Result<String> {
    match key.open(&row.name, &pg::member_name_aad(&row.id)).map_err(|e| Error::Catalog(e.0))? {
        Value::Text(n) => Ok(n),
        _ => Err(Error::Catalog("a member's name is not text".into())),
    }
}

/// The matters whose catalogs the firm database holds.
pub fn firm_matters(catalog: &CatalogConfig) -> Result<Vec<FirmMatter>> {
    let target = catalog.target()?;
    let mut client = pg::connect(&target)?;
    let pgerr = |e| pg::pg_error(&target, e);
    let mut out = Vec::new();
    for schema in pg::matters(&mut client).map_err(pgerr)? {
        let row = client
            .query_one(
                &format!(
                    "SELECT vault_id::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                            (SELECT coalesce(max(seq), 0) FROM \"{schema}\".catalog_changes) FROM \"{schema}\".matter"
                ),
                &[],
            )
            .map_err(pgerr)?;
        out.push(FirmMatter { vault_id: row.get(0), created: row.get(1), changes: row.get(2) });
    }
    Ok(out)
}

impl Vault {
    /// Replays the changes others made since this copy last did (a firm
    /// vault; nothing otherwise).
    pub(crate) fn catch_up(&mut self) -> Result<()> {
        let Some(firm) = &self.firm else { return Ok(()) };
        let caught = firm.catch_up(&mut self.conn)?;
        self.absorb(caught)
    }

    /// Brings the session's place in the log, the matter and the object
    /// versions up to what was replayed.
    pub(crate) fn absorb(&mut self, caught: CaughtUp) -> Result<()> {
        for (seq, body) in &caught.events {
            let size = self.session.frontier.size();
            if *seq as u64 == size + 1 {
                self.session.frontier.push(crate::format::merkle::LeafHash::of(body));
            } else if *seq as u64 > size {
                self.session.frontier = crate::store::custody_log::load_frontier(&self.conn)?;
                break;
            }
        }
        if caught.settings {
            self.matter = crate::store::open::read_matter(&self.conn)?;
        }
        if let Some(b) = self.objects.bucket() {
            b.remember(caught.placements);
        }
        Ok(())
    }

    /// The catalog this copy belongs to, if it is a firm vault's.
    pub fn firm_catalog(&self) -> Option<String> {
        self.firm.as_ref().map(|f| f.describe())
    }

    /// Moves this vault's catalog and custody log into the firm database
    /// `catalog` names: a new schema for the matter, this vault's key files
    /// as its members' (the passphrase file as the acting examiner's), and
    /// the whole catalog as its first change, with a `catalog_moved` event.
    /// The objects must already be in the firm's bucket. The folder becomes
    /// a copy of the firm vault, opened with the same passphrase.
    pub fn move_catalog_to_firm(&mut self, catalog: &CatalogConfig) -> Result<MovedCatalog> {
        if self.firm.is_some() {
            return Err(Error::InvalidInput("this vault's catalog is already in a firm database".into()));
        }
        if self.objects.bucket().is_none() {
            return Err(Error::InvalidInput(
                "the objects are still in the vault folder: a catalog several people share needs them in the firm's bucket ([objects] in the same config)".into(),
            ));
        }
        let target = catalog.target()?;
        let mut client = pg::connect(&target)?;
        let pgerr = |e| pg::pg_error(&target, e);
        let schema = pg::schema_name(&self.config.vault_id);
        let key = self.secrets.field_key();
        let actor = self.actor().to_string();
        let mut members = vec![(uuid::Uuid::new_v4(), "passphrase", actor.clone(), std::fs::read(self.root.join("keys/passphrase.age")).map_err(|e| Error::Io { path: self.root.join("keys/passphrase.age"), source: e })?)];
        if let Ok(bytes) = std::fs::read(self.root.join("keys/recovery.age")) {
            members.push((uuid::Uuid::new_v4(), "age", "recovery key".to_string(), bytes));
        }
        let present = pg::tables_present(&mut client, &schema).map_err(pgerr)?;
        let head = if present > 0 { pg::head(&mut client, &schema).map_err(pgerr)? } else { 0 };
        if head > 0 {
            return Err(Error::InvalidInput(format!("{} already holds this matter's catalog", target.describe())));
        }
        {
            let mut tx = client.transaction().map_err(pgerr)?;
            if present > 0 {
                // An earlier move made the schema and was stopped before its
                // first change: its key files are replaced.
                tx.execute(&format!("DELETE FROM \"{schema}\".members"), &[]).map_err(pgerr)?;
            } else {
                let shapes = replica::shapes(&self.conn)?;
                tx.batch_execute(&pg::create_sql(&schema, &shapes)).map_err(pgerr)?;
                let id = uuid::Uuid::parse_str(&self.config.vault_id).map_err(|_| Error::DamagedDatabase("the vault id is not a UUID".into()))?;
                tx.execute(&format!("INSERT INTO \"{schema}\".matter (vault_id, catalog_schema) VALUES ($1, $2)"), &[&id, &(crate::store::db::SCHEMA_VERSION as i32)])
                    .map_err(pgerr)?;
            }
            for (id, kind, name, file) in &members {
                let sealed = key.seal(&Value::Text(name.clone()), &pg::member_name_aad(id));
                tx.execute(
                    &format!("INSERT INTO \"{schema}\".members (id, kind, name, key_file) VALUES ($1, $2, $3, $4)"),
                    &[id, kind, &sealed, file],
                )
                .map_err(pgerr)?;
            }
            tx.commit().map_err(pgerr)?;
        }
        let reached = Reached { members: pg::members(&mut client, &schema).map_err(pgerr)?, client, target: target.clone(), schema };
        let firm = reached.into_firm(&self.conn, &self.secrets, members[0].0)?;
        firm.whole_copy.store(true, std::sync::atomic::Ordering::SeqCst);
        self.firm = Some(firm);
        let moved = MovedCatalog { to: target.describe(), members: members.iter().map(|m| m.2.clone()).collect(), events: 0 };
        let event = NewEvent::new(Action::SettingChanged).details(SettingChanged::CatalogMoved { to: moved.to.clone(), members: moved.members.clone() });
        if let Err(e) = self.log(vec![event]) {
            self.firm = None;
            return Err(e);
        }
        crate::failpoint::hit("catalog.moved")?;
        self.config.version = FORMAT_VERSION;
        self.config.firm = Some(FirmLink { catalog: catalog.url.clone(), member: members[0].0.to_string() });
        write_atomically(&self.root.join(CONFIG_FILE), &serde_json::to_vec_pretty(&self.config).expect("serialise"))?;
        Ok(MovedCatalog { events: self.event_count()?, ..moved })
    }

    /// Makes `root` a new copy of the firm vault whose catalog `catalog`
    /// names (the only matter there, or `vault_id`), opened with the caller's
    /// own key, and opens it.
    pub fn join_firm(root: &Path, catalog: &CatalogConfig, vault_id: Option<&str>, unlock: &Unlock, actor: Option<&str>, clock: Arc<dyn Clock>) -> Result<Vault> {
        if root.exists() && (!root.is_dir() || std::fs::read_dir(root).map_err(|e| Error::Io { path: root.to_path_buf(), source: e })?.next().is_some()) {
            return Err(Error::AlreadyExists(root.to_path_buf()));
        }
        let vault_id = match vault_id {
            Some(v) => v.to_string(),
            None => {
                let matters = firm_matters(catalog)?;
                match matters.as_slice() {
                    [one] => one.vault_id.clone(),
                    [] => return Err(Error::Catalog(format!("{} holds no matter", catalog.target()?.describe()))),
                    _ => return Err(Error::InvalidInput(format!("the firm database holds {} matters: name one (--matter VAULT-ID)", matters.len()))),
                }
            }
        };
        let reached = reach(catalog, &vault_id)?;
        let (secrets, member) = reached.unlock(None, unlock)?;
        create_private_dir(root)?;
        for d in ["keys", "db", "objects"] {
            create_private_dir(&root.join(d))?;
        }
        let db = root.join("db/custos.db");
        private_file(std::fs::OpenOptions::new().write(true).create_new(true)).open(&db).map_err(|e| Error::Io { path: db.clone(), source: e })?;
        let created = {
            let mut conn = crate::store::db::open(&db, &secrets, true)?;
            let firm = reached.into_firm(&conn, &secrets, member)?;
            firm.catch_up(&mut conn)?;
            let matter: MatterInfo = crate::store::open::read_matter(&conn)?;
            if matter.vault_id != vault_id {
                return Err(Error::Catalog(format!("the catalog of matter {vault_id} holds matter {}", matter.vault_id)));
            }
            matter.created
        };
        sync_dir(&root.join("db"))?;
        let config = VaultConfig {
            format: FORMAT_NAME.into(),
            version: FORMAT_VERSION,
            vault_id,
            created,
            age_recipient: secrets.age_recipient().to_string(),
            signing_key: hex::encode(secrets.verifying_key().to_bytes()),
            firm: Some(FirmLink { catalog: catalog.url.clone(), member: member.to_string() }),
        };
        drop(secrets);
        write_atomically(&root.join(CONFIG_FILE), &serde_json::to_vec_pretty(&config).expect("serialise"))?;
        sync_dir(root)?;
        Vault::open(root, unlock, actor, clock)
    }

    /// The people who hold keys to this firm vault.
    pub fn firm_members(&self) -> Result<Vec<FirmMember>> {
        let firm = self.firm.as_ref().ok_or_else(|| Error::InvalidInput("this is not a firm vault".into()))?;
        let rows = firm.pg(pg::members(&mut firm.client(), &firm.schema))?;
        rows.iter()
            .map(|r| Ok(FirmMember { name: open_name(&firm.key, r)?, key: r.kind.clone(), this_copy: r.id == firm.member }))
            .collect()
    }

    /// Gives `name` their own key to the matter: a key file in the catalog
    /// (the matter's secrets, encrypted to their passphrase or age key),
    /// logged as a `setting_changed` (`member_added`) event.
    pub fn add_member(&mut self, name: &str, key: &MemberKey) -> Result<FirmMember> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(Error::InvalidInput("give the person's name (one line, at most 200 characters)".into()));
        }
        if self.firm_members()?.iter().any(|m| m.name == name) {
            return Err(Error::InvalidInput(format!("{name} already holds a key to this matter")));
        }
        let (kind, file, said) = match key {
            MemberKey::Passphrase(p, wf) => ("passphrase", self.secrets.passphrase_key_file(p, *wf)?, "passphrase".to_string()),
            MemberKey::Age(r) => ("age", self.secrets.identity_key_file(r.key())?, r.to_string()),
        };
        let change = self.change()?;
        let firm = change.firm.0.expect("a firm vault");
        firm.within(|c, schema, fk| {
            let id = uuid::Uuid::new_v4();
            let sealed = fk.seal(&Value::Text(name.to_string()), &pg::member_name_aad(&id));
            c.execute(&format!("INSERT INTO \"{schema}\".members (id, kind, name, key_file) VALUES ($1, $2, $3, $4)"), &[&id, &kind, &sealed, &file])
        })?;
        change.commit(vec![NewEvent::new(Action::SettingChanged).details(SettingChanged::MemberAdded { name: name.to_string(), key: said })])?;
        Ok(FirmMember { name: name.to_string(), key: kind.to_string(), this_copy: false })
    }

    /// Removes `name`'s key file from the catalog, logged as a
    /// `setting_changed` (`member_removed`) event. The matter's keys are not
    /// changed: what the person already copied stays readable to them.
    pub fn remove_member(&mut self, name: &str) -> Result<()> {
        let firm = self.firm.as_ref().ok_or_else(|| Error::InvalidInput("this is not a firm vault".into()))?;
        let rows = firm.pg(pg::members(&mut firm.client(), &firm.schema))?;
        let mut found = None;
        for r in &rows {
            if open_name(&firm.key, r)? == name {
                found = Some(r.id);
            }
        }
        let id = found.ok_or_else(|| Error::InvalidInput(format!("no one named {name} holds a key to this matter")))?;
        if id == firm.member {
            return Err(Error::InvalidInput("you cannot remove your own key: ask another member to".into()));
        }
        let change = self.change()?;
        let firm = change.firm.0.expect("a firm vault");
        firm.within(|c, schema, _| c.execute(&format!("DELETE FROM \"{schema}\".members WHERE id = $1"), &[&id]))?;
        change.commit(vec![NewEvent::new(Action::SettingChanged).details(SettingChanged::MemberRemoved { name: name.to_string() })])?;
        Ok(())
    }

    /// Replaces this member's key file in the catalog with one for a new
    /// passphrase, in one logged change (`passphrase_changed`).
    pub(crate) fn change_firm_passphrase(&mut self, new: &SecretString, work_factor: u8) -> Result<()> {
        let file = self.secrets.passphrase_key_file(new, work_factor)?;
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&file));
        let change = self.change()?;
        let firm = change.firm.0.expect("a firm vault");
        let me = firm.member;
        let updated = firm.within(|c, schema, _| {
            c.execute(&format!("UPDATE \"{schema}\".members SET key_file = $1 WHERE id = $2 AND kind = 'passphrase'"), &[&file, &me])
        })?;
        if updated != 1 {
            return Err(Error::InvalidInput("this copy is not opened with a passphrase of its own".into()));
        }
        change.commit(vec![NewEvent::new(Action::PassphraseChanged)
            .details(crate::format::details::PassphraseChanged { work_factor, key_file_sha256: sha })])?;
        Ok(())
    }

    /// A firm vault's findings on its database: each table there compared
    /// with this copy's (none for another vault).
    pub(crate) fn check_firm_catalog(&self) -> Result<Vec<crate::format::finding::Finding>> {
        use crate::format::finding::{Finding, FindingKind, Severity};
        let Some(firm) = &self.firm else { return Ok(Vec::new()) };
        Ok(firm
            .differences(&self.conn)?
            .into_iter()
            .map(|what| Finding {
                severity: Severity::Error,
                exhibit: None,
                kind: FindingKind::CatalogDiffers,
                event: None,
                message: format!("the firm database {} does not hold what this copy holds: {what}", firm.describe()),
                action: "Someone changed the firm database outside Custos. This copy's log is checked on its own; keep it, find out who \
                         changed the database (its logs), and have the database restored from a backup."
                    .into(),
            })
            .collect())
    }
}
