//! Typed custody details write exactly the JSON the untyped details wrote:
//! the same keys, values and order, so events written before and after read
//! the same way and an outside verifier sees no change of format.

use crate::format::details::*;
use crate::format::finding::VerifyMode;
use crate::format::tsp::settings::{AutoTimestamp, TsaUrl};
use serde_json::json;

fn same(typed: impl EventDetails, untyped: serde_json::Value) {
    let (a, b) = (serde_json::to_string(&typed.to_value()).unwrap(), serde_json::to_string(&untyped).unwrap());
    assert_eq!(a, b, "typed details must serialise as before");
}

#[test]
fn every_action_writes_the_json_it_wrote_before() {
    same(
        VaultCreated { matter: "Acme".into(), matter_number: None, work_factor: 18, recovery_recipient: Some("age1x".into()), signing_key: "ab".into(), objects: None },
        json!({ "matter": "Acme", "matter_number": null, "work_factor": 18, "recovery_recipient": "age1x", "signing_key": "ab" }),
    );
    same(VaultUnlocked { via: "passphrase".into(), unlocked_at: "t".into() }, json!({ "via": "passphrase", "unlocked_at": "t" }));
    same(
        Collected {
            name: "a.pdf".into(),
            path: "/x/a.pdf".into(),
            path_bytes_hex: None,
            size: 3,
            md5: "m".into(),
            sha1: None,
            mime: "application/pdf".into(),
            custodian: Some("Doe".into()),
            source: None,
            modified: Some("t1".into()),
            created: None,
            accessed: None,
            object: Some("o".into()),
            verify_after_copy: true,
            // No stated collection time: the JSON is as before (no key).
            collected_at: None,
        },
        json!({
            "name": "a.pdf", "path": "/x/a.pdf", "path_bytes_hex": null, "size": 3, "md5": "m", "sha1": null,
            "mime": "application/pdf", "custodian": "Doe", "source": null, "modified": "t1", "created": null,
            "accessed": null, "object": "o", "verify_after_copy": true,
        }),
    );
    same(
        StrayObject { object: None, file: Some(".partial-x".into()), moved_to: None, disposition: "removed unfinished partial object".into() },
        json!({ "file": ".partial-x", "disposition": "removed unfinished partial object" }),
    );
    same(
        StrayObject { object: Some("o".into()), file: None, moved_to: Some("quarantine/o".into()), disposition: "q".into() },
        json!({ "object": "o", "moved_to": "quarantine/o", "disposition": "q" }),
    );
    same(
        MetadataEdited::Description { before: String::new(), after: "Board minutes".into() },
        json!({ "field": "description", "before": "", "after": "Board minutes" }),
    );
    same(MetadataEdited::Tags { added: Some("hot".into()), removed: None }, json!({ "field": "tags", "added": "hot" }));
    same(MetadataEdited::Tags { added: None, removed: Some("hot".into()) }, json!({ "field": "tags", "removed": "hot" }));
    same(Extracted { destination: "/tmp/a".into() }, json!({ "destination": "/tmp/a" }));
    same(
        Verified {
            mode: VerifyMode::Full,
            ok: false,
            exhibits: 2,
            events: 9,
            errors: 1,
            warnings: 1,
            kinds: ["object_missing".to_string(), "checkpoint_signature".to_string()].into(),
        },
        json!({
            "mode": VerifyMode::Full, "ok": false, "exhibits": 2, "events": 9, "errors": 1, "warnings": 1,
            "kinds": ["checkpoint_signature", "object_missing"],
        }),
    );
    same(PassphraseChanged { work_factor: 18, key_file_sha256: "s".into() }, json!({ "work_factor": 18, "key_file_sha256": "s" }));
    // Without a search, exactly as events written before searches were recorded.
    same(
        Exported {
            bates: "ABC0001".into(),
            bundle_sha256: "b".into(),
            destination: "/out.zip".into(),
            encrypted: true,
            recipients: vec!["age1y".into()],
            search: None,
            search_terms_sha256: None,
            withheld: None,
            images: None,
        },
        json!({ "bates": "ABC0001", "bundle_sha256": "b", "destination": "/out.zip", "encrypted": true, "recipients": ["age1y"] }),
    );
    same(
        Exported {
            bates: "ABC0001".into(),
            bundle_sha256: "b".into(),
            destination: "/out.zip".into(),
            encrypted: false,
            recipients: vec![],
            search: Some(crate::format::details::SearchSelection { name: Some("hot".into()), query: "falcon".into(), hits: 2, hits_sha256: "h".into() }),
            search_terms_sha256: Some("t".into()),
            withheld: None,
            images: None,
        },
        json!({
            "bates": "ABC0001", "bundle_sha256": "b", "destination": "/out.zip", "encrypted": false, "recipients": [],
            "search": { "name": "hot", "query": "falcon", "hits": 2, "hits_sha256": "h" }, "search_terms_sha256": "t",
        }),
    );
    same(
        Received {
            bates: "ABC0001".into(),
            bundle_sha256: "b".into(),
            sender_fingerprint: "SHA256:x".into(),
            sender_exhibit: "EX-0001".into(),
            sender_events: 4,
            md5: "m".into(),
            object: None,
            duplicate_of_existing: true,
        },
        json!({
            "bates": "ABC0001", "bundle_sha256": "b", "sender_fingerprint": "SHA256:x", "sender_exhibit": "EX-0001",
            "sender_events": 4, "md5": "m", "object": null, "duplicate_of_existing": true,
        }),
    );
    let url = TsaUrl::parse("http://127.0.0.1:3180/tsa").unwrap();
    same(SettingChanged::ExhibitPrefix { before: "EX-".into(), after: "TS-".into() }, json!({ "setting": "exhibit_prefix", "before": "EX-", "after": "TS-" }));
    same(
        SettingChanged::TsaUrls { before: vec![], after: vec![url.clone()] },
        json!({ "setting": "tsa_urls", "before": Vec::<TsaUrl>::new(), "after": [url] }),
    );
    same(
        SettingChanged::AutomaticTimestamps { before: AutoTimestamp::default(), after: AutoTimestamp::AfterIntakeAndExport },
        json!({ "setting": "automatic_timestamps", "before": AutoTimestamp::default(), "after": AutoTimestamp::AfterIntakeAndExport }),
    );
    same(
        SettingChanged::TsaCaTrusted { certificates: vec![CertificateRef { subject: "CN=TSA".into(), sha256: "c".into() }] },
        json!({ "setting": "tsa_ca_trusted", "certificates": [{ "subject": "CN=TSA", "sha256": "c" }] }),
    );
    same(
        SettingChanged::CounselKeyAdded { name: "Counsel".into(), recipient: "age1z".into() },
        json!({ "setting": "counsel_key_added", "name": "Counsel", "recipient": "age1z" }),
    );
    same(
        SettingChanged::CounselKeyRemoved { name: "Counsel".into(), recipient: "age1z".into() },
        json!({ "setting": "counsel_key_removed", "name": "Counsel", "recipient": "age1z" }),
    );
    same(
        PartialOutputRemoved { output: "bundle".into(), file: "f".into(), destination: "d".into(), removed: "w".into() },
        json!({ "output": "bundle", "file": "f", "destination": "d", "removed": "w" }),
    );
    same(
        ProducerKey { producer_vault: "v".into(), fingerprint: "SHA256:n".into(), bundle_sha256: "b".into(), old_fingerprint: None, new_fingerprint: None },
        json!({ "producer_vault": "v", "fingerprint": "SHA256:n", "bundle_sha256": "b" }),
    );
    same(
        ProducerKey {
            producer_vault: "v".into(),
            fingerprint: "SHA256:n".into(),
            bundle_sha256: "b".into(),
            old_fingerprint: Some("SHA256:o".into()),
            new_fingerprint: Some("SHA256:n".into()),
        },
        json!({ "producer_vault": "v", "fingerprint": "SHA256:n", "bundle_sha256": "b", "old_fingerprint": "SHA256:o", "new_fingerprint": "SHA256:n" }),
    );
    same(
        Timestamped { tree_size: 5, tsa_url: "http://t".into(), gen_time: "g".into(), checkpoint_sha256: "c".into(), token_sha256: "k".into() },
        json!({ "tree_size": 5, "tsa_url": "http://t", "gen_time": "g", "checkpoint_sha256": "c", "token_sha256": "k" }),
    );
}

#[test]
fn the_events_a_vault_writes_read_back_typed() {
    let (dir, mut v) = super::new_vault();
    let src = super::sources(dir.path(), &[("a.txt", b"alpha")]);
    v.add(&super::inputs(&[src]), &crate::IntakeOptions::default(), &crate::NoProgress).unwrap();
    v.edit("EX-0001", Some("Board minutes"), &["hot".into()], &[]).unwrap();
    let log = v.custody_log(None).unwrap();
    let collected = log.iter().find(|e| e.action == crate::Action::Collected).unwrap();
    let d: Collected = collected.details_as().expect("collected details");
    assert_eq!((d.name.as_str(), d.size, d.verify_after_copy), ("a.txt", 5, true));
    let edits: Vec<MetadataEdited> = log.iter().filter(|e| e.action == crate::Action::MetadataEdited).filter_map(|e| e.details_as()).collect();
    assert_eq!(
        edits,
        vec![
            MetadataEdited::Description { before: String::new(), after: "Board minutes".into() },
            MetadataEdited::Tags { added: Some("hot".into()), removed: None }
        ]
    );
    assert!(log.iter().filter(|e| e.action == crate::Action::VaultCreated).all(|e| e.details_as::<VaultCreated>().is_some()));
}
