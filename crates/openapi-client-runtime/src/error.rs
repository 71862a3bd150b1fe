//! The one error type of the client, and what each kind of failure keeps.
//!
//! Every text here is bounded: what came from outside (a body, a message, a link, a path) is
//! escaped and cut by the models runtime's `excerpt` in `Display` and in `Debug`, and kept
//! whole in the fields. An error from [`Client::send`](crate::Client::send) or a paging stream
//! names its request ([`RequestInfo`]); one from the sans-IO readers has none.

use crate::auth::BoxError;
use http::{HeaderMap, Method, StatusCode};
use openapi_models_runtime::{DecodeError, excerpt};
use serde_json::Value;
use std::fmt;
use std::time::Duration;

mod failures;
pub use failures::{DecodeFailure, SendFailure, TextFailure, TimeoutFailure, UnexpectedBody};

/// Everything that can go wrong with a request, by where it went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status and an error object body,
    /// `{"error": {"code": …, "message": …}}` (the shape of Graph, OData and Azure APIs).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// An error status whose body is not such an error object (an HTML page from a proxy or gateway,
    /// an empty body, plain text).
    #[error("{0}")]
    UnexpectedBody(Box<UnexpectedBody>),
    /// A success status whose body did not decode as the operation's response type.
    #[error("{0}")]
    Decode(Box<DecodeFailure>),
    /// A success status whose text body did not parse as the operation's response type (a
    /// `$count` that is not an integer), or is not UTF-8.
    #[error("{0}")]
    Text(Box<TextFailure>),
    /// No response arrived: the connection was refused or reset, or TLS failed, before a
    /// response began. Retried for idempotent operations. The source is reqwest's error.
    #[error(transparent)]
    Connection(Box<SendFailure>),
    /// A response began but could not be read: its head was malformed (an impossible
    /// `Content-Length`, headers over the size limit) or its body was cut off. Not retried.
    #[error(transparent)]
    Transport(Box<SendFailure>),
    /// An attempt took longer than the per-request timeout. Retried for idempotent operations.
    #[error("{0}")]
    Timeout(Box<TimeoutFailure>),
    /// The response body was larger than the configured limit (it is not read further).
    #[error(
        "{}the response body is larger than the {limit}-byte limit",
        Prefix(request.as_deref())
    )]
    ResponseTooLarge {
        /// The response's status.
        status: StatusCode,
        /// The limit in bytes (`ClientBuilder::max_response_bytes`).
        limit: usize,
        /// The request, when it was sent by [`Client::send`](crate::Client::send).
        request: Option<Box<RequestInfo>>,
    },
    /// The token provider failed. The source is the provider's error.
    #[error(transparent)]
    Auth(Box<SendFailure>),
    /// A streamed request body (a multipart file made by `FilePart::from_stream` or
    /// `from_reader`) failed as it was sent: its stream gave an error (the source's source), or
    /// more or fewer bytes than its declared length. The request was cut off before its end,
    /// so the server received no complete request. Never retried: the stream was read.
    #[error(transparent)]
    RequestBody(Box<SendFailure>),
    /// A page's next link was not followed: it points to another origin than the base URL's,
    /// is not a URL, or names a page fetched already. The pages before it were yielded; the
    /// whole link is in the error's `link` field.
    #[error("{0}")]
    NextLink(Box<NextLinkError>),
    /// The request could not be built or was refused before sending (an empty path
    /// parameter, an invalid base URL or header value, plain `http` to a host that is not
    /// loopback, a redirect loop). From [`Client::send`](crate::Client::send), the message
    /// starts with the operation (and the request, once built).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl Error {
    /// The response status, when there was a response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::UnexpectedBody(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::Text(e) => Some(e.status),
            Error::ResponseTooLarge { status, .. } => Some(*status),
            Error::Connection(_)
            | Error::Transport(_)
            | Error::Timeout(_)
            | Error::Auth(_)
            | Error::RequestBody(_)
            | Error::NextLink(_)
            | Error::InvalidRequest(_) => None,
        }
    }

    /// The request that failed: its operation, method, path and how many times it was sent.
    /// Known for errors from [`Client::send`](crate::Client::send) and the paging streams
    /// (except [`Error::InvalidRequest`], whose message names it instead); `None` from the
    /// sans-IO reading ([`Operation::parse_response`](crate::Operation::parse_response)), which sees no request.
    pub fn request(&self) -> Option<&RequestInfo> {
        match self {
            Error::Api(e) => e.request.as_ref(),
            Error::UnexpectedBody(e) => e.request.as_ref(),
            Error::Decode(e) => e.request.as_ref(),
            Error::Text(e) => e.request.as_ref(),
            Error::Connection(e) | Error::Transport(e) | Error::Auth(e) | Error::RequestBody(e) => {
                e.request.as_ref()
            }
            Error::Timeout(e) => e.request.as_ref(),
            Error::ResponseTooLarge { request, .. } => request.as_deref(),
            Error::NextLink(e) => e.request.as_ref(),
            Error::InvalidRequest(_) => None,
        }
    }

    /// This error, naming `request` unless it names one already.
    #[cfg(feature = "reqwest")]
    pub(crate) fn with_request(mut self, info: &RequestInfo) -> Self {
        let slot = match &mut self {
            Error::Api(e) => &mut e.request,
            Error::UnexpectedBody(e) => &mut e.request,
            Error::Decode(e) => &mut e.request,
            Error::Text(e) => &mut e.request,
            Error::Connection(e) | Error::Transport(e) | Error::Auth(e) | Error::RequestBody(e) => {
                &mut e.request
            }
            Error::Timeout(e) => &mut e.request,
            Error::NextLink(e) => &mut e.request,
            Error::ResponseTooLarge { request, .. } => {
                request.get_or_insert_with(|| Box::new(info.clone()));
                return self;
            }
            Error::InvalidRequest(message) => {
                *message = format!("{info}: {message}");
                return self;
            }
        };
        slot.get_or_insert_with(|| info.clone());
        self
    }

    /// This error, naming the operation whose request could not be built.
    #[cfg(feature = "reqwest")]
    pub(crate) fn with_operation(self, operation_id: &str) -> Self {
        match self {
            Error::InvalidRequest(message) if !operation_id.is_empty() => {
                Error::InvalidRequest(format!("`{}`: {message}", excerpt(operation_id, ID_CHARS)))
            }
            other => other,
        }
    }
}

