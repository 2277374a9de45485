//! Full-text search (DESIGN §3.2): a parsed query ([`crate::format::query`])
//! run as one FTS5 match over the index kept inside the encrypted database,
//! ranked by BM25 with a snippet, and SQL conditions for what the index
//! does not hold (dates) or a match cannot say (a `NOT` on its own, an `OR`
//! with a `NOT` in it).

use super::Vault;
use crate::error::{Error, Result};
use crate::format::query::{self, DATE_FIELDS, Query};
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

/// One exhibit a search found.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// The exhibit.
    pub id: String,
    /// How well it matches (BM25, larger is better; 0 when the query has no
    /// words to rank by).
    pub score: f64,
    /// Where it matches, the words found between « and ».
    pub snippet: String,
}

/// The most hits one search returns.
pub const MAX_HITS: u32 = 10_000;

/// The weight of each index column in the ranking, in their order: a word
/// in a subject or a name counts for more than one in the body.
const WEIGHTS: &str = "3.0, 1.0, 0.5, 1.0, 2.0, 1.0, 3.0, 1.0";

/// A query compiled: an FTS5 match to rank by, and SQL conditions.
#[derive(Default)]
struct Compiled {
    matching: Option<String>,
    conditions: Vec<String>,
    args: Vec<Value>,
}

impl Compiled {
    fn arg(&mut self, v: impl Into<Value>) -> usize {
        self.args.push(v.into());
        self.args.len()
    }

    /// `q` as an SQL condition on `e` (an exhibits row).
    fn condition(&mut self, q: &Query) -> String {
        if let Some(m) = fts(q) {
            let i = self.arg(m);
            return format!("e.number IN (SELECT rowid FROM exhibit_search WHERE exhibit_search MATCH ?{i})");
        }
        match q {
            Query::And(all) => format!("({})", all.iter().map(|q| self.condition(q)).collect::<Vec<_>>().join(" AND ")),
            Query::Or(any) => format!("({})", any.iter().map(|q| self.condition(q)).collect::<Vec<_>>().join(" OR ")),
            Query::Not(q) => format!("NOT {}", self.condition(q)),
            Query::Date { field, from, to } => self.date(field, from.as_deref(), to.as_deref()),
            Query::Words { .. } | Query::Near { .. } => unreachable!("words always make a match"),
        }
    }

    fn date(&mut self, field: &str, from: Option<&str>, to: Option<&str>) -> String {
        let fields = DATE_FIELDS.iter().find(|(f, _)| *f == field).map(|(_, m)| *m).unwrap_or(&[]);
        let day = if fields.is_empty() { "substr(e.collected_at, 1, 10)".to_string() } else { "replace(substr(m.value, 1, 10), ':', '-')".to_string() };
        let mut within = Vec::new();
        if let Some(from) = from {
            let i = self.arg(from.to_string());
            within.push(format!("{day} >= ?{i}"));
        }
        if let Some(to) = to {
            let i = self.arg(to.to_string());
            within.push(format!("{day} <= ?{i}"));
        }
        let within = within.join(" AND ");
        if fields.is_empty() {
            return format!("({within})");
        }
        let names = fields.iter().map(|f| format!("'{f}'")).collect::<Vec<_>>().join(", ");
        format!("EXISTS (SELECT 1 FROM exhibit_metadata m WHERE m.exhibit_id = e.id AND m.field IN ({names}) AND {within})")
    }
}

/// A word or phrase as an FTS5 string.
fn quoted(words: &str) -> String {
    format!("\"{}\"", words.replace('"', "\"\""))
}

/// `q` as one FTS5 expression, if it can be one.
fn fts(q: &Query) -> Option<String> {
    match q {
        Query::Words { column, words, prefix } => {
            let s = format!("{}{}", quoted(words), if *prefix { " *" } else { "" });
            Some(match column {
                Some(c) => format!("{c} : {s}"),
                None => s,
            })
        }
        Query::Near { left, right, distance } => {
            let side = |q: &Query| match q {
                Query::Words { words, prefix, .. } => Some(format!("{}{}", quoted(words), if *prefix { " *" } else { "" })),
                _ => None,
            };
            Some(format!("NEAR({} {}, {distance})", side(left)?, side(right)?))
        }
        Query::And(all) => {
            // FTS5 has `a NOT b`, not a NOT on its own.
            let (not, yes): (Vec<&Query>, Vec<&Query>) = all.iter().partition(|q| matches!(q, Query::Not(_)));
            if yes.is_empty() {
                return None;
            }
            let mut out = yes.iter().map(|q| fts(q).map(|m| format!("({m})"))).collect::<Option<Vec<_>>>()?.join(" AND ");
            for q in not {
                let Query::Not(inner) = q else { unreachable!() };
                out = format!("({out}) NOT ({})", fts(inner)?);
            }
            Some(out)
        }
        Query::Or(any) => Some(any.iter().map(|q| fts(q).map(|m| format!("({m})"))).collect::<Option<Vec<_>>>()?.join(" OR ")),
        Query::Not(_) | Query::Date { .. } => None,
    }
}

