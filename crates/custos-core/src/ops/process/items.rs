//! Items found inside an exhibit, stored as exhibits the way intake stores
//! files: each encrypted in memory into a partial object, read back and
//! compared (verify after copy), put in place if its content is new, made
//! durable before any row names it; then recorded with a source that says
//! which exhibit it was found in and where, its place in the family, and a
//! `derived` event.

use super::{Understood, derived_event};
use crate::error::Result;
use crate::format::custody::NewEvent;
use crate::format::details::{Derived, DerivedItem};
use crate::format::pipeline::Digests;
use crate::ops::intake::batch::ObjectBatch;
use crate::ops::intake::encrypt::{EncryptOptions, encrypt_bytes};
use crate::ops::intake::walk::sniff_mime;
use crate::store::derived::{ItemPlace, NewDerivation};
use crate::store::exhibits::{NewExhibit, NewSource};
use crate::store::{Change, ExhibitDetail, Vault};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// How an item's source names its place: `EX-0003:/Inbox/Re- plan.eml`.
pub(crate) fn item_source_path(container: &str, path: &str, name: &str) -> String {
    format!("{container}:{}/{name}", path.trim_end_matches('/'))
}

/// The method an item's source records.
pub(crate) const ITEM_METHOD: &str = "found inside another exhibit by processing";

/// Whether an item's content is new to the vault.
enum Content {
    New,
    Existing(String),
    /// An earlier item of the same round has it.
    Earlier,
}

/// An item stored (or found to be stored already).
pub(crate) struct PlacedItem {
    index: usize,
    digests: Digests,
    mime: String,
    content: Content,
}

/// The items of one exhibit, placed in a batch of objects, not yet committed.
pub(crate) struct Placed {
    pub items: Vec<PlacedItem>,
    /// Items that could not be stored, and why.
    pub problems: Vec<(String, String)>,
}

/// Contents new to the vault placed in this round (by plaintext SHA-256),
/// and the exhibits they became once recorded: an item found twice in a
/// round is stored once.
#[derive(Default)]
pub(crate) struct Round {
    placed: HashSet<[u8; 32]>,
    new_ids: HashMap<[u8; 32], String>,
}

/// Encrypts and places every item of `u` in `batch` (which the caller makes
/// durable before the rows that name them commit).
pub(crate) fn place_all(vault: &Vault, detail: &ExhibitDetail, u: &Understood, batch: &mut ObjectBatch, round: &mut Round) -> Result<Placed> {
    let identity = vault.secrets().age_identity().clone();
    let recipient = vault.secrets().age_recipient();
    let opts = EncryptOptions { recipient: &recipient, read_back: Some(&identity), sha1: false };
    let mut placed = Placed { items: Vec::new(), problems: Vec::new() };
    for (index, item) in u.extracted.children.iter().enumerate() {
        let label = item_source_path(&detail.exhibit.id, &item.path, &item.name);
        let (partial, digests, check) = encrypt_bytes(vault.objects(), opts, &item.bytes, &label)?;
        match check {
            Some(Ok(back)) if back.sha256 == digests.sha256 && back.size == digests.size => {}
            other => {
                let why = match other {
                    Some(Err(e)) => e.to_string(),
                    _ => "the stored copy does not match the item".into(),
                };
                placed.problems.push((label, format!("verify after copy failed: {why}; the item was not stored")));
                continue;
            }
        }
        let content = if round.placed.contains(&digests.sha256) {
            Content::Earlier
        } else {
            match vault.exhibit_with_sha256(&hex::encode(digests.sha256))? {
                Some(id) => Content::Existing(id),
                None => {
                    batch.install(vault.objects(), partial, &hex::encode(digests.object_sha256))?;
                    round.placed.insert(digests.sha256);
                    Content::New
                }
            }
        };
        batch.count(digests.size);
        let head = &item.bytes[..item.bytes.len().min(8192)];
        let mime = sniff_mime(head, Path::new(&item.name));
        placed.items.push(PlacedItem { index, digests, mime, content });
    }
    Ok(placed)
}

/// Records the placed items in `change`: a new exhibit or a new source for
/// each, its place, its derivation and its event. Returns the counts of
/// new and known contents.
pub(crate) fn record_all(
    change: &mut Change<'_>,
    detail: &ExhibitDetail,
    u: &Understood,
    items: Vec<PlacedItem>,
    events: &mut Vec<NewEvent>,
    round: &mut Round,
) -> Result<(u32, u32)> {
    let container = &detail.exhibit.id;
    let first = detail.sources.first();
    let actor = change.actor().to_string();
    let x = &u.extracted.extractor;
    let new_ids = &mut round.new_ids;
    let (mut new, mut known) = (0, 0);
    for p in items {
        let item = &u.extracted.children[p.index];
        let sha = hex::encode(p.digests.sha256);
        let md5 = hex::encode(p.digests.md5);
        let path = item_source_path(container, &item.path, &item.name);
        let (id, is_new) = match &p.content {
            Content::Existing(id) => (id.clone(), false),
            Content::Earlier => (new_ids.get(&p.digests.sha256).cloned().expect("an earlier item of the round is recorded first"), false),
            Content::New => {
                let id = change.add_exhibit(&NewExhibit {
                    object: &hex::encode(p.digests.object_sha256),
                    size: p.digests.size,
                    sha256: &sha,
                    md5: &md5,
                    sha1: None,
                    mime: &p.mime,
                    original_name: &item.name,
                    original_path: &path,
                    description: "",
                    collected_at: &detail.exhibit.collected_at,
                    tags: &[],
                })?;
                new_ids.insert(p.digests.sha256, id.clone());
                (id, true)
            }
        };
        if is_new {
            new += 1;
        } else {
            known += 1;
        }
        change.add_source(
            &id,
            &NewSource {
                path: &path,
                path_bytes: None,
                name: &item.name,
                size: p.digests.size,
                modified: None,
                created: None,
                accessed: None,
                custodian: first.and_then(|s| s.custodian.as_deref()),
                source: first.and_then(|s| s.source.as_deref()),
                method: Some(ITEM_METHOD),
                purpose: first.and_then(|s| s.purpose.as_deref()),
                collected_by: &actor,
                collected_at: &detail.exhibit.collected_at,
            },
        )?;
        let source_id = change.last_source_id();
        let position = p.index as u32 + 1;
        let place = ItemPlace { container, path: &item.path, flags: &item.flags, position };
        change.add_item_place(source_id, &id, &place, u.mailbox)?;
        let seq = change.next_seq(events.len());
        let derivation = NewDerivation { exhibit: container, kind: "item", extractor: x, input_sha256: &detail.exhibit.sha256, output_sha256: &sha, item: Some(&id) };
        change.add_derivation(&derivation, seq)?;
        let details = Derived {
            kind: "item".into(),
            from: container.clone(),
            extractor: x.name.clone(),
            extractor_version: x.version.clone(),
            settings: x.settings.clone(),
            item: Some(DerivedItem {
                name: item.name.clone(),
                path: item.path.clone(),
                flags: item.flags.clone(),
                position,
                family_head: u.mailbox,
                new_content: is_new,
                size: p.digests.size,
                md5: md5.clone(),
            }),
            count: None,
            low_confidence_pages: Vec::new(),
            problems: Vec::new(),
        };
        events.push(derived_event(&id, &detail.exhibit.sha256, &sha, details));
    }
    Ok((new, known))
}
