//! The first object backend: the vault's own `objects/` folder, an object
//! at `objects/<first two hex>/<name>` (DESIGN.md §1.3).

use super::PARTIAL_PREFIX;
use super::backend::{Listing, ObjectBackend, ObjectReader, PartialObject, RangeReader};
use crate::error::{Error, IoContext, Result};
use crate::format::atomic::{random_suffix, sync_dir};
use crate::format::direct::ObjectFile;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// The `objects/` folder of a vault.
#[derive(Debug, Clone)]
pub(crate) struct LocalObjects {
    root: PathBuf,
}

/// Whether `name` looks like an object name (64 lower-case hex digits).
pub(crate) fn is_object_name(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl LocalObjects {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// Where the object named `name` lives.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(&name[..2]).join(name)
    }

    /// Moves `path` (an object or a stray file among them) to `dest` in the
    /// vault's `quarantine/` folder, durably. Not part of [`ObjectBackend`],
    /// which never takes an object away: this is the one way a file leaves
    /// the folder, done only for an object no exhibit refers to and only
    /// after its custody event is committed (or with it).
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

    /// Renames `from` to `to` unless something is at `to` already.
    fn rename_new(&self, from: &Path, to: &Path, name: &str) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{CWD, RenameFlags, renameat_with};
            match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
                Ok(()) => return Ok(()),
                // The file system does not do it: check, then rename (one writer holds the vault).
                Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
                Err(e) => return Err(e.into()),
            }
        }
        if self.exists(name).map_err(|e| io::Error::other(e.to_string()))? {
            return Err(io::ErrorKind::AlreadyExists.into());
        }
        fs::rename(from, to)
    }
}

impl ObjectBackend for LocalObjects {
    fn create_partial(&self) -> Result<(PartialObject, ObjectFile)> {
        let path = self.root.join(format!("{PARTIAL_PREFIX}{}", random_suffix()));
        let f = OpenOptions::new().write(true).create_new(true).open(&path).at(&path)?;
        Ok((PartialObject::new(path), ObjectFile::new(f)))
    }

    /// Written in the folder of its final name, so putting it in place is a
    /// rename within one folder (and file creation spreads over the folders).
    fn write_partial(&self, name: &str, bytes: &[u8]) -> Result<PartialObject> {
        let dir = self.root.join(&name[..2]);
        fs::create_dir_all(&dir).at(&dir)?;
        let path = dir.join(format!("{PARTIAL_PREFIX}{}", random_suffix()));
        let mut file = OpenOptions::new().write(true).create_new(true).open(&path).at(&path)?;
        // From here on, a failure removes the file with the partial.
        let partial = PartialObject::new(path);
        io::Write::write_all(&mut file, bytes).at(partial.path())?;
        Ok(partial)
    }

    fn put(&self, partial: PartialObject, name: &str) -> Result<()> {
        let dest = self.path(name);
        let dir = dest.parent().expect("object path has a parent");
        fs::create_dir_all(dir).at(dir)?;
        self.rename_new(partial.path(), &dest, name).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => Error::Io {
                path: dest.clone(),
                source: io::Error::new(e.kind(), format!("object {name} is already in place; an object is written once")),
            },
            _ => Error::Io { path: dest.clone(), source: e },
        })?;
        partial.placed();
        Ok(())
    }

    fn make_durable(&self, names: &[String]) -> Result<()> {
        if names.is_empty() {
            return Ok(());
        }
        #[cfg(target_os = "linux")]
        if names.len() > 1 {
            // One file-system flush is far cheaper than an fsync per file and
            // covers file data and folder entries alike.
            let f = File::open(&self.root).at(&self.root)?;
            return rustix::fs::syncfs(&f).map_err(|e| Error::Io { path: self.root.clone(), source: e.into() });
        }
        let mut dirs = std::collections::BTreeSet::new();
        for name in names {
            let p = self.path(name);
            File::open(&p).and_then(|f| f.sync_all()).at(&p)?;
            dirs.insert(p.parent().expect("object path has a parent").to_path_buf());
        }
        for d in dirs {
            sync_dir(&d)?;
        }
        sync_dir(&self.root)
    }

    fn get(&self, name: &str) -> Result<ObjectReader> {
        let p = self.path(name);
        match File::open(&p) {
            Ok(f) => Ok(Box::new(f)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Error::ObjectMissing(name.to_string())),
            Err(e) => Err(Error::Io { path: p, source: e }),
        }
    }

    fn get_ranges(&self, name: &str) -> Result<RangeReader> {
        let p = self.path(name);
        match File::open(&p) {
            Ok(f) => Ok(Box::new(f)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Err(Error::ObjectMissing(name.to_string()))
            }
            Err(e) => Err(Error::Io { path: p, source: e }),
        }
    }

    fn exists(&self, name: &str) -> Result<bool> {
        let p = self.path(name);
        match fs::symlink_metadata(&p) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::Io { path: p, source: e }),
        }
    }

    fn list(&self) -> Result<Listing> {
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
}
