//! One PST message written as an RFC 5322 message: its headers from the
//! original transport headers where the PST kept them, else from its MAPI
//! properties; its plain and HTML bodies; its attachments as MIME parts,
//! embedded messages as `message/rfc822` parts.

use std::collections::BTreeMap;
use std::rc::Rc;

use encoding_rs::Encoding;
use outlook_pst::ltp::prop_context::PropertyValue;
use outlook_pst::ltp::table_context::TableContext;
use outlook_pst::messaging::attachment::{Attachment, AttachmentData};
use outlook_pst::messaging::message::{Message, MessageProperties};
use outlook_pst::ndb::node_id::NodeId;

use super::mime::{self, Address, CRLF};
use super::Msg;
use crate::Problem;

/// How deep embedded messages are written inside one another.
pub(super) const MAX_EMBEDDED_DEPTH: usize = 10;

// MAPI property tags (the identifier half), as MS-OXPROPS names them.
const PR_IMPORTANCE: u16 = 0x0017;
const PR_MESSAGE_CLASS: u16 = 0x001A;
const PR_SUBJECT: u16 = 0x0037;
const PR_CLIENT_SUBMIT_TIME: u16 = 0x0039;
const PR_SENT_REPRESENTING_NAME: u16 = 0x0042;
const PR_SENT_REPRESENTING_ADDRTYPE: u16 = 0x0064;
const PR_SENT_REPRESENTING_EMAIL_ADDRESS: u16 = 0x0065;
const PR_TRANSPORT_MESSAGE_HEADERS: u16 = 0x007D;
const PR_RECIPIENT_TYPE: u16 = 0x0C15;
const PR_SENDER_NAME: u16 = 0x0C1A;
const PR_SENDER_ADDRTYPE: u16 = 0x0C1E;
const PR_SENDER_EMAIL_ADDRESS: u16 = 0x0C1F;
const PR_DISPLAY_BCC: u16 = 0x0E02;
const PR_DISPLAY_CC: u16 = 0x0E03;
const PR_DISPLAY_TO: u16 = 0x0E04;
const PR_MESSAGE_DELIVERY_TIME: u16 = 0x0E06;
const PR_MESSAGE_FLAGS: u16 = 0x0E07;
const PR_BODY: u16 = 0x1000;
const PR_HTML: u16 = 0x1013;
const PR_INTERNET_MESSAGE_ID: u16 = 0x1035;
const PR_INTERNET_REFERENCES: u16 = 0x1039;
const PR_IN_REPLY_TO_ID: u16 = 0x1042;
const PR_LAST_VERB_EXECUTED: u16 = 0x1081;
const PR_FLAG_STATUS: u16 = 0x1090;
const PR_DISPLAY_NAME: u16 = 0x3001;
const PR_ADDRTYPE: u16 = 0x3002;
const PR_EMAIL_ADDRESS: u16 = 0x3003;
const PR_ATTACH_FILENAME: u16 = 0x3704;
const PR_ATTACH_METHOD: u16 = 0x3705;
const PR_ATTACH_LONG_FILENAME: u16 = 0x3707;
const PR_ATTACH_PATHNAME: u16 = 0x3708;
const PR_ATTACH_LONG_PATHNAME: u16 = 0x370D;
const PR_ATTACH_MIME_TAG: u16 = 0x370E;
const PR_ATTACH_CONTENT_ID: u16 = 0x3712;
const PR_SMTP_ADDRESS: u16 = 0x39FE;
const PR_INTERNET_CPID: u16 = 0x3FDE;
const PR_MESSAGE_CODEPAGE: u16 = 0x3FFD;
const PR_SENDER_SMTP_ADDRESS: u16 = 0x5D01;
const PR_SENT_REPRESENTING_SMTP_ADDRESS: u16 = 0x5D02;

const MSGFLAG_READ: i32 = 0x01;
const MSGFLAG_UNSENT: i32 = 0x08;
const IMPORTANCE_HIGH: i32 = 2;
const FLAG_STATUS_FLAGGED: i32 = 2;
const VERB_REPLY_TO_SENDER: i32 = 102;
const VERB_REPLY_TO_ALL: i32 = 103;
const VERB_FORWARD: i32 = 104;
const MAPI_TO: i32 = 1;
const MAPI_CC: i32 = 2;
const MAPI_BCC: i32 = 3;
const ATTACH_EMBEDDED_MSG: i32 = 5;

