//! Delivery against real HTTP on 127.0.0.1: webhooks served by axum that answer through the
//! notifications crate's `Receiver` (so what is sent is read back as an app reads it), on a
//! manual or accelerated clock.

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

// --- Encryption ---

#[test]
fn rich_content_is_encrypted_as_graph_does_and_decrypts_with_the_receivers_keys() {
    let certificate = rsa_certificate();
    let ours = EncryptionCertificate::from_base64_der(
        &STANDARD.encode(&certificate.certificate_der),
        "cert-1",
    )
    .expect("an RSA certificate");
    assert_eq!(ours.key_bits(), 2048);
    let sha1 = digest::digest(
        &digest::SHA1_FOR_LEGACY_USE_ONLY,
        &certificate.certificate_der,
    );
    let hex: String = sha1.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(ours.thumbprint(), hex);

    let presence = presence_json(USER_A, "Busy", "InACall");
    let content = ours.encrypt(presence.as_bytes()).expect("encrypted");
    assert_eq!(content.encryption_certificate_id, "cert-1");
    assert_eq!(content.encryption_certificate_thumbprint, hex);
    // AES-CBC with PKCS#7: whole blocks, one more when the text is whole blocks already; the
    // key wrapped for a 2048-bit key is 256 bytes; the signature is 32.
    let data = STANDARD.decode(&content.data).expect("base64");
    assert_eq!(data.len(), (presence.len() / 16 + 1) * 16);
    assert_eq!(
        STANDARD.decode(&content.data_key).expect("base64").len(),
        256
    );
    assert_eq!(
        STANDARD
            .decode(&content.data_signature)
            .expect("base64")
            .len(),
        32
    );

    // The receiver's keys, requiring this certificate's thumbprint.
    let key = DecryptionKey::from_pkcs8_der(&certificate.private_key_pkcs8_der)
        .expect("the private key")
        .certificate_der(&certificate.certificate_der);
    let keys = DecryptionKeys::new().key("cert-1", key);
    let plain = keys
        .decrypt(&Sealed {
            data: &content.data,
            data_signature: &content.data_signature,
            data_key: &content.data_key,
            encryption_certificate_id: &content.encryption_certificate_id,
            encryption_certificate_thumbprint: Some(&content.encryption_certificate_thumbprint),
        })
        .expect("decrypts");
    assert_eq!(plain.as_bytes(), presence.as_bytes());

    // A new key every time.
    let again = ours.encrypt(presence.as_bytes()).expect("encrypted");
    assert_ne!(again.data_key, content.data_key);
    assert_ne!(again.data, content.data);
    // Debug shows no ciphertext.
    assert!(!format!("{content:?}").contains(&content.data));
}

#[test]
fn base64_wrapped_on_lines_reads_the_same() {
    let certificate = rsa_certificate();
    let one_line = STANDARD.encode(&certificate.certificate_der);
    let wrapped: String = one_line
        .as_bytes()
        .chunks(64)
        .map(|line| format!("{}\r\n", std::str::from_utf8(line).expect("ascii")))
        .collect();
    let a = EncryptionCertificate::from_base64_der(&one_line, "c").expect("one line");
    let b = EncryptionCertificate::from_base64_der(&wrapped, "c").expect("wrapped");
    assert_eq!(a.thumbprint(), b.thumbprint());
}

#[test]
fn what_is_not_an_rsa_certificate_is_refused_with_a_short_message() {
    let rsa = rsa_certificate();
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        STANDARD.encode(&rsa.certificate_der)
    );
    type Expected = fn(&CertificateError) -> bool;
    let cases: Vec<(String, Expected)> = vec![
        ("%%% not base64 %%%".to_owned(), |e| {
            *e == CertificateError::NotBase64
        }),
        (String::new(), |e| *e == CertificateError::NotBase64),
        (STANDARD.encode(b"not a certificate"), |e| {
            matches!(e, CertificateError::NotCertificate { .. })
        }),
        // The PEM file's text where its base64 belongs.
        (STANDARD.encode(pem.as_bytes()), |e| {
            matches!(e, CertificateError::NotCertificate { .. })
        }),
        // The private key where the certificate belongs.
        (STANDARD.encode(&rsa.private_key_pkcs8_der), |e| {
            matches!(e, CertificateError::NotCertificate { .. })
        }),
        (STANDARD.encode(ec_certificate()), |e| {
            *e == CertificateError::NotRsa
        }),
        (STANDARD.encode(rsa_1024_certificate()), |e| {
            matches!(e, CertificateError::UnusableKey { .. })
        }),
        ("QUFB".repeat(30_000), |e| *e == CertificateError::TooLong),
    ];
    for (input, expected) in cases {
        let error = EncryptionCertificate::from_base64_der(&input, "c").expect_err("refused");
        assert!(
            expected(&error),
            "{error:?} for {}",
            &input[..input.len().min(40)]
        );
        let message = error.to_string();
        assert!(message.len() < 160, "{message}");
        assert!(
            message.starts_with("encryptionCertificate")
                || message.starts_with("the encryptionCertificate"),
            "{message}"
        );
    }
}

