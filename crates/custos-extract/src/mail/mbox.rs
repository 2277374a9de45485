//! MBOX mailboxes (mboxo and mboxrd), read as a stream.

use std::io::BufRead;

use mail_parser::MessageParser;

use super::eml::SUBJECT_CHARS;
use super::{Budget, file_name_part};
use crate::{Error, Extracted, Field, Item, Limits, Problem, Result};

/// The bytes of a line kept when only its beginning matters (a message
/// that is skipped, or one past the limit on messages).
const LINE_HEAD: usize = 1024;

/// The letters of the `Status` and `X-Status` headers, and the flags they
/// stand for, in the order flags are given.
const STATUS_FLAGS: [(char, &str); 6] =
    [('R', "read"), ('O', "old"), ('A', "answered"), ('F', "flagged"), ('D', "deleted"), ('T', "draft")];

/// Reads an MBOX mailbox from `reader`, giving each message to `sink` as
/// an item as soon as it is read, so that no more than one message is held
/// in memory.
///
/// A message begins with a line starting `From ` (the separator, not part
/// of the message); lines starting `>From `, `>>From `, … lose one `>`; the
/// blank line before the next separator is the separator's, not the
/// message's. Message N is named `message N - <subject>.eml` (or `message
/// N.eml`), its path is `message N`, and its flags come from its `Status`
/// and `X-Status` headers (`read`, `old`, `answered`, `flagged`, `deleted`,
/// `draft`).
///
/// A message past one of the `limits` is read past and recorded as a
/// [`Problem`]; past the limit on messages, no more are given but the
/// separators are still counted. The result has the metadata
/// `message_count` and the problems; its children went to `sink`. An error
/// from `sink` stops the reading and is returned.
///
/// A stream with text before its first `From ` line (blank lines aside) is
/// [`Error::Malformed`]; an empty one is a mailbox without messages.
pub fn mbox(reader: &mut dyn BufRead, limits: &Limits, sink: &mut dyn FnMut(Item) -> Result<()>) -> Result<Extracted> {
    let mut out = Extracted { extractor: super::extractor(), ..Default::default() };
    let mut line = Vec::new();
    let mut count = 0usize;
    loop {
        if read_line(reader, &mut line, LINE_HEAD)? == 0 {
            out.metadata.push(Field::new("message_count", "0", "mbox:separator lines"));
            return Ok(out);
        }
        if line.starts_with(b"From ") {
            break;
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::Malformed("not an MBOX mailbox: it does not begin with a \"From \" line".into()));
        }
    }

    let mut reading = Reading::new(limits);
    reading.start(1, &mut out.problems);
    count += 1;
    loop {
        let keep = reading.keep();
        let len = read_line(reader, &mut line, keep)?;
        if len == 0 {
            reading.finish(&mut out.problems, sink)?;
            break;
        }
        if line.starts_with(b"From ") {
            reading.finish(&mut out.problems, sink)?;
            count += 1;
            reading.start(count, &mut out.problems);
            continue;
        }
        let escaped = line.first() == Some(&b'>') && line.iter().position(|&b| b != b'>').is_some_and(|i| line[i..].starts_with(b"From "));
        let skip = usize::from(escaped);
        reading.add(&line[skip.min(line.len())..], (len - skip) as u64);
    }
    out.metadata.push(Field::new("message_count", count.to_string(), "mbox:separator lines"));
    Ok(out)
}

/// The message being read.
struct Reading {
    budget: Budget,
    /// The largest message kept, with room for the separator's blank line.
    cap: u64,
    /// Its number, from 1.
    n: usize,
    /// Its bytes, while it is kept.
    bytes: Vec<u8>,
    /// Its length, also when it is not kept.
    size: u64,
    /// The length of its last line when that line is blank: the blank
    /// line before a separator, not part of the message.
    last_blank: u64,
    /// Whether its bytes are being kept (not past a limit).
    keeping: bool,
    /// Whether the limit on messages was passed: no more are kept.
    stopped: bool,
}

impl Reading {
    fn new(limits: &Limits) -> Self {
        Self {
            budget: Budget::new(limits),
            cap: limits.max_item_bytes.saturating_add(2),
            n: 0,
            bytes: Vec::new(),
            size: 0,
            last_blank: 0,
            keeping: false,
            stopped: false,
        }
    }

    /// How much of the next line to keep.
    fn keep(&self) -> usize {
        if self.keeping {
            usize::try_from(self.cap.saturating_sub(self.size).saturating_add(1)).unwrap_or(usize::MAX).max(LINE_HEAD)
        } else {
            LINE_HEAD
        }
    }

