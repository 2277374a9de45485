//! Ordered proximity (`a pre/N b`, DESIGN §3.2), which an FTS5 `NEAR` cannot
//! say: the documents where `a` and `b` are within N words (a `NEAR`, run
//! first), then held to their order by the positions the index records of
//! each word (an `fts5vocab` table of instances). The query's words are
//! split into the index's tokens by the index's own tokenizer, so a word is
//! found exactly as the index holds it.

use crate::error::Result;
use crate::format::query::Query;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};

/// Where one side occurs: (document, column) → (first token, last token).
type Places = HashMap<(i64, u8), Vec<(i64, i64)>>;

/// The index's columns, in order: a column is kept as its place here.
const COLUMNS: [&str; 8] = ["name", "custodian", "kind", "tags", "sender", "recipients", "subject", "body"];

/// The tables this reads through, in memory (`temp_store` is MEMORY).
const TABLES: &str = "
CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_instances USING fts5vocab(main, exhibit_search, instance);
CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_words USING fts5(words, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_word_instances USING fts5vocab(temp, query_words, instance);";

/// The index's tokens of `words`, in order.
fn tokens(conn: &Connection, words: &str) -> Result<Vec<String>> {
    conn.execute("DELETE FROM temp.query_words", [])?;
    conn.execute("INSERT INTO temp.query_words (rowid, words) VALUES (1, ?1)", [words])?;
    let mut stmt = conn.prepare_cached("SELECT term FROM temp.query_word_instances ORDER BY offset")?;
    let out = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    conn.execute("DELETE FROM temp.query_words", [])?;
    Ok(out)
}

/// The positions of one token (or, with `prefix`, of any token it begins)
/// in the documents `within`.
fn token_places(conn: &Connection, token: &str, prefix: bool, within: &HashSet<i64>) -> Result<HashMap<(i64, u8), Vec<i64>>> {
    let mut out: HashMap<(i64, u8), Vec<i64>> = HashMap::new();
    let mut add = |r: &rusqlite::Row<'_>| -> rusqlite::Result<()> {
        let doc: i64 = r.get(0)?;
        if within.contains(&doc) {
            let col = r.get_ref(1)?.as_str().map_or(u8::MAX, |c| COLUMNS.iter().position(|k| *k == c).map_or(u8::MAX, |i| i as u8));
            out.entry((doc, col)).or_default().push(r.get(2)?);
        }
        Ok(())
    };
    if prefix {
        let mut stmt = conn.prepare_cached("SELECT doc, col, offset FROM temp.search_instances WHERE term >= ?1 AND term < ?1 || char(1114111)")?;
        let mut rows = stmt.query([token])?;
        while let Some(r) = rows.next()? {
            add(r)?;
        }
    } else {
        let mut stmt = conn.prepare_cached("SELECT doc, col, offset FROM temp.search_instances WHERE term = ?1")?;
        let mut rows = stmt.query([token])?;
        while let Some(r) = rows.next()? {
            add(r)?;
        }
    }
    Ok(out)
}

/// Where a side (a word, a prefix or a phrase) occurs in the documents `within`.
fn places(conn: &Connection, side: &Query, within: &HashSet<i64>) -> Result<Places> {
    let Query::Words { words, prefix, .. } = side else { return Ok(Places::new()) };
    let toks = tokens(conn, words)?;
    let mut out = Places::new();
    let Some(first) = toks.first() else { return Ok(out) };
    let last = toks.len() - 1;
    let mut each: Vec<HashMap<(i64, u8), HashSet<i64>>> = Vec::with_capacity(toks.len());
    for (i, t) in toks.iter().enumerate().skip(1) {
        let found = token_places(conn, t, *prefix && i == last, within)?;
        each.push(found.into_iter().map(|(k, v)| (k, v.into_iter().collect())).collect());
    }
    for (at, starts) in token_places(conn, first, *prefix && last == 0, within)? {
        for s in starts {
            // A phrase: each next token right after the one before.
            let whole = each.iter().enumerate().all(|(i, found)| found.get(&at).is_some_and(|o| o.contains(&(s + i as i64 + 1))));
            if whole {
                out.entry(at).or_default().push((s, s + last as i64));
            }
        }
    }
    Ok(out)
}

/// The numbers of the exhibits where `left` comes before `right` with at
/// most `distance` words between them, in the same field.
pub(crate) fn ordered(conn: &Connection, near: &str, left: &Query, right: &Query, distance: u32) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT rowid FROM exhibit_search WHERE exhibit_search MATCH ?1")?;
    let candidates: HashSet<i64> = stmt.query_map([near], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    conn.execute_batch(TABLES)?;
    let (l, r) = (places(conn, left, &candidates)?, places(conn, right, &candidates)?);
    let mut out: Vec<i64> = l
        .iter()
        .filter(|(at, ls)| {
            r.get(at).is_some_and(|rs| ls.iter().any(|(_, l_end)| rs.iter().any(|(r_start, _)| *r_start > *l_end && r_start - l_end - 1 <= distance as i64)))
        })
        .map(|((doc, _), _)| *doc)
        .collect::<HashSet<i64>>()
        .into_iter()
        .collect();
    out.sort_unstable();
    Ok(out)
}
