//! The custody report.

use crate::*;

pub(crate) fn layout_custody_report<'f>(p: &Production, fonts: &'f Fonts) -> Flow<'f> {
    let mut f = Flow::new(fonts);
    f.title("Chain-of-Custody Report");
    f.kv_rows(summary_rows(p), 84.0);
    f.gap(8.0);
    f.paragraph(
        "For each exhibit this report gives its collection record, the hashes recorded at intake and recomputed on export, \
         and every custody event recorded for it in the vault's custody log, in log order (Seq). Each event in that log is \
         digitally signed and chained in a Merkle tree; the signed records travel with this bundle. Times are UTC.",
        BODY.color(MUTED),
        0.0,
        Align::Left,
    );
    f.gap(12.0);
    for e in &p.exhibits {
        let matches = copy_matches(e);
        let verdict = if matches {
            kv("Hashes", "Match \u{2014} the exported copy has the SHA-256 and MD5 recorded at intake", BODY_BOLD)
        } else {
            kv("Hashes", "MISMATCH \u{2014} the exported copy does not have the hashes recorded at intake", BODY_BOLD.color(ALERT))
        };
        let mut rows = vec![
            vec![kv("Custodian", or_not_recorded(&e.custodian), BODY), kv("Source", or_not_recorded(&e.source), BODY)],
            vec![kv("Method", or_not_recorded(&e.method), BODY), kv("MIME type", e.mime.clone(), BODY)],
            vec![kv("Collected by", e.collected_by.clone(), BODY), kv("Collected at", utc_time(&e.collected_at), BODY)],
            vec![kv("OS modified", opt_time(&e.modified), BODY), kv("OS created", opt_time(&e.created), BODY)],
            vec![kv("Size", format!("{} bytes", thousands(e.size)), BODY), kv("Native", e.native_path.clone(), BODY)],
            vec![kv("Original path", e.path.clone(), BODY)],
        ];
        if !e.description.trim().is_empty() {
            rows.push(vec![kv("Description", e.description.clone(), BODY)]);
        }
        rows.push(vec![kv("SHA-256 intake", e.intake_sha256.clone(), HASH)]);
        rows.push(vec![kv("SHA-256 export", e.export_sha256.clone(), HASH)]);
        rows.push(vec![kv("MD5 intake", e.intake_md5.clone(), HASH), kv("MD5 export", e.export_md5.clone(), HASH)]);
        rows.push(vec![verdict]);
        let heading = format!("{}   {}   {}", e.bates, e.exhibit_id, e.name);
        if fonts.wrap_capped(&clean(&heading), BAR, CONTENT_W - 12.0, MAX_HEADING_LINES).1 {
            // The bar shows only the start of a very long name.
            rows.insert(0, vec![kv("File name", e.name.clone(), BODY)]);
        }
        // The collection record stays on one page with its heading.
        let keep = f.kv_height(&rows, 78.0).min(BODY_BOTTOM - BODY_TOP - 80.0);
        f.bar(&heading, keep);
        f.kv_rows(rows, 78.0);
        f.gap(6.0);
        let rows = e.events.iter().map(event_row).collect();
        f.table(&Table {
            caption: Some(format!("Custody timeline \u{2014} {}", e.bates)),
            columns: vec![
                Column { title: "Seq".into(), width: 30.0, align: Align::Right },
                Column { title: "Time (UTC)".into(), width: 108.0, align: Align::Left },
                Column { title: "Action".into(), width: 74.0, align: Align::Left },
                Column { title: "Actor".into(), width: 80.0, align: Align::Left },
                Column { title: "Location".into(), width: 72.0, align: Align::Left },
                Column { title: "Details".into(), width: 140.0, align: Align::Left },
            ],
            rows,
            detail_column: 1,
        });
        f.gap(18.0);
    }
    f
}

pub(crate) fn event_row(ev: &Event) -> Row {
    let mut notes = Vec::new();
    if let Some(s) = ev.summary.as_deref().filter(|s| !s.is_empty()) {
        notes.push(s.to_string());
    }
    if let Some(m) = ev.method.as_deref().filter(|s| !s.is_empty()) {
        notes.push(format!("Method: {m}"));
    }
    if let Some(m) = ev.purpose.as_deref().filter(|s| !s.is_empty()) {
        notes.push(format!("Purpose: {m}"));
    }
    match (ev.released_by.as_deref(), ev.received_by.as_deref()) {
        (Some(a), Some(b)) => notes.push(format!("Released by {a} to {b}")),
        (Some(a), None) => notes.push(format!("Released by {a}")),
        (None, Some(b)) => notes.push(format!("Received by {b}")),
        (None, None) => {}
    }
    let mut mismatch = false;
    match ev.hashes_match {
        Some(true) => notes.push("Hashes match".into()),
        Some(false) => {
            notes.push("HASHES DO NOT MATCH".into());
            mismatch = true;
        }
        None => {}
    }
    notes.push(format!("Tool: {}", ev.tool));
    let alg = ev.hash_algorithm.clone().unwrap_or_else(|| "Hash".into());
    let mut details = Vec::new();
    if let Some(h) = &ev.hash_before {
        details.push((format!("{alg} before"), h.clone(), HASH));
    }
    if let Some(h) = &ev.hash_after {
        details.push((format!("{alg} after"), h.clone(), if mismatch { HASH.color(ALERT) } else { HASH }));
    }
    Row {
        cells: vec![
            cell(ev.seq.to_string(), CELL),
            cell(utc_time(&ev.time).trim_end_matches(" UTC"), CELL),
            cell(action_name(ev), CELL_BOLD),
            cell(&ev.actor, CELL),
            cell(ev.location.as_deref().unwrap_or(""), CELL),
            cell(notes.join("; "), if mismatch { CELL.color(ALERT) } else { CELL }),
        ],
        details,
    }
}
