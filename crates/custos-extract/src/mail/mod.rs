//! E-mail: RFC 5322 / MIME messages ([`message`]), Outlook `.msg` files
//! ([`msg`]) and MBOX mailboxes ([`mbox`]).
//!
//! A message yields its metadata (addresses, subject, dates, message ids
//! and the thread they make), its text and its attachments as child items;
//! a mailbox yields its messages one at a time, never holding more than one
//! in memory.

mod eml;
mod mbox;
mod msg;

pub use eml::message;
pub use mbox::mbox;
pub use msg::msg;

use crate::{Extractor, Limits};

/// Who reads e-mail: this module, with the parsers it is built on.
pub fn extractor() -> Extractor {
    Extractor {
        name: "custos-extract/mail".into(),
        version: format!("{} (mail-parser 0.11, msg_parser 0.3)", crate::VERSION),
        settings: String::new(),
    }
}

/// One address as a person reads it: `Name <addr>`, or the address alone
/// when there is no name (or the name is the address).
fn address(name: Option<&str>, addr: Option<&str>) -> Option<String> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    let addr = addr.map(str::trim).filter(|a| !a.is_empty());
    match (name, addr) {
        (Some(n), Some(a)) if n.eq_ignore_ascii_case(a) => Some(a.to_string()),
        (Some(n), Some(a)) => Some(format!("{n} <{a}>")),
        (None, Some(a)) => Some(a.to_string()),
        (Some(n), None) => Some(n.to_string()),
        (None, None) => None,
    }
}

/// A subject made fit to be part of a file name: no path separators,
/// characters that file systems refuse or control characters, runs of
/// white space as one space, at most `max` characters, no dots or spaces at
/// either end. Empty when nothing is left.
fn file_name_part(subject: &str, max: usize) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in subject.chars() {
        let c = if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') { ' ' } else { c };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    let cut: String = out.chars().take(max).collect();
    cut.trim_matches(|c: char| c == '.' || c.is_whitespace()).to_string()
}

/// The bounds on what one container yields, and what it has yielded so
/// far.
struct Budget {
    limits: Limits,
    items: usize,
    bytes: u64,
}

impl Budget {
    fn new(limits: &Limits) -> Self {
        Self { limits: *limits, items: 0, bytes: 0 }
    }

    /// Counts an item of `size` bytes in, or says which limit it would pass.
    fn admit(&mut self, size: u64) -> std::result::Result<(), String> {
        if size > self.limits.max_item_bytes {
            return Err(format!("{size} bytes, larger than the limit of {} bytes for one item", self.limits.max_item_bytes));
        }
        if self.items >= self.limits.max_items {
            return Err(format!("past the limit of {} items from one container", self.limits.max_items));
        }
        if self.bytes.saturating_add(size) > self.limits.max_total_bytes {
            return Err(format!("{size} bytes, past the limit of {} bytes for all items of one container", self.limits.max_total_bytes));
        }
        self.items += 1;
        self.bytes += size;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_extractor_and_its_parsers() {
        let e = extractor();
        assert_eq!(e.name, "custos-extract/mail");
        assert_eq!(e.version, format!("{} (mail-parser 0.11, msg_parser 0.3)", crate::VERSION));
        assert_eq!(e.settings, "");
    }

    #[test]
    fn formats_addresses() {
        assert_eq!(address(Some("Ann Lee"), Some("ann@example.com")).as_deref(), Some("Ann Lee <ann@example.com>"));
        assert_eq!(address(None, Some("ann@example.com")).as_deref(), Some("ann@example.com"));
        assert_eq!(address(Some(" "), Some("ann@example.com")).as_deref(), Some("ann@example.com"));
        assert_eq!(address(Some("ANN@example.com"), Some("ann@example.com")).as_deref(), Some("ann@example.com"));
        assert_eq!(address(Some("Ann Lee"), None).as_deref(), Some("Ann Lee"));
        assert_eq!(address(None, Some("")), None);
    }

    #[test]
    fn makes_file_name_parts() {
        assert_eq!(file_name_part("Re: Q3 plan / v2?", 60), "Re Q3 plan v2");
        assert_eq!(file_name_part("  a\tb\r\n c  ", 60), "a b c");
        assert_eq!(file_name_part("..hidden..", 60), "hidden");
        assert_eq!(file_name_part("Ünïcødé ok", 60), "Ünïcødé ok");
        assert_eq!(file_name_part(&"x".repeat(100), 60), "x".repeat(60));
        assert_eq!(file_name_part("ab cd", 3), "ab");
        assert_eq!(file_name_part("///", 60), "");
    }

    #[test]
    fn budget_enforces_each_limit() {
        let limits = Limits { max_item_bytes: 10, max_items: 2, max_total_bytes: 15, max_ratio: 1 };
        let mut b = Budget::new(&limits);
        assert!(b.admit(11).unwrap_err().contains("larger than the limit of 10 bytes"));
        b.admit(10).unwrap();
        assert!(b.admit(6).unwrap_err().contains("limit of 15 bytes for all items"));
        b.admit(5).unwrap();
        assert!(b.admit(0).unwrap_err().contains("limit of 2 items"));
        assert_eq!((b.items, b.bytes), (2, 15));
    }
}
