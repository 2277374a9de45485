//! The firm catalog in PostgreSQL (DESIGN §1.3.2): one schema per matter
//! with the catalog's own tables (case data sealed, only what indexing needs
//! in clear), the members' key files, and the ordered, append-only list of
//! changes each copy replays.

use super::replica::{Op, OpKind, Shape, TABLES};
use crate::error::{Error, Result};
use crate::format::firm_config::CatalogTarget;
use crate::format::sealed::{FieldKey, Value};
use postgres::types::ToSql;

/// The columns kept in clear: exhibit numbers, names of encrypted objects
/// (hashes of ciphertext), sequence numbers and times. Every other column is
/// sealed.
pub(crate) const CLEAR: &[(&str, &str)] = &[
    ("exhibits", "number"),
    ("exhibits", "object"),
    ("exhibits", "collected_at"),
    ("exhibit_sources", "collected_at"),
    ("custody_events", "seq"),
    ("custody_index", "seq"),
    ("custody_index", "time"),
    ("checkpoints", "tree_size"),
    ("checkpoints", "time"),
    ("checkpoint_timestamps", "tree_size"),
    ("checkpoint_timestamps", "stamped_at"),
    ("derivations", "seq"),
    ("derivations", "time"),
    ("productions", "produced_at"),
    ("object_placements", "name"),
    ("object_placements", "version_id"),
    ("object_placements", "mode"),
    ("object_placements", "retain_until"),
    ("object_placements", "legal_hold"),
    ("object_placements", "etag"),
];

/// Tables no one may change or empty once written, in the catalog as in the vault.
const APPEND_ONLY: &[&str] = &["custody_events", "checkpoints", "checkpoint_timestamps", "catalog_changes"];

/// The largest sealed part of one change (a whole copy is written in many).
const PART_BYTES: usize = 8 << 20;

pub(crate) fn is_clear(table: &str, column: &str) -> bool {
    CLEAR.iter().any(|(t, c)| *t == table && *c == column)
}

/// The schema a matter's catalog lives in.
pub(crate) fn schema_name(vault_id: &str) -> String {
    format!("custos_{}", vault_id.replace('-', ""))
}

/// Why a database call failed, said for a paralegal: unreachable, refused, or what the server said.
pub(crate) fn pg_error(target: &CatalogTarget, e: postgres::Error) -> Error {
    use postgres::error::SqlState;
    let at = target.describe();
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        return Error::Catalog(if *code == SqlState::INVALID_PASSWORD {
            format!("{at} refused the password for role {} (from PGPASSWORD or ~/.pgpass)", target.user)
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            format!("{at} refused role {}: {}", target.user, db.message())
        } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            format!("{at}: role {} is not allowed to do this: {}", target.user, db.message())
        } else {
            format!("{at}: {}", db.message())
        });
    }
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    if text.contains("password missing") {
        return Error::Catalog(format!("{at} asks for a password: set PGPASSWORD or put one in ~/.pgpass (readable only by you)"));
    }
    if e.is_closed() || text.contains("error connecting") || text.contains("timed out") || text.contains("connection") {
        return Error::Catalog(format!("the PostgreSQL server at {}:{} cannot be reached ({text})", target.host, target.port));
    }
    Error::Catalog(format!("{at}: {text}"))
}

/// Connects: TLS (certificate and host name checked), or plain to loopback only.
pub(crate) fn connect(target: &CatalogTarget) -> Result<postgres::Client> {
    let mut cfg = postgres::Config::new();
    cfg.host(&target.host)
        .port(target.port)
        .dbname(&target.dbname)
        .user(&target.user)
        .application_name("custos")
        .connect_timeout(std::time::Duration::from_secs(10));
    if let Some(p) = target.password()? {
        cfg.password(p.as_bytes());
    }
    let client = if target.loopback {
        cfg.connect(postgres::NoTls)
    } else {
        cfg.ssl_mode(postgres::config::SslMode::Require);
        let tls = native_tls::TlsConnector::new().map_err(|e| Error::Catalog(format!("TLS cannot be set up: {e}")))?;
        cfg.connect(postgres_native_tls::MakeTlsConnector::new(tls))
    };
    client.map_err(|e| pg_error(target, e))
}

fn pg_type(table: &str, column: &str, declared: &str) -> &'static str {
    if !is_clear(table, column) {
        return "bytea";
    }
    match declared {
        "INTEGER" => "bigint",
        "REAL" => "double precision",
        "BLOB" => "bytea",
        _ => "text",
    }
}

