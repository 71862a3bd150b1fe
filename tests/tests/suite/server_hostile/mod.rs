//! Hostile requests to the generated presence server (issue 18): bad percent-encoding in the
//! path and the query, repeated query parameters, wrong, missing and garbage media types,
//! bodies cut short, bodies of 10 MB, bodies that announce a length they never send, and
//! headers sent slowly or not at all. Each gets the 4xx it calls for, in Graph's error shape
//! where the router answers (naming the parameter, or the body's line and column), or a
//! timeout (`408`, or the connection closed when its headers do not arrive in time); never a
//! panic or a 5xx, and a valid request right after is answered `200`.
//!
//! Paths, queries and media types are property tests (fixed seed) against an oracle that
//! states each request's status from the document's operations, calling `router(Mock)` in
//! process. What only the wire can do (a body cut short by a closed connection, a length that
//! lies, 10 MB written to a socket, slow headers) is raw HTTP/1.1 over TCP on 127.0.0.1 to
//! `serve`, with limits short enough that the module runs in a few seconds.

use axum::body::Body;
use graph_presence_server::{
    Mock, OPERATIONS, OperationInfo, Router, ServeSettings, Settings, router, router_with, serve,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRng, TestRunner};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower_service::Service;

/// The operations whose request has a (required) JSON body.
const TAKES_A_BODY: [&str; 19] = [
    "communications_getPresencesByUserId",
    "me.presence_setPresence",
    "user.presence_setPresence",
    "me.presence_clearPresence",
    "user.presence_clearPresence",
    "me.presence_setUserPreferredPresence",
    "user.presence_setUserPreferredPresence",
    "me.presence_clearUserPreferredPresence",
    "user.presence_clearUserPreferredPresence",
    "me.presence_setStatusMessage",
    "user.presence_setStatusMessage",
    "me.presence_setAutomaticLocation",
    "user.presence_setAutomaticLocation",
    "communications.presence_setAutomaticLocation",
    "me.presence_setManualLocation",
    "user.presence_setManualLocation",
    "communications.presence_setManualLocation",
    "subscription_CreateSubscription",
    "subscription_UpdateSubscription",
];

/// A request that must always be answered `200`.
const VALID: &[u8] = b"GET /me/presence HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/// The router's answer, read in process.
#[derive(Debug)]
struct Answer {
    status: u16,
    allow: Option<String>,
    body: Value,
}

impl Answer {
    /// The message of an error in Graph's shape with this code; fails for any other body.
    fn error(&self, code: &str) -> &str {
        assert_eq!(self.body["error"]["code"], code, "{self:?}");
        self.body["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message in {self:?}"))
    }
}

