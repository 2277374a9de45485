//! Lists that are not sent whole: a window of the exhibit list or of the
//! custody log, with the filter, the order and the count done by the
//! database, so a window costs the same at 500 exhibits or 500,000.

use super::Vault;
use super::exhibits::{Exhibit, LISTING, listing_row};
use crate::error::{Error, Result};
use crate::format::custody::{Action, CustodyEvent};
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

/// Most rows one window may hold.
pub const MAX_WINDOW: u32 = 2000;

/// Which exhibits, by custodian of their first source.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum CustodianFilter {
    /// Every exhibit.
    #[default]
    Any,
    /// Those with no custodian recorded.
    Unrecorded,
    /// Those of this custodian.
    Named(String),
}

/// The order of an exhibit window.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExhibitOrder {
    /// Exhibit number.
    #[default]
    Number,
    /// Original file name.
    Name,
    /// MIME type.
    Type,
    /// Size.
    Size,
    /// Custodian.
    Custodian,
    /// Collection time.
    Collected,
    /// SHA-256.
    Sha256,
}

/// Which way an order runs.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Smallest, earliest, first.
    #[default]
    Ascending,
    /// Largest, latest, first.
    Descending,
}

/// A window of the exhibit list.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExhibitQuery {
    /// Words that must each match the exhibit number, name, custodian or a
    /// tag (anywhere, any case), or begin its SHA-256.
    pub text: String,
    /// Custodian.
    pub custodian: CustodianFilter,
    /// Only exhibits with this tag.
    pub tag: Option<String>,
    /// Order.
    pub order: ExhibitOrder,
    /// Its direction.
    pub direction: Direction,
    /// Rows to skip.
    pub offset: u32,
    /// Rows to return (at most [`MAX_WINDOW`]).
    pub limit: u32,
    /// Only exhibits found inside no other: those heading a family (with
    /// its members counted in [`Exhibit::members`]) and those on their own.
    #[serde(default)]
    pub heads_only: bool,
}

/// A window of exhibits and how many match in all.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExhibitWindow {
    /// Exhibits matching the filter, in all.
    pub total: u32,
    /// The first row's position among them.
    pub offset: u32,
    /// The rows.
    pub rows: Vec<Exhibit>,
}

/// A window of the custody log.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustodyQuery {
    /// Only events of this exhibit.
    pub exhibit: Option<String>,
    /// Only events of this action.
    pub action: Option<Action>,
    /// Only events by this examiner.
    pub actor: Option<String>,
    /// From this day on (`YYYY-MM-DD`, UTC).
    pub from: Option<String>,
    /// Up to and including this day.
    pub to: Option<String>,
    /// Order.
    pub direction: Direction,
    /// Events to skip.
    pub offset: u32,
    /// Events to return (at most [`MAX_WINDOW`]).
    pub limit: u32,
}

/// A window of custody events and how many match in all.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustodyWindow {
    /// Events matching the filter, in all.
    pub total: u32,
    /// The first event's position among them.
    pub offset: u32,
    /// The events.
    pub events: Vec<CustodyEvent>,
}

/// A WHERE clause built clause by clause, with its numbered arguments.
#[derive(Default)]
pub(crate) struct Filter {
    clauses: Vec<String>,
    /// The arguments, `?1` first.
    pub(crate) args: Vec<Value>,
}

impl Filter {
    /// Adds `clause`, its one `?` bound to `value`.
    pub(crate) fn bind(&mut self, clause: &str, value: impl Into<Value>) {
        self.args.push(value.into());
        self.clauses.push(clause.replace('?', &format!("?{}", self.args.len())));
    }

    /// Adds `value` as the next argument and returns its number (for a
    /// clause that names several).
    pub(crate) fn arg(&mut self, value: impl Into<Value>) -> usize {
        self.args.push(value.into());
        self.args.len()
    }

    /// Adds a clause whose arguments are numbered already.
    pub(crate) fn clause(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    /// Whether nothing narrows the query.
    pub(crate) fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// " WHERE a AND b", or nothing.
    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() { String::new() } else { format!(" WHERE {}", self.clauses.join(" AND ")) }
    }
}

impl Direction {
    /// The SQL of the direction.
    fn sql(self) -> &'static str {
        match self {
            Direction::Ascending => "ASC",
            Direction::Descending => "DESC",
        }
    }
}

fn check_limit(limit: u32) -> Result<i64> {
    if limit == 0 || limit > MAX_WINDOW {
        return Err(Error::InvalidInput(format!("a window holds 1 to {MAX_WINDOW} rows ({limit} asked)")));
    }
    Ok(limit as i64)
}

