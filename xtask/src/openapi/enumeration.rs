//! The listed values of a schema: `enum`, `const` (one value) and `x-graph-known-values`, with
//! AutoRest's `x-ms-enum` (the type's name, each value's name and description) and
//! `x-ms-enum-flags` (a comma-separated set of the values). Strings and integers become open
//! enums; the values of any other type (booleans, numbers, objects) are named in the
//! property's docs and the value keeps its plain type. `null` among them makes the schema
//! nullable.
//!
//! A `oneOf` or `anyOf` whose every alternative is one listed value (`const: x`, `enum: [x]`,
//! 3.0's `{type: string, enum: [x]}`) or `null` is the documented enum's idiom: it is read as
//! one open enum ([`const_alternatives`]), each alternative's `title` naming its member and
//! its `description` describing it, so an unknown value is the catch-all, not the first
//! alternative that would decode it. Alternatives of any other shape keep the union.

use super::Reader;
use super::schema::{JsonType, Schema, json_text};
use crate::document::{child, kind};
use serde_norway::{Mapping, Value};

/// What an open enum's values are on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumKind {
    String,
    /// JSON integers (held as `i64`).
    Integer,
}

/// A listed value as it is on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Wire {
    String(String),
    Integer(i64),
}

impl std::fmt::Display for Wire {
    /// The string, or the integer's decimal text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Wire::String(s) => f.write_str(s),
            Wire::Integer(i) => write!(f, "{i}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    pub wire: Wire,
    /// `x-ms-enum`'s name for it, which names its variant.
    pub name: Option<String>,
    /// `x-ms-enum`'s description of it.
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enumeration {
    /// From `enum` or `const` (true) or from `x-graph-known-values` (false).
    pub declared: bool,
    pub kind: EnumKind,
    /// The distinct members, in order (`null` is not one: it makes the schema nullable).
    pub values: Vec<EnumValue>,
    /// `x-ms-enum`'s `name`: what an inline enum is called.
    pub name: Option<String>,
    /// `x-ms-enum-flags: {isFlags: true}`: a value is a comma-separated set of members.
    pub flags: bool,
}

impl Reader<'_> {
    /// Reads the listed values into `schema.enumeration` (strings and integers) or into its
    /// notes (any other type), and `null` among them into `schema.nullable`.
    pub(super) fn enumeration(&mut self, map: &Mapping, pointer: &str, schema: &mut Schema) {
        let (key, declared) = if map.get("enum").is_some() {
            ("enum", true)
        } else if map.get("x-graph-known-values").is_some() {
            ("x-graph-known-values", false)
        } else if map.get("const").is_some() {
            ("const", true)
        } else {
            return;
        };
        let at = child(pointer, key);
        let members: Vec<(String, &Value)> = match (key, map.get(key)) {
            ("const", Some(value)) => vec![(at.clone(), value)],
            (_, Some(Value::Sequence(values))) => values
                .iter()
                .enumerate()
                .map(|(i, value)| (child(&at, &i.to_string()), value))
                .collect(),
            _ => {
                self.report
                    .problem(&at, format!("`{key}` must be an array of values"));
                return;
            }
        };
        if members.iter().any(|(_, v)| v.is_null()) {
            schema.nullable = true;
        }
        let present: Vec<&Value> = members
            .iter()
            .map(|(_, v)| *v)
            .filter(|v| !v.is_null())
            .collect();
        if present.is_empty() {
            // `enum: [null]` (progenitor's unit responses): always `null`, which a nullable
            // value of the base type holds; an enum without members would be no type at all.
            if !members.is_empty() {
                schema.notes.push("Always `null` in the schema.".to_owned());
            }
            return;
        }
        let enum_kind = match schema.json_type {
            Some(JsonType::String) => Some(EnumKind::String),
            Some(JsonType::Integer) => Some(EnumKind::Integer),
            Some(_) => None,
            // Without `type`, the values say what they are.
            None if present.iter().all(|v| v.is_string()) => Some(EnumKind::String),
            None if present.iter().all(|v| v.is_i64()) => Some(EnumKind::Integer),
            None => None,
        };
        let Some(enum_kind) = enum_kind else {
            // A boolean, number or mixed list: the value keeps its plain type, and its docs
            // name what the schema lists.
            if !present.is_empty() {
                let listed: Vec<String> = present
                    .iter()
                    .map(|v| format!("`{}`", json_text(v)))
                    .collect();
                schema.notes.push(match key {
                    "const" => format!("Always {} in the schema.", listed.join(", ")),
                    _ => format!("Listed values: {}.", listed.join(", ")),
                });
            }
            return;
        };
        let mut enumeration = Enumeration {
            declared,
            kind: enum_kind,
            values: Vec::new(),
            name: None,
            flags: false,
        };
        for (at, value) in members {
            let wire = match (enum_kind, value) {
                (_, Value::Null) => continue,
                (EnumKind::String, Value::String(wire)) => Wire::String(wire.clone()),
                (EnumKind::Integer, Value::Number(n)) if let Some(i) = n.as_i64() => {
                    Wire::Integer(i)
                }
                (EnumKind::String, other) => {
                    self.report.problem(
                        &at,
                        format!("enum values must be strings, found {}", kind(other)),
                    );
                    continue;
                }
                (EnumKind::Integer, other) => {
                    self.report.problem(
                        &at,
                        format!(
                            "enum values of an integer schema must be 64-bit integers, found {}",
                            kind(other)
                        ),
                    );
                    continue;
                }
            };
            if enumeration.values.iter().any(|v| v.wire == wire) {
                self.report
                    .problem(&at, format!("duplicate value `{wire}`"));
                continue;
            }
            enumeration.values.push(EnumValue {
                wire,
                name: None,
                description: None,
            });
        }
        if let Some(node) = map.get("x-ms-enum") {
            self.ms_enum(node, &child(pointer, "x-ms-enum"), &mut enumeration);
        }
        if let Some(node) = map.get("x-ms-enum-flags") {
            let at = child(pointer, "x-ms-enum-flags");
            if let Some(flags) = self.report.object(node, &at, "`x-ms-enum-flags`") {
                enumeration.flags = self.report.flag(flags, &at, "isFlags");
            }
            if enumeration.flags && enum_kind == EnumKind::Integer {
                self.report.warning(
                    &at,
                    "flags of integers are not supported: the value is one member, not a set",
                );
                enumeration.flags = false;
            }
        }
        schema.enumeration = Some(enumeration);
    }

    /// AutoRest's `x-ms-enum`: `name` (the type's), `values` (each member's name and
    /// description). `modelAsString` is accepted and changes nothing: every enum is open.
    fn ms_enum(&mut self, node: &Value, pointer: &str, enumeration: &mut Enumeration) {
        let Some(map) = self.report.object(node, pointer, "`x-ms-enum`") else {
            return;
        };
        if let Some(name) = map.get("name") {
            enumeration.name = self
                .report
                .string(name, &child(pointer, "name"), "`name`")
                .map(str::to_owned);
        }
        if let Some(node) = map.get("modelAsString") {
            self.report
                .boolean(node, &child(pointer, "modelAsString"), "`modelAsString`");
        }
        let Some(values) = map.get("values") else {
            return;
        };
        let at = child(pointer, "values");
        let Value::Sequence(values) = values else {
            self.report.problem(
                &at,
                format!("`values` must be an array, found {}", kind(values)),
            );
            return;
        };
        for (i, entry) in values.iter().enumerate() {
            let at = child(&at, &i.to_string());
            let Some(entry) = self.report.object(entry, &at, "an `x-ms-enum` value") else {
                continue;
            };
            // Matched by its text: `"1"` names the integer member 1, as AutoRest reads it.
            let wire = match entry.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => {
                    self.report.problem(
                        &at,
                        "an `x-ms-enum` value needs a string or integer `value`",
                    );
                    continue;
                }
            };
            let mut text = |key: &str| {
                let node = entry.get(key)?;
                self.report
                    .string(node, &child(&at, key), &format!("`{key}`"))
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
            };
            let name = text("name");
            let description = text("description");
            match enumeration
                .values
                .iter_mut()
                .find(|v| v.wire.to_string() == wire)
            {
                Some(value) => {
                    value.name = name;
                    value.description = description;
                }
                None => self.report.warning(
                    &child(&at, "value"),
                    format!(
                        "`{wire}` is not a value of the enum: its name and description are ignored"
                    ),
                ),
            }
        }
    }
}

