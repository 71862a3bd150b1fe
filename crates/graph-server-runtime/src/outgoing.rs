//! An answer being written from an operation's typed response: its status (a range's or
//! `default`'s checked), its body in its media type, and its headers written as the client's
//! parameters are.

use crate::failure::Failure;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use serde::Serialize;
use std::fmt::Display;

/// An answer to send, or the failure of writing one (answered `500`).
#[derive(Debug)]
pub struct Outgoing {
    response: Result<http::Response<axum::body::Body>, Failure>,
}

impl Outgoing {
    fn with(status: u16, media: Option<&str>, body: Vec<u8>) -> Outgoing {
        let response = (|| {
            let status = http::StatusCode::from_u16(status)
                .map_err(|_| Failure::internal(format!("`{status}` is not a status")))?;
            let mut response = http::Response::new(axum::body::Body::from(body));
            *response.status_mut() = status;
            if let Some(media) = media {
                let value = HeaderValue::from_str(media).map_err(|_| {
                    Failure::internal(format!("`{media}` is not a media type header value"))
                })?;
                response.headers_mut().insert(CONTENT_TYPE, value);
            }
            Ok(response)
        })();
        Outgoing { response }
    }

    /// An answer with no body.
    pub fn empty(status: u16) -> Outgoing {
        Outgoing::with(status, None, Vec::new())
    }

    /// A JSON body, with its media type (`application/json`, or the document's own).
    pub fn json<T: Serialize + ?Sized>(status: u16, media: &str, body: &T) -> Outgoing {
        match serde_json::to_vec(body) {
            Ok(bytes) => Outgoing::with(status, Some(media), bytes),
            Err(e) => Outgoing::failed(Failure::internal(format!(
                "the response body does not serialize: {e}"
            ))),
        }
    }

    /// A text body: the value's text, with its media type.
    pub fn text<T: Display + ?Sized>(status: u16, media: &str, body: &T) -> Outgoing {
        Outgoing::with(status, Some(media), body.to_string().into_bytes())
    }

    /// A body of bytes, unchanged, with its media type.
    pub fn bytes(status: u16, media: &str, body: Vec<u8>) -> Outgoing {
        Outgoing::with(status, Some(media), body)
    }

    /// A failure, answered in the document's error shape.
    pub fn failed(failure: Failure) -> Outgoing {
        Outgoing {
            response: Err(failure),
        }
    }

    /// Adds a header, written as the client writes a parameter (a scalar's or enum's text).
    #[must_use]
    pub fn header<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Outgoing {
        let text = match header_text(value) {
            Ok(text) => text,
            Err(e) => return Outgoing::failed(Failure::internal(format!("header `{name}`: {e}"))),
        };
        if let Ok(response) = &mut self.response {
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&text),
            ) else {
                return Outgoing::failed(Failure::internal(format!(
                    "header `{name}` has a value that is not a header value"
                )));
            };
            response.headers_mut().append(name, value);
        }
        self
    }

    /// Adds a header whose value is present only sometimes.
    #[must_use]
    pub fn optional_header<T: Serialize>(self, name: &'static str, value: &Option<T>) -> Outgoing {
        match value {
            Some(value) => self.header(name, value),
            None => self,
        }
    }

    pub(crate) fn into_result(self) -> Result<http::Response<axum::body::Body>, Failure> {
        self.response
    }
}

/// A header's text: a string as it is, a number or boolean as JSON writes it, an array as its
/// items joined by `,` (OpenAPI's `simple`).
fn header_text<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    fn scalar(value: &serde_json::Value) -> Result<String, String> {
        match value {
            serde_json::Value::String(s) => Ok(s.clone()),
            serde_json::Value::Number(n) => Ok(n.to_string()),
            serde_json::Value::Bool(b) => Ok(b.to_string()),
            other => Err(format!("{other} has no header form")),
        }
    }
    match serde_json::to_value(value).map_err(|e| e.to_string())? {
        serde_json::Value::Array(items) => Ok(items
            .iter()
            .map(scalar)
            .collect::<Result<Vec<_>, _>>()?
            .join(",")),
        value => scalar(&value),
    }
}

/// A status a response declares as a range (`2XX`: `class` 2), checked to be in it.
pub fn status_in(status: u16, class: u16) -> Result<u16, Failure> {
    match status / 100 == class && (100..=599).contains(&status) {
        true => Ok(status),
        false => Err(Failure::internal(format!(
            "status {status} is not in the range {class}XX the operation declares"
        ))),
    }
}

/// The status of a `default` response, checked to be one.
pub fn any_status(status: u16) -> Result<u16, Failure> {
    match (100..=599).contains(&status) {
        true => Ok(status),
        false => Err(Failure::internal(format!("{status} is not a status"))),
    }
}

#[cfg(test)]
mod tests {
    use super::{Outgoing, status_in};

    #[test]
    fn bodies_and_headers_are_written_as_declared() {
        let response = Outgoing::json(200, "application/json", &serde_json::json!({"a": 1}))
            .header("x-count", &3)
            .header("x-ids", &["a", "b"])
            .optional_header("x-none", &None::<String>)
            .into_result()
            .expect("an answer");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/json");
        assert_eq!(response.headers()["x-count"], "3");
        assert_eq!(response.headers()["x-ids"], "a,b");
        assert!(response.headers().get("x-none").is_none());
        let broken = Outgoing::empty(204).header("x-bad", &"line\nbreak");
        assert_eq!(broken.into_result().unwrap_err().status(), 500);
        assert_eq!(status_in(204, 2), Ok(204));
        assert!(status_in(404, 2).is_err());
        assert!(Outgoing::empty(1000).into_result().is_err());
    }
}
