//! Per-tag cargo features for large documents: an app that uses one tag of GitHub's API
//! compiles that tag's request builders and the models they reach, not all 700 operations'.
//!
//! A document gets them ([`TagFeatures::decide`]) when it has at least [`MIN_OPERATIONS`]
//! operations and two tags: below that the whole client compiles in seconds, and `#[cfg]`s on
//! every item would only make the code and its docs harder to read (the presence schema and
//! most documents stay ungated).
//!
//! One feature per tag, its name the tag in kebab case (`Code Scanning` → `code-scanning`);
//! tags that give the same name share it, and a name the client already uses for something
//! else (`default`, `rustls`, `all-tags`…) gets `-tag` appended. Both crates have every
//! feature, and `all-tags`, on by default, so nothing changes for a user who names none.
//! - An operation compiles when any of its tags' features is on; an untagged one always.
//! - A type compiles when any feature of the operations that reach it (through its
//!   parameters, bodies, response headers and pages, then through fields, map values and
//!   union variants) is on; a type an untagged operation reaches, or none does (an `allOf`
//!   base, a webhook's body), always.
//! - A navigation type compiles when any operation under it does.
//!
//! The generated server stays ungated: it depends on the models with their default features.

use crate::client_model::ClientModel;
use crate::model::{Additional, Model, Operation, Ty, TypeDef};
use proc_macro2::TokenStream;
use std::collections::{BTreeMap, BTreeSet};

/// The fewest operations a document has for its crates to get per-tag features.
pub const MIN_OPERATIONS: usize = 100;

/// The features the generated client's manifest already has, which no tag may take.
const TAKEN: &[&str] = &[
    "default",
    "all-tags",
    "reqwest",
    "rustls",
    "rustls-ring",
    "native-tls",
    "azure_identity",
    "mock",
];

/// A set of features: the item compiles when any is on. `None` stands for "always".
pub type Gate = Option<BTreeSet<String>>;

/// Which feature compiles what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFeatures {
    /// Each feature and the tags it stands for, by feature name.
    pub features: BTreeMap<String, Vec<String>>,
    /// Per operation, in the model's order: the features that compile it (`None`: untagged).
    pub operations: Vec<Gate>,
    /// The gated types by name (a type not listed always compiles).
    pub types: BTreeMap<String, BTreeSet<String>>,
}

impl TagFeatures {
    /// Features when the document is large enough ([`MIN_OPERATIONS`], two tags), else `None`.
    pub fn decide(model: &Model) -> Option<Self> {
        let features = Self::of(model)?;
        (model.operations.len() >= MIN_OPERATIONS && features.features.len() >= 2)
            .then_some(features)
    }

    /// Features for any document with a tagged operation, whatever its size.
    pub fn of(model: &Model) -> Option<Self> {
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        let mut features: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for tag in model.operations.iter().flat_map(|op| &op.tags) {
            if names.contains_key(tag) {
                continue;
            }
            let feature = feature_name(tag);
            names.insert(tag.clone(), feature.clone());
            features.entry(feature).or_default().push(tag.clone());
        }
        if features.is_empty() {
            return None;
        }
        let operations: Vec<Gate> = model
            .operations
            .iter()
            .map(|op| {
                let set: BTreeSet<String> = op.tags.iter().map(|t| names[t].clone()).collect();
                (!set.is_empty()).then_some(set)
            })
            .collect();
        let mut types: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut always: BTreeSet<String> = BTreeSet::new();
        for (op, gate) in model.operations.iter().zip(&operations) {
            for name in reached(model, op) {
                match gate {
                    None => {
                        always.insert(name);
                    }
                    Some(set) => types.entry(name).or_default().extend(set.iter().cloned()),
                }
            }
        }
        // What always compiles (a type an untagged operation or no operation reaches, such as
        // a webhook's body or an `allOf` base, and every form, which is not gated) must find
        // every type it holds, so those always compile too.
        let always_roots: Vec<Ty> = model
            .types
            .keys()
            .filter(|name| always.contains(*name) || !types.contains_key(*name))
            .chain(model.forms.keys())
            .map(|name| Ty::Named(name.clone()))
            .collect();
        let always = closure(model, always_roots.iter().collect());
        types.retain(|name, _| !always.contains(name));
        Some(TagFeatures {
            features,
            operations,
            types,
        })
    }

    /// The gate of a type.
    pub fn type_gate(&self, name: &str) -> Gate {
        self.types.get(name).cloned()
    }

