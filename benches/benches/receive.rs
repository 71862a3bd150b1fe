//! Receiving change notifications: a batch of 100 presence notifications through the sans-IO
//! `Receiver`, basic (client state only) against rich (each one RSA-unwrapped, HMAC-checked and
//! AES-decrypted), with and without a validation token to verify. Graph wants the answer
//! within about three seconds, so the rich batch is judged against that budget.
//!
//! `cargo bench -p benches --bench receive`

#[path = "../../crates/graph-presence-notifications/tests/suite/support/mod.rs"]
mod support;

use graph_presence_notifications::{
    DecryptionKey, DecryptionKeys, Event, JwkSet, Receiver, Request, ValidationTokenRules,
};
use serde_json::{Value, json};
use std::hint::black_box;
use std::sync::LazyLock;
use std::time::Duration;
use support::*;

/// Notifications per batch.
const BATCH: usize = 100;
const CERT_ID: &str = "bench-cert";
const CLIENT_STATE: &str = "9c1e7d55-8a43-4bd4-9a6d-f6a1c0c20b3e";
/// Graph's wait for the answer, and the share of it a batch may take.
const BUDGET: Duration = Duration::from_secs(3);
const TARGET_SHARE: f64 = 0.1;

struct Batches {
    basic: Vec<u8>,
    rich: Vec<u8>,
    rich_with_token: Vec<u8>,
    signing_keys: JwkSet,
}

static BATCHES: LazyLock<Batches> = LazyLock::new(|| {
    let notification = |user: usize| {
        json!({
            "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
            "clientState": CLIENT_STATE,
            "changeType": "updated",
            "tenantId": TENANT_ID,
            "resource": format!("communications/presences/user-{user}"),
            "resourceData": {"@odata.type": "#microsoft.graph.presence", "id": format!("user-{user}")},
        })
    };
    let basic: Vec<Value> = (0..BATCH).map(notification).collect();
    let rich: Vec<Value> = (0..BATCH)
        .map(|user| {
            // No sequenceNumber: every round delivers every presence as a change.
            let presence = json!({
                "@odata.type": "#microsoft.graph.presence",
                "id": format!("user-{user}"),
                "availability": "Busy",
                "activity": "InACall",
                "statusMessage": null,
            });
            let sent = encrypt_like_graph(certificate_key(), presence.to_string().as_bytes());
            let mut rich = notification(user);
            rich["encryptedContent"] = json!({
                "data": sent.data,
                "dataSignature": sent.data_signature,
                "dataKey": sent.data_key,
                "encryptionCertificateId": CERT_ID,
                "encryptionCertificateThumbprint": "",
            });
            rich
        })
        .collect();
    let signing = SigningKey::new("bench-kid");
    let token = signing.sign(
        &signing.header(),
        &claims(jiff::Timestamp::now().as_second()),
    );
    Batches {
        basic: serde_json::to_vec(&json!({ "value": basic })).expect("json"),
        rich: serde_json::to_vec(&json!({ "value": rich })).expect("json"),
        rich_with_token: serde_json::to_vec(&json!({ "value": rich, "validationTokens": [token] }))
            .expect("json"),
        signing_keys: JwkSet::from_json(&jwks(&[&signing])).expect("jwks"),
    }
});

fn receiver(tokens: bool) -> Receiver {
    let key = DecryptionKey::from_pkcs8_der(certificate_key()).expect("key");
    let receiver =
        Receiver::new(CLIENT_STATE).decryption_keys(DecryptionKeys::new().key(CERT_ID, key));
    if tokens {
        receiver.validation_tokens(
            ValidationTokenRules::new(APP_ID, TENANT_ID),
            BATCHES.signing_keys.clone(),
        )
    } else {
        receiver
    }
}

/// Handles `body`, checking that all `BATCH` notifications came through as `expected` says.
fn handle(receiver: &mut Receiver, body: &[u8], expected: fn(&Event) -> bool) {
    let handled = receiver.handle(
        Request {
            method: "POST",
            query: None,
            body: black_box(body),
        },
        jiff::Timestamp::now(),
    );
    assert_eq!(handled.response.status, 202);
    assert!(handled.events.len() == BATCH && handled.events.iter().all(expected));
    black_box(handled);
}

fn changed(event: &Event) -> bool {
    matches!(event, Event::PresenceChanged { .. })
}

fn resource(event: &Event) -> bool {
    matches!(event, Event::ResourceChanged { .. })
}

#[divan::bench]
fn basic_batch(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| receiver(false))
        .bench_local_refs(|receiver| handle(receiver, &BATCHES.basic, resource));
}

#[divan::bench]
fn rich_batch(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| receiver(false))
        .bench_local_refs(|receiver| handle(receiver, &BATCHES.rich, changed));
}

#[divan::bench]
fn rich_batch_with_validation_token(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| receiver(true))
        .bench_local_refs(|receiver| handle(receiver, &BATCHES.rich_with_token, changed));
}

fn main() {
    divan::main();
    if !benches::benchmarking() {
        return;
    }
    let (mut basic, mut rich, mut tokens) = (receiver(false), receiver(false), receiver(true));
    let t = benches::compare(
        &format!("one batch of {BATCH} presence notifications through the Receiver"),
        21,
        5,
        &mut [
            ("basic (client state only)", &mut || {
                handle(&mut basic, &BATCHES.basic, resource)
            }),
            ("rich (decrypted)", &mut || {
                handle(&mut rich, &BATCHES.rich, changed)
            }),
            ("rich, and a validation token verified", &mut || {
                handle(&mut tokens, &BATCHES.rich_with_token, changed)
            }),
        ],
    );
    let per_notification = t[2] / BATCH as u32;
    println!(
        "  rich with token: {per_notification:.1?} per notification, about {} notifications in Graph's {BUDGET:?} on one core",
        (BUDGET.as_secs_f64() / per_notification.as_secs_f64()) as u64
    );
    benches::verdict(
        &format!(
            "a rich batch of {BATCH} answered within {:.0}% of Graph's {BUDGET:?}",
            TARGET_SHARE * 100.0
        ),
        t[2].as_secs_f64() <= BUDGET.as_secs_f64() * TARGET_SHARE,
        &format!("{:.1?}", t[2]),
    );
}
