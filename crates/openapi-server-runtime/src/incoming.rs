//! A request being read into an operation's typed inputs: path parameters decoded from their
//! segments, query, header and cookie parameters found by name and read as their types,
//! bodies checked against their media type and decoded. Each step is the exact inverse of the
//! generated client's encoding, and each refusal is a [`Failure`] naming what is wrong: `400`,
//! or `415` for a body of another media type.

use crate::context::{Context, OperationInfo};
use crate::failure::Failure;
use crate::text::{from_form, from_text};
use axum::body::Bytes;
use http::header::{CONTENT_TYPE, COOKIE};
use http::request::Parts;
use openapi_models_runtime::__private::{FormParts, MultipartForm};
use openapi_models_runtime::excerpt;
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;

/// A multipart body (`multipart/form-data`…), as sent: the boundary its `Content-Type` names
/// and the encoded parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multipart {
    /// The boundary between the parts.
    pub boundary: String,
    /// The whole encoded body.
    pub bytes: Vec<u8>,
}

/// A request whose head and body have been read, being turned into typed inputs.
#[derive(Debug)]
pub struct Incoming {
    operation: &'static OperationInfo,
    parts: Parts,
    body: Bytes,
}

impl Incoming {
    pub(crate) fn new(operation: &'static OperationInfo, parts: Parts, body: Bytes) -> Self {
        Incoming {
            operation,
            parts,
            body,
        }
    }

    /// The rest of the request, for the handler.
    pub fn into_context(self) -> Context {
        Context::new(self.operation, self.parts)
    }

    /// Path parameter `name`, segment `index` of the path (from 0, the template's): decoded
    /// from its percent-encoding ([`decode`]), never empty.
    pub fn path(&self, index: usize, name: &str) -> Result<String, Failure> {
        // Every segment counts, empty ones too: the router lets a parameter match an empty
        // segment (`/users//presence`), which must be refused here, not skipped so that the
        // next segment is read in its place.
        let raw = self
            .parts
            .uri
            .path()
            .split('/')
            .skip(1)
            .nth(index)
            .unwrap_or_default();
        let decoded = decode(raw).map_err(|problem| {
            Failure::bad_request(format!("path parameter `{name}` {problem}"))
        })?;
        if decoded.is_empty() {
            return Err(Failure::bad_request(format!(
                "path parameter `{name}` is empty"
            )));
        }
        Ok(decoded)
    }

