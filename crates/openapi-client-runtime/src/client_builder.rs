//! Settings for a client ([`ClientBuilder`]): base URL, scope, credentials, limits, clock,
//! rate limit and HTTP client, and the checks `build` makes. Graph's cloud and version
//! settings are in `cloud.rs` (the `graph` feature).

use crate::auth::TokenProvider;
use crate::client::{Client, Inner, Limits, check_base_url};
use crate::credentials::{Credential, Credentials, basic};
use crate::error::Error;
#[cfg(feature = "reqwest")]
use crate::executor::default_http_client;
use crate::request::DEFAULT_USER_AGENT;
use crate::retry::{Clock, RateLimit, RetryPolicy};
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

impl Client {
    /// A client with these credentials and other settings (base URL, retries, limits, HTTP
    /// client).
    pub fn builder(auth: impl TokenProvider + 'static) -> ClientBuilder {
        ClientBuilder::new(auth)
    }
}

/// Settings for a client. `build` gives a `C`: the runtime's [`Client`], or a generated client
/// that wraps it (any type made from one).
pub struct ClientBuilder<C = Client> {
    auth: Arc<dyn TokenProvider>,
    credentials: Credentials,
    /// Set by [`ClientBuilder::base_url`]: replaces the default.
    base_url: Option<String>,
    /// Where requests go when [`ClientBuilder::base_url`] is not set.
    fallback: Fallback,
    scope: Option<String>,
    user_agent: String,
    retry: RetryPolicy,
    timeout: Duration,
    max_response_bytes: usize,
    clock: Option<Arc<dyn Clock>>,
    rate_limit: Option<RateLimit>,
    #[cfg(feature = "reqwest")]
    http: Option<reqwest::Client>,
    client: PhantomData<fn() -> C>,
}

impl<C: From<Client>> ClientBuilder<C> {
    /// These credentials and the default limits, and no base URL (with the `graph` feature:
    /// Graph beta on the global cloud).
    pub fn new(auth: impl TokenProvider + 'static) -> Self {
        ClientBuilder {
            auth: Arc::new(auth),
            credentials: Credentials::default(),
            base_url: None,
            fallback: Fallback::initial(),
            scope: None,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            max_response_bytes: 16 * 1024 * 1024,
            clock: None,
            rate_limit: None,
            #[cfg(feature = "reqwest")]
            http: None,
            client: PhantomData,
        }
    }

    /// The `User-Agent` header (default: the runtime's name and version; a generated client
    /// sends its own crate's).
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The base URL used unless [`ClientBuilder::base_url`] sets one: a generated client's
    /// document's server; `None` means there is no default, and [`ClientBuilder::build`]
    /// fails without one. With the `graph` feature a Graph URL
    /// (`https://graph.microsoft.com/v1.0`) is read as its cloud and version, so the builder's
    /// `cloud` and `version` change it.
    #[doc(hidden)]
    #[must_use]
    pub fn default_base_url(mut self, url: Option<&str>) -> Self {
        let url = url.map(|u| u.trim_end_matches('/'));
        #[cfg(feature = "graph")]
        if let Some(graph) = url.and_then(crate::cloud::graph_fallback) {
            self.fallback = graph;
            return self;
        }
        self.fallback = match url {
            Some(url) => Fallback::Url(url.to_owned()),
            None => Fallback::None,
        };
        self
    }

    /// Where requests go when no base URL is set (Graph's cloud and version live here).
    #[cfg(feature = "graph")]
    pub(crate) fn fallback_mut(&mut self) -> &mut Fallback {
        &mut self.fallback
    }

