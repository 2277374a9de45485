//! RFC 5322 / MIME messages (`.eml`), read with mail-parser.

use std::borrow::Cow;

use mail_parser::decoders::html::html_to_text;
use mail_parser::parsers::MessageStream;
use mail_parser::{Encoding, HeaderName, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType};

use super::{Budget, address, file_name_part};
use crate::{Error, Extracted, Field, Item, Limits, Problem, Result};

/// The most characters of a subject used in a file name.
pub(super) const SUBJECT_CHARS: usize = 60;

/// Reads an RFC 5322 / MIME message: its metadata, its text and its
/// attachments.
///
/// Metadata: `from`, `to`, `cc`, `bcc` (addresses joined with `; `),
/// `subject`, `date_sent` (the `Date` header), `date_received` (one for
/// each `Received` header with a date, after its last `;`), `message_id`,
/// `in_reply_to`, `references`, `thread_id` (the first of the references,
/// else the message it replies to, else its own id, without angle
/// brackets), `attachment_count` and `attachment_names` (one for each);
/// each only when the message has it. Dates are RFC 3339 with the offset
/// the message gives; a date that cannot be read is kept as written.
///
/// The text is the plain-text body, or the HTML body made text when there
/// is no plain one. Each attachment is a child item, its bytes decoded from
/// the transfer encoding; an attached message is its own bytes, named after
/// its subject. An attachment that cannot be decoded or passes one of the
/// `limits` is a [`Problem`], not a child.
///
/// Bytes without a single header line are [`Error::Malformed`].
pub fn message(bytes: &[u8], limits: &Limits) -> Result<Extracted> {
    let parsed = MessageParser::new()
        .parse(bytes)
        .filter(|m| m.headers().iter().any(|h| is_field_name(h.name.as_str())))
        .ok_or_else(|| Error::Malformed("not an e-mail message: it has no header lines".into()))?;
    let mut out = Extracted { extractor: super::extractor(), ..Default::default() };
    address_fields(&parsed, &mut out.metadata);
    if let Some(subject) = parsed.subject().filter(|s| !s.trim().is_empty()) {
        out.metadata.push(Field::new("subject", subject, "email:Subject"));
    }
    if let Some(date) = date_sent(&parsed) {
        out.metadata.push(Field::new("date_sent", date, "email:Date"));
    }
    received_dates(&parsed, "email:Received", &mut out.metadata);
    id_fields(&parsed, "email:", &mut out.metadata);
    out.text = body_text(&parsed, &mut out.problems);
    attachments(&parsed, limits, &mut out);
    Ok(out)
}

/// Whether a header's name is an RFC 5322 field name (printable US-ASCII,
/// no space or colon), as it is in a message and not in other bytes read
/// as one.
fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b) && b != b':')
}

/// `from`, `to`, `cc` and `bcc`, each from every header of its name.
fn address_fields(m: &Message<'_>, metadata: &mut Vec<Field>) {
    for (field, name, source) in [
        ("from", HeaderName::From, "email:From"),
        ("to", HeaderName::To, "email:To"),
        ("cc", HeaderName::Cc, "email:Cc"),
        ("bcc", HeaderName::Bcc, "email:Bcc"),
    ] {
        let mut list = Vec::new();
        for header in m.headers().iter().filter(|h| h.name == name) {
            let before = list.len();
            if let Some(addresses) = header.value.as_address() {
                list.extend(addresses.iter().filter_map(|a| address(a.name(), a.address())));
            }
            if list.len() == before {
                // Not an address the parser understands: kept as written.
                if let Some(raw) = raw_value(m, header.offset_start, header.offset_end).filter(|r| !r.is_empty()) {
                    list.push(raw);
                }
            }
        }
        if !list.is_empty() {
            metadata.push(Field::new(field, list.join("; "), source));
        }
    }
}

/// A header's value as written, unfolded and trimmed.
fn raw_value(m: &Message<'_>, start: u32, end: u32) -> Option<String> {
    let raw = m.raw_message.get(start as usize..end as usize)?;
    Some(unfold(&String::from_utf8_lossy(raw)))
}

/// Header text with its line breaks and runs of white space as one space.
fn unfold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `Date` header as RFC 3339, or as written when it cannot be read.
pub(super) fn date_sent(m: &Message<'_>) -> Option<String> {
    let header = m.headers().iter().find(|h| h.name == HeaderName::Date)?;
    header
        .value
        .as_datetime()
        .and_then(rfc3339)
        .or_else(|| raw_value(m, header.offset_start, header.offset_end))
        .filter(|d| !d.is_empty())
}

