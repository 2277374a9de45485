//! Terminal front end for progress: a bar on a terminal, silence otherwise,
//! one line per file on standard output, Ctrl-C to cancel cleanly.

use custos_core::{FileOutcome, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether standard input is a terminal (for passphrase prompts).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// Makes a user-supplied string safe to print on one line (newlines and other
/// control characters in file names are escaped).
pub fn printable(s: &str) -> String {
    // Control characters and the Unicode bidirectional controls (which can make
    // `evil\u{202e}txt.exe` read as `evilexe.txt`) are shown as escapes.
    let hidden = |c: char| {
        c.is_control() || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    s.chars().map(|c| if hidden(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

/// Progress on a terminal.
pub struct TerminalProgress {
    bar: Option<ProgressBar>,
    lines: bool,
    cancelled: Arc<AtomicBool>,
}

impl TerminalProgress {
    /// `lines`: print one line per finished file on standard output.
    pub fn new(lines: bool) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10));
            b.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {msg}")
                    .expect("valid template"),
            );
            b
        });
        Self { bar, lines, cancelled: Arc::new(AtomicBool::new(false)) }
    }

    /// Ctrl-C asks the operation to stop at the next safe point.
    pub fn install_interrupt_handler(&self) {
        let flag = self.cancelled.clone();
        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    fn say(&self, line: String) {
        match &self.bar {
            Some(b) => b.println(line),
            None => {
                use std::io::Write as _;
                // A closed pipe must not stop an intake half-way.
                let _ = writeln!(std::io::stdout(), "{line}");
            }
        }
    }
}

impl Progress for TerminalProgress {
    fn begin(&self, _files: u64, bytes: u64) {
        if let Some(b) = &self.bar {
            b.set_length(bytes);
        }
    }
    fn file_started(&self, path: &Path, _size: u64) {
        if let Some(b) = &self.bar {
            b.set_message(printable(&path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()));
        }
    }
    fn advance(&self, bytes: u64) {
        if let Some(b) = &self.bar {
            b.inc(bytes);
        }
    }
    fn file_done(&self, path: &Path, outcome: &FileOutcome) {
        if !self.lines {
            return;
        }
        let p = printable(&path.to_string_lossy());
        match outcome {
            FileOutcome::Stored { exhibit, sha256 } => self.say(format!("stored {exhibit} {sha256} {p}")),
            FileOutcome::Duplicate { exhibit, sha256 } => self.say(format!("duplicate {exhibit} {sha256} {p}")),
            FileOutcome::Failed { reason } => {
                if let Some(b) = &self.bar {
                    b.suspend(|| eprintln!("failed {p}: {reason}"));
                } else {
                    eprintln!("failed {p}: {reason}");
                }
            }
        }
    }
    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}
