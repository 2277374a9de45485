//! Reading exhibits out of the vault: extracting one to a file, viewing
//! one in memory. Both decrypt and authenticate the whole object first.

use crate::format::atomic::sync_dir;
use crate::format::custody::{Action, NewEvent};
use crate::error::{Error, IoContext, Result};
use crate::store::partials::{OutputKind, OutsidePartial};
use crate::format::pipeline;
use crate::progress::{NoProgress, Progress};
use std::fs::{self};
use std::io::Write;
use std::path::Path;
use crate::store::{ExhibitDetail, Vault};

/// The largest exhibit processing reads into memory.
pub(crate) const MAX_IN_MEMORY: u64 = 2 << 30;

/// Reads exhibits' objects on any thread.
#[derive(Clone)]
pub(crate) struct ExhibitReader {
    objects: crate::store::objects::ObjectStore,
    identity: age::x25519::Identity,
}

impl ExhibitReader {
    /// The object store and the vault's identity.
    pub(crate) fn parts(&self) -> (&crate::store::objects::ObjectStore, &age::x25519::Identity) {
        (&self.objects, &self.identity)
    }

    /// An exhibit's plaintext for reading at any offset, once all of it has
    /// authenticated (see [`crate::format::seekable`]).
    pub(crate) fn seekable(
        &self,
        detail: &ExhibitDetail,
    ) -> Result<crate::format::seekable::Seekable> {
        let src = self.objects.open_ranges(&detail.object)?;
        crate::format::seekable::Seekable::verified(
            src,
            &detail.object,
            &self.identity,
            detail.exhibit.size,
            &detail.exhibit.sha256,
        )
    }

    /// The first bytes of an exhibit (its first chunk, authenticated by its
    /// tag but not yet with the whole object), only to tell what it is.
    pub(crate) fn head(&self, detail: &ExhibitDetail) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        let src = self.objects.open(&detail.object)?;
        let fail = |_| Error::ObjectAuthentication {
            object: detail.object.clone(),
        };
        let mut reader = crate::format::agefile::Reader::new(
            src,
            &self.identity,
            detail.exhibit.size,
            |_: &[u8]| {},
        )
        .map_err(fail)?;
        let mut buf = zeroize::Zeroizing::new(vec![0u8; crate::format::agefile::PAYLOAD_CHUNK]);
        let (n, _) = reader.next_run(&mut buf).map_err(fail)?;
        buf.truncate(n);
        Ok(buf)
    }
}

/// A whole exhibit in memory (zeroed when dropped), only once it has fully
/// authenticated with its intake SHA-256 and its object's name.
pub(crate) fn read_whole(r: &ExhibitReader, detail: &ExhibitDetail) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    read_object_whole(r, &detail.exhibit, &detail.object)
}

/// [`read_whole`] of `exhibit`, kept in `object`.
pub(crate) fn read_object_whole(r: &ExhibitReader, exhibit: &crate::store::exhibits::Exhibit, object: &str) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    if exhibit.size > MAX_IN_MEMORY {
        return Err(Error::InvalidInput(format!(
            "{} is {} bytes, more than the {MAX_IN_MEMORY} bytes processing reads into memory",
            exhibit.id, exhibit.size
        )));
    }
    let mut buf = zeroize::Zeroizing::new(Vec::with_capacity(exhibit.size as usize));
    let src = r.objects.open(object)?;
    let hashes = pipeline::Hashes { md5: false, ciphertext: true };
    let got = pipeline::decrypt_stream(src, object, &r.identity, hashes, exhibit.size, &NoProgress, &mut |c| {
        buf.extend_from_slice(c);
        Ok(())
    })?;
    if hex::encode(got.sha256) != exhibit.sha256 || hex::encode(got.object_sha256) != object {
        return Err(Error::ObjectAuthentication { object: object.to_string() });
    }
    Ok(buf)
}

impl Vault {
    /// Writes an exhibit's original bytes to `dest` (which must not exist).
    /// The file appears only once the whole object has authenticated and its
    /// SHA-256 matches the intake value; the extraction is logged.
    pub fn extract(&mut self, id: &str, dest: &Path, progress: &dyn Progress) -> Result<String> {
        let detail = self.show(id)?;
        if dest.exists() {
            return Err(Error::InvalidInput(format!("{} already exists; choose another destination", dest.display())));
        }
        let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        self.refuse_inside_vault(parent)?;
        let (sha, partial) = self.decrypt_to(&detail, dest, progress)?;
        let destination = std::path::absolute(dest).unwrap_or_else(|_| dest.to_path_buf());
        let logged = self.log(vec![
            NewEvent::new(Action::Extracted)
                .exhibit(id)
                .sha256(detail.exhibit.sha256.clone(), sha.clone())
                .details(crate::format::details::Extracted { destination: destination.to_string_lossy().into_owned() }),
        ]);
        if let Err(e) = logged {
            // Unlogged, the plaintext must not stand. If it cannot be
            // removed, the record stays and the next open removes it.
            if fs::remove_file(dest).is_err() {
                partial.keep();
            }
            return Err(e);
        }
        partial.finish();
        Ok(sha)
    }

