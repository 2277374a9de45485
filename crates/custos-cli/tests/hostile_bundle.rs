//! Hostile bundles (TRUST.md row 11): a genuine sealed bundle with one
//! hostile piece added — a path escaping the bag, an absolute path, a drive
//! letter, a backslash, a NUL, a symbolic link, names equal after Unicode
//! normalisation or case folding, a zip bomb, overlapping entries, a second
//! top-level folder. Each must be refused as bad input (exit 2) with a
//! message naming the problem, and nothing may be written anywhere: not in
//! the current folder, not in TMPDIR, not beside the bundle, not in a vault.
//!
//! The zips are assembled byte by byte here (local headers, central
//! directory, end record), so nothing in them depends on a zip library
//! choosing to write what it is asked.

#[macro_use]
mod common;

use common::*;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

// ---------------------------------------------------------------------------
// A minimal zip writer

/// CRC-32 (IEEE), as zip uses it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// One entry as it will be written.
#[derive(Debug, Clone)]
struct RawEntry {
    /// The name, as bytes (UTF-8 flag set).
    name: Vec<u8>,
    /// 0 stored, 8 deflated.
    method: u16,
    /// The bytes as stored in the archive.
    data: Vec<u8>,
    /// CRC-32 of the uncompressed bytes, as declared.
    crc: u32,
    /// Uncompressed size, as declared.
    size: u32,
    /// Unix mode (type and permissions) for the external attributes.
    unix_mode: u32,
    /// What the local header says where it differs from the central record.
    local: LocalDiffers,
    /// Bytes both headers claim beyond the data written (to run into the next entry).
    claims_more: u32,
}

/// Fields a forged local header gives differently from its central record.
#[derive(Debug, Clone, Default)]
struct LocalDiffers {
    name: Option<Vec<u8>>,
    method: Option<u16>,
    size: Option<u32>,
}

impl RawEntry {
    /// A stored regular file.
    fn file(name: impl Into<Vec<u8>>, data: &[u8]) -> Self {
        RawEntry {
            name: name.into(),
            method: 0,
            data: data.to_vec(),
            crc: crc32(data),
            size: data.len() as u32,
            unix_mode: 0o100644,
            local: LocalDiffers::default(),
            claims_more: 0,
        }
    }
}

/// A central-directory record: the entry it describes (by index) and the
/// name it gives it; two records may describe the same local entry.
struct CentralRecord {
    entry: usize,
    name: Vec<u8>,
}

/// Writes `entries` and a central directory listing `records` (by default
/// one per entry, in order).
fn build_zip(entries: &[RawEntry], records: Option<Vec<CentralRecord>>) -> Vec<u8> {
    let records = records.unwrap_or_else(|| {
        entries.iter().enumerate().map(|(i, e)| CentralRecord { entry: i, name: e.name.clone() }).collect()
    });
    const DOS_DATE_1980_01_01: u16 = 0x0021;
    const UTF8_NAMES: u16 = 0x0800;
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for e in entries {
        offsets.push(out.len() as u32);
        let name = e.local.name.as_ref().unwrap_or(&e.name);
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&UTF8_NAMES.to_le_bytes());
        out.extend_from_slice(&e.local.method.unwrap_or(e.method).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&DOS_DATE_1980_01_01.to_le_bytes());
        out.extend_from_slice(&e.crc.to_le_bytes());
        out.extend_from_slice(&(e.data.len() as u32 + e.claims_more).to_le_bytes());
        out.extend_from_slice(&(e.local.size.unwrap_or(e.size) + e.claims_more).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra length
        out.extend_from_slice(name);
        out.extend_from_slice(&e.data);
    }
    let cd_start = out.len() as u32;
    for r in &records {
        let e = &entries[r.entry];
        out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        out.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes()); // made by: Unix, 2.0
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&UTF8_NAMES.to_le_bytes());
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&DOS_DATE_1980_01_01.to_le_bytes());
        out.extend_from_slice(&e.crc.to_le_bytes());
        out.extend_from_slice(&(e.data.len() as u32 + e.claims_more).to_le_bytes());
        out.extend_from_slice(&(e.size + e.claims_more).to_le_bytes());
        out.extend_from_slice(&(r.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
        out.extend_from_slice(&0u16.to_le_bytes()); // comment
        out.extend_from_slice(&0u16.to_le_bytes()); // disk
        out.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        out.extend_from_slice(&(e.unix_mode << 16).to_le_bytes());
        out.extend_from_slice(&offsets[r.entry].to_le_bytes());
        out.extend_from_slice(&r.name);
    }
    let cd_len = out.len() as u32 - cd_start;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(records.len() as u16).to_le_bytes());
    out.extend_from_slice(&(records.len() as u16).to_le_bytes());
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

