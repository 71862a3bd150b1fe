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
use graph_models_runtime::excerpt;
use graph_presence_server::{Failure, OperationInfo};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

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
// The authority

/// The emulated identity platform: one signing key, the registered apps, and the emulator's
/// base URL that its issuers and endpoints hang from.
#[derive(Debug)]
pub(crate) struct Authority {
    /// Without a trailing slash.
    base: String,
    keys: KeySet,
    apps: Apps,
    /// The lifetime of the token endpoint's tokens.
    lifetime: Duration,
    /// Makes every token id unique even if the random source fails.
    issued: AtomicU64,
}

impl Authority {
    /// An authority at `base_url` (the emulator's, such as `http://127.0.0.1:4010`) with a new
    /// key. Fails only when AWS-LC cannot make a key.
    pub(crate) fn new(base_url: &str, apps: Apps) -> Result<Self, Unspecified> {
        Ok(Authority {
            base: base_url.trim_end_matches('/').to_owned(),
            keys: KeySet::generate()?,
            apps,
            lifetime: DEFAULT_LIFETIME,
            issued: AtomicU64::new(0),
        })
    }

    /// The signing key.
    pub(crate) fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// Sets the lifetime of the token endpoint's tokens (60 minutes unless set).
    #[cfg(test)]
    pub(crate) fn set_token_lifetime(&mut self, lifetime: Duration) {
        self.lifetime = lifetime;
    }

    /// `{base}/{tenant}/v2.0`.
    pub(crate) fn issuer(&self, tenant: &str) -> String {
        format!("{}/{tenant}/v2.0", self.base)
    }

    /// `{base}/{tenant}/discovery/v2.0/keys`.
    pub(crate) fn jwks_uri(&self, tenant: &str) -> String {
        format!("{}/{tenant}/discovery/v2.0/keys", self.base)
    }

    /// `{base}/{tenant}/v2.0/.well-known/openid-configuration`.
    pub(crate) fn openid_configuration_uri(&self, tenant: &str) -> String {
        format!(
            "{}/{tenant}/v2.0/.well-known/openid-configuration",
            self.base
        )
    }

    /// `{base}/{tenant}/oauth2/v2.0/token`.
    pub(crate) fn token_endpoint(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/token", self.base)
    }

    /// The JWKS document served at [`Authority::jwks_uri`]:
    /// `{"keys":[{"kty":"RSA","use":"sig","kid","n","e","issuer"}]}`.
    pub(crate) fn jwks(&self, tenant: &str) -> Value {
        json!({ "keys": [self.keys.jwk(&self.issuer(tenant))] })
    }

    /// The OpenID configuration served at [`Authority::openid_configuration_uri`], in the
    /// shape of Microsoft's v2.0 one. The `authorization_endpoint` (which discovery requires)
    /// is Microsoft's shape too; the emulator issues tokens by its token endpoint only.
    pub(crate) fn openid_configuration(&self, tenant: &str) -> Value {
        json!({
            "issuer": self.issuer(tenant),
            "jwks_uri": self.jwks_uri(tenant),
            "token_endpoint": self.token_endpoint(tenant),
            "authorization_endpoint": format!("{}/{tenant}/oauth2/v2.0/authorize", self.base),
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "grant_types_supported": ["client_credentials"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": [
                "sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "azp", "appid", "scp",
                "roles", "ver", "uti"
            ],
            "request_uri_parameter_supported": false,
            "msgraph_host": "graph.microsoft.com",
        })
    }

    /// An access token for Graph, issued at `now` (claims in the module's table).
    pub(crate) fn issue(&self, request: &TokenRequest, now: Timestamp) -> String {
        let lifetime = SignedDuration::try_from(request.lifetime).unwrap_or(SignedDuration::MAX);
        let iat = now.as_second();
        let exp = now
            .saturating_add(lifetime)
            .unwrap_or(Timestamp::MAX)
            .as_second();
        let id = self.token_id();
        let mut claims = Map::new();
        claims.insert("aud".into(), GRAPH_AUDIENCE.into());
        claims.insert("iss".into(), self.issuer(&request.tenant).into());
        claims.insert("iat".into(), iat.into());
        claims.insert("nbf".into(), iat.into());
        claims.insert("exp".into(), exp.into());
        if let Some(app) = self.apps.get(&request.app_id) {
            claims.insert("app_displayname".into(), app.display_name.clone().into());
        }
        claims.insert("appid".into(), request.app_id.clone().into());
        claims.insert("appidacr".into(), "1".into());
        claims.insert("azp".into(), request.app_id.clone().into());
        claims.insert("azpacr".into(), "1".into());
        match &request.user {
            Some(user) => {
                claims.insert("idtyp".into(), "user".into());
                claims.insert("oid".into(), user.clone().into());
                claims.insert("scp".into(), request.scopes.join(" ").into());
                claims.insert("sub".into(), user.clone().into());
            }
            None => {
                claims.insert("idtyp".into(), "app".into());
                claims.insert("sub".into(), request.app_id.clone().into());
            }
        }
        if !request.roles.is_empty() {
            claims.insert("roles".into(), request.roles.clone().into());
        }
        claims.insert("tid".into(), request.tenant.clone().into());
        claims.insert("uti".into(), id.clone().into());
        claims.insert("jti".into(), id.into());
        claims.insert("ver".into(), "2.0".into());
        self.keys.sign(&Value::Object(claims))
    }

