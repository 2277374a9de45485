//! Intake: what to take in and what became of it.

use custos_core::FileOutcome;
use serde::{Deserialize, Serialize};
use specta::Type;

/// Take in files.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct IntakeRequest {
    /// Selection tokens (dialog picks or drops).
    pub selections: Vec<String>,
    /// Whose evidence.
    pub custodian: Option<String>,
    /// Device or account.
    pub source: Option<String>,
    /// How collected.
    pub method: Option<String>,
    /// Why (purpose or authority).
    pub purpose: Option<String>,
    /// Description of each new exhibit.
    pub description: Option<String>,
    /// Tags of each new exhibit.
    pub tags: Vec<String>,
    /// Decrypt and compare each object before acknowledging (default on).
    pub verify_after_copy: bool,
    /// When the evidence was gathered, if before intake (a day or a zoned
    /// time; blank: at intake).
    pub collected_at: Option<String>,
}

/// One file of an intake.
#[derive(Debug, Clone, Serialize, Type)]
pub struct IntakeFile {
    /// The file.
    pub path: String,
    /// What happened.
    pub outcome: FileOutcome,
}

/// The result of an intake.
#[derive(Debug, Clone, Serialize, Type)]
pub struct IntakeSummary {
    /// New exhibits.
    pub stored: u32,
    /// Sources recorded against existing exhibits.
    pub duplicates: u32,
    /// Files not taken in.
    pub failed: u32,
    /// Whether it was cancelled.
    pub cancelled: bool,
    /// Every file.
    pub files: Vec<IntakeFile>,
    /// Automatic time stamping that failed after the intake (the intake stands).
    pub warnings: Vec<String>,
}

/// Process exhibits: expand containers, read metadata and text, OCR.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct ProcessRequest {
    /// These exhibits (and the items found in them); every exhibit not
    /// processed yet when empty.
    pub exhibits: Vec<String>,
    /// Also recognise text (OCR) in images and scanned pages.
    pub ocr: bool,
}
