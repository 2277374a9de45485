//! Intake: taking files and folders into the vault, with hashes, encryption,
//! verify-after-copy, de-duplication and a custody event per file.

use crate::format::custody::{Action, NewEvent};
use crate::error::{Error, Result};
use crate::store::objects::{Journal, ObjectStore, Partial};
use crate::format::pipeline::{self, Digests};
use crate::progress::{FileOutcome, NoProgress, Progress};
use crate::store::exhibits::{NewExhibit, NewSource};
use crate::format::config::validate_tag;
use crate::store::{Vault, file_times};
use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Threads that encrypt small files side by side.
const WORKERS: usize = 2;
/// How many small files the workers may run ahead of placing and committing.
const WINDOW: usize = 256;

/// A batch is committed when it reaches any of these.
const BATCH_FILES: usize = 256;
const BATCH_BYTES: u64 = 256 << 20;
const BATCH_TIME: Duration = Duration::from_secs(1);

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

/// A file read and encrypted, waiting for its batch to commit.
struct Pending {
    path: PathBuf,
    digests: Digests,
    mime: String,
    meta: fs::Metadata,
    /// Installed object (new content) or `None` (a duplicate).
    object: Option<PathBuf>,
    content: Content,
    /// The stored copy as read back while it was written, if it was.
    check: Option<Result<pipeline::Decrypted>>,
    /// SHA-256 of the stored copy, read back (verify after copy).
    verified_sha256: Option<String>,
}

/// The files placed but not yet committed.
struct Batch {
    files: Vec<Pending>,
    bytes: u64,
    started: Instant,
    /// Names the objects put in place for this batch (started with the first).
    journal: Option<Journal>,
}

impl Batch {
    fn new() -> Self {
        Self { files: Vec::new(), bytes: 0, started: Instant::now(), journal: None }
    }
}

/// Whether a file's content is new to the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Content {
    /// Not yet in the vault or the batch.
    New,
    /// Already the exhibit with this id.
    Existing(String),
    /// New, but an earlier file of the same batch has it.
    EarlierInBatch,
}

/// One entry found while walking the inputs.
enum Found {
    File(PathBuf, u64),
    Problem(PathBuf, String),
}

fn walk(inputs: &[PathBuf]) -> Result<Vec<Found>> {
    for p in inputs {
        if fs::symlink_metadata(p).is_err() {
            return Err(Error::InvalidInput(format!("{} does not exist or cannot be read; nothing was taken in", p.display())));
        }
    }
    let mut out = Vec::new();
    for p in inputs {
        // A symbolic link is reported and not followed, the one given here included.
        for entry in walkdir::WalkDir::new(p).follow_links(false).follow_root_links(false).sort_by_file_name() {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                    out.push(Found::File(e.into_path(), size));
                }
                Ok(e) if e.file_type().is_symlink() => {
                    out.push(Found::Problem(e.into_path(), "is a symbolic link; links are not followed, take in its target".into()))
                }
                Ok(e) if e.file_type().is_dir() => {}
                Ok(e) => out.push(Found::Problem(e.into_path(), "is not a regular file (device, socket or pipe)".into())),
                Err(err) => {
                    let path = err.path().map(Path::to_path_buf).unwrap_or_else(|| p.clone());
                    out.push(Found::Problem(path, format!("cannot be read: {}", err.io_error().map(|e| e.to_string()).unwrap_or_else(|| err.to_string()))));
                }
            }
        }
    }
    Ok(out)
}

/// Opens a source for reading without changing its access time where the
/// OS allows it (`O_NOATIME`: the file's owner or root), since reading
/// evidence must not alter the original's metadata; otherwise as usual.
pub(crate) fn open_source(path: &Path) -> std::io::Result<fs::File> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // EPERM (not the owner) falls back; anything else is reported by the plain open below.
        if let Ok(f) = fs::OpenOptions::new().read(true).custom_flags(rustix::fs::OFlags::NOATIME.bits() as i32).open(path) {
            return Ok(f);
        }
    }
    fs::File::open(path)
}