    /// 16 bytes, base64url (22 characters, like Entra's `uti`): a counter and 8 random bytes.
    fn token_id(&self) -> String {
        let count = self.issued.fetch_add(1, Ordering::Relaxed);
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&count.to_be_bytes());
        // Without randomness the counter alone keeps ids unique.
        let _ = aws_lc_rs::rand::fill(&mut bytes[8..]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The token endpoint at `{base}/{tenant}/oauth2/v2.0/token`, given the tenant its path
    /// names and its form: OAuth 2.0 client credentials (RFC 6749 §4.4) with the secret in the
    /// form (`client_secret_post`). The answer is Entra's
    /// `{"token_type":"Bearer","expires_in","ext_expires_in","access_token"}`, or an
    /// [`OAuthError`] with Entra's codes. A registered app's configured secret must match
    /// (compared in constant time); an app registered without one accepts any non-empty
    /// secret. An unknown client id is refused, as Entra does (`unauthorized_client`).
    pub(crate) fn token_response(
        &self,
        tenant: &str,
        form: &[(String, String)],
        now: Timestamp,
    ) -> Result<Value, OAuthError> {
        let error = |kind, code, description: String| OAuthError {
            kind,
            code,
            description,
            timestamp: now,
        };
        if tenant.is_empty()
            || tenant.len() > 100
            || !tenant
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            return Err(error(
                OAuthErrorKind::InvalidRequest,
                Some(90002),
                format!(
                    "AADSTS90002: Tenant '{}' not found.",
                    excerpt(tenant, ECHO_CHARS)
                ),
            ));
        }
        if ["common", "organizations", "consumers"]
            .iter()
            .any(|t| t.eq_ignore_ascii_case(tenant))
        {
            return Err(error(
                OAuthErrorKind::InvalidRequest,
                None,
                format!("The client credentials flow needs a tenant id; '{tenant}' names none."),
            ));
        }
        // RFC 6749 §3.2: parameters must not be included more than once.
        for (i, (name, _)) in form.iter().enumerate() {
            if form[..i].iter().any(|(other, _)| other == name) {
                return Err(error(
                    OAuthErrorKind::InvalidRequest,
                    None,
                    format!(
                        "The request body has the parameter '{}' more than once.",
                        excerpt(name, ECHO_CHARS)
                    ),
                ));
            }
        }
        let param = |name: &str| {
            form.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
        };
        let missing = |name: &str| {
            error(
                OAuthErrorKind::InvalidRequest,
                Some(900144),
                format!(
                    "AADSTS900144: The request body must contain the following parameter: \
                     '{name}'."
                ),
            )
        };

        let grant_type = param("grant_type").ok_or_else(|| missing("grant_type"))?;
        if grant_type != "client_credentials" {
            return Err(error(
                OAuthErrorKind::UnsupportedGrantType,
                Some(70003),
                format!(
                    "AADSTS70003: The app requested an unsupported grant type '{}'; the \
                     emulator's token endpoint supports client_credentials only.",
                    excerpt(grant_type, ECHO_CHARS)
                ),
            ));
        }
        let client_id = param("client_id").ok_or_else(|| missing("client_id"))?;
        let app = self.apps.get(client_id).ok_or_else(|| {
            error(
                OAuthErrorKind::UnauthorizedClient,
                Some(700016),
                format!(
                    "AADSTS700016: Application with identifier '{}' was not found in the \
                     directory '{tenant}'. This can happen if the application has not been \
                     installed by the administrator of the tenant or consented to by any user \
                     in the tenant. You may have sent your authentication request to the wrong \
                     tenant.",
                    excerpt(client_id, ECHO_CHARS)
                ),
            )
        })?;
        let secret = param("client_secret").ok_or_else(|| {
            error(
                OAuthErrorKind::InvalidClient,
                Some(7000218),
                "AADSTS7000218: The request body must contain the following parameter: \
                 'client_assertion' or 'client_secret'."
                    .to_owned(),
            )
        })?;
        if let Some(expected) = &app.secret
            && aws_lc_rs::constant_time::verify_slices_are_equal(
                expected.as_bytes(),
                secret.as_bytes(),
            )
            .is_err()
        {
            return Err(error(
                OAuthErrorKind::InvalidClient,
                Some(7000215),
                format!(
                    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent \
                     in the request is the client secret value, not the client secret ID, for a \
                     secret added to app '{}'.",
                    app.id
                ),
            ));
        }
        let scope = param("scope").ok_or_else(|| missing("scope"))?;
        check_default_scope(scope, tenant)
            .map_err(|(kind, code, description)| error(kind, Some(code), description))?;

        let request = TokenRequest::app_only(tenant, app.id.clone())
            .roles(app.application_permissions.iter().cloned())
            .lifetime(self.lifetime);
        let expires_in = self.lifetime.as_secs();
        Ok(json!({
            "token_type": "Bearer",
            "expires_in": expires_in,
            "ext_expires_in": expires_in,
            "access_token": self.issue(&request, now),
        }))
    }

    /// Verifies a bearer token at `now`: its header (`RS256`, this key's `kid`, no critical
    /// extensions), its signature, then its claims (module docs).
    pub(crate) fn verify(&self, token: &str, now: Timestamp) -> Result<Identity, TokenError> {
        if token.trim().is_empty() {
            return Err(TokenError::Empty);
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed("longer than 16 KiB"));
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed("not three dot-separated parts"));
        };
        let header: Header = decode_json(header_b64, "a header that is not base64url JSON")?;
        if header.alg != "RS256" {
            return Err(TokenError::Algorithm);
        }
        if header.crit.is_some() {
            return Err(TokenError::Malformed("critical header parameters"));
        }
        if header.kid.as_deref() != Some(self.keys.kid()) {
            return Err(TokenError::UnknownKey);
        }
        let signature = URL_SAFE_NO_PAD
            .decode(signature_b64)
            .map_err(|_| TokenError::Malformed("a signature that is not base64url"))?;
        // The signing input is the first two parts as sent, with the dot between them.
        let signed = &token[..header_b64.len() + 1 + claims_b64.len()];
        if !self.keys.verifies(signed.as_bytes(), &signature) {
            return Err(TokenError::Signature);
        }
        let claims: Claims = decode_json(claims_b64, "claims that are not base64url JSON")?;
        self.check_claims(claims, now)
    }

    fn check_claims(&self, claims: Claims, now: Timestamp) -> Result<Identity, TokenError> {
        let skew = i64::try_from(CLOCK_SKEW.as_secs()).unwrap_or(i64::MAX);
        let expires = numeric_date(claims.exp.as_ref().ok_or(TokenError::Malformed("no exp"))?)?;
        if now.as_second().saturating_sub(skew) >= expires.as_second() {
            return Err(TokenError::Expired);
        }
        if let Some(nbf) = &claims.nbf
            && now.as_second().saturating_add(skew) < numeric_date(nbf)?.as_second()
        {
            return Err(TokenError::NotYetValid);
        }

        let graph = |aud: &str| {
            let aud = aud.strip_suffix('/').unwrap_or(aud);
            aud.eq_ignore_ascii_case(GRAPH_AUDIENCE) || aud.eq_ignore_ascii_case(GRAPH_APP_ID)
        };
        let audience_ok = match &claims.aud {
            Some(Audience::One(aud)) => graph(aud),
            Some(Audience::Many(auds)) => auds.iter().any(|aud| graph(aud)),
            None => false,
        };
        if !audience_ok {
            return Err(TokenError::Audience);
        }

        let tenant = claims
            .tid
            .filter(|t| !t.is_empty() && !t.contains('/'))
            .ok_or(TokenError::Malformed("no tid"))?;
        if claims.iss.as_deref() != Some(self.issuer(&tenant).as_str()) {
            return Err(TokenError::Issuer);
        }

        let app_id = match (claims.azp, claims.appid) {
            (Some(azp), Some(appid)) if !azp.eq_ignore_ascii_case(&appid) => {
                return Err(TokenError::Malformed("azp and appid differ"));
            }
            (Some(id), _) | (None, Some(id)) if !id.is_empty() => id,
            _ => return Err(TokenError::Malformed("no azp or appid")),
        };

        let roles = claims.roles.unwrap_or_default();
        let (user, scopes) = match claims.scp {
            Some(scp) => {
                let user = claims
                    .oid
                    .filter(|oid| !oid.is_empty())
                    .ok_or(TokenError::Malformed("a delegated token without oid"))?;
                let scopes = scp.split_whitespace().map(str::to_owned).collect();
                (Some(user), scopes)
            }
            None => (None, Vec::new()),
        };
        Ok(Identity {
            tenant,
            app_id,
            user,
            scopes,
            roles,
            expires,
        })
    }

    /// A request's bearer token (as [`graph_presence_server::Context::bearer_token`] gives
    /// it) verified at `now`, or Graph's 401 with a `WWW-Authenticate` challenge.
    pub(crate) fn authenticate(
        &self,
        bearer: Option<&str>,
        now: Timestamp,
    ) -> Result<Identity, Failure> {
        self.verify(bearer.unwrap_or(""), now).map_err(|e| {
            e.failure().header(
                http::header::WWW_AUTHENTICATE,
                &format!(
                    r#"Bearer realm="", authorization_uri="{}/common/oauth2/authorize", client_id="{GRAPH_APP_ID}""#,
                    self.base
                ),
            )
        })
    }
}

