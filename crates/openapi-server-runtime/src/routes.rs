//! A generated server's routes, built into an axum [`Router`](axum::Router): one route per path
//! template, one method each, the body read under a limit and a timeout before the handler
//! runs, and answers in the document's error shape for what no operation takes: `404` for an
//! unknown path, `405` (with `Allow`) for a method the path does not take, `413` past the body
//! limit, `408` for a body that does not arrive in time, and every refusal of the extraction.

use crate::context::OperationInfo;
use crate::failure::{ErrorShape, Failure};
use crate::incoming::Incoming;
use crate::outgoing::Outgoing;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::routing::{MethodFilter, MethodRouter};
use http::header::{ALLOW, CONTENT_LENGTH, HeaderName};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use openapi_models_runtime::excerpt;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// What a generated router enforces on every request besides the document's rules.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// The largest request body read (default 4 MiB): a larger one is answered `413`, before
    /// it is read when its `Content-Length` says so.
    pub body_limit: usize,
    /// How long a request body may take to arrive (default 30 s): a slower one, or one that
    /// announces more than it sends, is answered `408`.
    pub body_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            body_limit: 4 * 1024 * 1024,
            body_timeout: Duration::from_secs(30),
        }
    }
}

impl Settings {
    /// These settings with another body limit.
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// These settings with another body timeout.
    #[must_use]
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// A request's body read under these settings: `413` (`RequestEntityTooLarge`) when its
    /// `Content-Length` announces more than the limit, before a byte is read, or when more
    /// arrives; `408` (`RequestTimeout`) when it does not arrive in time (slowly sent, or
    /// shorter than announced); `400` when the connection fails. For handlers outside a
    /// generated router (a webhook) that want the same limits.
    pub async fn read_body(&self, headers: &http::HeaderMap, body: Body) -> Result<Bytes, Failure> {
        let too_large = || {
            Failure::new(
                413,
                "RequestEntityTooLarge",
                format!("the request body is larger than {} bytes", self.body_limit),
            )
        };
        let announced = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|length| length > self.body_limit as u64) {
            return Err(too_large());
        }
        // A body known to be empty (a GET's) has nothing to read: no buffers, no timer.
        if body.is_end_stream() {
            return Ok(Bytes::new());
        }
        let read = Limited::new(body, self.body_limit).collect();
        match tokio::time::timeout(self.body_timeout, read).await {
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
            Ok(Err(error)) if error.downcast_ref::<LengthLimitError>().is_some() => {
                Err(too_large())
            }
            Ok(Err(_)) => Err(Failure::bad_request("the request body could not be read")),
            Err(_) => Err(Failure::new(
                408,
                "RequestTimeout",
                format!(
                    "the request body did not arrive within {} s",
                    self.body_timeout.as_secs_f64()
                ),
            )),
        }
    }
}

/// The routes being built: each path's methods, registered with axum at the end.
pub struct Routes {
    shape: ErrorShape,
    settings: Arc<Settings>,
    paths: BTreeMap<String, (MethodRouter, Vec<&'static str>)>,
}

impl Routes {
    /// Routes answering errors in `shape`, under `settings`.
    pub fn new(shape: ErrorShape, settings: Settings) -> Self {
        Routes {
            shape,
            settings: Arc::new(settings),
            paths: BTreeMap::new(),
        }
    }

