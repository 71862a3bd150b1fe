//! The presence client and mock agree on every response example Microsoft documents: the test
//! the generator writes for standalone output (`client/tests/agreement.rs`), generated for the
//! presence schema by `build.rs`.
#![allow(clippy::too_many_lines, unused_imports)]

include!(concat!(env!("OUT_DIR"), "/presence_agreement.rs"));
