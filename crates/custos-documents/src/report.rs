//! A report from the vault's own findings (a search-term report, a case
//! timeline): a title, a summary, notes and one table, under the matter's
//! running header. Like the production documents, it depends only on its
//! input: the same report gives the same bytes.

use crate::*;
use serde::{Deserialize, Serialize};

/// One column of a report's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportColumn {
    /// Its heading.
    pub title: String,
    /// Its share of the page's width (the shares are scaled to fill it).
    pub share: f32,
    /// Numbers: set right.
    pub numeric: bool,
}

/// One row of a report's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    /// One value per column.
    pub cells: Vec<String>,
    /// Printed in the alert colour and bold (a mass download, a total).
    pub marked: bool,
    /// Full-width lines under the row: (label, value), a hash, a source.
    pub details: Vec<(String, String)>,
}

/// A report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// What it is: "Search-term report", "Case timeline".
    pub title: String,
    /// The matter.
    pub matter: String,
    /// The matter's number, if any.
    pub matter_number: Option<String>,
    /// When it was made (RFC 3339, UTC).
    pub made_at: String,
    /// The program and version that made it.
    pub tool: String,
    /// Label and value lines under the title (hash values are printed fixed-width).
    pub summary: Vec<(String, String)>,
    /// Paragraphs before the table: what the numbers mean, how to reproduce them.
    pub notes: Vec<String>,
    /// The table's columns.
    pub columns: Vec<ReportColumn>,
    /// Its rows.
    pub rows: Vec<ReportRow>,
}

fn looks_like_hash(v: &str) -> bool {
    v.len() >= 32 && v.chars().all(|c| c.is_ascii_hexdigit())
}

pub(crate) fn layout_report<'f>(r: &Report, fonts: &'f Fonts) -> Flow<'f> {
    let mut f = Flow::new(fonts);
    f.title(&r.title);
    let summary: Vec<Vec<Kv>> =
        r.summary.iter().map(|(label, value)| vec![kv(label, value.clone(), if looks_like_hash(value) { HASH.color(INK) } else { BODY })]).collect();
    f.kv_rows(summary, 120.0);
    f.gap(8.0);
    for n in &r.notes {
        f.paragraph(n, BODY, 0.0, Align::Left);
        f.gap(4.0);
    }
    f.gap(6.0);
    let total: f32 = r.columns.iter().map(|c| c.share.max(0.1)).sum::<f32>().max(0.1);
    let columns = r
        .columns
        .iter()
        .map(|c| Column { title: c.title.clone().into(), width: CONTENT_W * c.share.max(0.1) / total, align: if c.numeric { Align::Right } else { Align::Left } })
        .collect();
    let rows = r
        .rows
        .iter()
        .map(|row| Row {
            cells: row.cells.iter().map(|c| cell(c, if row.marked { CELL_BOLD.color(ALERT) } else { CELL })).collect(),
            details: row.details.iter().map(|(l, v)| (l.clone(), v.clone(), if looks_like_hash(v) { HASH } else { SMALL.color(INK) })).collect(),
        })
        .collect();
    f.table(&Table { caption: None, columns, rows, detail_column: 0 });
    f
}

/// The report as PDF.
pub fn report_pdf(r: &Report) -> Result<Vec<u8>> {
    let fonts = Fonts::load()?;
    let matter = match &r.matter_number {
        Some(n) if !n.trim().is_empty() => format!("{} \u{00b7} {}", r.matter, n),
        _ => r.matter.clone(),
    };
    let chrome = Chrome { left: matter.clone(), right: r.title.clone(), tool: r.tool.clone(), made_at: r.made_at.clone() };
    layout_report(r, &fonts).render_chrome(&fonts, &format!("{} \u{2014} {matter}", r.title), &chrome, None)
}
