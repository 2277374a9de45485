//! Which extractor reads an item: from its first bytes, its MIME type as
//! recorded at intake and its name.

use crate::documents::{OfficeKind, TextKind};

/// What an item is, as far as understanding it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An RFC 5322 message (`.eml`).
    Email,
    /// An Outlook message (`.msg`).
    Msg,
    /// A mailbox of messages (MBOX).
    Mbox,
    /// An Outlook data file (PST or OST).
    Pst,
    /// A ZIP archive (not an Office document).
    Zip,
    /// A PDF.
    Pdf,
    /// An Office Open XML or OpenDocument file.
    Office(OfficeKind),
    /// A picture (OCR, EXIF).
    Image,
    /// Text of some kind.
    Text(TextKind),
    /// Nothing Custos reads inside.
    Other,
}

impl Kind {
    /// Whether items come out of it that become exhibits of their own.
    pub fn is_container(self) -> bool {
        matches!(self, Kind::Email | Kind::Msg | Kind::Mbox | Kind::Pst | Kind::Zip)
    }

    /// Whether its items are families of their own (a mailbox's messages),
    /// rather than members of its family (an archive's entries, a message's
    /// attachments).
    pub fn is_mailbox(self) -> bool {
        matches!(self, Kind::Mbox | Kind::Pst)
    }

    /// Decides from the first bytes (at least the first 4 KiB when the item
    /// is that long), the recorded MIME type and the name.
    pub fn of(head: &[u8], mime: &str, name: &str) -> Kind {
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        if head.starts_with(b"!BDN") {
            return Kind::Pst;
        }
        if head.starts_with(b"%PDF-") || mime == "application/pdf" {
            return Kind::Pdf;
        }
        // Compound file binary: an Outlook message only by its name.
        if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return if ext == "msg" || mime == "application/vnd.ms-outlook" { Kind::Msg } else { Kind::Other };
        }
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            return match office_kind(head, &ext) {
                Some(k) => Kind::Office(k),
                None => Kind::Zip,
            };
        }
        if mime.starts_with("image/") && !mime.contains("svg") {
            return Kind::Image;
        }
        if head.starts_with(b"From ") || ext == "mbox" || mime == "application/mbox" {
            return Kind::Mbox;
        }
        if ext == "eml" || mime == "message/rfc822" || looks_like_message(head) {
            return Kind::Email;
        }
        if head.starts_with(b"{\\rtf") || ext == "rtf" {
            return Kind::Text(TextKind::Rtf);
        }
        if mime == "text/html" || ext == "html" || ext == "htm" {
            return Kind::Text(TextKind::Html);
        }
        if mime == "text/csv" || ext == "csv" {
            return Kind::Text(TextKind::Csv);
        }
        if mime.starts_with("text/") || matches!(ext.as_str(), "txt" | "log" | "md" | "json" | "xml" | "tsv") {
            return Kind::Text(TextKind::Plain);
        }
        Kind::Other
    }
}

/// The Office kind of a zip, from the name of its first entry's content
/// (`[Content_Types].xml` and the main part's folder for OOXML, the
/// `mimetype` entry for ODF) or, failing that, its extension.
fn office_kind(head: &[u8], ext: &str) -> Option<OfficeKind> {
    let text = String::from_utf8_lossy(head);
    for (mime, k) in [
        ("application/vnd.oasis.opendocument.text", OfficeKind::Odt),
        ("application/vnd.oasis.opendocument.spreadsheet", OfficeKind::Ods),
        ("application/vnd.oasis.opendocument.presentation", OfficeKind::Odp),
    ] {
        if text.contains(mime) {
            return Some(k);
        }
    }
    match ext {
        "docx" | "docm" => Some(OfficeKind::Docx),
        "xlsx" | "xlsm" => Some(OfficeKind::Xlsx),
        "pptx" | "pptm" => Some(OfficeKind::Pptx),
        "odt" => Some(OfficeKind::Odt),
        "ods" => Some(OfficeKind::Ods),
        "odp" => Some(OfficeKind::Odp),
        _ if text.contains("word/") => Some(OfficeKind::Docx),
        _ if text.contains("xl/") => Some(OfficeKind::Xlsx),
        _ if text.contains("ppt/") => Some(OfficeKind::Pptx),
        _ => None,
    }
}

/// Whether the first line is a header field that messages start with.
fn looks_like_message(head: &[u8]) -> bool {
    const STARTS: [&str; 8] = ["received:", "return-path:", "from:", "message-id:", "mime-version:", "date:", "delivered-to:", "x-"];
    let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = String::from_utf8_lossy(first).to_ascii_lowercase();
    STARTS.iter().any(|s| first.starts_with(s)) && head.windows(2).any(|w| w == b"\n\n" || w == b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_content_first() {
        assert_eq!(Kind::of(b"!BDN\x00\x00", "application/octet-stream", "x.bin"), Kind::Pst);
        assert_eq!(Kind::of(b"%PDF-1.7\n", "application/octet-stream", "report.txt"), Kind::Pdf);
        assert_eq!(Kind::of(b"From a@b Mon Jan  1 00:00:00 2024\n", "text/plain", "box"), Kind::Mbox);
        assert_eq!(Kind::of(b"Received: from x\r\nFrom: a@b\r\n\r\nhi", "text/plain", "m"), Kind::Email);
        assert_eq!(Kind::of(b"PK\x03\x04....word/document.xml", "application/zip", "memo"), Kind::Office(OfficeKind::Docx));
        assert_eq!(Kind::of(b"PK\x03\x04....mimetypeapplication/vnd.oasis.opendocument.text", "application/zip", "a.zip"), Kind::Office(OfficeKind::Odt));
        assert_eq!(Kind::of(b"PK\x03\x04....notes/a.txt", "application/zip", "take.zip"), Kind::Zip);
        assert_eq!(Kind::of(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "application/x-ole-storage", "mail.msg"), Kind::Msg);
        assert_eq!(Kind::of(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "application/msword", "old.doc"), Kind::Other);
        assert_eq!(Kind::of(b"\x89PNG", "image/png", "shot.png"), Kind::Image);
        assert_eq!(Kind::of(b"{\\rtf1", "application/rtf", "x"), Kind::Text(TextKind::Rtf));
        assert_eq!(Kind::of(b"a,b\n1,2\n", "text/csv", "x.csv"), Kind::Text(TextKind::Csv));
        assert_eq!(Kind::of(b"hello", "text/plain", "x.txt"), Kind::Text(TextKind::Plain));
        assert_eq!(Kind::of(b"\x7fELF", "application/x-executable", "a.out"), Kind::Other);
        assert!(Kind::Mbox.is_mailbox() && !Kind::Zip.is_mailbox() && Kind::Zip.is_container() && !Kind::Pdf.is_container());
    }
}
