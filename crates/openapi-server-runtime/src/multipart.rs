//! `multipart/form-data` bodies read into their parts (RFC 2046 and RFC 7578), as the inverse of
//! the client runtime's encoding: a preamble and an epilogue are ignored, each part's headers
//! are read (`Content-Disposition` with its `name` and `filename`, `Content-Type`), and its
//! content runs, byte for byte, to the CRLF before the next delimiter. Names and file names
//! are unquoted (`\"` escapes) and their `%22`, `%0D` and `%0A` decoded, as browsers write
//! them. Anything else is refused with a message saying what is wrong: no first delimiter,
//! no closing one, a part without headers' end, a header that is not UTF-8, a part that is
//! not `form-data` or has no name, more than [`MAX_PARTS`] parts or a header block over
//! [`MAX_HEADER_BYTES`]. The body's size is bounded before it gets here (the route's limit).

use openapi_models_runtime::__private::Part;
use openapi_models_runtime::excerpt;

/// The most parts a body may have.
pub const MAX_PARTS: usize = 10_000;
/// The most bytes of headers one part may have.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// The parts of `body`, delimited by `boundary`; the error says what is malformed.
pub fn parse(boundary: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let next_delimiter = format!("\r\n--{boundary}").into_bytes();
    // The first delimiter opens the body or follows the preamble's CRLF.
    let mut at = if body.starts_with(delimiter) {
        delimiter.len()
    } else {
        find(body, &next_delimiter, 0)
            .map(|i| i + next_delimiter.len())
            .ok_or("has no delimiter of its boundary")?
    };
    let mut parts = Vec::new();
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then the line's end.
        let padding = rest
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        if !rest[padding..].starts_with(b"\r\n") {
            return Err("has a delimiter not followed by a line break".to_owned());
        }
        at += padding + 2;
        if parts.len() == MAX_PARTS {
            return Err(format!("has more than {MAX_PARTS} parts"));
        }
        let (headers_end, content_start) = if body[at..].starts_with(b"\r\n") {
            (at, at + 2)
        } else {
            let end = find(body, b"\r\n\r\n", at).ok_or("has a part whose headers do not end")?;
            (end, end + 4)
        };
        if headers_end - at > MAX_HEADER_BYTES {
            return Err(format!(
                "has a part with more than {MAX_HEADER_BYTES} bytes of headers"
            ));
        }
        let mut part = headers(&body[at..headers_end])?;
        let content_end = find(body, &next_delimiter, content_start)
            .ok_or("ends before its closing delimiter")?;
        part.bytes = body[content_start..content_end].to_vec();
        parts.push(part);
        at = content_end + next_delimiter.len();
    }
}

/// A part's headers read: its name, file name and content type.
fn headers(block: &[u8]) -> Result<Part, String> {
    let block = std::str::from_utf8(block).map_err(|_| "has a part header that is not UTF-8")?;
    let mut part = Part::default();
    let mut named = false;
    for line in block.split("\r\n") {
        let (name, value) = line
            .split_once(':')
            .ok_or("has a part header line without a colon")?;
        let value = value.trim_matches([' ', '\t']);
        if value.chars().any(char::is_control) {
            return Err("has a part header with a control character".to_owned());
        }
        if name.eq_ignore_ascii_case("content-type") {
            part.content_type = Some(value.to_owned());
        } else if name.eq_ignore_ascii_case("content-disposition") {
            let (kind, params) = value.split_once(';').unwrap_or((value, ""));
            if !kind.trim().eq_ignore_ascii_case("form-data") {
                return Err(format!(
                    "has a part that is `{}`, not `form-data`",
                    excerpt(kind.trim(), 40)
                ));
            }
            for (key, value) in parameters(params)? {
                if key.eq_ignore_ascii_case("name") {
                    part.name = value;
                    named = true;
                } else if key.eq_ignore_ascii_case("filename") {
                    part.file_name = Some(value);
                }
            }
        }
    }
    if !named {
        return Err("has a part without a name in its `Content-Disposition`".to_owned());
    }
    Ok(part)
}

/// The `; key=value` parameters of a header, values unquoted and browser-decoded.
fn parameters(mut text: &str) -> Result<Vec<(String, String)>, String> {
    let mut found = Vec::new();
    loop {
        text = text.trim_start_matches([' ', '\t', ';']);
        if text.is_empty() {
            return Ok(found);
        }
        let (key, rest) = text
            .split_once('=')
            .ok_or("has a `Content-Disposition` parameter without a value")?;
        let key = key.trim().to_owned();
        let rest = rest.trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            // As browsers and curl write it (WHATWG): `"`, CR and LF are percent-encoded, and a
            // backslash is itself, never an escape (`C:\dir\` is a file name ending in one).
            let end = quoted
                .find('"')
                .ok_or("has an unterminated quoted `Content-Disposition` parameter")?;
            text = &quoted[end + 1..];
            value = quoted[..end].to_owned();
        } else {
            let end = rest.find(';').unwrap_or(rest.len());
            value = rest[..end].trim().to_owned();
            text = &rest[end..];
        }
        let value = value
            .replace("%22", "\"")
            .replace("%0D", "\r")
            .replace("%0A", "\n");
        found.push((key, value));
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_keep_names_files_types_and_bytes() {
        let body = b"preamble\r\n--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHi\r\n\
--b \r\ncontent-disposition: form-data; name=\"f%22\"; filename=\"a %22b%22 C:\\x\\\"\r\nContent-Type: image/png\r\n\r\n\r\n--c\xff\r\n\
--b\r\nContent-Disposition: form-data; name=empty\r\n\r\n\r\n--b--\r\nepilogue";
        let parts = parse("b", body).expect("parses");
        assert_eq!(parts.len(), 3);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].bytes.as_slice()),
            ("title", &b"Hi"[..])
        );
        assert_eq!(parts[1].name, "f\"");
        assert_eq!(parts[1].file_name.as_deref(), Some("a \"b\" C:\\x\\"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[1].bytes, b"\r\n--c\xff");
        assert_eq!(parts[2].bytes, b"");
        assert_eq!(parse("b", b"--b--").expect("no parts"), []);
    }

    #[test]
    fn malformed_bodies_say_what_is_wrong() {
        let cases: [(&[u8], &str); 7] = [
            (b"nothing", "has no delimiter of its boundary"),
            (b"--bx", "has a delimiter not followed by a line break"),
            (
                b"--b\r\nContent-Disposition: form-data; name=a",
                "has a part whose headers do not end",
            ),
            (
                b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\nxx",
                "ends before its closing delimiter",
            ),
            (
                b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
                "has a part without a name in its `Content-Disposition`",
            ),
            (
                b"--b\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b--",
                "has a part that is `attachment`, not `form-data`",
            ),
            (
                b"--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b--",
                "has an unterminated quoted `Content-Disposition` parameter",
            ),
        ];
        for (body, message) in cases {
            assert_eq!(parse("b", body).expect_err("malformed"), message);
        }
        let mut many = Vec::new();
        for _ in 0..=MAX_PARTS {
            many.extend_from_slice(b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n");
        }
        many.extend_from_slice(b"--b--");
        assert_eq!(
            parse("b", &many).expect_err("too many"),
            "has more than 10000 parts"
        );
    }
}
