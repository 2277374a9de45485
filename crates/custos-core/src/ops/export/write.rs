//! Writing a sealed production bundle: a BagIt bag holding a production
//! volume, zipped, signed, and optionally encrypted for counsel.

use crate::bundle::bag::{BagBuilder, allowed_signers_line, signer_fingerprint, ssh_private_key, ssh_signature};
use crate::bundle::layout::{
    ALLOWED_SIGNERS_FILE, BUNDLE_NAMESPACE, CERTIFICATION_DOCX_FILE, CERTIFICATION_PDF_FILE, CHECKPOINT_FILE, CHECKPOINT_NAMESPACE,
    CHECKPOINT_SIG_FILE, CUSTODY_REPORT_FILE, EVENTS_FILE, INDEX_CSV_FILE, INDEX_PDF_FILE, LOAD_FILE_FOLDER, NATIVES_FOLDER,
    PROVENANCE_FILE, SEAL_FILE, TEXT_FOLDER,
};
use crate::bundle::verify::EventLine;
use crate::format::custody::SignedCheckpoint;
use crate::bundle::dat::DatEncoding;
use crate::bundle::model::{ProducedExhibit, Production};
use crate::clock::format_time;
use crate::format::custody::{self};
use crate::error::{Error, IoContext, Result};
use crate::format::pipeline;
use crate::progress::Progress;
use crate::store::Vault;
use super::ExportReport;
use crate::store::exhibits::Chosen;
use super::numbering::BatesPlan;
use super::images::{ImageProfile, Imaging, image_path, imaging_of};
use super::request::CheckedExport;
use super::load_file::{load_file, qc_checks};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::Path;

/// Most natives per folder of the volume.
pub(super) const PER_FOLDER: usize = 1000;
/// Extracted text kept for a text exhibit (larger ones get no TEXT file).
pub(super) const MAX_TEXT: u64 = 64 << 20;

/// A file extension safe on Windows, macOS and Linux, or none.
pub(super) fn safe_extension(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() && ext.len() <= 10 && ext.chars().all(|c| c.is_ascii_alphanumeric()) => {
            format!(".{}", ext.to_ascii_lowercase())
        }
        _ => String::new(),
    }
}

fn is_text(mime: &str) -> bool {
    mime.starts_with("text/") || matches!(mime, "message/rfc822" | "application/json" | "application/xml")
}

/// The bundle file: hashed as written, optionally through age.
struct Sink {
    file: fs::File,
    hasher: Sha256,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

enum Output {
    Plain(std::io::BufWriter<Sink>),
    Encrypted(age::stream::StreamWriter<std::io::BufWriter<Sink>>),
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Plain(w) => w.write(buf),
            Output::Encrypted(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Plain(w) => w.flush(),
            Output::Encrypted(w) => w.flush(),
        }
    }
}

impl Output {
    /// Ends the age stream (which **must** be finished) and returns the file and its hash.
    fn finish(self) -> std::io::Result<(fs::File, [u8; 32])> {
        let buffered = match self {
            Output::Plain(w) => w,
            Output::Encrypted(w) => w.finish()?,
        };
        let sink = buffered.into_inner().map_err(|e| e.into_error())?;
        Ok((sink.file, sink.hasher.finalize().into()))
    }
}


