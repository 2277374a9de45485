//! The vault's own age objects (`agefile.rs`, written and read by the
//! pipeline) against the reference implementations: the `age` crate both
//! ways, and the `age` command.

use crate::error::Error;
use crate::format::pipeline::{Layout, decrypt_stream, encrypt_stream_laid_out};
use crate::progress::NoProgress;
use md5::Md5;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

const K: usize = 64 * 1024;
const M: usize = 1 << 20;

/// Sizes at every edge of the 64 KiB age chunks and the 1 MiB pipeline
/// chunks, on both sides of the threaded pipeline's 4 MiB threshold.
const SIZES: [usize; 14] = [0, 1, K - 1, K, K + 1, 2 * K, M - 1, M, M + 1, 4 * M - 1, 4 * M, 4 * M + 1, 5 * M + 3 * K, 6 * M];

fn content(len: usize, seed: u32) -> Vec<u8> {
    (0..len as u32).map(|i| (i.wrapping_mul(2654435761).wrapping_add(seed) >> 11) as u8).collect()
}

/// Encrypts with the vault's writer, with `size_hint` choosing the path.
fn seal(plain: &[u8], recipient: &age::x25519::Recipient, size_hint: u64) -> (Vec<u8>, crate::format::pipeline::Digests) {
    seal_laid_out(Layout::Spread, plain, recipient, size_hint)
}

fn seal_laid_out(layout: Layout, plain: &[u8], recipient: &age::x25519::Recipient, size_hint: u64) -> (Vec<u8>, crate::format::pipeline::Digests) {
    let (d, out) =
        encrypt_stream_laid_out(layout, &mut &plain[..], Path::new("src"), Vec::new(), Path::new("dest"), recipient, true, size_hint, &NoProgress).unwrap();
    (out, d)
}

fn open(object: &[u8], identity: &age::x25519::Identity, size_hint: u64) -> crate::Result<(Vec<u8>, crate::format::pipeline::Decrypted)> {
    let mut plain = Vec::new();
    let d = decrypt_stream(object, "test", identity, crate::format::pipeline::Hashes::ALL, size_hint, &NoProgress, &mut |c| {
        plain.extend_from_slice(c);
        Ok(())
    })?;
    Ok((plain, d))
}

fn age_crate_decrypt(object: &[u8], identity: &age::x25519::Identity) -> Vec<u8> {
    let d = age::Decryptor::new_buffered(object).expect("the age crate reads the header");
    let mut r = d.decrypt(std::iter::once(identity as &dyn age::Identity)).expect("the age crate opens the file key");
    let mut out = Vec::new();
    r.read_to_end(&mut out).expect("the age crate authenticates the payload");
    out
}

#[test]
fn objects_written_here_decrypt_with_the_age_crate() {
    let identity = age::x25519::Identity::generate();
    for (i, &len) in SIZES.iter().enumerate() {
        let plain = content(len, i as u32);
        // The right size hint, and wrong ones that send it down the other
        // path; the threaded path in both of its layouts.
        for (hint, layout) in [(len as u64, Layout::Spread), (len as u64, Layout::TwoLanes), (0, Layout::Spread), (64 << 20, Layout::TwoLanes)] {
            let (object, d) = seal_laid_out(layout, &plain, &identity.to_public(), hint);
            assert_eq!(age_crate_decrypt(&object, &identity), plain, "{len} bytes (hint {hint}, {layout:?})");
            assert_eq!(d.size, len as u64);
            assert_eq!(d.sha256, <[u8; 32]>::from(Sha256::digest(&plain)), "{len}: SHA-256");
            assert_eq!(d.md5, <[u8; 16]>::from(Md5::digest(&plain)), "{len}: MD5 from OpenSSL equals the md-5 crate's");
            assert_eq!(d.sha1, Some(<[u8; 20]>::from(sha1::Sha1::digest(&plain))), "{len}: SHA-1");
            assert_eq!(d.object_sha256, <[u8; 32]>::from(Sha256::digest(&object)), "{len}: the object's name is the SHA-256 of what was written");
            let chunks = len.div_ceil(K).max(1);
            assert!(object.len() > len + chunks * 16, "{len}: header, nonce and a tag per chunk");
        }
    }
}

#[test]
fn files_the_age_crate_writes_decrypt_here() {
    let identity = age::x25519::Identity::generate();
    let other = age::x25519::Identity::generate();
    for (i, &len) in SIZES.iter().enumerate() {
        let plain = content(len, 100 + i as u32);
        // One recipient, and two (ours second): the reader finds its stanza.
        for recipients in [vec![identity.to_public()], vec![other.to_public(), identity.to_public()]] {
            let mut object = Vec::new();
            let e = age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient)).unwrap();
            let mut w = e.wrap_output(&mut object).unwrap();
            w.write_all(&plain).unwrap();
            w.finish().unwrap();
            for hint in [len as u64, 0, 64 << 20] {
                let (back, d) = open(&object, &identity, hint).unwrap_or_else(|e| panic!("{len} bytes (hint {hint}): {e}"));
                assert_eq!(back, plain, "{len} bytes (hint {hint})");
                assert_eq!(d.sha256, <[u8; 32]>::from(Sha256::digest(&plain)));
                assert_eq!(d.md5, Some(<[u8; 16]>::from(Md5::digest(&plain))));
                assert_eq!(d.object_sha256, <[u8; 32]>::from(Sha256::digest(&object)));
            }
        }
    }
}

