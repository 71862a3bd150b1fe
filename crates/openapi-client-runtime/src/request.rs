//! The sans-IO core: building an `http::Request` and reading an `http::Response`, with no
//! network. The generated builders call these; the reqwest executor only moves bytes.

use crate::error::{self, DecodeFailure, Error, TextFailure};
use http::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT};
use http::{Method, Request, Response};
use openapi_models_runtime::excerpt;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Everything but RFC 3986's unreserved characters is encoded in a path parameter, and so is
/// `.`, so that `..` can never become a dot-segment: a parameter is always exactly one segment.
const PATH_PARAMETER: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// In a query value, also keep a few characters OData writes literally and that are safe there.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'~')
    .remove(b'.')
    .remove(b',')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b':')
    .remove(b'/')
    .remove(b'$');

/// A form value (`application/x-www-form-urlencoded`): what the URL standard's form encoding
/// leaves as is; a space becomes `+` afterwards.
const FORM_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

/// A cookie value: what RFC 6265's `cookie-octet` allows, except `%`, which starts an escape;
/// everything else (space, `"`, `,`, `;`, `\`, controls, non-ASCII) is percent-encoded.
pub(crate) const COOKIE_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'/')
    .remove(b':')
    .remove(b'<')
    .remove(b'=')
    .remove(b'>')
    .remove(b'?')
    .remove(b'@')
    .remove(b'[')
    .remove(b']')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'{')
    .remove(b'|')
    .remove(b'}')
    .remove(b'~');

/// The `User-Agent` a client sends unless told otherwise: this crate's name and version.
/// Generated clients send their own (see [`crate::client!`]).
pub const DEFAULT_USER_AGENT: &str =
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The header that correlates a client's request with the server's logs (Graph's and Azure's
/// name for it); every request carries one, a new UUID unless the builder's
/// `client_request_id` sets it.
pub const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");

/// An array parameter's items written as one value, joined by `delimiter` (`a,b` for the
/// `form` style without `explode` and for `simple`; ` ` and `|` for `spaceDelimited` and
/// `pipeDelimited`).
pub fn delimited<T: std::fmt::Display>(values: &[T], delimiter: &str) -> String {
    let mut text = String::new();
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            text.push_str(delimiter);
        }
        std::fmt::Write::write_fmt(&mut text, format_args!("{value}")).unwrap_or(());
    }
    text
}

/// One operation: how to build its request and how to read its response. Implemented by every
/// generated request builder.
pub trait Operation {
    /// The decoded success body (`()` for operations that answer with no body).
    type Output;

    /// The request as it goes on the wire, except its credentials (the `Authorization` header,
    /// an API key), which the executor adds (so a built request never holds a secret). A
    /// multipart form with a streamed file part has no bytes to put here: it is an
    /// [`Error::InvalidRequest`] naming the part, and only [`Client::send`](crate::Client::send)
    /// sends it.
    fn to_request(&self) -> Result<Request<Vec<u8>>, Error>;

    /// Reads a response: a 2xx becomes the output, anything else an [`Error`].
    fn parse_response(&self, response: Response<Vec<u8>>) -> Result<Response<Self::Output>, Error>;

    /// Whether sending it twice does no harm (so failures may be retried).
    fn idempotent(&self) -> bool {
        false
    }

    /// The schema's operationId (`me_GetPresence`), for traces; empty if unknown.
    fn operation_id(&self) -> &'static str {
        ""
    }

    /// The path template (`/users/{user-id}/presence`), for traces: unlike the request's
    /// path it holds no ids, so traces group by operation and carry no user data.
    fn path_template(&self) -> &'static str {
        ""
    }

    /// The credentials the operation requires, as its document's `security` says: alternatives
    /// of which any one suffices (an empty list: none). `None`, the default, is the client's
    /// bearer token, as for an operation whose document requires only OAuth or bearer tokens.
    fn security(&self) -> Option<&'static [&'static [crate::credentials::Scheme]]> {
        None
    }
}

/// A `multipart/*` body (`multipart/form-data`), encoded by the caller: the bytes of the parts
/// and the boundary that delimits them (RFC 2046). The request's `Content-Type` is the
/// operation's media type with this boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartBody {
    boundary: String,
    bytes: Vec<u8>,
}

impl MultipartBody {
    /// `bytes` is the whole encoded body, every part opened by `--` and `boundary`, and closed
    /// by `--`, `boundary` and `--`. A boundary is 1 to 70 of RFC 2046's characters (letters,
    /// digits and `'()+_,-./:=?` and space, not last); any other is an
    /// [`Error::InvalidRequest`] when the request is built.
    pub fn new(boundary: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        MultipartBody {
            boundary: boundary.into(),
            bytes: bytes.into(),
        }
    }

