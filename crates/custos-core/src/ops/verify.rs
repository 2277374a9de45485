//! Verification: checks every object, the database and the custody log, and
//! reports every finding rather than stopping at the first.

use std::path::Path;
use crate::format::custody::{self, Action, NewEvent};
use crate::error::{Error, Result};
use crate::store::objects::is_object_name;
use crate::format::pipeline;
use crate::progress::Progress;
use crate::store::Vault;
use serde::{Deserialize, Serialize};
pub use crate::format::finding::{Finding, FindingKind, Severity, VerifyMode};

/// The result of a verification.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// True when there is no error-severity finding.
    pub ok: bool,
    /// Quick or full.
    pub mode: VerifyMode,
    /// Exhibits checked.
    pub exhibits: u64,
    /// Custody events checked.
    pub events: u64,
    /// Every finding, errors first, the first bad custody event leading.
    pub findings: Vec<Finding>,
}

fn finding(kind: FindingKind, exhibit: Option<&str>, message: String, action: &str) -> Finding {
    Finding {
        severity: Severity::Error,
        exhibit: exhibit.map(str::to_string),
        kind,
        event: None,
        message,
        action: action.into(),
    }
}

/// What verification checks the vault against, held outside it.
#[derive(Debug, Clone, Default)]
pub struct Anchors {
    /// Checkpoints kept elsewhere (`custos checkpoint`, earlier bundles).
    pub kept: Vec<custody::Checkpoint>,
    /// TSA CA certificates (PEM) trusted for this run, besides the vault's own list.
    pub tsa_cas: Vec<String>,
}

const RESTORE: &str = "Restore the vault folder from a backup and verify again; do not produce this exhibit until it verifies.";

impl Vault {
    /// Checks a checkpoint kept outside the vault against the current log.
    /// An empty list means the log still holds exactly the history it signed.
    pub fn check_checkpoint(&self, kept: &custody::Checkpoint) -> Result<Vec<Finding>> {
        Ok(crate::ops::verify_log::check_external(&self.raw_events()?, &self.secrets().verifying_key(), &self.config().vault_id, kept))
    }

    /// Verifies the vault and logs the run and its result.
    pub fn verify(&mut self, mode: VerifyMode, progress: &dyn Progress) -> Result<VerifyReport> {
        self.verify_with(mode, &[], progress)
    }

    /// Verifies the vault, also checking checkpoints kept outside it (which
    /// catch a log rewritten by someone holding the key), and logs the run.
    pub fn verify_with(&mut self, mode: VerifyMode, kept: &[custody::Checkpoint], progress: &dyn Progress) -> Result<VerifyReport> {
        self.verify_anchored(mode, &Anchors { kept: kept.to_vec(), tsa_cas: Vec::new() }, progress)
    }

