//! Producing a sealed bundle: a request checked once, the Bates numbering,
//! planning (what an export would do), writing, and the record of it.

mod families;
mod load_file;
pub mod images;
pub(crate) mod pages;
pub(crate) mod numbering;
pub(crate) mod plan;
pub(crate) mod request;
mod search;
mod timestamps;
pub(crate) mod write;

use crate::bundle::model::Production;
use crate::error::{Error, IoContext, Result};
use crate::format::atomic::sync_dir;
use crate::format::custody::{Action, NewEvent};
use crate::progress::Progress;
use crate::store::Vault;
use crate::store::partials::OutputKind;
use crate::store::productions::NewProduction;
use numbering::BatesPlan;
use request::CheckedExport;
use serde::Serialize;
use std::fs;
use std::path::PathBuf;

/// What an export produced.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    /// Where the bundle is.
    pub out: PathBuf,
    /// SHA-256 of the bundle file as written.
    pub bundle_sha256: String,
    /// First Bates number.
    pub bates_first: String,
    /// Last Bates number.
    pub bates_last: String,
    /// Exhibits produced.
    pub exhibits: usize,
    /// Whether the bundle is age-encrypted.
    pub encrypted: bool,
    /// Fingerprint of the seal's signing key.
    pub signer_fingerprint: String,
    /// The identity to pass to `ssh-keygen -Y verify -I`.
    pub signer_identity: String,
    /// Quality-control notes (all passed checks are listed too).
    pub qc: Vec<String>,
    /// RFC 3161 tokens the bundle carries: (tree size, authority, TSA time).
    pub carried_timestamps: Vec<(u64, String, String)>,
    /// Automatic stamping after the export, when the vault's settings ask for
    /// it (a failure here undoes nothing).
    pub timestamps: Vec<crate::ops::timestamp::StampOutcome>,
    /// The search that chose the exhibits, as recorded with the production.
    pub search: Option<crate::format::details::SearchSelection>,
    /// The search-term report the bundle carries, over the produced documents.
    pub search_report: Option<crate::store::search::SearchReport>,
    /// The Bates numbers of the documents withheld (a slip sheet each, and
    /// a row on the bundle's privilege log).
    pub withheld: Vec<String>,
    /// The page images, when asked for: their profile and how many pages.
    pub images: Option<(crate::ops::export::images::ImageProfile, u64)>,
    /// Per exhibit imaged: its pages, the SHA-256 of its page records and
    /// its last number.
    #[serde(skip)]
    pub(crate) page_records: std::collections::HashMap<String, (u64, String, String)>,
}


impl Vault {
    /// The production as its documents describe it: this vault's matter and
    /// examiner, the request's organisation, the plan's numbers.
    fn production(
        &self,
        req: &CheckedExport,
        plan: &BatesPlan,
        produced_at: String,
        signer_fingerprint: String,
        exhibits: Vec<crate::bundle::model::ProducedExhibit>,
        withheld: Vec<custos_documents::WithheldDocument>,
    ) -> Production {
        Production {
            matter: self.matter().matter.clone(),
            matter_number: self.matter().matter_number.clone(),
            organization: req.organization.clone(),
            examiner: self.actor().to_string(),
            bates_prefix: plan.prefix.clone(),
            bates_first: plan.format(plan.first_number()),
            bates_last: plan.format(plan.last_number()),
            produced_at,
            tool: crate::TOOL.to_string(),
            signer_fingerprint,
            vault_id: self.config().vault_id.clone(),
            exhibits,
            withheld,
        }
    }

