//! Intake: taking files and folders into the vault, with hashes, encryption,
//! verify-after-copy, de-duplication and a custody event per file.

use crate::clock::format_time;
use crate::custody::{Action, NewEvent};
use crate::error::{Error, Result};
use crate::objects::{ObjectStore, Partial};
use crate::pipeline::{self, Digests};
use crate::progress::{FileOutcome, NoProgress, Progress};
use crate::vault::{Vault, file_times, validate_tag};
use rusqlite::{OptionalExtension, params};
use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Threads that encrypt small files side by side.
const WORKERS: usize = 2;
/// Small files handed to the workers at a time.
const WINDOW: usize = 64;

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
    /// Each file with what happened to it.
    pub files: Vec<(PathBuf, FileOutcome)>,
    /// Whether the intake was cancelled before the end.
    pub cancelled: bool,
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
    /// SHA-256 of the stored copy, read back (verify after copy).
    verified_sha256: Option<String>,
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
        for entry in walkdir::WalkDir::new(p).follow_links(false).sort_by_file_name() {
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
}

/// Reads, hashes and encrypts one file into a partial object, and checks the
/// source did not change meanwhile. Touches no database: runs on any thread.
fn encrypt_file(objects: &ObjectStore, recipient: &age::x25519::Recipient, path: &Path, sha1: bool, progress: &dyn Progress) -> Result<Encrypted> {
    let input = |source| Error::Input { path: path.to_path_buf(), source };
    let before = fs::symlink_metadata(path).map_err(input)?;
    if !before.is_file() {
        return Err(Error::InvalidInput(format!("{} is no longer a regular file", path.display())));
    }
    let mut file = fs::File::open(path).map_err(input)?;
    let mut head = Vec::with_capacity(8192);
    (&mut file).take(8192).read_to_end(&mut head).map_err(input)?;
    let mime = sniff_mime(&head, path);
    let mut src = std::io::Cursor::new(head).chain(file);
    let (partial, digests) = if before.len() >= pipeline::CHUNK as u64 {
        // Large: stream to a partial file; a flusher starts write-back early.
        let (partial, out): (Partial, fs::File) = objects.create_partial()?;
        let flush_handle = match out.try_clone() {
            Ok(f) => f,
            Err(e) => {
                let path = partial.path.clone();
                partial.discard();
                return Err(Error::Io { path, source: e });
            }
        };
        let res = pipeline::encrypt_stream(
            &mut src,
            path,
            std::io::BufWriter::with_capacity(1 << 20, out),
            &partial.path,
            recipient,
            sha1,
            before.len(),
            Some(&flush_handle),
            progress,
        );
        match res {
            Ok((d, w)) => {
                drop(w);
                (partial, d)
            }
            Err(e) => {
                partial.discard();
                return Err(e);
            }
        }
    } else {
        // Small: encrypt in memory, then write it beside its final name, which
        // spreads file creation over the object folders.
        let (d, bytes) = pipeline::encrypt_stream(
            &mut src,
            path,
            Vec::with_capacity(before.len() as usize + 512),
            Path::new("(memory)"),
            recipient,
            sha1,
            before.len(),
            None,
            progress,
        )?;
        (objects.write_partial_beside(&hex::encode(d.object_sha256), &bytes)?, d)
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
    Ok(Encrypted { path: path.to_path_buf(), partial, digests, mime, meta: before })
}

/// Encrypts `paths` on two threads; results come back in input order.
fn encrypt_window(objects: &ObjectStore, recipient: &age::x25519::Recipient, paths: &[PathBuf], sha1: bool, progress: &dyn Progress) -> Vec<Result<Encrypted>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut slots: Vec<Option<Result<Encrypted>>> = (0..paths.len()).map(|_| None).collect();
    let results = Mutex::new(&mut slots);
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(path) = paths.get(i) else { break };
                let r = if progress.is_cancelled() {
                    Err(Error::Cancelled)
                } else {
                    progress.file_started(path, 0);
                    encrypt_file(objects, recipient, path, sha1, progress)
                };
                results.lock().expect("results lock")[i] = Some(r);
            });
        }
    });
    slots.into_iter().map(|r| r.expect("every slot filled")).collect()
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
    pub fn add(&mut self, inputs: &[PathBuf], opts: &IntakeOptions, progress: &dyn Progress) -> Result<IntakeReport> {
        for t in &opts.tags {
            validate_tag(t)?;
        }
        let found = walk(inputs)?;
        let (files, bytes) = found.iter().fold((0u64, 0u64), |(f, b), x| match x {
            Found::File(_, s) => (f + 1, b + s),
            Found::Problem(..) => (f + 1, b),
        });
        progress.begin(files, bytes);
        let mut report = IntakeReport::default();
        let mut batch: Vec<Pending> = Vec::new();
        let mut batch_bytes = 0u64;
        let mut batch_start = Instant::now();
        let recipient = self.secrets.age_recipient();
        let mut items = found.into_iter().peekable();
        'outer: while let Some(item) = items.next() {
            if progress.is_cancelled() {
                report.cancelled = true;
                break;
            }
            // Small files are encrypted two at a time; a large file uses its own threads.
            let window: Vec<PathBuf> = match item {
                Found::Problem(path, reason) => {
                    let outcome = FileOutcome::Failed { reason };
                    progress.file_done(&path, &outcome);
                    report.files.push((path, outcome));
                    continue;
                }
                Found::File(p, s) if s >= pipeline::CHUNK as u64 => vec![p],
                Found::File(p, _) => {
                    let mut w = vec![p];
                    while w.len() < WINDOW {
                        match items.peek() {
                            Some(Found::File(_, s)) if *s < pipeline::CHUNK as u64 => {
                                let Some(Found::File(p, _)) = items.next() else { unreachable!() };
                                w.push(p);
                            }
                            _ => break,
                        }
                    }
                    w
                }
            };
            let results = if window.len() == 1 {
                progress.file_started(&window[0], 0);
                vec![encrypt_file(&self.objects, &recipient, &window[0], opts.sha1, progress)]
            } else {
                encrypt_window(&self.objects, &recipient, &window, opts.sha1, progress)
            };
            let mut results = results.into_iter().zip(window);
            while let Some((r, path)) = results.next() {
                match r.and_then(|enc| self.place(enc, &batch)) {
                    Ok(p) => {
                        batch_bytes += p.digests.size;
                        batch.push(p);
                    }
                    Err(Error::Cancelled) => {
                        report.cancelled = true;
                        // Later files of the window are not acknowledged: drop their partial objects.
                        for (r, _) in results {
                            if let Ok(enc) = r {
                                enc.partial.discard();
                            }
                        }
                        break 'outer;
                    }
                    Err(e) => {
                        let outcome = FileOutcome::Failed { reason: e.to_string() };
                        progress.file_done(&path, &outcome);
                        report.files.push((path, outcome));
                    }
                }
                if batch.len() >= BATCH_FILES || batch_bytes >= BATCH_BYTES || batch_start.elapsed() >= BATCH_TIME {
                    self.commit_batch(std::mem::take(&mut batch), opts, progress, &mut report)?;
                    batch_bytes = 0;
                    batch_start = Instant::now();
                }
            }
        }
        self.commit_batch(batch, opts, progress, &mut report)?;
        Ok(report)
    }

    /// Places an encrypted file: a duplicate of content already in the vault
    /// (or in this batch) drops its partial object; new content is renamed into place.
    fn place(&self, enc: Encrypted, batch: &[Pending]) -> Result<Pending> {
        let Encrypted { path, partial, digests, mime, meta } = enc;
        let sha = hex::encode(digests.sha256);
        let content = match batch.iter().find(|p| p.digests.sha256 == digests.sha256) {
            Some(p) => match &p.content {
                Content::Existing(id) => Content::Existing(id.clone()),
                _ => Content::EarlierInBatch,
            },
            None => match self.conn.query_row("SELECT id FROM exhibits WHERE sha256 = ?1", [&sha], |r| r.get::<_, String>(0)).optional() {
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
            Some(self.objects.install(partial, &hex::encode(digests.object_sha256))?)
        };
        Ok(Pending { path, digests, mime, meta, object, content, verified_sha256: None })
    }

    /// Makes a batch durable, verifies it, commits it in one transaction, and
    /// only then acknowledges each file.
    fn commit_batch(&mut self, mut batch: Vec<Pending>, opts: &IntakeOptions, progress: &dyn Progress, report: &mut IntakeReport) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let installed: Vec<PathBuf> = batch.iter().filter_map(|p| p.object.clone()).collect();
        self.objects.make_durable(&installed)?;

        let mut failed: Vec<(PathBuf, String)> = Vec::new();
        if opts.verify_after_copy {
            // Decrypt each stored copy (two at a time) and compare with the source's hash.
            let identity = self.secrets.age_identity();
            let next = std::sync::atomic::AtomicUsize::new(0);
            let checks: Mutex<Vec<(usize, Result<pipeline::Decrypted>)>> = Mutex::new(Vec::new());
            let pending: &[Pending] = &batch;
            std::thread::scope(|s| {
                for _ in 0..WORKERS {
                    s.spawn(|| loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(p) = pending.get(i) else { break };
                        let Some(obj) = &p.object else { continue };
                        let name = hex::encode(p.digests.object_sha256);
                        // The AEAD authenticates every stored byte; the plaintext hash proves the content.
                        let got = fs::File::open(obj).map_err(|e| Error::Io { path: obj.clone(), source: e }).and_then(|f| {
                            pipeline::decrypt_stream(f, &name, identity, false, false, p.digests.size, &NoProgress, &mut |_| Ok(()))
                        });
                        checks.lock().expect("checks lock").push((i, got));
                    });
                }
            });
            for (i, got) in checks.into_inner().expect("checks lock") {
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
        // Objects that failed verification are never referenced: quarantine them.
        let mut events = Vec::new();
        let quarantine = self.root.join("quarantine");
        batch.retain(|p| {
            if failed.iter().any(|(f, _)| f == &p.path) {
                if let Some(obj) = &p.object && let Ok(dest) = self.objects.quarantine(obj, &quarantine) {
                    events.push(NewEvent::new(Action::StrayObjectQuarantined).details(serde_json::json!({
                        "object": hex::encode(p.digests.object_sha256),
                        "moved_to": dest.strip_prefix(&self.root).unwrap_or(&dest).to_string_lossy(),
                        "disposition": "quarantined: verify after copy failed"
                    })));
                }
                false
            } else {
                true
            }
        });

        let now = format_time(self.clock.now());
        let tx = self.conn.transaction()?;
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut new_ids: HashMap<[u8; 32], String> = HashMap::new();
        {
            let mut next: i64 = tx.query_row("SELECT coalesce(max(number), 0) + 1 FROM exhibits", [], |r| r.get(0))?;
            let mut ins_exhibit = tx.prepare_cached(
                "INSERT INTO exhibits (id, number, object, size, sha256, md5, sha1, mime, original_name, original_path, description, collected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            let mut ins_source = tx.prepare_cached(
                "INSERT INTO exhibit_sources (exhibit_id, path, name, size, modified, created, accessed, custodian, source, method, purpose, collected_by, collected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?;
            let mut ins_tag = tx.prepare_cached("INSERT OR IGNORE INTO tags (exhibit_id, tag) VALUES (?1, ?2)")?;
            for p in &batch {
                let sha = hex::encode(p.digests.sha256);
                let md5 = hex::encode(p.digests.md5);
                let name = p.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let full = std::path::absolute(&p.path).unwrap_or_else(|_| p.path.clone()).to_string_lossy().into_owned();
                let (modified, created, accessed) = file_times(&p.meta);
                let (id, action) = match &p.content {
                    Content::EarlierInBatch => (new_ids[&p.digests.sha256].clone(), Action::DuplicateSourceRecorded),
                    Content::Existing(e) => (e.clone(), Action::DuplicateSourceRecorded),
                    Content::New => {
                        let id = format!("{}{:04}", self.matter.exhibit_prefix, next);
                        ins_exhibit.execute(params![
                            id,
                            next,
                            hex::encode(p.digests.object_sha256),
                            p.digests.size as i64,
                            sha,
                            md5,
                            p.digests.sha1.map(hex::encode),
                            p.mime,
                            name,
                            full,
                            opts.description.clone().unwrap_or_default(),
                            now,
                        ])?;
                        for t in &opts.tags {
                            ins_tag.execute(params![id, t.trim()])?;
                        }
                        next += 1;
                        new_ids.insert(p.digests.sha256, id.clone());
                        (id, Action::Collected)
                    }
                };
                ins_source.execute(params![
                    id,
                    full,
                    name,
                    p.digests.size as i64,
                    modified,
                    created,
                    accessed,
                    opts.custodian,
                    opts.source,
                    opts.method,
                    opts.purpose,
                    self.session.actor,
                    now,
                ])?;
                let mut ev = NewEvent::new(action).exhibit(id.clone()).method(opts.method.clone()).purpose(opts.purpose.clone());
                ev.hash_algorithm = Some("SHA-256".into());
                ev.hash_before = Some(sha.clone());
                ev.hash_after = if action == Action::Collected { p.verified_sha256.clone() } else { Some(sha.clone()) };
                ev.details = Some(serde_json::json!({
                    "name": name,
                    "path": full,
                    "size": p.digests.size,
                    "md5": md5,
                    "sha1": p.digests.sha1.map(hex::encode),
                    "mime": p.mime,
                    "custodian": opts.custodian,
                    "source": opts.source,
                    "modified": modified,
                    "created": created,
                    "accessed": accessed,
                    "object": p.object.as_ref().map(|_| hex::encode(p.digests.object_sha256)),
                    "verify_after_copy": opts.verify_after_copy && action == Action::Collected,
                }));
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
        }
        self.session.commit(tx, self.secrets.signing_key(), &self.config.vault_id, &now, events)?;
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
