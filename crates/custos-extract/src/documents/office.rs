//! Office Open XML (DOCX, XLSX, PPTX) and OpenDocument (ODT, ODS, ODP)
//! packages, read as zip archives in memory.

mod odf;
mod ooxml;

use std::io::{Cursor, Read};

use calamine::{Data, Reader};
use zip::ZipArchive;

use super::xml;
use super::{OfficeKind, own_extractor};
use crate::{Error, Extracted, Limits, Problem, Result};

/// The largest part read from a package.
const MAX_PART: u64 = 256 << 20;

/// Parts smaller than this are not held to the compression ratio limit:
/// small, very regular XML can compress well without being a bomb.
const RATIO_FLOOR: u64 = 1 << 20;

/// A zip package held in memory.
struct Package<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
}

impl<'a> Package<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self> {
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return Err(Error::Malformed("an OLE compound file (an encrypted or legacy Office document), not a zip package".into()));
        }
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| Error::Malformed(format!("not a zip package: {e}")))?;
        Ok(Self { zip })
    }

    fn has(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// The bytes of part `name`, `None` if there is no such part, an error
    /// (in words) if it cannot be read or is past the limits.
    fn part(&mut self, name: &str) -> std::result::Result<Option<Vec<u8>>, String> {
        let Some(i) = self.zip.index_for_name(name) else { return Ok(None) };
        let file = self.zip.by_index(i).map_err(|e| e.to_string())?;
        let size = file.size();
        within_limits(size, file.compressed_size())?;
        let mut buf = Vec::with_capacity(size as usize);
        file.take(size + 1).read_to_end(&mut buf).map_err(|e| e.to_string())?;
        if buf.len() as u64 > size {
            return Err(format!("holds more than the {size} bytes it declares"));
        }
        Ok(Some(buf))
    }

    /// Checks every part against the limits by decompressing it (without
    /// keeping it), before the package is handed to a reader that does not
    /// check for itself.
    fn check_all(&mut self) -> std::result::Result<(), String> {
        for i in 0..self.zip.len() {
            let file = self.zip.by_index(i).map_err(|e| e.to_string())?;
            let name = file.name().to_string();
            let size = file.size();
            within_limits(size, file.compressed_size()).map_err(|e| format!("{name}: {e}"))?;
            let read = std::io::copy(&mut file.take(size + 1), &mut std::io::sink()).map_err(|e| format!("{name}: {e}"))?;
            if read > size {
                return Err(format!("{name} holds more than the {size} bytes it declares"));
            }
        }
        Ok(())
    }
}

/// A part's declared size and compression ratio against the limits.
fn within_limits(size: u64, compressed: u64) -> std::result::Result<(), String> {
    if size > MAX_PART {
        return Err(format!("declares {size} bytes, past the limit of {MAX_PART}"));
    }
    let ratio = size / compressed.max(1);
    let max_ratio = Limits::default().max_ratio;
    if size > RATIO_FLOOR && ratio > max_ratio {
        return Err(format!("compressed {ratio} to 1, past the limit of {max_ratio} to 1 (a zip bomb)"));
    }
    Ok(())
}

/// Reads a package; see [`super::office`].
pub(super) fn read(bytes: &[u8], kind: OfficeKind) -> Result<Extracted> {
    let mut pkg = Package::open(bytes)?;
    let mut out = Extracted { extractor: own_extractor(&format!("{kind:?}").to_lowercase()), ..Default::default() };
    match kind {
        OfficeKind::Docx | OfficeKind::Xlsx | OfficeKind::Pptx => ooxml::read(&mut pkg, bytes, kind, &mut out)?,
        OfficeKind::Odt | OfficeKind::Ods | OfficeKind::Odp => odf::read(&mut pkg, bytes, kind, &mut out)?,
    }
    Ok(out)
}

/// Reads part `name` as [`Package::part`] does, a failure becoming a
/// problem.
fn part(pkg: &mut Package<'_>, name: &str, out: &mut Extracted) -> Option<Vec<u8>> {
    match pkg.part(name) {
        Ok(p) => p,
        Err(reason) => {
            out.problems.push(Problem { item: name.into(), reason });
            None
        }
    }
}

/// The elements of part `name`, a failure becoming a problem.
fn part_elements(pkg: &mut Package<'_>, name: &str, out: &mut Extracted) -> Option<Vec<xml::Element>> {
    let bytes = part(pkg, name, out)?;
    match xml::elements(&bytes) {
        Ok(els) => Some(els),
        Err(e) => {
            out.problems.push(Problem { item: name.into(), reason: format!("not well-formed XML: {e}") });
            None
        }
    }
}

// ---------------------------------------------------------- spreadsheets

/// Every sheet (hidden ones too): its name on a line, then its rows, cells
/// separated by tabs; sheets separated by an empty line.
fn sheets_text<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(wb: &mut R, date1904: bool, out: &mut Extracted) -> String
where
    R::Error: std::fmt::Display,
{
    let mut text = String::new();
    for name in wb.sheet_names() {
        match wb.worksheet_range(&name) {
            Ok(range) => {
                text.push_str(&name);
                text.push('\n');
                for row in range.rows() {
                    let mut cells: Vec<String> = row.iter().map(|c| cell_text(c, date1904)).collect();
                    while cells.last().is_some_and(|c| c.is_empty()) {
                        cells.pop();
                    }
                    if !cells.is_empty() {
                        text.push_str(&cells.join("\t"));
                        text.push('\n');
                    }
                }
                text.push('\n');
            }
            Err(e) => out.problems.push(Problem { item: format!("sheet {name}"), reason: e.to_string() }),
        }
    }
    text.trim_end().to_string()
}

/// A cell as text on one line: dates as ISO 8601, the rest as calamine
/// shows them.
fn cell_text(cell: &Data, date1904: bool) -> String {
    let text = match cell {
        Data::DateTime(dt) if dt.is_datetime() => excel_date(dt.as_f64(), date1904).unwrap_or_else(|| cell.to_string()),
        other => other.to_string(),
    };
    if text.contains(['\t', '\n', '\r']) { text.replace(['\t', '\n', '\r'], " ") } else { text }
}

/// An Excel serial date as `YYYY-MM-DD`, `HH:MM:SS` (a time alone) or
/// `YYYY-MM-DD HH:MM:SS`.
fn excel_date(serial: f64, date1904: bool) -> Option<String> {
    use chrono::{Duration, NaiveDate};
    if !(serial.is_finite() && (0.0..2_958_466.0).contains(&serial)) {
        return None;
    }
    // The 1900 system counts a 29 February 1900 that never was, so serials
    // from 61 on are a day further from their base than the ones before.
    let base = if date1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)?
    } else if serial < 61.0 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    let days = serial.floor();
    let seconds = ((serial - days) * 86_400.0).round() as i64;
    let at = base.and_hms_opt(0, 0, 0)? + Duration::days(days as i64) + Duration::seconds(seconds);
    Some(match (days as i64, seconds) {
        (_, 0) => at.format("%Y-%m-%d").to_string(),
        (0, _) if !date1904 => at.format("%H:%M:%S").to_string(),
        _ => at.format("%Y-%m-%d %H:%M:%S").to_string(),
    })
}

#[cfg(test)]
mod tests;
