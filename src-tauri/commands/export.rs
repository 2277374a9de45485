//! Productions: planning and writing sealed bundles, and the record of what
//! was produced.

use super::paths::check_destination;
use super::{blocking, one_held, opt, secret, stamp_warnings};
use crate::progress::vault_job;
use crate::state::Use;
use crate::wire::{DatEncodingChoice, ErrorCode, ExportBundleRequest, ExportOptions, ExportResult, JobEvent, Res, StampPreview, WireError};
use custos_core::export::{CheckedExport, DatEncoding, Endorsements, ExportPlan, ExportReport, ExportRequest, ProductionRecord};
use std::path::PathBuf;
use tauri::AppHandle;
use tauri::ipc::Channel;

/// Every production made from the vault, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn productions(app: AppHandle) -> Res<Vec<ProductionRecord>> {
    blocking(app, |_, s| s.with_vault(|o| Ok(o.vault.productions()?))).await
}

/// Planned exhibits the app is sent (the review shows the first of them;
/// `exhibit_count` says how many there are in all).
pub const PLAN_ROWS: usize = 200;

/// The selection, Bates numbers and QC result of an export, before writing:
/// the first [`PLAN_ROWS`] planned exhibits, the count and digest of all.
#[tauri::command]
#[specta::specta]
pub async fn plan_export(app: AppHandle, options: ExportOptions) -> Res<ExportPlan> {
    blocking(app, move |_, s| {
        let req = export_request(options, PathBuf::new())?;
        s.with_vault(|o| Ok(o.vault.plan_export_showing(&req, PLAN_ROWS)?))
    })
    .await
}

/// The first page of `exhibit` (or of the first document chosen) stamped as
/// the export would stamp it, for the wizard's Images step.
#[tauri::command]
#[specta::specta]
pub async fn stamp_preview(app: AppHandle, options: ExportOptions, exhibit: Option<String>) -> Res<StampPreview> {
    blocking(app, move |_, s| {
        let req = export_request(options, PathBuf::new())?;
        let p = s.with_vault(|o| Ok(o.vault.image_preview(&req, exhibit.as_deref())?))?;
        use base64::Engine;
        Ok(StampPreview {
            data_url: format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(&p.png)),
            exhibit_id: p.exhibit_id,
            bates: p.bates,
            legend: p.legend,
            pages: p.pages as u32,
        })
    })
    .await
}

/// Writes a sealed bundle to the chosen destination, streaming progress.
#[tauri::command]
#[specta::specta]
pub async fn export_bundle(app: AppHandle, request: ExportBundleRequest, on_progress: Channel<JobEvent>) -> Res<ExportResult> {
    blocking(app, move |_, s| {
        let out = one_held(s, &request.destination, Use::Destination, "choose one file to write the bundle to")?;
        check_destination(s, &out)?;
        let ExportBundleRequest { options, expect_first, expect_last, expect_selection, destination } = request;
        let req = reviewed_request(options, (expect_first, expect_last), expect_selection, out)?;
        let report = vault_job(s, on_progress, |o, progress| Ok(o.vault.export(&req, progress)?))?;
        let _ = s.take(&destination, Use::Destination);
        Ok(export_result(report))
    })
    .await
}

/// The core's export request from the wizard's choices, written to `out`,
/// checked by the core. The app always dates a production by the clock
/// (reproducible dates are a command-line feature, `SOURCE_DATE_EPOCH`).
fn export_request(options: ExportOptions, out: PathBuf) -> Res<CheckedExport> {
    Ok(build_request(options, out)?.check()?)
}

/// The core's export request from the wizard's choices, before its check.
fn build_request(options: ExportOptions, out: PathBuf) -> Res<ExportRequest> {
    let ExportOptions {
        exhibits,
        tag,
        custodian,
        bates_prefix,
        bates_start,
        bates_width,
        recipients,
        passphrase,
        dat_encoding,
        organization,
        search,
        search_name,
        search_terms,
        images,
        endorse,
        endorse_corner,
        bates_corner,
    } = options;
    let mut req = ExportRequest::new(out, bates_prefix.trim());
    req.exhibits = exhibits;
    req.tag = opt(tag);
    req.custodian = opt(custodian);
    req.bates_start = bates_start;
    req.bates_width = bates_width as usize;
    req.recipients = recipients.iter().map(|r| r.trim()).filter(|r| !r.is_empty()).map(str::parse).collect::<Result<_, _>>()?;
    req.passphrase = passphrase.filter(|p| !p.is_empty()).map(secret);
    req.dat_encoding = match dat_encoding {
        DatEncodingChoice::Utf8 => DatEncoding::Utf8,
        DatEncodingChoice::Windows1252 => DatEncoding::Windows1252,
    };
    req.organization = opt(organization);
    req.search = opt(search);
    req.search_name = opt(search_name);
    req.search_terms = search_terms.filter(|t| !t.trim().is_empty());
    req.images = images;
    req.endorse = opt(endorse);
    req.endorsements = Endorsements { bates_corner: bates_corner.into(), legend_corner: endorse_corner.into() };
    Ok(req)
}

