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

mod decrypt;
mod encrypt;

pub(crate) use decrypt::{Decrypted, Hashes, decrypt_stream, read_back, read_back_following, sha256_reader};
pub(crate) use encrypt::encrypt_stream;
#[cfg(test)]
pub(crate) use encrypt::encrypt_stream_laid_out;

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