impl Vault {
    pub(super) fn write_bundle(
        &self,
        req: &CheckedExport,
        selection: &[Chosen],
        search: Option<crate::format::details::SearchSelection>,
        plan: &BatesPlan,
        tmp: &Path,
        progress: &dyn Progress,
    ) -> Result<(ExportReport, Production)> {
        let produced_at = match req.source_date_epoch {
            Some(s) => format_time(
                chrono::DateTime::from_timestamp(s, 0).ok_or_else(|| Error::InvalidInput(format!("SOURCE_DATE_EPOCH {s} is out of range")))?,
            ),
            None => self.now(),
        };
        let ssh_key = ssh_private_key(self.secrets().signing_key(), &self.config().vault_id)?;
        let fingerprint = signer_fingerprint(&ssh_key);
        let identity = format!("custos-vault-{}", self.config().vault_id);
        let first = plan.format(plan.first_number());
        let last = plan.format(plan.last_number());
        let bag_name = format!("{first}-{last}");

        let file = fs::OpenOptions::new().write(true).create_new(true).open(tmp).at(tmp)?;
        let sink = std::io::BufWriter::with_capacity(1 << 20, Sink { file, hasher: Sha256::new() });
        let recipients = req.recipient_keys();
        let out = if recipients.is_empty() && req.passphrase.is_none() {
            Output::Plain(sink)
        } else {
            let encryptor = match &req.passphrase {
                // One or the other: the request was checked.
                Some(p) => {
                    let mut r = age::scrypt::Recipient::new(p.clone());
                    r.set_work_factor(crate::format::keys::DEFAULT_WORK_FACTOR);
                    age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
                }
                None => age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient)),
            }
            .map_err(|e| Error::Encryption(e.to_string()))?;
            Output::Encrypted(encryptor.wrap_output(sink).at(tmp)?)
        };
        let mut bag = BagBuilder::new(zip::ZipWriter::new_stream(out), bag_name.clone(), tmp.to_path_buf());

        // Natives (and text), each decrypted, re-hashed and compared while
        // written; then its page images, when asked for.
        let info = self.document_info(selection, true)?;
        let imager = super::images::Imager::new(req)?;
        let profile = imager.as_ref().map(|i| i.profile);
        let attachments = super::pages::attachment_names(selection);
        let mut images = super::pages::ImagesOut::default();
        let total: u64 = selection.iter().map(|c| c.exhibit.size).sum();
        progress.begin(selection.len() as u64, total);
        let mut produced = Vec::with_capacity(selection.len());
        let mut withheld = Vec::new();
        // The produced text, kept for a search-term report over it.
        let mut texts = std::collections::HashMap::new();
        for (i, chosen) in selection.iter().enumerate() {
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let ex = &chosen.exhibit;
            let mut p = match laid_out(chosen, &info, plan, i, profile) {
                Laid::Produced(p) => *p,
                Laid::Withheld(w) => {
                    // Nothing of it is read: a slip sheet takes its place.
                    if let Some(im) = &imager {
                        let doc = super::pages::Document { chosen, index: i, native: None, legend: w.confidentiality.as_deref().or(req.endorse.as_deref()) };
                        self.image_document(&mut bag, im, plan, &info, &attachments, doc, &mut images)?;
                    }
                    progress.advance(ex.size);
                    withheld.push(w);
                    continue;
                }
            };
            progress.file_started(Path::new(&ex.name), ex.size);
            // The text processing read (or recognised), else a text native's own bytes.
            let stored = if p.text_path.is_some() { self.stored_text(&ex.id)? } else { None };
            let mut text = stored.clone().map(String::into_bytes).unwrap_or_default();
            // The native, kept for imaging when its pages are made from it.
            let keep_native = imager.is_some() && matches!(imaging_for(chosen, &info), Imaging::Pdf | Imaging::Image | Imaging::Office);
            let mut native = super::pages::Plaintext::default();
            let src = self.objects().open(&chosen.object)?;
            let got = {
                let mut entry = bag.start_payload(&p.native_path, ex.size)?;
                let keep_text = p.text_path.is_some() && stored.is_none();
                pipeline::decrypt_stream(src, &chosen.object, self.secrets().age_identity(), pipeline::Hashes { md5: true, ciphertext: false }, ex.size, progress, &mut |c| {
                    if keep_text {
                        text.extend_from_slice(c);
                    }
                    if keep_native {
                        native.extend_from_slice(c);
                    }
                    entry.write(c)
                })?
            };
            let md5 = got.md5.unwrap_or_default();
            bag.record_payload(&p.native_path, got.size, &got.sha256, &md5);
            p.export_sha256 = hex::encode(got.sha256);
            p.export_md5 = got.md5.map(hex::encode).unwrap_or_default();
            if p.export_sha256 != ex.sha256 || p.export_md5 != ex.md5 || got.size != ex.size {
                return Err(Error::ObjectAuthentication { object: chosen.object.clone() });
            }
            if let Some(t) = &p.text_path {
                bag.add_payload(t, &text)?;
                if req.search_terms.is_some() {
                    texts.insert(p.bates.clone(), String::from_utf8_lossy(&text).into_owned());
                }
            }
            if let Some(im) = &imager {
                let legend = p.document_fields.iter().find(|(f, _)| f == "CONFIDENTIALITY").map(|(_, v)| v.as_str()).or(req.endorse.as_deref());
                let doc = super::pages::Document { chosen, index: i, native: keep_native.then_some(native), legend };
                self.image_document(&mut bag, im, plan, &info, &attachments, doc, &mut images)?;
            }
            produced.push(p);
        }

        // The custody events of the exported exhibits, each with an inclusion
        // proof against the latest signed checkpoint.
        let raw = self.raw_events()?;
        let checkpoints = self.checkpoints()?;
        let checkpoint = checkpoints.last().cloned().ok_or_else(|| Error::Custody("the log has no checkpoint".into()))?;
        let mut tree = crate::format::merkle::Tree::default();
        for (_, body, _) in raw.iter().take(checkpoint.tree_size as usize) {
            tree.push(body.clone());
        }
        let mut jsonl = Vec::new();
        for (seq, body, sig) in raw.iter().take(checkpoint.tree_size as usize) {
            let event = custody::CustodyEvent::parse(*seq, body)?;
            let Some(p) = produced.iter_mut().find(|p| Some(&p.exhibit_id) == event.exhibit.as_ref()) else { continue };
            let line = EventLine {
                leaf_index: *seq as u64 - 1,
                body: String::from_utf8_lossy(body).into_owned(),
                signature: hex::encode(sig),
                inclusion_proof: tree.inclusion_proof(*seq as u64 - 1).as_bytes().chunks(32).map(hex::encode).collect(),
            };
            jsonl.extend_from_slice(serde_json::to_string(&line).expect("serialise").as_bytes());
            jsonl.push(b'\n');
            p.events.push(crate::bundle::model::document_event(&event));
        }
        let production = self.production(req, plan, produced_at.clone(), fingerprint.clone(), produced, withheld);
        if imager.is_none() {
            for w in &production.withheld {
                bag.add_payload(&w.slip_sheet_path, &custos_documents::slip_sheet_pdf(&production, w).map_err(crate::bundle::model::render_failed)?)?;
            }
        }

        // Load file, with QC before it is written.
        let mut qc = qc_checks(&production)?;
        let (dat_bytes, dat_warnings) = load_file(&production, req, true);
        qc.extend(dat_warnings.into_iter().map(|w| format!("warning: {w}")));
        let enc_name = match req.dat_encoding {
            DatEncoding::Utf8 => "UTF-8 with BOM",
            DatEncoding::Windows1252 => "Windows-1252",
        };
        qc.push(format!("load file: {} rows plus header, {enc_name}, CRLF", production.exhibits.len() + production.withheld.len()));
        if let Some(im) = &imager {
            qc.extend(super::pages::qc_images(&production, &images, &bag.payload_hashes())?);
            bag.add_payload(&format!("{LOAD_FILE_FOLDER}{}_VOL001.opt", plan.prefix), &crate::bundle::images::opt_bytes(&images.opt))?;
            bag.add_payload(crate::bundle::layout::PAGE_RECORDS_FILE, &crate::bundle::images::records_jsonl(&images.records))?;
            qc.push(format!("page images: {} pages as {}, each traceable to its native in {}", images.records.len(), im.profile.name(), crate::bundle::layout::PAGE_RECORDS_FILE));
        }
        bag.add_payload(&format!("{LOAD_FILE_FOLDER}{}_VOL001.dat", plan.prefix), &dat_bytes)?;

        // The search that chose the exhibits, and a term list's report.
        let search = super::search::search_files(req, &production, search, &dat_bytes, &texts)?;
        drop(texts);
        for (path, bytes) in &search.files {
            bag.add_payload(path, bytes)?;
        }
        if let Some(r) = &search.report {
            qc.push(format!("search-term report: {} terms over the {} produced documents, {} hit by any term", r.terms.len(), r.searched, r.total.documents));
        }

        // The privilege log of what was withheld, held against the load file.
        if !production.withheld.is_empty() {
            for (path, bytes) in self.privilege_log_files(&production, &dat_bytes, req)? {
                bag.add_payload(path, &bytes)?;
            }
            qc.push(format!("privilege log: {} withheld document(s), each a slip sheet and a log row, and no other", production.withheld.len()));
        }

        // Index, custody record, certification, provenance.
        bag.add_payload(INDEX_CSV_FILE, &crate::bundle::index_csv(&production))?;
        bag.add_payload(INDEX_PDF_FILE, &custos_documents::exhibit_index_pdf(&production).map_err(crate::bundle::model::render_failed)?)?;
        bag.add_payload(CUSTODY_REPORT_FILE, &custos_documents::custody_report_pdf(&production).map_err(crate::bundle::model::render_failed)?)?;
        bag.add_payload(CERTIFICATION_DOCX_FILE, &custos_documents::certification_docx(&production).map_err(crate::bundle::model::render_failed)?)?;
        bag.add_payload(CERTIFICATION_PDF_FILE, &custos_documents::certification_pdf(&production).map_err(crate::bundle::model::render_failed)?)?;
        bag.add_payload(PROVENANCE_FILE, &crate::bundle::provenance::case_uco(&production, &identity)?)?;
        bag.add_payload(EVENTS_FILE, &jsonl)?;
        let cp = SignedCheckpoint::new(&self.config().vault_id, &self.config().signing_key, checkpoint);
        let cp = serde_json::to_string_pretty(&cp).expect("serialise");
        bag.add_payload(CHECKPOINT_FILE, cp.as_bytes())?;
        bag.add_payload(CHECKPOINT_SIG_FILE, ssh_signature(&ssh_key, CHECKPOINT_NAMESPACE, cp.as_bytes())?.as_bytes())?;
        let carried = self.carry_timestamps(&mut bag, &tree, &raw, &checkpoints)?;

        // Tag files, the seal, and the end of the zip (and of the age stream).
        let readme = crate::bundle::readme_txt(&production, &bag_name, &identity, !recipients.is_empty() || req.passphrase.is_some())
            + &crate::bundle::timestamps::readme_step(&carried)
            + &search.readme()
            + &crate::ops::privilege_log::readme(&production)
            + &imager.as_ref().map(|im| super::pages::readme(&production, &images, im.profile, &plan.prefix)).unwrap_or_default();
        let load_file = req.dat_delimiters.load_file_format(enc_name);
        let tagmanifest = bag.finish_tags(&production, req.organization.as_deref(), &load_file, &readme)?;
        let sig = ssh_signature(&ssh_key, BUNDLE_NAMESPACE, &tagmanifest)?;
        bag.add_tag(ALLOWED_SIGNERS_FILE, allowed_signers_line(&ssh_key, &identity)?.as_bytes())?;
        bag.add_tag(SEAL_FILE, sig.as_bytes())?;
        let out = bag.finish()?;
        let (file, sha) = out.finish().at(tmp)?;
        file.sync_all().at(tmp)?;
        qc.push("every native re-hashed while written: SHA-256 and MD5 match intake".into());

        Ok((
            ExportReport {
                out: req.out.clone(),
                bundle_sha256: hex::encode(sha),
                bates_first: first,
                bates_last: last,
                exhibits: production.exhibits.len(),
                encrypted: !recipients.is_empty() || req.passphrase.is_some(),
                signer_fingerprint: fingerprint,
                signer_identity: identity,
                qc,
                carried_timestamps: carried,
                timestamps: Vec::new(),
                search: search.selection,
                search_report: search.report,
                withheld: production.withheld.iter().map(|w| w.bates.clone()).collect(),
                images: imager.as_ref().map(|im| (im.profile, images.records.len() as u64)),
                page_records: images.per_exhibit,
            },
            production,
        ))
    }
}

