//! What the tests play Graph and the identity platform with: rich-notification encryption
//! exactly as Graph does it, RS256 tokens, JWKS documents, PEM, and a little DER reading to
//! get at key parts aws-lc-rs does not hand out.
#![allow(dead_code)] // each test binary uses part of it

use std::sync::OnceLock;

use aws_lc_rs::cipher::{
    AES_256, EncryptingKey, EncryptionContext, PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::hmac;
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{KeySize, OAEP_SHA1_MGF1SHA1, OaepPublicEncryptingKey, PrivateDecryptingKey};
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use graph_presence_notifications::EncryptedContent;

/// The presence JSON of Microsoft's documented decrypted-resource-data example.
pub const PRESENCE_V1: &str = include_str!(
    "../../../../../schema/examples/v1.0/changenotifications-presence-decrypted-resource-data.json"
);
pub const PRESENCE_BETA: &str = include_str!(
    "../../../../../schema/examples/beta/changenotifications-presence-decrypted-resource-data.json"
);

/// Microsoft's documented rich notification (placeholders for the encrypted fields).
pub const RICH_NOTIFICATION_V1: &str = include_str!(
    "../../../../../schema/examples/v1.0/changenotifications-presence-rich-notification.json"
);

pub const APP_ID: &str = "6ab6b2ee-1ef8-4a1b-9a3c-8e1b0b4d0f7e";
pub const TENANT_ID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const GRAPH_APP: &str = "0bf30f3b-4a52-48df-9a82-234910c4a086";

/// A test RSA-2048 key for certificate encryption, made once per test binary (PKCS#8 DER).
pub fn certificate_key() -> &'static [u8] {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(new_pkcs8)
}

/// Another one (the wrong key, a rotated certificate).
pub fn other_certificate_key() -> &'static [u8] {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(new_pkcs8)
}

fn new_pkcs8() -> Vec<u8> {
    let key = PrivateDecryptingKey::generate(KeySize::Rsa2048).expect("generate an RSA key");
    key.as_der().expect("PKCS#8").as_ref().to_vec()
}

/// The three base64 fields Graph sends, owned.
#[derive(Debug, Clone)]
pub struct Encrypted {
    pub data: String,
    pub data_signature: String,
    pub data_key: String,
}

impl Encrypted {
    pub fn content<'a>(&'a self, certificate_id: &'a str) -> EncryptedContent<'a> {
        EncryptedContent {
            data: &self.data,
            data_signature: &self.data_signature,
            data_key: &self.data_key,
            encryption_certificate_id: certificate_id,
            encryption_certificate_thumbprint: None,
        }
    }

    /// Microsoft's documented rich notification `template` with its placeholders replaced by
    /// this content, for the certificate `certificate_id`.
    pub fn fill_rich_notification(&self, template: &str, certificate_id: &str) -> String {
        template
            .replace("{Encrypted content}", &self.data)
            .replace("{Encrypted data signature}", &self.data_signature)
            .replace(
                "{Encrypted data key for encrypting content}",
                &self.data_key,
            )
            .replace(
                "{User specified id of encryption certificate}",
                certificate_id,
            )
    }
}

/// A random 32-byte key.
pub fn random_key() -> [u8; 32] {
    let mut key = [0; 32];
    SystemRandom::new().fill(&mut key).expect("random");
    key
}

/// Encrypts `plaintext` for the certificate whose private key is `pkcs8`, as Graph does:
/// a random AES-256 key, RSA-OAEP-SHA1-wrapped; AES-256-CBC with PKCS#7 padding and
/// IV = key[..16]; HMAC-SHA256 over the ciphertext; everything base64.
pub fn encrypt_like_graph(pkcs8: &[u8], plaintext: &[u8]) -> Encrypted {
    let key = random_key();
    let mut data = plaintext.to_vec();
    let cipher =
        PaddedBlockEncryptingKey::cbc_pkcs7(UnboundCipherKey::new(&AES_256, &key).expect("key"))
            .expect("cbc");
    cipher
        .less_safe_encrypt(&mut data, iv_of(&key))
        .expect("encrypt");
    seal(pkcs8, &key, &data)
}

/// Encrypts `plaintext` as Graph does under `key`, whose wrapped form `data_key` (base64) is
/// sent as is: how Graph sends a batch that shares one `dataKey`.
pub fn encrypt_under(key: &[u8; 32], data_key: &str, plaintext: &[u8]) -> Encrypted {
    let mut data = plaintext.to_vec();
    let cipher =
        PaddedBlockEncryptingKey::cbc_pkcs7(UnboundCipherKey::new(&AES_256, key).expect("key"))
            .expect("cbc");
    cipher
        .less_safe_encrypt(&mut data, iv_of(key))
        .expect("encrypt");
    let signature = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), &data);
    Encrypted {
        data: STANDARD.encode(&data),
        data_signature: STANDARD.encode(signature.as_ref()),
        data_key: data_key.to_owned(),
    }
}

/// Wraps `key` and signs `ciphertext` with it, as Graph does; `ciphertext` is taken as is.
pub fn seal(pkcs8: &[u8], key: &[u8], ciphertext: &[u8]) -> Encrypted {
    let signature = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), ciphertext);
    Encrypted {
        data: STANDARD.encode(ciphertext),
        data_signature: STANDARD.encode(signature.as_ref()),
        data_key: STANDARD.encode(wrap_key(pkcs8, key)),
    }
}

