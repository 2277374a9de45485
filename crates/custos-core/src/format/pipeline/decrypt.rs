//! Decrypting an object and hashing its plaintext in one pass, and the
//! read-back of a copy just written.

use super::*;

/// What decrypting an object yields: plaintext digests and the ciphertext hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decrypted {
    pub size: u64,
    pub sha256: [u8; 32],
    pub md5: Option<[u8; 16]>,
    pub object_sha256: [u8; 32],
}

/// Which hashes a decryption computes besides the plaintext's SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Hashes {
    /// The plaintext's MD5.
    pub md5: bool,
    /// The SHA-256 of the ciphertext as read (the object's name).
    pub ciphertext: bool,
}

impl Hashes {
    /// Every hash.
    pub(crate) const ALL: Hashes = Hashes { md5: true, ciphertext: true };
}

/// Decrypts an object from `src` with `identity`, hashing the plaintext (SHA-256,
/// and MD5 when `hashes.md5`) and, when `hashes.ciphertext`, the ciphertext, and
/// passing plaintext chunks to `sink`. Any authentication failure, anywhere in
/// the object, is an error; the caller must not trust what `sink` received
/// unless this returns `Ok`. Without the ciphertext hash, `object_sha256` is zero.
/// `object` names the object in errors: [`Error::ObjectAuthentication`] for
/// bytes that fail, [`Error::Io`] (with `object` as the path) when reading fails.
#[allow(clippy::too_many_arguments)]
pub(crate) fn decrypt_stream(
    src: impl Read,
    object: &str,
    identity: &age::x25519::Identity,
    hashes: Hashes,
    size_hint: u64,
    progress: &dyn Progress,
    sink: &mut (dyn FnMut(&[u8]) -> Result<()> + Send),
) -> Result<Decrypted> {
    // A read error is told apart from bytes that fail to authenticate.
    let fail = |e: agefile::Malformed| match e {
        agefile::Malformed::Io(source) => Error::Io { path: object.into(), source },
        agefile::Malformed::Invalid => Error::ObjectAuthentication { object: object.to_string() },
    };
    // Every byte read, any after the payload included, is hashed on this
    // thread as it arrives.
    let mut object_hash = hashes.ciphertext.then(Sha256::new);
    let on_read = |b: &[u8]| {
        if let Some(h) = object_hash.as_mut() {
            h.update(b);
        }
    };
    let mut reader = agefile::Reader::new(src, identity, size_hint, on_read).map_err(fail)?;
    let md5 = if hashes.md5 { Some(Md5::new()?) } else { None };

    if size_hint < PARALLEL_THRESHOLD {
        let mut md5 = md5;
        let mut sha = Sha256::new();
        let mut buf = Zeroizing::new(vec![0u8; (size_hint as usize).clamp(agefile::PAYLOAD_CHUNK, BLOCK)]);
        let mut size = 0u64;
        loop {
            let (n, more) = reader.next_run(&mut buf).map_err(fail)?;
            let plain = &buf[..n];
            sha.update(plain);
            if let Some(m) = md5.as_mut() {
                m.update(plain);
            }
            sink(plain)?;
            size += n as u64;
            progress.advance(n as u64);
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            if !more {
                break;
            }
        }
        drop(reader);
        return Ok(Decrypted {
            size,
            sha256: sha.finalize().into(),
            md5: md5.map(Md5::finalize),
            object_sha256: object_hash.map(|h| h.finalize().into()).unwrap_or_default(),
        });
    }

    let pool = Arc::new(Pool::default());
    let (size, sha256, md5) = std::thread::scope(|s| -> Result<(u64, [u8; 32], Option<[u8; 16]>)> {
        let (tx_sha, rx_sha) = sync_channel::<Chunk>(QUEUE_DEPTH);
        let (tx_md5, rx_md5) = sync_channel::<Chunk>(QUEUE_DEPTH);
        let h_sha = s.spawn(move || digest_worker::<Sha256>(rx_sha));
        let h_md5 = md5.map(|mut m| {
            s.spawn(move || {
                for c in rx_md5 {
                    m.update(&c);
                }
                m.finalize()
            })
        });
        let main = (|| -> Result<u64> {
            let mut size = 0u64;
            loop {
                let mut buf = pool.take();
                let (n, more) = reader.next_run(buf.get_mut()).map_err(fail)?;
                let chunk = pool.wrap(buf, n);
                tx_sha.send(chunk.clone()).expect("sha256 worker alive");
                if h_md5.is_some() {
                    tx_md5.send(chunk.clone()).expect("md5 worker alive");
                }
                sink(&chunk)?;
                size += n as u64;
                progress.advance(n as u64);
                if progress.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                if !more {
                    return Ok(size);
                }
            }
        })();
        drop(tx_sha);
        drop(tx_md5);
        let sha256: [u8; 32] = h_sha.join().expect("sha256 worker panicked").finalize().into();
        let md5 = h_md5.map(|h| h.join().expect("md5 worker panicked"));
        Ok((main?, sha256, md5))
    })?;
    drop(reader);
    Ok(Decrypted { size, sha256, md5, object_sha256: object_hash.map(|h| h.finalize().into()).unwrap_or_default() })
}

/// Verify after copy: decrypts the stored copy of an object as `src` reads
/// it back, hashing its plaintext (SHA-256) and keeping none of it. `object`
/// names the copy in errors, as for [`decrypt_stream`].
pub(crate) fn read_back(src: impl Read, object: &str, identity: &age::x25519::Identity, size_hint: u64) -> Result<Decrypted> {
    decrypt_stream(src, object, identity, Hashes::default(), size_hint, &NoProgress, &mut |_| Ok(()))
}

/// [`read_back`] of an object file while its writer ([`direct::ObjectFile`],
/// watched through `written`) writes it: each block is read back once it is
/// written, from the disk where the file system allows it, so the check
/// costs no second pass over the disk.
pub(crate) fn read_back_following(
    path: &Path,
    written: &direct::Written,
    identity: &age::x25519::Identity,
    size_hint: u64,
) -> Result<Decrypted> {
    direct::read_following(path, written, |r| read_back(r, &path.display().to_string(), identity, size_hint))
        .map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?
}

/// SHA-256 of everything `src` yields.
pub(crate) fn sha256_reader(mut src: impl Read) -> io::Result<[u8; 32]> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            return Ok(h.finalize().into());
        }
        h.update(&buf[..n]);
    }
}