    /// Verifies the vault against everything held outside it: kept
    /// checkpoints, and TSA CA certificates (PEM) trusted for this run besides
    /// those the vault's settings list. Logs the run.
    pub fn verify_anchored(&mut self, mode: VerifyMode, anchors: &Anchors, progress: &dyn Progress) -> Result<VerifyReport> {
        let kept = anchors.kept.as_slice();
        // A bad trust anchor is bad input: refused before anything is checked or logged.
        let trust = self.tsa_trust(&anchors.tsa_cas)?;
        let mut findings = Vec::new();

        // The keys the config advertises must be this vault's.
        if self.config().age_recipient != self.secrets().age_recipient().to_string()
            || self.config().signing_key != hex::encode(self.secrets().verifying_key().to_bytes())
        {
            findings.push(finding(
                FindingKind::ConfigKeysMismatch,
                None,
                "the public keys in custos-vault.json are not this vault's keys".into(),
                "Restore custos-vault.json from a backup; outside verifiers use these keys.",
            ));
        }

        // Database integrity (SQLCipher checks page HMACs while reading).
        match self.integrity_check() {
            Ok(s) if s == "ok" => {}
            Ok(s) => findings.push(finding(FindingKind::DatabaseIntegrity, None, format!("database integrity check: {s}"), RESTORE)),
            Err(e) => findings.push(finding(FindingKind::DatabaseIntegrity, None, format!("database integrity check failed: {e}"), RESTORE)),
        }

        // Exhibits and objects.
        let rows = self.stored_contents()?;
        let (on_disk, other) = self.objects().scan()?;
        let on_disk: std::collections::HashSet<String> = on_disk.into_iter().collect();
        let referenced: std::collections::HashSet<&str> = rows.iter().map(|r| r.object.as_str()).collect();
        let total: u64 = rows.iter().map(|r| if mode == VerifyMode::Full { r.size * 2 } else { r.size }).sum();
        progress.begin(rows.len() as u64, total);

        for crate::store::exhibits::StoredContent { id, object, size, sha256, md5 } in &rows {
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            // Named by exhibit, which is what the user knows it by.
            progress.file_started(Path::new(id), *size);
            findings.extend(self.check_stored_copy(id, object, *size, sha256, md5, mode, &on_disk, progress)?);
            progress.advance(if mode == VerifyMode::Full { 0 } else { *size });
            progress.item_done();
        }
        // The custody log, read once: its bytes for the log's own checks, its
        // readable events (an unreadable one is the log check's finding) for
        // the checks that look at what events say.
        let raw = self.raw_events()?;
        let parsed: Vec<custody::CustodyEvent> = raw.iter().filter_map(|(seq, body, _)| custody::CustodyEvent::parse(*seq, body).ok()).collect();
        if let Some(bucket) = self.objects().bucket() {
            let exhibits: Vec<(String, String)> = rows.iter().map(|r| (r.id.clone(), r.object.clone())).collect();
            findings.extend(self.check_bucket(bucket, &exhibits, progress)?);
        }
        findings.extend(self.check_firm_catalog()?);
        let set_aside = Self::set_aside_in_bucket(&parsed);
        findings.extend(self.check_unreferenced(&on_disk, &referenced, &set_aside, other)?);
        findings.extend(self.check_quarantine(&parsed));
        let checkpoints = self.checkpoints()?;
        let key = self.secrets().verifying_key();
        let vault_id = self.config().vault_id.clone();
        findings.extend(crate::ops::verify_log::verify_log(&raw, &checkpoints, &key, &vault_id));
        findings.extend(crate::ops::verify_log::check_index(&raw, &self.custody_index()?));
        // A derived table that cannot even be read is reported, not a stop.
        let drift = self.derived_drift().unwrap_or_else(|e| vec![format!("the kept tables cannot be read ({e})")]);
        findings.extend(drift.into_iter().map(|what| crate::format::finding::Finding {
            severity: crate::format::finding::Severity::Error,
            exhibit: None,
            kind: FindingKind::DerivedTableMismatch,
            event: None,
            message: format!("the database was changed outside Custos: {what}"),
            action: "The exhibits and the signed custody log are not affected, but lists, counts and search may be. Restore the \
                     vault from a backup, or report the finding."
                .to_string(),
        }));
        let events = raw.len() as u64;
        for k in kept {
            findings.extend(crate::ops::verify_log::check_external(&raw, &key, &vault_id, k));
        }
        // RFC 3161 tokens over checkpoints (time from outside).
        let texts = crate::ops::timestamp::checkpoint_texts(&raw, &checkpoints, &vault_id);
        findings.extend(crate::ops::timestamp::check_stored(&self.timestamp_tokens()?, &texts, &parsed, trust.as_ref()));

        findings.sort_by_key(|f| f.severity);
        let ok = !findings.iter().any(|f| f.severity == Severity::Error);
        let mut report = VerifyReport { ok, mode, exhibits: rows.len() as u64, events, findings };
        let errors = report.findings.iter().filter(|f| f.severity == Severity::Error).count();
        let logged = self.log(vec![NewEvent::new(Action::Verified).details(crate::format::details::Verified {
            mode,
            ok,
            exhibits: report.exhibits,
            events: report.events,
            errors: errors as u64,
            warnings: (report.findings.len() - errors) as u64,
            kinds: report.findings.iter().map(|f| f.kind.as_str().to_string()).collect(),
        })]);
        if let Err(e) = logged {
            report.findings.push(Finding {
                severity: Severity::Warning,
                exhibit: None,
                kind: FindingKind::VerificationNotLogged,
                event: None,
                message: format!("this verification could not be recorded in the custody log: {e}"),
                action: "Restore the vault from a backup and verify again.".into(),
            });
        }
        Ok(report)
    }

