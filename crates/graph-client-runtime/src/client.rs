//! The client: base URL, credentials, limits, and the reqwest executor (retries, redirects,
//! timeouts, size limit). A generated crate wraps it in its own `Client` (see [`crate::client!`]),
//! which adds the navigation methods; this one does the work.

use crate::auth::TokenProvider;
use crate::error::Error;
use crate::request::{DEFAULT_USER_AGENT, RequestSpec};
use crate::retry::{Clock, RateLimit, RetryPolicy};
use graph_models_runtime::excerpt;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

/// Graph's API versions. Beta is the default (the presence features documented first land
/// there); v1.0 is the stable surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    /// `beta`: the newest features, which may change.
    Beta,
    /// `v1.0`: the stable surface.
    V1,
}

impl ApiVersion {
    /// The base URL of this version on the global cloud.
    pub fn base_url(self) -> &'static str {
        match self {
            ApiVersion::Beta => "https://graph.microsoft.com/beta",
            ApiVersion::V1 => "https://graph.microsoft.com/v1.0",
        }
    }

    /// The path segment of this version (`beta`, `v1.0`).
    pub fn segment(self) -> &'static str {
        match self {
            ApiVersion::Beta => "beta",
            ApiVersion::V1 => "v1.0",
        }
    }
}

/// The clouds Graph runs in. Each has its own host, and tokens are issued for that host: a
/// client on a national cloud asks its [`TokenProvider`] for that cloud's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Cloud {
    /// `graph.microsoft.com`, the global service (the default).
    #[default]
    Global,
    /// `graph.microsoft.us`: Microsoft Graph for US Government L4 (GCC High).
    UsGovernment,
    /// `dod-graph.microsoft.us`: Microsoft Graph for US Government L5 (DoD).
    UsGovernmentDod,
    /// `microsoftgraph.chinacloudapi.cn`: Microsoft Graph China operated by 21Vianet.
    China,
}

impl Cloud {
    /// The cloud's Graph host.
    pub fn host(self) -> &'static str {
        match self {
            Cloud::Global => "graph.microsoft.com",
            Cloud::UsGovernment => "graph.microsoft.us",
            Cloud::UsGovernmentDod => "dod-graph.microsoft.us",
            Cloud::China => "microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The base URL of an API version on this cloud (`https://graph.microsoft.us/v1.0`).
    pub fn base_url(self, version: ApiVersion) -> String {
        format!("https://{}/{}", self.host(), version.segment())
    }

    /// The OAuth scope of this cloud's Graph for app-level consent
    /// (`https://graph.microsoft.us/.default`).
    pub fn scope(self) -> String {
        format!("https://{}/.default", self.host())
    }
}

/// The header that numbers a retry (1 for the first retry), as Graph's SDKs send it.
pub const RETRY_ATTEMPT: http::HeaderName = http::HeaderName::from_static("retry-attempt");

/// The most redirects followed for one attempt.
#[cfg(feature = "reqwest")]
const MAX_REDIRECTS: usize = 5;

/// The executor of a Graph client: base URL, credentials and limits. Cheap to clone (shared
/// internally). A generated client dereferences to it and starts requests from its navigation
/// methods.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: String,
    /// The scope tokens are asked for: the `.default` scope of the base URL's origin.
    scope: String,
    user_agent: String,
    auth: Arc<dyn TokenProvider>,
    #[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
    limits: Limits,
    #[cfg(feature = "reqwest")]
    http: reqwest::Client,
}

/// What the executor enforces.
#[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
struct Limits {
    retry: RetryPolicy,
    timeout: Duration,
    max_response_bytes: usize,
    clock: Arc<dyn Clock>,
    rate_limit: Option<RateLimit>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .finish_non_exhaustive()
    }
}

