//! The object store: write-once, content-addressed, age-encrypted exhibit bytes.

use crate::format::atomic::{random_suffix, sync_dir};
use crate::format::direct::ObjectFile;
use crate::error::{Error, IoContext, Result};
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

/// Prefix of an object still being written.
pub(crate) const PARTIAL_PREFIX: &str = ".partial-";
/// Prefix of an intake batch's journal: the names of the objects it put in
/// place and has not yet committed. An object without a row that a journal
/// names was left by an interrupted intake; one that no journal names was
/// referenced by committed work that the database has since lost.
pub(crate) const JOURNAL_PREFIX: &str = ".intake-";

/// The journal of one intake batch (`objects/.intake-<random>`): an object's
/// name is written here before the object is put in place, and the file is
/// removed once the batch's rows are committed. Names are ciphertext hashes
/// (no case data).
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

/// The `objects/` folder of a vault.
#[derive(Debug, Clone)]
pub(crate) struct ObjectStore {
    root: PathBuf,
}

/// An object written to a partial file but not yet renamed into place.
#[derive(Debug)]
pub(crate) struct Partial {
    pub path: PathBuf,
}

impl Partial {
    /// Removes the partial file (on failure or cancellation).
    pub fn discard(self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether `name` looks like an object name (64 lower-case hex digits).
pub(crate) fn is_object_name(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl ObjectStore {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// Where the object named `name` lives.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(&name[..2]).join(name)
    }

    /// Creates a new partial file to stream ciphertext into (past the page
    /// cache where the file system allows it; see [`crate::format::direct`]).
    pub fn create_partial(&self) -> Result<(Partial, ObjectFile)> {
        let path = self.root.join(format!("{PARTIAL_PREFIX}{}", random_suffix()));
        let f = OpenOptions::new().write(true).create_new(true).open(&path).at(&path)?;
        Ok((Partial { path }, ObjectFile::new(f)))
    }

    /// Writes a small, already encrypted object as a partial file in the
    /// folder of its final name (so installing it is a rename within one folder).
    pub fn write_partial_beside(&self, name: &str, bytes: &[u8]) -> Result<Partial> {
        let dir = self.root.join(&name[..2]);
        fs::create_dir_all(&dir).at(&dir)?;
        let path = dir.join(format!("{PARTIAL_PREFIX}{}", random_suffix()));
        let partial = Partial { path };
        let res = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&partial.path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, bytes));
        match res {
            Ok(()) => Ok(partial),
            Err(e) => {
                let path = partial.path.clone();
                partial.discard();
                Err(Error::Io { path, source: e })
            }
        }
    }

    /// Renames a finished partial into place under its name. Not yet durable:
    /// call [`ObjectStore::make_durable`] before referring to it.
    pub fn install(&self, partial: Partial, name: &str) -> Result<PathBuf> {
        let dest = self.path(name);
        let dir = dest.parent().expect("object path has a parent");
        fs::create_dir_all(dir).at(dir)?;
        fs::rename(&partial.path, &dest).at(&dest)?;
        Ok(dest)
    }

    /// Records `name` in the batch's journal (started if need be), then
    /// renames the partial into place: an object in place without a row is
    /// then always told apart from committed work the database has lost.
    pub fn install_journaled(&self, partial: Partial, name: &str, journal: &mut Option<Journal>) -> Result<PathBuf> {
        let recorded = match journal {
            Some(j) => j.record(name),
            None => self.journal().and_then(|mut j| {
                let r = j.record(name);
                *journal = Some(j);
                r
            }),
        };
        if let Err(e) = recorded {
            partial.discard();
            return Err(e);
        }
        crate::failpoint::hit("object.journaled")?;
        self.install(partial, name)
    }

