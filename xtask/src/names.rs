//! The one place where schema names become Rust identifiers.

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

/// Names generated code uses unqualified at the top level of a models module: the standard
/// prelude's types, traits and variants (`String`, `Option`, `Some`, `Into`…). The scope of
/// type names starts with these and the runtime's re-exports
/// ([`crate::runtime_api::MODELS_API`]) taken, so a schema type with one of them gets a number.
const PRELUDE_NAMES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "ToString",
    "ToOwned",
    "Into",
    "From",
    "TryFrom",
    "TryInto",
    "Default",
    "Iterator",
    "IntoIterator",
    "Extend",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "AsRef",
    "AsMut",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Debug",
    "Hash",
];

/// Every name a schema type may not take in a models module (see [`PRELUDE_NAMES`]).
pub fn reserved_type_names() -> impl Iterator<Item = &'static str> {
    crate::runtime_api::MODELS_API
        .iter()
        .chain(PRELUDE_NAMES)
        .copied()
}

/// Methods every generated value answers to through std: its derived `Clone` and `Debug`, and
/// the blanket impls of the prelude's conversions, `Borrow` and `Any`. A method of the value's
/// own with one of these names would shadow them (`x.clone()` would call it, or fail to
/// compile), so neither a models setter, a builder setter nor a navigation method takes one.
pub const STD_METHODS: &[&str] = &[
    "clone",
    "clone_from",
    "clone_into",
    "fmt",
    "into",
    "from",
    "try_into",
    "try_from",
    "to_owned",
    "to_string",
    "borrow",
    "borrow_mut",
    "type_id",
];

/// What a models struct answers to besides [`STD_METHODS`]: its constructor, the traits it may
/// derive (`Default`, `PartialEq`, `Eq`, `Hash`: all of them, so a setter's name does not
/// change when a schema change changes the derives), serde's and schemars' traits, and the
/// runtime's `Record` and `union::Alternative` (which generated code calls as `Self::visit`).
pub const MODEL_METHODS: &[&str] = &[
    "new",
    "default",
    "eq",
    "ne",
    "assert_receiver_is_total_eq",
    "hash",
    "hash_slice",
    "serialize",
    "deserialize",
    "deserialize_in_place",
    "schema_name",
    "schema_id",
    "json_schema",
    "inline_schema",
    "decode",
    "encode",
    "visit",
    "attempt",
];

/// The setter of a field (Rust's API guidelines, C-BUILDER: `x(v) -> Self`): the field's own
/// name, or, when `taken` says the value already answers to it, that name with a trailing `_`,
/// as a keyword gets one (`clone_`, like `type_`). Field names end in `_` only when they are
/// keywords, and no keyword is a method name, so two fields never get one setter name.
pub fn setter(field: &str, taken: impl Fn(&str) -> bool) -> String {
    if taken(field) {
        format!("{field}_")
    } else {
        field.to_owned()
    }
}

/// Whether a models struct answers to `name` ([`STD_METHODS`], [`MODEL_METHODS`]).
pub fn is_model_method(name: &str) -> bool {
    STD_METHODS.contains(&name) || MODEL_METHODS.contains(&name)
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "Self", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// The case a name is converted to.
#[derive(Clone, Copy)]
pub enum Case {
    /// Types and enum variants.
    Pascal,
    /// Fields, methods and modules.
    Snake,
}

/// Converts `raw` to a valid identifier in `case`: separators and symbols (`@`, `.`, `-`) split
/// words, a leading digit gets a prefix, a keyword gets a trailing `_`, and an empty result
/// becomes `Empty` / `empty`.
pub fn ident(raw: &str, case: Case) -> String {
    let words: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut name = match case {
        Case::Pascal => words.to_upper_camel_case(),
        Case::Snake => words.to_snake_case(),
    };
    if name.is_empty() {
        name = match case {
            Case::Pascal => "Empty".to_owned(),
            Case::Snake => "empty".to_owned(),
        };
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = match case {
            Case::Pascal => format!("V{name}"),
            Case::Snake => format!("_{name}"),
        };
    }
    if matches!(case, Case::Snake) && name.chars().all(|c| c == '_' || c.is_ascii_digit()) {
        // `+1` and `-1` (GitHub's reactions): a name of underscores and digits says nothing
        // (clippy's `just_underscores_and_digits`).
        name = format!("value{name}");
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// The package-name stem of a standalone workspace, from its folder's name: words split at
/// symbols and case changes, in kebab case, ASCII only (`graph-v1.0-ChangeNotifications` →
/// `graph-v1-0-change-notifications`, `my api` → `my-api`); a leading digit gets `api-`
/// before it, and a name with no letters or digits becomes `api`. `STEM-models` and
/// `STEM-client` are then valid package names, and with `_` for `-` valid crate identifiers.
pub fn package_stem(folder: &str) -> String {
    let stem = ascii_kebab(folder);
    if stem.is_empty() {
        "api".to_owned()
    } else if stem.starts_with(|c: char| c.is_ascii_digit()) {
        format!("api-{stem}")
    } else {
        stem
    }
}

/// Text as kebab-case ASCII words, split at symbols and case changes (`Code Scanning` →
/// `code-scanning`, `données` → `donn-es`); empty when it has no ASCII letter or digit. Cargo
/// package and feature names are made of these.
pub fn ascii_kebab(text: &str) -> String {
    let words: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    words.to_kebab_case()
}

/// Checks a package-name stem given with `--name`: an ASCII letter, then ASCII letters,
/// digits, `-` and `_`. (Appending `-models` keeps it from being a keyword or a reserved
/// name.)
pub fn check_package_stem(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a valid package name: it must start with an ASCII letter and hold only \
             ASCII letters, digits, `-` and `_` (for example `{}`)",
            crate::docs::one_line(name),
            package_stem(name)
        ))
    }
}

