//! Editing an exhibit's description and tags, and the vault's exhibit prefix.

use crate::format::custody::{Action, NewEvent};
use crate::error::Result;
use crate::store::Vault;
use crate::format::config::{validate_prefix, validate_tag};

impl Vault {
    /// Changes an exhibit's description and tags; each change is logged.
    pub fn edit(&mut self, id: &str, description: Option<&str>, add_tags: &[String], remove_tags: &[String]) -> Result<()> {
        let before = self.show(id)?.exhibit;
        let mut events = Vec::new();
        let mut change = self.change()?;
        if let Some(d) = description && d != before.description {
            change.set_description(id, d)?;
            events.push(NewEvent::new(Action::MetadataEdited).exhibit(id).details(crate::format::details::MetadataEdited::Description {
                before: before.description.clone(),
                after: d.to_string(),
            }));
        }
        for t in add_tags {
            let t = validate_tag(t)?;
            if change.add_tag(id, t)? {
                events.push(NewEvent::new(Action::MetadataEdited).exhibit(id).details(crate::format::details::MetadataEdited::Tags { added: Some(t.to_string()), removed: None }));
            }
        }
        for t in remove_tags {
            if change.remove_tag(id, t)? {
                events.push(NewEvent::new(Action::MetadataEdited).exhibit(id).details(crate::format::details::MetadataEdited::Tags { added: None, removed: Some(t.to_string()) }));
            }
        }
        if events.is_empty() {
            return Ok(());
        }
        change.commit(events)?;
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
