//! Moving a folder vault's objects into a firm's write-once S3 bucket
//! (`custos migrate VAULT --to CONFIG`): every exhibit's object is uploaded
//! once, locked, and checked against its name as it is read; then, in one
//! change, their placements, the bucket's setting and a `setting_changed`
//! (`objects_moved`) event commit together, and only then are the folder's
//! copies removed. Nothing is re-encrypted, so object names, the catalog and
//! the custody log stay as they were and verify against checkpoints kept
//! before the move.

use crate::error::{Error, Result};
use crate::format::custody::{Action, NewEvent};
use crate::format::details::SettingChanged;
use crate::format::objects_config::ObjectsConfig;
use crate::store::Vault;
use crate::store::objects::S3Objects;

/// What a move did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MovedObjects {
    /// Objects uploaded.
    pub objects: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Where they went, with the lock policy.
    pub to: String,
}

impl Vault {
    /// Moves this vault's objects into the bucket `config` names (empty but
    /// for objects of this vault an interrupted move left). Refused, with
    /// nothing changed, if they are already in a bucket, the bucket is not
    /// write-once, or an object is missing from the folder.
    pub fn move_objects_to_bucket(&mut self, config: &ObjectsConfig) -> Result<MovedObjects> {
        if let Some(b) = self.objects().bucket() {
            return Err(Error::InvalidInput(format!("this vault's objects are already in the bucket {}", b.config().describe())));
        }
        config.check()?;
        let bucket = S3Objects::connect(config, self.root().join("objects"))?;
        let ours = self.referenced_objects()?;
        bucket.check_bucket(&ours)?;
        let mut names: Vec<String> = ours.into_iter().collect();
        names.sort();
        let mut files = Vec::with_capacity(names.len());
        let mut bytes = 0;
        for name in &names {
            let path = self.objects().path(name);
            let meta = std::fs::metadata(&path).map_err(|_| {
                Error::InvalidInput(format!("object {name} is not in the vault folder: run custos verify and restore it before moving"))
            })?;
            bytes += meta.len();
            files.push((name.clone(), path));
        }
        bucket.copy_in(files)?;
        // Killed here, the vault still keeps its objects in its folder; a
        // second move finds this one's uploads and accepts each as the same
        // content.
        crate::failpoint::hit("move.uploaded")?;
        let moved = MovedObjects { objects: names.len() as u64, bytes, to: config.describe() };
        let event = NewEvent::new(Action::SettingChanged).details(SettingChanged::ObjectsMoved {
            to: moved.to.clone(),
            objects: moved.objects,
            bytes: moved.bytes,
        });
        self.adopt_bucket(bucket, config, event)?;
        // Killed here, the next opening removes the folder's copies.
        crate::failpoint::hit("move.committed")?;
        self.objects().remove_folder_copies(&names)?;
        Ok(moved)
    }
}
