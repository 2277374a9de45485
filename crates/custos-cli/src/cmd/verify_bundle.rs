//! `custos verify-bundle`: a production bundle checked without its vault.

use crate::args::parse_expect_key;
use crate::failure::Failure;
use crate::output::{self, Format};
use crate::shared::{bundle_passphrase, read_identity, read_tsa_cas};
use clap::Args;
use custos_core::export::{Bundle, PinnedKeys, verify_bundle_trusting};
use custos_core::timestamp::TsaTrust;
use std::path::PathBuf;

#[derive(Args)]
pub struct VerifyBundleArgs {
    /// The bundle
    bundle: PathBuf,
    /// age identity file for an encrypted bundle (AGE-SECRET-KEY-1…)
    #[arg(long, value_name = "KEYFILE")]
    identity: Option<PathBuf>,
    /// The seal key the producing party gave you: a fingerprint (SHA256:…) or an
    /// allowed_signers file (any key it lists is accepted); another key is an error
    #[arg(long, value_name = "FINGERPRINT|FILE", value_parser = parse_expect_key)]
    expect_key: Option<PinnedKeys>,
    /// Check the bundle's time-stamp tokens against the TSA CA certificate(s) in this PEM file (repeatable)
    #[arg(long = "tsa-ca", value_name = "FILE")]
    tsa_ca: Vec<PathBuf>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: VerifyBundleArgs) -> Result<u8, Failure> {
    let id = read_identity(args.identity.as_deref())?;
    let pems = read_tsa_cas(&args.tsa_ca)?;
    let trust = TsaTrust::from_pems(pems.iter().map(String::as_str))
        .map_err(|e| Failure::input(format!("a TSA CA certificate cannot be used: {e}")))?;
    let mut b = Bundle::open(&args.bundle, id.as_ref(), bundle_passphrase().as_ref())?;
    let (report, _) = verify_bundle_trusting(&mut b, args.expect_key.as_ref(), &custos_core::NoProgress, trust.as_ref())?;
    output::print_bundle_verification(&report, Format::json_if(args.json));
    Ok(if report.ok { 0 } else { 1 })
}
