//! RFC 3161 time-stamp tokens as bytes: the DER they are written in, and
//! the checks of a token against the text it stamps and the authorities
//! trusted. No network and no vault here; requesting a token is an operation.

pub(crate) mod der;
pub mod settings;
pub mod token;