async fn call(router: &Router, request: http::Request<Body>) -> Answer {
    let response = router
        .clone()
        .call(request)
        .await
        .expect("a router is infallible");
    let status = response.status().as_u16();
    let allow = response
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("an answer's body");
    Answer {
        status,
        allow,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

async fn still_answers(router: &Router) {
    let request = http::Request::get("/me/presence")
        .body(Body::empty())
        .expect("a request");
    let answer = call(router, request).await;
    assert_eq!(answer.status, 200, "a valid request after: {answer:?}");
}

/// A proptest runner with a fixed seed: the same cases on every run.
fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    TestRunner::new_with_rng(config, rng)
}

/// How many cases got each status: a property whose cases all land on one outcome tests
/// little.
#[derive(Default)]
struct Seen(std::cell::RefCell<std::collections::BTreeMap<u16, u32>>);

impl Seen {
    fn count(&self, status: u16) {
        *self.0.borrow_mut().entry(status).or_default() += 1;
    }

    fn at_least(&self, statuses: &[u16], cases: u32) {
        let seen = self.0.borrow();
        for status in statuses {
            assert!(
                seen.get(status).is_some_and(|&n| n >= cases),
                "fewer than {cases} cases answered {status}: {seen:?}"
            );
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Text decoded from its percent-encoding as RFC 3986 writes it (`%` and two hex digits):
/// `None` for a `%` that starts no escape, or bytes that are not UTF-8.
fn decoded(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

// ---------------------------------------------------------------------------------------
// Paths and methods

/// What a path parameter may be sent as: ids, escapes of every kind, and bad ones.
const IDS: [&str; 18] = [
    "fa8bf3dc-eca7-46b7-bad1-db199b62afc3",
    "a",
    "a%20b",
    "%2F",
    "..",
    ".",
    "",
    "%FF",
    "%ZZ",
    "%",
    "x%2",
    "%E2%82%AC",
    "%C3%28",
    "%00",
    "%25",
    "%+1",
    "me",
    "@odata",
];

/// What a literal segment may be replaced by.
const LITERALS: [&str; 10] = [
    "presence",
    "Presence",
    "users",
    "me",
    "x",
    "",
    "%70resence",
    "setPresence",
    "..",
    "%FF",
];

const METHODS: [&str; 9] = [
    "GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "HEAD", "PROPFIND", "TRACE",
];

/// What a request with no body must be answered, by the document's operations.
#[derive(Debug, PartialEq)]
enum Expected {
    Success,
    NotFound,
    /// `405`, with the path's methods in `Allow`.
    NotAllowed(String),
    /// `400` naming the path parameter.
    BadParameter(String),
    BodyRequired,
}

fn expected(method: &str, path: &str) -> Expected {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let template = |op: &OperationInfo| -> Vec<&'static str> {
        let path: &'static str = op.path;
        path.split('/').skip(1).collect()
    };
    let fits = |op: &&OperationInfo| {
        let template = template(op);
        template.len() == segments.len()
            && template
                .iter()
                .zip(&segments)
                .enumerate()
                .all(|(i, (t, s))| {
                    // The router (matchit) takes an empty segment for a parameter, except the last.
                    match t.starts_with('{') {
                        true => !s.is_empty() || i + 1 < segments.len(),
                        false => t == s,
                    }
                })
    };
    let here: Vec<&OperationInfo> = OPERATIONS.iter().filter(fits).collect();
    if here.is_empty() {
        return Expected::NotFound;
    }
    // HEAD is answered as GET is.
    let routed = if method == "HEAD" { "GET" } else { method };
    let Some(operation) = here.iter().find(|op| op.method == routed) else {
        let allow: Vec<&str> = here.iter().map(|op| op.method).collect();
        return Expected::NotAllowed(allow.join(", "));
    };
    for (t, s) in template(operation).iter().zip(&segments) {
        // An empty segment the router took for a parameter is refused when read.
        if t.starts_with('{') && decoded(s).is_none_or(|s| s.is_empty()) {
            return Expected::BadParameter(t.trim_matches(['{', '}']).to_owned());
        }
    }
    match TAKES_A_BODY.contains(&operation.id) {
        true => Expected::BodyRequired,
        false => Expected::Success,
    }
}

#[test]
fn paths_and_methods_are_routed_or_refused_in_shape() {
    let router = router(Mock);
    let runtime = runtime();
    let strategy = (
        0..OPERATIONS.len(),
        // A literal segment replaced one time in ten.
        prop::collection::vec((0..10u8, 0..IDS.len()), 6),
        // The operation's own method half the time.
        0..2 * METHODS.len(),
        // The path's shape changed three times in ten.
        0..10u8,
    );
    let seen = Seen::default();
    runner(256)
        .run(&strategy, |(operation, picks, method, shape)| {
            let template = OPERATIONS[operation].path;
            let mut segments: Vec<&str> = template
                .split('/')
                .skip(1)
                .zip(&picks)
                .map(
                    |(segment, &(choice, pick))| match segment.starts_with('{') {
                        true => IDS[pick],
                        false if choice == 0 => LITERALS[pick % LITERALS.len()],
                        false => segment,
                    },
                )
                .collect();
            match shape {
                1 => segments.push(IDS[picks[5].1]),
                2 => drop(segments.pop()),
                3 => segments.push(""),
                _ => {}
            }
            let method = METHODS
                .get(method)
                .copied()
                .unwrap_or(OPERATIONS[operation].method);
            let path = format!("/{}", segments.join("/"));
            let request = http::Request::builder()
                .method(method)
                .uri(&path)
                .body(Body::empty())
                .expect("a request");
            let answer = runtime.block_on(call(&router, request));
            seen.count(answer.status);
            let expected = expected(method, &path);
            let context = format!("{method} {path}: {answer:?}");
            let with_body = method != "HEAD";
            match &expected {
                Expected::Success => prop_assert_eq!(answer.status, 200, "{}", context),
                Expected::NotFound => {
                    prop_assert_eq!(answer.status, 404, "{}", context);
                    if with_body {
                        answer.error("NotFound");
                    }
                }
                Expected::NotAllowed(allow) => {
                    prop_assert_eq!(answer.status, 405, "{}", context);
                    prop_assert_eq!(answer.allow.as_deref(), Some(allow.as_str()), "{}", context);
                    if with_body {
                        answer.error("MethodNotAllowed");
                    }
                }
                Expected::BadParameter(name) => {
                    prop_assert_eq!(answer.status, 400, "{}", context);
                    if with_body {
                        let message = answer.error("BadRequest");
                        prop_assert!(message.contains(&format!("`{name}`")), "{}", context);
                    }
                }
                Expected::BodyRequired => {
                    prop_assert_eq!(answer.status, 400, "{}", context);
                    prop_assert_eq!(answer.error("BadRequest"), "a request body is required");
                }
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    // The cases reach every outcome, not only 404.
    seen.at_least(&[200, 400, 404, 405], 10);
    runtime.block_on(still_answers(&router));
}

// ---------------------------------------------------------------------------------------
// Query strings

/// Query parameter names: the document's, encoded or not, and others.
const NAMES: [&str; 11] = [
    "$select",
    "%24select",
    "$expand",
    "%24expand",
    "$filter",
    "$Select",
    "$top",
    "x",
    "%FF",
    "%ZZ",
    "",
];

const VALUES: [&str; 13] = [
    "id",
    "id,availability",
    "",
    "%FF",
    "%ZZ",
    "%",
    "a%20b",
    "%E2%82%AC",
    "%C3%28",
    "a+b",
    "a=b",
    "%2C",
    "x%2",
];

/// A GET operation, a path to it and the query parameters it reads, in the order it reads them.
const QUERIED: [(&str, &[&str]); 3] = [
    ("/users/a/presence", &["$select", "$expand"]),
    (
        "/communications/presences",
        &["$filter", "$select", "$expand"],
    ),
    ("/subscriptions/s", &["$select"]),
];

#[test]
fn query_strings_name_the_parameter_they_break() {
    let router = router(Mock);
    let runtime = runtime();
    let strategy = (
        0..QUERIED.len(),
        prop::collection::vec((0..NAMES.len(), 0..VALUES.len(), 0..3u8), 0..6),
    );
    let seen = Seen::default();
    runner(256)
        .run(&strategy, |(operation, pairs)| {
            let (path, parameters) = QUERIED[operation];
            let query: Vec<String> = pairs
                .iter()
                .map(|&(name, value, form)| match form {
                    0 => format!("{}={}", NAMES[name], VALUES[value]),
                    1 => NAMES[name].to_owned(),
                    _ => format!("{}={}&", NAMES[name], VALUES[value]),
                })
                .collect();
            let uri = format!("{path}?{}", query.join("&"));
            let request = http::Request::get(&uri)
                .body(Body::empty())
                .expect("a request");
            let answer = runtime.block_on(call(&router, request));
            seen.count(answer.status);
            // The first parameter read that is broken: a value that does not decode, or more
            // than one value.
            let broken = parameters.iter().find_map(|&parameter| {
                let values: Vec<&str> = pairs
                    .iter()
                    .filter(|&&(name, _, _)| {
                        percent_encoding::percent_decode_str(NAMES[name]).decode_utf8_lossy()
                            == parameter
                    })
                    .map(|&(_, value, form)| if form == 1 { "" } else { VALUES[value] })
                    .collect();
                match (values.iter().any(|v| decoded(v).is_none()), values.len()) {
                    (true, _) => Some((parameter, None)),
                    (false, n) if n > 1 => Some((parameter, Some(n))),
                    _ => None,
                }
            });
            let context = format!("GET {uri}: {answer:?}");
            match broken {
                None => prop_assert_eq!(answer.status, 200, "{}", context),
                Some((parameter, times)) => {
                    prop_assert_eq!(answer.status, 400, "{}", context);
                    let message = answer.error("BadRequest");
                    match times {
                        Some(n) => prop_assert_eq!(
                            message,
                            format!("query parameter `{parameter}` is given {n} times")
                        ),
                        None => prop_assert!(
                            message.starts_with(&format!("query parameter `{parameter}`")),
                            "{}",
                            context
                        ),
                    }
                }
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    seen.at_least(&[200, 400], 30);
    runtime.block_on(still_answers(&router));
}

/// A valid body of `getPresencesByUserId`, for the body and wire tests.
const IDS_BODY: &[u8] =
    br#"{"ids":["fa8bf3dc-eca7-46b7-bad1-db199b62afc3","66825e03-7ef5-42da-9069-4da8b1c1dbd8"]}"#;

mod bodies;
mod wire;
