use super::*;

/// The text with each line ending CRLF, as messages travel.
pub(in crate::mail) fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

/// Base64 in lines of 76 characters, each ending CRLF.
pub(in crate::mail) fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut flat = String::new();
    for chunk in bytes.chunks(3) {
        let word = u32::from(chunk[0]) << 16 | u32::from(*chunk.get(1).unwrap_or(&0)) << 8 | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                flat.push(ABC[(word >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                flat.push('=');
            }
        }
    }
    flat.as_bytes().chunks(76).map(|line| format!("{}\r\n", std::str::from_utf8(line).unwrap())).collect()
}

fn field(out: &Extracted, name: &str) -> Vec<(String, String)> {
    out.metadata.iter().filter(|f| f.field == name).map(|f| (f.value.clone(), f.source.clone())).collect()
}

fn fields(out: &Extracted) -> Vec<(&str, &str, &str)> {
    out.metadata.iter().map(|f| (f.field.as_str(), f.value.as_str(), f.source.as_str())).collect()
}

#[test]
fn base64_helper_matches_known_values() {
    assert_eq!(base64(b"Man"), "TWFu\r\n");
    assert_eq!(base64(b"Ma"), "TWE=\r\n");
    assert_eq!(base64(b"M"), "TQ==\r\n");
    assert_eq!(base64(&[0xff; 60]).lines().next().unwrap().len(), 76);
}

#[test]
fn plain_message_gives_every_field() {
    let raw = crlf(concat!(
        "Return-Path: <ann@example.com>\n",
        "Received: from mx2.example.org (mx2.example.org [192.0.2.2])\n",
        "\tby mx1.example.com with ESMTP id 4A1; Tue, 2 Jan 2024 10:00:05 +0100\n",
        "Received: from client.example.org by mx2.example.org with SMTP;\n",
        " Tue, 2 Jan 2024 03:59:59 -0500 (EST)\n",
        "From: \"Ann Lee\" <ann@example.com>\n",
        "To: Bob Stone <bob@example.com>, carol@example.com\n",
        "Cc: Dan <dan@example.com>\n",
        "Bcc: eve@example.com\n",
        "Subject: Quarterly plan\n",
        "Date: Tue, 2 Jan 2024 09:59:58 +0100\n",
        "Message-ID: <m3@example.com>\n",
        "In-Reply-To: <m2@example.com>\n",
        "References: <m1@example.com>\n <m2@example.com>\n",
        "MIME-Version: 1.0\n",
        "Content-Type: text/plain; charset=utf-8\n",
        "\n",
        "Hello Bob,\n",
        "the plan follows.\n",
    ));
    let out = message(&raw, &Limits::default()).unwrap();
    assert_eq!(out.extractor, super::super::extractor());
    assert_eq!(
        fields(&out),
        vec![
            ("from", "Ann Lee <ann@example.com>", "email:From"),
            ("to", "Bob Stone <bob@example.com>; carol@example.com", "email:To"),
            ("cc", "Dan <dan@example.com>", "email:Cc"),
            ("bcc", "eve@example.com", "email:Bcc"),
            ("subject", "Quarterly plan", "email:Subject"),
            ("date_sent", "2024-01-02T09:59:58+01:00", "email:Date"),
            ("date_received", "2024-01-02T10:00:05+01:00", "email:Received"),
            ("date_received", "2024-01-02T03:59:59-05:00", "email:Received"),
            ("message_id", "<m3@example.com>", "email:Message-ID"),
            ("in_reply_to", "<m2@example.com>", "email:In-Reply-To"),
            ("references", "<m1@example.com> <m2@example.com>", "email:References"),
            ("thread_id", "m1@example.com", "email:References"),
        ]
    );
    assert_eq!(out.text.as_deref(), Some("Hello Bob,\r\nthe plan follows.\r\n"));
    assert!(out.children.is_empty());
    assert!(out.problems.is_empty());
    assert_eq!(out.pages, None);
}

