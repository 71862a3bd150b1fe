//! What a generated mock answers: for each operation, its documented responses with their
//! examples (and a value made from the schema where none is documented), and the choice a
//! request makes among them with Prism's `Prefer` header (`Prefer: code=404, example=gone`).
//! Without one, the first success response and its first example.

use crate::context::Context;
use crate::failure::Failure;
use openapi_models_runtime::excerpt;
use serde::de::DeserializeOwned;

/// A response key, as the document writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKey {
    /// A status code (`200`).
    Code(u16),
    /// A range (`2XX`: its class, 2).
    Range(u16),
    /// `default`.
    Default,
}

impl StatusKey {
    fn is_success(self) -> bool {
        match self {
            StatusKey::Code(code) => (200..300).contains(&code),
            StatusKey::Range(class) => class == 2,
            StatusKey::Default => false,
        }
    }

    /// Whether a requested status is one this key answers with.
    fn takes(self, status: u16) -> bool {
        match self {
            StatusKey::Code(code) => code == status,
            StatusKey::Range(class) => status / 100 == class,
            StatusKey::Default => true,
        }
    }
}

/// One documented response of an operation, as the mock may answer it.
#[derive(Debug)]
pub struct MockResponse {
    /// Its key.
    pub status: StatusKey,
    /// Its documented examples: name (the key in `examples`, or `example`) and JSON text.
    pub examples: &'static [(&'static str, &'static str)],
    /// A value made from the schema, when it has a body and no example.
    pub sample: Option<&'static str>,
    /// A value (as text) for each header it declares.
    pub headers: &'static [(&'static str, &'static str)],
}

/// The response a request gets: which one, with which status, body and headers.
#[derive(Debug)]
pub struct MockChoice {
    /// The response's index among the operation's.
    pub index: usize,
    /// The status answered.
    pub status: u16,
    body: Option<(&'static str, &'static str)>,
    response: &'static MockResponse,
    operation: &'static str,
}

/// Chooses what to answer: the response `Prefer: code=…` names (the first whose key takes it),
/// else the first success response, else the first; then the example `Prefer: example=…`
/// names, else its first, else its value made from the schema.
pub fn choose(
    context: &Context,
    responses: &'static [MockResponse],
) -> Result<MockChoice, Failure> {
    let operation = context.operation().id;
    let preferences = preferences(context);
    let code = match preferences.iter().find(|(k, _)| k == "code") {
        // A final answer's status: 1xx is no answer (hyper would write 101 as a switch of
        // protocols), and a code past 599 no status at all.
        Some((_, value)) => Some(
            value
                .parse::<u16>()
                .ok()
                .filter(|code| (200..=599).contains(code))
                .ok_or_else(|| {
                    Failure::bad_request(format!(
                        "`Prefer: code={}` is not a status the mock answers (200 to 599)",
                        excerpt(value, 40)
                    ))
                })?,
        ),
        None => None,
    };
    let index = match code {
        Some(code) => responses
            .iter()
            .position(|r| r.status.takes(code))
            .ok_or_else(|| {
                Failure::bad_request(format!(
                    "`{operation}` documents no response with status {code}"
                ))
            })?,
        None => responses
            .iter()
            .position(|r| r.status.is_success())
            .or((!responses.is_empty()).then_some(0))
            .ok_or_else(|| Failure::internal(format!("`{operation}` documents no response")))?,
    };
    let response = &responses[index];
    let status = match (response.status, code) {
        (_, Some(code)) => code,
        (StatusKey::Code(code), None) => code,
        (StatusKey::Range(class), None) => class * 100,
        (StatusKey::Default, None) => 200,
    };
    let body = match preferences.iter().find(|(k, _)| k == "example") {
        Some((_, name)) => Some(
            response
                .examples
                .iter()
                .find(|(n, _)| n == name)
                .copied()
                .ok_or_else(|| {
                    Failure::bad_request(format!(
                        "`{operation}` documents no example `{}` for status {status}",
                        excerpt(name, 60)
                    ))
                })?,
        ),
        None => response
            .examples
            .first()
            .copied()
            .or(response.sample.map(|s| ("(made from the schema)", s))),
    };
    Ok(MockChoice {
        index,
        status,
        body,
        response,
        operation,
    })
}

/// The `key=value` preferences of every `Prefer` header (values unquoted).
fn preferences(context: &Context) -> Vec<(String, String)> {
    context
        .headers()
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .filter_map(|p| {
            let (key, value) = p.trim().split_once('=')?;
            Some((
                key.trim().to_ascii_lowercase(),
                value.trim().trim_matches('"').to_owned(),
            ))
        })
        .collect()
}

