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
    /// Its custody events, oldest first, each with its words.
    pub events: Vec<LoggedEvent>,
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

/// A custody event with its details read as a sentence (the signed record
/// itself is every other field).
#[derive(Debug, Clone, Serialize, Type)]
pub struct LoggedEvent {
    /// The event as stored.
    #[serde(flatten)]
    pub event: CustodyEvent,
    /// The event in words ("Tag “hot” added").
    pub words: String,
}

impl From<CustodyEvent> for LoggedEvent {
    fn from(event: CustodyEvent) -> Self {
        LoggedEvent { words: event.in_words(), event }
    }
}

/// Events as logged, each with its words.
pub fn logged(events: Vec<CustodyEvent>) -> Vec<LoggedEvent> {
    events.into_iter().map(LoggedEvent::from).collect()
}

/// A window of the custody log, each event with its words.
#[derive(Debug, Clone, Serialize, Type)]
pub struct CustodyPage {
    /// Events matching the filter, in all.
    pub total: u32,
    /// The first event's position among them.
    pub offset: u32,
    /// The events.
    pub events: Vec<LoggedEvent>,
}

/// A tag in use and how many exhibits carry it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct TagCount {
    /// The tag.
    pub tag: String,
    /// Exhibits carrying it.
    pub exhibits: u32,
}

/// What the exhibit list's filters offer: the custodians and the tags in use.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ExhibitFacets {
    /// Exhibits in all.
    pub exhibits: u32,
    /// Custodians of first sources, most exhibits first ("" for none recorded).
    pub custodians: Vec<custos_core::CustodianCount>,
    /// Tags, by name.
    pub tags: Vec<TagCount>,
}

/// The dashboard, with each recent event in words.
#[derive(Debug, Clone, Serialize, Type)]
pub struct MatterDashboard {
    /// The figures.
    #[serde(flatten)]
    pub dashboard: custos_core::Dashboard,
    /// `recent_events` in words, in the same order.
    pub recent_words: Vec<String>,
}
