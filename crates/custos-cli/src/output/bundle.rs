//! Printing what an export, a bundle verification or an import did.

use super::{Format, out, print_json, seal_key_line, severity_label};
use crate::terminal::printable;
use custos_core::export::{BundleReport, ExportReport, ImportReport, ProducerKey, SealKeyPinning};
use std::path::Path;

/// A production written: where, what it holds, who sealed it, and how to check it.
pub fn print_export(report: &ExportReport, format: Format) {
    if format == Format::Json {
        return print_json(report);
    }
    out!(
        "Wrote {} ({} exhibits, Bates {}-{}{})",
        report.out.display(),
        report.exhibits,
        report.bates_first,
        report.bates_last,
        if report.encrypted { ", encrypted with age" } else { "" }
    );
    out!("Bundle SHA-256: {}", report.bundle_sha256);
    out!("Sealed by {} ({})", report.signer_identity, report.signer_fingerprint);
    for q in &report.qc {
        out!("QC: {q}");
    }
    if let Some((profile, pages)) = report.images {
        out!("Page images: {pages} pages as {}, stamped; the image load file and page records are in data/VOL001/DATA/", profile.name());
    }
    if !report.withheld.is_empty() {
        out!("Withheld as privileged (a slip sheet each, on the privilege log in data/): {}", report.withheld.join(", "));
    }
    if let Some(s) = &report.search {
        let name = s.name.as_deref().map(|n| format!("saved search {n}: ")).unwrap_or_default();
        out!("Chosen by {name}{} ({} exhibits found, before their families); recorded with the production", s.query, s.hits);
    }
    if let Some(r) = &report.search_report {
        out!("Search-term report over the produced documents (data/search/): {} terms, {} documents hit by any term", r.terms.len(), r.total.documents);
    }
    out!("Verify with: custos verify-bundle {}   (or see README.txt inside for standard tools)", report.out.display());
}

/// Whether the seal key of an imported bundle was given with `--expect-key`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum KeyExpected {
    /// The key was given and matched.
    Given,
    /// No key was given.
    NotGiven,
}

/// An import: the report as JSON, or on standard error what came in and
/// what the producer's seal key is worth.
pub fn print_import(report: &ImportReport, bundle: &Path, expected: KeyExpected, format: Format) {
    if format == Format::Json {
        return print_json(report);
    }
    eprintln!(
        "Imported {} exhibit(s) from {} sealed by {} ({}); bundle SHA-256 {}",
        report.exhibits.len(),
        bundle.display(),
        report.sender_identity,
        report.sender_fingerprint,
        report.bundle_sha256
    );
    let fp = &report.sender_fingerprint;
    eprintln!("{}", match report.producer_key {
        ProducerKey::PinnedNow if expected == KeyExpected::Given => {
            format!("sealed by key {fp} — matches the pinned key; now pinned for this producer vault")
        }
        ProducerKey::PinnedNow => format!(
            "sealed by key {fp} — first production from this producer vault, its key is now pinned; \
             not pinned before: compare it with the fingerprint the producing party gave you"
        ),
        ProducerKey::MatchesPinned => format!("sealed by key {fp} — matches the key pinned for this producer vault"),
        ProducerKey::Accepted => format!("sealed by key {fp} — accepted as this producer vault's new key (logged)"),
    });
}

/// A bundle verification: its findings, the verdict and the seal key line.
pub fn print_bundle_verification(report: &BundleReport, format: Format) {
    if format == Format::Json {
        return print_json(report);
    }
    for f in &report.findings {
        let at = f.exhibit.clone().unwrap_or_else(|| "bundle".into());
        out!("{} [{}] {at}: {}", severity_label(f.severity), f.kind, printable(&f.message));
    }
    // A bundle names its own seal key, so "OK" alone would vouch
    // for whoever sealed it; only a pinned key says who that was.
    let status = match (report.ok, report.seal_key_pinning) {
        (false, _) => "FAILED",
        (true, SealKeyPinning::MatchesPinned) => "OK",
        (true, _) => "OK, seal key not pinned",
    };
    out!(
        "{status}: bundle {} — {} exhibits, {} custody events, signer identity {}",
        printable(&report.bag),
        report.exhibits,
        report.events,
        printable(report.signer_identity.as_deref().unwrap_or("?")),
    );
    out!("{}", seal_key_line(report.signer_fingerprint.as_deref(), report.seal_key_pinning));
}
