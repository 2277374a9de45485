//! The demo matter: a vault made on the spot from sample documents that
//! ship inside the app (memos, e-mails, an audit-log export, HR notes of a
//! fictitious trade-secret case), so a newcomer sees a populated vault.

use crate::wire::Res;
use custos_core::{CreateOptions, IntakeInputs, IntakeOptions, NoProgress, SystemClock, Unlock, Vault};
use secrecy::SecretString;
use std::path::Path;
use std::sync::Arc;

mod samples {
    include!(concat!(env!("OUT_DIR"), "/samples.rs"));
}

/// The demo vault's passphrase (shown on the start screen; demo data only).
pub const DEMO_PASSPHRASE: &str = "demo passphrase";

/// Opens the demo vault at `dir`, creating it first if it does not exist.
pub fn open_or_create(dir: &Path, examiner: &str) -> Res<Vault> {
    let examiner = if examiner.trim().is_empty() { "Dana Whitfield (paralegal)" } else { examiner.trim() };
    let pass = || SecretString::from(DEMO_PASSPHRASE.to_string());
    // core: the name of a vault's marker file is the core's; a
    // `custos_core::is_vault(dir)` (whether the marker is there, even if the
    // vault cannot be read) would keep it there.
    if dir.join("custos-vault.json").exists() {
        return Ok(Vault::open(dir, &Unlock::Passphrase(pass()), Some(examiner), Arc::new(SystemClock))?);
    }
    let io = |e: std::io::Error| crate::wire::WireError::new(crate::wire::ErrorCode::Io, format!("cannot write the demo documents: {e}"));
    let docs = dir.with_file_name("demo-documents");
    for (rel, bytes) in samples::SAMPLES {
        let path = docs.join(rel);
        std::fs::create_dir_all(path.parent().expect("sample in a folder")).map_err(io)?;
        std::fs::write(&path, bytes).map_err(io)?;
    }
    if dir.exists() {
        // A half-made demo vault from an interrupted first run.
        std::fs::remove_dir_all(dir).map_err(io)?;
    }
    let mut opts = CreateOptions::new("Halvorsen Dynamics v. Brandt", examiner);
    opts.matter_number = Some("3:26-cv-01482".into());
    let mut vault = Vault::create(dir, &opts, &pass(), Arc::new(SystemClock))?;
    let intake = IntakeOptions {
        custodian: Some("Erik Brandt".into()),
        source: Some("Halvorsen document system and mail server exports".into()),
        method: Some("Logical copy of exported files".into()),
        purpose: Some("Litigation hold 2026-06-01".into()),
        tags: vec!["demo".into()],
        ..IntakeOptions::default()
    };
    vault.add(&IntakeInputs::collect(&[docs])?, &intake, &NoProgress)?;
    // The document system's audit log is in no known format: its columns,
    // saved as a mapping, make it a timeline once processed.
    let column = |c: &str| Some(c.to_string());
    vault.save_audit_mapping(custos_core::AuditMapping {
        name: "Halvorsen document system".into(),
        time: "timestamp_utc".into(),
        actor: "user".into(),
        action: "action".into(),
        object: "path".into(),
        ip: column("client_ip"),
        device: column("workstation"),
        file_name: None,
        size: None,
        hash: None,
        utc_offset: None,
    })?;
    // Understood as a paralegal would have it: families, text, the timeline.
    vault.process(&custos_core::ProcessOptions::default(), &NoProgress)?;
    Ok(vault)
}

#[cfg(test)]
mod tests {
    #[test]
    fn samples_are_embedded() {
        assert!(super::samples::SAMPLES.len() >= 5);
        assert!(super::samples::SAMPLES.iter().any(|(p, _)| p.ends_with(".eml")));
    }
}
