//! Digests computed independently of the code under test: by coreutils
//! (`sha256sum`, `md5sum`) and by a SHA-256 written out here.

use super::run;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// SHA-256 of each file, computed by coreutils `sha256sum` (an
/// implementation independent of the code under test), in the order given.
#[track_caller]
pub fn sha256sum(paths: &[PathBuf]) -> Vec<String> {
    coreutils_digests("sha256sum", 64, paths)
}

/// SHA-256 of one file by coreutils `sha256sum`.
#[track_caller]
pub fn sha256sum_one(path: &Path) -> String {
    sha256sum(&[path.to_path_buf()]).pop().expect("one digest")
}

/// MD5 of one file by coreutils `md5sum`.
#[track_caller]
pub fn md5sum_one(path: &Path) -> String {
    coreutils_digests("md5sum", 32, &[path.to_path_buf()]).pop().expect("one digest")
}

/// The digest of each file by a coreutils hashing tool (`sha256sum`,
/// `md5sum`) that prints `hex_len` lower-case hex digits per file.
#[track_caller]
fn coreutils_digests(tool: &str, hex_len: usize, paths: &[PathBuf]) -> Vec<String> {
    let mut out = Vec::with_capacity(paths.len());
    // Bounded argument lists; `-z` so names with newlines cannot confuse parsing.
    for chunk in paths.chunks(256) {
        let mut cmd = Command::new(tool);
        cmd.arg("-z").arg("--").args(chunk).stdin(Stdio::null());
        let o = run(&mut cmd);
        assert_eq!(o.code, Some(0), "{tool} should hash the test files; {}", o.describe());
        let records: Vec<&str> = o.stdout.split('\0').filter(|r| !r.is_empty()).collect();
        assert_eq!(records.len(), chunk.len(), "{tool} should print one record per file");
        for r in records {
            let hex = r.split_whitespace().next().expect("a digest in the output");
            assert!(is_lower_hex(hex, hex_len), "{tool} should print {hex_len} hex digits, got {hex:?}");
            out.push(hex.to_string());
        }
    }
    out
}

/// SHA-256 (FIPS 180-4), written out here so snapshots do not depend on any
/// code under test.
pub fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, c) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

/// Whether `s` is 64 lower-case hex digits.
pub fn is_sha256_hex(s: &str) -> bool {
    is_lower_hex(s, 64)
}

/// Whether `s` is `len` lower-case hex digits.
fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
