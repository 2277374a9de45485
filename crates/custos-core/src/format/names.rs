//! File names and paths as recorded: exact bytes, and a readable form.
//!
//! A Unix file name is any bytes but `/` and NUL. A name that is not UTF-8
//! must not be recorded as U+FFFD (two different names would then read the
//! same): the readable form shows each byte that is not UTF-8 as `\xHH`,
//! and the exact bytes are kept beside it.

use std::path::Path;

/// The readable form of a path: its UTF-8 text, with every byte that is
/// not part of valid UTF-8 written as `\xHH` (upper-case hex).
pub fn readable(p: &Path) -> String {
    readable_bytes(p.as_os_str().as_encoded_bytes())
}

/// The readable form of a file name's bytes (see [`readable`]).
pub fn readable_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// The exact bytes of a path when they are not UTF-8 (so its readable form
/// does not give them back), otherwise `None`.
pub fn exact_bytes(p: &Path) -> Option<Vec<u8>> {
    let b = p.as_os_str().as_encoded_bytes();
    std::str::from_utf8(b).is_err().then(|| b.to_vec())
}

/// Serialises `(path, value)` pairs with each path in its readable form, so
/// a report never fails to serialise (JSON has no room for bytes that are not UTF-8).
pub(crate) fn serialize_paths<S: serde::Serializer, T: serde::Serialize>(
    v: &[(std::path::PathBuf, T)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|(p, o)| (readable(p), o)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_not_utf8_stay_distinct_and_readable() {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let a = Path::new(std::ffi::OsStr::from_bytes(b"x\xff.txt"));
            let b = Path::new(std::ffi::OsStr::from_bytes(b"x\xfe.txt"));
            assert_eq!(readable(a), "x\\xFF.txt");
            assert_eq!(readable(b), "x\\xFE.txt");
            assert_eq!(exact_bytes(a).as_deref(), Some(&b"x\xff.txt"[..]));
        }
        assert_eq!(readable(Path::new("mémo ✓.txt")), "mémo ✓.txt", "UTF-8 is kept as it is");
        assert_eq!(exact_bytes(Path::new("mémo.txt")), None, "UTF-8 needs no exact copy");
    }
}