/// The MIME type from the first bytes of the content; the extension only
/// decides between text types.
pub(crate) fn sniff_mime(head: &[u8], path: &Path) -> String {
    if head.is_empty() {
        return "application/x-empty".into();
    }
    if let Some(t) = infer::get(head) {
        return t.mime_type().to_string();
    }
    let looks_text = !head.contains(&0)
        && match std::str::from_utf8(head) {
            Ok(_) => true,
            // A multi-byte character cut at the end of the sniffed window.
            Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > head.len(),
        };
    if looks_text {
        let guess = mime_guess::from_path(path).first_raw().unwrap_or("");
        if guess.starts_with("text/") || guess == "message/rfc822" || guess == "application/json" || guess == "application/xml" {
            return guess.to_string();
        }
        if head.starts_with(b"<?xml") {
            return "application/xml".into();
        }
        return "text/plain".into();
    }
    "application/octet-stream".into()
}

/// A file read, hashed and encrypted into a partial object.
struct Encrypted {
    path: PathBuf,
    partial: Partial,
    digests: Digests,
    mime: String,
    meta: fs::Metadata,
    /// The stored copy as read back right after it was written (verify after copy).
    check: Option<Result<pipeline::Decrypted>>,
}

/// A large input streamed into a new partial object.
pub(crate) struct Streamed {
    pub partial: Partial,
    pub digests: Digests,
    /// With verify after copy: the object as read back from the disk and
    /// decrypted, block by block as it was written.
    pub check: Option<Result<pipeline::Decrypted>>,
}

/// Streams `src` into a new partial object, past the page cache where the
/// file system allows it. With `check`, a second thread reads each block back
/// once it is written and decrypts it with that identity (verify after copy),
/// so the read-back costs no extra pass over the disk.
#[allow(clippy::too_many_arguments)]
pub(crate) fn stream_object(
    objects: &ObjectStore,
    src: &mut (impl Read + Send),
    src_path: &Path,
    recipient: &age::x25519::Recipient,
    check: Option<&age::x25519::Identity>,
    sha1: bool,
    size_hint: u64,
    progress: &dyn Progress,
) -> Result<Streamed> {
    let (partial, mut out) = objects.create_partial()?;
    let written = check.map(|_| out.watch());
    let path = &partial.path;
    let (res, checked) = std::thread::scope(|s| {
        let checker = check.zip(written.as_deref()).map(|(identity, written)| {
            s.spawn(move || {
                crate::format::direct::read_following(path, written, |r| read_back(r, path, identity, size_hint))
                    .map_err(|e| Error::Io { path: path.clone(), source: e })?
            })
        });
        let res = pipeline::encrypt_stream(src, src_path, out, path, recipient, sha1, size_hint, progress)
            .and_then(|(d, out)| out.finish().map(|_| d).map_err(|e| Error::Io { path: path.clone(), source: e }));
        (res, checker.map(|h| h.join().expect("verify-after-copy thread panicked")))
    });
    match res {
        Ok(digests) => Ok(Streamed { partial, digests, check: checked }),
        Err(e) => {
            partial.discard();
            Err(e)
        }
    }
}

