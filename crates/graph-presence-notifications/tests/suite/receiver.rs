//! The sans-IO receiver: the handshake, Microsoft's documented notifications, rich
//! notifications encrypted here as Graph encrypts them, refusals that leave the rest of a
//! batch alone, stale updates and validation tokens.

use crate::support::*;
use graph_presence_models::{LifecycleEventType, Presence};
use graph_presence_notifications::{
    BatchError, DecryptionKey, DecryptionKeys, Error, Event, JwkSet, MAX_VALIDATION_TOKEN_LEN,
    NotificationError, Receiver, Request, SequenceTracker, ValidationTokenRules,
};
use jiff::Timestamp;
use serde_json::{Value, json};

const CERT_ID: &str = "presence-cert-2025";
const CLIENT_STATE: &str = "9c1e7d55-8a43-4bd4-9a6d-f6a1c0c20b3e";
const NOW: i64 = 1_767_225_600; // 2026-01-01

fn now() -> Timestamp {
    Timestamp::from_second(NOW).expect("time")
}

fn keys() -> DecryptionKeys {
    let key = DecryptionKey::from_pkcs8_der(certificate_key()).expect("key");
    DecryptionKeys::new().key(CERT_ID, key)
}

fn new_receiver() -> Receiver {
    Receiver::new(CLIENT_STATE).decryption_keys(keys())
}

fn post(receiver: &mut Receiver, query: Option<&str>, body: &[u8]) -> (u16, Vec<u8>, Vec<Event>) {
    let handled = receiver.handle(
        Request {
            method: "POST",
            query,
            body,
        },
        now(),
    );
    (
        handled.response.status,
        handled.response.body,
        handled.events,
    )
}

fn post_json(receiver: &mut Receiver, batch: &Value) -> (u16, Vec<Event>) {
    let body = serde_json::to_vec(batch).expect("json");
    let (status, _, events) = post(receiver, None, &body);
    (status, events)
}

/// A presence JSON for `user` with a sequence number.
fn presence_json(user: &str, availability: &str, sequence: &str) -> String {
    json!({
        "@odata.type": "#microsoft.graph.presence",
        "id": user,
        "availability": availability,
        "activity": availability,
        "sequenceNumber": sequence,
    })
    .to_string()
}

/// A rich notification carrying `plaintext`, encrypted as Graph does.
fn rich(plaintext: &str, client_state: &str) -> Value {
    let sent = encrypt_like_graph(certificate_key(), plaintext.as_bytes());
    rich_with(&sent, client_state, CERT_ID)
}

fn rich_with(sent: &Encrypted, client_state: &str, certificate_id: &str) -> Value {
    json!({
        "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        "clientState": client_state,
        "changeType": "updated",
        "tenantId": TENANT_ID,
        "resource": "communications/presences/u1",
        "subscriptionExpirationDateTime": "2026-01-01T01:00:00Z",
        "resourceData": {"@odata.id": "users/u1/presence", "@odata.type": "#microsoft.graph.presence", "id": "u1"},
        "encryptedContent": {
            "data": sent.data,
            "dataSignature": sent.data_signature,
            "dataKey": sent.data_key,
            "encryptionCertificateId": certificate_id,
            "encryptionCertificateThumbprint": "A909502DD82AE41433E6F83886B00D4277A32A7B"
        }
    })
}

