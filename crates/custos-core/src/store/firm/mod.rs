//! A firm vault's catalog and custody log in PostgreSQL (DESIGN §1.3.2).
//!
//! Each person works in a copy of the catalog (the usual encrypted SQLite
//! database in their vault folder). The database is the record: every change
//! begins by taking the matter's lock there and replaying, in order, the
//! changes others made since this copy last did; then it runs against the
//! up-to-date copy (so exhibit numbers and log sequence numbers continue
//! without a gap), and it commits in PostgreSQL first, as the next change in
//! the matter's append-only list, and only then in the copy. A change that
//! fails in PostgreSQL leaves the copy as it was.

mod compare;
pub(crate) mod pg;
pub(crate) mod replica;
pub(crate) mod vault;

pub use vault::{FirmMember, FirmMatter, MemberKey, MovedCatalog};

use crate::error::{Error, Result};
use crate::format::firm_config::CatalogTarget;
use crate::format::sealed::{FieldKey, Value};
use replica::{Op, OpKind, Shape};
use rusqlite::{Connection, Transaction};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// How this copy reaches the matter's catalog, with whose key.
pub(crate) struct Firm {
    client: Mutex<postgres::Client>,
    target: CatalogTarget,
    schema: String,
    key: FieldKey,
    member: uuid::Uuid,
    member_name: String,
    shapes: Vec<Shape>,
    /// A transaction is open in PostgreSQL, holding the matter's lock.
    open: AtomicBool,
    /// The next commit writes a whole copy of the catalog (a move into the firm database).
    whole_copy: AtomicBool,
}

impl std::fmt::Debug for Firm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Firm").field("catalog", &self.target.describe()).field("schema", &self.schema).finish_non_exhaustive()
    }
}

/// What replaying others' changes brought into this copy.
#[derive(Default)]
pub(crate) struct CaughtUp {
    /// Custody events appended: (seq, body).
    pub events: Vec<(i64, Vec<u8>)>,
    /// Object versions recorded: (name, version id).
    pub placements: Vec<(String, String)>,
    /// Whether a setting changed (the matter record among them).
    pub settings: bool,
}

fn table_index(name: &str) -> usize {
    replica::TABLES.iter().position(|t| *t == name).expect("a replicated table")
}

impl Firm {
    fn client(&self) -> std::sync::MutexGuard<'_, postgres::Client> {
        self.client.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn pg<T>(&self, r: std::result::Result<T, postgres::Error>) -> Result<T> {
        r.map_err(|e| pg::pg_error(&self.target, e))
    }

    /// The person whose key opened the matter.
    pub(crate) fn member_name(&self) -> &str {
        &self.member_name
    }

    /// Where the catalog is, as said to people.
    pub(crate) fn describe(&self) -> String {
        self.target.describe()
    }

