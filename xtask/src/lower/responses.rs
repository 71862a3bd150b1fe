//! Responses: every one an operation declares, lowered once (its body's media type, its
//! headers, its description and examples), and the success output the client reads, chosen
//! among them.

use super::Lowering;
use super::naming;
use super::operations::Chosen;
use crate::model::{self, Media, Status, Ty, UntypedStatuses};
use crate::openapi::{Header, Operation as OperationView, RefOr, Response};

/// A response lowered: its status key as written, its body's media type (when it has a body
/// the generator types), its headers and its description.
#[derive(Debug, Clone, Default)]
pub(super) struct LoweredResponse {
    pub code: String,
    pub chosen: Option<Chosen>,
    pub headers: Vec<model::ResponseHeader>,
    pub description: Option<String>,
}

impl LoweredResponse {
    pub fn into_model(self) -> model::Response {
        let (body, examples) = match self.chosen {
            Some(chosen) => (Some(chosen.body), chosen.examples),
            None => (None, Vec::new()),
        };
        model::Response {
            status: Status::parse(&self.code),
            description: self.description,
            body,
            headers: self.headers,
            examples,
        }
    }
}

/// An operation's success output, decided by [`Lowering::success`].
#[derive(Default)]
pub(super) struct Success {
    /// The body's media type, lowered (`None`: the output is `()`).
    pub chosen: Option<Chosen>,
    /// Success statuses declared without a body beside a JSON output.
    pub empty_statuses: Vec<u16>,
    /// Success statuses whose body differs and is not typed.
    pub untyped: Option<UntypedStatuses>,
}

impl Lowering<'_> {
    /// Every response of an operation, in document order, each lowered once (so each one's
    /// problems are found), a `$ref` through the components lowered once.
    pub(super) fn responses(&mut self, view: &OperationView, hint: &str) -> Vec<LoweredResponse> {
        let mut lowered = Vec::new();
        for (code, response) in &view.responses {
            let response = match response {
                RefOr::Item(response) => Some(self.response(response, hint)),
                RefOr::Ref(r) => self.component_use(r, |l| &l.responses).flatten(),
            };
            let mut response = response.unwrap_or_default();
            response.code = code.clone();
            lowered.push(response);
        }
        lowered
    }

    /// A response: its body (the `content` map's chosen media type), headers and description.
    pub(super) fn response(&mut self, response: &Response, hint: &str) -> LoweredResponse {
        let chosen = response
            .content
            .as_ref()
            .and_then(|content| self.content(content, hint));
        let headers = response
            .headers
            .iter()
            .filter_map(|(name, header)| self.response_header(name, header, hint))
            .collect();
        LoweredResponse {
            code: String::new(),
            chosen,
            headers,
            description: response.description.clone(),
        }
    }

    /// A response header: its value's type (a string when it declares no schema), a `$ref`
    /// resolved through `components/headers`.
    fn response_header(
        &mut self,
        name: &str,
        header: &RefOr<Header>,
        hint: &str,
    ) -> Option<model::ResponseHeader> {
        let doc = self.doc;
        let (header, hint) = match header {
            RefOr::Item(header) => (header, format!("{hint}{}", naming::parameter_hint(name))),
            RefOr::Ref(reference) => {
                let key = reference.key.as_deref()?; // an unusable reference is reported when read
                match doc.components.headers.get(key) {
                    Some(Some(header)) => (header, naming::component_hint(key)),
                    Some(None) => return None, // its problems are reported
                    None => {
                        self.report.problem(
                            &reference.pointer,
                            format!("dangling `$ref`: `{}` is not defined", reference.text),
                        );
                        return None;
                    }
                }
            }
        };
        let ty = match &header.schema {
            Some(schema) => self.ty(schema, &hint)?.ty,
            None => Ty::String,
        };
        Some(model::ResponseHeader {
            wire: name.to_owned(),
            ty,
            required: header.required,
            description: header.description.clone(),
        })
    }

    /// The success output: the first `2XX` response with a body, else the last without one,
    /// else what [`Self::without_2xx`] makes of the others; and what the other success
    /// statuses mean for it.
    pub(super) fn success(
        &mut self,
        view: &OperationView,
        responses: &[LoweredResponse],
    ) -> Success {
        let mut successes: Vec<(&str, Option<Chosen>)> = responses
            .iter()
            .filter(|r| r.code.starts_with('2'))
            .map(|r| (r.code.as_str(), r.chosen.clone()))
            .collect();
        let first_with_body = successes.iter().position(|(_, c)| c.is_some());
        let Some(index) = first_with_body.or(successes.len().checked_sub(1)) else {
            return Success {
                chosen: self.without_2xx(view, responses),
                ..Success::default()
            };
        };
        let (code, chosen) = successes.remove(index);
        let Some(chosen) = chosen else {
            return Success::default();
        };
        let mut empty_statuses = Vec::new();
        let mut untyped = Vec::new();
        for (other, body) in &successes {
            match body {
                Some(body) if body.body == chosen.body => {}
                // A JSON output is `None` for a status that has no body (`202`, `204`).
                None if chosen.body.media == Media::Json
                    && let Ok(status) = other.parse::<u16>() =>
                {
                    empty_statuses.push(status);
                }
                _ => untyped.push((*other).to_owned()),
            }
        }
        let untyped = (!untyped.is_empty()).then(|| {
            let listed: Vec<String> = untyped.iter().map(|s| format!("`{s}`")).collect();
            self.report.warning(
                &format!("{}/responses", view.pointer),
                format!(
                    "several success responses with different bodies: the output is `{code}`'s body; {} {} not typed (a response with one of those statuses is read as `{code}`'s body)",
                    listed.join(", "),
                    if listed.len() == 1 { "is" } else { "are" },
                ),
            );
            UntypedStatuses {
                typed: code.to_owned(),
                others: untyped,
            }
        });
        Success {
            chosen: Some(chosen),
            empty_statuses,
            untyped,
        }
    }

    /// The output of an operation that declares no `2XX` response: `default`'s body when it
    /// has one (it describes every status, success included), with a warning; otherwise `()`,
    /// with a warning when redirects are all it declares (the client follows them, and the
    /// final response's body is not read).
    fn without_2xx(
        &mut self,
        view: &OperationView,
        responses: &[LoweredResponse],
    ) -> Option<Chosen> {
        let pointer = format!("{}/responses", view.pointer);
        let default = responses.iter().find(|r| r.code == "default");
        if let Some(chosen) = default.and_then(|d| d.chosen.clone()) {
            self.report.warning(
                &format!("{pointer}/default"),
                format!("no `2XX` response is declared: the output is `default`'s body (`{}`), read for every success status", chosen.name),
            );
            return Some(chosen);
        }
        let redirects: Vec<String> = view
            .responses
            .iter()
            .filter(|(c, _)| c.starts_with('3'))
            .map(|(c, _)| format!("`{c}`"))
            .collect();
        if !redirects.is_empty() {
            self.report.warning(
                &pointer,
                format!("no `2XX` response is declared, only {}: the client follows the redirect, and the output is `()` (the final response's body is not read)", redirects.join(", ")),
            );
        }
        None
    }
}
