//! Decoding entry points ([`from_str`], [`from_slice`]) whose errors name the path of the bad
//! value, and the borrowed string type the decoders match names with.

use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// A decoding error that names the path of the offending value (such as
/// `statusMessage.expiryDateTime.dateTime`) as well as its line and column.
///
/// Its text is bounded: serde quotes a value of the wrong type whole (a 10 MB string would be
/// a 10 MB message), so `Display` and `Debug` show the parser's message escaped and cut
/// ([`excerpt`]), always followed by the line and column. [`DecodeError::path`],
/// [`DecodeError::line`], [`DecodeError::column`] and [`DecodeError::into_inner`] are exact;
/// `source()` is `None`, so that no error chain prints serde's whole message.
pub struct DecodeError {
    path: String,
    source: serde_json::Error,
    /// The parser's message as shown: escaped, cut, with its location.
    message: String,
}

impl DecodeError {
    fn new(path: String, source: serde_json::Error) -> Self {
        let message = shown_message(&source);
        DecodeError {
            path,
            source,
            message,
        }
    }

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

/// An error from `serde_json` itself (no path: `.`), for the bounded text.
impl From<serde_json::Error> for DecodeError {
    fn from(source: serde_json::Error) -> Self {
        DecodeError::new(".".to_owned(), source)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path == "." {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", quote_inner(&self.path), self.message)
        }
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("path", &quote_inner(&self.path))
            .field("message", &self.message)
            .field("line", &self.line())
            .field("column", &self.column())
            .finish()
    }
}

/// No source: serde's error would print its message whole (the unbounded text `Display`
/// already shows, cut) to anything that walks the chain. [`DecodeError::into_inner`] has it.
impl std::error::Error for DecodeError {}

/// The most characters of the parser's message a [`DecodeError`] shows.
const MESSAGE_CHARS: usize = 200;

/// The parser's message escaped and cut to [`MESSAGE_CHARS`], then its location. Formatting it
/// whole would cost as much memory as the bad value; only its start is kept.
fn shown_message(error: &serde_json::Error) -> String {
    let mut head = Head {
        kept: String::new(),
        total: 0,
    };
    // Head never fails; a failing Display would only shorten the text.
    let _ = fmt::write(&mut head, format_args!("{error}"));
    // serde_json writes the location last, as ` at line L column C` (when it has one).
    let location = if error.line() == 0 {
        String::new()
    } else {
        format!(" at line {} column {}", error.line(), error.column())
    };
    let message_chars = head.total.saturating_sub(location.chars().count());
    let message: String = head.kept.chars().take(message_chars).collect();
    format!("{}{location}", excerpt(&message, MESSAGE_CHARS))
}

/// The first `MESSAGE_CHARS + 1` characters written to it (one more than shown, so that
/// `excerpt` marks the cut), and how many there were in all.
struct Head {
    kept: String,
    total: usize,
}

impl fmt::Write for Head {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = (MESSAGE_CHARS + 1).saturating_sub(self.total);
        self.kept.extend(s.chars().take(room));
        self.total += s.chars().count();
        Ok(())
    }
}

/// Decodes a value from JSON text; on error, names the path of the bad value.
///
/// `serde_json::from_str` works on every generated type too; this adds the path.
pub fn from_str<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, DecodeError> {
    serde_json::from_str(json)
        .map_err(|error| located::<_, T>(error, serde_json::Deserializer::from_str(json)))
}

/// Decodes a value from JSON bytes; on error, names the path of the bad value.
pub fn from_slice<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, DecodeError> {
    serde_json::from_slice(json)
        .map_err(|error| located::<_, T>(error, serde_json::Deserializer::from_slice(json)))
}

/// The error of a failed decode, with the path of the bad value: found by decoding again,
/// tracking the path. Tracking it costs about as much as the decode itself, so a successful
/// decode (nearly every one) does not pay for it.
fn located<'de, R, T>(
    error: serde_json::Error,
    mut again: serde_json::Deserializer<R>,
) -> DecodeError
where
    R: serde_json::de::Read<'de>,
    T: serde::de::DeserializeOwned,
{
    match serde_path_to_error::deserialize::<_, T>(&mut again) {
        Err(tracked) => {
            let path = tracked.path().to_string();
            DecodeError::new(path, tracked.into_inner())
        }
        // Only what follows the value (trailing characters) failed: no path to name.
        Ok(_) => DecodeError::from(again.end().err().unwrap_or(error)),
    }
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

    /// A short message is serde's own text, location included: only the start of a long one
    /// is cut.
    #[test]
    fn a_short_message_is_serdes_own() {
        let error = super::from_str::<Vec<u8>>("[1, \"x\"]").expect_err("not a byte");
        let serde = serde_json::from_str::<Vec<u8>>("[1, \"x\"]").expect_err("not a byte");
        assert_eq!(error.to_string(), format!("at `[1]`: {serde}"));
        let trailing = super::from_str::<u8>("1 2").expect_err("trailing");
        assert_eq!(
            trailing.to_string(),
            "trailing characters at line 1 column 3"
        );
    }

    /// serde quotes a wrong-type string whole; the error's text stays short and one line, and
    /// where it is stays exact.
    #[test]
    fn a_huge_wrong_type_string_gives_a_short_message() {
        let huge = format!("\u{1b}[31m\n\u{202e}{}", "x".repeat(10_000_000));
        let json = serde_json::to_string(&serde_json::json!({ "a": [huge] })).expect("json");
        let error = super::from_str::<std::collections::BTreeMap<String, Vec<u8>>>(&json)
            .expect_err("a string is not a byte");
        assert_eq!((error.path(), error.line()), ("a[0]", 1));
        assert_eq!(error.column(), json.len() - 2);
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(text.len() < 400, "{} bytes", text.len());
            assert!(
                !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
                "{text:?}"
            );
            assert!(text.contains("invalid type: string"), "{text}");
            assert!(text.contains('…'), "{text}");
        }
        assert!(std::error::Error::source(&error).is_none());
        let shown = error.to_string();
        let location = format!(" at line 1 column {}", error.column());
        assert!(shown.ends_with(&location), "{shown}");
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