// ---------------------------------------------------------------------------
// The genuine bundle every hostile one starts from

/// A real export, its entries (name and bytes) and its bag folder name.
struct Genuine {
    zip: PathBuf,
    bag: String,
    entries: Vec<RawEntry>,
}


fn genuine() -> &'static Genuine {
    static G: OnceLock<Genuine> = OnceLock::new();
    G.get_or_init(|| {
        let dir = scratch("hostile-bundle-", "genuine");
        let vault = init_vault(&dir.join("vault"));
        write_file(&dir.join("src/memo.txt"), "The shipment left on Tuesday.\n");
        write_file(&dir.join("src/ledger.csv"), "date,amount\r\n2024-01-02,100\r\n");
        write_file(&dir.join("src/notes.txt"), "Call with the client at 10:00.\n");
        custos(argv!["add", &vault, dir.join("src")]).assert_success("add");
        let zip = dir.join("genuine.zip");
        custos(argv!["export", &vault, "--out", &zip, "--bates-prefix", "HOS"]).assert_success("export");
        let mut archive = zip::ZipArchive::new(fs::File::open(&zip).unwrap()).expect("a zip");
        let mut entries = Vec::new();
        for i in 0..archive.len() {
            let mut f = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            entries.push(RawEntry::file(f.name_raw().to_vec(), &data));
        }
        let bag = String::from_utf8(entries[0].name.clone()).unwrap().split('/').next().unwrap().to_string();
        Genuine { zip, bag, entries }
    })
}

/// The genuine entries plus `extra`.
fn genuine_plus(extra: Vec<RawEntry>) -> Vec<u8> {
    let mut entries = genuine().entries.clone();
    entries.extend(extra);
    build_zip(&entries, None)
}

/// An entry name inside the bag.
fn in_bag(rest: &str) -> Vec<u8> {
    format!("{}/{rest}", genuine().bag).into_bytes()
}

// ---------------------------------------------------------------------------
// What a refusal must look like

fn import_bundle_exists() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| {
        let o = custos(["--help"]);
        o.assert_success("custos --help");
        o.stdout.lines().any(|l| l.trim_start().starts_with("import-bundle"))
    })
}

/// Writes `zip_bytes` as a bundle in a fresh folder and checks that
/// `verify-bundle` (and `import-bundle`, where it exists) refuse it with exit
/// 2 and a message containing `names_problem`, writing nothing: the folder
/// holding the bundle, the current folder, TMPDIR and the vault are
/// snapshotted before and after.
#[track_caller]
fn assert_refused(case: &str, zip_bytes: &[u8], names_problem: &str) {
    let dir = scratch("hostile-bundle-", case);
    let bundle_dir = dir.join("bundle");
    let cwd = dir.join("cwd");
    let tmpdir = dir.join("tmp");
    for d in [&bundle_dir, &cwd, &tmpdir] {
        fs::create_dir_all(d).unwrap();
    }
    let bundle = bundle_dir.join("bundle.zip");
    fs::File::create(&bundle).and_then(|mut f| f.write_all(zip_bytes)).unwrap();
    let vault = import_bundle_exists().then(|| init_vault(&dir.join("vault")));
    let before = snapshot(&dir);

    let mut runs = vec![("verify-bundle", argv!["verify-bundle", &bundle]), ("verify-bundle --json", argv!["verify-bundle", &bundle, "--json"])];
    if let Some(v) = &vault {
        runs.push(("import-bundle", argv!["import-bundle", v, &bundle]));
    }
    for (what, args) in runs {
        let o = run(custos_command(&args).current_dir(&cwd).env("TMPDIR", &tmpdir));
        assert_eq!(o.code, Some(2), "{case}: `custos {what}` must refuse the bundle as bad input (exit 2); {}", o.describe());
        assert!(
            o.stderr.to_lowercase().contains(&names_problem.to_lowercase()),
            "{case}: `custos {what}` must name the problem ({names_problem:?}); {}",
            o.describe()
        );
        assert!(o.stdout.trim().is_empty(), "{case}: `custos {what}` must print no report for a refused bundle; {}", o.describe());
        let changes = snapshot_diff(&before, &snapshot(&dir));
        assert!(
            changes.is_empty(),
            "{case}: `custos {what}` must write nothing (bundle folder, current folder, TMPDIR, vault):\n  {}",
            changes.join("\n  ")
        );
    }
}

