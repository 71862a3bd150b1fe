//! Operations → [`model::Operation`](crate::model::Operation): parameters (shared ones merged
//! in), the path template checked against them, the request body, the 2XX response, whether
//! the operation may be retried, its permissions, and its paging (`paging.rs`). Parameters,
//! responses and request bodies declared as components are lowered once, in document order,
//! and shared by every operation that refers to them.

use super::Lowering;
use super::naming;
use super::responses::LoweredResponse;
use crate::model::{
    ArrayStyle, Body, HttpMethod, Media, Operation, Param, ParamLocation, PathTemplate, Ty, TypeDef,
};
use crate::openapi::{
    Content, Example, Location, MediaKind, Operation as OperationView, Parameter, RefOr, Reference,
    RequestBody,
};
use std::collections::BTreeMap;

impl Lowering<'_> {
    /// The components other than schemas, each lowered once (they may hold inline types,
    /// which are named after the component).
    pub(super) fn shared_components(&mut self) {
        let doc = self.doc;
        for (key, response) in doc.components.responses.iter() {
            let lowered = response.map(|r| self.response(r, &naming::component_hint(key)));
            self.responses.insert(key.to_owned(), lowered);
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
    /// reported and the later operation left out. An operation without an operationId gets
    /// one from its method and path, never one the document declares elsewhere.
    pub(super) fn operations(&mut self) -> Vec<Operation> {
        let doc = self.doc;
        let mut operations = Vec::new();
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        let mut made_ids = crate::names::Scope::with_taken(
            doc.paths
                .iter()
                .flat_map(|item| &item.operations)
                .filter_map(|op| op.operation_id.as_deref()),
        );
        for item in &doc.paths {
            let shared: Vec<(Param, Location)> = item
                .parameters
                .iter()
                .filter_map(|p| self.parameter_use(p))
                .collect();
            for view in &item.operations {
                let id = match &view.operation_id {
                    Some(id) => id.clone(),
                    None => made_ids.unique(
                        &naming::operation_id_from(view.method, &item.path),
                        crate::names::Case::Pascal,
                    ),
                };
                let Some(mut operation) = self.operation(view, &item.path, &shared, id) else {
                    continue;
                };
                operation.fixed_query.clone_from(&item.fixed_query);
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
                self.operation_ids
                    .insert(view.pointer.clone(), operation.operation_id.clone());
                operations.push(operation);
            }
        }
        self.name_item_operations(&mut operations);
        operations
    }

    /// Renames the operations on one item of a collection with the singular the document
    /// gives ([`naming::singular_item_names`]).
    fn name_item_operations(&self, operations: &mut [Operation]) {
        let items: Vec<Option<&str>> = operations
            .iter()
            .map(|op| {
                let get = || {
                    let get = operations
                        .iter()
                        .find(|o| o.path == op.path && o.method == HttpMethod::Get);
                    get.and_then(|g| g.response.as_ref())
                };
                let typed = op.response.as_ref().or(op.request_body.as_ref());
                self.component_of(typed.or_else(get)?)
            })
            .collect();
        let named: Vec<naming::ItemOperation> = operations
            .iter()
            .zip(&items)
            .map(|(op, item)| naming::ItemOperation {
                name: &op.name,
                path: &op.path,
                item: *item,
            })
            .collect();
        let renamed = naming::singular_item_names(&named);
        for (op, name) in operations.iter_mut().zip(renamed) {
            if let Some(name) = name {
                op.name = name;
            }
        }
    }

    /// The component key of a JSON or form body's type, when it is a component's type (the
    /// struct, enum or union made for it, or a polymorphic base's union).
    fn component_of(&self, body: &Body) -> Option<&str> {
        if !matches!(body.media, Media::Json | Media::Form) {
            return None;
        }
        let Ty::Named(name) = &body.ty else {
            return None;
        };
        let origin = match self.types.get(name)? {
            TypeDef::Struct(s) => &s.origin,
            TypeDef::Enum(e) => &e.origin,
            TypeDef::Union(u) => &u.origin,
        };
        let made_for_it = self.names.component(origin) == Some(name.as_str())
            || self.polymorphic.get(origin) == Some(name);
        made_for_it.then_some(origin.as_str())
    }

    pub(super) fn operation(
        &mut self,
        view: &OperationView,
        path: &PathTemplate,
        shared: &[(Param, Location)],
        operation_id: String,
    ) -> Option<Operation> {
        let action = naming::action(&operation_id);
        let params = self.merged_params(view, shared);
        self.check_path_template(view, path, &params);
        if let Some((code, _)) = view
            .responses
            .iter()
            .find(|(code, _)| code.starts_with('1'))
        {
            // A protocol upgrade (`101`) hands the connection to another protocol, which a
            // request builder cannot speak.
            self.report.warning(
                &format!("{}/responses/{code}", view.pointer),
                format!(
                    "a `{code}` response (a protocol upgrade) is not generated: operation skipped"
                ),
            );
            return None;
        }
        let request = self.request(view, &naming::request_body_hint(action));
        let responses = self.responses(view, &naming::response_hint(action));
        let success = self.success(view, &responses);
        let (response, response_examples) = match success.chosen {
            Some(chosen) => (Some(chosen.body), chosen.examples),
            None => (None, Vec::new()),
        };
        let paging = self.paging(view, response.as_ref(), &success.empty_statuses);
        let idempotent = view.marked_idempotent || view.method.idempotent();
        let (request_body, request_examples) = match request {
            Some(chosen) => (Some(chosen.body), chosen.examples),
            None => (None, Vec::new()),
        };
        // Path parameters are read from the path template by the client model.
        let params = params
            .into_iter()
            .filter(|(_, location)| *location != Location::Path)
            .map(|(param, _)| param)
            .collect();
        Some(Operation {
            name: naming::operation_name(&operation_id),
            operation_id_declared: view.operation_id.is_some(),
            operation_id,
            method: view.method,
            path: path.clone(),
            summary: view.summary.clone(),
            description: view.description.clone(),
            params,
            request_body,
            request_examples,
            response,
            response_examples,
            empty_statuses: success.empty_statuses,
            untyped_statuses: success.untyped,
            responses: responses
                .into_iter()
                .map(LoweredResponse::into_model)
                .collect(),
            permissions: view.permissions.clone(),
            idempotent,
            paging,
            fixed_query: Vec::new(),
            security: view.security.clone(),
            tags: view.tags.clone(),
        })
    }

    /// The path item's parameters and the operation's own: an operation's parameter replaces
    /// the path item's of the same name and location (header names compare without case, as
    /// HTTP does).
    fn merged_params(
        &mut self,
        view: &OperationView,
        shared: &[(Param, Location)],
    ) -> Vec<(Param, Location)> {
        let mut params: Vec<(Param, Location)> = shared.to_vec();
        for param in &view.parameters {
            if let Some((param, location)) = self.parameter_use(param) {
                params.retain(|(q, l)| {
                    !(*l == location
                        && match location {
                            Location::Header => q.wire.eq_ignore_ascii_case(&param.wire),
                            _ => q.wire == param.wire,
                        })
                });
                params.push((param, location));
            }
        }
        params
    }

    /// The request body lowered, without the `multipart/*` alternatives nobody can choose.
    fn request(&mut self, view: &OperationView, hint: &str) -> Option<Chosen> {
        let mut chosen = match view.request_body.as_ref()? {
            RefOr::Item(body) => self.request_body(body, hint),
            RefOr::Ref(r) => self.component_use(r, |l| &l.request_bodies).flatten(),
        }?;
        self.warn_multipart_alternatives(&chosen);
        chosen
            .body
            .alternatives
            .retain(|m| MediaKind::of(m) != MediaKind::Multipart);
        Some(chosen)
    }

    /// Every template parameter should be declared, and every declared path parameter be in
    /// the template. The template alone decides what is sent (each parameter is text in its
    /// segment), so either mismatch is a warning with what the client does, not a refusal.
    /// (A segment that is not one whole parameter is reported when the path is read.)
    fn check_path_template(
        &mut self,
        view: &OperationView,
        path: &PathTemplate,
        params: &[(Param, Location)],
    ) {
        let pointer = &view.pointer;
        for name in path.parameters() {
            if !params
                .iter()
                .any(|(p, l)| *l == Location::Path && p.wire == name)
            {
                self.report.warning(
                    pointer,
                    format!(
                        "path parameter `{{{name}}}` of `{path}` is not declared in `parameters`: it is taken as a required string"
                    ),
                );
            }
        }
        for (param, location) in params {
            if *location == Location::Path && !path.parameters().any(|p| p == param.wire) {
                self.report.warning(
                    pointer,
                    format!(
                        "path parameter `{}` does not appear in `{path}`: it is left out (it could not be sent)",
                        param.wire
                    ),
                );
            }
        }
    }

    pub(super) fn parameter_use(&mut self, param: &RefOr<Parameter>) -> Option<(Param, Location)> {
        match param {
            RefOr::Item(param) => self.parameter(param),
            RefOr::Ref(r) => self.component_use(r, |l| &l.parameters).flatten(),
        }
    }

    /// A lowered component by reference: `None` if the reference is unusable or dangling
    /// (reported here), `Some(None)` if the component itself had problems.
    pub(super) fn component_use<T: Clone>(
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

    /// A parameter lowered. A header parameter named `Accept`, `Content-Type` or
    /// `Authorization` is ignored, as OpenAPI says (the client sets those), with a warning.
    fn parameter(&mut self, param: &Parameter) -> Option<(Param, Location)> {
        let ty = self
            .ty(&param.schema, &naming::parameter_hint(&param.name))?
            .ty;
        let location = match param.location {
            Location::Path | Location::Query => ParamLocation::Query,
            Location::Header => ParamLocation::Header,
            Location::Cookie => ParamLocation::Cookie,
        };
        if param.location == Location::Header
            && ["accept", "content-type", "authorization"]
                .contains(&param.name.to_ascii_lowercase().as_str())
        {
            self.report.warning(
                &param.pointer,
                format!(
                    "header parameter `{}` is ignored, as OpenAPI says: the client sets it",
                    param.name
                ),
            );
            return None;
        }
        if param.location != Location::Path && !self.serializable(&ty) {
            self.report.warning(
                &param.pointer,
                format!(
                    "parameter `{}` is an object, which is not serialized: its setter takes the text to send",
                    param.name
                ),
            );
        }
        let array_style = self.array_style(param, &ty);
        let lowered = Param {
            name: naming::parameter_name(&param.name),
            wire: param.name.clone(),
            location,
            ty,
            required: param.required,
            description: param.description.clone(),
            array_style,
            examples: param.examples.clone(),
        };
        Some((lowered, param.location))
    }

    /// How an array parameter is written, from its `style` and `explode` and OpenAPI's
    /// defaults (`form` with `explode` for queries and cookies, `simple` for headers). A style
    /// the location does not take is a warning, and the array is written as the default.
    fn array_style(&mut self, param: &Parameter, ty: &Ty) -> ArrayStyle {
        let is_array = match ty {
            Ty::Option(inner) => matches!(**inner, Ty::Array(_)),
            other => matches!(other, Ty::Array(_)),
        };
        let (default, styles): (&str, &[&str]) = match param.location {
            Location::Query => ("form", &["form", "spaceDelimited", "pipeDelimited"]),
            Location::Cookie => ("form", &["form"]),
            Location::Header | Location::Path => ("simple", &["simple"]),
        };
        let mut style = param.style.as_deref().unwrap_or(default);
        if is_array && !styles.contains(&style) {
            self.report.warning(
                &param.pointer,
                format!(
                    "`style: {style}` is not generated for parameter `{}`: its array is written in the `{default}` style",
                    param.name
                ),
            );
            style = default;
        }
        let explode = param.explode.unwrap_or(style == "form");
        match (param.location, style) {
            // A cookie holds one value: its items are joined whatever `explode` says.
            (Location::Query, _) if explode => ArrayStyle::Exploded,
            (_, "spaceDelimited") => ArrayStyle::Joined(" "),
            (_, "pipeDelimited") => ArrayStyle::Joined("|"),
            _ => ArrayStyle::Joined(","),
        }
    }

    /// Whether a parameter's value has a text form the client writes: a scalar, an enum, any
    /// value (sent as given), or an array of those (comma-separated, OpenAPI's `simple` and
    /// `form` styles without `explode`).
    fn serializable(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Named(name) => match self.types.get(name) {
                Some(TypeDef::Enum(_)) => true,
                // A union of scalars is written as its variant's text.
                Some(TypeDef::Union(u)) => u.variants.iter().all(|v| {
                    !matches!(v.ty, Ty::Named(_) | Ty::Array(_) | Ty::Map(_) | Ty::Any)
                        || matches!(&v.ty, Ty::Named(n) if matches!(self.types.get(n), Some(TypeDef::Enum(_))))
                }),
                _ => false,
            },
            Ty::Map(_) => false,
            Ty::Array(item) => !matches!(**item, Ty::Array(_)) && self.serializable(item),
            Ty::Option(inner) => self.serializable(inner),
            _ => true,
        }
    }

    fn request_body(&mut self, body: &RequestBody, hint: &str) -> Option<Chosen> {
        let mut chosen = self.content(&body.content, hint)?;
        chosen.body.required = body.required;
        if let Media::Multipart(name) = &chosen.body.media
            && name
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("multipart/form-data")
            && let Some(media) = body.content.media.iter().find(|m| m.name == *name)
            && let Some(form) = self.multipart_form(media)
        {
            chosen.body.ty = Ty::Named(form);
        }
        Some(chosen)
    }

    /// The body of a `content` map: the first JSON media type whose schema lowers, or else the
    /// first media type (every schema is lowered, so each one's problems are found).
    pub(super) fn content(&mut self, content: &Content, hint: &str) -> Option<Chosen> {
        let mut lowered = Vec::new();
        for media in &content.media {
            let ty = match &media.schema {
                Some(schema) => self.ty(schema, hint).map(|l| l.ty),
                // JSON without a schema is any JSON, kept as its text.
                None if media.kind == MediaKind::Json => Some(Ty::Any),
                None => None,
            };
            lowered.push(ty);
        }
        let json = content
            .media
            .iter()
            .zip(&lowered)
            .position(|(m, ty)| m.kind == MediaKind::Json && ty.is_some());
        let index = match json {
            Some(i) => i,
            None => content
                .media
                .iter()
                .position(|m| m.kind != MediaKind::Json)?,
        };
        let media = &content.media[index];
        let ty = lowered.swap_remove(index);
        let alternatives: Vec<String> = content
            .media
            .iter()
            .filter(|m| m.pointer != content.media[index].pointer)
            .map(|m| m.name.clone())
            .collect();
        let json_media = (media.kind == MediaKind::Json && media.name != "application/json")
            .then(|| media.name.clone());
        let body = |ty, media| Body {
            ty,
            required: true,
            media,
            json_media: json_media.clone(),
            alternatives: alternatives.clone(),
        };
        let body = match media.kind {
            MediaKind::Json => body(ty?, Media::Json),
            MediaKind::Text => {
                let ty = match ty {
                    None => Ty::String,
                    Some(ty)
                        if ty == Ty::String
                            || ty == Ty::Bool
                            || ty == Ty::F64
                            || ty.integer().is_some() =>
                    {
                        ty
                    }
                    Some(_) => {
                        self.report.warning(
                            &media.pointer,
                            format!("a `{}` body whose schema is not a string, number or boolean: it is a `String`", media.name),
                        );
                        Ty::String
                    }
                };
                body(ty, Media::Text(media.name.clone()))
            }
            MediaKind::Form => body(ty.unwrap_or(Ty::Any), Media::Form),
            MediaKind::Multipart => body(Ty::Any, Media::Multipart(media.name.clone())),
            MediaKind::Binary => body(Ty::Any, Media::Bytes(media.name.clone())),
        };
        Some(Chosen {
            body,
            name: media.name.clone(),
            content_pointer: content.pointer.clone(),
            examples: media.examples.clone(),
        })
    }

    /// The warning that a request body's `multipart/*` media types besides the one generated
    /// cannot be chosen (their `Content-Type` needs the boundary of an encoding the user
    /// writes; the other media types can be, as bytes).
    fn warn_multipart_alternatives(&mut self, chosen: &Chosen) {
        let others: Vec<String> = chosen
            .body
            .alternatives
            .iter()
            .filter(|m| MediaKind::of(m) == MediaKind::Multipart)
            .map(|m| format!("`{m}`"))
            .collect();
        if others.is_empty() {
            return;
        }
        self.report.warning(
            &chosen.content_pointer,
            format!(
                "several media types for the request body: `{}` is generated and the others can be sent as bytes, except {}, which {} not generated",
                chosen.name,
                others.join(", "),
                if others.len() == 1 { "is" } else { "are" },
            ),
        );
    }
}

/// The media type chosen for a body, lowered, with what a warning needs to say about it.
#[derive(Debug, Clone)]
pub(super) struct Chosen {
    pub body: Body,
    /// The chosen media type's name.
    pub name: String,
    /// The `content` map's pointer.
    pub content_pointer: String,
    /// The chosen media type's examples.
    pub examples: Vec<Example>,
}
