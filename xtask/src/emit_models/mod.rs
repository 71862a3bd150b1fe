//! Emits the models module: per type, the facts (fields with their wire names and types,
//! which are required or nullable, the values an enum lists) and a few lines that hand them
//! to `openapi-models-runtime`, where the algorithms live (the decoding loop, duplicate checks,
//! unknown properties, the JSON Schema).

use crate::model::*;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// The start of the models module: the runtime's user-facing surface re-exported by name
/// ([`crate::runtime_api::MODELS_API`]), and, when there are types to implement, its hidden
/// module for what generated code reaches (`rt`), allowed to go unused when every type can be
/// left out by a cargo feature (`gated`, see [`crate::tags`]).
pub fn prelude(has_types: bool, gated: bool) -> TokenStream {
    let names = crate::runtime_api::MODELS_API.iter().map(|n| ident(n));
    let allow = gated.then(|| quote!(#[allow(unused_imports)]));
    let rt = has_types.then(|| {
        quote!(
            #allow
            use ::openapi_models_runtime::__private as rt;
        )
    });
    quote! {
        #rt
        pub use ::openapi_models_runtime::{#(#names),*};
    }
}

mod forms;
mod impls;

pub use forms::form_item;

pub(crate) use impls::ty_text;

/// The code of one type, formatted; with its `Alternative` impl when it is one of
/// [`union_alternatives`].
pub fn type_item(def: &TypeDef, alternative: bool) -> Result<String, syn::Error> {
    let (mut text, attempt) = match def {
        TypeDef::Struct(s) => (structure(s)?, "attempt_record"),
        TypeDef::Enum(e) => (
            crate::write::format_item(enumeration(e))?,
            match e.kind {
                EnumKind::String => "attempt_enum",
                EnumKind::Integer => "attempt_int_enum",
            },
        ),
        TypeDef::Union(u) => (crate::write::format_item(union(u)?)?, "attempt_union"),
    };
    if alternative {
        text.push_str(&format!("rt::alternative!({}, {attempt});\n", def.name()));
    }
    Ok(text)
}

/// The generated types a union decodes a value as (its variants' types, and the items of
/// variants that are arrays or options of them): the only ones that need the runtime's
/// `Alternative` impl, which is left out elsewhere since it costs compile time in every type.
pub fn union_alternatives(types: &[&TypeDef]) -> std::collections::BTreeSet<String> {
    fn named(ty: &Ty, into: &mut std::collections::BTreeSet<String>) {
        match ty {
            Ty::Named(name) => {
                into.insert(name.clone());
            }
            Ty::Array(inner) | Ty::Option(inner) => named(inner, into),
            _ => {}
        }
    }
    let mut alternatives = std::collections::BTreeSet::new();
    for def in types {
        if let TypeDef::Union(union) = def {
            for variant in &union.variants {
                named(&variant.ty, &mut alternatives);
            }
        }
    }
    alternatives
}

fn ident(name: &str) -> Ident {
    // Names were sanitized when lowering; a keyword there already has a trailing `_`.
    Ident::new(name, Span::call_site())
}

/// `#[doc]` attributes for text that may come from the schema.
pub fn docs(text: Option<&str>) -> TokenStream {
    text.map(crate::docs::attrs).unwrap_or_default()
}

/// What a type's docs are made of, besides what the kind of type adds.
struct TypeDocs<'a> {
    name: &'a str,
    description: Option<&'a str>,
    title: Option<&'a str>,
    origin: &'a str,
    used_by: &'a [String],
}

/// A type's docs: its summary ([`summary`]), then a paragraph naming its schema, the
/// operations that use it (the reachability analysis) and anything the kind of type adds
/// (`more`).
fn type_docs(facts: TypeDocs, more: &str) -> TokenStream {
    let mut text = summary(facts.description, facts.title, facts.name);
    text.push_str(&format!("\n\nSchema: `{}`.", facts.origin));
    if !facts.used_by.is_empty() {
        let names: Vec<String> = facts.used_by.iter().map(|o| format!("`{o}`")).collect();
        text.push_str(&format!(" Used by {}.", names.join(", ")));
    }
    text.push_str(more);
    crate::docs::attrs(&text)
}

/// What a type's docs open with (rustdoc's summary line): the schema's description, else its
/// title, else a sentence made from the type's name (`PresenceStatusMessage`: "Presence
/// status message."), never a bare schema key or JSON pointer. A title of one word is a name
/// (Graph titles every type with its key, `dateTimeTimeZone`), made a sentence the same way.
fn summary(description: Option<&str>, title: Option<&str>, name: &str) -> String {
    if let Some(description) = description {
        return description.to_owned();
    }
    let sentence_of = |name: &str| {
        let words = heck::ToSnakeCase::to_snake_case(name).replace('_', " ");
        let mut chars = words.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => name.to_owned(),
        }
    };
    let text = match title {
        Some(title) if title.contains(char::is_whitespace) => title.to_owned(),
        Some(title) => sentence_of(title),
        None => sentence_of(name),
    };
    match text.ends_with(['.', '!', '?']) {
        true => text,
        false => format!("{text}."),
    }
}

/// How a field is held, which decides its Rust type, how absence and `null` decode, and how
/// it is written back.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// Required, not nullable: `T`.
    Plain,
    /// Required and nullable: `Option<T>`, must be present.
    RequiredNullable,
    /// Optional, not nullable: `Option<T>`; `null` is an error.
    Optional,
    /// Optional and nullable: `Nullable<T>` (absent, `null` or a value).
    Nullable,
}

