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

// Public only so that paths through `__private` reach them, and hidden: users have the
// surface below.
#[doc(hidden)]
pub mod decode;
mod example_check;
mod extensions;
mod form;
mod format;
mod nullable;
#[doc(hidden)]
pub mod open_enum;
#[doc(hidden)]
pub mod record;
mod time;
#[doc(hidden)]
pub mod union;

// The user-facing surface: what a generated models crate re-exports, by name.
pub use decode::{DecodeError, excerpt, from_slice, from_str};
pub use extensions::{Extensions, PropertyMap, RawJson};
pub use form::{FilePart, FormError};
pub use nullable::Nullable;
pub use open_enum::Flags;
pub use time::{IsoDuration, TimeParseError, Timestamp};

/// What generated code and this crate's macros reach, and users do not: the traits and facts
/// each generated type implements, the decoding loop's pieces, serde and schemars (so a
/// generated crate needs no dependency of its own on them), the format checks, and the example
/// round trip of a generated crate's example test. Generated code names it `rt`.
#[doc(hidden)]
pub mod __private {
    pub use crate::example_check::{agrees, check_examples, decodes_to, round_trip};
    pub use crate::extensions::KeyIndex;
    pub use crate::form::{
        Chunks, FileStream, Files, FormParts, MultipartForm, Part, StreamError, is_boundary,
    };
    pub use crate::open_enum::{EnumInfo, IntEnumInfo, OpenEnum, OpenIntEnum};
    pub use crate::record::{
        Closed, Extra, FieldInfo, Record, RecordInfo, missing_field, optional, read_slot, required,
        write_always, write_present,
    };
    pub use crate::union::{Alternative, Attempt, Union, UnionInfo, VariantInfo};
    // Each of these names a macro and the module its helpers live in.
    pub use crate::{
        alternative, decode, json_schema_impl, open_enum, open_int_enum, record, union,
    };
    pub use schemars;
    pub use serde;
    pub use serde::de::MapAccess;
    pub use serde::ser::SerializeMap;

    /// The `date-time` and `duration` checks behind [`crate::Timestamp`] and
    /// [`crate::IsoDuration`].
    pub mod format {
        pub use crate::format::{is_date_time, is_duration};
    }
}
