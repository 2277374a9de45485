//! The search query language (DESIGN §3.2), parsed into a tree the store
//! turns into one SQLite FTS5 match and SQL conditions.
//!
//! - words (`drawings`), each must match somewhere: in an exhibit's name,
//!   text, sender, recipients, subject, custodian, tags or type;
//! - `"quoted phrases"`, the words in that order next to each other;
//! - `AND` (also implied between two terms), `OR`, `NOT` and parentheses;
//!   `AND` binds tighter than `OR`;
//! - `term*`, any word that begins with `term`;
//! - `a w/5 b`, `a` and `b` within 5 words of each other in either order
//!   (each side a word, a prefix or a phrase); `a pre/5 b`, `a` before `b`
//!   with at most 5 words between them;
//! - `from:`, `to:` (also Cc and Bcc), `subject:`, `custodian:`, `tag:`,
//!   `type:` (MIME type or kind, e.g. `type:pdf`), `name:`, `text:`, each
//!   followed by a word, a prefix or a phrase;
//! - `sent:`, `received:`, `created:`, `modified:`, `taken:` and
//!   `collected:` with a day (`2025-05-01`) or a range of days
//!   (`2025-05-01..2025-05-31`, open at either end: `..2025-05-31`).
//!
//! What the engine cannot do exactly is refused with the reason, never
//! rewritten into another search: a wildcard anywhere but at the end of a
//! word, an unbalanced quote or parenthesis, an operator with nothing on one
//! side, an unknown field, a date that is not a day.

use std::fmt;

/// A text field a term may be limited to: its name in queries and the
/// index column it searches.
pub const TEXT_FIELDS: [(&str, &str); 8] = [
    ("from", "sender"),
    ("to", "recipients"),
    ("subject", "subject"),
    ("custodian", "custodian"),
    ("tag", "tags"),
    ("type", "kind"),
    ("name", "name"),
    ("text", "body"),
];

/// A date field and the metadata fields (or `collected_at`) it reads.
pub const DATE_FIELDS: [(&str, &[&str]); 6] = [
    ("sent", &["date_sent"]),
    ("received", &["date_received"]),
    ("created", &["created"]),
    ("modified", &["modified"]),
    ("taken", &["date_taken"]),
    ("collected", &[]),
];

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// A word, or the words of a phrase in order.
    Words {
        /// The index column it is limited to, if any.
        column: Option<&'static str>,
        /// The word, or the phrase's words.
        words: String,
        /// Any word beginning with it.
        prefix: bool,
    },
    /// Two sides within `distance` words of each other.
    Near {
        /// One side (words).
        left: Box<Query>,
        /// The other side (words).
        right: Box<Query>,
        /// The most words between them.
        distance: u32,
        /// `left` must come first (`pre/N`).
        ordered: bool,
    },
    /// A date field within a range of days (inclusive; open where `None`).
    Date {
        /// The field (`sent`, `collected`, …).
        field: &'static str,
        /// The first day, `YYYY-MM-DD`.
        from: Option<String>,
        /// The last day.
        to: Option<String>,
    },
    /// Every one.
    And(Vec<Query>),
    /// Any one.
    Or(Vec<Query>),
    /// Not this one.
    Not(Box<Query>),
}

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(
    /// Why, in words.
    pub String,
);

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

fn refuse<T>(why: impl Into<String>) -> Result<T, QueryError> {
    Err(QueryError(why.into()))
}

/// A token of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Phrase(String),
    Open,
    Close,
    And,
    Or,
    Not,
    /// `w/N` (false) or `pre/N` (true).
    Near(u32, bool),
    /// `field:` (the value follows).
    Field(String),
}