fn shape(field: &Field) -> Shape {
    match (field.required, field.nullable) {
        (true, false) => Shape::Plain,
        (true, true) => Shape::RequiredNullable,
        (false, false) => Shape::Optional,
        (false, true) => Shape::Nullable,
    }
}

/// A field's declared type: its value type in `Option` or `Nullable` as its shape needs.
fn field_ty_text(field: &Field) -> String {
    let ty = impls::value_ty_text(field);
    match shape(field) {
        Shape::Plain => ty,
        Shape::RequiredNullable | Shape::Optional => format!("Option<{ty}>"),
        Shape::Nullable => format!("Nullable<{ty}>"),
    }
}

/// Tokens for a type written as text (the one mapping from `Ty` to Rust is [`impls::ty_text`]).
fn type_tokens(text: &str) -> Result<TokenStream, syn::Error> {
    syn::parse_str::<syn::Type>(text).map(quote::ToTokens::into_token_stream)
}

fn field_docs(field: &Field) -> TokenStream {
    let mut notes = vec![format!("Wire name: `{}`.", field.wire)];
    if field.required {
        notes.push("Required.".to_owned());
    }
    if field.read_only {
        notes.push("Read-only: set by the service.".to_owned());
    }
    if field.write_only {
        notes.push("Write-only: sent to the service, never returned.".to_owned());
    }
    if let Some(default) = &field.default {
        notes.push(format!(
            "Default: `{default}` (applied by the service when absent)."
        ));
    }
    if let Some(max) = field.max_items {
        notes.push(format!("At most {max} items."));
    }
    let notes = notes.join(" ");
    // One paragraph: the description's last line and the notes share a line.
    let text = match &field.description {
        Some(description) => format!("{} {notes}", description.trim_end()),
        None => notes,
    };
    docs(Some(&text))
}

/// What a struct does with properties its schema does not name: the type of the field that
/// keeps them (if any) and the runtime's `Extra` type.
fn extra(def: &StructDef) -> (Option<String>, String) {
    match &def.additional {
        Additional::Any => (Some("Extensions".to_owned()), "Extensions".to_owned()),
        Additional::Typed(ty) => {
            let map = format!("PropertyMap<{}>", impls::ty_text(ty));
            (Some(map.clone()), map)
        }
        Additional::Deny => (None, "rt::Closed".to_owned()),
    }
}