/// The request of a reviewed export, refused by the core if the exhibits it
/// chooses (by their digest) or their Bates range (first, last) are no
/// longer what was reviewed.
fn reviewed_request(options: ExportOptions, range: (String, String), selection: String, out: PathBuf) -> Res<CheckedExport> {
    if selection.len() != 64 || !selection.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(WireError::new(ErrorCode::InvalidInput, "give the digest of the exhibits reviewed (the plan's selection_sha256)"));
    }
    let mut req = build_request(options, out)?;
    req.expect_range = Some(range);
    req.expect_selection = Some(selection.to_ascii_lowercase());
    Ok(req.check()?)
}

/// What the export screen shows of the core's report.
// core: the report could carry the bundle's size and the name of its bag
// folder; here the size is read back from the file system and the bag name
// rebuilt from the Bates range, by the core's naming rule.
fn export_result(report: ExportReport) -> ExportResult {
    let bundle_bytes = std::fs::metadata(&report.out).map(|m| m.len()).unwrap_or(0);
    ExportResult {
        path: report.out.to_string_lossy().into_owned(),
        bag: format!("{}-{}", report.bates_first, report.bates_last),
        bundle_sha256: report.bundle_sha256,
        bundle_bytes,
        bates_first: report.bates_first,
        bates_last: report.bates_last,
        exhibits: report.exhibits as u32,
        encrypted: report.encrypted,
        signer_fingerprint: report.signer_fingerprint,
        signer_identity: report.signer_identity,
        // A failed automatic stamp is a warning beside the QC notes; the export stands.
        qc: report.qc.into_iter().chain(stamp_warnings(&report.timestamps).into_iter().map(|w| format!("warning: {w}"))).collect(),
        search: report.search,
        search_report: report.search_report,
        withheld: report.withheld,
        pages: report.images.map(|(_, n)| n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ExportOptions {
        ExportOptions {
            exhibits: vec!["EX-0001".into()],
            tag: Some("  ".into()),
            custodian: None,
            bates_prefix: " HAL ".into(),
            bates_start: None,
            bates_width: 8,
            recipients: vec![" age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p ".into(), "".into()],
            passphrase: None,
            dat_encoding: DatEncodingChoice::Windows1252,
            organization: Some(" Kessler Moreau LLP ".into()),
            search: Some(" falcon ".into()),
            search_name: None,
            search_terms: Some(" \n ".into()),
            images: None,
            endorse: None,
            endorse_corner: crate::wire::CornerChoice::BottomLeft,
            bates_corner: crate::wire::CornerChoice::BottomRight,
        }
    }

    #[test]
    fn export_options_become_a_core_request() {
        let req = export_request(options(), PathBuf::from("/out/b.zip")).unwrap();
        assert_eq!(req.bates_prefix, "HAL");
        assert_eq!(req.bates_width, 8);
        assert_eq!(req.tag, None, "a blank tag is no filter");
        assert_eq!(req.recipients.iter().map(|r| r.as_str()).collect::<Vec<_>>(), vec!["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"], "trimmed, blanks dropped");
        assert_eq!(req.dat_encoding, DatEncoding::Windows1252);
        assert_eq!(req.organization.as_deref(), Some("Kessler Moreau LLP"));
        assert_eq!(req.source_date_epoch, None, "the app dates productions by the clock");
    }

    #[test]
    fn passphrase_rules() {
        let mut both = options();
        both.passphrase = Some("a long enough passphrase".into());
        let e = export_request(both, PathBuf::new()).err().unwrap();
        assert!(e.message.contains("not both"), "{}", e.message);
        let mut short = options();
        short.recipients.clear();
        short.passphrase = Some("too short".into());
        assert!(export_request(short, PathBuf::new()).err().unwrap().message.contains("at least 12 characters"));
        let mut empty = options();
        empty.recipients.clear();
        empty.passphrase = Some(String::new());
        assert!(export_request(empty, PathBuf::new()).unwrap().passphrase.is_none(), "an empty passphrase is none");
    }

    #[test]
    fn a_reviewed_request_carries_the_reviewed_selection_and_range() {
        let digest = "AB".repeat(32);
        let req = reviewed_request(options(), ("HAL00000001".into(), "HAL00000001".into()), digest, PathBuf::from("/out/b.zip")).unwrap();
        assert_eq!(req.expect_selection.as_deref(), Some("ab".repeat(32).as_str()));
        assert_eq!(req.expect_range, Some(("HAL00000001".into(), "HAL00000001".into())));
        let e = reviewed_request(options(), ("A".into(), "B".into()), "not a digest".into(), PathBuf::new()).err().unwrap();
        assert!(e.message.contains("selection_sha256"), "{}", e.message);
    }
}
