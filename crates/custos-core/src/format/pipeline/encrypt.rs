//! Hashing and encrypting a plaintext in one pass: inline for small inputs,
//! on threads laid out as [`Layout`] says for large ones.

use super::*;

/// Reads all of `src`, encrypting it to `recipient` into `dest`, and returns
/// the digests. `size_hint` chooses between inline and threaded processing.
///
/// Errors reading `src` become [`Error::Input`] naming `src_path`; errors
/// writing become [`Error::Io`] naming `dest_path`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn encrypt_stream<W: Write + Send>(
    src: &mut (impl Read + Send),
    src_path: &Path,
    dest: W,
    dest_path: &Path,
    recipient: &age::x25519::Recipient,
    want_sha1: bool,
    size_hint: u64,
    progress: &dyn Progress,
) -> Result<(Digests, W)> {
    encrypt_stream_laid_out(Layout::for_this_machine(), src, src_path, dest, dest_path, recipient, want_sha1, size_hint, progress)
}

/// [`encrypt_stream`] with the threads of a large input laid out as `layout` says.
#[allow(clippy::too_many_arguments)]
pub(crate) fn encrypt_stream_laid_out<W: Write + Send>(
    layout: Layout,
    src: &mut (impl Read + Send),
    src_path: &Path,
    mut dest: W,
    dest_path: &Path,
    recipient: &age::x25519::Recipient,
    want_sha1: bool,
    size_hint: u64,
    progress: &dyn Progress,
) -> Result<(Digests, W)> {
    let in_err = |source| Error::Input { path: src_path.to_path_buf(), source };
    let out_err = |source| Error::Io { path: dest_path.to_path_buf(), source };
    let (header, mut sealer) = agefile::begin(recipient).map_err(|e| Error::Encryption(e.to_string()))?;
    let mut md5 = Md5Sha1::new(want_sha1)?;

    if size_hint < PARALLEL_THRESHOLD {
        let mut sha = Sha256::new();
        let mut object = Sha256::new();
        // At least one age chunk more than a chunk, so that holding back the
        // last chunk read still leaves room to read on.
        let mut buf = Zeroizing::new(vec![0u8; (size_hint as usize).saturating_add(1).clamp(agefile::PAYLOAD_CHUNK + 1, BLOCK)]);
        let mut sealed = vec![0u8; header.len() + agefile::sealed_len(buf.len())];
        sealed[..header.len()].copy_from_slice(&header);
        let mut at = header.len();
        // The plaintext not yet sealed: until the input ends, the last chunk
        // read is held back, as it is the last chunk of the file if nothing follows.
        let mut held = 0usize;
        let mut size = 0u64;
        loop {
            let n = read_full(src, &mut buf[held..]).map_err(in_err)?;
            let fresh = &buf[held..held + n];
            sha.update(fresh);
            md5.update(fresh);
            size += n as u64;
            held += n;
            let ends = held < buf.len();
            let whole = if ends { held } else { (held - 1) / agefile::PAYLOAD_CHUNK * agefile::PAYLOAD_CHUNK };
            at += sealer.seal_run(&buf[..whole], ends, &mut sealed[at..]).map_err(out_err)?;
            buf.copy_within(whole..held, 0);
            held -= whole;
            object.update(&sealed[..at]);
            dest.write_all(&sealed[..at]).map_err(out_err)?;
            at = 0;
            progress.advance(n as u64);
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            if ends {
                break;
            }
        }
        dest.flush().map_err(out_err)?;
        let (md5, sha1) = md5.finalize();
        let digests = Digests { size, sha256: sha.finalize().into(), md5, sha1, object_sha256: object.finalize().into() };
        return Ok((digests, dest));
    }

    let pool = Arc::new(Pool::default());
    match layout {
        Layout::TwoLanes => two_lanes(src, dest, &header, sealer, md5, &pool, in_err, out_err, progress),
        Layout::Spread => spread(src, dest, &header, sealer, md5, &pool, in_err, out_err, progress),
    }
}

