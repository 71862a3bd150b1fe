//! The client: base URL, credentials and limits, and what needs no network (building a
//! request, authorizing it). A generated crate wraps it in its own `Client` (see
//! [`crate::client!`]), which adds the navigation methods; this one does the work. Sending is in
//! `executor.rs`, settings in `client_builder.rs`.

use crate::auth::TokenProvider;
use crate::credentials::{Applied, Credentials};
use crate::error::{Error, SendFailure};
use crate::request::RequestSpec;
use crate::retry::{Clock, RateLimit, RetryPolicy};
use openapi_models_runtime::excerpt;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The header that numbers a retry (1 for the first retry), as Microsoft's SDKs send it.
pub const RETRY_ATTEMPT: http::HeaderName = http::HeaderName::from_static("retry-attempt");

/// The executor of a generated client: base URL, credentials and limits. Cheap to clone (shared
/// internally). A generated client wraps it (`runtime()` gives it back) and starts requests
/// from its navigation methods.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) base_url: String,
    /// The scope tokens are asked for: the `.default` scope of the base URL's origin.
    pub(crate) scope: String,
    pub(crate) user_agent: String,
    pub(crate) auth: Arc<dyn TokenProvider>,
    /// API keys and basic credentials, by security scheme name.
    pub(crate) credentials: Credentials,
    #[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
    pub(crate) limits: Limits,
    #[cfg(feature = "reqwest")]
    pub(crate) http: reqwest::Client,
}

/// What the executor enforces.
#[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
pub(crate) struct Limits {
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) max_response_bytes: usize,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rate_limit: Option<RateLimit>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .finish_non_exhaustive()
    }
}

/// Plain `http` is allowed only to loopback addresses (tests, local emulators).
pub(crate) fn check_scheme(uri: &http::Uri) -> Result<(), Error> {
    let loopback = |host: &str| {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    };
    match (uri.scheme_str(), uri.host()) {
        (Some("https"), Some(_)) => Ok(()),
        (Some("http"), Some(host)) if loopback(host) => Ok(()),
        _ => Err(Error::InvalidRequest(format!(
            "refusing to send to `{}`: only https, or http to a loopback address, is allowed",
            excerpt(&uri.to_string(), 200)
        ))),
    }
}

/// A base URL is a scheme, a host and a path prefix: operation paths are appended to it, so a
/// query or fragment would swallow them (`…/beta?x=` + `/me/presence`), and credentials in
/// the URL would be sent to every host it redirects to.
pub(crate) fn check_base_url(base_url: &str) -> Result<(), Error> {
    let refuse = |why: &str| {
        Err(Error::InvalidRequest(format!(
            "base URL `{}`: {why}",
            excerpt(base_url, 200)
        )))
    };
    if base_url.contains('#') {
        return refuse("a fragment (`#…`) is not allowed");
    }
    let uri: http::Uri = match base_url.parse() {
        Ok(uri) => uri,
        Err(e) => return refuse(&e.to_string()),
    };
    if uri.query().is_some() {
        return refuse("a query (`?…`) is not allowed: operations add their own");
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return refuse(
            "user information (`user@host`) is not allowed: credentials come from the token provider",
        );
    }
    check_scheme(&uri)
}

impl Client {
    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The scope this client asks its token provider for.
    pub fn scope(&self) -> &str {
        &self.inner.scope
    }

    /// The clock this client tells the time and waits by: the one
    /// [`ClientBuilder::clock`](crate::ClientBuilder::clock)
    /// set, else the system clock. Helpers that schedule requests (subscription renewal) use
    /// it too, so a test's fake clock drives them.
    pub fn clock(&self) -> &dyn Clock {
        self.inner.limits.clock.as_ref()
    }

    /// Builds the request of a spec against this client's base URL (used by the builders).
    pub fn build_request(&self, spec: RequestSpec) -> Result<http::Request<Vec<u8>>, Error> {
        spec.build(&self.inner.base_url, &self.inner.user_agent)
    }

    /// Adds the `Authorization` header (a token from the provider, marked sensitive) to a
    /// built request. `send()` does this; call it yourself to send with another HTTP stack.
    pub async fn authorize(&self, request: &mut http::Request<Vec<u8>>) -> Result<(), Error> {
        let token = self
            .inner
            .auth
            .token(&self.inner.scope)
            .await
            .map_err(SendFailure::auth)?;
        let mut authorization = http::HeaderValue::from_str(&format!("Bearer {}", token.secret()))
            .map_err(|_| {
                Error::InvalidRequest("the access token is not a valid header value".to_owned())
            })?;
        authorization.set_sensitive(true);
        request
            .headers_mut()
            .insert(http::header::AUTHORIZATION, authorization);
        Ok(())
    }

    /// Adds the credentials `operation` requires to its built request: the bearer token (as
    /// [`Client::authorize`]) unless its document's `security` says otherwise, else the API
    /// keys or basic credentials configured on the builder by scheme name (see
    /// [`ClientBuilder::api_key`](crate::ClientBuilder::api_key)). `send()` does this; call it
    /// yourself to send with another HTTP stack. An operation whose required credentials are
    /// not configured is an [`Error::InvalidRequest`] naming them.
    pub async fn authorize_operation<O: crate::request::Operation + ?Sized>(
        &self,
        operation: &O,
        request: &mut http::Request<Vec<u8>>,
    ) -> Result<(), Error> {
        self.apply_credentials(operation.security(), request)
            .await
            .map(|_| ())
    }

    /// What [`Client::authorize_operation`] does, saying what it added besides the token.
    pub(crate) async fn apply_credentials(
        &self,
        security: Option<&'static [&'static [crate::credentials::Scheme]]>,
        request: &mut http::Request<Vec<u8>>,
    ) -> Result<Applied, Error> {
        let mut applied = Applied::default();
        let Some(alternatives) = security else {
            self.authorize(request).await?;
            return Ok(applied);
        };
        let chosen = self.inner.credentials.choose(alternatives)?;
        for scheme in chosen {
            match scheme.kind {
                crate::credentials::SchemeKind::Bearer => self.authorize(request).await?,
                _ => self
                    .inner
                    .credentials
                    .apply(scheme, request, &mut applied)?,
            }
        }
        Ok(applied)
    }
}