/// A parsed date as RFC 3339 with its own offset (`+00:00` for UTC), or
/// `None` when it is not a real date.
fn rfc3339(d: &mail_parser::DateTime) -> Option<String> {
    if !d.is_valid() {
        return None;
    }
    let sign = if d.tz_before_gmt { -1 } else { 1 };
    let offset = chrono::FixedOffset::east_opt(sign * (i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60))?;
    let naive = chrono::NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))?.and_hms_opt(
        u32::from(d.hour),
        u32::from(d.minute),
        u32::from(d.second),
    )?;
    Some(naive.and_local_timezone(offset).single()?.to_rfc3339())
}

/// One `date_received` for each `Received` header with a date after its
/// last `;`, in the order of the headers (the latest hop first).
pub(super) fn received_dates(m: &Message<'_>, source: &str, metadata: &mut Vec<Field>) {
    for header in m.headers().iter().filter(|h| h.name == HeaderName::Received) {
        let Some(raw) = m.raw_message.get(header.offset_start as usize..header.offset_end as usize) else { continue };
        let Some(semicolon) = raw.iter().rposition(|&b| b == b';') else { continue };
        let mut tail = raw[semicolon + 1..].to_vec();
        if tail.last() != Some(&b'\n') {
            tail.push(b'\n');
        }
        let parsed = match MessageStream::new(&tail).parse_date() {
            HeaderValue::DateTime(d) => rfc3339(&d),
            _ => None,
        };
        let value = parsed.unwrap_or_else(|| unfold(&String::from_utf8_lossy(&tail)));
        if !value.is_empty() {
            metadata.push(Field::new("date_received", value, source));
        }
    }
}

/// The ids a header holds, without angle brackets.
fn ids<'a>(value: Option<&'a HeaderValue<'a>>) -> Vec<&'a str> {
    match value {
        Some(HeaderValue::Text(id)) => vec![id.as_ref()],
        Some(HeaderValue::TextList(list)) => list.iter().map(|id| id.as_ref()).collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .map(str::trim)
    .filter(|id| !id.is_empty())
    .collect()
}

/// `message_id`, `in_reply_to`, `references` (with their angle brackets)
/// and `thread_id` (without), each source being `prefix` and the header.
pub(super) fn id_fields(m: &Message<'_>, prefix: &str, metadata: &mut Vec<Field>) {
    let message_id = ids(m.header(HeaderName::MessageId));
    let in_reply_to = ids(m.header(HeaderName::InReplyTo));
    let references = ids(m.header(HeaderName::References));
    let bracketed = |list: &[&str]| list.iter().map(|id| format!("<{id}>")).collect::<Vec<_>>().join(" ");
    for (field, header, list) in
        [("message_id", "Message-ID", &message_id), ("in_reply_to", "In-Reply-To", &in_reply_to), ("references", "References", &references)]
    {
        if !list.is_empty() {
            metadata.push(Field::new(field, bracketed(list), &format!("{prefix}{header}")));
        }
    }
    let thread = [("References", &references), ("In-Reply-To", &in_reply_to), ("Message-ID", &message_id)]
        .into_iter()
        .find_map(|(header, list)| list.first().map(|id| (header, *id)));
    if let Some((header, id)) = thread {
        metadata.push(Field::new("thread_id", id, &format!("{prefix}{header}")));
    }
}

/// The text bodies, HTML made text, joined by a blank line; a body part
/// that could not be decoded is also a problem.
fn body_text(m: &Message<'_>, problems: &mut Vec<Problem>) -> Option<String> {
    let mut texts = Vec::new();
    for &id in &m.text_body {
        let Some(part) = m.parts.get(id as usize) else { continue };
        let text = match &part.body {
            PartType::Text(text) => text.to_string(),
            PartType::Html(html) => html_to_text(html),
            _ => continue,
        };
        if part.is_encoding_problem {
            problems.push(Problem { item: "body".into(), reason: format!("{}; its text is given as written", undecodable(part)) });
        }
        if !text.trim().is_empty() {
            texts.push(text);
        }
    }
    (!texts.is_empty()).then(|| texts.join("\n\n"))
}

/// Why a part could not be decoded, in words.
fn undecodable(part: &MessagePart<'_>) -> String {
    match part.content_transfer_encoding() {
        Some(encoding) => format!("its content (Content-Transfer-Encoding: {encoding}) could not be decoded"),
        None => "its content could not be read as MIME".into(),
    }
}

/// Every attachment: its name and the count as metadata, the ones that can
/// be read and fit the limits as children, the others as problems.
fn attachments(m: &Message<'_>, limits: &Limits, out: &mut Extracted) {
    let mut budget = Budget::new(limits);
    let mut names = Vec::new();
    for (i, &id) in m.attachments.iter().enumerate() {
        let Some(part) = m.parts.get(id as usize) else { continue };
        let n = i + 1;
        let name = attachment_name(part, n);
        names.push(name.clone());
        if part.is_encoding_problem {
            out.problems.push(Problem { item: name, reason: undecodable(part) });
            continue;
        }
        let bytes = part_bytes(m, part);
        if let Err(reason) = budget.admit(bytes.len() as u64) {
            out.problems.push(Problem { item: name, reason });
            continue;
        }
        let disposition = part.content_disposition();
        let inline = disposition.is_some_and(|d| d.is_inline())
            || (part.content_id().is_some() && !disposition.is_some_and(|d| d.is_attachment()));
        out.children.push(Item {
            name,
            bytes: bytes.into_owned(),
            path: format!("attachment {n}"),
            flags: if inline { vec!["inline".into()] } else { Vec::new() },
        });
    }
    if !names.is_empty() {
        out.metadata.push(Field::new("attachment_count", names.len().to_string(), "email:attachment"));
    }
    out.metadata.extend(names.into_iter().map(|name| Field::new("attachment_names", name, "email:attachment")));
}

/// An attachment's file name: the name it carries, an attached message's
/// subject with `.eml`, else `attachment N` with an extension guessed from
/// its content type.
fn attachment_name(part: &MessagePart<'_>, n: usize) -> String {
    if let PartType::Message(inner) = &part.body {
        let subject = inner.subject().map(|s| file_name_part(s, SUBJECT_CHARS)).unwrap_or_default();
        return if subject.is_empty() { format!("attachment {n}.eml") } else { format!("{subject}.eml") };
    }
    if let Some(name) = part.attachment_name().map(str::trim).filter(|s| !s.is_empty()) {
        return name.to_string();
    }
    let content_type = part
        .content_type()
        .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).to_ascii_lowercase())
        .unwrap_or_default();
    format!("attachment {n}{}", extension(&content_type))
}

