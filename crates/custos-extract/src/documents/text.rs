//! Text files: the encoding found (a byte order mark, an HTML `<meta>`
//! declaration, else chardetng's guess), then plain text and CSV as
//! decoded, HTML reduced to its visible text, RTF read by [`super::rtf`].

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

use super::{TextKind, non_blank, own_extractor, rtf};
use crate::{Extracted, Field, Problem, Result};

/// Reads a text file; see [`super::text`].
pub(super) fn read(bytes: &[u8], kind: TextKind) -> Result<Extracted> {
    let mut out = Extracted { extractor: own_extractor(&format!("text:{kind:?}").to_lowercase()), ..Default::default() };
    if kind == TextKind::Rtf {
        let doc = rtf::read(bytes)?;
        out.metadata.push(Field::new("encoding", doc.encoding, "rtf:ansicpg"));
        out.metadata.extend(doc.info);
        out.text = non_blank(doc.text);
        return Ok(out);
    }
    let declared = if kind == TextKind::Html { meta_charset(bytes) } else { None };
    let (encoding, source, skip) = match Encoding::for_bom(bytes) {
        Some((enc, len)) => (enc, "text:bom", len),
        None => match declared {
            Some(enc) => (enc, "html:meta", 0),
            None => (detect(bytes), "text:detected", 0),
        },
    };
    let (decoded, had_errors) = encoding.decode_without_bom_handling(&bytes[skip..]);
    out.metadata.push(Field::new("encoding", encoding.name(), source));
    if had_errors {
        out.problems.push(Problem {
            item: "text".into(),
            reason: format!("some bytes are not valid {}; they were replaced with U+FFFD", encoding.name()),
        });
    }
    match kind {
        TextKind::Html => {
            let page = html_text(&decoded);
            if let Some(title) = page.title {
                out.metadata.push(Field::new("title", title, "html:title"));
            }
            out.text = non_blank(page.text);
        }
        _ => out.text = non_blank(decoded.into_owned()),
    }
    Ok(out)
}

/// The encoding of bytes with no byte order mark: UTF-16 when every other
/// byte is zero (text in a Latin script written without a mark), else
/// chardetng's guess.
fn detect(bytes: &[u8]) -> &'static Encoding {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() >= 4 {
        let zeros = |start: usize| sample.iter().skip(start).step_by(2).filter(|b| **b == 0).count();
        let (even, odd, half) = (zeros(0), zeros(1), sample.len() / 2);
        if odd * 10 >= half * 9 && even * 10 <= half {
            return UTF_16LE;
        }
        if even * 10 >= half * 9 && odd * 10 <= half {
            return UTF_16BE;
        }
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

/// The charset an HTML page declares in a `<meta>` tag in its first 1024
/// bytes. A UTF-16 label there means UTF-8, as browsers read it (a page
/// that could be read to find the tag is not UTF-16).
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let mut rest = head.as_str();
    while let Some(at) = rest.find("<meta") {
        let tag = &rest[at..];
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        if let Some(c) = tag.find("charset") {
            let value = tag[c + "charset".len()..].trim_start().strip_prefix('=')?.trim_start();
            let value = value.trim_start_matches(['"', '\'']);
            let end = value.find(|c: char| c == '"' || c == '\'' || c == ';' || c == '/' || c.is_whitespace()).unwrap_or(value.len());
            let enc = Encoding::for_label(&value.as_bytes()[..end])?;
            return Some(if enc == UTF_16LE || enc == UTF_16BE { UTF_8 } else { enc });
        }
        rest = &rest[at + 5..];
    }
    None
}

/// An HTML page's visible text and title.
pub(super) struct HtmlText {
    /// The text, blocks on lines of their own, table cells separated by
    /// tabs.
    pub text: String,
    /// The content of `<title>`, white space collapsed.
    pub title: Option<String>,
}

/// Elements whose start and end break the line.
const BLOCKS: &[&str] = &[
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "legend",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
];

/// Elements whose content is not text.
const HIDDEN: &[&str] = &["script", "style", "template", "head", "noscript", "svg", "object", "iframe"];