/// Reads, hashes and encrypts one file into a partial object, and checks the
/// source did not change meanwhile. Touches no database: runs on any thread.
fn encrypt_file(
    objects: &ObjectStore,
    recipient: &age::x25519::Recipient,
    check: Option<&age::x25519::Identity>,
    path: &Path,
    sha1: bool,
    progress: &dyn Progress,
) -> Result<Encrypted> {
    let input = |source| Error::Input { path: path.to_path_buf(), source };
    let before = fs::symlink_metadata(path).map_err(input)?;
    if !before.is_file() {
        return Err(Error::InvalidInput(format!("{} is no longer a regular file", path.display())));
    }
    let mut file = open_source(path).map_err(input)?;
    let mut head = Vec::with_capacity(8192);
    (&mut file).take(8192).read_to_end(&mut head).map_err(input)?;
    let mime = sniff_mime(&head, path);
    let mut src = std::io::Cursor::new(head).chain(file);
    let (partial, digests, check) = if before.len() >= pipeline::CHUNK as u64 {
        let s = stream_object(objects, &mut src, path, recipient, check, sha1, before.len(), progress)?;
        (s.partial, s.digests, s.check)
    } else {
        // Small: encrypt in memory, then write it beside its final name, which
        // spreads file creation over the object folders, and read it back.
        let (d, bytes) = pipeline::encrypt_stream(
            &mut src,
            path,
            Vec::with_capacity(before.len() as usize + 512),
            Path::new("(memory)"),
            recipient,
            sha1,
            before.len(),
            progress,
        )?;
        let partial = objects.write_partial_beside(&hex::encode(d.object_sha256), &bytes)?;
        let check = check.map(|identity| {
            let f = fs::File::open(&partial.path).map_err(|e| Error::Io { path: partial.path.clone(), source: e })?;
            read_back(f, &partial.path, identity, d.size)
        });
        (partial, d, check)
    };
    let after = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) => {
            partial.discard();
            return Err(Error::SourceChanged { path: path.to_path_buf(), what: format!("it vanished ({e})") });
        }
    };
    let changed = same_file_state(&before, &after).or_else(|| {
        (digests.size != before.len()).then(|| format!("{} bytes were read but it is {} bytes long", digests.size, before.len()))
    });
    if let Some(what) = changed {
        partial.discard();
        return Err(Error::SourceChanged { path: path.to_path_buf(), what });
    }
    Ok(Encrypted { path: path.to_path_buf(), partial, digests, mime, meta: before, check })
}

/// Files encrypted by worker threads ahead of the thread that places and
/// commits them, at most [`WINDOW`] files ahead, handed over in input order.
struct Ahead {
    state: Mutex<AheadState>,
    changed: std::sync::Condvar,
}

struct AheadState {
    slots: Vec<Option<Result<Encrypted>>>,
    /// The next file a worker may claim.
    next: usize,
    /// Files handed over so far.
    taken: usize,
    /// No more claims: the run ended early, or a worker panicked.
    stop: bool,
}

