//! Outlook data files (PST, and OST files in the same formats): every
//! message of every folder, written as an RFC 5322 message.
//!
//! The file is read with Microsoft's `outlook-pst` crate, from the reader
//! given (never a path). The folders are walked from the root; search
//! folders (which only point at messages held elsewhere) and the hidden
//! folder-associated items (views, rules) are left out. Each message of a
//! folder's contents table is written as RFC 5322:
//!
//! - the headers are the original transport headers where the PST kept
//!   them (less the MIME fields that described the original body), else
//!   built from the MAPI properties (From, Sender, To, Cc, Bcc, Subject,
//!   Date, Message-ID, In-Reply-To, References);
//! - the plain body (`PR_BODY`) and the HTML body (`PR_HTML`) are
//!   `text/plain` and `text/html` parts (alternatives when both are there)
//!   in quoted-printable, in the character set they are stored in; a message
//!   with neither but a compressed RTF body has its text and its RTF
//!   (`text/rtf`) as alternatives instead;
//! - each attachment is a base64 part with its file name (RFC 2231 where it
//!   is not ASCII); an embedded message is a `message/rfc822` part, written
//!   the same way, to a depth of [`render::MAX_EMBEDDED_DEPTH`]. The
//!   attachments of an embedded message cannot be reached through
//!   `outlook-pst` 1.2 and are reported as problems.
//!
//! Items that are not e-mail (contacts, appointments, tasks) are written
//! the same way, with their message class in an `X-Custos-Message-Class`
//! header (every class not starting `IPM.Note` has it).
//!
//! The OST format of Outlook 2013 and later (4 KiB pages) and files that
//! are not Outlook data files are [`Error::Malformed`]. A folder or message
//! that cannot be read, even one on which the reader panics, is a
//! [`Problem`] and the walk goes on.

mod mime;
mod render;
mod rtf;

use std::cell::RefCell;
use std::collections::HashSet;
use std::io::{self, Read, Seek, SeekFrom};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use outlook_pst::ltp::table_context::TableContext;
use outlook_pst::messaging::attachment::{AnsiAttachment, Attachment, UnicodeAttachment};
use outlook_pst::messaging::message::{AnsiMessage, Message, UnicodeMessage};
use outlook_pst::messaging::store::{AnsiStore, Store, UnicodeStore};
use outlook_pst::ndb::node_id::{NID_ROOT_FOLDER, NodeId, NodeIdType};
use outlook_pst::{AnsiPstFile, UnicodePstFile};

use crate::{Error, Extracted, Extractor, Field, Item, Limits, Problem, Result};

/// The longest name made from a subject, in characters (before `.eml`).
const MAX_NAME_CHARS: usize = 60;

/// How deep folders are walked (a damaged file may nest them forever).
const MAX_FOLDER_DEPTH: usize = 200;

/// This extractor.
pub fn extractor() -> Extractor {
    Extractor {
        name: "custos-extract/pst".into(),
        version: format!("{} (outlook-pst 1.2)", crate::VERSION),
        settings: "messages written as RFC 5322 with attachments as MIME parts".into(),
    }
}