    /// The decoded values of query parameter `name`, in order.
    fn query_values(&self, name: &str) -> Result<Vec<String>, Failure> {
        let Some(query) = self.parts.uri.query() else {
            return Ok(Vec::new());
        };
        let mut values = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let pair_name = percent_decode_str(raw_name).decode_utf8_lossy();
            if pair_name != name {
                continue;
            }
            let value = decode(raw_value).map_err(|problem| {
                Failure::bad_request(format!("query parameter `{}` {problem}", excerpt(name, 60)))
            })?;
            values.push(value);
        }
        Ok(values)
    }

    /// Query parameter `name`, one value read as a `T`; `None` when absent and not required.
    pub fn query<T: DeserializeOwned>(
        &self,
        name: &str,
        required: bool,
    ) -> Result<Option<T>, Failure> {
        let values = self.query_values(name)?;
        let what = || format!("query parameter `{}`", excerpt(name, 60));
        match one(values, required, &what)? {
            Some(text) => read(&text, &what).map(Some),
            None => Ok(None),
        }
    }

    /// An array query parameter written one item per pair (`?a=1&a=2`: `form` with `explode`).
    pub fn query_exploded<T: DeserializeOwned>(
        &self,
        name: &str,
        required: bool,
    ) -> Result<Option<Vec<T>>, Failure> {
        let values = self.query_values(name)?;
        let what = || format!("query parameter `{}`", excerpt(name, 60));
        if values.is_empty() {
            return absent(required, &what);
        }
        values
            .iter()
            .map(|v| read(v, &what))
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// An array query parameter written as one value, its items joined by `delimiter`.
    pub fn query_joined<T: DeserializeOwned>(
        &self,
        name: &str,
        delimiter: &str,
        required: bool,
    ) -> Result<Option<Vec<T>>, Failure> {
        let values = self.query_values(name)?;
        let what = || format!("query parameter `{}`", excerpt(name, 60));
        match one(values, required, &what)? {
            Some(text) => split(&text, delimiter, &what).map(Some),
            None => Ok(None),
        }
    }

    /// The text of header `name` (every line it was sent on, joined by `,` as HTTP does).
    fn header_text(&self, name: &str) -> Result<Option<String>, Failure> {
        let mut texts = Vec::new();
        for value in self.parts.headers.get_all(name) {
            let text = value.to_str().map_err(|_| {
                Failure::bad_request(format!("header `{}` is not text", excerpt(name, 60)))
            })?;
            texts.push(text.trim().to_owned());
        }
        Ok((!texts.is_empty()).then(|| texts.join(",")))
    }

    /// Header parameter `name`, read as a `T`.
    pub fn header<T: DeserializeOwned>(
        &self,
        name: &str,
        required: bool,
    ) -> Result<Option<T>, Failure> {
        let what = || format!("header `{}`", excerpt(name, 60));
        match self.header_text(name)? {
            Some(text) => read(&text, &what).map(Some),
            None => absent(required, &what),
        }
    }

    /// An array header parameter: its items joined by `,` (`simple`).
    pub fn header_list<T: DeserializeOwned>(
        &self,
        name: &str,
        required: bool,
    ) -> Result<Option<Vec<T>>, Failure> {
        let what = || format!("header `{}`", excerpt(name, 60));
        match self.header_text(name)? {
            Some(text) => split(&text, ",", &what).map(Some),
            None => absent(required, &what),
        }
    }

    /// The decoded values of cookie `name`, from every `Cookie` header.
    fn cookie_values(&self, name: &str) -> Result<Vec<String>, Failure> {
        let what = || format!("cookie `{}`", excerpt(name, 60));
        let mut values = Vec::new();
        for header in self.parts.headers.get_all(COOKIE) {
            let text = header
                .to_str()
                .map_err(|_| Failure::bad_request("the `Cookie` header is not text"))?;
            for pair in text.split(';') {
                let Some((pair_name, value)) = pair.trim().split_once('=') else {
                    continue;
                };
                if pair_name == name {
                    let value = decode(value)
                        .map_err(|problem| Failure::bad_request(format!("{} {problem}", what())))?;
                    values.push(value);
                }
            }
        }
        Ok(values)
    }

    /// Cookie parameter `name`, read as a `T`.
    pub fn cookie<T: DeserializeOwned>(
        &self,
        name: &str,
        required: bool,
    ) -> Result<Option<T>, Failure> {
        let what = || format!("cookie `{}`", excerpt(name, 60));
        match one(self.cookie_values(name)?, required, &what)? {
            Some(text) => read(&text, &what).map(Some),
            None => Ok(None),
        }
    }

    /// An array cookie parameter: its items joined by `,` (a cookie holds one value).
    pub fn cookie_list<T: DeserializeOwned>(
        &self,
        name: &str,
        required: bool,
    ) -> Result<Option<Vec<T>>, Failure> {
        let what = || format!("cookie `{}`", excerpt(name, 60));
        match one(self.cookie_values(name)?, required, &what)? {
            Some(text) => split(&text, ",", &what).map(Some),
            None => Ok(None),
        }
    }

    /// The body's media type essence, lowercase (`application/json`), if it has one.
    fn media_type(&self) -> Option<String> {
        let value = self.parts.headers.get(CONTENT_TYPE)?.to_str().ok()?;
        Some(essence(value))
    }

    /// Whether there is a body to read: a required one must be there; an absent optional one
    /// is `None`.
    fn has_body(&self, required: bool) -> Result<bool, Failure> {
        match (self.body.is_empty(), required) {
            (false, _) => Ok(true),
            (true, false) => Ok(false),
            (true, true) => Err(Failure::bad_request("a request body is required")),
        }
    }

    /// Refuses a body that is not of one of these media type essences (`415`).
    fn expect_media(&self, accepted: impl Fn(&str) -> bool, declared: &str) -> Result<(), Failure> {
        match self.media_type() {
            Some(media) if accepted(&media) => Ok(()),
            Some(media) => Err(unsupported(&format!(
                "a body of type `{}`: this operation takes `{declared}`",
                excerpt(&media, 80)
            ))),
            None => Err(unsupported(&format!(
                "a body without a `Content-Type`: this operation takes `{declared}`"
            ))),
        }
    }

    /// A JSON body (`application/json`, `…+json`, or the document's media type `media`), read
    /// as a `T`: a body that does not decode is refused with the path of the bad value, its
    /// line and its column.
    pub fn json_body<T: DeserializeOwned>(
        &self,
        media: &str,
        required: bool,
    ) -> Result<Option<T>, Failure> {
        if !self.has_body(required)? {
            return Ok(None);
        }
        let declared = essence(media);
        self.expect_media(
            |m| {
                m == declared
                    || m == "application/json"
                    || m.ends_with("+json")
                    || m.starts_with("application/json+")
            },
            media,
        )?;
        openapi_models_runtime::from_slice(&self.body)
            .map(Some)
            .map_err(|e| Failure::bad_request(format!("the request body does not decode: {e}")))
    }

    /// An `application/x-www-form-urlencoded` body, read as a `T`.
    pub fn form_body<T: DeserializeOwned>(&self, required: bool) -> Result<Option<T>, Failure> {
        if !self.has_body(required)? {
            return Ok(None);
        }
        self.expect_media(
            |m| m == "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded",
        )?;
        let pairs = form_urlencoded::parse(&self.body).into_owned().collect();
        from_form(pairs)
            .map(Some)
            .map_err(|e| Failure::bad_request(format!("the form body does not decode: {e}")))
    }

    /// A text body of media type `media` (`text/plain`), its UTF-8 text read as a `T`.
    pub fn text_body<T: DeserializeOwned>(
        &self,
        media: &str,
        required: bool,
    ) -> Result<Option<T>, Failure> {
        if !self.has_body(required)? {
            return Ok(None);
        }
        self.expect_media(|m| matches_media(m, media), media)?;
        let text = std::str::from_utf8(&self.body)
            .map_err(|_| Failure::bad_request("the text body is not UTF-8"))?;
        read(text, &|| "the text body".to_owned()).map(Some)
    }

    /// A body of bytes of media type `media` (a range such as `*/*` or `image/*` takes any
    /// type in it), unchanged.
    pub fn bytes_body(&self, media: &str, required: bool) -> Result<Option<Vec<u8>>, Failure> {
        if !self.has_body(required)? {
            return Ok(None);
        }
        self.expect_media(|m| matches_media(m, media), media)?;
        Ok(Some(self.body.to_vec()))
    }

    /// A multipart body of media type `media` (`multipart/form-data`), with the boundary its
    /// `Content-Type` names.
    pub fn multipart_body(
        &self,
        media: &str,
        required: bool,
    ) -> Result<Option<Multipart>, Failure> {
        if !self.has_body(required)? {
            return Ok(None);
        }
        self.expect_media(|m| matches_media(m, media), media)?;
        let content_type = self
            .parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let boundary = content_type
            .split(';')
            .skip(1)
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
            .map(|(_, v)| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
            .ok_or_else(|| {
                Failure::bad_request("a multipart body's `Content-Type` needs a boundary")
            })?;
        if !openapi_models_runtime::__private::is_boundary(&boundary) {
            return Err(Failure::bad_request(
                "a multipart body's boundary is 1 to 70 of RFC 2046's characters (letters, \
                 digits, `'()+_,-./:=?` and a space, not last)",
            ));
        }
        Ok(Some(Multipart {
            boundary,
            bytes: self.body.to_vec(),
        }))
    }

    /// A `multipart/form-data` body of media type `media` read into a generated form: its
    /// parts parsed ([`crate::multipart`]), then each property taken from them. A malformed
    /// body, or a part that is not its property's type, is a `400` saying which.
    pub fn multipart_form<T: MultipartForm>(
        &self,
        media: &str,
        required: bool,
    ) -> Result<Option<T>, Failure> {
        let Some(body) = self.multipart_body(media, required)? else {
            return Ok(None);
        };
        let parts = crate::multipart::parse(&body.boundary, &body.bytes)
            .map_err(|problem| Failure::bad_request(format!("the multipart body {problem}")))?;
        T::read_parts(&mut FormParts::from_parts(parts))
            .map(Some)
            .map_err(|e| Failure::bad_request(format!("the multipart body: {e}")))
    }
}

/// Text of a path segment, query value or cookie decoded from its percent-encoding, exactly:
/// every `%` starts an escape of two hex digits (RFC 3986's `pct-encoded`; the client writes a
/// `%` of the text as `%25`, so a bare one is nothing the client wrote, and reading it as
/// itself would make `%ZZ` and `%25ZZ` the same id), and the bytes are UTF-8. Refused, what
/// is wrong, to follow the parameter's name.
fn decode(raw: &str) -> Result<String, &'static str> {
    let bytes = raw.as_bytes();
    let hex = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_hexdigit);
    let bare = (0..bytes.len()).any(|i| bytes[i] == b'%' && !(hex(i + 1) && hex(i + 2)));
    if bare {
        return Err("has a `%` that starts no escape");
    }
    percent_decode_str(raw)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| "is not UTF-8 once percent-decoded")
}

