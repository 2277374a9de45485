//! The zip's own records read by hand, before any zip library sees the
//! archive: the end record (ZIP64 when present), every central-directory
//! record and every local header, checked against each other.
//!
//! A zip library keeps one entry per name and trusts the central directory,
//! while other unzip tools walk the local headers or keep the first of two
//! equal names; a forged archive can therefore show Custos one file and a
//! reader another. Refusing duplicate names, local headers that disagree with
//! their central record, and overlapping entries closes that gap. The parser
//! is strict and bounded: every count, offset and size is checked against the
//! file's length, and nothing is allocated from a count before the bytes it
//! counts have been read.

use std::collections::HashSet;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

/// The end of central directory record.
const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD_LEN: u64 = 22;
/// The ZIP64 end of central directory locator, just before the end record.
const LOCATOR_SIG: u32 = 0x0706_4b50;
const LOCATOR_LEN: u64 = 20;
/// The ZIP64 end of central directory record (its fixed part).
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const ZIP64_EOCD_LEN: u64 = 56;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const CENTRAL_LEN: usize = 46;
const LOCAL_SIG: u32 = 0x0403_4b50;
const LOCAL_LEN: usize = 30;
const DESCRIPTOR_SIG: u32 = 0x0807_4b50;
/// The extra field holding ZIP64 sizes and offsets.
const ZIP64_EXTRA: u16 = 0x0001;
/// General purpose flag bit 3: CRC and sizes follow the data.
const FLAG_DESCRIPTOR: u16 = 1 << 3;
/// A 16- or 32-bit field set to all ones: the value is in the ZIP64 record.
const SAT16: u16 = 0xFFFF;
const SAT32: u32 = 0xFFFF_FFFF;
/// The end record may be followed by a comment of at most this many bytes.
const MAX_COMMENT: u64 = 0xFFFF;

/// Why an archive's records are refused.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// No end of central directory record where one must be.
    #[error("it is not a zip: no end of central directory record at its end")]
    NoEndRecord,
    /// A record lies outside the file or where another record must be.
    #[error("its {0} is damaged or out of place")]
    Damaged(&'static str),
    /// The archive spans several disks (never written by Custos).
    #[error("it spans several disks")]
    MultiDisk,
    /// More entries than a bundle may hold.
    #[error("it has {found} entries, more than {limit}")]
    TooManyEntries {
        /// Entries the archive declares.
        found: u64,
        /// The limit.
        limit: usize,
    },
    /// The same name twice: unzip tools and Custos would read different copies.
    #[error("the entry name {0:?} occurs twice in the central directory")]
    DuplicateName(String),
    /// A central record whose local header is missing or damaged.
    #[error("entry {0:?} has no valid local header at the offset its central record gives")]
    NoLocalHeader(String),
    /// A local header that says something else than its central record.
    #[error("entry {name:?}: its local header gives a different {field} than its central directory record")]
    LocalMismatch {
        /// The entry (its central name).
        name: String,
        /// What differs.
        field: &'static str,
    },
    /// Two entries share bytes of the archive.
    #[error("entries {0:?} and {1:?} overlap in the archive")]
    Overlap(String, String),
    /// Reading the archive failed.
    #[error("it cannot be read ({0})")]
    Io(#[from] io::Error),
}

/// One entry as its central-directory record and local header describe it.
#[derive(Debug, Clone)]
pub struct ZipRecord {
    /// The name as stored (bytes; not yet checked as UTF-8).
    pub name: Vec<u8>,
    /// Compression method.
    pub method: u16,
    /// General purpose flags of the central record.
    pub flags: u16,
    /// Bytes stored in the archive.
    pub compressed: u64,
    /// Bytes once inflated.
    pub size: u64,
    /// Where the local header starts.
    pub local_offset: u64,
    /// Where the entry's data starts (after its local header).
    pub data_start: u64,
    /// Where the entry's bytes end (after its data descriptor, if any).
    pub end: u64,
}

impl ZipRecord {
    fn shown_name(&self) -> String {
        String::from_utf8_lossy(&self.name).into_owned()
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("four bytes"))
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("eight bytes"))
}