    /// Begins message `n`.
    fn start(&mut self, n: usize, problems: &mut Vec<Problem>) {
        self.n = n;
        self.bytes.clear();
        self.size = 0;
        self.last_blank = 0;
        if !self.stopped && self.budget.items >= self.budget.limits.max_items {
            self.stopped = true;
            problems.push(Problem {
                item: format!("message {n}"),
                reason: format!(
                    "past the limit of {} items from one container: this message and the ones after it were not read",
                    self.budget.limits.max_items
                ),
            });
        }
        self.keeping = !self.stopped;
    }

    /// Adds a line of `len` bytes, of which `line` was kept.
    fn add(&mut self, line: &[u8], len: u64) {
        self.size += len;
        self.last_blank = if line == b"\n" || line == b"\r\n" { len } else { 0 };
        if !self.keeping {
            return;
        }
        if self.size > self.cap {
            self.keeping = false;
            self.bytes = Vec::new();
        } else {
            self.bytes.extend_from_slice(line);
        }
    }

    /// Ends the message: gives it to `sink`, or records why not.
    fn finish(&mut self, problems: &mut Vec<Problem>, sink: &mut dyn FnMut(Item) -> Result<()>) -> Result<()> {
        if self.stopped {
            return Ok(());
        }
        let path = format!("message {}", self.n);
        let size = self.size - self.last_blank;
        if let Err(reason) = self.budget.admit(size) {
            problems.push(Problem { item: path, reason });
            self.bytes = Vec::new();
            return Ok(());
        }
        let mut bytes = std::mem::take(&mut self.bytes);
        bytes.truncate(bytes.len().saturating_sub(self.last_blank as usize));
        let (subject, flags) = subject_and_flags(&bytes);
        let subject = file_name_part(&subject, SUBJECT_CHARS);
        let name = if subject.is_empty() { format!("{path}.eml") } else { format!("{path} - {subject}.eml") };
        sink(Item { name, bytes, path, flags })
    }
}

/// A message's subject (empty without one) and the flags of its `Status`
/// and `X-Status` headers.
fn subject_and_flags(bytes: &[u8]) -> (String, Vec<String>) {
    let Some(headers) = MessageParser::new().parse_headers(bytes) else { return (String::new(), Vec::new()) };
    let mut letters = String::new();
    for header in headers.headers() {
        let name = header.name.as_str();
        if (name.eq_ignore_ascii_case("Status") || name.eq_ignore_ascii_case("X-Status"))
            && let Some(text) = header.value.as_text() {
                letters.push_str(text);
            }
    }
    let flags = STATUS_FLAGS.iter().filter(|(letter, _)| letters.contains(*letter)).map(|(_, flag)| flag.to_string()).collect();
    (headers.subject().unwrap_or_default().to_string(), flags)
}

