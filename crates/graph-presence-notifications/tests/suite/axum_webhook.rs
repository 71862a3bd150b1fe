//! The example's axum receiver on loopback, driven by a local sender playing Graph.

#[allow(dead_code)] // its `main` needs Graph
#[path = "../../examples/presence_changes.rs"]
mod example;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::*;
use graph_presence_notifications::axum::Webhook;
use graph_presence_notifications::{
    BatchError, DecryptionKey, DecryptionKeys, Error, Event, FetchError, JwkSet, Receiver,
    ValidationTokenRules,
};
use serde_json::json;
use tokio::sync::mpsc;

const CERT_ID: &str = "presence-cert-2025";
const CLIENT_STATE: &str = "9c1e7d55-8a43-4bd4-9a6d-f6a1c0c20b3e";

fn receiver() -> Receiver {
    let key = DecryptionKey::from_pkcs8_der(certificate_key()).expect("key");
    Receiver::new(CLIENT_STATE).decryption_keys(DecryptionKeys::new().key(CERT_ID, key))
}

async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(graph_presence_notifications::axum::serve(
        listener,
        router,
        graph_presence_notifications::axum::ServeSettings::default(),
    ));
    address
}

fn rich_batch(user: &str, sequence: &str) -> serde_json::Value {
    let presence = json!({"id": user, "availability": "Busy", "activity": "InACall", "sequenceNumber": sequence});
    let sent = encrypt_like_graph(certificate_key(), presence.to_string().as_bytes());
    json!({"value": [{
        "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        "clientState": CLIENT_STATE,
        "changeType": "updated",
        "tenantId": TENANT_ID,
        "resource": format!("communications/presences/{user}"),
        "encryptedContent": {
            "data": sent.data,
            "dataSignature": sent.data_signature,
            "dataKey": sent.data_key,
            "encryptionCertificateId": CERT_ID,
            "encryptionCertificateThumbprint": ""
        }
    }]})
}

async fn next(events: &mut mpsc::Receiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("an event in time")
        .expect("channel open")
}

