//! Processing: understanding exhibits after intake (DESIGN §3.1). Each
//! exhibit is decrypted into memory (never to disk), read by the extractor
//! for its kind ([`custos_extract`]), and what comes out is stored with a
//! `derived` custody event per artifact: every item found inside it (a new
//! exhibit, or a new source of content already here), its metadata, its
//! text, and its text by OCR.

mod items;
pub(crate) mod record;
mod reextract;
mod stream;
pub(crate) mod understand;
mod work;
mod zip;

use crate::error::{Error, Result};
use crate::format::custody::{Action, NewEvent};
use crate::format::details::Derived;
use crate::ops::extract::ExhibitReader;
use crate::progress::Progress;
use crate::store::Vault;
use custos_extract::Extractor;
use custos_extract::Limits;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use stream::Stream;
#[cfg(test)]
pub(crate) use understand::STREAM_ARCHIVES_ABOVE;
use work::{Job, LARGE, Work, Worked};

/// What processing does.
#[derive(Debug, Clone)]
pub struct ProcessOptions {
    /// Also recognise text (OCR) in images and in PDF pages with no text layer.
    pub ocr: bool,
    /// Tesseract's language(s), e.g. `eng` or `eng+deu`.
    pub ocr_language: String,
    /// Only these exhibits (and the items found in them); all unprocessed
    /// exhibits when empty.
    pub exhibits: Vec<String>,
    /// With exhibits named: also process the items found in them (the
    /// default); when false, those items stay pending for a later run.
    pub recurse: bool,
    /// Bounds on what one container may yield.
    pub limits: Limits,
}

impl Default for ProcessOptions {
    fn default() -> Self {
        Self { ocr: false, ocr_language: "eng".into(), exhibits: Vec::new(), recurse: true, limits: Limits::default() }
    }
}

/// What processing did to one exhibit.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessOutcome {
    /// The exhibit.
    pub exhibit: String,
    /// What it was read as (`email`, `mbox`, `pdf`, `office`, …).
    pub kind: String,
    /// `done`, `failed`, or `skipped` (processed before, nothing asked of it).
    pub status: String,
    /// Why it failed.
    pub reason: Option<String>,
    /// Items found inside it that are new exhibits.
    pub new_items: u32,
    /// Items found inside it whose content was already an exhibit.
    pub duplicate_items: u32,
    /// Metadata values read.
    pub fields: u32,
    /// Characters of text read.
    pub text_chars: u64,
    /// Pages recognised by OCR.
    pub ocr_pages: u32,
    /// OCR pages of low confidence, to review.
    pub low_confidence_pages: Vec<u32>,
    /// What could not be read inside it (item or page, and why).
    pub problems: Vec<(String, String)>,
}

/// The result of processing: one outcome per exhibit, in order.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessReport {
    /// Each exhibit processed.
    pub exhibits: Vec<ProcessOutcome>,
    /// Whether processing was cancelled before the end.
    pub cancelled: bool,
}

impl ProcessReport {
    /// Exhibits that failed.
    pub fn failed(&self) -> usize {
        self.exhibits.iter().filter(|o| o.status == "failed").count()
    }
    /// New exhibits found inside others.
    pub fn new_items(&self) -> u64 {
        self.exhibits.iter().map(|o| o.new_items as u64).sum()
    }
}

/// Exhibits fetched at a time when processing all.
const PAGE: u32 = 256;

/// Most exhibits in one round (recorded in one change).
const ROUND_JOBS: usize = 256;

