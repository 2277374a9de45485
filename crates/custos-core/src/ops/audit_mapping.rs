//! Saving a column mapping for audit-log exports in no known format
//! (DESIGN §3.3): the mapping is logged (`setting_changed`), then every
//! processed CSV export it fits is read into events through it, each a
//! derivation with its `derived` event, in the same change.

use super::process::understand::{AUDIT_LOG, understand};
use super::process::record::{record_audit_events, record_metadata};
use crate::error::{Error, Result};
use crate::format::custody::{Action, NewEvent};
use crate::format::details::SettingChanged;
use crate::store::Vault;
use crate::store::saved::{AuditMapping, SavedMapping};
use custos_extract::audit::Mapping;
use serde::Serialize;

/// An export read through a mapping just saved.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappedExport {
    /// The export (an exhibit).
    pub exhibit: String,
    /// Its events.
    pub events: u32,
    /// Its rows that could not be read.
    pub problems: u32,
}

/// What saving a mapping did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingSaved {
    /// The mapping as saved.
    pub saved: SavedMapping,
    /// The exports already in the vault it fits, now read into events.
    pub read: Vec<MappedExport>,
}

impl Vault {
    /// Saves a column mapping (a new name; checked) and reads every
    /// processed CSV export it fits into events. Nothing is saved if the
    /// mapping is refused.
    pub fn save_audit_mapping(&mut self, mapping: AuditMapping) -> Result<MappingSaved> {
        let m: Mapping = mapping.into();
        m.check().map_err(Error::InvalidInput)?;
        let mut all = self.audit_mappings()?;
        if all.iter().any(|x| x.name.eq_ignore_ascii_case(&m.name)) {
            return Err(Error::InvalidInput(format!("a mapping named {} is already saved; a saved mapping never changes: choose another name", m.name)));
        }
        all.push(m.clone());
        // The exports it fits, read before anything is written.
        let mut found: Vec<(crate::store::ExhibitDetail, super::process::understand::Understood, crate::store::ProcessingState)> = Vec::new();
        for id in self.csv_without_events()? {
            let detail = self.record_of(&id)?;
            let bytes = self.read_exhibit(&detail)?;
            let depth = self.container_depth(&id)?;
            let Ok(u) = understand(&bytes, &detail.exhibit, depth, &custos_extract::Limits::default(), &all) else { continue };
            if u.kind == AUDIT_LOG && u.extracted.audit_mapping.as_ref() == Some(&m) {
                let state = self.processing_state(&id)?;
                found.push((detail, u, state));
            }
        }
        let sha256 = m.sha256();
        let mut events = vec![NewEvent::new(Action::SettingChanged).details(SettingChanged::AuditMappingSaved {
            name: m.name.clone(),
            sha256: sha256.clone(),
            mapping: serde_json::to_value(&m).expect("a mapping serialises"),
        })];
        let mut read = Vec::new();
        let mut change = self.change()?;
        change.add_audit_mapping(&m)?;
        for (detail, u, mut state) in found {
            let id = detail.exhibit.id.as_str();
            let input = detail.exhibit.sha256.as_str();
            let x = &u.extracted;
            let problems: Vec<(String, String)> = x.problems.iter().map(|p| (p.item.clone(), p.reason.clone())).collect();
            // The metadata anew (with the export's format and mapping), then the events.
            record_metadata(&mut change, &mut events, id, input, x, problems.clone())?;
            record_audit_events(&mut change, &mut events, id, input, x)?;
            state.kind = AUDIT_LOG.into();
            state.problems.extend(problems.iter().cloned());
            change.set_processing(id, &state)?;
            read.push(MappedExport { exhibit: id.to_string(), events: x.events.len() as u32, problems: problems.len() as u32 });
        }
        let saved_at = change.now().to_string();
        change.commit(events)?;
        Ok(MappingSaved { saved: SavedMapping { mapping: m.into(), sha256, saved_at }, read })
    }
}