// ---------------------------------------------------------------------------
// The cases

#[test]
fn control_the_hand_built_copy_of_a_genuine_bundle_verifies() {
    // Without this, a refusal below could come from the zip writer, not the hostile piece.
    let dir = scratch("hostile-bundle-", "control");
    let copy = dir.join("copy.zip");
    fs::write(&copy, build_zip(&genuine().entries, None)).unwrap();
    let t = run(std::process::Command::new("unzip").arg("-tq").arg(&copy));
    assert_eq!(t.code, Some(0), "unzip -t must accept the hand-built zip; {}", t.describe());
    for z in [&genuine().zip, &copy] {
        let o = custos(argv!["verify-bundle", z, "--json"]);
        o.assert_success("the genuine bundle, and its hand-built copy, must verify");
        assert_eq!(o.json()["ok"], serde_json::Value::Bool(true));
    }
}

#[test]
fn entry_with_dot_dot_is_refused() {
    assert_refused("dotdot", &genuine_plus(vec![RawEntry::file(in_bag("data/../../escaped.txt"), b"x")]), "'..'");
}

#[test]
fn absolute_entry_is_refused() {
    let target = "/tmp/custos-hostile-absolute-entry.txt";
    assert_refused("absolute", &genuine_plus(vec![RawEntry::file(target, b"x")]), "absolute");
    assert!(!Path::new(target).exists(), "nothing may be written at the absolute path");
}

#[test]
fn drive_letter_entry_is_refused() {
    assert_refused("drive", &genuine_plus(vec![RawEntry::file("C:/x", b"x")]), "drive");
}

#[test]
fn backslash_in_entry_is_refused() {
    assert_refused("backslash", &genuine_plus(vec![RawEntry::file(in_bag("data\\..\\..\\evil.txt"), b"x")]), "backslash");
}

#[test]
fn nul_in_entry_name_is_refused() {
    assert_refused("nul", &genuine_plus(vec![RawEntry::file(in_bag("data/evil\0.txt"), b"x")]), "NUL");
}

#[test]
fn symlink_entry_is_refused() {
    let mut link = RawEntry::file(in_bag("data/link"), b"/etc/passwd");
    link.unix_mode = 0o120777;
    assert_refused("symlink", &genuine_plus(vec![link]), "symbolic link");
}

#[test]
fn names_equal_after_unicode_normalisation_are_refused() {
    let nfc = RawEntry::file(in_bag("data/caf\u{e9}.txt"), b"composed");
    let nfd = RawEntry::file(in_bag("data/cafe\u{301}.txt"), b"decomposed");
    assert_ne!(nfc.name, nfd.name, "the two names differ as bytes");
    assert_refused("nfc-nfd", &genuine_plus(vec![nfc, nfd]), "normalisation");
}

#[test]
fn names_equal_after_case_folding_are_refused() {
    let upper = RawEntry::file(in_bag("data/A.txt"), b"upper");
    let lower = RawEntry::file(in_bag("data/a.txt"), b"lower");
    assert_refused("case", &genuine_plus(vec![upper, lower]), "case folding");
}

