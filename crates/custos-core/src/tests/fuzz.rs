//! Every reader of untrusted bytes fed generated and mutated input (TRUST.md
//! row 22): the bundle's zip records and the zip reader (plain, and through
//! the age-decrypting stream of an encrypted bundle), bag-info, the
//! manifests, the DAT load file, custody lines and checkpoints (alone and
//! inside a bundle), and the age object reader. Each must finish, never
//! panic, and fail with a clear error; a mutated age object must never hand
//! out plaintext that is not the original's.
//!
//! CI runs a few dozen cases per property; `make fuzz` sets
//! `PROPTEST_CASES` high for a long run. A case that fails is kept by
//! proptest under `proptest-regressions/` and replayed first on every run;
//! inputs worth keeping by hand live in `tests/corpus/` (see
//! `fuzz_regressions.rs`).

use super::ExportFromRequest;
use super::{new_vault, sources};
use crate::error::Error;
use crate::bundle::read::Bundle;
use crate::bundle::dat::parse_dat_with;
use crate::bundle::verify::{EventLine, verify_bundle};
use crate::format::custody::SignedCheckpoint;
use crate::export::{DatDelimiters, ExportRequest};
use crate::{IntakeOptions, NoProgress};
use proptest::prelude::*;
use proptest::sample::Index;
use std::io::{Read, Write};
use std::sync::OnceLock;
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

/// Cases per property in a normal run; `PROPTEST_CASES` overrides it.
fn config(cases: u32) -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = cases;
    }
    c
}

/// Runs `f` on its own thread and fails if it does not finish in time: a
/// reader must terminate on any input. (A thread that hangs is left behind.)
fn finishes<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(v) => v,
        Err(RecvTimeoutError::Timeout) => panic!("{what} did not finish within a minute"),
        Err(RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
    }
}

/// A refusal must be bad input with a message that says so.
fn assert_clear_refusal(e: &Error) {
    match e {
        Error::InvalidInput(m) => assert!(m.starts_with("refusing the bundle: ") && m.len() > 25, "a refusal names its problem: {m:?}"),
        other => panic!("a bad bundle must be refused as bad input, not {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// A genuine small bundle, made once

struct Genuine {
    zip: Vec<u8>,
    /// Each entry's name and bytes, in archive order.
    entries: Vec<(String, Vec<u8>)>,
}

fn genuine() -> &'static Genuine {
    static G: OnceLock<Genuine> = OnceLock::new();
    G.get_or_init(|| {
        let (dir, mut v) = new_vault();
        let src = sources(dir.path(), &[("memo.txt", b"The shipment left on Tuesday.\n"), ("empty.txt", b""), ("notes.csv", b"a,b\r\n1,2\r\n")]);
        v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
        let out = dir.path().join("b.zip");
        v.export_req(&ExportRequest::new(&out, "FZ"), &NoProgress).unwrap();
        let zip = std::fs::read(&out).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.clone())).unwrap();
        let entries = (0..archive.len())
            .map(|i| {
                let mut f = archive.by_index(i).unwrap();
                let mut data = Vec::new();
                f.read_to_end(&mut data).unwrap();
                (f.name().to_string(), data)
            })
            .collect();
        Genuine { zip, entries }
    })
}

/// A stored zip of `entries`, written by the zip crate as Custos writes bundles.
fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in entries {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Opens `bytes` as a bundle and, if it opens, verifies it; returns whether
/// it verified OK. Any failure must be a clear refusal.
fn open_and_verify(bytes: Vec<u8>) -> bool {
    finishes("opening and verifying a bundle", move || match Bundle::open_zip_bytes(bytes) {
        Err(e) => {
            assert_clear_refusal(&e);
            false
        }
        Ok(mut bundle) => match verify_bundle(&mut bundle, None) {
            Ok((report, _)) => {
                for f in &report.findings {
                    assert!(!f.message.trim().is_empty() && !f.kind.as_str().is_empty(), "a finding says what it is: {f:?}");
                }
                report.ok
            }
            Err(e) => {
                assert_clear_refusal(&e);
                false
            }
        },
    })
}

// ---------------------------------------------------------------------------
// Mutations of an archive's bytes

#[derive(Debug, Clone)]
enum Mutation {
    /// One bit flipped.
    Flip(Index, u8),
    /// Cut at a point.
    Truncate(Index),
    /// A run of bytes copied over another place.
    Splice { from: Index, to: Index, len: usize },
    /// Bytes inserted.
    Insert(Index, Vec<u8>),
    /// A central-directory record repeated, its name kept or changed.
    DuplicateCentral(Index, bool),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), any::<Index>(), 1usize..200).prop_map(|(from, to, len)| Mutation::Splice { from, to, len }),
        1 => (any::<Index>(), prop::collection::vec(any::<u8>(), 1..64)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => (any::<Index>(), any::<bool>()).prop_map(|(i, renamed)| Mutation::DuplicateCentral(i, renamed)),
    ]
}

