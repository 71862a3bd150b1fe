//! Where the emulator may POST, and the validation handshake Graph makes before it creates a
//! subscription (for the notification URL, and for the lifecycle URL when there is one):
//! `POST {url}?validationToken={token}` with `Content-Type: text/plain; charset=utf-8` and
//! no body, answered `200`, `text/plain`, with the decoded token as the body, within 10
//! seconds.
//!
//! URLs: `https:` to any host (Graph's rule; the emulator's own tests only ever use
//! loopback), and `http:` only to a loopback host when the settings allow it
//! ([`DeliverySettings::allow_http_loopback`]); nothing else.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::time::Duration;

use openapi_models_runtime::excerpt;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderValue};

use super::settings::DeliverySettings;

/// How much of a URL or an answer a message shows.
const SHOWN: usize = 100;
/// The longest handshake answer read: a token echoed is about 110 bytes.
const MAX_ANSWER: usize = 4096;
/// Percent-encoded in the query: everything but RFC 3986's unreserved characters (so a space
/// is `%20`, which a form decoder reads as a space too).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A notification or lifecycle URL the emulator does not POST to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not an absolute URL.
    #[error("`{}` is not an absolute URL", excerpt(url, SHOWN))]
    Malformed {
        /// The URL as given.
        url: String,
    },
    /// A scheme other than `https` (or `http` where allowed).
    #[error("`{}`: the URL must be https", excerpt(url, SHOWN))]
    NotHttps {
        /// The URL as given.
        url: String,
    },
    /// `http:` to a host that is not loopback, or `http:` at all when not allowed.
    #[error(
        "`{}`: plain http is allowed only to a loopback host (127.0.0.1, ::1, localhost), and only when the emulator allows it",
        excerpt(url, SHOWN)
    )]
    HttpRefused {
        /// The URL as given.
        url: String,
    },
}

/// Why the validation handshake failed: the subscription create answers `400` with this
/// message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    /// The URL is refused before anything is sent.
    #[error("subscription validation request not sent: {0}")]
    Url(#[from] UrlError),
    /// The connection failed (refused, reset, DNS…).
    #[error(
        "subscription validation request to `{}` failed: {}",
        excerpt(url, SHOWN),
        excerpt(message, 200)
    )]
    Unreachable {
        /// The URL.
        url: String,
        /// What failed, from the HTTP client's error chain.
        message: String,
    },
    /// No whole answer within the timeout.
    #[error(
        "subscription validation request to `{}` timed out: no answer within {after:?}",
        excerpt(url, SHOWN)
    )]
    Timeout {
        /// The URL.
        url: String,
        /// The timeout.
        after: Duration,
    },
    /// A status other than 200.
    #[error(
        "subscription validation request to `{}` failed: the endpoint answered {status}, not 200 with the validation token",
        excerpt(url, SHOWN)
    )]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// 200, but not `text/plain`.
    #[error(
        "subscription validation request to `{}` failed: the answer's Content-Type is {}, not text/plain",
        excerpt(url, SHOWN),
        content_type.as_deref().map_or_else(|| "missing".to_owned(), |c| format!("`{}`", excerpt(c, SHOWN)))
    )]
    ContentType {
        /// The URL.
        url: String,
        /// The Content-Type answered, if any.
        content_type: Option<String>,
    },
    /// 200, but the body is not the token.
    #[error(
        "subscription validation request to `{}` failed: the answer `{}` is not the validation token `{}`",
        excerpt(url, SHOWN),
        excerpt(answered, SHOWN),
        excerpt(expected, SHOWN)
    )]
    Mismatch {
        /// The URL.
        url: String,
        /// The token sent.
        expected: String,
        /// The body answered (lossy UTF-8, at most 4 KiB).
        answered: String,
    },
}

/// Checks that the emulator may POST to `url`, and parses it.
pub fn check_url(url: &str, allow_http_loopback: bool) -> Result<Url, UrlError> {
    let parsed = Url::parse(url).map_err(|_| UrlError::Malformed {
        url: url.to_owned(),
    })?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if allow_http_loopback && is_loopback(&parsed) => Ok(parsed),
        "http" => Err(UrlError::HttpRefused {
            url: url.to_owned(),
        }),
        _ => Err(UrlError::NotHttps {
            url: url.to_owned(),
        }),
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // An IPv6 host is written in brackets.
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// A validation token as Graph makes them: text naming a new request id.
pub fn new_validation_token() -> String {
    format!(
        "Validation: Testing client application reachability for subscription Request-Id: {}",
        uuid::Uuid::new_v4()
    )
}

/// The handshake: POSTs a new token to `url` and checks the answer, waiting at most
/// `settings.handshake_timeout` (real time: the endpoint answers in real time).
pub async fn validate(
    http: &reqwest::Client,
    url: &str,
    settings: &DeliverySettings,
) -> Result<(), HandshakeError> {
    validate_with_token(http, url, &new_validation_token(), settings).await
}

/// The handshake with a given token.
pub async fn validate_with_token(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    settings: &DeliverySettings,
) -> Result<(), HandshakeError> {
    let mut target = check_url(url, settings.allow_http_loopback)?;
    let mut query = target.query().unwrap_or_default().to_owned();
    if !query.is_empty() {
        query.push('&');
    }
    let _ = write!(
        query,
        "validationToken={}",
        utf8_percent_encode(token, QUERY_VALUE)
    );
    target.set_query(Some(&query));

    let exchange = async {
        let response = http
            .post(target)
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )
            .send()
            .await?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        let body = read_bounded(response, MAX_ANSWER).await?;
        Ok::<_, reqwest::Error>((status, content_type, body))
    };
    let (status, content_type, body) =
        match tokio::time::timeout(settings.handshake_timeout, exchange).await {
            Err(_) => {
                return Err(HandshakeError::Timeout {
                    url: url.to_owned(),
                    after: settings.handshake_timeout,
                });
            }
            Ok(Err(error)) => {
                return Err(HandshakeError::Unreachable {
                    url: url.to_owned(),
                    message: error_chain(&error),
                });
            }
            Ok(Ok(answer)) => answer,
        };
    if status != 200 {
        return Err(HandshakeError::Status {
            url: url.to_owned(),
            status,
        });
    }
    if settings.handshake_requires_text_plain && !is_text_plain(content_type.as_deref()) {
        return Err(HandshakeError::ContentType {
            url: url.to_owned(),
            content_type,
        });
    }
    if body != token.as_bytes() {
        return Err(HandshakeError::Mismatch {
            url: url.to_owned(),
            expected: token.to_owned(),
            answered: String::from_utf8_lossy(&body).into_owned(),
        });
    }
    Ok(())
}

/// `text/plain`, whatever its parameters (`; charset=utf-8`) and case.
fn is_text_plain(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/plain"))
}

/// At most `max + 1` bytes of the body: enough to tell it is longer than `max`.
async fn read_bounded(
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = (max + 1).saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() > max {
            break;
        }
    }
    Ok(body)
}

/// An error and its sources, `: `-separated (reqwest's own message names the URL only; the
/// cause, such as "Connection refused", is in the chain).
pub(super) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}
