//! Sign-in through `azure_identity`: any `azure_core` `TokenCredential` (client secret or
//! certificate, managed identity, workload identity, the Azure CLI…) as a [`TokenProvider`],
//! with its tokens cached until shortly before they expire.

use crate::auth::{AccessToken, TokenFuture, TokenProvider};
use azure_core::credentials::TokenCredential;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How long before its expiry a cached token is replaced, so that a request never leaves with
/// a token that expires on the way (Microsoft's SDKs use five minutes too).
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// An `azure_identity` credential as a [`TokenProvider`]: asks it for the scope of the
/// client's cloud and caches the token until [`REFRESH_MARGIN`] before it expires.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use openapi_client_runtime::{AzureCredential, Client, Cloud};
///
/// // let credential = azure_identity::ClientSecretCredential::new(tenant, client_id, secret, None)?;
/// # let credential: std::sync::Arc<dyn azure_core::credentials::TokenCredential> = unimplemented!();
/// let client = Client::builder(AzureCredential::new(credential))
///     .cloud(Cloud::UsGovernment) // asks for https://graph.microsoft.us/.default
///     .build()?;
/// # Ok(()) }
/// ```
pub struct AzureCredential {
    credential: Arc<dyn TokenCredential>,
    /// The last token, with its scope and expiry.
    cached: Mutex<Option<Cached>>,
}

struct Cached {
    scope: String,
    token: AccessToken,
    expires_at: jiff::Timestamp,
}

impl AzureCredential {
    /// Adapts a credential, such as `azure_identity::ClientSecretCredential::new(…)?` or
    /// `azure_identity::ManagedIdentityCredential::new(None)?`.
    pub fn new(credential: Arc<dyn TokenCredential>) -> Self {
        AzureCredential {
            credential,
            cached: Mutex::new(None),
        }
    }

    fn cached(&self, scope: &str) -> Option<AccessToken> {
        let cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        let cached = cached.as_ref().filter(|c| c.scope == scope)?;
        let fresh_until = cached.expires_at.checked_sub(REFRESH_MARGIN).ok()?;
        (jiff::Timestamp::now() < fresh_until).then(|| cached.token.clone())
    }
}

impl fmt::Debug for AzureCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureCredential")
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

impl TokenProvider for AzureCredential {
    fn token<'a>(&'a self, scope: &'a str) -> TokenFuture<'a> {
        Box::pin(async move {
            if let Some(token) = self.cached(scope) {
                return Ok(token);
            }
            let fetched = self.credential.get_token(&[scope], None).await?;
            let token = AccessToken::new(fetched.token.secret());
            let expires_at = jiff::Timestamp::from_second(fetched.expires_on.unix_timestamp())
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = Some(Cached {
                scope: scope.to_owned(),
                token: token.clone(),
                expires_at,
            });
            Ok(token)
        })
    }

    fn invalidate(&self) -> bool {
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = None;
        true
    }
}
