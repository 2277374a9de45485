//! Black-and-white page images as single-page TIFF files, CCITT Group 4
//! compressed (what image productions ask for), from the binary PBM pages a
//! rasteriser such as poppler's `pdftoppm -mono` writes.
//!
//! The Group 4 coding is the `fax` crate's; the TIFF container around it is
//! the baseline bilevel one (TIFF 6.0 §3 and §11): one strip, WhiteIsZero.

use crate::{RenderError, Result};

/// One black-and-white page: `width` × `height` pixels, rows packed eight
/// pixels a byte (a set bit is black), each row padded to a whole byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bitmap<'a> {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// The packed rows.
    pub rows: &'a [u8],
}

fn bad(why: &str) -> RenderError {
    RenderError(format!("the rasteriser's output is not a binary PBM image: {why}"))
}

/// A PBM header at the start of `bytes`: (width, height, where the rows
/// start), or `None` when `bytes` ends before the header does.
fn header(bytes: &[u8]) -> Result<Option<(u32, u32, usize)>> {
    if bytes.len() < 2 {
        return Ok(None);
    }
    if !bytes.starts_with(b"P4") {
        return Err(bad("no P4 signature"));
    }
    let mut at = 2;
    let mut numbers = [0u32; 2];
    for n in &mut numbers {
        // White space and comments, then a decimal number.
        loop {
            match bytes.get(at) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => at += 1,
                Some(b'#') => {
                    while bytes.get(at).is_some_and(|b| *b != b'\n') {
                        at += 1;
                    }
                }
                _ => break,
            }
        }
        let start = at;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        // The number may go on in bytes not yet come.
        if at == bytes.len() {
            return Ok(None);
        }
        *n = std::str::from_utf8(&bytes[start..at]).ok().and_then(|s| s.parse().ok()).ok_or_else(|| bad("no size"))?;
    }
    // One white-space byte ends the header.
    at += 1;
    let [width, height] = numbers;
    if width == 0 || height == 0 || width > u16::MAX as u32 {
        return Err(bad("a size out of range"));
    }
    Ok(Some((width, height, at)))
}

/// Splits a stream of binary PBM pages as it arrives, a chunk at a time,
/// handing each page on as soon as it is whole: one page is held at most
/// (and its buffer is reused), however many pages the stream has.
#[derive(Default)]
pub struct PbmStream {
    buf: Vec<u8>,
    start: usize,
}

