//! Verifying the JWTs Graph sends in a notification batch's `validationTokens`.
//!
//! Each is signed by the Microsoft identity platform with RS256. A token is accepted when its
//! header names `RS256` and a `kid` found in the key set the caller supplies (Microsoft's
//! published JWKS document), its signature verifies with that key, and its claims say: `aud`
//! is the app, `iss` an expected tenant in one of the issuer forms accepted (by default the
//! global cloud's v1 form `https://sts.windows.net/{tenant}/` and v2 form
//! `https://login.microsoftonline.com/{tenant}/v2.0`; a national cloud's are added with
//! [`ValidationTokenRules::also_issuer`]), `azp` (or, in v1 tokens,
//! `appid`) is Graph's change-tracking app, and the time passed in lies between `nbf` and
//! `exp`, give or take the clock skew.
//!
//! Nothing here fetches keys or reads the clock: both come from the caller.

use std::time::Duration;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use jiff::Timestamp;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::Error;

/// The app id of Microsoft Graph's change tracking, the `azp` of every validation token.
pub const GRAPH_CHANGE_TRACKING_APP_ID: &str = "0bf30f3b-4a52-48df-9a82-234910c4a086";

/// The issuers the global cloud's identity platform writes into v1 and v2 tokens, in the form
/// its OpenID configuration documents give them (`{tenantid}` stands for the tenant).
pub const GLOBAL_ISSUERS: [&str; 2] = [
    "https://sts.windows.net/{tenantid}/",
    "https://login.microsoftonline.com/{tenantid}/v2.0",
];

/// Where an issuer form names the tenant.
const TENANT_PLACEHOLDER: &str = "{tenantid}";

/// The clock skew allowed by default on `exp` and `nbf`: five minutes, as Microsoft's own
/// token validation libraries allow.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// Longer tokens are refused before any decoding (Graph's are about 1.5 KB).
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// JWK `n` and `e` are base64url without padding; padding is tolerated.
const JWK_BASE64: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The RSA signing keys of a JWKS document (`{"keys": [{"kty": "RSA", "kid": …, "n": …,
/// "e": …, "x5c": […]}, …]}`), as Microsoft publishes them at
/// `https://login.microsoftonline.com/common/discovery/v2.0/keys`.
#[derive(Debug, Clone, Default)]
pub struct JwkSet {
    keys: Vec<Jwk>,
}

#[derive(Debug, Clone)]
struct Jwk {
    kid: String,
    n: Vec<u8>,
    e: Vec<u8>,
}

#[derive(Deserialize)]
struct JwkSetDocument {
    keys: Vec<JwkDocument>,
}

#[derive(Deserialize)]
struct JwkDocument {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    alg: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

impl JwkSet {
    /// Reads a JWKS document. Keys that cannot verify RS256 are left out: another `kty`, a
    /// `use` other than `sig`, an `alg` other than `RS256`, no `kid`. An RSA key without
    /// `n` and `e` (its certificate only) is left out too; one whose `n` or `e` is not
    /// base64url is an error.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let document: JwkSetDocument =
            serde_json::from_slice(json).map_err(|e| Error::json("key set", e))?;
        let mut keys = Vec::with_capacity(document.keys.len());
        for key in document.keys {
            let usable = key.kty == "RSA"
                && key.use_.as_deref().is_none_or(|u| u == "sig")
                && key.alg.as_deref().is_none_or(|a| a == "RS256");
            let (true, Some(kid), Some(n), Some(e)) = (usable, key.kid, key.n, key.e) else {
                continue;
            };
            let n = JWK_BASE64
                .decode(n)
                .map_err(|_| Error::Base64 { field: "JWK n" })?;
            let e = JWK_BASE64
                .decode(e)
                .map_err(|_| Error::Base64 { field: "JWK e" })?;
            keys.push(Jwk {
                kid,
                n: without_leading_zeros(n),
                e: without_leading_zeros(e),
            });
        }
        Ok(JwkSet { keys })
    }

