//! Choosing the extractor for an exhibit and running it, in memory; and OCR
//! of the pages that want it, on every core.

use super::zip::expand_zip;
use crate::error::{Error, Result};
use crate::format::seekable::Seekable;
use crate::store::Exhibit;
use crate::store::derived::{MAX_DEPTH, ProcessingState};
use custos_extract::documents::{self, OfficeKind, TextKind};
use custos_extract::ocr::OcrPage;
use custos_extract::audit::Mapping;
use custos_extract::{Extracted, Kind, Limits, Problem, mail, pst};
use sha2::{Digest, Sha256};

/// What an extractor made of an exhibit.
pub(crate) struct Understood {
    /// What it was read as.
    pub kind: &'static str,
    pub extracted: Extracted,
    /// Whether its items head families of their own (a mailbox's messages).
    pub mailbox: bool,
}

impl Understood {
    /// An exhibit processed before, for OCR only: its kind and the pages
    /// that want OCR, as recorded.
    pub fn for_ocr(state: &ProcessingState) -> Understood {
        let kind = match state.kind.as_str() {
            "pdf" => "pdf",
            "image" => "image",
            _ => "other",
        };
        Understood { kind, extracted: Extracted { wants_ocr: state.wants_ocr.clone(), ..Default::default() }, mailbox: false }
    }
}

/// Types whose content is never read (their kind is `other`).
const NOT_READ: &[&str] = &["video/", "audio/", "font/", "application/x-executable", "application/x-sharedlib", "application/vnd.microsoft.portable-executable"];

/// Unknown binary content is read (it may be a mailbox or an Outlook file
/// under another name) up to this size.
const UNKNOWN_READ_UP_TO: u64 = 256 << 20;

/// Whether an exhibit may hold something to read, from what intake
/// recorded (its MIME type, sniffed from its content, its name and size).
pub(crate) fn worth_reading(e: &Exhibit) -> bool {
    let ext = e.name.rsplit_once('.').map(|(_, x)| x.to_ascii_lowercase()).unwrap_or_default();
    if matches!(ext.as_str(), "pst" | "ost" | "mbox" | "mbx" | "eml" | "msg") {
        return true;
    }
    if NOT_READ.iter().any(|t| e.mime.starts_with(t)) || e.mime == "application/x-empty" {
        return false;
    }
    match e.mime.as_str() {
        "application/octet-stream" => e.size <= UNKNOWN_READ_UP_TO,
        m => m.starts_with("text/") || m.starts_with("image/") || m.starts_with("message/") || m.starts_with("application/"),
    }
}

/// What an exhibit is, from its first bytes, MIME type and name.
pub(crate) fn kind_of(bytes: &[u8], exhibit: &Exhibit) -> Kind {
    Kind::of(&bytes[..bytes.len().min(8192)], &exhibit.mime, &exhibit.name)
}

/// A kind's name as recorded.
pub(crate) fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Email => "email",
        Kind::Msg => "msg",
        Kind::Mbox => "mbox",
        Kind::Pst => "pst",
        Kind::Zip => "zip",
        Kind::Pdf => "pdf",
        Kind::Office(OfficeKind::Docx) => "docx",
        Kind::Office(OfficeKind::Xlsx) => "xlsx",
        Kind::Office(OfficeKind::Pptx) => "pptx",
        Kind::Office(OfficeKind::Odt) => "odt",
        Kind::Office(OfficeKind::Ods) => "ods",
        Kind::Office(OfficeKind::Odp) => "odp",
        Kind::Image => "image",
        Kind::Text(TextKind::Plain) => "text",
        Kind::Text(TextKind::Csv) => "csv",
        Kind::Text(TextKind::Html) => "html",
        Kind::Text(TextKind::Rtf) => "rtf",
        Kind::Other => "other",
    }
}

/// Runs the extractor for the exhibit's kind. An exhibit `depth` levels
/// inside containers at the limit keeps its metadata and text, and its
/// items are a problem, not exhibits.
pub(crate) fn understand(bytes: &[u8], exhibit: &Exhibit, depth: u32, limits: &Limits, mappings: &[Mapping]) -> custos_extract::Result<Understood> {
    let kind = kind_of(bytes, exhibit);
    let mut audit = false;
    let mut x = match kind {
        Kind::Email => mail::message(bytes, limits)?,
        Kind::Msg => mail::msg(bytes, limits)?,
        Kind::Mbox | Kind::Pst => {
            return Err(custos_extract::Error::Malformed("a mailbox is expanded as a stream, never from memory".into()));
        }
        Kind::Zip => expand_zip(bytes, limits)?,
        Kind::Pdf => documents::pdf(bytes)?,
        Kind::Office(k) => documents::office(bytes, k)?,
        Kind::Image => documents::image(bytes)?,
        Kind::Text(k) => {
            let mut x = documents::text(bytes, k)?;
            // An audit-log export (CSV or JSON) is read into events as well.
            if matches!(k, TextKind::Csv | TextKind::Plain)
                && let Some(log) = custos_extract::audit::audit_log_with(bytes, mappings)?
            {
                x.metadata.extend(log.fields());
                x.problems.extend(log.problems);
                x.events = log.events;
                x.audit_mapping = log.mapping;
                audit = true;
            }
            x
        }
        Kind::Other => Extracted::default(),
    };
    if x.extractor.name.is_empty() {
        x.extractor = match kind {
            Kind::Email | Kind::Msg | Kind::Mbox => mail::extractor(),
            Kind::Pst => pst::extractor(),
            _ => x.extractor,
        };
    }
    if depth >= MAX_DEPTH && !x.children.is_empty() {
        let n = x.children.len();
        x.children.clear();
        x.problems.push(Problem {
            item: format!("{n} items inside"),
            reason: format!("nesting beyond the limit: this item is {depth} levels inside containers (at most {MAX_DEPTH} are expanded)"),
        });
    }
    Ok(Understood { kind: if audit { AUDIT_LOG } else { kind_name(kind) }, extracted: x, mailbox: kind.is_mailbox() })
}

