//! Formatting helpers: times, sizes, Bates ranges, action names.

use crate::*;

pub(crate) fn parse_utc(ts: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(ts.trim()).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// `2026-01-02 03:04:05 UTC`; an unparsable value is shown as recorded.
pub(crate) fn utc_time(ts: &str) -> String {
    parse_utc(ts).map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string()).unwrap_or_else(|| ts.to_string())
}

pub(crate) fn utc_date(ts: &str) -> String {
    parse_utc(ts).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| ts.to_string())
}

pub(crate) fn opt_time(ts: &Option<String>) -> String {
    ts.as_deref().map(utc_time).unwrap_or_else(|| "not recorded".into())
}

pub(crate) fn or_not_recorded(v: &Option<String>) -> String {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "not recorded".into(),
    }
}

/// `1,234,567`
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(crate) fn bates_range(p: &Production) -> String {
    if p.bates_first == p.bates_last { p.bates_first.clone() } else { format!("{} \u{2013} {}", p.bates_first, p.bates_last) }
}

/// Whether the exported copy has the hashes recorded at intake.
pub(crate) fn copy_matches(e: &ProducedExhibit) -> bool {
    !e.intake_sha256.trim().is_empty()
        && e.intake_sha256.trim().eq_ignore_ascii_case(e.export_sha256.trim())
        && e.intake_md5.trim().eq_ignore_ascii_case(e.export_md5.trim())
}

/// `collected` → `Collected`, `duplicate_source_recorded` → `Duplicate source recorded`.
pub(crate) fn action_name(e: &Event) -> String {
    let raw = e.action.replace('_', " ");
    let mut chars = raw.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

pub(crate) fn summary_rows(p: &Production) -> Vec<Vec<Kv>> {
    let mut by = p.examiner.clone();
    if let Some(org) = p.organization.as_deref().filter(|o| !o.trim().is_empty()) {
        by = format!("{by}, {org}");
    }
    vec![
        vec![kv("Matter", p.matter.clone(), BODY_BOLD)],
        vec![kv("Matter number", or_not_recorded(&p.matter_number), BODY), kv("Bates range", bates_range(p), BODY_BOLD)],
        vec![kv("Produced at", utc_time(&p.produced_at), BODY), kv("Exhibits", thousands(p.exhibits.len() as u64), BODY)],
        vec![kv("Produced by", by, BODY), kv("Tool", p.tool.clone(), BODY)],
        vec![kv("Signer key", p.signer_fingerprint.clone(), HASH.color(INK))],
        vec![kv("Vault ID", p.vault_id.clone(), HASH.color(INK))],
    ]
}
