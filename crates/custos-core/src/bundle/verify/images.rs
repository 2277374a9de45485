//! Phase 5: the page images. The image load file (OPT), the load file and
//! the page records agree on every document's pages, every page's image is
//! in the bundle, and each image is the one its page record gives: a
//! swapped, replaced or missing page is named by its Bates number.

use super::load_file::{Row, is_withheld};
use super::manifests::Manifests;
use super::tampered;
use crate::bundle::images::{OptLine, PageRecord, parse_opt};
use crate::bundle::layout::{LOAD_FILE_FOLDER, PAGE_RECORDS_FILE};
use crate::bundle::read::{Bundle, Whole};
use crate::error::{Error, Result};
use crate::format::finding::{Finding, FindingKind};
use std::collections::{BTreeMap, HashMap};

/// Checks the page images of a bundle that has any (an OPT file, page
/// records, or load-file rows pointing at images of produced documents).
pub(super) fn check_images(bundle: &mut Bundle, rows: &[Row], manifests: &Manifests, f: &mut Vec<Finding>) -> Result<()> {
    let opt_path = bundle.paths().find(|p| p.starts_with(LOAD_FILE_FOLDER) && p.ends_with(".opt")).map(str::to_string);
    let has_records = bundle.contains(PAGE_RECORDS_FILE);
    let imaged_rows = rows.iter().any(|r| !is_withheld(r) && !r.get("IMAGEPATH").is_none_or(String::is_empty));
    if opt_path.is_none() && !has_records && !imaged_rows {
        return Ok(());
    }
    let mut finding = |kind: FindingKind, bates: Option<&str>, msg: String| {
        let mut x = tampered(kind, msg);
        x.exhibit = bates.map(str::to_string);
        f.push(x);
    };
    let Some(opt_path) = opt_path else {
        finding(FindingKind::ImageLoadFileInvalid, None, "the load file points at page images but the volume has no .opt image load file".into());
        return Ok(());
    };
    let lines = match read(bundle, &opt_path)?.map(|b| parse_opt(&b)) {
        Some(Ok(l)) => l,
        Some(Err(e)) => {
            finding(FindingKind::ImageLoadFileInvalid, None, format!("{opt_path}: {e}"));
            return Ok(());
        }
        None => {
            finding(FindingKind::ImageLoadFileInvalid, None, format!("{opt_path} cannot be read"));
            return Ok(());
        }
    };
    let parsed = read(bundle, PAGE_RECORDS_FILE)?.map(|b| {
        String::from_utf8_lossy(&b).lines().filter(|l| !l.trim().is_empty()).map(serde_json::from_str).collect::<serde_json::Result<Vec<PageRecord>>>()
    });
    let records = match parsed {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            finding(FindingKind::ImageLoadFileInvalid, None, format!("{PAGE_RECORDS_FILE} is not a list of page records: {e}"));
            return Ok(());
        }
        None => {
            finding(FindingKind::ImageLoadFileInvalid, None, format!("the bundle has page images but no page records ({PAGE_RECORDS_FILE})"));
            return Ok(());
        }
    };

    // Each page's image is in the bundle, and is the one its record gives.
    let by_bates: HashMap<&str, &PageRecord> = records.iter().map(|r| (r.bates.as_str(), r)).collect();
    for l in &lines {
        let path = format!("data/{}", l.path.replace('\\', "/"));
        if !bundle.contains(&path) {
            finding(FindingKind::PageImageMissing, Some(&l.key), format!("page {}: its image {} is not in the bundle", l.key, l.path));
            continue;
        }
        match by_bates.get(l.key.as_str()) {
            None => finding(FindingKind::ImageLoadFileMismatch, Some(&l.key), format!("page {} is in the image load file but has no page record", l.key)),
            Some(r) if r.image_path != path => finding(
                FindingKind::ImageLoadFileMismatch,
                Some(&l.key),
                format!("page {}: the image load file gives {} where its page record gives {}", l.key, l.path, r.image_path),
            ),
            Some(r) if manifests.actual.get(&path).is_some_and(|h| *h != r.image_sha256) => finding(
                FindingKind::PageImageMismatch,
                Some(&l.key),
                format!("page {}: {} is not the image recorded for this page (swapped, replaced or altered)", l.key, l.path),
            ),
            Some(_) => {}
        }
    }
    let in_opt: std::collections::HashSet<&str> = lines.iter().map(|l| l.key.as_str()).collect();
    for r in records.iter().filter(|r| !in_opt.contains(r.bates.as_str())) {
        finding(FindingKind::ImageLoadFileMismatch, Some(&r.bates), format!("page {} has a page record but is not in the image load file", r.bates));
    }

    // The documents: each load-file row begins a run of image lines as long
    // as its PGCOUNT, ending at its ENDBATES, made from its native.
    let docs = documents(&lines);
    let mut by_doc: HashMap<&str, Vec<&PageRecord>> = HashMap::new();
    for r in &records {
        by_doc.entry(r.document.as_str()).or_default().push(r);
    }
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let get = |k: &str| row.get(k).map(String::as_str).unwrap_or_default();
        let beg = get("BEGBATES");
        seen.insert(beg.to_string());
        let Some((pages, end)) = docs.get(beg) else {
            finding(FindingKind::ImageLoadFileMismatch, Some(beg), format!("{beg} does not begin a document in the image load file"));
            continue;
        };
        let counted: u64 = get("PGCOUNT").parse().unwrap_or(0);
        if *pages != counted || *end != get("ENDBATES") {
            finding(
                FindingKind::ImageLoadFileMismatch,
                Some(beg),
                format!("{beg}: the load file counts {counted} page(s) ending at {} where the image load file lists {pages} ending at {end}", get("ENDBATES")),
            );
        }
        if !is_withheld(row) {
            let native = get("SHA256HASH");
            if let Some(r) = by_doc.get(beg).into_iter().flatten().find(|r| r.native_sha256.as_deref() != Some(native)) {
                finding(FindingKind::ImageLoadFileMismatch, Some(&r.bates), format!("page {}: its page record names another native than {beg}'s", r.bates));
            }
        }
    }
    for beg in docs.keys().filter(|b| !seen.contains(**b)) {
        finding(FindingKind::ImageLoadFileMismatch, Some(beg), format!("{beg} begins a document in the image load file but has no load-file row"));
    }
    Ok(())
}

/// Each document of an image load file: first page → (pages, last page).
fn documents(lines: &[OptLine]) -> BTreeMap<&str, (u64, &str)> {
    let mut out: BTreeMap<&str, (u64, &str)> = BTreeMap::new();
    let mut current: Option<&str> = None;
    for l in lines {
        if l.doc_break || current.is_none() {
            current = Some(&l.key);
            out.insert(&l.key, (0, &l.key));
        }
        if let Some(d) = current.and_then(|c| out.get_mut(c)) {
            d.0 += 1;
            d.1 = &l.key;
        }
    }
    out
}

fn read(bundle: &mut Bundle, path: &str) -> Result<Option<Vec<u8>>> {
    if !bundle.contains(path) {
        return Ok(None);
    }
    match bundle.read(path, Whole::LoadFile) {
        Ok(b) => Ok(Some(b)),
        Err(Error::Io { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}