// --- Bodies ---

#[test]
fn a_basic_notification_is_microsofts_documented_one() {
    let mut basic = change(
        "https://webhook.contoso.com/api",
        "{Subscription id}",
        "{User Id}",
    );
    basic.tenant_id = "{Organization/Tenant id}".to_owned();
    basic.client_state = Some("{secret client state}".to_owned());
    basic.subscription_expires = "2023-09-14T10:00:00Z".parse().expect("a time");
    let body = batch_body([&basic.prepare().expect("prepared")], &[]);

    // The documented text has a trailing comma; its resource names the user `{id}`.
    let documented = DOCUMENTED_BASIC
        .replace(
            "\"{Organization/Tenant id}\",\n  }]",
            "\"{Organization/Tenant id}\"\n  }]",
        )
        .replace(
            "communications/presences/{id}",
            "communications/presences/{User Id}",
        );
    let documented: serde_json::Value = serde_json::from_str(&documented).expect("JSON");
    let ours: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(ours, documented);

    // In the documented order, and no validationTokens with basic notifications.
    let text = String::from_utf8(body.clone()).expect("UTF-8");
    let order = [
        "subscriptionId",
        "clientState",
        "changeType",
        "tenantId",
        "resource",
        "subscriptionExpirationDateTime",
        "resourceData",
        "organizationId",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|key| text.find(&format!("\"{key}\"")).expect(key))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(!text.contains("validationTokens"));

    // It is a changeNotificationCollection for the generated models.
    graph_presence_models::from_slice::<graph_presence_models::ChangeNotificationCollection>(&body)
        .expect("the models read it");
}

#[test]
fn a_rich_notification_is_microsofts_documented_one_with_content_filled_in() {
    let certificate = rsa_certificate();
    let certificate = Arc::new(
        EncryptionCertificate::from_der(
            &certificate.certificate_der,
            "{User specified id of encryption certificate}",
        )
        .expect("a certificate"),
    );
    let mut rich = rich_change(
        "https://webhook.contoso.com/api",
        "{Subscription id}",
        "{User Id}",
        &certificate,
        "Busy",
    );
    rich.tenant_id = "{Organization/Tenant id}".to_owned();
    rich.client_state = Some("{secret client state}".to_owned());
    rich.subscription_expires = "2023-09-14T10:00:00Z".parse().expect("a time");
    let prepared: Prepared = rich.prepare().expect("prepared");
    assert!(prepared.rich);
    let body = batch_body([&prepared], &["{Validation Tokens}".to_owned()]);

    let mut ours: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    let content = &mut ours["value"][0]["encryptedContent"];
    assert_eq!(
        content["encryptionCertificateThumbprint"].as_str(),
        Some(certificate.thumbprint())
    );
    for (field, placeholder) in [
        ("data", "{Encrypted content}"),
        ("dataSignature", "{Encrypted data signature}"),
        ("dataKey", "{Encrypted data key for encrypting content}"),
        (
            "encryptionCertificateThumbprint",
            "{Encrpytion certification thumbprint}",
        ),
    ] {
        content[field] = placeholder.into();
    }
    let documented: serde_json::Value = serde_json::from_str(&DOCUMENTED_RICH.replace(
        "communications/presences/{id}",
        "communications/presences/{User Id}",
    ))
    .expect("JSON");
    assert_eq!(ours, documented);
}

#[test]
fn a_lifecycle_notification_is_the_documented_one() {
    let notification = LifecycleNotification {
        lifecycle_url: "https://webhook.contoso.com/lifecycle".to_owned(),
        subscription_id: "7f8d0f1a-0000-4000-8000-000000000001".to_owned(),
        subscription_expires: "2019-09-18T00:00:00Z".parse().expect("a time"),
        tenant_id: TENANT_ID.to_owned(),
        client_state: Some(CLIENT_STATE.to_owned()),
        event: LifecycleEvent::ReauthorizationRequired,
    };
    let body = batch_body([&notification.prepare()], &[]);
    let expected = format!(
        r#"{{"value":[{{"subscriptionId":"7f8d0f1a-0000-4000-8000-000000000001","subscriptionExpirationDateTime":"2019-09-18T00:00:00.0000000Z","tenantId":"{TENANT_ID}","clientState":"{CLIENT_STATE}","lifecycleEvent":"reauthorizationRequired"}}]}}"#
    );
    assert_eq!(String::from_utf8(body).expect("UTF-8"), expected);
}

// --- The handshake ---

