//! `multipart/form-data` bodies as named parts, the same on both sides: a generated form type
//! (one field per property of the body's schema) writes itself into [`FormParts`] for the
//! client, which encodes them, and reads itself back out of the [`FormParts`] the server
//! parsed. The wire format (boundaries, headers) is the client and server runtimes' concern;
//! this module holds what a part *is* and OpenAPI's rules for what goes in one:
//!
//! - a file ([`FilePart`]: bytes, or a stream read as it is sent, an optional file name and
//!   content type) is one part;
//! - a string, number or boolean is a text part of its text (an open enum's wire value);
//! - an object is an `application/json` part (OpenAPI's default `encoding` for objects);
//! - an array is one part per item, all with the property's name, each by the rules above;
//! - an absent optional property is no part at all.
//!
//! A property's `encoding.contentType` from the document is the part's `Content-Type` when
//! given. Reading is the inverse; a part that is not UTF-8 where text is expected, or whose
//! JSON does not decode, is a [`FormError`] naming the part.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

mod stream;
pub use stream::{Chunks, FileStream, StreamError};

/// A file sent as one part of a multipart body: its bytes, and the file name and content type
/// its `Content-Disposition` and `Content-Type` carry (a part without a content type is
/// `application/octet-stream` when sent).
///
/// A large file need not be in memory: [`FilePart::from_stream`] (any `Stream` of chunks) and,
/// with the `tokio` feature (which the client runtime's `reqwest` feature turns on),
/// `FilePart::from_reader` make a part whose content is read as the request is sent, chunk by
/// chunk. Such a part is sent once, by the client's `send()` (which does not retry the request
/// or re-send it after a redirect); building its request without sending it
/// (`Operation::to_request`) is an error naming the part. Its clones share the one stream,
/// and equal only each other. What a server receives is always bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FilePart {
    /// The file's content, exactly (empty for a streamed file: see [`FilePart::is_streamed`]).
    pub bytes: Vec<u8>,
    /// The file name (`filename=` of `Content-Disposition`), if any.
    pub file_name: Option<String>,
    /// The part's media type (`image/png`), if any.
    pub content_type: Option<String>,
    /// The content as a stream, for a file made by [`FilePart::from_stream`]: private, so a
    /// file is bytes or a stream, never both.
    stream: Option<FileStream>,
}

impl FilePart {
    /// A file of these bytes, without a name or content type.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        FilePart {
            bytes: bytes.into(),
            file_name: None,
            content_type: None,
            stream: None,
        }
    }

    /// A file whose content is `chunks`, read as the request is sent and never held whole: a
    /// `Stream` of `Result`s of byte chunks (`bytes::Bytes`, `Vec<u8>`), whose error ends the
    /// request with the client's `Error::RequestBody`. Sent with chunked transfer encoding;
    /// see [`FilePart::from_stream_with_length`] to send a `Content-Length`. The client's
    /// timeout (`ClientBuilder::timeout`, 30 s by default) covers the whole exchange, upload
    /// included: raise it for a large file.
    pub fn from_stream<S, B, E>(chunks: S) -> Self
    where
        S: futures_core::Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<bytes::Bytes>,
        E: Into<StreamError>,
    {
        FilePart::streamed(FileStream::new(chunks, None))
    }

    /// As [`FilePart::from_stream`], for a stream of exactly `length` bytes: when every
    /// streamed part's length is known the request has a `Content-Length` (some servers
    /// require one). A stream that gives more or fewer bytes ends the request with an error.
    pub fn from_stream_with_length<S, B, E>(chunks: S, length: u64) -> Self
    where
        S: futures_core::Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<bytes::Bytes>,
        E: Into<StreamError>,
    {
        FilePart::streamed(FileStream::new(chunks, Some(length)))
    }

    /// A file read from a tokio reader (an open `tokio::fs::File`) as the request is sent, up
    /// to 64 KiB at a time, never held whole; a read error ends the request with the client's
    /// `Error::RequestBody`. `length`, when known (the file's metadata), is checked and sent
    /// as in [`FilePart::from_stream_with_length`].
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub fn from_reader<R>(reader: R, length: Option<u64>) -> Self
    where
        R: tokio::io::AsyncRead + Send + 'static,
    {
        let chunks = stream::ReaderChunks::new(reader);
        FilePart::streamed(FileStream::new(chunks, length))
    }

    fn streamed(stream: FileStream) -> Self {
        FilePart {
            stream: Some(stream),
            ..FilePart::default()
        }
    }

    /// Whether the content is a stream ([`FilePart::from_stream`], `from_reader`), not bytes.
    pub fn is_streamed(&self) -> bool {
        self.stream.is_some()
    }

    /// The same file, with this file name.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The same file, with this content type (`image/png`).
    pub fn content_type(mut self, media_type: impl Into<String>) -> Self {
        self.content_type = Some(media_type.into());
        self
    }
}

