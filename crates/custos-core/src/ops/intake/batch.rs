//! Placing encrypted files and committing them a batch at a time: a
//! duplicate drops its partial object, new content is journaled and put in
//! place, and a full batch is made durable, checked against its read-backs
//! (verify after copy) and committed through one [`Change`](crate::store::Change).

use super::encrypt::Encrypted;
use super::{IntakeOptions, IntakeReport};
use crate::error::{Error, Result};
use crate::format::custody::{Action, NewEvent};
use crate::format::pipeline::{Decrypted, Digests};
use crate::progress::{FileOutcome, Progress};
use crate::store::exhibits::{NewExhibit, NewSource};
use crate::store::objects::{Journal, ObjectStore, PartialObject};
use crate::store::{Change, Vault, file_times};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A batch is committed when it reaches any of these (intake and import alike).
pub(crate) const BATCH_FILES: usize = 256;
pub(crate) const BATCH_BYTES: u64 = 256 << 20;
pub(crate) const BATCH_TIME: Duration = Duration::from_secs(1);

/// The objects of one batch, put in place and not yet committed: each is
/// named in the batch's journal before it is put in place, and all are made
/// durable together before the batch's rows refer to them. Shared by intake
/// and import.
pub(crate) struct ObjectBatch {
    /// Names the objects put in place (started with the first).
    journal: Option<Journal>,
    /// The objects put in place, by name.
    installed: Vec<String>,
    files: usize,
    bytes: u64,
    started: Instant,
}

impl ObjectBatch {
    pub fn new() -> Self {
        Self { journal: None, installed: Vec::new(), files: 0, bytes: 0, started: Instant::now() }
    }

    /// Journals `name`, then puts the partial object in place under it.
    pub fn install(&mut self, objects: &ObjectStore, partial: PartialObject, name: &str) -> Result<()> {
        objects.install_journaled(partial, name, &mut self.journal)?;
        self.installed.push(name.to_string());
        Ok(())
    }

    /// Counts a file of `bytes` taken into the batch (new or a duplicate).
    pub fn count(&mut self, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
    }

    /// Files counted so far.
    pub fn files(&self) -> usize {
        self.files
    }

    /// Whether the batch is due to be committed.
    pub fn is_full(&self) -> bool {
        self.files >= BATCH_FILES || self.bytes >= BATCH_BYTES || self.started.elapsed() >= BATCH_TIME
    }

    /// Makes the journal durable, then every object put in place (so that
    /// after a power cut no object is in place that its journal does not name).
    pub fn make_durable(&self, objects: &ObjectStore) -> Result<()> {
        if let Some(j) = &self.journal {
            j.sync()?;
        }
        objects.make_durable(&self.installed)
    }

    /// The batch is committed (or has nothing to commit): its journal goes.
    pub fn finish(self) {
        if let Some(j) = self.journal {
            j.finish();
        }
    }
}

/// A file read and encrypted, waiting for its batch to commit.
struct Pending {
    path: PathBuf,
    digests: Digests,
    mime: String,
    meta: fs::Metadata,
    /// The object put in place (new content), or `None` (a duplicate).
    object: Option<String>,
    content: Content,
    /// The stored copy as read back while it was written, if it was.
    check: Option<Result<Decrypted>>,
    /// SHA-256 of the stored copy, read back (verify after copy).
    verified_sha256: Option<String>,
}

/// The files placed but not yet committed.
pub(super) struct Batch {
    files: Vec<Pending>,
    objects: ObjectBatch,
}

