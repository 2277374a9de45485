//! One-pass streaming: hash and encrypt (or decrypt and hash) with bounded memory.
//!
//! Large inputs are cut into 1 MiB chunks and fanned out to worker threads:
//! MD5 (and SHA-1) on one, plaintext SHA-256 on another, and the ciphertext's
//! SHA-256 plus the file write on a third, while the calling thread reads and
//! runs the cipher. Each queue holds at most [`QUEUE_DEPTH`] chunks, so memory
//! stays bounded whatever the file size. Small inputs are done inline.

use crate::error::{Error, Result};
use crate::progress::Progress;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Bytes per chunk handed between threads.
pub(crate) const CHUNK: usize = 1 << 20;
/// Chunks a queue may hold.
const QUEUE_DEPTH: usize = 4;
/// The flusher starts write-back after this many new bytes.
const FLUSH_EVERY: u64 = 32 << 20;
/// Inputs smaller than this are processed on the calling thread.
const PARALLEL_THRESHOLD: u64 = 4 * CHUNK as u64;

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

/// A buffer that goes back to its pool when the last worker is done with it,
/// so a large file reuses a handful of buffers instead of allocating (and
/// zeroing) a fresh one per chunk.
pub(crate) struct Buf {
    data: Vec<u8>,
    pool: Arc<Pool>,
}

impl std::ops::Deref for Buf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Buf {
    fn drop(&mut self) {
        let v = std::mem::take(&mut self.data);
        let mut free = self.pool.0.lock().expect("pool lock");
        if free.len() < 4 * QUEUE_DEPTH {
            free.push(v);
        }
    }
}

/// Free chunk buffers.
#[derive(Default)]
pub(crate) struct Pool(std::sync::Mutex<Vec<Vec<u8>>>);

