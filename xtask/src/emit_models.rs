//! Emits the models module: one struct or open enum per type of the model, each with
//! hand-rolled `Serialize`, `Deserialize` and `JsonSchema` impls (no `#[serde(flatten)]`:
//! unknown properties are collected while decoding, without buffering the object).

use crate::model::*;
use crate::names::{Case, Scope};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

/// The runtime support module, copied into every generated crate.
const SUPPORT: &str = include_str!("../templates/support.rs");

/// The start of the models module: the runtime re-exports. Then come the types
/// ([`type_item`]) and the [`support_module`].
pub fn prelude() -> TokenStream {
    quote! {
        pub use self::support::{from_slice, from_str, DecodeError, Duration, Nullable, ParseError, Timestamp};
    }
}

/// The code of one type.
pub fn type_item(def: &TypeDef) -> TokenStream {
    match def {
        TypeDef::Struct(s) => structure(s),
        TypeDef::Enum(e) => enumeration(e),
    }
}

/// The support module, from the template.
pub fn support_module() -> Result<TokenStream, syn::Error> {
    let support: syn::File = syn::parse_str(SUPPORT)?;
    let (attrs, items) = (&support.attrs, &support.items);
    Ok(quote! {
        pub mod support {
            #(#attrs)*
            #(#items)*
        }
    })
}

fn ident(name: &str) -> Ident {
    // Names were sanitized when lowering; a keyword there already has a trailing `_`.
    Ident::new(name, Span::call_site())
}

