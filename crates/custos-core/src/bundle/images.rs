//! A production's page images as the bundle records them (DESIGN.md §6.3):
//! the Opticon image load file, one line per page, and the page records
//! tying each page to its native, its renderer and settings, its image's
//! SHA-256 and its stamps.

use serde::{Deserialize, Serialize};

/// How one page of a production was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRecord {
    /// The page's Bates number.
    pub bates: String,
    /// Its document's first Bates number (BEGBATES).
    pub document: String,
    /// Its exhibit in the producing vault.
    pub exhibit_id: String,
    /// Its place in the document, from 1.
    pub page: u32,
    /// What the page shows, in words ("page 3 of the native PDF", "slip
    /// sheet: withheld as privileged" …).
    pub source: String,
    /// SHA-256 of the native the page was made from (none for a withheld
    /// document, of which nothing is produced).
    pub native_sha256: Option<String>,
    /// The programs that made it, with their versions and settings.
    pub renderer: String,
    /// The image file inside the bag.
    pub image_path: String,
    /// The page's place in that file (1 for a single-page TIFF or JPEG).
    pub image_page: u32,
    /// SHA-256 of the image file.
    pub image_sha256: String,
    /// Width and height of the page in points.
    pub page_size: [f32; 2],
    /// The factor the source page was scaled by to keep clear of the stamps.
    pub scale: f32,
    /// The stamps: text, corner and position.
    pub stamps: Vec<custos_documents::imaging::Stamp>,
    /// The recognised text laid over a page that had none, in words (or
    /// why none could be made); absent where the page has its own text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_layer: Option<String>,
}

/// One line of an Opticon (OPT) image load file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptLine {
    /// The page's Bates number (the image key).
    pub key: String,
    /// The volume.
    pub volume: String,
    /// The image's path, relative to the payload folder, `\`-separated.
    pub path: String,
    /// `Y` on a document's first page.
    pub doc_break: bool,
    /// The document's page count, on its first page's line.
    pub pages: Option<u32>,
}

/// The OPT file's bytes: `ImageKey,Volume,Path,DocBreak,FolderBreak,BoxBreak,PageCount`,
/// CRLF, no header.
pub fn opt_bytes(lines: &[OptLine]) -> Vec<u8> {
    let mut out = String::new();
    for l in lines {
        let pages = l.pages.map(|p| p.to_string()).unwrap_or_default();
        out.push_str(&format!("{},{},{},{},,,{}\r\n", l.key, l.volume, l.path, if l.doc_break { "Y" } else { "" }, pages));
    }
    out.into_bytes()
}

/// Parses an OPT file, naming the first line that is not one.
pub fn parse_opt(bytes: &[u8]) -> Result<Vec<OptLine>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the image load file is not UTF-8 text".to_string())?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let f: Vec<&str> = l.split(',').collect();
            if f.len() != 7 || f[0].is_empty() || f[2].is_empty() || !matches!(f[3], "" | "Y") {
                return Err(format!("line {} of the image load file is not an Opticon line: {l:?}", i + 1));
            }
            let pages = match f[6].trim() {
                "" => None,
                n => Some(n.parse().map_err(|_| format!("line {} of the image load file has page count {n:?}", i + 1))?),
            };
            Ok(OptLine { key: f[0].into(), volume: f[1].into(), path: f[2].into(), doc_break: f[3] == "Y", pages })
        })
        .collect()
}

/// The page records as the bundle carries them: one JSON object a line.
pub fn records_jsonl(records: &[PageRecord]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        out.extend_from_slice(serde_json::to_string(r).expect("serialise").as_bytes());
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opt_file_reads_back_as_written_and_a_bad_line_is_named() {
        let lines = vec![
            OptLine { key: "HAL000001".into(), volume: "VOL001".into(), path: r"VOL001\IMAGES\0001\HAL000001.tif".into(), doc_break: true, pages: Some(2) },
            OptLine { key: "HAL000002".into(), volume: "VOL001".into(), path: r"VOL001\IMAGES\0001\HAL000002.tif".into(), doc_break: false, pages: None },
        ];
        let bytes = opt_bytes(&lines);
        assert!(bytes.starts_with(b"HAL000001,VOL001,VOL001\\IMAGES\\0001\\HAL000001.tif,Y,,,2\r\nHAL000002,"));
        assert_eq!(parse_opt(&bytes).unwrap(), lines);
        assert!(parse_opt(b"HAL1,VOL001,x.tif,N,,,1\r\n").unwrap_err().contains("line 1"));
        assert!(parse_opt(b"HAL1,VOL001,x.tif,Y,,,two\r\n").unwrap_err().contains("two"));
    }
}
