//! Exhibits: the dashboard, one exhibit with its history, editing, tagging
//! and previews.

use custos_core::{CustodyEvent, ExhibitDetail, MatterInfo};
use serde::{Deserialize, Serialize};
use specta::Type;

/// Custodian with how many exhibits.
#[derive(Debug, Clone, Serialize, Type)]
pub struct CustodianCount {
    /// Custodian name ("" for none recorded).
    pub name: String,
    /// Exhibits.
    pub exhibits: u32,
}

/// The latest verification, from the custody log.
#[derive(Debug, Clone, Serialize, Type)]
pub struct LastVerification {
    /// When.
    pub time: String,
    /// `quick` or `full`.
    pub mode: String,
    /// Whether it passed.
    pub ok: bool,
    /// Errors found.
    pub errors: u32,
    /// Warnings found.
    pub warnings: u32,
    /// Who ran it.
    pub actor: String,
}

/// The matter dashboard.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Dashboard {
    /// The matter.
    pub matter: MatterInfo,
    /// Exhibits.
    pub exhibits: u32,
    /// Total plaintext size.
    pub total_bytes: u64,
    /// Custody events.
    pub events: u32,
    /// Custodians, most exhibits first.
    pub custodians: Vec<CustodianCount>,
    /// Latest verification, if any.
    pub last_verification: Option<LastVerification>,
    /// The latest custody events, newest first.
    pub recent_events: Vec<CustodyEvent>,
    /// Productions made from this vault, newest first.
    pub productions: Vec<custos_core::export::ProductionRecord>,
}

/// One exhibit with its custody history.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ExhibitView {
    /// Everything recorded about it.
    pub detail: ExhibitDetail,
    /// Its custody events, oldest first.
    pub events: Vec<CustodyEvent>,
}

/// Change description and tags of one exhibit.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct EditRequest {
    /// Exhibit id.
    pub id: String,
    /// New description, if it changes.
    pub description: Option<String>,
    /// Tags to add.
    pub add_tags: Vec<String>,
    /// Tags to remove.
    pub remove_tags: Vec<String>,
}

/// Tag or untag many exhibits.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct TagRequest {
    /// Exhibit ids.
    pub ids: Vec<String>,
    /// Tags to add.
    pub add_tags: Vec<String>,
    /// Tags to remove.
    pub remove_tags: Vec<String>,
}

/// How a preview is shown.
#[derive(Debug, Clone, Copy, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PreviewKind {
    /// An image, shown with `<img>` from the preview URL (SVG included: an
    /// image element never runs its scripts).
    Image,
    /// A PDF, rendered by pdf.js from the preview URL.
    Pdf,
    /// Text, in `text`.
    Text,
    /// HTML, its source in `text`, shown as text (nothing in it runs or loads).
    Html,
    /// An e-mail message, parsed, in `email`.
    Email,
    /// No preview for this type or size; `reason` says why.
    None,
}

/// A parsed e-mail message for display (as text only).
#[derive(Debug, Clone, Serialize, Type)]
pub struct EmailPreview {
    /// From.
    pub from: String,
    /// To.
    pub to: String,
    /// Cc.
    pub cc: String,
    /// Date header.
    pub date: String,
    /// Subject.
    pub subject: String,
    /// The plain-text body (or the HTML body as text).
    pub body: String,
    /// Attachment names.
    pub attachments: Vec<String>,
}

/// An exhibit preview. Viewing is a custody event.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Preview {
    /// How to show it.
    pub kind: PreviewKind,
    /// MIME type.
    pub mime: String,
    /// URL on the preview protocol (image, PDF).
    pub url: Option<String>,
    /// Text content (text, HTML source).
    pub text: Option<String>,
    /// Whether `text` was cut short.
    pub truncated: bool,
    /// The parsed message (e-mail).
    pub email: Option<EmailPreview>,
    /// Why there is no preview (none).
    pub reason: Option<String>,
}