    /// Any other base URL, instead of the default (a document's server, or Graph's cloud and
    /// version): a proxy or a local test server
    /// (plain `http` only on loopback). It is a scheme, host and path prefix: a query, a
    /// fragment or user information is refused by [`ClientBuilder::build`]. Tokens are asked
    /// for its origin's `.default` scope unless [`ClientBuilder::scope`] says otherwise.
    #[must_use]
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into().trim_end_matches('/').to_owned());
        self
    }

    /// The scope tokens are asked for (default: the `.default` scope of the base URL's origin,
    /// such as `https://api.example.com/.default`); set it when a proxy stands in front of
    /// the API.
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    fn resolved_base_url(&self) -> Option<String> {
        match (&self.base_url, &self.fallback) {
            (Some(url), _) | (None, Fallback::Url(url)) => Some(url.clone()),
            #[cfg(feature = "graph")]
            (None, Fallback::Graph(cloud, version)) => Some(cloud.base_url(*version)),
            (None, Fallback::None) => None,
        }
    }

    /// The API key of the document's security scheme `scheme` (its name in
    /// `components/securitySchemes`), sent whole where the scheme says: in its header, its query
    /// parameter (percent-encoded) or its cookie, to every operation that requires that scheme.
    /// For a header that wants a prefix (`Authorization: Bot <token>`), give the whole value
    /// (`"Bot xyz"`) or use [`ClientBuilder::api_key_with_prefix`]. The key is never in `Debug`
    /// output, traces or error text, and goes only to the base URL's origin.
    #[must_use]
    pub fn api_key(mut self, scheme: impl Into<String>, key: impl Into<String>) -> Self {
        self.credentials
            .insert(scheme.into(), Credential::ApiKey(key.into()));
        self
    }

    /// An API key sent as `<prefix> <key>` (`Bot xyz` for `prefix` `Bot`): as
    /// [`ClientBuilder::api_key`] with that whole value.
    #[must_use]
    pub fn api_key_with_prefix(self, scheme: impl Into<String>, prefix: &str, key: &str) -> Self {
        self.api_key(scheme, format!("{prefix} {key}"))
    }

    /// The user and password of the document's HTTP basic scheme `scheme`, sent as
    /// `Authorization: Basic base64(user:password)` (RFC 7617) to every operation that
    /// requires it; never in `Debug` output, traces or error text.
    #[must_use]
    pub fn basic_auth(mut self, scheme: impl Into<String>, user: &str, password: &str) -> Self {
        self.credentials
            .insert(scheme.into(), Credential::Basic(basic(user, password)));
        self
    }

    /// How failures are retried (default: [`RetryPolicy::default`]).
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The longest one attempt may take, redirects and body included (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest response body read (default 16 MiB); a larger one is an error.
    #[must_use]
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The clock for retry waits, deadlines and the rate limit (default: the system clock).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Keeps this client under a request rate ([`RateLimit::new`]).
    #[must_use]
    pub fn rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = Some(rate_limit);
        self
    }

    /// The reqwest client to send with (for proxies and connection pools). It should not
    /// follow redirects itself (`reqwest::redirect::Policy::none()`): this client follows them,
    /// and sends credentials only to the same origin.
    #[cfg(feature = "reqwest")]
    #[must_use]
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The client; fails if there is no base URL (the API's document declares no server and
    /// [`ClientBuilder::base_url`] was not called), if it is not https (or http to loopback),
    /// or if the HTTP client cannot be created.
    #[cfg_attr(not(feature = "reqwest"), allow(unused_mut))]
    pub fn build(mut self) -> Result<C, Error> {
        let Some(base_url) = self.resolved_base_url() else {
            return Err(Error::InvalidRequest(
                "no base URL: this API's document declares no server the client can use; set one with `ClientBuilder::base_url`".to_owned(),
            ));
        };
        check_base_url(&base_url)?;
        #[cfg(feature = "reqwest")]
        if self.http.is_none() {
            self.http = Some(default_http_client()?);
        }
        Ok(self.build_unchecked())
    }

    /// The client without the checks of [`ClientBuilder::build`]; what `Client::new` does.
    ///
    /// # Panics
    ///
    /// If the TLS backend cannot be initialised.
    #[doc(hidden)]
    pub fn build_unchecked(self) -> C {
        let base_url = self.resolved_base_url().unwrap_or_default();
        let scope = self
            .scope
            .clone()
            .unwrap_or_else(|| default_scope(&base_url));
        #[cfg(feature = "reqwest")]
        let clock: Arc<dyn Clock> = self
            .clock
            .unwrap_or_else(|| Arc::new(crate::retry::SystemClock));
        #[cfg(not(feature = "reqwest"))]
        let clock: Arc<dyn Clock> = self.clock.unwrap_or_else(|| Arc::new(NoClock));
        C::from(Client {
            inner: Arc::new(Inner {
                base_url,
                scope,
                user_agent: self.user_agent,
                auth: self.auth,
                credentials: self.credentials,
                limits: Limits {
                    retry: self.retry,
                    timeout: self.timeout,
                    max_response_bytes: self.max_response_bytes,
                    clock,
                    rate_limit: self.rate_limit,
                },
                // Never reqwest's default client: it would follow redirects itself, token
                // included. Failing here is what `reqwest::Client::new` does too.
                #[cfg(feature = "reqwest")]
                http: self.http.unwrap_or_else(|| {
                    default_http_client().expect("the TLS backend could not be initialised")
                }),
            }),
        })
    }
}

