//! What each kind of failure without an error object keeps: the underlying error, the timeout,
//! the body that did not decode, with their bounded texts.

use super::*;

/// A failure with an underlying error: no response ([`Error::Connection`]), a response that
/// could not be read ([`Error::Transport`]), no token ([`Error::Auth`]), or a streamed body
/// that failed ([`Error::RequestBody`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct SendFailure {
    /// The underlying error: reqwest's (without the URL, which would repeat the query), or
    /// the token provider's.
    pub source: BoxError,
    /// The request, when it was sent by [`Client::send`](crate::Client::send).
    pub request: Option<RequestInfo>,
    /// What failed, for the message (`connection error`).
    what: &'static str,
}

impl SendFailure {
    #[cfg(feature = "reqwest")]
    pub(crate) fn connection(source: BoxError) -> Error {
        Error::Connection(Box::new(SendFailure::new("connection error", source)))
    }

    #[cfg(feature = "reqwest")]
    pub(crate) fn transport(source: BoxError) -> Error {
        Error::Transport(Box::new(SendFailure::new("transport error", source)))
    }

    #[cfg(feature = "reqwest")]
    pub(crate) fn request_body(source: BoxError) -> Error {
        Error::RequestBody(Box::new(SendFailure::new(
            "the request body failed",
            source,
        )))
    }

    pub(crate) fn auth(source: BoxError) -> Error {
        Error::Auth(Box::new(SendFailure::new(
            "could not get an access token",
            source,
        )))
    }

    fn new(what: &'static str, source: BoxError) -> Self {
        SendFailure {
            source,
            request: None,
            what,
        }
    }
}

impl fmt::Display for SendFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}: {}",
            Prefix(self.request.as_ref()),
            self.what,
            self.source
        )
    }
}

impl std::error::Error for SendFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// An attempt that took longer than the per-request timeout.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TimeoutFailure {
    /// The timeout (`ClientBuilder::timeout`).
    pub after: Duration,
    /// The request, when it was sent by [`Client::send`](crate::Client::send).
    pub request: Option<RequestInfo>,
}

impl TimeoutFailure {
    #[cfg(feature = "reqwest")]
    pub(crate) fn error(after: Duration) -> Error {
        Error::Timeout(Box::new(TimeoutFailure {
            after,
            request: None,
        }))
    }
}

impl fmt::Display for TimeoutFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}no complete response within {:?}",
            Prefix(self.request.as_ref()),
            self.after
        )
    }
}

impl std::error::Error for TimeoutFailure {}

/// An error response whose body is not an error object (`{"error": {"code": …}}`).
#[derive(Clone)]
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
    /// The request, when it was sent by [`Client::send`](crate::Client::send).
    pub request: Option<RequestInfo>,
}

impl fmt::Display for UnexpectedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}HTTP {} with a body that is not an error object",
            Prefix(self.request.as_ref()),
            self.status
        )?;
        if let Some(content_type) = &self.content_type {
            write!(f, " ({})", excerpt(content_type, 100))?;
        }
        write!(f, ": {}", snippet(&self.body))
    }
}

impl fmt::Debug for UnexpectedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnexpectedBody")
            .field("status", &self.status)
            .field("content_type", &self.content_type.as_deref().map(shown))
            .field("headers", &self.headers)
            .field("body", &Body(&self.body))
            .field("request", &self.request)
            .finish()
    }
}

impl std::error::Error for UnexpectedBody {}

/// A success response whose body does not decode.
#[non_exhaustive]
pub struct DecodeFailure {
    /// The success status.
    pub status: StatusCode,
    /// Why decoding failed: the path of the bad value, its line and column.
    pub source: DecodeError,
    /// The raw body.
    pub body: Vec<u8>,
    /// The request, when it was sent by [`Client::send`](crate::Client::send).
    pub request: Option<RequestInfo>,
}

impl fmt::Display for DecodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}the {} response body does not decode: {}",
            Prefix(self.request.as_ref()),
            self.status,
            self.source
        )
    }
}

impl fmt::Debug for DecodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeFailure")
            .field("status", &self.status)
            .field("source", &self.source)
            .field("body", &Body(&self.body))
            .field("request", &self.request)
            .finish()
    }
}

impl std::error::Error for DecodeFailure {}

/// A success response whose text body does not parse.
#[derive(Clone)]
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
    /// The request, when it was sent by [`Client::send`](crate::Client::send).
    pub request: Option<RequestInfo>,
}

impl fmt::Display for TextFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}the {} response body is not a `{}` ({}): {}",
            Prefix(self.request.as_ref()),
            self.status,
            self.expected,
            shown(&self.message),
            snippet(&self.body)
        )
    }
}

impl fmt::Debug for TextFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextFailure")
            .field("status", &self.status)
            .field("expected", &self.expected)
            .field("message", &shown(&self.message))
            .field("body", &Body(&self.body))
            .field("request", &self.request)
            .finish()
    }
}

impl std::error::Error for TextFailure {}