fn tokens(q: &str) -> Result<Vec<Token>, QueryError> {
    let mut out = Vec::new();
    let mut chars = q.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            '"' => {
                chars.next();
                let mut phrase = String::new();
                let mut closed = false;
                for (_, c) in chars.by_ref() {
                    if c == '"' {
                        closed = true;
                        break;
                    }
                    phrase.push(c);
                }
                if !closed {
                    return refuse(format!("the quote at character {} is never closed; add the closing \"", at + 1));
                }
                out.push(Token::Phrase(phrase));
            }
            _ => {
                let mut word = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_whitespace() || c == '(' || c == ')' || c == '"' {
                        break;
                    }
                    word.push(c);
                    chars.next();
                    if c == ':' {
                        break;
                    }
                }
                out.push(match word.as_str() {
                    "AND" => Token::And,
                    "OR" => Token::Or,
                    "NOT" => Token::Not,
                    w if w.ends_with(':') && w.len() > 1 => Token::Field(w[..w.len() - 1].to_ascii_lowercase()),
                    w => match proximity(w)? {
                        Some((n, ordered)) => Token::Near(n, ordered),
                        None => Token::Word(word),
                    },
                });
            }
        }
    }
    Ok(out)
}

/// `w/N` or `pre/N` (a distance, and whether ordered), or `None` for a word.
fn proximity(w: &str) -> Result<Option<(u32, bool)>, QueryError> {
    let lower = w.to_ascii_lowercase();
    for (op, ordered) in [("w/", false), ("pre/", true)] {
        if let Some(n) = lower.strip_prefix(op) {
            return match n.parse::<u32>() {
                Ok(n) if (1..=1000).contains(&n) => Ok(Some((n, ordered))),
                _ => refuse(format!("{w}: a proximity is {op} and a number of words from 1 to 1000, e.g. {op}5")),
            };
        }
    }
    Ok(None)
}

