//! Concordance DAT load files: header row, ASCII 20 separators, þ qualifiers,
//! ® for newlines inside a field, CRLF line ends, UTF-8 (BOM) or Windows-1252.
//! Written by the export and read back by verification and import, with the
//! delimiters bag-info.txt names.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// The delimiters of a load file (defaults are the Concordance ones). Built
/// with [`DatDelimiters::new`], which refuses three that a load file cannot
/// use, so a request holding one needs no further check but its encoding's
/// ([`DatDelimiters::check_encoding`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DeclaredDelimiters")]
pub struct DatDelimiters {
    /// Between fields (default ASCII 20, shown as ¶).
    field: char,
    /// Around each field (default þ).
    quote: char,
    /// Replaces a newline inside a field (default ®).
    newline: char,
}

impl Default for DatDelimiters {
    fn default() -> Self {
        Self { field: '\u{14}', quote: 'þ', newline: '®' }
    }
}

impl DatDelimiters {
    /// The three delimiters, refused unless they differ and none could occur
    /// in data.
    pub fn new(field: char, quote: char, newline: char) -> Result<Self> {
        if field == quote || quote == newline || field == newline {
            return Err(Error::InvalidInput("the DAT field, quote and newline characters must differ".into()));
        }
        for c in [field, quote, newline] {
            // A NUL ends a string in many review platforms' loaders, and a
            // letter, digit or space would be read as part of the data.
            // CR and LF end rows: a value's line breaks become the newline mark.
            if c == '\0' || c.is_ascii_alphanumeric() || c == ' ' || c == '\r' || c == '\n' {
                return Err(Error::InvalidInput(format!(
                    "DAT delimiter {c:?} cannot be used: choose a character that never occurs in data (NUL, CR, LF, ASCII letters and digits, and the space are refused)"
                )));
            }
        }
        Ok(Self { field, quote, newline })
    }

    /// The delimiters a load file declares, as they are: a reader takes
    /// whatever a bundle names and fails on the rows, not on the names.
    pub(crate) fn declared(field: char, quote: char, newline: char) -> Self {
        Self { field, quote, newline }
    }

    /// Between fields.
    pub fn field(&self) -> char {
        self.field
    }

    /// Around each field.
    pub fn quote(&self) -> char {
        self.quote
    }

    /// Replaces a newline inside a field.
    pub fn newline(&self) -> char {
        self.newline
    }

    /// Checks the three can be written in `enc`.
    pub fn check_encoding(&self, enc: DatEncoding) -> Result<()> {
        if enc == DatEncoding::Windows1252 {
            for c in [self.field, self.quote, self.newline] {
                let (_, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&c.to_string());
                if unmappable {
                    return Err(Error::InvalidInput(format!("DAT delimiter {c:?} cannot be written in Windows-1252")));
                }
            }
        }
        Ok(())
    }

    /// bag-info.txt's `Load-File-Format` value for a load file in these
    /// delimiters and `encoding` (as named there); [`delimiters_from_info`]
    /// reads the delimiters back.
    pub(crate) fn load_file_format(&self, encoding: &str) -> String {
        format!(
            "Concordance DAT, {encoding}, CRLF; field U+{:04X}, quote U+{:04X}, newline U+{:04X}",
            self.field as u32, self.quote as u32, self.newline as u32
        )
    }
}

/// Delimiters as serialised, checked by [`DatDelimiters::new`] when read.
#[derive(Deserialize)]
struct DeclaredDelimiters {
    field: char,
    quote: char,
    newline: char,
}

impl TryFrom<DeclaredDelimiters> for DatDelimiters {
    type Error = Error;
    fn try_from(d: DeclaredDelimiters) -> Result<Self> {
        Self::new(d.field, d.quote, d.newline)
    }
}

/// The fields written, in order.
pub const FIELDS: &[&str] = &[
    "BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "EXHIBITID", "CUSTODIAN", "SOURCE", "FILENAME", "FILEEXT", "FILESIZE",
    "MD5HASH", "SHA256HASH", "DATECREATED", "DATEMODIFIED", "DATECOLLECTED", "DESCRIPTION", "NATIVEPATH", "TEXTPATH",
    "FAMILYID", "FROM", "TO", "CC", "BCC", "SUBJECT", "DATESENT", "DATERCVD", "AUTHOR", "TITLE", "PGCOUNT", "MESSAGEID",
    "DOWNLOADCOUNT", "LASTDOWNLOAD", "CONFIDENTIALITY", "PRIVILEGE", "IMAGEPATH",
];