fn check_day(day: &Option<String>, which: &str) -> Result<()> {
    // Exactly YYYY-MM-DD: the day is compared with stored times as text.
    if let Some(d) = day
        && (d.len() != 10 || chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err())
    {
        return Err(Error::InvalidInput(format!("the '{which}' date '{d}' is not a day (YYYY-MM-DD)")));
    }
    Ok(())
}

/// The ORDER BY column and direction of an exhibit query.
fn order_by(q: &ExhibitQuery) -> (&'static str, &'static str) {
    let column = match q.order {
        ExhibitOrder::Number => "e.number",
        ExhibitOrder::Name => "e.original_name COLLATE NOCASE",
        ExhibitOrder::Type => "e.mime",
        ExhibitOrder::Size => "e.size",
        ExhibitOrder::Custodian => "f.custodian COLLATE NOCASE",
        ExhibitOrder::Collected => "e.collected_at",
        ExhibitOrder::Sha256 => "e.sha256",
    };
    (column, q.direction.sql())
}

/// The column that orders equal values: the number, from the table whose
/// index the order can use.
fn tie_break(q: &ExhibitQuery) -> &'static str {
    if q.order == ExhibitOrder::Custodian { "f.number" } else { "e.number" }
}

/// `s` for a LIKE pattern escaped with a backslash: its wildcards taken literally.
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

impl Vault {
    /// The WHERE clause of an exhibit query over `exhibits e` joined with
    /// `exhibit_facets f`, and its arguments.
    fn exhibit_filter(q: &ExhibitQuery) -> Filter {
        let mut f = Filter::default();
        for word in q.text.split_whitespace() {
            if word.chars().count() >= 3 {
                // The trigram index finds the word anywhere in the number,
                // name or custodian, in any case; the tags are few and
                // counted, so those containing it are found in `tag_counts`
                // and their exhibits through `tags_by_tag`; a hexadecimal word
                // may also begin the SHA-256 (a range of its unique index).
                let phrase = f.arg(format!("\"{}\"", word.replace('"', "\"\"")));
                let like = f.arg(format!("%{}%", escape_like(word)));
                let mut found = format!(
                    "SELECT rowid FROM exhibit_words WHERE exhibit_words MATCH ?{phrase} \
                     UNION SELECT x.number FROM tags t JOIN exhibits x ON x.id = t.exhibit_id \
                     WHERE t.tag IN (SELECT tag FROM tag_counts WHERE tag LIKE ?{like} ESCAPE '\\')"
                );
                if word.chars().all(|c| c.is_ascii_hexdigit()) {
                    let low = word.to_ascii_lowercase();
                    // Every hash beginning `low` sorts from `low` up to `low` + "g".
                    let (from, below) = (f.arg(low.clone()), f.arg(format!("{low}g")));
                    found.push_str(&format!(" UNION SELECT number FROM exhibits WHERE sha256 >= ?{from} AND sha256 < ?{below}"));
                }
                f.clause(format!("e.number IN ({found})"));
            } else {
                // Shorter than a trigram: a scan. LIKE ignores the case of
                // ASCII letters; other letters match as written.
                let (anywhere, start) = (f.arg(format!("%{}%", escape_like(word))), f.arg(format!("{}%", escape_like(word))));
                f.clause(format!(
                    "(e.id LIKE ?{anywhere} ESCAPE '\\' OR e.original_name LIKE ?{anywhere} ESCAPE '\\' \
                     OR f.custodian LIKE ?{anywhere} ESCAPE '\\' \
                     OR EXISTS (SELECT 1 FROM tags t WHERE t.exhibit_id = e.id AND t.tag LIKE ?{anywhere} ESCAPE '\\') \
                     OR e.sha256 LIKE ?{start} ESCAPE '\\')"
                ));
            }
        }
        match &q.custodian {
            CustodianFilter::Any => {}
            CustodianFilter::Unrecorded => f.clause("f.custodian = ''".into()),
            CustodianFilter::Named(name) => f.bind("f.custodian = ?", name.clone()),
        }
        if let Some(tag) = &q.tag {
            f.bind("e.id IN (SELECT exhibit_id FROM tags WHERE tag = ?)", tag.clone());
        }
        if q.heads_only {
            f.clause("NOT EXISTS (SELECT 1 FROM exhibit_family x WHERE x.exhibit_id = e.id)".into());
        }
        f
    }

