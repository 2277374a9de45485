//! The local copy of a firm catalog: what each change wrote (captured by
//! temporary triggers, so the vault's own schema is the same as a folder
//! vault's), and applying changes other people made, in their order, so that
//! the catalog's own triggers keep every derived table as they would have.

use crate::error::{Error, Result};
use crate::format::sealed::Value;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Transaction, params_from_iter};

/// The tables a firm catalog holds, in an order a whole copy is written in
/// (every row after the rows it refers to). Derived tables (facets, totals,
/// counts, full-text indexes) are not among them: each copy's triggers keep
/// its own.
pub(crate) const TABLES: &[&str] = &[
    "settings",
    "exhibits",
    "exhibit_sources",
    "item_sources",
    "family_links",
    "exhibit_family",
    "derivations",
    "exhibit_metadata",
    "exhibit_text",
    "processing",
    "processing_problems",
    "tags",
    "designations",
    "custody_events",
    "custody_index",
    "checkpoints",
    "checkpoint_timestamps",
    "productions",
    "production_items",
    "received_records",
    "counsel_keys",
    "producer_keys",
    "audit_events",
    "saved_searches",
    "audit_mappings",
    "object_placements",
];

/// A replicated table's shape as this program's schema has it.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    pub name: &'static str,
    /// Columns in declaration order: (name, declared type).
    pub columns: Vec<(String, String)>,
    /// The column that is the rowid, if the table has one (`INTEGER PRIMARY KEY`).
    pub alias: Option<usize>,
}

/// What a change did to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpKind {
    Insert = 0,
    Update = 1,
    Delete = 2,
}

/// One row written or removed, with the whole row as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Op {
    pub table: usize,
    pub kind: OpKind,
    pub rid: i64,
    pub values: Vec<Value>,
}

/// Reads each replicated table's shape from the database.
pub(crate) fn shapes(conn: &Connection) -> Result<Vec<Shape>> {
    TABLES
        .iter()
        .map(|&name| {
            let mut stmt = conn.prepare(&format!("PRAGMA main.table_info(\"{name}\")"))?;
            let cols: Vec<(String, String, i64)> =
                stmt.query_map([], |r| Ok((r.get(1)?, r.get::<_, String>(2)?, r.get(5)?)))?.collect::<rusqlite::Result<_>>()?;
            if cols.is_empty() {
                return Err(Error::DamagedDatabase(format!("the catalog has no table {name}")));
            }
            let pks: Vec<usize> = cols.iter().enumerate().filter(|(_, c)| c.2 > 0).map(|(i, _)| i).collect();
            let alias = match pks.as_slice() {
                [i] if cols[*i].1.eq_ignore_ascii_case("INTEGER") => Some(*i),
                _ => None,
            };
            Ok(Shape { name, columns: cols.into_iter().map(|(n, t, _)| (n, t.to_ascii_uppercase())).collect(), alias })
        })
        .collect()
}

/// Installs this connection's capture: temporary triggers that note, in
/// order, every row a change inserts, updates or deletes in a replicated
/// table.
pub(crate) fn install_capture(conn: &Connection) -> Result<()> {
    let mut sql = String::from(
        "CREATE TEMP TABLE IF NOT EXISTS firm_outbox (id INTEGER PRIMARY KEY, tbl INTEGER NOT NULL, op INTEGER NOT NULL, rid INTEGER NOT NULL);\n",
    );
    for (i, t) in TABLES.iter().enumerate() {
        for (what, kind, row) in [("INSERT", OpKind::Insert, "NEW"), ("UPDATE", OpKind::Update, "NEW"), ("DELETE", OpKind::Delete, "OLD")] {
            sql.push_str(&format!(
                "CREATE TEMP TRIGGER IF NOT EXISTS firm_{t}_{k} AFTER {what} ON main.\"{t}\" BEGIN \
                 INSERT INTO temp.firm_outbox (tbl, op, rid) VALUES ({i}, {kind}, {row}.rowid); END;\n",
                k = kind as u8,
                kind = kind as u8
            ));
        }
    }
    sql.push_str("CREATE TABLE IF NOT EXISTS main.firm_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;\n");
    conn.execute_batch(&sql)?;
    Ok(())
}

/// The last firm change this copy holds (0 for none).
pub(crate) fn local_seq(conn: &Connection) -> Result<i64> {
    use rusqlite::OptionalExtension;
    Ok(conn.query_row("SELECT value FROM main.firm_state WHERE key = 'seq'", [], |r| r.get(0)).optional()?.unwrap_or(0))
}

