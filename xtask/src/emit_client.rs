//! Prints the client model: the crate's `Client` (the runtime's `client!`), a navigation type
//! per node, and per operation a request builder that states its facts (fields, setters, path
//! steps, query, body, output type, idempotence, and for a paged answer which page fields hold
//! the next link and the items) and takes its fixed methods from the runtime's
//! `request_builder!` (and `pageable!`). Every name was settled by [`crate::client_model`];
//! nothing is decided here.

use crate::client_model::{
    Builder, Child, ClientModel, Node, Output, Param, ParamTy, RequestBody, Step,
};
use crate::model::{ArrayStyle, AuthKind, Flavour, ParamLocation, Ty};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

pub use crate::client_model::ClientContext;
use crate::tags::{ClientGates, cfg};

mod operation;

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

use crate::docs::{attrs as docs, generated_attrs};

/// One top-level item of the client module, printed (and formatted) on its own.
pub enum Item<'a> {
    /// A navigation node's type (or the client) and its methods.
    Node(&'a Node),
    /// An operation's request builder.
    Builder(&'a Builder),
}

/// The start of the client module: the runtime's user-facing surface re-exported by name
/// ([`crate::runtime_api::CLIENT_API`], and for a Graph document Graph's layer,
/// [`crate::runtime_api::CLIENT_GRAPH_API`]), each name under the cargo feature the runtime
/// gives it, which a generated client crate forwards under the same name.
pub fn prelude(flavour: Flavour) -> TokenStream {
    let graph: &[(&str, Option<&str>)] = match flavour {
        Flavour::Graph => crate::runtime_api::CLIENT_GRAPH_API,
        Flavour::Plain => &[],
    };
    let api: Vec<(&str, Option<&str>)> = crate::runtime_api::CLIENT_API
        .iter()
        .chain(graph)
        .copied()
        .collect();
    let mut features: Vec<Option<&str>> = Vec::new();
    for (_, feature) in &api {
        if !features.contains(feature) {
            features.push(*feature);
        }
    }
    let groups = features.into_iter().map(|feature| {
        let names = api
            .iter()
            .filter(|(_, f)| *f == feature)
            .map(|(name, _)| ident(name));
        let cfg = feature.map(|f| quote!(#[cfg(feature = #f)]));
        quote!(#cfg pub use ::openapi_client_runtime::{#(#names),*};)
    });
    quote!(#(#groups)*)
}

/// The client module's items after the prelude, in output order.
pub fn items(client: &ClientModel) -> Vec<Item<'_>> {
    let mut items: Vec<Item<'_>> = Vec::new();
    items.extend(client.nodes.iter().map(Item::Node));
    for node in &client.nodes {
        for &i in &node.operations {
            items.push(Item::Builder(&client.builders[i]));
        }
    }
    items
}

/// The tokens of one item. Token streams cannot cross threads, so each item is printed where
/// it is formatted (see `write::format_in_parallel`).
/// With `gates`, each builder and navigation type (and the methods that lead to them) is
/// under its cargo features' `cfg` ([`crate::tags`]).
pub fn item(
    client: &ClientModel,
    context: &ClientContext,
    gates: Option<&ClientGates>,
    item: &Item,
) -> TokenStream {
    let printer = Printer {
        client,
        types: crate::emit_types::Types::new(context.models_path),
        gates,
    };
    match item {
        Item::Node(node) => printer.node(node),
        Item::Builder(builder) => printer.builder(builder),
    }
}

struct Printer<'a> {
    client: &'a ClientModel,
    types: crate::emit_types::Types,
    gates: Option<&'a ClientGates>,
}

impl Printer<'_> {
    /// The `cfg` of a navigation node's type, by index.
    fn node_cfg(&self, i: usize) -> Option<TokenStream> {
        cfg(self.gates?.nodes.get(i)?)
    }

    /// The `cfg` of a builder, found by its type name.
    fn builder_cfg(&self, builder: &Builder) -> Option<TokenStream> {
        let gates = self.gates?;
        let i = self
            .client
            .builders
            .iter()
            .position(|b| b.type_name == builder.type_name)?;
        cfg(gates.builders.get(i)?)
    }

    /// A node's type (or the client) and its methods.
    fn node(&self, node: &Node) -> TokenStream {
        let children = node.children.iter().map(|c| self.child(node, c));
        let starts = node
            .operations
            .iter()
            .map(|&i| self.start(node, &self.client.builders[i]));
        let methods = quote!(#(#children)* #(#starts)*);
        let Some(name) = &node.type_name else {
            let doc = docs(&self.client.doc);
            let base_url = match &self.client.base_url {
                Some(url) => {
                    let url = Literal::string(url);
                    quote!(#url)
                }
                None => quote!(None),
            };
            return quote! {
                #doc
                #[derive(Clone)]
                pub struct Client(::openapi_client_runtime::Client);
                ::openapi_client_runtime::__private::client!(Client, base_url = #base_url);
                impl Client {
                    #methods
                }
            };
        };
        let name = ident(name);
        let gate = self
            .client
            .nodes
            .iter()
            .position(|n| std::ptr::eq(n, node))
            .and_then(|i| self.node_cfg(i));
        let doc = format!(" Requests under `{}`.", node.path);
        let fields = node.fields.iter().map(|f| {
            let f = ident(f);
            quote!(#f: ::std::string::String,)
        });
        quote! {
            #gate
            #[doc = #doc]
            #[derive(Debug, Clone)]
            pub struct #name {
                client: ::openapi_client_runtime::Client,
                #(#fields)*
            }
            #gate
            impl #name {
                #methods
            }
        }
    }

    /// The runtime client held by `node`.
    fn client_of(node: &Node) -> TokenStream {
        match node.type_name {
            None => quote!(::std::clone::Clone::clone(&self.0)),
            Some(_) => quote!(::std::clone::Clone::clone(&self.client)),
        }
    }

    fn carried<'f>(fields: impl Iterator<Item = &'f str>) -> TokenStream {
        let fields = fields.map(ident);
        quote!(#(#fields: ::std::clone::Clone::clone(&self.#fields),)*)
    }

    /// A navigation method.
    fn child(&self, node: &Node, child: &Child) -> TokenStream {
        let target = &self.client.nodes[child.node];
        let ty = ident(target.type_name.as_deref().unwrap_or_default());
        let method = ident(&child.method);
        let client = Self::client_of(node);
        let carried = Self::carried(node.fields.iter().map(String::as_str));
        let doc = docs(&child.doc);
        let gate = self.node_cfg(child.node);
        let doc = quote!(#gate #doc);
        match &child.parameter {
            Some(p) => {
                let field = ident(&p.field);
                let allow = allow_names([p.field.as_str()]);
                quote! {
                    #doc
                    #allow
                    pub fn #method(&self, #field: impl ::std::convert::Into<::std::string::String>) -> #ty {
                        #ty { client: #client, #carried #field: ::std::convert::Into::into(#field) }
                    }
                }
            }
            None => quote! {
                #doc
                pub fn #method(&self) -> #ty {
                    #ty { client: #client, #carried }
                }
            },
        }
    }

    /// The method on a node that starts an operation's builder.
    fn start(&self, node: &Node, builder: &Builder) -> TokenStream {
        let gate = self.builder_cfg(builder);
        let doc = docs(&builder.doc);
        let doc = quote!(#gate #doc);
        let example = generated_attrs(&builder.example);
        let method = ident(&builder.method);
        let name = ident(&builder.type_name);
        let client = Self::client_of(node);
        let carried = Self::carried(builder.path_fields());
        let required: Vec<&Param> = builder.params.iter().filter(|p| p.required).collect();
        let param_args = required.iter().map(|p| {
            let f = ident(&p.field);
            match &p.ty {
                ParamTy::List { item, .. } => {
                    let item = self.types.param_ty(item);
                    quote!(#f: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>,)
                }
                _ => {
                    let ty = self.types.param_ty(&p.ty);
                    quote!(#f: impl ::std::convert::Into<#ty>,)
                }
            }
        });
        let param_values = builder.params.iter().map(|p| {
            let f = ident(&p.field);
            match (p.required, &p.ty) {
                (false, _) => quote!(#f: ::std::option::Option::None,),
                (true, ParamTy::List { .. }) => {
                    quote!(#f: #f.into_iter().map(::std::convert::Into::into).collect(),)
                }
                (true, _) => quote!(#f: ::std::convert::Into::into(#f),),
            }
        });
        let (args, body) = match &builder.body {
            Some(RequestBody::Model {
                type_name,
                named_arg: Some(arg),
                ..
            }) => {
                let (ty, required) = (self.types.model(type_name), self.types.required(type_name));
                let arg = ident(arg);
                (quote!(#arg: #required), quote!(body: #ty::new(#arg),))
            }
            Some(RequestBody::Model {
                type_name, args, ..
            }) => {
                let ty = self.types.model(type_name);
                let values = args.iter().map(|a| {
                    let name = ident(&a.name);
                    match &a.ty {
                        _ if a.nullable => quote!(#name),
                        Ty::Array(_) => quote!(#name.into_iter().map(::std::convert::Into::into).collect::<::std::vec::Vec<_>>()),
                        _ => quote!(#name),
                    }
                });
                let args = args.iter().map(|a| {
                    let name = ident(&a.name);
                    match &a.ty {
                        ty if a.nullable => {
                            let ty = self.types.boxed(ty, a.boxed);
                            quote!(#name: ::std::option::Option<#ty>)
                        }
                        Ty::Array(item) => {
                            let item = self.types.ty(item);
                            quote!(#name: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>)
                        }
                        ty => {
                            let ty = self.types.boxed(ty, a.boxed);
                            quote!(#name: impl ::std::convert::Into<#ty>)
                        }
                    }
                });
                (quote!(#(#args),*), quote!(body: #ty::new(#(#values),*),))
            }
            Some(RequestBody::Json { .. }) => (
                quote!(),
                quote!(body: ::openapi_client_runtime::__private::serde_json::Value::Object(::std::default::Default::default()),),
            ),
            Some(
                body @ (RequestBody::Text { .. }
                | RequestBody::Bytes { .. }
                | RequestBody::Multipart { .. }
                | RequestBody::Form { .. }),
            ) => {
                let ty = self.body_ty(body);
                (
                    quote!(body: impl ::std::convert::Into<#ty>),
                    quote!(body: ::std::convert::Into::into(body),),
                )
            }
            None => (quote!(), quote!()),
        };
        // The required parameters and body properties are the method's arguments, however many.
        let many = (1 + required.len() + builder_arg_count(builder) > 7)
            .then(|| quote!(#[allow(clippy::too_many_arguments)]));
        let allow = allow_names(required.iter().map(|p| p.field.as_str()));
        quote! {
            #doc
            #[doc = ""]
            #example
            #many
            #allow
            pub fn #method(&self, #(#param_args)* #args) -> #name {
                #name {
                    base: ::openapi_client_runtime::__private::RequestBase::new(#client),
                    #carried
                    #(#param_values)*
                    #body
                }
            }
        }
    }

    /// A request builder: its struct, its methods, and its `Operation` impl.
    fn builder(&self, builder: &Builder) -> TokenStream {
        let name = ident(&builder.type_name);
        let doc = docs(&builder.builder_doc);
        let path_fields = builder.path_fields().map(ident);
        let param_fields = builder.params.iter().map(|p| {
            let f = ident(&p.field);
            let ty = self.types.param_ty(&p.ty);
            match p.required {
                true => quote!(#f: #ty,),
                false => quote!(#f: ::std::option::Option<#ty>,),
            }
        });
        let body_ty = builder.body.as_ref().map(|b| self.body_ty(b));
        let body_field = body_ty.as_ref().map(|ty| quote!(body: #ty,));
        let methods = self.builder_methods(builder, body_ty.as_ref());
        let operation = self.operation(builder);
        let paging = self.paging(builder);
        let gate = self.builder_cfg(builder);
        let methods = (!methods.is_empty()).then(|| quote!(#gate #methods));
        let paging = paging.map(|paging| quote!(#gate #paging));
        quote! {
            #gate
            #doc
            #[derive(Debug, Clone)]
            #[must_use = "a request does nothing until it is sent"]
            pub struct #name {
                base: ::openapi_client_runtime::__private::RequestBase,
                #(#path_fields: ::std::string::String,)*
                #(#param_fields)*
                #body_field
            }
            #gate
            ::openapi_client_runtime::__private::request_builder!(#name);
            #paging
            #methods
            #gate
            #operation
        }
    }

    /// A pageable builder's facts for the runtime's `pageable!`: the item type and the page's
    /// fields that hold the next link and the items (with their wire names, escaped, for the
    /// docs).
    fn paging(&self, builder: &Builder) -> Option<TokenStream> {
        let paging = builder.paging.as_ref()?;
        let name = ident(&builder.type_name);
        let item = self.types.ty(&paging.item);
        // The wire names reach the methods' docs: on one line, so none can open a code fence.
        let shown = |wire: &str| crate::docs::one_line(wire);
        let (link, link_wire) = (ident(&paging.next_link.name), shown(&paging.next_link.wire));
        let (items, items_wire) = (ident(&paging.items.name), shown(&paging.items.wire));
        Some(quote! {
            ::openapi_client_runtime::__private::pageable!(#name, item = #item, next_link = #link as #link_wire, items = #items as #items_wire);
        })
    }

    /// The builder's own methods: limits, query setters, body setters, `body`.
    fn builder_methods(&self, builder: &Builder, body_ty: Option<&TokenStream>) -> TokenStream {
        let name = ident(&builder.type_name);
        let limits = builder.limits.iter().map(|l| {
            let doc = docs(&l.doc);
            let const_name = ident(&l.name);
            let max = Literal::u64_unsuffixed(l.max);
            quote! {
                #doc
                pub const #const_name: usize = #max;
            }
        });
        let params = builder
            .params
            .iter()
            .filter(|p| !p.required)
            .map(|p| self.param_setter(p));
        let setters = match &builder.body {
            Some(RequestBody::Model { setters, .. }) => setters.as_slice(),
            _ => &[],
        };
        let setters = setters.iter().map(|s| {
            let doc = docs(&s.doc);
            let method = ident(&s.method);
            let model_setter = ident(&s.model_setter);
            let ty = self.types.boxed(&s.ty, s.boxed);
            quote! {
                #doc
                pub fn #method(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                    self.body = self.body.#model_setter(value);
                    self
                }
            }
        });
        let replace = body_ty.map(|ty| {
            quote! {
                /// Replaces the whole request body.
                pub fn body(mut self, body: #ty) -> Self {
                    self.body = body;
                    self
                }
            }
        });
        let bodies = builder.body_alternatives.iter().map(|a| {
            let (doc, method, media) = (docs(&a.doc), ident(&a.method), &a.media);
            quote! {
                #doc
                pub fn #method(mut self, body: impl ::std::convert::Into<::std::vec::Vec<u8>>) -> Self {
                    self.base.set_body(#media, ::std::convert::Into::into(body));
                    self
                }
            }
        });
        let accepts = builder.accept_alternatives.iter().map(|a| {
            let (doc, method, media) = (docs(&a.doc), ident(&a.method), &a.media);
            quote! {
                #doc
                pub fn #method(self) -> ::openapi_client_runtime::AcceptAs<Self> {
                    ::openapi_client_runtime::AcceptAs::new(self, #media)
                }
            }
        });
        let methods =
            quote!(#(#limits)* #(#params)* #(#setters)* #replace #(#bodies)* #(#accepts)*);
        if methods.is_empty() {
            return methods;
        }
        quote! {
            impl #name {
                #methods
            }
        }
    }

    /// A request body's type on the client.
    fn body_ty(&self, body: &RequestBody) -> TokenStream {
        match body {
            RequestBody::Model { type_name, .. } => self.types.model(type_name),
            RequestBody::Json { .. } => {
                quote!(::openapi_client_runtime::__private::serde_json::Value)
            }
            RequestBody::Text { ty, .. } => self.types.ty(ty),
            RequestBody::Bytes { .. } => quote!(::std::vec::Vec<u8>),
            RequestBody::Multipart { .. } => quote!(::openapi_client_runtime::MultipartBody),
            RequestBody::Form { type_name, .. } => self.types.model(type_name),
        }
    }

    /// The setter of an optional parameter.
    fn param_setter(&self, p: &Param) -> TokenStream {
        let doc = docs(&p.doc);
        let f = ident(&p.field);
        match &p.ty {
            ParamTy::List { item, .. } => {
                let item = self.types.param_ty(item);
                quote! {
                #doc
                pub fn #f<I: ::std::convert::Into<#item>>(mut self, values: impl ::std::iter::IntoIterator<Item = I>) -> Self {
                    self.#f = ::std::option::Option::Some(values.into_iter().map(::std::convert::Into::into).collect());
                    self
                }
                }
            }
            ty => {
                let ty = self.types.param_ty(ty);
                quote! {
                    #doc
                    pub fn #f(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                        self.#f = ::std::option::Option::Some(value.into());
                        self
                    }
                }
            }
        }
    }
}

/// `#[allow(clippy::disallowed_names)]` for a method whose arguments, named after the
/// document's parameters, include a name clippy refuses (`foo`, `baz`, `quux`: real documents
/// use them).
fn allow_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<TokenStream> {
    names
        .into_iter()
        .any(|name| matches!(name, "foo" | "baz" | "quux"))
        .then(|| quote!(#[allow(clippy::disallowed_names)]))
}

/// How many body properties the starting method takes as arguments.
fn builder_arg_count(builder: &Builder) -> usize {
    match &builder.body {
        Some(RequestBody::Model {
            named_arg: Some(_), ..
        }) => 1,
        Some(RequestBody::Model { args, .. }) => args.len(),
        Some(
            RequestBody::Text { .. }
            | RequestBody::Bytes { .. }
            | RequestBody::Multipart { .. }
            | RequestBody::Form { .. },
        ) => 1,
        _ => 0,
    }
}