#[test]
fn zip_bomb_inflating_past_its_declared_size_is_refused() {
    // 64 MiB of zeros, deflated (a few tens of KiB), put in place of a native
    // listed in the manifest, declaring the native's true small size and CRC.
    let zeros = vec![0u8; 64 << 20];
    let deflated = {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file("z", opts).unwrap();
        w.write_all(&zeros).unwrap();
        let bytes = w.finish().unwrap().into_inner();
        let mut a = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut raw = Vec::new();
        a.by_index_raw(0).unwrap().read_to_end(&mut raw).unwrap();
        raw
    };
    assert!(deflated.len() < 1 << 20, "the bomb is small on disk ({} bytes)", deflated.len());
    let mut entries = genuine().entries.clone();
    let native = entries
        .iter_mut()
        .find(|e| String::from_utf8_lossy(&e.name).contains("/data/VOL001/NATIVES/") && !e.data.is_empty())
        .expect("a native");
    native.method = 8;
    native.data = deflated; // declared size and CRC stay those of the real native
    let started = std::time::Instant::now();
    assert_refused("bomb", &build_zip(&entries, None), "inflates to more than it declares");
    assert!(started.elapsed().as_secs() < 60, "the bomb must be stopped early, not inflated in full");
}

#[test]
fn overlapping_entries_are_refused() {
    // A second central-directory record points at the same local data under another name.
    let entries = &genuine().entries;
    let victim = entries
        .iter()
        .position(|e| String::from_utf8_lossy(&e.name).contains("/data/VOL001/NATIVES/"))
        .expect("a native");
    let mut records: Vec<CentralRecord> =
        entries.iter().enumerate().map(|(i, e)| CentralRecord { entry: i, name: e.name.clone() }).collect();
    records.push(CentralRecord { entry: victim, name: in_bag("data/alias.txt") });
    assert_refused("overlap", &build_zip(entries, Some(records)), "overlap");
}

#[test]
fn second_top_level_folder_is_refused() {
    assert_refused("two-tops", &genuine_plus(vec![RawEntry::file("other/readme.txt", b"x")]), "top-level");
}

#[test]
fn entry_whose_data_runs_into_the_next_entry_is_refused() {
    // Both headers of one native agree on a size that reaches into the next
    // entry's local header: a genuine overlap, not a header mismatch.
    let mut entries = genuine().entries.clone();
    let native = entries.iter().position(|e| String::from_utf8_lossy(&e.name).contains("/data/VOL001/NATIVES/")).expect("a native");
    assert!(native + 1 < entries.len(), "another entry follows the native");
    entries[native].claims_more = 8;
    assert_refused("overlap-run-in", &build_zip(&entries, None), "overlap");
}

// ---------------------------------------------------------------------------
// The archive's own records (TRUST.md row 19)

/// The first native's index among the genuine entries.
fn first_native() -> usize {
    genuine().entries.iter().position(|e| String::from_utf8_lossy(&e.name).contains("/data/VOL001/NATIVES/")).expect("a native")
}

#[test]
fn duplicate_entry_name_is_refused() {
    // A forged copy of a native placed before the genuine one under the very
    // same name: unzip tools extract the forged copy, a zip library keeps one.
    let genuine_native = genuine().entries[first_native()].clone();
    let forged = RawEntry::file(genuine_native.name.clone(), b"The shipment never left.\n");
    let mut entries = vec![forged];
    entries.extend(genuine().entries.iter().cloned());
    let zip = build_zip(&entries, None);
    let name = String::from_utf8(genuine_native.name).unwrap();
    assert_refused("duplicate-name", &zip, &format!("{name:?} occurs twice"));
}