/// A message written out, with what the PST says of it.
pub(super) struct Rendered {
    /// The RFC 5322 bytes.
    pub bytes: Vec<u8>,
    /// The subject (prefix included), if any.
    pub subject: Option<String>,
    /// Flags from the message's MAPI properties.
    pub flags: Vec<String>,
}

/// The encoding named by a Windows code page, for 8-bit strings.
pub(super) fn code_page(cp: i32) -> Option<&'static Encoding> {
    let label: &[u8] = match cp {
        65001 => b"utf-8",
        874 => b"windows-874",
        932 => b"shift_jis",
        936 => b"gbk",
        949 => b"euc-kr",
        950 => b"big5",
        866 => b"ibm866",
        1250 => b"windows-1250",
        1251 => b"windows-1251",
        1252 | 20127 | 28591 => b"windows-1252",
        1253 => b"windows-1253",
        1254 => b"windows-1254",
        1255 => b"windows-1255",
        1256 => b"windows-1256",
        1257 => b"windows-1257",
        1258 => b"windows-1258",
        10000 => b"macintosh",
        20866 => b"koi8-r",
        21866 => b"koi8-u",
        28592 => b"iso-8859-2",
        28593 => b"iso-8859-3",
        28594 => b"iso-8859-4",
        28595 => b"iso-8859-5",
        28596 => b"iso-8859-6",
        28597 => b"iso-8859-7",
        28598 => b"iso-8859-8",
        28603 => b"iso-8859-13",
        28605 => b"iso-8859-15",
        50220..=50222 => b"iso-2022-jp",
        51932 => b"euc-jp",
        51936 | 54936 => b"gb18030",
        _ => return None,
    };
    Encoding::for_label(label)
}

/// A string value as text: UTF-16 as is, 8-bit strings in `encoding`.
pub(super) fn string(value: Option<&PropertyValue>, encoding: &'static Encoding) -> Option<String> {
    match value? {
        PropertyValue::Unicode(v) => Some(String::from_utf16_lossy(v.buffer())),
        PropertyValue::String8(v) => Some(encoding.decode_without_bom_handling(v.buffer()).0.into_owned()),
        PropertyValue::Binary(v) => Some(encoding.decode_without_bom_handling(v.buffer()).0.into_owned()),
        _ => None,
    }
}

/// A 32-bit integer value.
fn integer(value: Option<&PropertyValue>) -> Option<i32> {
    match value? {
        PropertyValue::Integer32(v) => Some(*v),
        PropertyValue::Integer16(v) => Some(i32::from(*v)),
        _ => None,
    }
}

/// A FILETIME (100 ns since 1601) as an RFC 2822 date.
fn date(value: Option<&PropertyValue>) -> Option<String> {
    let PropertyValue::Time(filetime) = value? else { return None };
    let secs = filetime.div_euclid(10_000_000) - 11_644_473_600;
    let nanos = u32::try_from(filetime.rem_euclid(10_000_000) * 100).ok()?;
    chrono::DateTime::from_timestamp(secs, nanos).map(|d| d.to_rfc2822())
}

/// A non-empty string, trimmed.
fn present(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// The MAPI properties of one message, read with its code page.
struct Props<'a> {
    props: &'a MessageProperties,
    encoding: &'static Encoding,
}

impl Props<'_> {
    fn string(&self, id: u16) -> Option<String> {
        present(string(self.props.get(id), self.encoding))
    }

    fn integer(&self, id: u16) -> Option<i32> {
        integer(self.props.get(id))
    }

    /// The subject without the MAPI subject-prefix marker (a leading
    /// U+0001 and the prefix length).
    fn subject(&self) -> Option<String> {
        let subject = string(self.props.get(PR_SUBJECT), self.encoding)?;
        let subject = match subject.strip_prefix('\u{1}') {
            Some(rest) => rest.chars().skip(1).collect(),
            None => subject,
        };
        present(Some(subject))
    }

    /// A person named by a name, an address type and address, and an SMTP
    /// address property.
    fn person(&self, name: u16, addrtype: u16, email: u16, smtp: u16) -> Option<Address> {
        address(self.string(name), self.string(addrtype), self.string(email), self.string(smtp))
    }
}