/// The request an error happened to: enough to find it in logs and code, never its query
/// (filters and tokens can hold ids and secrets) or its headers.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestInfo {
    /// The schema's operationId (`me_GetPresence`); empty if the operation has none.
    pub operation_id: &'static str,
    /// The method sent (a next page is a `GET`).
    pub method: Method,
    /// The URL's path as sent (percent-encoded, path parameters included), without the query.
    pub path: String,
    /// How many times the request was sent (a redirect is part of its attempt); 0 when it was
    /// refused before sending, or the token could not be had.
    pub attempts: u32,
}

impl RequestInfo {
    /// The facts of `request`, sent `attempts` times.
    #[cfg(feature = "reqwest")]
    pub(crate) fn new(
        operation_id: &'static str,
        request: &http::Request<Vec<u8>>,
        attempts: u32,
    ) -> Self {
        RequestInfo {
            operation_id,
            method: request.method().clone(),
            path: request.uri().path().to_owned(),
            attempts,
        }
    }
}

/// `` `me_GetPresence` GET /beta/me/presence, 3 attempts ``.
impl fmt::Display for RequestInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.operation_id.is_empty() {
            write!(f, "`{}` ", excerpt(self.operation_id, ID_CHARS))?;
        }
        write!(f, "{} {}, ", self.method, excerpt(&self.path, PATH_CHARS))?;
        match self.attempts {
            0 => f.write_str("not sent"),
            1 => f.write_str("1 attempt"),
            n => write!(f, "{n} attempts"),
        }
    }
}

