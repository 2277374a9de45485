//! The pieces of an RFC 5322 / MIME message: header encoding and folding
//! (RFC 2047, RFC 2231), quoted-printable and base64 bodies, boundaries.

/// Line end of every written line.
pub(super) const CRLF: &str = "\r\n";

/// Characters of a header line past which it is folded where it can be.
const FOLD_AT: usize = 76;

/// The standard base64 alphabet.
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 of `data`, without line breaks.
pub(super) fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 of `data` in lines of 76 characters, each ending in CRLF, for a
/// MIME body.
pub(super) fn base64_lines(data: &[u8], out: &mut Vec<u8>) {
    // 57 bytes make 76 characters.
    for chunk in data.chunks(57) {
        out.extend_from_slice(base64(chunk).as_bytes());
        out.extend_from_slice(CRLF.as_bytes());
    }
}

/// Quoted-printable (RFC 2045) of `data`: line breaks (LF or CRLF) become
/// CRLF, lines are soft-broken before 76 characters, and every line ends
/// in CRLF.
pub(super) fn quoted_printable(data: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut width = 0;
        for (i, &b) in line.iter().enumerate() {
            let last = i + 1 == line.len();
            let plain = (b == b' ' || b == b'\t') && !last || (33..=126).contains(&b) && b != b'=';
            let size = if plain { 1 } else { 3 };
            // Keep one column for the soft break's "=".
            if width + size > FOLD_AT - 1 {
                out.extend_from_slice(b"=\r\n");
                width = 0;
            }
            if plain {
                out.push(b);
            } else {
                out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            }
            width += size;
        }
        out.extend_from_slice(CRLF.as_bytes());
    }
}

/// Text for a header value with no line breaks or control characters.
fn clean(value: &str) -> String {
    value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// RFC 2047 encoded words (UTF-8, base64) for `text`, each short enough
/// for one line.
fn encoded_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        // 45 bytes make 60 characters of base64, 72 with the wrapping.
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
    }
    words
}

/// Joins `name: ` and the words of a value, folding between words where a
/// line would grow past 76 characters.
fn fold(name: &str, words: &[String], sep: &str) -> String {
    let mut out = format!("{name}:");
    let mut width = out.len();
    for (i, word) in words.iter().enumerate() {
        let piece = if i + 1 < words.len() { format!("{word}{sep}") } else { word.clone() };
        // A line holds at least one word besides the field name.
        if width + 1 + piece.len() > FOLD_AT && (i > 0 || name.len() + 1 + piece.len() > FOLD_AT + 2) {
            out.push_str(CRLF);
            width = 0;
        }
        out.push(' ');
        out.push_str(&piece);
        width += 1 + piece.len();
    }
    out.push_str(CRLF);
    out
}

/// A header line (Subject, Date, Message-ID, …) with line breaks and
/// control characters removed: ASCII folded at spaces, anything else as
/// encoded words.
pub(super) fn text(name: &str, value: &str) -> String {
    let value = clean(value);
    if value.is_ascii() {
        let words: Vec<String> = value.split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect();
        fold(name, &words, "")
    } else {
        fold(name, &encoded_words(&value), "")
    }
}

/// One address of an address list: a display name, an e-mail address, or
/// both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Address {
    /// The display name.
    pub name: String,
    /// An Internet address (with an `@`), if known.
    pub email: Option<String>,
    /// Another kind of address (an Exchange distinguished name), kept as a
    /// comment.
    pub other: Option<String>,
}

/// A display name as an RFC 5322 phrase: a quoted string, or encoded
/// words where it is not ASCII.
fn phrase(name: &str) -> Vec<String> {
    if name.is_ascii() {
        let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
        vec![format!("\"{escaped}\"")]
    } else {
        encoded_words(name)
    }
}

/// A comment `(…)` holding `text`, or encoded words where it is not ASCII.
fn comment(text: &str) -> Vec<String> {
    if text.is_ascii() {
        let escaped = text.replace('\\', "\\\\").replace('(', "\\(").replace(')', "\\)");
        vec![format!("({escaped})")]
    } else {
        let mut words = encoded_words(text);
        if let Some(first) = words.first_mut() {
            first.insert(0, '(');
        }
        if let Some(last) = words.last_mut() {
            last.push(')');
        }
        words
    }
}

/// An address header (From, To, Cc, Bcc); `None` when there is no address.
pub(super) fn addresses(name: &str, list: &[Address]) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    let mut first = true;
    for address in list {
        let display = clean(&address.name);
        let email = address.email.as_deref().map(clean).filter(|e| !e.is_empty() && e.is_ascii() && !e.contains(['<', '>', ' ', ',']));
        let other = address.other.as_deref().map(clean).filter(|o| !o.is_empty());
        if display.is_empty() && email.is_none() && other.is_none() {
            continue;
        }
        if !first
            && let Some(last) = words.last_mut() {
                last.push(',');
            }
        first = false;
        if !display.is_empty() {
            words.extend(phrase(&display));
        }
        match (email, other) {
            (Some(email), _) => words.push(format!("<{email}>")),
            (None, Some(other)) => words.extend(comment(&other)),
            (None, None) => {}
        }
    }
    if words.is_empty() { None } else { Some(fold(name, &words, "")) }
}

