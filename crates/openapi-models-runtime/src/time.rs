//! [`Timestamp`] (`format: date-time`) and [`IsoDuration`] (`format: duration`).
//!
//! Both keep the exact text they were read from, so re-encoding gives back the same bytes, and
//! both accept exactly what their JSON Schema format accepts ([`crate::format`]). Turning the
//! text into a `jiff` value is left until it is asked for: decoding stays cheap, and values
//! jiff cannot hold (year 9999's last day, ten fractional digits, a thousand-year duration)
//! still decode.

use crate::format::{is_date_time, is_duration};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// An instant from a `format: date-time` property: an RFC 3339 timestamp with an offset,
/// such as `2023-09-14T10:00:00.0000000Z`.
///
/// Equality compares the text (Graph's `…T10:00:00.0000000Z` and `…T10:00:00Z` are the same
/// instant but not the same value on the wire); [`Timestamp::instant`] compares instants.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp(Box<str>);

impl Timestamp {
    /// Accepts exactly RFC 3339's `date-time` (what JSON Schema's `date-time` format accepts).
    pub fn parse(text: &str) -> Result<Self, TimeParseError> {
        if is_date_time(text) {
            Ok(Timestamp(text.into()))
        } else {
            Err(TimeParseError::new("an RFC 3339 date-time", text))
        }
    }

    /// The instant. Fails only where jiff cannot represent it: outside its years, or a
    /// fraction finer than nanoseconds (which is truncated, not rounded, before that check).
    pub fn instant(&self) -> Result<jiff::Timestamp, TimeParseError> {
        // jiff reads at most nine fractional digits; RFC 3339 allows any number.
        let text = truncate_fraction(&self.0);
        text.parse::<jiff::Timestamp>().map_err(|e| {
            TimeParseError::new(
                "a date-time jiff can represent",
                &format!("{}: {e}", self.0),
            )
        })
    }

    /// The text as it is written on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `…:ss.123456789123Z` → `…:ss.123456789Z`.
fn truncate_fraction(text: &str) -> Cow<'_, str> {
    let Some(dot) = text.find('.') else {
        return Cow::Borrowed(text);
    };
    let digits = text[dot + 1..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if digits <= 9 {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!(
        "{}{}",
        &text[..dot + 10],
        &text[dot + 1 + digits..]
    ))
}

impl From<jiff::Timestamp> for Timestamp {
    fn from(instant: jiff::Timestamp) -> Self {
        // jiff writes RFC 3339 in UTC (`2024-01-01T00:00:00Z`), a valid `date-time`.
        Timestamp(instant.to_string().into())
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimeParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(text)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({:?})", &*self.0)
    }
}

/// An ISO 8601 duration from a `format: duration` property, such as `PT1H` or `P1DT30M`.
///
/// It keeps its exact text (`PT60M` stays `PT60M`), and equality compares the text.
///
/// Named for what it is, OData's `Edm.Duration` written in ISO 8601, with calendar units
/// (`P1M` is a month, not a number of seconds), and so that it never clashes with
/// [`std::time::Duration`] in a module that imports both.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IsoDuration(Box<str>);

impl IsoDuration {
    /// Accepts exactly JSON Schema's `duration` format (RFC 3339 appendix A): no sign, no
    /// fractions, units in order.
    pub fn parse(text: &str) -> Result<Self, TimeParseError> {
        if is_duration(text) {
            Ok(IsoDuration(text.into()))
        } else {
            Err(TimeParseError::new(
                "an ISO 8601 duration such as `PT1H`",
                text,
            ))
        }
    }

    /// The duration as a [`jiff::Span`] (which keeps its units: one hour is not 60 minutes).
    /// Fails only where a unit is larger than jiff can hold.
    pub fn span(&self) -> Result<jiff::Span, TimeParseError> {
        static PARSER: jiff::fmt::temporal::SpanParser = jiff::fmt::temporal::SpanParser::new();
        PARSER.parse_span(&*self.0).map_err(|e| {
            TimeParseError::new("a duration jiff can represent", &format!("{}: {e}", self.0))
        })
    }

    /// The text as it is written on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<jiff::Span> for IsoDuration {
    type Error = TimeParseError;

    /// A span with a sign, a fraction of a second, or weeks beside other units has no
    /// `format: duration` spelling.
    fn try_from(span: jiff::Span) -> Result<Self, Self::Error> {
        IsoDuration::parse(&span.to_string())
    }
}

impl std::str::FromStr for IsoDuration {
    type Err = TimeParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        IsoDuration::parse(text)
    }
}

impl fmt::Display for IsoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for IsoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IsoDuration({:?})", &*self.0)
    }
}

/// A date-time or duration that does not parse. Its message quotes at most 64 characters of
/// the input, with control characters escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeParseError(String);

impl TimeParseError {
    fn new(expected: &str, text: &str) -> Self {
        TimeParseError(format!(
            "expected {expected}, found {}",
            crate::decode::quote(text)
        ))
    }
}

impl fmt::Display for TimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TimeParseError {}

/// Both types serialize as their text, and decode through [`crate::decode::Text`] (borrowed
/// when the input has no escapes).
macro_rules! text_value {
    ($type:ident, $format:literal) => {
        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                // Parsed in the visitor, so that the parser places a refusal at the string
                // (serde_json: its line and column, from which the error's path is found).
                struct Parse;

                impl serde::de::Visitor<'_> for Parse {
                    type Value = $type;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a string")
                    }

                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$type, E> {
                        $type::parse(text).map_err(E::custom)
                    }
                }

                deserializer.deserialize_str(Parse)
            }
        }

        impl schemars::JsonSchema for $type {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> Cow<'static, str> {
                stringify!($type).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "format": $format })
            }
        }
    };
}

text_value!(Timestamp, "date-time");
text_value!(IsoDuration, "duration");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_keep_their_text_and_convert_on_request() {
        let graph = Timestamp::parse("2023-09-14T10:00:00.0000000Z").expect("graph's form");
        assert_eq!(graph.as_str(), "2023-09-14T10:00:00.0000000Z");
        assert_eq!(
            graph.instant().expect("in range").as_second(),
            1_694_685_600
        );
        let fine = Timestamp::parse("2023-09-14T10:00:00.1234567891Z").expect("ten digits");
        assert_eq!(
            fine.instant().expect("truncated").subsec_nanosecond(),
            123_456_789
        );
        let last = Timestamp::parse("9999-12-31T23:59:59Z").expect("valid date-time");
        assert!(last.instant().is_err(), "beyond jiff's range");
        assert!(Timestamp::parse("2023-09-14T10:00Z").is_err());
        assert_eq!(
            Timestamp::from(jiff::Timestamp::UNIX_EPOCH).as_str(),
            "1970-01-01T00:00:00Z"
        );
    }

    #[test]
    fn durations_keep_their_text_and_convert_on_request() {
        let hour = IsoDuration::parse("PT60M").expect("valid");
        assert_eq!(hour.as_str(), "PT60M");
        assert_eq!(hour.span().expect("fits").get_minutes(), 60);
        assert!(IsoDuration::parse("-PT1H").is_err());
        assert!(IsoDuration::parse("PT1.5H").is_err());
        assert!(IsoDuration::try_from(jiff::Span::new().hours(-1)).is_err());
        assert_eq!(
            IsoDuration::try_from(jiff::Span::new().hours(1))
                .expect("valid")
                .as_str(),
            "PT1H"
        );
    }
}
