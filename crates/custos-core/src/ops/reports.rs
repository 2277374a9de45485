//! Reports handed to counsel from what the vault found: the case timeline
//! and the search-term report, as CSV (and, through the documents crate, as
//! PDF). Not custody events: nothing is read out of an exhibit.

use crate::error::Result;
use crate::format::words::thousands;
use crate::store::Vault;
use crate::store::audit::{TimelineEvent, TimelineQuery};
use crate::store::search::{SearchReport, TermCount};
use custos_documents::{Report, ReportColumn, ReportRow};

/// A CSV field (RFC 4180): quoted when it must be, and kept as text where a
/// spreadsheet would run it as a formula (a leading ').
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\r', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// One CSV row (RFC 4180, CRLF) of `cols`, each a [`csv_field`].
pub(crate) fn csv_row(out: &mut String, cols: &[&str]) {
    out.push_str(&cols.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
}

/// The timeline as CSV (RFC 4180, UTF-8, CRLF), a row per event.
pub fn timeline_csv(events: &[TimelineEvent]) -> String {
    let mut out = String::new();
    csv_row(&mut out, &["time", "actor", "action", "object", "exhibit", "join", "weak", "burst", "source", "source_exhibit", "row", "raw_sha256", "ip"]);
    for e in events {
        let row = e.row.to_string();
        csv_row(
            &mut out,
            &[
                &e.time,
                &e.actor,
                &e.action,
                &e.object,
                e.exhibit.as_deref().unwrap_or_default(),
                e.join.as_deref().unwrap_or_default(),
                if e.weak { "true" } else { "false" },
                if e.burst { "true" } else { "false" },
                &e.source,
                &e.source_exhibit,
                if e.source == "audit" { &row } else { "" },
                &e.raw_sha256,
                e.ip.as_deref().unwrap_or_default(),
            ],
        );
    }
    out
}

/// The search-term report as CSV (RFC 4180, UTF-8, CRLF): a row per term,
/// the total, then the hashes.
pub fn search_report_csv(r: &SearchReport) -> String {
    let mut out = String::new();
    csv_row(&mut out, &["term", "documents", "with_families", "unique"]);
    let row = |out: &mut String, t: &TermCount| csv_row(out, &[&t.term, &t.documents.to_string(), &t.with_families.to_string(), &t.unique.to_string()]);
    for t in &r.terms {
        row(&mut out, t);
    }
    row(&mut out, &r.total);
    csv_row(&mut out, &["term list SHA-256", &r.terms_sha256, "", ""]);
    csv_row(&mut out, &["searched set SHA-256", &r.searched_sha256, &r.searched.to_string(), ""]);
    out
}

/// Who a report is for and when it was made.
pub(crate) struct Heading<'a> {
    pub matter: &'a str,
    pub matter_number: Option<&'a str>,
    pub made_at: &'a str,
}