#[test]
fn thread_id_falls_back_to_in_reply_to_then_message_id() {
    let reply = crlf("From: a@example.com\nIn-Reply-To: <parent@example.com>\nMessage-ID: <child@example.com>\n\nbody\n");
    let out = message(&reply, &Limits::default()).unwrap();
    assert_eq!(field(&out, "thread_id"), vec![("parent@example.com".into(), "email:In-Reply-To".into())]);
    let first = crlf("From: a@example.com\nMessage-ID: <first@example.com>\n\nbody\n");
    let out = message(&first, &Limits::default()).unwrap();
    assert_eq!(field(&out, "thread_id"), vec![("first@example.com".into(), "email:Message-ID".into())]);
    assert!(field(&out, "references").is_empty());
    assert!(field(&out, "in_reply_to").is_empty());
}

#[test]
fn only_fields_present_are_given_and_bad_dates_are_kept_as_written() {
    let raw = crlf("From: a@example.com\nDate: sometime last week\nReceived: by mx.example.com; not a date at all\nReceived: by mx.example.com with no date\n\nbody\n");
    let out = message(&raw, &Limits::default()).unwrap();
    assert_eq!(
        fields(&out),
        vec![
            ("from", "a@example.com", "email:From"),
            ("date_sent", "sometime last week", "email:Date"),
            ("date_received", "not a date at all", "email:Received"),
        ]
    );
    assert_eq!(out.text.as_deref(), Some("body\r\n"));
}

#[test]
fn utc_dates_groups_and_encoded_words() {
    let raw = crlf(concat!(
        "From: a@example.com\n",
        "To: undisclosed-recipients:;\n",
        "Cc: Team: Bob <bob@example.com>, carol@example.com;\n",
        "Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me?= =?UTF-8?B?4pyT?=\n",
        "Date: Wed, 31 Jan 2024 23:15:00 +0000\n",
        "\n",
        "x\n",
    ));
    let out = message(&raw, &Limits::default()).unwrap();
    assert_eq!(field(&out, "date_sent"), vec![("2024-01-31T23:15:00+00:00".into(), "email:Date".into())]);
    // A group without members is kept as written; a group's members are listed.
    assert_eq!(field(&out, "to"), vec![("undisclosed-recipients:;".into(), "email:To".into())]);
    assert_eq!(field(&out, "cc"), vec![("Bob <bob@example.com>; carol@example.com".into(), "email:Cc".into())]);
    assert_eq!(field(&out, "subject"), vec![("Café crème✓".into(), "email:Subject".into())]);
}

#[test]
fn html_only_message_gives_its_text() {
    let raw = crlf(concat!(
        "From: a@example.com\n",
        "Subject: Notice\n",
        "Content-Type: text/html; charset=utf-8\n",
        "\n",
        "<html><head><style>p {color: red}</style></head><body><p>Hello <b>world</b></p><p>Fish &amp; chips</p></body></html>\n",
    ));
    let out = message(&raw, &Limits::default()).unwrap();
    let text = out.text.clone().unwrap();
    assert!(!text.contains('<') && !text.contains("color"), "{text:?}");
    assert!(text.contains("Hello world"), "{text:?}");
    assert!(text.contains("Fish & chips"), "{text:?}");
    assert!(out.children.is_empty());
    assert!(field(&out, "attachment_count").is_empty());
}

/// The bytes of the PDF attachment in the tests: every byte value.
fn pdf_bytes() -> Vec<u8> {
    let mut b = b"%PDF-1.4\n".to_vec();
    b.extend((0..=255u8).cycle().take(700));
    b
}