fn read_at<R: Read + Seek>(r: &mut R, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    r.seek(SeekFrom::Start(offset))?;
    r.read_exact(buf)
}

/// Where the central directory is and how many records it holds.
struct Directory {
    entries: u64,
    offset: u64,
    size: u64,
    /// Where the records after the central directory start (the ZIP64 end
    /// record, or the end record): entries and directory must end before it.
    end: u64,
}

/// Finds the end record: the last signature whose comment ends exactly at
/// the end of the file.
fn find_directory<R: Read + Seek>(r: &mut R, len: u64) -> Result<Directory, ArchiveError> {
    if len < EOCD_LEN {
        return Err(ArchiveError::NoEndRecord);
    }
    let tail_len = len.min(EOCD_LEN + MAX_COMMENT);
    let mut tail = vec![0u8; tail_len as usize];
    read_at(r, len - tail_len, &mut tail)?;
    let eocd = (0..=tail.len() - EOCD_LEN as usize)
        .rev()
        .find(|&i| u32_at(&tail, i) == EOCD_SIG && i + EOCD_LEN as usize + usize::from(u16_at(&tail, i + 20)) == tail.len())
        .ok_or(ArchiveError::NoEndRecord)?;
    let e = &tail[eocd..eocd + EOCD_LEN as usize];
    let eocd_pos = len - tail_len + eocd as u64;
    let (disk, cd_disk) = (u16_at(e, 4), u16_at(e, 6));
    let (here, total) = (u16_at(e, 8), u16_at(e, 10));
    let (size, offset) = (u32_at(e, 12), u32_at(e, 16));

    let has_locator = eocd_pos >= LOCATOR_LEN && {
        let mut sig = [0u8; 4];
        read_at(r, eocd_pos - LOCATOR_LEN, &mut sig)?;
        u32::from_le_bytes(sig) == LOCATOR_SIG
    };
    if !has_locator {
        if disk != 0 || cd_disk != 0 || here != total {
            return Err(ArchiveError::MultiDisk);
        }
        if [disk, cd_disk, here, total].contains(&SAT16) || size == SAT32 || offset == SAT32 {
            return Err(ArchiveError::Damaged("end record (ZIP64 values without a ZIP64 locator)"));
        }
        return Ok(Directory { entries: u64::from(total), offset: u64::from(offset), size: u64::from(size), end: eocd_pos });
    }

    let locator_pos = eocd_pos - LOCATOR_LEN;
    let mut loc = [0u8; LOCATOR_LEN as usize];
    read_at(r, locator_pos, &mut loc)?;
    let (record_disk, record_pos, disks) = (u32_at(&loc, 4), u64_at(&loc, 8), u32_at(&loc, 16));
    if record_disk != 0 || disks != 1 {
        return Err(ArchiveError::MultiDisk);
    }
    if record_pos.checked_add(ZIP64_EOCD_LEN).is_none_or(|end| end > locator_pos) {
        return Err(ArchiveError::Damaged("ZIP64 end locator"));
    }
    let mut z = [0u8; ZIP64_EOCD_LEN as usize];
    read_at(r, record_pos, &mut z)?;
    if u32_at(&z, 0) != ZIP64_EOCD_SIG {
        return Err(ArchiveError::Damaged("ZIP64 end record"));
    }
    // The record's size field counts what follows its first 12 bytes; an
    // extensible data sector may follow the fixed part, up to the locator.
    if u64_at(&z, 4).checked_add(12) != Some(locator_pos - record_pos) {
        return Err(ArchiveError::Damaged("ZIP64 end record"));
    }
    let (z_disk, z_cd_disk, z_here, z_total) = (u32_at(&z, 16), u32_at(&z, 20), u64_at(&z, 24), u64_at(&z, 32));
    let (z_size, z_offset) = (u64_at(&z, 40), u64_at(&z, 48));
    if z_disk != 0 || z_cd_disk != 0 || z_here != z_total {
        return Err(ArchiveError::MultiDisk);
    }
    // Each value of the end record is either saturated or the ZIP64 one.
    let agrees = |short: u64, saturated: u64, long: u64| short == saturated || short == long;
    if !(agrees(u64::from(disk), u64::from(SAT16), 0)
        && agrees(u64::from(cd_disk), u64::from(SAT16), 0)
        && agrees(u64::from(here), u64::from(SAT16), z_here)
        && agrees(u64::from(total), u64::from(SAT16), z_total)
        && agrees(u64::from(size), u64::from(SAT32), z_size)
        && agrees(u64::from(offset), u64::from(SAT32), z_offset))
    {
        return Err(ArchiveError::Damaged("end record (it disagrees with the ZIP64 end record)"));
    }
    Ok(Directory { entries: z_total, offset: z_offset, size: z_size, end: record_pos })
}

