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
use sha2::{Digest, Sha256};

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

/// What one term of a search-term report finds.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermCount {
    /// The term (a query), as the list gives it.
    pub term: String,
    /// Exhibits it finds.
    pub documents: u64,
    /// Those and every other member of their families.
    pub with_families: u64,
    /// Exhibits it finds that no other term of the list finds.
    pub unique: u64,
}

/// A search-term report: what each term of a list finds, reproducible by
/// whoever holds the same list and the same exhibits.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchReport {
    /// The SHA-256 of the term list as given (its bytes).
    pub terms_sha256: String,
    /// The exhibits searched.
    pub searched: u64,
    /// The SHA-256 of the set searched: of the exhibits' SHA-256 values,
    /// sorted, each followed by a line feed.
    pub searched_sha256: String,
    /// Each term, in the list's order.
    pub terms: Vec<TermCount>,
    /// Any term: the exhibits found by at least one (`unique`: the sum of
    /// the terms').
    pub total: TermCount,
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
    fn condition(&mut self, conn: &rusqlite::Connection, q: &Query) -> Result<String> {
        if let Some(m) = fts(q) {
            let i = self.arg(m);
            return Ok(format!("e.number IN (SELECT rowid FROM exhibit_search WHERE exhibit_search MATCH ?{i})"));
        }
        Ok(match q {
            Query::And(all) => format!("({})", all.iter().map(|q| self.condition(conn, q)).collect::<Result<Vec<_>>>()?.join(" AND ")),
            Query::Or(any) => format!("({})", any.iter().map(|q| self.condition(conn, q)).collect::<Result<Vec<_>>>()?.join(" OR ")),
            Query::Not(q) => format!("NOT {}", self.condition(conn, q)?),
            Query::Date { field, from, to } => self.date(field, from.as_deref(), to.as_deref()),
            Query::Near { left, right, distance, ordered: true } => {
                let near = fts(&relaxed(q)).expect("a proximity of words is a match");
                let found = super::proximity::ordered(conn, &near, left, right, *distance)?;
                let i = self.arg(serde_json::to_string(&found).expect("numbers serialise"));
                format!("e.number IN (SELECT value FROM json_each(?{i}))")
            }
            Query::Words { .. } | Query::Near { .. } => unreachable!("words always make a match"),
        })
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
        Query::Near { ordered: true, .. } => None,
        Query::Near { left, right, distance, ordered: false } => {
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

/// `q` with every ordered proximity taken as unordered: what an FTS5 match
/// can find, a superset of what `q` finds.
fn relaxed(q: &Query) -> Query {
    match q {
        Query::Near { left, right, distance, .. } => Query::Near { left: left.clone(), right: right.clone(), distance: *distance, ordered: false },
        Query::And(all) => Query::And(all.iter().map(relaxed).collect()),
        Query::Or(any) => Query::Or(any.iter().map(relaxed).collect()),
        Query::Not(q) => Query::Not(Box::new(relaxed(q))),
        q => q.clone(),
    }
}

fn is_ordered(q: &Query) -> bool {
    matches!(q, Query::Near { ordered: true, .. })
}

fn has_ordered(q: &Query) -> bool {
    match q {
        Query::And(v) | Query::Or(v) => v.iter().any(has_ordered),
        Query::Not(q) => has_ordered(q),
        q => is_ordered(q),
    }
}

/// Compiles a query: the match to rank by (the whole query when it is one
/// expression, else the parts of a top-level AND that are), and the rest as
/// conditions. An ordered proximity at the top is matched as unordered (to
/// rank by) and held to its order by a condition.
fn compile(conn: &rusqlite::Connection, q: &Query) -> Result<Compiled> {
    let mut c = Compiled::default();
    if let Some(m) = fts(q) {
        c.matching = Some(m);
        return Ok(c);
    }
    let parts: Vec<&Query> = match q {
        Query::And(all) => all.iter().collect(),
        q => vec![q],
    };
    if parts.iter().any(|p| is_ordered(p))
        && !parts.iter().any(|p| !is_ordered(p) && has_ordered(p))
        && let Some(m) = fts(&relaxed(q))
    {
        c.matching = Some(m);
        for p in parts.into_iter().filter(|p| is_ordered(p)) {
            let cond = c.condition(conn, p)?;
            c.conditions.push(cond);
        }
        return Ok(c);
    }
    if let Query::And(all) = q {
        let (words, rest): (Vec<&Query>, Vec<&Query>) = all.iter().partition(|q| !matches!(q, Query::Not(_)) && fts(q).is_some());
        if !words.is_empty() {
            c.matching = fts(&Query::And(words.into_iter().cloned().collect()));
        }
        for q in rest {
            let cond = c.condition(conn, q)?;
            c.conditions.push(cond);
        }
        return Ok(c);
    }
    let cond = c.condition(conn, q)?;
    c.conditions.push(cond);
    Ok(c)
}

/// The numbers of every exhibit a parsed query finds, in order, in a
/// database with the index's tables (a vault's, or a production's built in
/// memory).
pub(crate) fn matching(conn: &rusqlite::Connection, q: &Query) -> Result<Vec<i64>> {
    let mut c = compile(conn, q)?;
    let mut wheres = std::mem::take(&mut c.conditions);
    let from = match c.matching.take() {
        Some(m) => {
            let i = c.arg(m);
            wheres.insert(0, format!("exhibit_search MATCH ?{i}"));
            "exhibit_search JOIN exhibits e ON e.number = exhibit_search.rowid"
        }
        None => "exhibits e",
    };
    let sql = format!("SELECT e.number FROM {from} WHERE {} ORDER BY e.number", wheres.join(" AND "));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(&c.args), |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The terms of a list (one query per line, blank lines skipped), each
/// parsed; a term that cannot be searched exactly is refused, naming its line.
pub(crate) fn parse_terms(list: &str) -> Result<Vec<(String, Query)>> {
    let mut out = Vec::new();
    for (i, line) in list.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let q = query::parse(t).map_err(|e| Error::InvalidQuery(format!("line {} ({t}): {}", i + 1, e.0)))?;
        out.push((t.to_string(), q));
    }
    if out.is_empty() {
        return Err(Error::InvalidInput("the term list has no terms (one query per line)".into()));
    }
    Ok(out)
}

/// The search-term report over the exhibits of `conn`.
pub(crate) fn report(conn: &rusqlite::Connection, list: &str) -> Result<SearchReport> {
    let terms = parse_terms(list)?;
    let hits: Vec<Vec<i64>> = terms.iter().map(|(_, q)| matching(conn, q)).collect::<Result<_>>()?;
    let mut times_hit: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for h in &hits {
        for n in h {
            *times_hit.entry(*n).or_default() += 1;
        }
    }
    let mut rows = Vec::with_capacity(terms.len());
    for ((term, _), h) in terms.iter().zip(&hits) {
        rows.push(TermCount {
            term: term.clone(),
            documents: h.len() as u64,
            with_families: with_families(conn, h)?.len() as u64,
            unique: h.iter().filter(|n| times_hit[n] == 1).count() as u64,
        });
    }
    let all: Vec<i64> = {
        let mut v: Vec<i64> = times_hit.keys().copied().collect();
        v.sort_unstable();
        v
    };
    let total = TermCount { term: "(any term)".into(), documents: all.len() as u64, with_families: with_families(conn, &all)?.len() as u64, unique: rows.iter().map(|r| r.unique).sum() };
    let mut stmt = conn.prepare_cached("SELECT sha256 FROM exhibits ORDER BY sha256")?;
    let hashes: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut set = Sha256::new();
    for h in &hashes {
        set.update(h.as_bytes());
        set.update(b"\n");
    }
    Ok(SearchReport {
        terms_sha256: hex::encode(Sha256::digest(list.as_bytes())),
        searched: hashes.len() as u64,
        searched_sha256: hex::encode(set.finalize()),
        terms: rows,
        total,
    })
}

/// The exhibits `numbers` and every other member of their families.
fn with_families(conn: &rusqlite::Connection, numbers: &[i64]) -> Result<std::collections::BTreeSet<i64>> {
    let mut out: std::collections::BTreeSet<i64> = numbers.iter().copied().collect();
    let mut head_of =
        conn.prepare_cached("SELECT coalesce(f.family_id, e.id) FROM exhibits e LEFT JOIN exhibit_family f ON f.exhibit_id = e.id WHERE e.number = ?1")?;
    let mut heads = std::collections::BTreeSet::new();
    for n in numbers {
        heads.insert(head_of.query_row([n], |r| r.get::<_, String>(0))?);
    }
    let mut members = conn.prepare_cached(
        "SELECT number FROM exhibits WHERE id = ?1 UNION SELECT e.number FROM exhibit_family f JOIN exhibits e ON e.id = f.exhibit_id WHERE f.family_id = ?1",
    )?;
    for h in &heads {
        for n in members.query_map([h], |r| r.get::<_, i64>(0))? {
            out.insert(n?);
        }
    }
    Ok(out)
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
        let mut c = compile(&self.conn, &q)?;
        let rows = match c.matching.take() {
            Some(m) => {
                let i = c.arg(m);
                let l = c.arg(limit as i64);
                let more: String = c.conditions.iter().map(|w| format!(" AND {w}")).collect();
                // Conditions read the exhibit's row; a match alone needs only the index.
                let from = if more.is_empty() { "exhibit_search" } else { "exhibit_search JOIN exhibits e ON e.number = exhibit_search.rowid" };
                // The best rows are found first (their rowid and score only),
                // so the snippets are made for them alone.
                let sql = format!(
                    "WITH best AS (
                         SELECT exhibit_search.rowid AS number, bm25(exhibit_search, {WEIGHTS}) AS rank
                         FROM {from}
                         WHERE exhibit_search MATCH ?{i}{more}
                         ORDER BY rank, exhibit_search.rowid LIMIT ?{l})
                     SELECT e.id, -best.rank, snippet(exhibit_search, -1, '«', '»', '…', 16)
                     FROM best JOIN exhibit_search ON exhibit_search.rowid = best.number JOIN exhibits e ON e.number = best.number
                     WHERE exhibit_search MATCH ?{i}
                     ORDER BY best.rank, best.number"
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

    /// The ids of every exhibit a query finds, in exhibit order; a query
    /// that cannot be searched exactly is [`Error::InvalidQuery`].
    pub(crate) fn matching_ids(&self, text: &str) -> Result<Vec<String>> {
        let q = query::parse(text).map_err(|e| Error::InvalidQuery(e.0))?;
        let numbers = serde_json::to_string(&matching(&self.conn, &q)?).expect("numbers serialise");
        let mut stmt = self.conn.prepare_cached("SELECT id FROM exhibits WHERE number IN (SELECT value FROM json_each(?1)) ORDER BY number")?;
        let ids = stmt.query_map([numbers], |r| r.get(0))?;
        Ok(ids.collect::<rusqlite::Result<_>>()?)
    }

    /// The search-term report of a list of terms (each a query): per term the
    /// exhibits it finds, with their families, and those no other term finds;
    /// the totals; and the SHA-256 of the list and of the set searched. A
    /// term that cannot be searched exactly refuses the whole report, naming
    /// its line.
    pub fn search_report(&self, list: &str) -> Result<SearchReport> {
        report(&self.conn, list)
    }

    fn hits(&self, sql: &str, args: &[Value]) -> Result<Vec<SearchHit>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| Ok(SearchHit { id: r.get(0)?, score: r.get(1)?, snippet: r.get(2)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Merges some of the full-text index's segments (a bounded amount of
    /// work, about 16 MB), after processing has added to it, so that queries
    /// keep reading few lists.
    pub fn tidy_search_index(&mut self) -> Result<()> {
        self.conn.execute_batch("INSERT INTO exhibit_search (exhibit_search, rank) VALUES ('merge', 4000)")?;
        Ok(())
    }

    /// Builds the full-text index anew from the catalog (what it is kept
    /// from), in one transaction; returns the exhibits indexed.
    pub fn rebuild_search_index(&mut self) -> Result<u64> {
        let tx = self.conn.transaction()?;
        let sql = crate::store::db::MIGRATIONS.iter().find(|m| m.contains("DELETE FROM exhibit_search;")).expect("a migration builds the index");
        let start = sql.find("DELETE FROM exhibit_search;").expect("the index is built by its migration");
        let end = sql.find("CREATE TRIGGER IF NOT EXISTS search_first_source").expect("then its triggers");
        tx.execute_batch(&sql[start..end])?;
        // One segment, as a query reads fastest.
        tx.execute_batch("INSERT INTO exhibit_search (exhibit_search) VALUES ('optimize')")?;
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
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let c = compile(&conn, &query::parse("falcon sent:2025-05-01..2025-05-31 NOT tag:privileged").unwrap()).unwrap();
        assert_eq!(c.matching.as_deref(), Some("(\"falcon\")"));
        assert_eq!(c.conditions.len(), 2, "the date and the NOT");
    }
}
