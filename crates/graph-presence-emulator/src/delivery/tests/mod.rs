//! Delivery against real HTTP on 127.0.0.1: webhooks served by axum that answer through the
//! notifications crate's `Receiver` (so what is sent is read back as an app reads it), on a
//! manual or accelerated clock.

mod bodies;
mod handshake;
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use graph_presence_notifications::{
    DecryptionKey, DecryptionKeys, EncryptedContent as Sealed, Event, JwkSet, Receiver,
    ValidationTokenRules,
};
use jiff::{SignedDuration, Timestamp};

use super::body::{Prepared, batch_body};
use super::{
    AttemptFailure, CertificateError, Change, Deliverer, DeliveryRecord, DeliverySettings,
    DropReason, EncryptionCertificate, EndpointState, HandshakeError, LifecycleEvent,
    LifecycleNotification, Outcome, RichContent, UrlError, check_url,
};
use crate::Clock;
use support::{
    APP_ID, Answer, CLIENT_STATE, Hook, TENANT_ID, TestSigner, ec_certificate,
    rsa_1024_certificate, rsa_certificate, start,
};

const USER_A: &str = "fa8bf3dc-eca7-46b7-bad1-db199b62afc3";
const USER_B: &str = "66825e03-7ef5-42da-9069-4b2c5b3b6e7d";

const DOCUMENTED_BASIC: &str = include_str!(
    "../../../../../schema/examples/v1.0/changenotifications-presence-basic-notification.json"
);
const DOCUMENTED_RICH: &str = include_str!(
    "../../../../../schema/examples/v1.0/changenotifications-presence-rich-notification.json"
);
const DOCUMENTED_PRESENCE: &str = include_str!(
    "../../../../../schema/examples/v1.0/changenotifications-presence-decrypted-resource-data.json"
);

/// Microsoft's documented decrypted presence, for one user.
fn presence_json(user: &str, availability: &str, activity: &str) -> String {
    DOCUMENTED_PRESENCE
        .replace("{User Id}", user)
        .replace("{Availability}", availability)
        .replace("{Activity}", activity)
}

fn at(seconds: i64) -> Timestamp {
    start() + SignedDuration::from_secs(seconds)
}

fn change(url: &str, subscription: &str, user: &str) -> Change {
    Change {
        notification_url: url.to_owned(),
        subscription_id: subscription.to_owned(),
        subscription_expires: at(3600),
        tenant_id: TENANT_ID.to_owned(),
        app_id: APP_ID.to_owned(),
        client_state: Some(CLIENT_STATE.to_owned()),
        user_id: user.to_owned(),
        rich: None,
    }
}

fn rich_change(
    url: &str,
    subscription: &str,
    user: &str,
    certificate: &Arc<EncryptionCertificate>,
    availability: &str,
) -> Change {
    Change {
        rich: Some(RichContent {
            certificate: certificate.clone(),
            resource: presence_json(user, availability, availability),
        }),
        ..change(url, subscription, user)
    }
}

fn deliverer(clock: &Clock, settings: DeliverySettings) -> Deliverer {
    Deliverer::new(clock.clone(), settings, TestSigner::shared()).expect("a deliverer")
}

fn loopback() -> DeliverySettings {
    DeliverySettings::default().allowing_http_loopback()
}

/// Waits (at most 5 s of real time) until the records satisfy `done`.
async fn settle(deliverer: &Deliverer, what: &str, done: impl FnMut(&[DeliveryRecord]) -> bool) {
    if tokio::time::timeout(Duration::from_secs(5), deliverer.wait_for(done))
        .await
        .is_err()
    {
        panic!("{what}: {:#?}", deliverer.deliveries());
    }
}

/// Gives the deliverer's tasks a moment of real time (to show that nothing happens).
async fn pause() {
    tokio::time::sleep(Duration::from_millis(20)).await;
}

fn delivered(records: &[DeliveryRecord]) -> usize {
    records
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Delivered { .. }))
        .count()
}

