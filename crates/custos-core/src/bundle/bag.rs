//! A BagIt (RFC 8493) bag written straight into a zip stream, and the
//! OpenSSH signature that seals it.

use super::layout::{
    BAG_INFO_FILE, BAGIT_FILE, BUNDLE_NAMESPACE, CHECKPOINT_NAMESPACE, CUSTODY_SCRIPT_FILE, MANIFEST_MD5_FILE, MANIFEST_SHA256_FILE,
    README_FILE, TAG_FILES, TAG_MANIFEST_FILE,
};
use super::model::Production;
use crate::error::{Error, Result};
use crate::format::pipeline::Md5;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::PathBuf;
use zip::write::{SimpleFileOptions, StreamWriter};

/// The custody checker's text, kept in the repository beside the crate.
const CUSTODY_SCRIPT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/verify_custody.py"));

/// Zip entry options: stored, fixed time, fixed permissions, no extra fields,
/// so two exports of the same selection give the same bytes.
fn options(size: u64) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
        .large_file(size >= 0xFFFF_0000)
}

struct ManifestEntry {
    path: String,
    sha256: String,
    md5: String,
    size: u64,
}

/// Writes a bag into a zip, recording the payload manifests as it goes.
pub(crate) struct BagBuilder<W: Write> {
    zip: zip::ZipWriter<StreamWriter<W>>,
    name: String,
    tmp: PathBuf,
    payload: Vec<ManifestEntry>,
    tags: Vec<(String, Vec<u8>)>,
}

/// A payload entry being streamed.
pub(crate) struct PayloadEntry<'a, W: Write> {
    bag: &'a mut BagBuilder<W>,
}

impl<W: Write> PayloadEntry<'_, W> {
    /// Appends bytes to the entry.
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let tmp = self.bag.tmp.clone();
        self.bag.zip.write_all(bytes).map_err(|e| Error::Io { path: tmp, source: e })
    }
}

impl<W: Write> BagBuilder<W> {
    pub fn new(zip: zip::ZipWriter<StreamWriter<W>>, name: String, tmp: PathBuf) -> Self {
        Self { zip, name, tmp, payload: Vec::new(), tags: Vec::new() }
    }

    fn zip_err(&self, e: impl std::fmt::Display) -> Error {
        Error::Io { path: self.tmp.clone(), source: std::io::Error::other(e.to_string()) }
    }

    fn start(&mut self, path: &str, size: u64) -> Result<()> {
        let full = format!("{}/{path}", self.name);
        self.zip.start_file(full, options(size)).map_err(|e| self.zip_err(e))
    }

