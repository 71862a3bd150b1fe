//! Arbitrary requests to a receiver: never a panic, and always a status the receiver
//! documents. The first byte picks the receiver (bit 0: with validation-token rules, whose
//! empty key set refuses every token; without them a batch reaches decryption, with a key no
//! input can have encrypted for, and the client-state and shape checks) and the method (bit 1:
//! GET instead of POST); up to the first newline is the query, the rest the body.
#![no_main]

use std::sync::{Mutex, OnceLock};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeySize, PrivateDecryptingKey};
use graph_presence_notifications::{
    DecryptionKey, DecryptionKeys, JwkSet, Receiver, Request, ValidationTokenRules,
};
use libfuzzer_sys::fuzz_target;

fn receivers() -> &'static [Mutex<Receiver>; 2] {
    static RECEIVERS: OnceLock<[Mutex<Receiver>; 2]> = OnceLock::new();
    RECEIVERS.get_or_init(|| {
        let key = PrivateDecryptingKey::generate(KeySize::Rsa2048).unwrap();
        let pkcs8 = key.as_der().unwrap();
        let new = || {
            let key = DecryptionKey::from_pkcs8_der(pkcs8.as_ref()).unwrap();
            Receiver::new("state")
                .decryption_keys(DecryptionKeys::new().key("cert", key))
                .max_body_len(64 * 1024)
        };
        let rules = ValidationTokenRules::new("app", "tenant");
        let no_keys = JwkSet::from_json(br#"{"keys":[]}"#).unwrap();
        [
            Mutex::new(new()),
            Mutex::new(new().validation_tokens(rules, no_keys)),
        ]
    })
}

fuzz_target!(|input: &[u8]| {
    let Some((&choice, rest)) = input.split_first() else {
        return;
    };
    let (query, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (std::str::from_utf8(&rest[..i]).ok(), &rest[i + 1..]),
        None => (None, rest),
    };
    let method = if choice & 2 == 0 { "POST" } else { "GET" };
    let mut receiver = receivers()[usize::from(choice & 1)].lock().unwrap();
    let handled = receiver.handle(
        Request {
            method,
            query,
            body,
        },
        jiff::Timestamp::UNIX_EPOCH,
    );
    assert!(matches!(
        handled.response.status,
        200 | 202 | 400 | 401 | 405 | 413
    ));
});
