//! Exhibits: the dashboard, one exhibit with its history, editing, tagging
//! and previews.

use custos_core::{CustodyEvent, ExhibitDetail};
use serde::{Deserialize, Serialize};
use specta::Type;

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
