//! Rich notifications' `encryptedContent`, encrypted as Graph encrypts it (the notifications
//! crate's `crypto.rs` is the inverse):
//!
//! 1. a random 32-byte key, RSA-OAEP-encrypted (SHA-1, MGF1-SHA-1) with the public key of the
//!    subscription's `encryptionCertificate`: `dataKey`;
//! 2. the resource JSON, AES-256-CBC with PKCS#7 padding under that key, the IV being the
//!    key's first 16 bytes: `data`;
//! 3. HMAC-SHA256 of the ciphertext (the bytes `data` encodes), keyed with that key:
//!    `dataSignature`;
//!
//! all three base64 (standard alphabet, padded), with the subscription's
//! `encryptionCertificateId` and the certificate's thumbprint (SHA-1 of its DER, upper-case
//! hex, as Windows and Graph write it).

use std::fmt;

use aws_lc_rs::cipher::{AES_256, EncryptionContext, PaddedBlockEncryptingKey, UnboundCipherKey};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{OAEP_SHA1_MGF1SHA1, OaepPublicEncryptingKey, PublicEncryptingKey};
use aws_lc_rs::{digest, hmac};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rustls_pki_types::CertificateDer;
use serde::Serialize;

/// The symmetric key's length: AES-256.
const KEY_LEN: usize = 32;
/// The CBC IV's length (the key's first bytes).
const IV_LEN: usize = 16;
/// The DER of the OID `rsaEncryption` (1.2.840.113549.1.1.1), which opens an RSA key's
/// `AlgorithmIdentifier`.
const RSA_ENCRYPTION_OID: [u8; 11] = [
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];
/// Longer base64 is refused before it is decoded: the X.509 parser takes at most 64 KiB of
/// DER, whose base64 is 4/3 as long (real certificates are one or two KB).
const MAX_BASE64_LEN: usize = 64 * 1024 / 3 * 4 + 4;

/// A subscription's `encryptionCertificate`, read once when the subscription is created: the
/// RSA public key rich notifications are encrypted for, the id the app gave it and its
/// thumbprint. `Debug` shows the id, thumbprint and key size.
pub struct EncryptionCertificate {
    id: String,
    thumbprint: String,
    key: OaepPublicEncryptingKey,
}

/// Why a subscription's `encryptionCertificate` cannot be used; the subscription create
/// answers `400` with this message (it quotes nothing the client sent).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// Not base64 (standard alphabet; whitespace is ignored), or empty.
    #[error("encryptionCertificate is not base64 of a DER certificate")]
    NotBase64,
    /// Longer than any certificate the emulator reads.
    #[error("encryptionCertificate is longer than {MAX_BASE64_LEN} characters")]
    TooLong,
    /// Base64, but not of an X.509 v3 certificate in DER (a PEM file's text, a private key, a
    /// v1 certificate, trailing bytes…). The reason is the X.509 parser's error name.
    #[error("encryptionCertificate is not an X.509 v3 certificate in DER ({reason})")]
    NotCertificate {
        /// What the parser found wrong.
        reason: String,
    },
    /// A certificate whose public key is not RSA (an EC key, say): Graph encrypts the data key
    /// with RSA-OAEP only.
    #[error("the encryptionCertificate's public key is not an RSA key")]
    NotRsa,
    /// An RSA key that cannot be used: smaller than 2048 bits, larger than 8192, or malformed.
    #[error("the encryptionCertificate's RSA key is not usable: {reason}")]
    UnusableKey {
        /// aws-lc's reason.
        reason: &'static str,
    },
}

/// Encryption failed inside the crypto library (no randomness, say); nothing about the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("rich notification encryption failed")]
pub struct EncryptError;

/// A notification's `encryptedContent`, as Graph sends it (`changeNotificationEncryptedContent`).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptedContent {
    /// The resource, encrypted, base64.
    pub data: String,
    /// HMAC-SHA256 of the decoded `data`, base64.
    pub data_signature: String,
    /// The RSA-OAEP-encrypted symmetric key, base64.
    pub data_key: String,
    /// The subscription's `encryptionCertificateId`.
    pub encryption_certificate_id: String,
    /// The certificate's SHA-1 thumbprint, upper-case hex.
    pub encryption_certificate_thumbprint: String,
}

impl fmt::Debug for EncryptedContent {
    // Lengths only: the ciphertexts say nothing to a reader.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptedContent")
            .field("data_len", &self.data.len())
            .field("data_signature_len", &self.data_signature.len())
            .field("data_key_len", &self.data_key.len())
            .field("encryption_certificate_id", &self.encryption_certificate_id)
            .field(
                "encryption_certificate_thumbprint",
                &self.encryption_certificate_thumbprint,
            )
            .finish()
    }
}