impl fmt::Debug for RequestInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestInfo")
            .field("operation_id", &self.operation_id)
            .field("method", &self.method)
            .field("path", &excerpt(&self.path, PATH_CHARS))
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// An error response whose body is an error object, `{"error": {"code": …}}`: the status,
/// the fields a program acts on, and everything else kept.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The error status.
    pub status: StatusCode,
    /// `error.code`, such as `TooManyRequests` or `itemNotFound` (casing varies by service).
    pub code: String,
    /// `error.message`, for people (may be empty).
    pub message: String,
    /// `error.innerError.request-id`: the server's id of the request, to quote to its support.
    pub request_id: Option<String>,
    /// `error.innerError.client-request-id`: the id this client sent.
    pub client_request_id: Option<String>,
    /// `error.innerError.date`, as sent (some servers omit the offset).
    pub date: Option<String>,
    /// The whole `error` object, with every field the server sent (`target`, `details`,
    /// nested `innerError`s). Decode the body into a models type with [`ApiError::decode`].
    pub error: Value,
    /// Every response header (`request-id`, `Retry-After`…).
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Vec<u8>,
    /// The request, when it was sent by [`Client::send`](crate::Client::send).
    pub request: Option<RequestInfo>,
}

/// Graph's name for [`ApiError`] (the `graph` feature): Graph answers errors in this shape.
#[cfg(feature = "graph")]
pub type GraphError = ApiError;

impl ApiError {
    /// The body decoded as a type of your choice, such as the models' error type.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, DecodeError> {
        openapi_models_runtime::from_slice(&self.body)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every part is the server's text: escaped and cut, whole in the fields.
        write!(
            f,
            "{}HTTP {}: {}",
            Prefix(self.request.as_ref()),
            self.status,
            excerpt(&self.code, 100)
        )?;
        if !self.message.is_empty() {
            write!(f, ": {}", shown(&self.message))?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request-id {})", excerpt(id, 100))?;
        }
        Ok(())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |v: &Option<String>| v.as_deref().map(shown);
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("code", &shown(&self.code))
            .field("message", &shown(&self.message))
            .field("request_id", &text(&self.request_id))
            .field("client_request_id", &text(&self.client_request_id))
            .field("date", &text(&self.date))
            .field("error", &json_start(&self.error))
            .field("headers", &self.headers)
            .field("body", &Body(&self.body))
            .field("request", &self.request)
            .finish()
    }
}

impl std::error::Error for ApiError {}

/// Why a page's next link was not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NextLinkProblem {
    /// Its origin (scheme, host and port) is not the client's base URL's: the token is only
    /// ever sent to the base URL's origin.
    ForeignOrigin,
    /// It does not parse as a URL (the parser's reason).
    Invalid(String),
    /// It was fetched already: the server sent a loop.
    Repeated,
    /// Following it would pass the page cap (`max_pages` on [`Pages`](crate::Pages) and
    /// [`Items`](crate::Items)): a server that never stops sending new links.
    TooManyPages {
        /// The cap.
        max_pages: u32,
    },
}

/// A page's next link that the client did not follow; the pages before it were yielded.
#[derive(Clone)]
#[non_exhaustive]
pub struct NextLinkError {
    /// The link as the page gave it.
    pub link: String,
    /// Why it was not followed.
    pub problem: NextLinkProblem,
    /// The request whose page held the link.
    pub request: Option<RequestInfo>,
}

impl fmt::Display for NextLinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The link is the server's text: escaped and cut, whole in the field.
        let link = excerpt(&self.link, 200);
        write!(
            f,
            "{}not following the next page's link `{link}`: ",
            Prefix(self.request.as_ref())
        )?;
        match &self.problem {
            NextLinkProblem::ForeignOrigin => f.write_str(
                "its origin (scheme, host and port) is not the base URL's, and the token goes to no other",
            ),
            NextLinkProblem::Invalid(reason) => {
                write!(f, "it is not a URL ({})", excerpt(reason, 100))
            }
            NextLinkProblem::Repeated => {
                f.write_str("that page was fetched already (the server sent a loop)")
            }
            NextLinkProblem::TooManyPages { max_pages } => {
                write!(f, "{max_pages} pages were read, the most this read follows")
            }
        }
    }
}

impl fmt::Debug for NextLinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NextLinkError")
            .field("link", &excerpt(&self.link, 200))
            .field("problem", &self.problem)
            .field("request", &self.request)
            .finish()
    }
}

