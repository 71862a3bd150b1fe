//! Tokens and permissions: the emulated identity platform ([`Authority`]: an RSA signing key
//! with its JWKS and OpenID configuration, tokens issued directly or by the client-credentials
//! token endpoint) and Graph's side of it (a bearer token verified into an [`Identity`], then
//! checked against the operation's permissions).
//!
//! ## URLs
//! Microsoft's shapes under the emulator's base URL, per tenant:
//! issuer `{base}/{tenant}/v2.0`, keys `{base}/{tenant}/discovery/v2.0/keys`, OpenID
//! configuration `{base}/{tenant}/v2.0/.well-known/openid-configuration`, token endpoint
//! `{base}/{tenant}/oauth2/v2.0/token`. The emulator has no directory of tenants: a tenant is
//! whatever id a request names, so long as it is one path segment.
//!
//! ## Access tokens
//! RS256 JWTs (header `{"typ":"JWT","alg":"RS256","kid":…}`, the `kid` being the key's RFC 7638
//! thumbprint) with Entra's access-token claims for Graph:
//!
//! | claim | value |
//! |---|---|
//! | `aud` | `https://graph.microsoft.com` |
//! | `iss` | `{base}/{tenant}/v2.0` |
//! | `tid` | the tenant |
//! | `appid`, `azp` | the app's client id (v1 and v2 names, both written) |
//! | `appidacr`, `azpacr` | `"1"` (a client secret) |
//! | `app_displayname` | the app's name, when the app is registered |
//! | `idtyp` | `user` (delegated) or `app` (app-only) |
//! | `oid`, `sub` | the user (delegated); app-only tokens have no `oid` and `sub` is the app |
//! | `scp` | delegated only: the scopes, space-separated |
//! | `roles` | the application permissions, when there are any |
//! | `iat`, `nbf` | the time issued; `exp` that plus the lifetime (60 minutes by default) |
//! | `ver` | `"2.0"` |
//! | `uti`, `jti` | one unique id (Entra's name and RFC 9068's) |
//!
//! A token is delegated when it has `scp` (Microsoft's rule), and then it must have `oid`.
//! Verifying accepts only this authority's key and `RS256`, `aud` Graph (its URL or app id),
//! `iss` the issuer of the token's own `tid`, and `exp`/`nbf` give or take [`CLOCK_SKEW`]
//! (five minutes, the default of Microsoft's token validation libraries).
//!
//! ## Permissions
//! An operation's `x-graph-permissions` are least-privileged lists; a token passes with any
//! listed permission or one above it:
//!
//! | granted | also satisfies |
//! |---|---|
//! | `Presence.Read` | (nothing else) |
//! | `Presence.Read.All` | `Presence.Read` |
//! | `Presence.ReadWrite` | `Presence.Read` |
//! | `Presence.ReadWrite.All` | `Presence.Read`, `Presence.Read.All`, `Presence.ReadWrite` |
//!
//! Delegated tokens are checked against the delegated list with their scopes, app-only tokens
//! against the application list with their roles; an empty list refuses that kind of token.
//! The schema's subscription operations carry the presence subscription rule itself
//! (delegated `Presence.Read.All`, application `[]`, RULES.md §1), so they need no rule of
//! their own here.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::error::Unspecified;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    KeyPair, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use graph_presence_server::{Failure, OperationInfo};
use jiff::{SignedDuration, Timestamp};
use openapi_models_runtime::excerpt;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

mod authority;
mod errors;
pub(crate) use authority::Authority;
pub(crate) use errors::{OAuthError, OAuthErrorKind, TokenError};

/// The audience of Graph's tokens, as the emulator writes it.
pub(crate) const GRAPH_AUDIENCE: &str = "https://graph.microsoft.com";

/// Microsoft Graph's app id: Graph also accepts it as the audience (v1 tokens carry it).
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// The clock skew allowed on `exp` and `nbf`: five minutes, the default `ClockSkew` of
/// Microsoft.IdentityModel (which Graph's and most apps' validation use).
pub(crate) const CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// A token's lifetime when the request states none. Entra gives Graph tokens 60 to 90 minutes
/// (a random value); the emulator takes the low end, so tests know when tokens expire.
pub(crate) const DEFAULT_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// Longer tokens are refused before any decoding (the emulator's are under 2 KiB).
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// The application permissions an [`App`] is granted unless told otherwise.
pub(crate) const DEFAULT_APPLICATION_PERMISSIONS: [&str; 2] =
    ["Presence.Read.All", "Presence.ReadWrite.All"];

