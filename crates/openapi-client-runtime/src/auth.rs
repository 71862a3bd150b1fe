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
    /// Wraps a token (without the `Bearer ` prefix).
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

/// A source of access tokens, asked once per request (so it can refresh or cache them) for
/// the client's scope (by default the `.default` scope of the base URL's origin,
/// `https://api.example.com/.default`; see `ClientBuilder::scope`).
///
// The link to `AzureCredential` only where it exists, so docs without the feature build clean.
#[cfg_attr(
    feature = "azure_identity",
    doc = "With the `azure_identity` feature (Graph's layer), [`AzureCredential`](crate::AzureCredential) adapts any"
)]
#[cfg_attr(
    feature = "azure_identity",
    doc = "`azure_identity` credential and caches its tokens."
)]
/// Or implement it over your identity provider's library or a cache of your own:
///
/// ```
/// use openapi_client_runtime::{AccessToken, TokenFuture, TokenProvider};
///
/// struct FromEnvironment;
///
/// impl TokenProvider for FromEnvironment {
///     fn token<'a>(&'a self, _scope: &'a str) -> TokenFuture<'a> {
///         Box::pin(async { Ok(AccessToken::new(std::env::var("API_TOKEN")?)) })
///     }
/// }
/// ```
pub trait TokenProvider: Send + Sync {
    /// A token for `scope`, such as `https://api.example.com/.default`.
    fn token<'a>(&'a self, scope: &'a str) -> TokenFuture<'a>;

    /// The server refused the last token as invalid (a 401 with `InvalidAuthenticationToken`: expired
    /// or revoked early): forget any cached token, so the next [`TokenProvider::token`] gets a
    /// new one, and say whether it may (`true`: the client sends the request once more with it).
    /// The default, for a provider that cannot refresh, is `false`.
    fn invalidate(&self) -> bool {
        false
    }
}

/// A shared provider (one cache for several clients).
impl<T: TokenProvider + ?Sized> TokenProvider for std::sync::Arc<T> {
    fn token<'a>(&'a self, scope: &'a str) -> TokenFuture<'a> {
        (**self).token(scope)
    }

    fn invalidate(&self) -> bool {
        (**self).invalidate()
    }
}

/// A fixed bearer token (it cannot be refreshed: a refused one stays refused).
#[derive(Clone, Debug)]
pub struct BearerToken(AccessToken);

impl BearerToken {
    /// A provider that always answers with `token`.
    pub fn new(token: impl Into<String>) -> Self {
        BearerToken(AccessToken::new(token))
    }
}

impl TokenProvider for BearerToken {
    fn token<'a>(&'a self, _scope: &'a str) -> TokenFuture<'a> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }
}
