//! What a test of an app needs besides the emulator itself: for now, the certificate of rich
//! notifications.
//!
//! A subscription with `includeResourceData` names a certificate (its public key only, DER in
//! base64) and the emulator encrypts each presence for it, as Graph does; the app's receiver
//! decrypts with the private key. [`TestCertificate::generate`] makes such a pair: a
//! self-signed RSA-2048 X.509 certificate, written here in DER by hand (this crate parses
//! certificates but has no X.509 writer) and signed with aws-lc-rs.
//!
//! ```
//! use graph_presence_emulator::testing::TestCertificate;
//!
//! let certificate = TestCertificate::generate();
//! // For `include_resource_data(certificate, id)` of the client's subscription helper:
//! let (base64, id) = (certificate.certificate_base64(), &certificate.certificate_id);
//! // For the notifications crate: `DecryptionKey::from_pkcs8_der(&certificate.private_key_pkcs8_der)`.
//! assert!(!base64.is_empty() && !id.is_empty());
//! assert!(!certificate.private_key_pkcs8_der.is_empty());
//! ```
//!
//! The private key is handed out as PKCS#8 DER rather than as the notifications crate's
//! `DecryptionKey`, so that this crate does not depend on the receiver it is tested with.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeySize, PrivateDecryptingKey};
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::fmt;

/// The certificate id [`TestCertificate::generate`] gives (the subscription's
/// `encryptionCertificateId`, which each rich notification repeats).
pub const DEFAULT_CERTIFICATE_ID: &str = "emulator-test-certificate";

/// A self-signed RSA-2048 certificate and its private key, for rich notifications in tests.
///
/// Its `Debug` leaves the private key out.
#[derive(Clone)]
pub struct TestCertificate {
    /// The X.509 certificate, DER (its public key is what notifications are encrypted for).
    pub certificate_der: Vec<u8>,
    /// The id to subscribe with (`encryptionCertificateId`) and to register the key under
    /// in the receiver.
    pub certificate_id: String,
    /// The private key, PKCS#8 DER: for the notifications crate's
    /// `DecryptionKey::from_pkcs8_der`.
    pub private_key_pkcs8_der: Vec<u8>,
}

impl fmt::Debug for TestCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestCertificate")
            .field("certificate_id", &self.certificate_id)
            .field(
                "certificate_der",
                &format_args!("{} bytes", self.certificate_der.len()),
            )
            .field("private_key_pkcs8_der", &"<secret>")
            .finish()
    }
}

impl TestCertificate {
    /// A new key pair and its self-signed certificate (valid 2026 to 2036), with the id
    /// [`DEFAULT_CERTIFICATE_ID`].
    ///
    /// RSA key generation takes a good part of a second in a debug build: make one per test
    /// run and share it.
    ///
    /// # Panics
    ///
    /// When AWS-LC cannot draw a key (its random source failed).
    pub fn generate() -> TestCertificate {
        let key =
            PrivateDecryptingKey::generate(KeySize::Rsa2048).expect("AWS-LC makes an RSA key");
        let pkcs8 = key.as_der().expect("PKCS#8 of a new key").as_ref().to_vec();
        let spki = key
            .public_key()
            .as_der()
            .expect("SubjectPublicKeyInfo of a new key")
            .as_ref()
            .to_vec();
        let signer = RsaKeyPair::from_pkcs8(&pkcs8).expect("the new key signs");
        TestCertificate {
            certificate_der: self_signed(&spki, &signer),
            certificate_id: DEFAULT_CERTIFICATE_ID.to_owned(),
            private_key_pkcs8_der: pkcs8,
        }
    }

    /// The same certificate under another id.
    #[must_use]
    pub fn with_id(mut self, certificate_id: impl Into<String>) -> TestCertificate {
        self.certificate_id = certificate_id.into();
        self
    }

    /// The certificate, DER in base64: a subscription's `encryptionCertificate`.
    pub fn certificate_base64(&self) -> String {
        STANDARD.encode(&self.certificate_der)
    }
}

// --- DER, just enough to write a certificate ---

/// One DER item: `tag`, its length and `content`.
pub(crate) fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    match len {
        0..=0x7f => out.push(len as u8),
        0x80..=0xff => out.extend([0x81, len as u8]),
        _ => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(content);
    out
}

/// A DER SEQUENCE of `parts`.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

/// The OID rsaEncryption (1.2.840.113549.1.1.1), content bytes.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const SHA256_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];

fn name(common_name: &str) -> Vec<u8> {
    let attribute = seq(&[&der(0x06, COMMON_NAME), &der(0x0c, common_name.as_bytes())]);
    seq(&[&der(0x31, &attribute)])
}

/// An X.509 v3 certificate of `spki` (DER), self-issued and signed by `signer`
/// (sha256WithRSAEncryption), valid 2026 to 2036.
pub(crate) fn self_signed(spki: &[u8], signer: &RsaKeyPair) -> Vec<u8> {
    let algorithm = seq(&[&der(0x06, SHA256_WITH_RSA), &der(0x05, &[])]);
    let subject = name("presence-emulator-test");
    let tbs = seq(&[
        &der(0xa0, &der(0x02, &[2])),
        &der(0x02, &[0x01, 0x9a, 0x2b, 0x3c]),
        &algorithm,
        &subject,
        &seq(&[&der(0x17, b"260101000000Z"), &der(0x17, b"360101000000Z")]),
        &subject,
        spki,
    ]);
    let mut signature = vec![0; signer.public_modulus_len()];
    signer
        .sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            &tbs,
            &mut signature,
        )
        .expect("AWS-LC signs with a key it made");
    let mut bits = vec![0];
    bits.extend(signature);
    seq(&[&tbs, &algorithm, &der(0x03, &bits)])
}

#[cfg(test)]
mod tests {
    use super::TestCertificate;
    use crate::delivery::EncryptionCertificate;

    #[test]
    fn a_generated_certificate_is_one_the_emulator_encrypts_for() {
        let certificate = TestCertificate::generate().with_id("cert-7");
        let read = EncryptionCertificate::from_base64_der(
            &certificate.certificate_base64(),
            &certificate.certificate_id,
        )
        .expect("an RSA certificate");
        assert_eq!(read.id(), "cert-7");
        let shown = format!("{certificate:?}");
        assert!(
            shown.contains("<secret>") && shown.contains("cert-7"),
            "{shown}"
        );
    }
}