/// The statements that make a matter's schema.
pub(crate) fn create_sql(schema: &str, shapes: &[Shape]) -> String {
    let mut sql = format!(
        "CREATE SCHEMA IF NOT EXISTS \"{schema}\";
         CREATE TABLE \"{schema}\".matter (
             vault_id uuid PRIMARY KEY, catalog_schema integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
         CREATE TABLE \"{schema}\".members (
             id uuid PRIMARY KEY, kind text NOT NULL CHECK (kind IN ('passphrase', 'age')),
             name bytea NOT NULL, key_file bytea NOT NULL, added_at timestamptz NOT NULL DEFAULT now());
         CREATE TABLE \"{schema}\".catalog_changes (
             seq bigint NOT NULL, part integer NOT NULL, member uuid NOT NULL, snapshot boolean NOT NULL,
             committed_at timestamptz NOT NULL DEFAULT now(), ops bytea NOT NULL, PRIMARY KEY (seq, part));
         CREATE FUNCTION \"{schema}\".append_only() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;\n"
    );
    for s in shapes {
        let mut cols = vec!["rid bigint PRIMARY KEY".to_string()];
        cols.extend(s.columns.iter().map(|(c, t)| format!("\"{c}\" {}", pg_type(s.name, c, t))));
        cols.push("change_seq bigint NOT NULL".into());
        sql.push_str(&format!("CREATE TABLE \"{schema}\".\"{}\" ({});\n", s.name, cols.join(", ")));
    }
    for t in APPEND_ONLY {
        sql.push_str(&format!(
            "CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON \"{schema}\".\"{t}\"
             FOR EACH STATEMENT EXECUTE FUNCTION \"{schema}\".append_only();\n"
        ));
    }
    sql
}

/// A member's key file as the catalog holds it.
pub(crate) struct MemberRow {
    pub id: uuid::Uuid,
    pub kind: String,
    pub name: Vec<u8>,
    pub key_file: Vec<u8>,
}

pub(crate) fn members(client: &mut postgres::Client, schema: &str) -> std::result::Result<Vec<MemberRow>, postgres::Error> {
    let rows = client.query(&format!("SELECT id, kind, name, key_file FROM \"{schema}\".members ORDER BY added_at, id"), &[])?;
    Ok(rows.into_iter().map(|r| MemberRow { id: r.get(0), kind: r.get(1), name: r.get(2), key_file: r.get(3) }).collect())
}

/// The sealed place of a member's name.
pub(crate) fn member_name_aad(id: &uuid::Uuid) -> String {
    format!("members.name#{id}")
}

/// The sealed place of one part of one change.
pub(crate) fn change_aad(schema: &str, seq: i64, part: i32) -> String {
    format!("{schema}.catalog_changes#{seq}.{part}")
}

/// Which change is written, by whom, and whether it is a whole copy.
pub(crate) struct ChangeHead {
    pub seq: i64,
    pub member: uuid::Uuid,
    pub whole: bool,
}

/// Writes one change: its ops, sealed, as parts of `seq`; then the catalog's
/// tables as the ops leave them.
pub(crate) fn write_change(
    client: &mut postgres::Client,
    schema: &str,
    key: &FieldKey,
    head: &ChangeHead,
    shapes: &[Shape],
    ops: &[Op],
) -> std::result::Result<(), postgres::Error> {
    let ChangeHead { seq, member, whole: snapshot } = *head;
    let insert = client.prepare(&format!(
        "INSERT INTO \"{schema}\".catalog_changes (seq, part, member, snapshot, ops) VALUES ($1, $2, $3, $4, $5)"
    ))?;
    let mut chunks: Vec<&[Op]> = Vec::new();
    let mut start = 0;
    while start < ops.len() {
        let mut end = start;
        let mut size = 0;
        while end < ops.len() && (end == start || size < PART_BYTES) {
            size += ops[end].values.iter().map(value_size).sum::<usize>() + 16;
            end += 1;
        }
        chunks.push(&ops[start..end]);
        start = end;
    }
    for (part, chunk) in chunks.into_iter().enumerate() {
        let part = part as i32;
        let sealed = key.seal_bytes(&super::replica::encode_ops(chunk), &change_aad(schema, seq, part));
        client.execute(&insert, &[&seq, &part, &member, &snapshot, &sealed])?;
    }
    write_tables(client, schema, key, head.seq, shapes, ops)
}

fn value_size(v: &Value) -> usize {
    match v {
        Value::Text(s) => s.len(),
        Value::Blob(b) => b.len(),
        _ => 8,
    }
}

