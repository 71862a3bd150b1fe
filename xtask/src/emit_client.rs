//! Emits the request builders: a navigation builder per URL prefix (`client.users().by_id(id)
//! .presence()`), and per operation a request builder with its required inputs as arguments,
//! optional ones as named setters, and an `Operation` impl that calls the hand-written runtime.

use crate::emit_models::docs;
use crate::model::*;
use crate::names::{Case, Scope, ident as name_of};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::collections::{BTreeMap, BTreeSet};

/// What the client code needs to know about its surroundings.
pub struct ClientContext<'a> {
    /// The models crate as a path (`graph_presence_models`).
    pub models_crate: &'a str,
    /// The client crate's own name, for doc examples (`graph_presence_client`).
    pub client_crate: &'a str,
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    Literal(String),
    Parameter(String),
}

fn segments(path: &str) -> Vec<Segment> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Parameter(name.to_owned()),
                None => Segment::Literal(s.to_owned()),
            },
        )
        .collect()
}

/// Where an operation hangs in the navigation tree, and under which method name.
struct Placement {
    node: Vec<Segment>,
    method: String,
}

/// GET, PATCH, PUT and DELETE hang on their own path; a POST to a path that nothing else
/// extends is an action, named after its last segment, on the parent path.
fn placement(op: &Operation, extended: &BTreeSet<String>) -> Placement {
    let path = segments(&op.path);
    let extended = extended.contains(op.path.as_str());
    match (op.method.as_str(), path.last()) {
        ("POST", Some(Segment::Literal(last))) if !extended => Placement {
            node: path[..path.len() - 1].to_vec(),
            method: name_of(last, Case::Snake),
        },
        (method, _) => Placement {
            node: path,
            method: method.to_lowercase(),
        },
    }
}

/// The type name a node would like (`UsersItemPresenceRequestBuilder`); [`client`] settles
/// collisions.
fn wanted_node_type_name(node: &[Segment]) -> String {
    let mut name: String = node
        .iter()
        .map(|s| match s {
            Segment::Literal(l) => name_of(l, Case::Pascal),
            Segment::Parameter(_) => "Item".to_owned(),
        })
        .collect();
    name.push_str("RequestBuilder");
    name
}

/// The parameters collected along a node's path: (wire name, field name).
fn node_parameters(node: &[Segment]) -> Vec<(String, String)> {
    let mut scope = Scope::with_taken(["client"]);
    node.iter()
        .filter_map(|s| match s {
            Segment::Parameter(p) => Some((p.clone(), scope.unique(p, Case::Snake))),
            Segment::Literal(_) => None,
        })
        .collect()
}

