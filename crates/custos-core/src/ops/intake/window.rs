//! The read-ahead window of a run of small files: worker threads encrypt
//! files ahead of the thread that places and commits them, at most
//! [`WINDOW`] files ahead, and hand them over in input order.

use super::batch::Batch;
use super::encrypt::{EncryptOptions, Encrypted, encrypt_file};
use super::{IntakeOptions, IntakeReport};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::store::Vault;
use crate::store::objects::ObjectStore;
use std::path::PathBuf;
use std::sync::{Condvar, Mutex, MutexGuard};

/// Threads that encrypt small files side by side.
const WORKERS: usize = 2;
/// How many small files the workers may run ahead of placing and committing.
const WINDOW: usize = 256;

/// Files encrypted by worker threads ahead of the thread that places and
/// commits them. A file encrypted but never handed over (the run stopped
/// early) has its partial object removed when the window is dropped.
struct Window {
    state: Mutex<WindowState>,
    changed: Condvar,
}

struct WindowState {
    slots: Vec<Option<Result<Encrypted>>>,
    /// The next file a worker may claim.
    next: usize,
    /// Files handed over so far.
    taken: usize,
    /// No more claims: the run ended early, or a worker panicked.
    stop: bool,
}

impl Window {
    fn new(files: usize) -> Self {
        let slots = (0..files).map(|_| None).collect();
        Self { state: Mutex::new(WindowState { slots, next: 0, taken: 0, stop: false }), changed: Condvar::new() }
    }

    fn lock(&self) -> MutexGuard<'_, WindowState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next file to encrypt, once it is within the window; `None` at the end.
    fn claim(&self) -> Option<usize> {
        let mut s = self.lock();
        loop {
            if s.stop || s.next >= s.slots.len() {
                return None;
            }
            if s.next < s.taken + WINDOW {
                s.next += 1;
                return Some(s.next - 1);
            }
            s = self.changed.wait(s).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn put(&self, i: usize, r: Result<Encrypted>) {
        self.lock().slots[i] = Some(r);
        self.changed.notify_all();
    }

    /// File `i`'s result, once it is ready; `None` if a worker panicked.
    fn take(&self, i: usize) -> Option<Result<Encrypted>> {
        let mut s = self.lock();
        loop {
            if let Some(r) = s.slots[i].take() {
                s.taken = i + 1;
                self.changed.notify_all();
                return Some(r);
            }
            if s.stop {
                return None;
            }
            s = self.changed.wait(s).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn stop(&self) {
        self.lock().stop = true;
        self.changed.notify_all();
    }
}

/// When to stop the window as a guard is dropped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StopWhen {
    /// Always (the placing thread, however it leaves).
    Dropped,
    /// Only if the thread unwinds (a worker that panics).
    Unwinding,
}

/// Stops the window's run when dropped, as [`StopWhen`] says.
struct StopOnDrop<'a>(&'a Window, StopWhen);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        if self.1 == StopWhen::Dropped || std::thread::panicking() {
            self.0.stop();
        }
    }
}

impl Vault {
    /// Encrypts a run of small files on [`WORKERS`] threads while this
    /// thread places them in input order and commits the batches. Returns
    /// `false` if intake was cancelled.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn take_in_run(
        &mut self,
        objects: &ObjectStore,
        encrypt: EncryptOptions<'_>,
        paths: &[PathBuf],
        batch: &mut Batch,
        opts: &IntakeOptions,
        progress: &dyn Progress,
        report: &mut IntakeReport,
    ) -> Result<bool> {
        let window = Window::new(paths.len());
        // Files encrypted after the run stopped are not acknowledged: their
        // partial objects go with the window.
        std::thread::scope(|s| {
            for _ in 0..WORKERS {
                s.spawn(|| {
                    // A worker that unwinds stops the run, so the thread waiting for its file does not wait forever.
                    let _stop = StopOnDrop(&window, StopWhen::Unwinding);
                    while let Some(i) = window.claim() {
                        let path = &paths[i];
                        let r = if progress.is_cancelled() {
                            Err(Error::Cancelled)
                        } else {
                            progress.file_started(path, 0);
                            encrypt_file(objects, encrypt, path, progress)
                        };
                        window.put(i, r);
                    }
                });
            }
            // However this thread leaves (a panic included), the workers stop.
            let _stop = StopOnDrop(&window, StopWhen::Dropped);
            let mut res = Ok(true);
            for (i, path) in paths.iter().enumerate() {
                // `None`: a worker panicked; the scope passes the panic on.
                let Some(r) = window.take(i) else { break };
                res = self.accept(r, path.clone(), batch, opts, progress, report);
                if !matches!(res, Ok(true)) {
                    break;
                }
            }
            res
        })
    }
}
