//! Importing a bundle: counsel takes a verified production into their own
//! vault, keeping the producer's collection record, Bates numbers and signed
//! custody events, and the chain continues with a `received` event.

use crate::bundle::read::Bundle;
use crate::bundle::seal_key::{PinnedKeys, SealKeyFingerprint};
use crate::bundle::verify::{BundleContents, verify_bundle};
use crate::clock::format_time;
use crate::format::custody::{Action, NewEvent};
use crate::error::{Error, Result};
use crate::format::pipeline;
use crate::progress::{FileOutcome, Progress};
use crate::store::Vault;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// SHA-256 of the bundle file (of its tag manifest for a folder).
    pub bundle_sha256: String,
    /// The sender's seal key fingerprint.
    pub sender_fingerprint: String,
    /// The sender's seal identity.
    pub sender_identity: String,
    /// How the sender's key stands against the key pinned for its vault.
    pub producer_key: ProducerKey,
    /// Each Bates number with the exhibit it became here.
    pub exhibits: Vec<(String, FileOutcome)>,
}

/// How the producer's seal key was treated by an import.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProducerKey {
    /// The first production received from this producer vault: its key is now pinned.
    PinnedNow,
    /// The key pinned for this producer vault sealed the bundle.
    MatchesPinned,
    /// The user accepted a new key for this producer vault; it replaces the pinned one.
    Accepted,
}

/// What the user said about the producer's seal key for one import.
#[derive(Debug, Clone, Default)]
pub struct SealKeyTrust {
    /// Keys the producing party gave out of band: the bundle's must be one of them.
    pub expect: Option<PinnedKeys>,
    /// An explicit decision to accept a key other than the one pinned for the producer vault.
    pub accept_new: Option<KeyAcceptance>,
}

/// The decision to accept a new seal key for a producer vault: the key, named
/// exactly, and why. Logged as a `producer_key_accepted` custody event.
#[derive(Debug, Clone)]
pub struct KeyAcceptance {
    fingerprint: SealKeyFingerprint,
    reason: String,
}

/// Longest reason kept for accepting a key.
const MAX_REASON: usize = 500;

impl KeyAcceptance {
    /// The new key and a reason (one line, not empty).
    pub fn new(fingerprint: SealKeyFingerprint, reason: &str) -> Result<Self> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::InvalidInput("say why the new seal key is accepted (for example who confirmed it, and how)".into()));
        }
        if reason.chars().count() > MAX_REASON || reason.chars().any(char::is_control) {
            return Err(Error::InvalidInput(format!("the reason must be one line of at most {MAX_REASON} characters")));
        }
        Ok(Self { fingerprint, reason: reason.to_string() })
    }
}

/// The pin to write with the import's first change.
struct PinChange {
    producer_vault: String,
    fingerprint: SealKeyFingerprint,
    event: NewEvent,
}

fn sha256_file(path: &Path) -> Result<String> {
    let f = std::fs::File::open(path).map_err(|e| Error::Input { path: path.to_path_buf(), source: e })?;
    pipeline::sha256_reader(std::io::BufReader::new(f)).map(hex::encode).map_err(|e| Error::Input { path: path.to_path_buf(), source: e })
}

/// The hash that names a bundle in custody events: the SHA-256 of the file
/// as delivered (the encrypted file for an encrypted bundle), or of its tag
/// manifest for an extracted folder.
pub fn bundle_sha256(path: &Path, bundle: &mut Bundle) -> Result<String> {
    if path.is_dir() { Ok(hex::encode(Sha256::digest(bundle.read("tagmanifest-sha256.txt", crate::bundle::read::Whole::Small)?))) } else { sha256_file(path) }
}