/// The load-file fields filled from processing, with the metadata field
/// each takes its first value from.
pub(crate) const DOCUMENT_FIELDS: &[(&str, &str)] = &[
    ("FROM", "from"),
    ("TO", "to"),
    ("CC", "cc"),
    ("BCC", "bcc"),
    ("SUBJECT", "subject"),
    ("DATESENT", "date_sent"),
    ("DATERCVD", "date_received"),
    ("AUTHOR", "author"),
    ("TITLE", "title"),
    ("PGCOUNT", "page_count"),
    ("MESSAGEID", "message_id"),
];

/// The load-file fields filled from the case timeline: the download events
/// joined to the exhibit by hash, by id or address, or by name and size
/// (joins by name alone are weak and not counted), and the last one's time.
/// Empty when the vault holds no audit-log events at all.
pub(crate) const TIMELINE_FIELDS: [&str; 2] = ["DOWNLOADCOUNT", "LASTDOWNLOAD"];

/// What processing knows of the exhibits of a production: the load-file
/// fields of each, which have text, and their downloads in the timeline.
pub(super) struct DocumentInfo {
    pub(super) fields: std::collections::HashMap<String, Vec<(String, String)>>,
    pub(super) texts: std::collections::HashSet<String>,
    /// Exhibit → (downloads, the last one's time); `None` without audit
    /// events, or for a plan (which writes no load file).
    downloads: Option<std::collections::HashMap<String, (u64, String)>>,
    /// Exhibit → its designations, for those that have any.
    pub(super) designations: std::collections::HashMap<String, crate::format::designation::Designation>,
}

