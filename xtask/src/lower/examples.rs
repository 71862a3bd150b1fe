//! Examples meet their types: every example the views carry (on schemas, parameters and media
//! types, met once where each is defined, in document order) with the type lowering recorded
//! at its position, or counted under the reason it cannot be checked, never dropped silently.

use super::Lowering;
use crate::model::{Examples, Ty, TypedExample};
use crate::openapi::{
    AdditionalProperties, Content, Document, Example, MediaKind, MediaType, Parameter, PathItem,
    RefOr, Response, Schema,
};
use std::collections::BTreeSet;

const NOT_JSON: &str = "a media type that is not JSON";
const NO_TYPE: &str = "no generated type at its position (an `allOf` part, or a body or schema the generator does not type)";
const ANY: &str = "any JSON value (`RawJson`): nothing to check";
const NO_SCHEMA: &str = "a media type without a schema";

impl Lowering<'_> {
    /// Every example of the document with its type, after everything is lowered.
    pub(super) fn examples(&self) -> Examples {
        let mut collector = Collector {
            lowering: self,
            out: Examples::default(),
            seen: BTreeSet::new(),
        };
        walk(self.doc, &mut collector);
        collector.out
    }

    /// The type an example at this schema position has: a nullable position takes `null` too.
    fn example_type(&self, schema: &Schema) -> Result<Ty, &'static str> {
        let (ty, nullable) = self.positions.get(&schema.pointer).ok_or(NO_TYPE)?;
        Ok(match ty {
            Ty::Option(_) => ty.clone(),
            _ if *nullable => Ty::Option(Box::new(ty.clone())),
            _ => ty.clone(),
        })
    }
}

struct Collector<'a> {
    lowering: &'a Lowering<'a>,
    out: Examples,
    /// (type, value) pairs already listed.
    seen: BTreeSet<(Ty, String)>,
}

impl<'d> Positions<'d> for Collector<'_> {
    fn schema(&mut self, schema: &'d Schema) {
        let ty = self.lowering.example_type(schema);
        self.push_all(&schema.examples, &ty);
    }

    fn parameter(&mut self, parameter: &'d Parameter) {
        let ty = self.lowering.example_type(&parameter.schema);
        self.push_all(&parameter.examples, &ty);
    }

    fn media(&mut self, media: &'d MediaType) {
        let ty = match (&media.kind, &media.schema) {
            (MediaKind::Json, Some(schema)) => self.lowering.example_type(schema),
            (MediaKind::Json, None) => Err(NO_SCHEMA),
            _ => Err(NOT_JSON),
        };
        self.push_all(&media.examples, &ty);
    }
}

impl Collector<'_> {
    fn push_all(&mut self, examples: &[Example], ty: &Result<Ty, &'static str>) {
        for example in examples {
            match &example.value {
                Ok(json) => self.push(example, ty, json),
                Err(unusable) => self.skip(unusable.reason()),
            }
        }
    }

    fn push(&mut self, example: &Example, ty: &Result<Ty, &'static str>, json: &str) {
        let ty = match ty {
            Ok(Ty::Any) => return self.skip(ANY),
            Ok(Ty::Option(inner)) if **inner == Ty::Any => return self.skip(ANY),
            Ok(ty) => ty,
            Err(reason) => return self.skip(reason),
        };
        if !self.seen.insert((ty.clone(), json.to_owned())) {
            self.out.repeated += 1;
            return;
        }
        self.out.checked.push(TypedExample {
            pointer: example.pointer.clone(),
            ty: ty.clone(),
            json: json.to_owned(),
        });
    }

    fn skip(&mut self, reason: &'static str) {
        *self.out.skipped.entry(reason).or_default() += 1;
    }
}

/// The positions examples can be at: every schema (nested ones included), parameter and media
/// type of a document, each met once where it is defined (not through references).
trait Positions<'d> {
    fn schema(&mut self, schema: &'d Schema);
    fn parameter(&mut self, _parameter: &'d Parameter) {}
    fn media(&mut self, _media: &'d MediaType) {}
}

/// Meets every position of the document, in document order.
fn walk<'d>(document: &'d Document, visit: &mut dyn Positions<'d>) {
    let components = &document.components;
    for (_, schema) in components.schemas.iter() {
        if let Some(schema) = schema {
            schema_tree(schema, visit);
        }
    }
    for (_, parameter) in components.parameters.iter() {
        if let Some(parameter) = parameter {
            walk_parameter(parameter, visit);
        }
    }
    for (_, body) in components.request_bodies.iter() {
        if let Some(body) = body {
            walk_content(&body.content, visit);
        }
    }
    for (_, response) in components.responses.iter() {
        if let Some(content) = response.and_then(|r| r.content.as_ref()) {
            walk_content(content, visit);
        }
    }
    // The document's paths, then its webhooks, then the operations' callbacks.
    let receivers = document.webhooks.iter().map(|w| &w.item).chain(
        document
            .paths
            .iter()
            .flat_map(|item| &item.operations)
            .flat_map(|op| &op.callbacks)
            .map(|c| &c.item),
    );
    for item in document.paths.iter().chain(receivers) {
        walk_item(item, visit);
    }
}

fn walk_item<'d>(item: &'d PathItem, visit: &mut dyn Positions<'d>) {
    let parameters = item
        .parameters
        .iter()
        .chain(item.operations.iter().flat_map(|o| &o.parameters));
    for parameter in parameters {
        if let RefOr::Item(parameter) = parameter {
            walk_parameter(parameter, visit);
        }
    }
    for operation in &item.operations {
        if let Some(RefOr::Item(body)) = &operation.request_body {
            walk_content(&body.content, visit);
        }
        for (_, response) in &operation.responses {
            if let RefOr::Item(Response {
                content: Some(content),
                ..
            }) = response
            {
                walk_content(content, visit);
            }
        }
    }
}

fn walk_parameter<'d>(parameter: &'d Parameter, visit: &mut dyn Positions<'d>) {
    schema_tree(&parameter.schema, visit);
    visit.parameter(parameter);
}

fn walk_content<'d>(content: &'d Content, visit: &mut dyn Positions<'d>) {
    for media in &content.media {
        if let Some(schema) = &media.schema {
            schema_tree(schema, visit);
        }
        visit.media(media);
    }
}

fn schema_tree<'d>(schema: &'d Schema, visit: &mut dyn Positions<'d>) {
    visit.schema(schema);
    for part in schema.all_of.iter().chain(&schema.any_of).flatten() {
        schema_tree(part, visit);
    }
    for (_, property) in schema.properties.iter().flatten() {
        schema_tree(property, visit);
    }
    if let Some(items) = &schema.items {
        schema_tree(items, visit);
    }
    if let Some(AdditionalProperties::Schema(values)) = &schema.additional {
        schema_tree(values, visit);
    }
}
