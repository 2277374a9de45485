//! Reading an object's recorded version: as a stream, or by ranges.

use super::{Inner, RANGE};
use aws_sdk_s3::primitives::ByteStream;
use std::io::{self, Read};
use std::sync::Arc;

pub(super) fn bytes_empty() -> bytes::Bytes {
    bytes::Bytes::new()
}

/// A GET's body read as a blocking stream.
pub(super) struct BodyReader {
    pub(super) rt: Arc<tokio::runtime::Runtime>,
    pub(super) body: ByteStream,
    pub(super) chunk: bytes::Bytes,
    pub(super) at: usize,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.rt.block_on(self.body.try_next()).map_err(io::Error::other)? {
                Some(c) => {
                    self.chunk = c;
                    self.at = 0;
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Ranged reads of one version of an object, a block of [`RANGE`] bytes
/// asked for at a time and the last one kept: readers of a large object (a
/// mailbox) read it a 64 KiB chunk at a time, mostly in order.
pub(super) struct Ranges {
    pub(super) rt: Arc<tokio::runtime::Runtime>,
    pub(super) inner: Arc<Inner>,
    pub(super) name: String,
    pub(super) version: String,
    pub(super) len: u64,
    /// The last block read, and where it starts.
    pub(super) block: (u64, bytes::Bytes),
}

impl Ranges {
    /// Reads the block of up to [`RANGE`] bytes starting at `offset`.
    fn fetch(&mut self, offset: u64) -> io::Result<()> {
        let want = (RANGE as u64).min(self.len - offset);
        let i = &self.inner;
        let range = format!("bytes={}-{}", offset, offset + want - 1);
        let got = self
            .rt
            .block_on(async {
                let out = i.client.get_object().bucket(&i.config.bucket).key(&self.name).version_id(&self.version).range(range).send().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(out.body.collect().await?.into_bytes())
            })
            .map_err(io::Error::other)?;
        if got.is_empty() {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, format!("object {} ended early", self.name)));
        }
        self.block = (offset, got);
        Ok(())
    }
}

impl crate::format::seekable::ObjectRange for Ranges {
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        if offset >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let (start, block) = &self.block;
        if offset < *start || offset >= start + block.len() as u64 {
            self.fetch(offset)?;
        }
        let (start, block) = &self.block;
        let at = (offset - start) as usize;
        let n = buf.len().min(block.len() - at);
        buf[..n].copy_from_slice(&block[at..at + n]);
        Ok(n)
    }

    fn len(&self) -> io::Result<u64> {
        Ok(self.len)
    }
}