fn mixed_message() -> Vec<u8> {
    let mut raw = crlf(concat!(
        "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@example.de>\n",
        "To: team@example.com\n",
        "Subject: =?UTF-8?B?UXVhcnRhbHN6YWhsZW4g4oCTIMOcYmVyc2ljaHQ=?=\n",
        "Date: Mon, 5 Feb 2024 14:30:00 +0100\n",
        "Message-ID: <mixed@example.de>\n",
        "MIME-Version: 1.0\n",
        "Content-Type: multipart/mixed; boundary=\"outer\"\n",
        "\n",
        "This is a multi-part message in MIME format.\n",
        "--outer\n",
        "Content-Type: multipart/alternative; boundary=\"alt\"\n",
        "\n",
        "--alt\n",
        "Content-Type: text/plain; charset=utf-8\n",
        "Content-Transfer-Encoding: quoted-printable\n",
        "\n",
        "Gr=C3=BC=C3=9Fe, die Zahlen sind im Anhang und dies ist eine lange Zeile, d=\n",
        "ie umbrochen wurde.\n",
        "--alt\n",
        "Content-Type: text/html; charset=utf-8\n",
        "\n",
        "<p>Gr&uuml;&szlig;e</p>\n",
        "--alt--\n",
        "\n",
        "--outer\n",
        "Content-Type: application/pdf; name=\"ignored.pdf\"\n",
        "Content-Disposition: attachment; filename*=UTF-8''%C3%9Cbersicht%202024.pdf\n",
        "Content-Transfer-Encoding: base64\n",
        "\n",
    ));
    raw.extend(base64(&pdf_bytes()).into_bytes());
    raw.extend(crlf(concat!(
        "--outer\n",
        "Content-Type: text/plain; charset=iso-8859-1; name=\"notes.txt\"\n",
        "Content-Disposition: attachment; filename=\"notes.txt\"\n",
        "Content-Transfer-Encoding: quoted-printable\n",
        "\n",
        "Gr=FC=DFe aus K=F6ln, eine Zeile, die weiter geht =\n",
        "und endet.\n",
        "Zweite Zeile=20\n",
        "--outer--\n",
    )));
    raw
}

#[test]
fn multipart_message_gives_text_and_decoded_attachments() {
    let out = message(&mixed_message(), &Limits::default()).unwrap();
    assert_eq!(
        fields(&out),
        vec![
            ("from", "Jürgen Müller <jm@example.de>", "email:From"),
            ("to", "team@example.com", "email:To"),
            ("subject", "Quartalszahlen – Übersicht", "email:Subject"),
            ("date_sent", "2024-02-05T14:30:00+01:00", "email:Date"),
            ("message_id", "<mixed@example.de>", "email:Message-ID"),
            ("thread_id", "mixed@example.de", "email:Message-ID"),
            ("attachment_count", "2", "email:attachment"),
            ("attachment_names", "Übersicht 2024.pdf", "email:attachment"),
            ("attachment_names", "notes.txt", "email:attachment"),
        ]
    );
    assert_eq!(out.text.as_deref(), Some("Grüße, die Zahlen sind im Anhang und dies ist eine lange Zeile, die umbrochen wurde."));
    assert_eq!(out.children.len(), 2);
    let pdf = &out.children[0];
    assert_eq!((pdf.name.as_str(), pdf.path.as_str()), ("Übersicht 2024.pdf", "attachment 1"));
    assert_eq!(pdf.bytes, pdf_bytes());
    assert!(pdf.flags.is_empty());
    let notes = &out.children[1];
    assert_eq!((notes.name.as_str(), notes.path.as_str()), ("notes.txt", "attachment 2"));
    // Decoded from quoted-printable, still ISO 8859-1.
    assert_eq!(notes.bytes, b"Gr\xfc\xdfe aus K\xf6ln, eine Zeile, die weiter geht und endet.\r\nZweite Zeile ".to_vec());
    assert!(out.problems.is_empty());
}

