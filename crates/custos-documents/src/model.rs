//! The plain production model the documents are rendered from.
use serde::{Deserialize, Serialize};

/// One exhibit as produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProducedExhibit {
    /// Bates number, e.g. `ABC000001`: the only one of a native produced
    /// alone, the first page's of a document produced with page images.
    pub bates: String,
    /// The last page's Bates number, in a production with page images.
    #[serde(default)]
    pub bates_end: Option<String>,
    /// The first page image inside the bag, in a production with page images.
    #[serde(default)]
    pub image_path: Option<String>,
    /// Exhibit id in the producing vault (`EX-0001`).
    pub exhibit_id: String,
    /// Original file name.
    pub name: String,
    /// Original full path at collection.
    pub path: String,
    /// Path of the native inside the bag, e.g. `data/VOL001/NATIVES/0001/ABC000001.pdf`.
    pub native_path: String,
    /// Path of the extracted text inside the bag, if any.
    pub text_path: Option<String>,
    /// MIME type.
    pub mime: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 recorded at intake.
    pub intake_sha256: String,
    /// MD5 recorded at intake.
    pub intake_md5: String,
    /// SHA-256 of the bytes written to the bundle (re-hashed while written).
    pub export_sha256: String,
    /// MD5 of the bytes written to the bundle.
    pub export_md5: String,
    /// Custodian.
    pub custodian: Option<String>,
    /// Source (device, account).
    pub source: Option<String>,
    /// Collection method.
    pub method: Option<String>,
    /// Who collected it.
    pub collected_by: String,
    /// When it was collected (UTC, RFC 3339).
    pub collected_at: String,
    /// File times reported by the OS at collection.
    pub modified: Option<String>,
    /// Creation time at collection.
    pub created: Option<String>,
    /// Description.
    pub description: String,
    /// This exhibit's custody events, in order.
    pub events: Vec<Event>,
    /// The exhibit heading its family in this production (its own id when
    /// it has no family); a family's members are produced together, head first.
    pub family: String,
    /// Values read from the document by processing, by load-file field
    /// (`FROM`, `TO`, `SUBJECT`, `DATESENT`, `AUTHOR`, `TITLE`, `PGCOUNT`…).
    pub document_fields: Vec<(String, String)>,
}

/// The production as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Production {
    /// Matter name.
    pub matter: String,
    /// Matter number.
    pub matter_number: Option<String>,
    /// Producing organisation (firm), if given.
    pub organization: Option<String>,
    /// Examiner who made the export.
    pub examiner: String,
    /// Bates prefix.
    pub bates_prefix: String,
    /// First and last Bates number.
    pub bates_first: String,
    /// Last Bates number.
    pub bates_last: String,
    /// When the production was made (UTC, RFC 3339; fixed by SOURCE_DATE_EPOCH when set).
    pub produced_at: String,
    /// Tool and version (`custos 0.1.0`).
    pub tool: String,
    /// Fingerprint of the signing key (`SHA256:…`, as `ssh-keygen -l` prints it).
    pub signer_fingerprint: String,
    /// The vault id of the producing vault.
    pub vault_id: String,
    /// The exhibits, in Bates order.
    pub exhibits: Vec<ProducedExhibit>,
    /// The documents withheld on the ground of privilege: a slip sheet in
    /// each one's place, in Bates order among the others.
    #[serde(default)]
    pub withheld: Vec<WithheldDocument>,
}

/// A document withheld from a production: its number and what stands in its
/// place. Nothing of its content, name or history is produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WithheldDocument {
    /// Its Bates number.
    pub bates: String,
    /// Its exhibit id in the producing vault (its row on the privilege log).
    pub exhibit_id: String,
    /// The exhibit heading its family in this production.
    pub family: String,
    /// The privilege claimed, in words.
    pub privilege: String,
    /// Its custodian.
    pub custodian: Option<String>,
    /// Its confidentiality level, if designated.
    #[serde(default)]
    pub confidentiality: Option<String>,
    /// The slip sheet's path inside the bag.
    pub slip_sheet_path: String,
}

/// One custody event as the documents print it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the producing vault's log, from 1.
    pub seq: u64,
    /// UTC time, RFC 3339.
    pub time: String,
    /// The action's name as the log writes it (`collected`, `duplicate_source_recorded`).
    pub action: String,
    /// Who performed it.
    pub actor: String,
    /// For transfers: who released the evidence.
    pub released_by: Option<String>,
    /// For transfers: who received it.
    pub received_by: Option<String>,
    /// Purpose or authority.
    pub purpose: Option<String>,
    /// Method used.
    pub method: Option<String>,
    /// Tool and version.
    pub tool: String,
    /// Hash algorithm of `hash_before`/`hash_after`.
    pub hash_algorithm: Option<String>,
    /// Hash before the action.
    pub hash_before: Option<String>,
    /// Hash after the action.
    pub hash_after: Option<String>,
    /// Whether the two hashes match.
    pub hashes_match: Option<bool>,
    /// Where (host name).
    pub location: Option<String>,
    /// What happened, in words, where the action alone does not say it
    /// (e.g. "Text read by pdftotext 22.12.0 (1,204 characters)").
    pub summary: Option<String>,
}