/// An address from its MAPI parts: the SMTP address where known, an
/// address with an `@`, else the other kind of address as a comment.
fn address(name: Option<String>, addrtype: Option<String>, email: Option<String>, smtp: Option<String>) -> Option<Address> {
    let mut result = Address { name: name.unwrap_or_default(), ..Address::default() };
    let smtp_type = addrtype.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("SMTP"));
    match (smtp, email) {
        (Some(smtp), _) if smtp.contains('@') => result.email = Some(smtp),
        (_, Some(email)) if smtp_type || email.contains('@') && !email.starts_with('/') => result.email = Some(email),
        (_, Some(email)) => result.other = Some(email),
        _ => {}
    }
    if result.name.is_empty() && result.email.is_none() && result.other.is_none() { None } else { Some(result) }
}

/// The flags the message's properties record.
fn flags(props: &Props) -> Vec<String> {
    let mut flags = Vec::new();
    let message_flags = props.integer(PR_MESSAGE_FLAGS).unwrap_or(0);
    if message_flags & MSGFLAG_READ != 0 {
        flags.push("read".to_string());
    }
    if message_flags & MSGFLAG_UNSENT != 0 {
        flags.push("draft".to_string());
    }
    if props.integer(PR_FLAG_STATUS) == Some(FLAG_STATUS_FLAGGED) {
        flags.push("flagged".to_string());
    }
    match props.integer(PR_LAST_VERB_EXECUTED) {
        Some(VERB_REPLY_TO_SENDER | VERB_REPLY_TO_ALL) => flags.push("answered".to_string()),
        Some(VERB_FORWARD) => flags.push("forwarded".to_string()),
        _ => {}
    }
    if props.integer(PR_IMPORTANCE) == Some(IMPORTANCE_HIGH) {
        flags.push("important".to_string());
    }
    flags
}

/// The recipients in the recipient table, by kind (To, Cc, Bcc); `None`
/// when the table has none.
fn recipient_table(table: &dyn TableContext, encoding: &'static Encoding) -> Option<[Vec<Address>; 3]> {
    let context = table.context();
    let mut lists: [Vec<Address>; 3] = Default::default();
    let mut any = false;
    for row in table.rows_matrix() {
        let Ok(columns) = row.columns(context) else { continue };
        let mut values = BTreeMap::new();
        for (column, value) in context.columns().iter().zip(columns) {
            if let Some(value) = value
                && let Ok(value) = table.read_column(&value, column.prop_type()) {
                    values.insert(column.prop_id(), value);
                }
        }
        let text = |id| present(string(values.get(&id), encoding));
        let Some(person) = address(text(PR_DISPLAY_NAME), text(PR_ADDRTYPE), text(PR_EMAIL_ADDRESS), text(PR_SMTP_ADDRESS)) else { continue };
        let index = match integer(values.get(&PR_RECIPIENT_TYPE)).map(|t| t & 0x0F) {
            Some(MAPI_CC) => 1,
            Some(MAPI_BCC) => 2,
            Some(MAPI_TO) | None => 0,
            Some(_) => continue,
        };
        lists[index].push(person);
        any = true;
    }
    any.then_some(lists)
}

/// Names from a PR_DISPLAY_TO/CC/BCC list (`a; b; c`).
fn display_list(value: Option<String>) -> Vec<Address> {
    value
        .unwrap_or_default()
        .split(';')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| Address { name: n.to_string(), ..Address::default() })
        .collect()
}

/// The original transport headers as header lines in CRLF, less the MIME
/// fields that described the original body; `None` if they do not look
/// like headers.
fn transport_headers(headers: &str) -> Option<String> {
    let mut out = String::new();
    let mut keep = false;
    let mut fields = 0;
    for line in headers.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            if fields > 0 {
                break;
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if fields == 0 {
                return None;
            }
        } else {
            let (name, _) = line.split_once(':')?;
            if name.is_empty() || name.contains(' ') {
                return None;
            }
            let lower = name.to_ascii_lowercase();
            keep = lower != "mime-version" && !lower.starts_with("content-");
            fields += 1;
        }
        if keep {
            out.push_str(line);
            out.push_str(CRLF);
        }
    }
    (fields > 0).then_some(out)
}