/// One column of rows, as a PostgreSQL array parameter.
enum Column {
    Int(Vec<Option<i64>>),
    Real(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
    Bytes(Vec<Option<Vec<u8>>>),
}

impl Column {
    fn param(&self) -> &(dyn ToSql + Sync) {
        match self {
            Column::Int(v) => v,
            Column::Real(v) => v,
            Column::Text(v) => v,
            Column::Bytes(v) => v,
        }
    }
}

/// Brings the catalog's tables to what `ops` leave: each row's last image
/// upserted (inserted, in append-only tables), each removed row deleted.
fn write_tables(client: &mut postgres::Client, schema: &str, key: &FieldKey, seq: i64, shapes: &[Shape], ops: &[Op]) -> std::result::Result<(), postgres::Error> {
    use std::collections::BTreeMap;
    for (ti, shape) in shapes.iter().enumerate() {
        let mut last: BTreeMap<i64, Option<&Op>> = BTreeMap::new();
        for op in ops.iter().filter(|o| o.table == ti) {
            last.insert(op.rid, (op.kind != OpKind::Delete).then_some(op));
        }
        if last.is_empty() {
            continue;
        }
        let t = shape.name;
        let gone: Vec<i64> = last.iter().filter(|(_, o)| o.is_none()).map(|(r, _)| *r).collect();
        if !gone.is_empty() {
            client.execute(&format!("DELETE FROM \"{schema}\".\"{t}\" WHERE rid = ANY($1)"), &[&gone])?;
        }
        let rows: Vec<&Op> = last.values().filter_map(|o| *o).collect();
        if rows.is_empty() {
            continue;
        }
        let mut columns = vec![Column::Int(rows.iter().map(|o| Some(o.rid)).collect())];
        for (ci, (c, declared)) in shape.columns.iter().enumerate() {
            let clear = is_clear(t, c);
            let cells = rows.iter().map(|o| (o.rid, &o.values[ci]));
            columns.push(match (clear, pg_type(t, c, declared)) {
                (false, _) => Column::Bytes(cells.map(|(rid, v)| Some(key.seal(v, &format!("{t}.{c}#{rid}")))).collect()),
                (true, "bigint") => Column::Int(cells.map(|(_, v)| if let Value::Integer(i) = v { Some(*i) } else { None }).collect()),
                (true, "double precision") => Column::Real(cells.map(|(_, v)| if let Value::Real(r) = v { Some(*r) } else { None }).collect()),
                (true, "bytea") => Column::Bytes(cells.map(|(_, v)| if let Value::Blob(b) = v { Some(b.clone()) } else { None }).collect()),
                (true, _) => Column::Text(cells.map(|(_, v)| if let Value::Text(s) = v { Some(s.clone()) } else { None }).collect()),
            });
        }
        let names: Vec<String> = shape.columns.iter().map(|(c, _)| format!("\"{c}\"")).collect();
        let casts: Vec<String> = std::iter::once("$1::bigint[]".to_string())
            .chain(shape.columns.iter().enumerate().map(|(i, (c, d))| format!("${}::{}[]", i + 2, pg_type(t, c, d))))
            .collect();
        let seq_param = shape.columns.len() + 2;
        let mut sql = format!(
            "INSERT INTO \"{schema}\".\"{t}\" (rid, {}, change_seq) SELECT *, ${seq_param}::bigint FROM unnest({})",
            names.join(", "),
            casts.join(", ")
        );
        if !APPEND_ONLY.contains(&t) {
            let sets: Vec<String> = names.iter().map(|n| format!("{n} = excluded.{n}")).collect();
            sql.push_str(&format!(" ON CONFLICT (rid) DO UPDATE SET {}, change_seq = excluded.change_seq", sets.join(", ")));
        }
        let mut params: Vec<&(dyn ToSql + Sync)> = columns.iter().map(Column::param).collect();
        params.push(&seq);
        client.execute(&sql, &params)?;
    }
    Ok(())
}

/// One stored part of a change.
pub(crate) struct ChangePart {
    pub seq: i64,
    pub part: i32,
    pub snapshot: bool,
    pub sealed: Vec<u8>,
}

/// The parts of every change after `after`, in order.
pub(crate) fn changes_after(client: &mut postgres::Client, schema: &str, after: i64) -> std::result::Result<Vec<ChangePart>, postgres::Error> {
    let rows = client.query(
        &format!("SELECT seq, part, snapshot, ops FROM \"{schema}\".catalog_changes WHERE seq > $1 ORDER BY seq, part"),
        &[&after],
    )?;
    Ok(rows.into_iter().map(|r| ChangePart { seq: r.get(0), part: r.get(1), snapshot: r.get(2), sealed: r.get(3) }).collect())
}

/// The newest change's number (0 for none).
pub(crate) fn head(client: &mut postgres::Client, schema: &str) -> std::result::Result<i64, postgres::Error> {
    let row = client.query_one(&format!("SELECT coalesce(max(seq), 0) FROM \"{schema}\".catalog_changes"), &[])?;
    Ok(row.get(0))
}

/// The matters whose catalogs this database holds: (vault id, catalog schema version).
pub(crate) fn matters(client: &mut postgres::Client) -> std::result::Result<Vec<String>, postgres::Error> {
    let rows = client.query(
        "SELECT nspname FROM pg_namespace WHERE nspname ~ '^custos_[0-9a-f]{32}$' ORDER BY nspname",
        &[],
    )?;
    Ok(rows.into_iter().map(|r| r.get::<_, String>(0)).collect())
}

/// Whether every name in `TABLES` has a table in the matter's schema.
pub(crate) fn tables_present(client: &mut postgres::Client, schema: &str) -> std::result::Result<usize, postgres::Error> {
    let names: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    let row = client.query_one(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = ANY($2)",
        &[&schema, &names],
    )?;
    Ok(row.get::<_, i64>(0) as usize)
}
