//! Importing a bundle: counsel takes a verified production into their own
//! vault, keeping the producer's collection record, Bates numbers and signed
//! custody events, and the chain continues with a `received` event.

use crate::bundle::read::Bundle;
use crate::bundle::seal_key::{PinnedKeys, SealKeyFingerprint};
use crate::bundle::verify::BundleContents;
use crate::ops::bundle_search::verify_bundle;
use crate::format::custody::{Action, NewEvent};
use crate::error::{Error, Result};
use crate::format::pipeline::{self, Digests};
use crate::ops::intake::batch::ObjectBatch;
use crate::ops::intake::encrypt::{EncryptOptions, Streamed, stream_object};
use crate::progress::{FileOutcome, Progress};
use crate::store::exhibits::{NewExhibit, NewSource};
use crate::store::received::NewReceived;
use crate::store::{Change, Vault};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
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
    if path.is_dir() { Ok(hex::encode(Sha256::digest(bundle.read(crate::bundle::layout::TAG_MANIFEST_FILE, crate::bundle::read::Whole::Small)?))) } else { sha256_file(path) }
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
        let recipient = self.secrets().age_recipient();
        let identity = self.secrets().age_identity().clone();
        // Each native is read back as it is written (verify after copy, as at intake).
        let encrypt = EncryptOptions { recipient: &recipient, read_back: Some(&identity), sha1: false };
        let sender = Sender { bundle_sha256: &bundle_sha256, identity: &sender_identity, fingerprint: &sender_fingerprint };
        let total: u64 = contents.rows.iter().filter_map(|r| r.get("FILESIZE")?.parse::<u64>().ok()).sum();
        progress.begin(contents.rows.len() as u64, total);
        let mut out = Vec::new();
        let mut batch = ImportBatch::new();
        let mut first_batch = true;
        // A withheld document was not produced: its slip sheet is not evidence to take in.
        for row in contents.rows.iter().filter(|r| !crate::bundle::verify::is_withheld(r)) {
            let placed = if progress.is_cancelled() {
                Err(Error::Cancelled)
            } else {
                self.place_received(&mut bundle, &contents, row, &sender, encrypt, &mut batch, progress)
            };
            if let Err(e) = placed {
                // What the batch holds is whole: it is committed, as the
                // exhibits before this one are, and the import stops.
                let _ = self.commit_received(batch, &contents, &sender, &mut pin_change, progress, &mut out);
                return Err(e);
            }
            // The first batch is the first exhibit alone: the producer-key
            // pin is committed with it, and the rest follow in full batches.
            if batch.objects.is_full() || (first_batch && batch.objects.files() > 0) {
                self.commit_received(std::mem::replace(&mut batch, ImportBatch::new()), &contents, &sender, &mut pin_change, progress, &mut out)?;
                first_batch = false;
            }
        }
        self.commit_received(batch, &contents, &sender, &mut pin_change, progress, &mut out)?;
        // Every exhibit was here already: the pin is still a decision to record.
        if let Some(change) = pin_change {
            let mut c = self.change()?;
            let event = change.write(&mut c)?;
            c.commit(vec![event])?;
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
        let pinned = self.pinned_producer_key(&producer_vault)?;
        let details = |old_fingerprint: Option<String>, new_fingerprint: Option<String>| crate::format::details::ProducerKey {
            producer_vault: producer_vault.clone(),
            fingerprint: presented.to_string(),
            bundle_sha256: bundle_sha256.to_string(),
            old_fingerprint,
            new_fingerprint,
        };
        match pinned {
            None => {
                let event = NewEvent::new(Action::ProducerKeyPinned).details(details(None, None));
                Ok((ProducerKey::PinnedNow, Some(PinChange { producer_vault: producer_vault.clone(), fingerprint: presented, event })))
            }
            Some(p) if p == presented.to_string() => Ok((ProducerKey::MatchesPinned, None)),
            Some(p) => match &trust.accept_new {
                Some(accept) => {
                    let event = NewEvent::new(Action::ProducerKeyAccepted)
                        .purpose(Some(accept.reason.clone()))
                        .details(details(Some(p.clone()), Some(presented.to_string())));
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
        for row in contents.rows.iter().filter(|r| !crate::bundle::verify::is_withheld(r)) {
            let (bates, sha) = (row.get("BEGBATES").cloned().unwrap_or_default(), row.get("SHA256HASH").cloned().unwrap_or_default());
            let earlier = self.other_content_under_bates(sender_identity, &bates, &sha)?;
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

/// Who sent the bundle being imported, as its custody events name them.
struct Sender<'a> {
    bundle_sha256: &'a str,
    identity: &'a str,
    fingerprint: &'a str,
}

/// A row of the load file: field name to value.
type Row = BTreeMap<String, String>;

/// The exhibits of an import placed but not yet committed, taken in
/// batches as intake takes files ([`ObjectBatch`]: the same limits, the
/// objects journaled and made durable together, one change per batch).
struct ImportBatch<'r> {
    entries: Vec<Entry<'r>>,
    objects: ObjectBatch,
}

impl ImportBatch<'_> {
    fn new() -> Self {
        Self { entries: Vec::new(), objects: ObjectBatch::new() }
    }

    /// An earlier exhibit of this batch with the same content.
    fn earlier(&self, sha256: &[u8; 32]) -> bool {
        self.entries.iter().any(|e| matches!(e, Entry::Received(r) if r.digests.sha256 == *sha256))
    }
}

/// One row of the bundle, in the order of the load file.
enum Entry<'r> {
    /// Received before from this very bundle: nothing to add.
    Here { native: String, bates: String, outcome: FileOutcome },
    /// To be recorded as received.
    Received(Received<'r>),
}

/// A native read from the bundle (and, if its content is new, put in place).
struct Received<'r> {
    row: &'r Row,
    native: String,
    bates: String,
    expected: String,
    digests: Digests,
    content: Content,
}

/// Whether a native's content is new to the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Content {
    /// New: its object was put in place under this name.
    New(String),
    /// Already the exhibit with this id.
    Existing(String),
    /// An earlier exhibit of the same batch has it.
    EarlierInBatch,
}

