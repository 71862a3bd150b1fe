//! Examples, read where they stand: a schema's `example` and (3.1) `examples` array, and a
//! parameter's or media type's `example` and `examples` map of Example Objects, inline, a
//! `$ref` to `components/examples`, or an `externalValue` file beside the document. Each
//! becomes an [`Example`] with its pointer and its value as JSON text, or the reason it has
//! none that can be used; lowering gives each its type.

use super::{Reader, RefOr};
use crate::document::child;
use serde_norway::{Mapping, Value};
use std::collections::HashMap;

/// One documented example value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The pointer of its `example`, or of its entry in `examples`.
    pub pointer: String,
    /// Its key in an `examples` map (`None` for `example` and a schema's `examples` array).
    pub name: Option<String>,
    /// The value as JSON text, or why there is none to use.
    pub value: Result<String, Unusable>,
}

/// Why an example has no value to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unusable {
    /// `externalValue` is a URL: not fetched.
    Url,
    /// `externalValue` names a file that is missing or not JSON.
    NotJsonFile,
    /// A YAML value JSON cannot hold (a non-text key, a tag, a non-finite number).
    NotJsonValue,
    /// An Example Object with neither `value` nor `externalValue`.
    NoValue,
}

impl Unusable {
    /// Why, in a sentence's words (the generated example test's docs count them).
    pub fn reason(self) -> &'static str {
        match self {
            Unusable::Url => "an `externalValue` URL (not fetched)",
            Unusable::NotJsonFile => "an `externalValue` file that is not JSON, or is missing",
            Unusable::NotJsonValue => {
                "a YAML value JSON cannot hold (a non-text key, a tag, a non-finite number)"
            }
            Unusable::NoValue => "an Example Object without `value` or `externalValue`",
        }
    }
}

impl Example {
    /// The JSON text of the usable ones, in order.
    pub fn values(examples: &[Example]) -> Vec<String> {
        examples
            .iter()
            .filter_map(|e| e.value.as_ref().ok().cloned())
            .collect()
    }
}

/// The values of `components/examples`, by key, read before anything that refers to them.
pub(super) type ComponentExamples = HashMap<String, Result<String, Unusable>>;

impl Reader<'_> {
    /// A schema's `example`, then each item of its (3.1) `examples` array.
    pub(super) fn schema_examples(&mut self, map: &Mapping, pointer: &str) -> Vec<Example> {
        let mut examples = Vec::new();
        if let Some(value) = map.get("example") {
            examples.push(Example {
                pointer: child(pointer, "example"),
                name: None,
                value: json_text(value),
            });
        }
        if let Some(Value::Sequence(items)) = map.get("examples") {
            let at = child(pointer, "examples");
            for (i, value) in items.iter().enumerate() {
                examples.push(Example {
                    pointer: child(&at, &i.to_string()),
                    name: None,
                    value: json_text(value),
                });
            }
        }
        examples
    }

    /// A parameter's or media type's `example`, then each entry of its `examples` map (checked
    /// here; a dangling reference is reported and has no example).
    pub(super) fn value_examples(&mut self, map: &Mapping, pointer: &str) -> Vec<Example> {
        let mut examples = Vec::new();
        if let Some(value) = map.get("example") {
            examples.push(Example {
                pointer: child(pointer, "example"),
                name: None,
                value: json_text(value),
            });
        }
        let Some(node) = map.get("examples") else {
            return examples;
        };
        let at = child(pointer, "examples");
        let Some(entries) = self.report.object(node, &at, "`examples`") else {
            return examples;
        };
        for (name, entry) in self.report.entries(entries, &at) {
            let entry_at = child(&at, &name);
            let value = match self.ref_or(entry, &entry_at, "#/components/examples/", |r, n, p| {
                Some(r.example(n, p))
            }) {
                Some(RefOr::Item(value)) => value,
                Some(RefOr::Ref(reference)) => {
                    let Some(key) = reference.key else { continue }; // reported when read
                    match self.component_examples.get(&key) {
                        Some(value) => value.clone(),
                        None => {
                            self.report.problem(
                                &reference.pointer,
                                format!("dangling `$ref`: `{}` is not defined", reference.text),
                            );
                            continue;
                        }
                    }
                }
                None => continue,
            };
            examples.push(Example {
                pointer: entry_at,
                name: Some(name),
                value,
            });
        }
        examples
    }

    /// An Example Object, checked, and its value: `value`, or the JSON of the `externalValue`
    /// file beside the document.
    pub(super) fn example(&mut self, node: &Value, pointer: &str) -> Result<String, Unusable> {
        let Some(map) = self.report.object(node, pointer, "an example") else {
            return Err(Unusable::NoValue);
        };
        self.report.only_keys(
            map,
            pointer,
            "an example",
            &[
                "summary",
                "description",
                "value",
                "externalValue",
                // 3.2: the value as data (read like `value`) and as it is sent (not read).
                "dataValue",
                "serializedValue",
            ],
        );
        if map.get("value").is_some() && map.get("externalValue").is_some() {
            self.report.problem(
                pointer,
                "an example has either `value` or `externalValue`, not both",
            );
        }
        if let Some(value) = map.get("value").or_else(|| map.get("dataValue")) {
            return json_text(value);
        }
        let Some(external) = map.get("externalValue") else {
            return Err(Unusable::NoValue);
        };
        let at = child(pointer, "externalValue");
        let Some(file) = self.report.string(external, &at, "`externalValue`") else {
            return Err(Unusable::NotJsonFile);
        };
        if file.contains("://") {
            return Err(Unusable::Url);
        }
        let Some(dir) = self.base_dir else {
            return Err(Unusable::NotJsonFile);
        };
        let path = dir.join(file);
        if !path.is_file() {
            self.report.problem(
                &at,
                format!("example file `{file}` does not exist next to the document"),
            );
            return Err(Unusable::NotJsonFile);
        }
        std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<Box<serde_json::value::RawValue>>(&t).ok())
            .map(|json| json.get().to_owned())
            .ok_or(Unusable::NotJsonFile)
    }
}

/// A YAML value as JSON text.
fn json_text(value: &Value) -> Result<String, Unusable> {
    serde_json::to_string(value).map_err(|_| Unusable::NotJsonValue)
}