/// Text recognised on the pages that want it, with what failed.
pub(crate) struct Recognised {
    pub pages: Vec<OcrPage>,
    pub problems: Vec<(String, String)>,
}

/// OCR of the pages of `u` that want it, two (or as many as there are
/// cores) at a time, in page order. A page that fails is a problem; a
/// missing Tesseract is an error.
pub(crate) fn recognise(bytes: &[u8], u: &Understood, lang: &str) -> Result<Recognised> {
    let pages = &u.extracted.wants_ocr;
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 8).min(pages.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<(u32, custos_extract::Result<OcrPage>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&page) = pages.get(i) else { break };
                        let r = match u.kind {
                            "pdf" => custos_extract::ocr::pdf_page(bytes, page, lang),
                            _ => custos_extract::ocr::image(bytes, lang),
                        };
                        done.push((page, r));
                    }
                    done
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("an OCR worker panicked")).collect()
    });
    let mut out = Recognised { pages: Vec::new(), problems: Vec::new() };
    let mut results = results;
    results.sort_by_key(|(p, _)| *p);
    for (page, r) in results {
        match r {
            Ok(p) => out.pages.push(p),
            Err(e @ custos_extract::Error::ToolMissing { .. }) => {
                return Err(Error::MissingTool(e.to_string()));
            }
            Err(e) => out.problems.push((format!("page {page}"), e.to_string())),
        }
    }
    Ok(out)
}

/// The SHA-256 of a set of OCR pages: of the JSON array of `{"page","text"}`.
pub(crate) fn ocr_sha256(pages: &[OcrPage]) -> String {
    let v: Vec<serde_json::Value> = pages.iter().map(|p| serde_json::json!({"page": p.page, "text": p.text})).collect();
    hex::encode(Sha256::digest(serde_json::to_vec(&v).expect("pages serialise")))
}

/// The kind recorded for an audit-log export (read as text and into events).
pub(crate) const AUDIT_LOG: &str = "audit_log";

/// Exhibits of these kinds are expanded as a stream (see `stream`):
/// mailboxes always, archives above this size.
pub(crate) const STREAM_ARCHIVES_ABOVE: u64 = 64 << 20;

/// Whether an exhibit of `kind` and `size` is expanded as a stream.
pub(crate) fn streamed(kind: Kind, size: u64) -> bool {
    kind.is_mailbox() || (kind == Kind::Zip && size > STREAM_ARCHIVES_ABOVE)
}

/// Expands a container (a mailbox, an archive) read from `plain` (which
/// holds one chunk of it in memory at a time), giving each item to `sink`
/// with its position (from 1) as soon as it is read. A container `depth`
/// levels inside others at the limit gives none: they are a problem.
pub(crate) fn expand_stream(
    plain: Seekable,
    kind: Kind,
    depth: u32,
    limits: &Limits,
    sink: &mut dyn FnMut(u32, custos_extract::Item) -> custos_extract::Result<()>,
) -> custos_extract::Result<Understood> {
    let mut position = 0u32;
    let mut sink = |item| {
        position += 1;
        if depth >= MAX_DEPTH { Ok(()) } else { sink(position, item) }
    };
    let mut x = match kind {
        Kind::Mbox => mail::mbox(&mut std::io::BufReader::with_capacity(1 << 20, plain), limits, &mut sink)?,
        Kind::Pst => pst::pst(plain, limits, &mut sink)?,
        Kind::Zip => super::zip::stream_zip(plain, limits, &mut sink)?,
        _ => {
            return Err(custos_extract::Error::Malformed(format!("{} is not expanded as a stream", kind_name(kind))));
        }
    };
    if depth >= MAX_DEPTH && position > 0 {
        x.problems.push(Problem {
            item: format!("{position} items inside"),
            reason: format!("nesting beyond the limit: this item is {depth} levels inside containers (at most {MAX_DEPTH} are expanded)"),
        });
    }
    Ok(Understood { kind: kind_name(kind), extracted: x, mailbox: kind.is_mailbox() })
}
