//! Producing a sealed bundle: planning the Bates numbers and writing it.

pub(crate) mod plan;
pub(crate) mod write;
