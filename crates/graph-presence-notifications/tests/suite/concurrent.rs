//! Requests handled at the same time (issue 20): `prepare` (shared, decrypting on several
//! threads, a repeated `dataKey` unwrapped once) then `apply` (the sequence numbers) gives what
//! `handle` gives, stale updates stay stale whichever batch is applied first, and the axum
//! webhook answers a small batch while a large one is decrypted.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request as HttpRequest, State};
use axum::routing::any;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use graph_presence_notifications::axum::{Webhook, handle};
use graph_presence_notifications::{
    DecryptionKey, DecryptionKeys, Event, Handled, Receiver, Request,
};
use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::support::*;

const CERT_ID: &str = "presence-cert-2025";
const CLIENT_STATE: &str = "9c1e7d55-8a43-4bd4-9a6d-f6a1c0c20b3e";

fn receiver() -> Receiver {
    let key = DecryptionKey::from_pkcs8_der(certificate_key()).expect("key");
    Receiver::new(CLIENT_STATE)
        .decryption_keys(DecryptionKeys::new().key(CERT_ID, key))
        .max_body_len(16 * 1024 * 1024)
}

fn now() -> Timestamp {
    Timestamp::from_second(1_767_225_600).expect("time")
}

fn post(body: &[u8]) -> Request<'_> {
    Request {
        method: "POST",
        query: None,
        body,
    }
}

fn notification(user: &str, sent: Option<&Encrypted>) -> Value {
    let mut notification = json!({
        "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        "clientState": CLIENT_STATE,
        "changeType": "updated",
        "tenantId": TENANT_ID,
        "resource": format!("communications/presences/{user}"),
        "resourceData": {"@odata.type": "#microsoft.graph.presence", "id": user},
    });
    if let Some(sent) = sent {
        notification["encryptedContent"] = json!({
            "data": sent.data,
            "dataSignature": sent.data_signature,
            "dataKey": sent.data_key,
            "encryptionCertificateId": CERT_ID,
            "encryptionCertificateThumbprint": "",
        });
    }
    notification
}

fn presence(user: &str, sequence: u64) -> Vec<u8> {
    json!({"id": user, "availability": "Busy", "activity": "InACall", "sequenceNumber": sequence.to_string()})
        .to_string()
        .into_bytes()
}

/// One shared `dataKey` text, as Graph sends a batch: the key and its wrapped base64.
fn shared_data_key() -> ([u8; 32], String) {
    let key = random_key();
    (key, STANDARD.encode(wrap_key(certificate_key(), &key)))
}

/// A batch of every kind, long enough to be split across threads: rich notifications under one
/// shared `dataKey` and under their own, repeated users with older sequence numbers (stale),
/// a repeated `dataKey` that does not unwrap, basic and lifecycle notifications, a wrong
/// client state and one that is not a notification.
fn mixed_batch() -> Vec<u8> {
    let (key, data_key) = shared_data_key();
    let bad_data_key = flip_byte(&data_key, 7);
    let value: Vec<Value> = (0..150)
        .map(|n| {
            let user = format!("u{}", n % 40);
            // Later notifications of a user carry lower numbers every third time: stale.
            let sequence = if n % 3 == 0 { 1000 - n } else { 1000 + n };
            match n % 10 {
                0..=3 => notification(
                    &user,
                    Some(&encrypt_under(&key, &data_key, &presence(&user, sequence))),
                ),
                4 | 5 => notification(
                    &user,
                    Some(&encrypt_like_graph(
                        certificate_key(),
                        &presence(&user, sequence),
                    )),
                ),
                6 => notification(
                    &user,
                    Some(&encrypt_under(
                        &key,
                        &bad_data_key,
                        &presence(&user, sequence),
                    )),
                ),
                7 => notification(&user, None),
                8 if n % 20 == 8 => json!({
                    "subscriptionId": "s", "tenantId": TENANT_ID,
                    "clientState": CLIENT_STATE, "lifecycleEvent": "missed"
                }),
                8 => {
                    let mut wrong = notification(&user, None);
                    wrong["clientState"] = json!("not the app's");
                    wrong
                }
                _ => json!({"subscriptionId": n, "clientState": CLIENT_STATE}),
            }
        })
        .collect();
    serde_json::to_vec(&json!({ "value": value })).expect("json")
}

/// Events compared by their `Debug` (they hold presences and errors, which do not compare).
fn shown(handled: &Handled) -> (u16, Vec<String>) {
    (
        handled.response.status,
        handled.events.iter().map(|e| format!("{e:?}")).collect(),
    )
}

#[test]
fn prepare_then_apply_gives_exactly_what_handle_gives() {
    let batch = mixed_batch();
    let mut by_handle = receiver().decryption_threads(1);
    let expected = shown(&by_handle.handle(post(&batch), now()));
    // Every kind came out, in batch order.
    assert_eq!(expected.0, 202);
    assert_eq!(expected.1.len(), 150);
    for kind in [
        "PresenceChanged",
        "Stale",
        "ResourceChanged",
        "Lifecycle",
        "KeyDecryption",
        "ClientState",
        "Shape",
    ] {
        assert!(
            expected.1.iter().any(|event| event.contains(kind)),
            "no {kind}"
        );
    }
    for threads in [1, 2, 4, 7] {
        let split = receiver().decryption_threads(threads);
        let prepared = split.prepare(post(&batch), now());
        assert_eq!(prepared.response().status, 202);
        assert_eq!(shown(&split.apply(prepared)), expected, "{threads} threads");
        let mut handled = receiver().decryption_threads(threads);
        assert_eq!(
            shown(&handled.handle(post(&batch), now())),
            expected,
            "{threads} threads"
        );
    }
    // Refusals and the handshake, too.
    for request in [
        Request {
            method: "GET",
            query: None,
            body: b"",
        },
        Request {
            method: "POST",
            query: Some("validationToken=a+b"),
            body: b"",
        },
        post(b"{\"value\": [,]}"),
    ] {
        let split = receiver();
        let prepared = split.prepare(request, now());
        let via_handle = receiver().handle(request, now());
        assert_eq!(shown(&split.apply(prepared)), shown(&via_handle));
    }
}

