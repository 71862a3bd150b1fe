//! The client under Graph's limits and under faults, against real servers on loopback. Retry
//! waits go through a fake clock, so nothing here sleeps for real (only the timeout test
//! waits, for its 100 ms timeout).

use graph_presence_client::{BearerToken, Client, Error, Operation, RetryPolicy};
use graph_presence_models::required;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tests::FakeClock;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(base: &str, clock: &FakeClock, policy: RetryPolicy) -> Client {
    tests::local_graph(base)
        .clock(clock.clone())
        .retry(policy)
        .build()
        .expect("valid")
}

const PRESENCE: &str = r#"{"id":"a","availability":"Busy","activity":"InACall"}"#;
const THROTTLED: &str = r#"{"error":{"code":"TooManyRequests","message":"Please retry again later.","innerError":{"request-id":"94fb3b52-452a-4535-a601-69e0a90e3aa2"}}}"#;

/// Answers the first `failures` requests with `failure`, then with the presence.
async fn server_failing_first(failures: u64, failure: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/beta/me/presence"))
        .respond_with(failure)
        .up_to_n_times(failures)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/beta/me/presence"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PRESENCE, "application/json"))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

fn throttled(retry_after: Option<&str>) -> ResponseTemplate {
    let response = ResponseTemplate::new(429).set_body_raw(THROTTLED, "application/json");
    match retry_after {
        Some(value) => response.insert_header("Retry-After", value),
        None => response,
    }
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

#[tokio::test]
async fn retry_after_in_whole_seconds_fractional_seconds_and_http_date() {
    for (value, expected) in [
        ("3", Duration::from_secs(3)),
        ("2.128", Duration::from_millis(2128)),
        ("Sun, 22 Nov 2026 10:00:07 GMT", Duration::from_secs(7)),
    ] {
        let server = server_failing_first(1, throttled(Some(value))).await;
        let clock = FakeClock::new();
        let presence = client(&server.uri(), &clock, RetryPolicy::default())
            .me()
            .presence()
            .get()
            .send()
            .await
            .expect("succeeds after one retry");
        assert_eq!(presence.id, "a");
        assert_eq!(clock.sleeps(), vec![expected], "Retry-After: {value}");
        let sent = requests(&server).await;
        assert_eq!(sent.len(), 2);
        assert_eq!(
            sent[0].headers.get("client-request-id"),
            sent[1].headers.get("client-request-id"),
            "a retry reuses the client-request-id"
        );
        assert!(sent[0].headers.get("retry-attempt").is_none());
        assert_eq!(
            sent[1]
                .headers
                .get("retry-attempt")
                .map(|v| v.to_str().unwrap_or_default()),
            Some("1")
        );
    }
}

#[tokio::test]
async fn without_retry_after_the_client_backs_off_exponentially_with_jitter() {
    let server = server_failing_first(3, throttled(None)).await;
    let clock = FakeClock::new();
    let policy = RetryPolicy {
        base_delay: Duration::from_secs(1),
        ..RetryPolicy::default()
    };
    client(&server.uri(), &clock, policy)
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect("succeeds after three retries");
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 3);
    for (i, sleep) in sleeps.iter().enumerate() {
        let full = Duration::from_secs(1 << i);
        assert!(
            *sleep >= full / 2 && *sleep <= full,
            "retry {}: {sleep:?} not in [{:?}, {full:?}]",
            i + 1,
            full / 2
        );
    }
    let attempts: Vec<String> = requests(&server)
        .await
        .iter()
        .map(|r| {
            r.headers
                .get("retry-attempt")
                .map(|v| v.to_str().unwrap_or_default().to_owned())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(attempts, ["", "1", "2", "3"]);
}

#[tokio::test]
async fn a_503_then_success_is_a_success() {
    let server = server_failing_first(
        1,
        ResponseTemplate::new(503).insert_header("Retry-After", "1"),
    )
    .await;
    let clock = FakeClock::new();
    client(&server.uri(), &clock, RetryPolicy::default())
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect("retried");
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(1)]);
}

#[tokio::test]
async fn a_504_until_the_deadline_gives_up_without_sleeping_past_it() {
    let server = server_failing_first(
        u64::MAX,
        ResponseTemplate::new(504).insert_header("Retry-After", "4"),
    )
    .await;
    let clock = FakeClock::new();
    let policy = RetryPolicy {
        max_attempts: 100,
        total_deadline: Duration::from_secs(10),
        ..RetryPolicy::default()
    };
    let error = client(&server.uri(), &clock, policy)
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("504 forever");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(504));
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_secs(4), Duration::from_secs(4)],
        "a third wait would end past the 10 s deadline"
    );
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn max_attempts_bounds_the_retries_and_the_last_error_is_returned() {
    let server = server_failing_first(u64::MAX, throttled(Some("1"))).await;
    let clock = FakeClock::new();
    let policy = RetryPolicy {
        max_attempts: 3,
        ..RetryPolicy::default()
    };
    let error = client(&server.uri(), &clock, policy)
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("throttled forever");
    let Error::Api(graph) = error else {
        panic!("a Graph error")
    };
    assert_eq!(
        (graph.status.as_u16(), graph.code.as_str()),
        (429, "TooManyRequests")
    );
    assert_eq!(requests(&server).await.len(), 3);
    assert_eq!(clock.sleeps().len(), 2);
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    for status in [400, 401, 404, 500, 502] {
        let server = server_failing_first(u64::MAX, ResponseTemplate::new(status)).await;
        let clock = FakeClock::new();
        let error = client(&server.uri(), &clock, RetryPolicy::default())
            .me()
            .presence()
            .get()
            .send()
            .await
            .expect_err("fails");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(requests(&server).await.len(), 1, "{status} is not retried");
        assert!(clock.sleeps().is_empty());
    }
}

