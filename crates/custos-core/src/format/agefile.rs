//! The age v1 file format (<https://age-encryption.org/v1>) for the vault's
//! own objects: binary, one X25519 recipient, the payload sealed with
//! OpenSSL's ChaCha20-Poly1305.
//!
//! Everything else in Custos that is age (key files, bundles for counsel)
//! goes through the `age` crate's `Encryptor` and `Decryptor`. Objects are
//! the bulk of the work, and the crate's payload cipher (RustCrypto, AVX2)
//! costs 0.71 s per GiB on the reference machine against OpenSSL's 0.31 s
//! (AVX-512), which is what decides whether intake keeps up with `md5sum`.
//! The crate does not let a caller choose the cipher, so the part of the
//! format that frames the payload is written here, and the rest is left to
//! the reference code:
//!
//! - the X25519 stanza is made and opened by the `age` crate
//!   ([`age::Recipient::wrap_file_key`], [`age::Identity::unwrap_stanzas`]);
//! - stanzas are encoded and parsed (strictly: canonical base64, 64-column
//!   lines, a short final line) by `age-core`'s own encoder and parser;
//! - HKDF-SHA-256 is `age-core`'s.
//!
//! What is here is what the spec fixes byte for byte: the version line, the
//! header MAC (HMAC-SHA-256 under `HKDF(file key, "header")` of everything up
//! to and including `---`, with the `hmac` crate), the 16-byte payload nonce, the payload key
//! `HKDF(file key, salt = nonce, "payload")`, and STREAM: 64 KiB chunks,
//! each sealed with the nonce `counter (11 bytes, big-endian) ‖ last flag`;
//! the last chunk may be short and is empty only when the whole payload is.
//! Objects written here decrypt with the `age` crate and the `age` command,
//! what they write decrypts here, and the C2SP CCTV vectors run through the
//! reader (`tests/age_vectors.rs`, `tests/agefile.rs`).
//!
//! The reader releases a chunk's plaintext only after its tag verified, and
//! reports every failure of the bytes as one opaque [`Malformed::Invalid`], so
//! that error detail does not say which part of a ciphertext was wrong.

use age::secrecy::ExposeSecret;
use age_core::format::{FileKey, Stanza};
use base64::Engine;
use base64::prelude::BASE64_STANDARD_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use openssl::cipher::Cipher;
use sha2::Sha256;
use openssl::cipher_ctx::CipherCtx;
use std::io::{self, Read};
use zeroize::Zeroizing;

/// Plaintext bytes per STREAM chunk.
pub(crate) const PAYLOAD_CHUNK: usize = 64 << 10;
/// Poly1305 tag bytes.
pub(crate) const TAG: usize = 16;
/// Ciphertext bytes of a full chunk.
pub(crate) const SEALED_CHUNK: usize = PAYLOAD_CHUNK + TAG;
/// Bytes of the payload nonce that follows the header.
const NONCE: usize = 16;

const INTRO: &[u8] = b"age-encryption.org/v1\n";
const STANZA_START: &[u8] = b"-> ";
const MAC_START: &[u8] = b"---";
/// Base64 characters of a 32-byte MAC without padding.
const MAC_CHARS: usize = 43;
/// A header longer than this is refused. The vault's own headers are about
/// 200 bytes; the limit only bounds what a damaged file can make us buffer.
pub(crate) const MAX_HEADER: usize = 64 << 10;

/// Why an age file could not be read.
#[derive(Debug)]
pub(crate) enum Malformed {
    /// Reading the source failed.
    Io(io::Error),
    /// The bytes are not a well-formed age file for the identity, or failed
    /// authentication: one opaque case, so that nothing tells which part of
    /// a ciphertext was wrong.
    Invalid,
}

impl From<io::Error> for Malformed {
    fn from(e: io::Error) -> Self {
        Malformed::Io(e)
    }
}

impl From<openssl::error::ErrorStack> for Malformed {
    fn from(_: openssl::error::ErrorStack) -> Self {
        Malformed::Invalid
    }
}

fn hkdf(salt: &[u8], label: &[u8], file_key: &FileKey) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(age_core::primitives::hkdf(salt, label, file_key.expose_secret()))
}

fn header_mac(file_key: &FileKey) -> Hmac<Sha256> {
    let key = hkdf(&[], b"header", file_key);
    Hmac::<Sha256>::new_from_slice(&key[..]).expect("HMAC takes a key of any length")
}

fn stream_nonce(counter: u64, last: bool) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[3..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = u8::from(last);
    n
}