/// Plain `http` is allowed only to loopback addresses (tests, local emulators).
fn check_scheme(uri: &http::Uri) -> Result<(), Error> {
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
fn check_base_url(base_url: &str) -> Result<(), Error> {
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
    /// A client for Graph beta with these credentials and the default limits.
    ///
    /// # Panics
    ///
    /// If the TLS backend cannot be initialised, as `reqwest::Client::new` does;
    /// [`ClientBuilder::build`] returns that as an error instead.
    pub fn new(auth: impl TokenProvider + 'static) -> Self {
        ClientBuilder::<Client>::new(auth).build_unchecked()
    }

    /// A client with other settings (API version, base URL, retries, limits, HTTP client).
    pub fn builder(auth: impl TokenProvider + 'static) -> ClientBuilder {
        ClientBuilder::new(auth)
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The scope this client asks its token provider for.
    pub fn scope(&self) -> &str {
        &self.inner.scope
    }

    /// The clock this client tells the time and waits by: the one [`ClientBuilder::clock`]
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
            .map_err(Error::Auth)?;
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
}

#[cfg(feature = "reqwest")]
impl Client {
    /// Sends an operation and reads its response: the one send path of every builder.
    ///
    /// Each attempt reuses the request's `client-request-id`; a retry adds `Retry-Attempt`. A
    /// retry waits as long as the server's `Retry-After` asks, or backs off exponentially with
    /// jitter, and never starts after the policy's deadline.
    pub async fn send<O: crate::request::Operation + ?Sized>(
        &self,
        operation: &O,
    ) -> Result<http::Response<O::Output>, Error> {
        self.send_traced(operation, None).await
    }

    /// Sends one page of a paged operation: as [`Client::send`], its span numbering the page.
    pub(crate) async fn send_page<O: crate::request::Operation + ?Sized>(
        &self,
        operation: &O,
        page: u32,
    ) -> Result<http::Response<O::Output>, Error> {
        self.send_traced(operation, Some(page)).await
    }

    async fn send_traced<O: crate::request::Operation + ?Sized>(
        &self,
        operation: &O,
        page: Option<u32>,
    ) -> Result<http::Response<O::Output>, Error> {
        use tracing::Instrument;
        let request = operation.to_request()?;
        check_scheme(request.uri())?;
        // Facts only: no token, no body, no path with ids in it (the template instead).
        let span = tracing::info_span!(
            "graph.request",
            operation_id = operation.operation_id(),
            method = %request.method(),
            path_template = operation.path_template(),
            client_request_id = request
                .headers()
                .get(crate::request::CLIENT_REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default(),
            // A page's number (from 1) when the request is one page of a paged answer; the
            // link itself is not traced (it holds the query, with ids).
            page = page,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            error = tracing::field::Empty,
        );
        let outcome = self
            .execute(&request, operation.idempotent())
            .instrument(span.clone())
            .await;
        match &outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                if let Some(id) = response
                    .headers()
                    .get("request-id")
                    .and_then(|v| v.to_str().ok())
                {
                    span.record("request_id", excerpt(id, 100));
                }
            }
            Err(error) => {
                span.record("error", tracing::field::display(error));
            }
        }
        operation.parse_response(outcome?)
    }

    async fn execute(
        &self,
        request: &http::Request<Vec<u8>>,
        idempotent: bool,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        let limits = &self.inner.limits;
        let clock = limits.clock.as_ref();
        let deadline = clock.now() + limits.retry.total_deadline;
        let mut attempt: u32 = 1;
        let mut refreshed_token = false;
        loop {
            if let Some(rate_limit) = &limits.rate_limit {
                rate_limit.acquire(clock).await;
            }
            let mut this = copy(request);
            if attempt > 1 {
                this.headers_mut()
                    .insert(RETRY_ATTEMPT, http::HeaderValue::from(attempt - 1));
            }
            tracing::Span::current().record("attempts", attempt);
            self.authorize(&mut this).await?;
            let outcome = match tokio::time::timeout(limits.timeout, self.exchange(this)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(Error::Timeout(limits.timeout)),
            };
            // A token Graph calls invalid (expired or revoked early) is replaced once, whatever
            // the operation: a 401 means nothing was done.
            if let Ok(response) = &outcome
                && response.status() == http::StatusCode::UNAUTHORIZED
                && !refreshed_token
                && crate::error::error_code(response.body())
                    .is_some_and(|code| code.eq_ignore_ascii_case("InvalidAuthenticationToken"))
            {
                refreshed_token = true;
                if self.inner.auth.invalidate() {
                    tracing::info!("Graph refused the access token; sending again with a new one");
                    continue;
                }
            }
            let (wait, reason) = match &outcome {
                Ok(response)
                    if idempotent && crate::retry::is_retryable_status(response.status()) =>
                {
                    let wait = crate::retry::retry_after(response.headers(), clock.now());
                    let reason = match wait {
                        Some(_) => "status with Retry-After",
                        None => "status",
                    };
                    (
                        wait.unwrap_or_else(|| limits.retry.backoff(attempt, fastrand::f64())),
                        reason,
                    )
                }
                Err(Error::Connection(_)) if idempotent => (
                    limits.retry.backoff(attempt, fastrand::f64()),
                    "no response (connection failed)",
                ),
                Err(Error::Timeout(_)) if idempotent => (
                    limits.retry.backoff(attempt, fastrand::f64()),
                    "no response (timeout)",
                ),
                _ => return outcome,
            };
            let status = outcome.as_ref().map_or(0, |r| r.status().as_u16());
            let in_time = jiff::SignedDuration::try_from(wait)
                .is_ok_and(|wait| clock.now().checked_add(wait).is_ok_and(|at| at <= deadline));
            if attempt >= limits.retry.max_attempts || !in_time {
                tracing::warn!(
                    attempt,
                    status,
                    reason,
                    wait_ms = crate::retry::millis(wait),
                    "giving up: {}",
                    if in_time {
                        "no attempts left"
                    } else {
                        "the wait would end past the retry deadline"
                    }
                );
                return outcome;
            }
            tracing::warn!(
                attempt,
                status,
                reason,
                wait_ms = crate::retry::millis(wait),
                "retrying after a wait"
            );
            clock.sleep(wait).await;
            attempt += 1;
        }
    }

    /// One attempt: the request, any redirects, and the body read under the size limit.
    async fn exchange(
        &self,
        mut request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        for _ in 0..=MAX_REDIRECTS {
            let sent = copy(&request);
            let outgoing = reqwest::Request::try_from(sent.map(reqwest::Body::from))
                .map_err(|e| Error::InvalidRequest(e.to_string()))?;
            let mut response = self
                .inner
                .http
                .execute(outgoing)
                .await
                .map_err(send_error)?;
            let status = response.status();
            let location = response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .map(str::to_owned);
            if let (true, Some(location)) = (
                status.is_redirection() && status != http::StatusCode::NOT_MODIFIED,
                location,
            ) {
                redirect(&mut request, status, &location)?;
                continue;
            }
            let limit = self.inner.limits.max_response_bytes;
            if response
                .content_length()
                .is_some_and(|length| length > limit as u64)
            {
                return Err(Error::ResponseTooLarge { status, limit });
            }
            let headers = std::mem::take(response.headers_mut());
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| Error::Transport(Box::new(e)))?
            {
                if body.len() + chunk.len() > limit {
                    return Err(Error::ResponseTooLarge { status, limit });
                }
                body.extend_from_slice(&chunk);
            }
            let mut received = http::Response::new(body);
            *received.status_mut() = status;
            *received.headers_mut() = headers;
            return Ok(received);
        }
        Err(Error::InvalidRequest(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }
}

/// What a failed exchange was: a response head that arrived but is malformed (an impossible
/// `Content-Length`, headers over hyper's limit) is [`Error::Transport`], which is not retried
/// (sending again would get the same answer); anything else produced no response and is
/// [`Error::Connection`].
#[cfg(feature = "reqwest")]
fn send_error(error: reqwest::Error) -> Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(current) = source {
        if current
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_parse)
        {
            return Error::Transport(Box::new(error));
        }
        source = current.source();
    }
    Error::Connection(Box::new(error))
}