/// The central directory of a zip without comment or ZIP64 records:
/// (offset, size, record boundaries).
fn central_records(zip: &[u8]) -> Option<(usize, usize, Vec<usize>)> {
    let e = zip.len().checked_sub(22)?;
    if zip[e..e + 4] != [0x50, 0x4b, 0x05, 0x06] {
        return None;
    }
    let size = u32::from_le_bytes(zip[e + 12..e + 16].try_into().ok()?) as usize;
    let offset = u32::from_le_bytes(zip[e + 16..e + 20].try_into().ok()?) as usize;
    let mut at = offset;
    let mut bounds = vec![at];
    while at < offset.checked_add(size)? {
        let var = |o: usize| -> Option<usize> { Some(u16::from_le_bytes(zip.get(at + o..at + o + 2)?.try_into().ok()?) as usize) };
        at += 46 + var(28)? + var(30)? + var(32)?;
        bounds.push(at);
    }
    // Only a directory that a mutation left whole is worth repeating a record of.
    (bounds.len() >= 2 && at <= e).then_some((offset, size, bounds))
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    match m {
        Mutation::Flip(i, bit) => {
            let at = i.index(bytes.len());
            bytes[at] ^= 1 << bit;
        }
        Mutation::Truncate(i) => bytes.truncate(i.index(bytes.len())),
        Mutation::Splice { from, to, len } => {
            let (from, to) = (from.index(bytes.len()), to.index(bytes.len()));
            let len = (*len).min(bytes.len() - from).min(bytes.len() - to);
            let run = bytes[from..from + len].to_vec();
            bytes[to..to + len].copy_from_slice(&run);
        }
        Mutation::Insert(i, b) => {
            let at = i.index(bytes.len() + 1);
            bytes.splice(at..at, b.iter().copied());
        }
        Mutation::DuplicateCentral(i, renamed) => {
            let Some((_, size, bounds)) = central_records(bytes) else { return };
            let k = i.index(bounds.len() - 1);
            let mut record = bytes[bounds[k]..bounds[k + 1]].to_vec();
            if *renamed && record.len() > 46 {
                let name_len = u16::from_le_bytes([record[28], record[29]]) as usize;
                if name_len > 0 {
                    record[46 + name_len - 1] ^= 0x20;
                }
            }
            let e = bytes.len() - 22;
            for at in [e + 8, e + 10] {
                let n = u16::from_le_bytes([bytes[at], bytes[at + 1]]).wrapping_add(1);
                bytes[at..at + 2].copy_from_slice(&n.to_le_bytes());
            }
            bytes[e + 12..e + 16].copy_from_slice(&((size + record.len()) as u32).to_le_bytes());
            let at = bounds[k + 1];
            bytes.splice(at..at, record);
        }
    }
}

#[test]
fn the_genuine_bundle_and_its_rebuilt_copy_verify() {
    // Without this, the properties below could pass on a bundle that never verifies.
    assert!(open_and_verify(genuine().zip.clone()), "the genuine bundle verifies");
    assert!(open_and_verify(zip_of(&genuine().entries)), "its copy rebuilt by the zip crate verifies");
    assert!(genuine().entries.iter().any(|(n, d)| n.contains("/NATIVES/") && d.is_empty()), "it holds an empty native");
}