impl EncryptionCertificate {
    /// Reads `encryptionCertificate` as a subscription carries it: base64 of the certificate's
    /// DER (ASCII whitespace, as in a wrapped base64 file, is ignored). `id` is the
    /// subscription's `encryptionCertificateId`.
    pub fn from_base64_der(
        certificate: &str,
        id: impl Into<String>,
    ) -> Result<Self, CertificateError> {
        if certificate.len() > MAX_BASE64_LEN {
            return Err(CertificateError::TooLong);
        }
        let compact: String = certificate
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = STANDARD
            .decode(compact)
            .map_err(|_| CertificateError::NotBase64)?;
        if der.is_empty() {
            return Err(CertificateError::NotBase64);
        }
        Self::from_der(&der, id)
    }

    /// Reads a certificate's DER. Only its structure is read: Graph does not check who issued
    /// it or when it expires, and neither does this (a self-signed certificate is the usual
    /// case).
    pub fn from_der(der: &[u8], id: impl Into<String>) -> Result<Self, CertificateError> {
        let certificate = CertificateDer::from(der);
        let parsed = webpki::EndEntityCert::try_from(&certificate).map_err(|error| {
            CertificateError::NotCertificate {
                reason: format!("{error:?}"),
            }
        })?;
        let spki = parsed.subject_public_key_info();
        if !names_rsa(spki.as_ref()) {
            return Err(CertificateError::NotRsa);
        }
        let key = PublicEncryptingKey::from_der(spki.as_ref()).map_err(|error| {
            CertificateError::UnusableKey {
                reason: error.description_(),
            }
        })?;
        let key = OaepPublicEncryptingKey::new(key).map_err(|_| CertificateError::UnusableKey {
            reason: "not usable for RSA-OAEP",
        })?;
        let hash = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, der);
        Ok(EncryptionCertificate {
            id: id.into(),
            thumbprint: upper_hex(hash.as_ref()),
            key,
        })
    }

    /// The subscription's `encryptionCertificateId`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The certificate's thumbprint: SHA-1 of its DER, upper-case hex.
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// The RSA key's size in bits.
    pub fn key_bits(&self) -> usize {
        self.key.key_size_bits()
    }

    /// Encrypts `plaintext` (the presence JSON) as Graph does, with a new random key.
    pub fn encrypt(&self, plaintext: &[u8]) -> Result<EncryptedContent, EncryptError> {
        let mut key = [0; KEY_LEN];
        SystemRandom::new()
            .fill(&mut key)
            .map_err(|_| EncryptError)?;
        let cipher = UnboundCipherKey::new(&AES_256, &key)
            .and_then(PaddedBlockEncryptingKey::cbc_pkcs7)
            .map_err(|_| EncryptError)?;
        let mut iv = [0; IV_LEN];
        iv.copy_from_slice(&key[..IV_LEN]);
        let mut data = plaintext.to_vec();
        cipher
            .less_safe_encrypt(&mut data, EncryptionContext::Iv128(FixedLength::from(iv)))
            .map_err(|_| EncryptError)?;
        let signature = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), &data);
        let mut wrapped = vec![0; self.key.ciphertext_size()];
        let wrapped_len = self
            .key
            .encrypt(&OAEP_SHA1_MGF1SHA1, &key, &mut wrapped, None)
            .map_err(|_| EncryptError)?
            .len();
        wrapped.truncate(wrapped_len);
        Ok(EncryptedContent {
            data: STANDARD.encode(&data),
            data_signature: STANDARD.encode(signature.as_ref()),
            data_key: STANDARD.encode(&wrapped),
            encryption_certificate_id: self.id.clone(),
            encryption_certificate_thumbprint: self.thumbprint.clone(),
        })
    }
}

impl fmt::Debug for EncryptionCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptionCertificate")
            .field("id", &self.id)
            .field("thumbprint", &self.thumbprint)
            .field("key_bits", &self.key_bits())
            .finish()
    }
}

/// Whether a SubjectPublicKeyInfo's algorithm is `rsaEncryption`: its `AlgorithmIdentifier`
/// (the first element inside the outer SEQUENCE) starts with that OID.
fn names_rsa(spki: &[u8]) -> bool {
    /// Skips a DER header (tag and definite length) and gives the contents' offset.
    fn contents(der: &[u8]) -> Option<&[u8]> {
        let first = *der.get(1)?;
        let header = match first {
            0..=0x7f => 2,
            0x81..=0x84 => 2 + usize::from(first & 0x7f),
            _ => return None,
        };
        der.get(header..)
    }
    contents(spki)
        .and_then(|inside| (inside.first() == Some(&0x30)).then_some(inside))
        .and_then(contents)
        .is_some_and(|algorithm| algorithm.starts_with(&RSA_ENCRYPTION_OID))
}

fn upper_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
