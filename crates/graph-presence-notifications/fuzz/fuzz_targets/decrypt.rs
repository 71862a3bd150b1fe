//! Arbitrary `encryptedContent` fields (split at newlines) against a real key: never a panic.
#![no_main]

use std::sync::OnceLock;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeySize, PrivateDecryptingKey};
use graph_presence_notifications::{DecryptionKey, DecryptionKeys, EncryptedContent};
use libfuzzer_sys::fuzz_target;

fn keys() -> &'static DecryptionKeys {
    static KEYS: OnceLock<DecryptionKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let key = PrivateDecryptingKey::generate(KeySize::Rsa2048).unwrap();
        let pkcs8 = key.as_der().unwrap();
        DecryptionKeys::new().key(
            "cert",
            DecryptionKey::from_pkcs8_der(pkcs8.as_ref()).unwrap(),
        )
    })
}

fuzz_target!(|input: &[u8]| {
    let text = String::from_utf8_lossy(input);
    let mut parts = text.split('\n');
    let mut next = || parts.next().unwrap_or("");
    let (data, data_signature, data_key) = (next(), next(), next());
    let id = match next() {
        "" => "cert",
        id => id,
    };
    let thumbprint = Some(next()).filter(|t| !t.is_empty());
    let _ = keys().decrypt(&EncryptedContent {
        data,
        data_signature,
        data_key,
        encryption_certificate_id: id,
        encryption_certificate_thumbprint: thumbprint,
    });
});
