//! The runtime that generated model crates call.
//!
//! A generated type states facts (wire names, field types, which properties are required or
//! nullable, the values an enum lists); the algorithms live here, once, compiled and tested in
//! this crate: the decoding loop with its duplicate-key checks ([`record!`](macro@record)), the insertion-
//! ordered map of unknown properties kept as raw JSON ([`Extensions`]), open enums
//! ([`open_enum!`](macro@open_enum)), unions of alternatives with a lossless catch-all
//! ([`union!`](macro@union)), three-state [`Nullable`], lossless [`Timestamp`] and [`IsoDuration`], and
//! [`from_str`] / [`from_slice`], whose errors name the path of the bad value.
//!
//! `cargo xtask codegen --out` vendors this crate, unchanged, beside the crates it writes.

#![deny(missing_docs)]
// docs.rs shows which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod decode;
mod example_check;
mod extensions;
pub mod format;
mod nullable;
pub mod open_enum;
pub mod record;
mod time;
pub mod union;

pub use decode::{DecodeError, excerpt, from_slice, from_str};
pub use extensions::{Extensions, KeyIndex, PropertyMap, RawJson};
pub use nullable::Nullable;
pub use open_enum::{EnumInfo, Flags, IntEnumInfo, OpenEnum, OpenIntEnum};
pub use record::{
    Closed, Extra, FieldInfo, Record, RecordInfo, optional, read_slot, required, required_value,
    write_always, write_present,
};
pub use serde::de::MapAccess;
pub use serde::ser::SerializeMap;
pub use time::{IsoDuration, TimeParseError, Timestamp};
pub use union::{Alternative, Attempt, Union, UnionInfo, VariantInfo};

/// What generated code reaches and users do not: the example round trip of a generated
/// crate's example test.
#[doc(hidden)]
pub mod __private {
    pub use crate::example_check::{check_examples, round_trip};
}

// Generated code and the macros reach serde and schemars through these, so a generated crate
// needs no dependency of its own on them.
#[doc(hidden)]
pub use schemars;
#[doc(hidden)]
pub use serde;