impl Vault {
    /// Verifies a bundle and takes each native in as an exhibit. A hostile or
    /// failing bundle is refused before anything is written.
    pub fn import_bundle(
        &mut self,
        path: &Path,
        identity: Option<&age::x25519::Identity>,
        passphrase: Option<&age::secrecy::SecretString>,
        trust: &SealKeyTrust,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        let mut bundle = Bundle::open(path, identity, passphrase)?;
        let (report, contents) = verify_bundle(&mut bundle, trust.expect.as_ref())?;
        if !report.ok {
            let first: Vec<String> = report.findings.iter().take(3).map(|f| f.message.clone()).collect();
            return Err(Error::InvalidInput(format!(
                "refusing the bundle: it fails verification with {} finding(s), e.g. {}; check the bundle (verify-bundle) to see them all",
                report.findings.len(),
                first.join("; ")
            )));
        }
        let bundle_sha256 = bundle_sha256(path, &mut bundle)?;
        let sender_identity = report.signer_identity.clone().unwrap_or_default();
        let sender_fingerprint = report.signer_fingerprint.clone().unwrap_or_default();
        // Both checks come before anything is written.
        let (producer_key, mut pin_change) = self.check_producer_key(&contents, &sender_fingerprint, trust, &bundle_sha256)?;
        self.check_bates_continuity(&contents, &sender_identity)?;
        let recipient = self.secrets.age_recipient();
        let total: u64 = contents.rows.iter().filter_map(|r| r.get("FILESIZE")?.parse::<u64>().ok()).sum();
        progress.begin(contents.rows.len() as u64, total);
        let mut out = Vec::new();
        for row in &contents.rows {
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let get = |k: &str| row.get(k).cloned().unwrap_or_default();
            let bates = get("BEGBATES");
            let native = format!("data/{}", get("NATIVEPATH").replace('\\', "/"));
            let sender_exhibit = get("EXHIBITID");
            progress.file_started(Path::new(&native), get("FILESIZE").parse().unwrap_or(0));
            let expected = contents.manifest.get(&native).cloned().unwrap_or_default();
            // The same production imported again: already here, nothing to add.
            let already: Option<String> = self
                .conn
                .query_row(
                    "SELECT r.exhibit_id FROM received_records r JOIN exhibits e ON e.id = r.exhibit_id
                     WHERE r.bundle_sha256 = ?1 AND r.bates = ?2 AND e.sha256 = ?3",
                    params![bundle_sha256, bates, expected],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(exhibit) = already {
                let outcome = FileOutcome::Duplicate { exhibit, sha256: expected };
                progress.file_done(Path::new(&native), &outcome);
                out.push((bates, outcome));
                continue;
            }

            // Names the object put in place until its rows are committed.
            let mut journal = None;
            // Encrypt straight from the bundle into a partial object (no plaintext
            // copy), reading it back as it is written (verify after copy, as at intake).
            let streamed = {
                let mut reader = bundle.reader(&native)?;
                let size_hint = get("FILESIZE").parse().unwrap_or(0);
                let identity = self.secrets.age_identity();
                crate::ops::intake::stream_object(&self.objects, &mut reader, Path::new(&native), &recipient, Some(identity), false, size_hint, progress)?
            };
            let (partial, digests) = (streamed.partial, streamed.digests);
            let read_back = streamed.check.expect("a check was asked for");
            let sha = hex::encode(digests.sha256);
            if sha != expected {
                partial.discard();
                return Err(Error::InvalidInput(format!("{bates} changed while it was read from the bundle")));
            }
            let existing: Option<String> =
                self.conn.query_row("SELECT id FROM exhibits WHERE sha256 = ?1", [&sha], |r| r.get(0)).optional()?;
            let object = match &existing {
                Some(_) => {
                    partial.discard();
                    None
                }
                None => {
                    match read_back {
                        Ok(back) if back.sha256 == digests.sha256 && back.size == digests.size => {}
                        other => {
                            partial.discard();
                            return Err(match other {
                                Err(e @ Error::Io { .. }) => e,
                                _ => Error::ObjectAuthentication { object: hex::encode(digests.object_sha256) },
                            });
                        }
                    }
                    let p = self.objects.install_journaled(partial, &hex::encode(digests.object_sha256), &mut journal)?;
                    if let Some(j) = &journal {
                        j.sync()?;
                    }
                    self.objects.make_durable(std::slice::from_ref(&p))?;
                    Some(p)
                }
            };

            // The producer's collection record, from its verified custody events.
            let sender_events = contents.events.get(&sender_exhibit).cloned().unwrap_or_default();
            let collected = sender_events.iter().find(|(e, _)| e.action == Action::Collected).map(|(e, _)| e.clone());
            let detail = |k: &str| collected.as_ref().and_then(|e| e.details.get(k)).and_then(|v| v.as_str()).map(str::to_string);
            let original_path = detail("path").unwrap_or_else(|| get("FILENAME"));
            let now = format_time(self.clock.now());
            let events_jsonl: String = sender_events.iter().map(|(_, l)| serde_json::to_string(l).expect("serialise") + "\n").collect();

            let tx = self.conn.transaction()?;
            // The pin travels with the first exhibit taken in, so a refused or
            // failed import leaves no pin behind.
            let pin_event = pin_change.take().map(|p| p.write(&tx, &now)).transpose()?;
            let id = match &existing {
                Some(id) => id.clone(),
                None => {
                    let next: i64 = tx.query_row("SELECT coalesce(max(number), 0) + 1 FROM exhibits", [], |r| r.get(0))?;
                    let id = format!("{}{:04}", self.matter.exhibit_prefix, next);
                    let mime = collected.as_ref().and_then(|e| e.details.get("mime")).and_then(|v| v.as_str()).unwrap_or("application/octet-stream");
                    tx.execute(
                        "INSERT INTO exhibits (id, number, object, size, sha256, md5, sha1, mime, original_name, original_path, description, collected_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, ?9, ?10, ?11)",
                        params![
                            id,
                            next,
                            hex::encode(digests.object_sha256),
                            digests.size as i64,
                            sha,
                            hex::encode(digests.md5),
                            mime,
                            get("FILENAME"),
                            original_path,
                            get("DESCRIPTION"),
                            // The exhibit keeps the producer's collection time.
                            collected.as_ref().map(|e| e.time.clone()).unwrap_or_else(|| now.clone())
                        ],
                    )?;
                    id
                }
            };
            tx.execute(
                "INSERT INTO exhibit_sources (exhibit_id, path, name, size, modified, created, accessed, custodian, source, method, purpose, collected_by, collected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, ?9, NULL, ?10, ?11)",
                params![
                    id,
                    original_path,
                    get("FILENAME"),
                    digests.size as i64,
                    detail("modified"),
                    detail("created"),
                    row.get("CUSTODIAN").filter(|c| !c.is_empty()),
                    row.get("SOURCE").filter(|c| !c.is_empty()),
                    format!("received as {bates} in a sealed production from {sender_identity}"),
                    collected.as_ref().map(|e| e.actor.clone()).unwrap_or_else(|| sender_identity.clone()),
                    collected.as_ref().map(|e| e.time.clone()).unwrap_or_else(|| get("DATECOLLECTED")),
                ],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO received_records (exhibit_id, bundle_sha256, bates, sender_identity, sender_fingerprint, sender_exhibit_id, load_file_row, sender_events, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![id, bundle_sha256, bates, sender_identity, sender_fingerprint, sender_exhibit, serde_json::to_string(row).expect("serialise"), events_jsonl, now],
            )?;
            let mut ev = NewEvent::new(Action::Received).exhibit(id.clone()).sha256(expected.clone(), sha.clone());
            ev.released_by = Some(sender_identity.clone());
            ev.received_by = Some(self.session.actor.clone());
            ev.method = Some("import of a sealed production bundle".into());
            ev.details = Some(serde_json::json!({
                "bates": bates,
                "bundle_sha256": bundle_sha256,
                "sender_fingerprint": sender_fingerprint,
                "sender_exhibit": sender_exhibit,
                "sender_events": sender_events.len(),
                // With the SHA-256 above, the hashes a later production of this
                // exhibit is checked against (verify_custody.py reads both).
                "md5": hex::encode(digests.md5),
                "object": object.as_ref().map(|_| hex::encode(digests.object_sha256)),
                "duplicate_of_existing": existing.is_some(),
            }));
            crate::failpoint::hit("import.before_commit")?;
            self.session.commit(tx, self.secrets.signing_key(), &self.config.vault_id, &now, pin_event.into_iter().chain([ev]).collect())?;
            crate::failpoint::hit("import.committed")?;
            if let Some(j) = journal {
                j.finish();
            }
            let outcome = match existing {
                Some(_) => FileOutcome::Duplicate { exhibit: id, sha256: sha },
                None => FileOutcome::Stored { exhibit: id, sha256: sha },
            };
            progress.file_done(Path::new(&native), &outcome);
            out.push((bates, outcome));
        }
        // Every exhibit was here already: the pin is still a decision to record.
        if let Some(change) = pin_change {
            let now = format_time(self.clock.now());
            let tx = self.conn.transaction()?;
            let event = change.write(&tx, &now)?;
            self.session.commit(tx, self.secrets.signing_key(), &self.config.vault_id, &now, vec![event])?;
        }
        Ok(ImportReport { bundle_sha256, sender_fingerprint, sender_identity, producer_key, exhibits: out })
    }

    /// The bundle's seal key against the key pinned for its producer vault:
    /// the same key, a first sight (to pin), or another key, refused unless
    /// the user accepted exactly this key.
    fn check_producer_key(
        &self,
        contents: &BundleContents,
        sender_fingerprint: &str,
        trust: &SealKeyTrust,
        bundle_sha256: &str,
    ) -> Result<(ProducerKey, Option<PinChange>)> {
        // A verified bundle has a checkpoint and a seal key; these are the verifier's findings otherwise.
        let producer_vault = contents
            .checkpoint
            .as_ref()
            .map(|c| c.vault_id.clone())
            .ok_or_else(|| Error::InvalidInput("refusing the bundle: it has no custody checkpoint naming its producer vault".into()))?;
        let presented: SealKeyFingerprint = sender_fingerprint.parse()?;
        if let Some(accept) = &trust.accept_new
            && accept.fingerprint != presented
        {
            return Err(Error::InvalidInput(format!(
                "refusing the bundle: the key accepted ({}) is not the key that sealed this bundle ({presented})",
                accept.fingerprint
            )));
        }
        let pinned: Option<String> = self
            .conn
            .query_row("SELECT fingerprint FROM producer_keys WHERE producer_vault_id = ?1", [&producer_vault], |r| r.get(0))
            .optional()?;
        let details = |extra: serde_json::Value| {
            let mut d = serde_json::json!({
                "producer_vault": producer_vault,
                "fingerprint": presented.to_string(),
                "bundle_sha256": bundle_sha256,
            });
            if let (Some(d), serde_json::Value::Object(extra)) = (d.as_object_mut(), extra) {
                d.extend(extra);
            }
            d
        };
        match pinned {
            None => {
                let event = NewEvent::new(Action::ProducerKeyPinned).details(details(serde_json::json!({})));
                Ok((ProducerKey::PinnedNow, Some(PinChange { producer_vault: producer_vault.clone(), fingerprint: presented, event })))
            }
            Some(p) if p == presented.to_string() => Ok((ProducerKey::MatchesPinned, None)),
            Some(p) => match &trust.accept_new {
                Some(accept) => {
                    let event = NewEvent::new(Action::ProducerKeyAccepted)
                        .purpose(Some(accept.reason.clone()))
                        .details(details(serde_json::json!({ "old_fingerprint": p, "new_fingerprint": presented.to_string() })));
                    Ok((ProducerKey::Accepted, Some(PinChange { producer_vault: producer_vault.clone(), fingerprint: presented, event })))
                }
                None => Err(Error::ProducerKeyChanged { producer_vault, pinned: p, presented: presented.to_string() }),
            },
        }
    }

    /// A Bates number already received from this producer must not come back
    /// with other content.
    fn check_bates_continuity(&self, contents: &BundleContents, sender_identity: &str) -> Result<()> {
        let mut clashes = Vec::new();
        for row in &contents.rows {
            let (bates, sha) = (row.get("BEGBATES").cloned().unwrap_or_default(), row.get("SHA256HASH").cloned().unwrap_or_default());
            let earlier: Option<String> = self
                .conn
                .query_row(
                    "SELECT e.sha256 FROM received_records r JOIN exhibits e ON e.id = r.exhibit_id
                     WHERE r.sender_identity = ?1 AND r.bates = ?2 AND e.sha256 <> ?3 LIMIT 1",
                    params![sender_identity, bates, sha],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(earlier) = earlier {
                clashes.push(format!("{bates} (received before as SHA-256 {earlier}, now {sha})"));
            }
        }
        if clashes.is_empty() {
            return Ok(());
        }
        Err(Error::InvalidInput(format!(
            "refusing the bundle: {} Bates number(s) already received from {sender_identity} come with other content: {}",
            clashes.len(),
            clashes.join("; ")
        )))
    }
}

impl PinChange {
    /// Records the pin in `tx` and returns its custody event.
    fn write(self, tx: &rusqlite::Transaction<'_>, now: &str) -> Result<NewEvent> {
        tx.execute(
            "INSERT INTO producer_keys (producer_vault_id, fingerprint, pinned_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (producer_vault_id) DO UPDATE SET fingerprint = excluded.fingerprint, pinned_at = excluded.pinned_at",
            params![self.producer_vault, self.fingerprint.to_string(), now],
        )?;
        Ok(self.event)
    }
}
