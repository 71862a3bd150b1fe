//! What a reliability run found in the client (issue 20), each against a server on loopback
//! that answers exactly as the run's did: retries that keep a floor whatever `Retry-After`
//! says.

use graph_presence_client::{Client, RetryPolicy};
use std::time::Duration;
use tests::FakeClock;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

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