/// Reads one line, through its `\n`, into `line`, keeping at most `keep`
/// bytes of it; returns the whole line's length (0 at the end of the
/// stream).
fn read_line(reader: &mut dyn BufRead, line: &mut Vec<u8>, keep: usize) -> Result<usize> {
    line.clear();
    let mut total = 0;
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Malformed(format!("the mailbox could not be read: {e}"))),
        };
        if buf.is_empty() {
            return Ok(total);
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = keep.saturating_sub(line.len());
        line.extend_from_slice(&buf[..take.min(room)]);
        reader.consume(take);
        total += take;
        if done {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Cursor};

    use super::*;

    /// Reads `bytes` as a mailbox through a reader with a small buffer, so
    /// that lines are split between reads; returns the result and the items.
    fn read(bytes: &[u8], limits: &Limits) -> (Result<Extracted>, Vec<Item>) {
        let mut reader = BufReader::with_capacity(7, Cursor::new(bytes.to_vec()));
        let mut items = Vec::new();
        let result = mbox(&mut reader, limits, &mut |item| {
            items.push(item);
            Ok(())
        });
        (result, items)
    }

    fn message_count(out: &Extracted) -> Vec<(&str, &str, &str)> {
        out.metadata.iter().map(|f| (f.field.as_str(), f.value.as_str(), f.source.as_str())).collect()
    }

    const MAILBOX: &str = concat!(
        "\n",
        "From ann@example.com Tue Jan  2 10:00:00 2024\n",
        "From: Ann <ann@example.com>\n",
        "Subject: Plan: Q1/Q2 \"draft\"\n",
        "Status: RO\n",
        "X-Status: AF\n",
        "\n",
        ">From the start, the plan was clear.\n",
        ">>From here it is quoted once.\n",
        "> From is not escaped with a space.\n",
        "Fromage is no separator.\n",
        "\n",
        "From bob@example.com Tue Jan  2 11:00:00 2024\n",
        "From: bob@example.com\n",
        "Subject: Big\n",
        "\n",
        "0123456789012345678901234567890123456789012345678901234567890123456789\n",
        "0123456789012345678901234567890123456789012345678901234567890123456789\n",
        "0123456789012345678901234567890123456789012345678901234567890123456789\n",
        "0123456789012345678901234567890123456789012345678901234567890123456789\n",
        "0123456789012345678901234567890123456789012345678901234567890123456789\n",
        "\n",
        "From carol@example.com Tue Jan  2 12:00:00 2024\n",
        "From: carol@example.com\n",
        "Status: O\n",
        "\n",
        "No subject here.\n",
        "\n",
        "From dan@example.com Tue Jan  2 13:00:00 2024\n",
        "From: dan@example.com\n",
        "Subject: =?UTF-8?Q?=C3=9Cber_einen_sehr_langen_Betreff,_der_weit_mehr_als_sechzig_Zeichen_hat?=\n",
        "X-Status: DT\n",
        "\n",
        "Last, without a blank line at the end.",
    );

    #[test]
    fn splits_unescapes_flags_and_skips() {
        // The messages are 209, 391, 52 and 170 bytes long.
        let limits = Limits { max_item_bytes: 300, ..Limits::default() };
        let (out, items) = read(MAILBOX.as_bytes(), &limits);
        let out = out.unwrap();
        assert_eq!(out.extractor, super::super::extractor());
        assert_eq!(message_count(&out), vec![("message_count", "4", "mbox:separator lines")]);
        assert!(out.children.is_empty());
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].item, "message 2");
        assert_eq!(out.problems[0].reason, "391 bytes, larger than the limit of 300 bytes for one item");

        let got: Vec<_> = items.iter().map(|i| (i.name.as_str(), i.path.as_str(), i.flags.clone())).collect();
        let flags = |f: &[&str]| f.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            got,
            vec![
                ("message 1 - Plan Q1 Q2 draft.eml", "message 1", flags(&["read", "old", "answered", "flagged"])),
                ("message 3.eml", "message 3", flags(&["old"])),
                ("message 4 - Über einen sehr langen Betreff, der weit mehr als sechzig Ze.eml", "message 4", flags(&["deleted", "draft"])),
            ]
        );
        assert_eq!(
            String::from_utf8(items[0].bytes.clone()).unwrap(),
            concat!(
                "From: Ann <ann@example.com>\n",
                "Subject: Plan: Q1/Q2 \"draft\"\n",
                "Status: RO\n",
                "X-Status: AF\n",
                "\n",
                "From the start, the plan was clear.\n",
                ">From here it is quoted once.\n",
                "> From is not escaped with a space.\n",
                "Fromage is no separator.\n",
            )
        );
        assert_eq!(items[1].bytes, b"From: carol@example.com\nStatus: O\n\nNo subject here.\n");
        assert!(items[2].bytes.ends_with(b"\n\nLast, without a blank line at the end."));
        assert!(items[2].bytes.starts_with(b"From: dan@example.com\n"));

        // With room for it, the large message is given too, whole.
        let (out, items) = read(MAILBOX.as_bytes(), &Limits { max_item_bytes: 391, ..Limits::default() });
        assert!(out.unwrap().problems.is_empty());
        assert_eq!(items.len(), 4);
        assert_eq!(items[1].name, "message 2 - Big.eml");
        assert_eq!(items[1].bytes.len(), 391);
        assert!(items[1].bytes.ends_with(b"789\n"));
    }

    #[test]
    fn keeps_crlf_line_ends() {
        let mailbox = "From a@example.com Mon Jan  1 00:00:00 2024\r\nSubject: one\r\n\r\n>From here\r\n\r\nFrom b@example.com Mon Jan  1 00:00:00 2024\r\nSubject: two\r\n\r\nbody\r\n";
        let (out, items) = read(mailbox.as_bytes(), &Limits::default());
        assert_eq!(message_count(&out.unwrap()), vec![("message_count", "2", "mbox:separator lines")]);
        assert_eq!(items[0].bytes, b"Subject: one\r\n\r\nFrom here\r\n");
        assert_eq!(items[1].bytes, b"Subject: two\r\n\r\nbody\r\n");
        assert_eq!(items[1].name, "message 2 - two.eml");
    }

    #[test]
    fn stops_giving_past_the_limit_on_messages_but_counts_them() {
        let (out, items) = read(MAILBOX.as_bytes(), &Limits { max_items: 2, ..Limits::default() });
        let out = out.unwrap();
        assert_eq!(items.iter().map(|i| i.path.as_str()).collect::<Vec<_>>(), vec!["message 1", "message 2"]);
        assert_eq!(
            out.problems,
            vec![Problem {
                item: "message 3".into(),
                reason: "past the limit of 2 items from one container: this message and the ones after it were not read".into()
            }]
        );
        assert_eq!(message_count(&out), vec![("message_count", "4", "mbox:separator lines")]);
    }

    #[test]
    fn keeps_to_the_limit_on_all_bytes() {
        // Messages 1 and 3 are 209 + 52 bytes, within 270; 2 and 4 are not.
        let (out, items) = read(MAILBOX.as_bytes(), &Limits { max_total_bytes: 270, ..Limits::default() });
        let out = out.unwrap();
        assert_eq!(items.iter().map(|i| i.path.as_str()).collect::<Vec<_>>(), vec!["message 1", "message 3"]);
        assert_eq!(out.problems.iter().map(|p| p.item.as_str()).collect::<Vec<_>>(), vec!["message 2", "message 4"]);
        assert!(out.problems[0].reason.contains("limit of 270 bytes for all items"));
    }

    #[test]
    fn a_long_line_past_the_limit_is_read_past() {
        let mut mailbox = b"From a@example.com Mon Jan  1 00:00:00 2024\nSubject: huge\n\n".to_vec();
        mailbox.extend(std::iter::repeat_n(b'x', 1 << 20));
        mailbox.extend(b"\n\nFrom b@example.com Mon Jan  1 00:00:00 2024\nSubject: small\n\nok\n");
        let (out, items) = read(&mailbox, &Limits { max_item_bytes: 4096, ..Limits::default() });
        let out = out.unwrap();
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].item, "message 1");
        assert_eq!(out.problems[0].reason, format!("{} bytes, larger than the limit of 4096 bytes for one item", 15 + (1 << 20) + 1));
        assert_eq!(items.len(), 1);
        assert_eq!((items[0].name.as_str(), items[0].bytes.as_slice()), ("message 2 - small.eml", &b"Subject: small\n\nok\n"[..]));
    }

    #[test]
    fn an_error_from_the_sink_stops_the_reading() {
        let mut reader = Cursor::new(MAILBOX.as_bytes());
        let mut calls = 0;
        let result = mbox(&mut reader, &Limits::default(), &mut |_| {
            calls += 1;
            if calls == 2 { Err(Error::Stopped) } else { Ok(()) }
        });
        assert!(matches!(result, Err(Error::Stopped)));
        assert_eq!(calls, 2);
    }

    #[test]
    fn other_streams_are_not_mailboxes() {
        for bytes in [&b"Subject: no separator\n\nbody\n"[..], b"\n\nhello\nFrom a@example.com x\n", b"From:a@example.com\n", b"\x89PNG\r\n\x1a\n"] {
            match read(bytes, &Limits::default()).0 {
                Err(Error::Malformed(reason)) => assert_eq!(reason, "not an MBOX mailbox: it does not begin with a \"From \" line"),
                other => panic!("{:?}", other.map(|o| o.metadata)),
            }
        }
        for bytes in [&b""[..], b"\n\r\n"] {
            let (out, items) = read(bytes, &Limits::default());
            assert_eq!(message_count(&out.unwrap()), vec![("message_count", "0", "mbox:separator lines")]);
            assert!(items.is_empty());
        }
    }

    #[test]
    fn reads_ten_thousand_messages() {
        let mut mailbox = Vec::new();
        for i in 1..=10_000 {
            mailbox.extend(
                format!(
                    "From sender{i}@example.com Mon Jan  1 00:00:00 2024\nFrom: sender{i}@example.com\nTo: team@example.com\nSubject: Report {i}\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nStatus: RO\n\nLine one of message {i}.\n>From the archive.\nLine three.\n\n"
                )
                .as_bytes(),
            );
        }
        let started = std::time::Instant::now();
        let mut reader = Cursor::new(&mailbox);
        let (mut count, mut bytes) = (0usize, 0usize);
        let out = mbox(&mut reader, &Limits::default(), &mut |item| {
            count += 1;
            bytes += item.bytes.len();
            if count == 10_000 {
                assert_eq!(item.name, "message 10000 - Report 10000.eml");
                assert_eq!(item.flags, vec!["read".to_string(), "old".to_string()]);
                assert!(item.bytes.ends_with(b"\nFrom the archive.\nLine three.\n"));
            }
            Ok(())
        })
        .unwrap();
        let elapsed = started.elapsed();
        eprintln!("10000 messages in {elapsed:?} ({:.0} messages/s)", 10_000.0 / elapsed.as_secs_f64());
        assert_eq!(count, 10_000);
        assert_eq!(message_count(&out), vec![("message_count", "10000", "mbox:separator lines")]);
        // Each message loses its separator line, one `>` and the blank line at its end.
        let separators: usize = (1..=10_000).map(|i| format!("From sender{i}@example.com Mon Jan  1 00:00:00 2024\n").len()).sum();
        assert_eq!(bytes, mailbox.len() - separators - 2 * 10_000);
    }
}