/// The ZIP64 extra field's values for the saturated fields, in the order the
/// format gives them (size, compressed size, local header offset).
fn zip64_values(extra: &[u8], wanted: usize) -> Option<Vec<u64>> {
    let mut rest = extra;
    while rest.len() >= 4 {
        let (id, len) = (u16_at(rest, 0), usize::from(u16_at(rest, 2)));
        let body = rest.get(4..4 + len)?;
        if id == ZIP64_EXTRA {
            if body.len() < wanted * 8 {
                return None;
            }
            return Some((0..wanted).map(|i| u64_at(body, i * 8)).collect());
        }
        rest = &rest[4 + len..];
    }
    (wanted == 0).then(Vec::new)
}

fn has_zip64_extra(extra: &[u8]) -> bool {
    let mut rest = extra;
    while rest.len() >= 4 {
        let (id, len) = (u16_at(rest, 0), usize::from(u16_at(rest, 2)));
        if id == ZIP64_EXTRA {
            return true;
        }
        let Some(next) = rest.get(4 + len..) else { return false };
        rest = next;
    }
    false
}

/// Fills the saturated 32-bit values from the ZIP64 extra field.
fn widen(values: [u32; 3], extra: &[u8]) -> Option<[u64; 3]> {
    let wanted = values.iter().filter(|&&v| v == SAT32).count();
    let mut long = zip64_values(extra, wanted)?.into_iter();
    let mut out = [0u64; 3];
    for (o, v) in out.iter_mut().zip(values) {
        *o = if v == SAT32 { long.next()? } else { u64::from(v) };
    }
    Some(out)
}

