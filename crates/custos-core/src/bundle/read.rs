//! Reading a bundle safely: a zip (plain or age-encrypted, read with random
//! access, never extracted) or an extracted folder, with every hostile-archive
//! check done before anything is read or written.

use super::layout::BAGIT_FILE;
use super::zip_records;
use crate::error::{Error, Result};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// Most bytes a bundle may inflate to in all (a guard against zip bombs).
pub const MAX_TOTAL_BYTES: u64 = 1 << 40;
/// Most entries a bundle may hold.
pub const MAX_ENTRIES: usize = 1_000_000;
/// What a file read whole into memory is; each kind has its own limit, so a
/// hostile bundle cannot make verify or import allocate more than a genuine
/// production of its size needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whole {
    /// A few lines by nature: bagit.txt, bag-info.txt, tagmanifest-sha256.txt,
    /// seal/allowed_signers, the seal signature, checkpoint.json.
    Small,
    /// A payload manifest: one line (a hash, a space, a path) per payload file.
    Manifest,
    /// The load file: a header row and one row per native.
    LoadFile,
    /// data/custody/events.jsonl: each exhibit's events, each with its proof.
    Events,
}

/// The most a [`Whole::Small`] file may hold.
pub const SMALL_FILE_MAX: u64 = 1 << 20;
/// No file is read whole past this, whatever the bundle's size.
pub const WHOLE_FILE_CEILING: u64 = 1 << 30;

impl Whole {
    /// The most bytes a file of this kind may hold in a bundle of `entries`
    /// files: a fixed allowance and a budget per entry (lines, rows and
    /// events grow with the files produced), never past [`WHOLE_FILE_CEILING`].
    /// At the [`MAX_ENTRIES`] limit a manifest may hold 513 MB, the load file
    /// 1.03 GB and the events 1 GiB.
    pub fn limit(self, entries: usize) -> u64 {
        let (base, per_entry): (u64, u64) = match self {
            Whole::Small => return SMALL_FILE_MAX,
            // 64 hex digits, a space, a path under 400 bytes, a newline.
            Whole::Manifest => (1 << 20, 512),
            // One row of the load file's fields, the source path the longest.
            Whole::LoadFile => (1 << 20, 1 << 10),
            // About 2 KiB per event with its signature and inclusion proof; a
            // few events per exhibit on average, and room for a short
            // production of an exhibit with a long history.
            Whole::Events => (16 << 20, 4 << 10),
        };
        base.saturating_add(per_entry.saturating_mul(entries as u64)).min(WHOLE_FILE_CEILING)
    }
}

trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

enum Backing {
    Zip(zip::ZipArchive<Box<dyn ReadSeek>>),
    Folder(PathBuf),
}

/// An opened bundle: its bag name and the files in it, by path inside the bag.
pub struct Bundle {
    backing: Backing,
    /// The bag's folder name.
    pub bag: String,
    /// Path inside the bag → (zip index or 0, size).
    files: BTreeMap<String, (usize, u64)>,
    /// Bytes read so far (bomb guard across entries).
    inflated: u64,
}

fn bad(reason: impl Into<String>) -> Error {
    Error::InvalidInput(format!("refusing the bundle: {}", reason.into()))
}

/// Checks one entry name as written in the archive.
fn check_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(bad("an entry has an empty name"));
    }
    if name.contains('\0') {
        return Err(bad(format!("entry {name:?} contains a NUL byte")));
    }
    if name.contains('\\') {
        return Err(bad(format!("entry {name:?} contains a backslash")));
    }
    if name.starts_with('/') {
        return Err(bad(format!("entry {name:?} is an absolute path")));
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        return Err(bad(format!("entry {name:?} names a drive")));
    }
    for part in name.trim_end_matches('/').split('/') {
        if part == ".." || part == "." || part.is_empty() {
            return Err(bad(format!("entry {name:?} has a '.', '..' or empty path component")));
        }
        if part.chars().any(|c| c.is_control()) {
            return Err(bad(format!("entry {name:?} contains a control character")));
        }
    }
    Ok(())
}