proptest! {
    #![proptest_config(config(48))]

    /// Mutated bundles: no panic, no hang, each failure a clear refusal.
    #[test]
    fn mutated_bundles_are_refused_or_reported(mutations in prop::collection::vec(mutation(), 1..4)) {
        let mut bytes = genuine().zip.clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        open_and_verify(bytes);
    }

    /// A central record repeated under the same name is always refused as a
    /// duplicate; under another name, as overlapping its twin.
    #[test]
    fn a_repeated_central_record_is_refused(i in any::<Index>(), renamed in any::<bool>()) {
        let mut bytes = genuine().zip.clone();
        apply(&mut bytes, &Mutation::DuplicateCentral(i, renamed));
        let err = Bundle::open_zip_bytes(bytes).err().expect("a repeated record must be refused");
        let expected = if renamed { "overlap" } else { "occurs twice" };
        prop_assert!(err.to_string().contains(expected), "{err}");
    }

    /// One file of a genuine bundle changed (any file the manifests or the
    /// tag manifest cover): never verified OK, and never a panic.
    #[test]
    fn a_changed_file_never_verifies(which in any::<Index>(), mutations in prop::collection::vec(mutation(), 1..3)) {
        let mut entries = genuine().entries.clone();
        // The seal's own files may change harmlessly (white space in the
        // signers line); the seal check covers them, this property does not.
        let covered: Vec<usize> = (0..entries.len()).filter(|&i| !entries[i].0.contains("/seal/") && !entries[i].0.ends_with('/')).collect();
        let k = covered[which.index(covered.len())];
        let before = entries[k].1.clone();
        for m in &mutations {
            if matches!(m, Mutation::DuplicateCentral(..)) {
                continue;
            }
            if entries[k].1.is_empty() {
                entries[k].1.push(b'x');
            }
            apply(&mut entries[k].1, m);
        }
        prop_assume!(entries[k].1 != before);
        prop_assert!(!open_and_verify(zip_of(&entries)), "{} changed, yet the bundle verified OK", entries[k].0);
    }

    /// Zips made from generated entries (hostile names included).
    #[test]
    fn generated_zips_are_read_or_refused(
        entries in prop::collection::vec(
            (prop::collection::vec(prop::sample::select(vec!['b', 'a', 'g', '/', '.', '\\', '\0', 'A', 'é', 'e', '\u{301}', ':']), 1..16),
             prop::collection::vec(any::<u8>(), 0..300),
             any::<bool>()),
            1..8)
    ) {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data, deflate) in &entries {
            let method = if *deflate { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
            let opts = zip::write::SimpleFileOptions::default().compression_method(method);
            let name: String = name.iter().collect();
            if w.start_file(name, opts).is_err() {
                continue;
            }
            w.write_all(data).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        finishes("reading a generated zip", move || match Bundle::open_zip_bytes(bytes) {
            Err(e) => assert_clear_refusal(&e),
            Ok(mut bundle) => {
                let paths: Vec<String> = bundle.paths().map(str::to_string).collect();
                for p in paths {
                    let _ = bundle.read_with(&p, &mut |_| Ok(()));
                }
                let _ = verify_bundle(&mut bundle, None);
            }
        });
    }

    /// Arbitrary bytes after a zip signature.
    #[test]
    fn arbitrary_bytes_are_refused(tail in prop::collection::vec(any::<u8>(), 0..2000)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        if let Err(e) = finishes("reading arbitrary bytes", move || Bundle::open_zip_bytes(bytes).map(|_| ())) {
            assert_clear_refusal(&e);
        }
    }
}

// ---------------------------------------------------------------------------
// An encrypted bundle: the records are read through the age-decrypting stream

/// The genuine bundle encrypted to [`identity`], as an encrypted export is.
fn encrypted_genuine() -> &'static [u8] {
    static E: OnceLock<Vec<u8>> = OnceLock::new();
    E.get_or_init(|| {
        let recipient = identity().to_public();
        let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).unwrap();
        let mut out = Vec::new();
        let mut w = encryptor.wrap_output(&mut out).unwrap();
        w.write_all(&genuine().zip).unwrap();
        w.finish().unwrap();
        out
    })
}