    /// The boundary that separates the parts (sent in `Content-Type`).
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// The encoded body.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// What a generated builder knows about its request; turned into an `http::Request` by
/// [`RequestSpec::build`].
#[derive(Debug, Clone)]
pub struct RequestSpec {
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    /// Header parameters, checked when the request is built.
    headers: Vec<(&'static str, String)>,
    /// Cookie parameters, sent together in one `Cookie` header.
    cookies: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    /// A body with streamed parts, which only the executor sends (see `streaming.rs`).
    streamed: Option<crate::streaming::StreamedBody>,
    /// The body's `Content-Type` (JSON unless a raw body says otherwise).
    content_type: Option<String>,
    /// The `Accept` header (JSON unless the operation answers with another media type).
    accept: Option<String>,
    client_request_id: Option<String>,
}

impl RequestSpec {
    /// A request with this method, an empty path and no query, body or extra headers.
    pub fn new(method: Method) -> Self {
        RequestSpec {
            method,
            path: String::new(),
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            streamed: None,
            content_type: None,
            accept: None,
            client_request_id: None,
        }
    }

    /// Appends a literal path segment from the schema.
    pub fn segment(&mut self, literal: &str) {
        self.path.push('/');
        self.path.push_str(literal);
    }

    /// Appends a path parameter, percent-encoded as exactly one segment.
    pub fn parameter(&mut self, name: &str, value: &str) -> Result<(), Error> {
        if value.is_empty() {
            return Err(Error::InvalidRequest(format!(
                "path parameter `{name}` is empty"
            )));
        }
        self.path.push('/');
        self.path.extend(utf8_percent_encode(value, PATH_PARAMETER));
        Ok(())
    }

    /// Adds a query option (`$select`, `$filter`, …); the value is percent-encoded.
    pub fn query(&mut self, name: &'static str, value: &str) {
        self.query
            .push((name, utf8_percent_encode(value, QUERY_VALUE).to_string()));
    }

    /// Adds a header parameter (`If-Match`, `ConsistencyLevel`, `Prefer`). It replaces a header
    /// the client would set by default (`User-Agent`). Name and value are checked when the
    /// request is built: a value with a line break or another control character is an
    /// [`Error::InvalidRequest`] then, so no parameter can add a header of its own.
    pub fn header(&mut self, name: &'static str, value: &str) {
        self.headers.push((name, value.to_owned()));
    }

    /// Adds a cookie parameter. Every cookie goes in one `Cookie` header (`a=1; b=2`), each
    /// value percent-encoded where RFC 6265 does not allow it as is (`;`, `,`, space,
    /// quotes, controls, non-ASCII) and where it starts an escape (`%`).
    pub fn cookie(&mut self, name: &'static str, value: &str) {
        self.cookies
            .push((name, utf8_percent_encode(value, COOKIE_VALUE).to_string()));
    }

