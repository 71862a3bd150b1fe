//! Why a bearer token or a token request was refused, as Graph and Entra say it.

use super::*;

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
    pub(super) kind: OAuthErrorKind,
    /// The AADSTS number, when Entra has one for it.
    pub(super) code: Option<u32>,
    pub(super) description: String,
    pub(super) timestamp: Timestamp,
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
