//! Outlook `.msg` files (MAPI properties in a compound file), read with
//! msg_parser.

use mail_parser::decoders::html::html_to_text;
use mail_parser::MessageParser;
use msg_parser::{Attachment, Outlook, Person};

use super::eml::{date_sent, extension, id_fields, received_dates};
use super::{Budget, address};
use crate::{Error, Extracted, Field, Item, Limits, Problem, Result};

/// Reads an Outlook `.msg` file: its metadata, its text and its
/// attachments.
///
/// Metadata, each only when the file has it: `from` (`msg:sender`), `to`,
/// `cc`, `bcc` (`msg:to`, …), `subject`, `date_sent`
/// (`msg:client_submit_time`), `date_received`
/// (`msg:message_delivery_time`), `created`, `modified`; from the SMTP
/// transport headers a received message keeps (`msg:transport_headers:…`),
/// another `date_sent` (the `Date` header, with the sender's offset),
/// another `date_received` for each `Received` header, `message_id`,
/// `in_reply_to`, `references` and `thread_id`; then `attachment_count` and
/// `attachment_names`.
///
/// The text is the plain-text body, else the HTML body (or the HTML kept in
/// the RTF body) made text. Each attachment held in the file is a child
/// item; one that is not (an embedded message, an OLE object, a link) or
/// passes one of the `limits` is a [`Problem`].
///
/// An attachment the HTML body shows by its Content-ID is flagged
/// `inline`.
///
/// A file that is not an Outlook message is [`Error::Malformed`], also when
/// the reader panics on it.
pub fn msg(bytes: &[u8], limits: &Limits) -> Result<Extracted> {
    let parsed = std::panic::catch_unwind(|| Outlook::from_slice(bytes))
        .map_err(|_| Error::Malformed("not an Outlook message: its structure could not be read".into()))?
        .map_err(|e| Error::Malformed(format!("not an Outlook message: {e}")))?;
    if parsed.message_class.trim().is_empty() {
        return Err(Error::Malformed("not an Outlook message: a compound file without a message class".into()));
    }
    let mut out = Extracted { extractor: super::extractor(), ..Default::default() };
    let metadata = &mut out.metadata;
    if let Some(from) = person(&parsed.sender) {
        metadata.push(Field::new("from", from, "msg:sender"));
    }
    for (field, people, source) in [("to", &parsed.to, "msg:to"), ("cc", &parsed.cc, "msg:cc"), ("bcc", &parsed.bcc, "msg:bcc")] {
        let list: Vec<String> = people.iter().filter_map(person).collect();
        if !list.is_empty() {
            metadata.push(Field::new(field, list.join("; "), source));
        }
    }
    for (field, value, source) in [
        ("subject", &parsed.subject, "msg:subject"),
        ("date_sent", &parsed.client_submit_time, "msg:client_submit_time"),
        ("date_received", &parsed.message_delivery_time, "msg:message_delivery_time"),
        ("created", &parsed.creation_time, "msg:creation_time"),
        ("modified", &parsed.last_modification_time, "msg:last_modification_time"),
    ] {
        if !value.trim().is_empty() {
            metadata.push(Field::new(field, value.as_str(), source));
        }
    }
    if let Some(headers) = MessageParser::new().parse_headers(parsed.headers.raw.as_bytes()) {
        if let Some(date) = date_sent(&headers) {
            metadata.push(Field::new("date_sent", date, "msg:transport_headers:Date"));
        }
        received_dates(&headers, "msg:transport_headers:Received", metadata);
        id_fields(&headers, "msg:transport_headers:", metadata);
    }

    let html = if parsed.html.trim().is_empty() { parsed.html_from_rtf().unwrap_or_default() } else { parsed.html.clone() };
    let text = if parsed.body.trim().is_empty() { html_to_text(&html) } else { parsed.body.clone() };
    out.text = (!text.trim().is_empty()).then_some(text);

    let mut budget = Budget::new(limits);
    let mut names = Vec::new();
    for (i, attachment) in parsed.attachments.iter().enumerate() {
        let n = i + 1;
        let name = attachment_name(attachment, n);
        names.push(name.clone());
        if attachment.payload_bytes.is_empty() && attachment.attach_method != 1 {
            let reason = match attachment.attach_method {
                5 => "an embedded Outlook message, which this reader cannot take out of the file".to_string(),
                6 => "an OLE object, which this reader cannot take out of the file".to_string(),
                2..=4 => "a link to a file outside the message, not the file itself".to_string(),
                method => format!("no data this reader can take out of the file (attach method {method})"),
            };
            out.problems.push(Problem { item: name, reason });
            continue;
        }
        if let Err(reason) = budget.admit(attachment.payload_bytes.len() as u64) {
            out.problems.push(Problem { item: name, reason });
            continue;
        }
        let cid = attachment.content_id.trim();
        let inline = !cid.is_empty() && html.contains(&format!("cid:{cid}"));
        out.children.push(Item {
            name,
            bytes: attachment.payload_bytes.clone(),
            path: format!("attachment {n}"),
            flags: if inline { vec!["inline".into()] } else { Vec::new() },
        });
    }
    if !names.is_empty() {
        out.metadata.push(Field::new("attachment_count", names.len().to_string(), "msg:attachments"));
    }
    out.metadata.extend(names.into_iter().map(|name| Field::new("attachment_names", name, "msg:attachments")));
    Ok(out)
}