/// The headers built from the message's properties.
fn built_headers(message: &dyn Message, props: &Props) -> String {
    let mut head = String::new();
    let sender = props.person(PR_SENDER_NAME, PR_SENDER_ADDRTYPE, PR_SENDER_EMAIL_ADDRESS, PR_SENDER_SMTP_ADDRESS);
    let representing = props.person(PR_SENT_REPRESENTING_NAME, PR_SENT_REPRESENTING_ADDRTYPE, PR_SENT_REPRESENTING_EMAIL_ADDRESS, PR_SENT_REPRESENTING_SMTP_ADDRESS);
    let from = representing.clone().or_else(|| sender.clone());
    if let Some(from) = &from {
        head.extend(mime::addresses("From", std::slice::from_ref(from)));
    }
    if let (Some(sender), Some(_)) = (&sender, &representing)
        && Some(sender) != from.as_ref() {
            head.extend(mime::addresses("Sender", std::slice::from_ref(sender)));
        }
    let lists = message
        .recipient_table()
        .and_then(|t| recipient_table(t.as_ref(), props.encoding))
        .unwrap_or_else(|| [display_list(props.string(PR_DISPLAY_TO)), display_list(props.string(PR_DISPLAY_CC)), display_list(props.string(PR_DISPLAY_BCC))]);
    for (name, list) in ["To", "Cc", "Bcc"].into_iter().zip(&lists) {
        head.extend(mime::addresses(name, list));
    }
    if let Some(subject) = props.subject() {
        head.push_str(&mime::text("Subject", &subject));
    }
    if let Some(date) = date(message.properties().get(PR_CLIENT_SUBMIT_TIME)).or_else(|| date(message.properties().get(PR_MESSAGE_DELIVERY_TIME))) {
        head.push_str(&mime::text("Date", &date));
    }
    for (name, id) in [("Message-ID", PR_INTERNET_MESSAGE_ID), ("In-Reply-To", PR_IN_REPLY_TO_ID), ("References", PR_INTERNET_REFERENCES)] {
        if let Some(value) = props.string(id) {
            head.push_str(&mime::text(name, &value));
        }
    }
    head
}

/// A text part (`text/plain`, `text/html`) in quoted-printable.
fn text_part(subtype: &str, charset: Option<&str>, data: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Type: text/{subtype}").into_bytes();
    if let Some(charset) = charset {
        out.extend_from_slice(format!("; charset=\"{charset}\"").as_bytes());
    }
    out.extend_from_slice(format!("{CRLF}Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}").as_bytes());
    mime::quoted_printable(data, &mut out);
    out
}

/// A body property as bytes and the charset they are in.
fn body_bytes(value: Option<&PropertyValue>, encoding: &'static Encoding) -> Option<(Vec<u8>, &'static str)> {
    let (bytes, charset) = match value? {
        PropertyValue::Unicode(v) => (String::from_utf16_lossy(v.buffer()).into_bytes(), "utf-8"),
        PropertyValue::String8(v) => (v.buffer().to_vec(), encoding.name()),
        PropertyValue::Binary(v) => (v.buffer().to_vec(), encoding.name()),
        _ => return None,
    };
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    (end > 0).then(|| (bytes[..end].to_vec(), charset))
}

/// A MIME type from PR_ATTACH_MIME_TAG, if it is a well-formed one.
fn mime_type(value: Option<String>) -> String {
    let valid = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b));
    match value {
        Some(v) if v.split_once('/').is_some_and(|(t, s)| valid(t) && valid(s)) => v.to_ascii_lowercase(),
        _ => "application/octet-stream".to_string(),
    }
}

/// What one message is written with: the limit on its size and where its
/// problems go.
pub(super) struct Context<'a> {
    /// The largest message, in bytes.
    pub max_bytes: u64,
    /// Problems with parts of the message.
    pub problems: &'a mut Vec<Problem>,
    /// A seed for MIME boundaries.
    pub seed: usize,
}

