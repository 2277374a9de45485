//! Verification of a vault whose objects live in a write-once S3 bucket:
//! each referenced object's recorded version is still there, still locked
//! as it was written (mode, retain-until date, legal hold), its server
//! checksum is the one recorded, and nothing was written over its name.
//! The bytes themselves are checked by the ordinary object checks, which
//! read the recorded version and hash it against the object's name.

use crate::error::Result;
use crate::format::finding::{Finding, FindingKind, Severity};
use crate::format::objects_config::LockMode;
use crate::progress::Progress;
use crate::store::Vault;
use crate::store::objects::S3Objects;
use std::collections::HashSet;

const KEEP: &str = "The exhibit's recorded version is what Custos reads and verifies. Find out who changed the bucket \
                    (its access log), keep that record, and restore the lock or hold with the bucket's owner.";

fn error(kind: FindingKind, exhibit: &str, message: String, action: &str) -> Finding {
    Finding { severity: Severity::Error, exhibit: Some(exhibit.to_string()), kind, event: None, message, action: action.into() }
}

fn date(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(|| secs.to_string(), |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

impl Vault {
    /// The bucket's findings on the exhibits `(id, object)`.
    pub(crate) fn check_bucket(&self, bucket: &S3Objects, objects: &[(String, String)], progress: &dyn Progress) -> Result<Vec<Finding>> {
        let placements = self.object_placements()?;
        let listing = bucket.bucket_versions()?;
        let mut findings = Vec::new();
        for (id, name) in objects {
            if progress.is_cancelled() {
                return Err(crate::Error::Cancelled);
            }
            let Some(placed) = placements.get(name) else {
                findings.push(error(
                    FindingKind::ObjectVersionMissing,
                    id,
                    format!("no version of {id}'s object {name} is recorded in the catalog"),
                    "The catalog lost the record of where the object was written: restore db/ from a backup and verify again.",
                ));
                continue;
            };
            // A version with the recorded MD5 is the same bytes again (a write
            // the client retried after a lost answer), not a write over it.
            let other = |(v, etag): &&(String, Option<String>)| *v != placed.version_id && (placed.etag.is_none() || *etag != placed.etag);
            let later = listing.versions.get(name).map_or(0, |v| v.iter().filter(other).count());
            let markers = listing.delete_markers.get(name).copied().unwrap_or(0);
            if later > 0 || markers > 0 {
                findings.push(Finding {
                    severity: Severity::Warning,
                    exhibit: Some(id.clone()),
                    kind: FindingKind::ObjectOverwritten,
                    event: None,
                    message: format!(
                        "someone wrote over {id}'s object {name} in bucket {} ({later} other version(s), {markers} delete marker(s)); the recorded version {} is still there and is what is read",
                        bucket.config().bucket,
                        placed.version_id
                    ),
                    action: KEEP.into(),
                });
            }
            let Some(head) = bucket.head_version(name, &placed.version_id)? else {
                findings.push(error(
                    FindingKind::ObjectVersionMissing,
                    id,
                    format!("the recorded version {} of {id}'s object {name} is no longer in bucket {}", placed.version_id, bucket.config().bucket),
                    "The bucket lost or deleted it (a governance bypass or an administrator): restore it from the firm's backup of the bucket, then verify again.",
                ));
                continue;
            };
            let now = chrono::Utc::now().timestamp();
            let mut weakened = Vec::new();
            match head.mode {
                None if placed.retain_until > now => weakened.push(format!("its {} retention was removed", placed.mode.as_s3())),
                Some(LockMode::Governance) if placed.mode == LockMode::Compliance => {
                    weakened.push("its retention was downgraded from COMPLIANCE to GOVERNANCE".into())
                }
                _ => {}
            }
            if let Some(until) = head.retain_until
                && until < placed.retain_until
            {
                weakened.push(format!("its retention was shortened from {} to {}", date(placed.retain_until), date(until)));
            }
            if placed.legal_hold && !head.legal_hold {
                weakened.push("its legal hold was lifted".into());
            }
            if !weakened.is_empty() {
                findings.push(error(
                    FindingKind::ObjectLockWeakened,
                    id,
                    format!("{id}'s object {name} is no longer locked as written: {}", weakened.join("; ")),
                    KEEP,
                ));
            }
            if let Some(md5) = &placed.etag
                && head.etag.as_deref() != Some(md5.as_str())
            {
                findings.push(error(
                    FindingKind::ObjectHashMismatch,
                    id,
                    format!("the bucket's checksum of {id}'s object {name} is {:?}, not the MD5 {md5} it was written with", head.etag),
                    "Restore the object's version from the firm's backup of the bucket and verify again.",
                ));
            }
        }
        Ok(findings)
    }

    /// Objects an interrupted intake left in the bucket and the custody log
    /// records as set aside, from the events `parsed`.
    pub(crate) fn set_aside_in_bucket(parsed: &[crate::format::custody::CustodyEvent]) -> HashSet<String> {
        parsed
            .iter()
            .filter(|e| e.action == crate::format::custody::Action::StrayObjectQuarantined)
            .filter_map(|e| e.details_as::<crate::format::details::StrayObject>())
            .filter(|d| d.moved_to.is_none())
            .filter_map(|d| d.object)
            .collect()
    }
}
