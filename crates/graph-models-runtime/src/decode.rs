//! Decoding entry points ([`from_str`], [`from_slice`]) whose errors name the path of the bad
//! value, and the borrowed string type the decoders match names with.

use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// A decoding error that names the path of the offending value (such as
/// `statusMessage.expiryDateTime.dateTime`) as well as its line and column.
#[derive(Debug)]
pub struct DecodeError {
    path: String,
    source: serde_json::Error,
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
    pub fn into_inner(self) -> serde_json::Error {
        self.source
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path == "." {
            write!(f, "{}", self.source)
        } else {
            write!(f, "at `{}`: {}", quote_inner(&self.path), self.source)
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Decodes a value from JSON text; on error, names the path of the bad value.
///
/// `serde_json::from_str` works on every generated type too; this adds the path.
pub fn from_str<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, DecodeError> {
    decode(&mut serde_json::Deserializer::from_str(json))
}

/// Decodes a value from JSON bytes; on error, names the path of the bad value.
pub fn from_slice<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, DecodeError> {
    decode(&mut serde_json::Deserializer::from_slice(json))
}

fn decode<'de, R, T>(deserializer: &mut serde_json::Deserializer<R>) -> Result<T, DecodeError>
where
    R: serde_json::de::Read<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = serde_path_to_error::deserialize(&mut *deserializer).map_err(|error| {
        let path = error.path().to_string();
        DecodeError {
            path,
            source: error.into_inner(),
        }
    })?;
    deserializer.end().map_err(|source| DecodeError {
        path: ".".to_owned(),
        source,
    })?;
    Ok(value)
}

/// A JSON string that borrows from the input when it can (no escapes), so that matching a
/// property name or an enum value costs no allocation.
pub struct Text<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl<'de> serde::de::Visitor<'de> for TextVisitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_str(TextVisitor)
    }
}

/// Input quoted for an error message: backquoted, control characters escaped, and cut to 64
/// characters, so that a message stays one readable line whatever was sent.
pub(crate) fn quote(text: &str) -> String {
    format!("`{}`", quote_inner(text))
}

fn quote_inner(text: &str) -> String {
    excerpt(text, 64)
}

/// Untrusted text made safe to show in a message or a log line: control characters and
/// bidirectional-formatting characters escaped (no line breaks, no terminal sequences, no
/// reordered text), and cut after `max_chars` characters with `…`. Error types keep the whole
/// value in their fields; only what they print goes through here.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars + 8));
    for (i, c) in text.chars().enumerate() {
        if i == max_chars {
            out.push('…');
            break;
        }
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The Unicode bidirectional formatting characters (embeddings, overrides, isolates, marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoted_input_is_one_short_line() {
        assert_eq!(quote("a\r\nb"), "`a\\r\\nb`");
        assert_eq!(quote(&"x".repeat(1000)).chars().count(), 64 + 3);
    }

    #[test]
    fn excerpts_escape_terminal_and_bidi_controls() {
        assert_eq!(
            super::excerpt("a\u{1b}[31mb\u{202E}c", 100),
            "a\\u{1b}[31mb\\u{202e}c"
        );
        assert_eq!(super::excerpt("héllo", 2), "hé…");
        assert_eq!(super::excerpt("", 0), "");
    }
}
