//! Durable, atomic file writes: temp file in the same folder, fsync, rename, fsync the folder.

use crate::error::{IoContext, Result};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A random hex string for temporary names.
pub(crate) fn random_suffix() -> String {
    let mut b = [0u8; 12];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    hex::encode(b)
}

/// How the name of an atomic write's temp file begins.
const TEMP_PREFIX: &str = ".tmp-";

/// Writes `bytes` to `path` so that afterwards the file holds either its old
/// contents or all of the new ones, durably.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!("{TEMP_PREFIX}{}", random_suffix()));
    let res = (|| {
        let mut f = private_file(OpenOptions::new().write(true).create_new(true)).open(&tmp).at(&tmp)?;
        f.write_all(bytes).at(&tmp)?;
        f.sync_all().at(&tmp)?;
        drop(f);
        fs::rename(&tmp, path).at(path)?;
        sync_dir(dir)
    })();
    if res.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    res
}

/// Options that create a file readable and writable only by its owner
/// (0600 on Unix): key files, the database, the vault's own records.
pub(crate) fn private_file(o: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(o, 0o600);
    o
}

/// Removes, from `paths`, the temp files of atomic writes that a crash cut
/// short (`.tmp-*`: never renamed into place, so never used), and deletes them.
pub(crate) fn remove_unfinished_temps(paths: &mut Vec<PathBuf>) {
    paths.retain(|p| {
        let temp = p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(TEMP_PREFIX));
        if temp {
            let _ = fs::remove_file(p);
        }
        !temp
    });
}

/// Makes a folder's entries (creations, renames) durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).at(dir)
}

/// How the name of a partial file written outside the vault begins.
pub(crate) const PARTIAL_OUT_PREFIX: &str = ".custos-partial-";

/// A temp path beside `dest` for a write that is renamed into place.
pub(crate) fn temp_beside(dest: &Path) -> PathBuf {
    let dir = dest.parent().unwrap_or(Path::new("."));
    dir.join(format!("{PARTIAL_OUT_PREFIX}{}", random_suffix()))
}

/// Creates a folder of the vault readable only by its owner (0700 on Unix).
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).at(dir)
}
