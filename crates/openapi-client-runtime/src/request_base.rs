//! What every request builder holds besides its own inputs ([`RequestBase`], behind the
//! [`RequestBuilder`] trait), and [`AcceptAs`], a builder's request for another of the
//! operation's response media types.

use crate::client::Client;
use crate::error::Error;
use crate::request::{Operation, RequestSpec, bytes_response};
use http::header::{ACCEPT, HeaderValue};

/// What every request builder holds besides its own inputs: the client that sends it, the
/// `client-request-id` to send, if the caller chose one, and a body in another of the
/// operation's media types, if the caller gave one.
#[derive(Debug, Clone)]
pub struct RequestBase {
    client: Client,
    client_request_id: Option<String>,
    /// The media type and bytes that replace the builder's own body.
    body: Option<(&'static str, Vec<u8>)>,
    /// Headers the caller added (`Prefer`, `ConsistencyLevel`), checked when built.
    headers: Vec<(String, String)>,
}

impl RequestBase {
    /// A request on `client`, with a fresh `client-request-id` unless one is set.
    pub fn new(client: Client) -> Self {
        RequestBase {
            client,
            client_request_id: None,
            body: None,
            headers: Vec::new(),
        }
    }

    /// Sends these bytes, unchanged, as `media_type` instead of the builder's own body (an
    /// operation that takes several media types: `body_xml(bytes)`).
    pub fn set_body(&mut self, media_type: &'static str, body: Vec<u8>) {
        self.body = Some((media_type, body));
    }

    /// The client the request is sent with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Sends this `client-request-id` instead of a fresh UUID.
    pub fn set_client_request_id(&mut self, id: String) {
        self.client_request_id = Some(id);
    }

    /// Adds a header to the request, replacing one of the same name the request would send
    /// (but `Authorization`, which the client sets when it sends).
    pub fn add_header(&mut self, name: String, value: String) {
        self.headers.push((name, value));
    }

    /// Finishes a builder's request: its `client-request-id`, the client's base URL and the
    /// headers the caller added. A header name or value that is not valid (a line break in a
    /// value) is an [`Error::InvalidRequest`]; the value is not repeated in it.
    pub fn build(&self, mut spec: RequestSpec) -> Result<http::Request<Vec<u8>>, Error> {
        spec.client_request_id(self.client_request_id.as_deref());
        if let Some((media_type, body)) = &self.body {
            spec.raw_body(media_type, body.clone());
        }
        let mut request = self.client.build_request(spec)?;
        for (name, value) in &self.headers {
            let shown = openapi_models_runtime::excerpt(name, 80);
            let header = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::InvalidRequest(format!("`{shown}` is not a valid header name"))
            })?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::InvalidRequest(format!(
                    "the value of header `{shown}` is not a valid header value (control characters such as line breaks are refused)"
                ))
            })?;
            request.headers_mut().insert(header, value);
        }
        Ok(request)
    }
}

/// A generated request builder: what [`AcceptAs`] needs to send it. Implemented by
/// [`request_builder!`](crate::request_builder).
pub trait RequestBuilder: Operation {
    /// The builder's client and `client-request-id`.
    fn base(&self) -> &RequestBase;
}

/// A request that asks for another of the operation's response media types (`Accept`) and
/// answers with the body's bytes, unchanged, instead of the builder's typed output. Made by the
/// builder's `accept_…` methods (`accept_xml()`); sent like the builder.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct AcceptAs<B> {
    builder: B,
    media_type: &'static str,
}

impl<B: RequestBuilder> AcceptAs<B> {
    /// The operation `builder`, answered as `media_type` (its `Accept`), the body returned as bytes.
    pub fn new(builder: B, media_type: &'static str) -> Self {
        AcceptAs {
            builder,
            media_type,
        }
    }

    /// The media type asked for.
    pub fn media_type(&self) -> &'static str {
        self.media_type
    }

    /// Sends the request and returns the body's bytes.
    #[cfg(feature = "reqwest")]
    pub fn send(self) -> crate::OutputFuture<Self> {
        let client = self.builder.base().client().clone();
        crate::OutputFuture::new(client, self)
    }

    /// Sends the request and returns the whole response: status, headers (`Content-Type` says
    /// which media type came back) and the body's bytes.
    #[cfg(feature = "reqwest")]
    pub fn send_with_response(self) -> crate::ResponseFuture<Self> {
        let client = self.builder.base().client().clone();
        crate::ResponseFuture::new(client, self)
    }
}

/// `.await` sends the request and returns the body's bytes, as [`AcceptAs::send`] does.
#[cfg(feature = "reqwest")]
impl<B: RequestBuilder> std::future::IntoFuture for AcceptAs<B> {
    type Output = Result<Vec<u8>, Error>;
    type IntoFuture = crate::OutputFuture<Self>;

    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

impl<B: RequestBuilder> Operation for AcceptAs<B> {
    type Output = Vec<u8>;

    fn to_request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        let mut request = self.builder.to_request()?;
        let value = HeaderValue::from_str(self.media_type).map_err(|_| {
            Error::InvalidRequest(format!(
                "`{}` is not a valid accept header value",
                self.media_type
            ))
        })?;
        request.headers_mut().insert(ACCEPT, value);
        Ok(request)
    }

    fn parse_response(
        &self,
        response: http::Response<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        bytes_response(response)
    }

    fn idempotent(&self) -> bool {
        self.builder.idempotent()
    }
}
