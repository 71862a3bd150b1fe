//! The one error type: what was wrong with a key, an encrypted notification or a validation
//! token, told apart by variant.
//!
//! Nothing secret is ever in an error: no key material, no symmetric key, no plaintext. The
//! text that is kept (a certificate id, a `kid`, an issuer) comes from the notification or
//! the token, so its fields keep it whole and `Display` and `Debug` show it escaped and cut
//! short ([`excerpt`]).

use jiff::Timestamp;
use openapi_models_runtime::{DecodeError, excerpt};
use std::fmt;

#[cfg(doc)]
use crate::DecryptedContent;

/// How many characters of a value from the wire a message shows.
const SHOWN: usize = 80;

/// Why a key could not be loaded, a notification could not be decrypted or a validation
/// token was refused.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // --- Setting up keys ---
    /// The private key, or a certificate thumbprint given with it, could not be used: not
    /// PEM or DER of an RSA key (PKCS#8 or PKCS#1), an encrypted PEM, a key outside
    /// 2048–8192 bits, a thumbprint that is not 40 hex digits.
    #[error("invalid decryption key: {reason}")]
    InvalidKey {
        /// What was wrong, in a few words.
        reason: &'static str,
    },

    // --- Encrypted content ---
    /// A field is not valid base64 (`data`, `dataSignature`, `dataKey`, or a token part).
    #[error("`{field}` is not valid base64")]
    Base64 {
        /// The field or token part.
        field: &'static str,
    },
    /// No key is registered for the notification's `encryptionCertificateId`.
    #[error("no decryption key for certificate id \"{}\"", excerpt(id, SHOWN))]
    UnknownCertificate {
        /// The id the notification named, as sent.
        id: String,
    },
    /// The key for this certificate id has a thumbprint, and the notification's
    /// `encryptionCertificateThumbprint` is missing or another.
    #[error(
        "the notification's certificate thumbprint {} is not the key's",
        shown(thumbprint)
    )]
    ThumbprintMismatch {
        /// The thumbprint the notification named, as sent.
        thumbprint: Option<String>,
    },
    /// RSA-OAEP decryption of `dataKey` failed: it was encrypted for another key (the
    /// certificate id maps to the wrong private key) or it was altered.
    #[error("`dataKey` does not decrypt with this certificate's private key")]
    KeyDecryption,
    /// `dataKey` decrypted to a key that is not 32 bytes (AES-256).
    #[error("`dataKey` holds a {len}-byte key, not a 32-byte AES-256 key")]
    SymmetricKeyLength {
        /// The decrypted key's length.
        len: usize,
    },
    /// `dataSignature` is not the HMAC-SHA256 of `data` under the notification's key: `data`
    /// or `dataSignature` was altered. Checked before anything is decrypted.
    #[error("`dataSignature` does not match `data`")]
    DataSignature,
    /// `data` is not whole AES blocks ending in valid PKCS#7 padding (its signature was
    /// right, so it was encrypted that way, or with another key).
    #[error("`data` does not decrypt: not whole AES blocks with valid PKCS#7 padding")]
    Padding,
    /// The decrypted content is not UTF-8 ([`DecryptedContent::to_str`]).
    #[error("the decrypted content is not UTF-8")]
    NotUtf8,

    // --- Validation tokens and key sets ---
    /// JSON that does not decode: a token's header or claims, or a key set document.
    #[error("malformed {what}: {}", excerpt(message, SHOWN))]
    Json {
        /// What was being decoded.
        what: &'static str,
        /// The parser's message, escaped and cut (serde quotes a wrong-type value whole).
        message: String,
    },
    /// A token that is not a compact JWS (three base64url parts), is too long, has no `kid`,
    /// claims without `exp`, a time out of range, or critical header parameters.
    #[error("malformed validation token: {reason}")]
    MalformedToken {
        /// What was wrong, in a few words.
        reason: &'static str,
    },
    /// The token's `alg` is not `RS256` (`none` and `HS256` included).
    #[error("validation token algorithm \"{}\" is not RS256", excerpt(alg, SHOWN))]
    TokenAlgorithm {
        /// The `alg` the token named.
        alg: String,
    },
    /// The key set has no RSA signing key with the token's `kid` (keys rotated: fetch the
    /// key set again).
    #[error("no signing key with kid \"{}\" in the key set", excerpt(kid, SHOWN))]
    UnknownKeyId {
        /// The `kid` the token named.
        kid: String,
    },
    /// The token's RS256 signature does not verify with the key its `kid` names.
    #[error("the validation token's signature does not verify")]
    TokenSignature,
    /// The token expired (`exp`, allowing the clock skew).
    #[error("the validation token expired at {expired_at}")]
    TokenExpired {
        /// Its `exp`.
        expired_at: Timestamp,
    },
    /// The token is not valid yet (`nbf`, allowing the clock skew).
    #[error("the validation token is not valid before {not_before}")]
    TokenNotYetValid {
        /// Its `nbf`.
        not_before: Timestamp,
    },
    /// The token's `aud` is not the app's id.
    #[error("the validation token's audience {} is not this app", shown(audience))]
    WrongAudience {
        /// The audience (or audiences, comma-separated) the token named.
        audience: Option<String>,
    },
    /// The token's `iss` does not name an expected tenant.
    #[error(
        "the validation token's issuer {} is not an expected tenant",
        shown(issuer)
    )]
    WrongIssuer {
        /// The issuer the token named.
        issuer: Option<String>,
    },
    /// The token's `azp` (or `appid`) is not Microsoft Graph's change-tracking app.
    #[error(
        "the validation token was not issued to Graph's change-tracking app (azp {})",
        shown(authorized_party)
    )]
    WrongAuthorizedParty {
        /// The `azp` (or `appid`) the token named.
        authorized_party: Option<String>,
    },
    /// An issuer given to `ValidationTokenRules::also_issuer` does not hold `{tenantid}`
    /// exactly once.
    #[error(
        "the issuer {} does not hold {{tenantid}} exactly once",
        shown(&Some(template.clone()))
    )]
    IssuerTemplate {
        /// The issuer as given.
        template: String,
    },
}

