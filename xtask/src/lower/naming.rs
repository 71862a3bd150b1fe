//! The naming policy: which Rust name each generated type, field, variant and operation gets.
//! (`names.rs` stays the one place a name is made a valid identifier; this file decides what
//! to ask it for.)

use crate::model::{HttpMethod, PathTemplate, Segment, Variant};
use crate::names::{Case, Scope, ident, reserved_type_names};
use crate::openapi::EnumValue;
use std::collections::BTreeMap;

/// Graph's root namespace, which nearly every component key of a Graph document starts with.
const GRAPH_NAMESPACE: &str = "microsoft.graph.";

/// The module's type names: component schemas named up front, inline types as they come.
pub struct TypeNames {
    components: BTreeMap<String, String>,
    scope: Scope,
}

impl TypeNames {
    /// Names every component schema that becomes a type (given in document order), before
    /// anything is lowered, so that a `$ref` resolves to a name without lowering its target.
    ///
    /// The rule: Graph's root namespace `microsoft.graph.` is dropped and the key's last
    /// dotted segment names the type (`microsoft.graph.presence` → `Presence`,
    /// `microsoft.graph.ODataErrors.MainError` → `MainError`), since Graph's type names are
    /// meant to be read without their namespace; where two components share that name, each
    /// keeps its namespace after `microsoft.graph.` (`CallRecordsSession`). A key outside
    /// `microsoft.graph.` keeps every segment (`odata.error.main` → `OdataErrorMain`,
    /// `com.example.Pet` → `ComExamplePet`), as progenitor and openapi-generator name them:
    /// the generator cannot tell a namespace from a qualifying word there, and the last
    /// segment alone (`Main`) can lose the meaning. A name still taken gets a number.
    pub fn new<'k>(component_keys: impl IntoIterator<Item = &'k str>) -> Self {
        let keys: Vec<&str> = component_keys.into_iter().collect();
        let qualified = |key: &'k str| key.strip_prefix(GRAPH_NAMESPACE);
        let preferred = |key: &'k str| match qualified(key) {
            Some(rest) => rest.rsplit('.').next().unwrap_or(rest),
            None => key,
        };
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for key in &keys {
            *counts
                .entry(ident(preferred(key), Case::Pascal))
                .or_default() += 1;
        }
        let mut names = TypeNames {
            components: BTreeMap::new(),
            scope: Scope::with_taken(reserved_type_names()),
        };
        for key in keys {
            let raw = if counts[&ident(preferred(key), Case::Pascal)] > 1 {
                qualified(key).unwrap_or(key)
            } else {
                preferred(key)
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

/// An operationId for an operation the document gives none: the method, then each path
/// segment (`{user-id}` as `ByUserId`), so `GET /users/{user-id}` is `GetUsersByUserId` and
/// `GET /` is `GetRoot`. [`crate::names::Scope`] makes it unique.
pub fn operation_id_from(method: HttpMethod, path: &PathTemplate) -> String {
    let mut id = ident(method.key(), Case::Pascal);
    if path.segments().is_empty() {
        id.push_str("Root");
    }
    for segment in path.segments() {
        match segment {
            Segment::Parameter(name) => {
                id.push_str("By");
                id.push_str(&ident(name, Case::Pascal));
            }
            Segment::Literal(literal) => id.push_str(&ident(literal, Case::Pascal)),
        }
    }
    id
}

/// The Rust name of an operation, Pascal case (its request builder is `{name}Request`): its
/// operationId (`CommunicationsListPresences`), until [`singular_item_names`] renames the
/// operations on one item.
pub fn operation_name(operation_id: &str) -> String {
    ident(operation_id, Case::Pascal)
}

/// An operation as [`singular_item_names`] reads it.
pub struct ItemOperation<'a> {
    /// Its name so far ([`operation_name`]).
    pub name: &'a str,
    pub path: &'a PathTemplate,
    /// The component key of the type of the one item it addresses, if that type is a
    /// component: its response's, else its request body's, else the response of the GET on
    /// the same path (a DELETE).
    pub item: Option<&'a str>,
}

/// The singular names of the operations on one item of a collection, which Graph names with
/// the collection (`GET /communications/presences/{presence-id}` is
/// `communications_GetPresences`: Get and the navigation property). When an operation's path
/// ends in a parameter, its name ends with the collection segment before that parameter
/// (`Presences`) and the item's type is a component, that part of the name becomes the
/// component's own name (`microsoft.graph.presence`: `CommunicationsGetPresence`).
///
/// The singular is the document's, never made by English rules, and it must agree with the
/// segment up to its own last letter (`presence` and `presences`, `category` and
/// `categories`), so an item typed with some other component (`file-commit` under
/// `contents`) keeps its name. So does an operation whose singular name another operation has
/// (the first in order gets it). Returns the new name of each operation that is renamed.
pub fn singular_item_names(operations: &[ItemOperation]) -> Vec<Option<String>> {
    let mut taken: std::collections::BTreeSet<String> =
        operations.iter().map(|o| o.name.to_owned()).collect();
    operations
        .iter()
        .map(|op| {
            let singular = singular_item_name(op)?;
            taken.insert(singular.clone()).then_some(singular)
        })
        .collect()
}

fn singular_item_name(op: &ItemOperation) -> Option<String> {
    let [.., collection, last] = op.path.segments() else {
        return None;
    };
    if !last.is_parameter() || collection.is_parameter() {
        return None;
    }
    // A namespaced segment (`microsoft.graph.x`) and a component key are named by their last part.
    let plural = ident(collection.name(), Case::Pascal);
    let singular = ident(op.item?.rsplit('.').next()?, Case::Pascal);
    let stem = op.name.strip_suffix(&plural)?;
    let (p, s) = (plural.to_ascii_lowercase(), singular.to_ascii_lowercase());
    // `ident` gives ASCII, so every byte index is a character boundary.
    let agrees = p != s && s.len() > 1 && p.starts_with(&s[..s.len() - 1]);
    agrees.then(|| format!("{stem}{singular}"))
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
/// A variant is named by `x-ms-enum`'s name for its value, or by the value itself (`-1` is
/// `Minus1`).
pub fn variants(values: &[EnumValue]) -> (Vec<Variant>, String) {
    let mut scope = Scope::default();
    let variants = values
        .iter()
        .map(|value| {
            let text = value.wire.to_string();
            let negative = text
                .strip_prefix('-')
                .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()));
            let raw = match (&value.name, negative) {
                (Some(name), _) => name.clone(),
                (None, Some(magnitude)) => format!("minus {magnitude}"),
                (None, None) => text.clone(),
            };
            Variant {
                name: scope.unique(&raw, Case::Pascal),
                wire: value.wire.clone(),
                description: value.description.clone(),
            }
        })
        .collect();
    (variants, scope.unique("Other", Case::Pascal))
}