/// The claims of a JWT, unverified.
fn claims_of(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

// --- Delivery ---

#[tokio::test]
async fn a_rich_batch_is_delivered_and_the_receiver_decrypts_and_verifies_it() {
    let clock = Clock::manual(start());
    let certificate = rsa_certificate();
    let signer = TestSigner::shared();
    let keys = DecryptionKeys::new().key(
        "cert-1",
        DecryptionKey::from_pkcs8_der(&certificate.private_key_pkcs8_der)
            .expect("the key")
            .certificate_der(&certificate.certificate_der),
    );
    let receiver = Receiver::new(CLIENT_STATE)
        .decryption_keys(keys)
        .validation_tokens(
            ValidationTokenRules::new(APP_ID, TENANT_ID),
            JwkSet::from_json(&signer.jwks()).expect("a JWKS"),
        );
    let hook = Hook::with_receiver(&clock, Answer::Receive, receiver).await;
    let deliverer = Deliverer::new(clock.clone(), loopback(), signer).expect("a deliverer");
    deliverer.validate(&hook.url).await.expect("the handshake");

    // The first attempt fails; the retry 30 s later carries tokens signed then.
    hook.answer(Answer::Status(500));
    let certificate = Arc::new(
        EncryptionCertificate::from_der(&certificate.certificate_der, "cert-1").expect("RSA"),
    );
    for (user, availability) in [(USER_A, "Busy"), (USER_B, "Available")] {
        deliverer
            .notify(&rich_change(
                &hook.url,
                "sub-1",
                user,
                &certificate,
                availability,
            ))
            .expect("encrypted");
    }
    settle(&deliverer, "a failed attempt", |r| r.len() == 1).await;
    hook.answer(Answer::Receive);
    clock.advance(Duration::from_secs(30));
    settle(&deliverer, "delivered", |r| delivered(r) == 1).await;

    let records = deliverer.deliveries();
    assert_eq!(records.len(), 2, "{records:#?}");
    assert!(
        matches!(
            records[0].outcome,
            Outcome::Failed(AttemptFailure::Status { status: 500, .. })
        ),
        "{records:#?}"
    );
    let last = &records[1];
    assert_eq!((last.batch, last.attempt, last.notifications), (1, 2, 2));
    assert_eq!(last.subscription_ids, ["sub-1"]);
    assert_eq!(last.at, at(30));
    assert!(
        matches!(last.outcome, Outcome::Delivered { status: 202, .. }),
        "{last:?}"
    );
    assert_eq!(deliverer.open_batches(), 0);

    // One POST of both notifications, with one token for the app and tenant.
    let seen = hook.seen();
    assert_eq!(seen.len(), 3, "handshake, failed attempt, retry");
    let retry = &seen[2];
    assert_eq!(
        retry.content_type.as_deref(),
        Some("application/json; charset=utf-8")
    );
    let body = retry.json();
    assert_eq!(body["value"].as_array().map(Vec::len), Some(2));
    let tokens = body["validationTokens"].as_array().expect("tokens");
    assert_eq!(tokens.len(), 1);
    let claims = claims_of(tokens[0].as_str().expect("a string"));
    assert_eq!(claims["aud"], APP_ID);
    assert_eq!(
        claims["iss"],
        format!("https://sts.windows.net/{TENANT_ID}/")
    );
    assert_eq!(claims["appid"], super::GRAPH_CHANGE_TRACKING_APP_ID);
    assert_eq!(claims["iat"], at(30).as_second());
    assert_eq!(claims["exp"], at(30 + 3600).as_second());
    let first_claims = claims_of(
        seen[1].json()["validationTokens"][0]
            .as_str()
            .expect("a token"),
    );
    assert_eq!(first_claims["iat"], start().as_second());
    // The same ciphertext both times: a retry is the same notification.
    assert_eq!(seen[1].json()["value"], body["value"]);

    // The receiver verified the token, decrypted both presences and saw nothing wrong.
    let events = hook.take_events();
    let changed: Vec<(String, String)> = events
        .iter()
        .filter_map(|event| match event {
            Event::PresenceChanged {
                subscription_id,
                presence,
                ..
            } => Some((
                format!("{subscription_id}/{}", presence.id),
                presence
                    .availability
                    .as_option()
                    .map(|a| a.as_str().to_owned())
                    .unwrap_or_default(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        changed,
        [
            (format!("sub-1/{USER_A}"), "Busy".to_owned()),
            (format!("sub-1/{USER_B}"), "Available".to_owned())
        ],
        "{events:?}"
    );
    assert_eq!(events.len(), 2, "{events:?}");
}

#[tokio::test]
async fn basic_and_lifecycle_notifications_go_in_batches_of_their_own() {
    let clock = Clock::manual(start());
    let hook = Hook::start(&clock, Answer::Receive).await;
    let deliverer = deliverer(&clock, loopback());
    deliverer
        .notify(&change(&hook.url, "sub-2", USER_A))
        .expect("queued");
    deliverer.notify_lifecycle(&LifecycleNotification {
        lifecycle_url: hook.url.clone(),
        subscription_id: "sub-2".to_owned(),
        subscription_expires: at(3600),
        tenant_id: TENANT_ID.to_owned(),
        client_state: Some(CLIENT_STATE.to_owned()),
        event: LifecycleEvent::ReauthorizationRequired,
    });
    settle(&deliverer, "both delivered", |r| delivered(r) == 2).await;

    let mut kinds: Vec<_> = deliverer
        .deliveries()
        .iter()
        .map(|r| (r.kind, r.notifications))
        .collect();
    kinds.sort_by_key(|(kind, _)| *kind == super::BatchKind::Lifecycle);
    assert_eq!(
        kinds,
        [
            (super::BatchKind::Changes, 1),
            (super::BatchKind::Lifecycle, 1)
        ]
    );
    for seen in hook.seen() {
        assert!(
            seen.json().get("validationTokens").is_none(),
            "{:?}",
            seen.json()
        );
    }
    let events = hook.take_events();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events.iter().any(|event| matches!(
        event,
        Event::ResourceChanged { subscription_id, user_id: Some(user), resource: Some(resource) }
            if subscription_id == "sub-2" && user == USER_A && *resource == format!("communications/presences/{USER_A}")
    )), "{events:?}");
    assert!(events.iter().any(|event| matches!(
        event,
        Event::Lifecycle(notification) if notification.subscription_id == "sub-2"
            && notification.lifecycle_event.as_option().map(|e| e.as_str()) == Some("reauthorizationRequired")
    )), "{events:?}");
}

#[tokio::test]
async fn changes_are_batched_by_url_at_most_max_batch_len_a_post_and_the_history_is_capped() {
    let clock = Clock::manual(start());
    let a = Hook::start(&clock, Answer::Status(202)).await;
    let b = Hook::start(&clock, Answer::Status(204)).await;
    let settings = DeliverySettings {
        max_batch_len: 2,
        history_cap: 3,
        ..loopback()
    };
    let deliverer = deliverer(&clock, settings);
    for (url, user) in [
        (&a.url, "u1"),
        (&b.url, "u2"),
        (&a.url, "u3"),
        (&a.url, "u4"),
        (&a.url, "u5"),
        (&a.url, "u6"),
    ] {
        deliverer
            .notify(&change(url, &format!("sub-{user}"), user))
            .expect("queued");
    }
    let real = Instant::now();
    while deliverer.open_batches() > 0 || deliverer.evicted_records() < 1 {
        assert!(
            real.elapsed() < Duration::from_secs(5),
            "{:#?}",
            deliverer.deliveries()
        );
        pause().await;
    }

    let mut sizes: Vec<usize> = a
        .seen()
        .iter()
        .map(|seen| seen.json()["value"].as_array().map_or(0, Vec::len))
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [1, 2, 2]);
    assert_eq!(b.seen().len(), 1);
    assert_eq!(b.seen()[0].json()["value"][0]["resourceData"]["id"], "u2");

    let records = deliverer.deliveries();
    assert_eq!(records.len(), 3);
    assert_eq!(deliverer.evicted_records(), 1);
    assert!(
        records
            .iter()
            .all(|r| matches!(r.outcome, Outcome::Delivered { .. }))
    );
    assert_eq!(
        deliverer.deliveries_to(&b.url).len() + deliverer.deliveries_to(&a.url).len(),
        3
    );
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_with_exponential_backoff_then_dropped_after_four_hours() {
    let clock = Clock::manual(start());
    let hook = Hook::start(&clock, Answer::Status(503)).await;
    let deliverer = deliverer(&clock, loopback());
    deliverer
        .notify(&change(&hook.url, "sub-1", USER_A))
        .expect("queued");
    settle(&deliverer, "the first attempt", |r| r.len() == 1).await;

    // 30 s, doubling, at most an hour: attempts at 0, 30, 90, 210, 450, 930, 1890, 3810,
    // 7410 and 11010 s; the next would be past 4 hours.
    let gaps = [30, 60, 120, 240, 480, 960, 1920, 3600, 3600];
    let mut elapsed = 0;
    for (i, gap) in gaps.into_iter().enumerate() {
        clock.advance(Duration::from_secs(gap - 1));
        pause().await;
        assert_eq!(
            deliverer.deliveries().len(),
            i + 1,
            "no retry before its time"
        );
        clock.advance(Duration::from_secs(1));
        settle(&deliverer, "a retry", |r| r.len() == i + 2).await;
        elapsed += gap;
        let record = deliverer.deliveries().pop().expect("a record");
        assert_eq!(record.attempt, u32::try_from(i + 2).expect("small"));
        assert_eq!(record.at, at(i64::try_from(elapsed).expect("small")));
        assert!(
            matches!(
                record.outcome,
                Outcome::Failed(AttemptFailure::Status { status: 503, .. })
            ),
            "{record:?}"
        );
    }
    assert_eq!(elapsed, 11_010);
    clock.advance(Duration::from_secs(4 * 3600 - 11_010 - 1));
    pause().await;
    assert_eq!(
        deliverer.deliveries().len(),
        10,
        "not dropped before 4 hours"
    );
    clock.advance(Duration::from_secs(1));
    settle(&deliverer, "dropped", |r| r.len() == 11).await;
    let dropped = deliverer.deliveries().pop().expect("a record");
    assert_eq!(dropped.attempt, 10);
    assert_eq!(dropped.at, at(4 * 3600));
    assert_eq!(
        dropped.outcome,
        Outcome::Dropped(DropReason::RetriesExhausted)
    );
    assert_eq!(hook.seen().len(), 10);
    assert_eq!(deliverer.open_batches(), 0);
}

#[tokio::test]
async fn an_accelerated_clock_runs_four_hours_of_retries_in_well_under_a_second() {
    let clock = Clock::accelerated(start(), 20_000.0);
    let hook = Hook::start(&clock, Answer::Status(500)).await;
    let deliverer = deliverer(&clock, loopback());
    let real = Instant::now();
    deliverer
        .notify(&change(&hook.url, "sub-1", USER_A))
        .expect("queued");
    settle(&deliverer, "dropped", |r| {
        r.last()
            .is_some_and(|r| matches!(r.outcome, Outcome::Dropped(_)))
    })
    .await;
    assert!(
        real.elapsed() < Duration::from_secs(3),
        "{:?}",
        real.elapsed()
    );

    let records = deliverer.deliveries();
    let attempts = &records[..records.len() - 1];
    // Each POST takes real time, which the clock runs 20,000 times faster: fewer attempts fit.
    assert!((4..=10).contains(&attempts.len()), "{records:#?}");
    let mut wait = 30;
    for pair in attempts.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at).as_secs();
        assert!(gap >= wait, "{gap} s after {wait} s: {records:#?}");
        wait = (wait * 2).min(3600);
    }
    let dropped = records.last().expect("a record");
    assert_eq!(
        dropped.outcome,
        Outcome::Dropped(DropReason::RetriesExhausted)
    );
    assert!(dropped.at.duration_since(attempts[0].at) >= SignedDuration::from_hours(4));
}

#[tokio::test]
async fn a_slow_endpoint_has_new_notifications_delayed_then_dropped() {
    let clock = Clock::manual(start());
    let hook = Hook::start(&clock, Answer::Receive).await;
    let quick = Duration::from_millis(250);
    let settings = DeliverySettings {
        first_attempt_timeout: quick,
        retry_timeout: quick,
        slow_answer_time: quick,
        drop_answer_time: quick,
        ..loopback()
    };
    let deliverer = deliverer(&clock, settings);
    let notify = |i: usize| {
        deliverer
            .notify(&change(&hook.url, &format!("sub-{i}"), USER_A))
            .expect("queued");
    };

    // Eight quick answers.
    for i in 0..8 {
        notify(i);
        settle(&deliverer, "delivered", |r| delivered(r) == i + 1).await;
    }
    assert_eq!(deliverer.endpoint(&hook.url).state, EndpointState::Normal);

    // One answer too slow: 1 in 9 is more than 10 %, not more than 15 %.
    hook.answer(Answer::After(Duration::from_millis(1000)));
    notify(8);
    settle(&deliverer, "a timeout", |r| r.len() == 9).await;
    let last = deliverer.deliveries().pop().expect("a record");
    assert_eq!(
        last.outcome,
        Outcome::Failed(AttemptFailure::Timeout { after: quick })
    );
    let status = deliverer.endpoint(&hook.url);
    assert_eq!(
        (status.state, status.answers),
        (EndpointState::Slow, 9),
        "{status:?}"
    );
    assert!((status.slow_share - 1.0 / 9.0).abs() < 1e-9);

    // A new notification waits the slow delay (10 minutes by default).
    notify(9);
    settle(&deliverer, "delayed", |r| r.len() == 10).await;
    let delayed = deliverer.deliveries().pop().expect("a record");
    assert_eq!(delayed.attempt, 0);
    assert_eq!(delayed.subscription_ids, ["sub-9"]);
    assert_eq!(delayed.outcome, Outcome::Delayed { until: at(600) });

    // The retry of the slow one (30 s later) is slow too: 2 in 10 is more than 15 %.
    clock.advance(Duration::from_secs(30));
    settle(&deliverer, "the retry times out", |r| r.len() == 11).await;
    let status = deliverer.endpoint(&hook.url);
    assert_eq!(status.state, EndpointState::Drop, "{status:?}");
    assert_eq!(status.drop_until, Some(at(630)));

    // A new notification is dropped.
    notify(10);
    settle(&deliverer, "dropped", |r| r.len() == 12).await;
    let dropped = deliverer.deliveries().pop().expect("a record");
    assert_eq!((dropped.attempt, dropped.at), (0, at(30)));
    assert_eq!(dropped.subscription_ids, ["sub-10"]);
    assert_eq!(
        dropped.outcome,
        Outcome::Dropped(DropReason::EndpointDropping)
    );

    // Quick again, ten minutes on: the delayed one and the retried one go through, the drop
    // period is over, and the old answers are out of the window.
    hook.answer(Answer::Receive);
    clock.advance(Duration::from_secs(600));
    settle(&deliverer, "the rest delivered", |r| delivered(r) == 10).await;
    let records = deliverer.deliveries();
    for subscription in ["sub-8", "sub-9"] {
        let record = records
            .iter()
            .find(|r| {
                r.subscription_ids == [subscription]
                    && matches!(r.outcome, Outcome::Delivered { .. })
            })
            .unwrap_or_else(|| panic!("{subscription}: {records:#?}"));
        assert_eq!(record.at, at(630));
    }
    let status = deliverer.endpoint(&hook.url);
    assert_eq!(
        (status.state, status.answers),
        (EndpointState::Normal, 2),
        "{status:?}"
    );
    assert_eq!(deliverer.open_batches(), 0);
}

#[tokio::test]
async fn refused_urls_are_dropped_and_refused_connections_retried_without_being_slow() {
    let clock = Clock::manual(start());
    let strict = deliverer(&clock, DeliverySettings::default());
    strict
        .notify(&change("http://127.0.0.1:9/hook", "sub-1", USER_A))
        .expect("queued");
    settle(&strict, "dropped", |r| r.len() == 1).await;
    let record = strict.deliveries().pop().expect("a record");
    assert_eq!(record.attempt, 0);
    assert!(
        matches!(&record.outcome, Outcome::Dropped(DropReason::UrlRefused { message }) if message.contains("plain http")),
        "{record:?}"
    );

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    drop(listener);
    let lenient = deliverer(&clock, loopback());
    lenient
        .notify(&change(&url, "sub-1", USER_A))
        .expect("queued");
    settle(&lenient, "failed", |r| r.len() == 1).await;
    let record = lenient.deliveries().pop().expect("a record");
    assert!(
        matches!(
            record.outcome,
            Outcome::Failed(AttemptFailure::Unreachable { .. })
        ),
        "{record:?}"
    );
    let status = lenient.endpoint(&url);
    assert_eq!((status.state, status.answers), (EndpointState::Normal, 0));
    assert_eq!(lenient.open_batches(), 1, "still to be retried");
    assert!(lenient.endpoints().is_empty());
}