impl Bundle {
    /// Opens a bundle: a `.zip`, an age-encrypted zip (with `identity`), or a folder.
    /// Refuses hostile archives before reading any content.
    pub fn open(path: &Path, identity: Option<&age::x25519::Identity>, passphrase: Option<&age::secrecy::SecretString>) -> Result<Bundle> {
        let meta = fs::metadata(path).map_err(|e| Error::Input { path: path.to_path_buf(), source: e })?;
        if meta.is_dir() {
            return Self::open_folder(path);
        }
        let mut f = fs::File::open(path).map_err(|e| Error::Input { path: path.to_path_buf(), source: e })?;
        let mut magic = [0u8; 22];
        let n = f.read(&mut magic).map_err(|e| Error::Input { path: path.to_path_buf(), source: e })?;
        f.rewind().map_err(|e| Error::Input { path: path.to_path_buf(), source: e })?;
        let reader: Box<dyn ReadSeek> = if magic[..n].starts_with(b"age-encryption.org/") {
            let d = age::Decryptor::new_buffered(std::io::BufReader::new(f))
                .map_err(|e| bad(format!("it looks like an age file but its header is invalid ({e})")))?;
            let stream = if d.is_scrypt() {
                let p = passphrase.ok_or_else(|| bad("it is encrypted with a passphrase; give the passphrase"))?;
                let mut id = age::scrypt::Identity::new(p.clone());
                id.set_max_work_factor(crate::format::keys::MAX_WORK_FACTOR);
                d.decrypt(std::iter::once(&id as &dyn age::Identity))
            } else {
                let id = identity.ok_or_else(|| bad("it is encrypted with age; give the identity (key file) it was encrypted to"))?;
                d.decrypt(std::iter::once(id as &dyn age::Identity))
            }
            .map_err(|e| bad(format!("it cannot be decrypted with the key given ({e})")))?;
            Box::new(stream)
        } else if magic[..n].starts_with(b"PK") {
            Box::new(std::io::BufReader::new(f))
        } else {
            return Err(bad("it is neither a zip, an age-encrypted zip, nor a folder"));
        };
        Self::open_zip(reader)
    }

    /// Opens a zip held in memory, as [`Bundle::open`] opens a file.
    #[cfg(test)]
    pub(crate) fn open_zip_bytes(bytes: Vec<u8>) -> Result<Bundle> {
        Self::open_zip(Box::new(std::io::Cursor::new(bytes)))
    }