impl Vault {
    /// What processing knows of the exhibits chosen (read once per export or
    /// plan); the timeline's downloads only for `writing` (reading the whole
    /// timeline is not work to redo each time a plan is reviewed).
    pub(super) fn document_info(&self, chosen: &[Chosen], writing: bool) -> Result<DocumentInfo> {
        let names: Vec<&str> = DOCUMENT_FIELDS.iter().map(|(_, f)| *f).collect();
        let ids: Vec<&str> = chosen.iter().map(|c| c.exhibit.id.as_str()).collect();
        let downloads = if writing { self.downloads()? } else { None };
        Ok(DocumentInfo { fields: self.first_values(&ids, &names)?, texts: self.exhibits_with_text(&ids)?, downloads, designations: self.designations()? })
    }

    /// Download events per exhibit (strong joins only), with the last one's
    /// time; `None` when the vault holds no audit-log events.
    fn downloads(&self) -> Result<Option<std::collections::HashMap<String, (u64, String)>>> {
        let events = self.timeline(&crate::store::audit::TimelineQuery::default())?;
        if events.is_empty() {
            return Ok(None);
        }
        let mut out: std::collections::HashMap<String, (u64, String)> = std::collections::HashMap::new();
        for e in events.iter().filter(|e| !e.weak && crate::store::audit::is_download(&e.action)) {
            if let Some(x) = &e.exhibit {
                let entry = out.entry(x.clone()).or_default();
                entry.0 += 1;
                entry.1 = e.time.clone().max(std::mem::take(&mut entry.1));
            }
        }
        Ok(Some(out))
    }
}