/// Opens `bytes` from a file as `Bundle::open` does (with the identity) and
/// verifies it; returns whether it verified OK.
fn open_file_and_verify(bytes: Vec<u8>) -> bool {
    finishes("opening and verifying an encrypted bundle", move || {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bundle.zip.age");
        std::fs::write(&path, bytes).unwrap();
        match Bundle::open(&path, Some(identity()), None) {
            Err(e) => {
                assert_clear_refusal(&e);
                false
            }
            Ok(mut bundle) => match verify_bundle(&mut bundle, None) {
                Ok((report, _)) => report.ok,
                Err(e) => {
                    assert_clear_refusal(&e);
                    false
                }
            },
        }
    })
}

#[test]
fn the_encrypted_genuine_bundle_verifies() {
    assert!(open_file_and_verify(encrypted_genuine().to_vec()), "the control: unchanged, it verifies");
}

proptest! {
    #![proptest_config(config(32))]

    /// Every byte of an encrypted bundle is authenticated when it is read,
    /// and verify reads every chunk: a changed ciphertext never verifies OK.
    #[test]
    fn a_mutated_encrypted_bundle_never_verifies(mutations in prop::collection::vec(mutation(), 1..3)) {
        let mut bytes = encrypted_genuine().to_vec();
        for m in &mutations {
            if !matches!(m, Mutation::DuplicateCentral(..)) {
                apply(&mut bytes, m);
            }
        }
        prop_assume!(bytes != encrypted_genuine());
        prop_assert!(!open_file_and_verify(bytes), "a changed encrypted bundle verified OK");
    }
}

// ---------------------------------------------------------------------------
// The text readers: load file, manifests, bag-info, custody lines, checkpoints

fn delimiters() -> impl Strategy<Value = DatDelimiters> {
    let pick = || prop::sample::select(vec!['\u{14}', 'þ', '®', '|', ',', '"', '^', '~', 'a', '\u{0}', '\u{feff}']);
    (pick(), pick(), pick()).prop_filter("distinct delimiters", |(f, q, n)| f != q && q != n && f != n).prop_map(|(field, quote, newline)| DatDelimiters::declared(field, quote, newline))
}

proptest! {
    #![proptest_config(config(256))]

    /// Any bytes as a load file, with any delimiters: rows or an error.
    #[test]
    fn load_file_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600), bom in any::<bool>(), d in delimiters()) {
        let mut input = if bom { vec![0xEF, 0xBB, 0xBF] } else { Vec::new() };
        input.extend(bytes);
        if let Err(m) = parse_dat_with(&input, d) {
            prop_assert!(!m.is_empty());
        }
    }

    /// What the load-file writer writes, the parser reads back.
    #[test]
    fn load_files_read_back_what_was_written(
        rows in prop::collection::vec(prop::collection::vec("[a-zA-Z0-9 éü\n._-]{0,12}", crate::bundle::dat::FIELDS.len()), 0..6),
        d in delimiters().prop_filter("no letters or digits as delimiters", |d| ![d.field(), d.quote(), d.newline()].iter().any(|c| c.is_alphanumeric() || " éü._-\n".contains(*c))),
    ) {
        let mut w = crate::bundle::dat::DatWriter::new(d, crate::bundle::DatEncoding::Utf8);
        for r in &rows {
            w.row(&r.iter().map(String::as_str).collect::<Vec<_>>());
        }
        let (bytes, warnings) = w.finish();
        prop_assert!(warnings.is_empty(), "{warnings:?}");
        let parsed = parse_dat_with(&bytes, d).expect("a written load file parses");
        prop_assert_eq!(parsed.len(), rows.len());
        for (got, want) in parsed.iter().zip(&rows) {
            let want: std::collections::BTreeMap<String, String> = crate::bundle::dat::FIELDS.iter().map(|f| f.to_string()).zip(want.iter().cloned()).collect();
            prop_assert_eq!(got, &want);
        }
    }

    /// Manifests and bag-info: any text parses or fails with a message.
    #[test]
    fn manifest_and_bag_info_parsers_never_panic(text in "(?s).{0,400}", lines in prop::collection::vec("[0-9a-f]{0,64}[ \t]{0,2}[a-z/.]{0,20}", 0..8)) {
        for t in [text.clone(), lines.join("\n")] {
            if let Err(m) = crate::bundle::verify::parse_manifest(&t) {
                prop_assert!(m.contains("manifest line"));
            }
            let info = format!("Load-File-Format: {t}\n");
            let _ = crate::bundle::dat::delimiters_from_info(&info);
        }
    }

    /// Custody lines and checkpoints: any bytes, and genuine ones mutated,
    /// are read or refused by their parsers without panic.
    #[test]
    fn custody_line_and_checkpoint_parsers_never_panic(noise in prop::collection::vec(any::<u8>(), 0..400), m in prop::collection::vec(mutation(), 1..3), line in any::<Index>()) {
        let files = &genuine().entries;
        let file = |suffix: &str| files.iter().find(|(n, _)| n.ends_with(suffix)).map(|(_, d)| d.clone()).expect("in the bundle");
        let events = file("data/custody/events.jsonl");
        let lines: Vec<&[u8]> = events.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
        let mut one_line = lines[line.index(lines.len())].to_vec();
        let mut checkpoint = file("data/custody/checkpoint.json");
        for x in &m {
            apply(&mut one_line, x);
            apply(&mut checkpoint, x);
        }
        for bytes in [&noise, &one_line, &checkpoint] {
            let _ = serde_json::from_slice::<EventLine>(bytes);
            let _ = serde_json::from_slice::<crate::format::custody::CustodyEvent>(bytes);
            let _ = serde_json::from_slice::<SignedCheckpoint>(bytes);
            let _ = serde_json::from_slice::<crate::format::custody::Checkpoint>(bytes);
        }
    }
}