#[test]
fn inline_image_is_flagged_and_named_from_its_type() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR fake image";
    let mut raw = crlf(concat!(
        "From: a@example.com\n",
        "Subject: logo\n",
        "Content-Type: multipart/related; boundary=\"rel\"\n",
        "\n",
        "--rel\n",
        "Content-Type: text/html; charset=utf-8\n",
        "\n",
        "<p>See <img src=\"cid:logo@example.com\"></p>\n",
        "--rel\n",
        "Content-Type: image/png\n",
        "Content-ID: <logo@example.com>\n",
        "Content-Transfer-Encoding: base64\n",
        "\n",
    ));
    raw.extend(base64(png).into_bytes());
    raw.extend(crlf("--rel\nContent-Type: application/octet-stream\nContent-Disposition: attachment\nContent-ID: <data@example.com>\n\nraw data\n--rel--\n"));
    let out = message(&raw, &Limits::default()).unwrap();
    assert_eq!(out.text.as_deref().map(str::trim), Some("See"));
    let got: Vec<_> = out.children.iter().map(|c| (c.name.as_str(), c.path.as_str(), c.flags.clone())).collect();
    assert_eq!(got, vec![("attachment 1.png", "attachment 1", vec!["inline".to_string()]), ("attachment 2", "attachment 2", vec![])]);
    assert_eq!(out.children[0].bytes, png.to_vec());
    assert_eq!(out.children[1].bytes, b"raw data".to_vec());
}

#[test]
fn attached_messages_are_their_own_bytes() {
    let inner = crlf(concat!(
        "From: Carol <carol@example.com>\n",
        "To: ann@example.com\n",
        "Subject: Raw data: Q4/Q1\n",
        "Message-ID: <inner@example.com>\n",
        "Content-Type: multipart/mixed; boundary=\"in\"\n",
        "\n",
        "--in\n",
        "Content-Type: text/plain\n",
        "\n",
        "The data.\n",
        "--in\n",
        "Content-Type: text/csv; name=\"data.csv\"\n",
        "Content-Disposition: attachment; filename=\"data.csv\"\n",
        "Content-Transfer-Encoding: base64\n",
        "\n",
        "YSxiCjEsMgo=\n",
        "--in--",
    ));
    let second = crlf("From: dan@example.com\nSubject: Second\n\nShort note.\n");
    let mut raw = crlf(concat!(
        "From: ann@example.com\n",
        "Subject: Fwd: data\n",
        "Content-Type: multipart/mixed; boundary=\"out\"\n",
        "\n",
        "--out\n",
        "Content-Type: text/plain\n",
        "\n",
        "Forwarding.\n",
        "--out\n",
        "Content-Type: message/rfc822\n",
        "\n",
    ));
    raw.extend(&inner);
    raw.extend(crlf("\n--out\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"));
    raw.extend(base64(&second).into_bytes());
    raw.extend(crlf("--out--\n"));
    let out = message(&raw, &Limits::default()).unwrap();
    assert_eq!(out.text.as_deref(), Some("Forwarding."));
    assert_eq!(
        field(&out, "attachment_names"),
        vec![("Raw data Q4 Q1.eml".into(), "email:attachment".into()), ("Second.eml".into(), "email:attachment".into())]
    );
    assert_eq!(out.children.len(), 2, "{:?}", out.children);
    assert_eq!(out.children[0].name, "Raw data Q4 Q1.eml");
    assert_eq!(String::from_utf8_lossy(&out.children[0].bytes), String::from_utf8_lossy(&inner));
    assert_eq!(out.children[1].name, "Second.eml");
    assert_eq!(out.children[1].bytes, second);
    // The attached message's own attachment is its child, not the outer message's.
    let nested = message(&out.children[0].bytes, &Limits::default()).unwrap();
    assert_eq!(field(&nested, "subject"), vec![("Raw data: Q4/Q1".into(), "email:Subject".into())]);
    assert_eq!(nested.children.len(), 1);
    assert_eq!((nested.children[0].name.as_str(), nested.children[0].bytes.as_slice()), ("data.csv", &b"a,b\n1,2\n"[..]));
}