impl PbmStream {
    /// Takes `bytes`; calls `page` for each page they complete, in order.
    pub fn feed(&mut self, bytes: &[u8], page: &mut dyn FnMut(&Bitmap<'_>) -> Result<()>) -> Result<()> {
        self.buf.extend_from_slice(bytes);
        while let Some((width, height, at)) = header(&self.buf[self.start..])? {
            let len = width.div_ceil(8) as usize * height as usize;
            let from = self.start + at;
            if self.buf.len() < from + len {
                break;
            }
            page(&Bitmap { width, height, rows: &self.buf[from..from + len] })?;
            self.start = from + len;
        }
        // What is left is the start of the next page.
        self.buf.drain(..self.start);
        self.start = 0;
        Ok(())
    }

    /// Ends the stream: an error if it stopped inside a page.
    pub fn finish(self) -> Result<()> {
        if self.buf.is_empty() { Ok(()) } else { Err(bad("the image is cut short")) }
    }
}

/// A single-page TIFF of `bitmap`, Group 4 compressed, at `dpi` dots per inch.
pub fn g4_tiff(bitmap: &Bitmap<'_>, dpi: u32) -> Vec<u8> {
    use fax::{Color, VecWriter, encoder::Encoder};
    let stride = bitmap.width.div_ceil(8) as usize;
    let mut encoder = Encoder::new(VecWriter::with_capacity(bitmap.rows.len()));
    for row in bitmap.rows.chunks_exact(stride) {
        let pels = (0..bitmap.width as usize).map(|x| if row[x / 8] & (0x80 >> (x % 8)) != 0 { Color::Black } else { Color::White });
        // A VecWriter cannot fail.
        let _ = encoder.encode_line(pels, bitmap.width as u16);
    }
    let data = match encoder.finish() {
        Ok(w) => w.finish(),
        Err(never) => match never {},
    };
    tiff_container(&data, bitmap.width, bitmap.height, dpi)
}

/// The baseline bilevel TIFF around Group 4 `data`: little-endian, the IFD
/// first, the resolution rationals after it, then the one strip.
fn tiff_container(data: &[u8], width: u32, height: u32, dpi: u32) -> Vec<u8> {
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    // (tag, type, value); a rational's value is filled in as an offset.
    let entries: [(u16, u16, u32); 14] = [
        (254, LONG, 0),              // NewSubfileType: a full-resolution page
        (256, LONG, width),          // ImageWidth
        (257, LONG, height),         // ImageLength
        (258, SHORT, 1),             // BitsPerSample
        (259, SHORT, 4),             // Compression: CCITT T.6 (Group 4)
        (262, SHORT, 0),             // PhotometricInterpretation: WhiteIsZero
        (273, LONG, 0),              // StripOffsets (filled in below)
        (277, SHORT, 1),             // SamplesPerPixel
        (278, LONG, height),         // RowsPerStrip: one strip
        (279, LONG, data.len() as u32), // StripByteCounts
        (282, RATIONAL, 0),          // XResolution
        (283, RATIONAL, 0),          // YResolution
        (293, LONG, 0),              // T6Options
        (296, SHORT, 2),             // ResolutionUnit: inch
    ];
    let ifd_len = 2 + 12 * entries.len() + 4;
    let rationals_at = 8 + ifd_len;
    let data_at = rationals_at + 16;
    let mut out = Vec::with_capacity(data_at + data.len());
    out.extend_from_slice(b"II*\0");
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    let mut rational = 0;
    for (tag, kind, value) in entries {
        let value = match (tag, kind) {
            (273, _) => data_at as u32,
            (_, RATIONAL) => {
                rational += 1;
                (rationals_at + 8 * (rational - 1)) as u32
            }
            _ => value,
        };
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        // A SHORT sits in the first two bytes of the value field.
        if kind == SHORT {
            out.extend_from_slice(&(value as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
        } else {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    for _ in 0..2 {
        out.extend_from_slice(&dpi.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
    }
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pbm_stream_is_split_into_its_pages_and_a_cut_one_is_refused() {
        let mut s = b"P4\n# made by hand\n10 2\n".to_vec();
        s.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x00]);
        s.extend_from_slice(b"P4 8 1\n\x81");
        let pages = |chunk: usize| {
            let mut stream = PbmStream::default();
            let mut got = Vec::new();
            for c in s.chunks(chunk) {
                stream
                    .feed(c, &mut |p| {
                        got.push((p.width, p.height, p.rows.to_vec()));
                        Ok(())
                    })
                    .unwrap();
            }
            stream.finish().unwrap();
            got
        };
        // Whole, and fed a byte at a time: the same pages.
        let want = vec![(10, 2, vec![0xFF, 0xC0, 0, 0]), (8, 1, vec![0x81])];
        assert_eq!(pages(s.len()), want);
        assert_eq!(pages(1), want);
        let mut cut = PbmStream::default();
        cut.feed(&s[..s.len() - 1], &mut |_| Ok(())).unwrap();
        assert!(cut.finish().unwrap_err().0.contains("cut short"));
        let mut other = PbmStream::default();
        assert!(other.feed(b"P5 1 1\n\0", &mut |_| Ok(())).unwrap_err().0.contains("P4"));
    }

    #[test]
    fn a_group_4_tiff_decodes_to_the_same_pixels_at_the_resolution_given() {
        // A 20 × 3 image: a black bar, a white row, a checker.
        let rows = [0xFF, 0xFF, 0xF0, 0x00, 0x00, 0x00, 0xAA, 0xAA, 0xA0];
        let tiff = g4_tiff(&Bitmap { width: 20, height: 3, rows: &rows }, 300);
        assert_eq!(&tiff[..4], b"II*\0");
        // The strip starts where StripOffsets says; decoding it gives the rows back.
        let data_at = 8 + 2 + 12 * 14 + 4 + 16;
        let mut got = Vec::new();
        fax::decoder::decode_g4(tiff[data_at..].iter().copied(), 20, Some(3), |line| {
            let mut row = vec![0u8; 3];
            for (x, c) in fax::decoder::pels(line, 20).enumerate() {
                if c == fax::Color::Black {
                    row[x / 8] |= 0x80 >> (x % 8);
                }
            }
            got.extend(row);
        });
        assert_eq!(got, rows);
        // XResolution: 300/1.
        assert_eq!(&tiff[8 + 2 + 12 * 14 + 4..][..8], &[44, 1, 0, 0, 1, 0, 0, 0]);
    }
}
