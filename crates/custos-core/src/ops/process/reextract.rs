//! Re-extraction: every recorded derivation checked by running its
//! extractor again on the exhibit. An output that no longer comes out
//! byte-identical is a finding naming the tool versions then and now, so a
//! changed OCR engine or PDF reader is a reported difference, never a silent
//! change.

use super::metadata_sha256;
use super::understand::understand as run_extractor;
use super::understand::{self, Understood, recognise};
use crate::error::Result;
use crate::format::finding::{Finding, FindingKind, Severity};
use crate::progress::Progress;
use crate::store::Vault;
use crate::store::derived::Derivation;
use sha2::{Digest, Sha256};

impl Vault {
    /// Runs the extractors again on every processed exhibit and compares
    /// each output with its recorded derivation. Returns the differences as
    /// warnings (the exhibits themselves are checked by verification).
    /// OCR runs again in the language its derivation recorded.
    pub fn reextract(&self, progress: &dyn Progress) -> Result<Vec<Finding>> {
        let mut findings = Vec::new();
        let mut after = 0i64;
        loop {
            let page = self.processed(after, 256)?;
            let Some((last, _)) = page.last() else { break };
            after = *last;
            for (_, id) in page {
                if progress.is_cancelled() {
                    return Err(crate::Error::Cancelled);
                }
                self.reextract_one(&id, &mut findings)?;
                progress.item_done();
            }
        }
        Ok(findings)
    }

    fn reextract_one(&self, id: &str, findings: &mut Vec<Finding>) -> Result<()> {
        let recorded = self.derivations(id)?;
        let from_it: Vec<&Derivation> = recorded.iter().filter(|d| d.item.as_deref() != Some(id)).collect();
        if from_it.is_empty() {
            return Ok(());
        }
        let detail = self.record_of(id)?;
        let depth = self.container_depth(id)?;
        let reader = self.reader();
        let head = reader.head(&detail)?;
        let kind = understand::kind_of(&head, &detail.exhibit);
        // A mailbox or a large archive is read as a stream, its items hashed and let go.
        let mut found: Vec<String> = Vec::new();
        let (bytes, understood) = if understand::streamed(kind, detail.exhibit.size) {
            let plain = reader.seekable(&detail)?;
            let u = understand::expand_stream(plain, kind, depth, &custos_extract::Limits::default(), &mut |_, item| {
                found.push(hex::encode(Sha256::digest(&item.bytes)));
                Ok(())
            });
            (None, u)
        } else {
            let bytes = self.read_exhibit(&detail)?;
            let u = run_extractor(&bytes, &detail.exhibit, depth, &custos_extract::Limits::default(), &self.audit_mappings()?);
            if let Ok(u) = &u {
                found = u.extracted.children.iter().map(|c| hex::encode(Sha256::digest(&c.bytes))).collect();
            }
            (Some(bytes), u)
        };
        let mut differ = |kind: &str, d: &Derivation, now: String, tool_now: String| {
            findings.push(Finding {
                severity: Severity::Warning,
                exhibit: Some(id.into()),
                kind: FindingKind::DerivationChanged,
                event: Some(d.seq),
                message: format!(
                    "the {kind} derived from {id} no longer comes out the same: recorded {} by {} {}, now {} by {tool_now}",
                    short(&d.output_sha256),
                    d.extractor,
                    d.version,
                    short(&now)
                ),
                action: "Compare the tool versions; the recorded output stays the record of what was produced then.".into(),
            });
        };
        let u = match understood {
            Ok(u) => u,
            Err(e) => {
                for d in from_it.iter().filter(|d| d.kind != "ocr") {
                    differ(&d.kind, d, format!("nothing ({e})"), "the same extractor".into());
                }
                return Ok(());
            }
        };
        let tool = |u: &Understood| format!("{} {}", u.extracted.extractor.name, u.extracted.extractor.version);
        // Items: the recorded set of contents against the set found now.
        let mut was: Vec<&str> = from_it.iter().filter(|d| d.kind == "item").map(|d| d.output_sha256.as_str()).collect();
        let mut now = found;
        was.sort_unstable();
        now.sort_unstable();
        if let Some(first) = from_it.iter().find(|d| d.kind == "item")
            && was != now.iter().map(String::as_str).collect::<Vec<_>>()
        {
            differ("items", first, format!("{} items where {} were recorded", now.len(), was.len()), tool(&u));
        }
        // The latest metadata is the record: a column mapping saved later
        // reads an export anew, its metadata with it.
        let mut metadata_seen = false;
        for d in from_it.iter().rev() {
            if d.kind == "metadata" && std::mem::replace(&mut metadata_seen, true) {
                continue;
            }
            let output = match d.kind.as_str() {
                "metadata" => metadata_sha256(&u.extracted.metadata),
                "text" => hex::encode(Sha256::digest(u.extracted.text.as_deref().unwrap_or_default().as_bytes())),
                "events" => {
                    let x = custos_extract::audit::extractor_for(u.extracted.audit_mapping.as_ref());
                    let now = hex::encode(Sha256::digest(serde_json::to_vec(&u.extracted.events).expect("events serialise")));
                    if now != d.output_sha256 {
                        differ("audit-log events", d, now, format!("{} {}", x.name, x.version));
                    }
                    // Each row recorded against the row read now, by its raw bytes.
                    let read: std::collections::HashMap<u32, &str> = u.extracted.events.iter().map(|e| (e.row, e.raw_sha256.as_str())).collect();
                    for (row, raw) in self.audit_rows(id)? {
                        let now = read.get(&row).copied().unwrap_or("nothing");
                        if now != raw {
                            differ(&format!("event of row {row}"), d, now.to_string(), format!("{} {}", x.name, x.version));
                        }
                    }
                    continue;
                }
                "ocr" => {
                    let lang = recorded_language(&d.settings);
                    let Some(bytes) = &bytes else { continue };
                    let pages = recognise(bytes, &u, lang)?;
                    let x = custos_extract::ocr::extractor(lang).map(|x| format!("{} {}", x.name, x.version)).unwrap_or_default();
                    let sha = understand::ocr_sha256(&pages.pages);
                    if sha != d.output_sha256 {
                        differ("OCR text", d, sha, x);
                    }
                    continue;
                }
                _ => continue,
            };
            if output != d.output_sha256 {
                differ(&d.kind, d, output, tool(&u));
            }
        }
        Ok(())
    }
}

/// The OCR language a derivation's settings name (`lang=eng+deu …`), or English.
fn recorded_language(settings: &str) -> &str {
    settings.split_whitespace().find_map(|w| w.strip_prefix("lang=")).unwrap_or("eng")
}

fn short(h: &str) -> &str {
    &h[..h.len().min(16)]
}

#[cfg(test)]
mod tests {
    #[test]
    fn ocr_runs_again_in_the_language_recorded() {
        assert_eq!(super::recorded_language("lang=eng+deu psm=3 dpi=300 (pdftoppm 22.12.0 for PDF pages)"), "eng+deu");
        assert_eq!(super::recorded_language("psm=3"), "eng");
    }
}
