//! Archives expanded through the vault's own zip checks: the archive's
//! records are read by hand first (duplicate names, local headers that
//! disagree with the central directory and overlapping entries are refused,
//! as for bundles), then each entry is read with its declared size and
//! compression ratio bounded, and given on as soon as it is read (a large
//! archive is read from the vault a chunk at a time). Nothing is written to
//! disk.

use crate::bundle::zip_records::read_records;
use custos_extract::{Error, Extracted, Extractor, Field, Item, Limits, Problem, Result};
use std::io::{Read, Seek, SeekFrom};

/// The most entries an archive may hold.
const MAX_ENTRIES: usize = 1_000_000;

/// The extractor recorded for archives.
pub(crate) fn zip_extractor() -> Extractor {
    Extractor { name: "custos/zip".into(), version: format!("{} (zip 8)", crate::TOOL), settings: "entries in the archive's order; folders and links skipped".into() }
}

/// The files inside a ZIP archive in memory, in the archive's order.
pub(crate) fn expand_zip(bytes: &[u8], limits: &Limits) -> Result<Extracted> {
    let mut items = Vec::new();
    let mut x = stream_zip(std::io::Cursor::new(bytes), limits, &mut |item| {
        items.push(item);
        Ok(())
    })?;
    x.children = items;
    Ok(x)
}

/// The files inside a ZIP archive read from `archive`, each given to `sink`
/// in the archive's order as soon as it is read; an error from `sink`
/// stops the reading and is returned.
pub(crate) fn stream_zip<R: Read + Seek>(mut archive: R, limits: &Limits, sink: &mut dyn FnMut(Item) -> Result<()>) -> Result<Extracted> {
    let unreadable = |e: &dyn std::fmt::Display| Error::Malformed(format!("not a readable zip archive: {e}"));
    let records = read_records(&mut archive, MAX_ENTRIES).map_err(|e| unreadable(&e))?;
    archive.seek(SeekFrom::Start(0)).map_err(|e| unreadable(&e))?;
    let mut zip = zip::ZipArchive::new(archive).map_err(|e| unreadable(&e))?;
    let mut x = Extracted { extractor: zip_extractor(), ..Default::default() };
    let mut total = 0u64;
    let mut files = 0u64;
    let mut given = 0usize;
    for (i, record) in records.iter().enumerate() {
        let name = String::from_utf8_lossy(&record.name).into_owned();
        let problem = |reason: String| Problem { item: name.clone(), reason };
        if name.ends_with('/') {
            continue;
        }
        files += 1;
        if given >= limits.max_items {
            x.problems.push(problem(format!("more than {} items; the rest were not expanded", limits.max_items)));
            break;
        }
        if record.flags & 1 != 0 {
            x.problems.push(problem("the entry is password-protected (encrypted); it was not expanded".into()));
            continue;
        }
        if record.size > limits.max_item_bytes {
            x.problems.push(problem(format!("the entry is {} bytes, more than the {} an item may be", record.size, limits.max_item_bytes)));
            continue;
        }
        if record.compressed > 0 && record.size / record.compressed.max(1) > limits.max_ratio {
            x.problems.push(problem(format!(
                "the entry expands {} times its compressed size (more than {}): a zip bomb; it was not expanded",
                record.size / record.compressed.max(1),
                limits.max_ratio
            )));
            continue;
        }
        if total.saturating_add(record.size) > limits.max_total_bytes {
            x.problems.push(problem(format!("the archive's items add up to more than {} bytes; the rest were not expanded", limits.max_total_bytes)));
            break;
        }
        let entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                x.problems.push(problem(format!("the entry cannot be read: {e}")));
                continue;
            }
        };
        if entry.is_symlink() {
            x.problems.push(problem("the entry is a symbolic link; it was not expanded".into()));
            continue;
        }
        let mut data = Vec::with_capacity(record.size.min(64 << 20) as usize);
        // One byte more than declared shows a size that lies.
        match entry.take(record.size + 1).read_to_end(&mut data) {
            Ok(n) if n as u64 == record.size => {}
            Ok(n) => {
                x.problems.push(problem(format!("the entry holds {n} bytes where the archive declares {}", record.size)));
                continue;
            }
            Err(e) => {
                x.problems.push(problem(format!("the entry cannot be decompressed: {e}")));
                continue;
            }
        }
        total += record.size;
        let (folder, file) = match name.rsplit_once('/') {
            Some((f, n)) => (f.to_string(), n.to_string()),
            None => (String::new(), name.clone()),
        };
        let clean: String = file.chars().map(|c| if c.is_control() { '_' } else { c }).collect();
        given += 1;
        sink(Item { name: clean, bytes: data, path: format!("/{folder}"), flags: Vec::new() })?;
    }
    x.metadata.push(Field::new("entry_count", files.to_string(), "zip:central directory"));
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn archive(entries: &[(&str, &[u8])], locked: bool) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            w.start_file(*name, o).unwrap();
            w.write_all(data).unwrap();
        }
        let mut z = w.finish().unwrap().into_inner();
        if locked {
            // The "encrypted" flag (bit 0) in the local header and the central record.
            z[6] |= 1;
            let central = z.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
            z[central + 8] |= 1;
        }
        z
    }

    #[test]
    fn entries_come_out_in_order_with_their_folders() {
        let z = archive(&[("a.txt", b"alpha"), ("deep/er/b.txt", b"bravo")], false);
        let x = expand_zip(&z, &Limits::default()).unwrap();
        let got: Vec<(&str, &str, &[u8])> = x.children.iter().map(|i| (i.name.as_str(), i.path.as_str(), i.bytes.as_slice())).collect();
        assert_eq!(got, [("a.txt", "/", &b"alpha"[..]), ("b.txt", "/deep/er", &b"bravo"[..])]);
        assert!(x.problems.is_empty());
    }

    #[test]
    fn a_bomb_and_a_locked_entry_are_problems_and_the_rest_comes_out() {
        let bomb = vec![0u8; 8 << 20];
        let z = archive(&[("ok.txt", b"fine"), ("bomb.bin", &bomb)], false);
        let x = expand_zip(&z, &Limits::default()).unwrap();
        assert_eq!(x.children.len(), 1);
        assert!(x.problems[0].item == "bomb.bin" && x.problems[0].reason.contains("zip bomb"), "{:?}", x.problems);

        let z = archive(&[("secret.txt", b"hidden")], true);
        let x = expand_zip(&z, &Limits::default()).unwrap();
        assert!(x.children.is_empty());
        assert!(x.problems[0].reason.contains("password-protected"), "{:?}", x.problems);

        let limits = Limits { max_item_bytes: 3, ..Limits::default() };
        let x = expand_zip(&archive(&[("big.txt", b"four")], false), &limits).unwrap();
        assert!(x.children.is_empty() && x.problems[0].reason.contains("more than the 3"));
    }

    #[test]
    fn what_is_not_a_zip_is_malformed() {
        assert!(matches!(expand_zip(b"PK\x03\x04 truncated", &Limits::default()), Err(Error::Malformed(_))));
    }
}