/// Points `request` at a redirect's target. The credentials go only to the same origin (scheme,
/// host and port); a 303, or a 301/302 after a POST, becomes a GET without a body.
#[cfg(feature = "reqwest")]
fn redirect(
    request: &mut http::Request<Vec<u8>>,
    status: http::StatusCode,
    location: &str,
) -> Result<(), Error> {
    let current = reqwest::Url::parse(&request.uri().to_string())
        .map_err(|e| Error::InvalidRequest(e.to_string()))?;
    let next = current.join(location).map_err(|e| {
        Error::InvalidRequest(format!("redirect to `{}`: {e}", excerpt(location, 200)))
    })?;
    let next_uri: http::Uri = next.as_str().parse().map_err(|e| {
        Error::InvalidRequest(format!("redirect to `{}`: {e}", excerpt(location, 200)))
    })?;
    check_scheme(&next_uri)?;
    let cross_origin = next.origin() != current.origin();
    if cross_origin {
        request.headers_mut().remove(http::header::AUTHORIZATION);
    }
    // The target without its query, which may carry a signature.
    tracing::info!(
        status = status.as_u16(),
        to = %excerpt(&format!("{}{}", next.origin().ascii_serialization(), next.path()), 200),
        cross_origin,
        "following a redirect"
    );
    let to_get = status == http::StatusCode::SEE_OTHER
        || (matches!(status.as_u16(), 301 | 302) && request.method() == http::Method::POST);
    if to_get {
        *request.method_mut() = http::Method::GET;
        request.body_mut().clear();
        request.headers_mut().remove(http::header::CONTENT_TYPE);
    }
    *request.uri_mut() = next_uri;
    Ok(())
}

