//! Seeded pseudo-random test data: the same seed gives the same bytes, so a
//! failing run can be repeated.

use std::fs;
use std::io::Write;
use std::path::Path;

/// A small seeded pseudo-random generator (SplitMix64): the same seed gives
/// the same sequence, so a failing run can be repeated.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The seed from the environment variable `var` if set (decimal), else
    /// from the clock. Prints it so a failure can be replayed.
    pub fn seed_from_env(var: &str) -> u64 {
        let seed = match std::env::var(var) {
            Ok(s) => s.trim().parse().unwrap_or_else(|_| panic!("{var} should be a decimal u64, got {s:?}")),
            Err(_) => {
                let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock after 1970");
                t.as_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32)
            }
        };
        eprintln!("random seed {seed} (replay with {var}={seed})");
        seed
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        assert!(lo <= hi, "empty range");
        let span = hi - lo;
        if span == u64::MAX {
            return self.next_u64();
        }
        lo + self.next_u64() % (span + 1)
    }

    /// Fills `buf` with random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        let mut chunks = buf.chunks_exact_mut(8);
        for c in &mut chunks {
            c.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        let last = self.next_u64().to_le_bytes();
        rest.copy_from_slice(&last[..rest.len()]);
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut v = vec![0u8; len];
        self.fill(&mut v);
        v
    }

    /// `n` random bytes as lower-case hex (2n characters).
    pub fn hex(&mut self, n: usize) -> String {
        self.bytes(n).iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Writes a file of `len` random bytes from `rng`, streaming in 1 MiB pieces.
#[track_caller]
pub fn write_random_file(path: &Path, len: u64, rng: &mut Rng) {
    if let Some(d) = path.parent() {
        fs::create_dir_all(d).unwrap_or_else(|e| panic!("create folder {}: {e}", d.display()));
    }
    let mut f =
        std::io::BufWriter::new(fs::File::create(path).unwrap_or_else(|e| panic!("create {}: {e}", path.display())));
    let mut buf = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(buf.len() as u64) as usize;
        rng.fill(&mut buf[..n]);
        f.write_all(&buf[..n]).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        left -= n as u64;
    }
    f.flush().unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}
