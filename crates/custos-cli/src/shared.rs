//! What several commands need: unlocking a vault, asking for a passphrase,
//! and reading the files named on the command line before anything changes.

use crate::args::Session;
use crate::failure::Failure;
use crate::terminal;
use custos_core::age::secrecy::SecretString;
use custos_core::age::x25519::Identity;
use custos_core::custody::SignedCheckpoint;
use custos_core::{SystemClock, Unlock, Vault, keys};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Whether a passphrase typed on the terminal is asked for a second time.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// Asked once (unlocking).
    Once,
    /// Asked twice and compared (a new passphrase).
    Twice,
}

/// A passphrase from the environment variable `var`, or else typed on the terminal.
pub fn passphrase_from(var: &str, prompt: &str, confirm: Confirm) -> Result<SecretString, Failure> {
    if let Ok(p) = std::env::var(var) {
        return Ok(SecretString::from(p));
    }
    if !terminal::stdin_is_terminal() {
        return Err(Failure::input(format!("no passphrase: set {var} or run on a terminal")));
    }
    let p = rpassword::prompt_password(prompt).map_err(|e| Failure::input(format!("cannot read the passphrase: {e}")))?;
    if confirm == Confirm::Twice {
        let again = rpassword::prompt_password("Repeat it: ").map_err(|e| Failure::input(format!("cannot read the passphrase: {e}")))?;
        if again != p {
            return Err(Failure::input("the two passphrases differ"));
        }
    }
    Ok(SecretString::from(p))
}

/// The passphrase of an age-encrypted bundle, if CUSTOS_BUNDLE_PASSPHRASE gives one.
pub fn bundle_passphrase() -> Option<SecretString> {
    std::env::var("CUSTOS_BUNDLE_PASSPHRASE").ok().map(SecretString::from)
}

/// Unlocks the vault at `vault` for this session.
pub fn open_vault(vault: &Path, session: &Session) -> Result<Vault, Failure> {
    // Refuse what is not a vault before asking for anything.
    custos_core::probe(vault)?;
    let unlock = match &session.recovery_identity {
        Some(f) => Unlock::Recovery(keys::read_identity_file(f)?),
        None => Unlock::Passphrase(passphrase_from("CUSTOS_PASSPHRASE", "Vault passphrase: ", Confirm::Once)?),
    };
    Ok(Vault::open(vault, &unlock, session.examiner.as_deref(), Arc::new(SystemClock))?)
}

/// The age identity in `file`, if one is named (read with the size cap and wiped).
pub fn read_identity(file: Option<&Path>) -> Result<Option<Identity>, Failure> {
    match file {
        Some(f) => Ok(Some(keys::read_identity_file(f)?)),
        None => Ok(None),
    }
}

/// Reads a checkpoint printed earlier by `custos checkpoint`.
pub fn read_kept_checkpoint(f: &Path) -> Result<SignedCheckpoint, Failure> {
    let bytes = std::fs::read(f).map_err(|e| Failure::input(format!("cannot read {}: {e}", f.display())))?;
    SignedCheckpoint::parse(&bytes)
        .map_err(|e| Failure::input(format!("{} is not a checkpoint printed by `custos checkpoint`: {e}", f.display())))
}

/// Reads TSA CA certificate files (PEM) before the vault is opened, so a bad
/// file is refused with nothing changed.
pub fn read_tsa_cas(files: &[PathBuf]) -> Result<Vec<String>, Failure> {
    files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).map_err(|e| Failure::input(format!("cannot read {}: {e}", f.display())))?;
            custos_core::timestamp::parse_pem_certificates(&bytes)
                .map_err(|e| Failure::input(format!("{} is refused as a TSA CA certificate: {e}", f.display())))?;
            String::from_utf8(bytes).map_err(|_| Failure::input(format!("{} is not PEM text", f.display())))
        })
        .collect()
}

/// A search-term list: a UTF-8 text file, one query per line.
pub fn read_term_list(path: &std::path::Path) -> Result<String, Failure> {
    let list = std::fs::read(path).map_err(|e| Failure::input(format!("cannot read the term list {}: {e}", path.display())))?;
    String::from_utf8(list).map_err(|_| Failure::input(format!("the term list {} is not UTF-8 text", path.display())))
}