impl Batch {
    pub fn new() -> Self {
        Self { files: Vec::new(), objects: ObjectBatch::new() }
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

impl Vault {
    /// Places one encrypted file, or records why it failed, and commits the
    /// batch once it is full. Returns `false` if intake was cancelled.
    pub(super) fn accept(
        &mut self,
        r: Result<Encrypted>,
        path: PathBuf,
        batch: &mut Batch,
        opts: &IntakeOptions,
        progress: &dyn Progress,
        report: &mut IntakeReport,
    ) -> Result<bool> {
        match r.and_then(|enc| self.place(enc, batch)) {
            Ok(()) => {}
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
        if batch.objects.is_full() {
            self.commit_batch(std::mem::replace(batch, Batch::new()), opts, progress, report)?;
        }
        Ok(true)
    }

    /// Places an encrypted file in the batch: a duplicate of content already
    /// in the vault (or in this batch) drops its partial object; new content
    /// is put in place.
    fn place(&self, enc: Encrypted, batch: &mut Batch) -> Result<()> {
        let Encrypted { path, partial, digests, mime, meta, check } = enc;
        let content = match batch.files.iter().find(|p| p.digests.sha256 == digests.sha256) {
            Some(p) => match &p.content {
                Content::Existing(id) => Content::Existing(id.clone()),
                _ => Content::EarlierInBatch,
            },
            None => match self.exhibit_with_sha256(&hex::encode(digests.sha256))? {
                Some(id) => Content::Existing(id),
                None => Content::New,
            },
        };
        let name = hex::encode(digests.object_sha256);
        let object = if content == Content::New {
            batch.objects.install(self.objects(), partial, &name)?;
            Some(name.clone())
        } else {
            // Not needed: dropping the partial object removes it.
            drop(partial);
            None
        };
        // A failed read-back names the object by its final name.
        let check = check.map(|r| {
            r.map_err(|e| match e {
                Error::ObjectAuthentication { .. } => Error::ObjectAuthentication { object: name.clone() },
                e => e,
            })
        });
        batch.objects.count(digests.size);
        batch.files.push(Pending { path, digests, mime, meta, object, content, check, verified_sha256: None });
        Ok(())
    }

    /// Makes a batch durable, verifies it, commits it in one transaction, and
    /// only then acknowledges each file.
    pub(super) fn commit_batch(&mut self, batch: Batch, opts: &IntakeOptions, progress: &dyn Progress, report: &mut IntakeReport) -> Result<()> {
        let Batch { files: mut batch, objects } = batch;
        if batch.is_empty() {
            objects.finish();
            return Ok(());
        }
        crate::failpoint::hit("intake.installed")?;
        objects.make_durable(self.objects())?;
        crate::failpoint::hit("intake.durable")?;

        let failed = if opts.verify_after_copy { verify_copies(&mut batch) } else { Vec::new() };
        // Objects that failed verification are never referenced: quarantine them.
        let mut events = Vec::new();
        let quarantine = self.root().join("quarantine");
        batch.retain(|p| {
            if !failed.iter().any(|(f, _)| f == &p.path) {
                return true;
            }
            if let Some(name) = &p.object
                && let Ok(dest) = self.objects().set_aside(name, &quarantine)
            {
                events.push(NewEvent::new(Action::StrayObjectQuarantined).details(crate::format::details::StrayObject {
                    object: Some(name.clone()),
                    file: None,
                    moved_to: dest.as_ref().map(|d| d.strip_prefix(self.root()).unwrap_or(d).to_string_lossy().into_owned()),
                    disposition: if dest.is_some() {
                        "quarantined: verify after copy failed".into()
                    } else {
                        "left in the write-once bucket until its retention date: verify after copy failed; never trusted".into()
                    },
                }));
            }
            false
        });

        let mut change = self.change()?;
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut new_ids: HashMap<[u8; 32], String> = HashMap::new();
        for p in &batch {
            let (event, outcome) = record_file(&mut change, p, &mut new_ids, opts)?;
            events.push(event);
            outcomes.push((p.path.clone(), outcome));
        }
        crate::failpoint::hit("intake.before_commit")?;
        change.commit(events)?;
        crate::failpoint::hit("intake.committed")?;
        // Committed: every object the journal names is referenced now (or quarantined and logged).
        objects.finish();
        // Acknowledge only now: objects durable, rows and events committed.
        let failed = failed.into_iter().map(|(path, reason)| (path, FileOutcome::Failed { reason }));
        for (path, outcome) in failed.chain(outcomes) {
            progress.file_done(&path, &outcome);
            report.files.push((path, outcome));
        }
        Ok(())
    }
}

/// Verify after copy: compares each stored copy, read back as it was written,
/// with the source's hash. Returns the files that fail, with why; a later
/// file of the batch with the same content as one that failed would have
/// referred to a copy that failed, and fails too.
fn verify_copies(batch: &mut [Pending]) -> Vec<(PathBuf, String)> {
    let mut failed = Vec::new();
    for p in batch.iter_mut().filter(|p| p.object.is_some()) {
        let got = p.check.take().unwrap_or_else(|| Err(Error::InvalidInput("it was not read back".into())));
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
    let lost: Vec<[u8; 32]> =
        batch.iter().filter(|p| p.content == Content::New && failed.iter().any(|(f, _)| f == &p.path)).map(|p| p.digests.sha256).collect();
    for p in batch.iter().filter(|p| p.content == Content::EarlierInBatch && lost.contains(&p.digests.sha256)) {
        failed.push((
            p.path.clone(),
            "verify after copy failed for the stored copy of the same content (an earlier file of this batch); the file was not taken in".into(),
        ));
    }
    failed
}

/// Writes one file's rows (a new exhibit, or a source of an existing one) in
/// `change`; returns its custody event and its outcome once committed.
fn record_file(
    change: &mut Change<'_>,
    p: &Pending,
    new_ids: &mut HashMap<[u8; 32], String>,
    opts: &IntakeOptions,
) -> Result<(NewEvent, FileOutcome)> {
    let now = change.now().to_string();
    // Gathered before intake, as stated; else now.
    let collected_at = opts.collected_at.clone().unwrap_or_else(|| now.clone());
    let actor = change.actor().to_string();
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
                collected_at: &collected_at,
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
            collected_at: &collected_at,
        },
    )?;
    let mut ev = NewEvent::new(action).exhibit(id.clone()).method(opts.method.clone()).purpose(opts.purpose.clone());
    ev.hash_algorithm = Some("SHA-256".into());
    ev.hash_before = Some(sha.clone());
    ev.hash_after = if action == Action::Collected { p.verified_sha256.clone() } else { Some(sha.clone()) };
    let ev = ev.details(crate::format::details::Collected {
        name,
        path: full,
        path_bytes_hex: exact.as_ref().map(hex::encode),
        size: p.digests.size,
        md5,
        sha1,
        mime: p.mime.clone(),
        custodian: opts.custodian.clone(),
        source: opts.source.clone(),
        modified,
        created,
        accessed,
        object: p.object.as_ref().map(|_| object.clone()),
        verify_after_copy: opts.verify_after_copy && action == Action::Collected,
        collected_at: opts.collected_at.clone(),
    });
    let outcome = if action == Action::Collected {
        FileOutcome::Stored { exhibit: id, sha256: sha }
    } else {
        FileOutcome::Duplicate { exhibit: id, sha256: sha }
    };
    Ok((ev, outcome))
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::intake::encrypt::{EncryptOptions, encrypt_file};
    use crate::progress::NoProgress;
    use crate::tests::{new_vault, sources};

    /// A stored copy that reads back as something else, or not at all, is
    /// quarantined and its file reported as failed, and so is a later file of
    /// the batch with the same content; the rest of the batch is taken in.
    #[test]
    fn a_stored_copy_that_reads_back_wrong_is_not_taken_in() {
        let (dir, mut v) = new_vault();
        let src = sources(dir.path(), &[("a.txt", b"alpha"), ("b.txt", b"bravo"), ("c.txt", b"charlie"), ("d.txt", b"alpha")]);
        let identity = v.secrets().age_identity().clone();
        let recipient = v.secrets().age_recipient();
        let encrypt = EncryptOptions { recipient: &recipient, read_back: Some(&identity), sha1: false };
        let mut enc: Vec<Encrypted> =
            ["a.txt", "b.txt", "c.txt", "d.txt"].iter().map(|n| encrypt_file(v.objects(), encrypt, &src.join(n), &NoProgress).unwrap()).collect();
        assert!(enc.iter().all(|e| matches!(&e.check, Some(Ok(d)) if d.sha256 == e.digests.sha256)), "each copy was read back intact");
        if let Some(Ok(d)) = &mut enc[0].check {
            d.sha256[0] ^= 1;
        }
        enc[1].check = Some(Err(Error::ObjectAuthentication { object: "x".into() }));
        let mut batch = Batch::new();
        for e in enc {
            v.place(e, &mut batch).unwrap();
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
        assert_eq!(v.objects().scan().unwrap().0.len(), 1, "only the good copy is among the objects");
        let quarantined = v.custody_log(None).unwrap().iter().filter(|e| e.action == Action::StrayObjectQuarantined).count();
        assert_eq!(quarantined, 2, "each is logged");
        assert!(v.verify(crate::VerifyMode::Full, &NoProgress).unwrap().ok);
    }
}