/// A client-credentials `scope`: exactly Graph's `/.default` (its URL or app id). Errors are
/// (kind, AADSTS code, description).
fn check_default_scope(scope: &str, tenant: &str) -> Result<(), (OAuthErrorKind, u32, String)> {
    let items: Vec<&str> = scope.split_whitespace().collect();
    let invalid = || {
        (
            OAuthErrorKind::InvalidScope,
            1002012,
            format!(
                "AADSTS1002012: The provided value for scope {} is not valid. Client credential \
                 flows must have a scope value with /.default suffixed to the resource \
                 identifier (application ID URI).",
                excerpt(scope, ECHO_CHARS)
            ),
        )
    };
    let [item] = items[..] else {
        return Err(invalid());
    };
    let Some(resource) = item.strip_suffix("/.default") else {
        return Err(invalid());
    };
    let resource_id = resource.strip_suffix('/').unwrap_or(resource);
    if resource_id.eq_ignore_ascii_case(GRAPH_AUDIENCE)
        || resource_id.eq_ignore_ascii_case(GRAPH_APP_ID)
    {
        Ok(())
    } else {
        Err((
            OAuthErrorKind::InvalidResource,
            500011,
            format!(
                "AADSTS500011: The resource principal named {} was not found in the tenant \
                 named {tenant}. The emulator issues tokens for Microsoft Graph only.",
                excerpt(resource, ECHO_CHARS)
            ),
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Token errors

/// Why a bearer token was refused: a short reason, never the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenError {
    /// No token.
    Empty,
    /// Not a JWT the emulator could have issued (the reason says how).
    Malformed(&'static str),
    /// An `alg` other than `RS256` (`none`, `HS256`…).
    Algorithm,
    /// A `kid` that is not this authority's key, or none.
    UnknownKey,
    /// The signature does not verify.
    Signature,
    /// `exp` is past, beyond the skew.
    Expired,
    /// `nbf` is ahead, beyond the skew.
    NotYetValid,
    /// `aud` is not Graph.
    Audience,
    /// `iss` is not the issuer of the token's tenant.
    Issuer,
}

impl TokenError {
    /// The 401 message, in Graph's words where Graph has them.
    pub(crate) fn message(&self) -> String {
        match self {
            TokenError::Empty => "Access token is empty.".to_owned(),
            TokenError::Expired | TokenError::NotYetValid => {
                "Access token has expired or is not yet valid.".to_owned()
            }
            TokenError::Audience => "Access token validation failure. Invalid audience.".to_owned(),
            TokenError::Issuer => "Access token validation failure. Invalid issuer.".to_owned(),
            TokenError::Signature => "Access token validation failure. Invalid signature.".to_owned(),
            TokenError::Algorithm => {
                "Access token validation failure. The signing algorithm must be RS256.".to_owned()
            }
            TokenError::UnknownKey => {
                "Access token validation failure. The signing key is not the emulator's (unknown kid)."
                    .to_owned()
            }
            TokenError::Malformed(reason) => {
                format!("Access token validation failure. Malformed token: {reason}.")
            }
        }
    }

    /// Graph's 401 `InvalidAuthenticationToken` with [`TokenError::message`].
    pub(crate) fn failure(&self) -> Failure {
        Failure::new(401, "InvalidAuthenticationToken", self.message())
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for TokenError {}

/// The token endpoint's refusals (RFC 6749 §5.2), as Entra names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OAuthErrorKind {
    /// A parameter missing, repeated or malformed (400).
    InvalidRequest,
    /// Client authentication failed: no secret, or the wrong one (401).
    InvalidClient,
    /// No such app in the directory: Entra's answer to an unknown client id (400).
    UnauthorizedClient,
    /// A grant type other than client credentials (400).
    UnsupportedGrantType,
    /// A scope that is not a resource's `/.default` (400).
    InvalidScope,
    /// A `/.default` of a resource other than Graph (400).
    InvalidResource,
}

/// A token endpoint refusal: Entra's `{"error", "error_description", "error_codes",
/// "timestamp"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    kind: OAuthErrorKind,
    /// The AADSTS number, when Entra has one for it.
    code: Option<u32>,
    description: String,
    timestamp: Timestamp,
}

impl OAuthError {
    /// The `error` value (`invalid_request`…).
    pub(crate) fn error(&self) -> &'static str {
        match self.kind {
            OAuthErrorKind::InvalidRequest => "invalid_request",
            OAuthErrorKind::InvalidClient => "invalid_client",
            OAuthErrorKind::UnauthorizedClient => "unauthorized_client",
            OAuthErrorKind::UnsupportedGrantType => "unsupported_grant_type",
            OAuthErrorKind::InvalidScope => "invalid_scope",
            OAuthErrorKind::InvalidResource => "invalid_resource",
        }
    }

    /// The HTTP status: 401 for `invalid_client` (RFC 6749 §5.2, and Entra), 400 otherwise.
    pub(crate) fn status(&self) -> u16 {
        match self.kind {
            OAuthErrorKind::InvalidClient => 401,
            _ => 400,
        }
    }

    /// The description (bounded: the request's own text in it is cut short and escaped).
    #[cfg(test)]
    pub(crate) fn description(&self) -> &str {
        &self.description
    }

    /// The answer's JSON body (served with `Cache-Control: no-store`, RFC 6749 §5.2).
    pub(crate) fn to_json(&self) -> Value {
        let mut body = Map::new();
        body.insert("error".into(), self.error().into());
        body.insert("error_description".into(), self.description.clone().into());
        if let Some(code) = self.code {
            body.insert("error_codes".into(), json!([code]));
        }
        body.insert(
            "timestamp".into(),
            self.timestamp
                .strftime("%Y-%m-%d %H:%M:%SZ")
                .to_string()
                .into(),
        );
        Value::Object(body)
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error(), self.description)
    }
}

impl std::error::Error for OAuthError {}

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
mod tests {
    use super::*;
    use graph_presence_server::OPERATIONS;

    const BASE: &str = "http://127.0.0.1:4010";
    const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const APP_ID: &str = "6ab6b2ee-1ef8-4a1b-9a3c-8e1b0b4d0f7e";
    const LOCKED_APP_ID: &str = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9";
    const SECRET: &str = "s3cr3t~value";
    const USER: &str = "2d9e1f3c-9d0e-4f5b-8f7f-0c7c2a3c4d5e";

    fn now() -> Timestamp {
        "2026-12-01T09:00:00Z".parse().expect("a timestamp")
    }

    fn at(seconds_from_now: i64) -> Timestamp {
        now()
            .checked_add(SignedDuration::from_secs(seconds_from_now))
            .expect("in range")
    }

    /// An authority with two apps: one with the default permissions and no secret, one with a
    /// secret and read permission only.
    fn authority() -> Authority {
        let mut apps = Apps::new();
        apps.insert(App::new(APP_ID, "Presence dashboard"));
        apps.insert(
            App::new(LOCKED_APP_ID, "Locked app")
                .secret(SECRET)
                .application_permissions(["Presence.Read.All"]),
        );
        Authority::new(BASE, apps).expect("a key")
    }

    fn delegated(scopes: &[&str]) -> Identity {
        Identity {
            tenant: TENANT.into(),
            app_id: APP_ID.into(),
            user: Some(USER.into()),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            roles: Vec::new(),
            expires: at(3600),
        }
    }

    fn app_only(roles: &[&str]) -> Identity {
        Identity {
            user: None,
            scopes: Vec::new(),
            roles: roles.iter().map(|s| (*s).to_owned()).collect(),
            ..delegated(&[])
        }
    }

    fn operation(id: &str) -> &'static OperationInfo {
        OPERATIONS
            .iter()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("no operation {id}"))
    }

    fn segment(token: &str, index: usize) -> Value {
        let part = token.split('.').nth(index).expect("a segment");
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
    }

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn delegated_token(authority: &Authority) -> String {
        authority.issue(
            &TokenRequest::delegated(TENANT, APP_ID, USER).scopes(["Presence.Read"]),
            now(),
        )
    }

    #[test]
    fn an_issued_token_verifies_into_its_identity() {
        let authority = authority();
        let request =
            TokenRequest::delegated(TENANT, APP_ID, USER).scopes(["Presence.Read", "User.Read"]);
        let identity = authority
            .verify(&authority.issue(&request, now()), now())
            .expect("verifies");
        assert_eq!(identity, delegated(&["Presence.Read", "User.Read"]));
        assert!(identity.is_delegated());

        let request = TokenRequest::app_only(TENANT, APP_ID)
            .roles(["Presence.Read.All"])
            .scopes(["left.out"])
            .lifetime(Duration::from_secs(90 * 60));
        let identity = authority
            .verify(&authority.issue(&request, now()), at(60))
            .expect("verifies");
        assert_eq!(
            identity,
            Identity {
                expires: at(90 * 60),
                ..app_only(&["Presence.Read.All"])
            }
        );
        assert!(!identity.is_delegated());
    }

    #[test]
    fn claims_are_entras_access_token_claims() {
        let authority = authority();
        let token = delegated_token(&authority);
        let header = segment(&token, 0);
        assert_eq!(
            header,
            json!({"typ": "JWT", "alg": "RS256", "kid": authority.keys().kid()})
        );
        let claims = segment(&token, 1);
        let issuer = format!("{BASE}/{TENANT}/v2.0");
        for (name, value) in [
            ("aud", json!("https://graph.microsoft.com")),
            ("iss", json!(issuer)),
            ("tid", json!(TENANT)),
            ("appid", json!(APP_ID)),
            ("azp", json!(APP_ID)),
            ("app_displayname", json!("Presence dashboard")),
            ("idtyp", json!("user")),
            ("oid", json!(USER)),
            ("sub", json!(USER)),
            ("scp", json!("Presence.Read")),
            ("iat", json!(now().as_second())),
            ("nbf", json!(now().as_second())),
            ("exp", json!(now().as_second() + 3600)),
            ("ver", json!("2.0")),
        ] {
            assert_eq!(claims[name], value, "{name}");
        }
        assert!(claims.get("roles").is_none());
        let uti = claims["uti"].as_str().expect("a uti");
        assert_eq!(uti.len(), 22);
        assert_eq!(claims["jti"], uti);
        let again = segment(&delegated_token(&authority), 1);
        assert_ne!(again["uti"], uti, "token ids are unique");

        let app = authority.issue(
            &TokenRequest::app_only(TENANT, APP_ID).roles(["Presence.Read.All"]),
            now(),
        );
        let claims = segment(&app, 1);
        assert_eq!(claims["idtyp"], "app");
        assert_eq!(claims["roles"], json!(["Presence.Read.All"]));
        assert_eq!(claims["sub"], APP_ID);
        assert!(claims.get("oid").is_none() && claims.get("scp").is_none());
    }

    #[test]
    fn time_is_checked_with_five_minutes_of_skew() {
        let authority = authority();
        let token = delegated_token(&authority);
        let skew = 5 * 60;
        assert!(authority.verify(&token, at(3600 + skew - 1)).is_ok());
        assert_eq!(
            authority.verify(&token, at(3600 + skew)),
            Err(TokenError::Expired)
        );
        assert!(authority.verify(&token, at(-skew)).is_ok());
        assert_eq!(
            authority.verify(&token, at(-skew - 1)),
            Err(TokenError::NotYetValid)
        );
        assert_eq!(
            TokenError::Expired.message(),
            "Access token has expired or is not yet valid."
        );
    }

    /// A valid token's claims, changed by `change`, signed with the authority's key.
    fn resigned(authority: &Authority, change: impl FnOnce(&mut Map<String, Value>)) -> String {
        let Value::Object(mut claims) = segment(&delegated_token(authority), 1) else {
            panic!("claims are an object");
        };
        change(&mut claims);
        authority.keys().sign(&Value::Object(claims))
    }

    #[test]
    fn claims_that_do_not_fit_are_refused() {
        let authority = authority();
        let verify = |token: String| authority.verify(&token, now());
        let set = |name: &'static str, value: Value| {
            move |claims: &mut Map<String, Value>| {
                claims.insert(name.to_owned(), value);
            }
        };
        let remove = |name: &'static str| {
            move |claims: &mut Map<String, Value>| {
                claims.remove(name);
            }
        };

        assert_eq!(
            verify(resigned(&authority, set("aud", json!("api://another-app")))),
            Err(TokenError::Audience)
        );
        assert_eq!(
            verify(resigned(&authority, remove("aud"))),
            Err(TokenError::Audience)
        );
        // Graph's other names for itself pass.
        for aud in [
            json!(GRAPH_APP_ID),
            json!("https://graph.microsoft.com/"),
            json!(["api://another-app", "https://graph.microsoft.com"]),
        ] {
            assert!(verify(resigned(&authority, set("aud", aud))).is_ok());
        }

        let microsoft = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
        assert_eq!(
            verify(resigned(&authority, set("iss", json!(microsoft)))),
            Err(TokenError::Issuer)
        );
        let another_tenant = format!("{BASE}/another-tenant/v2.0");
        assert_eq!(
            verify(resigned(&authority, set("iss", json!(another_tenant)))),
            Err(TokenError::Issuer)
        );

        assert_eq!(
            verify(resigned(&authority, remove("exp"))),
            Err(TokenError::Malformed("no exp"))
        );
        assert_eq!(
            verify(resigned(&authority, set("exp", json!("tomorrow")))),
            Err(TokenError::Malformed("claims that are not base64url JSON"))
        );
        assert_eq!(
            verify(resigned(&authority, remove("tid"))),
            Err(TokenError::Malformed("no tid"))
        );
        assert_eq!(
            verify(resigned(&authority, remove("oid"))),
            Err(TokenError::Malformed("a delegated token without oid"))
        );
        assert_eq!(
            verify(resigned(&authority, set("azp", json!(LOCKED_APP_ID)))),
            Err(TokenError::Malformed("azp and appid differ"))
        );
        let no_app = resigned(&authority, |claims| {
            claims.remove("azp");
            claims.remove("appid");
        });
        assert_eq!(
            verify(no_app),
            Err(TokenError::Malformed("no azp or appid"))
        );
        // v1 tokens name the app in `appid` only.
        let v1 = verify(resigned(&authority, remove("azp"))).expect("verifies");
        assert_eq!(v1.app_id, APP_ID);
    }

    #[test]
    fn tampered_tokens_are_refused() {
        let authority = authority();
        let token = delegated_token(&authority);
        let parts: Vec<&str> = token.split('.').collect();

        // A payload that grants more, under the original signature.
        let mut claims = segment(&token, 1);
        claims["scp"] = json!("Presence.ReadWrite.All");
        let forged = format!("{}.{}.{}", parts[0], b64_json(&claims), parts[2]);
        assert_eq!(authority.verify(&forged, now()), Err(TokenError::Signature));

        // One bit of the signature flipped.
        let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("base64url");
        signature[100] ^= 1;
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            URL_SAFE_NO_PAD.encode(signature)
        );
        assert_eq!(authority.verify(&forged, now()), Err(TokenError::Signature));

        // Another authority's token, and another key claiming this authority's kid.
        let other = Authority::new(BASE, Apps::new()).expect("a key");
        assert_eq!(
            authority.verify(&delegated_token(&other), now()),
            Err(TokenError::UnknownKey)
        );
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": authority.keys().kid()});
        let forged = other.keys().sign_with_header(&header, &segment(&token, 1));
        assert_eq!(authority.verify(&forged, now()), Err(TokenError::Signature));
    }

    #[test]
    fn only_rs256_with_this_authoritys_key_is_accepted() {
        let authority = authority();
        let token = delegated_token(&authority);
        let claims = segment(&token, 1);
        let kid = authority.keys().kid();

        let none = format!(
            "{}.{}.",
            b64_json(&json!({"typ": "JWT", "alg": "none"})),
            b64_json(&claims)
        );
        assert_eq!(authority.verify(&none, now()), Err(TokenError::Algorithm));

        // HS256 keyed with the public key's bytes: the classic algorithm confusion.
        let input = format!(
            "{}.{}",
            b64_json(&json!({"typ": "JWT", "alg": "HS256", "kid": kid})),
            b64_json(&claims)
        );
        let jwks = authority.jwks(TENANT);
        let key = aws_lc_rs::hmac::Key::new(
            aws_lc_rs::hmac::HMAC_SHA256,
            jwks["keys"][0]["n"].as_str().expect("n").as_bytes(),
        );
        let mac = aws_lc_rs::hmac::sign(&key, input.as_bytes());
        let hs256 = format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.as_ref()));
        assert_eq!(authority.verify(&hs256, now()), Err(TokenError::Algorithm));

        for header in [
            json!({"typ": "JWT", "alg": "RS256", "kid": "another-key"}),
            json!({"typ": "JWT", "alg": "RS256"}),
        ] {
            let token = authority.keys().sign_with_header(&header, &claims);
            assert_eq!(authority.verify(&token, now()), Err(TokenError::UnknownKey));
        }
        let critical = json!({"alg": "RS256", "kid": kid, "crit": ["exp"]});
        let token = authority.keys().sign_with_header(&critical, &claims);
        assert_eq!(
            authority.verify(&token, now()),
            Err(TokenError::Malformed("critical header parameters"))
        );
    }

    #[test]
    fn malformed_tokens_are_refused_and_never_repeated() {
        let authority = authority();
        assert_eq!(authority.verify("", now()), Err(TokenError::Empty));
        assert_eq!(authority.verify("  ", now()), Err(TokenError::Empty));
        assert_eq!(TokenError::Empty.message(), "Access token is empty.");

        let valid = delegated_token(&authority);
        let (header, rest) = valid.split_once('.').expect("dots");
        let duplicate_alg = format!(
            "{}.{rest}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","alg":"none"}"#)
        );
        let cases = [
            (
                "secret-opaque-token-value".to_owned(),
                "not three dot-separated parts",
            ),
            (format!("{valid}.extra"), "not three dot-separated parts"),
            (
                format!("!!{header}.{rest}"),
                "a header that is not base64url JSON",
            ),
            (duplicate_alg, "a header that is not base64url JSON"),
            (format!("{valid}~"), "a signature that is not base64url"),
            ("x".repeat(MAX_TOKEN_LEN + 1), "longer than 16 KiB"),
        ];
        for (token, reason) in cases {
            let error = authority.verify(&token, now()).expect_err("refused");
            assert_eq!(error, TokenError::Malformed(reason));
            let message = error.failure().message().to_owned();
            assert!(message.len() < 200, "{message}");
            assert!(!message.contains("secret-opaque") && !message.contains(header));
        }
    }

    #[test]
    fn the_published_key_set_verifies_the_tokens() {
        use graph_presence_notifications::{
            GRAPH_CHANGE_TRACKING_APP_ID, JwkSet, ValidationTokenRules,
        };
        let authority = authority();
        let jwks = authority.jwks(TENANT);

        // With the notifications crate's verifier, as Graph's validation tokens are checked:
        // app-only for Graph's change-tracking app, the audience standing for the app.
        let keys = JwkSet::from_json(&serde_json::to_vec(&jwks).expect("JSON")).expect("a JWKS");
        assert_eq!(keys.key_ids().collect::<Vec<_>>(), [authority.keys().kid()]);
        let token = authority.issue(
            &TokenRequest::app_only(TENANT, GRAPH_CHANGE_TRACKING_APP_ID),
            now(),
        );
        let rules = ValidationTokenRules::new(GRAPH_AUDIENCE, TENANT)
            .also_issuer(format!("{BASE}/{{tenantid}}/v2.0"))
            .expect("an issuer form");
        let verified = rules.verify(&token, &keys, now()).expect("verifies");
        assert_eq!(verified.tenant_id, TENANT);
        assert_eq!(verified.expires_at, at(3600));

        // With aws-lc-rs directly, from the document's `n` and `e`.
        let jwk = &jwks["keys"][0];
        assert_eq!(
            (&jwk["kty"], &jwk["use"], &jwk["e"]),
            (&json!("RSA"), &json!("sig"), &json!("AQAB"))
        );
        let number = |name: &str| {
            URL_SAFE_NO_PAD
                .decode(jwk[name].as_str().expect("a string"))
                .expect("base64url")
        };
        let (n, e) = (number("n"), number("e"));
        assert_eq!(n.len(), 256, "RSA-2048");
        let token = delegated_token(&authority);
        let (signed, signature) = token.rsplit_once('.').expect("dots");
        RsaPublicKeyComponents { n: &n, e: &e }
            .verify(
                &RSA_PKCS1_2048_8192_SHA256,
                signed.as_bytes(),
                &URL_SAFE_NO_PAD.decode(signature).expect("base64url"),
            )
            .expect("the signature verifies with the published key");

        // The kid is the key's RFC 7638 thumbprint.
        let canonical = format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            jwk["e"].as_str().expect("e"),
            jwk["n"].as_str().expect("n")
        );
        let thumbprint = URL_SAFE_NO_PAD.encode(digest(&SHA256, canonical.as_bytes()));
        assert_eq!(jwk["kid"], thumbprint);
    }

    #[test]
    fn the_public_numbers_are_read_from_der_and_junk_is_not() {
        // SEQUENCE { INTEGER 0x00ff (a leading zero), INTEGER 3 }, then long-form lengths.
        assert_eq!(
            rsa_public_numbers(&[0x30, 0x07, 0x02, 0x02, 0x00, 0xff, 0x02, 0x01, 0x03]),
            Some((vec![0xff], vec![0x03]))
        );
        assert_eq!(
            rsa_public_numbers(&[0x30, 0x81, 0x07, 0x02, 0x81, 0x01, 0x07, 0x02, 0x01, 0x03]),
            Some((vec![0x07], vec![0x03]))
        );
        for junk in [
            &[][..],
            &[0x30],
            &[0x30, 0x05, 0x02, 0x01],
            &[0x31, 0x03, 0x02, 0x01, 0x03],
            &[0x30, 0x06, 0x02, 0x01, 0x07, 0x02, 0x01, 0x03, 0x00],
            &[0x30, 0x85, 0, 0, 0, 0, 0],
        ] {
            assert_eq!(rsa_public_numbers(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn discovery_documents_use_microsofts_url_shapes() {
        let authority = Authority::new(&format!("{BASE}/"), Apps::new()).expect("a key");
        let config = authority.openid_configuration(TENANT);
        assert_eq!(config["issuer"], format!("{BASE}/{TENANT}/v2.0"));
        assert_eq!(
            config["jwks_uri"],
            format!("{BASE}/{TENANT}/discovery/v2.0/keys")
        );
        assert_eq!(
            config["token_endpoint"],
            format!("{BASE}/{TENANT}/oauth2/v2.0/token")
        );
        assert_eq!(
            config["id_token_signing_alg_values_supported"],
            json!(["RS256"])
        );
        assert_eq!(
            authority.openid_configuration_uri(TENANT),
            format!("{BASE}/{TENANT}/v2.0/.well-known/openid-configuration")
        );
        assert_eq!(config["jwks_uri"], authority.jwks_uri(TENANT));
        assert_eq!(config["token_endpoint"], authority.token_endpoint(TENANT));
        assert_eq!(
            authority.jwks(TENANT)["keys"][0]["issuer"],
            authority.issuer(TENANT)
        );
    }

    #[test]
    fn authentication_failures_are_graphs_401() {
        let authority = authority();
        let failure = authority.authenticate(None, now()).expect_err("no token");
        assert_eq!(failure.status(), 401);
        assert_eq!(failure.code(), "InvalidAuthenticationToken");
        assert_eq!(failure.message(), "Access token is empty.");
        let challenge = failure.headers()[http::header::WWW_AUTHENTICATE]
            .to_str()
            .expect("text");
        assert!(
            challenge.starts_with("Bearer ") && challenge.contains(BASE),
            "{challenge}"
        );

        let token = delegated_token(&authority);
        let failure = authority
            .authenticate(Some(&token), at(2 * 3600))
            .expect_err("expired");
        assert_eq!(
            failure.message(),
            "Access token has expired or is not yet valid."
        );
        let identity = authority
            .authenticate(Some(&token), now())
            .expect("verifies");
        assert_eq!(identity.user.as_deref(), Some(USER));
    }

    #[test]
    fn the_permission_hierarchy() {
        let names = [
            "Presence.Read",
            "Presence.Read.All",
            "Presence.ReadWrite",
            "Presence.ReadWrite.All",
        ];
        // Rows granted, columns required.
        let table = [
            [true, false, false, false],
            [true, true, false, false],
            [true, false, true, false],
            [true, true, true, true],
        ];
        for (granted, row) in names.iter().zip(table) {
            for (required, expected) in names.iter().zip(row) {
                assert_eq!(
                    satisfies(granted, required),
                    expected,
                    "{granted} for {required}"
                );
            }
        }
        assert!(satisfies("presence.read.all", "Presence.Read"));
        assert!(!satisfies("User.Read", "Presence.Read"));
        assert!(satisfies("User.Read", "User.Read"));
    }

    #[test]
    fn permissions_follow_the_operations_lists() {
        let allowed = |identity: &Identity, id: &str| check(identity, operation(id));

        // Delegated Presence.Read reads your own presence.
        assert!(allowed(&delegated(&["Presence.Read"]), "me_GetPresence").is_ok());
        // /me with an app-only token is a 400, whatever the roles.
        let failure = allowed(&app_only(&["Presence.ReadWrite.All"]), "me_GetPresence")
            .expect_err("/me is delegated only");
        assert_eq!(
            (failure.status().as_u16(), failure.code()),
            (400, "BadRequest")
        );
        assert_eq!(
            failure.message(),
            "/me request is only valid with delegated authentication flow."
        );

        // Presence subscriptions refuse application permissions.
        let failure = allowed(
            &app_only(&["Presence.Read.All"]),
            "subscription_CreateSubscription",
        )
        .expect_err("app-only subscriptions are not supported");
        assert_eq!(
            (failure.status().as_u16(), failure.code()),
            (403, "Forbidden")
        );
        assert!(
            failure
                .message()
                .starts_with("Application permissions are not supported")
        );
        assert!(
            allowed(
                &delegated(&["Presence.Read.All"]),
                "subscription_CreateSubscription"
            )
            .is_ok()
        );
        assert!(
            allowed(
                &delegated(&["Presence.Read"]),
                "subscription_CreateSubscription"
            )
            .is_err()
        );

        // getPresencesByUserId needs Read.All; Presence.Read is not enough.
        let failure = allowed(
            &delegated(&["Presence.Read"]),
            "communications_getPresencesByUserId",
        )
        .expect_err("Read.All needed");
        assert_eq!(
            (failure.status().as_u16(), failure.code()),
            (403, "Forbidden")
        );
        assert_eq!(
            failure.message(),
            "Insufficient privileges to complete the operation."
        );
        // A higher permission passes, delegated and application alike.
        for scopes in [&["Presence.Read.All"], &["Presence.ReadWrite.All"]] {
            assert!(allowed(&delegated(scopes), "communications_getPresencesByUserId").is_ok());
        }
        assert!(
            allowed(
                &app_only(&["Presence.ReadWrite.All"]),
                "communications_getPresencesByUserId"
            )
            .is_ok()
        );
        // Reading all does not let you write.
        assert!(
            allowed(
                &app_only(&["Presence.Read.All"]),
                "user.presence_setPresence"
            )
            .is_err()
        );
        assert!(
            allowed(
                &app_only(&["Presence.ReadWrite.All"]),
                "user.presence_setPresence"
            )
            .is_ok()
        );
        assert!(
            allowed(
                &delegated(&["Presence.Read.All"]),
                "me.presence_setPresence"
            )
            .is_err()
        );
        assert!(
            allowed(
                &delegated(&["Presence.ReadWrite"]),
                "me.presence_setPresence"
            )
            .is_ok()
        );
        // No scopes or roles at all.
        assert!(allowed(&delegated(&[]), "me_GetPresence").is_err());
        assert!(allowed(&app_only(&[]), "user_GetPresence").is_err());

        // An operation whose document states no permissions lets any verified token by.
        static UNSTATED: OperationInfo = OperationInfo {
            id: "unstated",
            method: "GET",
            path: "/unstated",
            permissions: None,
        };
        assert!(check(&app_only(&[]), &UNSTATED).is_ok());
    }

    #[test]
    fn the_schemas_subscription_operations_state_the_presence_rule() {
        // Why no separate presence subscription check exists: the schema's subscription
        // operations already say delegated Presence.Read.All, application not supported.
        let subscriptions: Vec<_> = OPERATIONS
            .iter()
            .filter(|o| o.path.starts_with("/subscriptions"))
            .collect();
        assert_eq!(subscriptions.len(), 6);
        for operation in subscriptions {
            let permissions = operation.permissions.as_ref().expect("stated");
            assert_eq!(
                permissions.delegated,
                ["Presence.Read.All"],
                "{}",
                operation.id
            );
            assert!(permissions.application.is_empty(), "{}", operation.id);
        }
    }

    #[test]
    fn me_needs_a_delegated_token_whatever_the_paths_form() {
        let app = app_only(&["Presence.Read.All"]);
        for path in [
            "/me",
            "/me/presence",
            "/beta/me/presence",
            "/v1.0/me?$select=id",
        ] {
            assert!(require_delegated_for_me(&app, path).is_err(), "{path}");
        }
        for path in [
            "/members",
            "/users/me/presence",
            "/metrics",
            "/beta/meetings",
        ] {
            assert!(require_delegated_for_me(&app, path).is_ok(), "{path}");
        }
        assert!(require_delegated_for_me(&delegated(&[]), "/me/presence").is_ok());
    }

    #[test]
    fn the_token_endpoint_issues_app_only_tokens_by_client_credentials() {
        let mut authority = authority();
        let answer = authority
            .token_response(
                TENANT,
                &form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", APP_ID),
                    ("client_secret", "any secret will do"),
                    ("scope", "https://graph.microsoft.com/.default"),
                ]),
                now(),
            )
            .expect("a token");
        assert_eq!(answer["token_type"], "Bearer");
        assert_eq!(answer["expires_in"], 3600);
        let token = answer["access_token"].as_str().expect("a token");
        let identity = authority.verify(token, now()).expect("verifies");
        assert_eq!(
            identity,
            app_only(&["Presence.Read.All", "Presence.ReadWrite.All"])
        );

        // The configured secret, Graph named by its app id, a shorter lifetime.
        authority.set_token_lifetime(Duration::from_secs(600));
        let answer = authority
            .token_response(
                TENANT,
                &form(&[
                    ("scope", "00000003-0000-0000-c000-000000000000/.default"),
                    ("client_secret", SECRET),
                    ("client_id", &LOCKED_APP_ID.to_uppercase()),
                    ("grant_type", "client_credentials"),
                ]),
                now(),
            )
            .expect("a token");
        assert_eq!(answer["expires_in"], 600);
        let token = answer["access_token"].as_str().expect("a token");
        let identity = authority.verify(token, now()).expect("verifies");
        assert_eq!(identity.app_id, LOCKED_APP_ID);
        assert_eq!(identity.roles, ["Presence.Read.All"]);
        assert_eq!(identity.expires, at(600));
        assert_eq!(segment(token, 1)["app_displayname"], "Locked app");
    }

    #[test]
    fn the_token_endpoint_refuses_with_entras_errors() {
        let authority = authority();
        let good = [
            ("grant_type", "client_credentials"),
            ("client_id", APP_ID),
            ("client_secret", "x"),
            ("scope", "https://graph.microsoft.com/.default"),
        ];
        let with = |name: &str, value: Option<&str>| -> Vec<(String, String)> {
            let mut pairs: Vec<_> = good
                .iter()
                .filter(|(n, _)| *n != name)
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect();
            if let Some(value) = value {
                pairs.push((name.to_owned(), value.to_owned()));
            }
            pairs
        };
        let mut duplicated = form(&good);
        duplicated.push(("client_id".into(), LOCKED_APP_ID.into()));
        // (tenant, form, error, status, AADSTS code)
        type Case = (
            &'static str,
            Vec<(String, String)>,
            &'static str,
            u16,
            Option<u32>,
        );
        let cases: Vec<Case> = vec![
            (
                TENANT,
                with("grant_type", None),
                "invalid_request",
                400,
                Some(900144),
            ),
            (
                TENANT,
                with("grant_type", Some("password")),
                "unsupported_grant_type",
                400,
                Some(70003),
            ),
            (
                TENANT,
                with("client_id", None),
                "invalid_request",
                400,
                Some(900144),
            ),
            (
                TENANT,
                with("client_id", Some("no-such-app")),
                "unauthorized_client",
                400,
                Some(700016),
            ),
            (
                TENANT,
                with("client_secret", None),
                "invalid_client",
                401,
                Some(7000218),
            ),
            (
                TENANT,
                with("client_secret", Some("")),
                "invalid_client",
                401,
                Some(7000218),
            ),
            (
                TENANT,
                with("scope", None),
                "invalid_request",
                400,
                Some(900144),
            ),
            (
                TENANT,
                with("scope", Some("Presence.Read.All")),
                "invalid_scope",
                400,
                Some(1002012),
            ),
            (
                TENANT,
                with("scope", Some("https://graph.microsoft.com/.default openid")),
                "invalid_scope",
                400,
                Some(1002012),
            ),
            (
                TENANT,
                with("scope", Some("https://vault.azure.net/.default")),
                "invalid_resource",
                400,
                Some(500011),
            ),
            (TENANT, duplicated, "invalid_request", 400, None),
            ("common", form(&good), "invalid_request", 400, None),
            ("a/b", form(&good), "invalid_request", 400, Some(90002)),
        ];
        for (tenant, form, error, status, code) in cases {
            let refusal = authority
                .token_response(tenant, &form, now())
                .expect_err("refused");
            let context = format!("{tenant} {form:?}");
            assert_eq!(refusal.error(), error, "{context}");
            assert_eq!(refusal.status(), status, "{context}");
            let body = refusal.to_json();
            assert_eq!(body["error"], error, "{context}");
            assert_eq!(
                body.get("error_codes"),
                code.map(|c| json!([c])).as_ref(),
                "{context}"
            );
            if let Some(code) = code {
                let prefix = format!("AADSTS{code}: ");
                assert!(refusal.description().starts_with(&prefix), "{context}");
            }
            assert_eq!(body["timestamp"], "2026-12-01 09:00:00Z");
        }

        // A wrong secret for an app that has one; the secret is never repeated.
        let refusal = authority
            .token_response(
                TENANT,
                &form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", LOCKED_APP_ID),
                    ("client_secret", "wrong-secret-value"),
                    ("scope", "https://graph.microsoft.com/.default"),
                ]),
                now(),
            )
            .expect_err("refused");
        assert_eq!((refusal.error(), refusal.status()), ("invalid_client", 401));
        assert!(refusal.description().starts_with("AADSTS7000215: "));
        assert!(
            !refusal.to_string().contains("wrong-secret") && !refusal.to_string().contains(SECRET)
        );

        // Hostile text is cut short and escaped.
        let hostile = format!("\u{1b}[31m{}", "x".repeat(100_000));
        let refusal = authority
            .token_response(TENANT, &with("client_id", Some(&hostile)), now())
            .expect_err("refused");
        assert!(refusal.description().len() < 600);
        assert!(!refusal.description().contains('\u{1b}'));
    }

    #[test]
    fn an_apps_secret_never_shows() {
        let app = App::new(APP_ID, "App").secret("hunter2");
        let shown = format!("{app:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("redacted"),
            "{shown}"
        );
        let mut apps = Apps::new();
        apps.insert(app);
        assert!(!format!("{apps:?}").contains("hunter2"));
        assert_eq!(apps.iter().count(), 1);
        assert_eq!(
            apps.get(&APP_ID.to_uppercase()).map(App::granted),
            Some(
                &[
                    "Presence.Read.All".to_owned(),
                    "Presence.ReadWrite.All".to_owned()
                ][..]
            )
        );
    }
}
