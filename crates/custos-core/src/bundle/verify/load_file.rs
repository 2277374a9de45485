//! Phase 4: the load file against the payload and the custody record. Each
//! row's native is in the bundle with the hashes the manifests give it, its
//! exhibit's collection or receipt is a verified custody event with that
//! SHA-256, and every native is in the load file.

use super::custody::EventsByExhibit;
use super::manifests::Manifests;
use super::tampered;
use crate::bundle::dat::{delimiters_from_info, parse_dat_with};
use crate::bundle::layout::{LOAD_FILE_FOLDER, NATIVES_FOLDER, PRIVILEGE_LOG_JSON_FILE, WITHHELD_PREFIX};
use crate::bundle::read::{Bundle, Whole};
use crate::error::{Error, Result};
use crate::format::custody::Action;
use crate::format::finding::{Finding, FindingKind};
use std::collections::{BTreeMap, BTreeSet};

/// A load-file row: field name → value.
pub(super) type Row = BTreeMap<String, String>;

/// The volume's load file, if it has one.
pub(super) fn load_file_path(bundle: &Bundle) -> Option<String> {
    bundle.paths().find(|p| p.starts_with(LOAD_FILE_FOLDER) && p.ends_with(".dat")).map(str::to_string)
}

/// Reads the load file at `path` (in the delimiters bag-info.txt names) and
/// holds its rows against the manifests and the verified custody events;
/// returns the rows (none when it is missing or unreadable).
pub(super) fn check_load_file(
    bundle: &mut Bundle,
    path: Option<&str>,
    manifests: &Manifests,
    events: &EventsByExhibit,
    f: &mut Vec<Finding>,
) -> Result<Vec<Row>> {
    let delims = delimiters_from_info(&manifests.bag_info);
    let load_file = match path {
        Some(p) => Some(match bundle.read(p, Whole::LoadFile) {
            Ok(b) => parse_dat_with(&b, delims),
            Err(Error::Io { source, .. }) => Err(format!("{p} cannot be read from the archive ({source})")),
            Err(e) => return Err(e),
        }),
        None => None,
    };
    match load_file {
        None => {
            f.push(tampered(FindingKind::LoadFileMissing, "the volume has no .dat load file".into()));
            Ok(Vec::new())
        }
        Some(Err(e)) => {
            f.push(tampered(FindingKind::LoadFileInvalid, e));
            Ok(Vec::new())
        }
        Some(Ok(rows)) => {
            let mut natives_in_dat = BTreeSet::new();
            for row in &rows {
                if is_withheld(row) {
                    check_withheld(row, manifests, f);
                    continue;
                }
                natives_in_dat.insert(check_row(row, manifests, events, f));
            }
            check_privilege_log(bundle, &rows, manifests, f)?;
            for p in manifests.sha256.keys().filter(|p| p.starts_with(NATIVES_FOLDER)) {
                if !natives_in_dat.contains(p) {
                    f.push(tampered(FindingKind::NativeNotInLoadFile, format!("{p} is not in the load file")));
                }
            }
            Ok(rows)
        }
    }
}

/// Whether a load-file row is a document withheld as privileged.
pub(crate) fn is_withheld(row: &Row) -> bool {
    row.get("PRIVILEGE").is_some_and(|v| v.starts_with(WITHHELD_PREFIX))
}

/// A withheld row: no native, no hashes, and its slip sheet in the bundle.
fn check_withheld(row: &Row, manifests: &Manifests, f: &mut Vec<Finding>) {
    let bates = row.get("BEGBATES").cloned().unwrap_or_default();
    let mut finding = |kind: FindingKind, msg: String| {
        let mut x = tampered(kind, msg);
        x.exhibit = Some(bates.clone());
        f.push(x);
    };
    let field = |name: &str| row.get(name).map(String::as_str).unwrap_or_default();
    if !field("NATIVEPATH").is_empty() || !field("SHA256HASH").is_empty() || !field("TEXTPATH").is_empty() {
        finding(FindingKind::PrivilegeLogMismatch, format!("{bates} is marked withheld yet names a native, a hash or a text"));
    }
    let sheet = format!("data/{}", field("IMAGEPATH").replace('\\', "/"));
    if field("IMAGEPATH").is_empty() || !manifests.sha256.contains_key(&sheet) {
        finding(FindingKind::NativeMissing, format!("{bates} is withheld but its slip sheet {sheet} is not in the bundle"));
    }
}