#[test]
fn local_header_differing_from_its_central_record_is_refused() {
    let i = first_native();
    let name = String::from_utf8(genuine().entries[i].name.clone()).unwrap();
    let forged_name = {
        let mut n = genuine().entries[i].name.clone();
        let last = n.len() - 1;
        n[last] = b'X';
        n
    };
    let cases: [(&str, LocalDiffers, &str); 3] = [
        ("local-name", LocalDiffers { name: Some(forged_name), ..LocalDiffers::default() }, "name"),
        ("local-method", LocalDiffers { method: Some(8), ..LocalDiffers::default() }, "compression method"),
        ("local-size", LocalDiffers { size: Some(genuine().entries[i].size + 1), ..LocalDiffers::default() }, "size"),
    ];
    for (case, local, field) in cases {
        let mut entries = genuine().entries.clone();
        entries[i].local = local;
        let expected = format!("entry {name:?}: its local header gives a different {field} than its central directory record");
        assert_refused(case, &build_zip(&entries, None), &expected);
    }
}

#[test]
fn oversized_tag_files_are_refused() {
    // bag-info.txt is a few lines by nature; a manifest holds one line per
    // payload file. Neither may make verify or import allocate more.
    for (case, rest, bytes, limit) in [
        ("big-bag-info", "bag-info.txt", (1 << 20) + 1, "at most 1048576)".to_string()),
        ("big-manifest", "manifest-sha256.txt", 4 << 20, "at most".to_string()),
    ] {
        let mut entries = genuine().entries.clone();
        let at = entries.iter().position(|e| e.name == in_bag(rest)).expect("the tag file");
        let padded = vec![b'#'; bytes];
        entries[at] = RawEntry::file(in_bag(rest), &padded);
        assert_refused(case, &build_zip(&entries, None), &format!("{rest} is too large ({bytes} bytes, {limit}"));
    }
}

#[test]
fn a_genuine_bundle_rezipped_by_info_zip_with_an_empty_exhibit_verifies() {
    // Info-ZIP stores an empty file as a local header followed at once by
    // the next one: the empty entry touches its neighbour but shares no byte.
    let dir = scratch("hostile-bundle-", "rezipped");
    let vault = init_vault(&dir.join("vault"));
    write_file(&dir.join("src/empty.txt"), "");
    write_file(&dir.join("src/memo.txt"), "The shipment left on Tuesday.\n");
    custos(argv!["add", &vault, dir.join("src")]).assert_success("add");
    let zip = dir.join("genuine.zip");
    custos(argv!["export", &vault, "--out", &zip, "--bates-prefix", "EMP"]).assert_success("export");
    let unpacked = dir.join("unpacked");
    let u = run(std::process::Command::new("unzip").arg("-q").arg(&zip).arg("-d").arg(&unpacked));
    assert_eq!(u.code, Some(0), "unzip must extract the genuine bundle; {}", u.describe());
    let bag = fs::read_dir(&unpacked).unwrap().next().unwrap().unwrap().file_name();
    // Plain, and with ZIP64 forced (`-fz`: ZIP64 extra fields, end record and locator).
    for (case, zip_flags) in [("rezipped.zip", &["-q", "-r"][..]), ("rezipped-zip64.zip", &["-q", "-r", "-fz"][..])] {
        let rezipped = dir.join(case);
        let z = run(std::process::Command::new("zip").args(zip_flags).arg(&rezipped).arg(&bag).current_dir(&unpacked));
        assert_eq!(z.code, Some(0), "Info-ZIP zip must re-zip the bag; {}", z.describe());
        let mut archive = zip::ZipArchive::new(fs::File::open(&rezipped).unwrap()).expect("a zip");
        let empty_files =
            (0..archive.len()).filter(|&i| archive.by_index_raw(i).is_ok_and(|e| !e.is_dir() && e.compressed_size() == 0)).count();
        assert!(empty_files > 0, "{case}: the re-zipped bundle holds an empty stored entry");
        let o = custos(argv!["verify-bundle", &rezipped, "--json"]);
        o.assert_success(&format!("{case}: a genuine bundle re-zipped by Info-ZIP must verify"));
        assert_eq!(o.json()["ok"], serde_json::Value::Bool(true), "{case}: {}", o.describe());
    }
}
