//! The production's Concordance load file and its Bates QC: every document,
//! produced or withheld, in Bates order, numbered without gaps, families
//! together.

use super::request::ExportRequest;
use super::write::{DOCUMENT_FIELDS, TIMELINE_FIELDS, safe_extension};
use crate::bundle::dat::DatWriter;
use crate::bundle::layout::{PAYLOAD_FOLDER, WITHHELD_PREFIX};
use crate::bundle::model::{ProducedExhibit, Production};
use crate::error::{Error, Result};

/// The Concordance load file of a production, with warnings about values
/// that had to be changed to fit it.
/// `text`: false for the warnings alone (a plan), with no file built.
pub(super) fn load_file(production: &Production, req: &ExportRequest, text: bool) -> (Vec<u8>, Vec<String>) {
    let mut dat =
        if text { DatWriter::new(req.dat_delimiters, req.dat_encoding) } else { DatWriter::warnings_only(req.dat_delimiters, req.dat_encoding) };
    let date = |t: Option<&str>| t.map(|t| t.replace('T', " ").trim_end_matches('Z').to_string()).unwrap_or_default();
    let rel = |p: &str| p.trim_start_matches(PAYLOAD_FOLDER).replace('/', "\\");
    let docs = in_bates_order(production);
    // Each family's first and last Bates number (its members are consecutive).
    let mut spans: std::collections::HashMap<&str, (&str, &str)> = std::collections::HashMap::new();
    for d in &docs {
        spans.entry(d.family()).and_modify(|s| s.1 = d.end()).or_insert((d.bates(), d.end()));
    }
    for d in &docs {
        let (beg, end) = spans.get(d.family()).copied().unwrap_or((d.bates(), d.end()));
        let e = match d {
            Doc::Withheld(w) => {
                // Its number, family and custodian; nothing of its content, name or hashes.
                let privilege = format!("{WITHHELD_PREFIX} \u{2013} {}", w.privilege);
                let image = rel(&w.slip_sheet_path);
                let mut row: Vec<&str> = vec![&w.bates, &w.bates, beg, end, &w.exhibit_id, w.custodian.as_deref().unwrap_or_default()];
                row.extend(std::iter::repeat_n("", 12));
                row.push(&w.family);
                for f in DOCUMENT_FIELDS.iter().map(|(f, _)| *f).chain(TIMELINE_FIELDS) {
                    row.push(if f == "PGCOUNT" { "1" } else { "" });
                }
                row.extend([w.confidentiality.as_deref().unwrap_or_default(), privilege.as_str(), image.as_str()]);
                dat.row(&row);
                continue;
            }
            Doc::Produced(e) => e,
        };
        let (size, extension) = (e.size.to_string(), safe_extension(&e.name));
        let (created, modified, collected) = (date(e.created.as_deref()), date(e.modified.as_deref()), date(Some(&e.collected_at)));
        let (native, text) = (rel(&e.native_path), e.text_path.as_deref().map(rel).unwrap_or_default());
        let field = |name: &str| e.document_fields.iter().find(|(f, _)| f == name).map(|(_, v)| v.as_str()).unwrap_or_default();
        let document: Vec<&str> = DOCUMENT_FIELDS.iter().map(|(f, _)| *f).chain(TIMELINE_FIELDS).map(field).collect();
        let image = e.image_path.as_deref().map(rel).unwrap_or_default();
        let mut row: Vec<&str> = vec![
            &e.bates,
            d.end(),
            beg,
            end,
            &e.exhibit_id,
            e.custodian.as_deref().unwrap_or_default(),
            e.source.as_deref().unwrap_or_default(),
            &e.name,
            extension.trim_start_matches('.'),
            &size,
            &e.export_md5,
            &e.export_sha256,
            &created,
            &modified,
            &collected,
            &e.description,
            &native,
            &text,
            &e.family,
        ];
        row.extend(document);
        row.extend([field("CONFIDENTIALITY"), "", image.as_str()]);
        dat.row(&row);
    }
    dat.finish()
}

