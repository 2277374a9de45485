//! Verification of a firm vault's catalog: the firm database's own tables
//! (which outside tools and the firm's reports read) hold exactly what this
//! copy holds, row by row, every sealed field opening for its own place.
//! A row the database lost, gained or changed, or a sealed value moved from
//! another row or column, is reported.

use super::Firm;
use super::pg::is_clear;
use super::replica::Shape;
use crate::error::Result;
use crate::format::sealed::Value;
use rusqlite::types::ValueRef;

/// Rows read per round trip.
const PAGE: i64 = 1000;
/// Differences reported per table before the rest are counted.
const SHOWN: usize = 10;

type Row = (i64, Vec<Value>);

fn local_page(conn: &rusqlite::Connection, shape: &Shape, after: i64) -> Result<Vec<Row>> {
    let cols: Vec<String> = shape.columns.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT rowid, {} FROM main.\"{}\" WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
        cols.join(", "),
        shape.name
    ))?;
    let mut rows = stmt.query(rusqlite::params![after, PAGE])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let values = (0..shape.columns.len())
            .map(|i| {
                r.get_ref(i + 1).map(|v| match v {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(i) => Value::Integer(i),
                    ValueRef::Real(f) => Value::Real(f),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                })
            })
            .collect::<rusqlite::Result<_>>()?;
        out.push((r.get(0)?, values));
    }
    Ok(out)
}

type RemoteRow = (i64, std::result::Result<Vec<Value>, String>);

impl Firm {
    fn remote_page(&self, shape: &Shape, after: i64) -> Result<Vec<RemoteRow>> {
        let cols: Vec<String> = shape.columns.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        let sql = format!(
            "SELECT rid, {} FROM \"{}\".\"{}\" WHERE rid > $1 ORDER BY rid LIMIT $2",
            cols.join(", "),
            self.schema,
            shape.name
        );
        let rows = self.pg(self.client().query(&sql, &[&after, &PAGE]))?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let rid: i64 = r.get(0);
                let values = shape
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, (c, declared))| {
                        let at = i + 1;
                        if !is_clear(shape.name, c) {
                            let sealed: Vec<u8> = r.try_get(at).map_err(|e| format!("{}.{c} of row {rid}: {e}", shape.name))?;
                            return self.key.open(&sealed, &format!("{}.{c}#{rid}", shape.name)).map_err(|e| e.0);
                        }
                        let v = match declared.as_str() {
                            "INTEGER" => r.try_get::<_, Option<i64>>(at).map(|v| v.map_or(Value::Null, Value::Integer)),
                            "REAL" => r.try_get::<_, Option<f64>>(at).map(|v| v.map_or(Value::Null, Value::Real)),
                            "BLOB" => r.try_get::<_, Option<Vec<u8>>>(at).map(|v| v.map_or(Value::Null, Value::Blob)),
                            _ => r.try_get::<_, Option<String>>(at).map(|v| v.map_or(Value::Null, Value::Text)),
                        };
                        v.map_err(|e| format!("{}.{c} of row {rid}: {e}", shape.name))
                    })
                    .collect::<std::result::Result<Vec<Value>, String>>();
                (rid, values)
            })
            .collect())
    }

    /// What differs between the firm database's tables and this copy's,
    /// said for a person: at most a few rows per table, then a count.
    pub(crate) fn differences(&self, conn: &rusqlite::Connection) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for shape in &self.shapes {
            let t = shape.name;
            let mut said = Vec::new();
            let mut more = 0usize;
            let mut note = |s: String| {
                if said.len() < SHOWN {
                    said.push(s);
                } else {
                    more += 1;
                }
            };
            let (mut local, mut remote) = (local_page(conn, shape, 0)?, self.remote_page(shape, 0)?);
            let (mut li, mut ri) = (0usize, 0usize);
            loop {
                // Each side's next page starts after the last row of the one read.
                if li == local.len() && local.len() as i64 == PAGE {
                    let after = local.last().map_or(0, |r| r.0);
                    local = local_page(conn, shape, after)?;
                    li = 0;
                }
                if ri == remote.len() && remote.len() as i64 == PAGE {
                    let after = remote.last().map_or(0, |r| r.0);
                    remote = self.remote_page(shape, after)?;
                    ri = 0;
                }
                let (l, r) = (local.get(li), remote.get(ri));
                match (l, r) {
                    (None, None) => break,
                    (Some((lr, lv)), Some((rr, rv))) if lr == rr => {
                        match rv {
                            Err(e) => note(format!("{t}: {e}")),
                            Ok(rv) if rv != lv => note(format!("{t} row {lr} differs from this copy's")),
                            Ok(_) => {}
                        }
                        li += 1;
                        ri += 1;
                    }
                    (Some((lr, _)), Some((rr, _))) if lr < rr => {
                        note(format!("{t} row {lr} is missing from the firm database"));
                        li += 1;
                    }
                    (Some((lr, _)), None) => {
                        note(format!("{t} row {lr} is missing from the firm database"));
                        li += 1;
                    }
                    (_, Some((rr, _))) => {
                        note(format!("{t} row {rr} is in the firm database but not in this copy"));
                        ri += 1;
                    }
                }
            }
            if more > 0 {
                said.push(format!("{t}: {more} more rows differ"));
            }
            out.extend(said);
        }
        Ok(out)
    }
}
