//! The fixed names of a bundle (DESIGN.md §6): the bag's tag files, the seal,
//! the volume's folders, the custody record, and the `ssh-keygen -Y`
//! namespaces of the two signatures. The writer and the verifier both name
//! them from here.

/// The `ssh-keygen -Y` namespace of bundle seals.
pub const BUNDLE_NAMESPACE: &str = "custos-bundle";
/// The `ssh-keygen -Y` namespace of the signature over the bundle's custody
/// checkpoint: a recipient without Ed25519 tooling of their own checks the
/// checkpoint with OpenSSH, and the inclusion proofs tie each event to it.
pub const CHECKPOINT_NAMESPACE: &str = "custos-checkpoint";

/// The BagIt declaration.
pub(crate) const BAGIT_FILE: &str = "bagit.txt";
/// The bag's metadata (Payload-Oxum, Load-File-Format, …).
pub(crate) const BAG_INFO_FILE: &str = "bag-info.txt";
/// The payload manifest of SHA-256 hashes.
pub(crate) const MANIFEST_SHA256_FILE: &str = "manifest-sha256.txt";
/// The payload manifest of MD5 hashes.
pub(crate) const MANIFEST_MD5_FILE: &str = "manifest-md5.txt";
/// How to check the bundle with standard tools.
pub(crate) const README_FILE: &str = "README.txt";
/// The dependency-free custody checker at the bag root (a tag file, so the seal covers it).
pub(crate) const CUSTODY_SCRIPT_FILE: &str = "verify_custody.py";
/// The tag files the tag manifest covers, in the order written.
pub(crate) const TAG_FILES: &[&str] =
    &[BAGIT_FILE, BAG_INFO_FILE, MANIFEST_MD5_FILE, MANIFEST_SHA256_FILE, README_FILE, CUSTODY_SCRIPT_FILE];
/// The tag manifest: what the seal signs.
pub(crate) const TAG_MANIFEST_FILE: &str = "tagmanifest-sha256.txt";

/// The seal key, as an OpenSSH allowed_signers line.
pub(crate) const ALLOWED_SIGNERS_FILE: &str = "seal/allowed_signers";
/// The seal: an SSHSIG over [`TAG_MANIFEST_FILE`], namespace [`BUNDLE_NAMESPACE`].
pub(crate) const SEAL_FILE: &str = "seal/tagmanifest-sha256.txt.sig";

/// Every payload file lies under this folder.
pub(crate) const PAYLOAD_FOLDER: &str = "data/";
/// The volume's natives, ≤ 1,000 per numbered folder.
pub(crate) const NATIVES_FOLDER: &str = "data/VOL001/NATIVES/";
/// The folder of the volume's Concordance load file (`<PREFIX>_VOL001.dat`).
pub(crate) const LOAD_FILE_FOLDER: &str = "data/VOL001/DATA/";
/// The extracted text of text exhibits, beside their natives' folders.
pub(crate) const TEXT_FOLDER: &str = "data/VOL001/TEXT/";
/// The exhibit index, as CSV and as PDF.
pub(crate) const INDEX_CSV_FILE: &str = "data/exhibit-index.csv";
/// The exhibit index as PDF.
pub(crate) const INDEX_PDF_FILE: &str = "data/exhibit-index.pdf";
/// The chain-of-custody report.
pub(crate) const CUSTODY_REPORT_FILE: &str = "data/custody-report.pdf";
/// The draft FRE 902(14) certification, to sign.
pub(crate) const CERTIFICATION_DOCX_FILE: &str = "data/certification-902-14-DRAFT.docx";
/// The draft certification as PDF, for reading.
pub(crate) const CERTIFICATION_PDF_FILE: &str = "data/certification-902-14-DRAFT.pdf";
/// The CASE/UCO provenance graph.
pub(crate) const PROVENANCE_FILE: &str = "data/provenance.jsonld";

/// The custody events of the exported exhibits, one JSON line each.
pub(crate) const EVENTS_FILE: &str = "data/custody/events.jsonl";
/// The signed checkpoint the events' inclusion proofs lead to.
pub(crate) const CHECKPOINT_FILE: &str = "data/custody/checkpoint.json";
/// The SSHSIG over [`CHECKPOINT_FILE`], namespace [`CHECKPOINT_NAMESPACE`].
pub(crate) const CHECKPOINT_SIG_FILE: &str = "data/custody/checkpoint.json.sig";
/// The carried RFC 3161 tokens and the checkpoints they were made over.
pub(crate) const TIMESTAMPS_FOLDER: &str = "data/custody/timestamps";

/// The search that chose the production's exhibits, when one did.
pub(crate) const SEARCH_SELECTION_FILE: &str = "data/search/selection.json";
/// The search-term list whose report the bundle carries, as given.
pub(crate) const SEARCH_TERMS_FILE: &str = "data/search/terms.txt";
/// The search-term report over the produced documents, as JSON …
pub(crate) const SEARCH_REPORT_JSON_FILE: &str = "data/search/search-term-report.json";
/// … as CSV …
pub(crate) const SEARCH_REPORT_CSV_FILE: &str = "data/search/search-term-report.csv";
/// … and as PDF.
pub(crate) const SEARCH_REPORT_PDF_FILE: &str = "data/search/search-term-report.pdf";

/// The slip sheets standing for withheld documents, ≤ 1,000 per folder.
pub(crate) const IMAGES_FOLDER: &str = "data/VOL001/IMAGES/";
/// The privilege log of the withheld documents, as CSV …
pub(crate) const PRIVILEGE_LOG_CSV_FILE: &str = "data/privilege-log.csv";
/// … as PDF …
pub(crate) const PRIVILEGE_LOG_PDF_FILE: &str = "data/privilege-log.pdf";
/// … and as JSON, which `verify-bundle` holds against the load file.
pub(crate) const PRIVILEGE_LOG_JSON_FILE: &str = "data/privilege-log.json";
/// The prefix of a withheld document's `PRIVILEGE` value in the load file.
pub const WITHHELD_PREFIX: &str = "Withheld";
/// The page records of a production with page images, one JSON line a page.
pub(crate) const PAGE_RECORDS_FILE: &str = "data/VOL001/DATA/page-records.jsonl";
/// The volume's folder name, as the image load file gives it.
pub(crate) const VOLUME: &str = "VOL001";