/// `http::Request` is not `Clone` (extensions may not be); ours carry none.
#[cfg(feature = "reqwest")]
fn copy(request: &http::Request<Vec<u8>>) -> http::Request<Vec<u8>> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// Settings for a client. `build` gives a `C`: the runtime's [`Client`], or a generated client
/// that wraps it (any type made from one).
pub struct ClientBuilder<C = Client> {
    auth: Arc<dyn TokenProvider>,
    cloud: Cloud,
    version: ApiVersion,
    /// Set by [`ClientBuilder::base_url`]: replaces the cloud and version.
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
    /// Graph beta, these credentials and the default limits.
    pub fn new(auth: impl TokenProvider + 'static) -> Self {
        ClientBuilder {
            auth: Arc::new(auth),
            cloud: Cloud::Global,
            version: ApiVersion::Beta,
            base_url: None,
            fallback: Fallback::Graph,
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

    /// Graph beta (the default) or v1.0.
    #[must_use]
    pub fn version(mut self, version: ApiVersion) -> Self {
        self.version = version;
        self.fallback = Fallback::Graph;
        self
    }

    /// The cloud (default [`Cloud::Global`]): its host, and tokens asked for its scope.
    #[must_use]
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.cloud = cloud;
        self.fallback = Fallback::Graph;
        self
    }

    /// The base URL used unless [`ClientBuilder::base_url`] sets one: a generated client's
    /// document's server. A Graph URL (`https://graph.microsoft.com/v1.0`) is read as its
    /// cloud and version, so [`ClientBuilder::cloud`] and [`ClientBuilder::version`] change
    /// it; `None` means there is no default, and [`ClientBuilder::build`] fails without one.
    #[doc(hidden)]
    #[must_use]
    pub fn default_base_url(mut self, url: Option<&str>) -> Self {
        let url = url.map(|u| u.trim_end_matches('/'));
        let graph = CLOUDS.iter().find_map(|&cloud| {
            [ApiVersion::Beta, ApiVersion::V1]
                .into_iter()
                .find(|&v| Some(cloud.base_url(v).as_str()) == url)
                .map(|v| (cloud, v))
        });
        self.fallback = match (graph, url) {
            (Some((cloud, version)), _) => {
                self.cloud = cloud;
                self.version = version;
                Fallback::Graph
            }
            (None, Some(url)) => Fallback::Url(url.to_owned()),
            (None, None) => Fallback::None,
        };
        self
    }

    /// Any other base URL, instead of the cloud and version: a proxy or a local test server
    /// (plain `http` only on loopback). It is a scheme, host and path prefix: a query, a
    /// fragment or user information is refused by [`ClientBuilder::build`]. Tokens are asked
    /// for its origin's `.default` scope unless [`ClientBuilder::scope`] says otherwise.
    #[must_use]
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into().trim_end_matches('/').to_owned());
        self
    }

    /// The scope tokens are asked for (default: the `.default` scope of the base URL's host,
    /// such as `https://graph.microsoft.com/.default`); set it when a proxy stands in front of
    /// Graph.
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    fn resolved_base_url(&self) -> Option<String> {
        match (&self.base_url, &self.fallback) {
            (Some(url), _) | (None, Fallback::Url(url)) => Some(url.clone()),
            (None, Fallback::Graph) => Some(self.cloud.base_url(self.version)),
            (None, Fallback::None) => None,
        }
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

    /// Keeps this client under a request rate, such as [`RateLimit::graph_presence`].
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
enum Fallback {
    /// The cloud and version (a Graph client, and the runtime's own [`Client`]).
    Graph,
    /// The generated client's document's server.
    Url(String),
    /// Nowhere: the document declares no server the client can use.
    None,
}

const CLOUDS: [Cloud; 4] = [
    Cloud::Global,
    Cloud::UsGovernment,
    Cloud::UsGovernmentDod,
    Cloud::China,
];

/// The `.default` scope of a base URL's origin (`https://graph.microsoft.us/.default`).
fn default_scope(base_url: &str) -> String {
    match base_url.parse::<http::Uri>() {
        Ok(uri) => match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => format!("{scheme}://{authority}/.default"),
            _ => Cloud::Global.scope(),
        },
        Err(_) => Cloud::Global.scope(),
    }
}