impl Vault {
    /// Reads one native from the bundle into the batch: encrypted straight
    /// from the bundle into a partial object (no plaintext copy), read back as
    /// it is written, and put in place if its content is new here.
    #[allow(clippy::too_many_arguments)]
    fn place_received<'r>(
        &self,
        bundle: &mut Bundle,
        contents: &BundleContents,
        row: &'r Row,
        sender: &Sender<'_>,
        encrypt: EncryptOptions<'_>,
        batch: &mut ImportBatch<'r>,
        progress: &dyn Progress,
    ) -> Result<()> {
        let get = |k: &str| row.get(k).cloned().unwrap_or_default();
        let bates = get("BEGBATES");
        let native = format!("{}{}", crate::bundle::layout::PAYLOAD_FOLDER, get("NATIVEPATH").replace('\\', "/"));
        let size_hint = get("FILESIZE").parse().unwrap_or(0);
        progress.file_started(Path::new(&native), size_hint);
        let expected = contents.manifest.get(&native).cloned().unwrap_or_default();
        // The same production imported again: already here, nothing to add.
        if let Some(exhibit) = self.received_before(sender.bundle_sha256, &bates, &expected)? {
            let outcome = FileOutcome::Duplicate { exhibit, sha256: expected };
            batch.entries.push(Entry::Here { native, bates, outcome });
            return Ok(());
        }
        let Streamed { partial, digests, check } = {
            let mut reader = bundle.reader(&native)?;
            stream_object(self.objects(), &mut reader, Path::new(&native), encrypt, size_hint, progress)?
        };
        // Any error from here on drops the partial object, which removes it.
        let sha = hex::encode(digests.sha256);
        if sha != expected {
            return Err(Error::InvalidInput(format!("{bates} changed while it was read from the bundle")));
        }
        let content = if batch.earlier(&digests.sha256) {
            Content::EarlierInBatch
        } else if let Some(id) = self.exhibit_with_sha256(&sha)? {
            Content::Existing(id)
        } else {
            let name = hex::encode(digests.object_sha256);
            match check.expect("a read-back was asked for") {
                Ok(back) if back.sha256 == digests.sha256 && back.size == digests.size => {}
                Err(e @ Error::Io { .. }) => return Err(e),
                _ => return Err(Error::ObjectAuthentication { object: name }),
            }
            batch.objects.install(self.objects(), partial, &name)?;
            Content::New(name)
        };
        batch.objects.count(digests.size);
        batch.entries.push(Entry::Received(Received { row, native, bates, expected, digests, content }));
        Ok(())
    }

    /// Commits a batch: its objects made durable, then one change with the
    /// rows and one `received` event per exhibit (and the producer-key pin,
    /// with the first batch that commits one); only then is each exhibit
    /// acknowledged.
    fn commit_received(
        &mut self,
        batch: ImportBatch<'_>,
        contents: &BundleContents,
        sender: &Sender<'_>,
        pin_change: &mut Option<PinChange>,
        progress: &dyn Progress,
        out: &mut Vec<(String, FileOutcome)>,
    ) -> Result<()> {
        let ImportBatch { entries, objects } = batch;
        let mut acks = Vec::with_capacity(entries.len());
        if entries.iter().any(|e| matches!(e, Entry::Received(_))) {
            objects.make_durable(self.objects())?;
            let mut change = self.change()?;
            // The pin travels with the first exhibits taken in, so a refused
            // or failed import leaves no pin behind.
            let mut events: Vec<NewEvent> = pin_change.take().map(|p| p.write(&mut change)).transpose()?.into_iter().collect();
            let mut new_ids: HashMap<[u8; 32], String> = HashMap::new();
            for e in entries {
                match e {
                    Entry::Here { native, bates, outcome } => acks.push((native, bates, outcome)),
                    Entry::Received(r) => {
                        let (event, outcome) = record_received(&mut change, &r, contents, sender, &mut new_ids)?;
                        events.push(event);
                        acks.push((r.native, r.bates, outcome));
                    }
                }
            }
            // Both failpoints are per batch (they were per exhibit when each
            // exhibit had its own change); the first batch is one exhibit.
            crate::failpoint::hit("import.before_commit")?;
            change.commit(events)?;
            crate::failpoint::hit("import.committed")?;
        } else {
            acks.extend(entries.into_iter().filter_map(|e| match e {
                Entry::Here { native, bates, outcome } => Some((native, bates, outcome)),
                Entry::Received(_) => None,
            }));
        }
        // Committed (or nothing to commit): every object the journal names is referenced.
        objects.finish();
        for (native, bates, outcome) in acks {
            progress.file_done(Path::new(&native), &outcome);
            out.push((bates, outcome));
        }
        Ok(())
    }
}