    /// The findings on one exhibit's stored copy: there, readable, named by
    /// its bytes' hash, and (full) decrypting to the content recorded at
    /// intake. Only a cancel stops it.
    #[allow(clippy::too_many_arguments)]
    fn check_stored_copy(
        &self,
        id: &str,
        object: &str,
        size: u64,
        sha256: &str,
        md5: &str,
        mode: VerifyMode,
        on_disk: &std::collections::HashSet<String>,
        progress: &dyn Progress,
    ) -> Result<Vec<Finding>> {
        let mut findings = Vec::new();
        if !on_disk.contains(object) {
            return Ok(vec![finding(
                FindingKind::ObjectMissing,
                Some(id),
                format!("the stored copy of {id} (object {object}) is missing"),
                RESTORE,
            )]);
        }
        let file = match self.objects().open(object) {
            Ok(f) => f,
            // The bucket's server cannot be reached or refused: the run stops, no finding.
            Err(e @ Error::ObjectStore(_)) => return Err(e),
            Err(e) => {
                return Ok(vec![finding(FindingKind::ObjectUnreadable, Some(id), format!("the stored copy of {id} cannot be read: {e}"), RESTORE)]);
            }
        };
        match mode {
            VerifyMode::Quick => match pipeline::sha256_reader(std::io::BufReader::new(file)) {
                Ok(h) if hex::encode(h) == object => {}
                Ok(h) => findings.push(finding(
                    FindingKind::ObjectHashMismatch,
                    Some(id),
                    format!("the stored copy of {id} has changed: its bytes hash to {} instead of its name {object}", hex::encode(h)),
                    RESTORE,
                )),
                Err(e) => findings.push(finding(FindingKind::ObjectUnreadable, Some(id), format!("the stored copy of {id} cannot be read: {e}"), RESTORE)),
            },
            VerifyMode::Full => {
                match pipeline::decrypt_stream(file, object, self.secrets().age_identity(), pipeline::Hashes::ALL, size, progress, &mut |_| Ok(())) {
                    Ok(d) => {
                        if hex::encode(d.object_sha256) != object {
                            findings.push(finding(
                                FindingKind::ObjectHashMismatch,
                                Some(id),
                                format!("the stored copy of {id} has changed: its bytes no longer hash to its name {object}"),
                                RESTORE,
                            ));
                        }
                        if hex::encode(d.sha256) != sha256 || d.md5.map(hex::encode).as_deref() != Some(md5) || d.size != size {
                            findings.push(finding(
                                FindingKind::ContentHashMismatch,
                                Some(id),
                                format!("{id} decrypts to content whose SHA-256/MD5 differ from those recorded at intake"),
                                RESTORE,
                            ));
                        }
                    }
                    Err(Error::Cancelled) => return Err(Error::Cancelled),
                    Err(Error::Io { source, .. }) => findings.push(finding(
                        FindingKind::ObjectUnreadable,
                        Some(id),
                        format!("the stored copy of {id} cannot be read: {source}"),
                        RESTORE,
                    )),
                    Err(_) => findings.push(finding(
                        FindingKind::ObjectAuthentication,
                        Some(id),
                        format!("the stored copy of {id} fails decryption: it is damaged or was tampered with"),
                        RESTORE,
                    )),
                }
            }
        }
        Ok(findings)
    }

