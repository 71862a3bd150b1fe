//! Scalars: what a `type` with a `format` holds. A format the generator does not know is the
//! base type, as OpenAPI says.

use super::JsonType;

/// A scalar's Rust-relevant kind (`type` with `format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    String,
    /// `format: date-time`.
    Timestamp,
    /// `format: duration`.
    Duration,
    Bool,
    /// `integer` with `int8` … `int64`, `uint8` … `uint64` or `uint` (64 bits), or `number`
    /// with `int32` / `int64`: the matching Rust width.
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
}

impl Scalar {
    /// The Rust type the scalar becomes, for docs.
    pub fn rust_name(self) -> &'static str {
        match self {
            Scalar::String => "String",
            Scalar::Timestamp => "Timestamp",
            Scalar::Duration => "Duration",
            Scalar::Bool => "bool",
            Scalar::I8 => "i8",
            Scalar::I16 => "i16",
            Scalar::I32 => "i32",
            Scalar::I64 => "i64",
            Scalar::U8 => "u8",
            Scalar::U16 => "u16",
            Scalar::U32 => "u32",
            Scalar::U64 => "u64",
            Scalar::F32 | Scalar::F64 => "f64",
        }
    }
}

/// The scalar `format` names for `json_type` (`None`: a format the generator does not
/// know), and the base type's scalar (`None` for arrays and objects).
fn known_scalar(json_type: JsonType, format: Option<&str>) -> (Option<Scalar>, Option<Scalar>) {
    let (known, base) = match json_type {
        JsonType::String => (
            match format {
                None
                | Some(
                    "uuid" | "base64url" | "byte" | "date" | "time" | "email" | "uri" | "hostname"
                    | "password",
                ) => Some(Scalar::String),
                Some("date-time") => Some(Scalar::Timestamp),
                Some("duration") => Some(Scalar::Duration),
                Some(_) => None,
            },
            Scalar::String,
        ),
        JsonType::Boolean => (Some(Scalar::Bool), Scalar::Bool),
        JsonType::Integer => (
            match format {
                Some("int8") => Some(Scalar::I8),
                Some("int16") => Some(Scalar::I16),
                Some("int32") => Some(Scalar::I32),
                None | Some("int64") => Some(Scalar::I64),
                Some("uint8") => Some(Scalar::U8),
                Some("uint16") => Some(Scalar::U16),
                Some("uint32") => Some(Scalar::U32),
                Some("uint64" | "uint") => Some(Scalar::U64),
                Some(_) => None,
            },
            Scalar::I64,
        ),
        JsonType::Number => (
            match format {
                Some("float") => Some(Scalar::F32),
                None | Some("double" | "decimal") => Some(Scalar::F64),
                Some("int32") => Some(Scalar::I32),
                Some("int64") => Some(Scalar::I64),
                Some(_) => None,
            },
            Scalar::F64,
        ),
        JsonType::Array | JsonType::Object => return (None, None),
    };
    (known, Some(base))
}

/// The scalar of a `type` with its `format`: an unknown format is the base type.
pub(super) fn scalar(json_type: JsonType, format: Option<&str>) -> Option<Scalar> {
    let (known, base) = known_scalar(json_type, format);
    known.or(base)
}

pub(super) fn is_known_format(json_type: Option<JsonType>, format: &str) -> bool {
    json_type.is_none_or(|t| known_scalar(t, Some(format)).0.is_some())
}
