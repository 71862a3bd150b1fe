//! Decrypting rich notifications' `encryptedContent`, exactly as Graph encrypts it:
//!
//! 1. `dataKey` is a random 32-byte key, encrypted with the app certificate's RSA public key
//!    (RSA-OAEP with SHA-1 and MGF1-SHA-1), base64;
//! 2. `dataSignature` is HMAC-SHA256 of the base64-decoded `data`, keyed with that key, base64;
//! 3. `data` is the resource JSON, AES-256-CBC with PKCS#7 padding under that key, the IV
//!    being the key's first 16 bytes, base64.
//!
//! The signature is checked, in constant time, before anything is decrypted, so neither the
//! padding check nor the plaintext is ever reached with altered data.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use aws_lc_rs::cipher::{AES_256, DecryptionContext, PaddedBlockDecryptingKey, UnboundCipherKey};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rsa::{OAEP_SHA1_MGF1SHA1, OaepPrivateDecryptingKey, PrivateDecryptingKey};
use aws_lc_rs::{digest, hmac, signature};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::{self, PemObject};
use zeroize::Zeroizing;

use crate::Error;

/// The symmetric key's length: AES-256.
const SYMMETRIC_KEY_LEN: usize = 32;
/// The CBC IV's length (the key's first bytes).
const IV_LEN: usize = 16;
/// A SHA-1 thumbprint's length.
const THUMBPRINT_LEN: usize = 20;

/// The five fields of a notification's `encryptedContent`, as sent
/// (`changeNotificationEncryptedContent`).
#[derive(Clone, Copy)]
pub struct EncryptedContent<'a> {
    /// `data`: the encrypted resource, base64.
    pub data: &'a str,
    /// `dataSignature`: HMAC-SHA256 of the decoded `data`, base64.
    pub data_signature: &'a str,
    /// `dataKey`: the RSA-OAEP-encrypted symmetric key, base64.
    pub data_key: &'a str,
    /// `encryptionCertificateId`: the id the app gave its certificate when subscribing.
    pub encryption_certificate_id: &'a str,
    /// `encryptionCertificateThumbprint`: the certificate's SHA-1 thumbprint, hex.
    pub encryption_certificate_thumbprint: Option<&'a str>,
}

impl fmt::Debug for EncryptedContent<'_> {
    // Lengths only: the ciphertexts are long and say nothing to a reader.
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

/// The decrypted resource (for presence, the presence JSON), for the caller to decode.
/// `Debug` shows its length only.
#[derive(Clone, PartialEq, Eq)]
pub struct DecryptedContent(Vec<u8>);

impl DecryptedContent {
    /// The plaintext bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The plaintext as UTF-8 text (JSON is UTF-8).
    pub fn to_str(&self) -> Result<&str, Error> {
        std::str::from_utf8(&self.0).map_err(|_| Error::NotUtf8)
    }

    /// The plaintext bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Debug for DecryptedContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptedContent")
            .field("len", &self.0.len())
            .finish_non_exhaustive()
    }
}

/// An app certificate's RSA private key, and optionally the certificate's thumbprint, which
/// each notification encrypted for it must then name. `Debug` shows no key material.
pub struct DecryptionKey {
    key: OaepPrivateDecryptingKey,
    thumbprint: Option<[u8; THUMBPRINT_LEN]>,
}

impl DecryptionKey {
    /// A key from PEM: `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1), the first such
    /// section (a file holding the certificate too is fine). Encrypted PEM is refused: decrypt
    /// it first.
    pub fn from_pem(pem: &[u8]) -> Result<Self, Error> {
        match PrivateKeyDer::from_pem_slice(pem) {
            Ok(PrivateKeyDer::Pkcs8(der)) => Self::from_pkcs8_der(der.secret_pkcs8_der()),
            Ok(PrivateKeyDer::Pkcs1(der)) => Self::from_pkcs1_der(der.secret_pkcs1_der()),
            Ok(_) => Err(Error::InvalidKey {
                reason: "the PEM key is not an RSA key",
            }),
            Err(pem::Error::NoItemsFound) => Err(Error::InvalidKey {
                reason: if contains(pem, b"ENCRYPTED PRIVATE KEY") {
                    "the PEM key is encrypted"
                } else {
                    "no PRIVATE KEY or RSA PRIVATE KEY section in the PEM"
                },
            }),
            // pki-types' messages can quote the PEM's lines: not repeated here.
            Err(_) => Err(Error::InvalidKey {
                reason: "malformed PEM",
            }),
        }
    }

