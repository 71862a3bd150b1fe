//! Arbitrary requests to the presence mock's router, in process: never a panic, never a 5xx
//! but the one a `Prefer: code=…` asks the mock for (no presence operation lacks a documented
//! response, so none answers 501), and every 4xx the router answers is in Graph's error shape.
//!
//! The first byte picks the method; the second an operation whose path template the first
//! line fills (each `{…}` becomes the line's text up to a `?`, the rest the query), or, past
//! the operations, the first line is the whole path and query. Then header lines
//! (`name: value`) up to an empty line, and the rest is the body.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use graph_presence_server::{Mock, OPERATIONS, Router, Settings, router_with};
use libfuzzer_sys::fuzz_target;
use tower_service::Service;

const METHODS: [&str; 8] = [
    "GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", "PROPFIND",
];

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    })
}

fn mock() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| router_with(Mock, Settings::default().body_limit(64 * 1024)))
}

/// The statuses the request's `Prefer` headers ask the mock for, read as the mock reads them.
fn preferred(request: &http::Request<Body>) -> Vec<u16> {
    request
        .headers()
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .filter_map(|p| {
            let (key, value) = p.trim().split_once('=')?;
            let key = key.trim().to_ascii_lowercase();
            (key == "code").then(|| value.trim().trim_matches('"').parse().ok())?
        })
        .collect()
}

fn request(input: &[u8]) -> Option<http::Request<Body>> {
    let (&method, rest) = input.split_first()?;
    let (&operation, rest) = rest.split_first()?;
    let mut lines = rest.split(|&b| b == b'\n');
    let first = std::str::from_utf8(lines.next()?).ok()?;
    let uri = match OPERATIONS.get(usize::from(operation)) {
        Some(operation) => {
            let (id, query) = first
                .split_once('?')
                .map_or((first, None), |(i, q)| (i, Some(q)));
            let mut path = String::new();
            for segment in operation.path.split('/').skip(1) {
                path.push('/');
                path.push_str(if segment.starts_with('{') {
                    id
                } else {
                    segment
                });
            }
            match query {
                Some(query) => format!("{path}?{query}"),
                None => path,
            }
        }
        None if first.starts_with('/') => first.to_owned(),
        None => format!("/{first}"),
    };
    let mut request = http::Request::builder()
        .method(METHODS[usize::from(method) % METHODS.len()])
        .uri(http::Uri::try_from(uri).ok()?);
    let mut consumed = 2 + first.len() + 1;
    for line in lines.by_ref().take(16) {
        consumed += line.len() + 1;
        if line.is_empty() {
            break;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(&line[..colon]),
            http::HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
        ) else {
            continue;
        };
        request = request.header(name, value);
    }
    let body = input.get(consumed..).unwrap_or_default().to_vec();
    request.body(Body::from(body)).ok()
}

fuzz_target!(|input: &[u8]| {
    let Some(request) = request(input) else {
        return;
    };
    let preferred = preferred(&request);
    let head = request.method() == http::Method::HEAD;
    let (status, body) = runtime().block_on(async {
        let response = mock().clone().call(request).await.unwrap();
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, body)
    });
    assert!(
        status < 500 || preferred.contains(&status),
        "{status} {}",
        String::from_utf8_lossy(&body)
    );
    if (400..500).contains(&status) && !head {
        let error: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
        assert!(
            error.is_some_and(|e| e["error"]["code"].is_string()),
            "{status} without Graph's error: {}",
            String::from_utf8_lossy(&body)
        );
    }
});
