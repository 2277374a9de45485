//! The matter at a glance: the dashboard.

use super::blocking;
use crate::wire::{CustodianCount, Dashboard, LastVerification, Res};
use custos_core::export::ProductionRecord;
use custos_core::{CustodyEvent, Exhibit, MatterInfo};
use tauri::AppHandle;

/// Counts, custodians, last verification, recent events and productions.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(app: AppHandle) -> Res<Dashboard> {
    blocking(app, |_, s| {
        s.with_vault(|o| {
            let list = o.vault.list()?;
            let log = o.vault.custody_log(None)?;
            let made = o.vault.productions()?;
            Ok(build_dashboard(o.vault.matter().clone(), &list, &log, made))
        })
    })
    .await
}

/// The dashboard's figures from the exhibit list, the custody log and the
/// productions (oldest first, as the vault lists them).
// core: these figures are the vault's own summary: exhibits per custodian,
// total size, and above all the latest verification, read here from the
// `verified` event's details by their JSON keys (`mode`, `ok`, `errors`,
// `warnings`), which only the core defines. A `Vault::summary()` (or a
// typed `last_verification()`) would keep that knowledge in one place.
pub fn build_dashboard(matter: MatterInfo, list: &[Exhibit], log: &[CustodyEvent], mut productions: Vec<ProductionRecord>) -> Dashboard {
    productions.reverse();
    let mut custodians: std::collections::BTreeMap<String, u32> = Default::default();
    for e in list {
        *custodians.entry(e.custodian.clone().unwrap_or_default()).or_default() += 1;
    }
    let mut custodians: Vec<CustodianCount> = custodians.into_iter().map(|(name, exhibits)| CustodianCount { name, exhibits }).collect();
    custodians.sort_by(|a, b| b.exhibits.cmp(&a.exhibits).then(a.name.cmp(&b.name)));
    let last_verification = log.iter().rev().find(|e| e.action == custos_core::Action::Verified).map(|e| {
        let d = &e.details;
        let num = |k: &str| d.get(k).and_then(|v| v.as_u64()).unwrap_or(0) as u32;
        LastVerification {
            time: e.time.clone(),
            mode: d.get("mode").and_then(|v| v.as_str()).unwrap_or("").into(),
            ok: d.get("ok").and_then(|v| v.as_bool()).unwrap_or(false),
            errors: num("errors"),
            warnings: num("warnings"),
            actor: e.actor.clone(),
        }
    });
    Dashboard {
        matter,
        exhibits: list.len() as u32,
        total_bytes: list.iter().map(|e| e.size).sum(),
        events: log.len() as u32,
        custodians,
        last_verification,
        recent_events: log.iter().rev().take(12).cloned().collect(),
        productions,
    }
}