/// The client module, as one token stream per item (each formatted on its own).
pub fn client(model: &Model, context: &ClientContext) -> Vec<TokenStream> {
    // Paths that another operation's path extends (so a POST there is not an action).
    let extended: BTreeSet<String> = model
        .operations
        .iter()
        .flat_map(|o| {
            let segments: Vec<&str> = o.path.split('/').collect();
            (1..segments.len()).map(move |n| segments[..n].join("/"))
        })
        .collect();
    let models = syn::parse_str::<syn::Path>(context.models_crate)
        .unwrap_or_else(|_| syn::parse_quote!(models));
    let placements: Vec<Placement> = model
        .operations
        .iter()
        .map(|op| placement(op, &extended))
        .collect();

    // Every prefix of every placement is a navigation node (the empty one is the client).
    let mut nodes: BTreeMap<Vec<Segment>, Vec<usize>> = BTreeMap::new();
    for (i, p) in placements.iter().enumerate() {
        for len in 0..p.node.len() {
            nodes.entry(p.node[..len].to_vec()).or_default();
        }
        nodes.entry(p.node.clone()).or_default().push(i);
    }

    let mut parameter_children: BTreeMap<&[Segment], usize> = BTreeMap::new();
    for node in nodes
        .keys()
        .filter(|n| matches!(n.last(), Some(Segment::Parameter(_))))
    {
        *parameter_children
            .entry(&node[..node.len() - 1])
            .or_default() += 1;
    }
    // Method names, settled per node: navigation first, then operations.
    let mut scopes: BTreeMap<Vec<Segment>, Scope> = BTreeMap::new();
    let mut navigation: BTreeMap<Vec<Segment>, String> = BTreeMap::new();
    for child in nodes.keys().filter(|k| !k.is_empty()) {
        let parent = &child[..child.len() - 1];
        let parameter_children = parameter_children.get(parent).copied().unwrap_or_default();
        let raw = match child.last() {
            Some(Segment::Literal(l)) => l.clone(),
            Some(Segment::Parameter(p)) if parameter_children > 1 => format!("by_{p}"),
            _ => "by_id".to_owned(),
        };
        let name = scopes
            .entry(parent.to_vec())
            .or_default()
            .unique(&raw, Case::Snake);
        navigation.insert(child.clone(), name);
    }
    // Type names, unique in the module: navigation builders, then request builders.
    let mut type_scope = Scope::default();
    let node_names: BTreeMap<Vec<Segment>, String> = nodes
        .keys()
        .filter(|n| !n.is_empty())
        .map(|n| {
            (
                n.clone(),
                type_scope.unique(&wanted_node_type_name(n), Case::Pascal),
            )
        })
        .collect();
    let node_type_name = |node: &[Segment]| node_names.get(node).cloned().unwrap_or_default();
    let builder_names: Vec<String> = model
        .operations
        .iter()
        .map(|op| {
            type_scope.unique(
                &format!("{}Request", name_of(&op.operation_id, Case::Pascal)),
                Case::Pascal,
            )
        })
        .collect();
    let mut operation_names = BTreeMap::new();
    for (node, ops) in &nodes {
        for &i in ops {
            let name = scopes
                .entry(node.clone())
                .or_default()
                .unique(&placements[i].method, Case::Snake);
            operation_names.insert(i, name);
        }
    }

    let mut methods: BTreeMap<Vec<Segment>, Vec<TokenStream>> = BTreeMap::new();
    let mut builders = Vec::new();
    for (child, name) in &navigation {
        let parent = child[..child.len() - 1].to_vec();
        let child_type = ident(&node_type_name(child));
        let method = ident(name);
        let carried = node_parameters(&parent).into_iter().map(|(_, f)| {
            let f = ident(&f);
            quote!(#f: self.#f.clone(),)
        });
        let client = if parent.is_empty() {
            quote!(self.clone())
        } else {
            quote!(self.client.clone())
        };
        let tokens = match child.last() {
            Some(Segment::Parameter(p)) => {
                let field = ident(
                    &node_parameters(child)
                        .last()
                        .map(|(_, f)| f.clone())
                        .unwrap_or_default(),
                );
                let doc = format!(
                    " `/{{{p}}}`: the item with this id (percent-encoded as exactly one path segment)."
                );
                quote! {
                    #[doc = #doc]
                    pub fn #method(&self, #field: impl ::std::convert::Into<::std::string::String>) -> #child_type {
                        #child_type { client: #client, #(#carried)* #field: #field.into() }
                    }
                }
            }
            _ => {
                let doc = format!(" `{}`", path_text(child));
                quote! {
                    #[doc = #doc]
                    pub fn #method(&self) -> #child_type {
                        #child_type { client: #client, #(#carried)* }
                    }
                }
            }
        };
        methods.entry(parent).or_default().push(tokens);
    }
    for (node, ops) in &nodes {
        for &i in ops {
            let names = OperationNames {
                method: &operation_names[&i],
                builder: &builder_names[i],
                node_type: &node_type_name(node),
            };
            let (start, builder) = operation(
                model,
                &model.operations[i],
                &names,
                node,
                &navigation,
                &models,
                context,
            );
            methods.entry(node.clone()).or_default().push(start);
            builders.push(builder);
        }
    }

    let structs = nodes.keys().map(|node| {
        let node_methods = methods.get(node).map(Vec::as_slice).unwrap_or_default();
        if node.is_empty() {
            return quote! {
                impl crate::Client {
                    #(#node_methods)*
                }
            };
        }
        let name = ident(&node_type_name(node));
        let doc = format!(" Requests under `{}`.", path_text(node));
        let fields = node_parameters(node).into_iter().map(|(_, f)| {
            let f = ident(&f);
            quote!(#f: ::std::string::String,)
        });
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone)]
            pub struct #name {
                client: crate::Client,
                #(#fields)*
            }
            impl #name {
                #(#node_methods)*
            }
        }
    });
    structs.chain(builders).collect()
}

