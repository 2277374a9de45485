//! Exhibits over 4 GiB: sparse files with marks at the 32-bit edges.

use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

pub const GIB4: u64 = 4 << 30;
/// 4 GiB plus a page and a byte: past the 32-bit limit and not chunk-aligned.
pub const LEN: u64 = GIB4 + 4097;
/// Longest one step may take before the test fails rather than hangs.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(30 * 60);

pub fn write_at(path: &Path, offset: u64, bytes: &[u8]) {
    let mut f = OpenOptions::new().write(true).open(path).expect("open the sparse file");
    f.seek(SeekFrom::Start(offset)).expect("seek in the sparse file");
    f.write_all(bytes).expect("write into the sparse file");
}
