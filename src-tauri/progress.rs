//! Progress of long jobs (intake, verification, export, import, bundle
//! checks). The core reports through [`custos_core::Progress`];
//! [`ChannelProgress`] forwards those reports to the web view over a tauri
//! channel, throttled, and tells the core when the user cancelled. Every
//! long job runs through [`vault_job`] or [`vaultless_job`].

use crate::state::{AppState, OpenVault};
use crate::wire::{JobEvent, Res};
use custos_core::FileOutcome;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tauri::ipc::Channel;

/// Least time between two throttled reports (a file started, bytes done).
const REPORT_INTERVAL: Duration = Duration::from_millis(80);

/// Forwards core progress to a channel, throttled.
pub struct ChannelProgress {
    channel: Channel<JobEvent>,
    cancel: Arc<AtomicBool>,
    bytes: AtomicU64,
    /// Items finished so far.
    items: AtomicU64,
    /// The byte count last sent (a finished file sends it if it moved).
    sent_bytes: AtomicU64,
    last: Mutex<Instant>,
}

impl ChannelProgress {
    /// Progress sent to `channel`; the job stops once `cancel` is set.
    pub fn new(channel: Channel<JobEvent>, cancel: Arc<AtomicBool>) -> Self {
        Self {
            channel,
            cancel,
            bytes: AtomicU64::new(0),
            items: AtomicU64::new(0),
            sent_bytes: AtomicU64::new(0),
            last: Mutex::new(Instant::now() - Duration::from_secs(1)),
        }
    }

    /// Sends the bytes and items done so far, now (a batch's end).
    pub fn report(&self) {
        self.send_progress();
    }

    /// Sends the bytes and items done so far.
    fn send_progress(&self) {
        let bytes = self.bytes.load(Ordering::Relaxed);
        self.sent_bytes.store(bytes, Ordering::Relaxed);
        let _ = self.channel.send(JobEvent::Progress { bytes, items: self.items.load(Ordering::Relaxed) });
    }

    /// Whether a throttled report may go out now (and if so, restarts the interval).
    fn due(&self) -> bool {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.elapsed() >= REPORT_INTERVAL {
            *last = Instant::now();
            true
        } else {
            false
        }
    }
}

impl custos_core::Progress for ChannelProgress {
    fn begin(&self, files: u64, bytes: u64) {
        let _ = self.channel.send(JobEvent::Begin { files, bytes });
    }
    fn file_started(&self, path: &Path, size: u64) {
        if self.due() {
            let _ = self.channel.send(JobEvent::FileStarted { path: path.to_string_lossy().into_owned(), size });
        }
    }
    fn advance(&self, bytes: u64) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        if self.due() {
            self.send_progress();
        }
    }
    fn file_done(&self, path: &Path, outcome: &FileOutcome) {
        self.items.fetch_add(1, Ordering::Relaxed);
        let _ = self.channel.send(JobEvent::FileDone { path: path.to_string_lossy().into_owned(), outcome: outcome.clone() });
        // Files done and bytes done agree after every file, however small.
        if self.bytes.load(Ordering::Relaxed) != self.sent_bytes.load(Ordering::Relaxed) {
            self.send_progress();
        }
    }
    fn item_done(&self) {
        self.items.fetch_add(1, Ordering::Relaxed);
        if self.due() {
            self.send_progress();
        }
    }
    fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

/// Runs a long job on the open vault (see [`AppState::job`]), its progress
/// sent to `channel`.
pub fn vault_job<T>(state: &AppState, channel: Channel<JobEvent>, work: impl FnOnce(&mut OpenVault, &ChannelProgress) -> Res<T>) -> Res<T> {
    state.job(|open, cancel| work(open, &ChannelProgress::new(channel, cancel)))
}

/// Runs a long job that needs no vault (see [`AppState::free_job`]), its
/// progress sent to `channel`.
pub fn vaultless_job<T>(state: &AppState, channel: Channel<JobEvent>, work: impl FnOnce(&ChannelProgress) -> Res<T>) -> Res<T> {
    state.free_job(|cancel| work(&ChannelProgress::new(channel, cancel)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use custos_core::Progress;
    use tauri::ipc::InvokeResponseBody;

    /// A channel whose messages land in a list.
    fn recording() -> (Channel<JobEvent>, Arc<Mutex<Vec<String>>>) {
        let sent = Arc::new(Mutex::new(Vec::new()));
        let log = sent.clone();
        let channel = Channel::new(move |body| {
            if let InvokeResponseBody::Json(json) = body {
                log.lock().unwrap().push(json);
            }
            Ok(())
        });
        (channel, sent)
    }

    #[test]
    fn begin_and_file_done_always_go_out_the_rest_is_throttled() {
        let (channel, sent) = recording();
        let p = ChannelProgress::new(channel, Arc::new(AtomicBool::new(false)));
        p.begin(2, 300);
        p.file_started(Path::new("/in/a.txt"), 100);
        p.advance(100);
        p.advance(100);
        p.file_done(Path::new("/in/a.txt"), &FileOutcome::Failed { reason: "unreadable".into() });
        {
            let sent = sent.lock().unwrap();
            assert_eq!(sent.len(), 4, "the advances within the interval are not sent: {sent:?}");
            assert!(sent[0].contains("\"begin\""), "{}", sent[0]);
            assert!(sent[1].contains("\"file_started\""), "{}", sent[1]);
            assert!(sent[2].contains("\"file_done\""), "{}", sent[2]);
            // After a finished file the bytes done are sent with it, so the
            // files and bytes shown never disagree.
            assert!(sent[3].contains("\"progress\"") && sent[3].contains("\"bytes\":200") && sent[3].contains("\"items\":1"), "{}", sent[3]);
        }
        p.file_done(Path::new("/in/b.txt"), &FileOutcome::Failed { reason: "unreadable".into() });
        assert_eq!(sent.lock().unwrap().len(), 5, "no progress when the bytes did not move");
        std::thread::sleep(REPORT_INTERVAL);
        p.advance(50);
        p.item_done();
        let sent = sent.lock().unwrap();
        assert_eq!(sent.len(), 6, "{sent:?}");
        assert!(sent[5].contains("\"progress\"") && sent[5].contains("250"), "bytes add up across throttled reports: {}", sent[5]);
    }

    #[test]
    fn cancel_reaches_the_core() {
        let (channel, _) = recording();
        let cancel = Arc::new(AtomicBool::new(false));
        let p = ChannelProgress::new(channel, cancel.clone());
        assert!(!p.is_cancelled());
        cancel.store(true, Ordering::SeqCst);
        assert!(p.is_cancelled());
    }
}
