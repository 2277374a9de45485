//! Tests that need the vault's internals (raw database access, the decrypt path).

mod age_vectors;
mod agefile;
mod custody_index;
mod custody_tamper;
mod dashboard;
mod details;
mod export;
mod fuzz;
mod fuzz_regressions;
mod intake;
pub(crate) mod local_tsa;
mod object_tamper;
mod processing;
mod recovery;
mod tagging;
mod timestamp;
mod windows;
mod words;

use crate::{CreateOptions, SteppingClock, Vault};
use age::secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(crate) fn pass() -> SecretString {
    SecretString::from("test passphrase".to_string())
}

pub(crate) fn clock() -> Arc<SteppingClock> {
    Arc::new(SteppingClock::new(chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").unwrap().into()))
}

/// A new vault (fast work factor) in a fresh temp folder.
pub(crate) fn new_vault() -> (tempfile::TempDir, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = CreateOptions::new("Acme v. Doe", "Pat Paralegal");
    opts.work_factor = 10;
    let v = Vault::create(&dir.path().join("vault"), &opts, &pass(), clock()).unwrap();
    (dir, v)
}

/// Writes files into `dir/src` and returns that folder.
pub(crate) fn sources(dir: &Path, files: &[(&str, &[u8])]) -> PathBuf {
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    for (name, bytes) in files {
        std::fs::write(src.join(name), bytes).unwrap();
    }
    src
}

/// Exporting and planning from an unchecked request, as a front end does:
/// check it, then plan or export.
pub(crate) trait ExportFromRequest {
    fn export_req(&mut self, req: &crate::export::ExportRequest, progress: &dyn crate::Progress) -> crate::Result<crate::export::ExportReport>;
    fn plan_req(&self, req: &crate::export::ExportRequest) -> crate::Result<crate::export::ExportPlan>;
}

impl ExportFromRequest for Vault {
    fn export_req(&mut self, req: &crate::export::ExportRequest, progress: &dyn crate::Progress) -> crate::Result<crate::export::ExportReport> {
        self.export(&req.clone().check()?, progress)
    }
    fn plan_req(&self, req: &crate::export::ExportRequest) -> crate::Result<crate::export::ExportPlan> {
        self.plan_export(&req.clone().check()?)
    }
}

/// The intake inputs of `paths`, collected as a front end collects them
/// before unlocking the vault.
pub(crate) fn inputs(paths: &[PathBuf]) -> crate::IntakeInputs {
    crate::IntakeInputs::collect(paths).unwrap()
}