    /// Begins the catalog's side of a change: a transaction that holds the
    /// matter's lock until it commits or rolls back, so that no one else's
    /// change comes between this copy catching up and its commit.
    pub(crate) fn begin(&self) -> Result<()> {
        self.rollback();
        let mut c = self.client();
        let r = c.batch_execute("BEGIN ISOLATION LEVEL READ COMMITTED").and_then(|()| {
            c.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&self.schema]).map(|_| ())
        });
        drop(c);
        match self.pg(r) {
            Ok(()) => {
                self.open.store(true, Ordering::SeqCst);
                Ok(())
            }
            Err(e) => {
                let _ = self.client().batch_execute("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Ends the catalog's transaction without writing (the change was dropped).
    pub(crate) fn rollback(&self) {
        if self.open.swap(false, Ordering::SeqCst) {
            let _ = self.client().batch_execute("ROLLBACK");
        }
    }

    /// The changes after `after`, opened, in order: (seq, whole copy, ops).
    /// A catalog that holds fewer changes than this copy has lost some.
    pub(crate) fn fetch(&self, after: i64) -> Result<Vec<(i64, bool, Vec<Op>)>> {
        let (head, parts) = {
            let mut c = self.client();
            let head = pg::head(&mut c, &self.schema);
            let parts = pg::changes_after(&mut c, &self.schema, after);
            (head, parts)
        };
        let head = self.pg(head)?;
        if head < after {
            return Err(Error::Catalog(format!(
                "the firm catalog holds {head} changes but this copy has already replayed {after}: changes were removed from the database"
            )));
        }
        let mut out: Vec<(i64, bool, Vec<Op>)> = Vec::new();
        let mut last: Option<(i64, i32)> = None;
        for p in self.pg(parts)? {
            let in_order = match last {
                None => p.seq == after + 1 && p.part == 0,
                Some((seq, part)) => (p.seq == seq && p.part == part + 1) || (p.seq == seq + 1 && p.part == 0),
            };
            if !in_order {
                let missing = last.map_or(after + 1, |l| l.0 + 1);
                return Err(Error::Catalog(format!("the firm catalog's change {missing} is missing or incomplete")));
            }
            let plain = self.key.open_bytes(&p.sealed, &pg::change_aad(&self.schema, p.seq, p.part)).map_err(|e| Error::Catalog(e.0))?;
            let ops = replica::decode_ops(&plain)?;
            match out.last_mut() {
                Some(last) if last.0 == p.seq => last.2.extend(ops),
                _ => out.push((p.seq, p.snapshot, ops)),
            }
            last = Some((p.seq, p.part));
        }
        if out.last().map_or(after, |l| l.0) != head {
            return Err(Error::Catalog(format!("the firm catalog's changes up to {head} could not all be read")));
        }
        Ok(out)
    }

    /// Replays the changes after this copy's last into `conn`, in one
    /// transaction.
    pub(crate) fn catch_up(&self, conn: &mut Connection) -> Result<CaughtUp> {
        let after = replica::local_seq(conn)?;
        let changes = self.fetch(after)?;
        let mut caught = CaughtUp::default();
        if changes.is_empty() {
            return Ok(caught);
        }
        let (events, placements, settings) = (table_index("custody_events"), table_index("object_placements"), table_index("settings"));
        let tx = conn.transaction()?;
        for (seq, _whole, ops) in &changes {
            replica::apply(&tx, &self.shapes, ops)?;
            for op in ops.iter().filter(|o| o.kind == OpKind::Insert) {
                match (op.table, op.values.as_slice()) {
                    (t, [Value::Integer(seq), Value::Blob(body), ..]) if t == events => caught.events.push((*seq, body.clone())),
                    (t, [Value::Text(name), Value::Text(version), ..]) if t == placements => caught.placements.push((name.clone(), version.clone())),
                    _ => {}
                }
            }
            caught.settings |= ops.iter().any(|o| o.table == settings);
            replica::set_local_seq(&tx, *seq)?;
        }
        tx.commit()?;
        caught.events.sort_by_key(|e| e.0);
        Ok(caught)
    }

    /// Writes the change in `tx` to the catalog as its next change and
    /// commits there; the caller commits `tx` after. With nothing written,
    /// the catalog's transaction just ends.
    pub(crate) fn push(&self, tx: &Transaction<'_>) -> Result<()> {
        if !self.open.load(Ordering::SeqCst) {
            return Err(Error::Catalog("a change was written without the matter's lock".into()));
        }
        let whole = self.whole_copy.load(Ordering::SeqCst);
        let ops = if whole {
            tx.execute("DELETE FROM temp.firm_outbox", [])?;
            replica::snapshot(tx, &self.shapes)?
        } else {
            replica::captured(tx, &self.shapes)?
        };
        if ops.is_empty() {
            self.rollback();
            return Ok(());
        }
        let seq = replica::local_seq(tx)? + 1;
        replica::set_local_seq(tx, seq)?;
        crate::failpoint::hit("firm.before_push")?;
        let r = {
            let mut c = self.client();
            pg::write_change(&mut c, &self.schema, &self.key, &pg::ChangeHead { seq, member: self.member, whole }, &self.shapes, &ops)
                .and_then(|()| c.batch_execute("COMMIT"))
        };
        self.open.store(false, Ordering::SeqCst);
        if let Err(e) = r {
            let _ = self.client().batch_execute("ROLLBACK");
            return Err(pg::pg_error(&self.target, e));
        }
        self.whole_copy.store(false, Ordering::SeqCst);
        crate::failpoint::hit("firm.pushed")?;
        Ok(())
    }

    /// Runs `f` on the catalog's connection inside the open change.
    pub(crate) fn within<T>(&self, f: impl FnOnce(&mut postgres::Client, &str, &FieldKey) -> std::result::Result<T, postgres::Error>) -> Result<T> {
        if !self.open.load(Ordering::SeqCst) {
            return Err(Error::Catalog("the matter's lock is not held".into()));
        }
        let r = f(&mut self.client(), &self.schema, &self.key);
        self.pg(r)
    }
}

impl Drop for Firm {
    fn drop(&mut self) {
        self.rollback();
    }
}

/// Ends the catalog's transaction if the change it belongs to is dropped
/// without committing.
pub(crate) struct FirmGuard<'a>(pub Option<&'a Firm>);

impl Drop for FirmGuard<'_> {
    fn drop(&mut self) {
        if let Some(f) = self.0 {
            f.rollback();
        }
    }
}
