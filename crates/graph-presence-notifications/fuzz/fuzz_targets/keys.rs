//! Arbitrary bytes as a private key in every accepted form: never a panic.
#![no_main]

use graph_presence_notifications::DecryptionKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let _ = DecryptionKey::from_pem(input);
    let _ = DecryptionKey::from_pkcs8_der(input);
    let _ = DecryptionKey::from_pkcs1_der(input);
    let _ = DecryptionKey::from_pem(&[b"-----BEGIN RSA PRIVATE KEY-----\n", input].concat());
});
