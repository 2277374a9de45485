//! One-pass streaming: hash and encrypt (or decrypt and hash) with bounded memory.
//!
//! Large inputs are cut into 1 MiB chunks and handed between threads laid
//! out as [`Layout`] says: on two cores, reading and MD5 (and SHA-1) on the
//! calling thread and the SHA-256s and the cipher on another; otherwise MD5,
//! plaintext SHA-256 and ciphertext SHA-256 each on its own, while the
//! calling thread reads and runs the cipher. The file write has a thread
//! that mostly waits for the disk. Each queue holds at most [`QUEUE_DEPTH`]
//! chunks, so memory stays bounded whatever the file size. Small inputs are
//! done inline.
//!
//! Chunks live in pooled buffers that stay initialised, so a large file
//! reuses a handful of buffers without allocating or zeroing one per chunk;
//! they are wiped when the pool goes (they held plaintext).

use crate::format::agefile;
// Plaintext is handed between threads in blocks of [`BLOCK`] bytes (whole
// age payload chunks), and the writer gets sealed blocks of the same size.
use crate::format::direct::{self, Aligned, BLOCK};
use crate::error::{Error, Result};
use crate::progress::{NoProgress, Progress};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};
use zeroize::Zeroizing;

/// Chunks a queue may hold.
const QUEUE_DEPTH: usize = 4;
/// Inputs smaller than this are processed on the calling thread.
const PARALLEL_THRESHOLD: u64 = 4 * BLOCK as u64;

/// How the threaded encryption of a large input spreads its work.
///
/// MD5 cannot be split and is the heaviest piece (1.34 s per GiB on the
/// reference machine); with SHA extensions the rest (two SHA-256 at 0.60 s,
/// the cipher at 0.34 s) weighs about as much. On two cores, one thread for
/// reading and MD5 and one for the rest keep both busy, where five threads
/// sharing two cores left MD5 waiting for its turn (about 10% slower there).
/// With more cores, or without SHA extensions, each hash gets its own thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    TwoLanes,
    Spread,
}

impl Layout {
    pub fn for_this_machine() -> Self {
        static LAYOUT: std::sync::OnceLock<Layout> = std::sync::OnceLock::new();
        *LAYOUT.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            if cores == 2 && sha256_in_hardware() { Layout::TwoLanes } else { Layout::Spread }
        })
    }
}

fn sha256_in_hardware() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("sha")
    }
    #[cfg(target_arch = "aarch64")]
    {
        std::arch::is_aarch64_feature_detected!("sha2")
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        false
    }
}

/// The digests of one exhibit's plaintext and of its stored ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Digests {
    pub size: u64,
    pub sha256: [u8; 32],
    pub md5: [u8; 16],
    pub sha1: Option<[u8; 20]>,
    /// SHA-256 of the ciphertext: the object's name.
    pub object_sha256: [u8; 32],
}

/// The first `len` bytes of a pooled buffer; the buffer goes back to its
/// pool when the last worker is done with it.
pub(crate) struct Buf {
    data: Option<Aligned>,
    len: usize,
    pool: Arc<Pool>,
}

impl std::ops::Deref for Buf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.data.as_ref().expect("held until dropped").get()[..self.len]
    }
}

impl Drop for Buf {
    fn drop(&mut self) {
        let mut free = self.pool.0.lock().expect("pool lock");
        // Room for all a file can have in flight (its queues, and a chunk in
        // each thread), so none is freed only to be allocated again.
        if free.len() < 6 * QUEUE_DEPTH {
            free.extend(self.data.take());
        }
    }
}

/// Free buffers of [`BLOCK`] bytes, aligned for direct I/O and initialised.
#[derive(Default)]
pub(crate) struct Pool(std::sync::Mutex<Vec<Aligned>>);

impl Pool {
    fn take(&self) -> Aligned {
        self.0.lock().expect("pool lock").pop().unwrap_or_else(Aligned::new)
    }
    fn wrap(self: &Arc<Self>, data: Aligned, len: usize) -> Chunk {
        assert!(len <= BLOCK);
        Arc::new(Buf { data: Some(data), len, pool: self.clone() })
    }
}

