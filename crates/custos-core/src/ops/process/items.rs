//! Items found inside an exhibit, stored as exhibits the way intake stores
//! files: each encrypted in memory into a partial object, read back and
//! compared (verify after copy), put in place if its content is new, made
//! durable before any row names it; then recorded with a source that says
//! which exhibit it was found in and where, its place in the family, and a
//! `derived` event.

use super::derived_event;
use crate::error::Result;
use crate::format::custody::NewEvent;
use crate::format::details::{Derived, DerivedItem};
use crate::format::pipeline::Digests;
use crate::ops::extract::ExhibitReader;
use crate::ops::intake::batch::ObjectBatch;
use crate::ops::intake::encrypt::{EncryptOptions, encrypt_bytes};
use crate::ops::intake::walk::sniff_mime;
use crate::store::derived::{ItemPlace, NewDerivation};
use crate::store::exhibits::{NewExhibit, NewSource};
use crate::store::objects::PartialObject;
use crate::store::{Change, ExhibitDetail, Vault};
use custos_extract::{Extractor, Item};
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

/// Where an item was found, kept once its bytes are let go.
pub(crate) struct ItemInfo {
    pub name: String,
    pub path: String,
    pub flags: Vec<String>,
    /// Its position among the container's items, from 1.
    pub position: u32,
}

/// An item encrypted into a partial object on a worker thread (its bytes
/// let go), or why its stored copy failed to read back.
pub(crate) struct SealedItem {
    info: ItemInfo,
    sealed: std::result::Result<(PartialObject, Digests, String), String>,
}

/// An item stored (or found to be stored already).
pub(crate) struct PlacedItem {
    info: ItemInfo,
    digests: Digests,
    mime: String,
    content: Content,
}

/// The items of one exhibit, placed in a batch of objects, not yet committed.
#[derive(Default)]
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

/// Hashes and encrypts an item found inside `container` into a partial
/// object, reads the copy back (verify after copy), and lets its bytes go.
/// Needs no database: runs on any thread.
pub(crate) fn seal(reader: &ExhibitReader, container: &str, item: Item, position: u32) -> Result<SealedItem> {
    let (objects, identity) = reader.parts();
    let recipient = identity.to_public();
    let opts = EncryptOptions { recipient: &recipient, read_back: Some(identity), sha1: false };
    let label = item_source_path(container, &item.path, &item.name);
    let (partial, digests, check) = encrypt_bytes(objects, opts, &item.bytes, &label)?;
    let sealed = match check {
        Some(Ok(back)) if back.sha256 == digests.sha256 && back.size == digests.size => {
            let head = &item.bytes[..item.bytes.len().min(8192)];
            Ok((partial, digests, sniff_mime(head, Path::new(&item.name))))
        }
        other => Err(match other {
            Some(Err(e)) => e.to_string(),
            _ => "the stored copy does not match the item".into(),
        }),
    };
    let Item { name, path, flags, .. } = item;
    Ok(SealedItem { info: ItemInfo { name, path, flags, position }, sealed })
}

/// Seals every item of a container in order, from `first` position on.
pub(crate) fn seal_all(reader: &ExhibitReader, container: &str, items: Vec<Item>, first: u32) -> Result<Vec<SealedItem>> {
    items.into_iter().zip(first..).map(|(item, position)| seal(reader, container, item, position)).collect()
}

/// Puts the sealed items of a container in `batch` (which the caller makes
/// durable before the rows that name them commit): an item whose content
/// is already stored is not stored again.
pub(crate) fn place_all(vault: &Vault, container: &str, sealed: Vec<SealedItem>, batch: &mut ObjectBatch, round: &mut Round) -> Result<Placed> {
    let mut placed = Placed::default();
    for SealedItem { info, sealed } in sealed {
        let (partial, digests, mime) = match sealed {
            Ok(s) => s,
            Err(why) => {
                let label = item_source_path(container, &info.path, &info.name);
                placed.problems.push((label, format!("verify after copy failed: {why}; the item was not stored")));
                continue;
            }
        };
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
        placed.items.push(PlacedItem { info, digests, mime, content });
    }
    Ok(placed)
}

/// Records the placed items in `change`: a new exhibit or a new source for
/// each, its place, its derivation and its event. Returns the counts of
/// new and known contents.
pub(crate) fn record_all(
    change: &mut Change<'_>,
    detail: &ExhibitDetail,
    x: &Extractor,
    mailbox: bool,
    items: Vec<PlacedItem>,
    events: &mut Vec<NewEvent>,
    round: &mut Round,
) -> Result<(u32, u32)> {
    let container = &detail.exhibit.id;
    let first = detail.sources.first();
    let actor = change.actor().to_string();
    let new_ids = &mut round.new_ids;
    let (mut new, mut known) = (0, 0);
    for p in items {
        let item = &p.info;
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
        let position = item.position;
        let place = ItemPlace { container, path: &item.path, flags: &item.flags, position };
        change.add_item_place(source_id, &id, &place, mailbox)?;
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
                family_head: mailbox,
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
