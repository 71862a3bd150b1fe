//! Whatever a sender puts in a batch, the errors and events it causes print short, one-line
//! text: a 1 MB value of the wrong type, id or key set shows cut and escaped in `Display` and
//! `Debug`, and stays whole in the fields.

use crate::support::*;
use graph_presence_notifications::{
    BatchError, DecryptionKey, DecryptionKeys, Error, Event, JwkSet, NotificationError, Receiver,
    Request,
};
use serde_json::{Value, json};

const CERT_ID: &str = "presence-cert-2025";
const CLIENT_STATE: &str = "9c1e7d55-8a43-4bd4-9a6d-f6a1c0c20b3e";

/// The most bytes any text here may have.
const BOUND: usize = 1_500;

/// A 1 MB string that opens with a terminal sequence, a line break and a bidi override.
fn hostile() -> String {
    format!(
        "\u{1b}]0;pwned\u{7}\r\nforged\u{202e}{}",
        "x".repeat(1_000_000)
    )
}

/// Short, and no raw control or bidi-override character.
fn assert_bounded(text: &str) {
    assert!(text.len() < BOUND, "{} bytes: {}", text.len(), &text[..200]);
    assert!(
        !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "{text:?}"
    );
}

fn handle(batch: &Value) -> Vec<Event> {
    let body = serde_json::to_vec(batch).expect("json");
    let key = DecryptionKey::from_pkcs8_der(certificate_key()).expect("key");
    let mut receiver = Receiver::new(CLIENT_STATE)
        .decryption_keys(DecryptionKeys::new().key(CERT_ID, key))
        .max_body_len(8 * 1024 * 1024);
    let request = Request {
        method: "POST",
        query: None,
        body: &body,
    };
    receiver.handle(request, jiff::Timestamp::UNIX_EPOCH).events
}

/// A basic notification with `changes` merged in.
fn notification(changes: Value) -> Value {
    let mut notification = json!({
        "subscriptionId": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        "clientState": CLIENT_STATE,
        "changeType": "updated",
        "tenantId": TENANT_ID,
        "resource": "communications/presences/u1",
        "subscriptionExpirationDateTime": "2026-01-01T01:00:00Z",
        "resourceData": {"id": "u1"},
    });
    for (name, value) in changes.as_object().into_iter().flatten() {
        notification[name] = value.clone();
    }
    notification
}

/// A rich notification carrying `plaintext`, for the certificate `certificate_id`.
fn rich(plaintext: &str, certificate_id: &str) -> Value {
    let sent = encrypt_like_graph(certificate_key(), plaintext.as_bytes());
    notification(json!({"encryptedContent": {
        "data": sent.data,
        "dataSignature": sent.data_signature,
        "dataKey": sent.data_key,
        "encryptionCertificateId": certificate_id,
        "encryptionCertificateThumbprint": "A909502DD82AE41433E6F83886B00D4277A32A7B",
    }}))
}

/// The one rejection of a one-notification batch, its text checked.
fn rejection(batch: Value) -> (String, NotificationError) {
    let events = handle(&json!({ "value": [batch] }));
    let debug = format!("{events:?}");
    assert_bounded(&debug);
    let [
        Event::Rejected {
            subscription_id,
            error,
            ..
        },
    ] = <[Event; 1]>::try_from(events).unwrap_or_else(|e| panic!("not one event: {e:?}"))
    else {
        panic!("not a rejection: {debug}");
    };
    assert_bounded(&error.to_string());
    assert_bounded(&format!("{error:?}"));
    (subscription_id, error)
}

#[test]
fn a_huge_value_of_the_wrong_type_is_a_short_rejection() {
    let (_, error) = rejection(notification(json!({ "resourceData": hostile() })));
    assert!(matches!(error, NotificationError::Shape(_)), "{error:?}");
    assert!(
        error.to_string().contains("invalid type: string"),
        "{error}"
    );
}

#[test]
fn a_huge_subscription_id_is_kept_whole_and_printed_short() {
    let batch = notification(json!({ "subscriptionId": hostile(), "clientState": "wrong" }));
    let (subscription_id, error) = rejection(batch);
    assert!(matches!(error, NotificationError::ClientState), "{error:?}");
    assert_eq!(subscription_id, hostile());
}

#[test]
fn a_huge_certificate_id_is_a_short_rejection() {
    let (_, error) = rejection(rich(PRESENCE_V1, &hostile()));
    assert!(
        matches!(&error, NotificationError::Decryption(Error::UnknownCertificate { id }) if *id == hostile()),
        "{error:?}"
    );
}

#[test]
fn a_decrypted_presence_with_a_huge_value_is_a_short_rejection() {
    let presence = json!({"id": "u1", "availability": "Busy", "outOfOfficeSettings": hostile()});
    let (_, error) = rejection(rich(&presence.to_string(), CERT_ID));
    assert!(matches!(error, NotificationError::Presence(_)), "{error:?}");
}

#[test]
fn a_batch_of_the_wrong_shape_is_a_short_refusal() {
    let events = handle(&json!({ "value": hostile() }));
    let debug = format!("{events:?}");
    assert_bounded(&debug);
    let [Event::BatchRejected(error @ BatchError::Malformed(_))] = &events[..] else {
        panic!("not refused as malformed: {debug}");
    };
    assert_bounded(&error.to_string());
}

#[test]
fn a_key_set_with_a_huge_value_is_a_short_error() {
    let document = serde_json::to_vec(&json!({ "keys": hostile() })).expect("json");
    let error = JwkSet::from_json(&document).expect_err("not a key set");
    assert!(
        matches!(
            error,
            Error::Json {
                what: "key set",
                ..
            }
        ),
        "{error:?}"
    );
    assert_bounded(&error.to_string());
    assert_bounded(&format!("{error:?}"));
}
