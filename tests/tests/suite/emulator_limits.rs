//! What Graph refuses, in Graph's error JSON: no token, an expired token, a missing
//! permission, an app-only presence subscription; throttling with `Retry-After` (RULES.md §3)
//! and what the client does with it; injected faults drawn from a seed.

use crate::emulator_support::{
    client_once, first_client_once, first_user, get, graph_error, graph_error_shape, post, raw,
};
use graph_presence_client::Error;
use graph_presence_emulator::{
    ALL_SCOPES, APP_ID, Emulator, Fault, Limit, TENANT_ID, ThrottleSettings, TokenRequest,
};
use graph_presence_models::{Activity, Availability};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn no_token_and_an_expired_token_are_401s_with_graphs_error_and_challenge() {
    let emulator = Emulator::start().await.expect("started");
    let none = get(&emulator, "/me/presence", None).await;
    assert_eq!(none.status, 401, "{}", none.body);
    let message = graph_error_shape(&none.body, "InvalidAuthenticationToken");
    assert_eq!(message, "Access token is empty.");
    assert!(
        none.www_authenticate
            .as_deref()
            .is_some_and(|c| c.starts_with("Bearer ")),
        "{:?}",
        none.www_authenticate
    );

    let user = first_user(&emulator);
    let short = emulator.token(
        &TokenRequest::delegated(TENANT_ID, APP_ID, &user)
            .scopes(ALL_SCOPES)
            .lifetime(Duration::from_secs(10 * 60)),
    );
    assert_eq!(
        get(&emulator, "/me/presence", Some(&short)).await.status,
        200
    );
    emulator.advance(Duration::from_secs(30 * 60));
    let expired = get(&emulator, "/me/presence", Some(&short)).await;
    assert_eq!(expired.status, 401, "{}", expired.body);
    let message = graph_error_shape(&expired.body, "InvalidAuthenticationToken");
    assert_eq!(message, "Access token has expired or is not yet valid.");
}

#[tokio::test]
async fn a_missing_permission_is_a_403_through_the_client() {
    let emulator = Emulator::start().await.expect("started");
    let user = first_user(&emulator);
    let reader = client_once(&emulator, &user, &["Presence.Read"]);
    reader
        .me()
        .presence()
        .get()
        .await
        .expect("Presence.Read reads one's own presence");
    let error = reader
        .me()
        .presence()
        .set_presence(Availability::Available, Activity::Available)
        .session_id(APP_ID)
        .await
        .expect_err("setting needs Presence.ReadWrite");
    let error = graph_error(&error);
    assert_eq!(
        (error.status.as_u16(), error.code.as_str()),
        (403, "Forbidden")
    );
    assert!(error.request_id.is_some(), "Graph's innerError");
    assert_eq!(
        error.message,
        "Insufficient privileges to complete the operation."
    );
}

#[tokio::test]
async fn a_presence_subscription_with_an_application_token_is_refused() {
    let emulator = Emulator::start().await.expect("started");
    let token = emulator.app_token(&["Presence.Read.All"]);
    let user = first_user(&emulator);
    let read = get(&emulator, &format!("/users/{user}/presence"), Some(&token)).await;
    assert_eq!(
        read.status, 200,
        "app-only reads are allowed: {}",
        read.body
    );

    let expires = emulator.clock().now() + jiff::SignedDuration::from_mins(30);
    let refused = post(
        &emulator,
        "/subscriptions",
        Some(&token),
        &json!({
            "changeType": "updated",
            "notificationUrl": "http://127.0.0.1:9/presence",
            "resource": format!("communications/presences/{user}"),
            "expirationDateTime": expires.to_string(),
            "clientState": "secret",
        }),
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let message = graph_error_shape(&refused.body, "Forbidden");
    assert!(
        message.starts_with("Application permissions are not supported"),
        "{message}"
    );
    assert_eq!(emulator.subscription_count(), 0);
}

fn presence_limit(requests: u32) -> ThrottleSettings {
    ThrottleSettings {
        presence: Some(Limit {
            requests,
            window: Duration::from_secs(10),
        }),
        ..ThrottleSettings::NONE
    }
}

#[tokio::test]
async fn over_the_throttle_graph_answers_429_with_retry_after() {
    let emulator = Emulator::start().await.expect("started");
    emulator.set_throttle(presence_limit(2));
    let client = first_client_once(&emulator);
    for _ in 0..2 {
        client
            .me()
            .presence()
            .get()
            .await
            .expect("within the limit");
    }
    let error = client.me().presence().get().await.expect_err("over it");
    let error = graph_error(&error);
    assert_eq!(
        (error.status.as_u16(), error.code.as_str()),
        (429, "TooManyRequests")
    );
    let retry_after: u64 = error
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=10).contains(&retry_after), "{retry_after}");
    assert_eq!(
        error.request.as_ref().map(|r| r.attempts),
        Some(1),
        "this client does not retry"
    );

    // After the wait it asked for, the next request is admitted.
    emulator.advance(Duration::from_secs(retry_after));
    client.me().presence().get().await.expect("admitted again");
}

