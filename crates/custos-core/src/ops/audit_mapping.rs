//! Saving a column mapping for audit-log exports in no known format
//! (DESIGN §3.3): the mapping is logged (`setting_changed`), then every
//! processed CSV export it fits is read into events through it, each a
//! derivation with its `derived` event, in the same change.

use super::process::understand::{AUDIT_LOG, understand};
use super::process::{derived_event, metadata_sha256};
use crate::error::{Error, Result};
use crate::format::custody::{Action, NewEvent};
use crate::format::details::{Derived, SettingChanged};
use crate::store::Vault;
use crate::store::derived::NewDerivation;
use crate::store::saved::{AuditMapping, SavedMapping};
use custos_extract::audit::Mapping;
use serde::Serialize;
use sha2::{Digest, Sha256};

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

fn derived(kind: &str, id: &str, x: &custos_extract::Extractor, count: usize, problems: Vec<(String, String)>) -> Derived {
    Derived { count: Some(count as u64), problems, ..super::process::derived_details(kind, id, x) }
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
            let output = metadata_sha256(&x.metadata);
            let seq = change.next_seq(events.len());
            let d = change.add_derivation(&NewDerivation { exhibit: id, kind: "metadata", extractor: &x.extractor, input_sha256: input, output_sha256: &output, item: None }, seq)?;
            change.set_metadata(id, &x.metadata, d)?;
            events.push(derived_event(id, input, &output, derived("metadata", id, &x.extractor, x.metadata.len(), problems.clone())));
            let ax = custos_extract::audit::extractor_for(Some(&m));
            let output = hex::encode(Sha256::digest(serde_json::to_vec(&x.events).expect("events serialise")));
            let seq = change.next_seq(events.len());
            let d = change.add_derivation(&NewDerivation { exhibit: id, kind: "events", extractor: &ax, input_sha256: input, output_sha256: &output, item: None }, seq)?;
            change.add_audit_events(id, &x.events, d)?;
            events.push(derived_event(id, input, &output, derived("events", id, &ax, x.events.len(), Vec::new())));
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
