//! How results are printed: JSON or text on standard output, notes and
//! summaries on standard error, user-supplied strings always escaped.

mod bundle;
mod vault;

pub use bundle::{KeyExpected, print_export, print_import, print_bundle_verification};
pub use vault::{
    print_custody_log, print_exhibit, print_exhibits, print_intake, print_processing, print_processing_summary, print_timestamp_settings, print_verification,
};

use crate::terminal::printable;
use custos_core::export::SealKeyPinning;

/// Prints a line on standard output. A closed pipe (`custos log | head`) is
/// not an error: the command still finishes its work and exit status.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
pub(crate) use out;

/// How a command prints its result.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Lines for a reader.
    Text,
    /// One JSON document on standard output.
    Json,
}

impl Format {
    /// The format a `--json` flag asks for.
    pub fn json_if(json: bool) -> Self {
        if json { Format::Json } else { Format::Text }
    }

    /// Whether progress prints one line per file (text output only).
    pub fn file_lines(self) -> bool {
        self == Format::Text
    }
}

/// Prints `v` as pretty JSON on standard output.
pub fn print_json(v: &impl serde::Serialize) {
    out!("{}", serde_json::to_string_pretty(v).expect("serialisable"));
}

/// The label a finding is printed with.
pub fn severity_label(s: custos_core::Severity) -> &'static str {
    match s {
        custos_core::Severity::Error => "ERROR",
        custos_core::Severity::Warning => "WARNING",
    }
}

/// The line that says what the seal key is worth.
pub fn seal_key_line(fingerprint: Option<&str>, pinning: SealKeyPinning) -> String {
    let Some(fp) = fingerprint else { return "no readable seal key".into() };
    match pinning {
        SealKeyPinning::NotPinned => format!("sealed by key {fp} — not pinned: compare it with the fingerprint the producing party gave you"),
        SealKeyPinning::MatchesPinned => format!("sealed by key {fp} — matches the pinned key"),
        SealKeyPinning::DiffersFromPinned => format!("sealed by key {fp} — does NOT match the pinned key"),
    }
}

/// Reports what stamping did: a stamp on standard error, a failure as a
/// warning there (it never undoes the intake or export it followed).
pub fn print_stamps(outcomes: &[custos_core::StampOutcome]) {
    for o in outcomes {
        match o {
            custos_core::StampOutcome::Stamped { tsa_url, tree_size, gen_time } => {
                eprintln!("Timestamped checkpoint {tree_size} by {} at {gen_time}", printable(tsa_url))
            }
            custos_core::StampOutcome::Failed { tsa_url, error } => {
                eprintln!("warning: no timestamp from {}: {}", if tsa_url.is_empty() { "the settings" } else { tsa_url.as_str() }, printable(error))
            }
        }
    }
}
