//! Concordance DAT load files: header row, ASCII 20 separators, þ qualifiers,
//! ® for newlines inside a field, CRLF line ends, UTF-8 (BOM) or Windows-1252.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The character encoding of a load file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DatEncoding {
    /// UTF-8 with a byte-order mark (þ is two bytes, C3 BE).
    #[default]
    Utf8,
    /// Windows-1252 (þ is one byte, FE); characters it lacks become `?` and are reported.
    Windows1252,
}

impl std::str::FromStr for DatEncoding {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(Self::Utf8),
            "windows-1252" | "cp1252" | "win1252" => Ok(Self::Windows1252),
            _ => Err(Error::InvalidInput(format!("unknown DAT encoding '{s}': use utf-8 or windows-1252"))),
        }
    }
}

/// The delimiters of a load file (defaults are the Concordance ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatDelimiters {
    /// Between fields (default ASCII 20, shown as ¶).
    pub field: char,
    /// Around each field (default þ).
    pub quote: char,
    /// Replaces a newline inside a field (default ®).
    pub newline: char,
}

impl Default for DatDelimiters {
    fn default() -> Self {
        Self { field: '\u{14}', quote: 'þ', newline: '®' }
    }
}

impl DatDelimiters {
    /// Checks the three are distinct and representable in `enc`.
    pub fn validate(&self, enc: DatEncoding) -> Result<()> {
        let all = [self.field, self.quote, self.newline];
        if all[0] == all[1] || all[1] == all[2] || all[0] == all[2] {
            return Err(Error::InvalidInput("the DAT field, quote and newline characters must differ".into()));
        }
        for c in all {
            // A NUL ends a string in many review platforms' loaders, and a
            // letter, digit or space would be read as part of the data.
            if c == '\0' || c.is_ascii_alphanumeric() || c == ' ' {
                return Err(Error::InvalidInput(format!(
                    "DAT delimiter {c:?} cannot be used: choose a character that never occurs in data (NUL, ASCII letters and digits, and the space are refused)"
                )));
            }
        }
        if enc == DatEncoding::Windows1252 {
            for c in all {
                let (_, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&c.to_string());
                if unmappable {
                    return Err(Error::InvalidInput(format!("DAT delimiter {c:?} cannot be written in Windows-1252")));
                }
            }
        }
        Ok(())
    }
}

/// The fields written, in order.
pub const FIELDS: &[&str] = &[
    "BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "EXHIBITID", "CUSTODIAN", "SOURCE", "FILENAME", "FILEEXT", "FILESIZE",
    "MD5HASH", "SHA256HASH", "DATECREATED", "DATEMODIFIED", "DATECOLLECTED", "DESCRIPTION", "NATIVEPATH", "TEXTPATH",
];

/// Builds a load file; `warnings` collects characters that had to be replaced.
pub struct DatWriter {
    delims: DatDelimiters,
    encoding: DatEncoding,
    text: String,
    /// What QC should report about the content.
    pub warnings: Vec<String>,
}

impl DatWriter {
    /// A load file with its header row.
    pub fn new(delims: DatDelimiters, encoding: DatEncoding) -> Self {
        let mut w = Self { delims, encoding, text: String::new(), warnings: Vec::new() };
        w.row(&FIELDS.iter().map(|f| f.to_string()).collect::<Vec<_>>());
        w
    }

    /// Appends one row (one value per field of [`FIELDS`]).
    pub fn row(&mut self, values: &[String]) {
        let d = self.delims;
        let mut first = true;
        for v in values {
            if !first {
                self.text.push(d.field);
            }
            first = false;
            self.text.push(d.quote);
            let mut last_cr = false;
            for c in v.chars() {
                match c {
                    '\r' => {
                        self.text.push(d.newline);
                        last_cr = true;
                        continue;
                    }
                    '\n' if last_cr => {}
                    '\n' => self.text.push(d.newline),
                    // A delimiter inside a value would break the row (or, for the
                    // newline mark, read back as a line break); the format has no escape.
                    c if c == d.quote || c == d.field || c == d.newline => {
                        let with = if c == '®' { "(R)" } else { " " };
                        self.warnings.push(format!("a value contained the DAT delimiter {c:?}; it was written as {with:?}"));
                        self.text.push_str(with);
                    }
                    c => self.text.push(c),
                }
                last_cr = false;
            }
            self.text.push(d.quote);
        }
        self.text.push_str("\r\n");
    }

    /// The encoded bytes.
    pub fn finish(mut self) -> (Vec<u8>, Vec<String>) {
        match self.encoding {
            DatEncoding::Utf8 => {
                let mut out = vec![0xEF, 0xBB, 0xBF];
                out.extend_from_slice(self.text.as_bytes());
                (out, self.warnings)
            }
            DatEncoding::Windows1252 => {
                let mut out = Vec::with_capacity(self.text.len());
                let mut replaced = 0usize;
                let mut buf = [0u8; 4];
                for c in self.text.chars() {
                    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
                    if unmappable {
                        replaced += 1;
                        out.push(b'?');
                    } else {
                        out.extend_from_slice(&bytes);
                    }
                }
                if replaced > 0 {
                    self.warnings.push(format!("{replaced} character(s) have no Windows-1252 form and were written as '?'; use UTF-8 to keep them"));
                }
                (out, self.warnings)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_load_file_has_bom_header_and_concordance_delimiters() {
        let mut w = DatWriter::new(DatDelimiters::default(), DatEncoding::Utf8);
        w.row(&["A1".into(), "line one\r\nline two".into()]);
        let (bytes, warnings) = w.finish();
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 with BOM");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("þBEGBATESþ\u{14}þENDBATESþ"), "header row first, þ-qualified, ASCII 20 separated");
        assert!(text.ends_with("þA1þ\u{14}þline one®line twoþ\r\n"), "newline in a field becomes ®, rows end CRLF: {text:?}");
        assert!(warnings.is_empty());
    }

    #[test]
    fn windows_1252_writes_thorn_as_one_byte_and_reports_what_it_cannot_write() {
        let mut w = DatWriter::new(DatDelimiters::default(), DatEncoding::Windows1252);
        w.row(&["café".into(), "名前".into()]);
        let (bytes, warnings) = w.finish();
        assert_eq!(bytes[0], 0xFE, "þ is the single byte FE in Windows-1252, and there is no BOM");
        assert!(bytes.windows(4).any(|x| x == b"caf\xE9"), "é is E9");
        assert!(bytes.windows(2).any(|x| x == b"??"), "unmappable characters become ?");
        assert_eq!(warnings.len(), 1, "and QC is told");
    }

    #[test]
    fn delimiters_must_differ_and_fit_the_encoding() {
        let bad = DatDelimiters { field: ',', quote: ',', newline: '®' };
        assert!(bad.validate(DatEncoding::Utf8).is_err());
        let cjk = DatDelimiters { field: '\u{14}', quote: '囗', newline: '®' };
        assert!(cjk.validate(DatEncoding::Windows1252).is_err());
        assert!(cjk.validate(DatEncoding::Utf8).is_ok());
        for c in ['\0', 'a', '7', ' '] {
            let d = DatDelimiters { field: c, ..DatDelimiters::default() };
            assert!(d.validate(DatEncoding::Utf8).is_err(), "{c:?} must be refused as a delimiter");
        }
        assert!(DatDelimiters::default().validate(DatEncoding::Windows1252).is_ok(), "the Concordance defaults are fine");
    }
}
