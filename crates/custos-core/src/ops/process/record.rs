//! Recording a round of processed exhibits: every item's object made
//! durable first, then one change with each exhibit's items, metadata, text
//! and OCR pages, each derivation with its `derived` event, and where
//! processing stands.

use super::items::{self, Placed, Round};
use super::stream::{Batch, End, Stream};
use super::understand::{self, Recognised, Understood};
use super::work::{Job, WorkResult, Worked};
use super::{ProcessOutcome, derived_event, metadata_sha256};
use crate::error::Result;
use crate::format::custody::NewEvent;
use crate::format::details::Derived;
use crate::ops::intake::batch::ObjectBatch;
use crate::store::derived::{NewDerivation, ProcessingState};
use crate::store::{Change, ExhibitDetail, Vault};
use custos_extract::{Extractor, Kind};
use sha2::{Digest, Sha256};

/// A container to expand as a stream, and its kind.
pub(super) type ToStream = (Job, Kind);

impl Vault {
    /// Records what the workers made of a round of exhibits, in order, in
    /// one change; returns each exhibit's outcome.
    /// Mailboxes are not recorded here: they come back, to be expanded as
    /// streams.
    pub(super) fn record_round(&mut self, all: Vec<Worked>, ocr: Option<&Extractor>) -> Result<(Vec<ProcessOutcome>, Vec<ToStream>)> {
        let (mut worked, mut streams) = (Vec::with_capacity(all.len()), Vec::new());
        for w in all {
            match w.result {
                WorkResult::Stream { kind } => streams.push((w.job, kind)),
                _ => worked.push(w),
            }
        }
        // Items first: their objects are durable before any row names them.
        let mut batch = ObjectBatch::new();
        let mut round = Round::default();
        let mut placed = Vec::with_capacity(worked.len());
        for w in &mut worked {
            placed.push(match (&mut w.result, &w.job.detail) {
                (WorkResult::Done { items, .. }, Some(detail)) => Some(items::place_all(self, &detail.exhibit.id, std::mem::take(items), &mut batch, &mut round)?),
                _ => None,
            });
        }
        batch.make_durable(self.objects())?;
        let mut change = self.change()?;
        let mut events = Vec::new();
        let mut outcomes = Vec::with_capacity(worked.len());
        for (w, placed) in worked.into_iter().zip(placed) {
            outcomes.push(record(&mut change, &mut events, w, placed, ocr, &mut round)?);
        }
        change.commit(events)?;
        batch.finish();
        Ok((outcomes, streams))
    }

    /// Records a batch of a mailbox's messages in one change, and, with the
    /// last, the mailbox itself; returns the mailbox's outcome once it ended.
    pub(super) fn record_batch(&mut self, stream: &mut Stream, b: Batch, ocr: Option<&Extractor>) -> Result<Option<ProcessOutcome>> {
        let detail = stream.job.detail.clone().expect("a stream's job has its detail");
        let mut batch = ObjectBatch::new();
        let mut round = Round::default();
        let placed = items::place_all(self, &detail.exhibit.id, b.items, &mut batch, &mut round)?;
        batch.make_durable(self.objects())?;
        let mut change = self.change()?;
        let mut events = Vec::new();
        let x = match stream.kind {
            Kind::Pst => custos_extract::pst::extractor(),
            Kind::Zip => super::zip::zip_extractor(),
            _ => custos_extract::mail::extractor(),
        };
        let (new, known) = items::record_all(&mut change, &detail, &x, stream.kind.is_mailbox(), placed.items, &mut events, &mut round)?;
        stream.new_items += new;
        stream.duplicate_items += known;
        stream.problems.extend(placed.problems);
        let outcome = match b.end {
            None => None,
            Some(End::Fatal(e)) => return Err(e),
            Some(end) => {
                let result = match end {
                    End::Read(understood) => WorkResult::Done { understood, recognised: None, items: Vec::new() },
                    End::Failed { kind, why } => WorkResult::Failed { kind, why },
                    End::Fatal(_) => unreachable!("returned above"),
                };
                let job = Job { id: stream.job.id.clone(), state: stream.job.state.clone(), detail: Some(detail), depth: stream.job.depth, first_time: true };
                let placed = Placed { items: Vec::new(), problems: std::mem::take(&mut stream.problems) };
                let mut o = record(&mut change, &mut events, Worked { job, result }, Some(placed), ocr, &mut round)?;
                o.new_items = stream.new_items;
                o.duplicate_items = stream.duplicate_items;
                Some(o)
            }
        };
        change.commit(events)?;
        batch.finish();
        Ok(outcome)
    }
}

