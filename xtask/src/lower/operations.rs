//! Operations → [`model::Operation`](crate::model::Operation): parameters (shared ones merged
//! in), the path template checked against them, the request body, the 2XX response, whether
//! the operation may be retried, and its permissions. Parameters, responses and request
//! bodies declared as components are lowered once, in document order, and shared by every
//! operation that refers to them.

use super::Lowering;
use super::naming;
use crate::model::{Body, Operation, Param, Ty};
use crate::openapi::{
    Content, Location, Operation as OperationView, Parameter, RefOr, Reference, RequestBody,
    Response,
};
use std::collections::BTreeMap;

impl Lowering<'_> {
    /// The components other than schemas, each lowered once (they may hold inline types,
    /// which are named after the component).
    pub(super) fn shared_components(&mut self) {
        let doc = self.doc;
        for (key, response) in doc.components.responses.iter() {
            let ty = response.and_then(|r| self.response(r, &naming::component_hint(key)));
            self.responses.insert(key.to_owned(), ty);
        }
        for (key, parameter) in doc.components.parameters.iter() {
            let lowered = parameter.and_then(|p| self.parameter(p));
            self.parameters.insert(key.to_owned(), lowered);
        }
        for (key, body) in doc.components.request_bodies.iter() {
            let lowered = body.and_then(|b| self.request_body(b, &naming::component_hint(key)));
            self.request_bodies.insert(key.to_owned(), lowered);
        }
    }

    /// Every operation, in path order and then method order; a repeated operationId is
    /// reported and the later operation left out.
    pub(super) fn operations(&mut self) -> Vec<Operation> {
        let doc = self.doc;
        let mut operations = Vec::new();
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        for item in &doc.paths {
            let shared: Vec<(Param, Location)> = item
                .parameters
                .iter()
                .filter_map(|p| self.parameter_use(p))
                .collect();
            for view in &item.operations {
                let Some(operation) = self.operation(view, &item.path, &shared) else {
                    continue;
                };
                if let Some(first) = ids.get(&operation.operation_id) {
                    self.report.problem(
                        &format!("{}/operationId", view.pointer),
                        format!(
                            "duplicate operationId `{}` (first used at {first})",
                            operation.operation_id
                        ),
                    );
                    continue;
                }
                ids.insert(operation.operation_id.clone(), view.pointer.clone());
                operations.push(operation);
            }
        }
        operations
    }

    fn operation(
        &mut self,
        view: &OperationView,
        path: &str,
        shared: &[(Param, Location)],
    ) -> Option<Operation> {
        let action = view
            .operation_id
            .as_deref()
            .map(naming::action)
            .unwrap_or_default();
        let mut params: Vec<(Param, Location)> = shared.to_vec();
        for param in &view.parameters {
            if let Some((param, location)) = self.parameter_use(param) {
                params.retain(|(q, l)| !(q.wire == param.wire && *l == location));
                params.push((param, location));
            }
        }
        self.check_path_template(view, path, &params);
        let request_body = view.request_body.as_ref().and_then(|body| {
            let hint = naming::request_body_hint(action);
            match body {
                RefOr::Item(body) => self.request_body(body, &hint),
                RefOr::Ref(r) => self.component_use(r, |l| &l.request_bodies).flatten(),
            }
        });
        let hint = naming::response_hint(action);
        let mut success = None;
        for (code, response) in &view.responses {
            let ty = match response {
                RefOr::Item(response) => self.response(response, &hint),
                RefOr::Ref(r) => self.component_use(r, |l| &l.responses).flatten(),
            };
            if code.starts_with('2') && success.is_none() {
                success = ty;
            }
        }
        let idempotent = view.marked_idempotent
            || matches!(view.method, "get" | "head" | "put" | "delete" | "options");
        // Path parameters are read from the path template by the client emitter; headers are
        // set by the runtime, and Graph uses no cookies.
        let query_params = params
            .into_iter()
            .filter(|(_, location)| *location == Location::Query)
            .map(|(param, _)| param)
            .collect();
        Some(Operation {
            name: naming::operation_name(action),
            operation_id: view.operation_id.clone()?,
            method: view.method.to_uppercase(),
            path: path.to_owned(),
            summary: view.summary.clone(),
            description: view.description.clone(),
            query_params,
            request_body,
            response: success.map(|ty| Body { ty, required: true }),
            permissions: view.permissions.clone(),
            idempotent,
        })
    }

    /// A parameter is a whole segment (`/users/{user-id}`); one inside a segment
    /// (`/files/x{name}`) is not supported, and is reported rather than sent raw. Every
    /// template parameter is declared, and every declared path parameter is in the template.
    fn check_path_template(
        &mut self,
        view: &OperationView,
        path: &str,
        params: &[(Param, Location)],
    ) {
        let pointer = &view.pointer;
        let mut template: Vec<&str> = Vec::new();
        for segment in path.split('/') {
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if !name.is_empty() && !name.contains(['{', '}']) => template.push(name),
                _ if segment.contains(['{', '}']) => self.report.problem(pointer, format!("unsupported path segment `{segment}` in `{path}`: a parameter must be a whole segment")),
                _ => {}
            }
        }
        for name in &template {
            if !params
                .iter()
                .any(|(p, l)| *l == Location::Path && p.wire == *name)
            {
                self.report.problem(
                    pointer,
                    format!(
                        "path parameter `{{{name}}}` of `{path}` is not declared in `parameters`"
                    ),
                );
            }
        }
        for (param, location) in params {
            if *location == Location::Path && !template.contains(&param.wire.as_str()) {
                self.report.problem(
                    pointer,
                    format!(
                        "path parameter `{}` does not appear in `{path}`",
                        param.wire
                    ),
                );
            }
        }
    }

    fn parameter_use(&mut self, param: &RefOr<Parameter>) -> Option<(Param, Location)> {
        match param {
            RefOr::Item(param) => self.parameter(param),
            RefOr::Ref(r) => self.component_use(r, |l| &l.parameters).flatten(),
        }
    }

    /// A lowered component by reference: `None` if the reference is unusable or dangling
    /// (reported here), `Some(None)` if the component itself had problems.
    fn component_use<T: Clone>(
        &mut self,
        reference: &Reference,
        lowered: impl Fn(&Self) -> &BTreeMap<String, Option<T>>,
    ) -> Option<Option<T>> {
        let key = reference.key.as_ref()?; // reported when read
        match lowered(self).get(key) {
            Some(found) => Some(found.clone()),
            None => {
                self.report.problem(
                    &reference.pointer,
                    format!("dangling `$ref`: `{}` is not defined", reference.text),
                );
                None
            }
        }
    }

    fn parameter(&mut self, param: &Parameter) -> Option<(Param, Location)> {
        let ty = self
            .ty(&param.schema, &naming::parameter_hint(&param.name))?
            .ty;
        let lowered = Param {
            name: naming::parameter_name(&param.name),
            wire: param.name.clone(),
            ty,
            required: param.required,
            description: param.description.clone(),
        };
        Some((lowered, param.location))
    }

    fn request_body(&mut self, body: &RequestBody, hint: &str) -> Option<Body> {
        let ty = self.content(&body.content, hint)?;
        Some(Body {
            ty,
            required: body.required,
        })
    }

    fn response(&mut self, response: &Response, hint: &str) -> Option<Ty> {
        self.content(response.content.as_ref()?, hint)
    }

    /// The type of the first JSON media type whose schema lowers (every one is lowered, so
    /// each one's problems are found).
    fn content(&mut self, content: &Content, hint: &str) -> Option<Ty> {
        let mut ty = None;
        for schema in &content.schemas {
            if let Some(lowered) = self.ty(schema, hint) {
                ty.get_or_insert(lowered.ty);
            }
        }
        ty
    }
}
