//! What every generated crate and request builder would otherwise repeat, written once: the
//! state a builder shares ([`RequestBase`]), its fixed methods ([`request_builder!`]) and the
//! generated crate's `Client` ([`client!`]).
//!
//! The macros expand in the generated crate, so the methods they add are inherent: a user calls
//! `.send()` without importing a trait. Whether `send` exists is decided here, by this crate's
//! `reqwest` feature, and with it `IntoFuture`: `.await` on a builder sends it.

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
}

impl RequestBase {
    /// A request on `client`, with a fresh `client-request-id` unless one is set.
    pub fn new(client: Client) -> Self {
        RequestBase {
            client,
            client_request_id: None,
            body: None,
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

    /// Finishes a builder's request: its `client-request-id` and the client's base URL.
    pub fn build(&self, mut spec: RequestSpec) -> Result<http::Request<Vec<u8>>, Error> {
        spec.client_request_id(self.client_request_id.as_deref());
        if let Some((media_type, body)) = &self.body {
            spec.raw_body(media_type, body.clone());
        }
        self.client.build_request(spec)
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
    pub async fn send(self) -> Result<Vec<u8>, Error> {
        self.send_with_response()
            .await
            .map(http::Response::into_body)
    }

    /// Sends the request and returns the whole response: status, headers (`Content-Type` says
    /// which media type came back) and the body's bytes.
    #[cfg(feature = "reqwest")]
    pub async fn send_with_response(self) -> Result<http::Response<Vec<u8>>, Error> {
        self.builder.base().client().send(&self).await
    }
}

/// `.await` sends the request and returns the body's bytes, as [`AcceptAs::send`] does.
#[cfg(feature = "reqwest")]
impl<B: RequestBuilder + Send + Sync + 'static> std::future::IntoFuture for AcceptAs<B> {
    type Output = Result<Vec<u8>, Error>;
    // Boxed: an `async fn`'s future has no name to give here.
    type IntoFuture =
        std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 'static>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
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

/// The fixed methods of a request builder: `client_request_id`, and with the `reqwest` feature
/// `send`, `send_with_response` and `IntoFuture` (`.await` on the builder sends it, as
/// `send()` does; `into_future` is thus a method every builder has). The builder has a
/// `base: RequestBase` field and implements [`Operation`](crate::Operation); generated code
/// invokes this once per builder.
#[macro_export]
macro_rules! request_builder {
    ($builder:ident) => {
        impl $builder {
            /// Sends this `client-request-id` instead of a fresh UUID (to correlate with your logs).
            pub fn client_request_id(
                mut self,
                id: impl ::std::convert::Into<::std::string::String>,
            ) -> Self {
                self.base
                    .set_client_request_id(::std::convert::Into::into(id));
                self
            }

            $crate::__send_methods!();
        }

        impl $crate::RequestBuilder for $builder {
            fn base(&self) -> &$crate::RequestBase {
                &self.base
            }
        }

        $crate::__into_future!($builder);
    };
}

#[cfg(feature = "reqwest")]
#[doc(hidden)]
#[macro_export]
macro_rules! __send_methods {
    () => {
        /// Sends the request and returns the decoded body.
        pub async fn send(
            self,
        ) -> ::std::result::Result<<Self as $crate::Operation>::Output, $crate::Error> {
            self.base
                .client()
                .send(&self)
                .await
                .map($crate::__private::http::Response::into_body)
        }

        /// Sends the request and returns the whole response: status, headers and decoded body.
        pub async fn send_with_response(
            self,
        ) -> ::std::result::Result<
            $crate::__private::http::Response<<Self as $crate::Operation>::Output>,
            $crate::Error,
        > {
            self.base.client().send(&self).await
        }
    };
}

#[cfg(not(feature = "reqwest"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __send_methods {
    () => {};
}

#[cfg(feature = "reqwest")]
#[doc(hidden)]
#[macro_export]
macro_rules! __into_future {
    ($builder:ident) => {
        /// `.await` sends the request and returns the decoded body, as `send()` does.
        impl ::std::future::IntoFuture for $builder {
            type Output =
                ::std::result::Result<<$builder as $crate::Operation>::Output, $crate::Error>;
            // Boxed: an `async fn`'s future has no name to give here.
            type IntoFuture = ::std::pin::Pin<
                ::std::boxed::Box<
                    dyn ::std::future::Future<Output = Self::Output>
                        + ::std::marker::Send
                        + 'static,
                >,
            >;

            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }
    };
}

#[cfg(not(feature = "reqwest"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __into_future {
    ($builder:ident) => {};
}

/// What a generated crate's `Client` needs besides its navigation methods. The generated code
/// declares `pub struct Client(graph_client_runtime::Client);` and invokes this once with the
/// default base URL its document declares (`base_url = "https://api.example.com/v1"`, or
/// `base_url = None` when it declares none the client can use): it adds `builder` (and, when
/// there is a default, `new`), `Deref` to the runtime's [`Client`] (so `authorize`, `send` and
/// `base_url` work on it), `From` and `Debug`, and defines `ClientBuilder`, the builder that
/// makes one. Requests carry the generated crate's name and version as their `User-Agent`.
#[macro_export]
macro_rules! client {
    ($name:ident, base_url = None) => {
        impl $name {
            /// A client with these credentials; its base URL must be set with
            /// [`ClientBuilder::base_url`] (the API's document declares no server the client
            /// can use), or [`ClientBuilder::build`] fails.
            pub fn builder(auth: impl $crate::TokenProvider + 'static) -> ClientBuilder {
                $crate::__client_builder!(auth).default_base_url(::std::option::Option::None)
            }
        }
        $crate::__client_common!($name);
    };
    ($name:ident, base_url = $url:literal) => {
        impl $name {
            #[doc = ::std::concat!(" A client for `", $url, "` with these credentials and the default limits.")]
            ///
            /// # Panics
            ///
            /// If the TLS backend cannot be initialised, as `reqwest::Client::new` does;
            /// [`ClientBuilder::build`] returns that as an error instead.
            pub fn new(auth: impl $crate::TokenProvider + 'static) -> Self {
                Self::builder(auth).build_unchecked()
            }

            #[doc = ::std::concat!(" A client with other settings (base URL instead of `", $url, "`, retries, limits, HTTP client).")]
            pub fn builder(auth: impl $crate::TokenProvider + 'static) -> ClientBuilder {
                $crate::__client_builder!(auth).default_base_url(::std::option::Option::Some($url))
            }
        }
        $crate::__client_common!($name);
    };
}

/// The runtime's builder with the generated crate's `User-Agent`.
#[doc(hidden)]
#[macro_export]
macro_rules! __client_builder {
    ($auth:ident) => {
        $crate::ClientBuilder::new($auth).user_agent(::std::concat!(
            ::std::env!("CARGO_PKG_NAME"),
            "/",
            ::std::env!("CARGO_PKG_VERSION")
        ))
    };
}

/// The part of [`client!`] that does not depend on the base URL.
#[doc(hidden)]
#[macro_export]
macro_rules! __client_common {
    ($name:ident) => {
        /// Settings for a [`Client`]: base URL, retries, limits, HTTP client.
        pub type ClientBuilder = $crate::ClientBuilder<$name>;

        impl ::std::ops::Deref for $name {
            type Target = $crate::Client;

            fn deref(&self) -> &$crate::Client {
                &self.0
            }
        }

        impl ::std::convert::From<$crate::Client> for $name {
            fn from(client: $crate::Client) -> Self {
                $name(client)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&self.0, f)
            }
        }
    };
}
