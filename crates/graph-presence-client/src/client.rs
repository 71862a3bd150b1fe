//! The client: base URL, credentials, and the reqwest executor.

use crate::auth::TokenProvider;
use crate::error::Error;
use crate::request::RequestSpec;
use std::fmt;
use std::sync::Arc;

/// Graph's API versions. Beta is the default (the presence features documented first land
/// there); v1.0 is the stable surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    Beta,
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
}

/// A Graph presence client. Cheap to clone (shared internally); start requests from
/// [`Client::me`], [`Client::users`] and [`Client::communications`].
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: String,
    auth: Arc<dyn TokenProvider>,
    #[cfg(feature = "reqwest")]
    http: reqwest::Client,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for Graph beta with these credentials.
    pub fn new(auth: impl TokenProvider + 'static) -> Self {
        ClientBuilder::new(auth).build_unchecked()
    }

    /// A client with other settings (API version, base URL, HTTP client).
    pub fn builder(auth: impl TokenProvider + 'static) -> ClientBuilder {
        ClientBuilder::new(auth)
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Builds the request of a spec against this client's base URL (used by the builders).
    pub fn build_request(&self, spec: RequestSpec) -> Result<http::Request<Vec<u8>>, Error> {
        spec.build(&self.inner.base_url)
    }

    /// Adds the `Authorization` header (a token from the provider, marked sensitive) to a
    /// built request. `send()` does this; call it yourself to send with another HTTP stack.
    pub async fn authorize(&self, request: &mut http::Request<Vec<u8>>) -> Result<(), Error> {
        let token = self.inner.auth.token().await.map_err(Error::Auth)?;
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

    /// Sends an operation and reads its response: the one send path of every builder.
    #[cfg(feature = "reqwest")]
    pub async fn send<O: crate::request::Operation + ?Sized>(
        &self,
        operation: &O,
    ) -> Result<http::Response<O::Output>, Error> {
        let mut request = operation.to_request()?;
        self.authorize(&mut request).await?;
        let request = reqwest::Request::try_from(request.map(reqwest::Body::from))
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let response = self
            .inner
            .http
            .execute(request)
            .await
            .map_err(|e| Error::Transport(Box::new(e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| Error::Transport(Box::new(e)))?;
        let mut received = http::Response::new(body.to_vec());
        *received.status_mut() = status;
        *received.headers_mut() = headers;
        operation.parse_response(received)
    }
}

/// Settings for a [`Client`].
pub struct ClientBuilder {
    auth: Arc<dyn TokenProvider>,
    base_url: String,
    #[cfg(feature = "reqwest")]
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    fn new(auth: impl TokenProvider + 'static) -> Self {
        ClientBuilder {
            auth: Arc::new(auth),
            base_url: ApiVersion::Beta.base_url().to_owned(),
            #[cfg(feature = "reqwest")]
            http: None,
        }
    }

    /// Graph beta (the default) or v1.0 on the global cloud.
    #[must_use]
    pub fn version(mut self, version: ApiVersion) -> Self {
        self.base_url = version.base_url().to_owned();
        self
    }

    /// Any other base URL: a national cloud (`https://graph.microsoft.us/v1.0`), a proxy, or
    /// a local test server.
    #[must_use]
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_owned();
        self
    }

    /// The reqwest client to send with (for proxies, timeouts, connection pools).
    #[cfg(feature = "reqwest")]
    #[must_use]
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The client; fails if the base URL is not an absolute http(s) URL.
    pub fn build(self) -> Result<Client, Error> {
        let uri: http::Uri = self
            .base_url
            .parse()
            .map_err(|e| Error::InvalidRequest(format!("base URL `{}`: {e}", self.base_url)))?;
        if !matches!(uri.scheme_str(), Some("https" | "http")) || uri.host().is_none() {
            return Err(Error::InvalidRequest(format!(
                "base URL `{}` is not an absolute http(s) URL",
                self.base_url
            )));
        }
        Ok(self.build_unchecked())
    }

    fn build_unchecked(self) -> Client {
        Client {
            inner: Arc::new(Inner {
                base_url: self.base_url,
                auth: self.auth,
                #[cfg(feature = "reqwest")]
                http: self.http.unwrap_or_default(),
            }),
        }
    }
}
