//! Paths: what a dialog is for, the selections the backend holds, dropped
//! files, and text files the web view saves.

use serde::{Deserialize, Serialize};
use specta::Type;

/// What a native dialog is for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PickPurpose {
    /// An existing vault folder to open.
    OpenVault,
    /// An empty or new folder for a new vault.
    NewVault,
    /// Files to take in.
    IntakeFiles,
    /// A folder to take in.
    IntakeFolder,
    /// A bundle file (`.zip` or age-encrypted `.zip.age`) to check or import.
    BundleFile,
    /// An extracted bundle folder to check or import.
    BundleFolder,
    /// An age identity file (`AGE-SECRET-KEY-1…`) that decrypts a bundle.
    IdentityFile,
    /// A firm config (`.toml` with `[objects]` and `[catalog]`).
    FirmConfig,
}

/// Paths the user picked in a native dialog or dropped on the window,
/// held by the backend; the web view refers to them by `token` only.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Selection {
    /// One-time reference to the paths.
    pub token: String,
    /// The paths, for display.
    pub paths: Vec<String>,
}

/// Emitted when files or folders are dropped on the window.
#[derive(Debug, Clone, Serialize, Type, tauri_specta::Event)]
pub struct DropEvent {
    /// The dropped paths, held by the backend.
    pub selection: Selection,
}

/// Where the web view may save a text file it made (CSV of the custody log).
#[derive(Debug, Clone, Deserialize, Type)]
pub struct SaveTextRequest {
    /// Suggested file name.
    pub suggested_name: String,
    /// The content.
    pub content: String,
}

/// The form a report is saved in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// CSV (RFC 4180, UTF-8), for a spreadsheet.
    Csv,
    /// PDF, to file or attach as an exhibit.
    Pdf,
}

impl ReportFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Csv => "csv",
            ReportFormat::Pdf => "pdf",
        }
    }
}
