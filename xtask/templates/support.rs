//! Runtime support for the generated types.
//!
//! This module is copied verbatim into every generated models crate so that the crate stands
//! alone. It holds the few wire-level building blocks that the schema cannot express as plain
//! Rust types: the three-state [`Nullable`], lossless [`Timestamp`] and [`Duration`], and
//! [`from_str`] / [`from_slice`], which decode JSON and name the path of the bad field on error.

use ::std::borrow::Cow;
use ::std::fmt;

/// A property that the schema marks `nullable`, which can be absent, an explicit `null`, or a
/// value.
///
/// Graph treats "absent" and `null` differently (absent leaves a setting alone, `null` clears
/// it), so both are kept and written back exactly as they were read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Nullable<T> {
    /// The property was not in the JSON object; it is not written.
    #[default]
    Absent,
    /// The property was present with the value `null`; it is written as `null`.
    Null,
    /// The property had a value.
    Value(T),
}

impl<T> Nullable<T> {
    /// True when the property was not in the object.
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// True when the property was an explicit `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// The value, if there is one (absent and `null` both give `None`).
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// The value, if there is one, by value.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// `None` becomes an explicit `null`, `Some(v)` a value.
    pub fn from_option(value: Option<T>) -> Self {
        match value {
            Some(value) => Nullable::Value(value),
            None => Nullable::Null,
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T: ::serde::Serialize> ::serde::Serialize for Nullable<T> {
    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(value) => value.serialize(serializer),
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: ::serde::Deserialize<'de>> ::serde::Deserialize<'de> for Nullable<T> {
    /// A present property: `null` or a value. Absence is decided by the containing object.
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(Nullable::from_option)
    }
}

impl<T: ::schemars::JsonSchema> ::schemars::JsonSchema for Nullable<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("Nullable_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
        let value = generator.subschema_for::<T>();
        ::schemars::json_schema!({ "anyOf": [value, { "type": "null" }] })
    }
}

/// An instant from a `format: date-time` property (an RFC 3339 timestamp with an offset).
///
/// It is parsed into a [`jiff::Timestamp`] when decoded, and it keeps the exact text it was
/// read from, so that re-encoding gives back the same bytes (Graph writes seven fractional
/// digits, `…T10:00:00.0000000Z`, which a plain timestamp would print as `…T10:00:00Z`).
/// Equality and ordering compare the instant, not the text.
#[derive(Clone)]
pub struct Timestamp {
    instant: ::jiff::Timestamp,
    text: Box<str>,
}

impl Timestamp {
    /// Parses an RFC 3339 timestamp (`2023-09-14T10:00:00.0000000Z`, `…+02:00`): exactly what
    /// `format: date-time` allows, no more (jiff alone would also take `2024-01-01T00:00Z`).
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        if !is_rfc3339(text) {
            return Err(ParseError(format!("`{text}` is not an RFC 3339 date-time")));
        }
        let instant = text.parse::<::jiff::Timestamp>().map_err(|e| ParseError(format!("`{text}`: {e}")))?;
        Ok(Timestamp { instant, text: text.into() })
    }

    /// The instant.
    pub fn instant(&self) -> ::jiff::Timestamp {
        self.instant
    }

    /// The text as it is written on the wire.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl From<::jiff::Timestamp> for Timestamp {
    fn from(instant: ::jiff::Timestamp) -> Self {
        Timestamp { instant, text: instant.to_string().into() }
    }
}

impl ::std::str::FromStr for Timestamp {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(text)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({:?})", &*self.text)
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.instant == other.instant
    }
}

impl Eq for Timestamp {}

impl ::std::hash::Hash for Timestamp {
    fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
        self.instant.hash(state);
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<::std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
        self.instant.cmp(&other.instant)
    }
}

impl ::serde::Serialize for Timestamp {
    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> ::serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Text::deserialize(deserializer)?;
        Timestamp::parse(&text.0).map_err(|error| ::serde::de::Error::custom(format_args!("invalid date-time {error}")))
    }
}

impl ::schemars::JsonSchema for Timestamp {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
        ::schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}

/// An ISO 8601 duration from a `format: duration` property, such as `PT1H` or `P1DT30M`.
///
/// It is parsed into a [`jiff::Span`] when decoded and keeps the exact text it was read from,
/// so that re-encoding gives back the same bytes (`PT60M` stays `PT60M`). Equality compares
/// the text.
#[derive(Clone)]
pub struct Duration {
    span: ::jiff::Span,
    text: Box<str>,
}

impl Duration {
    /// Parses an ISO 8601 duration (only ISO 8601: not jiff's friendly `1 hour` form, which
    /// Graph would reject).
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        static PARSER: ::jiff::fmt::temporal::SpanParser = ::jiff::fmt::temporal::SpanParser::new();
        let span = PARSER.parse_span(text).map_err(|e| ParseError(format!("`{text}`: {e}")))?;
        Ok(Duration { span, text: text.into() })
    }

    /// The duration as a [`jiff::Span`] (which keeps its units: one hour is not 60 minutes).
    pub fn span(&self) -> ::jiff::Span {
        self.span
    }

    /// The text as it is written on the wire.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl From<::jiff::Span> for Duration {
    fn from(span: ::jiff::Span) -> Self {
        Duration { span, text: span.to_string().into() }
    }
}