/// Phase 1: every central-directory record, in order, within the directory's bytes.
fn read_central<R: Read + Seek>(r: &mut R, dir: &Directory, max_entries: usize) -> Result<Vec<ZipRecord>, ArchiveError> {
    if dir.entries > max_entries as u64 {
        return Err(ArchiveError::TooManyEntries { found: dir.entries, limit: max_entries });
    }
    // Each record takes at least its fixed part, so the count is checked
    // against the directory's size before any record is read.
    if dir.offset.checked_add(dir.size).is_none_or(|end| end > dir.end) || dir.entries.saturating_mul(CENTRAL_LEN as u64) > dir.size {
        return Err(ArchiveError::Damaged("central directory (its size, offset or count)"));
    }
    r.seek(SeekFrom::Start(dir.offset))?;
    let mut input = BufReader::new(Read::take(&mut *r, dir.size));
    let mut records = Vec::new();
    let mut fixed = [0u8; CENTRAL_LEN];
    for _ in 0..dir.entries {
        let short = |e: io::Error| match e.kind() {
            io::ErrorKind::UnexpectedEof => ArchiveError::Damaged("central directory (a record runs past its end)"),
            _ => ArchiveError::Io(e),
        };
        input.read_exact(&mut fixed).map_err(short)?;
        if u32_at(&fixed, 0) != CENTRAL_SIG {
            return Err(ArchiveError::Damaged("central directory (a record has no signature)"));
        }
        let (name_len, extra_len, comment_len) = (u16_at(&fixed, 28), u16_at(&fixed, 30), u16_at(&fixed, 32));
        let mut var = vec![0u8; usize::from(name_len) + usize::from(extra_len) + usize::from(comment_len)];
        input.read_exact(&mut var).map_err(short)?;
        let (name, extra) = (&var[..usize::from(name_len)], &var[usize::from(name_len)..usize::from(name_len) + usize::from(extra_len)]);
        let disk = u16_at(&fixed, 34);
        let [size, compressed, local_offset] = widen([u32_at(&fixed, 24), u32_at(&fixed, 20), u32_at(&fixed, 42)], extra)
            .ok_or(ArchiveError::Damaged("central directory (a ZIP64 extra field is missing or short)"))?;
        if disk != 0 && disk != SAT16 {
            return Err(ArchiveError::MultiDisk);
        }
        records.push(ZipRecord {
            name: name.to_vec(),
            method: u16_at(&fixed, 10),
            flags: u16_at(&fixed, 8),
            compressed,
            size,
            local_offset,
            data_start: 0,
            end: 0,
        });
    }
    // Nothing may hide between the last record and the end records.
    let mut probe = [0u8; 1];
    if input.read(&mut probe)? != 0 {
        return Err(ArchiveError::Damaged("central directory (bytes after its last record)"));
    }
    Ok(records)
}

/// Phase 2: no name occurs twice.
fn check_unique(records: &[ZipRecord]) -> Result<(), ArchiveError> {
    let mut seen: HashSet<&[u8]> = HashSet::with_capacity(records.len());
    for rec in records {
        if !seen.insert(rec.name.as_slice()) {
            return Err(ArchiveError::DuplicateName(rec.shown_name()));
        }
    }
    Ok(())
}

/// What a local header says about its entry.
struct LocalHeader {
    name: Vec<u8>,
    method: u16,
    flags: u16,
    /// Compressed and uncompressed size (ZIP64 values applied).
    compressed: u64,
    size: u64,
}

/// Phase 3: every local header read (in archive order, so an encrypted
/// bundle is read forwards), each entry's extent found.
fn read_locals<R: Read + Seek>(r: &mut R, records: &mut [ZipRecord], dir: &Directory) -> Result<Vec<LocalHeader>, ArchiveError> {
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by_key(|&i| records[i].local_offset);
    let mut locals: Vec<Option<LocalHeader>> = (0..records.len()).map(|_| None).collect();
    for i in order {
        let rec = &mut records[i];
        let missing = || ArchiveError::NoLocalHeader(rec.shown_name());
        if rec.local_offset.checked_add(LOCAL_LEN as u64).is_none_or(|e| e > dir.offset) {
            return Err(missing());
        }
        let mut fixed = [0u8; LOCAL_LEN];
        read_at(r, rec.local_offset, &mut fixed)?;
        if u32_at(&fixed, 0) != LOCAL_SIG {
            return Err(missing());
        }
        let var_len = u64::from(u16_at(&fixed, 26)) + u64::from(u16_at(&fixed, 28));
        let data_start = rec.local_offset + LOCAL_LEN as u64 + var_len;
        if data_start > dir.offset {
            return Err(missing());
        }
        let mut var = vec![0u8; var_len as usize];
        r.read_exact(&mut var)?;
        let name_len = usize::from(u16_at(&fixed, 26));
        let (name, extra) = var.split_at(name_len);
        let flags = u16_at(&fixed, 6);
        let zip64 = has_zip64_extra(extra);
        let (short_compressed, short_size) = (u32_at(&fixed, 18), u32_at(&fixed, 22));
        // The local ZIP64 field holds the size, then the compressed size.
        let wanted = [short_size, short_compressed].iter().filter(|&&v| v == SAT32).count();
        let long = zip64_values(extra, wanted).ok_or_else(missing)?;
        let mut long = long.into_iter();
        let size = if short_size == SAT32 { long.next().ok_or_else(missing)? } else { u64::from(short_size) };
        let compressed = if short_compressed == SAT32 { long.next().ok_or_else(missing)? } else { u64::from(short_compressed) };
        let data_end = data_start.checked_add(rec.compressed).filter(|&e| e <= dir.offset).ok_or_else(missing)?;
        let descriptor = if flags & FLAG_DESCRIPTOR != 0 {
            Some(read_descriptor(r, data_end, zip64, dir.offset)?.ok_or_else(missing)?)
        } else {
            None
        };
        rec.data_start = data_start;
        rec.end = data_end + descriptor.as_ref().map_or(0, |d| d.len);
        let local = match descriptor {
            // With a data descriptor, the sizes are the descriptor's.
            Some(d) => LocalHeader { name: name.to_vec(), method: u16_at(&fixed, 8), flags, compressed: d.compressed, size: d.size },
            None => LocalHeader { name: name.to_vec(), method: u16_at(&fixed, 8), flags, compressed, size },
        };
        locals[i] = Some(local);
    }
    Ok(locals.into_iter().map(|l| l.expect("every record was read")).collect())
}

