//! README.txt: how a recipient checks the bundle with standard tools only.

use super::model::Production;

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
(data/custody/), provenance in CASE/UCO JSON-LD, and verify_custody.py, a
custody checker that needs nothing but Python 3.

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

5. Check the custody record. The producer's custody log is a Merkle tree
   (RFC 6962); data/custody/checkpoint.json gives its size and root when
   this bundle was made, and is signed with the same key as the seal:

       ssh-keygen -Y verify -f seal/allowed_signers -I {identity} \\
           -n custos-checkpoint -s data/custody/checkpoint.json.sig \\
           < data/custody/checkpoint.json

   It must print \"Good \\\"custos-checkpoint\\\" signature for {identity}\".
   Each line of data/custody/events.jsonl is one custody event of these
   exhibits with its inclusion proof against that checkpoint. Then run, in
   the same folder, with Python 3 and nothing else installed:

       python3 verify_custody.py

   It is short and meant to be read before it is run. It checks the tag
   manifest and both payload manifests again, that every event's inclusion
   proof leads to the checkpoint's root, and that every produced file's
   SHA-256 and MD5 are the ones recorded when its exhibit was collected (or
   received), and prints PASS or FAIL for each check; it exits 0 only when
   all pass. It does not check the Ed25519 signature each event carries
   (Python's standard library cannot): the ssh-keygen check of the
   checkpoint above stands in for it, since a proof can only lead to the
   signed root from the exact event bytes that were logged.
   `custos verify-bundle` checks all of this, event signatures included, in
   one step.
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