impl Vault {
    /// Processes exhibits: all not processed yet (and, with OCR, all
    /// processed without it), or those named, with the items found inside
    /// them, recursively to [`MAX_DEPTH`](crate::store::derived::MAX_DEPTH).
    ///
    /// An exhibit that cannot be read is a failed outcome and the rest go
    /// on; an outside program that is missing (Tesseract, poppler) stops
    /// processing with an error that says what to install. Each exhibit is
    /// committed with its round (a few exhibits at a time), so a cancelled
    /// run keeps what it finished.
    pub fn process(&mut self, opts: &ProcessOptions, progress: &dyn Progress) -> Result<ProcessReport> {
        let mut run = self.start_processing(opts)?;
        progress.begin(run.known_total(), 0);
        let worker = run.worker();
        // One round is worked while the one before it is recorded.
        std::thread::scope(|s| -> Result<()> {
            let mut in_flight: Option<std::thread::ScopedJoinHandle<'_, WorkedRound>> = None;
            loop {
                let next = if progress.is_cancelled() {
                    run.cancelled();
                    None
                } else {
                    run.next_round(self)?
                };
                let worker = &worker;
                let started = next.map(|round| s.spawn(move || worker.work(round)));
                let recorded = in_flight.take();
                let had = recorded.is_some();
                if let Some(h) = recorded {
                    let worked = h.join().expect("a processing round panicked");
                    for _ in run.record(self, worked)? {
                        progress.item_done();
                    }
                }
                if started.is_none() && (!had || run.cancelled_already()) {
                    return Ok(());
                }
                in_flight = started;
            }
        })?;
        let report = run.finish();
        if !report.exhibits.is_empty() {
            self.tidy_search_index()?;
        }
        Ok(report)
    }

    /// Begins processing, a round at a time: [`ProcessRun::next_round`]
    /// and [`ProcessRun::record`] need the vault, [`ProcessRun::work`] (the
    /// slow part: reading, extracting, OCR) does not, so a front end can let
    /// the vault serve other readers while a round is worked.
    pub fn start_processing(&self, opts: &ProcessOptions) -> Result<ProcessRun> {
        let ocr = if opts.ocr { Some(custos_extract::ocr::extractor(&opts.ocr_language).map_err(extract_error)?) } else { None };
        let unknown = self.unknown_exhibits(&opts.exhibits)?;
        if !unknown.is_empty() {
            return Err(Error::NoSuchExhibit(unknown.join(", ")));
        }
        Ok(ProcessRun {
            opts: opts.clone(),
            queue: opts.exhibits.iter().cloned().collect(),
            all: opts.exhibits.is_empty(),
            ocr,
            workers: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 8),
            reader: self.reader(),
            mappings: std::sync::Arc::new(self.audit_mappings()?),
            vault_id: self.config().vault_id.clone(),
            after: 0,
            after_ocr: 0,
            taken: Default::default(),
            streams: VecDeque::new(),
            stream: None,
            report: ProcessReport::default(),
        })
    }

    /// What processing an exhibit needs from the database, and whether there
    /// is anything to do.
    /// An exhibit named that failed before is tried again.
    fn job_for(&self, id: &str, ocr: bool, named: bool) -> Result<Job> {
        let state = self.processing_state(id)?;
        let first_time = state.status == "pending" || (named && state.status == "failed");
        let wants_ocr = ocr && state.status == "done" && !state.ocr_done && !state.wants_ocr.is_empty();
        if !first_time && !wants_ocr {
            return Ok(Job { id: id.into(), state, detail: None, depth: 0, first_time });
        }
        let detail = self.record_of(id)?;
        let depth = self.container_depth(id)?;
        Ok(Job { id: id.into(), state, detail: Some(detail), depth, first_time })
    }

    /// An exhibit's text (what was read from it, then its OCR pages), or
    /// `None` when it has none; logs a `viewed` event.
    pub fn text(&mut self, id: &str) -> Result<Option<String>> {
        let exhibit = self.listing(id)?;
        let text = self.stored_text(id)?;
        let mut ev = NewEvent::new(Action::Viewed).exhibit(id).purpose(Some("extracted text".into()));
        ev.hash_algorithm = Some("SHA-256".into());
        ev.hash_before = Some(exhibit.sha256);
        self.log(vec![ev])?;
        Ok(text)
    }
}

