//! Partial files written outside the vault: a bundle being exported or an
//! exhibit being extracted is plaintext until it is renamed into place, so a
//! crash must not leave it behind unnoticed.
//!
//! Before such a file is created, its path is recorded in the vault
//! (`pending/<random>.age`, encrypted to the vault key, so the record shows
//! nothing to whoever reads the folder). The record is removed once the file
//! has been renamed into place, or removed. On the next open, Custos removes
//! every file a left-over record names and logs that it did.

use crate::format::atomic::{random_suffix, sync_dir, temp_beside, write_atomically};
use crate::format::custody::{Action, NewEvent};
use crate::error::{IoContext, Result};
use crate::store::Vault;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The folder of the records, inside the vault.
const FOLDER: &str = "pending";
/// Largest record read back (a path).
const MAX_RECORD: u64 = 64 * 1024;

/// What a partial file outside the vault becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutputKind {
    /// A production bundle (recorded in `productions` when logged).
    Bundle,
    /// An exhibit's bytes (recorded by an `extracted` event).
    Extraction,
}

impl OutputKind {
    fn as_str(self) -> &'static str {
        match self {
            OutputKind::Bundle => "bundle",
            OutputKind::Extraction => "extraction",
        }
    }
}

/// A partial file outside the vault, recorded in it. Call
/// [`OutsidePartial::finish`] once the output is in place under its final
/// name *and logged*; dropped without it, the partial file and then its
/// record are removed.
#[derive(Debug)]
pub(crate) struct OutsidePartial {
    /// The partial file to write (beside its destination).
    pub path: PathBuf,
    record: PathBuf,
    output: OutputKind,
    destination: PathBuf,
    /// Finished or kept: dropping it then does nothing.
    settled: bool,
}

impl OutsidePartial {
    /// Records, before the partial is renamed into place, the SHA-256 of
    /// its whole content: after a crash, a file at the destination is
    /// removed as an unlogged output only if it is this very file (not one
    /// someone put there in the meantime).
    pub fn before_rename(&self, vault: &Vault, sha256_hex: &str) -> Result<()> {
        vault.write_record(&self.record, self.output, &self.path, &self.destination, Some(sha256_hex))
    }

    /// The output is in place and logged: forget the partial.
    pub fn finish(mut self) {
        remove_record(&self.record);
        self.settled = true;
    }

    /// The output could not be removed: keep the record, so that the next
    /// open removes the output and logs that.
    pub fn keep(mut self) {
        self.settled = true;
    }
}

impl Drop for OutsidePartial {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        // The record goes only once the plaintext is gone.
        match fs::remove_file(&self.path) {
            Ok(()) => remove_record(&self.record),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => remove_record(&self.record),
            Err(_) => {}
        }
    }
}

fn remove_record(record: &Path) {
    if fs::remove_file(record).is_ok()
        && let Some(dir) = record.parent()
    {
        let _ = sync_dir(dir);
    }
}

/// A record: the output's kind, the partial's path and the destination's,
/// and, once the partial is complete, its SHA-256, separated by NUL bytes
/// (which no path holds).
struct Record {
    output: OutputKind,
    partial: PathBuf,
    destination: PathBuf,
    sha256: Option<String>,
}

fn path_bytes(p: &Path) -> Vec<u8> {
    p.as_os_str().as_encoded_bytes().to_vec()
}

fn path_from(bytes: &[u8]) -> Option<PathBuf> {
    #[cfg(unix)]
    let p = PathBuf::from(<std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(bytes.to_vec()));
    #[cfg(not(unix))]
    let p = PathBuf::from(String::from_utf8(bytes.to_vec()).ok()?);
    p.is_absolute().then_some(p)
}

impl Vault {
    /// Records, durably, a partial file about to be written beside `dest`,
    /// and returns it. Nothing is created at the destination yet.
    pub(crate) fn begin_outside_partial(&self, dest: &Path, output: OutputKind) -> Result<OutsidePartial> {
        let dest = std::path::absolute(dest).at(dest)?;
        let path = temp_beside(&dest);
        let dir = self.root.join(FOLDER);
        crate::format::atomic::create_private_dir(&dir)?;
        let record = dir.join(format!("{}.age", random_suffix()));
        self.write_record(&record, output, &path, &dest, None)?;
        Ok(OutsidePartial { path, record, output, destination: dest, settled: false })
    }