/// The threaded encryption with each hash on a thread of its own.
#[allow(clippy::too_many_arguments)]
fn spread<W: Write + Send>(
    src: &mut (impl Read + Send),
    dest: W,
    header: &[u8],
    mut sealer: agefile::Sealer,
    mut md5: Md5Sha1,
    pool: &Arc<Pool>,
    in_err: impl Fn(io::Error) -> Error,
    out_err: impl Fn(io::Error) -> Error + Sync,
    progress: &dyn Progress,
) -> Result<(Digests, W)> {
    std::thread::scope(|s| {
        let (tx_md5, rx_md5) = sync_channel::<Chunk>(QUEUE_DEPTH);
        let (tx_sha, rx_sha) = sync_channel::<Chunk>(QUEUE_DEPTH);
        let (tx_out, rx_out) = sync_channel::<Chunk>(QUEUE_DEPTH);
        let h_md5 = s.spawn(move || {
            for c in rx_md5 {
                md5.update(&c);
            }
            md5.finalize()
        });
        let h_sha = s.spawn(move || digest_worker::<Sha256>(rx_sha));
        let (tx_io, rx_io) = sync_channel::<Chunk>(QUEUE_DEPTH);
        let h_obj = s.spawn(move || {
            let mut h = Sha256::new();
            for c in rx_out {
                h.update(&c[..]);
                if tx_io.send(c).is_err() {
                    break;
                }
            }
            h.finalize().into()
        });
        let h_out = s.spawn(move || write_blocks(dest, rx_io));

        let main = (|| -> Result<u64> {
            let broken = || out_err(io::Error::from(io::ErrorKind::BrokenPipe));
            let mut send = |c: Chunk| tx_out.send(c).map_err(|_| broken());
            let mut sealed = SealedBlocks::new(pool);
            sealed.push(header, &mut send)?;
            let size = for_each_chunk(pool, src, &in_err, progress, |chunk, ends| {
                tx_md5.send(chunk.clone()).map_err(|_| broken())?;
                tx_sha.send(chunk.clone()).map_err(|_| broken())?;
                sealed.seal_run(&mut sealer, chunk, ends, &mut send)
            })?;
            sealed.finish(&mut send)?;
            Ok(size)
        })();
        drop(tx_md5);
        drop(tx_sha);
        drop(tx_out);
        let (md5, sha1) = h_md5.join().expect("md5 worker panicked");
        let sha256: [u8; 32] = h_sha.join().expect("sha256 worker panicked").finalize().into();
        let object_sha256: [u8; 32] = h_obj.join().expect("object hash worker panicked");
        let out = h_out.join().expect("writer worker panicked");
        // A write error on the worker is the real cause of a broken queue.
        match (main, out) {
            (Err(Error::Cancelled), _) => Err(Error::Cancelled),
            (_, Err(e)) => Err(out_err(e)),
            (Err(e), _) => Err(e),
            (Ok(size), Ok(dest)) => Ok((Digests { size, sha256, md5, sha1, object_sha256 }, dest)),
        }
    })
}

/// The threaded encryption for two cores: reading and MD5 on this thread,
/// both SHA-256 and the cipher on another, the disk on a third that mostly
/// waits. Each of the two busy threads then has a core to itself.
#[allow(clippy::too_many_arguments)]
fn two_lanes<W: Write + Send>(
    src: &mut (impl Read + Send),
    dest: W,
    header: &[u8],
    mut sealer: agefile::Sealer,
    mut md5: Md5Sha1,
    pool: &Arc<Pool>,
    in_err: impl Fn(io::Error) -> Error,
    out_err: impl Fn(io::Error) -> Error + Sync,
    progress: &dyn Progress,
) -> Result<(Digests, W)> {
    std::thread::scope(|s| {
        let (tx_b, rx_b) = sync_channel::<(Chunk, bool)>(QUEUE_DEPTH);
        let (tx_io, rx_io) = sync_channel::<Chunk>(QUEUE_DEPTH);
        let out_err = &out_err;
        // Lane B: the plaintext's SHA-256, sealing, the ciphertext's SHA-256.
        let h_b = s.spawn(move || -> Result<([u8; 32], [u8; 32])> {
            let broken = || out_err(io::Error::from(io::ErrorKind::BrokenPipe));
            let mut sha = Sha256::new();
            let mut obj = Sha256::new();
            let mut send = |c: Chunk| {
                obj.update(&c[..]);
                tx_io.send(c).map_err(|_| broken())
            };
            let mut sealed = SealedBlocks::new(pool);
            sealed.push(header, &mut send)?;
            for (chunk, ends) in rx_b {
                sha.update(&chunk[..]);
                sealed.seal_run(&mut sealer, &chunk, ends, &mut send)?;
                if ends {
                    sealed.finish(&mut send)?;
                    return Ok((sha.finalize().into(), obj.finalize().into()));
                }
            }
            Err(broken())
        });
        let h_io = s.spawn(move || write_blocks(dest, rx_io));
        // Lane A, this thread: reading and MD5.
        let broken = || out_err(io::Error::from(io::ErrorKind::BrokenPipe));
        let main = for_each_chunk(pool, src, &in_err, progress, |chunk, ends| {
            tx_b.send((chunk.clone(), ends)).map_err(|_| broken())?;
            md5.update(chunk);
            Ok(())
        });
        drop(tx_b);
        let b = h_b.join().expect("hashing lane panicked");
        let out = h_io.join().expect("writer panicked");
        let (md5, sha1) = md5.finalize();
        // The writer's error, then the source's, then lane B's own (it is
        // the cause when this thread only found lane B's queue closed).
        match (main, out, b) {
            (Err(Error::Cancelled), _, _) => Err(Error::Cancelled),
            (_, Err(e), _) => Err(out_err(e)),
            (Err(e @ Error::Input { .. }), _, _) => Err(e),
            (_, _, Err(e)) => Err(e),
            (Err(e), _, _) => Err(e),
            (Ok(size), Ok(dest), Ok((sha256, object_sha256))) => Ok((Digests { size, sha256, md5, sha1, object_sha256 }, dest)),
        }
    })
}