    /// How many usable keys it holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether it holds no usable key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The usable keys' ids.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.kid.as_str())
    }

    fn get(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

/// What a validation token must say: the app it was issued for, the tenants the app has
/// subscriptions in, and the clock skew allowed.
#[derive(Debug, Clone)]
pub struct ValidationTokenRules {
    app_id: String,
    tenant_ids: Vec<String>,
    /// Issuer forms as (what comes before the tenant, what comes after).
    issuers: Vec<(String, String)>,
    clock_skew: Duration,
}

/// What a verified validation token said.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedToken {
    /// The tenant its issuer names (one of the rules' tenants, as the rules spell it).
    pub tenant_id: String,
    /// Its `exp`.
    pub expires_at: Timestamp,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    crit: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Claims {
    aud: Option<Audience>,
    iss: Option<String>,
    azp: Option<String>,
    appid: Option<String>,
    exp: Option<serde_json::Number>,
    nbf: Option<serde_json::Number>,
}

/// RFC 7519: one audience or several.
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl ValidationTokenRules {
    /// Tokens for this app (its application id, the `aud`) from this tenant, with the
    /// default clock skew ([`DEFAULT_CLOCK_SKEW`]).
    pub fn new(app_id: impl Into<String>, tenant_id: impl Into<String>) -> Self {
        ValidationTokenRules {
            app_id: app_id.into(),
            tenant_ids: vec![tenant_id.into()],
            issuers: GLOBAL_ISSUERS
                .iter()
                .filter_map(|issuer| split_issuer(issuer))
                .collect(),
            clock_skew: DEFAULT_CLOCK_SKEW,
        }
    }

    /// Accept another issuer form too: a national cloud's identity platform, as the `issuer`
    /// of its OpenID configuration spells it, `{tenantid}` standing for the tenant (for
    /// example `https://login.microsoftonline.us/{tenantid}/v2.0`). Its tokens are signed
    /// with that cloud's keys, so the key set comes from that cloud too. An issuer without
    /// `{tenantid}`, or with it twice, is an [`Error::IssuerTemplate`].
    pub fn also_issuer(mut self, issuer: impl Into<String>) -> Result<Self, Error> {
        let issuer = issuer.into();
        let form = split_issuer(&issuer).ok_or(Error::IssuerTemplate { template: issuer })?;
        self.issuers.push(form);
        Ok(self)
    }

    /// Accept tokens from another tenant too (a multi-tenant app subscribed in several).
    pub fn also_tenant(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_ids.push(tenant_id.into());
        self
    }

    /// The clock skew allowed on `exp` and `nbf`.
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew = skew;
        self
    }

    /// Verifies one validation token at time `now` against `keys`: its header (`RS256`, a
    /// known `kid`, no critical extensions), its signature, then its claims.
    pub fn verify(
        &self,
        token: &str,
        keys: &JwkSet,
        now: Timestamp,
    ) -> Result<VerifiedToken, Error> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(Error::MalformedToken {
                reason: "longer than 16 KiB",
            });
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::MalformedToken {
                reason: "not three dot-separated parts",
            });
        };

        let header: Header = decode_json(header_b64, "token header")?;
        if header.alg != "RS256" {
            return Err(Error::TokenAlgorithm { alg: header.alg });
        }
        if header.crit.is_some() {
            return Err(Error::MalformedToken {
                reason: "critical header parameters",
            });
        }
        let kid = header
            .kid
            .ok_or(Error::MalformedToken { reason: "no kid" })?;
        let key = keys.get(&kid).ok_or(Error::UnknownKeyId { kid })?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature_b64)
            .map_err(|_| Error::Base64 {
                field: "token signature",
            })?;
        // The signing input is the first two parts as sent, with the dot between them.
        let signed = &token[..header_b64.len() + 1 + claims_b64.len()];
        RsaPublicKeyComponents {
            n: &key.n[..],
            e: &key.e[..],
        }
        .verify(&RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &signature)
        .map_err(|_| Error::TokenSignature)?;

        let claims: Claims = decode_json(claims_b64, "token claims")?;
        self.check_claims(claims, now)
    }

    fn check_claims(&self, claims: Claims, now: Timestamp) -> Result<VerifiedToken, Error> {
        let skew = i64::try_from(self.clock_skew.as_secs()).unwrap_or(i64::MAX);
        let exp = claims
            .exp
            .as_ref()
            .ok_or(Error::MalformedToken { reason: "no exp" })?;
        let expires_at = numeric_date(exp)?;
        if now.as_second().saturating_sub(skew) >= expires_at.as_second() {
            return Err(Error::TokenExpired {
                expired_at: expires_at,
            });
        }
        if let Some(nbf) = &claims.nbf {
            let not_before = numeric_date(nbf)?;
            if now.as_second().saturating_add(skew) < not_before.as_second() {
                return Err(Error::TokenNotYetValid { not_before });
            }
        }

        let audience_ok = match &claims.aud {
            Some(Audience::One(aud)) => same_id(aud, &self.app_id),
            Some(Audience::Many(auds)) => auds.iter().any(|aud| same_id(aud, &self.app_id)),
            None => false,
        };
        if !audience_ok {
            let audience = claims.aud.map(|aud| match aud {
                Audience::One(aud) => aud,
                Audience::Many(auds) => auds.join(","),
            });
            return Err(Error::WrongAudience { audience });
        }

        let tenant_id = claims
            .iss
            .as_deref()
            .and_then(|issuer| self.issuer_tenant(issuer))
            .and_then(|tenant| self.tenant_ids.iter().find(|t| same_id(t, tenant)))
            .ok_or_else(|| Error::WrongIssuer {
                issuer: claims.iss.clone(),
            })?
            .clone();

        // v2 tokens name the client in `azp`, v1 tokens in `appid`; each present must be Graph.
        let parties = [claims.azp, claims.appid];
        let named = parties.iter().flatten().count();
        if named == 0
            || parties
                .iter()
                .flatten()
                .any(|p| !same_id(p, GRAPH_CHANGE_TRACKING_APP_ID))
        {
            let [azp, appid] = parties;
            return Err(Error::WrongAuthorizedParty {
                authorized_party: azp.or(appid),
            });
        }

        Ok(VerifiedToken {
            tenant_id,
            expires_at,
        })
    }
}

