//! What a handler knows about a request besides its typed inputs: the operation's facts, and
//! the request's method, path, headers and extensions (where layers put what they learned,
//! such as who is signed in).

use http::request::Parts;

/// An operation's facts, stated by generated code.
#[derive(Debug)]
pub struct OperationInfo {
    /// The operationId (`me_GetPresence`).
    pub id: &'static str,
    /// The HTTP method (`GET`).
    pub method: &'static str,
    /// The path template (`/users/{user-id}/presence`).
    pub path: &'static str,
    /// Least-privileged permissions, when the document states them (Graph's
    /// `x-graph-permissions`).
    pub permissions: Option<Permissions>,
}

/// Least-privileged permissions of an operation; an empty list means that kind of token is not
/// supported.
#[derive(Debug)]
pub struct Permissions {
    /// Delegated permissions (scopes of a token signed in as a user).
    pub delegated: &'static [&'static str],
    /// Application permissions (roles of an app-only token).
    pub application: &'static [&'static str],
}

/// A request as a handler sees it besides its typed inputs.
#[derive(Debug)]
pub struct Context {
    operation: &'static OperationInfo,
    parts: Parts,
}

impl Context {
    pub(crate) fn new(operation: &'static OperationInfo, parts: Parts) -> Self {
        Context { operation, parts }
    }

    /// The operation the request is for.
    pub fn operation(&self) -> &'static OperationInfo {
        self.operation
    }

    /// The request's method.
    pub fn method(&self) -> &http::Method {
        &self.parts.method
    }

    /// The request's URI (its query included: it may hold values to keep out of logs).
    pub fn uri(&self) -> &http::Uri {
        &self.parts.uri
    }

    /// The request's headers.
    pub fn headers(&self) -> &http::HeaderMap {
        &self.parts.headers
    }

    /// A header's value, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.parts.headers.get(name)?.to_str().ok()
    }

    /// The token of an `Authorization: Bearer …` header.
    pub fn bearer_token(&self) -> Option<&str> {
        let value = self.header("authorization")?;
        let (scheme, token) = value.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim())
            .filter(|t| !t.is_empty())
    }

    /// What layers in front of the router put on the request (an authenticated identity, a
    /// clock).
    pub fn extensions(&self) -> &http::Extensions {
        &self.parts.extensions
    }
}

#[cfg(test)]
mod tests {
    use super::{Context, OperationInfo};

    static OPERATION: OperationInfo = OperationInfo {
        id: "me_GetPresence",
        method: "GET",
        path: "/me/presence",
        permissions: None,
    };

    #[test]
    fn a_bearer_token_is_read_in_any_case() {
        let context = |value: &str| {
            let request = http::Request::builder()
                .header("authorization", value)
                .body(())
                .expect("a request");
            Context::new(&OPERATION, request.into_parts().0)
        };
        assert_eq!(context("Bearer abc").bearer_token(), Some("abc"));
        assert_eq!(context("bearer  abc ").bearer_token(), Some("abc"));
        assert_eq!(context("Basic abc").bearer_token(), None);
        assert_eq!(context("Bearer ").bearer_token(), None);
        assert_eq!(context("Bearer abc").operation().id, "me_GetPresence");
    }
}