/// A required input, which the reading refused if it was absent.
pub fn present<T>(value: Option<T>) -> Result<T, Failure> {
    value.ok_or_else(|| Failure::internal("a required input was not read"))
}

/// The one value a parameter may have: none (absent, refused when required), or one (a second
/// is refused: which would count is not said).
fn one(
    mut values: Vec<String>,
    required: bool,
    what: &dyn Fn() -> String,
) -> Result<Option<String>, Failure> {
    match values.len() {
        0 => absent(required, what),
        1 => Ok(values.pop()),
        n => Err(Failure::bad_request(format!(
            "{} is given {n} times",
            what()
        ))),
    }
}

fn absent<T>(required: bool, what: &dyn Fn() -> String) -> Result<Option<T>, Failure> {
    match required {
        true => Err(Failure::bad_request(format!("{} is required", what()))),
        false => Ok(None),
    }
}

/// A value's text read as a `T`, or a refusal naming the parameter.
fn read<T: DeserializeOwned>(text: &str, what: &dyn Fn() -> String) -> Result<T, Failure> {
    from_text(text).map_err(|e| Failure::bad_request(format!("{}: {e}", what())))
}

/// A joined array's items (none for empty text: the client writes an empty array so).
fn split<T: DeserializeOwned>(
    text: &str,
    delimiter: &str,
    what: &dyn Fn() -> String,
) -> Result<Vec<T>, Failure> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(delimiter).map(|item| read(item, what)).collect()
}