/// Reduces HTML to its visible text: tags dropped, the content of
/// `script`, `style` and the head left out, entities decoded, white space
/// collapsed except in `pre`, blocks and `br` as line breaks.
pub(super) fn html_text(html: &str) -> HtmlText {
    let mut out = Lines::default();
    let mut title: Option<String> = None;
    let mut hidden: Vec<String> = Vec::new();
    let mut pre = 0usize;
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            text_run(rest, &mut out, !hidden.is_empty(), pre > 0);
            break;
        };
        text_run(&rest[..lt], &mut out, !hidden.is_empty(), pre > 0);
        rest = &rest[lt..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |e| &comment[e + 3..]);
            continue;
        }
        let tag_body = &rest[1..];
        let closing = tag_body.starts_with('/');
        let name_start = if closing { &tag_body[1..] } else { tag_body };
        if !name_start.starts_with(|c: char| c.is_ascii_alphabetic()) {
            if rest.starts_with("<!") || rest.starts_with("<?") {
                rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
            } else {
                // A lone `<` is text.
                text_run("<", &mut out, !hidden.is_empty(), pre > 0);
                rest = &rest[1..];
            }
            continue;
        }
        let end = tag_end(rest);
        let tag_text = &tag_body[..end - 1];
        let tag_text = tag_text.strip_suffix('>').unwrap_or(tag_text);
        let name: String = name_start.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        rest = &rest[end..];
        let name = name.as_str();

        if !closing && matches!(name, "script" | "style" | "textarea" | "title") {
            // Raw text up to the matching end tag.
            let close = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            let stop = lower.find(&close).unwrap_or(rest.len());
            let raw = &rest[..stop];
            match name {
                "title" if title.is_none() => title = Some(collapse(&decode_entities(raw))),
                "textarea" if hidden.is_empty() => out.push_text(&decode_entities(raw), true),
                _ => {}
            }
            rest = &rest[stop..];
            rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
            continue;
        }
        if HIDDEN.contains(&name) {
            if closing {
                if let Some(i) = hidden.iter().rposition(|h| h == name) {
                    hidden.truncate(i);
                }
            } else if !rest_is_self_closed(tag_text) {
                hidden.push(name.to_string());
            }
            continue;
        }
        if name == "body" && !closing {
            // The head's end tag may be left out; the body ends it.
            hidden.retain(|h| h != "head");
        }
        if !hidden.is_empty() {
            continue;
        }
        match name {
            "br" => out.newline(),
            "td" | "th" if !closing => out.cell(),
            "pre" => {
                out.block();
                pre = if closing { pre.saturating_sub(1) } else { pre + 1 };
            }
            "img" if !closing => {
                if let Some(alt) = attribute(tag_text, "alt").filter(|a| !a.trim().is_empty()) {
                    out.push_text(&format!(" {} ", decode_entities(alt)), false);
                }
            }
            n if BLOCKS.contains(&n) => out.block(),
            _ => {}
        }
    }
    HtmlText { text: out.finish(), title: title.filter(|t| !t.is_empty()) }
}

/// Where a tag starting at `s[0] == '<'` ends (after its `>`), quotes in
/// attribute values respected.
fn tag_end(s: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

fn rest_is_self_closed(tag: &str) -> bool {
    tag.trim_end().ends_with('/')
}

/// The value of attribute `name` in a tag's text.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let before_ok = lower[..at].ends_with(|c: char| c.is_whitespace());
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_at = tag.len() - after.len() + 1;
        let value = tag[value_at..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split(|c: char| c.is_whitespace() || c == '>').next().unwrap_or(""),
        });
    }
    None
}

fn text_run(raw: &str, out: &mut Lines, hidden: bool, pre: bool) {
    if !hidden && !raw.is_empty() {
        out.push_text(&decode_entities(raw), pre);
    }
}

/// White space runs as one space, trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text being built, white space collapsed as a browser would.
#[derive(Default)]
struct Lines {
    text: String,
    /// A space is owed before the next visible character.
    space: bool,
}

impl Lines {
    fn at_line_start(&self) -> bool {
        self.text.is_empty() || self.text.ends_with(['\n', '\t'])
    }

    fn push_text(&mut self, s: &str, pre: bool) {
        if pre {
            self.text.push_str(s);
            self.space = false;
            return;
        }
        for c in s.chars() {
            if c.is_whitespace() && c != '\u{a0}' {
                self.space = true;
            } else {
                if self.space && !self.at_line_start() {
                    self.text.push(' ');
                }
                self.space = false;
                self.text.push(if c == '\u{a0}' { ' ' } else { c });
            }
        }
    }

    fn newline(&mut self) {
        self.text.push('\n');
        self.space = false;
    }

    /// A block boundary: a line break unless one is already there.
    fn block(&mut self) {
        if !self.at_line_start() {
            self.text.push('\n');
        }
        self.space = false;
    }

    /// A table cell after the first in its row: a tab.
    fn cell(&mut self) {
        if !self.at_line_start() {
            self.text.push('\t');
        }
        self.space = false;
    }