/// `#[doc]` attributes for a description. Lines are trimmed so that nothing in a schema
/// description becomes an indented code block (which rustdoc would run as a doctest).
pub fn docs(text: Option<&str>) -> TokenStream {
    let Some(text) = text else {
        return TokenStream::new();
    };
    let lines = text.replace("```", "'''");
    let lines = lines.lines().map(|line| format!(" {}", line.trim()));
    quote! { #(#[doc = #lines])* }
}

pub fn rust_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(::std::string::String),
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::F32 => quote!(f32),
        Ty::F64 => quote!(f64),
        Ty::Timestamp => quote!(self::support::Timestamp),
        Ty::Duration => quote!(self::support::Duration),
        Ty::Any => quote!(::serde_json::Value),
        Ty::Array(item) => {
            let item = rust_ty(item);
            quote!(::std::vec::Vec<#item>)
        }
        Ty::Map(value) => {
            let value = rust_ty(value);
            quote!(::std::collections::BTreeMap<::std::string::String, #value>)
        }
        Ty::Option(inner) => {
            let inner = rust_ty(inner);
            quote!(::std::option::Option<#inner>)
        }
        Ty::Named(name) => {
            let name = ident(name);
            quote!(#name)
        }
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

/// The value type of a field (boxed if recursive), without the Option/Nullable wrapper.
fn value_ty(field: &Field) -> TokenStream {
    let ty = rust_ty(&field.ty);
    if field.boxed {
        quote!(::std::boxed::Box<#ty>)
    } else {
        ty
    }
}

fn field_ty(field: &Field) -> TokenStream {
    let ty = value_ty(field);
    match shape(field) {
        Shape::Plain => ty,
        Shape::RequiredNullable | Shape::Optional => quote!(::std::option::Option<#ty>),
        Shape::Nullable => quote!(self::support::Nullable<#ty>),
    }
}

fn field_docs(field: &Field) -> TokenStream {
    let mut text = field.description.clone().unwrap_or_default();
    let mut notes = vec![format!("Wire name: `{}`.", field.wire)];
    if field.required {
        notes.push("Required.".to_owned());
    }
    if field.read_only {
        notes.push("Read-only: set by the service.".to_owned());
    }
    if let Some(max) = field.max_items {
        notes.push(format!("At most {max} items."));
    }
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(&notes.join(" "));
    docs(Some(&text))
}

fn structure(def: &StructDef) -> TokenStream {
    let name = ident(&def.name);
    let name_text = &def.name;
    let mut doc_text = def.description.clone().unwrap_or_default();
    if !doc_text.is_empty() {
        doc_text.push_str("\n\n");
    }
    doc_text.push_str(&format!("Schema: `{}`.", def.origin));
    let doc = docs(Some(&doc_text));
    let mut scope = Scope::with_taken(def.fields.iter().map(|f| f.name.as_str()));
    let extras_name = scope.unique("additional_properties", Case::Snake);
    let extras = ident(&extras_name);
    let extras_ty = match &def.additional {
        Additional::Any => {
            Some(quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>))
        }
        Additional::Typed(ty) => {
            let ty = rust_ty(ty);
            Some(quote!(::std::collections::BTreeMap<::std::string::String, #ty>))
        }
        Additional::Deny => None,
    };

    let fields = def.fields.iter().map(|f| {
        let doc = field_docs(f);
        let field = ident(&f.name);
        let ty = field_ty(f);
        quote! { #doc pub #field: #ty, }
    });
    let extras_field = extras_ty.as_ref().map(|ty| {
        quote! {
            /// Properties the schema does not name (such as `@odata.*` annotations), kept as
            /// received and written back.
            pub #extras: #ty,
        }
    });

    let constructor = constructor(def, extras_ty.is_some().then_some(&extras));
    let serialize = serialize(def, extras_ty.is_some().then_some(&extras));
    let deserialize = deserialize(def, extras_ty.as_ref().map(|ty| (&extras, ty)));
    let schema = struct_schema(def);
    let derive_eq = if def.fields.iter().any(|f| contains_float(&f.ty))
        || matches!(&def.additional, Additional::Typed(t) if contains_float(t))
    {
        quote!()
    } else {
        quote!(Eq,)
    };
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, #derive_eq)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #extras_field
        }
        #constructor
        #serialize
        #deserialize
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#name_text)
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(::std::concat!(::std::module_path!(), "::", #name_text))
            }
            fn json_schema(generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                #schema
            }
        }
    }
}

fn contains_float(ty: &Ty) -> bool {
    match ty {
        Ty::F32 | Ty::F64 => true,
        Ty::Array(t) | Ty::Map(t) | Ty::Option(t) => contains_float(t),
        _ => false,
    }
}

/// `new(required…)` plus a `with_*` setter per optional field, so request bodies can be built
/// without naming every field (and stay source-compatible when the schema adds one).
fn constructor(def: &StructDef, extras: Option<&Ident>) -> TokenStream {
    let name = ident(&def.name);
    let required: Vec<&Field> = def.fields.iter().filter(|f| f.required).collect();
    let params = required.iter().map(|f| {
        let field = ident(&f.name);
        let ty = value_ty(f);
        match shape(f) {
            Shape::RequiredNullable => quote!(#field: ::std::option::Option<#ty>),
            _ => quote!(#field: impl ::std::convert::Into<#ty>),
        }
    });
    let inits = def.fields.iter().map(|f| {
        let field = ident(&f.name);
        match shape(f) {
            Shape::Plain => quote!(#field: #field.into(),),
            Shape::RequiredNullable => quote!(#field,),
            Shape::Optional => quote!(#field: ::std::option::Option::None,),
            Shape::Nullable => quote!(#field: self::support::Nullable::Absent,),
        }
    });
    let extras_init = extras.map(|e| quote!(#e: ::std::default::Default::default(),));
    let setters = def.fields.iter().filter(|f| !f.required).map(|f| {
        let field = ident(&f.name);
        let setter = format_ident!("with_{}", f.name.trim_matches('_'));
        let ty = value_ty(f);
        let doc = format!(" Sets `{}`.", f.wire);
        let value = match shape(f) {
            Shape::Nullable => quote!(self::support::Nullable::Value(value.into())),
            _ => quote!(::std::option::Option::Some(value.into())),
        };
        quote! {
            #[doc = #doc]
            #[must_use]
            pub fn #setter(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                self.#field = #value;
                self
            }
        }
    });
    let new_doc = if required.is_empty() {
        " A value with every optional property absent.".to_owned()
    } else {
        format!(
            " A value with the required properties ({}) and every optional one absent.",
            required
                .iter()
                .map(|f| format!("`{}`", f.wire))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let default_impl = required.is_empty().then(|| {
        quote! {
            impl ::std::default::Default for #name {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    quote! {
        impl #name {
            #[doc = #new_doc]
            #[allow(clippy::new_without_default, clippy::too_many_arguments)]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* #extras_init }
            }
            #(#setters)*
        }
        #default_impl
    }
}

fn serialize(def: &StructDef, extras: Option<&Ident>) -> TokenStream {
    let name = ident(&def.name);
    let entries = def.fields.iter().map(|f| {
        let field = ident(&f.name);
        let wire = &f.wire;
        match shape(f) {
            Shape::Plain | Shape::RequiredNullable => {
                quote!(map.serialize_entry(#wire, &self.#field)?;)
            }
            Shape::Optional => quote! {
                if let ::std::option::Option::Some(value) = &self.#field {
                    map.serialize_entry(#wire, value)?;
                }
            },
            Shape::Nullable => quote! {
                if !self.#field.is_absent() {
                    map.serialize_entry(#wire, &self.#field)?;
                }
            },
        }
    });
    let extras = extras.map(|e| {
        quote! {
            for (key, value) in &self.#e {
                map.serialize_entry(key, value)?;
            }
        }
    });
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(::std::option::Option::None)?;
                #(#entries)*
                #extras
                map.end()
            }
        }
    }
}

fn deserialize(def: &StructDef, extras: Option<(&Ident, &TokenStream)>) -> TokenStream {
    let name = ident(&def.name);
    let expecting = format!("a `{}` object", def.origin);
    let locals = def.fields.iter().map(|f| {
        let field = ident(&f.name);
        let ty = value_ty(f);
        match shape(f) {
            Shape::Plain | Shape::Optional => quote!(let mut #field: ::std::option::Option<#ty> = ::std::option::Option::None;),
            Shape::RequiredNullable => quote!(let mut #field: ::std::option::Option<::std::option::Option<#ty>> = ::std::option::Option::None;),
            Shape::Nullable => quote!(let mut #field: self::support::Nullable<#ty> = self::support::Nullable::Absent;),
        }
    });
    let arms = def.fields.iter().map(|f| {
        let field = ident(&f.name);
        let wire = &f.wire;
        let read = match shape(f) {
            Shape::Nullable => {
                quote!(self::support::next_nullable(&mut __map, &mut #field, #wire)?)
            }
            _ => quote!(self::support::next_once(&mut __map, &mut #field, #wire)?),
        };
        quote!(#wire => #read,)
    });
    let wires: Vec<&str> = def.fields.iter().map(|f| f.wire.as_str()).collect();
    // What an unnamed property does: kept in the extension map, or rejected.
    let unnamed = match extras {
        Some((e, _)) => quote! {
            let __name = __key.into_string();
            if #e.contains_key(&__name) {
                return ::std::result::Result::Err(::serde::de::Error::custom(::std::format_args!("duplicate field `{}`", __name)));
            }
            let __value = __map.next_value()?;
            #e.insert(__name, __value);
        },
        None => quote! {
            return ::std::result::Result::Err(::serde::de::Error::unknown_field(&__key.0, FIELDS));
        },
    };
    let dispatch = if def.fields.is_empty() {
        unnamed
    } else {
        quote! {
            match &*__key.0 {
                #(#arms)*
                _ => { #unnamed }
            }
        }
    };
    let extras_local =
        extras.map(|(e, ty)| quote!(let mut #e: #ty = ::std::default::Default::default();));
    let extras_init = extras.map(|(e, _)| quote!(#e,));
    let fields_const = extras
        .is_none()
        .then(|| quote!(const FIELDS: &[&str] = &[#(#wires),*];));
    let finals = def.fields.iter().map(|f| {
        let field = ident(&f.name);
        let wire = &f.wire;
        match shape(f) {
            Shape::Plain | Shape::RequiredNullable => quote! {
                let #field = self::support::required::<_, A::Error>(#field, #wire)?;
            },
            _ => quote!(),
        }
    });
    let field_names = def.fields.iter().map(|f| ident(&f.name));
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct __Visitor;
                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut __map: A) -> ::std::result::Result<Self::Value, A::Error> {
                        #fields_const
                        #(#locals)*
                        #extras_local
                        while let ::std::option::Option::Some(__key) = __map.next_key::<self::support::Text<'de>>()? {
                            #dispatch
                        }
                        #(#finals)*
                        ::std::result::Result::Ok(#name { #(#field_names,)* #extras_init })
                    }
                }
                deserializer.deserialize_map(__Visitor)
            }
        }
    }
}

/// The JSON Schema says exactly what the impls above accept: which properties are required,
/// which may be `null`, and that unknown properties are allowed (or not).
fn struct_schema(def: &StructDef) -> TokenStream {
    let properties = def.fields.iter().map(|f| {
        let wire = &f.wire;
        let ty = rust_ty(&f.ty);
        let schema_ty = if f.nullable { quote!(self::support::Nullable<#ty>) } else { ty };
        quote! {
            properties.insert(::std::string::String::from(#wire), ::serde_json::Value::from(generator.subschema_for::<#schema_ty>()));
        }
    });
    let required: Vec<&str> = def
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.wire.as_str())
        .collect();
    let additional = match &def.additional {
        Additional::Any => quote!(::serde_json::Value::Bool(true)),
        Additional::Deny => quote!(::serde_json::Value::Bool(false)),
        Additional::Typed(ty) => {
            let ty = rust_ty(ty);
            quote!(::serde_json::Value::from(generator.subschema_for::<#ty>()))
        }
    };
    let description = def
        .description
        .as_deref()
        .map(|d| quote!("description": #d,));
    let uses_generator = !def.fields.is_empty() || matches!(def.additional, Additional::Typed(_));
    let mutable = (!def.fields.is_empty()).then(|| quote!(mut));
    let unused = (!uses_generator).then(|| quote!(let _ = generator;));
    quote! {
        #unused
        let #mutable properties = ::serde_json::Map::new();
        #(#properties)*
        let additional: ::serde_json::Value = #additional;
        ::schemars::json_schema!({
            "type": "object",
            #description
            "properties": properties,
            "required": [#(#required),*],
            "additionalProperties": additional,
        })
    }
}

fn enumeration(def: &EnumDef) -> TokenStream {
    let name = ident(&def.name);
    let name_text = &def.name;
    let other = ident(&def.other);
    let mut doc_text = def.description.clone().unwrap_or_default();
    if !doc_text.is_empty() {
        doc_text.push_str("\n\n");
    }
    doc_text.push_str(&format!(
        "Schema: `{}`. Open: a value not listed here decodes as `{}` with the exact text sent, and is written back unchanged.",
        def.origin, def.other
    ));
    let doc = docs(Some(&doc_text));
    let variants = def.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let doc = format!(" `{}`", v.wire);
        quote! { #[doc = #doc] #variant, }
    });
    let wires: Vec<&str> = def.variants.iter().map(|v| v.wire.as_str()).collect();
    let to_str = def.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let wire = &v.wire;
        quote!(Self::#variant => #wire,)
    });
    let from_wire = def.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let wire = &v.wire;
        quote!(#wire => ::std::option::Option::Some(Self::#variant),)
    });
    let other_doc = " A value this version does not list, kept exactly as it was sent.";
    let description = def
        .description
        .as_deref()
        .map(|d| quote!("description": #d,));
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #[doc = #other_doc]
            #other(::std::string::String),
        }
        impl #name {
            /// Every value the schema lists, as written on the wire.
            pub const KNOWN_VALUES: &'static [&'static str] = &[#(#wires),*];

            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::#other(value) => value,
                }
            }

            /// The listed value with exactly this spelling, if any.
            pub fn known(value: &str) -> ::std::option::Option<Self> {
                match value {
                    #(#from_wire)*
                    _ => ::std::option::Option::None,
                }
            }

            /// True unless this is a value the schema does not list.
            pub fn is_known(&self) -> bool {
                !::std::matches!(self, Self::#other(_))
            }

            /// The listed value this one matches ignoring ASCII case (newer Graph docs spell
            /// values in camelCase). Decoding never does this on its own, so that every value is
            /// written back exactly as it was received.
            pub fn known_ignoring_case(&self) -> ::std::option::Option<Self> {
                let text = self.as_str();
                Self::KNOWN_VALUES.iter().find(|known| known.eq_ignore_ascii_case(text)).and_then(|known| Self::known(known))
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                Self::known(value).unwrap_or_else(|| Self::#other(::std::borrow::ToOwned::to_owned(value)))
            }
        }
        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                Self::known(&value).unwrap_or(Self::#other(value))
            }
        }
        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let text = <self::support::Text<'de> as ::serde::Deserialize<'de>>::deserialize(deserializer)?;
                ::std::result::Result::Ok(match text.0 {
                    ::std::borrow::Cow::Borrowed(value) => Self::from(value),
                    ::std::borrow::Cow::Owned(value) => Self::from(value),
                })
            }
        }
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#name_text)
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(::std::concat!(::std::module_path!(), "::", #name_text))
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    #description
                    "anyOf": [
                        { "type": "string", "enum": [#(#wires),*] },
                        { "type": "string", "description": "A value this version does not list, kept as sent." }
                    ]
                })
            }
        }
    }
}