    /// A window of the exhibit list.
    pub fn exhibit_window(&self, q: &ExhibitQuery) -> Result<ExhibitWindow> {
        let limit = check_limit(q.limit)?;
        let mut f = Self::exhibit_filter(q);
        let (filter, (column, dir), tie) = (f.sql(), order_by(q), tie_break(q));
        // The facets hold each exhibit's first custodian; without a filter
        // the count is the kept total.
        let unfiltered = ExhibitQuery { heads_only: false, ..q.clone() };
        let total = if f.is_empty() {
            self.exhibit_totals()?.0
        } else if q.heads_only && Self::exhibit_filter(&unfiltered).is_empty() {
            // Every exhibit but the members of families (one row each).
            let members: i64 = self.conn.prepare_cached("SELECT count(*) FROM exhibit_family")?.query_row([], |r| r.get(0))?;
            self.exhibit_totals()?.0.saturating_sub(members as u64)
        } else {
            let sql = format!("SELECT count(*) FROM exhibits e JOIN exhibit_facets f ON f.number = e.number{filter}");
            self.conn.prepare_cached(&sql)?.query_row(rusqlite::params_from_iter(&f.args), |r| r.get::<_, i64>(0))? as u64
        };
        // The window's numbers are found first (ordered through an index
        // where one fits), so the listing's joins run for its rows only.
        let (limit, offset) = (f.arg(limit), f.arg(q.offset as i64));
        let window_sql = format!(
            "{LISTING} JOIN exhibit_facets f ON f.number = e.number \
             WHERE e.number IN (SELECT e.number FROM exhibits e JOIN exhibit_facets f ON f.number = e.number{filter} \
                                ORDER BY {column} {dir}, {tie} {dir} LIMIT ?{limit} OFFSET ?{offset}) \
             ORDER BY {column} {dir}, {tie} {dir}"
        );
        let mut stmt = self.conn.prepare_cached(&window_sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(&f.args), listing_row)?.collect::<rusqlite::Result<_>>()?;
        Ok(ExhibitWindow { total: total as u32, offset: q.offset, rows })
    }