/// The `required` module: for each struct whose `new` takes its required properties by name
/// ([`StructDef::takes_named_args`]), the struct of them. Empty when no type needs one.
/// Each struct there carries the attribute `gate` gives its type (its cargo features' `cfg`).
pub fn required_module(
    types: &[&TypeDef],
    gate: impl Fn(&str) -> Option<String>,
) -> Result<String, syn::Error> {
    let items: Vec<String> = types
        .iter()
        .filter_map(|def| match def {
            TypeDef::Struct(def) if def.takes_named_args() => {
                let text = impls::required_struct(def);
                Some(match gate(&def.name) {
                    Some(cfg) => format!("{cfg}\n{text}"),
                    None => text,
                })
            }
            _ => None,
        })
        .collect();
    if items.is_empty() {
        return Ok(String::new());
    }
    let text = format!(
        "/// The required properties of the types whose `new` takes them by name: more than\n\
         /// can be ordered safely as arguments, or two of one type.\n\
         pub mod required {{\n#[allow(unused_imports)]\nuse super::*;\n{}}}\n",
        items.concat()
    );
    let file: syn::File = syn::parse_str(&text)?;
    Ok(prettyplease::unparse(&file))
}

/// A struct: its definition (quoted and pretty-printed, since it carries the schema's
/// descriptions), its two impls (written as text, see [`impls`]) and the runtime's macro.
fn structure(def: &StructDef) -> Result<String, syn::Error> {
    let name = ident(&def.name);
    let doc = type_docs(
        TypeDocs {
            name: &def.name,
            description: def.description.as_deref(),
            title: def.title.as_deref(),
            origin: &def.origin,
            used_by: &def.used_by,
        },
        "",
    );
    let (extra_field_ty, extra_ty) = extra(def);
    let extras = extra_field_ty.as_ref().map(|_| def.extra_field());
    let mut fields = Vec::with_capacity(def.fields.len() + 1);
    for f in &def.fields {
        let doc = field_docs(f);
        let field = ident(&f.name);
        let ty = type_tokens(&field_ty_text(f))?;
        fields.push(quote! { #doc pub #field: #ty, });
    }
    if let (Some(e), Some(ty)) = (&extras, &extra_field_ty) {
        let e = ident(e);
        let ty = type_tokens(ty)?;
        fields.push(quote! {
            /// Properties the schema does not name, kept as sent.
            pub #e: #ty,
        });
    }
    let mut derives = vec![quote!(Clone), quote!(Debug)];
    if def.derives.default {
        derives.push(quote!(Default));
    }
    derives.push(quote!(PartialEq));
    if def.derives.eq {
        derives.push(quote!(Eq));
    }
    if def.derives.hash {
        derives.push(quote!(Hash));
    }
    let mut code = impls::Code::default();
    code.text = crate::write::format_item(quote! {
        #doc
        #[derive(#(#derives),*)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
    })?;
    impls::constructor(def, extras.as_deref(), &mut code);
    impls::record(def, extras.as_deref(), &extra_ty, &mut code);
    code.text.push_str(&format!("rt::record!({});\n", def.name));
    Ok(code.text)
}

/// An open enum of strings or integers: the variants, the catch-all holding the exact value
/// sent, and the runtime's trait (`OpenEnum` over `&str`, `OpenIntEnum` over `i64`) with its
/// two `match`es, wire value ↔ variant.
fn enumeration(def: &EnumDef) -> TokenStream {
    let name = ident(&def.name);
    let origin = &def.origin;
    let other = ident(&def.other);
    let (sent, held, open_trait, info, to_wire, from_wire, other_value, open_macro) = match def.kind
    {
        EnumKind::String => (
            "text",
            quote!(String),
            quote!(rt::OpenEnum),
            quote!(rt::EnumInfo),
            quote!(fn wire(&self) -> &str),
            quote!(fn listed(value: &str)),
            quote!(value),
            quote!(rt::open_enum!),
        ),
        EnumKind::Integer => (
            "value",
            quote!(i64),
            quote!(rt::OpenIntEnum),
            quote!(rt::IntEnumInfo),
            quote!(fn value(&self) -> i64),
            quote!(fn listed(value: i64)),
            quote!(*value),
            quote!(rt::open_int_enum!),
        ),
    };
    let mut more = format!(
        " Open: a value not listed here decodes as `{}` with the exact {sent} sent, and is written back unchanged.",
        def.other
    );
    if def.flags {
        more.push_str(&format!(
            " A set of flags: properties hold `Flags<{}>`, its members separated by commas on the wire.",
            def.name
        ));
    }
    let doc = type_docs(
        TypeDocs {
            name: &def.name,
            description: def.description.as_deref(),
            title: def.title.as_deref(),
            origin: &def.origin,
            used_by: &def.used_by,
        },
        &more,
    );
    let variants = def.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let text = match &v.description {
            Some(d) => format!("`{}`: {d}", v.wire),
            None => format!("`{}`", v.wire),
        };
        let doc = crate::docs::attrs(&text);
        quote! { #doc #variant, }
    });
    let description = match &def.description {
        Some(d) => quote!(Some(#d)),
        None => quote!(None),
    };
    let values = def.variants.iter().map(|v| wire_literal(&v.wire));
    let to_value = def.variants.iter().map(|v| {
        let (variant, wire) = (ident(&v.name), wire_literal(&v.wire));
        quote!(Self::#variant => #wire,)
    });
    let from_value = def.variants.iter().map(|v| {
        let (variant, wire) = (ident(&v.name), wire_literal(&v.wire));
        quote!(#wire => Some(Self::#variant),)
    });
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version does not list, kept exactly as it was sent.
            #other(#held),
        }
        impl #open_trait for #name {
            const INFO: &'static #info = &#info {
                origin: #origin,
                description: #description,
                values: &[#(#values),*],
            };
            #to_wire {
                match self {
                    #(#to_value)*
                    Self::#other(value) => #other_value,
                }
            }
            #from_wire -> Option<Self> {
                match value {
                    #(#from_value)*
                    _ => None,
                }
            }
        }
        #open_macro(#name, #other);
    }
}

