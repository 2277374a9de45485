//! Printing what a vault command found or did.

use super::{Format, out, print_json, severity_label};
use crate::terminal::printable;
use custos_core::{CustodyEvent, Exhibit, ExhibitDetail, IntakeReport, ProcessReport, StoredTimestamp, TimestampSettings, VerifyReport};

/// An intake: the report as JSON, or a summary on standard error.
pub fn print_intake(report: &IntakeReport, format: Format) {
    match format {
        Format::Json => print_json(report),
        Format::Text => eprintln!(
            "{} stored, {} duplicate{}, {} failed{}",
            report.stored(),
            report.duplicates(),
            if report.duplicates() == 1 { "" } else { "s" },
            report.failed(),
            if report.cancelled { " (cancelled: files not listed were not taken in)" } else { "" }
        ),
    }
}

/// A processing run: the report as JSON, or a line per exhibit and a summary.
pub fn print_processing(report: &ProcessReport, format: Format) {
    if format == Format::Json {
        return print_json(report);
    }
    for o in report.exhibits.iter().filter(|o| o.status != "skipped") {
        let mut line = format!("{} {:<7} {:<6}", o.exhibit, o.status, o.kind);
        if o.new_items + o.duplicate_items > 0 {
            line.push_str(&format!(" items {} new, {} known;", o.new_items, o.duplicate_items));
        }
        line.push_str(&format!(" {} values, {} characters", o.fields, o.text_chars));
        if o.ocr_pages > 0 {
            line.push_str(&format!(", OCR {} pages", o.ocr_pages));
            if !o.low_confidence_pages.is_empty() {
                line.push_str(&format!(" (low confidence: {:?})", o.low_confidence_pages));
            }
        }
        if let Some(r) = &o.reason {
            line.push_str(&format!(": {}", printable(r)));
        }
        out!("{line}");
        for (item, why) in &o.problems {
            out!("  not read {}: {}", printable(item), printable(why));
        }
    }
    print_processing_summary(report);
}

/// A processing run in one line on standard error.
pub fn print_processing_summary(report: &ProcessReport) {
    let done = report.exhibits.iter().filter(|o| o.status == "done").count();
    let problems: usize = report.exhibits.iter().map(|o| o.problems.len()).sum();
    eprintln!(
        "processed {done}, failed {}, {} new exhibits found inside, {problems} parts not read{}",
        report.failed(),
        report.new_items(),
        if report.cancelled { " (cancelled: the rest were not processed)" } else { "" }
    );
}

/// The exhibits of a vault, one line each, with their count on standard error.
pub fn print_exhibits(list: &[Exhibit], format: Format) {
    if format == Format::Json {
        return print_json(&list);
    }
    out!("{:<10} {:>12}  {:<16}  {:<20}  NAME", "ID", "SIZE", "SHA-256", "CUSTODIAN");
    for e in list {
        out!(
            "{:<10} {:>12}  {:<16}  {:<20}  {}",
            e.id,
            e.size,
            &e.sha256[..16],
            printable(e.custodian.as_deref().unwrap_or("-")),
            printable(&e.name)
        );
    }
    eprintln!("{} exhibit{}", list.len(), if list.len() == 1 { "" } else { "s" });
}