    /// Starts a payload file whose digests the caller computes while writing;
    /// record them with [`BagBuilder::record_payload`].
    pub fn start_payload(&mut self, path: &str, size: u64) -> Result<PayloadEntry<'_, W>> {
        self.start(path, size)?;
        Ok(PayloadEntry { bag: self })
    }

    /// Records a streamed payload file in the manifests.
    pub fn record_payload(&mut self, path: &str, size: u64, sha256: &[u8; 32], md5: &[u8; 16]) {
        self.payload.push(ManifestEntry { path: path.to_string(), sha256: hex::encode(sha256), md5: hex::encode(md5), size });
    }

    /// Adds a whole payload file.
    pub fn add_payload(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        self.start(path, bytes.len() as u64)?;
        self.zip.write_all(bytes).map_err(|e| self.zip_err(e))?;
        self.record_payload(path, bytes.len() as u64, &Sha256::digest(bytes).into(), &Md5::digest(bytes)?);
        Ok(())
    }

    /// Every payload file added so far: path → SHA-256 (hex), as the
    /// manifest will list them.
    pub fn payload_hashes(&self) -> std::collections::HashMap<&str, &str> {
        self.payload.iter().map(|e| (e.path.as_str(), e.sha256.as_str())).collect()
    }

    /// Adds a tag file that the tag manifest does not cover (the seal).
    pub fn add_tag(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        self.start(path, bytes.len() as u64)?;
        self.zip.write_all(bytes).map_err(|e| self.zip_err(e))
    }

    fn add_covered_tag(&mut self, path: &str, bytes: Vec<u8>) -> Result<()> {
        self.add_tag(path, &bytes)?;
        self.tags.push((path.to_string(), bytes));
        Ok(())
    }

    /// Writes bagit.txt, bag-info.txt, the payload manifests, README.txt, the
    /// custody checker and the tag manifest; returns the tag manifest (what the seal signs).
    pub fn finish_tags(&mut self, p: &Production, organization: Option<&str>, load_file: &str, readme: &str) -> Result<Vec<u8>> {
        let bytes: u64 = self.payload.iter().map(|e| e.size).sum();
        let files = self.payload.len();
        self.add_covered_tag(BAGIT_FILE, b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_vec())?;
        let mut info = String::new();
        let mut field = |k: &str, v: &str| {
            // Tag values are one line each.
            let v: String = v.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            info.push_str(&format!("{k}: {v}\n"));
        };
        if let Some(o) = organization {
            field("Source-Organization", o);
        }
        field("Contact-Name", &p.examiner);
        field("External-Identifier", p.matter_number.as_deref().unwrap_or(&p.matter));
        field(
            "External-Description",
            &format!("Production {}-{} in {}: {} exhibit(s) with load file, index, custody record and draft FRE 902(14) certification", p.bates_first, p.bates_last, p.matter, p.exhibits.len()),
        );
        field("Bagging-Date", &p.produced_at[..10]);
        field("Bag-Software-Agent", &p.tool);
        field("Payload-Oxum", &format!("{bytes}.{files}"));
        field("Bag-Size", &human_size(bytes));
        field("Bag-Group-Identifier", &format!("{}{}", p.bates_prefix, p.matter_number.as_deref().map(|n| format!(" / {n}")).unwrap_or_default()));
        field("Internal-Sender-Identifier", &format!("custos-vault-{}", p.vault_id));
        field("Load-File-Format", load_file);
        self.add_covered_tag(BAG_INFO_FILE, info.into_bytes())?;
        let mut entries: Vec<&ManifestEntry> = self.payload.iter().collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let md5: String = entries.iter().map(|e| format!("{}  {}\n", e.md5, e.path)).collect();
        let sha: String = entries.iter().map(|e| format!("{}  {}\n", e.sha256, e.path)).collect();
        self.add_covered_tag(MANIFEST_MD5_FILE, md5.into_bytes())?;
        self.add_covered_tag(MANIFEST_SHA256_FILE, sha.into_bytes())?;
        self.add_covered_tag(README_FILE, readme.as_bytes().to_vec())?;
        self.add_covered_tag(CUSTODY_SCRIPT_FILE, CUSTODY_SCRIPT.as_bytes().to_vec())?;
        debug_assert_eq!(self.tags.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(), TAG_FILES);
        let tagmanifest: String = self.tags.iter().map(|(p, b)| format!("{}  {p}\n", hex::encode(Sha256::digest(b)))).collect();
        self.add_tag(TAG_MANIFEST_FILE, tagmanifest.as_bytes())?;
        Ok(tagmanifest.into_bytes())
    }

    /// Ends the zip and hands back the underlying writer.
    pub fn finish(self) -> Result<W> {
        let tmp = self.tmp.clone();
        self.zip
            .finish()
            .map(|s| s.into_inner())
            .map_err(|e| Error::Io { path: tmp, source: std::io::Error::other(e.to_string()) })
    }
}

fn human_size(b: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 { format!("{b} bytes") } else { format!("{v:.1} {}", UNITS[u]) }
}

/// The vault's Ed25519 signing key as an OpenSSH key.
pub(crate) fn ssh_private_key(key: &ed25519_dalek::SigningKey, vault_id: &str) -> Result<ssh_key::PrivateKey> {
    let pair = ssh_key::private::Ed25519Keypair::from_seed(&key.to_bytes());
    ssh_key::PrivateKey::new(ssh_key::private::KeypairData::Ed25519(pair), format!("custos-vault-{vault_id}"))
        .map_err(|e| Error::Encryption(format!("cannot form the OpenSSH key: {e}")))
}

/// `SHA256:…`, as `ssh-keygen -l` prints it.
pub(crate) fn signer_fingerprint(key: &ssh_key::PrivateKey) -> String {
    key.public_key().fingerprint(ssh_key::HashAlg::Sha256).to_string()
}

/// One line of an OpenSSH allowed_signers file for the seal and the
/// checkpoint signature (`ssh-keygen -Y verify` refuses a namespace the line
/// does not name).
pub(crate) fn allowed_signers_line(key: &ssh_key::PrivateKey, identity: &str) -> Result<String> {
    let mut public = key.public_key().clone();
    public.set_comment("");
    let text = public.to_openssh().map_err(|e| Error::Encryption(e.to_string()))?;
    Ok(format!("{identity} namespaces=\"{BUNDLE_NAMESPACE},{CHECKPOINT_NAMESPACE}\" {}\n", text.trim()))
}

/// A detached OpenSSH signature (`SSHSIG`, SHA-512, PEM) over `message`.
/// Ed25519 signing is deterministic, so the same key and message always give
/// the same bytes.
pub(crate) fn ssh_signature(key: &ssh_key::PrivateKey, namespace: &str, message: &[u8]) -> Result<String> {
    ssh_key::SshSig::sign(key, namespace, ssh_key::HashAlg::Sha512, message)
        .and_then(|s| s.to_pem(ssh_key::LineEnding::LF))
        .map_err(|e| Error::Encryption(format!("cannot sign {namespace}: {e}")))
}
