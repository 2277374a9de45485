//! Measures, on this machine, the CPU cost of each piece of work intake and
//! full verification must do per GiB (MD5, SHA-256, age encryption and
//! decryption), and prints the lower bound on wall time they imply on the
//! available cores. `make bench` prints it under its table, so a target
//! below what the required work allows can be told from a slow pipeline.
//!
//! Prints tab-separated `name\tseconds_per_GiB` lines, then `cores\tN`.

use age::secrecy::ExposeSecret;
use md5::Md5;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::time::Instant;

const CHUNK: usize = 1 << 20;
const GIB_CHUNKS: usize = 1024;

fn per_gib(name: &str, f: impl FnOnce() -> f64) {
    println!("{name}\t{:.3}", f());
}

fn main() {
    let chunk: Vec<u8> = (0..CHUNK).map(|i| (i * 31 % 251) as u8).collect();
    per_gib("md5", || {
        let t = Instant::now();
        let mut h = Md5::new();
        for _ in 0..GIB_CHUNKS {
            h.update(&chunk);
        }
        std::hint::black_box(h.finalize());
        t.elapsed().as_secs_f64()
    });
    per_gib("sha256", || {
        let t = Instant::now();
        let mut h = Sha256::new();
        for _ in 0..GIB_CHUNKS {
            h.update(&chunk);
        }
        std::hint::black_box(h.finalize());
        t.elapsed().as_secs_f64()
    });
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public();
    // Encrypt 1 GiB to a sink that keeps the first 64 MiB of ciphertext, to decrypt below.
    let mut sample = Vec::with_capacity(64 << 20);
    per_gib("age_encrypt", || {
        struct Keep<'a>(&'a mut Vec<u8>);
        impl Write for Keep<'_> {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                let room = (64usize << 20).saturating_sub(self.0.len());
                self.0.extend_from_slice(&b[..b.len().min(room)]);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let t = Instant::now();
        let e = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).unwrap();
        let mut w = e.wrap_output(Keep(&mut sample)).unwrap();
        for _ in 0..GIB_CHUNKS {
            w.write_all(&chunk).unwrap();
        }
        w.finish().unwrap();
        t.elapsed().as_secs_f64()
    });
    // Decrypt a complete 64 MiB object 16 times (the stream above was cut).
    let mut object = Vec::new();
    {
        let e = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).unwrap();
        let mut w = e.wrap_output(&mut object).unwrap();
        for _ in 0..64 {
            w.write_all(&chunk).unwrap();
        }
        w.finish().unwrap();
    }
    drop(sample);
    per_gib("age_decrypt", || {
        let t = Instant::now();
        let mut buf = vec![0u8; CHUNK];
        for _ in 0..16 {
            let d = age::Decryptor::new_buffered(&object[..]).unwrap();
            let mut r = d.decrypt(std::iter::once(&identity as &dyn age::Identity)).unwrap();
            while r.read(&mut buf).unwrap() > 0 {}
        }
        t.elapsed().as_secs_f64()
    });
    std::hint::black_box(identity.to_string().expose_secret().len());
    println!("cores\t{}", std::thread::available_parallelism().map_or(1, |n| n.get()));
}