/// The most characters of a request's own text (an app id, a tenant, a grant type) repeated in
/// an OAuth error.
const ECHO_CHARS: usize = 64;

// ---------------------------------------------------------------------------------------------
// Requests, identities and apps

/// What to put in a token: who it is for (a tenant and an app, signed in as a user or not) and
/// what it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    tenant: String,
    app_id: String,
    user: Option<String>,
    scopes: Vec<String>,
    roles: Vec<String>,
    lifetime: Duration,
}

impl TokenRequest {
    /// A delegated token: `app_id` signed in as `user` (the user's object id, the token's
    /// `oid`), with no scopes until [`TokenRequest::scopes`] gives some.
    pub fn delegated(
        tenant: impl Into<String>,
        app_id: impl Into<String>,
        user: impl Into<String>,
    ) -> Self {
        TokenRequest {
            tenant: tenant.into(),
            app_id: app_id.into(),
            user: Some(user.into()),
            scopes: Vec::new(),
            roles: Vec::new(),
            lifetime: DEFAULT_LIFETIME,
        }
    }

    /// An app-only token for `app_id`, with no roles until [`TokenRequest::roles`] gives some.
    pub fn app_only(tenant: impl Into<String>, app_id: impl Into<String>) -> Self {
        TokenRequest {
            tenant: tenant.into(),
            app_id: app_id.into(),
            user: None,
            scopes: Vec::new(),
            roles: Vec::new(),
            lifetime: DEFAULT_LIFETIME,
        }
    }

    /// The delegated scopes (`Presence.Read`…), written as `scp`. An app-only token has no
    /// `scp`: scopes given to one are left out.
    #[must_use]
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The application permissions (`Presence.Read.All`…), written as `roles`.
    #[must_use]
    pub fn roles(mut self, roles: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.roles = roles.into_iter().map(Into::into).collect();
        self
    }

    /// How long the token is valid (60 minutes unless told).
    #[must_use]
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }
}

/// Who a verified token says is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The tenant (`tid`).
    pub tenant: String,
    /// The calling app's client id (`azp`, or `appid`).
    pub app_id: String,
    /// The signed-in user's object id (`oid`) for a delegated token; `None` for app-only.
    pub user: Option<String>,
    /// Delegated scopes (`scp`, split on spaces); empty for app-only.
    pub scopes: Vec<String>,
    /// Application permissions (`roles`).
    pub roles: Vec<String>,
    /// When the token expires (`exp`).
    pub expires: Timestamp,
}

impl Identity {
    /// Whether the token was delegated (signed in as a user).
    pub fn is_delegated(&self) -> bool {
        self.user.is_some()
    }
}

/// An app registered with the emulated identity platform: its client id, display name, the
/// application permissions an admin granted it, and optionally its client secret.
#[derive(Clone)]
pub struct App {
    id: String,
    display_name: String,
    application_permissions: Vec<String>,
    secret: Option<String>,
}

impl App {
    /// An app granted `Presence.Read.All` and `Presence.ReadWrite.All` as application
    /// permissions, that accepts any non-empty client secret.
    pub fn new(id: impl Into<String>, display_name: impl Into<String>) -> Self {
        App {
            id: id.into(),
            display_name: display_name.into(),
            application_permissions: DEFAULT_APPLICATION_PERMISSIONS
                .iter()
                .map(|p| (*p).to_owned())
                .collect(),
            secret: None,
        }
    }

    /// The application permissions granted (the `roles` of its app-only tokens), instead of the
    /// default ones; none at all makes tokens Graph refuses with 403, as Entra does.
    #[must_use]
    pub fn application_permissions(
        mut self,
        permissions: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.application_permissions = permissions.into_iter().map(Into::into).collect();
        self
    }

