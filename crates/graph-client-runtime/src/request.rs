//! The sans-IO core: building an `http::Request` and reading an `http::Response`, with no
//! network. The generated builders call these; the reqwest executor only moves bytes.

use crate::error::{self, DecodeFailure, Error};
use http::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT};
use http::{Method, Request, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Everything but RFC 3986's unreserved characters is encoded in a path parameter, and so is
/// `.`, so that `..` can never become a dot-segment: a parameter is always exactly one segment.
const PATH_PARAMETER: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// In a query value, also keep a few characters OData writes literally and that are safe there.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'~')
    .remove(b'.')
    .remove(b',')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b':')
    .remove(b'/')
    .remove(b'$');

/// The `User-Agent` a client sends unless told otherwise: this crate's name and version.
/// Generated clients send their own (see [`crate::client!`]).
pub const DEFAULT_USER_AGENT: &str =
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The header Graph uses to correlate a client's request with its logs.
pub const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");

/// One operation: how to build its request and how to read its response. Implemented by every
/// generated request builder.
pub trait Operation {
    /// The decoded success body (`()` for operations that answer with no body).
    type Output;

    /// The request as it goes on the wire, except the `Authorization` header, which the
    /// executor adds (so a built request never holds a token).
    fn to_request(&self) -> Result<Request<Vec<u8>>, Error>;

    /// Reads a response: a 2xx becomes the output, anything else an [`Error`].
    fn parse_response(&self, response: Response<Vec<u8>>) -> Result<Response<Self::Output>, Error>;

    /// Whether sending it twice does no harm (so failures may be retried).
    fn idempotent(&self) -> bool {
        false
    }
}

/// What a generated builder knows about its request; turned into an `http::Request` by
/// [`RequestSpec::build`].
#[derive(Debug, Clone)]
pub struct RequestSpec {
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    client_request_id: Option<String>,
}

impl RequestSpec {
    pub fn new(method: Method) -> Self {
        RequestSpec {
            method,
            path: String::new(),
            query: Vec::new(),
            body: None,
            client_request_id: None,
        }
    }

    /// Appends a literal path segment from the schema.
    pub fn segment(&mut self, literal: &str) {
        self.path.push('/');
        self.path.push_str(literal);
    }

    /// Appends a path parameter, percent-encoded as exactly one segment.
    pub fn parameter(&mut self, name: &str, value: &str) -> Result<(), Error> {
        if value.is_empty() {
            return Err(Error::InvalidRequest(format!(
                "path parameter `{name}` is empty"
            )));
        }
        self.path.push('/');
        self.path.extend(utf8_percent_encode(value, PATH_PARAMETER));
        Ok(())
    }

    /// Adds a query option (`$select`, `$filter`, …); the value is percent-encoded.
    pub fn query(&mut self, name: &'static str, value: &str) {
        self.query
            .push((name, utf8_percent_encode(value, QUERY_VALUE).to_string()));
    }

    /// Sets a JSON body.
    pub fn json_body<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::InvalidRequest(format!("the request body does not serialize: {e}"))
        })?;
        self.body = Some(bytes);
        Ok(())
    }

    /// Uses this `client-request-id` instead of a fresh UUID.
    pub fn client_request_id(&mut self, id: Option<&str>) {
        self.client_request_id = id.map(str::to_owned);
    }

    /// The request against `base_url`, with `Accept`, `User-Agent`, `client-request-id` and,
    /// when there is a body, `Content-Type`.
    pub fn build(self, base_url: &str, user_agent: &str) -> Result<Request<Vec<u8>>, Error> {
        let mut uri = format!("{}{}", base_url.trim_end_matches('/'), self.path);
        for (i, (name, value)) in self.query.iter().enumerate() {
            uri.push(if i == 0 { '?' } else { '&' });
            uri.push_str(name);
            uri.push('=');
            uri.push_str(value);
        }
        let id = self
            .client_request_id
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let id = HeaderValue::from_str(&id).map_err(|_| {
            Error::InvalidRequest(format!(
                "`{id}` is not a valid client-request-id header value"
            ))
        })?;
        let user_agent = HeaderValue::from_str(user_agent).map_err(|_| {
            Error::InvalidRequest(format!(
                "`{user_agent}` is not a valid user-agent header value"
            ))
        })?;
        let mut builder = Request::builder()
            .method(self.method)
            .uri(&uri)
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, user_agent)
            .header(CLIENT_REQUEST_ID, id);
        if self.body.is_some() {
            builder = builder.header(CONTENT_TYPE, "application/json");
        }
        builder
            .body(self.body.unwrap_or_default())
            .map_err(|e| Error::InvalidRequest(format!("`{uri}`: {e}")))
    }
}

/// Reads a response whose success body is JSON of type `T`.
pub fn json_response<T: DeserializeOwned>(
    response: Response<Vec<u8>>,
) -> Result<Response<T>, Error> {
    let (parts, body) = success(response)?.into_parts();
    match graph_models_runtime::from_slice::<T>(&body) {
        Ok(value) => Ok(Response::from_parts(parts, value)),
        Err(source) => Err(Error::Decode(Box::new(DecodeFailure {
            status: parts.status,
            source,
            body,
        }))),
    }
}

/// Reads a response to an operation with no response body: any 2xx (200 or 204, with or
/// without a body) succeeds.
pub fn empty_response(response: Response<Vec<u8>>) -> Result<Response<()>, Error> {
    let (parts, _) = success(response)?.into_parts();
    Ok(Response::from_parts(parts, ()))
}

fn success(response: Response<Vec<u8>>) -> Result<Response<Vec<u8>>, Error> {
    if response.status().is_success() {
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    Err(error::from_response(parts.status, parts.headers, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(value: &str) -> String {
        let mut spec = RequestSpec::new(Method::GET);
        spec.segment("users");
        spec.parameter("user-id", value).expect("not empty");
        spec.segment("presence");
        spec.build("https://graph.microsoft.com/beta", DEFAULT_USER_AGENT)
            .expect("builds")
            .uri()
            .path()
            .to_owned()
    }

    #[test]
    fn a_path_parameter_is_always_one_segment() {
        assert_eq!(
            path_of("66825e03-7ef5-42da-9069-724602c31f6b"),
            "/beta/users/66825e03-7ef5-42da-9069-724602c31f6b/presence"
        );
        assert_eq!(path_of("../me"), "/beta/users/%2E%2E%2Fme/presence");
        assert_eq!(path_of(".."), "/beta/users/%2E%2E/presence");
        assert_eq!(path_of("a/b?c#d"), "/beta/users/a%2Fb%3Fc%23d/presence");
        assert_eq!(path_of("x%2Fy"), "/beta/users/x%252Fy/presence");
        assert_eq!(
            path_of("é 😀"),
            "/beta/users/%C3%A9%20%F0%9F%98%80/presence"
        );
    }

    #[test]
    fn an_empty_path_parameter_is_refused() {
        let mut spec = RequestSpec::new(Method::GET);
        assert!(matches!(
            spec.parameter("user-id", ""),
            Err(Error::InvalidRequest(_))
        ));
    }
}
