//! The emulated identity platform: its key, its apps, the tokens it issues and the endpoints
//! that publish and hand them out; and verifying a bearer token into an `Identity`.

use super::*;

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
