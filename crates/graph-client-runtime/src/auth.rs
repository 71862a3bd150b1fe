//! Authentication: a bearer token, or any async source of one. Tokens never appear in `Debug`
//! output.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// An error from a token source, boxed so any implementation can report its own.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The future a [`TokenProvider`] returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, BoxError>> + Send + 'a>>;

/// An OAuth access token. Its `Debug` output is redacted; read it with [`AccessToken::secret`].
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn new(token: impl Into<String>) -> Self {
        AccessToken(token.into())
    }

    /// The token itself, for the `Authorization` header.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// A source of access tokens, asked once per request (so it can refresh or cache them).
///
/// Implement it over Azure identity, MSAL, or a cache of your own:
///
/// ```
/// use graph_client_runtime::{AccessToken, TokenFuture, TokenProvider};
///
/// struct FromEnvironment;
///
/// impl TokenProvider for FromEnvironment {
///     fn token(&self) -> TokenFuture<'_> {
///         Box::pin(async { Ok(AccessToken::new(std::env::var("GRAPH_TOKEN")?)) })
///     }
/// }
/// ```
pub trait TokenProvider: Send + Sync {
    fn token(&self) -> TokenFuture<'_>;
}

/// A fixed bearer token.
#[derive(Clone, Debug)]
pub struct BearerToken(AccessToken);

impl BearerToken {
    pub fn new(token: impl Into<String>) -> Self {
        BearerToken(AccessToken::new(token))
    }
}

impl TokenProvider for BearerToken {
    fn token(&self) -> TokenFuture<'_> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }
}