/// The HTTP client used unless one is given: it does not follow redirects, so that
/// [`Client::send`] can follow them and keep the token on its origin.
#[cfg(feature = "reqwest")]
fn default_http_client() -> Result<reqwest::Client, Error> {
    // rustls needs a crypto provider; with `rustls-ring` it is ring, unless the application
    // installed one already (then `install_default` leaves it and says so, which is fine).
    #[cfg(feature = "rustls-ring")]
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::InvalidRequest(format!("the HTTP client cannot be created: {e}")))
}

#[cfg(all(test, feature = "reqwest"))]
mod tests {
    /// Each TLS feature gives a client that can be built (CI builds every feature on its own).
    #[test]
    fn the_default_http_client_builds_with_the_chosen_tls_stack() {
        super::default_http_client().expect("the TLS backend initialises");
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
    use super::{ApiVersion, Client, ClientBuilder, Cloud};
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

    /// A Graph server is read as its cloud and version, so both settings still apply.
    #[test]
    fn a_graph_server_keeps_cloud_and_version() {
        let v1 = builder().default_base_url(Some("https://graph.microsoft.com/v1.0/"));
        let us = v1.cloud(Cloud::UsGovernment).build_unchecked();
        assert_eq!(us.base_url(), "https://graph.microsoft.us/v1.0");
        let beta = builder()
            .default_base_url(Some("https://graph.microsoft.com/v1.0"))
            .version(ApiVersion::Beta);
        assert_eq!(
            beta.build_unchecked().base_url(),
            "https://graph.microsoft.com/beta"
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
