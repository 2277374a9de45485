//! The privilege log (DESIGN §6.2): a row for every withheld exhibit, made
//! from its designations and what processing read of it (date, author,
//! recipients, type), never from its privileged content. As CSV and as PDF.

use crate::error::Result;
use crate::ops::reports::{Heading, csv_row};
use crate::store::Vault;
use custos_documents::{Report, ReportColumn, ReportRow};
use serde::{Deserialize, Serialize};

/// One row of the privilege log.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivilegeLogRow {
    /// Its Bates number, in a production (else empty).
    pub bates: String,
    /// The exhibit.
    pub exhibit: String,
    /// The exhibit heading its family (its own id when it heads one).
    pub family: String,
    /// Its date: sent, else created, else modified (as the document records it).
    pub date: String,
    /// What kind of document it is.
    pub document_type: String,
    /// Its author or sender.
    pub author: String,
    /// Its recipients (To, Cc, Bcc).
    pub recipients: String,
    /// The privilege claimed.
    pub privilege: String,
    /// The log's description of it.
    pub description: String,
}

/// The metadata a row is made from, in the order each is preferred.
const DATE_FIELDS: [&str; 3] = ["date_sent", "created", "modified"];
const AUTHOR_FIELDS: [&str; 2] = ["from", "author"];
const RECIPIENT_FIELDS: [&str; 3] = ["to", "cc", "bcc"];

fn document_type(kind: &str, mime: &str) -> String {
    match kind {
        "email" | "msg" => "E-mail".into(),
        "mbox" | "pst" => "Mailbox".into(),
        "pdf" => "PDF document".into(),
        "docx" | "odt" | "rtf" => "Word-processing document".into(),
        "xlsx" | "ods" | "csv" => "Spreadsheet".into(),
        "pptx" | "odp" => "Presentation".into(),
        "image" => "Image".into(),
        "text" => "Text document".into(),
        "html" => "Web page".into(),
        "zip" => "Archive".into(),
        "audit_log" => "Audit-log export".into(),
        _ => mime.to_string(),
    }
}

impl Vault {
    /// The privilege log of the withheld exhibits `ids` (all withheld
    /// exhibits when `None`), in exhibit order; Bates numbers by exhibit
    /// where a production gives them.
    pub(crate) fn privilege_log_of(&self, ids: Option<&[String]>, bates: &std::collections::HashMap<String, String>) -> Result<Vec<PrivilegeLogRow>> {
        let withheld: Vec<_> = self.withheld()?.into_iter().filter(|(id, _)| ids.is_none_or(|ids| ids.contains(id))).collect();
        let mut rows = Vec::with_capacity(withheld.len());
        for (id, d) in withheld {
            let detail = self.show(&id)?;
            // The first value read of the first of `fields` the document has.
            let first = |fields: &[&str]| {
                fields.iter().find_map(|f| detail.metadata.iter().find(|m| m.field == *f)).map(|m| m.value.clone()).unwrap_or_default()
            };
            let recipients: Vec<String> =
                detail.metadata.iter().filter(|m| RECIPIENT_FIELDS.contains(&m.field.as_str())).map(|m| m.value.clone()).collect();
            rows.push(PrivilegeLogRow {
                bates: bates.get(&id).cloned().unwrap_or_default(),
                family: detail.exhibit.family.clone(),
                exhibit: id.clone(),
                date: first(&DATE_FIELDS),
                document_type: document_type(&detail.processing.kind, &detail.exhibit.mime),
                author: first(&AUTHOR_FIELDS),
                recipients: recipients.join("; "),
                privilege: d.privilege.map(|p| p.words().to_string()).unwrap_or_default(),
                description: d.log_description.clone(),
            });
        }
        Ok(rows)
    }

    /// The privilege log of every withheld exhibit.
    pub fn privilege_log(&self) -> Result<Vec<PrivilegeLogRow>> {
        self.privilege_log_of(None, &Default::default())
    }

    /// The privilege log as PDF.
    pub fn privilege_log_pdf(&self, rows: &[PrivilegeLogRow]) -> Result<Vec<u8>> {
        let now = self.now();
        custos_documents::report_pdf(&privilege_log_document(rows, &self.heading(&now))).map_err(crate::bundle::model::render_failed)
    }
}

/// What a bundle's README.txt says of its withheld documents, if it has any.
pub(crate) fn readme(p: &crate::bundle::model::Production) -> String {
    if p.withheld.is_empty() {
        return String::new();
    }
    let numbers: Vec<&str> = p.withheld.iter().map(|w| w.bates.as_str()).collect();
    format!(
        "\n{} document(s) are withheld on the ground of privilege: {}.\n   Each keeps its Bates number: a one-page slip sheet in data/VOL001/IMAGES/\n   takes its place, its load-file row names the privilege (PRIVILEGE) and the\n   slip sheet (IMAGEPATH) and nothing else of it, and the privilege log\n   (data/privilege-log.csv, .pdf, .json) lists exactly these documents.\n",
        numbers.len(),
        numbers.join(", ")
    )
}

/// The privilege log as CSV (RFC 4180, UTF-8, CRLF).
pub fn privilege_log_csv(rows: &[PrivilegeLogRow]) -> String {
    let mut out = String::new();
    csv_row(&mut out, &["bates", "exhibit", "family", "date", "document_type", "author", "recipients", "privilege", "description"]);
    for r in rows {
        csv_row(&mut out, &[&r.bates, &r.exhibit, &r.family, &r.date, &r.document_type, &r.author, &r.recipients, &r.privilege, &r.description]);
    }
    out
}

