//! The part of processing that needs no database: reading an exhibit into
//! memory, running its extractor and OCR, on as many threads as there are
//! cores. The results are recorded afterwards, in order, by the vault.

use super::extract_error;
use super::items::{SealedItem, seal_all};
use super::understand::{self, Recognised, Understood, recognise, understand};
use crate::error::{Error, Result};
use crate::ops::extract::{ExhibitReader, read_whole};
use crate::store::ExhibitDetail;
use crate::store::derived::ProcessingState;
use custos_extract::{Kind, Limits};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Exhibits at or above this many bytes in one round together (a large one
/// goes alone).
pub(super) const LARGE: u64 = 256 << 20;

/// Exhibits larger than this are first told apart by their first bytes, so
/// that a mailbox is never read whole.
const PEEK_ABOVE: u64 = 1 << 20;

/// One exhibit to process, with what the database said of it.
pub(super) struct Job {
    pub id: String,
    pub state: ProcessingState,
    /// `None` when there is nothing to do.
    pub detail: Option<ExhibitDetail>,
    /// How deep it sits inside containers.
    pub depth: u32,
    /// Not processed before (else only OCR is asked of it).
    pub first_time: bool,
}

/// What became of a job.
pub(super) enum WorkResult {
    /// Processed before, nothing asked of it now.
    Skipped,
    /// Of a kind nothing is read from.
    Other,
    /// It could not be understood (it stays stored and verified).
    Failed { kind: &'static str, why: String },
    /// Understood, with its OCR pages when asked, and the items found
    /// inside it sealed into partial objects.
    Done { understood: Box<Understood>, recognised: Option<Recognised>, items: Vec<SealedItem> },
    /// A mailbox or a large archive, expanded in steps by a stream of its
    /// own (see [`super::stream`]).
    Stream { kind: Kind },
}

/// A job and what became of it.
pub(super) struct Worked {
    pub job: Job,
    pub result: WorkResult,
}

/// Runs `f` on each of `items` on up to `workers` threads; the results come
/// back in the items' order.
pub(super) fn in_order<T: Send, R: Send>(items: Vec<T>, workers: usize, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let n = items.len();
    let items: Vec<Mutex<Option<T>>> = items.into_iter().map(|i| Mutex::new(Some(i))).collect();
    let results: Vec<Mutex<Option<R>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..workers.min(n) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(slot) = items.get(i) else { break };
                    let item = slot.lock().unwrap_or_else(|e| e.into_inner()).take().expect("each item is taken once");
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(f(item));
                }
            });
        }
    });
    results.into_iter().map(|r| r.into_inner().unwrap_or_else(|e| e.into_inner()).expect("every item was run")).collect()
}

/// What every job of a round shares.
pub(super) struct Work<'a> {
    pub reader: &'a ExhibitReader,
    pub limits: &'a Limits,
    pub mappings: &'a [custos_extract::audit::Mapping],
    pub lang: &'a str,
    pub ocr: bool,
}

impl Work<'_> {
    /// Runs the jobs on up to `workers` threads; the results come back in
    /// the jobs' order. An error that should stop processing (a missing
    /// program, a database or disk error) is that job's `Err`.
    pub fn run(&self, jobs: Vec<Job>, workers: usize) -> Vec<Result<Worked>> {
        in_order(jobs, workers, |job| self.one(&job).map(|result| Worked { job, result }))
    }

    fn one(&self, job: &Job) -> Result<WorkResult> {
        let Some(detail) = &job.detail else {
            return Ok(WorkResult::Skipped);
        };
        if job.first_time && !understand::worth_reading(&detail.exhibit) {
            return Ok(WorkResult::Other);
        }
        let readable = |e| match e {
            e @ (Error::ObjectAuthentication { .. } | Error::Io { .. } | Error::InvalidInput(_)) => Ok(WorkResult::Failed { kind: "", why: e.to_string() }),
            e => Err(e),
        };
        if job.first_time && detail.exhibit.size > PEEK_ABOVE {
            let head = match self.reader.head(detail) {
                Ok(h) => h,
                Err(e) => return readable(e),
            };
            let kind = understand::kind_of(&head, &detail.exhibit);
            if understand::streamed(kind, detail.exhibit.size) {
                return Ok(WorkResult::Stream { kind });
            }
        }
        let bytes = match read_whole(self.reader, detail) {
            Ok(b) => b,
            Err(e) => return readable(e),
        };
        let mut understood = if job.first_time {
            let kind = understand::kind_of(&bytes, &detail.exhibit);
            if understand::streamed(kind, detail.exhibit.size) {
                return Ok(WorkResult::Stream { kind });
            }
            match understand(&bytes, &detail.exhibit, job.depth, self.limits, self.mappings) {
                Ok(u) => u,
                Err(e @ (custos_extract::Error::Malformed(_) | custos_extract::Error::Tool { .. })) => {
                    let kind = understand::kind_name(kind);
                    let why = match e {
                        custos_extract::Error::Malformed(why) => why,
                        e => e.to_string(),
                    };
                    return Ok(WorkResult::Failed { kind, why });
                }
                Err(e) => return Err(extract_error(e)),
            }
        } else {
            Understood::for_ocr(&job.state)
        };
        let recognised = if self.ocr && !understood.extracted.wants_ocr.is_empty() { Some(recognise(&bytes, &understood, self.lang)?) } else { None };
        drop(bytes);
        let children = std::mem::take(&mut understood.extracted.children);
        let items = seal_all(self.reader, &detail.exhibit.id, children, 1)?;
        Ok(WorkResult::Done { understood: Box::new(understood), recognised, items })
    }
}
