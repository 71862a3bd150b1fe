//! Arbitrary requests to the emulator's whole HTTP surface (Graph under `/v1.0` and `/beta`,
//! the identity platform, the admin API), called in process on one running emulator: never a
//! panic, never a 5xx, every error a JSON body in Graph's shape (or, from the token endpoint,
//! OAuth's), every other body JSON.
//!
//! The first byte picks the method; the second a path template whose `{…}` the first line
//! fills (up to a `?`, the rest the query), or, past the templates, the first line is the
//! whole path and query. Then header lines (`name: value`) up to an empty line, and the rest
//! is the body. Anywhere, `$U` becomes the first user's id, `$T` a fresh delegated token of
//! theirs and `$A` a fresh app-only token, so that inputs reach past authentication.
//!
//! What one input changes is put back before the next (faults, which may add minutes of
//! latency, and the throttle); the rest (presence, subscriptions, the clock) carries over, as
//! it does for a long-running emulator.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use axum::body::Body;
use graph_presence_emulator::{DeliverySettings, Emulator, ThrottleSettings};
use graph_presence_server::OPERATIONS;
use libfuzzer_sys::fuzz_target;
use tower_service::Service;

const METHODS: [&str; 8] = [
    "GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", "PROPFIND",
];

/// The emulator's own paths, besides Graph's operations.
const OWN_PATHS: [&str; 17] = [
    "/_emulator",
    "/_emulator/counters",
    "/_emulator/tokens",
    "/_emulator/clock/advance",
    "/_emulator/users",
    "/_emulator/users/{id}",
    "/_emulator/users/{id}/teams",
    "/_emulator/users/{id}/outOfOffice",
    "/_emulator/subscriptions",
    "/_emulator/subscriptions/{id}",
    "/_emulator/deliveries",
    "/_emulator/endpoints",
    "/_emulator/faults",
    "/_emulator/throttle",
    "/{tenant}/v2.0/.well-known/openid-configuration",
    "/{tenant}/discovery/v2.0/keys",
    "/{tenant}/oauth2/v2.0/token",
];

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

fn emulator() -> &'static Emulator {
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    EMULATOR.get_or_init(|| {
        // A handshake the fuzzer points somewhere gives up quickly.
        let delivery = DeliverySettings {
            handshake_timeout: Duration::from_millis(200),
            ..DeliverySettings::default().allowing_http_loopback()
        };
        runtime()
            .block_on(Emulator::builder().delivery(delivery).start())
            .unwrap()
    })
}

/// The emulator's HTTP surface, built once (as the served one is).
fn router() -> &'static axum::Router {
    static ROUTER: OnceLock<axum::Router> = OnceLock::new();
    ROUTER.get_or_init(|| emulator().router())
}

/// The template the second byte picks: Graph's operations under each version, then the
/// emulator's own paths.
fn template(index: usize) -> Option<String> {
    let graph = OPERATIONS.len();
    if index < 2 * graph {
        let version = if index < graph { "/v1.0" } else { "/beta" };
        return Some(format!("{version}{}", OPERATIONS[index % graph].path));
    }
    OWN_PATHS.get(index - 2 * graph).map(|p| (*p).to_owned())
}

/// `input` with every `from` replaced by `to`.
fn replace(input: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    while let Some(at) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn substituted(input: &[u8], emulator: &Emulator) -> Vec<u8> {
    let Some(first) = emulator.users().first().map(|u| u.id.clone()) else {
        return input.to_vec();
    };
    let mut input = replace(input, b"$U", first.as_bytes());
    if input.windows(2).any(|w| w == b"$T") {
        let token = emulator.user_token(&first, &graph_presence_emulator::ALL_SCOPES);
        input = replace(&input, b"$T", token.as_bytes());
    }
    if input.windows(2).any(|w| w == b"$A") {
        let token = emulator.app_token(&["Presence.Read.All", "Presence.ReadWrite.All"]);
        input = replace(&input, b"$A", token.as_bytes());
    }
    input
}

fn request(input: &[u8]) -> Option<http::Request<Body>> {
    let (&method, rest) = input.split_first()?;
    let (&pick, rest) = rest.split_first()?;
    let mut lines = rest.split(|&b| b == b'\n');
    let first = std::str::from_utf8(lines.next()?).ok()?;
    let uri = match template(usize::from(pick)) {
        Some(template) => {
            let (id, query) = first
                .split_once('?')
                .map_or((first, None), |(i, q)| (i, Some(q)));
            let mut path = String::new();
            for segment in template.split('/').skip(1) {
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

/// An error body: Graph's `{"error": {"code": …, "message": …}}`, or OAuth's
/// `{"error": "…", "error_description": …}` from the token endpoint.
fn is_error_json(body: &serde_json::Value) -> bool {
    let error = &body["error"];
    (error["code"].is_string() && error["message"].is_string())
        || (error.is_string() && body["error_description"].is_string())
}

fuzz_target!(|input: &[u8]| {
    let emulator = emulator();
    let input = substituted(input, emulator);
    let Some(request) = request(&input) else {
        return;
    };
    let head = request.method() == http::Method::HEAD;
    let (status, body) = runtime().block_on(async {
        let response = match router().clone().call(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), 8 << 20)
            .await
            .unwrap();
        (status, body)
    });
    emulator.set_faults(Vec::new()).unwrap();
    emulator.set_throttle(ThrottleSettings::default());
    let text = String::from_utf8_lossy(&body);
    assert!(status < 500, "{status}: {text}");
    if head || body.is_empty() {
        assert!(status < 400 || head, "{status} without a body");
        return;
    }
    let json: serde_json::Value = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{status} with a body that is not JSON ({e}): {text}"));
    if status >= 400 {
        assert!(
            is_error_json(&json),
            "{status} without an error's shape: {text}"
        );
    }
});
