//! The one error type of the client.

use crate::auth::BoxError;
use graph_models_runtime::{DecodeError, excerpt};
use http::{HeaderMap, StatusCode};
use serde_json::Value;

/// Everything that can go wrong with a request, by where it went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Graph answered with an error status and an OData error body.
    #[error("{0}")]
    Graph(Box<GraphError>),
    /// An error status whose body is not a Graph error (an HTML page from a proxy or gateway,
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
    /// response began. Retried for idempotent operations.
    #[error("connection error: {0}")]
    Connection(#[source] BoxError),
    /// A response began but could not be read: its head was malformed (an impossible
    /// `Content-Length`, headers over the size limit) or its body was cut off. Not retried.
    #[error("transport error: {0}")]
    Transport(#[source] BoxError),
    /// An attempt took longer than the per-request timeout. Retried for idempotent operations.
    #[error("no complete response within {0:?}")]
    Timeout(std::time::Duration),
    /// The response body was larger than the configured limit (it is not read further).
    #[error("the response body is larger than the {limit}-byte limit")]
    ResponseTooLarge {
        /// The response's status.
        status: StatusCode,
        /// The limit in bytes (`ClientBuilder::max_response_bytes`).
        limit: usize,
    },
    /// The token provider failed.
    #[error("could not get an access token: {0}")]
    Auth(#[source] BoxError),
    /// A page's next link was not followed: it points to another origin than the base URL's,
    /// is not a URL, or names a page fetched already. The pages before it were yielded; the
    /// whole link is in the error's `link` field.
    #[error("{0}")]
    NextLink(Box<NextLinkError>),
    /// The request could not be built or was refused before sending (an empty path
    /// parameter, an invalid base URL or header value, plain `http` to a host that is not
    /// loopback, a redirect loop).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl Error {
    /// The response status, when there was a response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Graph(e) => Some(e.status),
            Error::UnexpectedBody(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::Text(e) => Some(e.status),
            Error::ResponseTooLarge { status, .. } => Some(*status),
            Error::Connection(_)
            | Error::Transport(_)
            | Error::Timeout(_)
            | Error::Auth(_)
            | Error::NextLink(_)
            | Error::InvalidRequest(_) => None,
        }
    }
}

/// An error response whose body is not a Graph error.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UnexpectedBody {
    /// The error status.
    pub status: StatusCode,
    /// The response's `Content-Type`, if any (`text/html` for a gateway's page).
    pub content_type: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Vec<u8>,
}

impl std::fmt::Display for UnexpectedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HTTP {} with a body that is not a Graph error",
            self.status
        )?;
        if let Some(content_type) = &self.content_type {
            write!(f, " ({})", excerpt(content_type, 100))?;
        }
        write!(f, ": {}", snippet(&self.body))
    }
}

/// A success response whose body does not decode.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeFailure {
    /// The success status.
    pub status: StatusCode,
    /// Why decoding failed: the path of the bad value, its line and column.
    pub source: DecodeError,
    /// The raw body.
    pub body: Vec<u8>,
}

impl std::fmt::Display for DecodeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the {} response body does not decode: {}",
            self.status, self.source
        )
    }
}

/// A success response whose text body does not parse.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TextFailure {
    /// The success status.
    pub status: StatusCode,
    /// The Rust type the text should have parsed as (`i64`).
    pub expected: &'static str,
    /// Why it did not.
    pub message: String,
    /// The raw body.
    pub body: Vec<u8>,
}

impl std::fmt::Display for TextFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the {} response body is not a `{}` ({}): {}",
            self.status,
            self.expected,
            excerpt(&self.message, MESSAGE_CHARS),
            snippet(&self.body)
        )
    }
}

/// A Graph error response: the status, the fields a program acts on, and everything else kept.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GraphError {
    /// The error status.
    pub status: StatusCode,
    /// `error.code`, such as `TooManyRequests` or `itemNotFound` (casing varies by service).
    pub code: String,
    /// `error.message`, for people (may be empty).
    pub message: String,
    /// `error.innerError.request-id`: quote it to Microsoft support.
    pub request_id: Option<String>,
    /// `error.innerError.client-request-id`: the id this client sent.
    pub client_request_id: Option<String>,
    /// `error.innerError.date`, as sent (Graph omits the offset).
    pub date: Option<String>,
    /// The whole `error` object, with every field Graph sent (`target`, `details`, nested
    /// `innerError`s). Decode it into the models' `ODataError` with [`GraphError::decode`].
    pub error: Value,
    /// Every response header (`request-id`, `Retry-After`…).
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Vec<u8>,
}

impl GraphError {
    /// The body decoded as a type of your choice, such as the models' `ODataError`.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, DecodeError> {
        graph_models_runtime::from_slice(&self.body)
    }
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Every part is the server's text: escaped and cut, whole in the fields.
        write!(
            f,
            "Graph answered {}: {}",
            self.status,
            excerpt(&self.code, 100)
        )?;
        if !self.message.is_empty() {
            write!(f, ": {}", excerpt(&self.message, MESSAGE_CHARS))?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request-id {})", excerpt(id, 100))?;
        }
        Ok(())
    }
}

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
}

/// A page's next link that the client did not follow; the pages before it were yielded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NextLinkError {
    /// The link as the page gave it.
    pub link: String,
    /// Why it was not followed.
    pub problem: NextLinkProblem,
}

impl std::fmt::Display for NextLinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The link is the server's text: escaped and cut, whole in the field.
        let link = graph_models_runtime::excerpt(&self.link, 200);
        write!(f, "not following the next page's link `{link}`: ")?;
        match &self.problem {
            NextLinkProblem::ForeignOrigin => f.write_str(
                "its origin (scheme, host and port) is not the base URL's, and the token goes to no other",
            ),
            NextLinkProblem::Invalid(reason) => write!(
                f,
                "it is not a URL ({})",
                graph_models_runtime::excerpt(reason, 100)
            ),
            NextLinkProblem::Repeated => {
                f.write_str("that page was fetched already (the server sent a loop)")
            }
        }
    }
}

/// The most characters of a server's message or body an error prints (the fields keep it all).
const MESSAGE_CHARS: usize = 200;

/// The start of a body, for messages: escaped and cut like any text from outside.
fn snippet(body: &[u8]) -> String {
    // Only the start is decoded: a 10 MB body costs no more than a short one.
    let start = &body[..body.len().min(MESSAGE_CHARS * 4)];
    let text = String::from_utf8_lossy(start);
    let text = text.trim();
    if text.is_empty() {
        return "(empty body)".to_owned();
    }
    let mut shown = excerpt(text, MESSAGE_CHARS);
    if start.len() < body.len() && !shown.ends_with('…') {
        shown.push('…');
    }
    shown
}

/// Turns an error response into an [`Error`]. A Graph error is `{"error": {"code": …}}`; the
/// docs also show `innererror` and `requestId` spellings, so those are read too.
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
        }));
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let inner = field(error, &["innerError"]);
    Error::Graph(Box::new(GraphError {
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
    }))
}

/// `error.code` of a Graph error body, if the body is one.
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
