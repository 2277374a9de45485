//! Provenance in CASE/UCO JSON-LD: collection and transfer actions, the files
//! with their hashes, and provenance records carrying exhibit numbers.

use super::model::Production;
use crate::error::Result;
use serde_json::{Value, json};

/// A node id ending in a UUID (as UCO suggests) derived from `seed`, so the
/// same production always gets the same ids.
fn node(kind: &str, seed: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("{kind}\n{seed}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50; // name-based (version 5 layout)
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    format!("kb:{kind}-{}", uuid::Uuid::from_bytes(b))
}

fn hash(method: &str, value: &str) -> Value {
    json!({
        "@id": node("hash", &format!("{method}:{value}")),
        "@type": "uco-types:Hash",
        // A plain string since UCO 1.4.
        "uco-types:hashMethod": method,
        "uco-types:hashValue": { "@type": "xsd:hexBinary", "@value": value.to_ascii_uppercase() },
    })
}

fn datetime(t: &str) -> Value {
    json!({ "@type": "xsd:dateTime", "@value": t })
}

/// The production's provenance graph. Node ids are derived from Bates numbers
/// and hashes, so the output is the same for the same production.
pub fn case_uco(p: &Production, signer_identity: &str) -> Result<Vec<u8>> {
    let mut graph: Vec<Value> = Vec::new();
    let tool = node("tool", &p.tool);
    let tool = tool.as_str();
    graph.push(json!({
        "@id": tool,
        "@type": "uco-tool:Tool",
        "uco-core:name": p.tool,
        "uco-tool:toolType": "Evidence vault",
        "uco-tool:version": p.tool.rsplit(' ').next().unwrap_or(""),
    }));
    let examiner = node("person", &p.examiner);
    let examiner = examiner.as_str();
    graph.push(json!({ "@id": examiner, "@type": "uco-identity:Person", "uco-core:name": p.examiner }));
    let signer = node("identity", signer_identity);
    let signer = signer.as_str();
    graph.push(json!({
        "@id": signer,
        "@type": "uco-identity:Identity",
        "uco-core:name": signer_identity,
        "uco-core:description": format!("Ed25519 key {} that sealed this production", p.signer_fingerprint),
    }));
    let mut records = Vec::new();
    for e in &p.exhibits {
        let file = node("file", &e.bates);
        let mut facets = vec![json!({
            "@id": node("file-facet", &e.bates),
            "@type": "uco-observable:FileFacet",
            "uco-observable:fileName": e.name,
            "uco-observable:filePath": e.path,
            "uco-observable:sizeInBytes": { "@type": "xsd:integer", "@value": e.size.to_string() },
        })];
        facets.push(json!({
            "@id": node("content-facet", &e.bates),
            "@type": "uco-observable:ContentDataFacet",
            "uco-observable:mimeType": e.mime,
            "uco-observable:sizeInBytes": { "@type": "xsd:integer", "@value": e.size.to_string() },
            "uco-observable:hash": [hash("SHA256", &e.intake_sha256), hash("MD5", &e.intake_md5)],
        }));
        graph.push(json!({ "@id": file, "@type": "uco-observable:File", "uco-core:hasFacet": facets }));
        let record = node("provenance-record", &e.bates);
        graph.push(json!({
            "@id": record,
            "@type": "case-investigation:ProvenanceRecord",
            "case-investigation:exhibitNumber": e.bates,
            "uco-core:description": format!("{} ({}), produced as {}", e.exhibit_id, e.name, e.bates),
            "uco-core:object": [{ "@id": file }],
        }));
        records.push(json!({ "@id": record }));
        graph.push(json!({
            "@id": node("collection", &e.bates),
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": "collected",
            "uco-core:description": format!(
                "Collected from {}{}",
                e.source.as_deref().unwrap_or("an unrecorded source"),
                e.custodian.as_deref().map(|c| format!(" (custodian {c})")).unwrap_or_default()
            ),
            "uco-action:startTime": datetime(&e.collected_at),
            "uco-action:endTime": datetime(&e.collected_at),
            "uco-action:performer": { "@id": examiner },
            "uco-action:instrument": [{ "@id": tool }],
            "uco-action:object": [{ "@id": file }],
            "uco-action:result": [{ "@id": record }],
        }));
        // What processing derived from it, or derived it from: each a
        // `derived` action with the extractor as its instrument.
        for ev in e.events.iter().filter(|ev| ev.action == "derived") {
            let (before, after) = (ev.hash_before.as_deref().unwrap_or_default(), ev.hash_after.as_deref().unwrap_or_default());
            let extractor = ev.method.clone().unwrap_or_else(|| "an extractor".into());
            let instrument = node("tool", &extractor);
            if !graph.iter().any(|g| g["@id"] == instrument.as_str()) {
                let (name, version) = extractor.rsplit_once(' ').unwrap_or((extractor.as_str(), ""));
                graph.push(json!({
                    "@id": instrument,
                    "@type": "uco-tool:Tool",
                    "uco-core:name": name,
                    "uco-tool:toolType": "Extractor",
                    "uco-tool:version": version,
                }));
            }
            let input = p.exhibits.iter().find(|x| x.intake_sha256 == before).map(|x| json!({ "@id": node("file", &x.bates) }));
            let output_is_file = after == e.intake_sha256;
            let mut action = json!({
                "@id": node("derivation", &format!("{}:{}", e.bates, ev.seq)),
                "@type": "case-investigation:InvestigativeAction",
                "uco-core:name": "derived",
                "uco-core:description": format!(
                    "{} by {extractor}: input SHA-256 {before}, output SHA-256 {after} (custody event {})",
                    if output_is_file { "Found inside another exhibit" } else { "Derived from this exhibit" },
                    ev.seq
                ),
                "uco-action:startTime": datetime(&ev.time),
                "uco-action:endTime": datetime(&ev.time),
                "uco-action:performer": { "@id": examiner },
                "uco-action:instrument": [{ "@id": instrument }],
            });
            if let Some(i) = input {
                action["uco-action:object"] = json!([i]);
            }
            if output_is_file {
                action["uco-action:result"] = json!([{ "@id": file }]);
            }
            graph.push(action);
        }
    }
    graph.push(json!({
        "@id": node("transfer", &format!("{}-{}", p.bates_first, p.bates_last)),
        "@type": "case-investigation:InvestigativeAction",
        "uco-core:name": "transferred",
        "uco-core:description": format!("Production {}-{} sealed for transfer to counsel", p.bates_first, p.bates_last),
        "uco-action:startTime": datetime(&p.produced_at),
        "uco-action:endTime": datetime(&p.produced_at),
        "uco-action:performer": { "@id": examiner },
        "uco-action:instrument": [{ "@id": tool }],
        "uco-action:object": records,
    }));
    let doc = json!({
        "@context": {
            "kb": format!("urn:custos:production:{}:{}-{}:", p.vault_id, p.bates_first, p.bates_last),
            "case-investigation": "https://ontology.caseontology.org/case/investigation/",
            "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
            "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
            "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
            "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
            "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
            "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
            "uco-vocabulary": "https://ontology.unifiedcyberontology.org/uco/vocabulary/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@graph": graph,
    });
    Ok(serde_json::to_vec_pretty(&doc).expect("serialise"))
}