/// One part of a multipart body: its name, what its headers say, and its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Part {
    /// `name=` of its `Content-Disposition`: the property it holds.
    pub name: String,
    /// `filename=` of its `Content-Disposition`, for a file.
    pub file_name: Option<String>,
    /// Its `Content-Type`, if it has one.
    pub content_type: Option<String>,
    /// Its content, exactly (empty when it is streamed).
    pub bytes: Vec<u8>,
    /// Its content as a stream, for a streamed file (only ever sent).
    pub stream: Option<FileStream>,
}

/// A part that could not be written or read as its property's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError(String);

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FormError {}

impl FormError {
    /// An error with this message (bounded and escaped by the caller).
    pub fn new(message: impl Into<String>) -> Self {
        FormError(message.into())
    }
}

/// The parts of a multipart body, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormParts {
    parts: Vec<Part>,
}

/// A generated form type: one field per property of a `multipart/form-data` body's schema.
pub trait MultipartForm: Sized {
    /// Appends the parts of every property that is present, in schema order.
    fn write_parts(&self, parts: &mut FormParts) -> Result<(), FormError>;
    /// Takes the parts of every property out of `parts` (parts of other names are ignored).
    fn read_parts(parts: &mut FormParts) -> Result<Self, FormError>;
}

/// The files a file property holds: one, one or none, or a list.
pub trait Files: Sized {
    /// Each file, in order.
    fn files(&self) -> Vec<&FilePart>;
    /// The property read from the parts named `name` (in order).
    fn from_files(name: &str, files: Vec<FilePart>) -> Result<Self, FormError>;
}

impl Files for FilePart {
    fn files(&self) -> Vec<&FilePart> {
        vec![self]
    }
    fn from_files(name: &str, files: Vec<FilePart>) -> Result<Self, FormError> {
        let count = files.len();
        let mut files = files.into_iter();
        match (files.next(), count) {
            (Some(file), 1) => Ok(file),
            (None, _) => Err(FormError(format!(
                "the part `{}` is missing",
                excerpt(name)
            ))),
            _ => Err(FormError(format!(
                "the part `{}` is sent {count} times, but holds one file",
                excerpt(name)
            ))),
        }
    }
}

impl Files for Option<FilePart> {
    fn files(&self) -> Vec<&FilePart> {
        self.iter().collect()
    }
    fn from_files(name: &str, files: Vec<FilePart>) -> Result<Self, FormError> {
        if files.is_empty() {
            return Ok(None);
        }
        FilePart::from_files(name, files).map(Some)
    }
}

impl Files for Vec<FilePart> {
    fn files(&self) -> Vec<&FilePart> {
        self.iter().collect()
    }
    fn from_files(_: &str, files: Vec<FilePart>) -> Result<Self, FormError> {
        Ok(files)
    }
}

impl Files for Option<Vec<FilePart>> {
    fn files(&self) -> Vec<&FilePart> {
        self.iter().flatten().collect()
    }
    fn from_files(_: &str, files: Vec<FilePart>) -> Result<Self, FormError> {
        Ok((!files.is_empty()).then_some(files))
    }
}

/// RFC 2046's boundary: 1 to 70 of its characters (letters, digits, `'()+_,-./:=?` and a
/// space, not last). The one check of the client's encoder and the server's parser.
pub fn is_boundary(boundary: &str) -> bool {
    (1..=70).contains(&boundary.len())
        && !boundary.ends_with(' ')
        && boundary
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"'()+_,-./:=? ".contains(&b))
}