/// One exhibit with every source it was collected from and every bundle it was received in.
pub fn print_exhibit(d: &ExhibitDetail, format: Format) {
    if format == Format::Json {
        return print_json(d);
    }
    let e = &d.exhibit;
    out!("Exhibit      {}", e.id);
    out!("Name         {}", printable(&e.name));
    out!("Path         {}", printable(&e.path));
    out!("Size         {} bytes", e.size);
    out!("Type         {}", e.mime);
    out!("SHA-256      {}", e.sha256);
    out!("MD5          {}", e.md5);
    if let Some(s) = &e.sha1 {
        out!("SHA-1        {s}");
    }
    out!("Collected    {} by {}", e.collected_at, printable(&e.collected_by));
    out!("Description  {}", printable(&e.description));
    out!("Tags         {}", printable(&e.tags.join(", ")));
    out!("Object       {}", d.object);
    for (i, s) in d.sources.iter().enumerate() {
        out!("Source {}:", i + 1);
        out!("  path        {}", printable(&s.path));
        out!("  custodian   {}", printable(s.custodian.as_deref().unwrap_or("-")));
        out!("  source      {}", printable(s.source.as_deref().unwrap_or("-")));
        out!("  method      {}", printable(s.method.as_deref().unwrap_or("-")));
        out!("  purpose     {}", printable(s.purpose.as_deref().unwrap_or("-")));
        out!("  modified    {}", s.modified.as_deref().unwrap_or("-"));
        out!("  created     {}", s.created.as_deref().unwrap_or("-"));
        out!("  accessed    {}", s.accessed.as_deref().unwrap_or("-"));
        out!("  collected   {} by {}", s.collected_at, printable(&s.collected_by));
    }
    if let Some(p) = &e.parent {
        out!("Parent       {p}");
    }
    out!("Family       {}", e.family);
    if !d.children.is_empty() {
        out!("Children     {}", d.children.join(", "));
    }
    let p = &d.processing;
    match p.status.as_str() {
        "failed" => out!("Processing   failed ({}): {}", p.kind, printable(p.reason.as_deref().unwrap_or("-"))),
        "done" => out!("Processing   done ({}){}", p.kind, if p.wants_ocr.is_empty() { "" } else if p.ocr_done { ", OCR done" } else { ", OCR wanted" }),
        s => out!("Processing   {s}"),
    }
    for (item, why) in &p.problems {
        out!("  not read   {}: {}", printable(item), printable(why));
    }
    if !d.metadata.is_empty() {
        out!("Metadata:");
        for m in &d.metadata {
            out!("  {:<20} {}  [{}; {}]", m.field, printable(&m.value), m.source, printable(&m.extractor));
        }
    }
    for x in &d.derivations {
        let what = x.item.as_deref().map(|i| format!("item {i}")).unwrap_or_else(|| x.kind.clone());
        out!("Derived      {what} by {} {} (event {}): {} -> {}", x.extractor, x.version, x.seq, &x.input_sha256[..16.min(x.input_sha256.len())], &x.output_sha256[..16.min(x.output_sha256.len())]);
    }
    for r in &d.received {
        out!("Received as {} on {}:", r.bates, r.received_at);
        out!("  from        {} ({})", printable(&r.sender_identity), r.sender_fingerprint);
        out!("  bundle      SHA-256 {}", r.bundle_sha256);
        out!("  producer's  exhibit {}, {} signed custody event(s) kept", printable(&r.sender_exhibit_id), r.sender_events);
    }
}

/// A verification: every finding with what to do about it, then the verdict.
/// `what` names the kind of verification ("Quick" or "Full").
pub fn print_verification(report: &VerifyReport, what: &str, format: Format) {
    if format == Format::Json {
        return print_json(report);
    }
    if report.findings.is_empty() {
        out!("OK: {what} verification of {} exhibits and {} custody events found no problems.", report.exhibits, report.events);
        return;
    }
    for f in &report.findings {
        let sev = severity_label(f.severity);
        let at = f.exhibit.clone().or(f.event.map(|e| format!("event {e}"))).unwrap_or_else(|| "vault".into());
        out!("{sev} [{}] {at}: {}", f.kind, printable(&f.message));
        out!("    what to do: {}", f.action);
    }
    out!(
        "{}: {what} verification of {} exhibits and {} custody events: {} finding(s).",
        if report.ok { "OK with warnings" } else { "FAILED" },
        report.exhibits,
        report.events,
        report.findings.len()
    );
}

/// The time-stamping settings and the tokens kept.
pub fn print_timestamp_settings(settings: &TimestampSettings, stored: &[StoredTimestamp], format: Format) {
    if format == Format::Json {
        return print_json(&serde_json::json!({ "settings": settings, "timestamps": stored }));
    }
    let authorities = if settings.tsa_urls.is_empty() {
        "none kept".to_string()
    } else {
        settings.tsa_urls.iter().map(|u| u.to_string()).collect::<Vec<_>>().join(", ")
    };
    out!("Authorities: {authorities}");
    out!("Automatic:   {}", if settings.automatic == custos_core::AutoTimestamp::Off { "off" } else { "after every intake and export" });
    for c in &settings.trusted_cas {
        out!("Trusted CA:  {} (SHA-256 {})", printable(&c.subject), c.sha256);
    }
    for t in stored {
        out!("{:>6}  {}  {}  token {}", t.tree_size, t.gen_time, printable(&t.tsa_url), &t.token_sha256[..16]);
    }
}

/// The custody log, one event a line.
pub fn print_custody_log(events: &[CustodyEvent], format: Format) {
    if format == Format::Json {
        return print_json(&events);
    }
    for e in events {
        out!(
            "{:>6}  {}  {:<26} {:<10} {}",
            e.seq,
            e.time,
            e.action.as_str(),
            e.exhibit.as_deref().unwrap_or("-"),
            printable(&e.actor)
        );
    }
}
