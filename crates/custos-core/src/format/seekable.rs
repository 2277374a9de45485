//! Random access to an object's plaintext, for readers that seek (an
//! Outlook data file) or that should not hold a whole exhibit in memory (a
//! mailbox): only the chunk being read is in memory.
//!
//! The whole object is authenticated first, in one pass that keeps none of
//! it: its ciphertext must hash to the object's name and its plaintext to
//! the intake SHA-256, exactly as for [`super::pipeline::decrypt_stream`].
//! After that pass, each chunk read is opened again with the payload key of
//! the header that pass authenticated, under its own position: a byte that
//! changed since, or a chunk moved, fails its tag and is an error, never
//! plaintext. The object is read through one handle from start to end.

use super::agefile::{self, MAX_HEADER, Malformed, Opener, PAYLOAD_CHUNK, SEALED_CHUNK, sealed_len};
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::{self, Read, Seek, SeekFrom};
use zeroize::Zeroizing;

/// An object opened for reads at any offset (a file here; ranges of an
/// object elsewhere).
pub(crate) trait ObjectRange: Send {
    /// Reads into `buf` from `offset`; 0 at the end.
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
    /// The object's length in bytes.
    fn len(&self) -> io::Result<u64>;
}

impl ObjectRange for std::fs::File {
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, offset)
    }
    fn len(&self) -> io::Result<u64> {
        Ok(self.metadata()?.len())
    }
}

/// An object's plaintext, read at any offset.
pub(crate) struct Seekable {
    src: Box<dyn ObjectRange>,
    object: String,
    opener: Opener,
    /// Where the payload's first chunk begins.
    payload: u64,
    /// Plaintext bytes.
    size: u64,
    pos: u64,
    /// The chunk in `plain`, if any.
    loaded: Option<u64>,
    plain: Zeroizing<Vec<u8>>,
    plain_len: usize,
    sealed: Vec<u8>,
}

/// Chunks read at a time while authenticating.
const RUN: usize = 16;

impl Seekable {
    /// Opens the object `object` from `src` with `identity` and authenticates
    /// all of it (its ciphertext hashing to `object`, its `size` bytes of
    /// plaintext to `sha256`); [`Error::ObjectAuthentication`] otherwise.
    pub fn verified(mut src: Box<dyn ObjectRange>, object: &str, identity: &age::x25519::Identity, size: u64, sha256: &str) -> Result<Self> {
        let fail = |e: Malformed| match e {
            Malformed::Io(source) => Error::Io { path: object.into(), source },
            Malformed::Invalid => Error::ObjectAuthentication { object: object.to_string() },
        };
        let io_fail = |source: io::Error| Error::Io { path: object.into(), source };
        // The header, read until it is whole.
        let mut header = vec![0u8; 512];
        let mut have = 0;
        let payload = loop {
            let n = src.read_at(&mut header[have..], have as u64).map_err(io_fail)?;
            have += n;
            match agefile::header_len(&header[..have]).map_err(fail)? {
                Some(len) => break len,
                None if n == 0 || have > MAX_HEADER => return Err(fail(Malformed::Invalid)),
                None if have == header.len() => header.resize(header.len() * 2, 0),
                None => {}
            }
        };
        if src.len().map_err(io_fail)? != (payload + sealed_len(size as usize)) as u64 {
            return Err(fail(Malformed::Invalid));
        }
        let mut me = Self {
            src,
            object: object.into(),
            opener: agefile::open_header(&header[..payload], identity).map_err(fail)?,
            payload: payload as u64,
            size,
            pos: 0,
            loaded: None,
            plain: Zeroizing::new(vec![0u8; PAYLOAD_CHUNK * RUN]),
            plain_len: 0,
            sealed: vec![0u8; SEALED_CHUNK * RUN],
        };
        // The one pass that authenticates it all, through the same handle.
        let mut cipher_sha = Sha256::new();
        cipher_sha.update(&header[..payload]);
        let mut plain_sha = Sha256::new();
        let chunks = me.chunks();
        let mut at = 0u64;
        while at < chunks {
            let run = (chunks - at).min(RUN as u64);
            let from = me.payload + at * SEALED_CHUNK as u64;
            let len = if at + run == chunks { (me.payload + sealed_len(size as usize) as u64 - from) as usize } else { run as usize * SEALED_CHUNK };
            read_exact_at(&mut *me.src, &mut me.sealed[..len], from).map_err(io_fail)?;
            cipher_sha.update(&me.sealed[..len]);
            for (i, sealed) in me.sealed[..len].chunks(SEALED_CHUNK).enumerate() {
                let counter = at + i as u64;
                let n = me.opener.open_at(counter, sealed, counter + 1 == chunks, &mut me.plain[..PAYLOAD_CHUNK]).map_err(fail)?;
                plain_sha.update(&me.plain[..n]);
            }
            at += run;
        }
        if hex::encode(cipher_sha.finalize()) != object || hex::encode(plain_sha.finalize()) != sha256 {
            return Err(fail(Malformed::Invalid));
        }
        me.plain.truncate(PAYLOAD_CHUNK);
        me.sealed.truncate(SEALED_CHUNK);
        zeroize::Zeroize::zeroize(&mut me.plain[..]);
        Ok(me)
    }