/// Writes `message` as RFC 5322 bytes; `label` names it in problems
/// (`/Inbox/message 3`). An error is why the whole message could not be
/// written.
pub(super) fn message(message: &Msg, label: &str, depth: usize, cx: &mut Context) -> std::result::Result<Rendered, String> {
    let m = message.message();
    let mapi = m.properties();
    let encoding = integer(mapi.get(PR_MESSAGE_CODEPAGE))
        .and_then(code_page)
        .or_else(|| integer(mapi.get(PR_INTERNET_CPID)).and_then(code_page))
        .unwrap_or(encoding_rs::WINDOWS_1252);
    let props = Props { props: mapi, encoding };

    let mut head = props
        .string(PR_TRANSPORT_MESSAGE_HEADERS)
        .and_then(|h| transport_headers(&h))
        .unwrap_or_else(|| built_headers(m.as_ref(), &props));
    let class = props.string(PR_MESSAGE_CLASS).unwrap_or_default();
    if !class.to_ascii_lowercase().starts_with("ipm.note") {
        head.push_str(&mime::text("X-Custos-Message-Class", if class.is_empty() { "(none)" } else { &class }));
    }
    head.push_str(&format!("MIME-Version: 1.0{CRLF}"));

    let mut bodies = Vec::new();
    if let Some((text, charset)) = body_bytes(mapi.get(PR_BODY), encoding) {
        bodies.push(text_part("plain", Some(charset), &text));
    }
    let html_encoding = integer(mapi.get(PR_INTERNET_CPID)).and_then(code_page).unwrap_or(encoding);
    if let Some((html, charset)) = body_bytes(mapi.get(PR_HTML), html_encoding) {
        bodies.push(text_part("html", Some(charset), &html));
    }
    if bodies.is_empty()
        && let Some(PropertyValue::Binary(rtf)) = mapi.get(super::rtf::PR_RTF_COMPRESSED)
    {
        match super::rtf::body(rtf.buffer(), text_part) {
            Ok(parts) => bodies.extend(parts),
            Err(reason) => cx.problems.push(Problem { item: label.to_string(), reason }),
        }
    }
    let body = match bodies.len() {
        0 => text_part("plain", Some("utf-8"), b""),
        1 => bodies.remove(0),
        _ => mime::multipart("alternative", bodies, cx.seed),
    };

    let mut size = (head.len() + body.len()) as u64;
    let mut parts = vec![body];
    if let Some(table) = m.attachment_table() {
        let rows: Vec<u32> = table.rows_matrix().map(|row| u32::from(row.id())).collect();
        for (index, id) in rows.into_iter().enumerate() {
            let item = format!("{label}/attachment {}", index + 1);
            let Some(read) = message.attachment(NodeId::from(id)) else {
                cx.problems.push(Problem { item, reason: "outlook-pst 1.2 cannot read the attachments of an embedded message".into() });
                continue;
            };
            let attachment = match read {
                Ok(a) => a,
                Err(e) => {
                    cx.problems.push(Problem { item, reason: format!("cannot read the attachment: {e}") });
                    continue;
                }
            };
            if let Some(part) = attachment_part(attachment, &item, depth, cx)? {
                size += part.len() as u64;
                if size > cx.max_bytes {
                    return Err(format!("larger than the limit of {} bytes", cx.max_bytes));
                }
                parts.push(part);
            }
        }
    }
    let body = if parts.len() == 1 { parts.remove(0) } else { mime::multipart("mixed", parts, cx.seed.wrapping_add(depth + 1)) };
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&body);
    if bytes.len() as u64 > cx.max_bytes {
        return Err(format!("larger than the limit of {} bytes", cx.max_bytes));
    }
    Ok(Rendered { bytes, subject: props.subject(), flags: flags(&props) })
}