#[cfg(test)]
mod tests {
    use super::{ItemOperation, TypeNames, singular_item_names};
    use crate::model::PathTemplate;

    /// [`singular_item_names`] of operations given as (name, path, item).
    fn singular_items(ops: &[(&str, &str, Option<&str>)]) -> Vec<Option<String>> {
        let templates: Vec<PathTemplate> = ops
            .iter()
            .map(|(_, path, _)| PathTemplate::parse(path).0)
            .collect();
        let ops: Vec<ItemOperation> = ops
            .iter()
            .zip(&templates)
            .map(|(&(name, _, item), path)| ItemOperation { name, path, item })
            .collect();
        singular_item_names(&ops)
    }

    #[test]
    fn item_operations_take_the_singular_the_document_gives() {
        let op = |name, path, item| (name, path, item);
        let named = singular_items(&[
            op(
                "CommunicationsGetPresences",
                "/communications/presences/{presence-id}",
                Some("microsoft.graph.presence"),
            ),
            // The list stays plural: its path does not end in a parameter.
            op(
                "CommunicationsListPresences",
                "/communications/presences",
                Some("microsoft.graph.presenceCollectionResponse"),
            ),
            op(
                "CategoriesUpdateCategories",
                "/categories/{id}",
                Some("microsoft.graph.category"),
            ),
            // Not a component: nothing to take the singular from.
            op("UsersGetPeople", "/users/{id}/people/{person-id}", None),
            // Another word than the segment's: `people` is not `person` with an ending.
            op(
                "MeGetPeople",
                "/me/people/{person-id}",
                Some("microsoft.graph.person"),
            ),
            op(
                "ReposCreateOrUpdateFileContents",
                "/repos/{owner}/{repo}/contents/{path}",
                Some("file-commit"),
            ),
            // The name does not end with the segment.
            op(
                "GroupsGetGroup",
                "/groups/{group-id}",
                Some("microsoft.graph.group"),
            ),
            // `MeGetMessage` is another operation's name already.
            op(
                "MeGetMessages",
                "/me/messages/{message-id}",
                Some("microsoft.graph.message"),
            ),
            op(
                "MeGetMessage",
                "/me/message",
                Some("microsoft.graph.message"),
            ),
            // A namespaced segment is read by its last part.
            op(
                "SitesGetLists",
                "/sites/{site-id}/microsoft.graph.lists/{list-id}",
                Some("microsoft.graph.list"),
            ),
        ]);
        assert_eq!(
            named,
            [
                Some("CommunicationsGetPresence".to_owned()),
                None,
                Some("CategoriesUpdateCategory".to_owned()),
                None,
                None,
                None,
                None,
                None,
                None,
                Some("SitesGetList".to_owned()),
            ]
        );
    }

    #[test]
    fn dotted_keys_keep_enough_of_their_name() {
        let keys = [
            "microsoft.graph.presence",
            "microsoft.graph.ODataErrors.MainError",
            "microsoft.graph.callRecords.session",
            "microsoft.graph.session",
            "microsoft.graph.callRecords.callRecord",
            "odata.error",
            "odata.error.main",
            "odata.error.detail",
            "com.example.Pet",
            "Main",
            "microsoft.graph.string",
        ];
        let names = TypeNames::new(keys);
        let named: Vec<&str> = keys.iter().filter_map(|k| names.component(k)).collect();
        assert_eq!(
            named,
            [
                "Presence",
                "MainError",
                "CallRecordsSession",
                "Session",
                "CallRecord",
                "OdataError",
                "OdataErrorMain",
                "OdataErrorDetail",
                "ComExamplePet",
                "Main",
                "String2",
            ]
        );
    }
}