type Chunk = Arc<Buf>;

/// Fills `buf` from `src` until it is full or the input ends; returns the byte count.
fn read_full(src: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match src.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads up to [`BLOCK`] bytes of `src` into a pooled buffer; an empty
/// chunk means the input has ended.
fn read_chunk(pool: &Arc<Pool>, src: &mut impl Read) -> io::Result<Chunk> {
    let mut buf = pool.take();
    let n = read_full(src, buf.get_mut())?;
    Ok(pool.wrap(buf, n))
}

/// Reads `src` a chunk at a time and hands each to `each` with whether it
/// ends the input (a full chunk does only if nothing follows it), reporting
/// progress and stopping if cancelled. Returns the bytes read.
fn for_each_chunk(
    pool: &Arc<Pool>,
    src: &mut impl Read,
    in_err: &impl Fn(io::Error) -> Error,
    progress: &dyn Progress,
    mut each: impl FnMut(&Chunk, bool) -> Result<()>,
) -> Result<u64> {
    let mut chunk = read_chunk(pool, src).map_err(in_err)?;
    let mut size = 0u64;
    loop {
        let next = if chunk.len() == BLOCK { Some(read_chunk(pool, src).map_err(in_err)?) } else { None };
        let ends = next.as_ref().is_none_or(|n| n.is_empty());
        each(&chunk, ends)?;
        size += chunk.len() as u64;
        progress.advance(chunk.len() as u64);
        if progress.is_cancelled() {
            return Err(Error::Cancelled);
        }
        match next {
            Some(n) if !ends => chunk = n,
            _ => return Ok(size),
        }
    }
}

/// The writer thread: the sealed blocks to `dest`, in order.
fn write_blocks<W: Write>(mut dest: W, blocks: Receiver<Chunk>) -> io::Result<W> {
    for b in blocks {
        dest.write_all(&b)?;
    }
    dest.flush()?;
    Ok(dest)
}

/// The sealed stream cut into pooled blocks of exactly [`BLOCK`] bytes (the
/// last one shorter), so the writer can hand each to the disk as it is. An
/// age chunk that would straddle two blocks is sealed aside and split.
struct SealedBlocks<'a> {
    pool: &'a Arc<Pool>,
    cur: Aligned,
    at: usize,
    aside: Vec<u8>,
}

impl<'a> SealedBlocks<'a> {
    fn new(pool: &'a Arc<Pool>) -> Self {
        Self { pool, cur: pool.take(), at: 0, aside: vec![0u8; agefile::SEALED_CHUNK] }
    }

    fn full(&mut self, send: &mut impl FnMut(Chunk) -> Result<()>) -> Result<()> {
        if self.at == BLOCK {
            let block = std::mem::replace(&mut self.cur, self.pool.take());
            self.at = 0;
            send(self.pool.wrap(block, BLOCK))?;
        }
        Ok(())
    }

    fn push(&mut self, mut bytes: &[u8], send: &mut impl FnMut(Chunk) -> Result<()>) -> Result<()> {
        while !bytes.is_empty() {
            let k = bytes.len().min(BLOCK - self.at);
            self.cur.get_mut()[self.at..self.at + k].copy_from_slice(&bytes[..k]);
            self.at += k;
            bytes = &bytes[k..];
            self.full(send)?;
        }
        Ok(())
    }

    /// Seals a run of plaintext (as [`agefile::Sealer::seal_run`]).
    fn seal_run(&mut self, sealer: &mut agefile::Sealer, plain: &[u8], ends: bool, send: &mut impl FnMut(Chunk) -> Result<()>) -> Result<()> {
        for (c, last) in agefile::run_chunks(plain, ends) {
            self.seal(sealer, c, last, send)?;
        }
        Ok(())
    }

