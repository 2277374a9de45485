//! The commands the web view calls, one module per domain. Each is a thin
//! adapter: take the state, call the vault core off the UI thread, map the
//! error. What is more than glue is a helper beside its command; lines
//! marked `core:` name work that belongs in `custos-core`.

mod counsel;
mod custody;
mod exhibits;
mod export;
mod import;
mod intake;
mod matter;
mod paths;
mod process;
mod search;
mod session;
mod timestamps;
mod verify;

pub use counsel::*;
pub use custody::*;
pub use exhibits::*;
pub use export::*;
pub use import::*;
pub use intake::*;
pub use matter::*;
pub use paths::*;
pub use process::*;
pub use search::*;
pub use session::*;
pub use timestamps::*;
pub use verify::*;

use crate::state::{AppState, Use};
use crate::wire::{ErrorCode, Res, WireError};
use secrecy::SecretString;
use std::path::PathBuf;
use tauri::{AppHandle, Manager};

/// Runs blocking work on a worker thread with the app state.
async fn blocking<T: Send + 'static>(app: AppHandle, f: impl FnOnce(&AppHandle, &AppState) -> Res<T> + Send + 'static) -> Res<T> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        f(&app, &state)
    })
    .await
    .map_err(|e| WireError::new(ErrorCode::Internal, format!("background task failed: {e}")))?
}

/// Wraps a passphrase that arrived over IPC as a secret and wipes the
/// string it came in (all of its buffer, not only its length).
fn secret(mut s: String) -> SecretString {
    let out = SecretString::from(s.as_str());
    zeroize::Zeroize::zeroize(&mut s);
    out
}

/// An optional text field: trimmed, and none when blank.
fn opt(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The one path of a selection made for `purpose`, left held (it is taken
/// after success); `ask` tells the user what to choose when it holds several.
fn one_held(s: &AppState, token: &str, purpose: Use, ask: &str) -> Res<PathBuf> {
    let mut held = s.peek(token, purpose)?;
    if held.len() != 1 {
        return Err(WireError::new(ErrorCode::InvalidInput, ask));
    }
    Ok(held.remove(0))
}

/// Failed automatic stamps as warnings for the UI.
// core: a `Display` (or a `warning()`) on `StampOutcome::Failed` would say this once for every front end.
fn stamp_warnings(outcomes: &[custos_core::StampOutcome]) -> Vec<String> {
    outcomes
        .iter()
        .filter_map(|o| match o {
            custos_core::StampOutcome::Failed { tsa_url, error } => Some(format!("no timestamp from {tsa_url}: {error}")),
            custos_core::StampOutcome::Stamped { .. } => None,
        })
        .collect()
}