    fn open_zip(mut reader: Box<dyn ReadSeek>) -> Result<Bundle> {
        // The archive's own records first: duplicate names, local headers
        // that disagree with the central directory and overlapping entries
        // are refused before the zip library reads anything.
        let records = zip_records::read_records(&mut reader, MAX_ENTRIES).map_err(|e| bad(e.to_string()))?;
        let mut zip = zip::ZipArchive::new(reader).map_err(|e| bad(format!("it is not a readable zip ({e})")))?;
        if zip.len() != records.len() {
            return Err(bad(format!("the zip library sees {} entries where the central directory holds {}", zip.len(), records.len())));
        }
        let mut folded: HashMap<String, String> = HashMap::new();
        let mut files = BTreeMap::new();
        let mut tops = std::collections::BTreeSet::new();
        let mut declared = 0u64;
        for (i, record) in records.iter().enumerate() {
            let entry = zip.by_index_raw(i).map_err(|e| bad(format!("entry {i} cannot be read ({e})")))?;
            // What is read later must be what was checked here.
            if entry.name_raw() != record.name
                || entry.header_start() != record.local_offset
                || entry.compressed_size() != record.compressed
                || entry.size() != record.size
                || entry.data_start().is_some_and(|d| d != record.data_start)
            {
                return Err(bad(format!("entry {i} is read differently by the zip library than its records say")));
            }
            let raw = String::from_utf8(entry.name_raw().to_vec()).map_err(|_| bad(format!("entry {i} has a name that is not UTF-8")))?;
            check_name(&raw)?;
            if entry.enclosed_name().is_none() {
                return Err(bad(format!("entry {raw:?} would land outside the destination")));
            }
            if entry.is_symlink() {
                return Err(bad(format!("entry {raw:?} is a symbolic link")));
            }
            if let Some(mode) = entry.unix_mode() {
                let kind = mode & 0o170000;
                if kind != 0 && kind != 0o100000 && kind != 0o040000 {
                    return Err(bad(format!("entry {raw:?} is not a regular file or folder")));
                }
            }
            let key: String = raw.nfc().collect::<String>().to_lowercase();
            if let Some(prev) = folded.insert(key, raw.clone()) {
                return Err(bad(format!("entries {prev:?} and {raw:?} are the same name after Unicode normalisation and case folding")));
            }
            tops.insert(raw.split('/').next().unwrap_or("").to_string());
            if entry.is_dir() {
                continue;
            }
            declared = declared.saturating_add(entry.size());
            let (_bag, rest) = raw.split_once('/').ok_or_else(|| bad(format!("entry {raw:?} is not inside the bag folder")))?;
            files.insert(rest.to_string(), (i, entry.size()));
        }
        if tops.len() != 1 {
            return Err(bad(format!("it must hold exactly one top-level folder, not {}", tops.len())));
        }
        if declared > MAX_TOTAL_BYTES {
            return Err(bad(format!("it declares {declared} bytes, more than the limit")));
        }
        let bag = tops.into_iter().next().unwrap_or_default();
        Ok(Bundle { backing: Backing::Zip(zip), bag, files, inflated: 0 })
    }

    fn open_folder(path: &Path) -> Result<Bundle> {
        // The folder is the bag itself, or holds exactly one bag folder.
        let root = if path.join(BAGIT_FILE).is_file() {
            path.to_path_buf()
        } else {
            let subs: Vec<PathBuf> = fs::read_dir(path)
                .map_err(|e| Error::Input { path: path.to_path_buf(), source: e })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            match subs.as_slice() {
                [one] if one.join(BAGIT_FILE).is_file() => one.clone(),
                _ => return Err(bad(format!("{} is not a bag and does not hold exactly one", path.display()))),
            }
        };
        let mut files = BTreeMap::new();
        for entry in walkdir::WalkDir::new(&root).follow_links(false).sort_by_file_name() {
            let entry = entry.map_err(|e| bad(format!("cannot read the folder ({e})")))?;
            if entry.file_type().is_symlink() {
                return Err(bad(format!("{} is a symbolic link", entry.path().display())));
            }
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(&root).expect("inside root").to_string_lossy().replace('\\', "/");
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                files.insert(rel, (0, size));
            }
        }
        let named = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
        let bag = named.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Bundle { backing: Backing::Folder(root), bag, files, inflated: 0 })
    }

    /// The size an entry declares (the archive's or the file system's).
    pub fn size(&self, path: &str) -> Option<u64> {
        self.files.get(path).map(|(_, size)| *size)
    }

    /// Every file path inside the bag.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Whether the bag holds `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// A reader over one file that fails if it inflates past its declared
    /// size or the bundle's total limit.
    pub fn reader(&mut self, path: &str) -> Result<BoundedReader<'_>> {
        let &(index, declared) = self.files.get(path).ok_or_else(|| Error::InvalidInput(format!("the bundle has no {path}")))?;
        let budget = MAX_TOTAL_BYTES.saturating_sub(self.inflated).min(declared);
        let inner: Box<dyn Read + Send + '_> = match &mut self.backing {
            Backing::Zip(z) => Box::new(z.by_index(index).map_err(|e| bad(format!("{path} cannot be read ({e})")))?),
            Backing::Folder(root) => {
                let p = root.join(path);
                Box::new(fs::File::open(&p).map_err(|e| Error::Input { path: p, source: e })?)
            }
        };
        Ok(BoundedReader { inner, left: budget, total: &mut self.inflated, path: path.to_string() })
    }

    /// Streams a file's bytes to `sink`, counting what is really inflated.
    pub fn read_with(&mut self, path: &str, sink: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<u64> {
        let mut reader = self.reader(path)?;
        let mut buf = vec![0u8; 1 << 20];
        let mut total = 0u64;
        loop {
            let n = reader.read(&mut buf).map_err(|e| match e.kind() {
                // Hostile: refuse the whole bundle.
                std::io::ErrorKind::FileTooLarge => bad(e.to_string()),
                // Damaged (e.g. a CRC mismatch): the caller reports it.
                _ => Error::Io { path: PathBuf::from(path), source: e },
            })?;
            if n == 0 {
                break;
            }
            total += n as u64;
            sink(&buf[..n])?;
        }
        Ok(total)
    }

    /// Refuses `path` if it declares more bytes than a file of its kind may
    /// hold in this bundle; nothing is read.
    pub fn check_whole(&self, path: &str, kind: Whole) -> Result<()> {
        let limit = kind.limit(self.files.len());
        match self.size(path) {
            Some(size) if size > limit => Err(bad(format!("{path} is too large ({size} bytes, at most {limit})"))),
            _ => Ok(()),
        }
    }

    /// Reads a whole file into memory (tag files, the load file, custody
    /// records); refuses one larger than its kind may be ([`Whole::limit`])
    /// before reading it, and never inflates past that.
    pub fn read(&mut self, path: &str, kind: Whole) -> Result<Vec<u8>> {
        self.check_whole(path, kind)?;
        let limit = kind.limit(self.files.len());
        let mut out = Vec::new();
        self.read_with(path, &mut |c| {
            // The declared size was checked; this holds even if it lied.
            if (out.len() + c.len()) as u64 > limit {
                return Err(bad(format!("{path} is too large (more than {limit} bytes)")));
            }
            out.extend_from_slice(c);
            Ok(())
        })?;
        Ok(out)
    }
}