#[test]
fn a_part_that_cannot_be_decoded_is_a_problem_and_the_rest_is_kept() {
    let raw = crlf(concat!(
        "From: a@example.com\n",
        "Content-Type: multipart/mixed; boundary=\"b\"\n",
        "\n",
        "--b\n",
        "Content-Type: text/plain\n",
        "\n",
        "Body.\n",
        "--b\n",
        "Content-Type: application/octet-stream; name=\"bad.bin\"\n",
        "Content-Disposition: attachment; filename=\"bad.bin\"\n",
        "Content-Transfer-Encoding: base64\n",
        "\n",
        "This is *not* base64 at all!\n",
        "--b\n",
        "Content-Type: text/plain; name=\"good.txt\"\n",
        "Content-Disposition: attachment; filename=\"good.txt\"\n",
        "Content-Transfer-Encoding: base64\n",
        "\n",
        "Z29vZA==\n",
        "--b--\n",
    ));
    let out = message(&raw, &Limits::default()).unwrap();
    assert_eq!(out.text.as_deref(), Some("Body."));
    assert_eq!(
        out.problems,
        vec![Problem { item: "bad.bin".into(), reason: "its content (Content-Transfer-Encoding: base64) could not be decoded".into() }]
    );
    assert_eq!(out.children.len(), 1);
    assert_eq!((out.children[0].name.as_str(), out.children[0].path.as_str()), ("good.txt", "attachment 2"));
    assert_eq!(out.children[0].bytes, b"good".to_vec());
    assert_eq!(field(&out, "attachment_count"), vec![("2".into(), "email:attachment".into())]);
}

#[test]
fn attachments_past_the_limits_are_problems() {
    let raw = mixed_message();
    // The PDF (709 bytes) is larger than one item may be.
    let limits = Limits { max_item_bytes: 500, ..Limits::default() };
    let out = message(&raw, &limits).unwrap();
    assert_eq!(out.children.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["notes.txt"]);
    assert_eq!(out.problems.len(), 1);
    assert_eq!(out.problems[0].item, "Übersicht 2024.pdf");
    assert_eq!(out.problems[0].reason, "709 bytes, larger than the limit of 500 bytes for one item");
    // One item only.
    let out = message(&raw, &Limits { max_items: 1, ..Limits::default() }).unwrap();
    assert_eq!(out.children.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["Übersicht 2024.pdf"]);
    assert_eq!(out.problems, vec![Problem { item: "notes.txt".into(), reason: "past the limit of 1 items from one container".into() }]);
    // Not both within the total.
    let out = message(&raw, &Limits { max_total_bytes: 750, ..Limits::default() }).unwrap();
    assert_eq!(out.children.len(), 1);
    assert_eq!(out.problems[0].item, "notes.txt");
    assert!(out.problems[0].reason.contains("limit of 750 bytes for all items"), "{}", out.problems[0].reason);
    // The names and the count still tell of every attachment.
    assert_eq!(field(&out, "attachment_names").len(), 2);
}

#[test]
fn bytes_that_are_not_a_message_are_malformed() {
    let pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
    for bytes in [&b""[..], b"\r\n\r\n", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0", b"just a line of text\nand another\n", pdf] {
        match message(bytes, &Limits::default()) {
            Err(Error::Malformed(reason)) => assert_eq!(reason, "not an e-mail message: it has no header lines"),
            other => panic!("{:?}", other.map(|o| o.metadata)),
        }
    }
    // A message that begins with an MBOX separator line is still read.
    let out = message(&crlf("From a@example.com Mon Jan  1 00:00:00 2024\nFrom: x@example.com\nSubject: s\n\nbody\n"), &Limits::default()).unwrap();
    assert_eq!(field(&out, "from"), vec![("x@example.com".into(), "email:From".into())]);
    assert_eq!(field(&out, "subject"), vec![("s".into(), "email:Subject".into())]);
}