#[tokio::test]
async fn the_example_router_answers_graph_and_delivers_events() {
    let (router, _webhook, mut events) = example::webhook(receiver(), None);
    let base = format!("http://{}", serve(router).await);
    let http = reqwest::Client::new();

    // The handshake, on both URLs.
    for path in [example::NOTIFICATION_PATH, example::LIFECYCLE_PATH] {
        let response = http
            .post(format!(
                "{base}{path}?validationToken=Validation%3a+Testing+client+application+reachability"
            ))
            .header("content-type", "text/plain; charset=utf-8")
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200);
        let content_type = response.headers().get("content-type").cloned();
        assert_eq!(
            content_type.as_ref().map(|v| v.as_bytes()),
            Some(&b"text/plain"[..])
        );
        assert_eq!(
            response.text().await.expect("body"),
            "Validation: Testing client application reachability"
        );
    }

    // A rich notification: 202, then the decrypted presence on the channel.
    let response = http
        .post(format!("{base}{}", example::NOTIFICATION_PATH))
        .header("content-type", "application/json")
        .body(rich_batch("u1", "7").to_string())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 202);
    let Event::PresenceChanged {
        user_id, presence, ..
    } = next(&mut events).await
    else {
        panic!("not a presence change");
    };
    assert_eq!(user_id, "u1");
    assert_eq!(example::describe(&user_id, &presence), "u1: Busy / InACall");

    // An older update of the same user is stale.
    let response = http
        .post(format!("{base}{}", example::NOTIFICATION_PATH))
        .body(rich_batch("u1", "6").to_string())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 202);
    assert!(matches!(next(&mut events).await, Event::Stale { .. }));

    // A lifecycle notification to the lifecycle URL.
    let lifecycle = json!({"value": [{
        "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        "tenantId": TENANT_ID,
        "clientState": CLIENT_STATE,
        "lifecycleEvent": "missed"
    }]});
    let response = http
        .post(format!("{base}{}", example::LIFECYCLE_PATH))
        .body(lifecycle.to_string())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 202);
    assert!(matches!(next(&mut events).await, Event::Lifecycle(_)));

    // Malformed JSON and other methods.
    let response = http
        .post(format!("{base}{}", example::NOTIFICATION_PATH))
        .body("{\"value\": [,]}")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 400);
    assert!(matches!(next(&mut events).await, Event::BatchRejected(_)));
    let response = http
        .get(format!("{base}{}", example::NOTIFICATION_PATH))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn a_full_channel_drops_events_and_graph_still_gets_202() {
    let (webhook, mut events) = Webhook::new(receiver().max_body_len(64 * 1024), 1);
    let base = format!("http://{}", serve(webhook.clone().router("/hook")).await);
    let http = reqwest::Client::new();
    for user in ["a", "b", "c"] {
        let response = http
            .post(format!("{base}/hook"))
            .body(rich_batch(user, "1").to_string())
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 202);
    }
    assert_eq!(webhook.dropped_events(), 2);
    let Event::PresenceChanged { user_id, .. } = next(&mut events).await else {
        panic!("not a presence change");
    };
    assert_eq!(user_id, "a");

    // Over the receiver's limit: 413, from the receiver.
    let response = http
        .post(format!("{base}/hook"))
        .body(vec![b' '; 64 * 1024 + 1])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 413);
    assert!(matches!(next(&mut events).await, Event::BatchRejected(_)));
    // Far over it: axum stops reading.
    let response = http
        .post(format!("{base}/hook"))
        .body(vec![b' '; 1024 * 1024])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn signing_keys_are_fetched_and_bad_answers_refused() {
    let signing = SigningKey::new("kid-1");
    let document = jwks(&[&signing]);
    let router = axum::Router::new()
        .route("/keys", axum::routing::get(move || async move { document }))
        .route("/broken", axum::routing::get(|| async { "not json" }))
        .route(
            "/large",
            axum::routing::get(|| async { vec![b' '; 1024 * 1024 + 1] }),
        );
    let base = format!("http://{}", serve(router).await);
    let http = reqwest::Client::new();

    let keys = JwkSet::fetch(&http, &format!("{base}/keys"))
        .await
        .expect("keys");
    assert_eq!(keys.key_ids().collect::<Vec<_>>(), ["kid-1"]);
    assert!(matches!(
        JwkSet::fetch(&http, &format!("{base}/missing")).await,
        Err(FetchError::Status { status: 404 })
    ));
    assert!(matches!(
        JwkSet::fetch(&http, &format!("{base}/broken")).await,
        Err(FetchError::Keys(Error::Json { .. }))
    ));
    assert!(matches!(
        JwkSet::fetch(&http, &format!("{base}/large")).await,
        Err(FetchError::TooLarge)
    ));
}

/// A batch of `user`'s presence with a validation token signed by `key`.
fn signed_batch(user: &str, key: &SigningKey) -> String {
    let now = jiff::Timestamp::now().as_second();
    let mut batch = rich_batch(user, "1");
    batch["validationTokens"] = json!([key.sign(&key.header(), &claims(now))]);
    batch.to_string()
}

/// A key endpoint on loopback answering `body` after `delay`: its URL, and how often it was
/// asked.
async fn key_endpoint(body: Vec<u8>, delay: Duration) -> (String, Arc<AtomicUsize>) {
    let fetches = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&fetches);
    let keys = axum::Router::new().route(
        "/keys",
        axum::routing::get(move || async move {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(delay).await;
            body
        }),
    );
    (format!("http://{}/keys", serve(keys).await), fetches)
}

/// A webhook on loopback whose receiver holds `held`'s signing key and fetches keys again from
/// `keys_url`: its `/hook` URL and the app's events.
async fn refetching_webhook(
    held: &SigningKey,
    http: &reqwest::Client,
    keys_url: String,
) -> (String, mpsc::Receiver<Event>) {
    let held = JwkSet::from_json(&jwks(&[held])).expect("jwks");
    let receiver = receiver().validation_tokens(ValidationTokenRules::new(APP_ID, TENANT_ID), held);
    let (webhook, events) = Webhook::new(receiver, 16);
    let webhook = webhook.refetch_signing_keys(http.clone(), keys_url);
    let base = format!("http://{}", serve(webhook.router("/hook")).await);
    (format!("{base}/hook"), events)
}

