//! The emulator's HTTP surface on one port: Graph's presence operations under `/v1.0` and
//! `/beta` (the generated router over the emulator, behind the injected faults), the identity
//! platform's endpoints under `/{tenant}/…` as Microsoft's are, and the admin API under
//! `/_emulator`.

use crate::api::EmulatorApi;
use crate::emulator::Shared;
use crate::faults::Injected;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use http::request::Parts;
use openapi_models_runtime::excerpt;
use std::sync::Arc;

/// The whole surface.
pub(crate) fn router(shared: Arc<Shared>, api: EmulatorApi) -> Router {
    let faults = {
        let shared = shared.clone();
        move |request: Request, next: Next| {
            let shared = shared.clone();
            async move { inject(&shared, request, next).await }
        }
    };
    let graph = graph_presence_server::router(api).layer(axum::middleware::from_fn(faults));
    let openid = {
        let shared = shared.clone();
        move |Segment(tenant): Segment| {
            let document = shared.authority().openid_configuration(&tenant);
            std::future::ready(json(StatusCode::OK, &document))
        }
    };
    let keys = {
        let shared = shared.clone();
        move |Segment(tenant): Segment| {
            let document = shared.authority().jwks(&tenant);
            std::future::ready(json(StatusCode::OK, &document))
        }
    };
    let token = {
        let shared = shared.clone();
        move |Segment(tenant): Segment, body: Result<Bytes, BytesRejection>| {
            let body = match body {
                Ok(body) => body,
                // Over axum's body limit: OAuth's error shape, as the endpoint's others.
                Err(e) => {
                    let error = serde_json::json!({
                        "error": "invalid_request",
                        "error_description": e.body_text(),
                    });
                    return std::future::ready(json(e.status(), &error));
                }
            };
            let form = form_pairs(&body);
            let now = shared.clock.now();
            let answer = shared.authority().token_response(&tenant, &form, now);
            let response = match answer {
                Ok(document) => json(StatusCode::OK, &document),
                Err(error) => json(
                    StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST),
                    &error.to_json(),
                ),
            };
            std::future::ready(response)
        }
    };
    Router::new()
        .nest("/v1.0", graph.clone())
        .nest("/beta", graph)
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(keys))
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .nest("/_emulator", crate::admin::router(shared))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
}

/// Graph's 404 for a path the emulator does not serve (the Graph router answers its own).
async fn not_found(request: Request) -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!(
            "no operation at `{} {}`",
            excerpt(request.method().as_str(), 20),
            excerpt(request.uri().path(), 200)
        ),
    )
}

/// Graph's 405 for a method a path of the emulator's own does not take.
pub(crate) async fn method_not_allowed(request: Request) -> Response {
    graph_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        &format!(
            "`{}` does not take {}",
            excerpt(request.uri().path(), 200),
            excerpt(request.method().as_str(), 20)
        ),
    )
}

/// The one `{…}` segment of a route's path, percent-decoded; as an extractor, one that is not
/// UTF-8 is answered with Graph's 400.
pub(crate) struct Segment(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Segment {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(segment)| Segment(segment))
            .map_err(|e| {
                graph_error(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    &format!("the path is not usable: {e}"),
                )
            })
    }
}

/// A JSON answer that is not cached (RFC 6749 asks it of the token endpoint).
pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    (
        status,
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "no-store"),
        ],
        value.to_string(),
    )
        .into_response()
}

/// Graph's error JSON, for what the emulator answers outside the generated router.
pub(crate) fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "error": {
            "code": code,
            "message": excerpt(message, 300),
            "innerError": {
                "date": jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S").to_string(),
                "request-id": uuid::Uuid::new_v4().to_string(),
            }
        }
    });
    json(status, &body)
}

/// `application/x-www-form-urlencoded` pairs (`+` a space, `%XX` decoded; a pair that is not
/// UTF-8 is kept lossily, to be refused by what reads it).
pub(crate) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let decode = |text: &[u8]| {
        let spaced: Vec<u8> = text
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        percent_encoding::percent_decode(&spaced)
            .decode_utf8_lossy()
            .into_owned()
    };
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut parts = pair.splitn(2, |&b| b == b'=');
            let name = decode(parts.next().unwrap_or_default());
            let value = decode(parts.next().unwrap_or_default());
            (name, value)
        })
        .collect()
}

/// The operationId of a request to the Graph router (for faults by operation), if any.
fn operation_of(method: &http::Method, path: &str) -> &'static str {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    graph_presence_server::OPERATIONS
        .iter()
        .find(|op| {
            let template: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
            op.method == method.as_str()
                && template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t.starts_with('{') || t == s)
        })
        .map_or("", |op| op.id)
}

/// The injected faults: latency, a 503, or a connection cut after the headers.
async fn inject(shared: &Shared, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let operation = operation_of(request.method(), &path);
    let injected = shared.state().faults.draw(operation, &path);
    let delay = match injected {
        Injected::Handle { delay }
        | Injected::ServerError { delay }
        | Injected::Reset { delay } => delay,
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let response = match injected {
        Injected::Handle { .. } => next.run(request).await,
        Injected::ServerError { .. } => {
            let mut response = graph_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceNotAvailable",
                "The service is temporarily unavailable (injected by the emulator).",
            );
            response
                .headers_mut()
                .insert(RETRY_AFTER, http::HeaderValue::from_static("1"));
            response
        }
        Injected::Reset { .. } => {
            // The status line goes out, then the body fails: the connection is cut.
            let cut = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other(
                    "connection cut by the emulator",
                ))
            });
            (
                StatusCode::OK,
                [(CONTENT_TYPE, "application/json")],
                Body::from_stream(cut),
            )
                .into_response()
        }
    };
    let status = response.status().as_u16();
    shared.state().count(
        if operation.is_empty() {
            "(no operation)"
        } else {
            operation
        },
        status,
    );
    response
}

#[cfg(test)]
mod tests {
    use super::{form_pairs, operation_of};

    #[test]
    fn a_form_and_an_operation_are_read() {
        assert_eq!(
            form_pairs(b"grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&x=a+b&&y"),
            [
                ("grant_type".to_owned(), "client_credentials".to_owned()),
                ("scope".to_owned(), "https://graph.microsoft.com/.default".to_owned()),
                ("x".to_owned(), "a b".to_owned()),
                ("y".to_owned(), String::new()),
            ]
        );
        assert_eq!(
            operation_of(&http::Method::GET, "/users/abc/presence"),
            "user_GetPresence"
        );
        assert_eq!(operation_of(&http::Method::GET, "/nothing"), "");
    }
}