impl Ahead {
    fn new(files: usize) -> Self {
        let slots = (0..files).map(|_| None).collect();
        Self { state: Mutex::new(AheadState { slots, next: 0, taken: 0, stop: false }), changed: Default::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, AheadState> {
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

    /// Removes the partial objects of files encrypted but never handed over.
    fn discard_rest(self) {
        let s = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        for enc in s.slots.into_iter().flatten().flatten() {
            enc.partial.discard();
        }
    }
}

/// Stops the run when dropped; with `true`, only when the thread unwinds.
struct StopOnDrop<'a>(&'a Ahead, bool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        if !self.1 || std::thread::panicking() {
            self.0.stop();
        }
    }
}

/// Verify after copy: decrypts the stored copy of an object as `src` reads it
/// back (a small one from the page cache, where it was just written; a large
/// one from the disk as it is written).
fn read_back(src: impl Read, object: &Path, identity: &age::x25519::Identity, size: u64) -> Result<pipeline::Decrypted> {
    pipeline::decrypt_stream(src, &object.display().to_string(), identity, false, false, size, &NoProgress, &mut |_| Ok(()))
}

fn same_file_state(a: &fs::Metadata, b: &fs::Metadata) -> Option<String> {
    if a.len() != b.len() {
        return Some(format!("size went from {} to {} bytes", a.len(), b.len()));
    }
    if a.modified().ok() != b.modified().ok() {
        return Some("its modification time changed".into());
    }
    None
}

impl Vault {
    /// Takes files and folders (recursively) into the vault.
    ///
    /// A path given here that does not exist is an error and nothing is taken
    /// in. Inside folders, an unreadable or vanished file is reported in the
    /// result and the rest proceed. Each new exhibit is reported through
    /// `progress` only once it is durable and committed.
    ///
    /// An error after some files were acknowledged does not hide them: the
    /// report lists them and says in `stopped` what stopped the rest. An
    /// error before any was acknowledged is returned as such.
    pub fn add(&mut self, inputs: &[PathBuf], opts: &IntakeOptions, progress: &dyn Progress) -> Result<IntakeReport> {
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

    fn take_in(&mut self, inputs: &[PathBuf], opts: &IntakeOptions, progress: &dyn Progress, report: &mut IntakeReport) -> Result<()> {
        for t in &opts.tags {
            validate_tag(t)?;
        }
        let found = walk(inputs)?;
        let (files, bytes) = found.iter().fold((0u64, 0u64), |(f, b), x| match x {
            Found::File(_, s) => (f + 1, b + s),
            Found::Problem(..) => (f + 1, b),
        });
        progress.begin(files, bytes);
        let mut batch = Batch::new();
        let recipient = self.secrets.age_recipient();
        let check = opts.verify_after_copy.then(|| self.secrets.age_identity().clone());
        let objects = self.objects.clone();
        let mut items = found.into_iter().peekable();
        while let Some(item) = items.next() {
            if progress.is_cancelled() {
                report.cancelled = true;
                break;
            }
            // A large file uses threads of its own; runs of small files are
            // encrypted two at a time, ahead of their placing and committing.
            let go_on = match item {
                Found::Problem(path, reason) => {
                    let outcome = FileOutcome::Failed { reason };
                    progress.file_done(&path, &outcome);
                    report.files.push((path, outcome));
                    true
                }
                Found::File(p, s) if s >= pipeline::CHUNK as u64 => {
                    progress.file_started(&p, 0);
                    let r = encrypt_file(&objects, &recipient, check.as_ref(), &p, opts.sha1, progress);
                    self.accept(r, p, &mut batch, opts, progress, report)?
                }
                Found::File(p, _) => {
                    let mut run = vec![p];
                    while let Some(Found::File(_, s)) = items.peek()
                        && *s < pipeline::CHUNK as u64
                    {
                        let Some(Found::File(p, _)) = items.next() else { unreachable!() };
                        run.push(p);
                    }
                    self.take_in_run(&objects, &recipient, check.as_ref(), &run, &mut batch, opts, progress, report)?
                }
            };
            if !go_on {
                break;
            }
        }
        self.commit_batch(batch, opts, progress, report)?;
        Ok(())
    }

    /// Encrypts a run of small files on [`WORKERS`] threads while this
    /// thread places them in input order and commits the batches. Returns
    /// `false` if intake was cancelled.
    #[allow(clippy::too_many_arguments)]
    fn take_in_run(
        &mut self,
        objects: &ObjectStore,
        recipient: &age::x25519::Recipient,
        check: Option<&age::x25519::Identity>,
        paths: &[PathBuf],
        batch: &mut Batch,
        opts: &IntakeOptions,
        progress: &dyn Progress,
        report: &mut IntakeReport,
    ) -> Result<bool> {
        let ahead = Ahead::new(paths.len());
        let res = std::thread::scope(|s| {
            for _ in 0..WORKERS {
                s.spawn(|| {
                    // A worker that unwinds stops the run, so the thread waiting for its file does not wait forever.
                    let _stop = StopOnDrop(&ahead, true);
                    while let Some(i) = ahead.claim() {
                        let path = &paths[i];
                        let r = if progress.is_cancelled() {
                            Err(Error::Cancelled)
                        } else {
                            progress.file_started(path, 0);
                            encrypt_file(objects, recipient, check, path, opts.sha1, progress)
                        };
                        ahead.put(i, r);
                    }
                });
            }
            // However this thread leaves (a panic included), the workers stop.
            let _stop = StopOnDrop(&ahead, false);
            let mut res = Ok(true);
            for (i, path) in paths.iter().enumerate() {
                // `None`: a worker panicked; the scope passes the panic on.
                let Some(r) = ahead.take(i) else { break };
                res = self.accept(r, path.clone(), batch, opts, progress, report);
                if !matches!(res, Ok(true)) {
                    break;
                }
            }
            res
        });
        // Files encrypted after the run stopped are not acknowledged.
        ahead.discard_rest();
        res
    }

    /// Places one encrypted file, or records why it failed, and commits the
    /// batch once it is full. Returns `false` if intake was cancelled.
    fn accept(&mut self, r: Result<Encrypted>, path: PathBuf, batch: &mut Batch, opts: &IntakeOptions, progress: &dyn Progress, report: &mut IntakeReport) -> Result<bool> {
        match r.and_then(|enc| self.place(enc, &batch.files, &mut batch.journal)) {
            Ok(p) => {
                batch.bytes += p.digests.size;
                batch.files.push(p);
            }
            Err(Error::Cancelled) => {
                report.cancelled = true;
                return Ok(false);
            }
            Err(e) => {
                let outcome = FileOutcome::Failed { reason: e.to_string() };
                progress.file_done(&path, &outcome);
                report.files.push((path, outcome));
            }
        }
        if batch.files.len() >= BATCH_FILES || batch.bytes >= BATCH_BYTES || batch.started.elapsed() >= BATCH_TIME {
            self.commit_batch(std::mem::replace(batch, Batch::new()), opts, progress, report)?;
        }
        Ok(true)
    }

    /// Places an encrypted file: a duplicate of content already in the vault
    /// (or in this batch) drops its partial object; new content is renamed into place.
    fn place(&self, enc: Encrypted, batch: &[Pending], journal: &mut Option<Journal>) -> Result<Pending> {
        let Encrypted { path, partial, digests, mime, meta, check } = enc;
        let sha = hex::encode(digests.sha256);
        let content = match batch.iter().find(|p| p.digests.sha256 == digests.sha256) {
            Some(p) => match &p.content {
                Content::Existing(id) => Content::Existing(id.clone()),
                _ => Content::EarlierInBatch,
            },
            None => match self.exhibit_with_sha256(&sha) {
                Ok(Some(id)) => Content::Existing(id),
                Ok(None) => Content::New,
                Err(e) => {
                    partial.discard();
                    return Err(e.into());
                }
            },
        };
        let object = if content != Content::New {
            partial.discard();
            None
        } else {
            Some(self.objects.install_journaled(partial, &hex::encode(digests.object_sha256), journal)?)
        };
        // A failed read-back names the object by its final name.
        let check = check.map(|r| {
            r.map_err(|e| match e {
                Error::ObjectAuthentication { .. } => Error::ObjectAuthentication { object: hex::encode(digests.object_sha256) },
                e => e,
            })
        });
        Ok(Pending { path, digests, mime, meta, object, content, check, verified_sha256: None })
    }

    /// Makes a batch durable, verifies it, commits it in one transaction, and
    /// only then acknowledges each file.
    fn commit_batch(&mut self, batch: Batch, opts: &IntakeOptions, progress: &dyn Progress, report: &mut IntakeReport) -> Result<()> {
        let Batch { files: mut batch, journal, .. } = batch;
        if batch.is_empty() {
            if let Some(j) = journal {
                j.finish();
            }
            return Ok(());
        }
        let installed: Vec<PathBuf> = batch.iter().filter_map(|p| p.object.clone()).collect();
        crate::failpoint::hit("intake.installed")?;
        if let Some(j) = &journal {
            j.sync()?;
        }
        self.objects.make_durable(&installed)?;
        crate::failpoint::hit("intake.durable")?;

        let mut failed: Vec<(PathBuf, String)> = Vec::new();
        if opts.verify_after_copy {
            // Every stored copy was read back as it was written; compare each
            // with the source's hash.
            let checks: Vec<(usize, Result<pipeline::Decrypted>)> = batch
                .iter_mut()
                .enumerate()
                .filter(|(_, p)| p.object.is_some())
                .map(|(i, p)| (i, p.check.take().unwrap_or_else(|| Err(Error::InvalidInput("it was not read back".into())))))
                .collect();
            for (i, got) in checks {
                let p = &mut batch[i];
                match got {
                    Ok(d) if d.sha256 == p.digests.sha256 && d.size == p.digests.size => {
                        p.verified_sha256 = Some(hex::encode(d.sha256));
                    }
                    other => {
                        let why = match other {
                            Ok(_) => "the stored copy does not match the source".to_string(),
                            Err(e) => e.to_string(),
                        };
                        failed.push((p.path.clone(), format!("verify after copy failed: {why}; the file was not taken in")));
                    }
                }
            }
        }
        // A later file of the batch with the same content would have referred
        // to a copy that failed: it is not taken in either.
        let lost: Vec<[u8; 32]> =
            batch.iter().filter(|p| p.content == Content::New && failed.iter().any(|(f, _)| f == &p.path)).map(|p| p.digests.sha256).collect();
        for p in batch.iter().filter(|p| p.content == Content::EarlierInBatch && lost.contains(&p.digests.sha256)) {
            failed.push((
                p.path.clone(),
                "verify after copy failed for the stored copy of the same content (an earlier file of this batch); the file was not taken in".into(),
            ));
        }
        // Objects that failed verification are never referenced: quarantine them.
        let mut events = Vec::new();
        let quarantine = self.root.join("quarantine");
        batch.retain(|p| {
            if failed.iter().any(|(f, _)| f == &p.path) {
                if let Some(obj) = &p.object && let Ok(dest) = self.objects.quarantine(obj, &quarantine) {
                    events.push(NewEvent::new(Action::StrayObjectQuarantined).details(crate::format::details::StrayObject {
                        object: Some(hex::encode(p.digests.object_sha256)),
                        file: None,
                        moved_to: Some(dest.strip_prefix(&self.root).unwrap_or(&dest).to_string_lossy().into_owned()),
                        disposition: "quarantined: verify after copy failed".into(),
                    }));
                }
                false
            } else {
                true
            }
        });

        let mut change = self.change()?;
        let now = change.now().to_string();
        let actor = change.actor().to_string();
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut new_ids: HashMap<[u8; 32], String> = HashMap::new();
        for p in &batch {
            let sha = hex::encode(p.digests.sha256);
            let md5 = hex::encode(p.digests.md5);
            let sha1 = p.digests.sha1.map(hex::encode);
            let object = hex::encode(p.digests.object_sha256);
            let name = p.path.file_name().map(|n| crate::format::names::readable(Path::new(n))).unwrap_or_default();
            let absolute = std::path::absolute(&p.path).unwrap_or_else(|_| p.path.clone());
            let full = crate::format::names::readable(&absolute);
            // The exact bytes of a path that is not UTF-8 (its readable form escapes them).
            let exact = crate::format::names::exact_bytes(&absolute);
            let (modified, created, accessed) = file_times(&p.meta);
            let (id, action) = match &p.content {
                Content::EarlierInBatch => (new_ids[&p.digests.sha256].clone(), Action::DuplicateSourceRecorded),
                Content::Existing(e) => (e.clone(), Action::DuplicateSourceRecorded),
                Content::New => {
                    let id = change.add_exhibit(&NewExhibit {
                        object: &object,
                        size: p.digests.size,
                        sha256: &sha,
                        md5: &md5,
                        sha1: sha1.as_deref(),
                        mime: &p.mime,
                        original_name: &name,
                        original_path: &full,
                        description: opts.description.as_deref().unwrap_or_default(),
                        collected_at: &now,
                        tags: &opts.tags,
                    })?;
                    new_ids.insert(p.digests.sha256, id.clone());
                    (id, Action::Collected)
                }
            };
            change.add_source(
                &id,
                &NewSource {
                    path: &full,
                    path_bytes: exact.as_deref(),
                    name: &name,
                    size: p.digests.size,
                    modified: modified.as_deref(),
                    created: created.as_deref(),
                    accessed: accessed.as_deref(),
                    custodian: opts.custodian.as_deref(),
                    source: opts.source.as_deref(),
                    method: opts.method.as_deref(),
                    purpose: opts.purpose.as_deref(),
                    collected_by: &actor,
                    collected_at: &now,
                },
            )?;
            let mut ev = NewEvent::new(action).exhibit(id.clone()).method(opts.method.clone()).purpose(opts.purpose.clone());
            ev.hash_algorithm = Some("SHA-256".into());
            ev.hash_before = Some(sha.clone());
            ev.hash_after = if action == Action::Collected { p.verified_sha256.clone() } else { Some(sha.clone()) };
            let ev = ev.details(crate::format::details::Collected {
                name: name.clone(),
                path: full.clone(),
                path_bytes_hex: exact.as_ref().map(hex::encode),
                size: p.digests.size,
                md5: md5.clone(),
                sha1: sha1.clone(),
                mime: p.mime.clone(),
                custodian: opts.custodian.clone(),
                source: opts.source.clone(),
                modified: modified.clone(),
                created: created.clone(),
                accessed: accessed.clone(),
                object: p.object.as_ref().map(|_| object.clone()),
                verify_after_copy: opts.verify_after_copy && action == Action::Collected,
            });
            events.push(ev);
            outcomes.push((
                p.path.clone(),
                if action == Action::Collected {
                    FileOutcome::Stored { exhibit: id, sha256: sha }
                } else {
                    FileOutcome::Duplicate { exhibit: id, sha256: sha }
                },
            ));
        }
        crate::failpoint::hit("intake.before_commit")?;
        change.commit(events)?;
        crate::failpoint::hit("intake.committed")?;
        // Committed: every object the journal names is referenced now (or quarantined and logged).
        if let Some(j) = journal {
            j.finish();
        }
        // Acknowledge only now: objects durable, rows and events committed.
        for (path, reason) in failed {
            let outcome = FileOutcome::Failed { reason };
            progress.file_done(&path, &outcome);
            report.files.push((path, outcome));
        }
        for (path, outcome) in outcomes {
            progress.file_done(&path, &outcome);
            report.files.push((path, outcome));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{new_vault, sources};

    /// A stored copy that reads back as something else, or not at all, is
    /// quarantined and its file reported as failed, and so is a later file of
    /// the batch with the same content; the rest of the batch is taken in.
    #[test]
    fn a_stored_copy_that_reads_back_wrong_is_not_taken_in() {
        let (dir, mut v) = new_vault();
        let src = sources(dir.path(), &[("a.txt", b"alpha"), ("b.txt", b"bravo"), ("c.txt", b"charlie"), ("d.txt", b"alpha")]);
        let identity = v.secrets.age_identity().clone();
        let recipient = v.secrets.age_recipient();
        let mut enc: Vec<Encrypted> = ["a.txt", "b.txt", "c.txt", "d.txt"]
            .iter()
            .map(|n| encrypt_file(&v.objects, &recipient, Some(&identity), &src.join(n), false, &NoProgress).unwrap())
            .collect();
        assert!(enc.iter().all(|e| matches!(&e.check, Some(Ok(d)) if d.sha256 == e.digests.sha256)), "each copy was read back intact");
        if let Some(Ok(d)) = &mut enc[0].check {
            d.sha256[0] ^= 1;
        }
        enc[1].check = Some(Err(Error::ObjectAuthentication { object: "x".into() }));
        let mut batch = Batch::new();
        for e in enc {
            let p = v.place(e, &batch.files, &mut batch.journal).unwrap();
            batch.files.push(p);
        }
        let mut report = IntakeReport::default();
        v.commit_batch(batch, &IntakeOptions::default(), &NoProgress, &mut report).unwrap();
        // d.txt has a.txt's content: within the batch it would refer to a.txt's copy.
        let reasons = [("a.txt", "does not match the source"), ("b.txt", "failed authentication"), ("d.txt", "the same content")];
        for (name, why) in reasons {
            match report.files.iter().find(|(p, _)| p.ends_with(name)).map(|(_, o)| o) {
                Some(FileOutcome::Failed { reason }) => {
                    assert!(reason.contains("verify after copy failed") && reason.contains(why), "{name}: {reason}")
                }
                o => panic!("{name} must fail verify after copy, got {o:?}"),
            }
        }
        assert_eq!(report.stored(), 1, "the intact file is taken in");
        assert_eq!(v.list().unwrap().iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["c.txt"]);
        assert_eq!(std::fs::read_dir(v.root().join("quarantine")).unwrap().count(), 2, "both bad copies are kept aside");
        assert_eq!(v.objects.scan().unwrap().0.len(), 1, "only the good copy is among the objects");
        let quarantined = v.custody_log(None).unwrap().iter().filter(|e| e.action == Action::StrayObjectQuarantined).count();
        assert_eq!(quarantined, 2, "each is logged");
        assert!(v.verify(crate::VerifyMode::Full, &NoProgress).unwrap().ok);
    }
}