/// Compiles a query: the match to rank by (the whole query when it is one
/// expression, else the parts of a top-level AND that are), and the rest as
/// conditions.
fn compile(q: &Query) -> Compiled {
    let mut c = Compiled::default();
    if let Some(m) = fts(q) {
        c.matching = Some(m);
        return c;
    }
    if let Query::And(all) = q {
        let (words, rest): (Vec<&Query>, Vec<&Query>) = all.iter().partition(|q| !matches!(q, Query::Not(_)) && fts(q).is_some());
        if !words.is_empty() {
            c.matching = fts(&Query::And(words.into_iter().cloned().collect()));
        }
        for q in rest {
            let cond = c.condition(q);
            c.conditions.push(cond);
        }
        return c;
    }
    let cond = c.condition(q);
    c.conditions.push(cond);
    c
}

impl Vault {
    /// The exhibits a query finds, best first (in exhibit order when it has
    /// no words to rank by), at most `limit`. A query that cannot be
    /// searched exactly is [`Error::InvalidQuery`] with the reason.
    pub fn search(&self, text: &str, limit: u32) -> Result<Vec<SearchHit>> {
        if limit == 0 || limit > MAX_HITS {
            return Err(Error::InvalidInput(format!("a search returns from 1 to {MAX_HITS} hits; {limit} were asked for")));
        }
        let q = query::parse(text).map_err(|e| Error::InvalidQuery(e.0))?;
        let mut c = compile(&q);
        let rows = match c.matching.take() {
            Some(m) => {
                let i = c.arg(m);
                let l = c.arg(limit as i64);
                let more: String = c.conditions.iter().map(|w| format!(" AND {w}")).collect();
                let sql = format!(
                    "SELECT e.id, -bm25(exhibit_search, {WEIGHTS}), snippet(exhibit_search, -1, '«', '»', '…', 16)
                     FROM exhibit_search JOIN exhibits e ON e.number = exhibit_search.rowid
                     WHERE exhibit_search MATCH ?{i}{more}
                     ORDER BY bm25(exhibit_search, {WEIGHTS}), e.number LIMIT ?{l}"
                );
                self.hits(&sql, &c.args)?
            }
            None => {
                let l = c.arg(limit as i64);
                let sql = format!("SELECT e.id, 0.0, '' FROM exhibits e WHERE {} ORDER BY e.number LIMIT ?{l}", c.conditions.join(" AND "));
                self.hits(&sql, &c.args)?
            }
        };
        Ok(rows)
    }

    fn hits(&self, sql: &str, args: &[Value]) -> Result<Vec<SearchHit>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| Ok(SearchHit { id: r.get(0)?, score: r.get(1)?, snippet: r.get(2)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Builds the full-text index anew from the catalog (what it is kept
    /// from), in one transaction; returns the exhibits indexed.
    pub fn rebuild_search_index(&mut self) -> Result<u64> {
        let tx = self.conn.transaction()?;
        let sql = crate::store::db::MIGRATIONS.last().expect("migrations");
        let start = sql.find("DELETE FROM exhibit_search;").expect("the index is built by the last migration");
        let end = sql.find("CREATE TRIGGER IF NOT EXISTS search_first_source").expect("then its triggers");
        tx.execute_batch(&sql[start..end])?;
        let n: i64 = tx.query_row("SELECT count(*) FROM exhibit_search", [], |r| r.get(0))?;
        tx.commit()?;
        Ok(n as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(q: &str) -> Option<String> {
        fts(&query::parse(q).unwrap())
    }

    #[test]
    fn queries_become_one_match_where_they_can() {
        assert_eq!(m("falcon").as_deref(), Some("\"falcon\""));
        assert_eq!(m("from:erik draw*").as_deref(), Some("(sender : \"erik\") AND (\"draw\" *)"));
        assert_eq!(m("a w/5 \"b c\"").as_deref(), Some("NEAR(\"a\" \"b c\", 5)"));
        assert_eq!(m("a NOT b").as_deref(), Some("((\"a\")) NOT (\"b\")"));
        assert_eq!(m("a OR b").as_deref(), Some("(\"a\") OR (\"b\")"));
        assert_eq!(m("say \"he\"\"s\"").as_deref(), Some("(\"say\") AND (\"he\") AND (\"s\")"));
        // What a match cannot say.
        assert_eq!(m("NOT a"), None);
        assert_eq!(m("a OR NOT b"), None);
        assert_eq!(m("a sent:2025-05-01"), None);
        let c = compile(&query::parse("falcon sent:2025-05-01..2025-05-31 NOT tag:privileged").unwrap());
        assert_eq!(c.matching.as_deref(), Some("(\"falcon\")"));
        assert_eq!(c.conditions.len(), 2, "the date and the NOT");
    }
}
