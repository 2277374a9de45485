//! Mailboxes (MBOX, PST) and large archives expanded as a stream, in steps:
//! a thread reads the container (one chunk of it in memory at a time, after
//! all of it has authenticated) and hands its items over a short queue;
//! each round takes a batch of them, seals them into partial objects on
//! every core, and records them in one change. Memory holds a batch and a
//! few items whatever the container's size.
//!
//! A run that stops part-way (cancelled, closed, crashed) leaves the
//! container pending with the items recorded so far; the next run reads it
//! again from the start and passes over every position already recorded,
//! so no occurrence is recorded twice and none is lost. The container's own
//! metadata and problems, and its `done` state, are recorded with the last
//! batch.

use super::items::{self, SealedItem};
use super::understand::{self, Understood};
use super::work::Job;
use crate::error::{Error, Result};
use crate::ops::extract::ExhibitReader;
use custos_extract::{Item, Kind, Limits};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Messages waiting between the reading thread and the rounds.
const QUEUE: usize = 16;
/// Most messages in one batch (one change).
const BATCH_ITEMS: usize = 1000;
/// A batch ends once its messages add up to this many bytes.
const BATCH_BYTES: u64 = 32 << 20;
/// A batch also ends when the reader has given nothing for this long (a
/// slow mailbox still shows progress).
const BATCH_WAIT: Duration = Duration::from_secs(2);

/// How the reading of a container ended.
pub(super) enum End {
    /// Read to its end (or past what could be read, each a problem).
    Read(Box<Understood>),
    /// It could not be read (it stays stored and verified).
    Failed { kind: &'static str, why: String },
    /// An error that stops processing.
    Fatal(Error),
}

enum Message {
    Item(u32, Item),
    End(End),
}

/// What the rounds share with the reading thread.
struct Shared {
    state: Mutex<Queue>,
    turn: Condvar,
    stop: AtomicBool,
}

struct Queue {
    rx: Option<Receiver<Message>>,
    /// The round whose turn it is to take a batch (batches are taken in the
    /// order their rounds were made, and recorded in that order).
    next: u64,
    ended: bool,
}

/// A container being expanded.
pub(super) struct Stream {
    pub job: Job,
    pub kind: Kind,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
    tickets: u64,
    /// What the batches recorded so far added up to.
    pub new_items: u32,
    pub duplicate_items: u32,
    pub problems: Vec<(String, String)>,
}

/// A round's claim on the next batch of a stream.
pub(super) struct Take {
    shared: Arc<Shared>,
    ticket: u64,
    container: String,
}

/// A batch taken and sealed, to record.
pub(super) struct Batch {
    /// The container.
    pub container: String,
    pub items: Vec<SealedItem>,
    pub end: Option<End>,
}

impl Stream {
    /// Starts reading the container of `job` on a thread of its own, passing
    /// over the `recorded` positions (in order).
    pub fn start(job: Job, kind: Kind, reader: ExhibitReader, limits: Limits, recorded: Vec<u32>) -> Stream {
        let (tx, rx) = sync_channel(QUEUE);
        let shared = Arc::new(Shared { state: Mutex::new(Queue { rx: Some(rx), next: 0, ended: false }), turn: Condvar::new(), stop: AtomicBool::new(false) });
        let reading = Reading { reader, detail: job.detail.clone().expect("a stream's job has its detail"), kind, depth: job.depth, limits, recorded };
        let stop = shared.clone();
        let thread = std::thread::Builder::new().name("custos-expand".into()).spawn(move || reading.read(&tx, &stop.stop)).expect("a thread starts");
        Stream { job, kind, shared, thread: Some(thread), tickets: 0, new_items: 0, duplicate_items: 0, problems: Vec::new() }
    }

    /// A claim on the next batch, for the next round.
    pub fn take(&mut self) -> Take {
        let ticket = self.tickets;
        self.tickets += 1;
        Take { shared: self.shared.clone(), ticket, container: self.job.id.clone() }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        // The reader stops at its next message (its queue is gone).
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner()).rx = None;
        self.shared.turn.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What the reading thread reads.
struct Reading {
    reader: ExhibitReader,
    detail: crate::store::ExhibitDetail,
    kind: Kind,
    depth: u32,
    limits: Limits,
    /// Positions already recorded, in order.
    recorded: Vec<u32>,
}

impl Reading {
    /// The reading thread: the container authenticated whole, then read as a
    /// stream; its items, then how it ended, sent to the rounds.
    fn read(self, tx: &SyncSender<Message>, stop: &AtomicBool) {
        let Reading { reader, detail, kind, depth, limits, recorded } = self;
        let name = understand::kind_name(kind);
        let end = match reader.seekable(&detail) {
            Err(e @ (Error::ObjectAuthentication { .. } | Error::Io { .. } | Error::ObjectMissing(_))) => End::Failed { kind: name, why: e.to_string() },
            Err(e) => End::Fatal(e),
            Ok(plain) => {
                let read = understand::expand_stream(plain, kind, depth, &limits, &mut |position, item| {
                    if stop.load(Ordering::Relaxed) {
                        return Err(custos_extract::Error::Stopped);
                    }
                    if recorded.binary_search(&position).is_ok() {
                        return Ok(());
                    }
                    tx.send(Message::Item(position, item)).map_err(|_| custos_extract::Error::Stopped)
                });
                match read {
                    Ok(u) => End::Read(Box::new(u)),
                    Err(custos_extract::Error::Malformed(why)) => End::Failed { kind: name, why },
                    Err(e) => End::Fatal(super::extract_error(e)),
                }
            }
        };
        let _ = tx.send(Message::End(end));
    }
}

impl Take {
    /// Takes the next batch of messages when this round's turn comes, and
    /// seals them on `workers` threads.
    pub fn work(self, reader: &ExhibitReader, workers: usize) -> Result<Batch> {
        let (items, end) = self.next_batch();
        let sealed = seal_in_parallel(reader, &self.container, items, workers)?;
        Ok(Batch { container: self.container, items: sealed, end })
    }

    fn next_batch(&self) -> (Vec<(u32, Item)>, Option<End>) {
        let mut q = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
        while q.next != self.ticket && q.rx.is_some() {
            q = self.shared.turn.wait(q).unwrap_or_else(|e| e.into_inner());
        }
        let mut items = Vec::new();
        let mut end = None;
        let mut bytes = 0u64;
        if !q.ended
            && let Some(rx) = &q.rx
        {
            while items.len() < BATCH_ITEMS && bytes < BATCH_BYTES {
                let wait = if items.is_empty() { Duration::from_secs(3600) } else { BATCH_WAIT };
                match rx.recv_timeout(wait) {
                    Ok(Message::Item(p, item)) => {
                        bytes += item.bytes.len() as u64;
                        items.push((p, item));
                    }
                    Ok(Message::End(e)) => {
                        end = Some(e);
                        break;
                    }
                    Err(RecvTimeoutError::Timeout) if !items.is_empty() => break,
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => {
                        end = Some(End::Fatal(Error::InvalidInput("the reader of the container stopped".into())));
                        break;
                    }
                }
            }
        }
        q.ended |= end.is_some();
        q.next += 1;
        drop(q);
        self.shared.turn.notify_all();
        (items, end)
    }
}

/// Seals items on up to `workers` threads, in order.
fn seal_in_parallel(reader: &ExhibitReader, container: &str, items: Vec<(u32, Item)>, workers: usize) -> Result<Vec<SealedItem>> {
    super::work::in_order(items, workers, |(position, item)| items::seal(reader, container, item, position)).into_iter().collect()
}
