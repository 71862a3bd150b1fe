//! An error answer ([`Failure`]) and the shape a document gives its errors ([`ErrorShape`]):
//! an error object, `{"error": {"code", "message", "innerError"}}` (Graph's and OData's
//! shape), or RFC 9457's problem details for
//! a document that declares no error shape of its own.

use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode};
use openapi_models_runtime::excerpt;
use std::fmt;

/// The most characters of a message an answer carries: messages name what was wrong with a
/// request, which may be long or hostile.
const MESSAGE_CHARS: usize = 300;

/// An error answer: a status, a code programs act on and a message for people, plus headers
/// (`Retry-After`, `WWW-Authenticate`). What an implementation returns for anything its
/// operation's documented responses do not cover, and what the router answers for a request
/// the document does not allow. The message is escaped and cut short when answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(Box<Inner>);

/// Boxed: a `Result<T, Failure>` stays as small as `T`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    status: StatusCode,
    code: String,
    message: String,
    headers: HeaderMap,
}

impl Failure {
    /// An answer with this status (an invalid one, outside 100..=999, is answered 500), code and
    /// message.
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Failure(Box::new(Inner {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: code.into(),
            message: message.into(),
            headers: HeaderMap::new(),
        }))
    }

    /// `400 BadRequest`: the request is not one the document allows.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Failure::new(400, "BadRequest", message)
    }

    /// `401 Unauthorized`: no credentials, or credentials that do not verify.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Failure::new(401, "Unauthorized", message)
    }

    /// `403 Forbidden`: the credentials do not allow this operation.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Failure::new(403, "Forbidden", message)
    }

    /// `404 NotFound`: no such resource.
    pub fn not_found(message: impl Into<String>) -> Self {
        Failure::new(404, "NotFound", message)
    }

    /// `409 Conflict`: the resource's state does not allow the request.
    pub fn conflict(message: impl Into<String>) -> Self {
        Failure::new(409, "Conflict", message)
    }

    /// `429 TooManyRequests`, with `Retry-After` in whole seconds (at least one).
    pub fn too_many_requests(message: impl Into<String>, retry_after: std::time::Duration) -> Self {
        let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        Failure::new(429, "TooManyRequests", message)
            .header(http::header::RETRY_AFTER, &seconds.max(1).to_string())
    }

    /// `500 InternalServerError`: the implementation could not answer.
    pub fn internal(message: impl Into<String>) -> Self {
        Failure::new(500, "InternalServerError", message)
    }

    /// Adds a header to the answer (a value that is not a valid header value is left out).
    #[must_use]
    pub fn header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.0.headers.append(name, value);
        }
        self
    }

    /// The status answered.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The code (`BadRequest`, `TooManyRequests`…).
    pub fn code(&self) -> &str {
        &self.0.code
    }

    /// The message, whole.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The headers answered besides the body's.
    pub fn headers(&self) -> &HeaderMap {
        &self.0.headers
    }

    /// The answer in `shape`. `client_request_id` is the request's, repeated in the error
    /// object's `innerError` as Graph does.
    pub(crate) fn render(
        &self,
        shape: ErrorShape,
        client_request_id: Option<&str>,
    ) -> http::Response<axum::body::Body> {
        let Inner {
            status,
            code,
            message,
            headers: extra,
        } = &*self.0;
        let message = excerpt(message, MESSAGE_CHARS);
        let code = excerpt(code, 100);
        let (media, body) = match shape {
            ErrorShape::ErrorObject => {
                let mut inner = serde_json::Map::new();
                inner.insert(
                    "date".to_owned(),
                    jiff::Timestamp::now()
                        .strftime("%Y-%m-%dT%H:%M:%S")
                        .to_string()
                        .into(),
                );
                inner.insert(
                    "request-id".to_owned(),
                    uuid::Uuid::new_v4().to_string().into(),
                );
                if let Some(id) = client_request_id {
                    inner.insert("client-request-id".to_owned(), excerpt(id, 100).into());
                }
                let body = serde_json::json!({
                    "error": {"code": code, "message": message, "innerError": inner}
                });
                ("application/json", body)
            }
            ErrorShape::Problem => {
                let body = serde_json::json!({
                    "type": "about:blank",
                    "title": status.canonical_reason().unwrap_or("Error"),
                    "status": status.as_u16(),
                    "detail": message,
                    "code": code,
                });
                ("application/problem+json", body)
            }
        };
        let mut response = http::Response::new(axum::body::Body::from(body.to_string()));
        *response.status_mut() = *status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(media));
        for (name, value) in extra {
            headers.append(name, value.clone());
        }
        response
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.0.status.as_u16(),
            excerpt(&self.0.code, 100),
            excerpt(&self.0.message, MESSAGE_CHARS)
        )
    }
}

impl std::error::Error for Failure {}

/// How a document's errors look, decided by the generator from its error responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorShape {
    /// An error object, `{"error": {"code", "message", "innerError"}}`: Graph's (and
    /// OData's) shape.
    ErrorObject,
    /// RFC 9457 problem details (`application/problem+json`), for a document that declares
    /// no error shape the generator recognises.
    Problem,
}

#[cfg(test)]
mod tests {
    use super::{ErrorShape, Failure};

    async fn body(response: http::Response<axum::body::Body>) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("a body");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    #[tokio::test]
    async fn a_failure_is_answered_in_the_documents_shape() {
        let failure = Failure::not_found("no user `a`");
        let graph = failure.render(ErrorShape::ErrorObject, Some("c-1"));
        assert_eq!(graph.status(), 404);
        assert_eq!(graph.headers()["content-type"], "application/json");
        let graph = body(graph).await;
        assert_eq!(graph["error"]["code"], "NotFound");
        assert_eq!(graph["error"]["message"], "no user `a`");
        assert_eq!(graph["error"]["innerError"]["client-request-id"], "c-1");
        assert!(graph["error"]["innerError"]["request-id"].is_string());
        let problem = failure.render(ErrorShape::Problem, None);
        assert_eq!(
            problem.headers()["content-type"],
            "application/problem+json"
        );
        let problem = body(problem).await;
        assert_eq!(problem["status"], 404);
        assert_eq!(problem["title"], "Not Found");
        assert_eq!(problem["detail"], "no user `a`");
    }

    #[tokio::test]
    async fn messages_are_bounded_and_escaped_and_headers_kept() {
        let failure = Failure::too_many_requests(
            format!("\u{1b}[31m{}", "x".repeat(1_000_000)),
            std::time::Duration::from_millis(1500),
        );
        let response = failure.render(ErrorShape::ErrorObject, None);
        assert_eq!(response.headers()["retry-after"], "2");
        let message = body(response).await["error"]["message"]
            .as_str()
            .expect("a message")
            .to_owned();
        // 300 characters, the escape of ESC, and the ellipsis.
        assert!(message.chars().count() < 320, "{}", message.len());
        assert!(!message.contains('\u{1b}'));
        assert!(failure.to_string().len() < 400);
        assert_eq!(Failure::new(1000, "x", "y").status(), 500);
    }
}