    /// The client secret the token endpoint requires (without one, any non-empty secret is
    /// accepted).
    #[must_use]
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// Its client id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its display name.
    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    /// Its application permissions.
    pub fn granted(&self) -> &[String] {
        &self.application_permissions
    }
}

/// The secret never shows.
impl fmt::Debug for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("id", &self.id)
            .field("display_name", &self.display_name)
            .field("application_permissions", &self.application_permissions)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The registered apps, by client id (compared in any case: ids are GUIDs).
#[derive(Debug, Clone, Default)]
pub(crate) struct Apps {
    by_id: BTreeMap<String, App>,
}

impl Apps {
    /// No apps.
    pub(crate) fn new() -> Self {
        Apps::default()
    }

    /// Registers `app`, replacing (and returning) one with the same id.
    pub(crate) fn insert(&mut self, app: App) -> Option<App> {
        self.by_id.insert(app.id.to_ascii_lowercase(), app)
    }

    /// The app with this client id.
    pub(crate) fn get(&self, id: &str) -> Option<&App> {
        self.by_id.get(&id.to_ascii_lowercase())
    }

    /// The apps, by id.
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = &App> {
        self.by_id.values()
    }
}

// ---------------------------------------------------------------------------------------------
// The key set

/// The signing key: RSA-2048, made when the emulator starts, with its `kid`.
pub(crate) struct KeySet {
    kid: String,
    pair: RsaKeyPair,
    /// The public modulus and exponent, big-endian without leading zeros.
    n: Vec<u8>,
    e: Vec<u8>,
}

impl KeySet {
    /// A new key. Fails only when AWS-LC cannot make one.
    pub(crate) fn generate() -> Result<Self, Unspecified> {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048)?;
        let (n, e) = rsa_public_numbers(pair.public_key().as_ref()).ok_or(Unspecified)?;
        // RFC 7638: the SHA-256 of the required members, sorted, without whitespace.
        let canonical = format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(&e),
            URL_SAFE_NO_PAD.encode(&n)
        );
        let kid = URL_SAFE_NO_PAD.encode(digest(&SHA256, canonical.as_bytes()));
        Ok(KeySet { kid, pair, n, e })
    }

    /// The key's id, as tokens' headers and the JWKS name it.
    pub(crate) fn kid(&self) -> &str {
        &self.kid
    }

    /// The key as a JWK (`issuer` per key, as Microsoft's tenant key documents give it).
    fn jwk(&self, issuer: &str) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&self.n),
            "e": URL_SAFE_NO_PAD.encode(&self.e),
            "issuer": issuer,
        })
    }

    /// A compact JWS of `claims` with this key: header `{"typ":"JWT","alg":"RS256","kid":…}`.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": self.kid});
        self.sign_with_header(&header, claims)
    }

    /// A compact JWS of `claims` under `header`, signed RS256 whatever the header says.
    pub(crate) fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", b64_json(header), b64_json(claims));
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            // Signing with a key AWS-LC made, into a buffer of the modulus' length, fails only
            // if AWS-LC itself is broken.
            .expect("RS256 signing with the emulator's own key");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// Whether `signature` is this key's RS256 signature of `signed`, checked with the public
    /// numbers the JWKS publishes.
    fn verifies(&self, signed: &[u8], signature: &[u8]) -> bool {
        RsaPublicKeyComponents {
            n: &self.n[..],
            e: &self.e[..],
        }
        .verify(&RSA_PKCS1_2048_8192_SHA256, signed, signature)
        .is_ok()
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet").field("kid", &self.kid).finish()
    }
}

/// The modulus and exponent of a PKCS#1 `RSAPublicKey` (`SEQUENCE { INTEGER n, INTEGER e }`,
/// DER, as AWS-LC gives a key pair's public key), big-endian without leading zeros. Read here
/// rather than through aws-lc-rs's `ring-io` accessors, which would bring a second, older
/// `untrusted` into the tree.
fn rsa_public_numbers(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (0x30, sequence, []) = der_item(der)? else {
        return None;
    };
    let (0x02, n, rest) = der_item(sequence)? else {
        return None;
    };
    let (0x02, e, []) = der_item(rest)? else {
        return None;
    };
    let unsigned =
        |int: &[u8]| -> Vec<u8> { int.iter().skip_while(|&&b| b == 0).copied().collect() };
    Some((unsigned(n), unsigned(e)))
}