#[test]
fn a_file_for_someone_else_or_with_bytes_appended_is_refused() {
    let identity = age::x25519::Identity::generate();
    let stranger = age::x25519::Identity::generate();
    let plain = content(3 * K, 7);
    let (object, _) = seal(&plain, &identity.to_public(), 0);
    assert!(matches!(open(&object, &stranger, 0), Err(Error::ObjectAuthentication { .. })), "not our key");
    for extra in [&b"x"[..], &[0u8; 16], &vec![0u8; K + 16]] {
        let mut longer = object.clone();
        longer.extend_from_slice(extra);
        assert!(matches!(open(&longer, &identity, 0), Err(Error::ObjectAuthentication { .. })), "{} bytes appended", extra.len());
    }
    // A header MAC that does not match (one character of it changed).
    let mut bad_mac = object.clone();
    let mac = bad_mac.windows(4).position(|w| w == b"--- ").unwrap() + 4;
    bad_mac[mac] = if bad_mac[mac] == b'A' { b'B' } else { b'A' };
    assert!(matches!(open(&bad_mac, &identity, 0), Err(Error::ObjectAuthentication { .. })), "header MAC");
}

#[test]
fn the_age_command_decrypts_objects() {
    let dir = tempfile::tempdir().unwrap();
    let identity = age::x25519::Identity::generate();
    let key = dir.path().join("key.txt");
    std::fs::write(&key, format!("{}\n", age::secrecy::ExposeSecret::expose_secret(&identity.to_string()))).unwrap();
    for (i, &len) in [0, K, 5 * M + 1].iter().enumerate() {
        let plain = content(len, 200 + i as u32);
        let (object, _) = seal(&plain, &identity.to_public(), len as u64);
        let file = dir.path().join(format!("obj-{len}"));
        std::fs::write(&file, &object).unwrap();
        let out = std::process::Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&key)
            .arg(&file)
            .output()
            .expect("the age command (installed by scripts/install-deps.sh)");
        assert!(out.status.success(), "age -d failed on {len} bytes: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout == plain, "age -d gives back the {len} bytes");
    }
}

/// A source that fails after `ok` bytes, as a disk with a bad sector does.
struct FailsAfter<'a>(&'a [u8], usize);

impl Read for FailsAfter<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.1 == 0 {
            return Err(std::io::Error::other("bad sector"));
        }
        let n = out.len().min(self.1).min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        self.1 -= n;
        Ok(n)
    }
}

#[test]
fn a_read_error_is_told_apart_from_a_failed_authentication() {
    let identity = age::x25519::Identity::generate();
    let plain = content(3 * M, 9);
    let (object, _) = seal(&plain, &identity.to_public(), 0);
    // In the header, and in the payload (inline and threaded paths).
    for (ok, hint) in [(10, 0), (200 * 1024, 0), (2 * M, 64 << 20)] {
        let mut seen = 0usize;
        let res = decrypt_stream(FailsAfter(&object, ok), "obj", &identity, crate::format::pipeline::Hashes::ALL, hint, &NoProgress, &mut |c| {
            seen += c.len();
            Ok(())
        });
        match res {
            Err(Error::Io { path, source }) => {
                assert_eq!(path, Path::new("obj"), "the error names the object");
                assert_eq!(source.to_string(), "bad sector");
            }
            other => panic!("a read error after {ok} bytes must be an I/O error, got {other:?}"),
        }
        assert!(seen < plain.len(), "the file was not passed on whole");
    }
}

/// A destination that fails after `ok` bytes, as a full disk does.
struct FullAfter(usize);

impl Write for FullAfter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.0 < b.len() {
            return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
        }
        self.0 -= b.len();
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct CancelAfter(std::sync::atomic::AtomicU64, u64);

impl crate::Progress for CancelAfter {
    fn advance(&self, n: u64) {
        self.0.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
    }
    fn is_cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst) >= self.1
    }
}

/// In both layouts of the threaded path: a full disk is an I/O error naming
/// the destination, a failing source an input error naming the source, and
/// cancelling stops with `Cancelled`.
#[test]
fn the_threaded_writer_reports_a_full_disk_a_bad_source_and_cancelling() {
    let recipient = age::x25519::Identity::generate().to_public();
    let plain = content(8 * M, 11);
    for layout in [Layout::Spread, Layout::TwoLanes] {
        let hint = plain.len() as u64;
        let full = encrypt_stream_laid_out(layout, &mut &plain[..], Path::new("src"), FullAfter(3 * M), Path::new("dest"), &recipient, false, hint, &NoProgress);
        match full {
            Err(Error::Io { path, source }) => {
                assert_eq!(path, Path::new("dest"), "{layout:?}");
                assert_eq!(source.kind(), std::io::ErrorKind::StorageFull, "{layout:?}");
            }
            other => panic!("{layout:?}: a full disk must be an I/O error on the destination, got {:?}", other.map(|(d, _)| d)),
        }
        let bad = encrypt_stream_laid_out(layout, &mut FailsAfter(&plain, 5 * M), Path::new("src"), Vec::new(), Path::new("dest"), &recipient, false, hint, &NoProgress);
        match bad {
            Err(Error::Input { path, .. }) => assert_eq!(path, Path::new("src"), "{layout:?}"),
            other => panic!("{layout:?}: a failing source must be an input error, got {:?}", other.map(|(d, _)| d)),
        }
        let cancel = CancelAfter(Default::default(), 2 * M as u64);
        let stopped = encrypt_stream_laid_out(layout, &mut &plain[..], Path::new("src"), Vec::new(), Path::new("dest"), &recipient, false, hint, &cancel);
        assert!(matches!(stopped, Err(Error::Cancelled)), "{layout:?}: cancelled");
    }
}