/// One attachment as a MIME part; `None` (with a problem) when it holds no
/// data this writer can give.
fn attachment_part(attachment: Rc<dyn Attachment>, item: &str, depth: usize, cx: &mut Context) -> std::result::Result<Option<Vec<u8>>, String> {
    let props = attachment.properties();
    let encoding = encoding_rs::WINDOWS_1252;
    let text = |id| present(string(props.get(id), encoding));
    let name = text(PR_ATTACH_LONG_FILENAME).or_else(|| text(PR_ATTACH_FILENAME)).or_else(|| text(PR_DISPLAY_NAME));
    let method = integer(props.get(PR_ATTACH_METHOD)).unwrap_or(0);
    match attachment.data() {
        Some(AttachmentData::Binary(data)) => {
            let data = data.buffer();
            if data.len() as u64 > cx.max_bytes {
                return Err(format!("an attachment is larger than the limit of {} bytes", cx.max_bytes));
            }
            let mime_type = mime_type(text(PR_ATTACH_MIME_TAG));
            let mut head = format!("Content-Type: {mime_type}");
            let mut disposition = "Content-Disposition: attachment".to_string();
            if let Some(name) = &name {
                head.push_str(&mime::parameter("name", name));
                disposition.push_str(&mime::parameter("filename", name));
            }
            head.push_str(&format!("{CRLF}Content-Transfer-Encoding: base64{CRLF}{disposition}{CRLF}"));
            if let Some(id) = text(PR_ATTACH_CONTENT_ID) {
                let id = id.trim_matches(['<', '>']);
                head.push_str(&mime::text("Content-ID", &format!("<{id}>")));
            }
            head.push_str(CRLF);
            let mut out = head.into_bytes();
            mime::base64_lines(data, &mut out);
            Ok(Some(out))
        }
        Some(AttachmentData::Message(embedded)) => {
            if depth + 1 > MAX_EMBEDDED_DEPTH {
                cx.problems.push(Problem { item: item.to_string(), reason: format!("embedded messages nested deeper than {MAX_EMBEDDED_DEPTH}: not written") });
                return Ok(None);
            }
            let inner = message(&Msg::Embedded(embedded.clone()), item, depth + 1, cx)?;
            let file = name.or_else(|| inner.subject.clone()).unwrap_or_else(|| "message".to_string());
            let file = if file.to_ascii_lowercase().ends_with(".eml") || file.to_ascii_lowercase().ends_with(".msg") { file } else { format!("{file}.eml") };
            let mut head = format!("Content-Type: message/rfc822{CRLF}");
            if !inner.bytes.is_ascii() {
                head.push_str(&format!("Content-Transfer-Encoding: 8bit{CRLF}"));
            }
            head.push_str(&format!("Content-Disposition: attachment{}{CRLF}{CRLF}", mime::parameter("filename", &file)));
            let mut out = head.into_bytes();
            out.extend_from_slice(&inner.bytes);
            Ok(Some(out))
        }
        None => {
            let reason = match method {
                ATTACH_EMBEDDED_MSG => "the embedded message could not be read".to_string(),
                2 | 4 | 7 => format!("a reference to a file outside the data file ({}): no data", text(PR_ATTACH_LONG_PATHNAME).or_else(|| text(PR_ATTACH_PATHNAME)).unwrap_or_else(|| "no path given".into())),
                m => format!("no data (attachment method {m})"),
            };
            let item = match &name {
                Some(name) => format!("{item} ({name})"),
                None => item.to_string(),
            };
            cx.problems.push(Problem { item, reason });
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_headers_drop_the_original_mime_fields() {
        let original = "Received: from a\r\n\tby b\r\nSubject: Hi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n\tboundary=\"x\"\r\nX-Other: y\r\n\r\n";
        assert_eq!(transport_headers(original).unwrap(), "Received: from a\r\n\tby b\r\nSubject: Hi\r\nX-Other: y\r\n");
        assert_eq!(transport_headers("not headers at all"), None);
        assert_eq!(transport_headers(""), None);
    }

    #[test]
    fn addresses_prefer_smtp_and_keep_exchange_names_as_comments() {
        let ex = address(Some("Anna".into()), Some("EX".into()), Some("/O=ORG/CN=ANNA".into()), None).unwrap();
        assert_eq!(ex.email, None);
        assert_eq!(ex.other.as_deref(), Some("/O=ORG/CN=ANNA"));
        let smtp = address(Some("Anna".into()), Some("EX".into()), Some("/O=ORG/CN=ANNA".into()), Some("anna@example.org".into())).unwrap();
        assert_eq!(smtp.email.as_deref(), Some("anna@example.org"));
        assert_eq!(address(None, None, None, None), None);
    }

    #[test]
    fn dates_and_code_pages() {
        // 2001-09-09T01:46:40Z.
        let filetime = (1_000_000_000 + 11_644_473_600) * 10_000_000;
        assert_eq!(date(Some(&PropertyValue::Time(filetime))).unwrap(), "Sun, 9 Sep 2001 01:46:40 +0000");
        assert_eq!(code_page(1251).unwrap().name(), "windows-1251");
        assert_eq!(code_page(65001).unwrap().name(), "UTF-8");
        assert!(code_page(12345).is_none());
        assert_eq!(mime_type(Some("Image/PNG".into())), "image/png");
        assert_eq!(mime_type(Some("bad type".into())), "application/octet-stream");
    }
}
