//! Reading, hashing and encrypting one input into a partial object, with
//! the stored copy read back as it is written (verify after copy). Shared
//! by intake (files) and import (a bundle's natives).

use super::walk::{open_source, sniff_mime};
use crate::error::{Error, Result};
use crate::format::direct::BLOCK;
use crate::format::pipeline::{self, Decrypted, Digests};
use crate::progress::Progress;
use crate::store::objects::{ObjectStore, PartialObject};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Inputs of this size or more are streamed into their object (past the
/// page cache); smaller ones are encrypted in memory.
pub(super) const STREAM_FROM: u64 = BLOCK as u64;

/// How to encrypt an input into an object.
#[derive(Clone, Copy)]
pub(crate) struct EncryptOptions<'a> {
    /// Whom the object is encrypted to (the vault).
    pub recipient: &'a age::x25519::Recipient,
    /// Verify after copy: read the stored copy back and decrypt it with
    /// this identity; `None` to skip.
    pub read_back: Option<&'a age::x25519::Identity>,
    /// Also compute SHA-1 of the plaintext.
    pub sha1: bool,
}

/// A large input streamed into a new partial object.
pub(crate) struct Streamed {
    pub partial: PartialObject,
    pub digests: Digests,
    /// With a read-back: the object as read back from the disk and
    /// decrypted, block by block as it was written.
    pub check: Option<Result<Decrypted>>,
}

/// Streams `src` into a new partial object, past the page cache where the
/// file system allows it. With a read-back, a second thread reads each block
/// back once it is written and decrypts it (verify after copy), so the
/// read-back costs no extra pass over the disk. On any error the partial
/// object is removed (it goes with the error).
pub(crate) fn stream_object(
    objects: &ObjectStore,
    src: &mut (impl Read + Send),
    src_path: &Path,
    opts: EncryptOptions<'_>,
    size_hint: u64,
    progress: &dyn Progress,
) -> Result<Streamed> {
    let (partial, mut out) = objects.create_partial()?;
    let written = opts.read_back.map(|_| out.watch());
    let path = partial.path();
    let (res, check) = std::thread::scope(|s| {
        let checker = opts
            .read_back
            .zip(written.as_deref())
            .map(|(identity, written)| s.spawn(move || pipeline::read_back_following(path, written, identity, size_hint)));
        let res = pipeline::encrypt_stream(src, src_path, out, path, opts.recipient, opts.sha1, size_hint, progress)
            .and_then(|(d, out)| out.finish().map(|_| d).map_err(|e| Error::Io { path: path.to_path_buf(), source: e }));
        (res, checker.map(|h| h.join().expect("verify-after-copy thread panicked")))
    });
    Ok(Streamed { digests: res?, partial, check })
}

/// Bytes already in memory (an item found inside an exhibit) hashed and
/// encrypted into a partial object written beside its final name, and read
/// back when asked (verify after copy). `label` names the item in errors.
pub(crate) fn encrypt_bytes(
    objects: &ObjectStore,
    opts: EncryptOptions<'_>,
    bytes: &[u8],
    label: &str,
) -> Result<(PartialObject, Digests, Option<Result<Decrypted>>)> {
    let (d, sealed) = pipeline::encrypt_stream(
        &mut std::io::Cursor::new(bytes),
        Path::new(label),
        Vec::with_capacity(bytes.len() + 512),
        Path::new("(memory)"),
        opts.recipient,
        opts.sha1,
        bytes.len() as u64,
        &crate::progress::NoProgress,
    )?;
    let partial = objects.write_partial_beside(&hex::encode(d.object_sha256), &sealed)?;
    let check = opts.read_back.map(|identity| {
        let p = partial.path();
        let f = fs::File::open(p).map_err(|e| Error::Io { path: p.to_path_buf(), source: e })?;
        pipeline::read_back(f, &p.display().to_string(), identity, d.size)
    });
    Ok((partial, d, check))
}

/// A file read, hashed and encrypted into a partial object.
pub(super) struct Encrypted {
    pub path: PathBuf,
    pub partial: PartialObject,
    pub digests: Digests,
    pub mime: String,
    pub meta: fs::Metadata,
    /// The stored copy as read back right after it was written (verify after copy).
    pub check: Option<Result<Decrypted>>,
}

/// Reads, hashes and encrypts one file into a partial object, and checks the
/// source did not change meanwhile. Touches no database: runs on any thread.
pub(super) fn encrypt_file(objects: &ObjectStore, opts: EncryptOptions<'_>, path: &Path, progress: &dyn Progress) -> Result<Encrypted> {
    let input = |source| Error::Input { path: path.to_path_buf(), source };
    let before = fs::symlink_metadata(path).map_err(input)?;
    if !before.is_file() {
        return Err(Error::InvalidInput(format!("{} is no longer a regular file", path.display())));
    }
    let mut file = open_source(path).map_err(input)?;
    let mut head = Vec::with_capacity(8192);
    (&mut file).take(8192).read_to_end(&mut head).map_err(input)?;
    let mime = sniff_mime(&head, path);
    let mut src = std::io::Cursor::new(head).chain(file);
    let (partial, digests, check) = if before.len() >= STREAM_FROM {
        let s = stream_object(objects, &mut src, path, opts, before.len(), progress)?;
        (s.partial, s.digests, s.check)
    } else {
        // Small: encrypt in memory, then write it beside its final name, which
        // spreads file creation over the object folders, and read it back.
        let (d, bytes) = pipeline::encrypt_stream(
            &mut src,
            path,
            Vec::with_capacity(before.len() as usize + 512),
            Path::new("(memory)"),
            opts.recipient,
            opts.sha1,
            before.len(),
            progress,
        )?;
        let partial = objects.write_partial_beside(&hex::encode(d.object_sha256), &bytes)?;
        let check = opts.read_back.map(|identity| {
            let p = partial.path();
            let f = fs::File::open(p).map_err(|e| Error::Io { path: p.to_path_buf(), source: e })?;
            pipeline::read_back(f, &p.display().to_string(), identity, d.size)
        });
        (partial, d, check)
    };
    // From here on, an error drops the partial object, which removes it.
    let after = fs::symlink_metadata(path)
        .map_err(|e| Error::SourceChanged { path: path.to_path_buf(), what: format!("it vanished ({e})") })?;
    let changed = same_file_state(&before, &after).or_else(|| {
        (digests.size != before.len()).then(|| format!("{} bytes were read but it is {} bytes long", digests.size, before.len()))
    });
    if let Some(what) = changed {
        return Err(Error::SourceChanged { path: path.to_path_buf(), what });
    }
    Ok(Encrypted { path: path.to_path_buf(), partial, digests, mime, meta: before, check })
}

fn same_file_state(a: &fs::Metadata, b: &fs::Metadata) -> Option<String> {
    if a.len() != b.len() {
        return Some(format!("size went from {} to {} bytes", a.len(), b.len()));
    }
    if a.modified().ok() != b.modified().ok() {
        return Some("its modification time changed".into());
    }
    None
}