    /// Sets a JSON body.
    pub fn json_body<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::InvalidRequest(format!("the request body does not serialize: {e}"))
        })?;
        self.body = Some(bytes);
        self.streamed = None;
        self.content_type = None;
        Ok(())
    }

    /// Replaces the body's `Content-Type`: a JSON body of a media type the document declares
    /// other than `application/json` (`application/vnd.example+json`).
    pub fn content_type(&mut self, media_type: &str) {
        self.content_type = Some(media_type.to_owned());
    }

    /// Sets a body of bytes, sent unchanged with this `Content-Type` (the document's media
    /// type: `application/octet-stream`, `image/png`, `text/plain`…).
    pub fn raw_body(&mut self, content_type: &str, body: impl Into<Vec<u8>>) {
        self.body = Some(body.into());
        self.streamed = None;
        self.content_type = Some(content_type.to_owned());
    }

    /// Sets a multipart body of this media type (`multipart/form-data`), with its boundary.
    pub fn multipart_body(&mut self, media_type: &str, body: &MultipartBody) -> Result<(), Error> {
        self.set_multipart(media_type, &body.boundary, body.bytes.clone())
    }

    fn set_multipart(
        &mut self,
        media_type: &str,
        boundary: &str,
        bytes: Vec<u8>,
    ) -> Result<(), Error> {
        if !openapi_models_runtime::__private::is_boundary(boundary) {
            return Err(Error::InvalidRequest(format!(
                "`{}` is not a valid multipart boundary",
                excerpt(boundary, 80)
            )));
        }
        let essence = media_type.split(';').next().unwrap_or(media_type).trim();
        self.raw_body(&format!("{essence}; boundary=\"{boundary}\""), bytes);
        Ok(())
    }

    /// Sets a `multipart/form-data` body (or another `multipart/*` media type): a generated
    /// form's parts, encoded with a fresh random boundary. A form with a streamed file part
    /// (`FilePart::from_stream`) is an [`Error::InvalidRequest`] naming the part, except when
    /// `Client::send` builds the request (see `streaming.rs`).
    pub fn multipart_form<T: openapi_models_runtime::__private::MultipartForm>(
        &mut self,
        media_type: &str,
        form: &T,
    ) -> Result<(), Error> {
        match crate::multipart::encode_form(form)? {
            crate::multipart::Encoded::Bytes(body) => {
                self.set_multipart(media_type, &body.boundary, body.bytes)
            }
            crate::multipart::Encoded::Streamed { boundary, body } => {
                if !crate::streaming::allowed() {
                    return Err(crate::streaming::not_buildable(body.first_part()));
                }
                self.set_multipart(media_type, &boundary, Vec::new())?;
                self.streamed = Some(body);
                Ok(())
            }
        }
    }

    /// Sets a text body: the value's text (`Display`), with this `Content-Type`.
    pub fn text_body<T: std::fmt::Display + ?Sized>(&mut self, content_type: &str, body: &T) {
        self.raw_body(content_type, body.to_string());
    }

    /// Sets an `application/x-www-form-urlencoded` body: `body` must serialize as an object
    /// whose values are strings, numbers, booleans, `null` (left out) or arrays of those (one
    /// pair per item), in the order it writes them.
    pub fn form_body<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
        let invalid = |e: &dyn std::fmt::Display| {
            Error::InvalidRequest(format!("the request body does not encode as a form: {e}"))
        };
        let json = serde_json::to_vec(body).map_err(|e| invalid(&e))?;
        let Entries(entries) = serde_json::from_slice(&json).map_err(|e| invalid(&e))?;
        let mut form = String::new();
        let mut pair = |name: &str, value: &serde_json::Value| -> Result<(), Error> {
            let value = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => return Ok(()),
                _ => return Err(invalid(&format_args!("`{name}` is not a scalar"))),
            };
            if !form.is_empty() {
                form.push('&');
            }
            form.push_str(&form_encode(name));
            form.push('=');
            form.push_str(&form_encode(&value));
            Ok(())
        };
        for (name, value) in &entries {
            match value {
                serde_json::Value::Array(items) => {
                    for item in items {
                        pair(name, item)?;
                    }
                }
                value => pair(name, value)?,
            }
        }
        self.raw_body("application/x-www-form-urlencoded", form);
        Ok(())
    }

    /// Asks for this media type (`Accept`) instead of JSON.
    pub fn accept(&mut self, media_type: &str) {
        self.accept = Some(media_type.to_owned());
    }

    /// Uses this `client-request-id` instead of a fresh UUID.
    pub fn client_request_id(&mut self, id: Option<&str>) {
        self.client_request_id = id.map(str::to_owned);
    }

    /// The request against `base_url`, with `Accept`, `User-Agent`, `client-request-id` and,
    /// when there is a body, `Content-Type`.
    pub fn build(self, base_url: &str, user_agent: &str) -> Result<Request<Vec<u8>>, Error> {
        // An operation on the root path `/` is the base URL with its slash.
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        let mut uri = format!("{}{path}", base_url.trim_end_matches('/'));
        for (i, (name, value)) in self.query.iter().enumerate() {
            uri.push(if i == 0 { '?' } else { '&' });
            uri.push_str(name);
            uri.push('=');
            uri.push_str(value);
        }
        let id = self
            .client_request_id
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let id = HeaderValue::from_str(&id).map_err(|_| {
            Error::InvalidRequest(format!(
                "`{}` is not a valid client-request-id header value",
                excerpt(&id, 80)
            ))
        })?;
        let user_agent = HeaderValue::from_str(user_agent).map_err(|_| {
            Error::InvalidRequest(format!(
                "`{}` is not a valid user-agent header value",
                excerpt(user_agent, 80)
            ))
        })?;
        let header = |name: &str, value: Option<String>| {
            let value = value.unwrap_or_else(|| "application/json".to_owned());
            HeaderValue::from_str(&value).map_err(|_| {
                Error::InvalidRequest(format!(
                    "`{}` is not a valid {name} header value",
                    excerpt(&value, 80)
                ))
            })
        };
        let accept = header("accept", self.accept)?;
        let mut builder = Request::builder()
            .method(self.method)
            .uri(&uri)
            .header(ACCEPT, accept)
            .header(USER_AGENT, user_agent)
            .header(CLIENT_REQUEST_ID, id);
        if self.body.is_some() {
            builder = builder.header(CONTENT_TYPE, header("content-type", self.content_type)?);
        }
        if let Some(length) = self.streamed.as_ref().and_then(|s| s.length()) {
            builder = builder.header(http::header::CONTENT_LENGTH, length);
        }
        if let Some(streamed) = self.streamed {
            builder = builder.extension(streamed);
        }
        let mut request = builder
            .body(self.body.unwrap_or_default())
            .map_err(|e| Error::InvalidRequest(format!("`{}`: {e}", excerpt(&uri, 200))))?;
        let headers = request.headers_mut();
        for (name, value) in self.headers {
            let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::InvalidRequest(format!(
                    "`{}` is not a valid header name",
                    excerpt(name, 80)
                ))
            })?;
            // The value is not repeated in the error: it may be a secret.
            let value = HeaderValue::from_str(&value).map_err(|_| {
                Error::InvalidRequest(format!(
                    "the value of header `{name}` is not a valid header value (control characters such as line breaks are refused)"
                ))
            })?;
            headers.insert(header_name, value);
        }
        if !self.cookies.is_empty() {
            let mut cookie = String::new();
            for (name, value) in &self.cookies {
                if name.is_empty() || !name.bytes().all(is_token_char) {
                    return Err(Error::InvalidRequest(format!(
                        "`{name}` is not a valid cookie name"
                    )));
                }
                if !cookie.is_empty() {
                    cookie.push_str("; ");
                }
                cookie.push_str(name);
                cookie.push('=');
                cookie.push_str(value);
            }
            let value = HeaderValue::from_str(&cookie).map_err(|_| {
                Error::InvalidRequest("the cookies are not a valid header value".to_owned())
            })?;
            headers.insert(http::header::COOKIE, value);
        }
        Ok(request)
    }
}