    /// A key from PKCS#8 DER (`PrivateKeyInfo`, RFC 5208).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let key = PrivateDecryptingKey::from_pkcs8(der).map_err(|_| Error::InvalidKey {
            reason: "not a PKCS#8 RSA private key of 2048 to 8192 bits",
        })?;
        Self::from_key(key)
    }

    /// A key from PKCS#1 DER (`RSAPrivateKey`, RFC 8017), as OpenSSL's older tools write it.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        const REJECTED: Error = Error::InvalidKey {
            reason: "not a PKCS#1 RSA private key of 2048 to 8192 bits",
        };
        // aws-lc-rs reads PKCS#1 as a signing key pair only; re-encoded as PKCS#8 it
        // serves for decryption.
        let pair = signature::RsaKeyPair::from_der(der).map_err(|_| REJECTED)?;
        let pkcs8 = pair.as_der().map_err(|_| REJECTED)?;
        let key = PrivateDecryptingKey::from_pkcs8(pkcs8.as_ref()).map_err(|_| REJECTED)?;
        Self::from_key(key)
    }

    fn from_key(key: PrivateDecryptingKey) -> Result<Self, Error> {
        let key = OaepPrivateDecryptingKey::new(key).map_err(|_| Error::InvalidKey {
            reason: "not usable for RSA-OAEP",
        })?;
        Ok(DecryptionKey {
            key,
            thumbprint: None,
        })
    }

    /// Require notifications to name this certificate thumbprint (the certificate's SHA-1
    /// hash in hex, as Windows and .NET show it; case and `:` or space separators ignored).
    pub fn thumbprint(mut self, hex: &str) -> Result<Self, Error> {
        let thumbprint = parse_thumbprint(hex).ok_or(Error::InvalidKey {
            reason: "a thumbprint is 40 hex digits",
        })?;
        self.thumbprint = Some(thumbprint);
        Ok(self)
    }

    /// Require notifications to name the thumbprint of this certificate (DER), the SHA-1
    /// hash of its bytes.
    pub fn certificate_der(mut self, certificate: &[u8]) -> Self {
        let hash = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, certificate);
        let mut thumbprint = [0; THUMBPRINT_LEN];
        thumbprint.copy_from_slice(hash.as_ref());
        self.thumbprint = Some(thumbprint);
        self
    }

    /// The key's size in bits.
    pub fn bits(&self) -> usize {
        self.key.key_size_bits()
    }

    fn decrypt(
        &self,
        content: &EncryptedContent<'_>,
        data_keys: &DataKeyCache,
    ) -> Result<DecryptedContent, Error> {
        if let Some(expected) = self.thumbprint {
            let sent = content.encryption_certificate_thumbprint;
            if sent.and_then(parse_thumbprint) != Some(expected) {
                return Err(Error::ThumbprintMismatch {
                    thumbprint: sent.map(str::to_owned),
                });
            }
        }
        let data_key = decode(content.data_key, "dataKey")?;
        let signature = decode(content.data_signature, "dataSignature")?;
        let mut data = decode(content.data, "data")?;

        let symmetric_key =
            data_keys.unwrapped(content, || self.unwrap_symmetric_key(&data_key))?;
        let mac_key = hmac::Key::new(hmac::HMAC_SHA256, &symmetric_key[..]);
        hmac::verify(&mac_key, &data, &signature).map_err(|_| Error::DataSignature)?;

        let cipher_key =
            UnboundCipherKey::new(&AES_256, &symmetric_key[..]).map_err(|_| Error::Padding)?;
        let cipher = PaddedBlockDecryptingKey::cbc_pkcs7(cipher_key).map_err(|_| Error::Padding)?;
        let mut iv = [0; IV_LEN];
        iv.copy_from_slice(&symmetric_key[..IV_LEN]);
        let context = DecryptionContext::Iv128(FixedLength::from(iv));
        let len = cipher
            .decrypt(&mut data, context)
            .map_err(|_| Error::Padding)?
            .len();
        data.truncate(len);
        Ok(DecryptedContent(data))
    }

    /// RSA-OAEP-SHA1 decryption of `dataKey`; the key is wiped when dropped.
    fn unwrap_symmetric_key(&self, data_key: &[u8]) -> Result<SymmetricKey, Error> {
        let mut out = Zeroizing::new(vec![0; self.key.min_output_size()]);
        let plain = self
            .key
            .decrypt(&OAEP_SHA1_MGF1SHA1, data_key, &mut out, None)
            .map_err(|_| Error::KeyDecryption)?;
        let key: [u8; SYMMETRIC_KEY_LEN] = (&*plain)
            .try_into()
            .map_err(|_| Error::SymmetricKeyLength { len: plain.len() })?;
        Ok(Zeroizing::new(key))
    }
}

impl fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptionKey")
            .field("bits", &self.bits())
            .field("thumbprint", &self.thumbprint.map(|t| hex(&t)))
            .finish_non_exhaustive()
    }
}

