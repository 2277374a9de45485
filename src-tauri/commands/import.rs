//! Bundles received: checking one without a vault, and importing one into
//! the open vault.

use super::{blocking, one_held, secret};
use crate::progress::{ChannelProgress, vault_job, vaultless_job};
use crate::state::{AppState, Use};
use crate::wire::{AcceptNewKey, BundleCheck, BundleSource, ErrorCode, ImportSummary, ImportedExhibit, JobEvent, Res, WireError};
use custos_core::FileOutcome;
use custos_core::age::x25519::Identity;
use custos_core::export::{Bundle, ImportReport, KeyAcceptance, PinnedKeys, SealKeyFingerprint, SealKeyTrust};
use secrecy::SecretString;
use std::path::PathBuf;
use tauri::AppHandle;
use tauri::ipc::Channel;

/// Checks a bundle without any vault: seal, manifests, checkpoint, inclusion
/// proofs, and agreement of natives, load file and custody records.
#[tauri::command]
#[specta::specta]
pub async fn verify_bundle(app: AppHandle, source: BundleSource, on_progress: Channel<JobEvent>) -> Res<BundleCheck> {
    blocking(app, move |_, s| {
        let mut source = source;
        let inputs = bundle_inputs(s, &mut source)?;
        vaultless_job(s, on_progress, |progress| check_bundle(&inputs, progress))
    })
    .await
}

/// Verifies a bundle and takes its exhibits into the open vault, keeping the
/// producer's records; the chain continues with a `received` event. A
/// producer's key other than the one pinned for it is refused
/// (`producer_key_changed`) unless `accept` names it.
#[tauri::command]
#[specta::specta]
pub async fn import_bundle(app: AppHandle, source: BundleSource, accept: Option<AcceptNewKey>, on_progress: Channel<JobEvent>) -> Res<ImportSummary> {
    blocking(app, move |_, s| {
        let mut source = source;
        let accept_new = accept.map(|a| KeyAcceptance::new(a.fingerprint.parse()?, &a.reason)).transpose()?;
        let BundleInputs { path, identity, passphrase, expect } = bundle_inputs(s, &mut source)?;
        let key_expected = expect.is_some();
        let trust = SealKeyTrust { expect, accept_new };
        let report =
            vault_job(s, on_progress, |o, progress| Ok(o.vault.import_bundle(&path, identity.as_ref(), passphrase.as_ref(), &trust, progress)?))?;
        release(s, &source);
        Ok(import_summary(report, key_expected))
    })
    .await
}

/// What a bundle source names: the bundle path, the identity read from the
/// key file, the passphrase and the pinned seal key. The selections stay held
/// so the same bundle can be imported after it was checked.
struct BundleInputs {
    path: PathBuf,
    identity: Option<Identity>,
    passphrase: Option<SecretString>,
    expect: Option<PinnedKeys>,
}

/// Reads what `source` names; its passphrase is taken out of it (and the
/// string it came in wiped).
fn bundle_inputs(s: &AppState, source: &mut BundleSource) -> Res<BundleInputs> {
    let path = one_held(s, &source.bundle, Use::Bundle, "choose one bundle file or folder")?;
    let identity = match &source.identity {
        Some(token) => {
            let file = s.peek(token, Use::Key)?.into_iter().next().ok_or_else(|| WireError::new(ErrorCode::InvalidInput, "choose the key file"))?;
            Some(custos_core::keys::read_identity_file(&file)?)
        }
        None => None,
    };
    let passphrase = source.passphrase.take().filter(|p| !p.is_empty()).map(secret);
    let expect = match source.expect_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(PinnedKeys::one(k.parse::<SealKeyFingerprint>()?)),
        None => None,
    };
    Ok(BundleInputs { path, identity, passphrase, expect })
}

/// Opens and verifies a bundle, and hashes it.
// core: opening, verifying and hashing are three calls every front end
// makes in this order; one `export::check_bundle` returning the report with
// the bundle's SHA-256 would do.
fn check_bundle(inputs: &BundleInputs, progress: &ChannelProgress) -> Res<BundleCheck> {
    let BundleInputs { path, identity, passphrase, expect } = inputs;
    let mut bundle = Bundle::open(path, identity.as_ref(), passphrase.as_ref())?;
    let (report, _) = custos_core::export::verify_bundle_with(&mut bundle, expect.as_ref(), progress)?;
    let bundle_sha256 = custos_core::export::bundle_sha256(path, &mut bundle)?;
    Ok(BundleCheck { folder: path.is_dir(), path: path.to_string_lossy().into_owned(), bundle_sha256, report })
}

/// Lets go of the bundle's and the key file's selections once the import is done.
fn release(s: &AppState, source: &BundleSource) {
    let _ = s.take(&source.bundle, Use::Bundle);
    if let Some(t) = &source.identity {
        let _ = s.take(t, Use::Key);
    }
}

/// What the import screen shows of the core's report.
// core: `ImportReport` could count its stored and duplicate exhibits, as
// `IntakeReport::stored()` and `duplicates()` do.
fn import_summary(report: ImportReport, key_expected: bool) -> ImportSummary {
    let outcomes = || report.exhibits.iter().map(|(_, outcome)| outcome);
    ImportSummary {
        stored: outcomes().filter(|o| matches!(o, FileOutcome::Stored { .. })).count() as u32,
        duplicates: outcomes().filter(|o| matches!(o, FileOutcome::Duplicate { .. })).count() as u32,
        bundle_sha256: report.bundle_sha256.clone(),
        sender_fingerprint: report.sender_fingerprint.clone(),
        sender_identity: report.sender_identity.clone(),
        producer_key: report.producer_key,
        key_expected,
        exhibits: report.exhibits.into_iter().map(|(bates, outcome)| ImportedExhibit { bates, outcome }).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Key files are read by the core; the app reports its errors as they come.
    fn read_identity(file: &Path) -> Res<Identity> {
        Ok(custos_core::keys::read_identity_file(file)?)
    }

    #[test]
    fn identity_files_are_read_with_limits() {
        let dir = tempfile::tempdir().unwrap();
        let id = Identity::generate();
        let good = dir.path().join("key.txt");
        std::fs::write(&good, format!("# created: today\n{}\n", secrecy::ExposeSecret::expose_secret(&id.to_string()))).unwrap();
        assert_eq!(read_identity(&good).unwrap().to_public().to_string(), id.to_public().to_string());
        let big = dir.path().join("big.txt");
        std::fs::write(&big, vec![b'#'; 70 * 1024]).unwrap();
        assert!(read_identity(&big).err().unwrap().message.contains("too large"));
        let binary = dir.path().join("bin");
        std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
        assert!(read_identity(&binary).err().unwrap().message.contains("not a text file"));
        let none = dir.path().join("none.txt");
        std::fs::write(&none, "age1notasecret\n").unwrap();
        assert!(read_identity(&none).err().unwrap().message.contains("no AGE-SECRET-KEY-1"));
        assert_eq!(read_identity(&dir.path().join("missing")).err().unwrap().code, ErrorCode::Input);
    }
}
