//! Bulk presence against a local server that answers getPresencesByUserId for the ids it is
//! sent, and the client-side rate limit. Retry waits go through a fake clock.

use graph_presence_client::{BearerToken, Client, MAX_IDS_PER_REQUEST, RateLimit};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tests::{FakeClock, user_ids};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Each request's arrival and ids.
type Seen = Arc<Mutex<Vec<(Instant, Vec<String>)>>>;

/// Answers with a presence per requested id, or 503 for a chunk holding the poisoned id;
/// records each request's ids and arrival.
struct Echo {
    poison: Option<String>,
    seen: Seen,
    delay: Duration,
}

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let ids = tests::requested_ids(&request.body);
        self.seen
            .lock()
            .expect("not poisoned")
            .push((Instant::now(), ids.clone()));
        if self.poison.as_ref().is_some_and(|p| ids.contains(p)) {
            return ResponseTemplate::new(503).insert_header("Retry-After", "1");
        }
        let value: Vec<Value> = ids
            .iter()
            .map(|id| json!({"id": id, "availability": "Available", "activity": "Available"}))
            .collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({ "value": value }))
            .set_delay(self.delay)
    }
}

async fn echo_server(poison: Option<&str>, delay: Duration) -> (MockServer, Seen) {
    let server = MockServer::start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path("/beta/communications/getPresencesByUserId"))
        .respond_with(Echo {
            poison: poison.map(str::to_owned),
            seen: seen.clone(),
            delay,
        })
        .mount(&server)
        .await;
    (server, seen)
}

fn client(server: &MockServer, clock: &FakeClock) -> Client {
    tests::local_client(&server.uri(), clock)
}

#[tokio::test]
async fn ten_thousand_ids_take_exactly_ceil_unique_over_650_requests() {
    assert_eq!(
        MAX_IDS_PER_REQUEST, 650,
        "the limit comes from the schema's maxItems"
    );
    let (server, seen) = echo_server(None, Duration::ZERO).await;
    let clock = FakeClock::new();
    let unique = user_ids(10_000);
    // Duplicates, some in another letter case, are asked for once.
    let mut ids = unique.clone();
    ids.extend(unique.iter().step_by(7).cloned());
    ids.extend(unique.iter().step_by(11).map(|id| id.to_uppercase()));
    let request = client(&server, &clock).presences_of(ids).concurrency(6);
    assert_eq!(request.ids().len(), 10_000);
    assert_eq!(request.request_count(), 16);
    let result = request.send().await;
    assert!(result.is_complete(), "{:?}", result.failures);
    assert_eq!(result.presences.len(), 10_000);
    assert!(result.missing.is_empty());
    for id in unique.iter().step_by(997) {
        let presence = result
            .get(&id.to_uppercase())
            .expect("looked up in any case");
        assert_eq!(&presence.id, id);
    }
    let seen = seen.lock().expect("not poisoned");
    assert_eq!(
        seen.len(),
        10_000usize.div_ceil(650),
        "exactly ceil(unique / 650) requests"
    );
    assert!(seen.iter().all(|(_, ids)| ids.len() <= 650));
    let asked: usize = seen.iter().map(|(_, ids)| ids.len()).sum();
    assert_eq!(asked, 10_000, "no id is asked for twice");
}

#[tokio::test]
async fn a_chunk_that_keeps_failing_is_named_and_the_others_are_kept() {
    let ids = user_ids(10_000);
    let poison = ids[5_000].clone();
    let (server, seen) = echo_server(Some(&poison), Duration::ZERO).await;
    let clock = FakeClock::new();
    let result = client(&server, &clock)
        .presences_of(ids.clone())
        .send()
        .await;
    assert_eq!(result.failures.len(), 1);
    let failure = &result.failures[0];
    assert!(failure.ids.contains(&poison));
    assert_eq!(failure.ids.len(), 650);
    assert_eq!(failure.error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        result.presences.len(),
        10_000 - 650,
        "every other chunk's presences arrive"
    );
    let failed: HashSet<&str> = result.failed_ids().collect();
    assert!(
        result
            .presences
            .keys()
            .all(|id| !failed.contains(id.as_str()))
    );
    assert!(result.missing.is_empty(), "failed ids are not \"missing\"");
    assert_eq!(
        seen.lock().expect("not poisoned").len(),
        16 + 2,
        "16 chunks plus the failing chunk's 2 retries"
    );
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(1); 2]);
}

#[tokio::test]
async fn concurrency_is_bounded() {
    let delay = Duration::from_millis(40);
    let (server, seen) = echo_server(None, delay).await;
    let result = client(&server, &FakeClock::new())
        .presences_of(user_ids(650 * 6))
        .concurrency(2)
        .send()
        .await;
    assert!(result.is_complete());
    let arrivals: Vec<Instant> = seen
        .lock()
        .expect("not poisoned")
        .iter()
        .map(|(at, _)| *at)
        .collect();
    assert_eq!(arrivals.len(), 6);
    // Each request is answered `delay` after it arrives; at no arrival may more than two be
    // in flight.
    let most = arrivals
        .iter()
        .map(|a| {
            arrivals
                .iter()
                .filter(|b| *b <= a && a.duration_since(**b) < delay)
                .count()
        })
        .max()
        .unwrap_or_default();
    assert!(most <= 2, "{most} requests were in flight at once");
}

#[tokio::test]
async fn results_stream_as_chunks_complete() {
    use futures_util::StreamExt;
    let (server, _) = echo_server(None, Duration::ZERO).await;
    let chunks: Vec<_> = client(&server, &FakeClock::new())
        .presences_of(user_ids(2_000))
        .stream()
        .collect()
        .await;
    assert_eq!(chunks.len(), 4);
    let total: usize = chunks
        .iter()
        .map(|c| c.as_ref().map(|c| c.presences.len()).unwrap_or_default())
        .sum();
    assert_eq!(total, 2_000);
}

#[tokio::test]
async fn the_rate_limit_keeps_a_client_under_its_window() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"id":"a"}"#, "application/json"))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let client = Client::builder(BearerToken::new("t"))
        .base_url(server.uri())
        .clock(clock.clone())
        .rate_limit(RateLimit::new(3, Duration::from_secs(30)))
        .build()
        .expect("valid");
    for _ in 0..5 {
        client.me().presence().get().send().await.expect("sent");
    }
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_secs(30)],
        "the fourth request waits for the window; the fifth fits after it"
    );
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        5
    );
    let graph = RateLimit::graph_presence();
    assert!(format!("{graph:?}").contains("1500"));
}
