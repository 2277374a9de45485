//! The CPU cost, on this machine, of each piece of work that intake and full
//! verification must do per GiB, measured in memory with the same code the
//! pipeline runs: MD5 (OpenSSL), SHA-256, and sealing and opening an object
//! (age STREAM, ChaCha20-Poly1305 from OpenSSL). `make bench` prints the
//! least wall time they allow next to what it measures, so a target below
//! what the required work allows can be told from a slow pipeline.

use crate::format::agefile;
use crate::format::pipeline::Md5;
use sha2::{Digest, Sha256};
use std::time::Instant;

const CHUNK: usize = 1 << 20;
const GIB_CHUNKS: usize = 1024;

fn timed(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

/// Seconds per GiB of each kind of work, by name: `md5`, `sha256`,
/// `seal` (object encryption) and `open` (object decryption).
pub fn per_gib() -> crate::Result<Vec<(&'static str, f64)>> {
    let chunk: Vec<u8> = (0..CHUNK).map(|i| (i * 31 % 251) as u8).collect();
    let mut out = Vec::new();
    let mut md5 = Md5::new()?;
    out.push(("md5", timed(|| (0..GIB_CHUNKS).for_each(|_| md5.update(&chunk)))));
    std::hint::black_box(md5.finalize());
    let mut sha = Sha256::new();
    out.push(("sha256", timed(|| (0..GIB_CHUNKS).for_each(|_| sha.update(&chunk)))));
    std::hint::black_box(sha.finalize());

    let identity = age::x25519::Identity::generate();
    let err = |e: std::io::Error| crate::Error::Encryption(e.to_string());
    // Seal 1 GiB, keeping a 64 MiB object to open 16 times below.
    let (header, mut sealer) = agefile::begin(&identity.to_public()).map_err(err)?;
    let mut sealed = vec![0u8; agefile::sealed_len(CHUNK)];
    let mut object = header;
    let mut res = Ok(());
    out.push((
        "seal",
        timed(|| {
            for i in 0..GIB_CHUNKS {
                let last = i + 1 == 64;
                match sealer.seal_run(&chunk, last, &mut sealed) {
                    Ok(n) if i < 64 => object.extend_from_slice(&sealed[..n]),
                    Ok(_) => {}
                    Err(e) => res = Err(e),
                }
                if last {
                    // The object is complete; go on sealing under a new key.
                    match agefile::begin(&identity.to_public()) {
                        Ok((_, s)) => sealer = s,
                        Err(e) => res = Err(e),
                    }
                }
            }
        }),
    ));
    res.map_err(err)?;
    let mut plain = vec![0u8; CHUNK];
    let mut ok = true;
    out.push((
        "open",
        timed(|| {
            for _ in 0..16 {
                match agefile::Reader::new(&object[..], &identity, 64 << 20, |_| {}) {
                    Ok(mut r) => while let Ok((_, true)) = r.next_run(&mut plain) {},
                    Err(_) => ok = false,
                }
            }
        }),
    ));
    if !ok {
        return Err(crate::Error::Encryption("the measured object did not open".into()));
    }
    Ok(out)
}