/// A media type's essence, lowercase, without parameters.
fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether `media` (an essence) is the declared media type or in its range (`*/*`, `image/*`).
fn matches_media(media: &str, declared: &str) -> bool {
    let declared = essence(declared);
    match declared.split_once('/') {
        Some(("*", "*")) => true,
        Some((kind, "*")) => media.split_once('/').is_some_and(|(k, _)| k == kind),
        _ => media == declared,
    }
}

fn unsupported(message: &str) -> Failure {
    Failure::new(415, "UnsupportedMediaType", message)
}

#[cfg(test)]
mod tests {
    use super::Incoming;
    use crate::context::OperationInfo;

    static OPERATION: OperationInfo = OperationInfo {
        id: "op",
        method: "GET",
        path: "/users/{id}",
        permissions: None,
    };

    fn incoming(uri: &str, headers: &[(&str, &str)], body: &[u8]) -> Incoming {
        let mut request = http::Request::builder().uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let parts = request.body(()).expect("a request").into_parts().0;
        Incoming::new(&OPERATION, parts, body.to_vec().into())
    }

    #[test]
    fn path_parameters_are_decoded_segments() {
        let request = incoming("/users/%2E%2E%2Fme%20x/presence", &[], b"");
        assert_eq!(request.path(1, "id").as_deref(), Ok("../me x"));
        let bad = incoming("/users/%FF", &[], b"");
        let error = bad.path(1, "id").unwrap_err();
        assert_eq!(error.status(), 400);
        assert!(error.message().contains("`id`"), "{error}");
        assert!(incoming("/users", &[], b"").path(1, "id").is_err());
        // An empty segment is the parameter's, refused, not skipped for the next one.
        let empty = incoming("/users//presence", &[], b"").path(1, "id");
        assert_eq!(empty.unwrap_err().message(), "path parameter `id` is empty");
        for raw in ["%ZZ", "%", "x%2", "%%41", "%+1"] {
            let error = incoming(&format!("/users/{raw}"), &[], b"")
                .path(1, "id")
                .unwrap_err();
            assert_eq!(
                (error.status().as_u16(), error.message()),
                (400, "path parameter `id` has a `%` that starts no escape"),
                "{raw}"
            );
        }
        assert_eq!(
            incoming("/users/%25ZZ%2f", &[], b"")
                .path(1, "id")
                .as_deref(),
            Ok("%ZZ/")
        );
    }

