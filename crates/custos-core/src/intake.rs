//! Intake: taking files and folders into the vault, with hashes, encryption,
//! verify-after-copy, de-duplication and a custody event per file.

use crate::clock::format_time;
use crate::custody::{Action, LogWriter, NewEvent};
use crate::error::{Error, Result};
use crate::objects::Partial;
use crate::pipeline::{self, Digests};
use crate::progress::{FileOutcome, NoProgress, Progress};
use crate::vault::{Vault, file_times, validate_tag};
use rusqlite::{OptionalExtension, params};
use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
    /// Installed object (new content) or `None` (duplicate of `existing`).
    object: Option<PathBuf>,
    existing: Option<String>,
    /// SHA-256 of the stored copy, read back (verify after copy).
    verified_sha256: Option<String>,
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
        for item in found {
            if progress.is_cancelled() {
                report.cancelled = true;
                break;
            }
            let (path, size) = match item {
                Found::Problem(path, reason) => {
                    let outcome = FileOutcome::Failed { reason };
                    progress.file_done(&path, &outcome);
                    report.files.push((path, outcome));
                    continue;
                }
                Found::File(p, s) => (p, s),
            };
            progress.file_started(&path, size);
            match self.read_one(&path, opts, &batch, progress) {
                Ok(p) => {
                    batch_bytes += p.digests.size;
                    batch.push(p);
                }
                Err(Error::Cancelled) => {
                    report.cancelled = true;
                    break;
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
        self.commit_batch(batch, opts, progress, &mut report)?;
        Ok(report)
    }

    /// Reads, hashes and encrypts one file into a partial object; renames it
    /// into place unless its content is already in the vault.
    fn read_one(&self, path: &Path, opts: &IntakeOptions, batch: &[Pending], progress: &dyn Progress) -> Result<Pending> {
        let input = |source| Error::Input { path: path.to_path_buf(), source };
        let before = fs::symlink_metadata(path).map_err(input)?;
        if !before.is_file() {
            return Err(Error::InvalidInput(format!("{} is no longer a regular file", path.display())));
        }
        let mut file = fs::File::open(path).map_err(input)?;
        let mut head = vec![0u8; 8192];
        let mut n = 0;
        while n < head.len() {
            match file.read(&mut head[n..]).map_err(input)? {
                0 => break,
                k => n += k,
            }
        }
        head.truncate(n);
        let mime = sniff_mime(&head, path);
        let (partial, out): (Partial, fs::File) = self.objects.create_partial()?;
        let mut src = std::io::Cursor::new(head).chain(file);
        let res = pipeline::encrypt_stream(
            &mut src,
            path,
            std::io::BufWriter::with_capacity(1 << 20, out),
            &partial.path,
            &self.secrets.age_recipient(),
            opts.sha1,
            before.len(),
            progress,
        );
        let digests = match res {
            Ok((d, w)) => {
                drop(w);
                d
            }
            Err(e) => {
                partial.discard();
                return Err(e);
            }
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
        let sha = hex::encode(digests.sha256);
        let existing = match batch.iter().find(|p| p.digests.sha256 == digests.sha256) {
            Some(p) => Some(p.existing.clone().unwrap_or_else(|| format!("pending:{}", hex::encode(p.digests.sha256)))),
            None => self
                .conn
                .query_row("SELECT id FROM exhibits WHERE sha256 = ?1", [&sha], |r| r.get::<_, String>(0))
                .optional()?,
        };
        let object = if existing.is_some() {
            partial.discard();
            None
        } else {
            Some(self.objects.install(partial, &hex::encode(digests.object_sha256))?)
        };
        Ok(Pending { path: path.to_path_buf(), digests, mime, meta: before, object, existing, verified_sha256: None })
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
            for p in batch.iter_mut() {
                let Some(obj) = &p.object else { continue };
                let name = hex::encode(p.digests.object_sha256);
                let got = fs::File::open(obj).map_err(|e| Error::Io { path: obj.clone(), source: e }).and_then(|f| {
                    pipeline::decrypt_stream(f, &name, self.secrets.age_identity(), false, p.digests.size, &NoProgress, &mut |_| Ok(()))
                });
                match got {
                    Ok(d) if d.sha256 == p.digests.sha256 && d.object_sha256 == p.digests.object_sha256 && d.size == p.digests.size => {
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
                if let Some(obj) = &p.object {
                    if let Ok(dest) = self.objects.quarantine(obj, &quarantine) {
                        events.push(NewEvent::new(Action::StrayObjectQuarantined).details(serde_json::json!({
                            "object": hex::encode(p.digests.object_sha256),
                            "moved_to": dest.strip_prefix(&self.root).unwrap_or(&dest).to_string_lossy(),
                            "disposition": "quarantined: verify after copy failed"
                        })));
                    }
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
                let (id, action) = match &p.existing {
                    Some(e) if e.starts_with("pending:") => (new_ids[&p.digests.sha256].clone(), Action::DuplicateSourceRecorded),
                    Some(e) => (e.clone(), Action::DuplicateSourceRecorded),
                    None => {
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
                    self.actor,
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
        let mut all = self.pending.clone();
        all.extend(events);
        let mut frontier = self.frontier.clone();
        LogWriter { key: self.secrets.signing_key(), vault_id: &self.config.vault_id, actor: &self.actor, location: self.location.as_deref() }
            .append(&tx, &mut frontier, &now, all)?;
        tx.commit()?;
        self.frontier = frontier;
        self.pending.clear();
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