/// An exhibit's place in a production: produced, or withheld (a slip sheet).
pub(super) enum Laid {
    Produced(Box<ProducedExhibit>),
    Withheld(custos_documents::WithheldDocument),
}

/// How an exhibit goes into a production, by its designations: document
/// `index` of `plan`, with page images of `profile` if any.
pub(super) fn laid_out(chosen: &Chosen, info: &DocumentInfo, plan: &BatesPlan, index: usize, profile: Option<ImageProfile>) -> Laid {
    let bates = plan.format(plan.items[index].1);
    let ordinal = plan.items[index].1 - plan.first_number();
    let d = info.designations.get(&chosen.exhibit.id);
    if let Some(d) = d.filter(|d| d.withheld) {
        return Laid::Withheld(custos_documents::WithheldDocument {
            slip_sheet_path: image_path(profile, index, ordinal, &bates, false),
            bates,
            exhibit_id: chosen.exhibit.id.clone(),
            family: chosen.group.clone(),
            privilege: d.privilege.map(|p| p.words().to_string()).unwrap_or_default(),
            custodian: chosen.exhibit.custodian.clone(),
            confidentiality: d.confidentiality.clone(),
        });
    }
    let mut p = produced_exhibit(chosen, info, bates, index);
    if let Some(c) = d.and_then(|d| d.confidentiality.clone()) {
        p.document_fields.push(("CONFIDENTIALITY".into(), c));
    }
    if profile.is_some() {
        let colour = imaging_for(chosen, info) == Imaging::Image;
        p.image_path = Some(image_path(profile, index, ordinal, &p.bates, colour));
        p.bates_end = Some(plan.format(plan.end_of(index)));
        // The pages produced, not the native's own count.
        p.document_fields.retain(|(f, _)| f != "PGCOUNT");
        p.document_fields.push(("PGCOUNT".into(), plan.pages[index].to_string()));
    }
    Laid::Produced(Box::new(p))
}

