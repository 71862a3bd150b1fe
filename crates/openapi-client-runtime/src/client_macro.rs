//! A generated crate's `Client`, written once: [`client!`](crate::client) wraps the runtime's
//! [`Client`](crate::Client) in the generated crate's own type and gives it its whole surface
//! besides navigation (no `Deref`: what it offers is listed here, and
//! `tests/tests/suite/runtime_api.rs` holds the generator's list of the names it reserves to
//! the methods here).

/// What a generated crate's `Client` needs besides its navigation methods. The generated code
/// declares `pub struct Client(openapi_client_runtime::Client);` and invokes this once with the
/// default base URL its document declares (`base_url = "https://api.example.com/v1"`, or
/// `base_url = None` when it declares none the client can use): it adds `builder` (and, when
/// there is a default, `new`), `base_url`, `scope`, `clock`, `authorize`, `runtime` and with
/// the `reqwest` feature `send`, `From` and `Debug`, and defines `ClientBuilder`, the builder
/// that makes one. Requests carry the generated crate's name and version as their
/// `User-Agent`.
#[doc(hidden)]
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

        impl $name {
            /// The base URL requests go to, without a trailing slash.
            pub fn base_url(&self) -> &str {
                self.0.base_url()
            }

            /// The scope this client asks its token provider for.
            pub fn scope(&self) -> &str {
                self.0.scope()
            }

            /// The clock this client tells the time and waits by (retries, the rate limit, and
            /// helpers that schedule requests): the one [`ClientBuilder`] was given, else the
            /// system clock.
            pub fn clock(&self) -> &dyn $crate::Clock {
                self.0.clock()
            }

            /// Adds the `Authorization` header (a token from the provider, marked sensitive) to
            /// a built request. `send()` does this; call it yourself to send with another HTTP
            /// stack.
            pub async fn authorize(
                &self,
                request: &mut $crate::__private::http::Request<::std::vec::Vec<u8>>,
            ) -> ::std::result::Result<(), $crate::Error> {
                self.0.authorize(request).await
            }

            /// The runtime's client this one wraps, for code written against the runtime.
            pub fn runtime(&self) -> &$crate::Client {
                &self.0
            }

            $crate::__client_send!();
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

#[cfg(feature = "reqwest")]
#[doc(hidden)]
#[macro_export]
macro_rules! __client_send {
    () => {
        /// Sends any operation (a request builder, or an `Operation` of your own) and reads its
        /// response, with this client's token, retries and limits.
        pub async fn send<O: $crate::Operation + ?::std::marker::Sized>(
            &self,
            operation: &O,
        ) -> ::std::result::Result<$crate::__private::http::Response<O::Output>, $crate::Error> {
            self.0.send(operation).await
        }
    };
}

#[cfg(not(feature = "reqwest"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __client_send {
    () => {};
}