    fn finish(self) -> String {
        let mut out = String::with_capacity(self.text.len());
        let mut blank = 0;
        for line in self.text.lines().map(str::trim_end) {
            if line.is_empty() {
                blank += 1;
                if blank > 1 {
                    continue;
                }
            } else {
                blank = 0;
            }
            out.push_str(line);
            out.push('\n');
        }
        out.trim().to_string()
    }
}

/// Decodes character references and the common named entities; anything
/// else is left as written.
pub(super) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '#')).map(|e| e + 1).unwrap_or(rest.len());
        let name = &rest[1..end];
        let decoded = if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            code.map(|c| match c {
                // References to C1 controls mean Windows-1252, as browsers read them.
                0x80..=0x9F => {
                    let byte = [c as u8];
                    encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte).0.chars().next().unwrap_or('\u{fffd}')
                }
                _ => char::from_u32(c).filter(|c| *c != '\0').unwrap_or('\u{fffd}'),
            })
        } else {
            named_entity(name)
        };
        match decoded {
            Some(c) if !name.is_empty() => {
                out.push(c);
                rest = &rest[end..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "shy" => '\u{ad}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "middot" => '·',
        "deg" => '°',
        "plusmn" => '±',
        "times" => '×',
        "divide" => '÷',
        "para" => '¶',
        "sect" => '§',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "iexcl" => '¡',
        "iquest" => '¿',
        "frac12" => '½',
        "frac14" => '¼',
        "frac34" => '¾',
        "szlig" => 'ß',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "eacute" => 'é',
        "egrave" => 'è',
        "ecirc" => 'ê',
        "Eacute" => 'É',
        "aacute" => 'á',
        "agrave" => 'à',
        "acirc" => 'â',
        "iacute" => 'í',
        "oacute" => 'ó',
        "uacute" => 'ú',
        "ntilde" => 'ñ',
        "Ntilde" => 'Ñ',
        "ccedil" => 'ç',
        "Ccedil" => 'Ç',
        "oslash" => 'ø',
        "aring" => 'å',
        "Aring" => 'Å',
        "aelig" => 'æ',
        "AElig" => 'Æ',
        "thinsp" => '\u{2009}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "zwnj" => '\u{200c}',
        "zwj" => '\u{200d}',
        "rarr" => '→',
        "larr" => '←',
        "check" => '✓',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::documents::text;

    fn field<'a>(ex: &'a Extracted, name: &str) -> Option<(&'a str, &'a str)> {
        ex.metadata.iter().find(|f| f.field == name).map(|f| (f.value.as_str(), f.source.as_str()))
    }

    #[test]
    fn documents_text_windows_1252() {
        let bytes = b"Der B\xfcrgermeister sagte, da\xdf die Stra\xdfe f\xfcr alle ge\xf6ffnet wird. Caf\xe9 \x80 100 \x96 sofort, \x93bitte\x94.";
        let ex = text(bytes, TextKind::Plain).unwrap();
        assert_eq!(ex.text.as_deref(), Some("Der Bürgermeister sagte, daß die Straße für alle geöffnet wird. Café € 100 – sofort, “bitte”."));
        assert_eq!(field(&ex, "encoding"), Some(("windows-1252", "text:detected")));
        assert!(ex.problems.is_empty());
        assert_eq!(ex.extractor.name, "custos-extract/documents");
    }

    #[test]
    fn documents_text_utf16_with_and_without_bom() {
        let words = "Kündigung – vertraulich ✓\r\nZeile zwei";
        let mut le = vec![0xFF, 0xFE];
        le.extend(words.encode_utf16().flat_map(u16::to_le_bytes));
        let ex = text(&le, TextKind::Plain).unwrap();
        assert_eq!(ex.text.as_deref(), Some(words));
        assert_eq!(field(&ex, "encoding"), Some(("UTF-16LE", "text:bom")));

        let be: Vec<u8> = "Plain ASCII words in UTF-16BE".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let ex = text(&be, TextKind::Csv).unwrap();
        assert_eq!(ex.text.as_deref(), Some("Plain ASCII words in UTF-16BE"));
        assert_eq!(field(&ex, "encoding"), Some(("UTF-16BE", "text:detected")));
    }

    #[test]
    fn documents_text_utf8_csv_and_bad_bytes() {
        let csv = "name,amount\n\"Müller, J.\",12.50\n";
        let ex = text(csv.as_bytes(), TextKind::Csv).unwrap();
        assert_eq!(ex.text.as_deref(), Some(csv), "CSV is returned as decoded");
        assert_eq!(field(&ex, "encoding"), Some(("UTF-8", "text:detected")));

        let ex = text(b"\xEF\xBB\xBFok \xFF then more", TextKind::Plain).unwrap();
        assert_eq!(ex.text.as_deref(), Some("ok \u{fffd} then more"));
        assert_eq!(ex.problems.len(), 1, "a byte that is not UTF-8 is reported");
        assert!(text(b"   \n", TextKind::Plain).unwrap().text.is_none(), "white space alone is no text");
    }

    #[test]
    fn documents_text_html() {
        let html = b"<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">\
            <title>Board  minutes &amp; notes</title><style>p { color: red; }</style>\
            <script>var secret = '<p>not text</p>';</script></head>\
            <body><h1>Minutes</h1><p>Present:   J.&nbsp;Roe, M. M\xfcller &lt;chair&gt; &#8212; &#x2713;</p>\
            <!-- a comment <p>hidden</p> --><ul><li>Item one</li><li>Item <b>two</b></li></ul>\
            <table><tr><th>Name</th><th>Vote</th></tr><tr><td>Roe</td><td>Yes</td></tr></table>\
            Line<br>break <img src=x alt=\"Signature of J. Roe\"> end\
            <pre>  keep   this\n  as is</pre><p>AT&T &unknown; 5 < 6</p></body></html>";
        let ex = text(html, TextKind::Html).unwrap();
        assert_eq!(field(&ex, "title"), Some(("Board minutes & notes", "html:title")));
        assert_eq!(field(&ex, "encoding"), Some(("windows-1252", "html:meta")));
        assert_eq!(
            ex.text.as_deref(),
            Some(
                "Minutes\nPresent: J. Roe, M. Müller <chair> — ✓\nItem one\nItem two\nName\tVote\nRoe\tYes\nLine\nbreak Signature of J. Roe end\n  keep   this\n  as is\nAT&T &unknown; 5 < 6"
            )
        );
    }

    #[test]
    fn documents_text_html_without_head_end() {
        let ex = text(b"<html><head><title>T</title><body><p>Visible text</p>", TextKind::Html).unwrap();
        assert_eq!(ex.text.as_deref(), Some("Visible text"), "the body ends an unclosed head");
        assert_eq!(decode_entities("&#150;&amp&#0;"), "–&\u{fffd}", "C1 references as Windows-1252; a bare &amp");
    }

    #[test]
    fn documents_text_rtf() {
        let rtf = br#"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\froman\fcharset0 Times New Roman;}{\f1\fswiss\fcharset204 Arial Cyr;}}
{\colortbl;\red0\green0\blue0;}{\stylesheet{\ql \f0\fs24 \snext0 Normal;}}
{\info{\title Merger memo}{\author Jane Roe}{\operator John Doe}{\*\company Acme Corp}{\creatim\yr2024\mo3\dy5\hr9\min30}{\revtim\yr2024\mo3\dy6\hr10\min0}{\version2}{\nofpages1}{\nofwords12}}
{\*\generator Riched20 10.0.19041}\viewkind4\uc1
\pard\plain\f0\fs24 {\b Privileged} and confidential: caf\'e9 \u8212? done\u-3971?.\par
{\f1 \'cf\'f0\'e8\'e2\'e5\'f2}\tab tab\line next\par
{\field{\*\fldinst HYPERLINK "http://example.invalid"}{\fldrslt link text}}\par
\trowd\cellx2000\cellx4000 A1\cell B1\cell\row
{\pict\pngblip\picw10\pich10 89504e470d0a1a0a0000000d49484452}
Emoji \u-10179?\u-8704? and \{braces\} \\ end}"#;
        let ex = text(rtf, TextKind::Rtf).unwrap();
        assert_eq!(
            ex.text.as_deref(),
            Some("Privileged and confidential: café — done\u{f07d}.\nПривет\ttab\nnext\nlink text\nA1\tB1\nEmoji 😀 and {braces} \\ end")
        );
        let get = |s: &str| ex.metadata.iter().find(|f| f.source == s).map(|f| f.value.as_str());
        assert_eq!(get("rtf:ansicpg"), Some("windows-1252"));
        assert_eq!(get("rtf:info:title"), Some("Merger memo"));
        assert_eq!(get("rtf:info:author"), Some("Jane Roe"));
        assert_eq!(get("rtf:info:operator"), Some("John Doe"));
        assert_eq!(get("rtf:info:company"), Some("Acme Corp"), "a starred destination read here");
        assert_eq!(get("rtf:info:creatim"), Some("2024-03-05T09:30:00"));
        assert_eq!(get("rtf:info:revtim"), Some("2024-03-06T10:00:00"));
        assert_eq!(get("rtf:info:version"), Some("2"));
        assert_eq!(get("rtf:info:nofpages"), Some("1"));
        assert!(matches!(text(b"plain words", TextKind::Rtf), Err(Error::Malformed(_))));
    }
}