impl ValidationTokenRules {
    /// The tenant an issuer names, in one of the forms accepted.
    fn issuer_tenant<'a>(&self, issuer: &'a str) -> Option<&'a str> {
        self.issuers.iter().find_map(|(before, after)| {
            let tenant = issuer
                .strip_prefix(before.as_str())?
                .strip_suffix(after.as_str())?;
            (!tenant.is_empty() && !tenant.contains('/')).then_some(tenant)
        })
    }
}

/// An issuer form split around its one `{tenantid}`.
fn split_issuer(issuer: &str) -> Option<(String, String)> {
    let (before, after) = issuer.split_once(TENANT_PLACEHOLDER)?;
    (!after.contains(TENANT_PLACEHOLDER)).then(|| (before.to_owned(), after.to_owned()))
}

/// Ids are GUIDs, which Microsoft writes in lower case but compares in any.
fn same_id(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// A JWT NumericDate: seconds since the epoch, possibly fractional (the fraction is dropped).
fn numeric_date(value: &serde_json::Number) -> Result<Timestamp, Error> {
    const OUT_OF_RANGE: Error = Error::MalformedToken {
        reason: "a time out of range",
    };
    let seconds = match value.as_i64() {
        Some(seconds) => seconds,
        None => {
            let seconds = value.as_f64().ok_or(OUT_OF_RANGE)?.floor();
            if !(-1e15..=1e15).contains(&seconds) {
                return Err(OUT_OF_RANGE);
            }
            seconds as i64
        }
    };
    Timestamp::from_second(seconds).map_err(|_| OUT_OF_RANGE)
}

fn decode_json<T: DeserializeOwned>(part: &str, what: &'static str) -> Result<T, Error> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| Error::Base64 { field: what })?;
    serde_json::from_slice(&bytes).map_err(|e| Error::json(what, e))
}

fn without_leading_zeros(mut bytes: Vec<u8>) -> Vec<u8> {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.drain(..zeros);
    bytes
}