impl Pool {
    /// An empty buffer with room for a chunk.
    fn take(self: &Arc<Self>) -> Vec<u8> {
        let mut v = self.0.lock().expect("pool lock").pop().unwrap_or_else(|| Vec::with_capacity(CHUNK + 256 * 1024));
        v.clear();
        v
    }
    /// A buffer of exactly `CHUNK` initialised bytes to read into.
    fn take_full(self: &Arc<Self>) -> Vec<u8> {
        let mut v = self.take();
        // Only the part never initialised before is zeroed.
        v.resize(CHUNK, 0);
        v
    }
    fn wrap(self: &Arc<Self>, data: Vec<u8>) -> Chunk {
        Arc::new(Buf { data, pool: self.clone() })
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

/// A `Write` that hashes what passes through it.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A `Write` that batches bytes into chunks and sends them to a worker.
struct ChunkSender {
    buf: Vec<u8>,
    tx: Option<SyncSender<Chunk>>,
    pool: Arc<Pool>,
}

impl ChunkSender {
    fn send_buf(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let next = self.pool.take();
        let chunk = self.pool.wrap(std::mem::replace(&mut self.buf, next));
        let tx = self.tx.as_ref().ok_or_else(|| io::Error::from(io::ErrorKind::BrokenPipe))?;
        tx.send(chunk).map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }
    fn close(mut self) -> io::Result<()> {
        self.send_buf()?;
        self.tx = None;
        Ok(())
    }
}

impl Write for ChunkSender {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send_buf()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
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

fn md5_sha1_worker(rx: Receiver<Chunk>, want_sha1: bool) -> ([u8; 16], Option<[u8; 20]>) {
    let mut m = Md5::new();
    let mut s = want_sha1.then(Sha1::new);
    for c in rx {
        m.update(&c[..]);
        if let Some(s) = s.as_mut() {
            s.update(&c[..]);
        }
    }
    (m.finalize().into(), s.map(|s| s.finalize().into()))
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
    flush: Option<&std::fs::File>,
    progress: &dyn Progress,
) -> Result<(Digests, W)> {
    let encryptor = age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient))
        .map_err(|e| Error::Encryption(e.to_string()))?;
    let in_err = |source| Error::Input { path: src_path.to_path_buf(), source };
    let out_err = |source| Error::Io { path: dest_path.to_path_buf(), source };

    if size_hint < PARALLEL_THRESHOLD {
        let mut sha = Sha256::new();
        let mut md5 = Md5::new();
        let mut sha1 = want_sha1.then(Sha1::new);
        let mut enc = encryptor.wrap_output(HashingWriter { inner: dest, hasher: Sha256::new() }).map_err(out_err)?;
        let mut buf = vec![0u8; (size_hint as usize).clamp(4096, CHUNK)];
        let mut size = 0u64;
        loop {
            let n = read_full(src, &mut buf).map_err(in_err)?;
            if n == 0 {
                break;
            }
            let c = &buf[..n];
            sha.update(c);
            md5.update(c);
            if let Some(s) = sha1.as_mut() {
                s.update(c);
            }
            enc.write_all(c).map_err(out_err)?;
            size += n as u64;
            progress.advance(n as u64);
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
        }
        let mut hw = enc.finish().map_err(out_err)?;
        hw.flush().map_err(out_err)?;
        let digests = Digests {
            size,
            sha256: sha.finalize().into(),
            md5: md5.finalize().into(),
            sha1: sha1.map(|s| s.finalize().into()),
            object_sha256: hw.hasher.finalize().into(),
        };
        return Ok((digests, hw.inner));
    }

    let written = std::sync::atomic::AtomicU64::new(0);
    let done = std::sync::atomic::AtomicBool::new(false);
    let pool = Arc::new(Pool::default());
    std::thread::scope(|s| {
        let (tx_md5, rx_md5) = sync_channel::<Chunk>(QUEUE_DEPTH);
        let (tx_sha, rx_sha) = sync_channel::<Chunk>(QUEUE_DEPTH);
        let (tx_out, rx_out) = sync_channel::<Chunk>(QUEUE_DEPTH);
        let h_md5 = s.spawn(move || md5_sha1_worker(rx_md5, want_sha1));
        let h_sha = s.spawn(move || digest_worker::<Sha256>(rx_sha));
        // Bytes handed to the OS so far, and whether writing has ended: the
        // flusher starts write-back early so the final fsync finds little left.
        let (written, done) = (&written, &done);
        let h_flush = flush.map(|f| {
            s.spawn(move || {
                use std::sync::atomic::Ordering::Acquire;
                let mut flushed = 0u64;
                while !done.load(Acquire) {
                    let w = written.load(Acquire);
                    if w - flushed >= FLUSH_EVERY {
                        let _ = f.sync_data();
                        flushed = w;
                    } else {
                        std::thread::sleep(std::time::Duration::from_millis(2));
                    }
                }
            })
        });
        let h_out = s.spawn(move || -> io::Result<([u8; 32], W)> {
            let mut dest = dest;
            let mut h = Sha256::new();
            for c in rx_out {
                h.update(&c[..]);
                dest.write_all(&c)?;
                written.fetch_add(c.len() as u64, std::sync::atomic::Ordering::Release);
            }
            dest.flush()?;
            Ok((h.finalize().into(), dest))
        });

        let main = (|| -> Result<u64> {
            let mut enc = encryptor
                .wrap_output(ChunkSender { buf: pool.take(), tx: Some(tx_out), pool: pool.clone() })
                .map_err(out_err)?;
            let mut size = 0u64;
            loop {
                let mut buf = pool.take_full();
                let n = read_full(src, &mut buf).map_err(in_err)?;
                if n == 0 {
                    break;
                }
                buf.truncate(n);
                let chunk = pool.wrap(buf);
                let broken = || out_err(io::Error::from(io::ErrorKind::BrokenPipe));
                tx_md5.send(chunk.clone()).map_err(|_| broken())?;
                tx_sha.send(chunk.clone()).map_err(|_| broken())?;
                enc.write_all(&chunk).map_err(out_err)?;
                size += n as u64;
                progress.advance(n as u64);
                if progress.is_cancelled() {
                    return Err(Error::Cancelled);
                }
            }
            enc.finish().map_err(out_err)?.close().map_err(out_err)?;
            Ok(size)
        })();
        drop(tx_md5);
        drop(tx_sha);
        let (md5, sha1) = h_md5.join().expect("md5 worker panicked");
        let sha256: [u8; 32] = h_sha.join().expect("sha256 worker panicked").finalize().into();
        let out = h_out.join().expect("writer worker panicked");
        done.store(true, std::sync::atomic::Ordering::Release);
        if let Some(h) = h_flush {
            h.join().expect("flusher panicked");
        }
        // A write error on the worker is the real cause of a broken queue.
        let (object_sha256, dest) = match (main, out) {
            (Err(Error::Cancelled), _) => return Err(Error::Cancelled),
            (_, Err(e)) => return Err(out_err(e)),
            (Err(e), _) => return Err(e),
            (Ok(size), Ok((h, d))) => ((h, size), d),
        };
        let (object_sha256, size) = object_sha256;
        Ok((Digests { size, sha256, md5, sha1, object_sha256 }, dest))
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

/// A `Read` that passes what it reads on: hashed inline, sent in chunks to
/// a hashing thread, or not at all.
struct TeeReader<R> {
    inner: R,
    hasher: Option<Sha256>,
    buf: Vec<u8>,
    tx: Option<SyncSender<Chunk>>,
    pool: Arc<Pool>,
}

impl<R: Read> Read for TeeReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        if let Some(h) = self.hasher.as_mut() {
            h.update(&out[..n]);
        }
        if self.tx.is_some() {
            self.buf.extend_from_slice(&out[..n]);
            if self.buf.len() >= CHUNK || n == 0 {
                self.send()?;
            }
        }
        Ok(n)
    }
}

impl<R> TeeReader<R> {
    fn send(&mut self) -> io::Result<()> {
        if let Some(tx) = &self.tx && !self.buf.is_empty() {
            let next = self.pool.take();
            let chunk = self.pool.wrap(std::mem::replace(&mut self.buf, next));
            tx.send(chunk).map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        }
        Ok(())
    }
}

/// Decrypts an object from `src` with `identity`, hashing the plaintext (SHA-256,
/// and MD5 when `want_md5`) and, when `hash_ciphertext`, the ciphertext, and
/// passing plaintext chunks to `sink`. Any authentication failure, anywhere in
/// the object, is an error; the caller must not trust what `sink` received
/// unless this returns `Ok`. Without `hash_ciphertext`, `object_sha256` is zero.
#[allow(clippy::too_many_arguments)]
pub(crate) fn decrypt_stream(
    src: impl Read + Send,
    object: &str,
    identity: &age::x25519::Identity,
    want_md5: bool,
    hash_ciphertext: bool,
    size_hint: u64,
    progress: &dyn Progress,
    sink: &mut (dyn FnMut(&[u8]) -> Result<()> + Send),
) -> Result<Decrypted> {
    let auth = || Error::ObjectAuthentication { object: object.to_string() };
    let parallel = size_hint >= PARALLEL_THRESHOLD;

    if !parallel {
        let mut tee = TeeReader { inner: src, hasher: hash_ciphertext.then(Sha256::new), buf: Vec::new(), tx: None, pool: Arc::new(Pool::default()) };
        let mut br = io::BufReader::with_capacity(256 * 1024, &mut tee);
        let decryptor = age::Decryptor::new_buffered(&mut br).map_err(|_| auth())?;
        let mut reader = decryptor.decrypt(std::iter::once(identity as &dyn age::Identity)).map_err(|_| auth())?;
        let mut sha = Sha256::new();
        let mut md5 = want_md5.then(Md5::new);
        let mut buf = vec![0u8; CHUNK.min(size_hint as usize + 4096)];
        let mut size = 0u64;
        loop {
            let n = read_full(&mut reader, &mut buf).map_err(|_| auth())?;
            if n == 0 {
                break;
            }
            sha.update(&buf[..n]);
            if let Some(m) = md5.as_mut() {
                m.update(&buf[..n]);
            }
            sink(&buf[..n])?;
            size += n as u64;
            progress.advance(n as u64);
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
        }
        drop(reader);
        drain(&mut br).map_err(|_| auth())?;
        drop(br);
        return Ok(Decrypted {
            size,
            sha256: sha.finalize().into(),
            md5: md5.map(|m| m.finalize().into()),
            object_sha256: tee.hasher.map(|h| h.finalize().into()).unwrap_or_default(),
        });
    }

    let pool = Arc::new(Pool::default());
    std::thread::scope(|s| -> Result<Decrypted> {
        let (tx_sha, rx_sha) = sync_channel::<Chunk>(QUEUE_DEPTH);
        let (tx_md5, rx_md5) = sync_channel::<Chunk>(QUEUE_DEPTH);
        let (tx_obj, rx_obj) = sync_channel::<Chunk>(QUEUE_DEPTH);
        let h_sha = s.spawn(move || digest_worker::<Sha256>(rx_sha));
        let h_md5 = want_md5.then(|| s.spawn(move || digest_worker::<Md5>(rx_md5)));
        let h_obj = hash_ciphertext.then(|| s.spawn(move || digest_worker::<Sha256>(rx_obj)));
        let main = (|| -> Result<u64> {
            let mut tee = TeeReader {
                inner: src,
                hasher: None,
                buf: pool.take(),
                tx: hash_ciphertext.then_some(tx_obj),
                pool: pool.clone(),
            };
            let mut br = io::BufReader::with_capacity(256 * 1024, &mut tee);
            let decryptor = age::Decryptor::new_buffered(&mut br).map_err(|_| auth())?;
            let mut reader = decryptor.decrypt(std::iter::once(identity as &dyn age::Identity)).map_err(|_| auth())?;
            let mut size = 0u64;
            loop {
                let mut buf = pool.take_full();
                let n = read_full(&mut reader, &mut buf).map_err(|_| auth())?;
                if n == 0 {
                    break;
                }
                buf.truncate(n);
                let chunk = pool.wrap(buf);
                tx_sha.send(chunk.clone()).expect("sha256 worker alive");
                if want_md5 {
                    tx_md5.send(chunk.clone()).expect("md5 worker alive");
                }
                sink(&chunk)?;
                size += n as u64;
                progress.advance(n as u64);
                if progress.is_cancelled() {
                    return Err(Error::Cancelled);
                }
            }
            drop(reader);
            drain(&mut br).map_err(|_| auth())?;
            drop(br);
            tee.send().map_err(|_| auth())?;
            Ok(size)
        })();
        drop(tx_sha);
        drop(tx_md5);
        let sha256: [u8; 32] = h_sha.join().expect("sha256 worker panicked").finalize().into();
        let md5 = h_md5.map(|h| h.join().expect("md5 worker panicked").finalize().into());
        let object_sha256 = h_obj.map(|h| h.join().expect("object hash worker panicked").finalize().into()).unwrap_or_default();
        Ok(Decrypted { size: main?, sha256, md5, object_sha256 })
    })
}

/// Reads what is left after the age stream ends, so the ciphertext hash covers
/// any bytes appended to the object.
fn drain(r: &mut impl Read) -> io::Result<u64> {
    io::copy(r, &mut io::sink())
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