fn rich_batch(user: &str, sequence: u64) -> Vec<u8> {
    let sent = encrypt_like_graph(certificate_key(), &presence(user, sequence));
    serde_json::to_vec(&json!({ "value": [notification(user, Some(&sent))] })).expect("json")
}

#[test]
fn an_older_update_applied_after_a_newer_one_is_stale_across_concurrent_batches() {
    let (older, newer) = (rich_batch("u1", 9), rich_batch("u1", 10));
    let receiver = receiver();
    // Both prepared at once, on two threads, against the shared receiver.
    let (older, newer) = std::thread::scope(|scope| {
        let older = scope.spawn(|| receiver.prepare(post(&older), now()));
        let newer = scope.spawn(|| receiver.prepare(post(&newer), now()));
        (
            older.join().expect("prepared"),
            newer.join().expect("prepared"),
        )
    });
    // The newer one finished first: the older one, applied after it, is stale.
    let newer = receiver.apply(newer);
    assert!(matches!(&newer.events[..], [Event::PresenceChanged { .. }]));
    let older = receiver.apply(older);
    assert!(
        matches!(&older.events[..], [Event::Stale { sequence_number, held, .. }] if sequence_number == "9" && held == "10"),
        "{:?}",
        older.events
    );
    assert_eq!(older.response.status, 202);

    // In the other order both are changes, the newer one last.
    let receiver = self::receiver();
    let older = receiver.prepare(post(&rich_batch("u2", 9)), now());
    let newer = receiver.prepare(post(&rich_batch("u2", 10)), now());
    for prepared in [older, newer] {
        let handled = receiver.apply(prepared);
        assert!(matches!(
            &handled.events[..],
            [Event::PresenceChanged { .. }]
        ));
    }
}

async fn serve(router: axum::Router) -> std::net::SocketAddr {
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

/// The webhook's handler behind one that reads the body first and then tells `read`, so
/// that the test knows when a large body is in and its handling (under the old single lock,
/// everything after the body read) has begun.
fn probed_router(webhook: Webhook, read: Arc<Notify>) -> axum::Router {
    let probe = move |state: State<Webhook>, request: HttpRequest| {
        let read = Arc::clone(&read);
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX).await.expect("body");
            if body.len() > 100_000 {
                read.notify_one();
            }
            handle(state, HttpRequest::from_parts(parts, Body::from(body))).await
        }
    };
    axum::Router::new()
        .route("/hook", any(probe))
        .with_state(webhook)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_batches_are_answered_while_a_large_one_is_decrypted() {
    // 1,500 rich notifications with a dataKey each (the slowest case: one RSA unwrap each),
    // on one thread so that the small batches have a core too.
    const LARGE: usize = 1500;
    let large: Vec<Value> = (0..LARGE)
        .map(|n| {
            let user = format!("u{n}");
            let sent = encrypt_like_graph(certificate_key(), &presence(&user, 1));
            notification(&user, Some(&sent))
        })
        .collect();
    let large = serde_json::to_vec(&json!({ "value": large })).expect("json");
    let small =
        serde_json::to_vec(&json!({ "value": [notification("basic", None)] })).expect("json");
    // Room for every event however many small batches get in.
    let (webhook, mut events) = Webhook::new(receiver().decryption_threads(1), 1 << 20);
    let read = Arc::new(Notify::new());
    let router = probed_router(webhook, Arc::clone(&read));
    let url = format!("http://{}/hook", serve(router).await);
    let http = reqwest::Client::new();

    let large = tokio::spawn({
        let (http, url) = (http.clone(), url.clone());
        async move {
            http.post(url)
                .body(large)
                .send()
                .await
                .expect("sent")
                .status()
        }
    });
    read.notified().await;
    // Small batches one after another until the large one is answered. Under one lock held
    // across decryption the first would wait for the whole large batch; now each is answered
    // while it is decrypted.
    let (mut answered_before, mut sent) = (0, 0);
    while !large.is_finished() {
        let response = http
            .post(&url)
            .body(small.clone())
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 202);
        sent += 1;
        if !large.is_finished() {
            answered_before += 1;
        }
    }
    assert_eq!(large.await.expect("large sent"), 202);
    assert!(
        answered_before >= 3,
        "{answered_before} small batches answered while the large one was decrypted"
    );

    // Every event came through: all the large batch's presences, and the basic ones.
    let (mut changed, mut basic) = (0, 0);
    while let Ok(event) = events.try_recv() {
        match event {
            Event::PresenceChanged { .. } => changed += 1,
            Event::ResourceChanged { .. } => basic += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(changed, LARGE);
    assert_eq!(basic, sent);
}
