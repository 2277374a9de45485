//! Collecting an intake's inputs, once, before the vault is unlocked: each
//! path given must exist, folders are walked (sorted by name, symbolic links
//! reported and not followed), and what cannot be taken in is kept as a
//! problem to report.

use crate::error::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// One entry found while walking the inputs.
#[derive(Debug, Clone)]
pub(super) enum Found {
    /// A regular file and its size when it was found.
    File(PathBuf, u64),
    /// Something that cannot be taken in, and why.
    Problem(PathBuf, String),
}

/// The files and folders to take in, collected once: checked to exist and
/// walked before the vault is unlocked (so a missing input is refused before
/// a passphrase is asked for or anything is written), then handed to
/// [`Vault::add`](crate::Vault::add).
#[derive(Debug, Clone, Default)]
pub struct IntakeInputs {
    pub(super) found: Vec<Found>,
}

impl IntakeInputs {
    /// Checks that every path given exists and walks the folders among them.
    /// A path that does not exist or cannot be read is an error, and nothing
    /// is taken in; inside folders, an entry that cannot be read or is not a
    /// regular file is kept to be reported, and the rest proceed.
    pub fn collect(inputs: &[PathBuf]) -> Result<Self> {
        for p in inputs {
            if fs::symlink_metadata(p).is_err() {
                return Err(Error::InvalidInput(format!("{} does not exist or cannot be read; nothing was taken in", p.display())));
            }
        }
        let mut found = Vec::new();
        for p in inputs {
            // A symbolic link is reported and not followed, the one given here included.
            for entry in walkdir::WalkDir::new(p).follow_links(false).follow_root_links(false).sort_by_file_name() {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                        found.push(Found::File(e.into_path(), size));
                    }
                    Ok(e) if e.file_type().is_symlink() => {
                        found.push(Found::Problem(e.into_path(), "is a symbolic link; links are not followed, take in its target".into()))
                    }
                    Ok(e) if e.file_type().is_dir() => {}
                    Ok(e) => found.push(Found::Problem(e.into_path(), "is not a regular file (device, socket or pipe)".into())),
                    Err(err) => {
                        let path = err.path().map(Path::to_path_buf).unwrap_or_else(|| p.clone());
                        let why = err.io_error().map(|e| e.to_string()).unwrap_or_else(|| err.to_string());
                        found.push(Found::Problem(path, format!("cannot be read: {why}")));
                    }
                }
            }
        }
        Ok(Self { found })
    }

    /// How many entries were found (files, and entries that cannot be taken in).
    pub fn len(&self) -> usize {
        self.found.len()
    }

    /// Whether nothing was found (only empty folders were given).
    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// The bytes of the files found, by their size when they were found.
    pub fn bytes(&self) -> u64 {
        self.found.iter().map(|f| if let Found::File(_, s) = f { *s } else { 0 }).sum()
    }
}

/// Opens a source for reading without changing its access time where the
/// OS allows it (`O_NOATIME`: the file's owner or root), since reading
/// evidence must not alter the original's metadata; otherwise as usual.
pub(super) fn open_source(path: &Path) -> std::io::Result<fs::File> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // EPERM (not the owner) falls back; anything else is reported by the plain open below.
        if let Ok(f) = fs::OpenOptions::new().read(true).custom_flags(rustix::fs::OFlags::NOATIME.bits() as i32).open(path) {
            return Ok(f);
        }
    }
    fs::File::open(path)
}

/// The MIME type from the first bytes of the content; the extension only
/// decides between text types.
pub(crate) fn sniff_mime(head: &[u8], path: &Path) -> String {
    if head.is_empty() {
        return "application/x-empty".into();
    }
    if let Some(t) = infer::get(head) {
        return t.mime_type().to_string();
    }
    let looks_text = !head.contains(&0)
        && match std::str::from_utf8(head) {
            Ok(_) => true,
            // A multi-byte character cut at the end of the sniffed window.
            Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > head.len(),
        };
    if looks_text {
        let guess = mime_guess::from_path(path).first_raw().unwrap_or("");
        if guess.starts_with("text/") || guess == "message/rfc822" || guess == "application/json" || guess == "application/xml" {
            return guess.to_string();
        }
        if head.starts_with(b"<?xml") {
            return "application/xml".into();
        }
        return "text/plain".into();
    }
    "application/octet-stream".into()
}
