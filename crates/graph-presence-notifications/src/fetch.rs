//! Fetching Microsoft's published token signing keys (feature `fetch-keys`), the one I/O
//! outside the `axum` feature. The caller passes its `reqwest::Client`, which decides TLS (the
//! presence client's default features turn on reqwest's rustls) and proxies.

use std::fmt;

use crate::{Error, JwkSet};

/// Where the Microsoft identity platform publishes the keys that sign validation tokens.
pub const MICROSOFT_KEYS_URL: &str = "https://login.microsoftonline.com/common/discovery/v2.0/keys";

/// Longer key set documents are refused (Microsoft's is about 10 KB).
const MAX_KEYS_LEN: usize = 1024 * 1024;

/// Why the key set could not be fetched.
#[derive(Debug)]
#[non_exhaustive]
pub enum FetchError {
    /// The request failed (connection, TLS, timeout).
    Http(reqwest::Error),
    /// The answer was not a success.
    Status {
        /// Its status.
        status: u16,
    },
    /// The answer is longer than 1 MiB.
    TooLarge,
    /// The answer is not a key set.
    Keys(Error),
    /// No answer in time (the `axum` webhook waits two seconds while Graph waits for its
    /// answer).
    TimedOut,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Http(error) => write!(f, "fetching the signing keys failed: {error}"),
            FetchError::Status { status } => {
                write!(f, "fetching the signing keys was answered {status}")
            }
            FetchError::TooLarge => write!(f, "the signing key set is larger than 1 MiB"),
            FetchError::Keys(error) => write!(f, "the signing key set is unusable: {error}"),
            FetchError::TimedOut => write!(f, "fetching the signing keys timed out"),
        }
    }
}

impl std::error::Error for FetchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FetchError::Http(error) => Some(error),
            FetchError::Keys(error) => Some(error),
            _ => None,
        }
    }
}

impl JwkSet {
    /// Fetches Microsoft's signing keys ([`MICROSOFT_KEYS_URL`]). They rotate every few weeks:
    /// fetch them again daily, and when a token names a `kid` the set lacks.
    pub async fn fetch_microsoft(http: &reqwest::Client) -> Result<Self, FetchError> {
        Self::fetch(http, MICROSOFT_KEYS_URL).await
    }

    /// Fetches a JWKS document from `url` (a national cloud's, or a test's).
    pub async fn fetch(http: &reqwest::Client, url: &str) -> Result<Self, FetchError> {
        let mut response = http.get(url).send().await.map_err(FetchError::Http)?;
        if !response.status().is_success() {
            return Err(FetchError::Status {
                status: response.status().as_u16(),
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(FetchError::Http)? {
            if body.len() + chunk.len() > MAX_KEYS_LEN {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        JwkSet::from_json(&body).map_err(FetchError::Keys)
    }
}