/// Expands an Outlook data file into its messages, each passed to `sink`
/// as it is written (never all at once), as `<subject>.eml` (or
/// `message N.eml`) with its folder path (`/Top of Outlook data
/// file/Inbox`) and flags (`read`, `draft`, `flagged`, `answered`,
/// `forwarded`, `important`).
///
/// The reader is owned (`'static`) because `outlook-pst` keeps it for the
/// life of the file. A message past a limit, or that cannot be read, is a
/// problem in the result; an error from `sink` stops the walk and is
/// returned. The metadata are `message_count` (the messages found in the
/// folders, returned or not), `folder_count` (the folders below the root
/// that were read) and `pst_format` (`Unicode` or `ANSI`).
pub fn pst<R: Read + Seek + 'static>(reader: R, limits: &Limits, sink: &mut dyn FnMut(Item) -> Result<()>) -> Result<Extracted> {
    let shared = Rc::new(RefCell::new(reader));
    let format = format(&mut *shared.borrow_mut())?;
    let reopen: Box<dyn Fn() -> io::Result<Opened>> = {
        let shared = shared.clone();
        Box::new(move || Opened::open(format, &shared))
    };
    let opened = match catch_unwind(AssertUnwindSafe(&reopen)) {
        Ok(Ok(opened)) => opened,
        Ok(Err(e)) => return Err(Error::Malformed(format!("damaged Outlook data file: {e}"))),
        Err(panic) => return Err(Error::Malformed(format!("damaged Outlook data file: the reader failed ({})", panic_text(&panic)))),
    };
    let mut walk = Walk { opened: Some(opened), reopen, limits, sink, problems: Vec::new(), messages: 0, folders: 0, items: 0, bytes: 0, over_count: None, visited: HashSet::new(), seed: 0 };
    walk.folder(NID_ROOT_FOLDER, "/", 0)?;
    if let Some((first, count)) = walk.over_count.take() {
        walk.problems.push(Problem { item: first, reason: format!("the limit of {} items was reached: this message and {} after it were not returned", limits.max_items, count - 1) });
    }
    Ok(Extracted {
        extractor: extractor(),
        metadata: vec![
            Field::new("message_count", walk.messages.to_string(), "pst:messages"),
            Field::new("folder_count", walk.folders.to_string(), "pst:folders"),
            Field::new("pst_format", format.name(), "pst:header"),
        ],
        problems: walk.problems,
        ..Extracted::default()
    })
}

/// The two formats of Outlook data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// Outlook 2003 and later (64-bit offsets, UTF-16 strings).
    Unicode,
    /// Outlook 97–2002 (32-bit offsets, 8-bit strings).
    Ansi,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Unicode => "Unicode",
            Format::Ansi => "ANSI",
        }
    }
}

/// The format named by the file's header (`!BDN`, then `wVer`).
fn format(reader: &mut dyn ReadSeek) -> Result<Format> {
    let mut header = [0u8; 12];
    let read = reader.seek(SeekFrom::Start(0)).and_then(|_| reader.read_exact(&mut header));
    if read.is_err() || &header[..4] != b"!BDN" {
        return Err(Error::Malformed("not an Outlook data file: no !BDN signature".into()));
    }
    match u16::from_le_bytes([header[10], header[11]]) {
        14 | 15 => Ok(Format::Ansi),
        23 => Ok(Format::Unicode),
        36 => Err(Error::Malformed("Outlook data file version 36 (OST with 4 KiB pages, Outlook 2013 and later) is not supported by outlook-pst 1.2".into())),
        v => Err(Error::Malformed(format!("not an Outlook data file: unknown version {v}"))),
    }
}

/// A reader that can also seek.
trait ReadSeek: Read + Seek {}

impl<T: Read + Seek> ReadSeek for T {}

/// The caller's reader, shared so that the file can be opened again after
/// the reader panicked (which leaves `outlook-pst`'s own lock poisoned).
struct Shared<R>(Rc<RefCell<R>>);

impl<R: Read> Read for Shared<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}

impl<R: Seek> Seek for Shared<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.0.borrow_mut().seek(pos)
    }
}

/// An open message store of either format.
enum Opened {
    Unicode(Rc<UnicodeStore>),
    Ansi(Rc<AnsiStore>),
}

impl Opened {
    fn open<R: Read + Seek + 'static>(format: Format, reader: &Rc<RefCell<R>>) -> io::Result<Self> {
        reader.borrow_mut().seek(SeekFrom::Start(0))?;
        let boxed = Box::new(Shared(reader.clone()));
        Ok(match format {
            Format::Unicode => Opened::Unicode(UnicodeStore::read(Rc::new(UnicodePstFile::read_from(boxed)?))?),
            Format::Ansi => Opened::Ansi(AnsiStore::read(Rc::new(AnsiPstFile::read_from(boxed)?))?),
        })
    }

    fn store(&self) -> Rc<dyn Store> {
        match self {
            Opened::Unicode(s) => s.clone(),
            Opened::Ansi(s) => s.clone(),
        }
    }

    fn open_message(&self, node: NodeId) -> io::Result<Msg> {
        let entry_id = self.store().properties().make_entry_id(node)?;
        Ok(match self {
            Opened::Unicode(s) => Msg::Unicode(UnicodeMessage::read(s.clone(), &entry_id, None)?),
            Opened::Ansi(s) => Msg::Ansi(AnsiMessage::read(s.clone(), &entry_id, None)?),
        })
    }
}

