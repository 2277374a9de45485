//! Editing an exhibit's description and tags, and the vault's exhibit prefix.

use crate::error::{Error, Result};
use crate::format::config::{validate_prefix, validate_tag};
use crate::format::custody::{Action, NewEvent};
use crate::format::details::MetadataEdited;
use crate::progress::Progress;
use crate::store::{Change, Vault};

/// Exhibits one tagging transaction takes.
pub const TAG_BATCH: usize = 1000;

impl Vault {
    /// Adds and removes tags on many exhibits as one job: every tag and every
    /// id is checked before anything is written, then each batch of
    /// [`TAG_BATCH`] exhibits is one transaction with one custody event per
    /// tag actually added or removed (as [`Vault::edit`] logs them).
    /// Progress counts exhibits (`begin(n, n)`, `advance(batch)`); a cancel
    /// stops before the next batch, the batches done staying done.
    /// Returns how many exhibits were processed.
    pub fn tag_exhibits(&mut self, ids: &[String], add_tags: &[String], remove_tags: &[String], progress: &dyn Progress) -> Result<usize> {
        self.check_tagging(ids, add_tags)?;
        let add: Vec<&str> = add_tags.iter().map(|t| validate_tag(t)).collect::<Result<_>>()?;
        progress.begin(ids.len() as u64, ids.len() as u64);
        for batch in ids.chunks(TAG_BATCH) {
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let mut change = self.change()?;
            let mut events = Vec::new();
            for id in batch {
                apply_tags(&mut change, id, &add, remove_tags, &mut events)?;
            }
            change.commit(events)?;
            progress.advance(batch.len() as u64);
        }
        Ok(ids.len())
    }

    /// What [`Vault::tag_exhibits`] checks before writing anything: at least
    /// one id, every id an exhibit, every tag to add a valid tag. A caller
    /// that tags in batches of its own checks the whole selection first.
    pub fn check_tagging(&self, ids: &[String], add_tags: &[String]) -> Result<()> {
        if ids.is_empty() {
            return Err(Error::InvalidInput("select at least one exhibit".into()));
        }
        for t in add_tags {
            validate_tag(t)?;
        }
        if let Some(unknown) = self.unknown_exhibits(ids)?.into_iter().next() {
            return Err(Error::NoSuchExhibit(unknown));
        }
        Ok(())
    }

    /// Changes an exhibit's description and tags; each change is logged.
    pub fn edit(&mut self, id: &str, description: Option<&str>, add_tags: &[String], remove_tags: &[String]) -> Result<()> {
        let before = self.show(id)?.exhibit;
        let mut events = Vec::new();
        let mut change = self.change()?;
        if let Some(d) = description && d != before.description {
            change.set_description(id, d)?;
            events.push(NewEvent::new(Action::MetadataEdited).exhibit(id).details(MetadataEdited::Description {
                before: before.description.clone(),
                after: d.to_string(),
            }));
        }
        let add: Vec<&str> = add_tags.iter().map(|t| validate_tag(t)).collect::<Result<_>>()?;
        apply_tags(&mut change, id, &add, remove_tags, &mut events)?;
        if events.is_empty() {
            return Ok(());
        }
        change.commit(events)?;
        Ok(())
    }

    /// Sets an exhibit's designations for productions (checked first;
    /// logged as a metadata edit with before and after). The same
    /// designations again change nothing and log nothing.
    pub fn designate(&mut self, id: &str, d: &crate::format::designation::Designation) -> Result<()> {
        d.check().map_err(Error::InvalidInput)?;
        let before = self.designation(id)?;
        self.show(id)?;
        if before == *d {
            return Ok(());
        }
        let mut change = self.change()?;
        change.set_designation(id, d)?;
        change.commit(vec![NewEvent::new(Action::MetadataEdited).exhibit(id).details(MetadataEdited::Designation { before, after: d.clone() })])?;
        Ok(())
    }

    /// Changes the prefix of exhibit numbers given from now on (existing
    /// exhibits keep theirs). Logged.
    pub fn set_exhibit_prefix(&mut self, prefix: &str) -> Result<()> {
        validate_prefix(prefix)?;
        if prefix == self.matter().exhibit_prefix {
            return Ok(());
        }
        let mut matter = self.matter().clone();
        let before = std::mem::replace(&mut matter.exhibit_prefix, prefix.to_string());
        let event = NewEvent::new(Action::SettingChanged).details(crate::format::details::SettingChanged::ExhibitPrefix { before, after: prefix.to_string() });
        self.save_matter(matter, event)
    }

}

/// Adds and removes tags of one exhibit in `change`, with an event for each
/// tag actually added or removed. `add` holds checked tags.
fn apply_tags(change: &mut Change<'_>, id: &str, add: &[&str], remove: &[String], events: &mut Vec<NewEvent>) -> Result<()> {
    let event = |t: MetadataEdited| NewEvent::new(Action::MetadataEdited).exhibit(id).details(t);
    for t in add {
        if change.add_tag(id, t)? {
            events.push(event(MetadataEdited::Tags { added: Some(t.to_string()), removed: None }));
        }
    }
    for t in remove {
        if change.remove_tag(id, t)? {
            events.push(event(MetadataEdited::Tags { added: None, removed: Some(t.clone()) }));
        }
    }
    Ok(())
}
