//! What a reliability run found in the client (issue 20), each against a server on loopback
//! that answers exactly as the run's did: retries that keep a floor whatever `Retry-After`
//! says, a paged read that stops at a cap when the server never stops, and bulk reads that
//! set apart presences nobody asked for.

use graph_presence_client::{Client, Error, NextLinkProblem, RetryPolicy};
use serde_json::json;
use std::time::Duration;
use tests::FakeClock;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const THROTTLED: &str =
    r#"{"error":{"code":"TooManyRequests","message":"Please retry again later."}}"#;

fn client(base: &str, clock: &FakeClock) -> Client {
    tests::local_graph(base)
        .clock(clock.clone())
        .retry(RetryPolicy::default())
        .build()
        .expect("valid")
}

#[tokio::test]
async fn a_retry_after_of_nothing_or_in_the_past_still_backs_off() {
    // The run: `Retry-After: 0.001` (or a date gone by) gave five attempts in 20 ms.
    for value in ["0.001", "0", "Sun, 22 Nov 2026 09:00:00 GMT"] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/beta/me/presence"))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("Retry-After", value)
                    .set_body_raw(THROTTLED, "application/json"),
            )
            .mount(&server)
            .await;
        let clock = FakeClock::new();
        let error = client(&server.uri(), &clock)
            .me()
            .presence()
            .get()
            .send()
            .await
            .expect_err("throttled throughout");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
        let ms = Duration::from_millis;
        assert_eq!(
            clock.sleeps(),
            [ms(250), ms(500), ms(1_000), ms(2_000)],
            "Retry-After: {value}"
        );
        assert_eq!(
            server.received_requests().await.unwrap_or_default().len(),
            5
        );
    }
}

/// A list whose every page links to a new next page: `?page=N` links to `?page=N+1`.
struct Endless(String);

impl Respond for Endless {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page: u64 = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"id": format!("u{page}"), "availability": "Away", "activity": "Away"}],
            "@odata.nextLink": format!("{}/beta/communications/presences?page={}", self.0, page + 1),
        }))
    }
}

async fn endless() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/beta/communications/presences"))
        .respond_with(Endless(server.uri()))
        .mount(&server)
        .await;
    server
}

fn too_many_pages(error: &Error) -> u32 {
    match error {
        Error::NextLink(e) => match e.problem {
            NextLinkProblem::TooManyPages { max_pages } => max_pages,
            ref other => panic!("not the cap: {other:?}"),
        },
        other => panic!("not a next link error: {other}"),
    }
}

#[tokio::test]
async fn a_paged_read_stops_at_its_cap_when_the_links_never_end() {
    // The run: 10,000 distinct next links were all followed.
    let server = endless().await;
    let error = client(&server.uri(), &FakeClock::new())
        .communications()
        .presences()
        .get()
        .items()
        .max_pages(5)
        .collect_all()
        .await
        .expect_err("a cap");
    assert_eq!(too_many_pages(&error), 5);
    assert!(error.to_string().contains("5 pages were read"), "{error}");
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        5
    );

    // By default, 1,000 pages.
    let server = endless().await;
    let mut pages = client(&server.uri(), &FakeClock::new())
        .communications()
        .presences()
        .get()
        .pages();
    let mut read = 0;
    let error = loop {
        match pages.next().await {
            Some(Ok(_)) => read += 1,
            Some(Err(error)) => break error,
            None => panic!("the pages ended"),
        }
    };
    assert_eq!(read, 1_000);
    assert_eq!(too_many_pages(&error), 1_000);
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        1_000
    );
}

/// Answers getPresencesByUserId with the ids asked for and one more.
struct OneMore;

impl Respond for OneMore {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut ids = tests::requested_ids(&request.body);
        ids.push("00000000-0000-0000-0000-00000000beef".to_owned());
        let value: Vec<_> = ids
            .iter()
            .map(|id| json!({"id": id, "availability": "Busy", "activity": "InACall"}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "value": value }))
    }
}

#[tokio::test]
async fn a_presence_for_an_id_not_asked_for_is_reported_not_taken() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/beta/communications/getPresencesByUserId"))
        .respond_with(OneMore)
        .mount(&server)
        .await;
    let ids = tests::user_ids(700);
    let result = client(&server.uri(), &FakeClock::new())
        .presences_of(&ids)
        .send()
        .await;
    assert!(result.is_complete());
    assert_eq!(result.presences.len(), 700);
    assert!(result.missing.is_empty());
    assert!(result.get("00000000-0000-0000-0000-00000000beef").is_none());
    let unrequested: Vec<&str> = result.unrequested.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        unrequested, ["00000000-0000-0000-0000-00000000beef"; 2],
        "one per chunk"
    );
}

#[tokio::test]
async fn a_429_makes_the_clients_rate_limit_allow_fewer_requests() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/beta/me/presence"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_raw(THROTTLED, "application/json"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/beta/me/presence"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "a", "availability": "Busy", "activity": "InACall"})),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let client = tests::local_graph(&server.uri())
        .clock(clock.clone())
        .rate_limit(graph_presence_client::RateLimit::new(
            4,
            Duration::from_secs(30),
        ))
        .build()
        .expect("valid");
    // The 429 and its retry: two requests, and four allowed per window become two.
    client
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect("after a retry");
    assert_eq!(clock.sleeps(), [Duration::from_secs(1)], "Retry-After only");
    // Two requests are in this window already: the next waits for it to pass.
    client.me().presence().get().send().await.expect("answered");
    let waits = clock.sleeps();
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert!(waits[1] >= Duration::from_secs(28), "{waits:?}");
}

/// A builder's `send()` is a named future that sends nothing until polled, and one polled
/// again after its answer says so rather than sending again or panicking.
#[tokio::test]
async fn a_send_future_sends_when_polled_and_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/beta/me/presence"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "me"})))
        .mount(&server)
        .await;
    let client = client(&server.uri(), &FakeClock::new());
    let future = client.me().presence().get().send_with_response();
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
    let mut future = std::pin::pin!(future);
    let answer = future.as_mut().await.expect("answered");
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.into_body().id, "me");
    let again = std::future::poll_fn(|cx| future.as_mut().poll(cx)).await;
    assert!(
        matches!(&again, Err(Error::InvalidRequest(m)) if m.contains("read already")),
        "{again:?}"
    );
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        1
    );
}
