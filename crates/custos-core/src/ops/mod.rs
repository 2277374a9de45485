//! The third floor: one module per operation on an open vault (intake,
//! verify, extract, edit, passphrase change, dashboard, export, import,
//! timestamping). Operations reach the vault's rows and objects only through
//! the store's methods.

pub mod dashboard;
pub(crate) mod audit_mapping;
pub(crate) mod edit;
pub mod bundle_search;
pub mod export;
pub(crate) mod extract;
pub(crate) mod import;
pub(crate) mod intake;
pub(crate) mod privilege_log;
pub(crate) mod process;
pub mod reports;
pub mod timestamp;
pub(crate) mod verify;
pub(crate) mod verify_bucket;
pub(crate) mod move_objects;
pub(crate) mod verify_log;