/// A message whose attachments can be read (one in a folder), or an
/// embedded one whose attachments cannot.
enum Msg {
    Unicode(Rc<UnicodeMessage>),
    Ansi(Rc<AnsiMessage>),
    Embedded(Rc<dyn Message>),
}

impl Msg {
    fn message(&self) -> Rc<dyn Message> {
        match self {
            Msg::Unicode(m) => m.clone(),
            Msg::Ansi(m) => m.clone(),
            Msg::Embedded(m) => m.clone(),
        }
    }

    /// The attachment in sub-node `node`; `None` for an embedded message.
    fn attachment(&self, node: NodeId) -> Option<io::Result<Rc<dyn Attachment>>> {
        match self {
            Msg::Unicode(m) => Some(UnicodeAttachment::read(m.clone(), node, None).map(|a| a as Rc<dyn Attachment>)),
            Msg::Ansi(m) => Some(AnsiAttachment::read(m.clone(), node, None).map(|a| a as Rc<dyn Attachment>)),
            Msg::Embedded(_) => None,
        }
    }
}

/// What a folder holds: its sub-folders (node, name) and messages.
struct Listing {
    folders: Vec<(NodeId, Option<String>)>,
    messages: Vec<NodeId>,
}

/// The sub-folders and messages of the folder at `node`.
fn list(opened: &Opened, node: NodeId) -> std::result::Result<Listing, String> {
    let store = opened.store();
    let entry_id = store.properties().make_entry_id(node).map_err(|e| e.to_string())?;
    let folder = store.open_folder(&entry_id).map_err(|e| format!("cannot open the folder: {e}"))?;
    let mut listing = Listing { folders: Vec::new(), messages: Vec::new() };
    if let Some(table) = folder.hierarchy_table() {
        let context = table.context();
        let name_column = context.columns().iter().position(|c| c.prop_id() == 0x3001);
        for row in table.rows_matrix() {
            let child = NodeId::from(u32::from(row.id()));
            if !matches!(child.id_type(), Ok(NodeIdType::NormalFolder)) {
                continue;
            }
            let name = name_column.and_then(|i| column_text(table.as_ref(), row, i));
            listing.folders.push((child, name));
        }
    }
    if let Some(table) = folder.contents_table() {
        listing.messages = table.rows_matrix().map(|row| NodeId::from(u32::from(row.id()))).collect();
    }
    Ok(listing)
}

/// The text in column `index` of a table row.
fn column_text(table: &dyn TableContext, row: &outlook_pst::ltp::table_context::TableRowData, index: usize) -> Option<String> {
    let context = table.context();
    let value = row.columns(context).ok()?.into_iter().nth(index)??;
    let value = table.read_column(&value, context.columns()[index].prop_type()).ok()?;
    render::string(Some(&value), encoding_rs::WINDOWS_1252).filter(|n| !n.trim().is_empty())
}

/// The text of a panic's payload.
fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

/// A walk through the folders, passing messages to the sink.
struct Walk<'a> {
    /// The open store (`None` after it could not be opened again).
    opened: Option<Opened>,
    reopen: Box<dyn Fn() -> io::Result<Opened>>,
    limits: &'a Limits,
    sink: &'a mut dyn FnMut(Item) -> Result<()>,
    problems: Vec<Problem>,
    /// Messages found.
    messages: u64,
    /// Folders read, below the root.
    folders: u64,
    /// Items returned.
    items: usize,
    /// Bytes returned.
    bytes: u64,
    /// The first message past `max_items`, and how many were.
    over_count: Option<(String, usize)>,
    visited: HashSet<u32>,
    seed: usize,
}

