//! Images: EXIF metadata with kamadak-exif, and the pixel size from the
//! file's own header.

use std::io::Cursor;

use exif::{In, Tag, Value};

use super::own_extractor;
use crate::{Error, Extracted, Field, Problem, Result};

/// The image formats recognised, by their first bytes.
fn format(bytes: &[u8]) -> Option<&'static str> {
    let starts = |m: &[u8]| bytes.starts_with(m);
    Some(match bytes {
        _ if starts(&[0xFF, 0xD8, 0xFF]) => "jpeg",
        _ if starts(b"\x89PNG\r\n\x1a\n") => "png",
        _ if starts(b"II*\0") || starts(b"MM\0*") => "tiff",
        _ if starts(b"GIF87a") || starts(b"GIF89a") => "gif",
        _ if starts(b"BM") && bytes.len() > 26 => "bmp",
        _ if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") => "webp",
        _ if bytes.get(4..8) == Some(b"ftyp") => "heif",
        _ if starts(b"\0\0\0\x0cjP  \r\n\x87\n") || starts(&[0xFF, 0x4F, 0xFF, 0x51]) => "jpeg2000",
        [b'P', b'1'..=b'6', ..] => "pnm",
        _ => return None,
    })
}

/// Reads an image; see [`super::image`].
pub(super) fn read(bytes: &[u8]) -> Result<Extracted> {
    let format = format(bytes).ok_or_else(|| Error::Malformed("not an image format this reader knows".into()))?;
    let mut out = Extracted { extractor: own_extractor("image"), pages: Some(1), wants_ocr: vec![1], ..Default::default() };
    if let Some((w, h, source)) = header_size(bytes) {
        out.metadata.push(Field::new("width", w.to_string(), source));
        out.metadata.push(Field::new("height", h.to_string(), source));
    }
    if !matches!(format, "jpeg" | "png" | "tiff" | "webp" | "heif") {
        return Ok(out);
    }
    match exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) {
        Ok(exif) => out.metadata.extend(exif_fields(&exif)),
        Err(exif::Error::NotFound(_) | exif::Error::BlankValue(_)) => {}
        Err(e) => out.problems.push(Problem { item: "EXIF".into(), reason: e.to_string() }),
    }
    Ok(out)
}

/// The pixel size a JPEG (start of frame) or PNG (`IHDR`) header gives.
fn header_size(bytes: &[u8]) -> Option<(u32, u32, &'static str)> {
    let be16 = |i: usize| Some(u16::from_be_bytes(bytes.get(i..i + 2)?.try_into().ok()?) as u32);
    let be32 = |i: usize| Some(u32::from_be_bytes(bytes.get(i..i + 4)?.try_into().ok()?));
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16) == Some(b"IHDR") {
        return Some((be32(16)?, be32(20)?, "png:IHDR"));
    }
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = be16(i + 2)? as usize;
        // Start of frame markers, except the ones that are not frames
        // (DHT, JPG, DAC).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return Some((be16(i + 7)?, be16(i + 5)?, "jpeg:SOF"));
        }
        if marker == 0xDA {
            return None;
        }
        i += 2 + len;
    }
    None
}

/// EXIF string values: the first string, trimmed.
fn ascii(exif: &exif::Exif, tag: Tag) -> Option<String> {
    let field = exif.get_field(tag, In::PRIMARY)?;
    match &field.value {
        Value::Ascii(v) => {
            let s = String::from_utf8_lossy(v.first()?).trim_matches(|c: char| c == '\0' || c.is_whitespace()).to_string();
            (!s.is_empty()).then_some(s)
        }
        _ => None,
    }
}

/// An EXIF date (`YYYY:MM:DD HH:MM:SS`): RFC 3339 when an offset is
/// recorded beside it, else as written.
fn date(exif: &exif::Exif, tag: Tag, offset: Tag) -> Option<String> {
    let written = ascii(exif, tag)?;
    let zone = ascii(exif, offset);
    let parsed = chrono::NaiveDateTime::parse_from_str(&written, "%Y:%m:%d %H:%M:%S").ok();
    match (parsed, zone) {
        (Some(at), Some(z)) => match chrono::DateTime::parse_from_rfc3339(&format!("{}{z}", at.format("%Y-%m-%dT%H:%M:%S"))) {
            Ok(t) => Some(t.to_rfc3339()),
            Err(_) => Some(written),
        },
        _ => Some(written),
    }
}