/// The usual file extension for a content type, or nothing.
pub(super) fn extension(content_type: &str) -> &'static str {
    match content_type {
        "text/plain" => ".txt",
        "text/html" => ".html",
        "text/csv" => ".csv",
        "text/calendar" => ".ics",
        "text/vcard" | "text/x-vcard" => ".vcf",
        "text/rtf" | "application/rtf" => ".rtf",
        "text/xml" | "application/xml" => ".xml",
        "application/json" => ".json",
        "application/pdf" => ".pdf",
        "application/zip" | "application/x-zip-compressed" => ".zip",
        "application/gzip" | "application/x-gzip" => ".gz",
        "application/x-7z-compressed" => ".7z",
        "application/msword" => ".doc",
        "application/vnd.ms-excel" => ".xls",
        "application/vnd.ms-powerpoint" => ".ppt",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => ".docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ".xlsx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => ".pptx",
        "application/vnd.oasis.opendocument.text" => ".odt",
        "application/vnd.oasis.opendocument.spreadsheet" => ".ods",
        "application/vnd.ms-outlook" => ".msg",
        "application/ms-tnef" | "application/vnd.ms-tnef" => ".dat",
        "application/pkcs7-signature" | "application/x-pkcs7-signature" => ".p7s",
        "application/pkcs7-mime" | "application/x-pkcs7-mime" => ".p7m",
        "message/rfc822" | "message/global" => ".eml",
        "image/png" => ".png",
        "image/jpeg" | "image/jpg" | "image/pjpeg" => ".jpg",
        "image/gif" => ".gif",
        "image/bmp" => ".bmp",
        "image/tiff" => ".tif",
        "image/webp" => ".webp",
        "image/svg+xml" => ".svg",
        "audio/mpeg" => ".mp3",
        "audio/wav" | "audio/x-wav" => ".wav",
        "video/mp4" => ".mp4",
        _ => "",
    }
}

/// An attachment's bytes, decoded from its transfer encoding and never
/// otherwise changed (text is not converted from its character set).
fn part_bytes<'a>(m: &'a Message<'_>, part: &'a MessagePart<'_>) -> Cow<'a, [u8]> {
    match &part.body {
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => Cow::Borrowed(bytes.as_ref()),
        PartType::Text(_) | PartType::Html(_) | PartType::Message(_) => {
            let raw = m.raw_message.get(part.offset_body as usize..part.offset_end as usize).unwrap_or_default();
            match part.encoding {
                Encoding::None => Cow::Borrowed(raw),
                Encoding::Base64 => Cow::Owned(MessageStream::new(raw).decode_base64_mime(b"").1.into_owned()),
                Encoding::QuotedPrintable => Cow::Owned(MessageStream::new(raw).decode_quoted_printable_mime(b"").1.into_owned()),
            }
        }
        PartType::Multipart(_) => Cow::Borrowed(&[]),
    }
}

#[cfg(test)]
pub(super) mod tests;
