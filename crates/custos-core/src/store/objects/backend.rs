//! The seam between the object store and where object bytes are kept.
//!
//! An object is written once under its name and never changed or removed
//! through this trait: there is no delete. The local folder
//! ([`super::local::LocalObjects`]) is the first implementation; moving a
//! stray object to quarantine is something that backend offers on its own,
//! outside the trait.

use crate::error::Result;
use crate::format::direct::ObjectFile;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// An object opened for reading.
pub(crate) type ObjectReader = Box<dyn Read + Send>;

pub(crate) use crate::format::seekable::ObjectRange;

/// An object opened for random access.
pub(crate) type RangeReader = Box<dyn ObjectRange>;

/// What a backend holds: the object names in place (sorted), and every
/// other entry found among them (partials, journals, files put there from
/// outside), by path.
pub(crate) type Listing = (Vec<String>, Vec<PathBuf>);

/// Where a vault's objects are kept.
pub(crate) trait ObjectBackend: fmt::Debug + Send + Sync {
    /// A new, empty partial object to stream ciphertext into (past the page
    /// cache where the file system allows it), and its writer.
    fn create_partial(&self) -> Result<(PartialObject, ObjectFile)>;

    /// A small object, already encrypted, written whole as a partial that
    /// `put` can place under `name` cheaply.
    fn write_partial(&self, name: &str, bytes: &[u8]) -> Result<PartialObject>;

    /// Puts a finished partial in place under `name`, once: an object that
    /// is already in place under that name is never replaced (an error).
    /// Not yet durable: see [`ObjectBackend::make_durable`].
    fn put(&self, partial: PartialObject, name: &str) -> Result<()>;

    /// Makes the objects put under `names` durable, before anything refers to them.
    fn make_durable(&self, names: &[String]) -> Result<()>;

    /// Opens the object `name` for reading ([`crate::Error::ObjectMissing`]
    /// if there is none).
    fn get(&self, name: &str) -> Result<ObjectReader>;

    /// Opens the object `name` for reads at any offset.
    fn get_ranges(&self, name: &str) -> Result<RangeReader>;

    /// Whether an object is in place under `name`.
    fn exists(&self, name: &str) -> Result<bool>;

    /// Every object in place, and the other entries found among them.
    fn list(&self) -> Result<Listing>;
}

/// An object being written, not yet put in place. Dropped before
/// [`ObjectBackend::put`] takes it (an error, a cancellation, a duplicate),
/// its file is removed: no caller discards it by hand.
#[derive(Debug)]
#[must_use = "a partial object is removed when dropped: put it in place or let it go on purpose"]
pub(crate) struct PartialObject {
    path: PathBuf,
    /// Taken by a backend's `put`: dropping it then removes nothing.
    placed: bool,
}

impl PartialObject {
    /// A partial file a backend has just created at `path`.
    pub(super) fn new(path: PathBuf) -> Self {
        Self { path, placed: false }
    }

    /// The partial file (to read it back while or after it is written).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// For a backend's `put`, once its bytes are in place under their name:
    /// the partial is no longer to be removed.
    pub(super) fn placed(mut self) {
        self.placed = true;
    }
}

impl Drop for PartialObject {
    fn drop(&mut self) {
        if !self.placed {
            let _ = fs::remove_file(&self.path);
        }
    }
}
