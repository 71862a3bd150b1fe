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
    serde_json::from_str(json).map_err(|error| located(json.as_bytes(), error))
}

/// Decodes a value from JSON bytes; on error, names the path of the bad value.
pub fn from_slice<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, DecodeError> {
    serde_json::from_slice(json).map_err(|error| located(json, error))
}

/// The error of a failed decode, with the path of the value it is about: the JSON text is
/// read again, as far as the parser had read when it failed (its line and column), keeping
/// only the keys and indices that lead there.
///
/// Not generic, on purpose: decoding again with the type (serde_path_to_error, used before)
/// gives the same path for an error about a value (a test holds the two together), but
/// compiles every type's decoder a second time in each crate that decodes it. Where the text
/// itself is broken, the path is where the reading stopped (a trailing comma in `value[0]` is
/// at `value[0]`, which serde_path_to_error wrote `value[0].?`).
fn located(json: &[u8], error: serde_json::Error) -> DecodeError {
    let path = match error.line() {
        0 => ".".to_owned(),
        line => path_at(json, offset(json, line, error.column())),
    };
    DecodeError::new(path, error)
}

/// The byte offset of serde_json's line (from 1) and column (bytes read on that line).
fn offset(json: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match json[start..].iter().position(|&b| b == b'\n') {
            Some(newline) => start += newline + 1,
            None => return json.len(),
        }
    }
    (start + column).min(json.len())
}

/// Where the reading is, in a container being read.
enum Frame {
    /// In an object: the key of the member being read (none before its key is read).
    Object { key: Option<String> },
    /// In an array: the index of the element being read (or about to be: a value of the wrong
    /// kind is refused before it is read).
    Array { index: usize },
}

/// The path of the value being read when `end` bytes of `json` had been read, as
/// serde_path_to_error writes it: keys joined by `.`, indices as `[i]`, `.` for the whole
/// value. A value read to its end is still the one read (an error about a value comes when
/// it has been read); a closed container is its parent's member (a missing property is an
/// error about its object, found at the `}`).
fn path_at(json: &[u8], end: usize) -> String {
    let text = &json[..end.min(json.len())];
    let mut frames: Vec<Frame> = Vec::new();
    let mut expecting_key = false;
    let mut pending_key = None;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'"' => {
                let close = string_end(text, i);
                if expecting_key {
                    // A key cut off where the parser stopped does not decode: no key yet.
                    pending_key = serde_json::from_slice::<String>(&text[i..close]).ok();
                    expecting_key = false;
                }
                i = close;
                continue;
            }
            b'{' => {
                frames.push(Frame::Object { key: None });
                expecting_key = true;
            }
            b'[' => {
                frames.push(Frame::Array { index: 0 });
                expecting_key = false;
            }
            b'}' | b']' => {
                frames.pop();
                expecting_key = false;
            }
            b',' => match frames.last_mut() {
                Some(Frame::Object { key }) => {
                    *key = None;
                    expecting_key = true;
                }
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            // A key names the member once its value is to be read: an error about the key
            // itself (a duplicate, an unknown one) is about its object.
            b':' => {
                if let Some(Frame::Object { key }) = frames.last_mut() {
                    *key = pending_key.take();
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &frames {
        match frame {
            Frame::Object { key: Some(key) } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
            Frame::Object { key: None } => {}
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
}

/// The index after the string opened by the quote at `open` (its closing quote included), or
/// the end of `text` when it is not closed there.
fn string_end(text: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
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

    /// The path a failed decode names, found by reading the text again, is the one decoding
    /// again with the type (serde_path_to_error, which this crate used before) gives.
    #[test]
    fn the_path_of_a_failed_decode_is_the_one_the_types_decoder_gives() {
        use std::collections::BTreeMap;

        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Outer {
            #[serde(default)]
            s: String,
            a: Inner,
            #[serde(default)]
            items: Vec<Inner>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Inner {
            b: u8,
            #[serde(default)]
            t: Option<crate::Timestamp>,
        }

        fn both<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> (String, String) {
            let ours = super::from_str::<T>(json).expect_err("fails");
            let mut again = serde_json::Deserializer::from_str(json);
            let theirs = serde_path_to_error::deserialize::<_, T>(&mut again).expect_err("fails");
            (ours.path().to_owned(), theirs.path().to_string())
        }
        let cases: Vec<(&str, (String, String))> = vec![
            ("[1, \"x\"]", both::<Vec<u8>>("[1, \"x\"]")),
            (
                "nested list",
                both::<BTreeMap<String, Vec<u8>>>(r#"{"a": [1, 2, "x"]}"#),
            ),
            ("lists of lists", both::<Vec<Vec<u8>>>("[[1], [2, \"x\"]]")),
            (
                "a list in a list",
                both::<BTreeMap<String, Vec<u8>>>(r#"{"a": [1, [2]]}"#),
            ),
            ("a member", both::<Outer>(r#"{"a": {"b": true}}"#)),
            ("out of range", both::<Outer>(r#"{"a": {"b": 300}}"#)),
            ("null", both::<Outer>(r#"{"a": null}"#)),
            (
                "an object for a number",
                both::<Outer>(r#"{"a": {"b": {"c": [1]}}}"#),
            ),
            ("missing inside", both::<Outer>(r#"{"a": {}}"#)),
            ("missing at the top", both::<Outer>(r#"{"s": "x"}"#)),
            (
                "missing in an item",
                both::<Outer>(r#"{"a": {"b": 1}, "items": [{"b": 1}, {"t": null}]}"#),
            ),
            (
                "a bad date-time",
                both::<Outer>(r#"{"a": {"b": 1, "t": "yesterday"}}"#),
            ),
            (
                "quotes, brackets and escapes in strings before",
                both::<Outer>(r#"{"s": "a,]}\"[{:", "a": {"b": 1}, "items": [{"b": "x"}]}"#),
            ),
            (
                "an escaped key",
                both::<BTreeMap<String, u8>>(r#"{"a\"b.c": "x"}"#),
            ),
            (
                "a later line",
                both::<Outer>(
                    "{\n  \"a\": {\n    \"b\": 1\n  },\n  \"items\": [\n {\"b\": -1}]\n}",
                ),
            ),
            (
                "unicode before",
                both::<BTreeMap<String, u8>>(r#"{"é€😀": 1, "ü": "x"}"#),
            ),
        ];
        for (case, (ours, theirs)) in cases {
            assert_eq!(ours, theirs, "{case}");
        }
    }

    /// Text that is not JSON, cut anywhere or with any byte changed, gives an error with a
    /// path, never a panic.
    #[test]
    fn broken_text_anywhere_gives_a_path_not_a_panic() {
        use std::collections::BTreeMap;
        let json = r#"{"a": {"b": [1, {"c": "x\"y"}, [true, null]]}, "d\u00e9": 2.5e3}"#;
        for cut in 0..json.len() {
            if let Err(error) = super::from_slice::<serde_json::Value>(&json.as_bytes()[..cut]) {
                assert!(!error.path().is_empty());
            }
            for byte in [b'"', b'{', b']', b',', b'\\', 0xff] {
                let mut broken = json.as_bytes().to_vec();
                broken[cut] = byte;
                if let Err(error) = super::from_slice::<BTreeMap<String, u8>>(&broken) {
                    assert!(!error.path().is_empty());
                }
            }
        }
    }
}