/// A value from the wire, quoted and escaped, or `(none)`.
fn shown(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("\"{}\"", excerpt(v, SHOWN)),
        None => "(none)".to_owned(),
    }
}

impl Error {
    pub(crate) fn json(what: &'static str, error: serde_json::Error) -> Self {
        Error::Json {
            what,
            // Bounded as every decoding error is: a 1 MB string of the wrong type is not kept.
            message: DecodeError::from(error).to_string(),
        }
    }
}

/// As derived, with the wire's text escaped and cut as `Display` shows it.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn one(
            f: &mut fmt::Formatter<'_>,
            name: &str,
            field: &str,
            value: &dyn fmt::Debug,
        ) -> fmt::Result {
            f.debug_struct(name).field(field, value).finish()
        }
        let text = |v: &str| excerpt(v, SHOWN);
        let maybe = |v: &Option<String>| v.as_deref().map(text);
        match self {
            Error::InvalidKey { reason } => one(f, "InvalidKey", "reason", reason),
            Error::Base64 { field } => one(f, "Base64", "field", field),
            Error::UnknownCertificate { id } => one(f, "UnknownCertificate", "id", &text(id)),
            Error::ThumbprintMismatch { thumbprint } => {
                one(f, "ThumbprintMismatch", "thumbprint", &maybe(thumbprint))
            }
            Error::KeyDecryption => f.write_str("KeyDecryption"),
            Error::SymmetricKeyLength { len } => one(f, "SymmetricKeyLength", "len", len),
            Error::DataSignature => f.write_str("DataSignature"),
            Error::Padding => f.write_str("Padding"),
            Error::NotUtf8 => f.write_str("NotUtf8"),
            Error::Json { what, message } => f
                .debug_struct("Json")
                .field("what", what)
                .field("message", &text(message))
                .finish(),
            Error::MalformedToken { reason } => one(f, "MalformedToken", "reason", reason),
            Error::TokenAlgorithm { alg } => one(f, "TokenAlgorithm", "alg", &text(alg)),
            Error::UnknownKeyId { kid } => one(f, "UnknownKeyId", "kid", &text(kid)),
            Error::TokenSignature => f.write_str("TokenSignature"),
            Error::TokenExpired { expired_at } => one(f, "TokenExpired", "expired_at", expired_at),
            Error::TokenNotYetValid { not_before } => {
                one(f, "TokenNotYetValid", "not_before", not_before)
            }
            Error::WrongAudience { audience } => {
                one(f, "WrongAudience", "audience", &maybe(audience))
            }
            Error::WrongIssuer { issuer } => one(f, "WrongIssuer", "issuer", &maybe(issuer)),
            Error::WrongAuthorizedParty { authorized_party } => one(
                f,
                "WrongAuthorizedParty",
                "authorized_party",
                &maybe(authorized_party),
            ),
            Error::IssuerTemplate { template } => {
                one(f, "IssuerTemplate", "template", &text(template))
            }
        }
    }
}