#[tokio::test]
async fn the_handshake_passes_when_the_token_comes_back() {
    let clock = Clock::manual(start());
    let hook = Hook::start(&clock, Answer::Receive).await;
    let deliverer = deliverer(&clock, loopback());
    deliverer.validate(&hook.url).await.expect("validated");

    let seen = hook.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert!(seen[0].body.is_empty());
    let query = seen[0].query.as_deref().expect("a query");
    assert!(
        query.starts_with(
            "validationToken=Validation%3A%20Testing%20client%20application%20reachability%20for%20subscription%20Request-Id%3A%20"
        ),
        "{query}"
    );

    // A URL with a query of its own keeps it; any token text survives the round trip.
    let with_query = format!("{}?tenant=contoso", hook.url);
    super::validate_with_token(
        &reqwest::Client::new(),
        &with_query,
        "a+b&c=d %2F é ✓",
        &loopback(),
    )
    .await
    .expect("validated");
    let query = hook.seen()[1].query.clone().expect("a query");
    assert!(
        query.starts_with("tenant=contoso&validationToken="),
        "{query}"
    );
}

#[tokio::test]
async fn a_wrong_answer_fails_the_handshake_saying_what_was_wrong() {
    let clock = Clock::manual(start());
    let hook = Hook::start(&clock, Answer::Text("not the token")).await;
    let deliverer = deliverer(&clock, loopback());

    let error = deliverer
        .validate(&hook.url)
        .await
        .expect_err("a wrong echo");
    assert!(
        matches!(&error, HandshakeError::Mismatch { answered, .. } if answered == "not the token")
    );
    let message = error.to_string();
    assert!(
        message.contains("the answer `not the token` is not the validation token"),
        "{message}"
    );
    assert!(message.len() < 400, "{message}");

    hook.answer(Answer::Status(500));
    let error = deliverer.validate(&hook.url).await.expect_err("a 500");
    assert!(matches!(error, HandshakeError::Status { status: 500, .. }));
    assert!(
        error.to_string().contains("answered 500, not 200"),
        "{error}"
    );

    hook.answer(Answer::EchoAs("text/html"));
    let error = deliverer.validate(&hook.url).await.expect_err("HTML");
    assert!(
        matches!(&error, HandshakeError::ContentType { content_type: Some(c), .. } if c == "text/html"),
        "{error:?}"
    );
    let lenient = DeliverySettings {
        handshake_requires_text_plain: false,
        ..loopback()
    };
    super::validate(&reqwest::Client::new(), &hook.url, &lenient)
        .await
        .expect("the token is right");
}

#[tokio::test]
async fn a_handshake_without_an_answer_in_time_times_out() {
    let clock = Clock::manual(start());
    let hook = Hook::start(&clock, Answer::After(Duration::from_secs(3))).await;
    let settings = DeliverySettings {
        handshake_timeout: Duration::from_millis(100),
        ..loopback()
    };
    let deliverer = deliverer(&clock, settings);
    let real = Instant::now();
    let error = deliverer.validate(&hook.url).await.expect_err("too slow");
    assert!(
        real.elapsed() < Duration::from_secs(1),
        "{:?}",
        real.elapsed()
    );
    assert!(
        matches!(error, HandshakeError::Timeout { after, .. } if after == Duration::from_millis(100))
    );
    assert!(error.to_string().contains("timed out"), "{error}");
}

#[tokio::test]
async fn plain_http_is_refused_unless_allowed_and_to_loopback() {
    for allowed in [
        "https://webhook.contoso.com/api?x=1",
        "http://127.0.0.1:8080/hook",
        "http://127.9.9.9/hook",
        "http://[::1]:8080/hook",
        "http://localhost:8080/hook",
        "http://LOCALHOST/hook",
    ] {
        check_url(allowed, true).unwrap_or_else(|e| panic!("{allowed}: {e}"));
    }
    assert!(check_url("https://webhook.contoso.com/api", false).is_ok());
    for (url, allow) in [
        ("http://127.0.0.1:8080/hook", false),
        ("http://webhook.contoso.com/api", true),
        ("http://10.0.0.1/hook", true),
        ("http://localhost.contoso.com/hook", true),
    ] {
        assert!(
            matches!(check_url(url, allow), Err(UrlError::HttpRefused { .. })),
            "{url}"
        );
    }
    assert!(matches!(
        check_url("ftp://127.0.0.1/x", true),
        Err(UrlError::NotHttps { .. })
    ));
    assert!(matches!(
        check_url("/relative", true),
        Err(UrlError::Malformed { .. })
    ));

    // Nothing is sent to a refused URL.
    let clock = Clock::manual(start());
    let hook = Hook::start(&clock, Answer::Receive).await;
    let deliverer = deliverer(&clock, DeliverySettings::default());
    let error = deliverer
        .validate(&hook.url)
        .await
        .expect_err("http refused");
    assert!(matches!(
        error,
        HandshakeError::Url(UrlError::HttpRefused { .. })
    ));
    assert!(
        error
            .to_string()
            .contains("plain http is allowed only to a loopback host"),
        "{error}"
    );
    assert!(hook.seen().is_empty());
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    drop(listener);
    let clock = Clock::manual(start());
    let error = deliverer(&clock, loopback())
        .validate(&url)
        .await
        .expect_err("nobody listens");
    assert!(
        matches!(error, HandshakeError::Unreachable { .. }),
        "{error:?}"
    );
    assert!(error.to_string().len() < 500);
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