/// One DER item: its tag, contents and what follows it (definite lengths of up to four bytes).
fn der_item(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (digits, rest) = rest.split_at(count);
        let len = digits
            .iter()
            .fold(0usize, |len, &digit| (len << 8) | usize::from(digit));
        (len, rest)
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

fn b64_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

// ---------------------------------------------------------------------------------------------
// Decoding

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    crit: Option<Value>,
}

#[derive(Deserialize)]
struct Claims {
    aud: Option<Audience>,
    iss: Option<String>,
    tid: Option<String>,
    azp: Option<String>,
    appid: Option<String>,
    oid: Option<String>,
    scp: Option<String>,
    roles: Option<Vec<String>>,
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

/// A base64url JSON segment. serde's derive refuses a repeated member, so a token cannot carry
/// two `aud`s for two readers to disagree on.
fn decode_json<T: DeserializeOwned>(part: &str, malformed: &'static str) -> Result<T, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed(malformed))?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed(malformed))
}

/// A JWT NumericDate: seconds since the epoch, possibly fractional (the fraction is dropped).
fn numeric_date(value: &serde_json::Number) -> Result<Timestamp, TokenError> {
    const OUT_OF_RANGE: TokenError = TokenError::Malformed("a time out of range");
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

// ---------------------------------------------------------------------------------------------
// Permissions

/// Whether `granted` satisfies `required` (the module's hierarchy table; names in any case).
pub(crate) fn satisfies(granted: &str, required: &str) -> bool {
    const READ: &str = "Presence.Read";
    const READ_ALL: &str = "Presence.Read.All";
    const READ_WRITE: &str = "Presence.ReadWrite";
    const READ_WRITE_ALL: &str = "Presence.ReadWrite.All";
    let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    if is(granted, required) {
        return true;
    }
    let implied: &[&str] = if is(granted, READ_ALL) || is(granted, READ_WRITE) {
        &[READ]
    } else if is(granted, READ_WRITE_ALL) {
        &[READ, READ_ALL, READ_WRITE]
    } else {
        &[]
    };
    implied.iter().any(|p| is(p, required))
}

/// Graph's permission check of `identity` for `operation`: `/me` needs a delegated token
/// ([`require_delegated_for_me`], 400); then a delegated token needs a scope satisfying one of
/// the operation's delegated permissions, an app-only token a role satisfying one of its
/// application permissions (403 `Forbidden` otherwise, and when the list for the token's kind
/// is empty). An operation whose document states no permissions lets any verified token by.
pub(crate) fn check(identity: &Identity, operation: &OperationInfo) -> Result<(), Failure> {
    require_delegated_for_me(identity, operation.path)?;
    let Some(permissions) = &operation.permissions else {
        return Ok(());
    };
    let (required, granted) = if identity.is_delegated() {
        (permissions.delegated, &identity.scopes)
    } else {
        (permissions.application, &identity.roles)
    };
    if required.is_empty() {
        return Err(Failure::forbidden(if identity.is_delegated() {
            "Delegated permissions are not supported for this operation: it needs an app-only \
             token."
        } else {
            "Application permissions are not supported for this operation: it needs a delegated \
             token (a signed-in user)."
        }));
    }
    if required
        .iter()
        .any(|r| granted.iter().any(|g| satisfies(g, r)))
    {
        Ok(())
    } else {
        Err(Failure::forbidden(
            "Insufficient privileges to complete the operation.",
        ))
    }
}

/// Graph's answer to `/me` (or anything under it) with an app-only token: 400 `BadRequest`,
/// "/me request is only valid with delegated authentication flow.". `path` is a path template
/// or a request's path, with or without a leading `/v1.0` or `/beta`.
pub(crate) fn require_delegated_for_me(identity: &Identity, path: &str) -> Result<(), Failure> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let path = ["/v1.0", "/beta"]
        .iter()
        .find_map(|version| {
            path.strip_prefix(version)
                .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .unwrap_or(path);
    let me = path
        .strip_prefix("/me")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if me && !identity.is_delegated() {
        Err(Failure::bad_request(
            "/me request is only valid with delegated authentication flow.",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