const SUBSCRIPTION: &str = r#"{"id":"7f105c7d-2dc5-4530-97cd-4e7ae6534c07","resource":"communications/presences/66825e03-7ef5-42da-9069-724602c31f6b","changeType":"updated","notificationUrl":"https://webhook.contoso.com/api","expirationDateTime":"2026-03-20T11:00:00Z"}"#;

/// Creating a subscription is not idempotent (a second POST makes a second subscription), so
/// a 503 or a lost answer is returned, not retried; renewing (PATCH), reauthorizing and
/// deleting set state and are retried.
#[tokio::test]
async fn creating_a_subscription_is_never_sent_twice_and_renewing_one_is_retried() {
    let unavailable = || ResponseTemplate::new(503).insert_header("Retry-After", "1");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/beta/subscriptions"))
        .respond_with(unavailable())
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let c = client(&server.uri(), &clock, RetryPolicy::default());
    let expiry = || {
        "2026-03-20T11:00:00Z"
            .parse::<graph_presence_models::Timestamp>()
            .expect("RFC 3339")
    };
    let create = c.subscriptions().post(required::Subscription {
        change_type: "updated".into(),
        expiration_date_time: expiry(),
        notification_url: "https://webhook.contoso.com/api".into(),
        resource: "communications/presences/66825e03-7ef5-42da-9069-724602c31f6b".into(),
    });
    assert!(!create.idempotent());
    let error = create.send().await.expect_err("503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(requests(&server).await.len(), 1, "a create is not retried");
    assert!(clock.sleeps().is_empty());

    // No answer at all (a reset): still sent once.
    let (base, connections) = raw_server(vec![None, Some(http_response(SUBSCRIPTION))]).await;
    let error = client(&base, &clock, RetryPolicy::default())
        .subscriptions()
        .post(required::Subscription {
            change_type: "updated".into(),
            expiration_date_time: expiry(),
            notification_url: "https://webhook.contoso.com/api".into(),
            resource: "communications/presences/a".into(),
        })
        .send()
        .await
        .expect_err("the connection was reset");
    assert!(matches!(error, Error::Connection(_)), "{error}");
    assert_eq!(*connections.lock().expect("not poisoned"), 1);

    let server = MockServer::start().await;
    for (verb, route, body) in [
        (
            "PATCH",
            "/beta/subscriptions/7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
            SUBSCRIPTION,
        ),
        (
            "POST",
            "/beta/subscriptions/7f105c7d-2dc5-4530-97cd-4e7ae6534c07/reauthorize",
            "",
        ),
        (
            "DELETE",
            "/beta/subscriptions/7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
            "",
        ),
    ] {
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(unavailable())
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .with_priority(2)
            .mount(&server)
            .await;
    }
    let clock = FakeClock::new();
    let item = client(&server.uri(), &clock, RetryPolicy::default())
        .subscriptions()
        .by_id("7f105c7d-2dc5-4530-97cd-4e7ae6534c07");
    let renewed = item
        .patch(expiry())
        .send()
        .await
        .expect("renewed after a retry");
    assert_eq!(
        renewed.expiration_date_time.as_str(),
        "2026-03-20T11:00:00Z"
    );
    item.reauthorize()
        .send()
        .await
        .expect("reauthorized after a retry");
    item.delete().send().await.expect("deleted after a retry");
    assert_eq!(requests(&server).await.len(), 6);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(1); 3]);
}

/// A raw HTTP/1.1 server on loopback: each accepted connection gets the next scripted reply
/// (bytes to write after reading the request head; `None` closes at once).
async fn raw_server(replies: Vec<Option<Vec<u8>>>) -> (String, Arc<Mutex<usize>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let connections = Arc::new(Mutex::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        for reply in replies {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            *counter.lock().expect("not poisoned") += 1;
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            if let Some(bytes) = reply {
                let _ = socket.write_all(&bytes).await;
            }
            let _ = socket.shutdown().await;
        }
    });
    (format!("http://{address}"), connections)
}

fn http_response(body: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).into_bytes()
}

mod wire;
