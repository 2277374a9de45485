//! The vault's address book of counsel keys: age public keys a bundle can be
//! encrypted to, each with a name. Adding or removing one is a custody event.

use crate::format::custody::{Action, NewEvent};
use crate::error::{Error, Result};
use crate::store::Vault;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// One entry of the address book.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounselKey {
    /// Row id.
    pub id: u32,
    /// Who holds the key (e.g. "Dana Reyes, Reyes & Hart LLP").
    pub name: String,
    /// The age X25519 recipient, `age1…`.
    pub recipient: String,
    /// When it was added (UTC, RFC 3339).
    pub added_at: String,
}

/// Longest name kept for a key.
const MAX_NAME: usize = 200;

impl Vault {
    /// The address book, by name.
    pub fn counsel_keys(&self) -> Result<Vec<CounselKey>> {
        let mut stmt = self.conn.prepare("SELECT id, name, recipient, added_at FROM counsel_keys ORDER BY name, id")?;
        let rows = stmt
            .query_map([], |r| Ok(CounselKey { id: r.get(0)?, name: r.get(1)?, recipient: r.get(2)?, added_at: r.get(3)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Adds counsel's public key. The recipient must parse as an age X25519
    /// recipient and not be in the book already.
    pub fn add_counsel_key(&mut self, name: &str, recipient: &str) -> Result<CounselKey> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::InvalidInput("give the name of the person or firm holding the key".into()));
        }
        if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
            return Err(Error::InvalidInput(format!("the name must be one line of at most {MAX_NAME} characters")));
        }
        let recipient = recipient.trim();
        crate::format::keys::parse_recipient(recipient)?;
        let existing: Option<String> =
            self.conn.query_row("SELECT name FROM counsel_keys WHERE recipient = ?1", [recipient], |r| r.get(0)).optional()?;
        if let Some(other) = existing {
            return Err(Error::InvalidInput(format!("this key is already in the address book as '{other}'")));
        }
        let change = self.change()?;
        let now = change.now().to_string();
        change.tx.execute("INSERT INTO counsel_keys (name, recipient, added_at) VALUES (?1, ?2, ?3)", params![name, recipient, now])?;
        let id = change.tx.last_insert_rowid() as u32;
        let events = vec![NewEvent::new(Action::SettingChanged).details(crate::format::details::SettingChanged::CounselKeyAdded {
            name: name.to_string(),
            recipient: recipient.to_string(),
        })];
        change.commit(events)?;
        Ok(CounselKey { id, name: name.to_string(), recipient: recipient.to_string(), added_at: now })
    }

    /// Removes a key from the address book (bundles already encrypted to it
    /// are not affected).
    pub fn remove_counsel_key(&mut self, id: u32) -> Result<()> {
        let found: Option<(String, String)> =
            self.conn.query_row("SELECT name, recipient FROM counsel_keys WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        let Some((name, recipient)) = found else {
            return Err(Error::InvalidInput(format!("there is no counsel key {id} in the address book")));
        };
        let change = self.change()?;
        change.tx.execute("DELETE FROM counsel_keys WHERE id = ?1", [id])?;
        let events = vec![NewEvent::new(Action::SettingChanged).details(crate::format::details::SettingChanged::CounselKeyRemoved { name: name.clone(), recipient: recipient.clone() })];
        change.commit(events)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::new_vault;
    use crate::{Action, Error};

    const KEY: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

    #[test]
    fn add_list_remove_and_each_change_is_logged() {
        let (_dir, mut v) = new_vault();
        let before = v.custody_log(None).unwrap().len();
        let k = v.add_counsel_key("  Dana Reyes, Reyes & Hart  ", KEY).unwrap();
        assert_eq!(k.name, "Dana Reyes, Reyes & Hart");
        assert_eq!(v.counsel_keys().unwrap(), vec![k.clone()]);
        v.remove_counsel_key(k.id).unwrap();
        assert!(v.counsel_keys().unwrap().is_empty());
        let log = v.custody_log(None).unwrap();
        let changes: Vec<_> = log[before..].iter().filter(|e| e.action == Action::SettingChanged).collect();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].details["setting"], "counsel_key_added");
        assert_eq!(changes[0].details["recipient"], KEY);
        assert_eq!(changes[1].details["setting"], "counsel_key_removed");
    }

    #[test]
    fn bad_keys_and_names_are_refused_and_change_nothing() {
        let (_dir, mut v) = new_vault();
        v.add_counsel_key("Dana", KEY).unwrap();
        let log = v.custody_log(None).unwrap().len();
        for (name, key, want) in [
            ("Eve", "age1notakey", "not an age X25519 recipient"),
            ("Eve", "ssh-ed25519 AAAA", "not an age X25519 recipient"),
            ("", KEY, "give the name"),
            ("two\nlines", KEY, "one line"),
            ("Dana again", KEY, "already in the address book as 'Dana'"),
        ] {
            let e = v.add_counsel_key(name, key).unwrap_err();
            assert!(matches!(e, Error::InvalidInput(_)), "{e}");
            assert!(e.to_string().contains(want), "{e}");
        }
        assert!(v.remove_counsel_key(99).unwrap_err().to_string().contains("no counsel key 99"));
        assert_eq!(v.counsel_keys().unwrap().len(), 1);
        assert_eq!(v.custody_log(None).unwrap().len(), log);
    }
}