/// Where a builder's requests go when no base URL is set.
pub(crate) enum Fallback {
    /// Graph's cloud and version (a Graph client, and the runtime's own [`Client`] with the
    /// `graph` feature).
    #[cfg(feature = "graph")]
    Graph(crate::cloud::Cloud, crate::cloud::ApiVersion),
    /// The generated client's document's server.
    Url(String),
    /// Nowhere: the document declares no server the client can use.
    None,
}

impl Fallback {
    /// Where a new builder's requests go: Graph beta with the `graph` feature, else nowhere
    /// until a base URL is given.
    fn initial() -> Self {
        #[cfg(feature = "graph")]
        return Fallback::Graph(crate::cloud::Cloud::Global, crate::cloud::ApiVersion::Beta);
        #[cfg(not(feature = "graph"))]
        Fallback::None
    }
}

/// The `.default` scope of a base URL's origin (`https://api.example.com/.default`): the
/// scope an OAuth server that issues tokens per resource reads as "this API's app-level
/// permissions".
fn default_scope(base_url: &str) -> String {
    match base_url.parse::<http::Uri>() {
        Ok(uri) => match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => format!("{scheme}://{authority}/.default"),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

/// Without an executor nothing waits; this stands in for the clock.
#[cfg(not(feature = "reqwest"))]
struct NoClock;

#[cfg(not(feature = "reqwest"))]
impl Clock for NoClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::UNIX_EPOCH
    }

    fn sleep(&self, _: Duration) -> crate::retry::Sleep {
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod base_url_tests {
    use super::{Client, ClientBuilder};
    use crate::{BearerToken, Error};

    fn builder() -> ClientBuilder<Client> {
        ClientBuilder::new(BearerToken::new("t"))
    }

    #[test]
    fn a_document_server_is_the_default_and_base_url_replaces_it() {
        let twilio = builder().default_base_url(Some("https://bulkexports.twilio.com/"));
        assert_eq!(
            twilio.build_unchecked().base_url(),
            "https://bulkexports.twilio.com"
        );
        let replaced = builder()
            .default_base_url(Some("https://api.example.com"))
            .base_url("https://proxy.example.com/api");
        assert_eq!(
            replaced.build_unchecked().base_url(),
            "https://proxy.example.com/api"
        );
    }

    #[test]
    fn without_a_server_build_asks_for_a_base_url() {
        let error = builder().default_base_url(None).build().map(|_| ());
        assert!(
            matches!(&error, Err(Error::InvalidRequest(m)) if m.contains("no base URL")),
            "{error:?}"
        );
        let set = builder()
            .default_base_url(None)
            .base_url("https://api.example.com");
        assert_eq!(set.build_unchecked().base_url(), "https://api.example.com");
    }
}