/// Starts a new age file for `recipient`: returns the header (with the
/// payload nonce) to write first, and the sealer for the payload.
pub(crate) fn begin(recipient: &age::x25519::Recipient) -> io::Result<(Vec<u8>, Sealer)> {
    let err = |e: String| io::Error::other(format!("age encryption: {e}"));
    let file_key = FileKey::init_with_mut(|k| rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, k));
    let (stanzas, _labels) = age::Recipient::wrap_file_key(recipient, &file_key).map_err(|e| err(e.to_string()))?;
    let mut header = INTRO.to_vec();
    for s in &stanzas {
        header = cookie_factory::gen_simple(age_core::format::write::age_stanza(&s.tag, &s.args, &s.body), header)
            .map_err(|e| err(e.to_string()))?;
    }
    header.extend_from_slice(MAC_START);
    let mut mac = header_mac(&file_key);
    mac.update(&header);
    header.push(b' ');
    header.extend_from_slice(BASE64_STANDARD_NO_PAD.encode(mac.finalize().into_bytes()).as_bytes());
    header.push(b'\n');
    let mut nonce = [0u8; NONCE];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
    header.extend_from_slice(&nonce);
    let key = hkdf(&nonce, b"payload", &file_key);
    Ok((header, Sealer { cipher: Aead::new(key)?, sealed_last: false }))
}

/// ChaCha20-Poly1305 under one payload key.
struct Aead {
    ctx: CipherCtx,
    key: Zeroizing<[u8; 32]>,
    counter: u64,
}

impl Aead {
    fn new(key: Zeroizing<[u8; 32]>) -> io::Result<Self> {
        Ok(Self { ctx: CipherCtx::new().map_err(io::Error::other)?, key, counter: 0 })
    }
}

/// Seals the payload of one age file, chunk by chunk.
pub(crate) struct Sealer {
    cipher: Aead,
    sealed_last: bool,
}

/// Ciphertext bytes that `plain` bytes seal to (a run of whole chunks and
/// a last one; an empty run that ends the file is one empty chunk).
pub(crate) fn sealed_len(plain: usize) -> usize {
    plain + plain.div_ceil(PAYLOAD_CHUNK).max(1) * TAG
}

impl Sealer {
    /// Seals `plain` (at most one chunk) into the start of `out`; returns the
    /// bytes written. Every chunk but the last must be full; the last is
    /// flagged and ends the file.
    pub fn seal(&mut self, plain: &[u8], last: bool, out: &mut [u8]) -> io::Result<usize> {
        assert!(plain.len() <= PAYLOAD_CHUNK, "a STREAM chunk holds at most 64 KiB");
        assert!(last || plain.len() == PAYLOAD_CHUNK, "only the last chunk may be short");
        if self.sealed_last {
            return Err(io::Error::other("age encryption: the last chunk was already written"));
        }
        if last && plain.is_empty() && self.cipher.counter > 0 {
            return Err(io::Error::other("age encryption: only an empty file ends with an empty chunk"));
        }
        let a = &mut self.cipher;
        let nonce = stream_nonce(a.counter, last);
        let (body, rest) = out.split_at_mut(plain.len());
        let tag = &mut rest[..TAG];
        (|| {
            a.ctx.encrypt_init(Some(Cipher::chacha20_poly1305()), Some(&a.key[..]), Some(&nonce))?;
            a.ctx.cipher_update(plain, Some(body))?;
            a.ctx.cipher_final(&mut [])?;
            a.ctx.tag(tag)
        })()
        .map_err(io::Error::other)?;
        a.counter += 1;
        self.sealed_last = last;
        Ok(plain.len() + TAG)
    }

    /// Seals a run of plaintext into the start of `out` (which must hold
    /// [`sealed_len`] bytes): whole chunks, the last of them short or flagged
    /// only when `ends`. Returns the bytes written.
    pub fn seal_run(&mut self, plain: &[u8], ends: bool, out: &mut [u8]) -> io::Result<usize> {
        let mut at = 0;
        for (c, last) in run_chunks(plain, ends) {
            at += self.seal(c, last, &mut out[at..])?;
        }
        Ok(at)
    }
}

/// The STREAM chunks of a run of plaintext, each with whether it is the
/// file's last: whole chunks, the last of them short or flagged only when
/// `ends`, and one empty chunk for an empty run that ends the file.
pub(crate) fn run_chunks(plain: &[u8], ends: bool) -> impl Iterator<Item = (&[u8], bool)> {
    assert!(ends || plain.len().is_multiple_of(PAYLOAD_CHUNK), "a run that does not end the file is whole chunks");
    let n = plain.len().div_ceil(PAYLOAD_CHUNK);
    let empty_file = (ends && plain.is_empty()).then_some((&[][..], true));
    plain.chunks(PAYLOAD_CHUNK).enumerate().map(move |(i, c)| (c, ends && i + 1 == n)).chain(empty_file)
}