fn example(version: &str, file: &str) -> String {
    let path = format!(
        "{}/../../schema/examples/{version}/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).expect("example")
}

fn presence_of(event: &Event) -> (&str, &Presence) {
    match event {
        Event::PresenceChanged {
            user_id, presence, ..
        } => (user_id, presence),
        other => panic!("not a presence change: {other:?}"),
    }
}

#[test]
fn the_handshake_echoes_the_decoded_token_as_text() {
    // Both URLs (notifications and lifecycle) get the same request; the body is ignored.
    let mut receiver = new_receiver();
    let token = "Validation: Testing client application reachability for subscription Request-Id: 522a8e7e-096a-494c-aaf1-ac0dcfca45b7";
    let query = "validationToken=Validation%3a+Testing+client+application+reachability+for+subscription+Request-Id%3a+522a8e7e-096a-494c-aaf1-ac0dcfca45b7";
    for query in [query.to_owned(), format!("a=1&{query}")] {
        let handled = receiver.handle(
            Request {
                method: "POST",
                query: Some(&query),
                body: b"",
            },
            now(),
        );
        assert_eq!(handled.response.status, 200);
        assert_eq!(handled.response.content_type, "text/plain");
        assert_eq!(handled.response.body, token.as_bytes());
        assert!(handled.events.is_empty());
    }
    // Markup is echoed as sent (text/plain): escaping would change the token.
    let (status, body, _) = post(&mut receiver, Some("validationToken=%3Cb%3E"), b"");
    assert_eq!((status, body), (200, b"<b>".to_vec()));
    // Absurd lengths are refused, encoded or not.
    let long = "a".repeat(MAX_VALIDATION_TOKEN_LEN + 1);
    let (status, _, events) = post(&mut receiver, Some(&format!("validationToken={long}")), b"");
    assert_eq!(status, 400);
    assert!(matches!(
        events[..],
        [Event::BatchRejected(BatchError::ValidationTokenTooLong)]
    ));
    let long = "%41".repeat(MAX_VALIDATION_TOKEN_LEN + 1);
    let (status, _, _) = post(&mut receiver, Some(&format!("validationToken={long}")), b"");
    assert_eq!(status, 400);
    let exact = "%41".repeat(MAX_VALIDATION_TOKEN_LEN);
    let (status, body, _) = post(
        &mut receiver,
        Some(&format!("validationToken={exact}")),
        b"",
    );
    assert_eq!((status, body.len()), (200, MAX_VALIDATION_TOKEN_LEN));
}

#[test]
fn only_post_is_answered() {
    let handled = new_receiver().handle(
        Request {
            method: "GET",
            query: Some("validationToken=x"),
            body: b"",
        },
        now(),
    );
    assert_eq!(handled.response.status, 405);
    assert!(matches!(
        &handled.events[..],
        [Event::BatchRejected(BatchError::Method { method })] if method == "GET"
    ));
}

#[test]
fn the_documented_basic_notification_is_refused_at_its_trailing_comma() {
    for version in ["v1.0", "beta"] {
        let body = example(
            version,
            "changenotifications-presence-basic-notification.json",
        );
        let (status, response, events) = post(&mut new_receiver(), None, body.as_bytes());
        assert_eq!(status, 400);
        assert_eq!(response, b"malformed notification batch");
        let [Event::BatchRejected(BatchError::Malformed(error))] = &events[..] else {
            panic!("{events:?}");
        };
        assert_eq!((error.line(), error.column()), (15, 3), "{error}");

        // Without the comma it is a basic notification: the app fetches the presence.
        let fixed = body.replace(
            "\"{Organization/Tenant id}\",\n  }",
            "\"{Organization/Tenant id}\"\n  }",
        );
        let mut receiver = Receiver::new("{secret client state}");
        let (status, _, events) = post(&mut receiver, None, fixed.as_bytes());
        assert_eq!(status, 202);
        let [
            Event::ResourceChanged {
                subscription_id,
                user_id,
                resource,
            },
        ] = &events[..]
        else {
            panic!("{events:?}");
        };
        assert_eq!(subscription_id, "{Subscription id}");
        assert_eq!(user_id.as_deref(), Some("{User Id}"));
        assert_eq!(resource.as_deref(), Some("communications/presences/{id}"));
    }
}

#[test]
fn the_documented_rich_notification_is_refused_for_its_placeholders_only() {
    for version in ["v1.0", "beta"] {
        let body = example(
            version,
            "changenotifications-presence-rich-notification.json",
        );
        // Its client state is not ours.
        let (status, _, events) = post(&mut new_receiver(), None, body.as_bytes());
        assert_eq!(status, 202);
        assert!(matches!(
            &events[..],
            [Event::Rejected {
                index: 0,
                error: NotificationError::ClientState,
                ..
            }]
        ));
        // With its client state: no key for its certificate id.
        let mut receiver = Receiver::new("{secret client state}").decryption_keys(keys());
        let (_, _, events) = post(&mut receiver, None, body.as_bytes());
        assert!(matches!(
            &events[..],
            [Event::Rejected { error: NotificationError::Decryption(Error::UnknownCertificate { id }), .. }]
                if id == "{User specified id of encryption certificate}"
        ));
        // Without keys at all.
        let (_, _, events) = post(
            &mut Receiver::new("{secret client state}"),
            None,
            body.as_bytes(),
        );
        assert!(matches!(
            &events[..],
            [Event::Rejected {
                error: NotificationError::NoDecryptionKeys,
                ..
            }]
        ));
        // Its validation token placeholder is not a token.
        let signing = SigningKey::new("kid-1");
        let mut receiver = Receiver::new("{secret client state}").validation_tokens(
            rules(),
            JwkSet::from_json(&jwks(&[&signing])).expect("jwks"),
        );
        let (status, _, events) = post(&mut receiver, None, body.as_bytes());
        assert_eq!(status, 401);
        assert!(matches!(
            &events[..],
            [Event::BatchRejected(BatchError::ValidationToken {
                index: 0,
                error: Error::MalformedToken { .. }
            })]
        ));
    }
}

#[test]
fn the_documented_rich_notification_encrypted_as_graph_does_is_a_presence_change() {
    for (version, plaintext) in [("v1.0", PRESENCE_V1), ("beta", PRESENCE_BETA)] {
        let sent = encrypt_like_graph(certificate_key(), plaintext.as_bytes());
        let template = example(
            version,
            "changenotifications-presence-rich-notification.json",
        );
        let body = sent.fill_rich_notification(&template, CERT_ID);
        let mut receiver = Receiver::new("{secret client state}").decryption_keys(keys());
        let (status, _, events) = post(&mut receiver, None, body.as_bytes());
        assert_eq!(status, 202);
        let (user_id, presence) = presence_of(&events[0]);
        let expected: Presence = graph_presence_models::from_str(plaintext).expect("presence");
        assert_eq!(user_id, "{User Id}");
        assert_eq!(presence, &expected);
    }
}

#[test]
fn bad_notifications_are_refused_one_by_one_and_the_rest_pass() {
    let mut tampered = encrypt_like_graph(
        certificate_key(),
        presence_json("u2", "Busy", "1").as_bytes(),
    );
    tampered.data = flip_byte(&tampered.data, 3);
    let mut tampered_key = encrypt_like_graph(
        certificate_key(),
        presence_json("u3", "Busy", "1").as_bytes(),
    );
    tampered_key.data_key = flip_byte(&tampered_key.data_key, 0);
    let other_key = encrypt_like_graph(
        other_certificate_key(),
        presence_json("u4", "Busy", "1").as_bytes(),
    );
    let batch = json!({"value": [
        rich(&presence_json("u1", "Available", "1"), CLIENT_STATE),
        rich_with(&tampered, CLIENT_STATE, CERT_ID),
        rich(&presence_json("u5", "Away", "1"), "not the secret"),
        rich(&presence_json("u5", "Away", "1"), &CLIENT_STATE[..CLIENT_STATE.len() - 1]),
        rich_with(&tampered_key, CLIENT_STATE, CERT_ID),
        rich_with(&other_key, CLIENT_STATE, CERT_ID),
        rich_with(&tampered, CLIENT_STATE, "unknown-cert"),
        rich("{\"availability\": \"Busy\"}", CLIENT_STATE),
        json!({"subscriptionId": "s-10", "clientState": CLIENT_STATE}),
        json!(["not", "an", "object"]),
        rich(&presence_json("u6", "Busy", "1"), CLIENT_STATE),
    ]});
    let (status, events) = post_json(&mut new_receiver(), &batch);
    assert_eq!(status, 202);
    assert_eq!(events.len(), 11);
    assert_eq!(presence_of(&events[0]).0, "u1");
    let error = |i: usize| match &events[i] {
        Event::Rejected { index, error, .. } => {
            assert_eq!(*index, i);
            error
        }
        other => panic!("{i}: {other:?}"),
    };
    assert!(matches!(
        error(1),
        NotificationError::Decryption(Error::DataSignature)
    ));
    assert!(matches!(error(2), NotificationError::ClientState));
    assert!(matches!(error(3), NotificationError::ClientState));
    assert!(matches!(
        error(4),
        NotificationError::Decryption(Error::KeyDecryption)
    ));
    assert!(matches!(
        error(5),
        NotificationError::Decryption(Error::KeyDecryption)
    ));
    assert!(matches!(
        error(6),
        NotificationError::Decryption(Error::UnknownCertificate { .. })
    ));
    assert!(matches!(error(7), NotificationError::Presence(_)));
    // Not change notifications (no tenantId; not an object): refused alone.
    assert!(matches!(error(8), NotificationError::Shape(_)));
    assert!(
        matches!(&events[8], Event::Rejected { subscription_id, .. } if subscription_id == "s-10")
    );
    assert!(matches!(error(9), NotificationError::Shape(_)));
    assert_eq!(presence_of(&events[10]).0, "u6");
}

#[test]
fn lifecycle_notifications_are_events_once_their_client_state_is_checked() {
    let lifecycle = |state: &str, event: &str| {
        json!({
            "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
            "subscriptionExpirationDateTime": "2026-01-01T01:00:00Z",
            "tenantId": TENANT_ID,
            "clientState": state,
            "lifecycleEvent": event,
        })
    };
    let batch = json!({"value": [
        lifecycle(CLIENT_STATE, "missed"),
        lifecycle("wrong", "subscriptionRemoved"),
        lifecycle(CLIENT_STATE, "reauthorizationRequired"),
    ]});
    let (status, events) = post_json(&mut new_receiver(), &batch);
    assert_eq!(status, 202);
    let Event::Lifecycle(missed) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(
        missed.lifecycle_event.as_option(),
        Some(&LifecycleEventType::Missed)
    );
    assert!(matches!(
        &events[1],
        Event::Rejected {
            index: 1,
            error: NotificationError::ClientState,
            ..
        }
    ));
    assert!(matches!(&events[2], Event::Lifecycle(_)));
}

#[test]
fn out_of_order_updates_are_stale() {
    let mut receiver = new_receiver();
    let batch = json!({"value": [
        rich(&presence_json("u1", "Busy", "9"), CLIENT_STATE),
        rich(&presence_json("U1", "Available", "8"), CLIENT_STATE),
        rich(&presence_json("u1", "Away", "10"), CLIENT_STATE),
    ]});
    let (_, events) = post_json(&mut receiver, &batch);
    assert_eq!(
        presence_of(&events[0])
            .1
            .sequence_number
            .as_option()
            .map(String::as_str),
        Some("9")
    );
    let Event::Stale {
        user_id,
        sequence_number,
        held,
        ..
    } = &events[1]
    else {
        panic!("{events:?}")
    };
    assert_eq!(
        (user_id.as_str(), sequence_number.as_str(), held.as_str()),
        ("U1", "8", "9")
    );
    assert_eq!(
        presence_of(&events[2])
            .1
            .sequence_number
            .as_option()
            .map(String::as_str),
        Some("10")
    );

    // A later batch repeating an update already applied is stale too.
    let (_, events) = post_json(
        &mut receiver,
        &json!({"value": [rich(&presence_json("u1", "Away", "10"), CLIENT_STATE)]}),
    );
    assert!(matches!(&events[..], [Event::Stale { .. }]));
    // A resync recorded in the tracker makes older notifications stale.
    receiver.sequences_mut().observe("u2", Some("50"));
    let (_, events) = post_json(
        &mut receiver,
        &json!({"value": [rich(&presence_json("u2", "Away", "49"), CLIENT_STATE)]}),
    );
    assert!(matches!(&events[..], [Event::Stale { .. }]));
    // Without a sequence number nothing can be compared: it passes.
    let plain = json!({"id": "u1", "availability": "Offline"}).to_string();
    let (_, events) = post_json(
        &mut receiver,
        &json!({"value": [rich(&plain, CLIENT_STATE)]}),
    );
    assert_eq!(presence_of(&events[0]).0, "u1");

    // A small tracker forgets the first user it recorded.
    let mut small = new_receiver().sequence_tracker(SequenceTracker::with_capacity(1));
    post_json(
        &mut small,
        &json!({"value": [rich(&presence_json("a", "Busy", "5"), CLIENT_STATE), rich(&presence_json("b", "Busy", "5"), CLIENT_STATE)]}),
    );
    let (_, events) = post_json(
        &mut small,
        &json!({"value": [rich(&presence_json("a", "Busy", "4"), CLIENT_STATE)]}),
    );
    assert_eq!(presence_of(&events[0]).0, "a");
}

fn rules() -> ValidationTokenRules {
    ValidationTokenRules::new(APP_ID, TENANT_ID)
}

#[test]
fn a_batch_refused_for_an_unknown_signing_key_says_so_and_can_be_handled_again() {
    let signing = SigningKey::new("kid-1");
    let rotated = SigningKey::new("kid-2");
    let key_set = JwkSet::from_json(&jwks(&[&signing])).expect("jwks");
    let mut receiver = new_receiver().validation_tokens(rules(), key_set);
    let batch = |token: String| {
        json!({"value": [rich(&presence_json("u1", "Busy", "5"), CLIENT_STATE)], "validationTokens": [token]})
            .to_string()
    };
    let handle = |receiver: &mut Receiver, body: &str| {
        receiver.handle(
            Request {
                method: "POST",
                query: None,
                body: body.as_bytes(),
            },
            now(),
        )
    };
    let by_rotated = batch(rotated.sign(&rotated.header(), &claims(NOW)));
    let handled = handle(&mut receiver, &by_rotated);
    assert_eq!(handled.response.status, 401);
    assert!(handled.names_unknown_signing_key());
    // Another key under a known kid is a bad signature, not a rotation.
    let forged = handle(
        &mut receiver,
        &batch(rotated.sign(&signing.header(), &claims(NOW))),
    );
    assert_eq!(forged.response.status, 401);
    assert!(!forged.names_unknown_signing_key());

    // With the rotated keys, the same request is a change: the refusal recorded nothing.
    receiver.set_signing_keys(JwkSet::from_json(&jwks(&[&signing, &rotated])).expect("jwks"));
    let handled = handle(&mut receiver, &by_rotated);
    assert_eq!(handled.response.status, 202);
    assert!(!handled.names_unknown_signing_key());
    assert_eq!(presence_of(&handled.events[0]).0, "u1");
}

#[test]
fn validation_tokens_are_required_and_verified_when_rules_are_set() {
    let signing = SigningKey::new("kid-1");
    let other = SigningKey::new("kid-2");
    let key_set = JwkSet::from_json(&jwks(&[&signing])).expect("jwks");
    let mut receiver = new_receiver().validation_tokens(rules(), key_set);
    let notification = rich(&presence_json("u1", "Busy", "1"), CLIENT_STATE);
    let valid = signing.sign(&signing.header(), &claims(NOW));

    let (status, events) = post_json(
        &mut receiver,
        &json!({"value": [notification.clone()], "validationTokens": [valid.clone()]}),
    );
    assert_eq!(status, 202);
    assert_eq!(presence_of(&events[0]).0, "u1");

    let refused = |receiver: &mut Receiver, tokens: Value| {
        let mut batch = json!({"value": [rich(&presence_json("u9", "Busy", "1"), CLIENT_STATE)]});
        if !tokens.is_null() {
            batch["validationTokens"] = tokens;
        }
        let (status, events) = post_json(receiver, &batch);
        assert_eq!(status, 401, "{events:?}");
        match <[Event; 1]>::try_from(events) {
            Ok([Event::BatchRejected(error)]) => error,
            other => panic!("{other:?}"),
        }
    };
    assert!(matches!(
        refused(&mut receiver, Value::Null),
        BatchError::MissingValidationTokens
    ));
    assert!(matches!(
        refused(&mut receiver, json!([])),
        BatchError::MissingValidationTokens
    ));
    let expired = signing.sign(&signing.header(), &claims(NOW - 7200));
    assert!(matches!(
        refused(&mut receiver, json!([valid, expired])),
        BatchError::ValidationToken {
            index: 1,
            error: Error::TokenExpired { .. }
        }
    ));
    let mut wrong_audience = claims(NOW);
    wrong_audience["aud"] = json!("another-app");
    assert!(matches!(
        refused(
            &mut receiver,
            json!([signing.sign(&signing.header(), &wrong_audience)])
        ),
        BatchError::ValidationToken {
            error: Error::WrongAudience { .. },
            ..
        }
    ));
    let mut wrong_issuer = claims(NOW);
    wrong_issuer["iss"] = json!("https://login.microsoftonline.com/another-tenant/v2.0");
    assert!(matches!(
        refused(
            &mut receiver,
            json!([signing.sign(&signing.header(), &wrong_issuer)])
        ),
        BatchError::ValidationToken {
            error: Error::WrongIssuer { .. },
            ..
        }
    ));
    // Signed by a key not in the set, or by another key under this kid.
    assert!(matches!(
        refused(
            &mut receiver,
            json!([other.sign(&other.header(), &claims(NOW))])
        ),
        BatchError::ValidationToken {
            error: Error::UnknownKeyId { .. },
            ..
        }
    ));
    assert!(matches!(
        refused(
            &mut receiver,
            json!([other.sign(&signing.header(), &claims(NOW))])
        ),
        BatchError::ValidationToken {
            error: Error::TokenSignature,
            ..
        }
    ));
    // Once the rotated keys are fetched, the other key's tokens verify.
    receiver.set_signing_keys(JwkSet::from_json(&jwks(&[&signing, &other])).expect("jwks"));
    let (status, _) = post_json(
        &mut receiver,
        &json!({"value": [notification], "validationTokens": [other.sign(&other.header(), &claims(NOW))]}),
    );
    assert_eq!(status, 202);

    // Basic notifications come without tokens: their client state is checked alone.
    let basic = example(
        "v1.0",
        "changenotifications-presence-basic-notification.json",
    )
    .replace(
        "\"{Organization/Tenant id}\",\n  }",
        "\"{Organization/Tenant id}\"\n  }",
    )
    .replace("{secret client state}", CLIENT_STATE);
    let (status, _, events) = post(&mut receiver, None, basic.as_bytes());
    assert_eq!(status, 202);
    assert!(matches!(&events[..], [Event::ResourceChanged { .. }]));
}

#[test]
fn bodies_that_are_not_batches_are_refused_without_a_panic() {
    let mut receiver = new_receiver().max_body_len(64);
    for body in [
        &b""[..],
        b"null",
        b"[]",
        b"{",
        b"{\"value\": 3}",
        b"\xff\xfe",
        b"{\"value\": {}}",
    ] {
        let (status, _, events) = post(&mut receiver, None, body);
        assert_eq!(status, 400, "{body:?}");
        assert!(matches!(
            &events[..],
            [Event::BatchRejected(BatchError::Malformed(_))]
        ));
    }
    let (status, _, events) = post(&mut receiver, None, &[b' '; 65]);
    assert_eq!(status, 413);
    assert!(matches!(
        &events[..],
        [Event::BatchRejected(BatchError::TooLarge {
            len: 65,
            max: 64
        })]
    ));
    let (status, _, events) = post(&mut receiver, None, b"{\"value\": []}");
    assert_eq!((status, events.len()), (202, 0));
}