/// A sender or recipient as `Name <addr>` or `addr`.
fn person(p: &Person) -> Option<String> {
    address(Some(&p.name), Some(&p.email))
}

/// An attachment's file name: its long name, else its short (8.3) name,
/// else the name shown for it, else `attachment N` with an extension from
/// its MIME type.
fn attachment_name(a: &Attachment, n: usize) -> String {
    [&a.long_file_name, &a.file_name, &a.display_name]
        .into_iter()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            let ext = match extension(&a.mime_tag.trim().to_ascii_lowercase()) {
                "" if a.attach_method == 5 => ".msg",
                ext => ext,
            };
            format!("attachment {n}{ext}")
        })
}

#[cfg(test)]
mod tests {
    //! The expected values were read from the sample files with Python's
    //! `olefile` 0.47 (the MAPI property streams and the property table),
    //! independently of msg_parser; the attachment checksums are FNV-1a
    //! (64 bits) of the `__substg1.0_37010102` streams it read, and the
    //! times were converted from the FILETIMEs of the property table.
    use super::*;

    fn sample(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/data/msg/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn fnv1a(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
    }

    fn fields(out: &Extracted) -> Vec<(&str, &str, &str)> {
        out.metadata.iter().map(|f| (f.field.as_str(), f.value.as_str(), f.source.as_str())).collect()
    }

    #[test]
    fn reads_a_small_message() {
        let out = msg(&sample("ascii.msg"), &Limits::default()).unwrap();
        assert_eq!(out.extractor, super::super::extractor());
        assert_eq!(
            fields(&out),
            vec![
                ("from", "from@domain.com", "msg:sender"),
                ("to", "to@domain.com", "msg:to"),
                ("subject", "creating an outlook message file", "msg:subject"),
                ("created", "2017-06-01T15:24:31.902Z", "msg:creation_time"),
                ("modified", "2017-06-01T15:24:31.902Z", "msg:last_modification_time"),
                ("message_id", "<c58b1b52f61f4789ba40339c6e993440>", "msg:transport_headers:Message-ID"),
                ("thread_id", "c58b1b52f61f4789ba40339c6e993440", "msg:transport_headers:Message-ID"),
            ]
        );
        assert_eq!(out.text.as_deref(), Some("This message is created by Aspose.Email"));
        assert!(out.children.is_empty());
        assert!(out.problems.is_empty());
    }

    #[test]
    fn reads_attachments_exactly() {
        let out = msg(&sample("attachment.msg"), &Limits::default()).unwrap();
        let f = fields(&out);
        assert_eq!(
            f[..5],
            [
                (
                    "from",
                    "Nagisetti, Satya </O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN=86F45813C35F4A95827A8DFA04ACF406-SATYAN-SATY>",
                    "msg:sender"
                ),
                ("to", "InfoSec <infosec@netapp.com>", "msg:to"),
                ("subject", "FW: [WARNING: ATTACHMENT(S) MAY CONTAIN MALWARE]Please check all aspects in documents", "msg:subject"),
                ("date_sent", "2020-06-09T07:07:55.116Z", "msg:client_submit_time"),
                ("date_received", "2020-06-09T07:07:00Z", "msg:message_delivery_time"),
            ]
        );
        assert_eq!(
            f[f.len() - 4..],
            [
                ("attachment_count", "3", "msg:attachments"),
                ("attachment_names", "loan_proposal.doc", "msg:attachments"),
                ("attachment_names", "image001.png", "msg:attachments"),
                ("attachment_names", "image002.jpg", "msg:attachments"),
            ]
        );
        assert!(out.text.as_deref().unwrap().starts_with("Team,\r\n\r\n \r\n\r\nThis email and the attachment looks to be a suspicious"));
        let got: Vec<_> = out.children.iter().map(|c| (c.name.as_str(), c.path.as_str(), c.bytes.len(), fnv1a(&c.bytes))).collect();
        assert_eq!(
            got,
            vec![
                ("loan_proposal.doc", "attachment 1", 16896, 0x77a5_8b1d_6d3e_c381),
                ("image001.png", "attachment 2", 86993, 0x1a2d_d543_433e_443b),
                ("image002.jpg", "attachment 3", 7640, 0x946b_7318_8a61_2916),
            ]
        );
        assert!(out.problems.is_empty());

        // The HTML kept in the RTF body shows the two images by their
        // Content-IDs (`cid:image001.png@01D63E5A.C9557CD0`, …: the RTF
        // stream decompressed by a separate MS-OXRTFCP reading); the Word
        // document is not referred to.
        let flags: Vec<_> = out.children.iter().map(|c| c.flags.clone()).collect();
        assert_eq!(flags, vec![vec![], vec!["inline".to_string()], vec!["inline".to_string()]]);
        let limits = Limits { max_item_bytes: 20_000, ..Limits::default() };
        let out = msg(&sample("attachment.msg"), &limits).unwrap();
        assert_eq!(out.children.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["loan_proposal.doc", "image002.jpg"]);
        assert_eq!(
            out.problems,
            vec![Problem { item: "image001.png".into(), reason: "86993 bytes, larger than the limit of 20000 bytes for one item".into() }]
        );
    }

    #[test]
    fn reads_the_transport_headers() {
        let out = msg(&sample("test_email_4.msg"), &Limits::default()).unwrap();
        let id = "YmLaFuwpU9OSuMLwHlDPl7dn16eo3SsdVDx7qngo7bjDYXPQ9QKtybOy8fVocjYH61vo0mLFRsvIIdmRR36QtzDr04npvV3ebvWP9DTPxVI=@protonmail.com";
        let bracketed = format!("<{id}>");
        assert_eq!(
            fields(&out),
            vec![
                ("from", "Account Testing <account-testing7777@protonmail.com>", "msg:sender"),
                ("to", "application-testing@outlook.com", "msg:to"),
                ("subject", "test", "msg:subject"),
                ("date_sent", "2021-03-14T04:03:45Z", "msg:client_submit_time"),
                ("date_received", "2021-03-14T04:03:57.261Z", "msg:message_delivery_time"),
                ("created", "2021-03-14T04:04:33.549Z", "msg:creation_time"),
                ("modified", "2021-03-14T04:04:33.549Z", "msg:last_modification_time"),
                ("date_sent", "2021-03-14T04:03:45+00:00", "msg:transport_headers:Date"),
                ("date_received", "2021-03-14T04:03:57+00:00", "msg:transport_headers:Received"),
                ("date_received", "2021-03-14T04:03:56+00:00", "msg:transport_headers:Received"),
                ("date_received", "2021-03-14T04:03:55+00:00", "msg:transport_headers:Received"),
                ("message_id", bracketed.as_str(), "msg:transport_headers:Message-ID"),
                ("thread_id", id, "msg:transport_headers:Message-ID"),
            ]
        );
        assert_eq!(out.text.as_deref(), Some("test\r\n\r\n\r\nSent with ProtonMail <https://protonmail.com>  Secure Email.\r\n\r\n"));
    }

    #[test]
    fn files_that_are_not_messages_are_malformed() {
        for name in ["bad_outlook.msg", "sample.doc"] {
            match msg(&sample(name), &Limits::default()) {
                Err(Error::Malformed(reason)) => assert!(reason.starts_with("not an Outlook message: "), "{name}: {reason}"),
                other => panic!("{name}: {:?}", other.map(|o| o.metadata)),
            }
        }
        // Damaged files: the reader's panics are caught.
        let good = sample("ascii.msg");
        for cut in [0, 8, 512, 600, 2048, good.len() / 2, good.len() - 1] {
            assert!(msg(&good[..cut], &Limits::default()).is_err(), "cut at {cut}");
        }
        let mut scrambled = good.clone();
        for (i, b) in scrambled.iter_mut().enumerate().skip(512) {
            *b ^= (i % 251) as u8;
        }
        assert!(msg(&scrambled, &Limits::default()).is_err());
    }

    #[test]
    fn a_panic_of_the_reader_is_a_malformed_file() {
        // One byte of the directory changed (in the size of the
        // `__substg1.0_00030102` stream, as olefile shows): msg_parser
        // panics on it.
        let mut damaged = sample("ascii.msg");
        damaged[4601] = 0xff;
        assert!(std::panic::catch_unwind(|| Outlook::from_slice(&damaged)).is_err(), "the reader no longer panics here");
        match msg(&damaged, &Limits::default()) {
            Err(Error::Malformed(reason)) => assert_eq!(reason, "not an Outlook message: its structure could not be read"),
            other => panic!("{:?}", other.map(|o| o.metadata)),
        }
    }
}