/// Builds a load file; `warnings` collects characters that had to be replaced.
pub struct DatWriter {
    delims: DatDelimiters,
    encoding: DatEncoding,
    text: String,
    /// False when only the warnings are wanted (a plan): no text is kept.
    keep_text: bool,
    /// Characters with no Windows-1252 form, counted when no text is kept.
    unmappable: usize,
    /// What QC should report about the content.
    pub warnings: Vec<String>,
}

impl DatWriter {
    /// A load file with its header row.
    pub fn new(delims: DatDelimiters, encoding: DatEncoding) -> Self {
        let mut w = Self { delims, encoding, text: String::new(), keep_text: true, unmappable: 0, warnings: Vec::new() };
        w.row(FIELDS);
        w
    }

    /// A writer that keeps no text, only the warnings the same rows would
    /// give (what planning an export needs to say, at a fraction of the cost).
    pub fn warnings_only(delims: DatDelimiters, encoding: DatEncoding) -> Self {
        Self { delims, encoding, text: String::new(), keep_text: false, unmappable: 0, warnings: Vec::new() }
    }

    /// Appends one row (one value per field of [`FIELDS`]).
    pub fn row(&mut self, values: &[&str]) {
        let d = self.delims;
        if !self.keep_text {
            for v in values {
                for c in v.chars().filter(|&c| c == d.quote || c == d.field || c == d.newline) {
                    let with = if c == '®' { "(R)" } else { " " };
                    self.warnings.push(format!("a value contained the DAT delimiter {c:?}; it was written as {with:?}"));
                }
                if self.encoding == DatEncoding::Windows1252 && !v.is_ascii() {
                    let mut buf = [0u8; 4];
                    self.unmappable += v.chars().filter(|c| encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf)).2).count();
                }
            }
            return;
        }
        let mut first = true;
        for v in values {
            if !first {
                self.text.push(d.field);
            }
            first = false;
            self.text.push(d.quote);
            // Most values hold nothing to replace: copied whole.
            if !v.chars().any(|c| c == '\r' || c == '\n' || c == d.quote || c == d.field || c == d.newline) {
                self.text.push_str(v);
                self.text.push(d.quote);
                continue;
            }
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
        if !self.keep_text {
            if self.unmappable > 0 {
                self.warnings.push(format!(
                    "{} character(s) have no Windows-1252 form and were written as '?'; use UTF-8 to keep them",
                    self.unmappable
                ));
            }
            return (Vec::new(), self.warnings);
        }
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

/// The delimiters named in bag-info.txt's `Load-File-Format`, else the defaults.
pub(crate) fn delimiters_from_info(info: &str) -> DatDelimiters {
    let d = DatDelimiters::default();
    let Some(line) = info.lines().find_map(|l| l.strip_prefix("Load-File-Format:")) else { return d };
    let code = |name: &str| {
        line.split([';', ','])
            .find_map(|part| part.trim().strip_prefix(name)?.trim().strip_prefix("U+").and_then(|h| u32::from_str_radix(h.trim(), 16).ok()))
            .and_then(char::from_u32)
    };
    DatDelimiters::declared(code("field").unwrap_or(d.field), code("quote").unwrap_or(d.quote), code("newline").unwrap_or(d.newline))
}

/// Parses a Concordance DAT (UTF-8 with BOM or Windows-1252) with the given delimiters.
pub fn parse_dat_with(bytes: &[u8], d: DatDelimiters) -> std::result::Result<Vec<BTreeMap<String, String>>, String> {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8(rest.to_vec()).map_err(|_| "the UTF-8 load file is not valid UTF-8".to_string())?
    } else {
        encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned()
    };
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let split = |l: &str| -> Vec<String> {
        l.split(d.field).map(|f| f.trim_matches(d.quote).replace(d.newline, "\n")).collect()
    };
    let header = split(lines.next().ok_or("the load file is empty")?);
    let mut rows = Vec::new();
    for (i, l) in lines.enumerate() {
        let values = split(l);
        if values.len() != header.len() {
            return Err(format!("load-file row {} has {} fields, the header {}", i + 1, values.len(), header.len()));
        }
        rows.push(header.iter().cloned().zip(values).collect());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_load_file_has_bom_header_and_concordance_delimiters() {
        let mut w = DatWriter::new(DatDelimiters::default(), DatEncoding::Utf8);
        w.row(&["A1", "line one\r\nline two"]);
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
        let mut only = DatWriter::warnings_only(DatDelimiters::default(), DatEncoding::Windows1252);
        only.row(&["café", "名前"]);
        let (none, only_warnings) = only.finish();
        assert!(none.is_empty());
        assert_eq!(only_warnings, vec!["2 character(s) have no Windows-1252 form and were written as '?'; use UTF-8 to keep them"]);
        w.row(&["café", "名前"]);
        let (bytes, warnings) = w.finish();
        assert_eq!(bytes[0], 0xFE, "þ is the single byte FE in Windows-1252, and there is no BOM");
        assert!(bytes.windows(4).any(|x| x == b"caf\xE9"), "é is E9");
        assert!(bytes.windows(2).any(|x| x == b"??"), "unmappable characters become ?");
        assert_eq!(warnings.len(), 1, "and QC is told");
        assert_eq!(warnings, only_warnings, "a plan warns as the export does");
        // A delimiter inside a value: the same warning both ways.
        let (mut full, mut only) = (DatWriter::new(DatDelimiters::default(), DatEncoding::Utf8), DatWriter::warnings_only(DatDelimiters::default(), DatEncoding::Utf8));
        full.row(&["a þ b", "plain"]);
        only.row(&["a þ b", "plain"]);
        let (full, only) = (full.finish().1, only.finish().1);
        assert_eq!(full.len(), 1);
        assert_eq!(full, only);
    }

    #[test]
    fn delimiters_must_differ_and_fit_the_encoding() {
        assert!(DatDelimiters::new(',', ',', '®').is_err());
        assert!(DatDelimiters::new('\n', 'þ', '®').is_err(), "a line break ends a row");
        assert!(DatDelimiters::new('\u{14}', 'þ', '\r').is_err());
        let cjk = DatDelimiters::new('\u{14}', '囗', '®').unwrap();
        assert!(cjk.check_encoding(DatEncoding::Windows1252).is_err());
        assert!(cjk.check_encoding(DatEncoding::Utf8).is_ok());
        let d = DatDelimiters::default();
        for c in ['\0', 'a', '7', ' '] {
            assert!(DatDelimiters::new(c, d.quote(), d.newline()).is_err(), "{c:?} must be refused as a delimiter");
        }
        assert!(DatDelimiters::new(d.field(), d.quote(), d.newline()).is_ok(), "the Concordance defaults are fine");
        assert!(d.check_encoding(DatEncoding::Windows1252).is_ok(), "and can be written in Windows-1252");
    }

    #[test]
    fn delimiters_keep_their_messages() {
        let message = |r: Result<DatDelimiters>| r.unwrap_err().to_string();
        assert!(message(DatDelimiters::new('|', '|', '~')).contains("the DAT field, quote and newline characters must differ"));
        assert!(message(DatDelimiters::new('|', 'a', '~')).contains("DAT delimiter 'a' cannot be used: choose a character that never occurs in data"));
        let cjk = DatDelimiters::new('|', '囗', '~').unwrap();
        assert!(cjk.check_encoding(DatEncoding::Windows1252).unwrap_err().to_string().contains("DAT delimiter '囗' cannot be written in Windows-1252"));
    }

    #[test]
    fn delimiters_read_from_json_are_checked() {
        let d: DatDelimiters = serde_json::from_str(r#"{"field":"|","quote":"^","newline":"~"}"#).unwrap();
        assert_eq!(d, DatDelimiters::new('|', '^', '~').unwrap());
        assert_eq!(serde_json::to_string(&d).unwrap(), r#"{"field":"|","quote":"^","newline":"~"}"#);
        assert!(serde_json::from_str::<DatDelimiters>(r#"{"field":"|","quote":"|","newline":"~"}"#).is_err());
    }

    #[test]
    fn the_load_file_format_reads_back_its_delimiters() {
        let d = DatDelimiters::new('|', '^', '~').unwrap();
        let info = format!("Payload-Oxum: 1.1\nLoad-File-Format: {}\n", d.load_file_format("UTF-8 with BOM"));
        assert_eq!(delimiters_from_info(&info), d);
        assert_eq!(delimiters_from_info("Payload-Oxum: 1.1\n"), DatDelimiters::default());
    }
}