    /// Adds an operation: `handler` reads the request into the operation's inputs, calls the
    /// implementation and writes its answer. A method the path takes already is left out (a
    /// document cannot declare it twice).
    #[must_use]
    pub fn route<F, Fut>(mut self, operation: &'static OperationInfo, handler: F) -> Self
    where
        F: Fn(Incoming) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Outgoing> + Send + 'static,
    {
        let Ok(method) = http::Method::from_bytes(operation.method.as_bytes()) else {
            return self;
        };
        let Ok(filter) = MethodFilter::try_from(method) else {
            return self;
        };
        let (shape, settings) = (self.shape, self.settings.clone());
        let serve = move |request: Request| {
            let handler = handler.clone();
            let settings = settings.clone();
            async move { answer(request, operation, shape, &settings, handler).await }
        };
        let (router, methods) = self
            .paths
            .entry(axum_path(operation.path))
            .or_insert_with(|| (MethodRouter::new(), Vec::new()));
        if !methods.contains(&operation.method) {
            methods.push(operation.method);
            *router = std::mem::take(router).on(filter, serve);
        }
        self
    }

    /// The router: every path's methods, `405` for the others, `404` for unknown paths.
    pub fn into_router(self) -> axum::Router {
        let shape = self.shape;
        let mut router = axum::Router::new();
        for (path, (methods, allowed)) in self.paths {
            let allow = allowed.join(", ");
            let refuse = move |request: Request| async move {
                let failure = Failure::new(
                    405,
                    "MethodNotAllowed",
                    format!(
                        "`{}` takes {allow}, not {}",
                        excerpt(request.uri().path(), 200),
                        excerpt(request.method().as_str(), 20)
                    ),
                )
                .header(ALLOW, &allow);
                failure.render(shape, client_request_id(&request))
            };
            router = router.route(&path, methods.fallback(refuse));
        }
        router.fallback(move |request: Request| async move {
            let failure = Failure::not_found(format!(
                "no operation at `{} {}`",
                excerpt(request.method().as_str(), 20),
                excerpt(request.uri().path(), 200)
            ));
            failure.render(shape, client_request_id(&request))
        })
    }
}

/// A path template as axum's router takes it: each parameter named by its position
/// (`/users/{user-id}` is `/users/{p1}`), so that templates sharing a prefix agree on names
/// (the handler reads parameters by position itself).
fn axum_path(template: &str) -> String {
    let mut path = String::new();
    for (i, segment) in template.split('/').filter(|s| !s.is_empty()).enumerate() {
        path.push('/');
        match segment.starts_with('{') && segment.ends_with('}') {
            true => path.push_str(&format!("{{p{i}}}")),
            false => path.push_str(segment),
        }
    }
    if path.is_empty() {
        path.push('/');
    }
    path
}

/// The header an error object's `innerError` echoes (as Graph's does), named once (a `&str`
/// name is parsed on every lookup).
const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");

fn client_request_id(request: &Request) -> Option<&str> {
    request.headers().get(CLIENT_REQUEST_ID)?.to_str().ok()
}

/// One request: its body read under the limit and the timeout, then the handler's answer, or
/// a failure in the document's shape.
async fn answer<F, Fut>(
    request: Request,
    operation: &'static OperationInfo,
    shape: ErrorShape,
    settings: &Settings,
    handler: F,
) -> http::Response<Body>
where
    F: Fn(Incoming) -> Fut,
    Fut: Future<Output = Outgoing>,
{
    let (parts, body) = request.into_parts();
    let client_request_id = parts
        .headers
        .get(CLIENT_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let fail = |failure: Failure| failure.render(shape, client_request_id.as_deref());
    let bytes = match settings.read_body(&parts.headers, body).await {
        Ok(bytes) => bytes,
        Err(failure) => return fail(failure),
    };
    let incoming = Incoming::new(operation, parts, bytes);
    match handler(incoming).await.into_result() {
        Ok(response) => response,
        Err(failure) => fail(failure),
    }
}

#[cfg(test)]
mod tests {
    use super::{Routes, Settings, axum_path};
    use crate::context::OperationInfo;
    use crate::failure::{ErrorShape, Failure};
    use crate::outgoing::Outgoing;
    use axum::body::Body;
    use tower_service::Service;

    static GET_USER: OperationInfo = OperationInfo {
        id: "getUser",
        method: "GET",
        path: "/users/{user-id}",
        permissions: None,
    };
    static POST_NOTE: OperationInfo = OperationInfo {
        id: "postNote",
        method: "POST",
        path: "/users/{id}/notes",
        permissions: None,
    };

    fn router(settings: Settings) -> axum::Router {
        Routes::new(ErrorShape::ErrorObject, settings)
            .route(
                &GET_USER,
                |incoming: crate::incoming::Incoming| async move {
                    match incoming.path(1, "user-id") {
                        Ok(id) => Outgoing::status(200)
                            .json("application/json", &serde_json::json!({ "id": id })),
                        Err(failure) => Outgoing::failed(failure),
                    }
                },
            )
            .route(
                &POST_NOTE,
                |incoming: crate::incoming::Incoming| async move {
                    match incoming.json_body::<serde_json::Value>("application/json", true) {
                        Ok(body) => Outgoing::status(201).json("application/json", &body),
                        Err(failure) => Outgoing::failed(failure),
                    }
                },
            )
            .into_router()
    }

    async fn send(
        router: &mut axum::Router,
        request: http::Request<Body>,
    ) -> (u16, http::HeaderMap, serde_json::Value) {
        let response = router.call(request).await.expect("infallible");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("a body");
        (
            status,
            headers,
            serde_json::from_slice(&bytes).unwrap_or_default(),
        )
    }

    fn request(method: &str, uri: &str, body: &'static [u8]) -> http::Request<Body> {
        http::Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Body::from(body))
            .expect("a request")
    }

    #[test]
    fn parameters_are_named_by_position() {
        assert_eq!(
            axum_path("/users/{user-id}/presence"),
            "/users/{p1}/presence"
        );
        assert_eq!(axum_path("/"), "/");
        assert_eq!(axum_path("/a/microsoft.graph.x"), "/a/microsoft.graph.x");
    }

    #[tokio::test]
    async fn each_path_and_method_reaches_its_handler_and_the_rest_is_refused_in_shape() {
        let mut router = router(Settings::default());
        let (status, _, body) = send(&mut router, request("GET", "/users/a%20b", b"")).await;
        assert_eq!((status, body["id"].as_str()), (200, Some("a b")));
        let (status, _, body) = send(
            &mut router,
            request("POST", "/users/x/notes", br#"{"n":1}"#),
        )
        .await;
        assert_eq!((status, &body), (201, &serde_json::json!({"n": 1})));
        let (status, headers, body) = send(&mut router, request("DELETE", "/users/x", b"")).await;
        assert_eq!(status, 405);
        assert_eq!(headers["allow"], "GET");
        assert_eq!(body["error"]["code"], "MethodNotAllowed");
        let (status, _, body) = send(&mut router, request("GET", "/nowhere", b"")).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("NotFound"))
        );
        let (status, _, body) = send(&mut router, request("POST", "/users/x/notes", b"{")).await;
        assert_eq!(status, 400);
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("column"))
        );
        let _ = Failure::bad_request("unused");
    }

    #[tokio::test]
    async fn bodies_past_the_limit_are_refused_before_or_while_read() {
        let mut router = router(Settings::default().body_limit(8));
        let (status, _, body) = send(
            &mut router,
            request("POST", "/users/x/notes", br#"{"a":"long enough"}"#),
        )
        .await;
        assert_eq!(status, 413);
        assert_eq!(body["error"]["code"], "RequestEntityTooLarge");
        // Chunked, with no length announced: refused while read.
        let chunked = http::Request::builder()
            .method("POST")
            .uri("/users/x/notes")
            .header("content-type", "application/json")
            .body(Body::new(Unsized(Some(
                br#"{"a":"long enough"}"#.as_slice().into(),
            ))))
            .expect("a request");
        let (status, _, _) = send(&mut router, chunked).await;
        assert_eq!(status, 413);
    }

    /// A body that announces no length: one chunk, then the end.
    struct Unsized(Option<axum::body::Bytes>);

    impl http_body::Body for Unsized {
        type Data = axum::body::Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
            std::task::Poll::Ready(self.0.take().map(|b| Ok(http_body::Frame::data(b))))
        }
    }
}