    /// Writes a sealed bundle. Nothing is left at the destination unless the
    /// whole bundle was written, every native re-hashed to its intake values,
    /// and the export was logged.
    pub fn export(&mut self, req: &CheckedExport, progress: &dyn Progress) -> Result<ExportReport> {
        req.check_destination()?;
        let parent = req.destination_folder();
        let (selection, search) = self.export_selection(req)?;
        let info = self.document_info(&selection, false)?;
        let pages = self.page_counts(req, &selection, &info)?;
        drop(info);
        let plan = self.plan_bates(req, &selection, &pages)?;
        if let Some(reviewed) = &req.expect_selection
            && *reviewed != request::selection_digest(selection.iter().map(|c| c.exhibit.id.as_str()))
        {
            return Err(Error::InvalidInput(
                "the exhibits chosen are no longer the ones reviewed (tags or exhibits changed since); review them again".into(),
            ));
        }
        if let Some((first, last)) = &req.expect_range {
            let (got_first, got_last) = (plan.format(plan.first_number()), plan.format(plan.last_number()));
            if (&got_first, &got_last) != (first, last) {
                return Err(Error::InvalidInput(format!(
                    "the numbering changed since it was reviewed ({got_first}–{got_last} instead of {first}–{last}); review it again"
                )));
            }
        }
        self.refuse_inside_vault(parent)?;
        // The session's pending unlock is not flushed here: a failed export
        // must leave the database as it was. The bundle's checkpoint covers
        // every event of the exhibits it holds, all committed earlier.

        // Recorded in the vault before it exists: a crash leaves no plaintext
        // that the next open does not remove (and log).
        let partial = self.begin_outside_partial(&req.out, OutputKind::Bundle)?;
        crate::failpoint::hit("export.recorded")?;
        let (report, production) = self.write_bundle(req, &selection, search, &plan, &partial.path, progress)?;
        partial.before_rename(self, &report.bundle_sha256)?;
        crate::failpoint::hit("export.written")?;
        fs::rename(&partial.path, &req.out).at(&req.out)?;
        let logged = sync_dir(parent)
            .and_then(|_| crate::failpoint::hit("export.renamed"))
            .and_then(|_| self.record_production(req, &plan, &report, &production));
        if let Err(e) = logged {
            // Unlogged, the bundle must not stand: remove it. If it cannot
            // be removed, the record stays and the next open removes it.
            if fs::remove_file(&req.out).is_err() {
                partial.keep();
            }
            return Err(e);
        }
        crate::failpoint::hit("export.logged")?;
        // Logged: the record of the output goes (a crash before this leaves
        // a record whose output is logged, which the next open just drops).
        partial.finish();
        // The export stands: automatic stamping only adds to it.
        let mut report = report;
        report.timestamps = self.stamp_automatically();
        Ok(report)
    }

    fn record_production(&mut self, req: &CheckedExport, plan: &BatesPlan, report: &ExportReport, p: &Production) -> Result<()> {
        let destination = std::path::absolute(&req.out).unwrap_or_else(|_| req.out.clone()).to_string_lossy().into_owned();
        let (first, last) = (plan.first_number(), plan.last_number());
        let numbers = plan.every_number();
        let exported = |bates: &str, withheld: Option<String>, id: &str| crate::format::details::Exported {
            images: report.images.and_then(|(profile, _)| {
                let (pages, sha, end) = report.page_records.get(id)?;
                Some(crate::format::details::ExportedImages {
                    profile: profile.name().into(),
                    pages: *pages,
                    bates_end: end.clone(),
                    records_sha256: sha.clone(),
                })
            }),
            bates: bates.to_string(),
            bundle_sha256: report.bundle_sha256.clone(),
            destination: destination.clone(),
            encrypted: report.encrypted,
            recipients: req.recipients.iter().map(ToString::to_string).collect(),
            search: report.search.clone(),
            search_terms_sha256: report.search_report.as_ref().map(|r| r.terms_sha256.clone()),
            withheld,
        };
        let mut events = Vec::new();
        for e in &p.exhibits {
            events.push(
                NewEvent::new(Action::Exported)
                    .exhibit(e.exhibit_id.clone())
                    .sha256(e.intake_sha256.clone(), e.export_sha256.clone())
                    .details(exported(&e.bates, None, &e.exhibit_id)),
            );
        }
        for w in &p.withheld {
            // Nothing of it left the vault: no hashes, only its number and ground.
            events.push(NewEvent::new(Action::Exported).exhibit(w.exhibit_id.clone()).details(exported(&w.bates, Some(w.privilege.clone()), &w.exhibit_id)));
        }
        let mut change = self.change()?;
        change.add_production(&NewProduction {
            bates_prefix: &plan.prefix,
            bates_width: plan.width,
            first,
            last,
            bundle_sha256: &report.bundle_sha256,
            destination: &destination,
            produced_at: &p.produced_at,
            items: &numbers,
        })?;
        change.commit(events)?;
        Ok(())
    }
}
