//! The object store: write-once, content-addressed, age-encrypted exhibit
//! bytes, reached through an [`ObjectBackend`] (the vault's `objects/`
//! folder, [`LocalObjects`], or a firm's S3 bucket with Object Lock,
//! [`S3Objects`]), with the journals that let an interrupted batch be told
//! apart from committed work.

mod backend;
mod local;
mod s3;

pub(crate) use backend::{Listing, ObjectBackend, ObjectReader, PartialObject, RangeReader};
pub(crate) use local::{LocalObjects, is_object_name};
pub(crate) use s3::{Placement, S3Objects};

use crate::error::{IoContext, Result};
use crate::format::atomic::random_suffix;
use crate::format::direct::ObjectFile;
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

/// Prefix of an object still being written.
pub(crate) const PARTIAL_PREFIX: &str = ".partial-";
/// Prefix of an intake batch's journal: the names of the objects it put in
/// place and has not yet committed. An object without a row that a journal
/// names was left by an interrupted intake; one that no journal names was
/// referenced by committed work that the database has since lost.
pub(crate) const JOURNAL_PREFIX: &str = ".intake-";

/// The journal of one intake or import batch (`objects/.intake-<random>`):
/// an object's name is written here before the object is put in place, and
/// the file is removed once the batch's rows are committed. Names are
/// ciphertext hashes (no case data).
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Records that `name` is about to be put in place. Written before the
    /// rename, so that a crash after it finds the name here (a process crash
    /// keeps written bytes; the batch's flush makes both durable together).
    pub fn record(&mut self, name: &str) -> Result<()> {
        use std::io::Write;
        writeln!(self.file, "{name}").at(&self.path)
    }

    /// Makes the names written so far durable (before the batch's objects
    /// are made durable, so that after a power cut no object is in place
    /// that its journal does not name).
    pub fn sync(&self) -> Result<()> {
        self.file.sync_data().at(&self.path)
    }

    /// Removes the journal once its batch is committed. A journal left by a
    /// crash after the commit names only referenced objects and is removed on the next open.
    pub fn finish(self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// A vault's objects: every read and write of object bytes goes through
/// the backend; journals (and, for a bucket, partials) are kept in the
/// vault's `objects/` folder.
#[derive(Debug, Clone)]
pub(crate) struct ObjectStore {
    backend: std::sync::Arc<dyn ObjectBackend>,
    /// The vault's `objects/` folder.
    folder: LocalObjects,
    /// The bucket, when the objects live in one.
    bucket: Option<S3Objects>,
    journals: PathBuf,
}

impl ObjectStore {
    /// The objects in the folder `root` (a vault's `objects/`), journals beside them.
    pub fn new(root: PathBuf) -> Self {
        let folder = LocalObjects::new(root.clone());
        Self { backend: std::sync::Arc::new(folder.clone()), folder, bucket: None, journals: root }
    }

    /// The objects in an S3 bucket, partials and journals in the folder `root`.
    pub fn in_bucket(bucket: S3Objects, root: PathBuf) -> Self {
        Self { backend: std::sync::Arc::new(bucket.clone()), folder: LocalObjects::new(root.clone()), bucket: Some(bucket), journals: root }
    }

    /// The bucket, when the objects live in one.
    pub fn bucket(&self) -> Option<&S3Objects> {
        self.bucket.as_ref()
    }

    /// Where the object named `name` lives in the vault folder (a bucket's
    /// objects are never there).
    pub fn path(&self, name: &str) -> PathBuf {
        self.folder.path(name)
    }

    /// Sets aside an object that must never be trusted: moved to
    /// `quarantine` (its new path returned) when it is in the vault folder;
    /// left where it is in a write-once bucket (`None`), which cannot remove
    /// it before its retention date.
    pub fn set_aside(&self, name: &str, quarantine: &Path) -> Result<Option<PathBuf>> {
        if self.bucket.is_some() {
            return Ok(None);
        }
        self.quarantine(&self.path(name), quarantine).map(Some)
    }

    /// Moves an object or stray file to `quarantine`, keeping its name (see
    /// [`LocalObjects::move_to_quarantine`]).
    pub fn quarantine(&self, path: &Path, quarantine: &Path) -> Result<PathBuf> {
        let dest = quarantine_path(path, quarantine);
        self.move_to_quarantine(path, &dest)?;
        Ok(dest)
    }

    /// Moves `path` to `dest` (a [`quarantine_path`]), durably.
    pub fn move_to_quarantine(&self, path: &Path, dest: &Path) -> Result<()> {
        self.folder.move_to_quarantine(path, dest)
    }

    /// Objects in the vault folder of a vault whose objects are in a bucket:
    /// copies a move to the bucket left (see [`ObjectStore::remove_folder_copies`]).
    pub fn folder_copies(&self) -> Result<Vec<String>> {
        if self.bucket.is_none() {
            return Ok(Vec::new());
        }
        Ok(self.folder.list()?.0)
    }

    /// Removes the folder's copies of `names` once they are in the bucket,
    /// and the folders they leave empty.
    pub fn remove_folder_copies(&self, names: &[String]) -> Result<()> {
        for name in names {
            let p = self.folder.path(name);
            match fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(crate::Error::Io { path: p, source: e }),
            }
        }
        let root = &self.journals;
        for entry in fs::read_dir(root).at(root)?.flatten() {
            if entry.file_name().len() == 2 && entry.path().is_dir() {
                // Only an empty folder goes.
                let _ = fs::remove_dir(entry.path());
            }
        }
        crate::format::atomic::sync_dir(root)
    }

    /// What an interrupted batch may have left: the objects in place that
    /// matter (all of a folder's; of a bucket's, only those a journal names,
    /// so opening never lists the whole bucket), and the partials and
    /// journals in the folder.
    pub fn leftovers(&self) -> Result<Listing> {
        if self.bucket.is_none() {
            return self.scan();
        }
        let (_, other) = self.folder.list()?;
        let (journaled, _) = self.journaled(&other);
        let mut names = Vec::new();
        for name in journaled {
            if self.backend.exists(&name)? {
                names.push(name);
            }
        }
        names.sort();
        Ok((names, other))
    }

    /// Creates a new partial object to stream ciphertext into (past the page
    /// cache where the file system allows it; see [`crate::format::direct`]).
    pub fn create_partial(&self) -> Result<(PartialObject, ObjectFile)> {
        self.backend.create_partial()
    }

    /// Writes a small, already encrypted object as a partial object, to be
    /// put in place under `name`.
    pub fn write_partial_beside(&self, name: &str, bytes: &[u8]) -> Result<PartialObject> {
        self.backend.write_partial(name, bytes)
    }

    /// Records `name` in the batch's journal (started if need be), then puts
    /// the partial in place: an object in place without a row is then always
    /// told apart from committed work the database has lost. Not yet
    /// durable: see [`ObjectStore::make_durable`].
    pub fn install_journaled(&self, partial: PartialObject, name: &str, journal: &mut Option<Journal>) -> Result<()> {
        match journal {
            Some(j) => j.record(name)?,
            None => {
                let j = journal.insert(self.journal()?);
                j.record(name)?;
            }
        }
        crate::failpoint::hit("object.journaled")?;
        self.backend.put(partial, name)
    }

    /// Makes the objects put in place under `names` durable.
    pub fn make_durable(&self, names: &[String]) -> Result<()> {
        self.backend.make_durable(names)
    }

    /// Opens an object for reading.
    pub fn open(&self, name: &str) -> Result<ObjectReader> {
        self.backend.get(name)
    }

    /// Opens the object `name` for reads at any offset.
    pub fn open_ranges(&self, name: &str) -> Result<RangeReader> {
        self.backend.get_ranges(name)
    }

    /// Whether an object is in place under `name`.
    #[allow(dead_code)]
    pub fn exists(&self, name: &str) -> Result<bool> {
        self.backend.exists(name)
    }

    /// Every object in place, and the other entries among them.
    pub fn scan(&self) -> Result<Listing> {
        self.backend.list()
    }

    /// Starts the journal of a new batch.
    fn journal(&self) -> Result<Journal> {
        let path = self.journals.join(format!("{JOURNAL_PREFIX}{}", random_suffix()));
        let file = OpenOptions::new().append(true).create_new(true).open(&path).at(&path)?;
        // Its name made durable too: a bucket's objects are durable on the
        // server as soon as they are uploaded, with no flush of this folder after.
        crate::format::atomic::sync_dir(&self.journals)?;
        Ok(Journal { path, file })
    }

    /// The object names that journals left by interrupted batches name, and
    /// the journals' paths, picked from the other entries a [`scan`](Self::scan)
    /// found. A journal is a list of object names, one a line; anything else
    /// in it is ignored (it cannot make an object trusted, only quarantined),
    /// and one that cannot be read names nothing (its objects are then
    /// reported by verify, never trusted).
    pub fn journaled(&self, other: &[PathBuf]) -> (std::collections::HashSet<String>, Vec<PathBuf>) {
        let mut names = std::collections::HashSet::new();
        let mut journals = Vec::new();
        let is_journal = |p: &&PathBuf| {
            p.parent() == Some(self.journals.as_path())
                && p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(JOURNAL_PREFIX))
                && p.is_file()
        };
        for p in other.iter().filter(is_journal) {
            // Bounded: a batch names at most a few hundred objects.
            let mut bytes = Vec::new();
            if let Ok(f) = File::open(p) {
                let _ = std::io::Read::read_to_end(&mut std::io::Read::take(f, 1 << 20), &mut bytes);
            }
            names.extend(String::from_utf8_lossy(&bytes).lines().filter(|l| is_object_name(l)).map(str::to_string));
            journals.push(p.clone());
        }
        (names, journals)
    }
}

