//! The matter at a glance: counts, custodians, the latest verification, the
//! newest custody events and the productions, each from a query of its own
//! (nothing reads the whole exhibit list or the whole log).

use crate::error::Result;
use crate::format::config::MatterInfo;
use crate::format::custody::{Action, CustodyEvent};
use crate::format::details::Verified;
use crate::format::finding::VerifyMode;
use crate::store::Vault;
use crate::store::productions::ProductionRecord;
use serde::{Deserialize, Serialize};

/// How many of the newest custody events the dashboard shows.
pub const RECENT_EVENTS: usize = 12;

/// Exhibits per custodian.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodianCount {
    /// Custodian name ("" for none recorded).
    pub name: String,
    /// Exhibits.
    pub exhibits: u32,
}

/// The latest verification, from the custody log.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastVerification {
    /// When.
    pub time: String,
    /// Quick or full.
    pub mode: VerifyMode,
    /// Whether it passed.
    pub ok: bool,
    /// Errors found.
    pub errors: u32,
    /// Warnings found.
    pub warnings: u32,
    /// Who ran it.
    pub actor: String,
}

/// The matter dashboard.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The matter.
    pub matter: MatterInfo,
    /// Exhibits.
    pub exhibits: u32,
    /// Total size of the exhibits' original content (plaintext bytes).
    pub total_bytes: u64,
    /// Custody events.
    pub events: u32,
    /// Custodians, most exhibits first.
    pub custodians: Vec<CustodianCount>,
    /// Latest verification, if any.
    pub last_verification: Option<LastVerification>,
    /// The latest custody events, newest first.
    pub recent_events: Vec<CustodyEvent>,
    /// Productions made from this vault, newest first.
    pub productions: Vec<ProductionRecord>,
}

impl Vault {
    /// Exhibits per custodian of their first source ("" for none), most
    /// exhibits first: what the dashboard and the exhibit list's filter show.
    pub fn custodian_counts(&self) -> Result<Vec<CustodianCount>> {
        Ok(self.exhibits_per_custodian()?.into_iter().map(|(name, exhibits)| CustodianCount { name, exhibits: exhibits as u32 }).collect())
    }

    /// The dashboard's figures.
    pub fn dashboard(&self) -> Result<Dashboard> {
        let (exhibits, total_bytes) = self.exhibit_totals()?;
        let custodians = self.custodian_counts()?;
        let last_verification = self.newest_event_of(Action::Verified)?.and_then(|e| {
            let d: Verified = e.details_as()?;
            Some(LastVerification {
                time: e.time,
                mode: d.mode,
                ok: d.ok,
                errors: d.errors as u32,
                warnings: d.warnings as u32,
                actor: e.actor,
            })
        });
        let mut productions = self.productions()?;
        productions.reverse();
        Ok(Dashboard {
            matter: self.matter().clone(),
            exhibits: exhibits as u32,
            total_bytes,
            events: self.event_count()? as u32,
            custodians,
            last_verification,
            recent_events: self.newest_events(RECENT_EVENTS)?,
            productions,
        })
    }
}
