//! The app's state: the open vault (at most one), the paths the user picked
//! or dropped, previews held in memory, app settings and the idle timer.

use crate::wire::{ErrorCode, RecentVault, Res, Selection, Settings, WireError};
use custos_core::Vault;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// An unlocked vault and what the session knows of it.
pub struct OpenVault {
    /// The vault.
    pub vault: Vault,
    /// Whether it is the demo matter.
    pub demo: bool,
}

/// A preview's bytes, served from memory by the preview protocol.
pub struct HeldPreview {
    /// Content type to send.
    pub mime: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl Drop for HeldPreview {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.bytes);
    }
}

/// Everything the commands share.
pub struct AppState {
    vault: Mutex<Option<OpenVault>>,
    /// The long job that runs, if one does.
    running: Mutex<Option<Running>>,
    selections: Mutex<HashMap<String, (Use, Vec<PathBuf>)>>,
    previews: Mutex<HashMap<String, HeldPreview>>,
    last_activity: Mutex<Instant>,
    settings: Mutex<Settings>,
    recent: Mutex<Vec<RecentVault>>,
    config_dir: PathBuf,
    /// Random per-session secret that every preview URL must carry.
    pub preview_token: String,
    /// Whether typed paths are accepted (automated tests only).
    pub typed_paths: bool,
    /// Where the demo matter lives.
    pub demo_dir: PathBuf,
}

/// A long job: its cancel flag, and whether it leaves the vault to other
/// commands between its batches (tagging) or holds it throughout.
struct Running {
    cancel: Arc<AtomicBool>,
    shared: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a held selection was chosen for; a command accepts only its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// A vault folder (to open or to create a vault in).
    VaultFolder,
    /// Files or folders to take in (dialogs and drops).
    Intake,
    /// A bundle file or folder to check or import.
    Bundle,
    /// An age key file.
    Key,
    /// Where to write a bundle.
    Destination,
    /// A firm config file.
    FirmConfig,
    /// A typed path (only with `CUSTOS_ALLOW_TYPED_PATHS=1`): any use.
    Typed,
}

impl Use {
    fn serves(self, wanted: Use) -> bool {
        self == wanted || self == Use::Typed
    }
    fn what(self) -> &'static str {
        match self {
            Use::VaultFolder => "a vault folder",
            Use::Intake => "files to take in",
            Use::Bundle => "a bundle",
            Use::Key => "a key file",
            Use::Destination => "where to save a bundle",
            Use::FirmConfig => "a firm config",
            Use::Typed => "a typed path",
        }
    }
}

fn stale() -> WireError {
    WireError::new(ErrorCode::StaleSelection, "that file selection is no longer available; choose the files again")
}

fn misused(made_for: Use, wanted: Use) -> WireError {
    WireError::new(
        ErrorCode::InvalidInput,
        format!("that selection was chosen as {}, not as {}; choose it again", made_for.what(), wanted.what()),
    )
}

/// Random hex string of `n` bytes.
pub fn random_token(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    hex::encode(b)
}

impl AppState {
    /// State with settings and recent vaults read from `config_dir`.
    pub fn new(config_dir: PathBuf, demo_dir: PathBuf, typed_paths: bool) -> Self {
        let settings = read_json(&config_dir.join("settings.json")).unwrap_or_default();
        let recent = read_json(&config_dir.join("recent.json")).unwrap_or_default();
        Self {
            vault: Mutex::new(None),
            running: Mutex::new(None),
            selections: Mutex::new(HashMap::new()),
            previews: Mutex::new(HashMap::new()),
            last_activity: Mutex::new(Instant::now()),
            settings: Mutex::new(settings),
            recent: Mutex::new(recent),
            config_dir,
            preview_token: random_token(32),
            typed_paths,
            demo_dir,
        }
    }

    /// Records user activity (postpones the idle lock).
    pub fn touch(&self) {
        *lock(&self.last_activity) = Instant::now();
    }

    /// Seconds since the last activity.
    pub fn idle_secs(&self) -> u64 {
        lock(&self.last_activity).elapsed().as_secs()
    }

    /// Current settings.
    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// Replaces and saves the settings.
    pub fn set_settings(&self, s: Settings) -> Res<()> {
        write_json(&self.config_dir.join("settings.json"), &s)?;
        *lock(&self.settings) = s;
        Ok(())
    }

    /// Recent vaults, newest first, with availability checked now.
    pub fn recent(&self) -> Vec<RecentVault> {
        let mut list = lock(&self.recent).clone();
        for r in &mut list {
            r.available = custos_core::probe(Path::new(&r.path)).map(|c| c.vault_id == r.vault_id).unwrap_or(false);
        }
        list
    }

    /// Puts a vault at the top of the recent list.
    pub fn remember(&self, vault_id: &str, path: &Path) -> Res<()> {
        let mut list = lock(&self.recent);
        list.retain(|r| r.vault_id != vault_id);
        list.insert(
            0,
            RecentVault {
                vault_id: vault_id.into(),
                path: path.to_string_lossy().into_owned(),
                last_opened: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                available: true,
            },
        );
        list.truncate(12);
        write_json(&self.config_dir.join("recent.json"), &*list)
    }