#[tokio::test]
async fn rotated_signing_keys_are_fetched_once_and_the_batch_answered_with_them() {
    let old = SigningKey::new("kid-old");
    let rotated = SigningKey::new("kid-rotated");
    let (keys_url, fetches) = key_endpoint(jwks(&[&old, &rotated]), Duration::ZERO).await;
    let http = reqwest::Client::new();
    let (hook, mut events) = refetching_webhook(&old, &http, keys_url).await;
    let post = |body: String| http.post(&hook).body(body).send();

    // Signed with a key the receiver has never seen: fetched, and answered with it.
    let response = post(signed_batch("u1", &rotated)).await.expect("sent");
    assert_eq!(response.status(), 202);
    let Event::PresenceChanged { user_id, .. } = next(&mut events).await else {
        panic!("not a presence change");
    };
    assert_eq!(user_id, "u1");
    assert_eq!(fetches.load(Ordering::SeqCst), 1);

    // A key nobody publishes: refused, and within the interval not fetched again.
    for user in ["u2", "u3"] {
        let response = post(signed_batch(user, &SigningKey::new("made-up")))
            .await
            .expect("sent");
        assert_eq!(response.status(), 401);
        assert!(matches!(
            next(&mut events).await,
            Event::BatchRejected(BatchError::ValidationToken {
                error: Error::UnknownKeyId { .. },
                ..
            })
        ));
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    // Keys already held need no fetch.
    let response = post(signed_batch("u4", &old)).await.expect("sent");
    assert_eq!(response.status(), 202);
    assert!(matches!(
        next(&mut events).await,
        Event::PresenceChanged { .. }
    ));
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn requests_arriving_during_a_fetch_wait_for_it_and_share_it() {
    let old = SigningKey::new("kid-old");
    let rotated = SigningKey::new("kid-rotated");
    // Slow enough for the other requests to arrive while the first one's fetch runs.
    let (keys_url, fetches) =
        key_endpoint(jwks(&[&old, &rotated]), Duration::from_millis(500)).await;
    let http = reqwest::Client::new();
    let (hook, mut events) = refetching_webhook(&old, &http, keys_url).await;
    let requests = ["u1", "u2", "u3"].map(|user| {
        let request = http.post(&hook).body(signed_batch(user, &rotated));
        tokio::spawn(async move { request.send().await.expect("sent").status().as_u16() })
    });
    let mut statuses = Vec::new();
    for request in requests {
        statuses.push(request.await.expect("task"));
    }
    assert_eq!(statuses, [202, 202, 202]);
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    for _ in 0..3 {
        assert!(matches!(
            next(&mut events).await,
            Event::PresenceChanged { .. }
        ));
    }
}

#[tokio::test]
async fn a_failed_key_fetch_keeps_the_old_keys_is_reported_and_not_repeated_at_once() {
    let old = SigningKey::new("kid-old");
    let rotated = SigningKey::new("kid-rotated");
    let (broken, fetches) = key_endpoint(b"not json".to_vec(), Duration::ZERO).await;
    let (slow, _) = key_endpoint(b"late".to_vec(), Duration::from_secs(30)).await;
    let http = reqwest::Client::new();
    for (keys_url, expected) in [(broken, "unusable"), (slow, "timed out")] {
        let (hook, mut events) = refetching_webhook(&old, &http, keys_url).await;
        let post = |body: String| http.post(&hook).body(body).send();
        let (by_rotated, by_old) = (signed_batch("u1", &rotated), signed_batch("u2", &old));

        let started = std::time::Instant::now();
        let response = post(by_rotated.clone()).await.expect("sent");
        assert_eq!(response.status(), 401, "{expected}");
        // Answered when the wait for keys ends, not when the key endpoint does (30 s).
        assert!(started.elapsed() < Duration::from_secs(10), "{expected}");
        let mut seen = [next(&mut events).await, next(&mut events).await];
        seen.sort_by_key(|event| matches!(event, Event::SigningKeysNotFetched(_)));
        assert!(matches!(seen[0], Event::BatchRejected(_)), "{expected}");
        let Event::SigningKeysNotFetched(error) = &seen[1] else {
            panic!("no fetch failure reported ({expected})");
        };
        assert!(error.to_string().contains(expected), "{error}");

        // The old keys still verify, and a failed fetch is not repeated at once.
        let response = post(by_old).await.expect("sent");
        assert_eq!(response.status(), 202, "{expected}");
        assert!(matches!(
            next(&mut events).await,
            Event::PresenceChanged { .. }
        ));
        let response = post(by_rotated).await.expect("sent");
        assert_eq!(response.status(), 401, "{expected}");
        assert!(matches!(next(&mut events).await, Event::BatchRejected(_)));
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
}