/// A data descriptor: the sizes written after an entry's data (its CRC-32
/// is skipped, as in the local header).
struct Descriptor {
    compressed: u64,
    size: u64,
    len: u64,
}

/// Reads the data descriptor at `at` (with or without its optional
/// signature; 8-byte sizes when the local header has a ZIP64 field);
/// `None` when it does not fit before `limit`.
fn read_descriptor<R: Read + Seek>(r: &mut R, at: u64, zip64: bool, limit: u64) -> io::Result<Option<Descriptor>> {
    let sizes = if zip64 { 16 } else { 8 };
    let mut buf = [0u8; 4 + 4 + 16];
    let Some(room) = limit.checked_sub(at) else { return Ok(None) };
    let want = (4 + 4 + sizes as u64).min(room) as usize;
    read_at(r, at, &mut buf[..want])?;
    let signed = want >= 4 && u32_at(&buf, 0) == DESCRIPTOR_SIG;
    let start = if signed { 4 } else { 0 };
    let len = start + 4 + sizes;
    if len > want {
        return Ok(None);
    }
    let body = &buf[start..len];
    let (compressed, size) = if zip64 { (u64_at(body, 4), u64_at(body, 12)) } else { (u64::from(u32_at(body, 4)), u64::from(u32_at(body, 8))) };
    Ok(Some(Descriptor { compressed, size, len: len as u64 }))
}

/// Phase 4: no two entries share a byte (local header to end of data).
/// An empty entry still has its local header, so it is never empty itself,
/// and it overlaps nothing unless another entry really shares its bytes.
fn check_overlaps(records: &[ZipRecord]) -> Result<(), ArchiveError> {
    let mut ranges: Vec<(u64, u64, usize)> = records.iter().enumerate().map(|(i, r)| (r.local_offset, r.end, i)).collect();
    ranges.sort_unstable();
    for w in ranges.windows(2) {
        if w[1].0 < w[0].1 {
            return Err(ArchiveError::Overlap(records[w[0].2].shown_name(), records[w[1].2].shown_name()));
        }
    }
    Ok(())
}

/// Phase 5: each local header says what its central record says about
/// what is extracted and how: the name, the method, the sizes. The CRC-32
/// is left out: it changes no reader's bytes, the zip library checks the
/// data against the central one, and the manifests check every byte.
fn check_locals(records: &[ZipRecord], locals: &[LocalHeader]) -> Result<(), ArchiveError> {
    for (rec, local) in records.iter().zip(locals) {
        let field = if local.name != rec.name {
            Some("name")
        } else if local.method != rec.method {
            Some("compression method")
        } else if (local.flags ^ rec.flags) & FLAG_DESCRIPTOR != 0 {
            Some("data descriptor flag")
        } else if local.compressed != rec.compressed {
            Some("compressed size")
        } else if local.size != rec.size {
            Some("size")
        } else {
            None
        };
        if let Some(field) = field {
            return Err(ArchiveError::LocalMismatch { name: rec.shown_name(), field });
        }
    }
    Ok(())
}