/// Records what a worker made of one exhibit.
fn record(change: &mut Change<'_>, events: &mut Vec<NewEvent>, w: Worked, placed: Option<Placed>, ocr: Option<&Extractor>, round: &mut Round) -> Result<ProcessOutcome> {
    let Worked { job, result } = w;
    let Job { id, state, detail, first_time, .. } = job;
    let mut outcome = ProcessOutcome { exhibit: id.clone(), kind: state.kind.clone(), status: "skipped".into(), ..Default::default() };
    let ended = |status: &str, kind: &str, reason: Option<String>| ProcessingState {
        status: status.into(),
        kind: kind.into(),
        reason,
        wants_ocr: Vec::new(),
        ocr_done: false,
        problems: Vec::new(),
    };
    match result {
        WorkResult::Skipped => Ok(outcome),
        WorkResult::Other => {
            // Nothing Custos reads inside (video, audio, programs…).
            change.set_processing(&id, &ended("done", "other", None))?;
            outcome.kind = "other".into();
            outcome.status = "done".into();
            Ok(outcome)
        }
        WorkResult::Failed { kind, why } => {
            // It stays stored and verifiable; only its processing failed.
            change.set_processing(&id, &ended("failed", kind, Some(why.clone())))?;
            outcome.kind = kind.into();
            outcome.status = "failed".into();
            outcome.reason = Some(why);
            Ok(outcome)
        }
        WorkResult::Stream { .. } => unreachable!("a mailbox is recorded by its stream"),
        WorkResult::Done { understood, recognised, .. } => {
            let detail = detail.expect("a job with work has its detail");
            let placed = placed.expect("an exhibit understood had its items placed");
            let done = Done { detail: &detail, state: &state, first_time, understood: *understood, ocr: ocr.zip(recognised) };
            done.record(change, events, placed, outcome, round)
        }
    }
}

/// Records the metadata read from an exhibit (replacing any recorded
/// before): its derivation and its `derived` event.
pub(crate) fn record_metadata(
    change: &mut Change<'_>,
    events: &mut Vec<NewEvent>,
    id: &str,
    input: &str,
    x: &custos_extract::Extracted,
    problems: Vec<(String, String)>,
) -> Result<()> {
    let output = metadata_sha256(&x.metadata);
    let seq = change.next_seq(events.len());
    let d = change.add_derivation(&NewDerivation { exhibit: id, kind: "metadata", extractor: &x.extractor, input_sha256: input, output_sha256: &output, item: None }, seq)?;
    change.set_metadata(id, &x.metadata, d)?;
    let details = Derived { count: Some(x.metadata.len() as u64), problems, ..super::derived_details("metadata", id, &x.extractor) };
    events.push(derived_event(id, input, &output, details));
    Ok(())
}

/// Records the events read from an audit-log export: one derivation (by
/// the audit reader, with the column mapping it read through), its output
/// the SHA-256 of the events' JSON, and its `derived` event.
pub(crate) fn record_audit_events(change: &mut Change<'_>, events: &mut Vec<NewEvent>, id: &str, input: &str, x: &custos_extract::Extracted) -> Result<()> {
    let ax = custos_extract::audit::extractor_for(x.audit_mapping.as_ref());
    let output = hex::encode(Sha256::digest(serde_json::to_vec(&x.events).expect("events serialise")));
    let seq = change.next_seq(events.len());
    let d = change.add_derivation(&NewDerivation { exhibit: id, kind: "events", extractor: &ax, input_sha256: input, output_sha256: &output, item: None }, seq)?;
    change.add_audit_events(id, &x.events, d)?;
    let details = Derived { count: Some(x.events.len() as u64), ..super::derived_details("events", id, &ax) };
    events.push(derived_event(id, input, &output, details));
    Ok(())
}

