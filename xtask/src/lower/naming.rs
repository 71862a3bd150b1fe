//! The naming policy: which Rust name each generated type, field, variant and operation gets.
//! (`names.rs` stays the one place a name is made a valid identifier; this file decides what
//! to ask it for.)

use crate::model::Variant;
use crate::names::{Case, RESERVED_TYPE_NAMES, Scope, ident};
use std::collections::BTreeMap;

/// The module's type names: component schemas named up front, inline types as they come.
pub struct TypeNames {
    components: BTreeMap<String, String>,
    scope: Scope,
}

impl TypeNames {
    /// Names every component schema that becomes a type (given in document order), before
    /// anything is lowered, so that a `$ref` resolves to a name without lowering its target.
    /// The name is the key's last dotted segment (`microsoft.graph.presence` → `Presence`);
    /// where two components share it, each keeps its namespace after `microsoft.graph.`
    /// (`CallRecordsCallRecord`).
    pub fn new<'k>(component_keys: impl IntoIterator<Item = &'k str>) -> Self {
        let keys: Vec<&str> = component_keys.into_iter().collect();
        let last = |key: &'k str| key.rsplit('.').next().unwrap_or(key);
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for key in &keys {
            *counts.entry(ident(last(key), Case::Pascal)).or_default() += 1;
        }
        let mut names = TypeNames {
            components: BTreeMap::new(),
            scope: Scope::with_taken(RESERVED_TYPE_NAMES.iter().copied()),
        };
        for key in keys {
            let raw = if counts[&ident(last(key), Case::Pascal)] > 1 {
                key.strip_prefix("microsoft.graph.").unwrap_or(key)
            } else {
                last(key)
            };
            let name = names.scope.unique(raw, Case::Pascal);
            names.components.insert(key.to_owned(), name);
        }
        names
    }

    /// The Rust name of a component schema that is a type.
    pub fn component(&self, key: &str) -> Option<&str> {
        self.components.get(key).map(String::as_str)
    }

    /// A fresh name for an inline type, from its hint (numbered if taken).
    pub fn inline(&mut self, hint: &str) -> String {
        self.scope.unique(hint, Case::Pascal)
    }
}

/// The hint for an inline type in a property: the owner's name and the property's.
pub fn property_hint(owner: &str, wire: &str) -> String {
    format!("{owner}{}", ident(wire, Case::Pascal))
}

pub fn item_hint(hint: &str) -> String {
    format!("{hint}Item")
}

/// The hint for the values of a map (typed `additionalProperties`).
pub fn value_hint(hint: &str) -> String {
    format!("{hint}Value")
}

/// The hint for a component (a primitive schema, a response, a request body).
pub fn component_hint(key: &str) -> String {
    ident(key, Case::Pascal)
}

/// The hint for a parameter's inline schema, and the parameter's Rust name.
pub fn parameter_hint(wire: &str) -> String {
    ident(wire, Case::Pascal)
}

pub fn parameter_name(wire: &str) -> String {
    ident(wire, Case::Snake)
}

/// An operation's action: the last part of its operationId (`users.presence.setPresence` →
/// `setPresence`, `me_GetPresence` → `GetPresence`).
pub fn action(operation_id: &str) -> &str {
    operation_id
        .rsplit(['_', '.'])
        .next()
        .unwrap_or(operation_id)
}

/// The Rust name of an operation (snake case).
pub fn operation_name(action: &str) -> String {
    ident(action, Case::Snake)
}

pub fn request_body_hint(action: &str) -> String {
    format!("{}RequestBody", ident(action, Case::Pascal))
}

pub fn response_hint(action: &str) -> String {
    format!("{}Response", ident(action, Case::Pascal))
}

/// Field names, unique in one struct (inherited fields take theirs first).
#[derive(Default)]
pub struct FieldNames(Scope);

impl FieldNames {
    pub fn take(&mut self, name: &str) {
        self.0.take(name);
    }

    pub fn field(&mut self, wire: &str) -> String {
        self.0.unique(wire, Case::Snake)
    }
}

/// An enum's variants, unique, and the name of its catch-all variant (`Other`, numbered if a
/// member takes that name).
pub fn variants(values: &[String]) -> (Vec<Variant>, String) {
    let mut scope = Scope::default();
    let variants = values
        .iter()
        .map(|wire| Variant {
            name: scope.unique(wire, Case::Pascal),
            wire: wire.clone(),
        })
        .collect();
    (variants, scope.unique("Other", Case::Pascal))
}