    /// The gates of the client's builders (in the model's order) and navigation types: a
    /// navigation type compiles when anything under it does.
    pub fn client_gates(&self, client: &ClientModel) -> ClientGates {
        let builders = self.operations.clone();
        fn subtree(client: &ClientModel, builders: &[Gate], i: usize, depth: usize) -> Gate {
            let node = &client.nodes[i];
            let mut gate = Some(BTreeSet::new());
            for b in &node.operations {
                gate = union(gate, &builders[*b]);
            }
            // A tree's depth is its path's length; the bound only keeps a bug from recursing.
            for child in node.children.iter().filter(|_| depth < 10_000) {
                gate = union(gate, &subtree(client, builders, child.node, depth + 1));
            }
            gate
        }
        let mut nodes: Vec<Gate> = (0..client.nodes.len())
            .map(|i| subtree(client, &builders, i, 0))
            .collect();
        if let Some(root) = nodes.first_mut() {
            *root = None;
        }
        ClientGates { builders, nodes }
    }

    /// The models crate's `[features]` table.
    pub fn models_manifest(&self) -> String {
        let mut text = String::from(
            "\n[features]\n# One feature per tag of the document's operations (see the crate's docs): each\n# compiles the types that tag's operations reach. All are on by default.\ndefault = [\"all-tags\"]\n",
        );
        text.push_str(&self.all_tags());
        for (feature, tags) in &self.features {
            text.push_str(&format!("{}{feature} = []\n", tag_comment(tags)));
        }
        text
    }

    /// The client's tag features (after its executor's), each turning on the models' own.
    pub fn client_manifest(&self, models_package: &str) -> String {
        let mut text = String::from(
            "# One feature per tag of the document's operations (see the crate's docs): each\n# compiles that tag's request builders and the models they reach. All are on by default.\n",
        );
        text.push_str(&self.all_tags());
        for (feature, tags) in &self.features {
            text.push_str(&format!(
                "{}{feature} = [\"{models_package}/{feature}\"]\n",
                tag_comment(tags)
            ));
        }
        text
    }

    fn all_tags(&self) -> String {
        let all: Vec<String> = self.features.keys().map(|f| format!("\"{f}\"")).collect();
        format!("all-tags = [{}]\n", all.join(", "))
    }

    /// The crate docs' paragraph on the features: which feature is which tag.
    pub fn crate_doc(&self, client: bool) -> String {
        let what = match client {
            true => "request builders (and the models they reach)",
            false => "models",
        };
        let mut text = format!(
            "//!\n//! # Features\n//!\n//! One cargo feature per tag of the document's operations compiles that tag's\n//! {what}; `all-tags`, on by default, turns on every one. To\n//! compile one tag, depend on the crate with `default-features = false,\n//! features = [\"FEATURE\"]`{}. An operation without tags, and a type that\n//! no tagged operation alone reaches, always compiles.\n//!\n",
            match client {
                true => " (and `\"rustls\"` for `send()`)",
                false => "",
            }
        );
        for (feature, tags) in &self.features {
            text.push_str(&format!("//! - `{feature}`"));
            if !matches!(tags.as_slice(), [one] if feature_name(one) == *one) {
                let tags: Vec<String> = tags
                    .iter()
                    .map(|t| format!("`{}`", crate::docs::one_line(t).replace('`', "'")))
                    .collect();
                text.push_str(&format!(": tag {}", tags.join(", ")));
            }
            text.push('\n');
        }
        text
    }
}

/// Where the client's items compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientGates {
    /// Per builder (the model's operation order).
    pub builders: Vec<Gate>,
    /// Per navigation node (the client itself is `None`: always).
    pub nodes: Vec<Gate>,
}

/// `a` or `b` (`None`, always, wins).
fn union(a: Gate, b: &Gate) -> Gate {
    let (mut a, b) = (a?, b.as_ref()?);
    a.extend(b.iter().cloned());
    Some(a)
}

/// The attribute of a gate, as tokens (`None` when the item always compiles).
pub fn cfg(gate: &Gate) -> Option<TokenStream> {
    let text = cfg_text(gate)?;
    text.parse().ok()
}

/// The attribute of a gate, as a line of text (`#[cfg(feature = "repos")]`).
pub fn cfg_text(gate: &Gate) -> Option<String> {
    let set = gate.as_ref()?;
    let features: Vec<String> = set.iter().map(|f| format!("feature = \"{f}\"")).collect();
    Some(match features.as_slice() {
        [one] => format!("#[cfg({one})]"),
        _ => format!("#[cfg(any({}))]", features.join(", ")),
    })
}