/// The privilege log as a document.
pub(crate) fn privilege_log_document(rows: &[PrivilegeLogRow], h: &Heading<'_>) -> Report {
    let column = |title: &str, share: f32| ReportColumn { title: title.into(), share, numeric: false };
    Report {
        title: "Privilege log".into(),
        matter: h.matter.to_string(),
        matter_number: h.matter_number.map(str::to_string),
        made_at: h.made_at.to_string(),
        tool: crate::TOOL.to_string(),
        summary: vec![("Documents withheld".into(), rows.len().to_string())],
        notes: vec![
            "Each document listed is withheld from production on the ground of privilege; where it is part of a production, a slip sheet \
             bearing its Bates number takes its place and the other members of its family keep their numbers. The description says what \
             the document is, not what it says."
                .into(),
        ],
        columns: vec![
            column("Bates / exhibit", 1.5),
            column("Date", 1.3),
            column("Type", 1.2),
            column("Author", 1.7),
            column("Recipients", 1.9),
            column("Privilege", 1.3),
        ],
        rows: rows
            .iter()
            .map(|r| ReportRow {
                cells: vec![
                    if r.bates.is_empty() { r.exhibit.clone() } else { format!("{} ({})", r.bates, r.exhibit) },
                    r.date.replace('T', " "),
                    r.document_type.clone(),
                    r.author.clone(),
                    r.recipients.clone(),
                    r.privilege.clone(),
                ],
                marked: false,
                details: vec![("Description".into(), r.description.clone())],
            })
            .collect(),
    }
}

impl Vault {
    /// The privilege log files of a production (CSV, PDF, and the JSON
    /// `verify-bundle` reads), once the gate passes: every document withheld
    /// in the load file `dat` (its `PRIVILEGE` says so) is on the log, and
    /// every log row is such a document. A mismatch stops the export.
    pub(crate) fn privilege_log_files(
        &self,
        p: &crate::bundle::model::Production,
        dat: &[u8],
        req: &crate::ops::export::request::ExportRequest,
    ) -> Result<Vec<(&'static str, Vec<u8>)>> {
        use crate::bundle::layout::{PRIVILEGE_LOG_CSV_FILE, PRIVILEGE_LOG_JSON_FILE, PRIVILEGE_LOG_PDF_FILE, WITHHELD_PREFIX};
        let ids: Vec<String> = p.withheld.iter().map(|w| w.exhibit_id.clone()).collect();
        let bates: std::collections::HashMap<String, String> = p.withheld.iter().map(|w| (w.exhibit_id.clone(), w.bates.clone())).collect();
        let rows = self.privilege_log_of(Some(&ids), &bates)?;
        let in_dat: std::collections::BTreeSet<String> = crate::bundle::dat::parse_dat_with(dat, req.dat_delimiters)
            .map_err(|e| crate::Error::InvalidInput(format!("the load file just written does not read back: {e}")))?
            .into_iter()
            .filter(|r| r.get("PRIVILEGE").is_some_and(|v| v.starts_with(WITHHELD_PREFIX)))
            .filter_map(|r| r.get("BEGBATES").cloned())
            .collect();
        let on_log: std::collections::BTreeSet<String> = rows.iter().map(|r| r.bates.clone()).collect();
        if in_dat != on_log || rows.len() != p.withheld.len() {
            let missing: Vec<&String> = in_dat.difference(&on_log).collect();
            let extra: Vec<&String> = on_log.difference(&in_dat).collect();
            return Err(crate::Error::InvalidInput(format!(
                "QC: the privilege log must list exactly the withheld documents; withheld but not on the log: {missing:?}; on the log but not withheld: {extra:?}"
            )));
        }
        let heading = Heading { matter: &p.matter, matter_number: p.matter_number.as_deref(), made_at: &p.produced_at };
        let pdf = custos_documents::report_pdf(&privilege_log_document(&rows, &heading)).map_err(crate::bundle::model::render_failed)?;
        Ok(vec![
            (PRIVILEGE_LOG_CSV_FILE, privilege_log_csv(&rows).into_bytes()),
            (PRIVILEGE_LOG_PDF_FILE, pdf),
            (PRIVILEGE_LOG_JSON_FILE, serde_json::to_vec_pretty(&rows).expect("rows serialise")),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_type_is_said_in_words_and_else_is_its_mime_type() {
        assert_eq!(document_type("msg", "application/vnd.ms-outlook"), "E-mail");
        assert_eq!(document_type("text", "text/plain"), "Text document");
        assert_eq!(document_type("audit_log", "text/csv"), "Audit-log export");
        assert_eq!(document_type("other", "video/mp4"), "video/mp4");
        let csv = privilege_log_csv(&[PrivilegeLogRow {
            bates: "HAL000001".into(),
            exhibit: "EX-0001".into(),
            family: "EX-0001".into(),
            date: "2026-05-19T09:15:00+00:00".into(),
            document_type: "E-mail".into(),
            author: "=cmd|' /C calc'!A0".into(),
            recipients: "a; b".into(),
            privilege: "Attorney-client privilege".into(),
            description: "Advice, requested".into(),
        }]);
        assert!(csv.contains("HAL000001,EX-0001,EX-0001,2026-05-19T09:15:00+00:00,E-mail,'=cmd|' /C calc'!A0,a; b,Attorney-client privilege,\"Advice, requested\"\r\n"), "{csv}");
    }
}
