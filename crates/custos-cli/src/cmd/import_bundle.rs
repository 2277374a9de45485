//! `custos import-bundle`: a sealed bundle verified and taken into a vault,
//! its chain of custody continued.

use crate::args::{Session, parse_expect_key, parse_fingerprint};
use crate::failure::Failure;
use crate::output::{self, Format, KeyExpected};
use crate::shared::{bundle_passphrase, open_vault, read_identity};
use crate::terminal::TerminalProgress;
use clap::Args;
use custos_core::export::{KeyAcceptance, PinnedKeys, SealKeyFingerprint, SealKeyTrust};
use std::path::PathBuf;

#[derive(Args)]
pub struct ImportBundleArgs {
    /// The receiving vault
    vault: PathBuf,
    /// The bundle (zip, age-encrypted zip, or extracted folder)
    bundle: PathBuf,
    /// age identity file for an encrypted bundle (AGE-SECRET-KEY-1…)
    #[arg(long, value_name = "KEYFILE")]
    identity: Option<PathBuf>,
    /// The seal key the producing party gave you: a fingerprint (SHA256:…) or an
    /// allowed_signers file (any key it lists is accepted); another key is refused
    #[arg(long, value_name = "FINGERPRINT|FILE", value_parser = parse_expect_key)]
    expect_key: Option<PinnedKeys>,
    /// Accept this new seal key (its exact fingerprint) for a producer vault whose
    /// earlier productions came under another key; logged with --reason
    #[arg(long, value_name = "FINGERPRINT", value_parser = parse_fingerprint, requires = "reason")]
    accept_new_key: Option<SealKeyFingerprint>,
    /// Why the new seal key is accepted (who confirmed it, and how)
    #[arg(long, requires = "accept_new_key")]
    reason: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    session: Session,
}

pub fn run(args: ImportBundleArgs) -> Result<u8, Failure> {
    let ImportBundleArgs { vault, bundle, identity, expect_key, accept_new_key, reason, json, session } = args;
    let format = Format::json_if(json);
    let id = read_identity(identity.as_deref())?;
    let accept_new = match (accept_new_key, reason) {
        (Some(key), Some(reason)) => Some(KeyAcceptance::new(key, &reason)?),
        _ => None,
    };
    let expected = if expect_key.is_some() { KeyExpected::Given } else { KeyExpected::NotGiven };
    let trust = SealKeyTrust { expect: expect_key, accept_new };
    let pass = bundle_passphrase();
    if !bundle.exists() {
        return Err(Failure::input(format!("{} does not exist", bundle.display())));
    }
    // The import verifies the whole bundle before it writes anything, and
    // the session's unlock is only logged once something is imported.
    let mut v = open_vault(&vault, &session)?;
    let progress = TerminalProgress::new(format.file_lines());
    progress.install_interrupt_handler();
    let report = v.import_bundle(&bundle, id.as_ref(), pass.as_ref(), &trust, &progress)?;
    progress.finish();
    v.close()?;
    output::print_import(&report, &bundle, expected, format);
    Ok(0)
}