/// How a chosen exhibit is imaged: withheld, or by its kind.
pub(super) fn imaging_for(chosen: &Chosen, info: &DocumentInfo) -> Imaging {
    match info.designations.get(&chosen.exhibit.id).filter(|d| d.withheld) {
        Some(d) => Imaging::Withheld(d.privilege.map(|p| p.words().to_string()).unwrap_or_default()),
        None => imaging_of(&chosen.exhibit, info.texts.contains(&chosen.exhibit.id)),
    }
}

/// One exhibit as it will be produced; the export hashes start as the intake
/// hashes and are replaced by what the writer measures.
pub(super) fn produced_exhibit(chosen: &Chosen, info: &DocumentInfo, bates: String, index: usize) -> ProducedExhibit {
    let (ex, first_source) = (&chosen.exhibit, &chosen.first);
    let folder = format!("{:04}", index / PER_FOLDER + 1);
    let native_path = format!("{NATIVES_FOLDER}{folder}/{bates}{}", safe_extension(&ex.name));
    let has_text = info.texts.contains(&ex.id) || (is_text(&ex.mime) && ex.size <= MAX_TEXT);
    let text_path = has_text.then(|| format!("{TEXT_FOLDER}{folder}/{bates}.txt"));
    let read = info.fields.get(&ex.id);
    let mut document_fields: Vec<(String, String)> = DOCUMENT_FIELDS
        .iter()
        .filter_map(|(dat, field)| read.and_then(|v| v.iter().find(|(f, _)| f == field)).map(|(_, v)| (dat.to_string(), v.clone())))
        .collect();
    if let Some(downloads) = &info.downloads {
        let (n, last) = downloads.get(&ex.id).cloned().unwrap_or_default();
        document_fields.push((TIMELINE_FIELDS[0].into(), n.to_string()));
        if !last.is_empty() {
            document_fields.push((TIMELINE_FIELDS[1].into(), last.replace('T', " ").trim_end_matches('Z').to_string()));
        }
    }
    ProducedExhibit {
        bates,
        bates_end: None,
        image_path: None,
        exhibit_id: ex.id.clone(),
        name: ex.name.clone(),
        path: ex.path.clone(),
        native_path,
        text_path,
        mime: ex.mime.clone(),
        size: ex.size,
        intake_sha256: ex.sha256.clone(),
        intake_md5: ex.md5.clone(),
        export_sha256: ex.sha256.clone(),
        export_md5: ex.md5.clone(),
        custodian: ex.custodian.clone(),
        source: ex.source.clone(),
        method: first_source.method.clone(),
        collected_by: ex.collected_by.clone(),
        collected_at: ex.collected_at.clone(),
        modified: first_source.modified.clone(),
        created: first_source.created.clone(),
        description: ex.description.clone(),
        events: Vec::new(),
        family: chosen.group.clone(),
        document_fields,
    }
}

