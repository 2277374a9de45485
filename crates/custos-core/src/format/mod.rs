//! The first floor: what is on disk and on the wire. Vault configuration and
//! key files, the age object framing and its direct I/O, the streaming
//! pipeline, custody events and checkpoints, the Merkle tree, findings,
//! readable names and RFC 3161 tokens. Nothing here opens a vault or names
//! another floor.

pub(crate) mod agefile;
pub mod atomic;
pub mod config;
pub mod custody;
pub mod designation;
pub(crate) mod details;
pub mod finding;
pub mod firm_config;
pub(crate) mod direct;
pub mod keys;
pub(crate) mod merkle;
pub mod names;
pub mod objects_config;
pub mod query;
pub mod sealed;
pub(crate) mod pipeline;
pub(crate) mod seekable;
pub mod words;
pub mod tsp;