impl std::error::Error for NextLinkError {}

/// The most characters of a server's message or body an error prints (the fields keep it all).
const MESSAGE_CHARS: usize = 200;

/// The most characters of a request's path an error prints.
const PATH_CHARS: usize = 200;

/// The most characters of an operation id an error prints.
const ID_CHARS: usize = 100;

/// `{request}: ` before a message, when the request is known.
struct Prefix<'a>(Option<&'a RequestInfo>);

impl fmt::Display for Prefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(request) => write!(f, "{request}: "),
            None => Ok(()),
        }
    }
}

/// A body in `Debug`: its start as text, escaped and cut, and its length.
struct Body<'a>(&'a [u8]);

impl fmt::Debug for Body<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({} bytes)", start_of(self.0), self.0.len())
    }
}

/// A server's text for a message: escaped and cut.
fn shown(text: &str) -> String {
    excerpt(text, MESSAGE_CHARS)
}

/// The start of a body, for messages: escaped and cut like any text from outside.
fn snippet(body: &[u8]) -> String {
    let shown = start_of(body);
    if shown.is_empty() {
        "(empty body)".to_owned()
    } else {
        shown
    }
}

/// The start of some bytes as text, trimmed, escaped and cut, `…` marking a cut.
fn start_of(bytes: &[u8]) -> String {
    // Only the start is decoded: a 10 MB body costs no more than a short one.
    let start = &bytes[..bytes.len().min(MESSAGE_CHARS * 4)];
    let text = String::from_utf8_lossy(start);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let mut shown = excerpt(text, MESSAGE_CHARS);
    if start.len() < bytes.len() && !shown.ends_with('…') {
        shown.push('…');
    }
    shown
}

/// The start of a JSON value's text: only as much is written as a message shows.
fn json_start(value: &Value) -> String {
    /// Takes bytes until it has one more than a message shows, then refuses the rest.
    struct Start(Vec<u8>);
    impl std::io::Write for Start {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let room = (MESSAGE_CHARS * 4 + 1).saturating_sub(self.0.len());
            if room == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            let taken = room.min(buf.len());
            self.0.extend_from_slice(&buf[..taken]);
            Ok(taken)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut start = Start(Vec::new());
    // Stopped on purpose once full: what was written is the start.
    let _ = serde_json::to_writer(&mut start, value);
    start_of(&start.0)
}

/// Turns an error response into an [`Error`]. An error object is `{"error": {"code": …}}`;
/// Graph's docs also show `innererror` and `requestId` spellings, so those are read too.
pub(crate) fn from_response(status: StatusCode, headers: HeaderMap, body: Vec<u8>) -> Error {
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    let error = parsed
        .as_ref()
        .and_then(|v| v.get("error"))
        .filter(|e| e.get("code").is_some_and(Value::is_string));
    let Some(error) = error else {
        return Error::UnexpectedBody(Box::new(UnexpectedBody {
            status,
            content_type: headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            headers,
            body,
            request: None,
        }));
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let inner = field(error, &["innerError"]);
    Error::Api(Box::new(ApiError {
        status,
        code: text(error.get("code")).unwrap_or_default(),
        message: text(error.get("message")).unwrap_or_default(),
        request_id: text(inner.and_then(|i| field(i, &["request-id", "requestId"]))),
        client_request_id: text(
            inner.and_then(|i| field(i, &["client-request-id", "clientRequestId"])),
        ),
        date: text(inner.and_then(|i| field(i, &["date"]))),
        error: error.clone(),
        headers,
        body,
        request: None,
    }))
}

/// `error.code` of an error object body, if the body is one.
#[cfg(feature = "reqwest")]
pub(crate) fn error_code(body: &[u8]) -> Option<String> {
    let parsed: Value = serde_json::from_slice(body).ok()?;
    Some(parsed.get("error")?.get("code")?.as_str()?.to_owned())
}

/// The first property of an object named like one of `names`, ignoring ASCII case.
fn field<'a>(object: &'a Value, names: &[&str]) -> Option<&'a Value> {
    let map = object.as_object()?;
    names.iter().find_map(|name| {
        map.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests;