    /// Writes a record, durably, encrypted to the vault key.
    fn write_record(&self, record: &Path, output: OutputKind, partial: &Path, dest: &Path, sha256: Option<&str>) -> Result<()> {
        let mut payload = output.as_str().as_bytes().to_vec();
        for p in [partial, dest] {
            payload.push(0);
            payload.extend(path_bytes(p));
        }
        if let Some(sha) = sha256 {
            payload.push(0);
            payload.extend(sha.as_bytes());
        }
        // Signed with the vault key: the age recipient is public, so anyone
        // who can write the folder could make a record; only a signed one is acted on.
        let signature = ed25519_dalek::Signer::sign(self.secrets.signing_key(), &record_message(&payload));
        payload.extend(signature.to_bytes());
        let recipient = self.secrets.age_recipient();
        let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| crate::Error::Encryption(e.to_string()))?;
        let mut sealed = Vec::new();
        let mut w = enc.wrap_output(&mut sealed).map_err(|e| crate::Error::Encryption(e.to_string()))?;
        w.write_all(&payload).and_then(|_| w.finish().map(|_| ())).map_err(|e| crate::Error::Encryption(e.to_string()))?;
        write_atomically(record, &sealed)
    }

    /// Removes what interrupted exports or extractions left outside the
    /// vault: a partial file, or an output renamed into place but never
    /// logged. Each removal is logged before it is done. Returns how many
    /// records were handled.
    pub(crate) fn remove_left_partials(&mut self) -> Result<usize> {
        let dir = self.root.join(FOLDER);
        let Ok(entries) = fs::read_dir(&dir) else { return Ok(0) };
        let mut records: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        records.sort();
        // A record whose own atomic write was cut short: its partial output
        // was never created (that happens only once the record is in place).
        crate::format::atomic::remove_unfinished_temps(&mut records);
        let mut handled = Vec::new();
        let mut events = Vec::new();
        for path in records {
            // A file that is not a record this vault wrote is left for verify to report.
            let Some(r) = self.read_record(&path) else { continue };
            // The destination's folder is out of reach (a removable disk not
            // plugged in): keep the record for a later open.
            if !r.partial.parent().is_some_and(Path::is_dir) {
                continue;
            }
            let victim = if is_file(&r.partial) {
                Some((r.partial.clone(), "the partial file of an interrupted output"))
            } else if is_file(&r.destination)
                && r.sha256.is_some()
                && r.sha256 == sha256_of(&r.destination)
                && !self.output_logged(&r)?
            {
                Some((r.destination.clone(), "an output renamed into place but never logged (interrupted before it was recorded)"))
            } else {
                None
            };
            if let Some((file, what)) = &victim {
                events.push(NewEvent::new(Action::PartialOutputRemoved).details(crate::format::details::PartialOutputRemoved {
                    output: r.output.as_str().to_string(),
                    file: file.to_string_lossy().into_owned(),
                    destination: r.destination.to_string_lossy().into_owned(),
                    removed: what.to_string(),
                }));
            }
            handled.push((path, victim.map(|v| v.0)));
        }
        if !events.is_empty() {
            self.log(events)?;
        }
        for (record, victim) in &handled {
            if let Some(file) = victim {
                // A file that cannot be removed now (a read-only mount) keeps
                // its record, so the next open tries again; opening goes on.
                if fs::remove_file(file).is_err() && is_file(file) {
                    continue;
                }
                if let Some(parent) = file.parent() {
                    let _ = sync_dir(parent);
                }
            }
            remove_record(record);
        }
        Ok(handled.len())
    }

    /// Whether the output a record names was logged (so it stands).
    /// Judged by destination and content both: an earlier output logged at
    /// the same path does not make this one logged.
    fn output_logged(&self, r: &Record) -> Result<bool> {
        let dest = r.destination.to_string_lossy();
        let sha = r.sha256.as_deref().unwrap_or_default();
        Ok(match r.output {
            OutputKind::Bundle => {
                self.conn.query_row(
                    "SELECT count(*) FROM productions WHERE destination = ?1 AND bundle_sha256 = ?2",
                    [dest.as_ref(), sha],
                    |row| row.get::<_, i64>(0),
                )? > 0
            }
            OutputKind::Extraction => self.events_of(Action::Extracted)?.iter().any(|e| {
                e.hash_after.as_deref() == Some(sha)
                    && e.details_as::<crate::format::details::Extracted>().is_some_and(|d| d.destination == dest)
            }),
        })
    }

    /// The record in `path`, if it is one this vault wrote.
    fn read_record(&self, path: &Path) -> Option<Record> {
        let mut sealed = Vec::new();
        fs::File::open(path).ok()?.take(MAX_RECORD).read_to_end(&mut sealed).ok()?;
        let d = age::Decryptor::new(&sealed[..]).ok()?;
        let mut reader = d.decrypt(std::iter::once(self.secrets.age_identity() as &dyn age::Identity)).ok()?;
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).ok()?;
        let split = bytes.len().checked_sub(64)?;
        let (bytes, signature) = bytes.split_at(split);
        let signature = ed25519_dalek::Signature::from_bytes(signature.try_into().ok()?);
        self.secrets.verifying_key().verify_strict(&record_message(bytes), &signature).ok()?;
        let mut parts = bytes.split(|b| *b == 0);
        let output = match parts.next()? {
            b"bundle" => OutputKind::Bundle,
            b"extraction" => OutputKind::Extraction,
            _ => return None,
        };
        let partial = path_from(parts.next()?)?;
        let destination = path_from(parts.next()?)?;
        let sha256 = match parts.next() {
            Some(s) => Some(String::from_utf8(s.to_vec()).ok().filter(|s| s.len() == 64)?),
            None => None,
        };
        // Only a file named as Custos names its partials is ever removed as one.
        let named = partial.file_name().is_some_and(|f| f.to_string_lossy().starts_with(crate::format::atomic::PARTIAL_OUT_PREFIX));
        (named && parts.next().is_none()).then_some(Record { output, partial, destination, sha256 })
    }
}

/// What a record's signature covers.
fn record_message(payload: &[u8]) -> Vec<u8> {
    [b"custos-pending-output-v1\n".as_slice(), payload].concat()
}

/// The SHA-256 of a file's content (`None` if it cannot be read).
fn sha256_of(p: &Path) -> Option<String> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    let mut f = fs::File::open(p).ok()?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match f.read(&mut buf).ok()? {
            0 => return Some(hex::encode(h.finalize())),
            n => h.update(&buf[..n]),
        }
    }
}

fn is_file(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
}