/// Parses a query, or says why it cannot be searched exactly.
pub fn parse(q: &str) -> Result<Query, QueryError> {
    let tokens = tokens(q)?;
    if tokens.is_empty() {
        return refuse("the query is empty");
    }
    let mut p = Parser { tokens, at: 0 };
    let query = p.or()?;
    match p.peek() {
        None => Ok(query),
        Some(Token::Close) => refuse("a ) has no ( before it"),
        Some(t) => refuse(format!("unexpected {}", describe(t))),
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

fn describe(t: &Token) -> String {
    match t {
        Token::Word(w) => format!("\"{w}\""),
        Token::Phrase(p) => format!("\"{p}\""),
        Token::Open => "(".into(),
        Token::Close => ")".into(),
        Token::And => "AND".into(),
        Token::Or => "OR".into(),
        Token::Not => "NOT".into(),
        Token::Near(n, ordered) => format!("{}/{n}", if *ordered { "pre" } else { "w" }),
        Token::Field(f) => format!("{f}:"),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn or(&mut self) -> Result<Query, QueryError> {
        let mut any = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.next();
            if matches!(self.peek(), None | Some(Token::Close | Token::Or | Token::And)) {
                return refuse("OR has nothing after it");
            }
            any.push(self.and()?);
        }
        Ok(if any.len() == 1 { any.remove(0) } else { Query::Or(any) })
    }

    fn and(&mut self) -> Result<Query, QueryError> {
        let mut all = vec![self.unary()?];
        loop {
            match self.peek() {
                Some(Token::And) => {
                    self.next();
                    if matches!(self.peek(), None | Some(Token::Close | Token::Or | Token::And)) {
                        return refuse("AND has nothing after it");
                    }
                }
                None | Some(Token::Close | Token::Or) => break,
                Some(_) => {}
            }
            all.push(self.unary()?);
        }
        Ok(if all.len() == 1 { all.remove(0) } else { Query::And(all) })
    }

    fn unary(&mut self) -> Result<Query, QueryError> {
        if self.peek() == Some(&Token::Not) {
            self.next();
            if matches!(self.peek(), None | Some(Token::Close | Token::Or | Token::And)) {
                return refuse("NOT has nothing after it");
            }
            return Ok(Query::Not(Box::new(self.unary()?)));
        }
        let mut left = self.primary()?;
        while let Some(Token::Near(distance, ordered)) = self.peek().cloned() {
            self.next();
            let op = format!("{}/{distance}", if ordered { "pre" } else { "w" });
            if matches!(self.peek(), None | Some(Token::Close | Token::Or | Token::And)) {
                return refuse(format!("{op} has nothing after it"));
            }
            let right = self.primary()?;
            for side in [&left, &right] {
                if !matches!(side, Query::Words { column: None, .. }) {
                    let what = if matches!(side, Query::Near { .. }) {
                        "one w/N or pre/N at a time (group the rest with AND)"
                    } else {
                        "words, prefixes and phrases, not groups, fields, dates or NOT"
                    };
                    return refuse(format!("{op} joins {what}"));
                }
            }
            left = Query::Near { left: Box::new(left), right: Box::new(right), distance, ordered };
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Query, QueryError> {
        match self.next() {
            Some(Token::Open) => {
                if self.peek() == Some(&Token::Close) {
                    return refuse("() is empty");
                }
                let inner = self.or()?;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => refuse("a ( is never closed; add the closing )"),
                }
            }
            Some(Token::Word(w)) => words(None, &w),
            Some(Token::Phrase(p)) => phrase(None, &p),
            Some(Token::Field(f)) => self.field(&f),
            Some(Token::Close) => refuse("a ) has no ( before it"),
            Some(t) => refuse(format!("{} has nothing before it", describe(&t))),
            None => refuse("the query ends too soon"),
        }
    }

    fn field(&mut self, name: &str) -> Result<Query, QueryError> {
        if let Some((_, column)) = TEXT_FIELDS.iter().find(|(f, _)| *f == name) {
            return match self.next() {
                Some(Token::Word(w)) => words(Some(column), &w),
                Some(Token::Phrase(p)) => phrase(Some(column), &p),
                _ => refuse(format!("{name}: wants a word, a prefix or a \"phrase\" right after it")),
            };
        }
        if let Some((field, _)) = DATE_FIELDS.iter().find(|(f, _)| *f == name) {
            return match self.next() {
                Some(Token::Word(w)) => dates(field, &w),
                _ => refuse(format!("{name}: wants a day or a range of days, e.g. {name}:2025-05-01..2025-05-31")),
            };
        }
        let known: Vec<&str> = TEXT_FIELDS.iter().map(|(f, _)| *f).chain(DATE_FIELDS.iter().map(|(f, _)| *f)).collect();
        refuse(format!("{name}: is not a field (the fields are {}); to search for the text itself, put it in quotes", known.join(", ")))
    }
}

/// A word or a prefix (`term*`).
fn words(column: Option<&'static str>, w: &str) -> Result<Query, QueryError> {
    let (stem, prefix) = match w.strip_suffix('*') {
        Some(s) => (s, true),
        None => (w, false),
    };
    if stem.contains('*') || stem.contains('?') {
        return refuse(format!("{w}: a wildcard may only end a word (term*); one at its start or inside it cannot be searched exactly"));
    }
    if !stem.chars().any(char::is_alphanumeric) {
        return refuse(if prefix && stem.is_empty() { format!("{w}: a wildcard needs the start of a word before it") } else { format!("{w} has no letters or digits to search for") });
    }
    Ok(Query::Words { column, words: stem.to_string(), prefix })
}

/// A quoted phrase.
fn phrase(column: Option<&'static str>, p: &str) -> Result<Query, QueryError> {
    if !p.chars().any(char::is_alphanumeric) {
        return refuse(format!("\"{p}\" has no letters or digits to search for"));
    }
    if p.contains('*') {
        return refuse(format!("\"{p}\": a wildcard inside quotes cannot be searched exactly; put the word with its * outside the quotes"));
    }
    Ok(Query::Words { column, words: p.split_whitespace().collect::<Vec<_>>().join(" "), prefix: false })
}

/// A day or a range of days.
fn dates(field: &'static str, v: &str) -> Result<Query, QueryError> {
    let day = |d: &str| -> Result<Option<String>, QueryError> {
        if d.is_empty() {
            return Ok(None);
        }
        match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(day) if d.len() == 10 => Ok(Some(day.format("%Y-%m-%d").to_string())),
            _ => refuse(format!("{field}:{v}: {d} is not a day written YYYY-MM-DD")),
        }
    };
    let (from, to) = match v.split_once("..") {
        Some((a, b)) => (day(a)?, day(b)?),
        None => {
            let d = day(v)?;
            (d.clone(), d)
        }
    };
    if from.is_none() && to.is_none() {
        return refuse(format!("{field}:{v}: a range needs a day at one end at least"));
    }
    if let (Some(a), Some(b)) = (&from, &to)
        && a > b
    {
        return refuse(format!("{field}:{v}: the range ends before it begins"));
    }
    Ok(Query::Date { field, from, to })
}

#[cfg(test)]
mod tests;
