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

// ---------------------------------------------------------------------------------------
// Media types and bodies

/// `Content-Type` values, and whether a JSON body operation takes them.
const MEDIA_TYPES: [(Option<&[u8]>, bool); 19] = [
    (None, false),
    (Some(b"application/json"), true),
    (Some(b"application/json; charset=utf-8"), true),
    (Some(b"Application/JSON"), true),
    (Some(b"application/json ;odata.metadata=minimal"), true),
    (Some(b" application/json"), true),
    (Some(b"application/vnd.api+json"), true),
    (Some(b"text/plain"), false),
    (Some(b"application/xml"), false),
    (Some(b"application/jsonx"), false),
    (Some(b"json"), false),
    (Some(b""), false),
    (Some(b";"), false),
    (Some(b"application/x-www-form-urlencoded"), false),
    (Some(b"multipart/form-data; boundary=x"), false),
    (Some(b"*/*"), false),
    (Some(b"application/*"), false),
    (Some(b"\xff\xfe"), false),
    (Some(b"application/json\x80"), false),
];

const IDS_BODY: &[u8] =
    br#"{"ids":["fa8bf3dc-eca7-46b7-bad1-db199b62afc3","66825e03-7ef5-42da-9069-4da8b1c1dbd8"]}"#;

/// Bodies, and whether they decode as the operation's request body.
const BODIES: [(&[u8], bool); 11] = [
    (IDS_BODY, true),
    (br#"{"ids":[]}"#, true),
    (
        br##"{"ids":["a"],"@odata.type":"#x","extra":{"deep":[1]}}"##,
        true,
    ),
    (br#"{"ids":"a"}"#, false),
    (br#"{"ids":[1]}"#, false),
    (b"[]", false),
    (b"null", false),
    (b"{}", false),
    (br#"{"ids":["a"]} trailing"#, false),
    (b"\xff\xfe{", false),
    (b" \n ", false),
];

#[test]
fn media_types_and_bodies_are_checked_before_decoding() {
    let router = router(Mock);
    let runtime = runtime();
    // A body from the list, or the valid one cut short (or empty: `cut` 0).
    let strategy = (0..MEDIA_TYPES.len(), 0..BODIES.len() + 1, 0..IDS_BODY.len());
    let seen = Seen::default();
    runner(256)
        .run(&strategy, |(media, body, cut)| {
            let (content_type, accepted) = MEDIA_TYPES[media];
            let (body, decodes) = BODIES
                .get(body)
                .copied()
                .unwrap_or((&IDS_BODY[..cut], false));
            let mut request = http::Request::post("/communications/getPresencesByUserId");
            if let Some(content_type) = content_type {
                let value = http::HeaderValue::from_bytes(content_type).expect("a header value");
                request = request.header("content-type", value);
            }
            let request = request.body(Body::from(body.to_vec())).expect("a request");
            let answer = runtime.block_on(call(&router, request));
            seen.count(answer.status);
            let context = format!(
                "{:?} {:?}: {answer:?}",
                content_type.map(String::from_utf8_lossy),
                String::from_utf8_lossy(body)
            );
            if body.is_empty() {
                prop_assert_eq!(answer.status, 400, "{}", context);
                prop_assert_eq!(answer.error("BadRequest"), "a request body is required");
            } else if !accepted {
                prop_assert_eq!(answer.status, 415, "{}", context);
                let message = answer.error("UnsupportedMediaType");
                prop_assert!(message.contains("application/json"), "{}", context);
            } else if !decodes {
                prop_assert_eq!(answer.status, 400, "{}", context);
                let message = answer.error("BadRequest");
                prop_assert!(
                    message.contains("line ") && message.contains("column "),
                    "{}",
                    context
                );
            } else {
                prop_assert_eq!(answer.status, 200, "{}", context);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    seen.at_least(&[200, 400, 415], 10);
    runtime.block_on(still_answers(&router));
}

#[tokio::test]
async fn ten_megabytes_are_refused_under_the_default_limit() {
    let router = router(Mock);
    let body = vec![b' '; 10 * 1024 * 1024];
    for announced in [true, false] {
        let mut request = http::Request::post("/communications/getPresencesByUserId")
            .header("content-type", "application/json");
        if announced {
            request = request.header("content-length", body.len());
        }
        let request = request.body(Body::from(body.clone())).expect("a request");
        let answer = call(&router, request).await;
        assert_eq!(answer.status, 413, "announced {announced}: {answer:?}");
        let message = answer.error("RequestEntityTooLarge");
        assert_eq!(message, "the request body is larger than 4194304 bytes");
        still_answers(&router).await;
    }
}

#[tokio::test]
async fn deep_nesting_is_refused_without_exhausting_the_stack() {
    let router = router(Mock);
    let deep = "[".repeat(100_000);
    for body in [
        format!(r#"{{"ids":["a"],"extra":{deep}"#),
        format!(r#"{{"ids":{deep}"#),
        format!(r#"{{"ids":["a"],"extra":{}"#, r#"{"a":"#.repeat(50_000)),
    ] {
        let request = http::Request::post("/communications/getPresencesByUserId")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .expect("a request");
        let answer = call(&router, request).await;
        assert_eq!(answer.status, 400, "{answer:?}");
        let message = answer.error("BadRequest");
        assert!(message.contains("line 1 column "), "{message}");
    }
    still_answers(&router).await;
}

// ---------------------------------------------------------------------------------------
// The wire

/// The limits of the wire tests: short, so that timeouts come quickly.
const BODY_TIMEOUT: Duration = Duration::from_millis(300);
const HEADER_TIMEOUT: Duration = Duration::from_millis(300);
const BODY_LIMIT: usize = 64 * 1024;
const CONNECTIONS: usize = 8;

/// `serve(router_with(Mock, …))` on 127.0.0.1, stopped when dropped.
struct Server {
    address: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What came back on a connection, read until the server closed it.
#[derive(Debug)]
struct Wire {
    /// The status of the answer, if there was one.
    status: Option<u16>,
    /// Its body, as JSON (`Null` when it is not).
    body: Value,
    /// Everything received, as text.
    text: String,
}

impl Wire {
    fn error(&self, code: &str) -> &str {
        assert_eq!(self.body["error"]["code"], code, "{self:?}");
        self.body["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message in {self:?}"))
    }
}

impl Server {
    async fn start() -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port on 127.0.0.1");
        let address = listener.local_addr().expect("an address");
        let settings = Settings::default()
            .body_limit(BODY_LIMIT)
            .body_timeout(BODY_TIMEOUT);
        let serving = ServeSettings::default()
            .header_read_timeout(HEADER_TIMEOUT)
            .max_connections(CONNECTIONS);
        let task = tokio::spawn(serve(listener, router_with(Mock, settings), serving));
        Server { address, task }
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.address).await.expect("connects")
    }

    /// Sends `request` whole, then reads until the server closes the connection.
    async fn exchange(&self, request: &[u8]) -> Wire {
        let mut stream = self.connect().await;
        stream.write_all(request).await.expect("writes");
        read(&mut stream).await
    }

    async fn still_answers(&self) {
        let wire = self.exchange(VALID).await;
        assert_eq!(wire.status, Some(200), "a valid request after: {wire:?}");
    }
}

/// Reads until the server closes (or resets) the connection, within 5 s.
async fn read(stream: &mut (impl AsyncReadExt + Unpin)) -> Wire {
    let mut received = Vec::new();
    let reading = async {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
                // Reset: what came before it is the answer.
                Err(_) => break,
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), reading)
        .await
        .expect("the server answers or closes the connection within 5 s");
    let text = String::from_utf8_lossy(&received).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok());
    let body = text
        .split_once("\r\n\r\n")
        .map(|(head, body)| {
            match head
                .to_ascii_lowercase()
                .contains("transfer-encoding: chunked")
            {
                true => unchunked(body),
                false => body.to_owned(),
            }
        })
        .and_then(|body| serde_json::from_str(&body).ok())
        .unwrap_or(Value::Null);
    Wire { status, body, text }
}

/// A chunked body's data.
fn unchunked(mut text: &str) -> String {
    let mut data = String::new();
    while let Some((size, rest)) = text.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        data.push_str(&rest[..size]);
        text = rest[size..].trim_start_matches("\r\n");
    }
    data
}

/// A POST of a JSON body to `getPresencesByUserId`, its head announcing `length` (or chunked).
fn head(length: Option<usize>) -> Vec<u8> {
    let length = match length {
        Some(n) => format!("Content-Length: {n}\r\n"),
        None => "Transfer-Encoding: chunked\r\n".to_owned(),
    };
    format!(
        "POST /communications/getPresencesByUserId HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/json\r\nConnection: close\r\n{length}\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn a_body_cut_short_by_a_closed_connection_is_a_bad_request() {
    let server = Server::start().await;
    for length in [Some(IDS_BODY.len()), None] {
        let mut stream = server.connect().await;
        stream.write_all(&head(length)).await.expect("writes");
        let half = &IDS_BODY[..IDS_BODY.len() / 2];
        if length.is_none() {
            let size = format!("{:x}\r\n", IDS_BODY.len());
            stream.write_all(size.as_bytes()).await.expect("writes");
        }
        stream.write_all(half).await.expect("writes");
        stream.shutdown().await.expect("closes its half");
        let wire = read(&mut stream).await;
        assert_eq!(wire.status, Some(400), "length {length:?}: {wire:?}");
        assert_eq!(
            wire.error("BadRequest"),
            "the request body could not be read"
        );
        server.still_answers().await;
    }
}

#[tokio::test]
async fn a_json_body_cut_short_names_its_line_and_column() {
    let server = Server::start().await;
    let cut = br#"{"ids":
["fa8bf3dc-eca7"#;
    let mut request = head(Some(cut.len()));
    request.extend_from_slice(cut);
    let wire = server.exchange(&request).await;
    assert_eq!(wire.status, Some(400), "{wire:?}");
    let message = wire.error("BadRequest");
    assert!(message.contains("line 2 column 15"), "{message}");
    server.still_answers().await;
}

#[tokio::test]
async fn a_length_announced_and_never_sent_is_a_timeout() {
    let server = Server::start().await;
    let half = &IDS_BODY[..IDS_BODY.len() / 2];
    // A length, half of it sent; a chunk, half of it sent; a body sent a byte at a time, too
    // slowly.
    let mut chunk = format!("{:x}\r\n", IDS_BODY.len()).into_bytes();
    chunk.extend_from_slice(half);
    let cases: [(Option<usize>, &[u8], Duration); 3] = [
        (Some(IDS_BODY.len()), half, Duration::ZERO),
        (None, &chunk, Duration::ZERO),
        (Some(IDS_BODY.len()), IDS_BODY, Duration::from_millis(40)),
    ];
    for (length, sent, pause) in cases {
        let (mut reading, mut writing) = server.connect().await.into_split();
        writing.write_all(&head(length)).await.expect("writes");
        let started = Instant::now();
        let sent = sent.to_vec();
        // The connection stays open: the writer is dropped only when done.
        let writer = tokio::spawn(async move {
            for byte in sent {
                if writing.write_all(&[byte]).await.is_err() {
                    break;
                }
                tokio::time::sleep(pause).await;
            }
            tokio::time::sleep(Duration::from_secs(10)).await;
            drop(writing);
        });
        let wire = read(&mut reading).await;
        writer.abort();
        assert_eq!(wire.status, Some(408), "{length:?} {pause:?}: {wire:?}");
        assert_eq!(
            wire.error("RequestTimeout"),
            "the request body did not arrive within 0.3 s"
        );
        // Generous: timers run late on a loaded machine.
        assert!(
            started.elapsed() < BODY_TIMEOUT * 10,
            "{:?}",
            started.elapsed()
        );
        server.still_answers().await;
    }
}

#[tokio::test]
async fn ten_megabytes_are_refused_on_the_wire() {
    let server = Server::start().await;
    let body = vec![b' '; 10 * 1024 * 1024];
    for length in [Some(body.len()), None] {
        let (mut reading, mut writing) = server.connect().await.into_split();
        let mut request = head(length);
        match length {
            Some(_) => request.extend_from_slice(&body),
            None => {
                for chunk in body.chunks(1024 * 1024) {
                    request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    request.extend_from_slice(chunk);
                    request.extend_from_slice(b"\r\n");
                }
                request.extend_from_slice(b"0\r\n\r\n");
            }
        }
        // Written while the answer is read: the server answers before reading it all.
        let writer = tokio::spawn(async move {
            let _ = writing.write_all(&request).await;
            writing
        });
        let wire = read(&mut reading).await;
        writer.abort();
        assert_eq!(wire.status, Some(413), "{length:?}: {wire:?}");
        assert_eq!(
            wire.error("RequestEntityTooLarge"),
            format!("the request body is larger than {BODY_LIMIT} bytes")
        );
        server.still_answers().await;
    }
    // Announced and waiting for `100 Continue`: refused without a byte of it sent.
    let mut request = head(Some(body.len()));
    request.splice(request.len() - 2.., *b"Expect: 100-continue\r\n\r\n");
    let wire = server.exchange(&request).await;
    assert_eq!(wire.status, Some(413), "{wire:?}");
    wire.error("RequestEntityTooLarge");
    server.still_answers().await;
}

/// Sends `bytes` one at a time, `pause` apart, until the server closes the connection; what
/// came back, and how long the server took to close it.
async fn trickle(address: SocketAddr, bytes: &'static [u8], pause: Duration) -> (Wire, Duration) {
    let stream = TcpStream::connect(address).await.expect("connects");
    let (mut reading, mut writing) = stream.into_split();
    let started = Instant::now();
    let writer = tokio::spawn(async move {
        for byte in bytes {
            if writing.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(pause).await;
        }
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(writing);
    });
    let wire = read(&mut reading).await;
    writer.abort();
    (wire, started.elapsed())
}

#[tokio::test]
async fn slow_or_missing_headers_close_the_connection() {
    let server = Server::start().await;
    // Headers a byte every 50 ms (a whole request would take 3 s), and none at all.
    for bytes in [VALID, b""] {
        let (wire, took) = trickle(server.address, bytes, Duration::from_millis(50)).await;
        assert!(
            wire.text.is_empty() || wire.status == Some(408),
            "{:?}: {wire:?}",
            String::from_utf8_lossy(bytes)
        );
        assert!(
            took >= HEADER_TIMEOUT && took < HEADER_TIMEOUT * 10,
            "closed after {took:?}"
        );
        server.still_answers().await;
    }
    // As many slow connections as the server takes at once: a valid request waits for one of
    // them to time out, then is answered.
    // Their headers would take 5.8 s to arrive whole.
    let slow: Vec<_> = (0..CONNECTIONS)
        .map(|_| trickle(server.address, VALID, Duration::from_millis(100)))
        .collect();
    let slow = tokio::spawn(futures_util::future::join_all(slow));
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    server.still_answers().await;
    let waited = started.elapsed();
    assert!(
        waited >= HEADER_TIMEOUT / 2 && waited < HEADER_TIMEOUT * 8,
        "answered after {waited:?}"
    );
    for (wire, _) in slow.await.expect("the slow connections end") {
        assert!(wire.text.is_empty() || wire.status == Some(408), "{wire:?}");
    }
}

#[tokio::test]
async fn malformed_heads_are_refused_before_routing() {
    let server = Server::start().await;
    let long = format!(
        "GET /me/presence HTTP/1.1\r\nHost: x\r\nX-Long: {}\r\n\r\n",
        "a".repeat(1024 * 1024)
    );
    let long_uri = format!(
        "GET /me/presence?$select={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    let cases: [(&[u8], u16); 10] = [
        (b"garbage\r\n\r\n", 400),
        (b"GET /me/presence HTTP/9.9\r\nHost: x\r\n\r\n", 400),
        (b"GET /me/\xff/presence HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /me/presence HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400),
        (
            b"POST /me/presence/setPresence HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            400,
        ),
        (
            b"POST /me/presence/setPresence HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            400,
        ),
        (
            b"POST /me/presence/setPresence HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            400,
        ),
        (long.as_bytes(), 431),
        (long_uri.as_bytes(), 414),
        // Through the parser to the router: an id that is not UTF-8.
        (b"GET /users/%FF/presence HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400),
    ];
    for (request, status) in cases {
        let wire = server.exchange(request).await;
        let shown = String::from_utf8_lossy(&request[..request.len().min(120)]).into_owned();
        assert_eq!(wire.status, Some(status), "{shown}: {wire:?}");
        server.still_answers().await;
    }
    // HTTP/2's preface to an HTTP/1 server: the connection is closed, unanswered.
    let wire = server.exchange(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await;
    assert!(
        wire.status.is_none_or(|s| (400..500).contains(&s)),
        "{wire:?}"
    );
    server.still_answers().await;
}

/// The mock's `Prefer: code=…`: a code that is no final answer's status is a bad request (it
/// was a 500, and 101 a switch of protocols); a 204 carries no body, nor a length for one.
#[tokio::test]
async fn prefer_codes_the_mock_cannot_answer_are_refused() {
    let server = Server::start().await;
    let prefer = |code: &str| {
        format!(
            "GET /me/presence HTTP/1.1\r\nHost: x\r\nPrefer: code={code}\r\n\
             Connection: close\r\n\r\n"
        )
    };
    for code in [
        "0", "99", "100", "101", "103", "199", "600", "999", "65536", "2xx", "",
    ] {
        let wire = server.exchange(prefer(code).as_bytes()).await;
        assert_eq!(wire.status, Some(400), "code={code}: {wire:?}");
        let message = wire.error("BadRequest");
        assert!(
            message.contains("is not a status the mock answers"),
            "{message}"
        );
        server.still_answers().await;
    }
    let wire = server.exchange(prefer("204").as_bytes()).await;
    assert_eq!(wire.status, Some(204), "{wire:?}");
    let (head, body) = wire.text.split_once("\r\n\r\n").expect("a head");
    assert!(body.is_empty(), "{wire:?}");
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "));
    assert!(
        length.is_none_or(|l| l == "0"),
        "a length for no body: {head}"
    );
    // The documented error, asked for.
    let wire = server.exchange(prefer("404").as_bytes()).await;
    assert_eq!(wire.status, Some(404), "{wire:?}");
    assert_eq!(
        wire.error("invalidRange"),
        "Uploaded fragment overlaps with existing data."
    );
    server.still_answers().await;
}