    /// Removes a vault from the recent list (the vault itself is untouched).
    pub fn forget(&self, vault_id: &str) -> Res<()> {
        let mut list = lock(&self.recent);
        list.retain(|r| r.vault_id != vault_id);
        write_json(&self.config_dir.join("recent.json"), &*list)
    }

    /// The folder of a recent vault.
    pub fn recent_path(&self, vault_id: &str) -> Res<PathBuf> {
        lock(&self.recent)
            .iter()
            .find(|r| r.vault_id == vault_id)
            .map(|r| PathBuf::from(&r.path))
            .ok_or_else(|| WireError::new(ErrorCode::StaleSelection, "that vault is not in the recent list any more"))
    }

    /// Holds paths the user chose for `purpose` and returns the selection
    /// the UI refers to.
    pub fn hold(&self, purpose: Use, paths: Vec<PathBuf>) -> Selection {
        let token = random_token(16);
        let shown = paths.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        lock(&self.selections).insert(token.clone(), (purpose, paths));
        Selection { token, paths: shown }
    }

    /// The paths of a selection made for `purpose`, left in place (for a
    /// command that may fail and be retried, such as unlocking with a
    /// mistyped passphrase).
    pub fn peek(&self, token: &str, purpose: Use) -> Res<Vec<PathBuf>> {
        match lock(&self.selections).get(token) {
            Some((made_for, paths)) if made_for.serves(purpose) => Ok(paths.clone()),
            Some((made_for, _)) => Err(misused(*made_for, purpose)),
            None => Err(stale()),
        }
    }

    /// Takes the paths of a selection made for `purpose` (each is used once).
    pub fn take(&self, token: &str, purpose: Use) -> Res<Vec<PathBuf>> {
        let mut held = lock(&self.selections);
        match held.get(token) {
            Some((made_for, _)) if made_for.serves(purpose) => Ok(held.remove(token).expect("just seen").1),
            Some((made_for, _)) => Err(misused(*made_for, purpose)),
            None => Err(stale()),
        }
    }

    /// Runs `f` on the open vault. Refused while a long job runs or when locked.
    pub fn with_vault<T>(&self, f: impl FnOnce(&mut OpenVault) -> Res<T>) -> Res<T> {
        if lock(&self.running).as_ref().is_some_and(|r| !r.shared) {
            return Err(WireError::new(
                ErrorCode::Busy,
                "an intake, verification, export, import or bundle check is running; wait for it to finish or cancel it",
            ));
        }
        self.touch();
        let mut guard = lock(&self.vault);
        let open = guard.as_mut().ok_or_else(locked)?;
        f(open)
    }

    /// Runs a long job on the open vault with a fresh cancel flag.
    pub fn job<T>(&self, f: impl FnOnce(&mut OpenVault, Arc<AtomicBool>) -> Res<T>) -> Res<T> {
        self.free_job(|cancel| {
            let mut guard = lock(&self.vault);
            let open = guard.as_mut().ok_or_else(locked)?;
            f(open, cancel)
        })
    }

    /// Runs a long job that needs no vault (checking a bundle): one job at a
    /// time, cancellable, and the idle lock waits for it.
    pub fn free_job<T>(&self, f: impl FnOnce(Arc<AtomicBool>) -> Res<T>) -> Res<T> {
        self.registered_job(false, f)
    }

    /// Runs a long job in batches that each take the vault for themselves
    /// (through [`AppState::with_vault`]), so the app's other commands run
    /// between them: one job at a time, cancellable, and the idle lock
    /// waits for it.
    pub fn shared_job<T>(&self, f: impl FnOnce(Arc<AtomicBool>) -> Res<T>) -> Res<T> {
        self.registered_job(true, f)
    }

