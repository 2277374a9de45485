//! Object files written and read back past the page cache (`O_DIRECT`)
//! where the file system allows it.
//!
//! A large exhibit's ciphertext goes straight from the pipeline to the disk:
//! it is not copied into the page cache, so taking in a 50 GiB image neither
//! fills memory with ciphertext nor leaves the write-back for later, and
//! verify-after-copy reads the stored copy back from the disk rather than
//! from memory. File systems without direct I/O (some network and FUSE file
//! systems) refuse the flag, and then the same code writes and reads
//! through the cache as any program does; so does every file on systems
//! other than Linux.
//!
//! Direct I/O needs buffers, offsets and lengths aligned to the device's
//! block size; [`ALIGN`] covers 512- and 4096-byte sectors. The file is
//! written in whole aligned blocks, the last one padded with zeros and the
//! file then cut to its real length.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex};

/// Alignment of buffers, offsets and lengths for direct I/O.
const ALIGN: usize = 4096;
/// Bytes per write or read.
pub(crate) const BLOCK: usize = 1 << 20;
/// Blocks the read-back may read ahead of its reader.
const READ_AHEAD: usize = 4;

/// A zeroed buffer of [`BLOCK`] bytes whose start is aligned to [`ALIGN`]
/// (a window into a slightly larger allocation, so no unsafe code). It is
/// wiped when dropped: it may have held an exhibit's plaintext.
pub(crate) struct Aligned {
    raw: zeroize::Zeroizing<Vec<u8>>,
    start: usize,
}

impl Aligned {
    pub fn new() -> Self {
        let raw = zeroize::Zeroizing::new(vec![0u8; BLOCK + ALIGN]);
        let start = raw.as_ptr().align_offset(ALIGN);
        assert!(start < ALIGN, "a byte buffer can always be aligned within ALIGN bytes");
        Self { raw, start }
    }
    pub fn get(&self) -> &[u8] {
        &self.raw[self.start..self.start + BLOCK]
    }
    pub fn get_mut(&mut self) -> &mut [u8] {
        &mut self.raw[self.start..self.start + BLOCK]
    }
}

/// Direct I/O where the operating system has it (Linux); elsewhere every
/// file goes through the cache.
#[cfg(target_os = "linux")]
mod sys {
    use rustix::fs::OFlags;
    use std::fs::File;
    use std::io;
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::Path;

    /// The error a file system gives for direct I/O it does not do.
    pub fn refused(e: &io::Error) -> bool {
        e.raw_os_error() == Some(rustix::io::Errno::INVAL.raw_os_error())
    }

    /// Turns direct I/O on or off for an open file.
    pub fn set_direct(file: &File, on: bool) -> io::Result<()> {
        let flags = rustix::fs::fcntl_getfl(file)?;
        let flags = if on { flags | OFlags::DIRECT } else { flags - OFlags::DIRECT };
        rustix::fs::fcntl_setfl(file, flags).map_err(io::Error::from)
    }

    pub fn is_direct(file: &File) -> bool {
        rustix::fs::fcntl_getfl(file).is_ok_and(|fl| fl.contains(OFlags::DIRECT))
    }

