//! What a production carries of searches: the search that chose its
//! exhibits (recorded with it), and the report of a search-term list over
//! the produced documents, built from the load file and the text exactly as
//! a receiving party builds it from the bundle.

use super::request::CheckedExport;
use crate::bundle::dat::parse_dat_with;
use crate::bundle::layout::{SEARCH_REPORT_CSV_FILE, SEARCH_REPORT_JSON_FILE, SEARCH_REPORT_PDF_FILE, SEARCH_SELECTION_FILE, SEARCH_TERMS_FILE};
use crate::bundle::model::Production;
use crate::ops::reports::{Heading, search_report_document};
use crate::error::{Error, Result};
use crate::format::details::SearchSelection;
use crate::store::production_index::ProductionIndex;
use crate::store::search::SearchReport;
use std::collections::HashMap;

/// The search files of a bundle, and what they say.
#[derive(Default)]
pub(super) struct SearchFiles {
    /// Path in the bag → bytes.
    pub files: Vec<(&'static str, Vec<u8>)>,
    pub selection: Option<SearchSelection>,
    pub report: Option<SearchReport>,
}

/// The search files for a production whose load file is `dat` and whose
/// produced text is `texts` (Bates number → text).
pub(super) fn search_files(
    req: &CheckedExport,
    production: &Production,
    selection: Option<SearchSelection>,
    dat: &[u8],
    texts: &HashMap<String, String>,
) -> Result<SearchFiles> {
    let mut out = SearchFiles { selection, ..Default::default() };
    if let Some(s) = &out.selection {
        out.files.push((SEARCH_SELECTION_FILE, serde_json::to_vec_pretty(s).expect("serialise")));
    }
    if let Some(list) = &req.search_terms {
        let rows = parse_dat_with(dat, req.dat_delimiters).map_err(|e| Error::InvalidInput(format!("the load file just written does not read back: {e}")))?;
        let mut index = ProductionIndex::new()?;
        for row in &rows {
            let bates = row.get("BEGBATES").map(String::as_str).unwrap_or_default();
            index.add(row, texts.get(bates).map(String::as_str).unwrap_or_default())?;
        }
        let report = index.report(list)?;
        out.files.push((SEARCH_TERMS_FILE, list.as_bytes().to_vec()));
        out.files.push((SEARCH_REPORT_JSON_FILE, serde_json::to_vec_pretty(&report).expect("serialise")));
        out.files.push((SEARCH_REPORT_CSV_FILE, crate::ops::reports::search_report_csv(&report).into_bytes()));
        let heading = Heading { matter: &production.matter, matter_number: production.matter_number.as_deref(), made_at: &production.produced_at };
        let over = format!("the documents of this production, Bates {}\u{2013}{}", production.bates_first, production.bates_last);
        let pdf = custos_documents::report_pdf(&search_report_document(&report, &heading, &over)).map_err(crate::bundle::model::render_failed)?;
        out.files.push((SEARCH_REPORT_PDF_FILE, pdf));
        out.report = Some(report);
    }
    Ok(out)
}

impl SearchFiles {
    /// What README.txt says of the search files, if there are any.
    pub(super) fn readme(&self) -> String {
        let mut s = String::new();
        if let Some(sel) = &self.selection {
            let name = sel.name.as_deref().map(|n| format!("the saved search \"{n}\", ")).unwrap_or_default();
            s.push_str(&format!(
                "\nThe documents were chosen by {name}the query\n\n       {}\n\n   which found {} of them before their families were completed\n   ({SEARCH_SELECTION_FILE}).\n",
                sel.query, sel.hits
            ));
        }
        if let Some(r) = &self.report {
            s.push_str(&format!(
                "\nA search-term report over the produced documents is in data/search/:\n   the term list as given ({SEARCH_TERMS_FILE}, SHA-256 {}) and, per term,\n   the documents it finds, with their families, and those no other term\n   finds ({SEARCH_REPORT_CSV_FILE}, .json, .pdf). Run the same list over\n   this bundle to get the same counts:\n\n       custos search-report <this bundle> --terms {SEARCH_TERMS_FILE}\n\n   (custos verify-bundle does, and reports a report that differs.)\n",
                r.terms_sha256
            ));
        }
        s
    }
}