/// A listed value as a literal of its kind.
fn wire_literal(wire: &Wire) -> TokenStream {
    match wire {
        Wire::String(text) => quote!(#text),
        Wire::Integer(value) => {
            let value = proc_macro2::Literal::i64_unsuffixed(*value);
            quote!(#value)
        }
    }
}

/// How a union decodes, for its docs (the runtime's rule, `openapi_models_runtime::union`).
fn union_rule(def: &UnionDef) -> String {
    let other = &def.other;
    let keyword = if def.any_of { "anyOf" } else { "oneOf" };
    match (&def.tag, def.default) {
        (Some(tag), Some(default)) => {
            let base = def.variants.get(default).map_or("", |v| v.name.as_str());
            format!(
                " Tagged by `{tag}`: the variant its value names; an absent or unknown value is `{base}`. A value the chosen variant does not decode is `{other}`, kept as sent."
            )
        }
        (Some(tag), None) => format!(
            " Tagged by `{tag}`: the variant its value names; an absent or unknown tag, or a value the named variant does not decode, is `{other}`, kept as sent."
        ),
        (None, _) => format!(
            " Untagged (`{keyword}`): a value is the first variant, in the order listed, that decodes it exactly (an object whose every property the variant names, a string an enum lists, an array whose items all fit exactly); else the first that decodes it at all; else `{other}`, kept as sent. Encoding writes the value back as it came."
        ),
    }
}

fn union(def: &UnionDef) -> Result<TokenStream, syn::Error> {
    let name = ident(&def.name);
    let origin = &def.origin;
    let other = ident(&def.other);
    let doc = type_docs(
        TypeDocs {
            name: &def.name,
            description: def.description.as_deref(),
            title: def.title.as_deref(),
            origin: &def.origin,
            used_by: &def.used_by,
        },
        &union_rule(def),
    );
    let mut variants = Vec::new();
    let mut infos = Vec::new();
    let mut attempts = Vec::new();
    let mut encodes = Vec::new();
    for (i, v) in def.variants.iter().enumerate() {
        let variant = ident(&v.name);
        let ty_text = impls::ty_text(&v.ty);
        let held = if v.boxed {
            format!("Box<{ty_text}>")
        } else {
            ty_text.clone()
        };
        let held = type_tokens(&held)?;
        let mut text = format!("A `{ty_text}`.");
        if !v.tags.is_empty() {
            let tags: Vec<String> = v.tags.iter().map(|t| format!("`{t}`")).collect();
            text.push_str(&format!(" Tag {}.", tags.join(", ")));
        }
        let doc = crate::docs::attrs(&text);
        variants.push(quote! { #doc #variant(#held), });
        let variant_name = &v.name;
        let tags = &v.tags;
        infos.push(quote!(rt::union::variant::<#held>(#variant_name, &[#(#tags),*]),));
        attempts.push(quote!(#i => rt::union::attempt(json).map(|a| a.map(Self::#variant)),));
        encodes.push(
            quote!(Self::#variant(value) => rt::serde::Serialize::serialize(value, serializer),),
        );
    }
    let description = match &def.description {
        Some(d) => quote!(Some(#d)),
        None => quote!(None),
    };
    let tag = match &def.tag {
        Some(t) => quote!(Some(#t)),
        None => quote!(None),
    };
    let default = match def.default {
        Some(i) => quote!(Some(#i)),
        None => quote!(None),
    };
    let mut derives = vec![quote!(Clone), quote!(Debug), quote!(PartialEq)];
    if def.derives.eq {
        derives.push(quote!(Eq));
    }
    if def.derives.hash {
        derives.push(quote!(Hash));
    }
    Ok(quote! {
        #doc
        #[derive(#(#derives),*)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#variants)*
            /// A value no variant accepts, kept exactly as it was sent.
            #other(RawJson),
        }
        impl rt::Union for #name {
            const INFO: &'static rt::UnionInfo = &rt::UnionInfo {
                origin: #origin,
                description: #description,
                tag: #tag,
                default: #default,
                variants: &[#(#infos)*],
            };
            fn attempt(i: usize, json: &RawJson) -> Option<rt::union::Attempt<Self>> {
                match i {
                    #(#attempts)*
                    _ => None,
                }
            }
            fn fallback(json: RawJson) -> Self {
                Self::#other(json)
            }
            fn encode<S: rt::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#encodes)*
                    Self::#other(value) => rt::serde::Serialize::serialize(value, serializer),
                }
            }
        }
        rt::union!(#name, #other);
    })
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn a_summary_is_the_description_else_the_title_else_a_sentence_of_the_name() {
        assert_eq!(
            summary(Some("Presence of a user."), Some("Presence"), "Presence"),
            "Presence of a user."
        );
        assert_eq!(summary(None, Some("A pet"), "Pet"), "A pet.");
        assert_eq!(summary(None, Some("Why not?"), "Pet"), "Why not?");
        assert_eq!(
            summary(None, Some("dateTimeTimeZone"), "DateTimeTimeZone"),
            "Date time time zone."
        );
        assert_eq!(
            summary(None, None, "PresenceStatusMessage"),
            "Presence status message."
        );
        assert_eq!(
            summary(None, None, "SetPresenceRequestBody"),
            "Set presence request body."
        );
    }
}
