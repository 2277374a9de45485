//! Snapshots of a folder: every entry with its type and a fingerprint of
//! its bytes, to show that a refused or failed command changed nothing.

use std::collections::BTreeMap;
use std::fs;
use std::hash::Hasher;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What a snapshot records for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A folder.
    Dir,
    /// A regular file: length and a 64-bit fingerprint of its bytes
    /// (enough to notice a change; not a cryptographic hash).
    File { len: u64, fingerprint: u64 },
    /// A symbolic link and its target.
    Symlink(PathBuf),
    /// Anything else (FIFO, socket, device).
    Other,
}

/// Every path under a folder, relative to it, with what is there.
pub type Snapshot = BTreeMap<PathBuf, Entry>;

/// Snapshots `root` (a missing `root` gives an empty snapshot). Files are
/// streamed, so large files are fine.
pub fn snapshot(root: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        for e in rd {
            let p = e.unwrap_or_else(|err| panic!("read an entry of {}: {err}", dir.display())).path();
            let rel = p.strip_prefix(root).expect("entry under root").to_path_buf();
            let m = fs::symlink_metadata(&p).unwrap_or_else(|err| panic!("stat {}: {err}", p.display()));
            let ft = m.file_type();
            let entry = if ft.is_dir() {
                stack.push(p.clone());
                Entry::Dir
            } else if ft.is_file() {
                Entry::File { len: m.len(), fingerprint: fingerprint_file(&p) }
            } else if ft.is_symlink() {
                Entry::Symlink(fs::read_link(&p).unwrap_or_default())
            } else {
                Entry::Other
            };
            out.insert(rel, entry);
        }
    }
    out
}

fn fingerprint_file(p: &Path) -> u64 {
    let mut f = fs::File::open(p).unwrap_or_else(|e| panic!("open {} for a snapshot: {e}", p.display()));
    // Fixed keys: deterministic within a test run, and a change of any byte shows.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).unwrap_or_else(|e| panic!("read {} for a snapshot: {e}", p.display()));
        if n == 0 {
            return h.finish();
        }
        h.write(&buf[..n]);
    }
}

/// The differences between two snapshots, one line each (empty: equal).
pub fn snapshot_diff(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let mut d = Vec::new();
    for (p, e) in before {
        match after.get(p) {
            None => d.push(format!("removed {}", p.display())),
            Some(a) if a != e => d.push(format!("changed {}: {e:?} -> {a:?}", p.display())),
            _ => {}
        }
    }
    for (p, a) in after {
        if !before.contains_key(p) {
            d.push(format!("added {}: {a:?}", p.display()));
        }
    }
    d
}

/// Asserts two snapshots are equal, listing every difference otherwise.
#[track_caller]
pub fn assert_unchanged(before: &Snapshot, after: &Snapshot, why: &str) {
    let d = snapshot_diff(before, after);
    assert!(d.is_empty(), "{why}; but the folder changed:\n  {}", d.join("\n  "));
}