/// Where a file moved to `quarantine` goes: its name and a random suffix.
pub(crate) fn quarantine_path(path: &Path, quarantine: &Path) -> PathBuf {
    let fname = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    quarantine.join(format!("{}-{}", fname, random_suffix()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, ObjectStore) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("objects");
        fs::create_dir_all(&root).unwrap();
        (dir, ObjectStore::new(root))
    }

    #[test]
    fn a_partial_object_dropped_before_it_is_put_in_place_is_removed() {
        let (_dir, objects) = store();
        let (partial, out) = objects.create_partial().unwrap();
        out.finish().unwrap();
        let streamed = partial.path().to_path_buf();
        let small = objects.write_partial_beside(&"ab".repeat(32), b"sealed bytes").unwrap();
        let beside = small.path().to_path_buf();
        assert!(streamed.is_file() && beside.is_file());
        drop(partial);
        drop(small);
        assert!(!streamed.exists() && !beside.exists(), "no partial is left behind");
        let (names, other) = objects.scan().unwrap();
        assert!(names.is_empty() && other.is_empty(), "nothing among the objects: {other:?}");
    }

    #[test]
    fn an_object_is_put_in_place_once_and_read_back_through_the_backend() {
        let (_dir, objects) = store();
        let name = "cd".repeat(32);
        let mut journal = None;
        let first = objects.write_partial_beside(&name, b"first").unwrap();
        objects.install_journaled(first, &name, &mut journal).unwrap();
        objects.make_durable(std::slice::from_ref(&name)).unwrap();
        assert!(objects.exists(&name).unwrap());
        let second = objects.write_partial_beside(&name, b"second").unwrap();
        let second_path = second.path().to_path_buf();
        let err = objects.install_journaled(second, &name, &mut journal).unwrap_err();
        assert!(err.to_string().contains("written once"), "{err}");
        assert!(!second_path.exists(), "the refused partial is removed");
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut objects.open(&name).unwrap(), &mut got).unwrap();
        assert_eq!(got, b"first", "the object in place is never replaced");
        let (names, other) = objects.scan().unwrap();
        assert_eq!(names, std::slice::from_ref(&name));
        let (journaled, journals) = objects.journaled(&other);
        assert!(journaled.contains(&name) && journals.len() == 1, "the journal names the object put in place");
        journal.unwrap().finish();
        assert!(matches!(objects.open(&"ef".repeat(32)), Err(crate::Error::ObjectMissing(_))));
    }
}