/// A production's document: produced, or withheld.
pub(super) enum Doc<'a> {
    Produced(&'a ProducedExhibit),
    Withheld(&'a custos_documents::WithheldDocument),
}

impl Doc<'_> {
    fn bates(&self) -> &str {
        match self {
            Doc::Produced(e) => &e.bates,
            Doc::Withheld(w) => &w.bates,
        }
    }
    /// Its last page's number (its only number without page images).
    fn end(&self) -> &str {
        match self {
            Doc::Produced(e) => e.bates_end.as_deref().unwrap_or(&e.bates),
            Doc::Withheld(w) => &w.bates,
        }
    }
    fn family(&self) -> &str {
        match self {
            Doc::Produced(e) => &e.family,
            Doc::Withheld(w) => &w.family,
        }
    }
    fn exhibit_id(&self) -> &str {
        match self {
            Doc::Produced(e) => &e.exhibit_id,
            Doc::Withheld(w) => &w.exhibit_id,
        }
    }
}

/// Every document of a production, produced and withheld, in Bates order.
pub(super) fn in_bates_order(p: &Production) -> Vec<Doc<'_>> {
    let mut docs: Vec<Doc<'_>> = p.exhibits.iter().map(Doc::Produced).chain(p.withheld.iter().map(Doc::Withheld)).collect();
    docs.sort_by(|a, b| a.bates().cmp(b.bates()));
    docs
}

/// Bates QC: no gaps, no duplicates, one native per row, families together and complete.
pub(super) fn qc_checks(p: &Production) -> Result<Vec<String>> {
    let docs = in_bates_order(p);
    let mut seen = std::collections::BTreeSet::new();
    for d in &docs {
        if !seen.insert(d.bates().to_string()) {
            return Err(Error::InvalidInput(format!("QC: Bates {} is used twice", d.bates())));
        }
    }
    let number = |b: &str| b[p.bates_prefix.len()..].parse::<u64>().unwrap_or(0);
    let mut numbers = 0;
    for (i, d) in docs.iter().enumerate() {
        if number(d.end()) < number(d.bates()) {
            return Err(Error::InvalidInput(format!("QC: {} ends before it begins ({})", d.bates(), d.end())));
        }
        numbers += number(d.end()) - number(d.bates()) + 1;
        if let Some(next) = docs.get(i + 1)
            && number(next.bates()) != number(d.end()) + 1
        {
            return Err(Error::InvalidInput(format!("QC: Bates numbers jump from {} to {}", d.end(), next.bates())));
        }
    }
    let natives: std::collections::BTreeSet<_> = p.exhibits.iter().map(|e| &e.native_path).collect();
    if natives.len() != p.exhibits.len() {
        return Err(Error::InvalidInput("QC: two rows point at the same native".into()));
    }
    // Every family's members are consecutive, its head first.
    let mut seen_families = std::collections::HashSet::new();
    let mut families = 0;
    for (i, d) in docs.iter().enumerate() {
        if i > 0 && docs[i - 1].family() == d.family() {
            continue;
        }
        if !seen_families.insert(d.family()) {
            return Err(Error::InvalidInput(format!("QC: the family of {} is split across the production", d.family())));
        }
        if d.family() != d.exhibit_id() {
            return Err(Error::InvalidInput(format!("QC: the family of {} does not start with it", d.family())));
        }
        if docs.get(i + 1).is_some_and(|n| n.family() == d.family()) {
            families += 1;
        }
    }
    Ok(vec![
        format!("Bates {}–{}: {numbers} numbers, no gaps, no duplicates", p.bates_first, p.bates_last),
        "every native has exactly one load-file row with its SHA-256 and MD5".into(),
        format!("{families} famil{} of more than one exhibit, each complete and numbered together, head first", if families == 1 { "y" } else { "ies" }),
    ])
}