/// RSA-OAEP (SHA-1, MGF1-SHA-1) with the public half of `pkcs8`.
pub fn wrap_key(pkcs8: &[u8], key: &[u8]) -> Vec<u8> {
    let private = PrivateDecryptingKey::from_pkcs8(pkcs8).expect("pkcs8");
    let public = OaepPublicEncryptingKey::new(private.public_key()).expect("public key");
    let mut out = vec![0; public.ciphertext_size()];
    let len = public
        .encrypt(&OAEP_SHA1_MGF1SHA1, key, &mut out, None)
        .expect("oaep")
        .len();
    out.truncate(len);
    out
}

/// AES-256-CBC without padding (the input must be whole blocks), IV = key[..16].
pub fn encrypt_unpadded(key: &[u8; 32], blocks: &[u8]) -> Vec<u8> {
    let mut data = blocks.to_vec();
    let cipher =
        EncryptingKey::cbc(UnboundCipherKey::new(&AES_256, key).expect("key")).expect("cbc");
    cipher
        .less_safe_encrypt(&mut data, iv_of(key))
        .expect("encrypt");
    data
}

fn iv_of(key: &[u8]) -> EncryptionContext {
    let mut iv = [0; 16];
    iv.copy_from_slice(&key[..16]);
    EncryptionContext::Iv128(FixedLength::from(iv))
}

/// Base64 with one byte of the decoded value flipped.
pub fn flip_byte(base64: &str, index: usize) -> String {
    let mut bytes = STANDARD.decode(base64).expect("base64");
    let i = index % bytes.len();
    bytes[i] ^= 0x01;
    STANDARD.encode(bytes)
}

/// PEM with 64-character lines.
pub fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("ascii"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The PKCS#1 `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo` (its OCTET STRING).
pub fn pkcs1_of(pkcs8: &[u8]) -> Vec<u8> {
    let info = der_children(der_item(pkcs8).1);
    assert_eq!(info.len(), 3, "version, algorithm, key");
    assert_eq!(info[2].0, 0x04, "OCTET STRING");
    info[2].1.to_vec()
}

/// One DER item: (tag, contents). Definite lengths only (all DER has).
fn der_item(bytes: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = bytes[0];
    let (len, header) = match bytes[1] {
        short @ 0..=0x7f => (usize::from(short), 2),
        long => {
            let n = usize::from(long & 0x7f);
            let len = bytes[2..2 + n]
                .iter()
                .fold(0, |acc, &b| acc << 8 | usize::from(b));
            (len, 2 + n)
        }
    };
    (tag, &bytes[header..header + len], &bytes[header + len..])
}

fn der_children(mut bytes: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (tag, contents, rest) = der_item(bytes);
        out.push((tag, contents));
        bytes = rest;
    }
    out
}

/// A token signing key of the identity platform, with its `kid`.
pub struct SigningKey {
    pub kid: String,
    pub pair: RsaKeyPair,
}

impl SigningKey {
    pub fn new(kid: &str) -> Self {
        SigningKey {
            kid: kid.to_owned(),
            pair: RsaKeyPair::generate(KeySize::Rsa2048).expect("key"),
        }
    }

    /// Its public modulus and exponent, from the `RSAPublicKey` DER aws-lc-rs gives.
    pub fn n_e(&self) -> (Vec<u8>, Vec<u8>) {
        let public = der_children(der_item(self.pair.public_key().as_ref()).1);
        let unsigned = |int: &[u8]| int.iter().skip_while(|&&b| b == 0).copied().collect();
        (unsigned(public[0].1), unsigned(public[1].1))
    }

    /// Its JWK as Microsoft publishes one (with `x5t` and a placeholder `x5c`).
    pub fn jwk(&self) -> serde_json::Value {
        let (n, e) = self.n_e();
        serde_json::json!({
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": URL_SAFE_NO_PAD.encode(n),
            "e": URL_SAFE_NO_PAD.encode(e),
            "x5c": ["MIIC/TCCAeWgAwIBAgIIQk4eHMBtY6cwDQYJKoZIhvcNAQELBQAw"],
            "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"
        })
    }

    /// A compact JWS: `header` and `claims` signed with RS256.
    pub fn sign(&self, header: &serde_json::Value, claims: &serde_json::Value) -> String {
        let input = format!("{}.{}", b64_json(header), b64_json(claims));
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .expect("sign");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// The standard header for this key.
    pub fn header(&self) -> serde_json::Value {
        serde_json::json!({"typ": "JWT", "alg": "RS256", "x5t": self.kid, "kid": self.kid})
    }
}

pub fn b64_json(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("json"))
}

/// A JWKS document of these keys.
pub fn jwks(keys: &[&SigningKey]) -> Vec<u8> {
    let keys: Vec<_> = keys.iter().map(|k| k.jwk()).collect();
    serde_json::to_vec(&serde_json::json!({ "keys": keys })).expect("json")
}

/// Claims like those of a Graph validation token (v2 form), valid for an hour from `now`.
pub fn claims(now: i64) -> serde_json::Value {
    serde_json::json!({
        "aud": APP_ID,
        "iss": format!("https://login.microsoftonline.com/{TENANT_ID}/v2.0"),
        "iat": now - 60,
        "nbf": now - 60,
        "exp": now + 3600,
        "aio": "E2ZgYDjf7/L9xK8=",
        "azp": GRAPH_APP,
        "azpacr": "2",
        "oid": "2d9e1f3c-9d0e-4f5b-8f7f-0c7c2a3c4d5e",
        "rh": "0.AAAA.",
        "sub": "2d9e1f3c-9d0e-4f5b-8f7f-0c7c2a3c4d5e",
        "tid": TENANT_ID,
        "uti": "Cd2mWgDeRkiV",
        "ver": "2.0"
    })
}