/// Folds a `oneOf` / `anyOf` of at least two one-value alternatives (and any `null` ones),
/// all strings or all integers, into `schema.enumeration`: the members in order, each named
/// by its alternative's `title` and described by its `description` (else by its own
/// `x-ms-enum` entry); a value listed twice is one member, the first. A union with anything
/// beside it (properties, a discriminator, its own `enum`), or whose `type` is another, is
/// left as it is.
pub(super) fn const_alternatives(schema: &mut Schema) {
    let Some(parts) = schema.union_parts() else {
        return;
    };
    if schema.enumeration.is_some()
        || schema.discriminator.is_some()
        || schema.properties.is_some()
        || schema.all_of.is_some()
        || schema.items.is_some()
        || schema.additional.is_some()
    {
        return;
    }
    let mut kind = None;
    let mut values: Vec<EnumValue> = Vec::new();
    let mut nullable = false;
    for part in parts {
        if part.is_null_only() {
            nullable = true;
            continue;
        }
        let Some(value) = one_value(part) else {
            return;
        };
        let part_kind = part.enumeration.as_ref().map(|e| e.kind);
        if kind.is_some() && kind != part_kind {
            return;
        }
        kind = part_kind;
        nullable |= part.nullable;
        if values.iter().all(|v| v.wire != value.wire) {
            values.push(EnumValue {
                wire: value.wire.clone(),
                name: part.title.clone().or_else(|| value.name.clone()),
                description: part
                    .description
                    .clone()
                    .or_else(|| value.description.clone()),
            });
        }
    }
    let Some(kind) = kind else {
        return;
    };
    let type_agrees = matches!(
        (schema.json_type, kind),
        (None, _)
            | (Some(JsonType::String), EnumKind::String)
            | (Some(JsonType::Integer), EnumKind::Integer)
    );
    if values.len() < 2 || !type_agrees {
        return;
    }
    schema.enumeration = Some(Enumeration {
        declared: true,
        kind,
        values,
        name: None,
        flags: false,
    });
    schema.nullable |= nullable;
    schema.one_of = None;
    schema.any_of = None;
}

/// The one value an alternative lists, if it is nothing else: no reference, composition,
/// properties or items, and a `type` (if any) that is the value's.
fn one_value(part: &Schema) -> Option<&EnumValue> {
    let enumeration = part.enumeration.as_ref()?;
    let plain = part.reference.is_none()
        && part.all_of.is_none()
        && part.any_of.is_none()
        && part.one_of.is_none()
        && part.discriminator.is_none()
        && part.properties.is_none()
        && part.items.is_none()
        && part.additional.is_none()
        && enumeration.declared
        && !enumeration.flags;
    match enumeration.values.as_slice() {
        [only] if plain => Some(only),
        _ => None,
    }
}
