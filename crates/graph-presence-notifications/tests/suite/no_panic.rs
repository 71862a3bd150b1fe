//! Whatever arrives, nothing panics, and nothing altered is accepted: arbitrary input to every
//! entry point, and single-character mutations of genuine encrypted content and tokens.

use std::sync::OnceLock;

use crate::support::*;
use graph_presence_notifications::{
    DecryptionKey, DecryptionKeys, EncryptedContent, Event, JwkSet, Receiver, Request,
    ValidationTokenRules,
};
use jiff::Timestamp;
use proptest::prelude::*;

const CERT_ID: &str = "cert";
const NOW: i64 = 1_748_858_400;

fn keys() -> &'static DecryptionKeys {
    static KEYS: OnceLock<DecryptionKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        DecryptionKeys::new().key(
            CERT_ID,
            DecryptionKey::from_pkcs8_der(certificate_key()).expect("key"),
        )
    })
}

fn genuine() -> &'static Encrypted {
    static SENT: OnceLock<Encrypted> = OnceLock::new();
    SENT.get_or_init(|| encrypt_like_graph(certificate_key(), PRESENCE_V1.as_bytes()))
}

fn signer() -> &'static (SigningKey, JwkSet, String) {
    static KEY: OnceLock<(SigningKey, JwkSet, String)> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = SigningKey::new("kid-1");
        let set = JwkSet::from_json(&jwks(&[&key])).expect("jwks");
        let token = key.sign(&key.header(), &claims(NOW));
        (key, set, token)
    })
}

fn rules() -> ValidationTokenRules {
    ValidationTokenRules::new(APP_ID, TENANT_ID)
}

fn now() -> Timestamp {
    Timestamp::from_second(NOW).expect("time")
}

/// Replaces the character at `at` (modulo the length) with `with`.
fn mutate(text: &str, at: usize, with: char) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return with.to_string();
    }
    let i = at % chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(j, &c)| if j == i { with } else { c })
        .collect()
}

