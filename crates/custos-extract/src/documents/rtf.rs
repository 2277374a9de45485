//! Rich Text Format: the text of the body and the document information
//! group (`\info`).
//!
//! A small reader of the RTF 1.9 syntax: groups, control words and
//! symbols, `\'hh` bytes decoded in the code page of the current font (or
//! the document's `\ansicpg`), `\uN` characters with their fallback
//! skipped (`\ucN`), and destinations that are not text (font and colour
//! tables, style sheets, pictures, field instructions, every `\*`
//! destination) left out.

use encoding_rs::{Encoding, WINDOWS_1252};

use crate::{Error, Field, Result};

/// What an RTF document holds.
pub(super) struct RtfDocument {
    /// The text: paragraphs and line breaks as line breaks, tabs and table
    /// cells as tabs.
    pub text: String,
    /// The document's code page, as an encoding name.
    pub encoding: String,
    /// The fields of its `\info` group.
    pub info: Vec<Field>,
}

/// Destinations whose content is not text.
const SKIPPED: &[&str] = &[
    "colortbl", "stylesheet", "pict", "filetbl", "listtable", "listoverridetable", "revtbl", "rsidtbl", "generator",
    "xmlnstbl", "themedata", "colorschememapping", "datastore", "latentstyles", "fldinst", "pgdsctbl", "private",
    "nonshppict", "sp", "atnid", "atnauthor", "atndate", "atnref", "userprops", "template", "pntxta", "pntxtb", "objdata",
    "bkmkstart", "bkmkend", "fontemb", "fontfile", "falt", "panose",
];

/// `\info` text fields: control word, field, source.
const INFO_TEXT: [(&str, &str, &str); 10] = [
    ("title", "title", "rtf:info:title"),
    ("subject", "subject", "rtf:info:subject"),
    ("author", "author", "rtf:info:author"),
    ("operator", "last_modified_by", "rtf:info:operator"),
    ("keywords", "keywords", "rtf:info:keywords"),
    ("comment", "comment", "rtf:info:comment"),
    ("doccomm", "description", "rtf:info:doccomm"),
    ("company", "company", "rtf:info:company"),
    ("manager", "manager", "rtf:info:manager"),
    ("category", "category", "rtf:info:category"),
];

/// `\info` dates: control word, field, source.
const INFO_DATES: [(&str, &str, &str); 3] = [
    ("creatim", "created", "rtf:info:creatim"),
    ("revtim", "modified", "rtf:info:revtim"),
    ("printim", "last_printed", "rtf:info:printim"),
];

/// `\info` numbers: control word, field, source.
const INFO_NUMBERS: [(&str, &str, &str); 4] = [
    ("version", "revision", "rtf:info:version"),
    ("nofpages", "page_count", "rtf:info:nofpages"),
    ("nofwords", "word_count", "rtf:info:nofwords"),
    ("edmins", "editing_minutes", "rtf:info:edmins"),
];

/// Where a group's content goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Destination {
    Text,
    Skip,
    FontTable,
    Info,
    /// An `\info` text field (index into [`INFO_TEXT`]).
    InfoText(usize),
    /// An `\info` date (index into [`INFO_DATES`]).
    InfoDate(usize),
}

#[derive(Debug, Clone)]
struct Group {
    destination: Destination,
    /// Whether this group, not an enclosing one, set the destination.
    owns_destination: bool,
    /// How many fallback characters follow a `\uN`.
    uc: usize,
    font: Option<i32>,
}

struct Reader<'a> {
    bytes: &'a [u8],
    i: usize,
    group: Group,
    stack: Vec<Group>,
    text: String,
    info_text: String,
    date: [i32; 6],
    info: Vec<Field>,
    ansi: &'static Encoding,
    default_font: Option<i32>,
    fonts: Vec<(i32, &'static Encoding)>,
    defining_font: Option<i32>,
    pending: Vec<u8>,
    pending_encoding: &'static Encoding,
    fallback: usize,
    high_surrogate: Option<u32>,
    /// A `\*` was just read.
    starred: bool,
}

/// Reads an RTF document; bytes that do not start `{\rtf` are
/// [`Error::Malformed`].
pub(super) fn read(bytes: &[u8]) -> Result<RtfDocument> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    if !bytes[start..].starts_with(b"{\\rtf") {
        return Err(Error::Malformed("not an RTF document (no {\\rtf header)".into()));
    }
    let mut r = Reader {
        bytes,
        i: start,
        group: Group { destination: Destination::Text, owns_destination: false, uc: 1, font: None },
        stack: Vec::new(),
        text: String::new(),
        info_text: String::new(),
        date: [0; 6],
        info: Vec::new(),
        ansi: WINDOWS_1252,
        default_font: None,
        fonts: Vec::new(),
        defining_font: None,
        pending: Vec::new(),
        pending_encoding: WINDOWS_1252,
        fallback: 0,
        high_surrogate: None,
        starred: false,
    };
    r.run();
    r.flush();
    Ok(RtfDocument { text: tidy(&r.text), encoding: r.ansi.name().to_string(), info: r.info })
}