/// Processing under way, a round at a time (see [`Vault::start_processing`]).
pub struct ProcessRun {
    opts: ProcessOptions,
    queue: VecDeque<String>,
    all: bool,
    ocr: Option<Extractor>,
    workers: usize,
    reader: ExhibitReader,
    /// The vault's audit-log column mappings, in the order saved.
    mappings: std::sync::Arc<Vec<custos_extract::audit::Mapping>>,
    vault_id: String,
    after: i64,
    after_ocr: i64,
    /// Exhibits named, or found in them, taken into a round (none is
    /// worked twice; processing all walks the numbers once instead).
    taken: std::collections::HashSet<String>,
    /// Mailboxes waiting to be expanded, and the one being expanded.
    streams: VecDeque<(Job, custos_extract::Kind)>,
    stream: Option<Stream>,
    report: ProcessReport,
}

/// Works rounds on any thread (see [`ProcessRun::worker`]).
pub struct RoundWorker {
    reader: ExhibitReader,
    mappings: std::sync::Arc<Vec<custos_extract::audit::Mapping>>,
    limits: Limits,
    lang: String,
    ocr: bool,
    workers: usize,
}

impl RoundWorker {
    /// Reads and understands a round's exhibits on every core, or takes
    /// and seals a batch of a streamed container's items; needs no vault.
    pub fn work(&self, round: ProcessRound) -> WorkedRound {
        match round.0 {
            Round::Exhibits(jobs) => {
                let work = Work { reader: &self.reader, limits: &self.limits, mappings: &self.mappings, lang: &self.lang, ocr: self.ocr };
                WorkedRound(Worked_::Exhibits(work.run(jobs, self.workers)))
            }
            Round::Messages(take) => WorkedRound(Worked_::Messages(take.work(&self.reader, self.workers))),
        }
    }
}

/// A round prepared from the vault, to work without it.
pub struct ProcessRound(Round);

enum Round {
    /// Exhibits to read and understand.
    Exhibits(Vec<Job>),
    /// The next batch of a streamed container's items.
    Messages(stream::Take),
}

/// A round worked, to record in the vault.
pub struct WorkedRound(Worked_);

#[allow(non_camel_case_types)]
enum Worked_ {
    Exhibits(Vec<Result<Worked>>),
    Messages(Result<stream::Batch>),
}

impl ProcessRun {
    /// How many exhibits were named (0 when processing all: the total is
    /// not known in advance).
    pub fn known_total(&self) -> u64 {
        if self.all { 0 } else { self.queue.len() as u64 }
    }

    /// The next round, or `None` when nothing is left. A round is a few
    /// exhibits per core (a large one goes alone, so memory holds one large
    /// exhibit at most).
    pub fn next_round(&mut self, vault: &Vault) -> Result<Option<ProcessRound>> {
        self.same_vault(vault)?;
        // A streamed container is expanded before anything else is taken.
        if self.stream.is_none()
            && let Some((job, kind)) = self.streams.pop_front()
        {
            let recorded = vault.item_positions(&job.id)?;
            self.stream = Some(Stream::start(job, kind, self.reader.clone(), self.opts.limits, recorded));
        }
        if let Some(s) = &mut self.stream {
            return Ok(Some(ProcessRound(Round::Messages(s.take()))));
        }
        if self.queue.is_empty() && self.all {
            let next = vault.unprocessed(self.after, PAGE)?;
            let next = if next.is_empty() && self.ocr.is_some() {
                let n = vault.awaiting_ocr(self.after_ocr, PAGE)?;
                self.after_ocr = n.last().map(|(n, _)| *n).unwrap_or(self.after_ocr);
                n
            } else {
                self.after = next.last().map(|(n, _)| *n).unwrap_or(self.after);
                next
            };
            self.queue.extend(next.into_iter().map(|(_, id)| id));
        }
        if self.queue.is_empty() {
            return Ok(None);
        }
        let mut jobs = Vec::new();
        let mut bytes = 0u64;
        while jobs.len() < ROUND_JOBS && bytes < LARGE {
            let Some(id) = self.queue.pop_front() else {
                break;
            };
            if !self.all && !self.taken.insert(id.clone()) {
                continue;
            }
            let job = vault.job_for(&id, self.ocr.is_some(), !self.all)?;
            bytes += job.detail.as_ref().map_or(0, |d| d.exhibit.size);
            jobs.push(job);
        }
        Ok(Some(ProcessRound(Round::Exhibits(jobs))))
    }