/// Hands out identifiers that are unique within one scope (a struct's fields, an enum's
/// variants, the module's types): a name already taken gets `2`, `3`, … appended (with `_`
/// in snake case; in place of a keyword's trailing `_` in Pascal case, so `Self_` becomes
/// `Self2`), in the order names are asked for.
#[derive(Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    pub fn with_taken<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Scope {
            taken: names.into_iter().map(str::to_owned).collect(),
        }
    }

    pub fn unique(&mut self, raw: &str, case: Case) -> String {
        let base = ident(raw, case);
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = match case {
                // `Self_` numbered is `Self2`: `Self_2` would be a non-camel-case warning.
                Case::Pascal => format!("{}{n}", base.trim_end_matches('_')),
                Case::Snake => format!("{}_{n}", base.trim_end_matches('_')),
            };
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }

    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    pub fn take(&mut self, name: &str) {
        self.taken.insert(name.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_names_become_identifiers() {
        assert_eq!(ident("@odata.nextLink", Case::Snake), "odata_next_link");
        assert_eq!(ident("request-id", Case::Snake), "request_id");
        assert_eq!(ident("type", Case::Snake), "type_");
        assert_eq!(ident("self", Case::Snake), "self_");
        assert_eq!(ident("InAMeeting", Case::Pascal), "InAMeeting");
        assert_eq!(
            ident("unknownFutureValue", Case::Pascal),
            "UnknownFutureValue"
        );
        assert_eq!(ident("ODataError", Case::Pascal), "ODataError");
        assert_eq!(ident("2fa", Case::Pascal), "V2fa");
        assert_eq!(ident("2fa", Case::Snake), "_2fa");
        assert_eq!(
            ident("+1", Case::Snake),
            "value_1",
            "not only underscores and digits"
        );
        assert_eq!(ident("", Case::Pascal), "Empty");
        assert_eq!(ident("self", Case::Pascal), "Self_");
    }

    #[test]
    fn folder_names_become_package_names() {
        for (folder, stem) in [
            (
                "graph-v1.0-ChangeNotifications",
                "graph-v1-0-change-notifications",
            ),
            ("my api", "my-api"),
            ("2024 api", "api-2024-api"),
            ("", "api"),
            ("+++", "api"),
            ("données", "donn-es"),
            ("graph_presence", "graph-presence"),
        ] {
            assert_eq!(package_stem(folder), stem, "{folder}");
            assert_eq!(check_package_stem(stem), Ok(()), "{folder}");
        }
        for bad in ["", "1api", "my api", "-api", "a.b", "a\nb"] {
            let error = check_package_stem(bad).expect_err(bad);
            assert!(error.contains("not a valid package name"), "{error}");
            assert!(!error.contains('\n'), "{error}");
        }
    }

    #[test]
    fn runtime_type_names_are_not_given_to_schema_types() {
        let mut types = Scope::with_taken(reserved_type_names());
        assert_eq!(types.unique("IsoDuration", Case::Pascal), "IsoDuration2");
        assert_eq!(
            types.unique("timeParseError", Case::Pascal),
            "TimeParseError2"
        );
        assert_eq!(types.unique("rawJson", Case::Pascal), "RawJson2");
        assert_eq!(types.unique("string", Case::Pascal), "String2");
        assert_eq!(types.unique("option", Case::Pascal), "Option2");
        assert_eq!(types.unique("text", Case::Pascal), "Text");
    }

    #[test]
    fn setters_are_field_names_unless_the_value_has_the_method() {
        assert_eq!(setter("session_id", is_model_method), "session_id");
        assert_eq!(setter("clone", is_model_method), "clone_");
        assert_eq!(setter("new", is_model_method), "new_");
        assert_eq!(setter("visit", is_model_method), "visit_");
        assert_eq!(setter("type_", is_model_method), "type_");
        // A renamed setter is never another field's name: a field name ends in `_` only when
        // it is a keyword, and no keyword is one of these methods.
        for name in STD_METHODS.iter().chain(MODEL_METHODS) {
            assert_eq!(ident(name, Case::Snake), *name, "a field can be `{name}`");
            assert!(!KEYWORDS.contains(name), "{name}");
        }
    }

    #[test]
    fn collisions_get_numbered_in_order() {
        let mut scope = Scope::default();
        assert_eq!(scope.unique("@odata.type", Case::Snake), "odata_type");
        assert_eq!(scope.unique("odataType", Case::Snake), "odata_type_2");
        let mut variants = Scope::default();
        assert_eq!(variants.unique("InAMeeting", Case::Pascal), "InAMeeting");
        assert_eq!(variants.unique("inAMeeting", Case::Pascal), "InAMeeting2");
        let mut keywords = Scope::default();
        let named: Vec<String> = ["self", "Self", "SELF", "super", "", "1"]
            .iter()
            .map(|v| keywords.unique(v, Case::Pascal))
            .collect();
        assert_eq!(named, ["Self_", "Self2", "Self3", "Super", "Empty", "V1"]);
    }
}