fn excerpt(text: &str) -> String {
    crate::excerpt(text, 80)
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    let essence = essence.to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

impl FormParts {
    /// No parts.
    pub fn new() -> Self {
        FormParts::default()
    }

    /// These parts, in order (as a server read them).
    pub fn from_parts(parts: Vec<Part>) -> Self {
        FormParts { parts }
    }

    /// The parts, in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Appends a part.
    pub fn push(&mut self, part: Part) {
        self.parts.push(part);
    }

    /// Appends the parts of a value property `name` by the module's rules (nothing for `None`),
    /// with `content_type`, the document's `encoding.contentType`, when it gives one.
    pub fn value<T: Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
        content_type: Option<&str>,
    ) -> Result<(), FormError> {
        let value = serde_json::to_value(value).map_err(|e| {
            FormError(format!(
                "the part `{}` does not serialize: {}",
                excerpt(name),
                excerpt(&e.to_string())
            ))
        })?;
        match value {
            Value::Null => Ok(()),
            Value::Array(items) => {
                for item in items {
                    self.item(name, item, content_type)?;
                }
                Ok(())
            }
            value => self.item(name, value, content_type),
        }
    }

    fn item(
        &mut self,
        name: &str,
        value: Value,
        content_type: Option<&str>,
    ) -> Result<(), FormError> {
        let json =
            content_type.map_or(matches!(value, Value::Object(_) | Value::Array(_)), is_json);
        let (bytes, default) = match value {
            Value::Null => return Ok(()),
            Value::String(text) if !json => (text.into_bytes(), None),
            Value::Number(n) if !json => (n.to_string().into_bytes(), None),
            Value::Bool(b) if !json => (b.to_string().into_bytes(), None),
            value => {
                let bytes = serde_json::to_vec(&value)
                    .map_err(|e| FormError(format!("the part `{}`: {e}", excerpt(name))))?;
                (bytes, Some("application/json"))
            }
        };
        self.parts.push(Part {
            name: name.to_owned(),
            file_name: None,
            content_type: content_type.or(default).map(str::to_owned),
            bytes,
            stream: None,
        });
        Ok(())
    }

    /// Appends a part per file of file property `name`; `content_type`, the document's
    /// `encoding.contentType`, is used for a file that names none.
    pub fn files<F: Files>(&mut self, name: &str, files: &F, content_type: Option<&str>) {
        for file in files.files() {
            self.parts.push(Part {
                name: name.to_owned(),
                file_name: file.file_name.clone(),
                content_type: file
                    .content_type
                    .clone()
                    .or_else(|| content_type.map(str::to_owned)),
                bytes: file.bytes.clone(),
                stream: file.stream.clone(),
            });
        }
    }

    /// Takes the parts named `name` out, in order.
    fn take(&mut self, name: &str) -> Vec<Part> {
        let (taken, rest) = std::mem::take(&mut self.parts)
            .into_iter()
            .partition(|p| p.name == name);
        self.parts = rest;
        taken
    }

    /// Takes file property `name` out: every part of that name is one of its files.
    pub fn take_files<F: Files>(&mut self, name: &str) -> Result<F, FormError> {
        let files = self
            .take(name)
            .into_iter()
            .map(|p| FilePart {
                bytes: p.bytes,
                file_name: p.file_name,
                content_type: p.content_type,
                stream: p.stream,
            })
            .collect();
        F::from_files(name, files)
    }

    /// Takes value property `name` out: no part is an absent property or an empty list (an
    /// error for any other `T`), one part is its value, several the items of an array. A JSON part
    /// is decoded as JSON; a text part is its text, or the number or boolean it spells.
    pub fn take_value<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, FormError> {
        let parts = self.take(name);
        let bad = |what: &dyn std::fmt::Display| {
            FormError(format!("the part `{}` {what}", excerpt(name)))
        };
        if parts.is_empty() {
            // Absent, or an empty list (which is no part at all on the wire).
            return serde_json::from_value(Value::Null)
                .or_else(|_| serde_json::from_value(Value::Array(Vec::new())))
                .map_err(|_| bad(&"is missing"));
        }
        // Each part as the value it can be: JSON parts as their JSON; text parts as their
        // text and, second, as the scalar the text spells (`42`, `true`).
        let mut texts = Vec::with_capacity(parts.len());
        let mut scalars = Vec::with_capacity(parts.len());
        for part in &parts {
            if part.content_type.as_deref().is_some_and(is_json) {
                let value: Value = serde_json::from_slice(&part.bytes)
                    .map_err(|e| bad(&format_args!("is not JSON: {}", excerpt(&e.to_string()))))?;
                texts.push(value.clone());
                scalars.push(value);
            } else {
                let text = std::str::from_utf8(&part.bytes).map_err(|_| bad(&"is not UTF-8"))?;
                let scalar = match serde_json::from_str::<Value>(text) {
                    Ok(v @ (Value::Number(_) | Value::Bool(_))) => v,
                    _ => Value::String(text.to_owned()),
                };
                texts.push(Value::String(text.to_owned()));
                scalars.push(scalar);
            }
        }
        let mut candidates = Vec::new();
        if parts.len() == 1 {
            candidates.push(texts[0].clone());
            candidates.push(scalars[0].clone());
        }
        candidates.push(Value::Array(texts));
        candidates.push(Value::Array(scalars));
        let mut first_error = None;
        for candidate in candidates {
            match serde_json::from_value(candidate) {
                Ok(value) => return Ok(value),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let e = first_error.map(|e| e.to_string()).unwrap_or_default();
        Err(bad(&format_args!("does not decode: {}", excerpt(&e))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_text_json_or_repeated_parts() {
        let mut parts = FormParts::new();
        parts.value("name", "Ann", None).expect("text");
        parts.value("age", &42, None).expect("number");
        parts.value("missing", &None::<String>, None).expect("none");
        parts
            .value("meta", &serde_json::json!({"a": [1, 2]}), None)
            .expect("object");
        parts.value("tags", &["x", "y"], None).expect("array");
        parts
            .value("note", "<b/>", Some("text/html"))
            .expect("typed");
        let names: Vec<_> = parts.parts().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["name", "age", "meta", "tags", "tags", "note"]);
        assert_eq!(parts.parts()[1].bytes, b"42");
        assert_eq!(
            parts.parts()[2].content_type.as_deref(),
            Some("application/json")
        );
        assert_eq!(parts.parts()[2].bytes, br#"{"a":[1,2]}"#);
        assert_eq!(parts.parts()[0].content_type, None);
        assert_eq!(parts.parts()[5].content_type.as_deref(), Some("text/html"));

        assert_eq!(parts.take_value::<String>("name").expect("name"), "Ann");
        assert_eq!(parts.take_value::<u8>("age").expect("age"), 42);
        assert_eq!(
            parts
                .take_value::<Option<String>>("missing")
                .expect("absent"),
            None
        );
        assert_eq!(
            parts.take_value::<serde_json::Value>("meta").expect("meta"),
            serde_json::json!({"a": [1, 2]})
        );
        assert_eq!(
            parts.take_value::<Vec<String>>("tags").expect("tags"),
            ["x", "y"]
        );
        assert_eq!(parts.take_value::<String>("note").expect("note"), "<b/>");
        let missing = parts
            .take_value::<String>("name")
            .expect_err("taken already");
        assert_eq!(missing.to_string(), "the part `name` is missing");
    }

    #[test]
    fn a_text_that_spells_a_number_stays_text_for_a_string() {
        let mut parts = FormParts::new();
        parts.value("code", "007", None).expect("text");
        parts.value("one", &["1"], None).expect("array of one");
        assert_eq!(parts.take_value::<String>("code").expect("code"), "007");
        assert_eq!(parts.take_value::<Vec<String>>("one").expect("one"), ["1"]);
    }

    #[test]
    fn files_keep_name_type_and_bytes_and_lists_repeat() {
        let file = FilePart::new(b"\xff\r\n--x".to_vec())
            .file_name("a.bin")
            .content_type("image/png");
        let mut parts = FormParts::new();
        parts.files("file", &file, None);
        parts.files(
            "more",
            &vec![FilePart::new(b"1".to_vec()), FilePart::new(b"2".to_vec())],
            Some("text/plain"),
        );
        parts.files("none", &None::<FilePart>, None);
        assert_eq!(parts.parts().len(), 3);
        assert_eq!(parts.parts()[1].content_type.as_deref(), Some("text/plain"));
        assert_eq!(parts.take_files::<FilePart>("file").expect("file"), file);
        let more: Vec<FilePart> = parts.take_files("more").expect("more");
        assert_eq!(more.len(), 2);
        assert_eq!(more[1].bytes, b"2");
        assert_eq!(
            parts.take_files::<Option<FilePart>>("none").expect("none"),
            None
        );
        let missing = parts.take_files::<FilePart>("file").expect_err("taken");
        assert_eq!(missing.to_string(), "the part `file` is missing");
    }

    #[test]
    fn bad_parts_are_errors_naming_them() {
        let mut parts = FormParts::from_parts(vec![
            Part {
                name: "n".into(),
                bytes: b"\xff".to_vec(),
                ..Part::default()
            },
            Part {
                name: "j".into(),
                content_type: Some("application/json".into()),
                bytes: b"{".to_vec(),
                ..Part::default()
            },
            Part {
                name: "i".into(),
                bytes: b"x".to_vec(),
                ..Part::default()
            },
        ]);
        let e = parts.take_value::<String>("n").expect_err("not UTF-8");
        assert_eq!(e.to_string(), "the part `n` is not UTF-8");
        let e = parts.take_value::<Value>("j").expect_err("not JSON");
        assert!(e.to_string().starts_with("the part `j` is not JSON"), "{e}");
        let e = parts.take_value::<u32>("i").expect_err("not a number");
        assert!(
            e.to_string().starts_with("the part `i` does not decode"),
            "{e}"
        );
    }
}