impl MockChoice {
    /// The body: the chosen example decoded as the response's type.
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, Failure> {
        let Some((name, json)) = self.body else {
            return Err(Failure::internal(format!(
                "`{}` has no example for status {}",
                self.operation, self.status
            )));
        };
        openapi_models_runtime::from_str(json).map_err(|e| {
            Failure::internal(format!(
                "the example `{}` of `{}` does not decode as its type: {e}",
                excerpt(name, 60),
                self.operation
            ))
        })
    }

    /// A text body: the chosen example (a JSON string's text, or the JSON itself) read as the
    /// body's type.
    pub fn text<T: DeserializeOwned>(&self) -> Result<T, Failure> {
        let text = self.example_text()?;
        crate::text::from_text(&text).map_err(|e| {
            Failure::internal(format!("the example of `{}` as text: {e}", self.operation))
        })
    }

    /// A body of bytes: the chosen example's text (a JSON string's, or the JSON itself).
    pub fn bytes(&self) -> Result<Vec<u8>, Failure> {
        self.example_text().map(String::into_bytes)
    }

    fn example_text(&self) -> Result<String, Failure> {
        let (_, json) = self.body.unwrap_or(("", "\"\""));
        Ok(match serde_json::from_str::<serde_json::Value>(json) {
            Ok(serde_json::Value::String(text)) => text,
            _ => json.to_owned(),
        })
    }

    /// A declared header's value, read as its type.
    pub fn header<T: DeserializeOwned>(&self, name: &str) -> Result<T, Failure> {
        let text = self
            .response
            .headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| *text)
            .unwrap_or_default();
        crate::text::from_text(text)
            .map_err(|e| Failure::internal(format!("the mock's value of header `{name}`: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::{MockResponse, StatusKey, choose};
    use crate::context::{Context, OperationInfo};

    static OPERATION: OperationInfo = OperationInfo {
        id: "getPet",
        method: "GET",
        path: "/pets/{id}",
        permissions: None,
    };
    static RESPONSES: [MockResponse; 3] = [
        MockResponse {
            status: StatusKey::Code(200),
            examples: &[("cat", r#"{"name":"Tom"}"#), ("dog", r#"{"name":"Rex"}"#)],
            sample: None,
            headers: &[("x-count", "2")],
        },
        MockResponse {
            status: StatusKey::Range(4),
            examples: &[],
            sample: Some(r#"{"code":"x"}"#),
            headers: &[],
        },
        MockResponse {
            status: StatusKey::Default,
            examples: &[],
            sample: None,
            headers: &[],
        },
    ];

    fn context(prefer: Option<&str>) -> Context {
        let mut request = http::Request::builder();
        if let Some(prefer) = prefer {
            request = request.header("prefer", prefer);
        }
        Context::new(
            &OPERATION,
            request.body(()).expect("a request").into_parts().0,
        )
    }

    #[test]
    fn the_first_success_and_its_first_example_unless_preferred() {
        let choice = choose(&context(None), &RESPONSES).expect("a choice");
        assert_eq!((choice.index, choice.status), (0, 200));
        assert_eq!(
            choice.body::<serde_json::Value>(),
            Ok(serde_json::json!({"name": "Tom"}))
        );
        assert_eq!(choice.header::<i64>("x-count"), Ok(2));
        let dog = choose(&context(Some("example=dog")), &RESPONSES).expect("a choice");
        assert_eq!(
            dog.body::<serde_json::Value>(),
            Ok(serde_json::json!({"name": "Rex"}))
        );
        let missing = choose(&context(Some("code=404")), &RESPONSES).expect("a choice");
        assert_eq!((missing.index, missing.status), (1, 404));
        assert_eq!(
            missing.body::<serde_json::Value>(),
            Ok(serde_json::json!({"code": "x"}))
        );
        let other = choose(&context(Some("code=503, example=\"none\"")), &RESPONSES);
        assert_eq!(other.unwrap_err().status(), 400, "no such example");
        let server = choose(&context(Some("code=503")), &RESPONSES).expect("default");
        assert_eq!((server.index, server.status), (2, 503));
        assert_eq!(
            server.body::<serde_json::Value>().unwrap_err().status(),
            500
        );
        for code in ["abc", "0", "101", "199", "600", "65535"] {
            let refused = choose(&context(Some(&format!("code={code}"))), &RESPONSES);
            assert_eq!(refused.unwrap_err().status(), 400, "code={code}");
        }
    }
}