/// The header of an age file read and checked: the payload key is known.
pub(crate) struct Opener {
    cipher: Aead,
    opened_last: bool,
}

/// Bytes of the MAC line: `--- `, 43 base64 characters, a newline.
const MAC_LINE: usize = MAC_START.len() + 1 + MAC_CHARS + 1;

/// How long the header (with the payload nonce) at the start of `bytes` is,
/// or `None` when `bytes` ends before it does. The header ends with the first
/// line that starts with `---`: stanza lines start with `->` and body lines
/// with base64, so no earlier line can.
pub(crate) fn header_len(bytes: &[u8]) -> Result<Option<usize>, Malformed> {
    if bytes.len() < INTRO.len() {
        return if INTRO.starts_with(bytes) { Ok(None) } else { Err(Malformed::Invalid) };
    }
    if !bytes.starts_with(INTRO) {
        return Err(Malformed::Invalid);
    }
    let from = INTRO.len() - 1;
    let Some(nl) = bytes[from..].windows(1 + MAC_START.len()).position(|w| w[0] == b'\n' && &w[1..] == MAC_START) else {
        return Ok(None);
    };
    let end = from + nl + 1 + MAC_LINE + NONCE;
    Ok((bytes.len() >= end).then_some(end))
}

/// Checks a whole header (as [`header_len`] measured it) for `identity`.
pub(crate) fn open_header(header: &[u8], identity: &age::x25519::Identity) -> Result<Opener, Malformed> {
    let mut rest = header.strip_prefix(INTRO).ok_or(Malformed::Invalid)?;
    let mut stanzas: Vec<Stanza> = Vec::new();
    while rest.starts_with(STANZA_START) {
        let (r, s) = age_core::format::read::age_stanza(rest).map_err(|_| Malformed::Invalid)?;
        stanzas.push(s.into());
        rest = r;
    }
    // Exactly the MAC line and the nonce are left.
    if rest.len() != MAC_LINE + NONCE || !rest.starts_with(MAC_START) || rest[MAC_START.len()] != b' ' || rest[MAC_LINE - 1] != b'\n' {
        return Err(Malformed::Invalid);
    }
    let mac = BASE64_STANDARD_NO_PAD.decode(&rest[MAC_START.len() + 1..MAC_LINE - 1]).map_err(|_| Malformed::Invalid)?;
    if mac.len() != 32 || stanzas.is_empty() {
        return Err(Malformed::Invalid);
    }
    // As the age crate does: a passphrase stanza must be the only one.
    if stanzas.iter().any(|s| s.tag == "scrypt") && stanzas.len() != 1 {
        return Err(Malformed::Invalid);
    }
    let file_key = match age::Identity::unwrap_stanzas(identity, &stanzas) {
        Some(Ok(k)) => k,
        _ => return Err(Malformed::Invalid),
    };
    let covered = header.len() - rest.len() + MAC_START.len();
    let mut want = header_mac(&file_key);
    want.update(&header[..covered]);
    // A constant-time comparison.
    want.verify_slice(&mac).map_err(|_| Malformed::Invalid)?;
    let key = hkdf(&rest[MAC_LINE..], b"payload", &file_key);
    Ok(Opener { cipher: Aead::new(key)?, opened_last: false })
}

impl Opener {
    /// Opens one sealed chunk into the start of `out` after checking its
    /// tag; returns the plaintext bytes. `last` says whether the file ends
    /// with it. On failure what `out` holds is wiped and must not be used.
    pub fn open(&mut self, sealed: &[u8], last: bool, out: &mut [u8]) -> Result<usize, Malformed> {
        if self.opened_last || sealed.len() < TAG || sealed.len() > SEALED_CHUNK || (!last && sealed.len() != SEALED_CHUNK) {
            return Err(Malformed::Invalid);
        }
        // Only a file with nothing in it has an empty last chunk.
        if last && sealed.len() == TAG && self.cipher.counter > 0 {
            return Err(Malformed::Invalid);
        }
        let a = &mut self.cipher;
        let nonce = stream_nonce(a.counter, last);
        let (body, tag) = sealed.split_at(sealed.len() - TAG);
        let out = &mut out[..body.len()];
        let res = (|| {
            a.ctx.decrypt_init(Some(Cipher::chacha20_poly1305()), Some(&a.key[..]), Some(&nonce))?;
            a.ctx.set_tag(tag)?;
            a.ctx.cipher_update(body, Some(&mut *out))?;
            a.ctx.cipher_final(&mut [])
        })();
        if res.is_err() {
            // The unauthenticated bytes are never handed out.
            zeroize::Zeroize::zeroize(out);
            return Err(Malformed::Invalid);
        }
        a.counter += 1;
        self.opened_last = last;
        Ok(body.len())
    }

