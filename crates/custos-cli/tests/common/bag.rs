//! Reading a production as a receiving party would: the zip unpacked with
//! Info-ZIP `unzip`, the Concordance load file split by its default
//! delimiters (U+0014 between fields, þ around them) into rows by field name.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Unzips a bundle into `dest` and returns its one bag folder.
pub fn unzip_bundle(zip: &Path, dest: &Path) -> PathBuf {
    let out = std::process::Command::new("unzip").arg("-q").arg(zip).arg("-d").arg(dest).output().expect("unzip runs");
    assert!(out.status.success(), "unzip: {}", String::from_utf8_lossy(&out.stderr));
    let bag = std::fs::read_dir(dest).unwrap().next().expect("one bag folder").unwrap().path();
    assert!(bag.join("bagit.txt").is_file(), "{} is a bag", bag.display());
    bag
}

/// The rows of a bag's UTF-8 load file, each field by name.
pub fn load_file_rows(bag: &Path) -> Vec<HashMap<String, String>> {
    let dat = std::fs::read_dir(bag.join("data/VOL001/DATA"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "dat"))
        .expect("a load file");
    let dat = String::from_utf8(std::fs::read(dat).unwrap()).expect("UTF-8");
    let mut lines = dat.trim_start_matches('\u{feff}').split("\r\n").filter(|l| !l.is_empty());
    let split = |l: &str| l.split('\u{14}').map(|f| f.trim_matches('\u{fe}').to_string()).collect::<Vec<_>>();
    let header = split(lines.next().expect("a header"));
    lines.map(|l| header.iter().cloned().zip(split(l)).collect()).collect()
}
