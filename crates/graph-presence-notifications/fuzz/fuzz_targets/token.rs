//! An arbitrary token, and an arbitrary key set document after the first newline: never a
//! panic, never an accepted token (no key in any set here signed anything).
#![no_main]

use graph_presence_notifications::{JwkSet, ValidationTokenRules};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let (token, jwks) = match input.iter().position(|&b| b == b'\n') {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => (input, &b"{\"keys\":[]}"[..]),
    };
    let Ok(keys) = JwkSet::from_json(jwks) else {
        return;
    };
    let rules = ValidationTokenRules::new("app", "tenant");
    let now = jiff::Timestamp::from_second(1_748_858_400).unwrap();
    let result = rules.verify(&String::from_utf8_lossy(token), &keys, now);
    assert!(result.is_err());
});
