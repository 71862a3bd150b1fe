//! Lowering: the document's [views](crate::openapi) become a [`Model`]; what only lowering
//! can find is reported beside the reader's problems (all of them at once, each with its JSON
//! pointer: see [`crate::model_from_document`]).
//!
//! The steps, each in a file of its own:
//! 1. [`crate::openapi::read`] reads the document into views and checks every keyword;
//! 2. [`naming`] names every component schema that becomes a type (so a `$ref` resolves to a
//!    name without lowering its target, and recursion needs no special case);
//! 3. [`types`] lowers the component schemas ([`unions`] their `oneOf` / `anyOf` and
//!    discriminators), then [`operations`] the other components and the operations, in
//!    document order (inline types are named as they are met);
//! 4. [`analysis`] settles what needs the whole model: boxing, derives and reachability;
//! 5. [`examples`] gives every example the type recorded at its position.

mod analysis;
mod examples;
pub mod flavour;
mod forms;
#[cfg(test)]
mod keyword_tests;
#[cfg(test)]
mod leniency_tests;
mod merge;
#[cfg(test)]
mod merge_tests;
mod naming;
mod operations;
mod paging;
#[cfg(test)]
mod paging_tests;
mod receivers;
#[cfg(test)]
mod response_tests;
mod responses;
mod servers;
#[cfg(test)]
mod tests;
mod types;
#[cfg(test)]
mod union_tests;
mod unions;

use crate::document::Report;
use crate::model::{FormDef, Model, Param, Ty, TypeDef};
use crate::openapi::{Document, Location};
use naming::TypeNames;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Lowers views into the model, reporting what only lowering can find (dangling references,
/// inheritance cycles, duplicate operation ids, …).
pub fn lower(document: &Document, report: &mut Report) -> Model {
    let mut names = TypeNames::new(
        document
            .components
            .schemas
            .iter()
            .filter(|(_, schema)| schema.is_some_and(types::becomes_type))
            .map(|(key, _)| key),
    );
    // Graph's polymorphic bases: each gets a union of itself and its derived types, named
    // now (after every component) so a `$ref` to the base resolves to it.
    let mut polymorphic = BTreeMap::new();
    for (key, schema) in document.components.schemas.iter() {
        let Some(schema) = schema else { continue };
        if unions::polymorphic_discriminator(schema).is_some()
            && let Some(base) = names.component(key)
        {
            let name = names.inline(&format!("Any{base}"));
            polymorphic.insert(key.to_owned(), name);
        }
    }
    let mut lowering = Lowering {
        doc: document,
        report,
        names,
        polymorphic,
        types: BTreeMap::new(),
        forms: BTreeMap::new(),
        lowered_components: BTreeSet::new(),
        in_progress: BTreeSet::new(),
        cyclic: BTreeSet::new(),
        inline_sources: BTreeMap::new(),
        parameters: BTreeMap::new(),
        responses: BTreeMap::new(),
        request_bodies: BTreeMap::new(),
        positions: HashMap::new(),
        operation_ids: HashMap::new(),
    };
    lowering.component_schemas();
    lowering.polymorphic_unions();
    lowering.shared_components();
    let operations = lowering.operations();
    let receivers = lowering.receivers(&operations);
    let examples = lowering.examples();
    let base_url = servers::base_url(document, lowering.report);
    let mut types = lowering.types;
    analysis::mark_recursive_fields(&mut types);
    analysis::decide_derives(&mut types);
    analysis::record_users(
        &mut types,
        operations
            .iter()
            .chain(receivers.iter().map(|r| &r.operation)),
    );
    Model {
        title: document.title.clone(),
        base_url,
        types,
        forms: lowering.forms,
        operations,
        receivers,
        examples,
        warnings: Vec::new(),
        flavour: flavour::detect(document),
    }
}

/// The state of one lowering: the names and types so far, and the components already lowered.
struct Lowering<'a> {
    doc: &'a Document,
    report: &'a mut Report,
    names: TypeNames,
    /// Polymorphic bases (a `discriminator.mapping` on an object): component key → the name
    /// of the union that stands for the base wherever it is referenced.
    polymorphic: BTreeMap<String, String>,
    types: BTreeMap<String, TypeDef>,
    /// The forms of `multipart/form-data` request bodies, by name.
    forms: BTreeMap<String, FormDef>,
    /// Component schemas already in `types`.
    lowered_components: BTreeSet<String>,
    /// Component schemas being lowered right now (to catch `allOf` and reference cycles).
    in_progress: BTreeSet<String>,
    /// Components found in a reference cycle (reported once, then left alone).
    cyclic: BTreeSet<String>,
    /// Inline types already lowered, by (name hint, schema text), so that the same inline
    /// body repeated on several paths becomes one type.
    inline_sources: BTreeMap<(String, String), String>,
    /// Components other than schemas, lowered once by key (`None`: it had problems).
    parameters: BTreeMap<String, Option<(Param, Location)>>,
    responses: BTreeMap<String, Option<responses::LoweredResponse>>,
    request_bodies: BTreeMap<String, Option<operations::Chosen>>,
    /// The type lowering chose at each schema position it lowered, by pointer, and whether
    /// `null` is a value there: where examples find their types.
    positions: HashMap<String, (Ty, bool)>,
    /// Each lowered operation's id, by its pointer: the operation a callback belongs to.
    operation_ids: HashMap<String, String>,
}