impl Reader<'_> {
    fn run(&mut self) {
        while let Some(&b) = self.bytes.get(self.i) {
            self.i += 1;
            match b {
                b'{' => {
                    self.flush();
                    self.fallback = 0;
                    self.starred = false;
                    let mut inner = self.group.clone();
                    inner.owns_destination = false;
                    self.stack.push(std::mem::replace(&mut self.group, inner));
                }
                b'}' => {
                    self.flush();
                    self.fallback = 0;
                    self.end_group();
                    match self.stack.pop() {
                        Some(outer) => self.group = outer,
                        None => return,
                    }
                }
                b'\\' => self.control(),
                b'\r' | b'\n' => {}
                _ => self.byte(b),
            }
        }
    }

    fn end_group(&mut self) {
        if !self.group.owns_destination {
            return;
        }
        match self.group.destination {
            Destination::InfoText(k) => {
                let value = self.info_text.trim().to_string();
                if !value.is_empty() {
                    let (_, field, source) = INFO_TEXT[k];
                    self.info.push(Field::new(field, value, source));
                }
                self.info_text.clear();
            }
            Destination::InfoDate(k) => {
                let [y, mo, d, h, mi, s] = self.date;
                if y > 0 {
                    let (_, field, source) = INFO_DATES[k];
                    let value = format!("{y:04}-{:02}-{:02}T{h:02}:{mi:02}:{s:02}", mo.max(1), d.max(1));
                    self.info.push(Field::new(field, value, source));
                }
            }
            _ => {}
        }
    }

    /// The encoding bytes are in at this point.
    fn encoding(&self) -> &'static Encoding {
        self.group.font.and_then(|f| self.fonts.iter().find(|(n, _)| *n == f)).map(|(_, e)| *e).unwrap_or(self.ansi)
    }

    fn takes_text(&self) -> bool {
        matches!(self.group.destination, Destination::Text | Destination::InfoText(_))
    }

    /// A byte of text (written as itself or as `\'hh`).
    fn byte(&mut self, b: u8) {
        if self.fallback > 0 {
            self.fallback -= 1;
            return;
        }
        if !self.takes_text() {
            return;
        }
        let encoding = self.encoding();
        if encoding != self.pending_encoding {
            self.flush();
            self.pending_encoding = encoding;
        }
        self.pending.push(b);
    }

    /// Decodes the bytes held so far into the current destination.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let (decoded, _) = self.pending_encoding.decode_without_bom_handling(&self.pending);
        let decoded = decoded.into_owned();
        self.pending.clear();
        self.push_str(&decoded);
    }

    fn push_str(&mut self, s: &str) {
        match self.group.destination {
            Destination::Text => self.text.push_str(s),
            Destination::InfoText(_) => self.info_text.push_str(s),
            _ => {}
        }
    }

    fn emit(&mut self, c: char) {
        self.flush();
        if self.takes_text() {
            self.push_str(c.encode_utf8(&mut [0; 4]));
        }
    }

    fn set_destination(&mut self, d: Destination) {
        self.flush();
        self.group.destination = d;
        self.group.owns_destination = true;
    }

    fn control(&mut self) {
        let Some(&c) = self.bytes.get(self.i) else { return };
        if !c.is_ascii_alphabetic() {
            self.i += 1;
            match c {
                b'\'' => {
                    let hex = self.bytes.get(self.i..self.i + 2).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
                    if let Some(b) = hex {
                        self.i += 2;
                        self.byte(b);
                    }
                }
                // An ignorable destination: skipped unless the control word
                // that follows names one read here.
                b'*' => self.starred = true,
                b'\\' | b'{' | b'}' => self.byte(c),
                b'~' => self.emit('\u{a0}'),
                b'_' => self.emit('-'),
                b'\n' | b'\r' => self.emit('\n'),
                _ => {}
            }
            return;
        }
        let word_start = self.i;
        while self.bytes.get(self.i).is_some_and(|b| b.is_ascii_alphabetic()) && self.i - word_start < 32 {
            self.i += 1;
        }
        let word = std::str::from_utf8(&self.bytes[word_start..self.i]).unwrap_or("").to_string();
        let num_start = self.i;
        if self.bytes.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        while self.bytes.get(self.i).is_some_and(|b| b.is_ascii_digit()) && self.i - num_start < 11 {
            self.i += 1;
        }
        let param = std::str::from_utf8(&self.bytes[num_start..self.i]).ok().and_then(|p| p.parse::<i64>().ok());
        if self.bytes.get(self.i) == Some(&b' ') {
            self.i += 1;
        }
        self.word(&word, param);
    }

    fn word(&mut self, word: &str, param: Option<i64>) {
        let starred = std::mem::take(&mut self.starred);
        let before = (self.group.destination, self.group.owns_destination);
        self.apply(word, param);
        if starred && (self.group.destination, self.group.owns_destination) == before {
            self.set_destination(Destination::Skip);
        }
    }

    fn apply(&mut self, word: &str, param: Option<i64>) {
        let n = param.unwrap_or(0);
        let n32 = n.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
        let d = self.group.destination;
        match word {
            "bin" => {
                // Raw binary data of the given length.
                self.i = self.i.saturating_add(n.max(0) as usize).min(self.bytes.len());
            }
            "u" => {
                let code = if n < 0 { (n + 65536) as u32 } else { n as u32 };
                self.unicode(code);
                self.fallback = self.group.uc;
            }
            "uc" => self.group.uc = n.clamp(0, 16) as usize,
            "ansicpg" => {
                self.flush();
                self.ansi = codepage(n32);
            }
            "mac" => self.ansi = encoding_rs::MACINTOSH,
            "deff" => self.default_font = Some(n32),
            "plain" if d != Destination::FontTable => {
                self.flush();
                self.group.font = self.default_font;
            }
            "fonttbl" => self.set_destination(Destination::FontTable),
            "f" if d == Destination::FontTable => self.defining_font = Some(n32),
            "f" => {
                self.flush();
                self.group.font = Some(n32);
            }
            "fcharset" | "cpg" if d == Destination::FontTable => {
                if let Some(font) = self.defining_font {
                    let encoding = if word == "cpg" { codepage(n32) } else { charset(n32).unwrap_or(self.ansi) };
                    self.fonts.retain(|(f, _)| *f != font);
                    self.fonts.push((font, encoding));
                }
            }
            "info" => self.set_destination(Destination::Info),
            w if d == Destination::Info => {
                if let Some(k) = INFO_TEXT.iter().position(|(name, _, _)| *name == w) {
                    self.set_destination(Destination::InfoText(k));
                } else if let Some(k) = INFO_DATES.iter().position(|(name, _, _)| *name == w) {
                    self.date = [0; 6];
                    self.set_destination(Destination::InfoDate(k));
                } else if let Some((_, field, source)) = INFO_NUMBERS.iter().find(|(name, _, _)| *name == w)
                    && param.is_some()
                {
                    self.info.push(Field::new(field, n.to_string(), source));
                }
            }
            "yr" | "mo" | "dy" | "hr" | "min" | "sec" if matches!(d, Destination::InfoDate(_)) => {
                let at = ["yr", "mo", "dy", "hr", "min", "sec"].iter().position(|x| *x == word).unwrap_or(0);
                self.date[at] = n32;
            }
            w if SKIPPED.contains(&w) => self.set_destination(Destination::Skip),
            "par" | "line" | "sect" | "page" | "row" | "nestrow" => self.emit('\n'),
            "tab" | "cell" | "nestcell" => self.emit('\t'),
            "emdash" => self.emit('—'),
            "endash" => self.emit('–'),
            "bullet" => self.emit('•'),
            "lquote" => self.emit('‘'),
            "rquote" => self.emit('’'),
            "ldblquote" => self.emit('“'),
            "rdblquote" => self.emit('”'),
            "emspace" | "enspace" | "qmspace" => self.emit(' '),
            _ => {}
        }
    }

    /// A `\uN` character; surrogate pairs are joined.
    fn unicode(&mut self, code: u32) {
        match code {
            0xD800..=0xDBFF => {
                self.flush();
                self.high_surrogate = Some(code);
            }
            0xDC00..=0xDFFF => {
                if let Some(high) = self.high_surrogate.take() {
                    let c = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00);
                    self.emit(char::from_u32(c).unwrap_or('\u{fffd}'));
                }
            }
            _ => {
                self.high_surrogate = None;
                self.emit(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
        }
    }
}

