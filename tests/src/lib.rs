//! The generated code of every valid generator fixture, compiled (see `build.rs`), and helpers
//! shared by the integration tests.

/// One module per fixture in `tests/fixtures/valid`, named after the file.
#[allow(dead_code, unused_imports)]
pub mod fixtures {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// A clock for the client whose sleeps return at once, advance its time and are recorded, so
/// tests of retries and rate limits never sleep for real.
#[derive(Clone)]
pub struct FakeClock(Arc<Mutex<(jiff::Timestamp, Vec<Duration>)>>);

impl FakeClock {
    /// A clock at 2026-11-22T10:00:00Z.
    pub fn new() -> Self {
        FakeClock(Arc::new(Mutex::new((
            jiff::Timestamp::from_second(1_795_341_600).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            Vec::new(),
        ))))
    }

    /// Every wait asked for, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .1
            .clone()
    }
}

impl Default for FakeClock {
    fn default() -> Self {
        FakeClock::new()
    }
}

impl graph_presence_client::Clock for FakeClock {
    fn now(&self) -> jiff::Timestamp {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0
    }

    fn sleep(&self, duration: Duration) -> graph_presence_client::Sleep {
        let mut state = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let step = jiff::SignedDuration::try_from(duration).unwrap_or(jiff::SignedDuration::MAX);
        state.0 = state.0.checked_add(step).unwrap_or(jiff::Timestamp::MAX);
        state.1.push(duration);
        Box::pin(std::future::ready(()))
    }
}

/// The README's Rust examples, run as doctests so that they stay true.
#[doc = include_str!("../../README.md")]
pub mod readme {}

/// The ids a getPresencesByUserId request body asks for (none if it is not that body), for
/// the local servers that answer it.
pub fn requested_ids(body: &[u8]) -> Vec<String> {
    let body: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    body["ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The one way these tests point the presence client at a local Graph: its `/beta` on
/// `server_uri`, signed in with `auth`. Each test adds what it is about (a clock, retries,
/// limits) and builds.
pub fn local_graph_as(
    server_uri: &str,
    auth: impl graph_presence_client::TokenProvider + 'static,
) -> graph_presence_client::ClientBuilder {
    graph_presence_client::Client::builder(auth).base_url(format!("{server_uri}/beta"))
}

/// [`local_graph_as`] with the token `t`.
pub fn local_graph(server_uri: &str) -> graph_presence_client::ClientBuilder {
    local_graph_as(server_uri, graph_presence_client::BearerToken::new("t"))
}

/// A client of a local Graph at `server_uri`, on `clock`, with three attempts per request: the
/// setup the bulk, paging and subscription tests share.
pub fn local_client(server_uri: &str, clock: &FakeClock) -> graph_presence_client::Client {
    local_graph(server_uri)
        .clock(clock.clone())
        .retry(graph_presence_client::RetryPolicy {
            max_attempts: 3,
            ..graph_presence_client::RetryPolicy::default()
        })
        .build()
        .expect("valid")
}

/// `n` distinct user ids, in order.
pub fn user_ids(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("00000000-0000-4000-8000-{i:012x}"))
        .collect()
}