/// Reads a response whose success body is JSON of type `T`.
pub fn json_response<T: DeserializeOwned>(
    response: Response<Vec<u8>>,
) -> Result<Response<T>, Error> {
    let (parts, body) = success(response)?.into_parts();
    match openapi_models_runtime::from_slice::<T>(&body) {
        Ok(value) => Ok(Response::from_parts(parts, value)),
        Err(source) => Err(Error::Decode(Box::new(DecodeFailure {
            status: parts.status,
            source,
            body,
            request: None,
        }))),
    }
}

/// Reads a response whose success body is JSON of type `T`, except for the success statuses
/// in `empty`, which the document declares without a body (`202 Accepted`, `204`): those are
/// `None`, whatever body they carry.
pub fn json_response_or_empty<T: DeserializeOwned>(
    response: Response<Vec<u8>>,
    empty: &[u16],
) -> Result<Response<Option<T>>, Error> {
    if response.status().is_success() && empty.contains(&response.status().as_u16()) {
        let (parts, _) = response.into_parts();
        return Ok(Response::from_parts(parts, None));
    }
    let (parts, value) = json_response::<T>(response)?.into_parts();
    Ok(Response::from_parts(parts, Some(value)))
}

/// Reads a response whose success body is text: the text parsed as `T` (a `String` as it is,
/// or a scalar such as the integer a `$count` answers). A body that is not UTF-8 or does not
/// parse is an [`Error::Text`].
pub fn text_response<T>(response: Response<Vec<u8>>) -> Result<Response<T>, Error>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let (parts, body) = success(response)?.into_parts();
    let parsed = match std::str::from_utf8(&body) {
        Ok(text) => text.trim().parse::<T>().map_err(|e| e.to_string()),
        Err(e) => Err(format!("not UTF-8: {e}")),
    };
    match parsed {
        Ok(value) => Ok(Response::from_parts(parts, value)),
        Err(message) => Err(Error::Text(Box::new(TextFailure {
            status: parts.status,
            expected: std::any::type_name::<T>(),
            message,
            body,
            request: None,
        }))),
    }
}

/// Reads a response whose success body is bytes, returned unchanged.
pub fn bytes_response(response: Response<Vec<u8>>) -> Result<Response<Vec<u8>>, Error> {
    success(response)
}

/// Reads a response to an operation with no response body: any 2xx (200 or 204, with or
/// without a body) succeeds.
pub fn empty_response(response: Response<Vec<u8>>) -> Result<Response<()>, Error> {
    let (parts, _) = success(response)?.into_parts();
    Ok(Response::from_parts(parts, ()))
}

/// RFC 9110's `tchar`: what a token (a cookie name) is made of.
fn is_token_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

fn form_encode(text: &str) -> String {
    utf8_percent_encode(text, FORM_VALUE)
        .to_string()
        .replace("%20", "+")
}

/// An object's entries in the order they were written (a `serde_json::Map` may sort them).
struct Entries(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

fn success(response: Response<Vec<u8>>) -> Result<Response<Vec<u8>>, Error> {
    if response.status().is_success() {
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    Err(error::from_response(parts.status, parts.headers, body))
}

#[cfg(test)]
mod tests;