impl Walk<'_> {
    /// Runs `f` on the open store; a panic in it is an error, after which
    /// the file is opened again.
    fn guard<T>(&mut self, f: impl FnOnce(&Opened) -> std::result::Result<T, String>) -> std::result::Result<T, String> {
        let Some(opened) = &self.opened else { return Err("the data file could not be opened again after an earlier failure".into()) };
        match catch_unwind(AssertUnwindSafe(|| f(opened))) {
            Ok(result) => result,
            Err(panic) => {
                self.opened = None;
                if let Ok(Ok(opened)) = catch_unwind(AssertUnwindSafe(&self.reopen)) {
                    self.opened = Some(opened);
                }
                Err(format!("the reader failed on damaged data ({})", panic_text(&panic)))
            }
        }
    }

    fn folder(&mut self, node: NodeId, path: &str, depth: usize) -> Result<()> {
        let listing = match self.guard(|opened| list(opened, node)) {
            Ok(listing) => listing,
            Err(reason) => {
                self.problems.push(Problem { item: path.to_string(), reason });
                return Ok(());
            }
        };
        if depth > 0 {
            self.folders += 1;
        }
        let prefix = path.trim_end_matches('/');
        for (index, message) in listing.messages.iter().enumerate() {
            self.messages += 1;
            let label = format!("{prefix}/message {}", index + 1);
            if self.items >= self.limits.max_items {
                match &mut self.over_count {
                    Some((_, count)) => *count += 1,
                    None => self.over_count = Some((label, 1)),
                }
                continue;
            }
            self.message(*message, path, &label, index + 1)?;
        }
        for (index, (child, name)) in listing.folders.into_iter().enumerate() {
            let name = name.unwrap_or_else(|| format!("folder {}", index + 1)).replace('/', "%2F");
            let child_path = format!("{prefix}/{name}");
            if depth + 1 > MAX_FOLDER_DEPTH {
                self.problems.push(Problem { item: child_path, reason: format!("folders nested deeper than {MAX_FOLDER_DEPTH}: not read") });
            } else if !self.visited.insert(u32::from(child)) {
                self.problems.push(Problem { item: child_path, reason: "the folder appears twice in the hierarchy (damaged file): read once".into() });
            } else {
                self.folder(child, &child_path, depth + 1)?;
            }
        }
        Ok(())
    }

    fn message(&mut self, node: NodeId, path: &str, label: &str, position: usize) -> Result<()> {
        let mut problems = Vec::new();
        self.seed = self.seed.wrapping_add(1);
        let mut cx = render::Context { max_bytes: self.limits.max_item_bytes, problems: &mut problems, seed: self.seed };
        let rendered = self.guard(|opened| {
            let message = opened.open_message(node).map_err(|e| format!("cannot read the message: {e}"))?;
            render::message(&message, label, 0, &mut cx)
        });
        self.problems.append(&mut problems);
        let rendered = match rendered {
            Ok(rendered) => rendered,
            Err(reason) => {
                self.problems.push(Problem { item: label.to_string(), reason });
                return Ok(());
            }
        };
        let size = rendered.bytes.len() as u64;
        if self.bytes + size > self.limits.max_total_bytes {
            self.problems.push(Problem { item: label.to_string(), reason: format!("past the limit of {} bytes for all items", self.limits.max_total_bytes) });
            return Ok(());
        }
        self.items += 1;
        self.bytes += size;
        let name = rendered.subject.as_deref().and_then(file_name).unwrap_or_else(|| format!("message {position}"));
        (self.sink)(Item { name: format!("{name}.eml"), bytes: rendered.bytes, path: path.to_string(), flags: rendered.flags })
    }
}

/// A file name from a subject: characters unsafe in file names replaced,
/// spaces collapsed, at most [`MAX_NAME_CHARS`] characters.
fn file_name(subject: &str) -> Option<String> {
    let cleaned: String = subject.chars().map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '_' } else { c }).collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = collapsed.chars().take(MAX_NAME_CHARS).collect();
    let trimmed = short.trim_matches(|c: char| c == '.' || c.is_whitespace());
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

#[cfg(test)]
mod tests;
