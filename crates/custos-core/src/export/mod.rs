//! Sealed production bundles: export, verification without the vault, import.

mod bag;
mod counsel;
pub mod dat;
pub mod documents;
mod import;
pub mod model;
mod plan;
mod provenance;
pub mod read;
pub mod timestamps;
pub mod verify;
mod write;

pub use counsel::CounselKey;
pub use dat::{DatDelimiters, DatEncoding};
pub use import::{ImportReport, bundle_sha256};
pub use plan::{ExportPlan, PlannedExhibit, ProductionRecord};
pub use read::Bundle;
pub use verify::{BundleReport, verify_bundle, verify_bundle_trusting, verify_bundle_with};
pub use write::{BatesPlan, ExportReport, ExportRequest};

use model::Production;

/// The exhibit index as CSV (RFC 4180, UTF-8, CRLF).
pub(crate) fn index_csv(p: &Production) -> Vec<u8> {
    let field = |s: &str| {
        if s.contains([',', '"', '\r', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
    };
    let mut out = String::from(
        "BEGBATES,ENDBATES,EXHIBITID,FILENAME,MIMETYPE,FILESIZE,CUSTODIAN,SOURCE,COLLECTEDBY,DATECOLLECTED,SHA256,MD5,NATIVEPATH,DESCRIPTION\r\n",
    );
    for e in &p.exhibits {
        let row = [
            e.bates.as_str(),
            e.bates.as_str(),
            e.exhibit_id.as_str(),
            e.name.as_str(),
            e.mime.as_str(),
            &e.size.to_string(),
            e.custodian.as_deref().unwrap_or(""),
            e.source.as_deref().unwrap_or(""),
            e.collected_by.as_str(),
            e.collected_at.as_str(),
            e.export_sha256.as_str(),
            e.export_md5.as_str(),
            e.native_path.as_str(),
            e.description.as_str(),
        ]
        .map(field)
        .join(",");
        out.push_str(&row);
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// README.txt: how to check the bundle with standard tools only.
pub(crate) fn readme_txt(p: &Production, bag: &str, identity: &str, encrypted: bool) -> String {
    let decrypt = if encrypted {
        "1. Decrypt it with age (https://age-encryption.org), using the key or passphrase the
   sender told you about:

       age -d -i your-key.txt -o bundle.zip bundle.zip.age

"
    } else {
        "1. The bundle is not encrypted; skip to step 2.

"
    };
    format!(
        "PRODUCTION {first}-{last}
Matter: {matter}{number}
Produced: {at} by {examiner} with {tool}
Exhibits: {n}
Seal: Ed25519 key {fp}

This folder is a BagIt bag (RFC 8493). It holds the produced files under
data/VOL001/NATIVES (named by Bates number), extracted text under
data/VOL001/TEXT, a Concordance load file under data/VOL001/DATA, an exhibit
index (CSV and PDF), a custody report, a draft FRE 902(14) certification, the
custody events of these exhibits with Merkle inclusion proofs
(data/custody/), and provenance in CASE/UCO JSON-LD.

HOW TO VERIFY IT WITHOUT CUSTOS

{decrypt}2. Unzip it with any unzip tool:

       unzip bundle.zip

3. Check the seal (OpenSSH 8.2 or later). In the folder {bag}:

       ssh-keygen -Y verify -f seal/allowed_signers -I {identity} \\
           -n custos-bundle -s seal/tagmanifest-sha256.txt.sig < tagmanifest-sha256.txt

   It must print \"Good \\\"custos-bundle\\\" signature for {identity}\".
   Compare the key in seal/allowed_signers with the fingerprint the producing
   party gave you separately ({fp}); check it with
   ssh-keygen -l -f seal/allowed_signers after removing the first two fields.

4. Check that the tag files and every produced file are unchanged:

       sha256sum -c tagmanifest-sha256.txt
       sha256sum -c manifest-sha256.txt
       md5sum -c manifest-md5.txt

   or, with the Library of Congress tool (pip install bagit):

       bagit.py --validate {bag}

5. Every line of data/custody/events.jsonl is a custody event with its
   Merkle inclusion proof (RFC 6962) against data/custody/checkpoint.json,
   whose Ed25519 signature covers the text
   custos-checkpoint-v1 / vault id / tree size / root / time.
   `custos verify-bundle` checks all of this in one step.
",
        first = p.bates_first,
        last = p.bates_last,
        matter = p.matter,
        number = p.matter_number.as_deref().map(|n| format!(" ({n})")).unwrap_or_default(),
        at = p.produced_at,
        examiner = p.examiner,
        tool = p.tool,
        n = p.exhibits.len(),
        fp = p.signer_fingerprint,
    )
}