/// Degrees, minutes and seconds as signed decimal degrees.
fn coordinate(exif: &exif::Exif, tag: Tag, reference: Tag, negative: &str) -> Option<String> {
    let field = exif.get_field(tag, In::PRIMARY)?;
    let Value::Rational(parts) = &field.value else { return None };
    if parts.len() < 3 || parts.iter().take(3).any(|r| r.denom == 0) {
        return None;
    }
    let degrees = parts[0].to_f64() + parts[1].to_f64() / 60.0 + parts[2].to_f64() / 3600.0;
    let sign = if ascii(exif, reference).is_some_and(|r| r.eq_ignore_ascii_case(negative)) { -1.0 } else { 1.0 };
    Some(format!("{:.6}", sign * degrees))
}

fn exif_fields(exif: &exif::Exif) -> Vec<Field> {
    let mut out = Vec::new();
    let dates = [
        (Tag::DateTimeOriginal, Tag::OffsetTimeOriginal, "date_taken", "exif:DateTimeOriginal"),
        (Tag::DateTimeDigitized, Tag::OffsetTimeDigitized, "date_digitized", "exif:DateTimeDigitized"),
        (Tag::DateTime, Tag::OffsetTime, "modified", "exif:DateTime"),
    ];
    for (tag, offset, field, source) in dates {
        if let Some(v) = date(exif, tag, offset) {
            out.push(Field::new(field, v, source));
        }
    }
    let strings = [
        (Tag::Make, "camera_make", "exif:Make"),
        (Tag::Model, "camera_model", "exif:Model"),
        (Tag::Software, "software", "exif:Software"),
        (Tag::Artist, "author", "exif:Artist"),
        (Tag::Copyright, "copyright", "exif:Copyright"),
        (Tag::ImageDescription, "description", "exif:ImageDescription"),
    ];
    for (tag, field, source) in strings {
        if let Some(v) = ascii(exif, tag) {
            out.push(Field::new(field, v, source));
        }
    }
    if let Some(v) = coordinate(exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, "S") {
        out.push(Field::new("gps_latitude", v, "exif:GPSLatitude"));
    }
    if let Some(v) = coordinate(exif, Tag::GPSLongitude, Tag::GPSLongitudeRef, "W") {
        out.push(Field::new("gps_longitude", v, "exif:GPSLongitude"));
    }
    for (tag, field, source) in [(Tag::PixelXDimension, "width", "exif:PixelXDimension"), (Tag::PixelYDimension, "height", "exif:PixelYDimension")] {
        if let Some(v) = exif.get_field(tag, In::PRIMARY).and_then(|f| f.value.get_uint(0)) {
            out.push(Field::new(field, v.to_string(), source));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::image;

    /// One IFD entry: tag, type (2 ASCII, 4 LONG, 5 RATIONAL), count, value
    /// bytes (big-endian).
    type Entry = (u16, u16, u32, Vec<u8>);

    fn ascii_entry(tag: u16, s: &str) -> Entry {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        (tag, 2, v.len() as u32, v)
    }

    fn long_entry(tag: u16, n: u32) -> Entry {
        (tag, 4, 1, n.to_be_bytes().to_vec())
    }

    fn rationals(tag: u16, parts: &[(u32, u32)]) -> Entry {
        (tag, 5, parts.len() as u32, parts.iter().flat_map(|(n, d)| [n.to_be_bytes(), d.to_be_bytes()].concat()).collect())
    }

    /// An IFD placed at `offset` in the TIFF data, values longer than four
    /// bytes after it.
    fn ifd(offset: u32, entries: &[Entry]) -> Vec<u8> {
        let mut head = (entries.len() as u16).to_be_bytes().to_vec();
        let mut data = Vec::new();
        let data_at = offset + 2 + 12 * entries.len() as u32 + 4;
        for (tag, kind, count, value) in entries {
            head.extend_from_slice(&tag.to_be_bytes());
            head.extend_from_slice(&kind.to_be_bytes());
            head.extend_from_slice(&count.to_be_bytes());
            if value.len() <= 4 {
                let mut inline = value.clone();
                inline.resize(4, 0);
                head.extend_from_slice(&inline);
            } else {
                head.extend_from_slice(&(data_at + data.len() as u32).to_be_bytes());
                data.extend_from_slice(value);
                if data.len() % 2 == 1 {
                    data.push(0);
                }
            }
        }
        head.extend_from_slice(&0u32.to_be_bytes());
        head.extend_from_slice(&data);
        head
    }

    /// A JPEG with an EXIF segment (camera, dates with an offset, GPS
    /// position, pixel size) and a 640×480 frame header.
    fn sample_jpeg() -> Vec<u8> {
        let ifd0 = |exif_at: u32, gps_at: u32| {
            vec![
                ascii_entry(0x010F, "Custos Optics"),
                ascii_entry(0x0110, "Model 7"),
                ascii_entry(0x0132, "2024:03:06 10:00:00"),
                long_entry(0x8769, exif_at),
                long_entry(0x8825, gps_at),
            ]
        };
        let exif_entries = vec![
            ascii_entry(0x9003, "2024:03:05 09:30:00"),
            ascii_entry(0x9011, "+02:00"),
            long_entry(0xA002, 640),
            long_entry(0xA003, 480),
        ];
        let gps_entries = vec![
            ascii_entry(0x0001, "N"),
            rationals(0x0002, &[(48, 1), (51, 1), (295, 10)]),
            ascii_entry(0x0003, "W"),
            rationals(0x0004, &[(2, 1), (17, 1), (402, 10)]),
        ];
        let len0 = ifd(8, &ifd0(0, 0)).len() as u32;
        let exif_at = 8 + len0;
        let exif = ifd(exif_at, &exif_entries);
        let gps_at = exif_at + exif.len() as u32;
        let gps = ifd(gps_at, &gps_entries);
        let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
        tiff.extend(ifd(8, &ifd0(exif_at, gps_at)));
        tiff.extend(exif);
        tiff.extend(gps);

        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpeg.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
        jpeg.extend_from_slice(b"Exif\0\0");
        jpeg.extend(tiff);
        // Start of frame: precision 8, height 480, width 640, one component.
        jpeg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x01, 0x01, 0x11, 0x00]);
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        jpeg
    }

    fn field<'a>(ex: &'a Extracted, source: &str) -> Option<&'a str> {
        ex.metadata.iter().find(|f| f.source == source).map(|f| f.value.as_str())
    }

    #[test]
    fn documents_image_exif_fields() {
        let jpeg = sample_jpeg();
        let ex = image(&jpeg).unwrap();
        assert!(ex.problems.is_empty(), "{:?}", ex.problems);
        assert_eq!(ex.pages, Some(1));
        assert_eq!(ex.wants_ocr, vec![1]);
        assert!(ex.text.is_none());
        assert_eq!(field(&ex, "exif:DateTimeOriginal"), Some("2024-03-05T09:30:00+02:00"), "with its recorded offset");
        assert_eq!(field(&ex, "exif:DateTime"), Some("2024:03:06 10:00:00"), "no offset: as written");
        assert_eq!(field(&ex, "exif:Make"), Some("Custos Optics"));
        assert_eq!(field(&ex, "exif:Model"), Some("Model 7"));
        assert_eq!(field(&ex, "exif:GPSLatitude"), Some("48.858194"));
        assert_eq!(field(&ex, "exif:GPSLongitude"), Some("-2.294500"), "west is negative");
        assert_eq!(field(&ex, "exif:PixelXDimension"), Some("640"));
        assert_eq!(field(&ex, "exif:PixelYDimension"), Some("480"));
        assert_eq!(field(&ex, "jpeg:SOF"), Some("640"));

        // exiftool, read through its standard input, as an independent reader.
        let Ok(json) = crate::tools::run("exiftool", &["-json", "-n", "-EXIF:all", "-Composite:GPSLatitude", "-Composite:GPSLongitude", "-"], &jpeg) else {
            eprintln!("note: exiftool not installed; EXIF not compared with it");
            return;
        };
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let o = &v[0];
        assert_eq!(o["DateTimeOriginal"], "2024:03:05 09:30:00");
        assert_eq!(o["OffsetTimeOriginal"], "+02:00");
        assert_eq!(o["Make"], "Custos Optics");
        assert_eq!(o["Model"], "Model 7");
        let lat: f64 = field(&ex, "exif:GPSLatitude").unwrap().parse().unwrap();
        let lon: f64 = field(&ex, "exif:GPSLongitude").unwrap().parse().unwrap();
        assert!((o["GPSLatitude"].as_f64().unwrap() - lat).abs() < 1e-6, "{}", o["GPSLatitude"]);
        assert!((o["GPSLongitude"].as_f64().unwrap() - lon).abs() < 1e-6, "{}", o["GPSLongitude"]);
    }

    #[test]
    fn documents_image_without_exif_and_not_an_image() {
        let mut png = Vec::new();
        {
            let mut enc = ::png::Encoder::new(&mut png, 7, 5);
            enc.set_color(::png::ColorType::Grayscale);
            enc.set_depth(::png::BitDepth::Eight);
            enc.write_header().unwrap().write_image_data(&[200u8; 35]).unwrap();
        }
        let ex = image(&png).unwrap();
        assert_eq!(field(&ex, "png:IHDR"), Some("7"));
        assert_eq!(ex.metadata.len(), 2, "width and height only: {:?}", ex.metadata);
        assert!(ex.problems.is_empty(), "no EXIF is not a problem: {:?}", ex.problems);
        assert_eq!(ex.wants_ocr, vec![1]);
        assert!(matches!(image(b"just some words"), Err(Error::Malformed(_))));
        assert!(matches!(image(b""), Err(Error::Malformed(_))));
    }
}
