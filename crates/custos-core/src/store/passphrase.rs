//! Changing the passphrase: only `keys/passphrase.age` is rewritten, and a
//! change a crash interrupted is finished or dropped on the next unlock.

use crate::format::atomic::sync_dir;
use crate::format::custody::{Action, NewEvent};
use crate::error::{IoContext, Result};
use crate::format::keys::{self};
use age::secrecy::SecretString;
use std::fs::{self};
use std::path::{Path, PathBuf};
use crate::store::Vault;
use super::NEW_KEY_FILE;

impl Vault {
    /// Replaces the passphrase. Only `keys/passphrase.age` is rewritten
    /// (atomically); objects and database are untouched. Logged.
    pub fn change_passphrase(&mut self, new: &SecretString, work_factor: Option<u8>) -> Result<()> {
        if self.firm.is_some() {
            return self.change_firm_passphrase(new, work_factor.unwrap_or(keys::DEFAULT_WORK_FACTOR));
        }
        let path = self.root.join("keys/passphrase.age");
        let wf = match work_factor {
            Some(w) => w,
            None => current_work_factor(&path).unwrap_or(keys::DEFAULT_WORK_FACTOR),
        };
        // The new key file is written beside the old one, the change is
        // logged naming it, and only then is it put in place: after a crash,
        // opening finishes a logged change and drops one that was not.
        let pending = self.root.join(NEW_KEY_FILE);
        self.secrets.write_passphrase_file(&pending, new, wf)?;
        let written = (|| {
            crate::failpoint::hit("passwd.written")?;
            let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(fs::read(&pending).at(&pending)?));
            self.log(vec![NewEvent::new(Action::PassphraseChanged).details(crate::format::details::PassphraseChanged { work_factor: wf, key_file_sha256: sha })])
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&pending);
            return Err(e);
        }
        crate::failpoint::hit("passwd.logged")?;
        fs::rename(&pending, &path).at(&path)?;
        sync_dir(&self.root.join("keys"))
    }

    /// Finishes or drops a passphrase change a crash interrupted: the new
    /// key file is put in place if its change was logged, removed otherwise.
    pub(super) fn settle_passphrase_change(&mut self) -> Result<()> {
        // A key file whose atomic write a crash cut short was never used.
        if let Ok(entries) = fs::read_dir(self.root.join("keys")) {
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            crate::format::atomic::remove_unfinished_temps(&mut paths);
        }
        let pending = self.root.join(NEW_KEY_FILE);
        let Ok(bytes) = fs::read(&pending) else { return Ok(()) };
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let logged = self
            .newest_event_of(Action::PassphraseChanged)?
            .is_some_and(|e| e.details_as::<crate::format::details::PassphraseChanged>().is_some_and(|d| d.key_file_sha256 == sha));
        if logged {
            let path = self.root.join("keys/passphrase.age");
            fs::rename(&pending, &path).at(&path)?;
        } else {
            fs::remove_file(&pending).at(&pending)?;
        }
        sync_dir(&self.root.join("keys"))
    }
}

/// The scrypt work factor recorded in a passphrase key file's header.
fn current_work_factor(path: &Path) -> Option<u8> {
    let bytes = fs::read(path).ok()?;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).into_owned();
    text.lines().find(|l| l.starts_with("-> scrypt "))?.split(' ').nth(3)?.parse().ok()
}

