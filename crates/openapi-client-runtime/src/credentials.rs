//! Credentials other than the bearer token: API keys (in a header, the query or a cookie) and
//! HTTP basic, configured once on the builder by the name of the document's security scheme
//! ([`ClientBuilder::api_key`](crate::ClientBuilder::api_key),
//! [`ClientBuilder::basic_auth`](crate::ClientBuilder::basic_auth)), and applied to each request
//! as its operation's `security` says.
//!
//! Generated code states an operation's requirements ([`Scheme`]s, alternatives of which any one
//! suffices); an operation that states none is authorized as before, with the bearer token.
//! Of the alternatives, the first whose credentials are all configured by name is applied,
//! preferring one without a bearer scheme (the token provider is always there, so a bearer
//! scheme is always "configured"); an empty list (`security: []`) or an empty alternative
//! (`{}`) sends no credential. When no alternative can be applied, the request is not sent:
//! [`Error::InvalidRequest`] names the schemes to configure.
//!
//! Secrets never appear in `Debug` output, traces or error text: header values are marked
//! sensitive, and an API key sent in the query is kept out of errors (they name the path only)
//! and out of traces (which name the path template). Credentials go only to the base URL's
//! origin: a redirect elsewhere drops them.

use crate::error::Error;
// Cookie keys are encoded as the request's own cookie parameters are.
use crate::request::COOKIE_VALUE;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::collections::BTreeMap;
use std::fmt;

/// One security scheme an operation requires, as its document defines it. Generated code
/// states these; the client applies the matching credential.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    /// The scheme's name in `components/securitySchemes`.
    pub name: &'static str,
    /// What it sends.
    pub kind: SchemeKind,
}

/// What a [`Scheme`] sends.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>` from the token provider (HTTP bearer, OAuth 2, OpenID
    /// Connect).
    Bearer,
    /// `Authorization: Basic base64(user:password)`.
    Basic,
    /// An API key in this header.
    Header(&'static str),
    /// An API key in this query parameter.
    Query(&'static str),
    /// An API key in this cookie.
    Cookie(&'static str),
    /// A scheme the client cannot apply (mutual TLS, another HTTP scheme): it sends nothing
    /// for it (a proxy, or a `reqwest` client of your own, may add it).
    Other,
}

/// What the user configured for a scheme. Its `Debug` output is redacted.
#[derive(Clone)]
pub(crate) enum Credential {
    /// The whole value sent (`Bot xyz`, or the key alone).
    ApiKey(String),
    /// `Basic …`, already encoded.
    Basic(String),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
            Credential::Basic(_) => f.write_str("Basic(<redacted>)"),
        }
    }
}

/// The credentials by scheme name.
#[derive(Clone, Debug, Default)]
pub(crate) struct Credentials(BTreeMap<String, Credential>);

impl Credentials {
    pub(crate) fn insert(&mut self, scheme: String, credential: Credential) {
        self.0.insert(scheme, credential);
    }

    fn get(&self, scheme: &Scheme) -> Option<&Credential> {
        let credential = self.0.get(scheme.name)?;
        match (scheme.kind, credential) {
            (SchemeKind::Basic, Credential::Basic(_))
            | (
                SchemeKind::Header(_) | SchemeKind::Query(_) | SchemeKind::Cookie(_),
                Credential::ApiKey(_),
            ) => Some(credential),
            _ => None,
        }
    }

    fn configured(&self, scheme: &Scheme) -> bool {
        matches!(scheme.kind, SchemeKind::Bearer | SchemeKind::Other) || self.get(scheme).is_some()
    }

    /// The alternative to apply: the first whose schemes are all configured and that has no
    /// bearer scheme, else the first whose schemes are all configured; `Err` names them all.
    pub(crate) fn choose(
        &self,
        alternatives: &'static [&'static [Scheme]],
    ) -> Result<&'static [Scheme], Error> {
        if alternatives.is_empty() {
            return Ok(&[]);
        }
        let usable = |alt: &&&'static [Scheme]| alt.iter().all(|s| self.configured(s));
        let explicit = alternatives.iter().filter(usable).find(|alt| {
            !alt.is_empty()
                && alt
                    .iter()
                    .all(|s| !matches!(s.kind, SchemeKind::Bearer | SchemeKind::Other))
        });
        if let Some(alt) = explicit.or_else(|| alternatives.iter().find(usable)) {
            return Ok(alt);
        }
        let wanted: Vec<String> = alternatives
            .iter()
            .map(|alt| {
                alt.iter()
                    .map(|s| format!("`{}` ({})", s.name, s.kind.describe()))
                    .collect::<Vec<_>>()
                    .join(" and ")
            })
            .collect();
        Err(Error::InvalidRequest(format!(
            "not sent: the operation requires {}{}, and no credential is configured for it (set one on the client builder with `api_key` or `basic_auth`, by the scheme's name)",
            if wanted.len() > 1 { "one of " } else { "" },
            wanted.join(", or ")
        )))
    }

    /// Applies `scheme`'s credential (configured: [`Credentials::choose`] chose it) to
    /// `request`, and says what it added, so a redirect can drop or repeat it.
    pub(crate) fn apply(
        &self,
        scheme: &Scheme,
        request: &mut http::Request<Vec<u8>>,
        applied: &mut Applied,
    ) -> Result<(), Error> {
        let (value, kind) = match self.get(scheme) {
            Some(Credential::ApiKey(v) | Credential::Basic(v)) => (v.as_str(), scheme.kind),
            None => return Ok(()),
        };
        let invalid = || {
            Error::InvalidRequest(format!(
                "the credential of security scheme `{}` is not a valid {}",
                scheme.name,
                kind.describe()
            ))
        };
        match kind {
            SchemeKind::Basic => {
                insert_header(request, http::header::AUTHORIZATION, value)
                    .map_err(|()| invalid())?;
                applied.headers.push(http::header::AUTHORIZATION);
            }
            SchemeKind::Header(name) => {
                let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
                insert_header(request, name.clone(), value).map_err(|()| invalid())?;
                applied.headers.push(name);
            }
            SchemeKind::Cookie(name) => {
                let pair = format!("{name}={}", utf8_percent_encode(value, COOKIE_VALUE));
                let cookie = match request.headers().get(http::header::COOKIE) {
                    Some(existing) => {
                        format!("{}; {pair}", existing.to_str().map_err(|_| invalid())?)
                    }
                    None => pair,
                };
                insert_header(request, http::header::COOKIE, &cookie).map_err(|()| invalid())?;
                applied.headers.push(http::header::COOKIE);
            }
            SchemeKind::Query(name) => {
                let pair = format!(
                    "{}={}",
                    utf8_percent_encode(name, QUERY_KEY),
                    utf8_percent_encode(value, QUERY_KEY)
                );
                add_query(request, &pair).map_err(|()| invalid())?;
                applied.query.push(pair);
            }
            SchemeKind::Bearer | SchemeKind::Other => {}
        }
        Ok(())
    }
}