    /// Whether the last chunk has been opened, i.e. the payload is complete.
    pub fn complete(&self) -> bool {
        self.opened_last
    }

    /// Opens chunk number `counter` (from 0) into the start of `out`, in any
    /// order (for random access; the caller knows which chunk is the last
    /// from the payload's size). On failure `out` is wiped.
    pub fn open_at(
        &mut self,
        counter: u64,
        sealed: &[u8],
        last: bool,
        out: &mut [u8],
    ) -> Result<usize, Malformed> {
        let (was, opened_last) = (self.cipher.counter, self.opened_last);
        self.cipher.counter = counter;
        self.opened_last = false;
        let res = self.open(sealed, last, out);
        self.cipher.counter = was;
        self.opened_last = opened_last;
        res
    }
}

/// Reads an age file from a stream: the header, then the payload a run of
/// chunks at a time. Every byte read from the source is shown to `on_read`
/// first (to hash the ciphertext), including any that follow the payload.
pub(crate) struct Reader<R, F> {
    input: Input<R, F>,
    opener: Opener,
}

/// The source and the ciphertext read from it but not yet used: `buf[pos..end]`.
struct Input<R, F> {
    src: R,
    on_read: F,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
}

/// The most bytes the reader asks the source for at a time.
const READ_AHEAD: usize = 16 * SEALED_CHUNK;

impl<R: Read, F: FnMut(&[u8])> Input<R, F> {
    /// Reads into `buf[end..]` until it is full or the source ends.
    fn fill(&mut self) -> io::Result<()> {
        let start = self.end;
        while self.end < self.buf.len() {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        (self.on_read)(&self.buf[start..self.end]);
        Ok(())
    }
}

impl<R: Read, F: FnMut(&[u8])> Reader<R, F> {
    /// Reads and checks the header. `expected` is the plaintext size the
    /// caller expects (only to size reads: a small object is read at once).
    pub fn new(src: R, identity: &age::x25519::Identity, expected: u64, on_read: F) -> Result<Self, Malformed> {
        // Room for the whole of a small object and one byte more (to see its end at once).
        let guess = (sealed_len(expected.min(READ_AHEAD as u64) as usize) + 512 + 1).min(READ_AHEAD);
        let size = guess.max(SEALED_CHUNK + 1);
        let mut input = Input { src, on_read, buf: vec![0u8; guess.max(4096).min(size)], pos: 0, end: 0, eof: false };
        loop {
            input.fill()?;
            match header_len(&input.buf[..input.end])? {
                Some(len) => {
                    let opener = open_header(&input.buf[..len], identity)?;
                    input.pos = len;
                    if input.buf.len() < size {
                        input.buf.resize(size, 0);
                    }
                    return Ok(Self { input, opener });
                }
                None if input.eof || input.end > MAX_HEADER => return Err(Malformed::Invalid),
                None => {
                    let grown = input.buf.len() * 2;
                    input.buf.resize(grown, 0);
                }
            }
        }
    }

    /// Opens the next chunks into `out`, as many as fit (it must hold at
    /// least one chunk). Returns the plaintext bytes and whether more
    /// follow; once the payload has ended, every byte of the source has been read.
    pub fn next_run(&mut self, out: &mut [u8]) -> Result<(usize, bool), Malformed> {
        assert!(out.len() >= PAYLOAD_CHUNK, "room for a whole chunk");
        let i = &mut self.input;
        let mut at = 0;
        while !self.opener.complete() && out.len() - at >= PAYLOAD_CHUNK {
            // Enough bytes to tell whether the next chunk is the last: more
            // than a full chunk, or all there is.
            if !i.eof && i.end - i.pos <= SEALED_CHUNK {
                i.buf.copy_within(i.pos..i.end, 0);
                i.end -= i.pos;
                i.pos = 0;
                i.fill()?;
            }
            let left = i.end - i.pos;
            let take = left.min(SEALED_CHUNK);
            if take == 0 {
                // The file ended before its last chunk.
                return Err(Malformed::Invalid);
            }
            let last = i.eof && take == left;
            at += self.opener.open(&i.buf[i.pos..i.pos + take], last, &mut out[at..])?;
            i.pos += take;
        }
        Ok((at, !self.opener.complete()))
    }
}