/// A parameter of a MIME header (`; name="value"`), written with RFC 2231
/// (`name*=UTF-8''…`) where the value is not plain ASCII.
pub(super) fn parameter(name: &str, value: &str) -> String {
    let value = clean(value);
    if value.is_ascii() {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        format!(";{CRLF} {name}=\"{escaped}\"")
    } else {
        let mut encoded = String::new();
        for b in value.bytes() {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                encoded.push(b as char);
            } else {
                encoded.push_str(&format!("%{b:02X}"));
            }
        }
        format!(";{CRLF} {name}*=UTF-8''{encoded}")
    }
}

/// A MIME boundary that appears nowhere in the parts it separates.
pub(super) fn boundary(parts: &[Vec<u8>], seed: usize) -> String {
    let mut n = seed;
    loop {
        let candidate = format!("=_custos_{n:08x}_part");
        if !parts.iter().any(|p| contains(p, candidate.as_bytes())) {
            return candidate;
        }
        n = n.wrapping_mul(31).wrapping_add(7);
    }
}

/// Whether `haystack` holds `needle`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A `multipart/…` part (headers and body) holding `parts`.
pub(super) fn multipart(subtype: &str, parts: Vec<Vec<u8>>, seed: usize) -> Vec<u8> {
    let boundary = boundary(&parts, seed);
    let mut out = format!("Content-Type: multipart/{subtype};{CRLF} boundary=\"{boundary}\"{CRLF}{CRLF}").into_bytes();
    for part in parts {
        out.extend_from_slice(format!("--{boundary}{CRLF}").as_bytes());
        out.extend_from_slice(&part);
        if !part.ends_with(CRLF.as_bytes()) {
            out.extend_from_slice(CRLF.as_bytes());
        }
    }
    out.extend_from_slice(format!("--{boundary}--{CRLF}").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        let mut out = Vec::new();
        base64_lines(&[0u8; 100], &mut out);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0].len(), 76);
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn quoted_printable_round_trips_through_mail_parser() {
        let text = "Caf\u{e9} = caf\u{e9}, and a long line ".repeat(8) + "\nend with space \nlast";
        let mut body = Vec::new();
        quoted_printable(text.as_bytes(), &mut body);
        for line in body.split(|&b| b == b'\n') {
            assert!(line.len() <= 77, "line too long: {}", line.len());
        }
        let mut message = b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".to_vec();
        message.extend_from_slice(&body);
        let parsed = mail_parser::MessageParser::default().parse(&message).unwrap();
        assert_eq!(parsed.body_text(0).unwrap().replace("\r\n", "\n").trim_end(), text);
    }

    #[test]
    fn headers_encode_non_ascii_and_fold() {
        let subject = text("Subject", "R\u{e9}union \u{2014} budget 2024 ".repeat(6).as_str());
        assert!(subject.is_ascii());
        assert!(subject.lines().all(|l| l.len() <= 78));
        let list = [
            Address { name: "M\u{fc}ller, Anna".into(), email: Some("anna@example.org".into()), other: None },
            Address { name: "Say \"hi\"".into(), email: None, other: Some("/O=ORG/CN=X".into()) },
        ];
        let to = addresses("To", &list).unwrap();
        let mut message = format!("{subject}{to}\r\nbody\r\n").into_bytes();
        message.splice(0..0, b"From: a@example.org\r\n".iter().copied());
        let parsed = mail_parser::MessageParser::default().parse(&message).unwrap();
        assert_eq!(parsed.subject().unwrap().trim(), "R\u{e9}union \u{2014} budget 2024 ".repeat(6).trim());
        let to = parsed.to().unwrap().first().unwrap();
        assert_eq!(to.name().unwrap(), "M\u{fc}ller, Anna");
        assert_eq!(to.address().unwrap(), "anna@example.org");
        assert_eq!(addresses("To", &[Address::default()]), None);
    }

    #[test]
    fn parameters_use_rfc_2231_for_non_ascii() {
        assert_eq!(parameter("filename", "a \"b\".pdf"), ";\r\n filename=\"a \\\"b\\\".pdf\"");
        assert_eq!(parameter("filename", "\u{e9}t\u{e9} 1.pdf"), ";\r\n filename*=UTF-8''%C3%A9t%C3%A9%201.pdf");
    }

    #[test]
    fn boundary_avoids_the_parts() {
        let first = boundary(&[], 1);
        let parts = vec![format!("x{first}y").into_bytes()];
        assert_ne!(boundary(&parts, 1), first);
    }
}
