//! `multipart/form-data` request bodies whose schema is an object: a form type of their parts
//! ([`FormDef`]), one field per property of the struct the schema lowers to. A binary string
//! (`format: binary`, or 3.1's `contentMediaType` / `contentEncoding`), or an array of them,
//! is a file part; anything else a value part. The `encoding` map's `contentType` is each
//! part's media type when it names one (the first of a list; a range such as `image/*` names
//! none). A schema that is not an object with properties stays bytes the user encodes, with
//! a warning that says so.

use super::Lowering;
use crate::model::{FileShape, FormDef, FormField, Ty, TypeDef};
use crate::openapi::{Document, MediaType, Schema};

impl Lowering<'_> {
    /// The form of a request body's `multipart/form-data` media type, by name; `None`, with a
    /// warning, when its schema is not an object with properties.
    pub(super) fn multipart_form(&mut self, media: &MediaType) -> Option<String> {
        let form = self.form_def(media);
        if form.is_none() {
            self.report.warning(
                &media.pointer,
                format!(
                    "a `{}` body whose schema is not an object with properties: it is a `MultipartBody` the caller encodes",
                    media.name
                ),
            );
        }
        form
    }

    fn form_def(&mut self, media: &MediaType) -> Option<String> {
        let schema = media.schema.as_ref()?;
        let (Ty::Named(origin), _) = self.positions.get(&schema.pointer)?.clone() else {
            return None;
        };
        let Some(TypeDef::Struct(def)) = self.types.get(&origin) else {
            return None;
        };
        if def.fields.is_empty() {
            return None;
        }
        let def = def.clone();
        let doc = self.doc;
        let properties = resolved(doc, schema).and_then(|s| s.properties.as_deref());
        let fields: Vec<FormField> = def
            .fields
            .iter()
            .map(|f| {
                let property = properties
                    .and_then(|p| p.iter().find(|(wire, _)| *wire == f.wire))
                    .map(|(_, s)| s);
                let binary = |s: &Schema| resolved(doc, s).is_some_and(|s| s.binary);
                let file = match (&f.ty, property) {
                    (Ty::String, Some(p)) if binary(p) => Some(FileShape::One),
                    (Ty::Array(item), Some(p))
                        if **item == Ty::String
                            && resolved(doc, p)
                                .and_then(|p| p.items.as_deref())
                                .is_some_and(binary) =>
                    {
                        Some(FileShape::Many)
                    }
                    _ => None,
                };
                let content_type = media
                    .encoding
                    .iter()
                    .find(|(wire, _)| *wire == f.wire)
                    .and_then(|(_, types)| types.split(',').next())
                    .map(str::trim)
                    .filter(|t| !t.is_empty() && !t.contains('*'))
                    .map(str::to_owned);
                FormField {
                    name: f.name.clone(),
                    wire: f.wire.clone(),
                    ty: f.ty.clone(),
                    file,
                    required: f.required,
                    content_type,
                    // A file is no plain `String`: the note that says so is not about it.
                    description: match file {
                        Some(_) => f
                            .description
                            .as_deref()
                            .map(without_format_note)
                            .filter(|d| !d.is_empty()),
                        None => f.description.clone(),
                    },
                }
            })
            .collect();
        // The same struct with the same encoding is one form, however many bodies use it.
        if let Some(same) = self
            .forms
            .values()
            .find(|form| form.origin == origin && form.fields == fields)
        {
            return Some(same.name.clone());
        }
        let name = self.names.inline(&format!("{origin}Form"));
        self.forms.insert(
            name.clone(),
            FormDef {
                name: name.clone(),
                origin,
                description: def.description.clone().or(def.title.clone()),
                fields,
            },
        );
        Some(name)
    }
}

/// A schema, or the component schema its `$ref` names (through a few references).
fn resolved<'d>(doc: &'d Document, mut schema: &'d Schema) -> Option<&'d Schema> {
    for _ in 0..8 {
        let Some(reference) = &schema.reference else {
            return Some(schema);
        };
        schema = doc
            .components
            .schemas
            .get(reference.key.as_ref()?)
            .flatten()?;
    }
    None
}

/// A file property's description without the note that its `format` makes it a `String`
/// (notes are paragraphs of their own).
fn without_format_note(description: &str) -> String {
    description
        .split("\n\n")
        .filter(|p| !(p.starts_with("Format `") && p.contains("not known to the generator")))
        .collect::<Vec<_>>()
        .join("\n\n")
}