/// What a request was given besides the bearer token: the headers set and the query pairs
/// added.
#[derive(Default)]
#[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
pub(crate) struct Applied {
    pub(crate) headers: Vec<http::HeaderName>,
    pub(crate) query: Vec<String>,
}

impl Applied {
    /// After a redirect: to another origin every credential header is dropped; to the same
    /// origin, the query keys are added again to the new URL.
    #[cfg(feature = "reqwest")]
    pub(crate) fn redirected(
        &self,
        request: &mut http::Request<Vec<u8>>,
        cross_origin: bool,
    ) -> Result<(), Error> {
        if cross_origin {
            for name in &self.headers {
                request.headers_mut().remove(name);
            }
            return Ok(());
        }
        for pair in &self.query {
            add_query(request, pair).map_err(|()| {
                Error::InvalidRequest("an API key could not be added to a redirect".to_owned())
            })?;
        }
        Ok(())
    }
}

impl SchemeKind {
    fn describe(self) -> String {
        match self {
            SchemeKind::Bearer => "a bearer token".to_owned(),
            SchemeKind::Basic => "HTTP basic credentials".to_owned(),
            SchemeKind::Header(name) => format!("an API key in the header `{name}`"),
            SchemeKind::Query(name) => format!("an API key in the query parameter `{name}`"),
            SchemeKind::Cookie(name) => format!("an API key in the cookie `{name}`"),
            SchemeKind::Other => "a scheme the client cannot apply".to_owned(),
        }
    }
}

/// Everything but RFC 3986's unreserved characters is encoded in a query key.
const QUERY_KEY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A header marked sensitive (hidden from `Debug` and from HTTP/2's header compression).
fn insert_header(
    request: &mut http::Request<Vec<u8>>,
    name: http::HeaderName,
    value: &str,
) -> Result<(), ()> {
    let mut value = http::HeaderValue::from_str(value).map_err(|_| ())?;
    value.set_sensitive(true);
    request.headers_mut().insert(name, value);
    Ok(())
}

/// Appends an encoded `name=value` pair to the request's query.
fn add_query(request: &mut http::Request<Vec<u8>>, pair: &str) -> Result<(), ()> {
    let uri = request.uri();
    let path_and_query = match uri.query() {
        Some(query) if !query.is_empty() => format!("{}?{query}&{pair}", uri.path()),
        _ => format!("{}?{pair}", uri.path()),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(path_and_query.parse().map_err(|_| ())?);
    *request.uri_mut() = http::Uri::from_parts(parts).map_err(|_| ())?;
    Ok(())
}

/// `Basic base64(user:password)` (RFC 7617), standard base64 with padding.
pub(crate) fn basic(user: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = format!("{user}:{password}").into_bytes();
    let mut out = String::from("Basic ");
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_is_rfc_7617() {
        // RFC 7617's example.
        assert_eq!(
            basic("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic("a", ""), "Basic YTo=");
        assert_eq!(basic("ab", "c"), "Basic YWI6Yw==");
        assert_eq!(basic("ab", "cd"), "Basic YWI6Y2Q=");
    }

    const KEY: Scheme = Scheme {
        name: "key",
        kind: SchemeKind::Query("api key"),
    };
    const BEARER: Scheme = Scheme {
        name: "oauth",
        kind: SchemeKind::Bearer,
    };

    #[test]
    fn a_configured_key_is_preferred_to_the_token_and_a_missing_one_is_an_error() {
        let mut credentials = Credentials::default();
        static ALTS: &[&[Scheme]] = &[&[BEARER], &[KEY]];
        assert_eq!(credentials.choose(ALTS).map_err(|_| ()), Ok(&[BEARER][..]));
        static ONLY_KEY: &[&[Scheme]] = &[&[KEY]];
        let error = credentials.choose(ONLY_KEY).map(|_| ()).unwrap_err();
        assert!(error.to_string().contains("`key`"), "{error}");
        credentials.insert("key".to_owned(), Credential::ApiKey("s e/cret".to_owned()));
        assert_eq!(credentials.choose(ALTS).map_err(|_| ()), Ok(&[KEY][..]));
        assert!(!format!("{credentials:?}").contains("cret"));
        let mut request = http::Request::new(Vec::new());
        *request.uri_mut() = "https://x.example/a?b=1".parse().expect("a URI");
        let mut applied = Applied::default();
        credentials
            .apply(&KEY, &mut request, &mut applied)
            .expect("applied");
        assert_eq!(request.uri().query(), Some("b=1&api%20key=s%20e%2Fcret"));
    }
}
