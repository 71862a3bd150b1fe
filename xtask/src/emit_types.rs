//! How generated code names types: the models' types through the models crate's path, std's
//! fully qualified, and the runtime's by path. Shared by the client's and the server's
//! printers, so both sides spell a type the same way.

use crate::client_model::ParamTy;
use crate::model::Ty;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The types of one generated crate: the models named through `models` (a crate,
/// `::graph_presence_models`, or a module).
pub struct Types {
    models: syn::Path,
}

impl Types {
    pub fn new(models_path: &str) -> Self {
        Types {
            models: syn::parse_str(models_path).unwrap_or_else(|_| syn::parse_quote!(models)),
        }
    }

    pub fn model(&self, name: &str) -> TokenStream {
        let models = &self.models;
        let name = ident(name);
        quote!(#models::#name)
    }

    /// The struct of a model's required properties (its `new` takes them by name).
    pub fn required(&self, name: &str) -> TokenStream {
        let models = &self.models;
        let name = ident(name);
        quote!(#models::required::#name)
    }

    /// A type from the models, as generated code names it.
    pub fn ty(&self, ty: &Ty) -> TokenStream {
        match ty {
            Ty::String => quote!(::std::string::String),
            Ty::Bool => quote!(bool),
            Ty::I8 | Ty::I16 | Ty::I32 | Ty::I64 | Ty::U8 | Ty::U16 | Ty::U32 | Ty::U64 => {
                let name = ident(ty.integer().unwrap_or_default());
                quote!(#name)
            }
            Ty::F64 => quote!(f64),
            Ty::Any => self.model("RawJson"),
            Ty::Named(name) => self.model(name),
            Ty::Timestamp => self.model("Timestamp"),
            Ty::Duration => self.model("IsoDuration"),
            Ty::Array(item) => {
                let item = self.ty(item);
                quote!(::std::vec::Vec<#item>)
            }
            Ty::Map(value) => {
                let map = self.model("PropertyMap");
                let value = self.ty(value);
                quote!(#map<#value>)
            }
            Ty::Option(inner) => {
                let inner = self.ty(inner);
                quote!(::std::option::Option<#inner>)
            }
            Ty::Flags(member) => {
                let flags = self.model("Flags");
                let member = self.ty(member);
                quote!(#flags<#member>)
            }
        }
    }

    /// A body field's value type as its models setter takes it (boxed when recursive).
    pub fn boxed(&self, ty: &Ty, boxed: bool) -> TokenStream {
        let ty = self.ty(ty);
        if boxed {
            quote!(::std::boxed::Box<#ty>)
        } else {
            ty
        }
    }

    /// The Rust type of a parameter's value.
    pub fn param_ty(&self, ty: &ParamTy) -> TokenStream {
        match ty {
            ParamTy::List { item, .. } => {
                let item = self.param_ty(item);
                quote!(::std::vec::Vec<#item>)
            }
            ParamTy::Bool => quote!(bool),
            ParamTy::I32 => quote!(i32),
            ParamTy::I64 => quote!(i64),
            ParamTy::Integer(name) => {
                let name = ident(name);
                quote!(#name)
            }
            ParamTy::F64 => quote!(f64),
            ParamTy::Enum(name) => self.model(name),
            ParamTy::String => quote!(::std::string::String),
        }
    }
}