impl ::std::str::FromStr for Duration {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Duration::parse(text)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Duration({:?})", &*self.text)
    }
}

impl PartialEq for Duration {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Duration {}

impl ::std::hash::Hash for Duration {
    fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl ::serde::Serialize for Duration {
    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> ::serde::Deserialize<'de> for Duration {
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Text::deserialize(deserializer)?;
        Duration::parse(&text.0).map_err(|error| ::serde::de::Error::custom(format_args!("invalid duration {error}")))
    }
}

impl ::schemars::JsonSchema for Duration {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
        ::schemars::json_schema!({ "type": "string", "format": "duration" })
    }
}

/// A date-time or duration that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ::std::error::Error for ParseError {}

/// `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`, RFC 3339's date-time.
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |from: usize, to: usize| b.get(from..to).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shape = digits(0, 4) && b.get(4) == Some(&b'-') && digits(5, 7) && b.get(7) == Some(&b'-') && digits(8, 10)
        && matches!(b.get(10), Some(b'T' | b't')) && digits(11, 13) && b.get(13) == Some(&b':') && digits(14, 16)
        && b.get(16) == Some(&b':') && digits(17, 19);
    if !shape {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', offset @ ..] => offset.len() == 5 && offset[2] == b':' && [0, 1, 3, 4].iter().all(|&i| offset[i].is_ascii_digit()),
        _ => false,
    }
}

/// A JSON string that borrows from the input when it can (no escapes), so that matching a
/// property name or an enum value costs no allocation.
#[doc(hidden)]
pub struct Text<'de>(pub Cow<'de, str>);

impl<'de> Text<'de> {
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> ::serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl<'de> ::serde::de::Visitor<'de> for TextVisitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: ::serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }

            fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: ::serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_str(TextVisitor)
    }
}

/// Reads a property's value into its slot; a second occurrence of the property is an error
/// (a JSON object with a duplicate key cannot be represented losslessly).
#[doc(hidden)]
pub fn next_once<'de, A, T>(map: &mut A, slot: &mut Option<T>, name: &'static str) -> Result<(), A::Error>
where
    A: ::serde::de::MapAccess<'de>,
    T: ::serde::Deserialize<'de>,
{
    if slot.is_some() {
        return Err(::serde::de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// [`next_once`] for a nullable property.
#[doc(hidden)]
pub fn next_nullable<'de, A, T>(map: &mut A, slot: &mut Nullable<T>, name: &'static str) -> Result<(), A::Error>
where
    A: ::serde::de::MapAccess<'de>,
    T: ::serde::Deserialize<'de>,
{
    if !slot.is_absent() {
        return Err(::serde::de::Error::duplicate_field(name));
    }
    *slot = map.next_value()?;
    Ok(())
}

/// A required property's value, or the "missing field" error.
#[doc(hidden)]
pub fn required<T, E: ::serde::de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// A decoding error that names the path of the offending value (such as
/// `statusMessage.expiryDateTime.dateTime`) as well as its line and column.
#[derive(Debug)]
pub struct DecodeError {
    path: String,
    source: ::serde_json::Error,
}

impl DecodeError {
    /// The path of the bad value, dot-separated, or `.` for the top-level value.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The line of the input (1-based) where the error was found.
    pub fn line(&self) -> usize {
        self.source.line()
    }

    /// The column of the input (1-based) where the error was found.
    pub fn column(&self) -> usize {
        self.source.column()
    }

    /// The underlying `serde_json` error.
    pub fn into_inner(self) -> ::serde_json::Error {
        self.source
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path == "." {
            write!(f, "{}", self.source)
        } else {
            write!(f, "at `{}`: {}", self.path, self.source)
        }
    }
}

impl ::std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn ::std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Decodes a value from JSON text; on error, names the path of the bad value.
///
/// `serde_json::from_str` works on every generated type too; this adds the path.
pub fn from_str<T: ::serde::de::DeserializeOwned>(json: &str) -> Result<T, DecodeError> {
    let mut deserializer = ::serde_json::Deserializer::from_str(json);
    decode(&mut deserializer)
}

/// Decodes a value from JSON bytes; on error, names the path of the bad value.
pub fn from_slice<T: ::serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, DecodeError> {
    let mut deserializer = ::serde_json::Deserializer::from_slice(json);
    decode(&mut deserializer)
}

fn decode<'de, R, T>(deserializer: &mut ::serde_json::Deserializer<R>) -> Result<T, DecodeError>
where
    R: ::serde_json::de::Read<'de>,
    T: ::serde::de::DeserializeOwned,
{
    let value = ::serde_path_to_error::deserialize(&mut *deserializer).map_err(|error| {
        let path = error.path().to_string();
        DecodeError { path, source: error.into_inner() }
    })?;
    deserializer
        .end()
        .map_err(|source| DecodeError { path: ".".to_owned(), source })?;
    Ok(value)
}