/// Records the last firm change this copy holds.
pub(crate) fn set_local_seq(conn: &Connection, seq: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO main.firm_state (key, value) VALUES ('seq', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [seq],
    )?;
    Ok(())
}

fn select_sql(shape: &Shape) -> String {
    let cols: Vec<String> = shape.columns.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    format!("SELECT rowid, {} FROM main.\"{}\"", cols.join(", "), shape.name)
}

fn value_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn sql_value(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        Value::Null => V::Null,
        Value::Integer(i) => V::Integer(*i),
        Value::Real(r) => V::Real(*r),
        Value::Text(s) => V::Text(s.clone()),
        Value::Blob(b) => V::Blob(b.clone()),
    }
}

/// What the change in `tx` wrote, in order, each row as it now stands; the
/// notes are cleared. A row written and then removed in the change is sent
/// as removed.
pub(crate) fn captured(tx: &Transaction<'_>, shapes: &[Shape]) -> Result<Vec<Op>> {
    let notes: Vec<(usize, u8, i64)> = {
        let mut stmt = tx.prepare_cached("SELECT tbl, op, rid FROM temp.firm_outbox ORDER BY id")?;
        stmt.query_map([], |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, u8>(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?
    };
    let mut ops = Vec::with_capacity(notes.len());
    for (table, op, rid) in notes {
        let shape = shapes.get(table).ok_or_else(|| Error::DamagedDatabase(format!("a change noted table {table}")))?;
        let kind = match op {
            0 => OpKind::Insert,
            1 => OpKind::Update,
            _ => OpKind::Delete,
        };
        if kind == OpKind::Delete {
            ops.push(Op { table, kind, rid, values: Vec::new() });
            continue;
        }
        let mut stmt = tx.prepare_cached(&format!("{} WHERE rowid = ?1", select_sql(shape)))?;
        let mut rows = stmt.query([rid])?;
        if let Some(row) = rows.next()? {
            let values = (0..shape.columns.len()).map(|i| row.get_ref(i + 1).map(value_of)).collect::<rusqlite::Result<_>>()?;
            ops.push(Op { table, kind, rid, values });
        }
    }
    tx.execute("DELETE FROM temp.firm_outbox", [])?;
    Ok(ops)
}

/// Every row of every replicated table, in table order and rowid order: a
/// whole copy of the catalog, which written in this order rebuilds every
/// derived table through the triggers.
pub(crate) fn snapshot(conn: &Connection, shapes: &[Shape]) -> Result<Vec<Op>> {
    let mut ops = Vec::new();
    for (table, shape) in shapes.iter().enumerate() {
        let mut stmt = conn.prepare(&format!("{} ORDER BY rowid", select_sql(shape)))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let values = (0..shape.columns.len()).map(|i| row.get_ref(i + 1).map(value_of)).collect::<rusqlite::Result<_>>()?;
            ops.push(Op { table, kind: OpKind::Insert, rid: row.get(0)?, values });
        }
    }
    Ok(ops)
}

/// Applies another copy's ops to this one, in their order; the catalog's
/// own triggers keep the derived tables. The capture notes they leave are
/// cleared.
pub(crate) fn apply(tx: &Transaction<'_>, shapes: &[Shape], ops: &[Op]) -> Result<()> {
    for op in ops {
        let shape = shapes.get(op.table).ok_or_else(|| Error::Catalog(format!("a change names table {} that this Custos does not know", op.table)))?;
        let names: Vec<String> = shape.columns.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        if op.kind != OpKind::Delete && op.values.len() != names.len() {
            return Err(Error::Catalog(format!(
                "a change writes {} columns to {} but this Custos's table has {}",
                op.values.len(),
                shape.name,
                names.len()
            )));
        }
        let t = shape.name;
        match op.kind {
            OpKind::Insert => {
                let (cols, extra) = match shape.alias {
                    Some(_) => (names.join(", "), None),
                    None => (format!("rowid, {}", names.join(", ")), Some(op.rid)),
                };
                let n = names.len() + usize::from(extra.is_some());
                let marks: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
                let mut stmt = tx.prepare_cached(&format!("INSERT OR REPLACE INTO main.\"{t}\" ({cols}) VALUES ({})", marks.join(", ")))?;
                let args = extra.map(rusqlite::types::Value::Integer).into_iter().chain(op.values.iter().map(sql_value));
                stmt.execute(params_from_iter(args))?;
            }
            OpKind::Update => {
                let sets: Vec<String> = names.iter().enumerate().map(|(i, n)| format!("{n} = ?{}", i + 1)).collect();
                let mut stmt = tx.prepare_cached(&format!("UPDATE main.\"{t}\" SET {} WHERE rowid = ?{}", sets.join(", "), names.len() + 1))?;
                let args = op.values.iter().map(sql_value).chain(std::iter::once(rusqlite::types::Value::Integer(op.rid)));
                stmt.execute(params_from_iter(args))?;
            }
            OpKind::Delete => {
                tx.prepare_cached(&format!("DELETE FROM main.\"{t}\" WHERE rowid = ?1"))?.execute([op.rid])?;
            }
        }
    }
    tx.execute("DELETE FROM temp.firm_outbox", [])?;
    Ok(())
}

/// Ops as bytes (before sealing): per op its table, kind, rowid and values.
pub(crate) fn encode_ops(ops: &[Op]) -> Vec<u8> {
    let mut out = Vec::new();
    for op in ops {
        out.push(op.table as u8);
        out.push(op.kind as u8);
        out.extend_from_slice(&op.rid.to_le_bytes());
        out.extend_from_slice(&(op.values.len() as u16).to_le_bytes());
        for v in &op.values {
            let (kind, body): (u8, std::borrow::Cow<'_, [u8]>) = match v {
                Value::Null => (0, (&[][..]).into()),
                Value::Integer(i) => (1, i.to_le_bytes().to_vec().into()),
                Value::Real(r) => (2, r.to_le_bytes().to_vec().into()),
                Value::Text(s) => (3, s.as_bytes().into()),
                Value::Blob(b) => (4, b.as_slice().into()),
            };
            out.push(kind);
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(&body);
        }
    }
    out
}

/// Reads what [`encode_ops`] wrote.
pub(crate) fn decode_ops(mut b: &[u8]) -> Result<Vec<Op>> {
    fn take<'a>(b: &mut &'a [u8], n: usize) -> Result<&'a [u8]> {
        if b.len() < n {
            return Err(Error::Catalog("a change's rows end early".into()));
        }
        let (head, rest) = b.split_at(n);
        *b = rest;
        Ok(head)
    }
    let mut ops = Vec::new();
    while !b.is_empty() {
        let head = take(&mut b, 12)?;
        let kind = match head[1] {
            0 => OpKind::Insert,
            1 => OpKind::Update,
            2 => OpKind::Delete,
            k => return Err(Error::Catalog(format!("a change has an unknown kind of write {k}"))),
        };
        let rid = i64::from_le_bytes(head[2..10].try_into().expect("8 bytes"));
        let n = u16::from_le_bytes(head[10..12].try_into().expect("2 bytes")) as usize;
        let mut values = Vec::with_capacity(n);
        for _ in 0..n {
            let vh = take(&mut b, 5)?;
            let len = u32::from_le_bytes(vh[1..5].try_into().expect("4 bytes")) as usize;
            let body = take(&mut b, len)?;
            let num = |body: &[u8]| -> Result<[u8; 8]> { body.try_into().map_err(|_| Error::Catalog("a number is not 8 bytes".into())) };
            values.push(match vh[0] {
                0 => Value::Null,
                1 => Value::Integer(i64::from_le_bytes(num(body)?)),
                2 => Value::Real(f64::from_le_bytes(num(body)?)),
                3 => Value::Text(String::from_utf8(body.to_vec()).map_err(|_| Error::Catalog("a text value is not UTF-8".into()))?),
                4 => Value::Blob(body.to_vec()),
                k => return Err(Error::Catalog(format!("a change has an unknown kind of value {k}"))),
            });
        }
        ops.push(Op { table: head[0] as usize, kind, rid, values });
    }
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::new_vault;

    #[test]
    fn ops_round_trip_through_bytes() {
        let ops = vec![
            Op { table: 1, kind: OpKind::Insert, rid: 7, values: vec![Value::Null, Value::Integer(-3), Value::Real(0.5), Value::Text("é".into()), Value::Blob(vec![9; 3])] },
            Op { table: 25, kind: OpKind::Delete, rid: 2, values: vec![] },
        ];
        assert_eq!(decode_ops(&encode_ops(&ops)).unwrap(), ops);
        let bytes = encode_ops(&ops);
        assert!(decode_ops(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn every_replicated_table_exists_and_every_table_is_replicated_or_derived() {
        let (_dir, v) = new_vault();
        let shapes = shapes(v.db()).unwrap();
        assert_eq!(shapes.len(), TABLES.len());
        assert_eq!(shapes[TABLES.iter().position(|t| *t == "custody_events").unwrap()].alias, Some(0));
        assert_eq!(shapes[1].alias, None, "exhibits has a text key");
        // A new table must be placed: replicated, or derived and kept by triggers.
        const DERIVED: &[&str] = &["exhibit_facets", "custodian_totals", "tag_counts", "source_values", "exhibit_words", "exhibit_search"];
        let mut stmt = v.db().prepare("SELECT name FROM sqlite_master WHERE type = 'table'").unwrap();
        let names: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
        for n in names {
            let derived = DERIVED.iter().any(|d| n == *d || n.starts_with(&format!("{d}_")));
            assert!(TABLES.contains(&n.as_str()) || derived || n == "firm_state", "table {n} is neither replicated nor derived");
        }
    }
}

#[cfg(test)]
mod replay_tests {
    use super::*;
    use crate::tests::{inputs, new_vault, sources};
    use crate::{IntakeOptions, NoProgress, ProcessOptions};

    /// Every row of every table but SQLite's own and FTS5's internals, as text.
    fn all_rows(conn: &Connection) -> Vec<(String, Vec<String>)> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%\\_data' ESCAPE '\\' AND name NOT LIKE '%\\_idx' ESCAPE '\\' AND name NOT LIKE '%\\_docsize' ESCAPE '\\' AND name NOT LIKE '%\\_config' ESCAPE '\\' AND name NOT LIKE '%\\_content' ESCAPE '\\' AND name <> 'firm_state' ORDER BY name")
            .unwrap();
        let tables: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
        tables
            .into_iter()
            .map(|t| {
                let mut stmt = conn.prepare(&format!("SELECT rowid, * FROM main.\"{t}\"")).unwrap();
                let n = stmt.column_count();
                let mut rows: Vec<String> = stmt
                    .query_map([], |r| Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|")))
                    .unwrap()
                    .map(|r| r.unwrap())
                    .collect();
                rows.sort();
                (t, rows)
            })
            .collect()
    }

    #[test]
    fn a_whole_copy_replayed_into_an_empty_catalog_rebuilds_every_table_derived_ones_included() {
        let (dir, mut v) = new_vault();
        let src = sources(
            dir.path(),
            &[
                ("memo.txt", b"Brandt met the CEO on 14 March."),
                ("mail.eml", b"From: erik@example.com\nTo: ceo@rival.example\nSubject: plans\n\nThe designs are attached.\n"),
                ("notes.csv", b"a,b\n1,2\n"),
            ],
        );
        let opts = IntakeOptions { custodian: Some("Erik Brandt".into()), ..IntakeOptions::default() };
        v.add(&inputs(&[src]), &opts, &NoProgress).unwrap();
        v.process(&ProcessOptions::default(), &NoProgress).unwrap();
        v.edit("EX-0001", Some("the meeting"), &["hot".into(), "review".into()], &[]).unwrap();
        v.edit("EX-0002", None, &["hot".into()], &[]).unwrap();
        v.edit("EX-0001", None, &[], &["review".into()]).unwrap();

        let shapes = shapes(v.db()).unwrap();
        let ops = snapshot(v.db(), &shapes).unwrap();
        let copy_path = dir.path().join("copy.db");
        let mut copy = crate::store::db::open(&copy_path, v.secrets(), true).unwrap();
        install_capture(&copy).unwrap();
        let bytes = encode_ops(&ops);
        let tx = copy.transaction().unwrap();
        apply(&tx, &shapes, &decode_ops(&bytes).unwrap()).unwrap();
        tx.commit().unwrap();

        let (mine, theirs) = (all_rows(v.db()), all_rows(&copy));
        assert_eq!(mine.iter().map(|t| &t.0).collect::<Vec<_>>(), theirs.iter().map(|t| &t.0).collect::<Vec<_>>());
        for ((t, a), (_, b)) in mine.iter().zip(&theirs) {
            assert_eq!(a, b, "table {t} differs in the copy");
        }
        assert!(mine.iter().any(|(t, rows)| t == "exhibit_search" && rows.len() == 3), "the full-text index has a row per exhibit");
        let hits: i64 = copy.query_row("SELECT count(*) FROM exhibit_search WHERE exhibit_search MATCH 'designs'", [], |r| r.get(0)).unwrap();
        assert_eq!(hits, 1, "the copy's full-text index answers as the vault's");
    }
}