/// Reads and checks every record of the archive in `r`: refuses duplicate
/// names, local headers that differ from their central records, and entries
/// that overlap. Returns the records in central-directory order.
pub fn read_records<R: Read + Seek>(r: &mut R, max_entries: usize) -> Result<Vec<ZipRecord>, ArchiveError> {
    let len = r.seek(SeekFrom::End(0))?;
    let dir = find_directory(r, len)?;
    let mut records = read_central(r, &dir, max_entries)?;
    check_unique(&records)?;
    let locals = read_locals(r, &mut records, &dir)?;
    check_overlaps(&records)?;
    check_locals(&records, &locals)?;
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::{ArchiveError, read_records};
    use std::io::{Cursor, Write};

    /// A zip of `entries` as the zip crate writes it: through a stream (data
    /// descriptors, as bundles are written) or seekable; ZIP64 fields forced.
    fn written(entries: &[(&str, &[u8])], streamed: bool) -> Vec<u8> {
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true);
        if streamed {
            let mut w = zip::ZipWriter::new_stream(Vec::new());
            for (name, data) in entries {
                w.start_file(*name, opts).unwrap();
                w.write_all(data).unwrap();
            }
            w.finish().unwrap().into_inner()
        } else {
            let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for (name, data) in entries {
                w.start_file(*name, opts).unwrap();
                w.write_all(data).unwrap();
            }
            w.finish().unwrap().into_inner()
        }
    }

    #[test]
    fn zip64_entries_with_and_without_data_descriptors_are_read_as_the_zip_library_reads_them() {
        let entries: [(&str, &[u8]); 3] = [("bag/a.txt", b"alpha"), ("bag/empty.txt", b""), ("bag/b.txt", b"bravo bravo")];
        for streamed in [true, false] {
            let zip = written(&entries, streamed);
            let records = read_records(&mut Cursor::new(&zip), 10).unwrap_or_else(|e| panic!("streamed {streamed}: {e}"));
            let mut archive = zip::ZipArchive::new(Cursor::new(&zip)).unwrap();
            assert_eq!(records.len(), archive.len());
            for (i, r) in records.iter().enumerate() {
                let e = archive.by_index_raw(i).unwrap();
                assert_eq!((r.name.as_slice(), r.size, r.compressed, r.local_offset), (e.name_raw(), e.size(), e.compressed_size(), e.header_start()));
                assert_eq!(Some(r.data_start), e.data_start(), "streamed {streamed}: {}", e.name());
            }
        }
    }

    #[test]
    fn a_data_descriptor_that_disagrees_with_the_central_record_is_refused() {
        // The streamed writer puts the sizes after the data; a reader that
        // walks the local headers believes them, so they must agree too.
        let mut zip = written(&[("bag/a.txt", b"alpha"), ("bag/b.txt", b"bravo")], true);
        let at = zip.windows(4).position(|w| w == [0x50, 0x4b, 0x07, 0x08]).expect("a data descriptor");
        // Signature, CRC-32, then the 8-byte compressed size.
        zip[at + 8] ^= 0x01;
        match read_records(&mut Cursor::new(&zip), 10) {
            Err(ArchiveError::LocalMismatch { name, field }) => assert_eq!((name.as_str(), field), ("bag/a.txt", "compressed size")),
            other => panic!("must be refused as a mismatch, not {other:?}"),
        }
    }

    #[test]
    fn the_entry_count_limit_holds_before_any_record_is_read() {
        let zip = written(&[("bag/a.txt", b"a"), ("bag/b.txt", b"b")], false);
        match read_records(&mut Cursor::new(&zip), 1) {
            Err(ArchiveError::TooManyEntries { found: 2, limit: 1 }) => {}
            other => panic!("two entries over a limit of one: {other:?}"),
        }
    }
}