    /// Objects no exhibit refers to, and other files among the objects.
    ///
    /// An object that decrypts under the vault's key but has no row is
    /// committed work the database no longer holds (an older database put
    /// back, a lost WAL): an interrupted intake's objects are quarantined on
    /// open, so none is left for this check. It is an error, never hidden.
    fn check_unreferenced(
        &self,
        on_disk: &std::collections::HashSet<String>,
        referenced: &std::collections::HashSet<&str>,
        set_aside: &std::collections::HashSet<String>,
        other: Vec<std::path::PathBuf>,
    ) -> Result<Vec<Finding>> {
        let mut findings = Vec::new();
        let mut lost: Vec<&String> = on_disk.iter().filter(|n| !referenced.contains(n.as_str())).collect();
        lost.sort();
        // Left in a write-once bucket by an interrupted intake, and logged so.
        for name in lost.iter().filter(|n| set_aside.contains(n.as_str())) {
            findings.push(Finding {
                severity: Severity::Warning,
                exhibit: None,
                kind: FindingKind::StrayBucketObject,
                event: None,
                message: format!("object {name} was left in the bucket by an interrupted intake; no exhibit refers to it"),
                action: "Nothing to do: the custody log records it, the bucket keeps it until its retention date, and it is never trusted.".into(),
            });
        }
        lost.retain(|n| !set_aside.contains(n.as_str()));
        // Named by a journal: an intake of this session that stopped before
        // committing (reopening the vault quarantines them), not lost work.
        let (journaled, _) = self.objects().journaled(&other);
        for name in lost.iter().filter(|n| journaled.contains(n.as_str())) {
            findings.push(Finding {
                severity: Severity::Warning,
                exhibit: None,
                kind: FindingKind::UncommittedObject,
                event: None,
                message: format!("object {name} was put in place by an intake that stopped before committing it"),
                action: if self.objects().bucket().is_some() {
                    "Reopening the vault logs it as left in the write-once bucket; it is never trusted.".into()
                } else {
                    "Reopening the vault moves it to quarantine and logs that; it is never trusted.".into()
                },
            });
        }
        lost.retain(|n| !journaled.contains(n.as_str()));
        for name in lost {
            let decrypted = self
                .objects()
                .open(name)
                .and_then(|f| pipeline::decrypt_stream(f, name, self.secrets().age_identity(), pipeline::Hashes::ALL, 0, &crate::progress::NoProgress, &mut |_| Ok(())));
            findings.push(match decrypted {
                Ok(d) => finding(
                    FindingKind::LostExhibitObject,
                    None,
                    format!(
                        "object {name} holds {} bytes encrypted with this vault's key (SHA-256 {}, MD5 {}), but no exhibit refers to it: the database has lost committed work (an older copy was put back, or its write-ahead log was lost)",
                        d.size,
                        hex::encode(d.sha256),
                        d.md5.map(hex::encode).unwrap_or_default()
                    ),
                    "Restore db/ (custos.db with its -wal file) from the latest backup and verify again, also against a checkpoint kept outside the vault (custos verify --checkpoint); do not add or export until the lost exhibits are accounted for.",
                ),
                Err(_) => finding(
                    FindingKind::UnknownObject,
                    None,
                    format!("object {name} is in the vault but was not made with this vault's key and no exhibit refers to it"),
                    "Someone put it there from outside Custos; keep it for inspection, find out who, and do not trust it.",
                ),
            });
        }
        for p in other {
            let fname = p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let shown = format!("objects/{}", p.strip_prefix(self.root().join("objects")).unwrap_or(&p).display());
            if fname.starts_with(crate::store::objects::PARTIAL_PREFIX) || fname.starts_with(crate::store::objects::JOURNAL_PREFIX) {
                findings.push(Finding {
                    severity: Severity::Warning,
                    exhibit: None,
                    kind: FindingKind::PartialObject,
                    event: None,
                    message: format!("unfinished intake file {shown}"),
                    action: "An intake in progress or interrupted left it; reopening the vault cleans it up and logs that.".into(),
                });
            } else {
                findings.push(finding(
                    FindingKind::UnknownFile,
                    None,
                    format!("unknown file {shown} among the objects{}", if is_object_name(&fname) { " (named like an object, in the wrong folder)" } else { "" }),
                    "It is not part of the vault format and Custos did not put it there; keep it for inspection and find out who did.",
                ));
            }
        }
        Ok(findings)
    }

    /// Every file in `quarantine/` must have been put there with a custody event.
    fn check_quarantine(&self, events: &[custody::CustodyEvent]) -> Vec<Finding> {
        let dir = self.root().join("quarantine");
        let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
        let logged: std::collections::HashSet<String> = events
            .iter()
            .filter(|e| e.action == Action::StrayObjectQuarantined)
            .filter_map(|e| e.details_as::<crate::format::details::StrayObject>()?.moved_to)
            .collect();
        let mut findings = Vec::new();
        let mut names: Vec<String> = entries.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned())).collect();
        names.sort();
        for name in names {
            let rel = format!("quarantine/{name}");
            if !logged.contains(&rel) {
                findings.push(finding(
                    FindingKind::QuarantineUnlogged,
                    None,
                    format!("{rel} is in quarantine but no custody event records it being put there"),
                    "A quarantine was interrupted before it was logged, or the file was put there from outside; inspect it and record what it is.",
                ));
            }
        }
        findings
    }
}
