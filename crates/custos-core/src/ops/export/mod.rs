//! Producing a sealed bundle: planning the Bates numbers and writing it.

pub(crate) mod plan;
mod timestamps;
pub(crate) mod write;
