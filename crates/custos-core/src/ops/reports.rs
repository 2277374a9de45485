//! Reports handed to counsel from what the vault found: the case timeline
//! and the search-term report, as CSV (and, through the documents crate, as
//! PDF). Not custody events: nothing is read out of an exhibit.

use crate::store::audit::TimelineEvent;
use crate::store::search::{SearchReport, TermCount};

/// A CSV field (RFC 4180): quoted when it must be, and kept as text where a
/// spreadsheet would run it as a formula (a leading ').
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\r', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

fn csv_row(out: &mut String, cols: &[&str]) {
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
