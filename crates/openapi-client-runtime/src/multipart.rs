//! `multipart/form-data` encoding (RFC 7578): a generated form's parts written as one body,
//! sans-IO. Each part has a `Content-Disposition` with its name (and file name, for a file)
//! and, when it has one, a `Content-Type`; names and file names are quoted with `"`, CR and LF
//! percent-encoded, as browsers do (WHATWG's multipart/form-data encoding), and the server
//! runtime reads them back the same way. The boundary is random (a v4 UUID) and drawn again in
//! the unlikely case that it occurs in the content, so no part can end the body early.
//!
//! A streamed file part (`FilePart::from_stream`) is not in memory to be searched: the body is
//! then segments, the encoded bytes around each stream, and the stream is read as the body is
//! sent (`streaming.rs`). Its boundary is a fresh 128-bit random value that no content made
//! before the request can hold, so only a stream that guesses it could end the body early.

use crate::error::Error;
use crate::request::MultipartBody;
use crate::streaming::{Segment, StreamedBody};
use openapi_models_runtime::__private::{FormParts, MultipartForm, Part};
use openapi_models_runtime::excerpt;

/// A form's body: its boundary, and its bytes or, with a streamed part, its segments.
pub(crate) enum Encoded {
    /// Every part in memory.
    Bytes(MultipartBody),
    /// Some part is streamed.
    Streamed {
        boundary: String,
        body: StreamedBody,
    },
}

/// The body of a generated form: its parts, encoded with a fresh boundary.
pub(crate) fn encode_form<T: MultipartForm>(form: &T) -> Result<Encoded, Error> {
    let mut parts = FormParts::new();
    form.write_parts(&mut parts)
        .map_err(|e| Error::InvalidRequest(format!("the multipart body: {e}")))?;
    encode_segments(parts.parts())
}

/// These parts encoded with a fresh boundary (all in memory).
#[cfg(test)]
pub(crate) fn encode_parts(parts: &[Part]) -> Result<MultipartBody, Error> {
    match encode_segments(parts)? {
        Encoded::Bytes(body) => Ok(body),
        Encoded::Streamed { .. } => Err(Error::InvalidRequest("a streamed part".to_owned())),
    }
}

fn encode_segments(parts: &[Part]) -> Result<Encoded, Error> {
    let boundary = loop {
        let boundary = format!("form-{}", uuid::Uuid::new_v4().simple());
        if !parts
            .iter()
            .any(|p| contains(&p.bytes, boundary.as_bytes()))
        {
            break boundary;
        }
    };
    let mut segments = Vec::new();
    let mut body = Vec::with_capacity(parts.iter().map(|p| p.bytes.len() + 160).sum());
    for part in parts {
        body.extend_from_slice(b"--");
        body.extend_from_slice(boundary.as_bytes());
        body.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
        body.extend_from_slice(quoted(&part.name).as_bytes());
        body.push(b'"');
        if let Some(file_name) = &part.file_name {
            body.extend_from_slice(b"; filename=\"");
            body.extend_from_slice(quoted(file_name).as_bytes());
            body.push(b'"');
        }
        body.extend_from_slice(b"\r\n");
        let content_type = match (&part.content_type, &part.file_name) {
            (Some(media), _) => Some(media.as_str()),
            (None, Some(_)) => Some("application/octet-stream"),
            (None, None) => None,
        };
        if let Some(media) = content_type {
            if media.chars().any(char::is_control) {
                return Err(Error::InvalidRequest(format!(
                    "the content type of part `{}` holds a control character",
                    excerpt(&part.name, 80).escape_debug()
                )));
            }
            body.extend_from_slice(b"Content-Type: ");
            body.extend_from_slice(media.as_bytes());
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"\r\n");
        match &part.stream {
            Some(stream) => {
                segments.push(Segment::Bytes(std::mem::take(&mut body)));
                segments.push(Segment::Stream {
                    part: part.name.clone(),
                    stream: stream.clone(),
                });
            }
            None => body.extend_from_slice(&part.bytes),
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"--\r\n");
    if segments.is_empty() {
        return Ok(Encoded::Bytes(MultipartBody::new(boundary, body)));
    }
    segments.push(Segment::Bytes(body));
    Ok(Encoded::Streamed {
        boundary,
        body: StreamedBody::new(segments),
    })
}

/// A name or file name as the quoted string of `Content-Disposition`.
fn quoted(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_delimited_named_and_typed() {
        let parts = [
            Part {
                name: "title".into(),
                bytes: b"Hi".to_vec(),
                ..Part::default()
            },
            Part {
                name: "fi\"le\r\n".into(),
                file_name: Some("a \"b\".bin".into()),
                bytes: b"\r\n--x\xff".to_vec(),
                ..Part::default()
            },
        ];
        let body = encode_parts(&parts).expect("encodes");
        let b = body.boundary();
        assert!(b.starts_with("form-") && b.len() == 37, "{b}");
        let expected = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHi\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"fi%22le%0D%0A\"; filename=\"a %22b%22.bin\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n\r\n--x\u{fffd}\r\n--{b}--\r\n"
        );
        assert_eq!(String::from_utf8_lossy(body.bytes()), expected);
    }

    #[test]
    fn the_boundary_is_fresh_each_time() {
        let a = encode_parts(&[]).expect("encodes");
        let b = encode_parts(&[]).expect("encodes");
        assert_ne!(a.boundary(), b.boundary());
        assert_eq!(a.bytes(), format!("--{}--\r\n", a.boundary()).as_bytes());
    }

    #[test]
    fn a_content_type_with_a_line_break_is_refused() {
        let part = Part {
            name: "f".into(),
            content_type: Some("text/plain\r\nX-Evil: 1".into()),
            ..Part::default()
        };
        let e = encode_parts(&[part]).expect_err("refused");
        assert!(e.to_string().contains("control character"), "{e}");
    }

    #[cfg(feature = "reqwest")]
    #[test]
    fn a_streamed_part_is_a_segment_between_its_head_and_the_rest() {
        use crate::streaming::Segment;
        let file = openapi_models_runtime::FilePart::from_reader(
            std::io::Cursor::new(b"abc".to_vec()),
            Some(3),
        );
        let mut parts = FormParts::new();
        parts.files("f", &file, None);
        parts.value("t", "x", None).expect("text");
        let Ok(Encoded::Streamed { boundary, body }) = encode_segments(parts.parts()) else {
            panic!("a streamed body");
        };
        let b = &boundary;
        let head = format!("--{b}\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n");
        let tail = format!(
            "\r\n--{b}\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nx\r\n--{b}--\r\n"
        );
        assert_eq!(body.length(), Some((head.len() + 3 + tail.len()) as u64));
        assert_eq!(body.first_part(), "f");
        let segments = body.segments();
        assert!(matches!(&segments[0], Segment::Bytes(h) if h == head.as_bytes()));
        assert!(matches!(&segments[1], Segment::Stream { part, .. } if part == "f"));
        assert!(matches!(&segments[2], Segment::Bytes(t) if t == tail.as_bytes()));
        // Without a declared length, the body's is unknown.
        let mut parts = FormParts::new();
        let unsized_file =
            openapi_models_runtime::FilePart::from_reader(std::io::Cursor::new(Vec::new()), None);
        parts.files("f", &unsized_file, None);
        let Ok(Encoded::Streamed { body, .. }) = encode_segments(parts.parts()) else {
            panic!("a streamed body");
        };
        assert_eq!(body.length(), None);
    }
}