fn path_text(node: &[Segment]) -> String {
    node.iter()
        .map(|s| match s {
            Segment::Literal(l) => format!("/{l}"),
            Segment::Parameter(p) => format!("/{{{p}}}"),
        })
        .collect()
}

/// The method that starts an operation (on its navigation node) and the operation's request
/// builder.
/// The names an operation's code uses, settled by [`client`].
struct OperationNames<'a> {
    /// The starting method on its node.
    method: &'a str,
    /// The request builder's type.
    builder: &'a str,
    /// The node's type (empty for the client itself).
    node_type: &'a str,
}

fn operation(
    model: &Model,
    op: &Operation,
    names: &OperationNames,
    node: &[Segment],
    navigation: &BTreeMap<Vec<Segment>, String>,
    models: &syn::Path,
    context: &ClientContext,
) -> (TokenStream, TokenStream) {
    let method = names.method;
    let builder = ident(names.builder);
    let method_ident = ident(method);
    let body_struct = match op.request_body.as_ref().map(|b| &b.ty) {
        Some(Ty::Named(name)) => match model.types.get(name) {
            Some(TypeDef::Struct(s)) => Some(s),
            _ => None,
        },
        _ => None,
    };
    let required_fields: Vec<&Field> = body_struct
        .map(|s| s.fields.iter().filter(|f| f.required).collect())
        .unwrap_or_default();

    // Names on the builder: fixed methods first, then query options, then body setters.
    let mut scope = Scope::with_taken([
        "client",
        "body",
        "client_request_id",
        "send",
        "send_with_response",
        "to_request",
        "parse_response",
        "new",
    ]);
    let params = node_parameters(&segments(&op.path));
    for (_, f) in &params {
        scope.take(f);
    }
    let queries: Vec<(&Param, String)> = op
        .query_params
        .iter()
        .map(|q| (q, scope.unique(q.wire.trim_start_matches('$'), Case::Snake)))
        .collect();
    let body_setters: Vec<(&Field, String)> = body_struct
        .map(|s| {
            s.fields
                .iter()
                .filter(|f| !f.required)
                .map(|f| (f, scope.unique(&f.name, Case::Snake)))
                .collect()
        })
        .unwrap_or_default();

    // Fields and the starting method's arguments.
    let param_fields = params.iter().map(|(_, f)| {
        let f = ident(f);
        quote!(#f: ::std::string::String,)
    });
    let query_fields = queries.iter().map(|(q, f)| {
        let f = ident(f);
        let ty = query_ty(&q.ty);
        quote!(#f: ::std::option::Option<#ty>,)
    });
    let (body_field, body_init, body_ty) = match (&op.request_body, body_struct) {
        (Some(_), Some(s)) => {
            let ty = models_ty(models, &s.name);
            let args = required_fields.iter().map(|f| {
                let name = ident(&f.name);
                match &f.ty {
                    Ty::Array(_) => quote!(#name.into_iter().map(::std::convert::Into::into).collect::<::std::vec::Vec<_>>()),
                    _ => quote!(#name),
                }
            });
            (
                Some(quote!(body: #ty,)),
                Some(quote!(body: #ty::new(#(#args),*),)),
                Some(ty),
            )
        }
        (Some(_), None) => (
            Some(quote!(body: ::serde_json::Value,)),
            Some(quote!(body: ::serde_json::Value::Object(::std::default::Default::default()),)),
            Some(quote!(::serde_json::Value)),
        ),
        (None, _) => (None, None, None),
    };
    // Required body fields are arguments; an array takes any iterable of its items.
    let args = required_fields.iter().map(|f| {
        let name = ident(&f.name);
        match &f.ty {
            Ty::Array(item) => {
                let item = model_ty(models, item);
                quote!(#name: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>)
            }
            _ => {
                let ty = model_field_ty(models, f);
                quote!(#name: impl ::std::convert::Into<#ty>)
            }
        }
    });
    let node_params = node_parameters(node);
    let carried = params.iter().map(|(_, f)| {
        let f = ident(f);
        if node_params.iter().any(|(_, nf)| nf == &f.to_string()) {
            quote!(#f: self.#f.clone(),)
        } else {
            quote!()
        }
    });
    let query_inits = queries.iter().map(|(_, f)| {
        let f = ident(f);
        quote!(#f: ::std::option::Option::None,)
    });

    // Docs: summary, method and path, permissions, and an example that compiles.
    let mut text = String::new();
    if let Some(summary) = &op.summary {
        text.push_str(summary.trim_end_matches('.'));
        text.push_str(".\n\n");
    }
    text.push_str(&format!(
        "`{} {}` (operationId `{}`).",
        op.method, op.path, op.operation_id
    ));
    if let Some(description) = &op.description {
        text.push_str("\n\n");
        text.push_str(description);
    }
    text.push_str(&format!(
        "\n\nLeast-privileged permissions: delegated {}; application {}.",
        permission_list(&op.permissions.delegated),
        permission_list(&op.permissions.application)
    ));
    let doc = docs(Some(&text));
    let example = example(
        model,
        op,
        node,
        navigation,
        method,
        &required_fields,
        context,
    );
    let method_tokens = quote! {
        #doc
        #[doc = ""]
        #example
        pub fn #method_ident(&self, #(#args),*) -> #builder {
            #builder {
                client: self.client.clone(),
                #(#carried)*
                #(#query_inits)*
                #body_init
                client_request_id: ::std::option::Option::None,
            }
        }
    };

    // The builder's setters and its Operation impl.
    let query_setters = queries.iter().map(|(q, f)| {
        let f_ident = ident(f);
        let doc = docs(Some(&format!("`{}`{}", q.wire, q.description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())));
        match &q.ty {
            Ty::Array(_) => quote! {
                #doc
                pub fn #f_ident<I: ::std::convert::Into<::std::string::String>>(mut self, values: impl ::std::iter::IntoIterator<Item = I>) -> Self {
                    self.#f_ident = ::std::option::Option::Some(values.into_iter().map(::std::convert::Into::into).collect());
                    self
                }
            },
            ty => {
                let ty = query_ty(ty);
                quote! {
                    #doc
                    pub fn #f_ident(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                        self.#f_ident = ::std::option::Option::Some(value.into());
                        self
                    }
                }
            }
        }
    });
    let body_setter_methods = body_setters.iter().map(|(f, name)| {
        let setter = ident(name);
        let with = ident(&format!("with_{}", f.name.trim_matches('_')));
        let ty = model_field_ty(models, f);
        let doc = format!(" Sets `{}` in the request body.", f.wire);
        quote! {
            #[doc = #doc]
            pub fn #setter(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                self.body = self.body.#with(value);
                self
            }
        }
    });
    let body_replace = body_ty.as_ref().map(|ty| {
        quote! {
            /// Replaces the whole request body.
            pub fn body(mut self, body: #ty) -> Self {
                self.body = body;
                self
            }
        }
    });
    let http_method = ident(&op.method);
    let path_steps = segments(&op.path).into_iter().map(|s| match s {
        Segment::Literal(l) => quote!(spec.segment(#l);),
        Segment::Parameter(p) => {
            let field = ident(
                &params
                    .iter()
                    .find(|(w, _)| *w == p)
                    .map(|(_, f)| f.clone())
                    .unwrap_or_default(),
            );
            quote!(spec.parameter(#p, &self.#field)?;)
        }
    });
    let query_steps = queries.iter().map(|(q, f)| {
        let f = ident(f);
        let wire = &q.wire;
        match &q.ty {
            Ty::Array(_) => quote!(if let ::std::option::Option::Some(values) = &self.#f { spec.query(#wire, &values.join(",")); }),
            _ => quote!(if let ::std::option::Option::Some(value) = &self.#f { spec.query(#wire, &::std::string::ToString::to_string(value)); }),
        }
    });
    let body_step = body_ty
        .as_ref()
        .map(|_| quote!(spec.json_body(&self.body)?;));
    let (output, parse) = match op.response.as_ref().map(|r| &r.ty) {
        Some(ty) => {
            let ty = model_ty(models, ty);
            (ty.clone(), quote!(crate::json_response::<#ty>(response)))
        }
        None => (quote!(()), quote!(crate::empty_response(response))),
    };
    let start = if node.is_empty() {
        format!("crate::Client::{method}")
    } else {
        format!("crate::{}::{method}", names.node_type)
    };
    let builder_doc = format!(
        " The `{}` request: `{} {}`. Start it with [`{method}`]({start}).",
        op.operation_id, op.method, op.path
    );
    let idempotent = op.idempotent;
    // The schema's `maxItems` on array body fields, as constants (bulk helpers chunk by them).
    let limits = body_struct
        .into_iter()
        .flat_map(|s| &s.fields)
        .filter_map(|f| {
            let max = f.max_items?;
            let name = ident(&format!(
                "{}_MAX_ITEMS",
                f.name.trim_matches('_').to_uppercase()
            ));
            let doc = format!(
                " The most items `{}` may hold (the schema's `maxItems`).",
                f.wire
            );
            let max = proc_macro2::Literal::u64_unsuffixed(max);
            Some(quote! {
                #[doc = #doc]
                pub const #name: usize = #max;
            })
        });
    let builder_tokens = quote! {
        #[doc = #builder_doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct #builder {
            client: crate::Client,
            #(#param_fields)*
            #(#query_fields)*
            #body_field
            client_request_id: ::std::option::Option<::std::string::String>,
        }
        impl #builder {
            #(#limits)*
            #(#query_setters)*
            #(#body_setter_methods)*
            #body_replace
            /// Sends this `client-request-id` instead of a fresh UUID (to correlate with your logs).
            pub fn client_request_id(mut self, id: impl ::std::convert::Into<::std::string::String>) -> Self {
                self.client_request_id = ::std::option::Option::Some(id.into());
                self
            }
            /// Sends the request and returns the decoded body.
            #[cfg(feature = "reqwest")]
            pub async fn send(self) -> ::std::result::Result<#output, crate::Error> {
                self.client.send(&self).await.map(::http::Response::into_body)
            }
            /// Sends the request and returns the whole response: status, headers and decoded body.
            #[cfg(feature = "reqwest")]
            pub async fn send_with_response(self) -> ::std::result::Result<::http::Response<#output>, crate::Error> {
                self.client.send(&self).await
            }
        }
        impl crate::Operation for #builder {
            type Output = #output;
            fn to_request(&self) -> ::std::result::Result<::http::Request<::std::vec::Vec<u8>>, crate::Error> {
                let mut spec = crate::RequestSpec::new(::http::Method::#http_method);
                #(#path_steps)*
                #(#query_steps)*
                #body_step
                spec.client_request_id(self.client_request_id.as_deref());
                self.client.build_request(spec)
            }
            fn parse_response(&self, response: ::http::Response<::std::vec::Vec<u8>>) -> ::std::result::Result<::http::Response<#output>, crate::Error> {
                #parse
            }
            fn idempotent(&self) -> bool {
                #idempotent
            }
        }
    };
    (method_tokens, builder_tokens)
}

fn permission_list(list: &[String]) -> String {
    if list.is_empty() {
        "not supported".to_owned()
    } else {
        list.iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn models_ty(models: &syn::Path, name: &str) -> TokenStream {
    let name = ident(name);
    quote!(::#models::#name)
}

/// A type from the models, as the client names it.
fn model_ty(models: &syn::Path, ty: &Ty) -> TokenStream {
    match ty {
        Ty::Named(name) => models_ty(models, name),
        Ty::Timestamp => quote!(::#models::Timestamp),
        Ty::Duration => quote!(::#models::Duration),
        Ty::Array(item) => {
            let item = model_ty(models, item);
            quote!(::std::vec::Vec<#item>)
        }
        Ty::Map(value) => {
            let value = model_ty(models, value);
            quote!(::std::collections::BTreeMap<::std::string::String, #value>)
        }
        Ty::Option(inner) => {
            let inner = model_ty(models, inner);
            quote!(::std::option::Option<#inner>)
        }
        other => crate::emit_models::rust_ty(other),
    }
}

/// A body field's value type as its models setter takes it (boxed when recursive).
fn model_field_ty(models: &syn::Path, field: &Field) -> TokenStream {
    let ty = model_ty(models, &field.ty);
    if field.boxed {
        quote!(::std::boxed::Box<#ty>)
    } else {
        ty
    }
}

fn query_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::Array(_) => quote!(::std::vec::Vec<::std::string::String>),
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        _ => quote!(::std::string::String),
    }
}

/// A `no_run` example that compiles: navigation to the operation with placeholder arguments.
fn example(
    model: &Model,
    op: &Operation,
    node: &[Segment],
    navigation: &BTreeMap<Vec<Segment>, String>,
    method: &str,
    required: &[&Field],
    context: &ClientContext,
) -> TokenStream {
    let mut call = String::from("client");
    for len in 1..=node.len() {
        let name = navigation.get(&node[..len]).cloned().unwrap_or_default();
        match &node[len - 1] {
            Segment::Literal(_) => call.push_str(&format!(".{name}()")),
            Segment::Parameter(p) => call.push_str(&format!(".{name}(\"{p}\")")),
        }
    }
    let args: Vec<String> = required
        .iter()
        .map(|f| match &f.ty {
            Ty::Array(item) => format!("[{}]", example_value(model, item, context.models_crate, 1)),
            ty => example_value(model, ty, context.models_crate, 0),
        })
        .collect();
    call.push_str(&format!(".{method}({})", args.join(", ")));
    let binding = if op.response.is_some() {
        "let response = "
    } else {
        ""
    };
    let lines = [
        "```no_run".to_owned(),
        format!(
            "# async fn example(client: {}::Client) -> Result<(), {}::Error> {{",
            context.client_crate, context.client_crate
        ),
        format!("{binding}{call}.send().await?;"),
        "# Ok(()) }".to_owned(),
        "```".to_owned(),
    ];
    let lines = lines.iter().map(|l| format!(" {l}"));
    quote!(#(#[doc = #lines])*)
}

fn example_value(model: &Model, ty: &Ty, models: &str, depth: usize) -> String {
    match ty {
        Ty::String => "\"…\"".to_owned(),
        Ty::Bool => "true".to_owned(),
        Ty::I32 | Ty::I64 => "1".to_owned(),
        Ty::F32 | Ty::F64 => "1.0".to_owned(),
        Ty::Any => "serde_json::json!({})".to_owned(),
        Ty::Array(item) => format!("vec![{}]", example_value(model, item, models, depth + 1)),
        Ty::Option(inner) => format!("Some({})", example_value(model, inner, models, depth + 1)),
        Ty::Named(name) => match model.types.get(name) {
            Some(TypeDef::Enum(e)) => format!(
                "\"{}\"",
                e.variants
                    .first()
                    .map(|v| v.wire.as_str())
                    .unwrap_or("value")
            ),
            Some(TypeDef::Struct(s)) if depth < 4 => {
                let args: Vec<String> = s
                    .fields
                    .iter()
                    .filter(|f| f.required)
                    .map(|f| example_value(model, &f.ty, models, depth + 1))
                    .collect();
                format!("{models}::{name}::new({})", args.join(", "))
            }
            _ => "todo!()".to_owned(),
        },
        Ty::Timestamp | Ty::Duration | Ty::Map(_) => "todo!()".to_owned(),
    }
}
