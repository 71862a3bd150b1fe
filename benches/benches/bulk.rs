//! Bulk presence for 10,000 user ids against a local HTTP server that adds 20 ms to every
//! response: the bulk API (chunked, concurrent) against a naive loop of one GET per user, and
//! against the floor ceil(chunks / concurrency) x 20 ms.
//!
//! `cargo bench -p benches --bench bulk`

use graph_presence_client::{BearerToken, Client};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const DELAY: Duration = Duration::from_millis(20);

struct Echo;

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let value: Vec<Value> = match body["ids"].as_array() {
            Some(ids) => ids
                .iter()
                .map(|id| json!({"id": id, "availability": "Available", "activity": "Available"}))
                .collect(),
            None => vec![json!({"id": "u", "availability": "Busy", "activity": "InACall"})],
        };
        let body = if body["ids"].is_array() {
            json!({ "value": value })
        } else {
            value[0].clone()
        };
        ResponseTemplate::new(200)
            .set_body_json(body)
            .set_delay(DELAY)
    }
}

fn ids(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("00000000-0000-4000-8000-{i:012x}"))
        .collect()
}

async fn bulk(client: &Client, ids: &[String], concurrency: usize) -> Duration {
    let start = Instant::now();
    let result = client
        .presences_of(ids.iter().cloned())
        .concurrency(concurrency)
        .send()
        .await;
    assert!(
        result.is_complete() && result.presences.len() == ids.len(),
        "every presence arrives"
    );
    start.elapsed()
}

async fn naive(client: &Client, ids: &[String]) -> Duration {
    let start = Instant::now();
    for id in ids {
        client
            .users()
            .by_id(id.as_str())
            .presence()
            .get()
            .send()
            .await
            .expect("each GET succeeds");
    }
    start.elapsed()
}

fn main() {
    let benchmarking = benches::benchmarking();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(Echo).mount(&server).await;
        Mock::given(method("GET")).respond_with(Echo).mount(&server).await;
        let client = Client::builder(BearerToken::new("t")).base_url(server.uri()).build().expect("valid");
        let all = ids(10_000);
        if !benchmarking {
            // Quick mode (cargo test --benches): one small pass of each, nothing compared.
            bulk(&client, &all[..1_300], 2).await;
            naive(&client, &all[..3]).await;
            println!("bulk: quick mode ok");
            return;
        }
        let chunks = all.len().div_ceil(graph_presence_client::MAX_IDS_PER_REQUEST);
        println!("10,000 ids = {chunks} chunks; every response delayed {DELAY:?}");
        for concurrency in [4, 8, 16] {
            let mut times = Vec::new();
            for _ in 0..5 {
                times.push(bulk(&client, &all, concurrency).await);
            }
            times.sort();
            let median = times[times.len() / 2];
            let floor = DELAY * chunks.div_ceil(concurrency) as u32;
            let ratio = median.as_secs_f64() / floor.as_secs_f64();
            println!("  bulk, concurrency {concurrency:>2}: median {median:>10.1?} (floor {floor:?}, {ratio:.2}x)");
            benches::verdict(&format!("concurrency {concurrency}: within 1.5x of the floor"), ratio <= 1.5, &format!("{ratio:.2}x"));
        }
        let sample = 200;
        let naive_time = naive(&client, &all[..sample]).await;
        let per_user = naive_time / sample as u32;
        println!("  naive loop, one GET per user: {naive_time:.1?} for {sample} users = {per_user:.1?} each; 10,000 users = {:.1?} (extrapolated: the loop is sequential, so linear)", per_user * 10_000);
    });
}