    /// Seals one age chunk into the current block, or aside and split if it
    /// does not fit.
    fn seal(&mut self, sealer: &mut agefile::Sealer, plain: &[u8], last: bool, send: &mut impl FnMut(Chunk) -> Result<()>) -> Result<()> {
        let err = |e: io::Error| Error::Encryption(e.to_string());
        if BLOCK - self.at >= plain.len() + agefile::TAG {
            self.at += sealer.seal(plain, last, &mut self.cur.get_mut()[self.at..]).map_err(err)?;
            return self.full(send);
        }
        let k = sealer.seal(plain, last, &mut self.aside).map_err(err)?;
        let aside = std::mem::take(&mut self.aside);
        let res = self.push(&aside[..k], send);
        self.aside = aside;
        res
    }

    /// Sends what is left (the end of the stream).
    fn finish(self, send: &mut impl FnMut(Chunk) -> Result<()>) -> Result<()> {
        if self.at > 0 {
            send(self.pool.wrap(self.cur, self.at))?;
        }
        Ok(())
    }
}

fn digest_worker<D: Digest + Default>(rx: Receiver<Chunk>) -> D {
    let mut d = D::default();
    for c in rx {
        d.update(&c[..]);
    }
    d
}

/// MD5 from OpenSSL, whose assembly takes 1.36 s per GiB on the reference
/// machine against 1.72 s for the `md-5` crate. MD5 is the one required hash
/// that cannot be spread over cores, so its speed bounds intake's.
pub(crate) struct Md5(openssl::hash::Hasher);

impl Md5 {
    pub fn new() -> Result<Self> {
        openssl::hash::Hasher::new(openssl::hash::MessageDigest::md5())
            .map(Md5)
            .map_err(|e| Error::Encryption(format!("MD5 is not available from OpenSSL: {e}")))
    }
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data).expect("OpenSSL MD5 update does not fail on a live context");
    }
    pub fn finalize(mut self) -> [u8; 16] {
        let d = self.0.finish().expect("OpenSSL MD5 finish does not fail on a live context");
        d.as_ref().try_into().expect("MD5 digests are 16 bytes")
    }
    /// MD5 of `data`.
    pub fn digest(data: &[u8]) -> Result<[u8; 16]> {
        let mut m = Self::new()?;
        m.update(data);
        Ok(m.finalize())
    }
}

/// MD5 (and SHA-1 on request) of the same bytes.
struct Md5Sha1(Md5, Option<Sha1>);

impl Md5Sha1 {
    fn new(want_sha1: bool) -> Result<Self> {
        Ok(Self(Md5::new()?, want_sha1.then(Sha1::new)))
    }
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
        if let Some(s) = self.1.as_mut() {
            s.update(data);
        }
    }
    fn finalize(self) -> ([u8; 16], Option<[u8; 20]>) {
        (self.0.finalize(), self.1.map(|s| s.finalize().into()))
    }
}

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

/// What decrypting an object yields: plaintext digests and the ciphertext hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decrypted {
    pub size: u64,
    pub sha256: [u8; 32],
    pub md5: Option<[u8; 16]>,
    pub object_sha256: [u8; 32],
}

/// Decrypts an object from `src` with `identity`, hashing the plaintext (SHA-256,
/// and MD5 when `want_md5`) and, when `hash_ciphertext`, the ciphertext, and
/// passing plaintext chunks to `sink`. Any authentication failure, anywhere in
/// the object, is an error; the caller must not trust what `sink` received
/// unless this returns `Ok`. Without `hash_ciphertext`, `object_sha256` is zero.
/// `object` names the object in errors: [`Error::ObjectAuthentication`] for
/// bytes that fail, [`Error::Io`] (with `object` as the path) when reading fails.
#[allow(clippy::too_many_arguments)]
pub(crate) fn decrypt_stream(
    src: impl Read,
    object: &str,
    identity: &age::x25519::Identity,
    want_md5: bool,
    hash_ciphertext: bool,
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
    let mut object_hash = hash_ciphertext.then(Sha256::new);
    let on_read = |b: &[u8]| {
        if let Some(h) = object_hash.as_mut() {
            h.update(b);
        }
    };
    let mut reader = agefile::Reader::new(src, identity, size_hint, on_read).map_err(fail)?;
    let md5 = if want_md5 { Some(Md5::new()?) } else { None };

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
    decrypt_stream(src, object, identity, false, false, size_hint, &NoProgress, &mut |_| Ok(()))
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