    fn registered_job<T>(&self, shared: bool, f: impl FnOnce(Arc<AtomicBool>) -> Res<T>) -> Res<T> {
        let cancel = Arc::new(AtomicBool::new(false));
        {
            let mut running = lock(&self.running);
            if running.is_some() {
                return Err(WireError::new(ErrorCode::Busy, "another intake, verification, export, import, tagging or bundle check is running"));
            }
            *running = Some(Running { cancel: cancel.clone(), shared });
        }
        struct Clear<'a>(&'a AppState);
        impl Drop for Clear<'_> {
            fn drop(&mut self) {
                *lock(&self.0.running) = None;
                self.0.touch();
            }
        }
        let _clear = Clear(self);
        self.touch();
        f(cancel)
    }

    /// Asks the running job to stop; false when none runs.
    pub fn cancel_running(&self) -> bool {
        match &*lock(&self.running) {
            Some(r) => {
                r.cancel.store(true, Ordering::SeqCst);
                true
            }
            None => false,
        }
    }

    /// Whether a long job runs.
    pub fn job_running(&self) -> bool {
        lock(&self.running).is_some()
    }

    /// Installs a newly unlocked vault, closing any other.
    pub fn install(&self, open: OpenVault) -> Res<()> {
        let old = lock(&self.vault).replace(open);
        if let Some(old) = old {
            old.vault.close()?;
        }
        self.touch();
        Ok(())
    }

    /// A summary of the open vault, if any.
    pub fn summary(&self) -> Option<crate::wire::VaultSummary> {
        lock(&self.vault).as_ref().map(|o| crate::wire::VaultSummary {
            matter: o.vault.matter().clone(),
            path: o.vault.root().to_string_lossy().into_owned(),
            demo: o.demo,
            examiner: o.vault.actor().to_string(),
            firm: o.vault.firm_catalog(),
        })
    }

    /// Locks: closes the vault (keys wiped) and drops previews and selections.
    /// Returns whether a vault was open.
    pub fn lock_session(&self) -> Res<bool> {
        lock(&self.previews).clear();
        lock(&self.selections).clear();
        let old = lock(&self.vault).take();
        match old {
            Some(o) => {
                o.vault.close()?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Holds preview bytes and returns the id to put in the URL. Only the
    /// latest few previews are kept.
    pub fn hold_preview(&self, mime: String, bytes: Vec<u8>) -> String {
        let id = random_token(16);
        let mut previews = lock(&self.previews);
        if previews.len() >= 4 {
            previews.clear();
        }
        previews.insert(id.clone(), HeldPreview { mime, bytes });
        id
    }

    /// Reads a held preview.
    pub fn with_preview<T>(&self, id: &str, f: impl FnOnce(&HeldPreview) -> T) -> Option<T> {
        lock(&self.previews).get(id).map(f)
    }
}

fn locked() -> WireError {
    WireError::new(ErrorCode::Locked, "the vault is locked; unlock it with its passphrase")
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Res<()> {
    let io = |e: std::io::Error| WireError::new(ErrorCode::Io, format!("cannot save {}: {e}", path.display()));
    std::fs::create_dir_all(path.parent().expect("config file has a folder")).map_err(io)?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(value).expect("serialise")).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_serves_only_what_it_was_chosen_for() {
        let dir = tempfile::tempdir().unwrap();
        let s = AppState::new(dir.path().join("config"), dir.path().join("demo"), false);
        let key = s.hold(Use::Key, vec![PathBuf::from("/keys/counsel.txt")]);
        let e = s.peek(&key.token, Use::Bundle).err().unwrap();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("chosen as a key file, not as a bundle"), "{}", e.message);
        assert!(s.take(&key.token, Use::Destination).is_err(), "a key file is no destination");
        assert_eq!(s.peek(&key.token, Use::Key).unwrap(), vec![PathBuf::from("/keys/counsel.txt")], "a refused use leaves it held");
        assert!(s.take(&key.token, Use::Key).is_ok());
        assert_eq!(s.take(&key.token, Use::Key).err().unwrap().code, ErrorCode::StaleSelection, "used once");
        let typed = s.hold(Use::Typed, vec![PathBuf::from("/tmp/x")]);
        for purpose in [Use::VaultFolder, Use::Intake, Use::Bundle, Use::Key, Use::Destination] {
            assert!(s.peek(&typed.token, purpose).is_ok(), "typed paths (test mode) serve {purpose:?}");
        }
    }

    #[test]
    fn one_long_job_at_a_time_with_or_without_a_vault() {
        let dir = tempfile::tempdir().unwrap();
        let s = AppState::new(dir.path().join("config"), dir.path().join("demo"), false);
        let inner = s.free_job(|cancel| {
            assert!(s.job_running(), "the idle lock sees the job");
            let busy = s.free_job(|_| Ok(())).err().unwrap();
            assert_eq!(busy.code, ErrorCode::Busy);
            assert!(busy.message.contains("bundle check"), "{}", busy.message);
            assert!(s.cancel_running());
            assert!(cancel.load(Ordering::SeqCst), "cancel reaches the job");
            Ok(7)
        });
        assert_eq!(inner.unwrap(), 7);
        assert!(!s.job_running(), "the job ends with its work");
        assert_eq!(s.job(|_, _| Ok(())).err().unwrap().code, ErrorCode::Locked, "a vault job needs an open vault");
        assert!(!s.job_running());
    }

    #[test]
    fn a_shared_job_leaves_the_vault_to_other_commands_between_its_batches() {
        let dir = tempfile::tempdir().unwrap();
        let s = AppState::new(dir.path().join("config"), dir.path().join("demo"), false);
        s.shared_job(|cancel| {
            assert!(s.job_running(), "the idle lock sees the job");
            // Other commands reach the vault (here: none is open), not "busy".
            assert_eq!(s.with_vault(|_| Ok(())).err().unwrap().code, ErrorCode::Locked);
            assert_eq!(s.free_job(|_| Ok(())).err().unwrap().code, ErrorCode::Busy, "still one job at a time");
            assert!(s.cancel_running());
            assert!(cancel.load(Ordering::SeqCst));
            Ok(())
        })
        .unwrap();
        s.free_job(|_| {
            assert_eq!(s.with_vault(|_| Ok(())).err().unwrap().code, ErrorCode::Busy, "an exclusive job keeps the vault");
            Ok(())
        })
        .unwrap();
    }
}