/// The encoding of a Windows code page; Windows-1252 for one encoding_rs
/// does not have.
fn codepage(n: i32) -> &'static Encoding {
    let label = match n {
        932 => "shift_jis".to_string(),
        936 => "gbk".into(),
        949 => "euc-kr".into(),
        950 => "big5".into(),
        866 => "ibm866".into(),
        10000 => "macintosh".into(),
        20866 => "koi8-r".into(),
        65001 => "utf-8".into(),
        874 | 1250..=1258 => format!("windows-{n}"),
        28591..=28599 => format!("iso-8859-{}", n - 28590),
        _ => String::new(),
    };
    Encoding::for_label(label.as_bytes()).unwrap_or(WINDOWS_1252)
}

/// The encoding of a font's `\fcharset`; `None` for the default (ANSI)
/// character set.
fn charset(n: i32) -> Option<&'static Encoding> {
    Some(codepage(match n {
        77 => 10000,
        128 => 932,
        129 => 949,
        134 => 936,
        136 => 950,
        161 => 1253,
        162 => 1254,
        163 => 1258,
        177 => 1255,
        178 => 1256,
        186 => 1257,
        204 => 1251,
        222 => 874,
        238 => 1250,
        _ => return None,
    }))
}

/// Trailing spaces off each line, at most one empty line in a row.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines().map(str::trim_end) {
        blank = if line.is_empty() { blank + 1 } else { 0 };
        if blank <= 1 {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim().to_string()
}