/// The app's decryption keys by `encryptionCertificateId`: during a certificate rotation
/// notifications arrive for the old and the new certificate, so it holds several.
#[derive(Debug, Default)]
pub struct DecryptionKeys {
    keys: BTreeMap<String, DecryptionKey>,
}

impl DecryptionKeys {
    /// No keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the key for a certificate id, the `encryptionCertificateId` the
    /// app set on its subscriptions.
    pub fn insert(&mut self, certificate_id: impl Into<String>, key: DecryptionKey) -> &mut Self {
        self.keys.insert(certificate_id.into(), key);
        self
    }

    /// Adds (or replaces) the key for a certificate id, by value.
    pub fn key(mut self, certificate_id: impl Into<String>, key: DecryptionKey) -> Self {
        self.insert(certificate_id, key);
        self
    }

    /// Removes a certificate's key once no subscription uses it; whether there was one.
    pub fn remove(&mut self, certificate_id: &str) -> bool {
        self.keys.remove(certificate_id).is_some()
    }

    /// The registered certificate ids, in order.
    pub fn certificate_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// Decrypts a notification's `encryptedContent`: picks the key by
    /// `encryptionCertificateId`, checks the thumbprint when the key has one, decrypts
    /// `dataKey`, verifies `dataSignature` over `data` in constant time, and only then
    /// decrypts `data`.
    pub fn decrypt(&self, content: &EncryptedContent<'_>) -> Result<DecryptedContent, Error> {
        self.decrypt_in_batch(content, &DataKeyCache::default())
    }

    /// [`DecryptionKeys::decrypt`], with the `dataKey`s of the notification's batch unwrapped
    /// once each.
    pub(crate) fn decrypt_in_batch(
        &self,
        content: &EncryptedContent<'_>,
        data_keys: &DataKeyCache,
    ) -> Result<DecryptedContent, Error> {
        let id = content.encryption_certificate_id;
        let key = self
            .keys
            .get(id)
            .ok_or_else(|| Error::UnknownCertificate { id: id.to_owned() })?;
        key.decrypt(content, data_keys)
    }
}

/// A `dataKey`'s symmetric key, wiped when dropped.
type SymmetricKey = Zeroizing<[u8; SYMMETRIC_KEY_LEN]>;

/// One `dataKey`'s unwrap: filled by the first thread that needs it.
type Unwrap = Arc<OnceLock<Result<SymmetricKey, Error>>>;

/// The symmetric keys of one batch, by certificate id and `dataKey` text: Graph often
/// encrypts a whole batch under one `dataKey`, and its RSA unwrap is nearly all the cost of
/// a rich notification. Shared by the threads decrypting the batch; each `dataKey` is
/// unwrapped by the first thread that needs it while the others wait for it. A failed unwrap
/// is kept too, so a repeated bad `dataKey` costs one RSA operation as well. Dropped (and the
/// keys wiped) with the batch.
#[derive(Default)]
pub(crate) struct DataKeyCache {
    /// By certificate id and `dataKey` text.
    unwrapped: Mutex<HashMap<(String, String), Unwrap>>,
    /// How many unwraps ran: what the cache saves shows in tests.
    #[cfg(test)]
    unwraps: std::sync::atomic::AtomicUsize,
}

impl DataKeyCache {
    /// The key for `content`'s certificate and `dataKey`, unwrapped by `unwrap` if no thread
    /// has yet.
    fn unwrapped(
        &self,
        content: &EncryptedContent<'_>,
        unwrap: impl FnOnce() -> Result<SymmetricKey, Error>,
    ) -> Result<SymmetricKey, Error> {
        let slot = {
            let mut unwrapped = self
                .unwrapped
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let id = (
                content.encryption_certificate_id.to_owned(),
                content.data_key.to_owned(),
            );
            Arc::clone(unwrapped.entry(id).or_default())
        };
        // Outside the map's lock: other keys are unwrapped meanwhile.
        slot.get_or_init(|| {
            #[cfg(test)]
            self.unwraps
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            unwrap()
        })
        .clone()
    }
}

fn decode(text: &str, field: &'static str) -> Result<Vec<u8>, Error> {
    STANDARD.decode(text).map_err(|_| Error::Base64 { field })
}