    /// Reads and understands a round's exhibits on every core; needs no vault.
    pub fn work(&self, round: ProcessRound) -> WorkedRound {
        self.worker().work(round)
    }

    /// What working a round needs, to hand to another thread.
    pub fn worker(&self) -> RoundWorker {
        RoundWorker { reader: self.reader.clone(), mappings: self.mappings.clone(), limits: self.opts.limits, lang: self.opts.ocr_language.clone(), ocr: self.ocr.is_some(), workers: self.workers }
    }

    /// Whether processing was cancelled.
    fn cancelled_already(&self) -> bool {
        self.report.cancelled
    }

    /// Records a worked round in one change; returns its exhibits' outcomes.
    pub fn record(&mut self, vault: &mut Vault, worked: WorkedRound) -> Result<Vec<ProcessOutcome>> {
        self.same_vault(vault)?;
        let outcomes = match worked.0 {
            Worked_::Exhibits(worked) => {
                let worked = worked.into_iter().collect::<Result<Vec<_>>>()?;
                let (outcomes, streams) = vault.record_round(worked, self.ocr.as_ref())?;
                self.streams.extend(streams);
                outcomes
            }
            Worked_::Messages(batch) => {
                let batch = batch?;
                // A round made before the stream's end was recorded finds it ended.
                let Some(stream) = self.stream.as_mut().filter(|s| s.job.id == batch.container) else {
                    debug_assert!(batch.items.is_empty() && batch.end.is_none());
                    return Ok(Vec::new());
                };
                let outcome = vault.record_batch(stream, batch, self.ocr.as_ref())?;
                if outcome.is_some() {
                    self.stream = None;
                }
                outcome.into_iter().collect()
            }
        };
        let ids: Vec<String> = outcomes.iter().map(|o| o.exhibit.clone()).collect();
        if !self.all && self.opts.recurse {
            // The items found are processed too.
            for id in &ids {
                self.queue.extend(vault.unprocessed_children(id)?);
            }
        }
        self.report.exhibits.extend(outcomes.iter().cloned());
        Ok(outcomes)
    }

    /// Notes that processing was cancelled before the end.
    pub fn cancelled(&mut self) {
        self.report.cancelled = true;
    }

    /// What was done.
    pub fn finish(self) -> ProcessReport {
        self.report
    }

    /// A run belongs to the vault it began in (a front end may lock the
    /// vault and open another between rounds).
    fn same_vault(&self, vault: &Vault) -> Result<()> {
        if vault.config().vault_id != self.vault_id {
            return Err(Error::InvalidInput("the vault changed while processing; the exhibits done are recorded".into()));
        }
        Ok(())
    }
}

/// A `derived` event on `exhibit`.
/// The details of a `derived` event: what `x` made of `kind` from `exhibit`
/// (counts, pages and problems to be added).
pub(crate) fn derived_details(kind: &str, exhibit: &str, x: &custos_extract::Extractor) -> Derived {
    Derived {
        kind: kind.into(),
        from: exhibit.into(),
        extractor: x.name.clone(),
        extractor_version: x.version.clone(),
        settings: x.settings.clone(),
        item: None,
        count: None,
        low_confidence_pages: Vec::new(),
        problems: Vec::new(),
    }
}

pub(crate) fn derived_event(exhibit: &str, input: &str, output: &str, details: Derived) -> NewEvent {
    let method = Some(format!("{} {}", details.extractor, details.extractor_version));
    NewEvent::new(Action::Derived).exhibit(exhibit).sha256(input, output).method(method).details(details)
}

/// The SHA-256 of a metadata set: of its JSON (an array of
/// `{"field","value","source"}` in the order read).
pub(crate) fn metadata_sha256(fields: &[custos_extract::Field]) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(fields).expect("fields serialise")))
}

/// An extractor's error as the vault's.
fn extract_error(e: custos_extract::Error) -> Error {
    match e {
        custos_extract::Error::ToolMissing { .. } => Error::MissingTool(e.to_string()),
        custos_extract::Error::Stopped => Error::Cancelled,
        e => Error::InvalidInput(e.to_string()),
    }
}
