//! Hostile inputs kept as files (`tests/corpus/<reader>/`), replayed on every
//! run: each must be refused with the problem it was made to show. A new
//! file must be listed here with what its refusal names, so none is skipped.
//!
//! `tests/corpus/zip/` holds small hand-assembled archives of one bag:
//! a name twice (forged copy first), a local header with another name or
//! size than its central record, a second central record aliasing an
//! entry's bytes, an entry count larger than the directory can hold, a
//! ZIP64 locator pointing past the end, an end record whose directory lies
//! past the end, and a central directory cut short.

use crate::bundle::read::Bundle;
use std::path::Path;

/// Each corpus file and what its refusal must name.
const ZIP_CASES: &[(&str, &str)] = &[
    ("duplicate-name.zip", "\"bag/data/a.txt\" occurs twice"),
    ("local-name-differs.zip", "entry \"bag/data/a.txt\": its local header gives a different name"),
    ("local-size-differs.zip", "entry \"bag/data/a.txt\": its local header gives a different size"),
    ("alias-overlap.zip", "overlap"),
    ("count-past-directory.zip", "central directory"),
    ("zip64-locator-past-end.zip", "ZIP64 end locator"),
    ("directory-past-end.zip", "central directory"),
    ("truncated-directory.zip", "central directory"),
];

#[test]
fn corpus_inputs_are_refused() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/zip");
    let mut on_disk: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    on_disk.sort();
    let mut listed: Vec<String> = ZIP_CASES.iter().map(|(f, _)| f.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "every corpus file is listed with what its refusal names");
    for (file, names) in ZIP_CASES {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let err = Bundle::open_zip_bytes(bytes).err().unwrap_or_else(|| panic!("{file} must be refused"));
        let message = err.to_string();
        assert!(message.starts_with("refusing the bundle: "), "{file}: a refusal as bad input: {message}");
        assert!(message.contains(names), "{file}: the refusal must name {names:?}: {message}");
    }
}