#[tokio::test]
async fn the_client_waits_out_retry_after_on_the_emulated_clock_and_succeeds() {
    let emulator = Emulator::start().await.expect("started");
    emulator.set_throttle(presence_limit(1));
    let client = emulator.client();
    client
        .me()
        .presence()
        .get()
        .await
        .expect("the one admitted");
    let started = emulator.clock().now();
    let throttled = tokio::spawn(client.me().presence().get().into_future());
    // Once Graph has refused it (the admin summary counts refusals), the client sleeps on the
    // emulated clock: move it a second at a time until its retry goes through.
    let mut refused = false;
    for _ in 0..500 {
        let summary = raw()
            .get(format!("{}/_emulator", emulator.base_url()))
            .send()
            .await
            .expect("the admin summary")
            .bytes()
            .await
            .expect("a body");
        let summary: serde_json::Value = serde_json::from_slice(&summary).expect("JSON");
        if summary["counters"]["throttled"]["presence"].as_u64() >= Some(1) {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(refused, "the second request was throttled");
    for _ in 0..200 {
        if throttled.is_finished() {
            break;
        }
        emulator.advance(Duration::from_secs(1));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let presence = throttled
        .await
        .expect("joins")
        .expect("retried and admitted");
    assert_eq!(presence.id, first_user(&emulator));
    let waited = emulator.clock().now().duration_since(started);
    assert!(
        waited >= jiff::SignedDuration::from_secs(1)
            && waited <= jiff::SignedDuration::from_secs(30),
        "{waited:?}"
    );
}

fn outcome(result: Result<graph_presence_models::Presence, Error>) -> String {
    match result {
        Ok(_) => "ok".to_owned(),
        Err(Error::Api(e)) => format!("{} {}", e.status.as_u16(), e.code),
        Err(Error::Connection(_) | Error::Transport(_)) => "cut".to_owned(),
        Err(other) => format!("other: {other}"),
    }
}

/// Twenty reads of one's presence with these faults, from this seed.
async fn run_with_faults(seed: u64, fault: Fault) -> Vec<String> {
    let emulator = Emulator::builder()
        .seed(seed)
        .start()
        .await
        .expect("started");
    emulator.set_faults(vec![fault]).expect("valid faults");
    let client = first_client_once(&emulator);
    let mut outcomes = Vec::new();
    for _ in 0..20 {
        outcomes.push(outcome(client.me().presence().get().await));
    }
    outcomes
}

fn fault(server_error_rate: f64, reset_rate: f64) -> Fault {
    Fault {
        route: "/me/".to_owned(),
        latency_ms: 0,
        server_error_rate,
        reset_rate,
    }
}

#[tokio::test]
async fn injected_503s_follow_the_seed_and_the_same_seed_gives_the_same_sequence() {
    let first = run_with_faults(42, fault(0.5, 0.0)).await;
    assert!(first.iter().any(|o| o == "ok"), "{first:?}");
    let failed: Vec<&String> = first.iter().filter(|o| *o != "ok").collect();
    assert!(!failed.is_empty(), "{first:?}");
    assert!(
        failed.iter().all(|o| o.starts_with("503 ")),
        "only 503s: {first:?}"
    );
    let again = run_with_faults(42, fault(0.5, 0.0)).await;
    assert_eq!(first, again, "the same seed, the same faults");
}

#[tokio::test]
async fn an_injected_reset_cuts_the_connection() {
    let outcomes = run_with_faults(7, fault(0.0, 1.0)).await;
    assert!(outcomes.iter().all(|o| o == "cut"), "{outcomes:?}");
    let mixed = run_with_faults(7, fault(0.0, 0.5)).await;
    assert!(mixed.contains(&"cut".to_owned()) && mixed.contains(&"ok".to_owned()));
    assert_eq!(mixed, run_with_faults(7, fault(0.0, 0.5)).await);
}
