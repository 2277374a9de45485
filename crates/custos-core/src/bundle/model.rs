//! What a production holds, as the bundle writer and the documents in it see
//! it: the plain model of `custos-documents`, filled from the vault's records.

use crate::error::Error;
use crate::format::custody::CustodyEvent;
pub use custos_documents::{Event, ProducedExhibit, Production};

/// A custody event as the production's documents print it.
pub(crate) fn document_event(e: &CustodyEvent) -> Event {
    Event {
        seq: e.seq,
        time: e.time.clone(),
        action: e.action.as_str().to_string(),
        actor: e.actor.clone(),
        released_by: e.released_by.clone(),
        received_by: e.received_by.clone(),
        purpose: e.purpose.clone(),
        method: e.method.clone(),
        tool: e.tool.clone(),
        hash_algorithm: e.hash_algorithm.clone(),
        hash_before: e.hash_before.clone(),
        hash_after: e.hash_after.clone(),
        hashes_match: e.hashes_match,
        location: e.location.clone(),
        // A derivation's action alone does not say what was derived.
        summary: (e.action == crate::Action::Derived).then(|| e.in_words()),
    }
}

/// A document that could not be rendered, as the vault's error.
pub(crate) fn render_failed(e: custos_documents::RenderError) -> Error {
    Error::InvalidInput(e.to_string())
}
