//! Emits the models module: per type, the facts (fields with their wire names and types,
//! which are required or nullable, the values an enum lists) and a few lines that hand them
//! to `graph-models-runtime`, where the algorithms live (the decoding loop, duplicate checks,
//! unknown properties, the JSON Schema).

use crate::model::*;
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

/// The start of the models module: the runtime, and the names users reach through this crate.
pub fn prelude() -> TokenStream {
    quote! {
        use ::graph_models_runtime as rt;
        pub use rt::{from_slice, from_str, DecodeError, Duration, Extensions, Nullable, ParseError, PropertyMap, RawJson, Timestamp};
    }
}

/// The code of one type.
pub fn type_item(def: &TypeDef) -> TokenStream {
    match def {
        TypeDef::Struct(s) => structure(s),
        TypeDef::Enum(e) => enumeration(e),
    }
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

/// A type as the models module names it. Prelude names (`String`, `Vec`, `Option`) are safe
/// unqualified: `names::RESERVED_TYPE_NAMES` keeps schema types from taking them.
pub fn rust_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(String),
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::F32 => quote!(f32),
        Ty::F64 => quote!(f64),
        Ty::Timestamp => quote!(Timestamp),
        Ty::Duration => quote!(Duration),
        Ty::Any => quote!(RawJson),
        Ty::Array(item) => {
            let item = rust_ty(item);
            quote!(Vec<#item>)
        }
        Ty::Map(value) => {
            let value = rust_ty(value);
            quote!(PropertyMap<#value>)
        }
        Ty::Option(inner) => {
            let inner = rust_ty(inner);
            quote!(Option<#inner>)
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
    if field.boxed { quote!(Box<#ty>) } else { ty }
}

fn field_ty(field: &Field) -> TokenStream {
    let ty = value_ty(field);
    match shape(field) {
        Shape::Plain => ty,
        Shape::RequiredNullable | Shape::Optional => quote!(Option<#ty>),
        Shape::Nullable => quote!(Nullable<#ty>),
    }
}

fn field_docs(field: &Field) -> TokenStream {
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
    let notes = notes.join(" ");
    // One paragraph: the description's last line and the notes share a line.
    let text = match &field.description {
        Some(description) => format!("{} {notes}", description.trim_end()),
        None => notes,
    };
    docs(Some(&text))
}

/// What a struct does with properties its schema does not name: the field that keeps them
/// (if any) and the runtime's `Extra` type.
fn extra(def: &StructDef) -> (Option<TokenStream>, TokenStream) {
    match &def.additional {
        Additional::Any => (Some(quote!(Extensions)), quote!(Extensions)),
        Additional::Typed(ty) => {
            let ty = rust_ty(ty);
            (Some(quote!(PropertyMap<#ty>)), quote!(PropertyMap<#ty>))
        }
        Additional::Deny => (None, quote!(rt::Closed)),
    }
}

fn structure(def: &StructDef) -> TokenStream {
    let name = ident(&def.name);
    let mut doc_text = def.description.clone().unwrap_or_default();
    if !doc_text.is_empty() {
        doc_text.push_str("\n\n");
    }
    doc_text.push_str(&format!("Schema: `{}`.", def.origin));
    let doc = docs(Some(&doc_text));
    let (extra_field_ty, extra_ty) = extra(def);
    let extras = extra_field_ty.as_ref().map(|_| ident(&def.extra_field()));
    let fields = def.fields.iter().map(|f| {
        let doc = field_docs(f);
        let field = ident(&f.name);
        let ty = field_ty(f);
        quote! { #doc pub #field: #ty, }
    });
    let extras_field = extras.as_ref().map(|e| {
        quote! {
            /// Properties the schema does not name (such as `@odata.type`), kept as sent.
            pub #e: #extra_field_ty,
        }
    });
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
    let constructor = constructor(def, extras.as_ref());
    let record = record(def, extras.as_ref(), &extra_ty);
    quote! {
        #doc
        #[derive(#(#derives),*)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #extras_field
        }
        #constructor
        #record
        rt::record!(#name);
    }
}

/// `new(required…)` plus a setter per optional field, so request bodies can be built without
/// naming every field (and stay source-compatible when the schema adds one).
fn constructor(def: &StructDef, extras: Option<&Ident>) -> TokenStream {
    let name = ident(&def.name);
    let required: Vec<&Field> = def.constructor_args().collect();
    let params = required.iter().map(|f| {
        let field = ident(&f.name);
        let ty = value_ty(f);
        match shape(f) {
            Shape::RequiredNullable => quote!(#field: Option<#ty>),
            _ => quote!(#field: impl Into<#ty>),
        }
    });
    let inits = def.fields.iter().map(|f| {
        let field = ident(&f.name);
        match shape(f) {
            Shape::Plain => quote!(#field: #field.into(),),
            Shape::RequiredNullable => quote!(#field,),
            Shape::Optional => quote!(#field: None,),
            Shape::Nullable => quote!(#field: Nullable::Absent,),
        }
    });
    let extras_init = extras.map(|e| quote!(#e: Default::default(),));
    let setters = def.setter_fields().map(|f| {
        let field = ident(&f.name);
        let setter = ident(&f.setter());
        let ty = value_ty(f);
        let doc = format!(" Sets `{}`.", f.wire);
        let value = match shape(f) {
            Shape::Nullable => quote!(Nullable::Value(value.into())),
            _ => quote!(Some(value.into())),
        };
        quote! {
            #[doc = #doc]
            pub fn #setter(mut self, value: impl Into<#ty>) -> Self {
                self.#field = #value;
                self
            }
        }
    });
    let new_doc = if required.is_empty() {
        " A value with every optional property absent.".to_owned()
    } else {
        let names: Vec<String> = required.iter().map(|f| format!("`{}`", f.wire)).collect();
        format!(
            " A value with the required properties ({}) and every optional one absent.",
            names.join(", ")
        )
    };
    let new = if def.derives.default {
        quote! {
            #[doc = #new_doc]
            pub fn new() -> Self {
                Self::default()
            }
        }
    } else {
        quote! {
            #[doc = #new_doc]
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* #extras_init }
            }
        }
    };
    quote! {
        impl #name {
            #new
            #(#setters)*
        }
    }
}

/// The `impl rt::Record`: the type's facts, and the moves between its fields and the slots the
/// runtime's decoding loop fills.
fn record(def: &StructDef, extras: Option<&Ident>, extra_ty: &TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let origin = &def.origin;
    let description = match &def.description {
        Some(d) => quote!(Some(#d)),
        None => quote!(None),
    };
    let infos = def.fields.iter().map(|f| {
        let wire = &f.wire;
        let ty = value_ty(f);
        let schema_ty = if f.nullable {
            quote!(Nullable<#ty>)
        } else {
            ty
        };
        let kind = if f.required {
            quote!(required)
        } else {
            quote!(optional)
        };
        quote!(rt::#kind::<#schema_ty>(#wire),)
    });
    let index = |i: usize| Literal::usize_unsuffixed(i);
    let path = slot_paths(def.fields.len());
    let moves = def.fields.iter().zip(&path).map(|(f, slot)| {
        let field = ident(&f.name);
        let wire = &f.wire;
        match shape(f) {
            Shape::Plain | Shape::RequiredNullable => {
                quote!(#field: rt::required_value::<A, _>(#slot, #wire)?,)
            }
            _ => quote!(#field: #slot,),
        }
    });
    // One slot per field, `Option` or `Nullable` (their types are inferred from the moves),
    // filled by the runtime's loop through `read`.
    let reads = path.iter().enumerate().map(|(i, slot)| {
        let i = index(i);
        quote!(#i => rt::read(map, &mut #slot),)
    });
    let (declare, call) = if def.fields.is_empty() {
        (quote!(), quote!(Self::visit(map, |_, _| Ok(true))?))
    } else {
        let shape = slot_shape(def.fields.len());
        let declare = quote! {
            let mut s: #shape = Default::default();
            let read = |i, map: &mut A| match i {
                #(#reads)*
                _ => Ok(true),
            };
        };
        (declare, quote!(Self::visit(map, read)?))
    };
    // A struct literal evaluates its fields in the order written, so the loop (which fills the
    // slots) runs before the moves out of them.
    let (visit, build) = match extras {
        Some(e) => (quote!(), quote!(Ok(Self { #e: #call, #(#moves)* }))),
        None => (quote!(#call;), quote!(Ok(Self { #(#moves)* }))),
    };
    let writes = def.fields.iter().map(|f| {
        let field = ident(&f.name);
        let wire = &f.wire;
        match shape(f) {
            Shape::Plain | Shape::RequiredNullable => {
                quote!(rt::write_always(map, #wire, &self.#field)?;)
            }
            _ => quote!(rt::write(map, #wire, &self.#field)?;),
        }
    });
    let write_extra = match extras {
        Some(e) => quote!(rt::Extra::write(&self.#e, map)),
        None => quote!(Ok(())),
    };
    quote! {
        impl rt::Record for #name {
            const INFO: &'static rt::RecordInfo = &rt::RecordInfo {
                origin: #origin,
                description: #description,
                fields: &[#(#infos)*],
            };
            type Extra = #extra_ty;
            fn decode<'de, A: rt::MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
                #declare
                #visit
                #build
            }
            fn encode<M: rt::SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
                #(#writes)*
                #write_extra
            }
        }
    }
}

/// Tuples implement `Default` up to 12 elements, so the slots of a larger struct nest: field
/// `i` of 30 lives at `s.(i / 12).(i % 12)`.
const TUPLE_MAX: usize = 12;

/// The place of each field's slot (`s.3`, or `s.1.4` when nested).
fn slot_paths(count: usize) -> Vec<TokenStream> {
    let depth = nesting_depth(count);
    (0..count)
        .map(|i| {
            let mut digits = Vec::with_capacity(depth);
            let mut rest = i;
            for _ in 0..depth {
                digits.push(Literal::usize_unsuffixed(rest % TUPLE_MAX));
                rest /= TUPLE_MAX;
            }
            digits.reverse();
            quote!(s #(.#digits)*)
        })
        .collect()
}

/// How many tuple levels `count` slots need.
fn nesting_depth(count: usize) -> usize {
    let mut depth = 1;
    let mut capacity = TUPLE_MAX;
    while capacity < count {
        depth += 1;
        capacity *= TUPLE_MAX;
    }
    depth
}

/// The slots' type with every element inferred: `(_, _, _)`, or nested tuples of at most
/// twelve.
fn slot_shape(count: usize) -> TokenStream {
    fn level(count: usize, depth: usize) -> TokenStream {
        if depth == 1 {
            let holes = (0..count).map(|_| quote!(_));
            // A one-element tuple needs its trailing comma.
            return quote!((#(#holes,)*));
        }
        let per_child = TUPLE_MAX.pow(depth as u32 - 1);
        let children = (0..count.div_ceil(per_child)).map(|c| {
            let n = (count - c * per_child).min(per_child);
            level(n, depth - 1)
        });
        quote!((#(#children,)*))
    }
    level(count, nesting_depth(count))
}

fn enumeration(def: &EnumDef) -> TokenStream {
    let name = ident(&def.name);
    let origin = &def.origin;
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
    let to_wire = def.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let wire = &v.wire;
        quote!(Self::#variant => #wire,)
    });
    let from_wire = def.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let wire = &v.wire;
        quote!(#wire => Some(Self::#variant),)
    });
    let description = match &def.description {
        Some(d) => quote!(Some(#d)),
        None => quote!(None),
    };
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version does not list, kept exactly as it was sent.
            #other(String),
        }
        impl rt::OpenEnum for #name {
            const INFO: &'static rt::EnumInfo = &rt::EnumInfo {
                origin: #origin,
                description: #description,
                values: &[#(#wires),*],
            };
            fn wire(&self) -> &str {
                match self {
                    #(#to_wire)*
                    Self::#other(value) => value,
                }
            }
            fn listed(value: &str) -> Option<Self> {
                match value {
                    #(#from_wire)*
                    _ => None,
                }
            }
        }
        rt::open_enum!(#name, #other);
    }
}
