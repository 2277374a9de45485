//! The object store: write-once, content-addressed, age-encrypted exhibit bytes.

use crate::atomic::{random_suffix, sync_dir};
use crate::direct::ObjectFile;
use crate::error::{Error, IoContext, Result};
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

/// Prefix of an object still being written.
pub(crate) const PARTIAL_PREFIX: &str = ".partial-";

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
    /// cache where the file system allows it; see [`crate::direct`]).
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
        fs::create_dir_all(quarantine).at(quarantine)?;
        let fname = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let dest = quarantine.join(format!("{}-{}", fname, random_suffix()));
        fs::rename(path, &dest).at(&dest)?;
        sync_dir(quarantine)?;
        if let Some(parent) = path.parent() {
            sync_dir(parent)?;
        }
        Ok(dest)
    }
}