/// `text`, formatted top-level items (prettyplease's layout, or the models' text impls that
/// keep it), with `attribute` before each item: an item starts at a line in the first column
/// after the line that closed the previous one (`}`, or a line ending in `;` or `}`).
pub fn gate_text(text: &str, attribute: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut closed = true;
    for line in text.lines() {
        let top = line.starts_with(|c: char| !c.is_whitespace());
        if top && closed && !line.starts_with(['}', ')', ']']) {
            out.push_str(attribute);
            out.push('\n');
            closed = false;
        }
        out.push_str(line);
        out.push('\n');
        let attribute_or_doc = line.starts_with("//") || line.starts_with("#[");
        if top && !attribute_or_doc && (line.starts_with('}') || line.ends_with([';', '}'])) {
            closed = true;
        }
    }
    out
}

/// A tag's feature name: kebab case of its ASCII letters and digits; `tag` when none is left,
/// with `-tag` appended to a name the manifest already uses.
fn feature_name(tag: &str) -> String {
    let name = crate::names::ascii_kebab(tag);
    if name.is_empty() {
        return "tag".to_owned();
    }
    match TAKEN.contains(&name.as_str()) {
        true => format!("{name}-tag"),
        false => name,
    }
}

/// A `#` comment naming the tags a feature stands for, when its name is not the tag itself.
fn tag_comment(tags: &[String]) -> String {
    match tags {
        [one] if feature_name(one) == *one => String::new(),
        _ => {
            let tags: Vec<String> = tags.iter().map(|t| crate::docs::one_line(t)).collect();
            format!("# Tag {}.\n", tags.join(", "))
        }
    }
}

/// Every type an operation names, through every type those hold.
fn reached(model: &Model, op: &Operation) -> BTreeSet<String> {
    let mut roots: Vec<&Ty> = op.params.iter().map(|p| &p.ty).collect();
    roots.extend(op.request_body.iter().map(|b| &b.ty));
    roots.extend(op.response.iter().map(|b| &b.ty));
    for response in &op.responses {
        roots.extend(response.body.iter().map(|b| &b.ty));
        roots.extend(response.headers.iter().map(|h| &h.ty));
    }
    roots.extend(op.paging.iter().map(|p| &p.item));
    closure(model, roots)
}

/// Every named type (or form) among `roots`, through every type those hold.
fn closure<'m>(model: &'m Model, roots: Vec<&'m Ty>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&Ty> = roots;
    while let Some(ty) = stack.pop() {
        match ty {
            Ty::Array(inner) | Ty::Map(inner) | Ty::Option(inner) | Ty::Flags(inner) => {
                stack.push(inner)
            }
            Ty::Named(name) => {
                if !seen.insert(name.clone()) {
                    continue;
                }
                match model.types.get(name) {
                    Some(TypeDef::Struct(s)) => {
                        stack.extend(s.fields.iter().map(|f| &f.ty));
                        if let Additional::Typed(ty) = &s.additional {
                            stack.push(ty);
                        }
                    }
                    Some(TypeDef::Union(u)) => stack.extend(u.variants.iter().map(|v| &v.ty)),
                    Some(TypeDef::Enum(_)) => {}
                    // A form's value parts (a file part's `ty` is unused).
                    None => {
                        if let Some(form) = model.forms.get(name) {
                            stack.extend(
                                form.fields
                                    .iter()
                                    .filter(|f| f.file.is_none())
                                    .map(|f| &f.ty),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_are_kebab_case_ascii_and_leave_the_clients_own_alone() {
        assert_eq!(feature_name("Code Scanning"), "code-scanning");
        assert_eq!(feature_name("repos"), "repos");
        assert_eq!(feature_name("rustls"), "rustls-tag");
        assert_eq!(feature_name("default"), "default-tag");
        assert_eq!(feature_name("données"), "donn-es");
        assert_eq!(feature_name("☃"), "tag");
    }

    #[test]
    fn every_top_level_item_gets_the_attribute_and_nothing_inside_does() {
        let text = "/// A.\n#[derive(Debug)]\npub struct A {\n    pub x: u8,\n}\nimpl A {\n    fn f() {}\n}\nrt::record!(A);\nrt::union!(\n    A,\n    Other\n);\n";
        let gated = gate_text(text, "#[cfg(x)]");
        assert_eq!(
            gated,
            "#[cfg(x)]\n/// A.\n#[derive(Debug)]\npub struct A {\n    pub x: u8,\n}\n#[cfg(x)]\nimpl A {\n    fn f() {}\n}\n#[cfg(x)]\nrt::record!(A);\n#[cfg(x)]\nrt::union!(\n    A,\n    Other\n);\n"
        );
        // A doc line ending in `;` does not end the item; an item on one line does.
        assert_eq!(
            gate_text(
                "/// a; b;\npub struct B;\npub struct C {}\nimpl C {\n}\n",
                "#[cfg(x)]"
            ),
            "#[cfg(x)]\n/// a; b;\npub struct B;\n#[cfg(x)]\npub struct C {}\n#[cfg(x)]\nimpl C {\n}\n"
        );
    }
}