    /// The payload's chunks (an empty payload is one empty chunk).
    fn chunks(&self) -> u64 {
        (self.size as usize).div_ceil(PAYLOAD_CHUNK).max(1) as u64
    }

    /// Opens chunk `i` into `plain`.
    fn load(&mut self, i: u64) -> io::Result<()> {
        if self.loaded == Some(i) {
            return Ok(());
        }
        self.loaded = None;
        let last = i + 1 == self.chunks();
        let from = self.payload + i * SEALED_CHUNK as u64;
        let len = if last { (self.payload + sealed_len(self.size as usize) as u64 - from) as usize } else { SEALED_CHUNK };
        read_exact_at(&mut *self.src, &mut self.sealed[..len], from)?;
        let n = self
            .opener
            .open_at(i, &self.sealed[..len], last, &mut self.plain)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, format!("object {} no longer authenticates", self.object)))?;
        self.plain_len = n;
        self.loaded = Some(i);
        Ok(())
    }
}

/// Reads exactly `buf.len()` bytes at `offset`.
fn read_exact_at(src: &mut dyn ObjectRange, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match src.read_at(buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

impl Read for Seekable {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let chunk = PAYLOAD_CHUNK as u64;
        self.load(self.pos / chunk)?;
        let off = (self.pos % chunk) as usize;
        let n = buf.len().min(self.plain_len - off);
        buf[..n].copy_from_slice(&self.plain[off..off + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Seekable {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.size.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "a seek before the start"))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// An object in memory that the test may change after it was opened.
    #[derive(Clone)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl ObjectRange for Shared {
        fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
            let v = self.0.lock().unwrap();
            let from = (offset as usize).min(v.len());
            let n = buf.len().min(v.len() - from);
            buf[..n].copy_from_slice(&v[from..from + n]);
            Ok(n)
        }
        fn len(&self) -> io::Result<u64> {
            Ok(self.0.lock().unwrap().len() as u64)
        }
    }

    fn sealed(plain: &[u8], identity: &age::x25519::Identity) -> (Vec<u8>, String, String) {
        let (mut out, mut sealer) = agefile::begin(&identity.to_public()).unwrap();
        let mut buf = vec![0u8; sealed_len(plain.len())];
        let n = sealer.seal_run(plain, true, &mut buf).unwrap();
        out.extend_from_slice(&buf[..n]);
        (out.clone(), hex::encode(Sha256::digest(&out)), hex::encode(Sha256::digest(plain)))
    }

    #[test]
    fn any_range_reads_as_the_plaintext_and_a_change_fails() {
        let identity = age::x25519::Identity::generate();
        let plain: Vec<u8> = (0..(3 * PAYLOAD_CHUNK + 1234)).map(|i| (i * 7 % 251) as u8).collect();
        let (object, name, sha) = sealed(&plain, &identity);
        let bytes = Shared(Arc::new(Mutex::new(object.clone())));
        let mut r = Seekable::verified(Box::new(bytes.clone()), &name, &identity, plain.len() as u64, &sha).unwrap();
        for (at, len) in [(0usize, 10usize), (PAYLOAD_CHUNK - 5, 10), (3 * PAYLOAD_CHUNK, 1234), (100, 2 * PAYLOAD_CHUNK)] {
            r.seek(SeekFrom::Start(at as u64)).unwrap();
            let mut got = vec![0u8; len];
            r.read_exact(&mut got).unwrap();
            assert_eq!(got, &plain[at..at + len], "{at}+{len}");
        }
        r.seek(SeekFrom::End(-1)).unwrap();
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, [plain[plain.len() - 1]]);

        // A byte changed once the object authenticated fails its chunk.
        let at = object.len() - 2 * SEALED_CHUNK;
        bytes.0.lock().unwrap()[at] ^= 1;
        r.seek(SeekFrom::Start(0)).unwrap();
        let mut all = Vec::new();
        let e = r.read_to_end(&mut all).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(all.len() < plain.len());

        // Changed before, it does not open at all; nor does another object
        // under this one's name, or a wrong size.
        let wrong = |object: Vec<u8>, size: u64| Seekable::verified(Box::new(Shared(Arc::new(Mutex::new(object)))), &name, &identity, size, &sha).err();
        assert!(matches!(wrong(bytes.0.lock().unwrap().clone(), plain.len() as u64), Some(Error::ObjectAuthentication { .. })));
        let (other, _, _) = sealed(&plain, &identity);
        assert!(matches!(wrong(other, plain.len() as u64), Some(Error::ObjectAuthentication { .. })), "the same plaintext sealed again is another object");
        assert!(matches!(wrong(object.clone(), plain.len() as u64 - 1), Some(Error::ObjectAuthentication { .. })));
        let mut cut = object;
        cut.truncate(cut.len() - 100);
        assert!(matches!(wrong(cut, plain.len() as u64), Some(Error::ObjectAuthentication { .. })));
    }
}
