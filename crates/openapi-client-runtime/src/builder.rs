//! The methods every generated request builder has from the runtime, written once:
//! [`request_builder!`](crate::request_builder) and, with the `reqwest` feature, `send`,
//! `send_with_response` and `IntoFuture` (`.await` on a builder sends it). The macros expand in
//! the generated crate, so the methods are inherent: a user calls `.send()` without importing a
//! trait. `tests/tests/suite/runtime_api.rs` holds the generator's list of the names a builder
//! reserves to the methods here.

/// The fixed methods of a request builder: `client_request_id`, and with the `reqwest` feature
/// `send`, `send_with_response` and `IntoFuture` (`.await` on the builder sends it, as
/// `send()` does; `into_future` is thus a method every builder has). The builder has a
/// `base: RequestBase` field and implements [`Operation`](crate::Operation); generated code
/// invokes this once per builder.
#[doc(hidden)]
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

            /// Adds a header to this request (`Prefer`, `ConsistencyLevel`…), replacing one the
            /// request would send, but `Authorization`, which the client sets. A name or value
            /// that is not valid is an error when the request is built.
            pub fn header(
                mut self,
                name: impl ::std::convert::Into<::std::string::String>,
                value: impl ::std::convert::Into<::std::string::String>,
            ) -> Self {
                self.base.add_header(
                    ::std::convert::Into::into(name),
                    ::std::convert::Into::into(value),
                );
                self
            }

            $crate::__send_methods!();
        }

        impl $crate::__private::RequestBuilder for $builder {
            fn base(&self) -> &$crate::__private::RequestBase {
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
        pub fn send(self) -> $crate::OutputFuture<Self> {
            let client = ::std::clone::Clone::clone(self.base.client());
            $crate::OutputFuture::new(client, self)
        }

        /// Sends the request and returns the whole response: status, headers and decoded body.
        pub fn send_with_response(self) -> $crate::ResponseFuture<Self> {
            let client = ::std::clone::Clone::clone(self.base.client());
            $crate::ResponseFuture::new(client, self)
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
            type IntoFuture = $crate::OutputFuture<$builder>;

            fn into_future(self) -> Self::IntoFuture {
                self.send()
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