/// Base64 and base64url characters, the dot, and a few that are neither.
fn wire_char() -> impl Strategy<Value = char> {
    prop_oneof![
        proptest::char::range('A', 'Z'),
        proptest::char::range('a', 'z'),
        proptest::char::range('0', '9'),
        Just('+'),
        Just('/'),
        Just('='),
        Just('-'),
        Just('_'),
        Just('.'),
        any::<char>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_encrypted_content_never_panics(
        data in ".*", signature in ".*", key in ".*",
        id in prop_oneof![Just(CERT_ID.to_owned()), ".*"], thumbprint in proptest::option::of(".*"),
    ) {
        let _ = keys().decrypt(&EncryptedContent {
            data: &data,
            data_signature: &signature,
            data_key: &key,
            encryption_certificate_id: &id,
            encryption_certificate_thumbprint: thumbprint.as_deref(),
        });
    }

    #[test]
    fn arbitrary_base64_fields_never_panic(
        data in proptest::collection::vec(any::<u8>(), 0..600),
        signature in proptest::collection::vec(any::<u8>(), 0..40),
        key in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let (data, signature, key) = (b64.encode(data), b64.encode(signature), b64.encode(key));
        let result = keys().decrypt(&EncryptedContent {
            data: &data,
            data_signature: &signature,
            data_key: &key,
            encryption_certificate_id: CERT_ID,
            encryption_certificate_thumbprint: None,
        });
        prop_assert!(result.is_err());
    }

    #[test]
    fn one_altered_character_of_genuine_content_is_never_accepted(
        field in 0..3usize, at in any::<usize>(), with in wire_char(),
    ) {
        let sent = genuine();
        let mut altered = sent.clone();
        let target = match field {
            0 => &mut altered.data,
            1 => &mut altered.data_signature,
            _ => &mut altered.data_key,
        };
        *target = mutate(target, at, with);
        let result = keys().decrypt(&altered.content(CERT_ID));
        // Only a "mutation" that changed nothing decrypts, and to the same plaintext.
        let unchanged = (&altered.data, &altered.data_signature, &altered.data_key)
            == (&sent.data, &sent.data_signature, &sent.data_key);
        prop_assert_eq!(result.is_ok(), unchanged);
        if let Ok(plain) = result {
            prop_assert_eq!(plain.as_bytes(), PRESENCE_V1.as_bytes());
        }
    }

    #[test]
    fn arbitrary_keys_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..400), text in ".*",
    ) {
        let _ = DecryptionKey::from_pkcs8_der(&bytes);
        let _ = DecryptionKey::from_pkcs1_der(&bytes);
        let _ = DecryptionKey::from_pem(&bytes);
        let framed = format!("-----BEGIN PRIVATE KEY-----\n{text}\n-----END PRIVATE KEY-----\n");
        let _ = DecryptionKey::from_pem(framed.as_bytes());
        let _ = DecryptionKey::from_pem(pem("RSA PRIVATE KEY", &bytes).as_bytes());
    }

    #[test]
    fn arbitrary_tokens_and_key_sets_never_panic(
        token in ".*", header in ".*", claims in ".*", signature in ".*", document in ".*",
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let (_, set, _) = signer();
        let _ = rules().verify(&token, set, now());
        let parts = [header, claims, signature].map(|part| b64(part.as_bytes())).join(".");
        prop_assert!(rules().verify(&parts, set, now()).is_err());
        let _ = JwkSet::from_json(document.as_bytes());
        let _ = JwkSet::from_json(&bytes);
    }

    #[test]
    fn arbitrary_claims_signed_by_the_right_key_never_panic(
        exp in any::<f64>(), nbf in any::<i64>(), aud in ".*", iss in ".*", azp in ".*",
    ) {
        let (key, set, _) = signer();
        let claims =
            serde_json::json!({"exp": exp, "nbf": nbf, "aud": aud, "iss": iss, "azp": azp});
        let token = key.sign(&key.header(), &claims);
        let _ = rules().verify(&token, set, now());
    }

    #[test]
    fn one_altered_character_of_a_genuine_token_is_never_accepted(
        at in any::<usize>(), with in wire_char(),
    ) {
        let (_, set, token) = signer();
        prop_assert!(rules().verify(token, set, now()).is_ok());
        let altered = mutate(token, at, with);
        if &altered != token {
            prop_assert!(rules().verify(&altered, set, now()).is_err(), "{}", altered);
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A batch of one rich notification carrying the genuine content, as JSON text.
fn genuine_batch() -> String {
    let sent = genuine();
    serde_json::json!({"value": [{
        "subscriptionId": "s1", "tenantId": TENANT_ID, "clientState": "secret",
        "changeType": "updated",
        "encryptedContent": {
            "data": sent.data, "dataSignature": sent.data_signature, "dataKey": sent.data_key,
            "encryptionCertificateId": CERT_ID, "encryptionCertificateThumbprint": ""
        }
    }], "validationTokens": [signer().2]})
    .to_string()
}

fn receiver() -> Receiver {
    let key = DecryptionKey::from_pkcs8_der(certificate_key()).expect("key");
    Receiver::new("secret")
        .decryption_keys(DecryptionKeys::new().key(CERT_ID, key))
        .validation_tokens(rules(), signer().1.clone())
}

const STATUSES: [u16; 6] = [200, 202, 400, 401, 405, 413];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_requests_never_panic(
        method in "[A-Z]{0,8}",
        query in proptest::option::of(".{0,64}"),
        body in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let request = Request { method: &method, query: query.as_deref(), body: &body };
        let handled = receiver().handle(request, now());
        prop_assert!(STATUSES.contains(&handled.response.status));
    }

    #[test]
    fn one_altered_character_of_a_genuine_batch_never_panics_nor_yields_an_altered_presence(
        at in any::<usize>(),
        with in wire_char(),
    ) {
        let body = mutate(&genuine_batch(), at, with);
        let request = Request { method: "POST", query: None, body: body.as_bytes() };
        let handled = receiver().handle(request, now());
        prop_assert!(STATUSES.contains(&handled.response.status));
        let expected: graph_presence_models::Presence =
            graph_presence_models::from_str(PRESENCE_V1).expect("presence");
        for event in &handled.events {
            if let Event::PresenceChanged { presence, .. } = event {
                prop_assert_eq!(&**presence, &expected);
            }
        }
    }
}