/// Reads one bundle file, refusing to inflate past what it declared.
pub struct BoundedReader<'a> {
    inner: Box<dyn Read + Send + 'a>,
    left: u64,
    total: &'a mut u64,
    path: String,
}

impl Read for BoundedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            // More bytes than declared: a bomb or a forged size.
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!("{} inflates to more than it declares", self.path),
            ));
        }
        self.left -= n as u64;
        *self.total += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_ENTRIES, SMALL_FILE_MAX, WHOLE_FILE_CEILING, Whole, check_name};

    #[test]
    fn whole_file_limits_are_the_documented_ones() {
        // DESIGN.md section 6 quotes these numbers.
        assert_eq!(Whole::Small.limit(MAX_ENTRIES), SMALL_FILE_MAX);
        assert_eq!(Whole::Manifest.limit(20), (1 << 20) + 20 * 512, "a small bundle gets a small manifest");
        assert_eq!(Whole::Manifest.limit(MAX_ENTRIES), 513_048_576);
        assert_eq!(Whole::LoadFile.limit(MAX_ENTRIES), 1_025_048_576);
        assert_eq!(Whole::Events.limit(MAX_ENTRIES), WHOLE_FILE_CEILING, "never past the ceiling");
        assert_eq!(Whole::Events.limit(usize::MAX), WHOLE_FILE_CEILING, "no overflow");
    }

    #[test]
    fn hostile_names_are_refused() {
        for name in ["../evil", "a/../../evil", "/etc/passwd", "C:/Windows/x", "c:evil", "a\\b", "a/\0b", "a//b", "a/./b", "a/\nb"] {
            assert!(check_name(name).is_err(), "{name:?} must be refused");
        }
        for name in ["bag/data/VOL001/NATIVES/0001/ABC000001.pdf", "bag/", "bag/bagit.txt", "bag/data/é.txt"] {
            assert!(check_name(name).is_ok(), "{name:?} is fine");
        }
    }
}