/// `2026-05-14 21:04:00 UTC`, or the value as given.
fn shown_time(t: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(t).map(|t| t.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M:%S UTC").to_string()).unwrap_or_else(|_| t.to_string())
}

fn column(title: &str, share: f32, numeric: bool) -> ReportColumn {
    ReportColumn { title: title.into(), share, numeric }
}


/// The search-term report as a document; `over` says what was searched.
pub(crate) fn search_report_document(r: &SearchReport, h: &Heading<'_>, over: &str) -> Report {
    let mut rows: Vec<ReportRow> = r
        .terms
        .iter()
        .map(|t| ReportRow { cells: vec![t.term.clone(), thousands(t.documents), thousands(t.with_families), thousands(t.unique)], marked: false, details: Vec::new() })
        .collect();
    let t = &r.total;
    rows.push(ReportRow { cells: vec![t.term.clone(), thousands(t.documents), thousands(t.with_families), thousands(t.unique)], marked: true, details: Vec::new() });
    Report {
        title: "Search-term report".into(),
        matter: h.matter.to_string(),
        matter_number: h.matter_number.map(str::to_string),
        made_at: h.made_at.to_string(),
        tool: crate::TOOL.to_string(),
        summary: vec![
            ("Searched".into(), format!("{} ({} documents)", over, thousands(r.searched))),
            ("Searched set SHA-256".into(), r.searched_sha256.clone()),
            ("Terms".into(), thousands(r.terms.len() as u64)),
            ("Term list SHA-256".into(), r.terms_sha256.clone()),
            ("Made".into(), shown_time(h.made_at)),
        ],
        notes: vec![
            "Documents: the documents the term finds. With families: those and every other member of their families \
             (a message and its attachments). Unique: documents no other term of the list finds. The last row counts the documents any term finds."
                .into(),
            "The term list's SHA-256 is of its bytes as given; the searched set's is of the documents' SHA-256 values, sorted, each \
             followed by a line feed. Whoever holds the same list and the same documents gets the same counts (custos search-report)."
                .into(),
        ],
        columns: vec![column("Term", 5.0, false), column("Documents", 1.2, true), column("With families", 1.2, true), column("Unique", 1.0, true)],
        rows,
    }
}

/// The JOIN labels as a reader says them.
fn join_words(e: &TimelineEvent) -> String {
    match e.join.as_deref() {
        Some("hash") => "by hash".into(),
        Some("object_id") => "by its id or address".into(),
        Some("name_size") => "by name and size".into(),
        Some("name") => "by name only (weak)".into(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// The timeline (as `q` selects it) as a document.
pub(crate) fn timeline_document(events: &[TimelineEvent], q: &TimelineQuery, h: &Heading<'_>) -> Report {
    let mut selected = Vec::new();
    for (what, v) in [("exhibit", &q.exhibit), ("actor", &q.actor), ("action", &q.action), ("from", &q.from), ("to", &q.to)] {
        if let Some(v) = v {
            selected.push(format!("{what} {v}"));
        }
    }
    let bursts = events.iter().filter(|e| e.burst).count() as u64;
    let rows = events
        .iter()
        .map(|e| {
            let source = if e.source == "metadata" { format!("{}'s own metadata", e.source_exhibit) } else { format!("{} row {}", e.source_exhibit, e.row) };
            let mut details = vec![("Source".to_string(), source)];
            if !e.raw_sha256.is_empty() {
                details.push(("Row SHA-256".into(), e.raw_sha256.clone()));
            }
            if let Some(ip) = &e.ip {
                details.push(("IP address".into(), ip.clone()));
            }
            let about = match &e.exhibit {
                Some(x) if e.source == "audit" => format!("{x} ({})", join_words(e)),
                Some(x) => x.clone(),
                None => String::new(),
            };
            let action = if e.burst { format!("{} \u{2014} mass download", e.action) } else { e.action.clone() };
            ReportRow { cells: vec![e.time.replace('T', " ").trim_end_matches('Z').to_string(), e.actor.clone(), action, e.object.clone(), about], marked: e.burst, details }
        })
        .collect();
    Report {
        title: "Case timeline".into(),
        matter: h.matter.to_string(),
        matter_number: h.matter_number.map(str::to_string),
        made_at: h.made_at.to_string(),
        tool: crate::TOOL.to_string(),
        summary: vec![
            ("Events".into(), thousands(events.len() as u64)),
            ("Selected".into(), if selected.is_empty() { "every event".into() } else { selected.join(", ") }),
            ("Exhibits' own dates".into(), if q.dates { "shown beside the audit events".into() } else { "not shown".into() }),
            ("In mass downloads".into(), thousands(bursts)),
            ("Made".into(), shown_time(h.made_at)),
        ],
        notes: vec![
            "Times are UTC. Each audit event names the export (an exhibit) and row it was read from, and the SHA-256 of that row's bytes: \
             anyone with the export can check it. An event is tied to an exhibit by the content's hash, by the object's id or address, \
             by file name and size, or by file name only; the last is weak and marked so."
                .into(),
            format!("Rows in red are part of a mass download: one actor downloading more than {} files within {} minutes.", crate::store::audit::BURST_FILES, crate::store::audit::BURST_MINUTES),
        ],
        columns: vec![column("Time (UTC)", 1.6, false), column("Actor", 2.0, false), column("Action", 1.7, false), column("Object", 2.6, false), column("Exhibit", 1.6, false)],
        rows,
    }
}

/// A search-term report as PDF, for `matter`, made at `made_at`, over `over`
/// (what was searched, in words).
pub fn search_report_pdf(r: &SearchReport, matter: &str, made_at: &str, over: &str) -> Result<Vec<u8>> {
    let h = Heading { matter, matter_number: None, made_at };
    custos_documents::report_pdf(&search_report_document(r, &h, over)).map_err(crate::bundle::model::render_failed)
}

impl Vault {
    pub(crate) fn heading<'a>(&'a self, made_at: &'a str) -> Heading<'a> {
        Heading { matter: &self.matter().matter, matter_number: self.matter().matter_number.as_deref(), made_at }
    }

    /// The search-term report of `list` over this vault, as PDF.
    pub fn search_report_pdf(&self, r: &SearchReport) -> Result<Vec<u8>> {
        let now = self.now();
        custos_documents::report_pdf(&search_report_document(r, &self.heading(&now), "every exhibit in the vault")).map_err(crate::bundle::model::render_failed)
    }

    /// The timeline `q` selects, as PDF.
    pub fn timeline_pdf(&self, q: &TimelineQuery) -> Result<Vec<u8>> {
        let events = self.timeline(q)?;
        let now = self.now();
        custos_documents::report_pdf(&timeline_document(&events, q, &self.heading(&now))).map_err(crate::bundle::model::render_failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_kept_as_text() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
    }
}