    /// Makes the given installed objects and their folder entries durable.
    pub fn make_durable(&self, objects: &[PathBuf]) -> Result<()> {
        if objects.is_empty() {
            return Ok(());
        }
        #[cfg(target_os = "linux")]
        if objects.len() > 1 {
            // One file-system flush is far cheaper than an fsync per file and
            // covers file data and folder entries alike.
            let f = File::open(&self.root).at(&self.root)?;
            return rustix::fs::syncfs(&f).map_err(|e| Error::Io { path: self.root.clone(), source: e.into() });
        }
        let mut dirs = std::collections::BTreeSet::new();
        for p in objects {
            File::open(p).and_then(|f| f.sync_all()).at(p)?;
            dirs.insert(p.parent().expect("object path has a parent").to_path_buf());
        }
        for d in dirs {
            sync_dir(&d)?;
        }
        sync_dir(&self.root)
    }

    /// Starts the journal of a new intake batch.
    pub fn journal(&self) -> Result<Journal> {
        let path = self.root.join(format!("{JOURNAL_PREFIX}{}", random_suffix()));
        let file = OpenOptions::new().append(true).create_new(true).open(&path).at(&path)?;
        Ok(Journal { path, file })
    }

    /// The object names that journals left by interrupted intakes name, and
    /// the journals' paths, picked from the other entries a [`scan`](Self::scan)
    /// found. A journal is a list of object names, one a line; anything else
    /// in it is ignored (it cannot make an object trusted, only quarantined),
    /// and one that cannot be read names nothing (its objects are then
    /// reported by verify, never trusted).
    pub fn journaled(&self, other: &[PathBuf]) -> (std::collections::HashSet<String>, Vec<PathBuf>) {
        let mut names = std::collections::HashSet::new();
        let mut journals = Vec::new();
        let is_journal = |p: &&PathBuf| {
            p.parent() == Some(self.root.as_path())
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

    /// Opens an object for reading.
    pub fn open(&self, name: &str) -> Result<File> {
        let p = self.path(name);
        File::open(&p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::ObjectMissing(name.to_string()),
            _ => Error::Io { path: p, source: e },
        })
    }

    /// Every file under `objects/`: (object names in place, other entries).
    pub fn scan(&self) -> Result<(Vec<String>, Vec<PathBuf>)> {
        let mut names = Vec::new();
        let mut other = Vec::new();
        for entry in fs::read_dir(&self.root).at(&self.root)? {
            let entry = entry.at(&self.root)?;
            let p = entry.path();
            let fname = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().at(&p)?.is_dir() && fname.len() == 2 {
                for sub in fs::read_dir(&p).at(&p)? {
                    let sub = sub.at(&p)?;
                    let sname = sub.file_name().to_string_lossy().into_owned();
                    if is_object_name(&sname) && sname.starts_with(&fname) && sub.file_type().at(&sub.path())?.is_file() {
                        names.push(sname);
                    } else {
                        other.push(sub.path());
                    }
                }
            } else {
                other.push(p);
            }
        }
        names.sort();
        other.sort();
        Ok((names, other))
    }

    /// Moves an object or stray file to `quarantine`, keeping its name.
    pub fn quarantine(&self, path: &Path, quarantine: &Path) -> Result<PathBuf> {
        let dest = quarantine_path(path, quarantine);
        self.move_to_quarantine(path, &dest)?;
        Ok(dest)
    }

    /// Moves `path` to `dest` (a [`quarantine_path`]), durably.
    pub fn move_to_quarantine(&self, path: &Path, dest: &Path) -> Result<()> {
        let quarantine = dest.parent().expect("a quarantine path has a parent");
        fs::create_dir_all(quarantine).at(quarantine)?;
        fs::rename(path, dest).at(dest)?;
        sync_dir(quarantine)?;
        if let Some(parent) = path.parent() {
            sync_dir(parent)?;
        }
        Ok(())
    }
}

/// Where a file moved to `quarantine` goes: its name and a random suffix.
pub(crate) fn quarantine_path(path: &Path, quarantine: &Path) -> PathBuf {
    let fname = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    quarantine.join(format!("{}-{}", fname, random_suffix()))
}
