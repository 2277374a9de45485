//! Sealed production bundles as files (DESIGN.md §6): their layout, the
//! pieces an export writes (bag, load file, index, README, provenance), and
//! reading and verifying one without a vault. Exporting from a vault and
//! importing into one are operations (`ops/`).

pub(crate) mod bag;
pub mod dat;
pub mod images;
pub(crate) mod index;
pub(crate) mod layout;
pub mod model;
pub(crate) mod provenance;
pub mod read;
pub(crate) mod readme;
pub(crate) mod seal_key;
pub mod timestamps;
pub mod verify;
pub(crate) mod zip_records;

pub use dat::{DatDelimiters, DatEncoding};
pub use read::Bundle;
pub use seal_key::{PinnedKeys, SealKeyFingerprint, SealKeyPinning};
pub use verify::{BundleReport, verify_bundle, verify_bundle_trusting, verify_bundle_with};
pub(crate) use index::index_csv;
pub(crate) use readme::readme_txt;
