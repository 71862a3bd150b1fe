//! The accounts subscriptions are made as. Graph allows one presence subscription per user per
//! application (a second create is `409`), so following more than 650 users takes several
//! signed-in accounts: each is an [`Identity`].

use crate::error::MirrorError;
use base64::Engine;
use graph_presence_client::Client;

/// A name (yours, used in the registry and in errors) and a client signed in as one account
/// with a delegated token (`Presence.Read.All`).
///
/// Give every identity's client the same clock: the mirror tells the time by the first one.
#[derive(Debug, Clone)]
pub struct Identity {
    name: String,
    client: Client,
}

impl Identity {
    /// `client` is built with this account's `TokenProvider`.
    pub fn new(name: impl Into<String>, client: Client) -> Self {
        Identity {
            name: name.into(),
            client,
        }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// What its token says, read before anything is sent: the token the client would send is
    /// asked for and, when it is a JWT, its claims are decoded (not verified: Graph does that).
    /// An app-only token (a JWT without `scp`) is refused. An opaque token says nothing; Graph's
    /// `403` says it later.
    pub(crate) async fn signed_in_user(&self) -> Result<Option<String>, MirrorError> {
        let mut request = http::Request::new(Vec::new());
        self.client
            .authorize(&mut request)
            .await
            .map_err(|source| MirrorError::Request {
                identity: self.name.clone(),
                action: "sign-in",
                source: Box::new(source),
            })?;
        let token = request
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        match claims(token) {
            Some(claims) if claims.get("scp").is_none() => Err(MirrorError::AppOnlyToken {
                identity: self.name.clone(),
            }),
            Some(claims) => Ok(claims
                .get("oid")
                .and_then(|v| v.as_str())
                .map(str::to_owned)),
            None => Ok(None),
        }
    }
}

/// A JWT's claims, or `None` when the token is not a JWT.
fn claims(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Whether Graph refused a subscription because the token is app-only: `403` (Graph says
/// "Application permissions are not supported for presence subscriptions").
pub(crate) fn refused_as_app_only(error: &graph_presence_client::Error) -> bool {
    match error {
        graph_presence_client::Error::Api(e) => {
            e.status.as_u16() == 403
                && e.message
                    .to_ascii_lowercase()
                    .contains("application permissions")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::claims;

    #[test]
    fn a_jwt_s_claims_are_read_and_anything_else_is_not_a_jwt() {
        // {"scp":"Presence.Read.All","oid":"u1"}
        let payload = "eyJzY3AiOiJQcmVzZW5jZS5SZWFkLkFsbCIsIm9pZCI6InUxIn0";
        let claims = claims(&format!("h.{payload}.s")).expect("a JWT");
        assert_eq!(claims["oid"], "u1");
        assert!(claims.get("scp").is_some());
        assert!(super::claims("opaque-token").is_none());
        assert!(super::claims("a.!!!.c").is_none());
    }
}