    #[test]
    fn query_parameters_are_found_by_name_and_read_as_their_type() {
        let request = incoming(
            "/x?%24top=5&%24select=id,availability&tag=a&tag=b%20c&twice=1&twice=2&bad=%FF",
            &[],
            b"",
        );
        assert_eq!(request.query::<i32>("$top", true), Ok(Some(5)));
        assert_eq!(
            request.query_joined::<String>("$select", ",", false),
            Ok(Some(vec!["id".to_owned(), "availability".to_owned()]))
        );
        assert_eq!(
            request.query_exploded::<String>("tag", false),
            Ok(Some(vec!["a".to_owned(), "b c".to_owned()]))
        );
        assert_eq!(request.query::<i32>("absent", false), Ok(None));
        let required = request.query::<i32>("absent", true).unwrap_err();
        assert_eq!(required.message(), "query parameter `absent` is required");
        let twice = request.query::<i32>("twice", false).unwrap_err();
        assert_eq!(twice.message(), "query parameter `twice` is given 2 times");
        assert!(request.query::<String>("bad", false).is_err());
        let bare = incoming("/x?a=b%2&c=%zz", &[], b"");
        assert_eq!(
            bare.query::<String>("a", false).unwrap_err().message(),
            "query parameter `a` has a `%` that starts no escape"
        );
        assert!(bare.query::<String>("c", false).is_err());
        let wrong = request.query::<i32>("tag", false).unwrap_err();
        assert_eq!(wrong.status(), 400);
    }

    #[test]
    fn headers_and_cookies_are_read_as_their_types() {
        let request = incoming(
            "/x",
            &[
                ("ConsistencyLevel", "eventual"),
                ("X-Ids", "1,2"),
                ("cookie", "session=a%3Bb; theme=dark"),
            ],
            b"",
        );
        assert_eq!(
            request.header::<String>("consistencylevel", true),
            Ok(Some("eventual".to_owned()))
        );
        assert_eq!(
            request.header_list::<i64>("x-ids", false),
            Ok(Some(vec![1, 2]))
        );
        assert_eq!(
            request.cookie::<String>("session", false),
            Ok(Some("a;b".to_owned()))
        );
        assert_eq!(request.cookie::<String>("missing", false), Ok(None));
        let bare = incoming("/x", &[("cookie", "session=50%")], b"");
        assert_eq!(
            bare.cookie::<String>("session", false)
                .unwrap_err()
                .message(),
            "cookie `session` has a `%` that starts no escape"
        );
    }

    #[test]
    fn bodies_are_checked_against_their_media_type_and_decoded() {
        let json = incoming("/x", &[("content-type", "application/json")], br#"{"a":1}"#);
        let value = json.json_body::<serde_json::Value>("application/json", true);
        assert_eq!(value, Ok(Some(serde_json::json!({"a": 1}))));
        let text = incoming("/x", &[("content-type", "text/plain")], b"{}");
        let refused = text
            .json_body::<serde_json::Value>("application/json", true)
            .unwrap_err();
        assert_eq!(refused.status(), 415);
        let cut = incoming("/x", &[("content-type", "application/json")], br#"{"a":"#);
        let error = cut
            .json_body::<serde_json::Value>("application/json", true)
            .unwrap_err();
        assert_eq!(error.status(), 400);
        assert!(error.message().contains("line 1 column"), "{error}");
        let empty = incoming("/x", &[], b"");
        assert_eq!(
            empty.json_body::<serde_json::Value>("application/json", false),
            Ok(None)
        );
        assert_eq!(
            empty
                .json_body::<serde_json::Value>("application/json", true)
                .unwrap_err()
                .message(),
            "a request body is required"
        );
        let bytes = incoming("/x", &[("content-type", "image/png")], b"\x89PNG");
        assert_eq!(
            bytes.bytes_body("image/*", true),
            Ok(Some(b"\x89PNG".to_vec()))
        );
        assert_eq!(bytes.bytes_body("*/*", true), Ok(Some(b"\x89PNG".to_vec())));
        assert!(bytes.bytes_body("image/jpeg", true).is_err());
        let text = incoming(
            "/x",
            &[("content-type", "text/plain; charset=utf-8")],
            b"42",
        );
        assert_eq!(text.text_body::<i64>("text/plain", true), Ok(Some(42)));
        let multipart = incoming(
            "/x",
            &[("content-type", "multipart/form-data; boundary=\"b1\"")],
            b"--b1--",
        );
        let parts = multipart
            .multipart_body("multipart/form-data", true)
            .expect("a multipart body")
            .expect("present");
        assert_eq!(parts.boundary, "b1");
        for refused in ["x".repeat(71), "b1 ".to_owned(), "b<1".to_owned()] {
            let multipart = incoming(
                "/x",
                &[(
                    "content-type",
                    &format!("multipart/form-data; boundary=\"{refused}\""),
                )],
                b"--b1--",
            );
            assert!(
                multipart
                    .multipart_body("multipart/form-data", true)
                    .is_err(),
                "{refused:?}"
            );
        }
        assert!(openapi_models_runtime::__private::is_boundary(
            &"x".repeat(70)
        ));
    }
}