    fn decrypt_to(&self, detail: &ExhibitDetail, dest: &Path, progress: &dyn Progress) -> Result<(String, OutsidePartial)> {
        // Recorded in the vault first: a crash leaves no plaintext that the
        // next open does not remove.
        let partial = self.begin_outside_partial(dest, OutputKind::Extraction)?;
        let tmp = partial.path.clone();
        let res = (|| -> Result<String> {
            let mut out = std::io::BufWriter::with_capacity(
                1 << 20,
                fs::OpenOptions::new().write(true).create_new(true).open(&tmp).at(&tmp)?,
            );
            let sha = self.decrypt_exhibit(detail, progress, &mut |c| out.write_all(c).at(&tmp))?;
            let f = out.into_inner().map_err(|e| Error::Io { path: tmp.clone(), source: e.into_error() })?;
            f.sync_all().at(&tmp)?;
            drop(f);
            partial.before_rename(self, &sha)?;
            crate::failpoint::hit("extract.written")?;
            fs::rename(&tmp, dest).at(dest)?;
            let synced = match dest.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(parent) => sync_dir(parent),
                None => Ok(()),
            };
            if let Err(e) = synced.and_then(|_| crate::failpoint::hit("extract.renamed")) {
                // In place but not to be logged: it must not stand.
                let _ = fs::remove_file(dest);
                return Err(e);
            }
            Ok(sha)
        })();
        res.map(|sha| (sha, partial))
    }

    /// Refuses a destination inside the vault's own folder: plaintext must
    /// never be written there.
    pub(crate) fn refuse_inside_vault(&self, folder: &Path) -> Result<()> {
        let vault = fs::canonicalize(self.root()).at(self.root())?;
        let folder = fs::canonicalize(folder).at(folder)?;
        if folder.starts_with(&vault) {
            return Err(Error::InvalidInput(format!(
                "{} is inside the vault folder; choose a destination outside the vault",
                folder.display()
            )));
        }
        Ok(())
    }

    /// Reads a whole exhibit into memory for display (at most `max_bytes`),
    /// only after it has fully authenticated; logs a `viewed` event.
    pub fn view(&mut self, id: &str, max_bytes: u64) -> Result<Vec<u8>> {
        let detail = self.show(id)?;
        if detail.exhibit.size > max_bytes {
            return Err(Error::InvalidInput(format!(
                "{id} is {} bytes, more than the {max_bytes} a preview may hold",
                detail.exhibit.size
            )));
        }
        let mut buf = Vec::with_capacity(detail.exhibit.size as usize);
        let sha = self.decrypt_exhibit(&detail, &NoProgress, &mut |c| {
            buf.extend_from_slice(c);
            Ok(())
        })?;
        self.log(vec![NewEvent::new(Action::Viewed).exhibit(id).sha256(detail.exhibit.sha256.clone(), sha)])?;
        Ok(buf)
    }

    /// Reads a whole exhibit into memory (zeroed when dropped), only after it
    /// has fully authenticated; for processing, which logs what it derives.
    pub(crate) fn read_exhibit(&self, detail: &ExhibitDetail) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        read_whole(&self.reader(), detail)
    }

    /// What reading exhibits on other threads needs (no database).
    pub(crate) fn reader(&self) -> ExhibitReader {
        ExhibitReader { objects: self.objects().clone(), identity: self.secrets().age_identity().clone() }
    }

    /// Decrypts an exhibit's object into `sink` and returns the SHA-256 of
    /// its plaintext, which must be the intake value (and the ciphertext the
    /// object's name): the caller trusts what `sink` got only on `Ok`.
    fn decrypt_exhibit(&self, detail: &ExhibitDetail, progress: &dyn Progress, sink: &mut (dyn FnMut(&[u8]) -> Result<()> + Send)) -> Result<String> {
        let src = self.objects().open(&detail.object)?;
        let hashes = pipeline::Hashes { md5: false, ciphertext: true };
        let got = pipeline::decrypt_stream(src, &detail.object, self.secrets().age_identity(), hashes, detail.exhibit.size, progress, sink)?;
        let sha = hex::encode(got.sha256);
        if sha != detail.exhibit.sha256 || hex::encode(got.object_sha256) != detail.object {
            return Err(Error::ObjectAuthentication { object: detail.object.clone() });
        }
        Ok(sha)
    }
}
