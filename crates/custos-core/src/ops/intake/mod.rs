//! Intake: taking files and folders into the vault, with hashes, encryption,
//! verify-after-copy, de-duplication and a custody event per file
//! (DESIGN.md §3).
//!
//! The inputs are collected first ([`walk`], before the vault is unlocked),
//! read and encrypted into partial objects ([`encrypt`]; runs of small files
//! on worker threads ahead of placing, [`window`]), and placed and committed
//! a batch at a time ([`batch`]).

pub(crate) mod batch;
pub(crate) mod encrypt;
pub(crate) mod walk;
mod window;

pub use walk::IntakeInputs;

use crate::error::{Error, Result};
use crate::progress::{FileOutcome, Progress};
use crate::format::config::validate_tag;
use crate::store::Vault;
use batch::Batch;
use encrypt::{EncryptOptions, STREAM_FROM, encrypt_file};
use walk::Found;
use std::path::PathBuf;

/// What the examiner records once for a whole batch.
#[derive(Debug, Clone)]
pub struct IntakeOptions {
    /// Whose evidence it is.
    pub custodian: Option<String>,
    /// Device or account it came from.
    pub source: Option<String>,
    /// How it was collected.
    pub method: Option<String>,
    /// Why (purpose or authority).
    pub purpose: Option<String>,
    /// Description given to each new exhibit.
    pub description: Option<String>,
    /// Tags given to each new exhibit.
    pub tags: Vec<String>,
    /// Decrypt each stored object and compare before acknowledging (default on).
    pub verify_after_copy: bool,
    /// Also compute SHA-1.
    pub sha1: bool,
    /// When the evidence was gathered, if before intake (a day `YYYY-MM-DD`
    /// or an RFC 3339 time; not in the future). Recorded as each new
    /// exhibit's and source's collection time and in its custody event;
    /// the event itself is dated at intake.
    pub collected_at: Option<String>,
}

/// What the intake form suggests: the values recorded before, most used
/// first.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct IntakeSuggestions {
    /// Custodians.
    pub custodians: Vec<String>,
    /// Sources (devices, accounts).
    pub sources: Vec<String>,
    /// Collection methods.
    pub methods: Vec<String>,
    /// Purposes or authorities.
    pub purposes: Vec<String>,
}

/// Suggestions of each kind, at most.
pub const SUGGESTIONS: u32 = 50;

impl Vault {
    /// The custodians, sources, methods and purposes recorded so far.
    pub fn intake_suggestions(&self) -> Result<IntakeSuggestions> {
        Ok(IntakeSuggestions {
            custodians: self.source_values("custodian", SUGGESTIONS)?,
            sources: self.source_values("source", SUGGESTIONS)?,
            methods: self.source_values("method", SUGGESTIONS)?,
            purposes: self.source_values("purpose", SUGGESTIONS)?,
        })
    }
}

/// A stated collection time as the vault records it (UTC, RFC 3339 with
/// microseconds), or why it is not one. `now` is the intake's time.
pub(crate) fn collection_time(stated: &str, now: chrono::DateTime<chrono::Utc>) -> Result<String> {
    let s = stated.trim();
    let t = if let Ok(day) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        day.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
    } else {
        chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&chrono::Utc))
    };
    let t = t.ok_or_else(|| {
        Error::InvalidInput(format!("the collection time '{s}' is neither a day (YYYY-MM-DD) nor a time with its zone (e.g. 2026-05-20T14:00:00Z)"))
    })?;
    if t > now {
        return Err(Error::InvalidInput(format!("the collection time '{s}' is in the future")));
    }
    if t.timestamp() < 0 {
        return Err(Error::InvalidInput(format!("the collection time '{s}' is before 1970")));
    }
    Ok(crate::clock::format_time(t))
}

impl Default for IntakeOptions {
    fn default() -> Self {
        Self {
            custodian: None,
            source: None,
            method: None,
            purpose: None,
            description: None,
            tags: Vec::new(),
            verify_after_copy: true,
            sha1: false,
            collected_at: None,
        }
    }
}

/// The result of an intake: one outcome per file, in the order processed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IntakeReport {
    /// Each file with what happened to it (paths serialised in their
    /// readable form: see [`crate::format::names`]).
    #[serde(serialize_with = "crate::format::names::serialize_paths")]
    pub files: Vec<(PathBuf, FileOutcome)>,
    /// Whether the intake was cancelled before the end.
    pub cancelled: bool,
    /// The error that stopped the intake after the files listed (those
    /// stored or recorded as duplicates are acknowledged all the same).
    pub stopped: Option<String>,
    /// Automatic RFC 3161 stamping of the intake's checkpoint, when the
    /// vault's settings ask for it (a failure here undoes nothing).
    pub timestamps: Vec<crate::ops::timestamp::StampOutcome>,
}