    /// Opens `path` to read past the page cache where the file system allows it.
    pub fn open_uncached(path: &Path) -> io::Result<File> {
        match std::fs::OpenOptions::new().read(true).custom_flags(OFlags::DIRECT.bits() as i32).open(path) {
            Err(e) if refused(&e) => File::open(path),
            other => other,
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    use std::fs::File;
    use std::io;
    use std::path::Path;

    pub fn refused(_: &io::Error) -> bool {
        false
    }
    pub fn set_direct(_: &File, _: bool) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }
    pub fn is_direct(_: &File) -> bool {
        false
    }
    pub fn open_uncached(path: &Path) -> io::Result<File> {
        File::open(path)
    }
}

use sys::{is_direct, open_uncached, refused, set_direct};

/// Writes `data` at the file's offset. A direct write the file system
/// refuses (alignment it does not like) is retried through the cache, and
/// the file stays that way.
fn write_all(mut file: &File, direct: &mut bool, data: &[u8]) -> io::Result<()> {
    let mut done = 0;
    while done < data.len() {
        match file.write(&data[done..]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(k) => done += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if *direct && refused(&e) => {
                set_direct(file, false)?;
                *direct = false;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// How far an object file has been written, for a reader that follows the
/// writer ([`read_following`]).
#[derive(Default)]
pub(crate) struct Written {
    state: Mutex<WriteState>,
    changed: Condvar,
}

#[derive(Default)]
struct WriteState {
    /// Bytes at the start of the file that hold their final content.
    done: u64,
    /// The file's length, once it is finished.
    end: Option<u64>,
    /// The writer stopped without finishing.
    abandoned: bool,
}

impl Written {
    fn update(&self, f: impl FnOnce(&mut WriteState)) {
        f(&mut self.state.lock().expect("write state lock"));
        self.changed.notify_all();
    }
}

/// A new object file being written. Call [`ObjectFile::finish`]: until then
/// up to one block is only in memory.
pub(crate) struct ObjectFile {
    /// Held until `finish`.
    file: Option<File>,
    direct: bool,
    buf: Aligned,
    filled: usize,
    len: u64,
    watch: Option<Arc<Written>>,
}

impl ObjectFile {
    /// Wraps a newly created, empty file; direct I/O is used if the file
    /// system accepts it.
    pub fn new(file: File) -> Self {
        let direct = set_direct(&file, true).is_ok();
        Self { file: Some(file), direct, buf: Aligned::new(), filled: 0, len: 0, watch: None }
    }

    /// Lets a reader follow the writing (see [`read_following`]).
    pub fn watch(&mut self) -> Arc<Written> {
        self.watch.get_or_insert_with(Default::default).clone()
    }

    /// Whether writes bypass the page cache.
    #[cfg(test)]
    pub fn is_direct(&self) -> bool {
        self.direct
    }

    /// Writes `buf[..n]` at the file's offset.
    fn write_buf(&mut self, n: usize) -> io::Result<()> {
        let file = self.file.as_ref().expect("the file is held until finish");
        write_all(file, &mut self.direct, &self.buf.get()[..n])
    }

    /// Records that the file holds its final content up to `len` bytes.
    fn report(&self, end: bool) {
        if let Some(w) = &self.watch {
            let len = self.len;
            w.update(|s| {
                s.done = len;
                if end {
                    s.end = Some(len);
                }
            });
        }
    }

    /// Writes what is still buffered and cuts the file to the bytes written.
    /// The file is not yet durable: the caller syncs it.
    pub fn finish(mut self) -> io::Result<File> {
        if self.filled > 0 {
            let n = if self.direct {
                let padded = self.filled.div_ceil(ALIGN) * ALIGN;
                self.buf.get_mut()[self.filled..padded].fill(0);
                padded
            } else {
                self.filled
            };
            self.write_buf(n)?;
        }
        // Until the file is taken out, a failure here leaves it abandoned (see `Drop`).
        self.file.as_ref().expect("the file is held until finish").set_len(self.len)?;
        self.report(true);
        Ok(self.file.take().expect("the file is held until finish"))
    }
}

impl Drop for ObjectFile {
    fn drop(&mut self) {
        if self.file.is_some()
            && let Some(w) = &self.watch
        {
            w.update(|s| s.abandoned = true);
        }
    }
}

impl Write for ObjectFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        // A whole aligned block goes to the disk as it is, without a copy.
        if self.filled == 0 && data.len() >= BLOCK && data.as_ptr().align_offset(ALIGN) == 0 {
            let file = self.file.as_ref().expect("the file is held until finish");
            write_all(file, &mut self.direct, &data[..BLOCK])?;
            self.len += BLOCK as u64;
            self.report(false);
            return Ok(BLOCK);
        }
        let n = data.len().min(BLOCK - self.filled);
        self.buf.get_mut()[self.filled..self.filled + n].copy_from_slice(&data[..n]);
        self.filled += n;
        self.len += n as u64;
        if self.filled == BLOCK {
            self.write_buf(BLOCK)?;
            self.filled = 0;
            self.report(false);
        }
        Ok(n)
    }

    /// Does nothing: the last block can only be written by [`ObjectFile::finish`].
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Runs `f` on a reader of the object file at `path` that follows its
/// writer: it reads each block back (from the disk, where the file system
/// allows it) once the writer has written it, waits for more until the file
/// is finished, and fails if the writer gives up.
pub(crate) fn read_following<T>(path: &Path, written: &Written, f: impl FnOnce(&mut dyn Read) -> T) -> io::Result<T> {
    let file = open_uncached(path)?;
    let direct = is_direct(&file);
    let mut blocks = Blocks { file, direct, written, pos: 0 };
    // A thread reads ahead, so the disk and the caller's work overlap.
    std::thread::scope(|s| {
        let (tx, rx) = sync_channel::<io::Result<(Aligned, usize)>>(READ_AHEAD);
        let (back, reuse) = sync_channel::<Aligned>(READ_AHEAD + 2);
        s.spawn(move || {
            loop {
                let mut buf = reuse.try_recv().unwrap_or_else(|_| Aligned::new());
                let got = blocks.next(&mut buf);
                let last = !matches!(got, Ok(n) if n > 0);
                // The caller stopped reading, or the file has been read.
                if tx.send(got.map(|n| (buf, n))).is_err() || last {
                    return;
                }
            }
        });
        let mut r = FollowingReader { rx, back, cur: None, start: 0 };
        let out = f(&mut r);
        drop(r);
        Ok(out)
    })
}

/// Blocks of an object file, read once its writer has written them.
struct Blocks<'a> {
    file: File,
    direct: bool,
    written: &'a Written,
    /// File offset of the next block to read.
    pos: u64,
}

impl Blocks<'_> {
    /// Waits until a whole block beyond `pos` is written, or the file is
    /// finished; returns how far the file may be read.
    fn wait(&self) -> io::Result<u64> {
        let mut s = self.written.state.lock().expect("write state lock");
        loop {
            if s.abandoned {
                return Err(io::Error::other("the object was not finished"));
            }
            if let Some(end) = s.end {
                return Ok(end);
            }
            if s.done >= self.pos + BLOCK as u64 {
                return Ok(s.done);
            }
            s = self.written.changed.wait(s).expect("write state lock");
        }
    }

    /// Reads the next block into `buf`; returns its length, 0 at the end.
    fn next(&mut self, buf: &mut Aligned) -> io::Result<usize> {
        let limit = self.wait()?;
        if self.pos >= limit {
            return Ok(0);
        }
        let want = BLOCK.min((limit - self.pos) as usize);
        // Direct reads ask for whole aligned blocks; the file ends where it ends.
        let ask = if self.direct { want.div_ceil(ALIGN) * ALIGN } else { want };
        let mut n = 0;
        while n < want {
            // This reader's own handle: only it moves the offset.
            self.file.seek(io::SeekFrom::Start(self.pos + n as u64))?;
            match self.file.read(&mut buf.get_mut()[n..ask]) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if self.direct && refused(&e) => {
                    set_direct(&self.file, false)?;
                    self.direct = false;
                }
                Err(e) => return Err(e),
            }
        }
        let n = n.min(want);
        self.pos += n as u64;
        Ok(n)
    }
}

/// The blocks the read-ahead thread of [`read_following`] has read, as one stream.
struct FollowingReader {
    rx: Receiver<io::Result<(Aligned, usize)>>,
    back: SyncSender<Aligned>,
    /// The block being handed out, and how far.
    cur: Option<(Aligned, usize)>,
    start: usize,
}

impl Read for FollowingReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            match &self.cur {
                Some((buf, n)) if self.start < *n => {
                    let k = out.len().min(n - self.start);
                    out[..k].copy_from_slice(&buf.get()[self.start..self.start + k]);
                    self.start += k;
                    return Ok(k);
                }
                Some((_, 0)) => return Ok(0),
                _ => {}
            }
            if let Some((buf, _)) = self.cur.take() {
                let _ = self.back.try_send(buf);
            }
            match self.rx.recv() {
                Ok(Ok(block)) => {
                    self.cur = Some(block);
                    self.start = 0;
                }
                Ok(Err(e)) => return Err(e),
                // The reader ended after the last block.
                Err(_) => return Ok(0),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_object(dir: &Path, name: &str) -> (std::path::PathBuf, ObjectFile) {
        let path = dir.join(name);
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).unwrap();
        (path, ObjectFile::new(file))
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 4096) as u8).collect()
    }

    /// Writes `len` bytes in odd-sized pieces (as the pipeline's are, and
    /// whole aligned blocks when `aligned`), with a reader following.
    fn round_trip(dir: &Path, len: usize, aligned: bool) {
        let data = data(len);
        let (path, mut w) = new_object(dir, &format!("obj-{len}-{aligned}"));
        let written = w.watch();
        let mut back = Vec::new();
        std::thread::scope(|s| {
            let reader = s.spawn(|| read_following(&path, &written, |r| r.read_to_end(&mut back).unwrap()).unwrap());
            if aligned {
                let mut block = Aligned::new();
                for piece in data.chunks(BLOCK) {
                    block.get_mut()[..piece.len()].copy_from_slice(piece);
                    w.write_all(&block.get()[..piece.len()]).unwrap();
                }
            } else {
                for piece in data.chunks(65_552) {
                    w.write_all(piece).unwrap();
                }
            }
            w.finish().unwrap().sync_all().unwrap();
            reader.join().unwrap();
        });
        assert_eq!(std::fs::read(&path).unwrap(), data, "{len} bytes come back as written (plain read)");
        assert_eq!(back, data, "{len} bytes come back as written (read while writing)");
    }

    #[test]
    fn object_files_round_trip_at_block_edges() {
        let dir = tempfile::tempdir().unwrap();
        for len in [1, ALIGN - 1, ALIGN, ALIGN + 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 12_345] {
            round_trip(dir.path(), len, false);
            round_trip(dir.path(), len, true);
        }
    }

    #[test]
    fn a_direct_write_the_file_system_refuses_is_retried_through_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut w) = new_object(dir.path(), "obj");
        if !w.is_direct() {
            // The test folder's file system has no direct I/O: nothing to refuse.
            return;
        }
        // A length that is not a multiple of the sector size: direct I/O refuses it.
        w.buf.get_mut()[..100].fill(7);
        w.write_buf(100).unwrap();
        assert!(!w.is_direct(), "the refused write switched the file to cached writes");
        w.len = 100;
        w.finish().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), vec![7u8; 100]);
    }

    /// The follower reads what the file holds, not what was handed to the
    /// writer: a block changed on disk after it was written is read as changed.
    #[test]
    fn the_follower_reads_the_file_not_the_writers_memory() {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut w) = new_object(dir.path(), "obj");
        let written = w.watch();
        let data = data(BLOCK + 100);
        w.write_all(&data).unwrap();
        // The first block is on disk; change one byte of it there.
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all(&[data[0] ^ 0xff]).unwrap();
        drop(f);
        w.finish().unwrap();
        let mut back = Vec::new();
        read_following(&path, &written, |r| r.read_to_end(&mut back).unwrap()).unwrap();
        assert_eq!(back.len(), data.len());
        assert_eq!(back[0], data[0] ^ 0xff, "the changed byte is what was read back");
        assert_eq!(back[1..], data[1..]);
    }

    #[test]
    fn a_reader_following_an_abandoned_file_fails() {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut w) = new_object(dir.path(), "obj");
        let written = w.watch();
        w.write_all(&data(BLOCK + 10)).unwrap();
        let res = std::thread::scope(|s| {
            let reader = s.spawn(|| read_following(&path, &written, |r| r.read_to_end(&mut Vec::new())).unwrap());
            std::thread::sleep(std::time::Duration::from_millis(20));
            drop(w);
            reader.join().unwrap()
        });
        assert!(res.is_err(), "the reader stops with an error when the writer gives up");
    }
}