/// Writes the rows of one received exhibit in `change` (a new exhibit, or a
/// source of one already here), and returns its `received` event and its
/// outcome once committed.
fn record_received(
    change: &mut Change<'_>,
    r: &Received<'_>,
    contents: &BundleContents,
    sender: &Sender<'_>,
    new_ids: &mut HashMap<[u8; 32], String>,
) -> Result<(NewEvent, FileOutcome)> {
    let Received { row, bates, expected, digests, content, .. } = r;
    let get = |k: &str| row.get(k).cloned().unwrap_or_default();
    let sha = hex::encode(digests.sha256);
    let sender_exhibit = get("EXHIBITID");
    // The producer's collection record, from its verified custody events.
    let sender_events = contents.events.get(&sender_exhibit).cloned().unwrap_or_default();
    let collected = sender_events
        .iter()
        .find(|(e, _)| e.action == Action::Collected || (e.action == Action::Derived && e.details.get("kind").and_then(|k| k.as_str()) == Some("item")))
        .map(|(e, _)| e.clone());
    let detail = |k: &str| collected.as_ref().and_then(|e| e.details.get(k)).and_then(|v| v.as_str()).map(str::to_string);
    let original_path = detail("path").unwrap_or_else(|| get("FILENAME"));
    let events_jsonl: String = sender_events.iter().map(|(_, l)| serde_json::to_string(l).expect("serialise") + "\n").collect();
    let sender_name = get("FILENAME");
    // One method per producer (the Bates number is in the received record and
    // the event), so the methods recorded stay a short list to suggest.
    let received_by = format!("received in a sealed production from {}", sender.identity);
    let collected_by = collected.as_ref().map(|e| e.actor.clone()).unwrap_or_else(|| sender.identity.to_string());
    let now = change.now().to_string();
    let actor = change.actor().to_string();
    // The exhibit keeps the producer's collection time: the one stated for
    // evidence gathered before intake, else the time it was taken in.
    let collected_at = detail("collected_at").or_else(|| collected.as_ref().map(|e| e.time.clone()));
    let id = match content {
        Content::Existing(id) => id.clone(),
        Content::EarlierInBatch => new_ids[&digests.sha256].clone(),
        Content::New(object) => {
            let mime = collected.as_ref().and_then(|e| e.details.get("mime")).and_then(|v| v.as_str()).unwrap_or("application/octet-stream");
            let id = change.add_exhibit(&NewExhibit {
                object,
                size: digests.size,
                sha256: &sha,
                md5: &hex::encode(digests.md5),
                sha1: None,
                mime,
                original_name: &sender_name,
                original_path: &original_path,
                description: &get("DESCRIPTION"),
                collected_at: collected_at.as_deref().unwrap_or(&now),
                tags: &[],
            })?;
            new_ids.insert(digests.sha256, id.clone());
            id
        }
    };
    let modified = detail("modified");
    let created = detail("created");
    let date_collected = get("DATECOLLECTED");
    change.add_source(
        &id,
        &NewSource {
            path: &original_path,
            path_bytes: None,
            name: &sender_name,
            size: digests.size,
            modified: modified.as_deref(),
            created: created.as_deref(),
            accessed: None,
            custodian: row.get("CUSTODIAN").map(String::as_str).filter(|c| !c.is_empty()),
            source: row.get("SOURCE").map(String::as_str).filter(|c| !c.is_empty()),
            method: Some(&received_by),
            purpose: None,
            collected_by: &collected_by,
            collected_at: collected_at.as_deref().unwrap_or(&date_collected),
        },
    )?;
    change.add_received(&NewReceived {
        exhibit_id: &id,
        bundle_sha256: sender.bundle_sha256,
        bates,
        sender_identity: sender.identity,
        sender_fingerprint: sender.fingerprint,
        sender_exhibit_id: &sender_exhibit,
        load_file_row: &serde_json::to_string(row).expect("serialise"),
        sender_events: &events_jsonl,
    })?;
    let mut ev = NewEvent::new(Action::Received).exhibit(id.clone()).sha256(expected.clone(), sha.clone());
    ev.released_by = Some(sender.identity.to_string());
    ev.received_by = Some(actor);
    ev.method = Some("import of a sealed production bundle".into());
    let object = match content {
        Content::New(object) => Some(object.clone()),
        _ => None,
    };
    let duplicate_of_existing = object.is_none();
    let ev = ev.details(crate::format::details::Received {
        bates: bates.to_string(),
        bundle_sha256: sender.bundle_sha256.to_string(),
        sender_fingerprint: sender.fingerprint.to_string(),
        sender_exhibit: sender_exhibit.to_string(),
        sender_events: sender_events.len() as u64,
        // With the SHA-256 above, the hashes a later production of this
        // exhibit is checked against (verify_custody.py reads both).
        md5: hex::encode(digests.md5),
        object,
        duplicate_of_existing,
    });
    let outcome = match content {
        Content::New(_) => FileOutcome::Stored { exhibit: id, sha256: sha },
        _ => FileOutcome::Duplicate { exhibit: id, sha256: sha },
    };
    Ok((ev, outcome))
}

impl PinChange {
    /// Records the pin in `change` and returns its custody event.
    fn write(self, change: &mut Change<'_>) -> Result<NewEvent> {
        change.pin_producer_key(&self.producer_vault, &self.fingerprint.to_string())?;
        Ok(self.event)
    }
}