/// 40 hex digits, any case, `:` and spaces between them ignored.
fn parse_thumbprint(text: &str) -> Option<[u8; THUMBPRINT_LEN]> {
    let mut digits = text
        .chars()
        .filter(|c| !matches!(c, ':' | ' '))
        .map(|c| c.to_digit(16));
    let mut out = [0; THUMBPRINT_LEN];
    for byte in &mut out {
        let high = digits.next()??;
        let low = digits.next()??;
        *byte = u8::try_from(high << 4 | low).ok()?;
    }
    digits.next().is_none().then_some(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::parse_thumbprint;

    #[test]
    fn thumbprints_read_in_any_case_with_separators() {
        let upper = parse_thumbprint("A909502DD82AE41433E6F83886B00D4277A32A7B");
        assert!(upper.is_some());
        assert_eq!(
            parse_thumbprint("a909502dd82ae41433e6f83886b00d4277a32a7b"),
            upper
        );
        assert_eq!(
            parse_thumbprint("a9:09:50:2d:d8:2a:e4:14:33:e6:f8:38:86:b0:0d:42:77:a3:2a:7b"),
            upper
        );
        assert_eq!(
            parse_thumbprint("A909502DD82AE41433E6F83886B00D4277A32A7"),
            None
        );
        assert_eq!(
            parse_thumbprint("A909502DD82AE41433E6F83886B00D4277A32A7B0"),
            None
        );
        assert_eq!(
            parse_thumbprint("G909502DD82AE41433E6F83886B00D4277A32A7B"),
            None
        );
        assert_eq!(parse_thumbprint(""), None);
    }
}

#[cfg(test)]
mod data_key_cache_tests {
    use std::sync::atomic::Ordering;

    use aws_lc_rs::cipher::{AES_256, EncryptionContext, PaddedBlockEncryptingKey};
    use aws_lc_rs::iv::FixedLength;
    use aws_lc_rs::rsa::{KeySize, OaepPublicEncryptingKey};

    use super::*;

    /// `plaintext` encrypted as Graph does, under `symmetric_key`: (data, dataSignature,
    /// dataKey), base64.
    fn seal(
        private: &PrivateDecryptingKey,
        symmetric_key: &[u8; 32],
        plaintext: &[u8],
    ) -> (String, String, String) {
        let mut data = plaintext.to_vec();
        let cipher = PaddedBlockEncryptingKey::cbc_pkcs7(
            UnboundCipherKey::new(&AES_256, symmetric_key).expect("key"),
        )
        .expect("cbc");
        let mut iv = [0; IV_LEN];
        iv.copy_from_slice(&symmetric_key[..IV_LEN]);
        cipher
            .less_safe_encrypt(&mut data, EncryptionContext::Iv128(FixedLength::from(iv)))
            .expect("encrypt");
        let signature = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, symmetric_key), &data);
        let public = OaepPublicEncryptingKey::new(private.public_key()).expect("public key");
        let mut wrapped = vec![0; public.ciphertext_size()];
        let len = public
            .encrypt(&OAEP_SHA1_MGF1SHA1, symmetric_key, &mut wrapped, None)
            .expect("oaep")
            .len();
        wrapped.truncate(len);
        (
            STANDARD.encode(&data),
            STANDARD.encode(signature.as_ref()),
            STANDARD.encode(&wrapped),
        )
    }

    #[test]
    fn a_data_key_repeated_in_a_batch_is_unwrapped_once() {
        let private = PrivateDecryptingKey::generate(KeySize::Rsa2048).expect("rsa key");
        let pkcs8 = private.as_der().expect("pkcs8");
        let keys = DecryptionKeys::new().key(
            "cert",
            DecryptionKey::from_pkcs8_der(pkcs8.as_ref()).expect("key"),
        );
        // Six notifications under one dataKey (a fresh OAEP wrap would differ: one text,
        // as Graph sends it), and two under another.
        let shared = seal(&private, &[7; 32], b"{}");
        let other = seal(&private, &[9; 32], b"{}");
        let sealed: Vec<(String, String, String)> = (0..8)
            .map(|n| {
                let (symmetric_key, data_key) = if n % 4 == 3 {
                    ([9; 32], &other.2)
                } else {
                    ([7; 32], &shared.2)
                };
                let (data, signature, _) = seal(
                    &private,
                    &symmetric_key,
                    format!("{{\"n\":{n}}}").as_bytes(),
                );
                (data, signature, data_key.clone())
            })
            .collect();
        let cache = DataKeyCache::default();
        // From two threads at once, as a parallel batch decrypts.
        std::thread::scope(|scope| {
            for half in sealed.chunks(4) {
                let (keys, cache) = (&keys, &cache);
                scope.spawn(move || {
                    for (data, data_signature, data_key) in half {
                        let content = EncryptedContent {
                            data,
                            data_signature,
                            data_key,
                            encryption_certificate_id: "cert",
                            encryption_certificate_thumbprint: None,
                        };
                        let plain = keys.decrypt_in_batch(&content, cache).expect("decrypts");
                        assert!(plain.to_str().expect("utf-8").starts_with("{\"n\":"));
                    }
                });
            }
        });
        assert_eq!(cache.unwraps.load(Ordering::Relaxed), 2);
    }
}
