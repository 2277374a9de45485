//! Custody events read as sentences, built from their typed details: what a
//! paralegal reads in the custody history. The signed record stays the
//! evidence; these words are derived from it and never stored.

use super::custody::{Action, CustodyEvent};
use super::details::{
    Collected, Derived, Exported, Extracted, MetadataEdited, PartialOutputRemoved, PassphraseChanged, ProducerKey, Received, SettingChanged,
    StrayObject, Timestamped, Verified, VaultCreated, VaultUnlocked,
};

/// `n` with a comma between thousands ("52,000").
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// A stored time ("2026-05-14T21:47:03Z") as "2026-05-14 21:47 UTC"; any
/// other text as it is.
fn when(t: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(d) => d.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => t.to_string(),
    }
}

fn quoted(s: &str) -> String {
    if s.is_empty() { "empty".into() } else { format!("“{s}”") }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

impl CustodyEvent {
    /// The event as a sentence, from its typed details ("Tag “hot” added").
    /// Details that do not read as their action's type are named as such;
    /// the raw record says the rest.
    pub fn in_words(&self) -> String {
        let unreadable = || format!("{} (its details do not read as this action's; see the record)", self.action.as_str().replace('_', " "));
        macro_rules! read {
            ($t:ty) => {
                match self.details_as::<$t>() {
                    Some(d) => d,
                    None => return unreadable(),
                }
            };
        }
        let by_method = |s: &mut String| {
            if let Some(m) = self.method.as_deref().filter(|m| !m.is_empty()) {
                s.push_str(&format!(" by {m}"));
            }
        };
        match self.action {
            Action::VaultCreated => {
                let d = read!(VaultCreated);
                let number = d.matter_number.map(|n| format!(" ({n})")).unwrap_or_default();
                let recovery = if d.recovery_recipient.is_some() { " with a recovery key" } else { "" };
                format!("Vault created for {}{number}{recovery}", quoted(&d.matter))
            }
            Action::VaultUnlocked => {
                let d = read!(VaultUnlocked);
                let via = if d.via == "recovery_identity" { "the recovery key" } else { "the passphrase" };
                format!("Vault unlocked with {via}")
            }
            Action::Collected | Action::DuplicateSourceRecorded => {
                let d = read!(Collected);
                let mut s = if self.action == Action::Collected {
                    format!("Collected {} ({})", quoted(&d.name), plural(d.size, "byte", "bytes"))
                } else {
                    format!("Same content collected again as {}", quoted(&d.name))
                };
                if let Some(src) = d.source.as_deref().filter(|x| !x.is_empty()) {
                    s.push_str(&format!(" from {src}"));
                }
                by_method(&mut s);
                if let Some(c) = d.custodian.as_deref().filter(|x| !x.is_empty()) {
                    s.push_str(&format!("; custodian {c}"));
                }
                if let Some(g) = &d.collected_at {
                    // A day stated is kept as its midnight: said as the day.
                    let day = g.strip_suffix("T00:00:00.000000Z").map(str::to_string);
                    s.push_str(&format!("; gathered {} (before intake)", day.unwrap_or_else(|| when(g))));
                }
                if let Some(m) = &d.modified {
                    s.push_str(&format!("; file modified {}", when(m)));
                }
                if self.hashes_match == Some(true) {
                    s.push_str("; copy verified against the source");
                }
                s
            }
            Action::MetadataEdited => match read!(MetadataEdited) {
                MetadataEdited::Description { before, after } => {
                    format!("Description set to {} (was {})", quoted(&after), quoted(&before))
                }
                MetadataEdited::Tags { added: Some(a), removed: Some(r) } => format!("Tag “{a}” added, “{r}” removed"),
                MetadataEdited::Tags { added: Some(t), .. } => format!("Tag “{t}” added"),
                MetadataEdited::Tags { removed: Some(t), .. } => format!("Tag “{t}” removed"),
                MetadataEdited::Tags { .. } => "Tags changed".into(),
                MetadataEdited::Designation { after, .. } => designation_words(&after),
            },
            Action::Viewed => {
                let mut s = "Viewed in the vault".to_string();
                if let Some(p) = self.purpose.as_deref().filter(|p| !p.is_empty()) {
                    s.push_str(&format!(" ({p})"));
                }
                s
            }
            Action::Extracted => format!("Copied out of the vault to {}", read!(Extracted).destination),
            Action::Derived => {
                let d = read!(Derived);
                let tool = format!("{} {}", d.extractor, d.extractor_version);
                let mut s = match (d.kind.as_str(), &d.item) {
                    ("item", Some(i)) if i.new_content => format!("Found inside {} as {} ({}) by {tool}", d.from, quoted(&i.name), i.path),
                    ("item", Some(i)) => format!("Found again inside {} as {} ({}) by {tool}", d.from, quoted(&i.name), i.path),
                    ("metadata", _) => format!("Metadata read by {tool} ({})", plural(d.count.unwrap_or(0), "value", "values")),
                    ("text", _) => format!("Text read by {tool} ({})", plural(d.count.unwrap_or(0), "character", "characters")),
                    ("ocr", _) => format!("Text recognised by {tool} ({})", plural(d.count.unwrap_or(0), "page", "pages")),
                    ("events", _) => format!("Audit-log events read by {tool} ({})", plural(d.count.unwrap_or(0), "event", "events")),
                    (k, _) => format!("Derived ({k}) by {tool}"),
                };
                if !d.low_confidence_pages.is_empty() {
                    s.push_str(&format!("; low confidence on {}", plural(d.low_confidence_pages.len() as u64, "page", "pages")));
                }
                if !d.problems.is_empty() {
                    s.push_str(&format!("; {} could not be read", plural(d.problems.len() as u64, "part", "parts")));
                }
                s
            }
            Action::Verified => {
                let d = read!(Verified);
                let mode = match d.mode {
                    super::finding::VerifyMode::Quick => "Quick",
                    super::finding::VerifyMode::Full => "Full",
                };
                let result = if d.ok { "passed".to_string() } else { format!("found {}", plural(d.errors, "error", "errors")) };
                let warnings = if d.warnings > 0 { format!(", {}", plural(d.warnings, "warning", "warnings")) } else { String::new() };
                format!(
                    "{mode} verification {result}{warnings}: {} and {} checked",
                    plural(d.exhibits, "exhibit", "exhibits"),
                    plural(d.events, "custody event", "custody events")
                )
            }
            Action::StrayObjectQuarantined => {
                let d = read!(StrayObject);
                let what = d.object.as_deref().or(d.file.as_deref()).unwrap_or("an unknown file");
                match d.moved_to {
                    Some(to) => format!("Stray object {} moved to {to} ({})", short(what), d.disposition),
                    None => format!("Stray object {} {}", short(what), d.disposition),
                }
            }
            Action::PassphraseChanged => format!("Passphrase changed (key file {})", short(&read!(PassphraseChanged).key_file_sha256)),
            Action::Exported => {
                let d = read!(Exported);
                let sealed = if d.encrypted { "an encrypted" } else { "a" };
                match &d.withheld {
                    Some(ground) => format!("Withheld ({ground}) from {sealed} sealed bundle to {}: a slip sheet as {} and a privilege log row", d.destination, d.bates),
                    None => format!("Produced as {} in {sealed} sealed bundle to {}", d.bates, d.destination),
                }
            }
            Action::Received => {
                let d = read!(Received);
                let dup = if d.duplicate_of_existing { "; the content was already in the vault" } else { "" };
                format!(
                    "Received as {} ({} of the producer, with {}){dup}",
                    d.bates,
                    d.sender_exhibit,
                    plural(d.sender_events, "custody event", "custody events")
                )
            }
            Action::SettingChanged => match read!(SettingChanged) {
                SettingChanged::ExhibitPrefix { before, after } => format!("Exhibit number prefix set to “{after}” (was “{before}”)"),
                SettingChanged::TsaUrls { before, after } => format!(
                    "Time-stamp authorities set to {} (was {})",
                    plural(after.len() as u64, "authority", "authorities"),
                    thousands(before.len() as u64)
                ),
                SettingChanged::AutomaticTimestamps { .. } => "Automatic time-stamping changed".into(),
                SettingChanged::TsaCaTrusted { certificates } => {
                    format!("Trusted {}", plural(certificates.len() as u64, "time-stamp CA certificate", "time-stamp CA certificates"))
                }
                SettingChanged::CounselKeyAdded { name, .. } => format!("Counsel key for {name} added to the address book"),
                SettingChanged::CounselKeyRemoved { name, .. } => format!("Counsel key for {name} removed from the address book"),
                SettingChanged::AuditMappingSaved { name, sha256, .. } => {
                    format!("Column mapping {name} saved for audit-log exports (SHA-256 {}…)", &sha256[..sha256.len().min(12)])
                }
                SettingChanged::ObjectsMoved { to, objects, .. } => {
                    format!("Exhibit objects moved to the write-once bucket {to} ({})", plural(objects, "object", "objects"))
                }
                SettingChanged::CatalogMoved { to, members } => {
                    format!("Catalog and custody log moved to the firm database {to}, opened by {}", members.join(", "))
                }
                SettingChanged::MemberAdded { name, key } if key == "passphrase" => format!("{name} given a key to the matter (a passphrase)"),
                SettingChanged::MemberAdded { name, key } => format!("{name} given a key to the matter (age key {key})"),
                SettingChanged::MemberRemoved { name } => format!("{name}'s key to the matter removed"),
            },
            Action::PartialOutputRemoved => {
                let d = read!(PartialOutputRemoved);
                format!("Unfinished {} {} removed from {}", d.output, d.file, d.destination)
            }
            Action::ProducerKeyPinned => {
                let d = read!(ProducerKey);
                format!("Seal key {} of producer {} pinned", short(&d.fingerprint), d.producer_vault)
            }
            Action::ProducerKeyAccepted => {
                let d = read!(ProducerKey);
                format!(
                    "New seal key {} accepted for producer {} (was {})",
                    short(d.new_fingerprint.as_deref().unwrap_or(&d.fingerprint)),
                    d.producer_vault,
                    short(d.old_fingerprint.as_deref().unwrap_or("?"))
                )
            }
            Action::Timestamped => {
                let d = read!(Timestamped);
                format!(
                    "Checkpoint of {} time-stamped by {} at {}",
                    plural(d.tree_size, "event", "events"),
                    d.tsa_url,
                    when(&d.gen_time)
                )
            }
        }
    }
}

/// A designation as the custody history says it.
fn designation_words(d: &crate::format::designation::Designation) -> String {
    if d.is_empty() {
        return "Designations cleared".into();
    }
    let mut parts = Vec::new();
    if let Some(p) = d.privilege {
        parts.push(format!("{} claimed", p.words()));
    }
    if d.withheld {
        parts.push("withheld from productions (privilege log)".into());
    }
    if let Some(c) = &d.confidentiality {
        parts.push(format!("confidentiality {}", quoted(c)));
    }
    if !d.log_description.is_empty() {
        parts.push(format!("log description {}", quoted(&d.log_description)));
    }
    format!("Designated: {}", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(52_000), "52,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}

