//! Arbitrary claims bytes, genuinely signed with a key in the set, reach the claims checks:
//! never a panic, and accepted only when the claims say what the rules ask.
#![no_main]

use std::sync::OnceLock;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use graph_presence_notifications::{JwkSet, ValidationTokenRules};
use libfuzzer_sys::fuzz_target;

fn signer() -> &'static (RsaKeyPair, JwkSet) {
    static KEY: OnceLock<(RsaKeyPair, JwkSet)> = OnceLock::new();
    KEY.get_or_init(|| {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        // RSAPublicKey DER of a 2048-bit key: 30 82 01 0a, 02 82 01 01 then n (257 bytes with
        // its sign byte, which the key set strips), then 02 03 and e.
        let der = pair.public_key().as_ref();
        let n = &der[8..8 + 257];
        let e = &der[der.len() - 3..];
        let jwks = format!(
            r#"{{"keys":[{{"kty":"RSA","kid":"k","n":"{}","e":"{}"}}]}}"#,
            URL_SAFE_NO_PAD.encode(n),
            URL_SAFE_NO_PAD.encode(e)
        );
        let set = JwkSet::from_json(jwks.as_bytes()).unwrap();
        (pair, set)
    })
}

fuzz_target!(|claims: &[u8]| {
    let (pair, set) = signer();
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"k"}"#);
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims));
    let mut signature = vec![0; pair.public_modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .unwrap();
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature));
    let rules = ValidationTokenRules::new("app", "tenant");
    let now = jiff::Timestamp::from_second(1_748_858_400).unwrap();
    if rules.verify(&token, set, now).is_ok() {
        let text = String::from_utf8_lossy(claims);
        assert!(
            text.contains("app") && text.contains("tenant"),
            "accepted {text}"
        );
    }
});