/// An exhibit understood, to record.
struct Done<'a> {
    detail: &'a ExhibitDetail,
    state: &'a ProcessingState,
    first_time: bool,
    understood: Understood,
    ocr: Option<(&'a Extractor, Recognised)>,
}

impl Done<'_> {
    /// Its items, metadata, text and OCR pages, each with its derivation and event.
    fn record(self, change: &mut Change<'_>, events: &mut Vec<NewEvent>, placed: Placed, mut outcome: ProcessOutcome, round: &mut Round) -> Result<ProcessOutcome> {
        let Done { detail, state, first_time, understood, ocr } = self;
        let id = detail.exhibit.id.as_str();
        outcome.kind = understood.kind.to_string();
        outcome.status = "done".into();
        let input = detail.exhibit.sha256.as_str();
        let from = |kind: &str, x: &Extractor| super::derived_details(kind, id, x);
        let (new_items, dups) = items::record_all(change, detail, &understood.extracted.extractor, understood.mailbox, placed.items, events, round)?;
        outcome.new_items = new_items;
        outcome.duplicate_items = dups;
        let x = &understood.extracted;
        // A later OCR run keeps what the first run could not read.
        let mut problems: Vec<(String, String)> = if first_time { Vec::new() } else { state.problems.clone() };
        problems.extend(x.problems.iter().map(|p| (p.item.clone(), p.reason.clone())));
        problems.extend(placed.problems);
        if first_time && !x.metadata.is_empty() {
            record_metadata(change, events, id, input, x, problems.clone())?;
            outcome.fields = x.metadata.len() as u32;
        }
        if let Some(text) = x.text.as_deref().filter(|t| first_time && !t.trim().is_empty()) {
            let output = hex::encode(Sha256::digest(text.as_bytes()));
            let seq = change.next_seq(events.len());
            let d = change.add_derivation(&NewDerivation { exhibit: id, kind: "text", extractor: &x.extractor, input_sha256: input, output_sha256: &output, item: None }, seq)?;
            change.set_text(id, "text", 0, text, None, d)?;
            let mut details = from("text", &x.extractor);
            details.count = Some(text.chars().count() as u64);
            events.push(derived_event(id, input, &output, details));
            outcome.text_chars = text.chars().count() as u64;
        }
        if first_time && understood.kind == understand::AUDIT_LOG {
            record_audit_events(change, events, id, input, x)?;
        }
        let mut ocr_done = state.ocr_done;
        if let Some((x, pages)) = &ocr {
            let output = understand::ocr_sha256(&pages.pages);
            let seq = change.next_seq(events.len());
            let d = change.add_derivation(&NewDerivation { exhibit: id, kind: "ocr", extractor: x, input_sha256: input, output_sha256: &output, item: None }, seq)?;
            for p in &pages.pages {
                change.set_text(id, "ocr", p.page, &p.text, Some(p.confidence), d)?;
            }
            let mut details = from("ocr", x);
            details.count = Some(pages.pages.len() as u64);
            details.low_confidence_pages = pages.pages.iter().filter(|p| p.low_confidence).map(|p| p.page).collect();
            details.problems = pages.problems.clone();
            outcome.ocr_pages = pages.pages.len() as u32;
            outcome.low_confidence_pages = details.low_confidence_pages.clone();
            problems.extend(pages.problems.iter().cloned());
            events.push(derived_event(id, input, &output, details));
            ocr_done = true;
        }
        let wants_ocr = if first_time { understood.extracted.wants_ocr.clone() } else { state.wants_ocr.clone() };
        let state = ProcessingState { status: "done".into(), kind: understood.kind.to_string(), reason: None, wants_ocr, ocr_done, problems: problems.clone() };
        change.set_processing(id, &state)?;
        outcome.problems = problems;
        Ok(outcome)
    }
}