/// The privilege log (its JSON) against the load file: every withheld row
/// on it, every row of it withheld.
fn check_privilege_log(bundle: &mut Bundle, rows: &[Row], manifests: &Manifests, f: &mut Vec<Finding>) -> Result<()> {
    let withheld: BTreeSet<String> = rows.iter().filter(|r| is_withheld(r)).filter_map(|r| r.get("BEGBATES").cloned()).collect();
    let has_log = manifests.sha256.contains_key(PRIVILEGE_LOG_JSON_FILE);
    if withheld.is_empty() && !has_log {
        return Ok(());
    }
    let mut finding = |msg: String| f.push(tampered(FindingKind::PrivilegeLogMismatch, msg));
    if !has_log {
        finding(format!("{} document(s) are withheld but the bundle has no privilege log ({PRIVILEGE_LOG_JSON_FILE})", withheld.len()));
        return Ok(());
    }
    let bytes = match bundle.read(PRIVILEGE_LOG_JSON_FILE, Whole::Manifest) {
        Ok(b) => b,
        Err(Error::Io { source, .. }) => {
            finding(format!("{PRIVILEGE_LOG_JSON_FILE} cannot be read ({source})"));
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let logged: Vec<serde_json::Value> = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            finding(format!("{PRIVILEGE_LOG_JSON_FILE} is not a privilege log: {e}"));
            return Ok(());
        }
    };
    let on_log: BTreeSet<String> = logged.iter().filter_map(|r| r.get("bates").and_then(|b| b.as_str()).map(str::to_string)).collect();
    for b in withheld.difference(&on_log) {
        finding(format!("{b} is withheld but not on the privilege log"));
    }
    for b in on_log.difference(&withheld) {
        finding(format!("{b} is on the privilege log but the load file does not withhold it"));
    }
    Ok(())
}

/// One row: its native is listed with the row's hashes, and a verified event
/// records its collection or receipt with that SHA-256. Returns the native's
/// path in the bag.
fn check_row(row: &Row, manifests: &Manifests, events: &EventsByExhibit, f: &mut Vec<Finding>) -> String {
    let bates = row.get("BEGBATES").cloned().unwrap_or_default();
    let native = format!("data/{}", row.get("NATIVEPATH").cloned().unwrap_or_default().replace('\\', "/"));
    let mut finding = |kind: FindingKind, msg: String| {
        let mut x = tampered(kind, msg);
        x.exhibit = Some(bates.clone());
        f.push(x);
    };
    match manifests.sha256.get(&native) {
        None => finding(FindingKind::NativeMissing, format!("{bates}: the load file points at {native}, which is not in the bundle")),
        Some(h) if Some(h) != row.get("SHA256HASH") => {
            finding(FindingKind::LoadFileHashMismatch, format!("{bates}: SHA256HASH in the load file differs from the native's manifest hash"))
        }
        Some(_) if manifests.md5.get(&native) != row.get("MD5HASH") => {
            finding(FindingKind::LoadFileHashMismatch, format!("{bates}: MD5HASH in the load file differs from the native's manifest hash"))
        }
        Some(_) => {}
    }
    let ex = row.get("EXHIBITID").cloned().unwrap_or_default();
    // Taken in by collection, found inside another exhibit, or received in an earlier production.
    let collected = events.get(&ex).is_some_and(|evs| {
        evs.iter().any(|(e, _)| match e.action {
            Action::Collected => e.hash_before.as_ref() == row.get("SHA256HASH"),
            Action::Received => e.hash_after.as_ref() == row.get("SHA256HASH"),
            // Found inside another exhibit by processing.
            Action::Derived => e.details.get("kind").and_then(|k| k.as_str()) == Some("item") && e.hash_after.as_ref() == row.get("SHA256HASH"),
            _ => false,
        })
    });
    if !collected {
        finding(
            FindingKind::CustodyRecordMismatch,
            format!("{bates} ({ex}): no verified custody event records its collection or receipt with this SHA-256"),
        );
    }
    native
}
