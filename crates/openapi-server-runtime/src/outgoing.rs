//! An answer being written from an operation's typed response: its status (a range's or
//! `default`'s checked), its body in its media type, and its headers written as the client's
//! parameters are.

use crate::failure::Failure;
use crate::incoming::Multipart;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use serde::Serialize;
use std::fmt::Display;

/// An answer to send, or the failure of writing one (answered `500`).
#[derive(Debug)]
pub struct Outgoing {
    response: Result<http::Response<axum::body::Body>, Failure>,
}

impl Outgoing {
    /// An answer with this status and, until a body is set, no body. A 1xx status is no
    /// final answer, and is a failure.
    pub fn status(status: u16) -> Outgoing {
        let response = http::StatusCode::from_u16(status)
            .ok()
            .filter(|status| !status.is_informational())
            .ok_or_else(|| Failure::internal(format!("`{status}` is not a final answer's status")))
            .map(|status| {
                let mut response = http::Response::new(axum::body::Body::empty());
                *response.status_mut() = status;
                response
            });
        Outgoing { response }
    }

    /// An answer of a response the document declares as a range (`2XX`: `class` 2): the
    /// implementation's status, which must be in it.
    pub fn in_range(status: u16, class: u16) -> Outgoing {
        match status / 100 == class && (100..=599).contains(&status) {
            true => Outgoing::status(status),
            false => Outgoing::failed(Failure::internal(format!(
                "status {status} is not in the range {class}XX the operation declares"
            ))),
        }
    }

    /// An answer of the document's `default` response: any status the implementation gives.
    pub fn any(status: u16) -> Outgoing {
        match (100..=599).contains(&status) {
            true => Outgoing::status(status),
            false => Outgoing::failed(Failure::internal(format!("{status} is not a status"))),
        }
    }

    /// A failure, answered in the document's error shape.
    pub fn failed(failure: Failure) -> Outgoing {
        Outgoing {
            response: Err(failure),
        }
    }

    /// Sets the body and its `Content-Type`.
    fn body(mut self, media: &str, body: Vec<u8>) -> Outgoing {
        if let Ok(response) = &mut self.response {
            // The common case without checking and copying the text into a header value.
            let value = match media {
                "application/json" => HeaderValue::from_static("application/json"),
                media => match HeaderValue::from_str(media) {
                    Ok(value) => value,
                    Err(_) => {
                        return Outgoing::failed(Failure::internal(format!(
                            "`{media}` is not a media type header value"
                        )));
                    }
                },
            };
            *response.body_mut() = axum::body::Body::from(body);
            response.headers_mut().insert(CONTENT_TYPE, value);
        }
        self
    }

    /// A JSON body, with its media type (`application/json`, or the document's own).
    #[must_use]
    pub fn json<T: Serialize + ?Sized>(self, media: &str, body: &T) -> Outgoing {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body(media, bytes),
            Err(e) => Outgoing::failed(Failure::internal(format!(
                "the response body does not serialize: {e}"
            ))),
        }
    }

    /// An `application/x-www-form-urlencoded` body: an object's scalar properties (and arrays
    /// of them, one pair per item), as the client writes a form.
    #[must_use]
    pub fn form<T: Serialize + ?Sized>(self, body: &T) -> Outgoing {
        let mut form = form_urlencoded::Serializer::new(String::new());
        let value = match serde_json::to_value(body) {
            Ok(serde_json::Value::Object(entries)) => entries,
            _ => return Outgoing::failed(Failure::internal("a form body must be an object")),
        };
        for (name, value) in &value {
            let items = match value {
                serde_json::Value::Array(items) => items.as_slice(),
                other => std::slice::from_ref(other),
            };
            for item in items {
                match header_text(item) {
                    Ok(text) => {
                        form.append_pair(name, &text);
                    }
                    Err(_) if item.is_null() => {}
                    Err(e) => {
                        return Outgoing::failed(Failure::internal(format!(
                            "form field `{name}`: {e}"
                        )));
                    }
                }
            }
        }
        self.body(
            "application/x-www-form-urlencoded",
            form.finish().into_bytes(),
        )
    }

    /// A text body: the value's text, with its media type.
    #[must_use]
    pub fn text<T: Display + ?Sized>(self, media: &str, body: &T) -> Outgoing {
        self.body(media, body.to_string().into_bytes())
    }

    /// A body of bytes, unchanged, with its media type.
    #[must_use]
    pub fn bytes(self, media: &str, body: Vec<u8>) -> Outgoing {
        self.body(media, body)
    }

    /// A multipart body, with its media type and boundary.
    #[must_use]
    pub fn multipart(self, media: &str, body: Multipart) -> Outgoing {
        let essence = media.split(';').next().unwrap_or(media).trim();
        self.body(
            &format!("{essence}; boundary=\"{}\"", body.boundary),
            body.bytes,
        )
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

    /// The answer. One of status 204 or 304 has no body (RFC 9110, 15.3.5 and 15.4.5): a body
    /// set for it is left out, so that no length is announced for bytes never sent.
    pub(crate) fn into_result(self) -> Result<http::Response<axum::body::Body>, Failure> {
        self.response.map(|mut response| {
            if matches!(response.status().as_u16(), 204 | 304) {
                *response.body_mut() = axum::body::Body::empty();
            }
            response
        })
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

#[cfg(test)]
mod tests {
    use super::Outgoing;

    #[test]
    fn bodies_and_headers_are_written_as_declared() {
        let response = Outgoing::status(200)
            .json("application/json", &serde_json::json!({"a": 1}))
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
        let broken = Outgoing::status(204).header("x-bad", &"line\nbreak");
        assert_eq!(broken.into_result().unwrap_err().status(), 500);
        assert!(Outgoing::in_range(204, 2).into_result().is_ok());
        assert_eq!(
            Outgoing::in_range(404, 2)
                .into_result()
                .unwrap_err()
                .status(),
            500
        );
        assert!(Outgoing::any(1000).into_result().is_err());
        for informational in [100, 101, 103] {
            assert!(Outgoing::any(informational).into_result().is_err());
            assert!(Outgoing::status(informational).into_result().is_err());
        }
        for empty in [204, 304] {
            let response = Outgoing::in_range(empty, empty / 100)
                .json("application/json", &serde_json::json!({"a": 1}))
                .into_result()
                .expect("an answer");
            assert_eq!(http_body::Body::size_hint(response.body()).exact(), Some(0));
        }
        assert!(Outgoing::status(1000).into_result().is_err());
        let form = Outgoing::status(200)
            .form(&serde_json::json!({"a": 1, "b": ["x y", "z"], "c": null}))
            .into_result()
            .expect("a form");
        assert_eq!(
            form.headers()["content-type"],
            "application/x-www-form-urlencoded"
        );
    }
}
