//! Emits a form type per `multipart/form-data` body ([`FormDef`]): a struct of its parts (a
//! file property is a `FilePart`, a list of them a `Vec<FilePart>`, an optional property an
//! `Option`) and its `MultipartForm` impl, one line per property in each direction, handing
//! the part's name and the document's `encoding.contentType` to the runtime.

use super::{docs, ident, type_tokens};
use crate::model::{FileShape, FormDef, Model, TypeDef};
use quote::quote;

/// The code of one form, formatted.
pub fn form_item(model: &Model, form: &FormDef) -> Result<String, syn::Error> {
    let name = ident(&form.name);
    let summary = format!(
        "The parts of a `multipart/form-data` body of schema `{}`, one field per property: a file is a [`FilePart`] (bytes, or a stream read as the request is sent, with a file name and content type), a string, number or boolean a text part, an object an `application/json` part, an array one part per item.",
        form.origin
    );
    let text = match &form.description {
        Some(description) => format!("{description}\n\n{summary}"),
        None => summary,
    };
    let doc = docs(Some(&text));
    let origin = match model.types.get(&form.origin) {
        Some(TypeDef::Struct(s)) => Some(&s.derives),
        _ => None,
    };
    let mut derives = vec![quote!(Clone), quote!(Debug)];
    if origin.is_some_and(|d| d.default) {
        derives.push(quote!(Default));
    }
    derives.push(quote!(PartialEq));
    if origin.is_some_and(|d| d.eq) {
        derives.push(quote!(Eq));
    }
    let mut fields = Vec::new();
    let mut writes = Vec::new();
    let mut reads = Vec::new();
    for f in &form.fields {
        let field = ident(&f.name);
        let wire = &f.wire;
        let inner = match f.file {
            Some(FileShape::One) => "FilePart".to_owned(),
            Some(FileShape::Many) => "Vec<FilePart>".to_owned(),
            None => super::impls::ty_text(&f.ty),
        };
        let ty = if f.required {
            inner
        } else {
            format!("Option<{inner}>")
        };
        let ty = type_tokens(&ty)?;
        let doc = docs(f.description.as_deref());
        fields.push(quote! { #doc pub #field: #ty, });
        let content_type = match &f.content_type {
            Some(t) => quote!(::std::option::Option::Some(#t)),
            None => quote!(::std::option::Option::None),
        };
        writes.push(match f.file {
            Some(_) => quote!(parts.files(#wire, &self.#field, #content_type);),
            None => quote!(parts.value(#wire, &self.#field, #content_type)?;),
        });
        reads.push(match f.file {
            Some(_) => quote!(#field: parts.take_files(#wire)?,),
            None => quote!(#field: parts.take_value(#wire)?,),
        });
    }
    crate::write::format_item(quote! {
        #doc
        #[derive(#(#derives),*)]
        pub struct #name {
            #(#fields)*
        }

        impl rt::MultipartForm for #name {
            fn write_parts(&self, parts: &mut rt::FormParts) -> ::std::result::Result<(), FormError> {
                #(#writes)*
                ::std::result::Result::Ok(())
            }

            fn read_parts(parts: &mut rt::FormParts) -> ::std::result::Result<Self, FormError> {
                ::std::result::Result::Ok(#name {
                    #(#reads)*
                })
            }
        }
    })
}
