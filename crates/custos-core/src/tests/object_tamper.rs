//! TRUST.md row 2: damaged or tampered ciphertext never yields plaintext,
//! an output file, or a "viewed"/"extracted" event; verification names it.

use super::{new_vault, sources};
use crate::{Action, Error, IntakeOptions, NoProgress, Vault, VerifyMode};
use std::path::PathBuf;

const CHUNK: usize = 64 * 1024 + 16;

/// A vault holding one 200 KiB exhibit (four age chunks), and its object path.
fn vault_with_object() -> (tempfile::TempDir, Vault, PathBuf) {
    let (dir, mut v) = new_vault();
    let data: Vec<u8> = (0..200 * 1024u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let src = sources(dir.path(), &[("big.bin", &data)]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let obj = v.objects().path(&v.show("EX-0001").unwrap().object);
    (dir, v, obj)
}

/// Offset of the first payload chunk (after the header and the 16-byte nonce).
fn payload_start(bytes: &[u8]) -> usize {
    let mac = bytes.windows(5).position(|w| w == b"\n--- ").unwrap() + 1;
    let eol = mac + bytes[mac..].iter().position(|&b| b == b'\n').unwrap() + 1;
    eol + 16
}

fn events(v: &Vault, action: Action) -> usize {
    v.custody_log(None).unwrap().iter().filter(|e| e.action == action).count()
}

fn assert_refused(tamper: impl Fn(&mut Vec<u8>), what: &str) {
    let (dir, mut v, obj) = vault_with_object();
    let mut bytes = std::fs::read(&obj).unwrap();
    tamper(&mut bytes);
    std::fs::write(&obj, &bytes).unwrap();

    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let dest = out_dir.join("copy.bin");
    let err = v.extract("EX-0001", &dest, &NoProgress).unwrap_err();
    assert!(matches!(err, Error::ObjectAuthentication { .. }), "{what}: extract must fail authentication, got {err}");
    assert!(!dest.exists(), "{what}: no output file may appear");
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 0, "{what}: no temp file may be left beside the destination");
    assert_eq!(events(&v, Action::Extracted), 0, "{what}: a failed extraction must not be logged as done");

    assert!(v.view("EX-0001", 1 << 30).is_err(), "{what}: view must fail");
    assert_eq!(events(&v, Action::Viewed), 0, "{what}: a failed view must not be logged as viewed");

    let full = v.verify(VerifyMode::Full, &NoProgress).unwrap();
    assert!(!full.ok, "{what}: full verification must fail");
    assert!(
        full.findings.iter().any(|f| f.exhibit.as_deref() == Some("EX-0001")
            && (f.kind == "object_authentication" || f.kind == "object_hash_mismatch")),
        "{what}: the finding must name the exhibit: {:?}",
        full.findings
    );
    let quick = v.verify(VerifyMode::Quick, &NoProgress).unwrap();
    assert!(
        quick.findings.iter().any(|f| f.exhibit.as_deref() == Some("EX-0001") && f.kind == "object_hash_mismatch"),
        "{what}: quick verification catches it by the object name: {:?}",
        quick.findings
    );
}

#[test]
fn intact_object_extracts_and_is_logged() {
    let (dir, mut v, _) = vault_with_object();
    let dest = dir.path().join("copy.bin");
    v.extract("EX-0001", &dest, &NoProgress).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), std::fs::read(dir.path().join("src/big.bin")).unwrap(), "round trip");
    assert_eq!(events(&v, Action::Extracted), 1, "the extraction is a custody event");
}

#[test]
fn truncated_at_a_chunk_boundary() {
    assert_refused(|b| {
        let end = payload_start(b) + 2 * CHUNK;
        b.truncate(end);
    }, "truncated after two full chunks");
}

#[test]
fn bit_flipped() {
    assert_refused(|b| {
        let at = payload_start(b) + CHUNK + 100;
        b[at] ^= 0x01;
    }, "one bit flipped in the second chunk");
}

#[test]
fn chunks_swapped() {
    assert_refused(|b| {
        let s = payload_start(b);
        let first: Vec<u8> = b[s..s + CHUNK].to_vec();
        let second: Vec<u8> = b[s + CHUNK..s + 2 * CHUNK].to_vec();
        b[s..s + CHUNK].copy_from_slice(&second);
        b[s + CHUNK..s + 2 * CHUNK].copy_from_slice(&first);
    }, "first two chunks swapped");
}

#[test]
fn byte_appended() {
    assert_refused(|b| b.push(0), "one byte appended");
}

#[test]
fn missing_swapped_and_extra_objects_are_named() {
    let (dir, mut v) = new_vault();
    let src = sources(dir.path(), &[("a.txt", b"alpha"), ("b.txt", b"bravo"), ("c.txt", b"charlie")]);
    v.add(&crate::tests::inputs(&[src]), &IntakeOptions::default(), &NoProgress).unwrap();
    let a = v.objects().path(&v.show("EX-0001").unwrap().object);
    let b = v.objects().path(&v.show("EX-0002").unwrap().object);
    let c = v.objects().path(&v.show("EX-0003").unwrap().object);
    // Swap the contents of two objects, remove one, and add an unknown one.
    let (ab, bb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    std::fs::write(&a, &bb).unwrap();
    std::fs::write(&b, &ab).unwrap();
    std::fs::remove_file(&c).unwrap();
    let extra = v.objects().path(&"ab".repeat(32));
    std::fs::create_dir_all(extra.parent().unwrap()).unwrap();
    std::fs::write(&extra, b"not an object").unwrap();

    let r = v.verify(VerifyMode::Quick, &NoProgress).unwrap();
    let has = |ex: Option<&str>, kind: &str| r.findings.iter().any(|f| f.exhibit.as_deref() == ex && f.kind == kind);
    assert!(has(Some("EX-0001"), "object_hash_mismatch"), "swapped object 1: {:?}", r.findings);
    assert!(has(Some("EX-0002"), "object_hash_mismatch"), "swapped object 2");
    assert!(has(Some("EX-0003"), "object_missing"), "missing object");
    assert!(has(None, "unknown_object"), "extra object");
    assert!(!r.ok);
    let logged = v.custody_log(None).unwrap();
    let last = logged.last().unwrap();
    assert_eq!(last.action, Action::Verified, "the run is logged");
    assert_eq!(last.details["ok"], serde_json::json!(false), "with its result");
}
