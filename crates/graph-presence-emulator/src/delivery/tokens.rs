//! The `validationTokens` of a batch with rich notifications: one JWT per app and tenant with
//! a rich notification in the batch, signed by the emulator's identity platform, with the
//! claims the notifications crate's `ValidationTokenRules::verify` checks (and Graph's tokens
//! carry, in their v1 form as Microsoft's documentation shows one): `aud` the app's id, `iss`
//! `https://sts.windows.net/{tenant}/`, `appid` Graph's change-tracking app, `iat`, `nbf` and
//! `exp`.
//!
//! The keys and the RS256 signature are the identity module's: it implements [`TokenSigner`]
//! (a closure does too), so this module needs no key of its own.

use jiff::Timestamp;
use serde::Serialize;

/// The app id of Microsoft Graph's change tracking: the `appid` (and `azp`) of every
/// validation token.
pub const GRAPH_CHANGE_TRACKING_APP_ID: &str = "0bf30f3b-4a52-48df-9a82-234910c4a086";

/// What one validation token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationClaims {
    /// The app the notifications are for (the subscription's application id): `aud`.
    pub app_id: String,
    /// The tenant they come from: in `iss` and `tid`.
    pub tenant_id: String,
    /// `iat` and `nbf`.
    pub issued_at: Timestamp,
    /// `exp`.
    pub expires_at: Timestamp,
}

/// The claims set as JSON, in the order Microsoft's documented example lists them.
#[derive(Serialize)]
struct Payload<'a> {
    aud: &'a str,
    iss: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    app_displayname: &'static str,
    appid: &'static str,
    appidacr: &'static str,
    idp: String,
    tid: &'a str,
    ver: &'static str,
}

impl ValidationClaims {
    /// The issuer, in the v1 form Graph's validation tokens carry.
    pub fn issuer(&self) -> String {
        format!("https://sts.windows.net/{}/", self.tenant_id)
    }

    /// The JWT claims set, as JSON text: what the signer base64url-encodes and signs.
    pub fn to_json(&self) -> String {
        let payload = Payload {
            aud: &self.app_id,
            iss: self.issuer(),
            iat: self.issued_at.as_second(),
            nbf: self.issued_at.as_second(),
            exp: self.expires_at.as_second(),
            app_displayname: "Microsoft Graph Change Tracking",
            appid: GRAPH_CHANGE_TRACKING_APP_ID,
            appidacr: "2",
            idp: self.issuer(),
            tid: &self.tenant_id,
            ver: "1.0",
        };
        serde_json::to_string(&payload).unwrap_or_default()
    }
}

/// Signs validation tokens: a compact JWS (`header.claims.signature`, RS256, with the `kid`
/// of a key the emulator publishes in its JWKS) of [`ValidationClaims::to_json`].
pub trait TokenSigner: Send + Sync {
    /// The signed token.
    fn sign(&self, claims: &ValidationClaims) -> String;
}

impl<F> TokenSigner for F
where
    F: Fn(&ValidationClaims) -> String + Send + Sync,
{
    fn sign(&self, claims: &ValidationClaims) -> String {
        self(claims)
    }
}