    /// The ids of every exhibit an exhibit query matches, in its order (its
    /// offset and limit aside): what "select all" selects, without the rows.
    pub fn exhibit_ids(&self, q: &ExhibitQuery) -> Result<Vec<String>> {
        let f = Self::exhibit_filter(q);
        let (filter, (column, dir), tie) = (f.sql(), order_by(q), tie_break(q));
        let sql = format!("SELECT e.id FROM exhibits e JOIN exhibit_facets f ON f.number = e.number{filter} ORDER BY {column} {dir}, {tie} {dir}");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let ids = stmt.query_map(rusqlite::params_from_iter(&f.args), |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// A window of the custody log, through its index.
    pub fn custody_window(&self, q: &CustodyQuery) -> Result<CustodyWindow> {
        let limit = check_limit(q.limit)?;
        check_day(&q.from, "from")?;
        check_day(&q.to, "to")?;
        let mut f = Filter::default();
        if let Some(x) = &q.exhibit {
            f.bind("i.exhibit = ?", x.clone());
        }
        if let Some(a) = q.action {
            f.bind("i.action = ?", a.as_str().to_string());
        }
        if let Some(a) = &q.actor {
            f.bind("i.actor = ?", a.clone());
        }
        if let Some(d) = &q.from {
            f.bind("i.time >= ?", d.clone());
        }
        if let Some(d) = &q.to {
            // Every time of that day begins "<day>T", which sorts below "<day>U".
            f.bind("i.time < ?", format!("{d}U"));
        }
        let (filter, dir) = (f.sql(), q.direction.sql());
        // Unfiltered, the count is the session's (no scan of the index).
        let total = if f.is_empty() {
            self.event_count()?
        } else {
            let sql = format!("SELECT count(*) FROM custody_index i{filter}");
            self.conn.prepare_cached(&sql)?.query_row(rusqlite::params_from_iter(&f.args), |r| r.get::<_, i64>(0))? as u64
        };
        let (limit, offset) = (f.arg(limit), f.arg(q.offset as i64));
        let sql = format!(
            "SELECT e.seq, e.body FROM custody_index i JOIN custody_events e ON e.seq = i.seq{filter} ORDER BY i.seq {dir} LIMIT ?{limit} OFFSET ?{offset}"
        );
        let events = self.query_events(&sql, rusqlite::params_from_iter(&f.args))?;
        Ok(CustodyWindow { total: total as u32, offset: q.offset, events })
    }

    /// How the tables kept from the catalog (schemas 9 and 10) disagree
    /// with it, one sentence per table that does (none when they agree):
    /// what verification reports, since the lists, counts and search trust
    /// them. Reads every exhibit, source and tag once.
    pub fn derived_drift(&self) -> Result<Vec<String>> {
        let count = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        let mut drift = Vec::new();
        let mut say = |n: i64, what: &str| {
            if n > 0 {
                drift.push(format!("{n} {what}"));
            }
        };
        say(
            count(
                "SELECT count(*) FROM exhibits e
                 JOIN exhibit_sources s ON s.id = (SELECT min(id) FROM exhibit_sources WHERE exhibit_id = e.id)
                 LEFT JOIN exhibit_facets f ON f.number = e.number
                 WHERE f.number IS NULL OR f.size IS NOT e.size OR f.custodian IS NOT coalesce(s.custodian, '')",
            )? + count("SELECT count(*) FROM exhibit_facets f LEFT JOIN exhibits e ON e.number = f.number WHERE e.number IS NULL")?,
            "exhibit(s) whose kept custodian or size (exhibit_facets) differ from the catalog",
        );
        // Recounted from the catalog itself, not from the facets.
        let totals = "SELECT coalesce(s.custodian, ''), count(*), sum(e.size) FROM exhibits e
                      JOIN exhibit_sources s ON s.id = (SELECT min(id) FROM exhibit_sources WHERE exhibit_id = e.id)
                      GROUP BY 1";
        say(
            count(&format!("SELECT count(*) FROM (SELECT * FROM ({totals}) EXCEPT SELECT custodian, exhibits, bytes FROM custodian_totals)"))?
                + count(&format!("SELECT count(*) FROM (SELECT custodian, exhibits, bytes FROM custodian_totals EXCEPT SELECT * FROM ({totals}))"))?,
            "custodian total(s) (custodian_totals: the dashboard's counts) differ from the exhibits",
        );
        say(
            count("SELECT count(*) FROM (SELECT tag, count(*) FROM tags GROUP BY tag EXCEPT SELECT tag, exhibits FROM tag_counts)")?
                + count("SELECT count(*) FROM (SELECT tag, exhibits FROM tag_counts EXCEPT SELECT tag, count(*) FROM tags GROUP BY tag)")?,
            "tag count(s) (tag_counts) differ from the tags",
        );
        say(
            count(
                "SELECT count(*) FROM exhibits e JOIN exhibit_facets f ON f.number = e.number
                 LEFT JOIN exhibit_words w ON w.rowid = e.number
                 WHERE w.rowid IS NULL OR w.words IS NOT e.id || char(10) || e.original_name || char(10) || f.custodian",
            )? + count("SELECT count(*) FROM exhibit_words w LEFT JOIN exhibits e ON e.number = w.rowid WHERE e.number IS NULL")?,
            "exhibit(s) whose words in the search index (exhibit_words) differ from the catalog, so a search could miss them",
        );
        say(
            count(
                "SELECT count(*) FROM exhibits e JOIN exhibit_facets f ON f.number = e.number
                 LEFT JOIN exhibit_search s ON s.rowid = e.number
                 WHERE s.rowid IS NULL OR s.name IS NOT e.original_name OR s.custodian IS NOT f.custodian",
            )? + count("SELECT count(*) FROM exhibit_search s LEFT JOIN exhibits e ON e.number = s.rowid WHERE e.number IS NULL")?,
            "exhibit(s) missing from the full-text index (exhibit_search) or different there, so a search could miss them \
             (custos search VAULT --rebuild-index builds it anew)",
        );
        let recount = "SELECT 'custodian', custodian, count(*) FROM exhibit_sources WHERE coalesce(custodian, '') <> '' GROUP BY custodian
             UNION ALL SELECT 'source', source, count(*) FROM exhibit_sources WHERE coalesce(source, '') <> '' GROUP BY source
             UNION ALL SELECT 'method', method, count(*) FROM exhibit_sources WHERE coalesce(method, '') <> '' GROUP BY method
             UNION ALL SELECT 'purpose', purpose, count(*) FROM exhibit_sources WHERE coalesce(purpose, '') <> '' GROUP BY purpose";
        say(
            count(&format!("SELECT count(*) FROM (SELECT * FROM ({recount}) EXCEPT SELECT field, value, uses FROM source_values)"))?
                + count(&format!("SELECT count(*) FROM (SELECT field, value, uses FROM source_values EXCEPT SELECT * FROM ({recount}))"))?,
            "recorded value(s) (source_values: the intake suggestions) differ from the sources",
        );
        Ok(drift)
    }
}