// ---------------------------------------------------------------------------
// The age object reader

fn identity() -> &'static age::x25519::Identity {
    static ID: OnceLock<age::x25519::Identity> = OnceLock::new();
    ID.get_or_init(age::x25519::Identity::generate)
}

fn seal(plain: &[u8]) -> Vec<u8> {
    let (_, out) = crate::format::pipeline::encrypt_stream_laid_out(
        crate::format::pipeline::Layout::Spread,
        &mut &plain[..],
        std::path::Path::new("src"),
        Vec::new(),
        std::path::Path::new("dest"),
        &identity().to_public(),
        false,
        plain.len() as u64,
        &NoProgress,
    )
    .unwrap();
    out
}

proptest! {
    #![proptest_config(config(48))]

    /// A mutated object fails with a clear error, and what reached the sink
    /// before the failure is the original's authenticated prefix, never
    /// forged bytes. Both read paths (small and threaded) are tried.
    #[test]
    fn mutated_objects_fail_and_release_no_forged_plaintext(
        len in prop_oneof![0usize..100, 65_530usize..65_545, 100_000usize..200_000],
        seed in any::<u8>(),
        mutations in prop::collection::vec(mutation(), 1..3),
        threaded in any::<bool>(),
    ) {
        let plain: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
        let object = seal(&plain);
        let mut forged = object.clone();
        for m in &mutations {
            if !matches!(m, Mutation::DuplicateCentral(..)) {
                apply(&mut forged, m);
            }
        }
        prop_assume!(forged != object);
        let hint = if threaded { 64 << 20 } else { len as u64 };
        let (result, released) = finishes("decrypting a mutated object", move || {
            let mut released = Vec::new();
            let r = crate::format::pipeline::decrypt_stream(&forged[..], "fuzzed", identity(), crate::format::pipeline::Hashes::ALL, hint, &NoProgress, &mut |c| {
                released.extend_from_slice(c);
                Ok(())
            });
            (r.map(|d| d.size), released)
        });
        match result {
            Ok(size) => prop_assert!(false, "a mutated object decrypted ({size} bytes)"),
            Err(Error::ObjectAuthentication { object }) => prop_assert_eq!(object, "fuzzed"),
            Err(other) => prop_assert!(false, "a mutated object must fail authentication, not {other:?}"),
        }
        prop_assert!(plain.starts_with(&released), "only authenticated plaintext of the original may be released");
    }
}