impl IntakeReport {
    /// Count of new exhibits.
    pub fn stored(&self) -> usize {
        self.files.iter().filter(|(_, o)| matches!(o, FileOutcome::Stored { .. })).count()
    }
    /// Count of duplicates recorded.
    pub fn duplicates(&self) -> usize {
        self.files.iter().filter(|(_, o)| matches!(o, FileOutcome::Duplicate { .. })).count()
    }
    /// Count of failures.
    pub fn failed(&self) -> usize {
        self.files.iter().filter(|(_, o)| matches!(o, FileOutcome::Failed { .. })).count()
    }
}


impl Vault {
    /// Takes files and folders (recursively) into the vault: the `inputs`
    /// collected beforehand with [`IntakeInputs::collect`] (which refuses a
    /// path that does not exist, before anything is taken in).
    ///
    /// Inside folders, an unreadable or vanished file is reported in the
    /// result and the rest proceed. Each new exhibit is reported through
    /// `progress` only once it is durable and committed.
    ///
    /// An error after some files were acknowledged does not hide them: the
    /// report lists them and says in `stopped` what stopped the rest. An
    /// error before any was acknowledged is returned as such.
    pub fn add(&mut self, inputs: &IntakeInputs, opts: &IntakeOptions, progress: &dyn Progress) -> Result<IntakeReport> {
        let mut report = IntakeReport::default();
        match self.take_in(inputs, opts, progress, &mut report) {
            Ok(()) => {
                // The intake is committed: automatic stamping only adds to
                // it, and its failures are warnings in the report.
                if report.stored() + report.duplicates() > 0 {
                    report.timestamps = self.stamp_automatically();
                }
                Ok(report)
            }
            Err(e) if report.stored() + report.duplicates() > 0 => {
                report.stopped = Some(e.to_string());
                Ok(report)
            }
            Err(e) => Err(e),
        }
    }

    fn take_in(&mut self, inputs: &IntakeInputs, opts: &IntakeOptions, progress: &dyn Progress, report: &mut IntakeReport) -> Result<()> {
        for t in &opts.tags {
            validate_tag(t)?;
        }
        // Checked (and written the vault's way) before anything is taken in.
        let stated;
        let opts = match &opts.collected_at {
            Some(c) => {
                stated = IntakeOptions { collected_at: Some(collection_time(c, self.clock_now())?), ..opts.clone() };
                &stated
            }
            None => opts,
        };
        progress.begin(inputs.len() as u64, inputs.bytes());
        let mut batch = Batch::new();
        let recipient = self.secrets().age_recipient();
        let identity = opts.verify_after_copy.then(|| self.secrets().age_identity().clone());
        let encrypt = EncryptOptions { recipient: &recipient, read_back: identity.as_ref(), sha1: opts.sha1 };
        let objects = self.objects().clone();
        let mut items = inputs.found.iter().peekable();
        while let Some(item) = items.next() {
            if progress.is_cancelled() {
                report.cancelled = true;
                break;
            }
            // A large file uses threads of its own; runs of small files are
            // encrypted two at a time, ahead of their placing and committing.
            let go_on = match item {
                Found::Problem(path, reason) => {
                    let outcome = FileOutcome::Failed { reason: reason.clone() };
                    progress.file_done(path, &outcome);
                    report.files.push((path.clone(), outcome));
                    true
                }
                Found::File(p, s) if *s >= STREAM_FROM => {
                    progress.file_started(p, 0);
                    let r = encrypt_file(&objects, encrypt, p, progress);
                    self.accept(r, p.clone(), &mut batch, opts, progress, report)?
                }
                Found::File(p, _) => {
                    let mut run: Vec<PathBuf> = vec![p.clone()];
                    while let Some(Found::File(p, s)) = items.peek()
                        && *s < STREAM_FROM
                    {
                        run.push(p.clone());
                        items.next();
                    }
                    self.take_in_run(&objects, encrypt, &run, &mut batch, opts, progress, report)?
                }
            };
            if !go_on {
                break;
            }
        }
        self.commit_batch(batch, opts, progress, report)
    }
}
