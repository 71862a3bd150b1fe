//! Prints the server model: the runtime's surface re-exported by name, the `Api` trait, each
//! operation's request struct and response enum, the operations' facts, the router, and per
//! operation a handler that reads the request (the runtime's `Incoming`, field by field), calls
//! the implementation and writes its answer (the runtime's `Outgoing`). Every name was settled
//! by [`super::lower`]; nothing is decided here.

use super::{
    BodyRead, BodyWrite, ErrorShape, HeaderField, Read, RequestField, ResponseVariant, ServerModel,
    ServerOperation, list_style,
};
use crate::docs::attrs as docs;
use crate::emit_types::Types;
use crate::model::{ArrayStyle, ParamLocation, Status};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// One top-level item of the server module, printed (and formatted) on its own.
pub enum Item<'a> {
    /// A trait, its operations' facts and its router.
    Service(Service),
    /// An operation's request, response and handler, and the trait it is a method of.
    Operation(&'a ServerOperation, Service),
    /// The mock and its answers.
    Mock,
}

/// A trait of the server module and its router: the API's operations (`Api`), or the
/// requests it makes to its users (`Webhooks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Api,
    Webhooks,
}

/// The names of a [`Service`]'s items.
pub(super) struct ServiceNames {
    pub trait_name: &'static str,
    /// The static table of its operations' facts.
    pub table: &'static str,
    pub router: &'static str,
    pub router_with: &'static str,
    /// The prefix of its handlers' names.
    pub handler: &'static str,
}

impl Service {
    pub(super) fn names(self) -> ServiceNames {
        match self {
            Service::Api => ServiceNames {
                trait_name: "Api",
                table: "OPERATIONS",
                router: "router",
                router_with: "router_with",
                handler: "handle",
            },
            Service::Webhooks => ServiceNames {
                trait_name: "Webhooks",
                table: "WEBHOOKS",
                router: "webhooks_router",
                router_with: "webhooks_router_with",
                handler: "receive",
            },
        }
    }

    /// The service's operations.
    pub(super) fn operations(self, server: &ServerModel) -> &[ServerOperation] {
        match self {
            Service::Api => &server.operations,
            Service::Webhooks => &server.receivers,
        }
    }
}

/// The start of the server module: the runtime's user-facing surface re-exported by name
/// ([`crate::runtime_api::SERVER_API`]), and its hidden module (`rt`).
pub fn prelude() -> TokenStream {
    let names = crate::runtime_api::SERVER_API.iter().map(|n| ident(n));
    quote! {
        pub use ::openapi_server_runtime::{#(#names),*};
        use ::openapi_server_runtime::__private as rt;
    }
}

/// The server module's items after the prelude, in output order.
pub fn items(server: &ServerModel) -> Vec<Item<'_>> {
    let mut items = vec![Item::Service(Service::Api)];
    items.extend(
        server
            .operations
            .iter()
            .map(|op| Item::Operation(op, Service::Api)),
    );
    if !server.receivers.is_empty() {
        items.push(Item::Service(Service::Webhooks));
        items.extend(
            server
                .receivers
                .iter()
                .map(|op| Item::Operation(op, Service::Webhooks)),
        );
    }
    items.push(Item::Mock);
    items
}

/// The tokens of one item.
pub fn item(server: &ServerModel, models_path: &str, item: &Item) -> TokenStream {
    let printer = Printer {
        server,
        types: Types::new(models_path),
    };
    match item {
        Item::Service(service) => printer.service(*service),
        Item::Operation(op, service) => printer.operation(op, *service),
        Item::Mock => super::mock::mock(&printer),
    }
}

pub(super) struct Printer<'a> {
    pub server: &'a ServerModel,
    pub types: Types,
}

impl Printer<'_> {
    /// A trait, its operations' facts and its router.
    fn service(&self, service: Service) -> TokenStream {
        let names = service.names();
        let operations = service.operations(self.server);
        let title = self
            .server
            .title
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let what = match title.is_empty() {
            true => "the document".to_owned(),
            false => title,
        };
        let trait_doc = docs(&match service {
            Service::Api => format!(
                "The operations of {what}, one method each. Implement it and serve it with [`router`]: each method gets its typed request and the request's [`Context`], and answers one of the operation's documented responses, or a [`Failure`] (answered in the document's error shape)."
            ),
            Service::Webhooks => format!(
                "The requests {what} makes to its users (its webhooks and callbacks), one method each: implement it to receive them, and serve it with [`webhooks_router`] where the URLs you give the API point. Each method gets its typed request and the request's [`Context`], and answers one of the documented responses, or a [`Failure`]."
            ),
        });
        let trait_name = ident(names.trait_name);
        let methods = operations.iter().map(|op| {
            let doc = docs(&op.doc);
            let (method, request, response) = (
                ident(&op.method_name),
                ident(&op.request_type),
                ident(&op.response_type),
            );
            quote! {
                #doc
                fn #method(&self, request: #request, context: Context) -> impl ::std::future::Future<Output = ::std::result::Result<#response, Failure>> + ::std::marker::Send;
            }
        });
        let infos = operations.iter().map(|op| {
            let (id, method, path) = (&op.operation_id, op.method.as_str(), op.path.as_str());
            let permissions = match &op.permissions {
                Some(p) => {
                    let (delegated, application) = (&p.delegated, &p.application);
                    quote!(::std::option::Option::Some(Permissions { delegated: &[#(#delegated),*], application: &[#(#application),*] }))
                }
                None => quote!(::std::option::Option::None),
            };
            quote!(OperationInfo { id: #id, method: #method, path: #path, permissions: #permissions },)
        });
        let count = Literal::usize_unsuffixed(operations.len());
        let table = ident(names.table);
        let routes = operations.iter().enumerate().map(|(i, op)| {
            let i = Literal::usize_unsuffixed(i);
            let handler = ident(&format!("{}_{}", names.handler, op.method_name));
            quote! {
                .route(&#table[#i], {
                    let api = ::std::sync::Arc::clone(&api);
                    move |incoming: rt::Incoming| #handler(::std::sync::Arc::clone(&api), incoming)
                })
            }
        });
        let (shape, shape_doc) = match self.server.error_shape {
            ErrorShape::ErrorObject => (
                quote!(ErrorObject),
                "an error object, `{\"error\": {\"code\", \"message\"}}`",
            ),
            ErrorShape::Problem => (quote!(Problem), "RFC 9457 problem details"),
        };
        let served = match service {
            Service::Api => "every operation of `api`",
            Service::Webhooks => {
                "every webhook and callback `receiver` takes, each at its route (see its method's docs)"
            }
        };
        let router_doc = docs(&format!(
            "A router serving {served}, with the default limits ([`Settings`]): a request the document does not allow is refused (`400` naming what is wrong, `415` for a body of another media type, `413` past the body limit), another path is `404` and another method `405`, each in {shape_doc}. Serve it with [`serve`], or nest it in a router of your own."
        ));
        let table_doc = docs(&format!(
            "Each {}'s facts (operationId, method, {}, permissions), in the order of [`{}`]'s methods.",
            match service {
                Service::Api => "operation",
                Service::Webhooks => "webhook's and callback",
            },
            match service {
                Service::Api => "path template",
                Service::Webhooks => "route",
            },
            names.trait_name
        ));
        let (router, router_with) = (ident(names.router), ident(names.router_with));
        let with_doc = docs(&format!("[`{}`] with other limits.", names.router));
        let arg = match service {
            Service::Api => ident("api"),
            Service::Webhooks => ident("receiver"),
        };
        quote! {
            #trait_doc
            pub trait #trait_name: ::std::marker::Send + ::std::marker::Sync + 'static {
                #(#methods)*
            }

            #table_doc
            pub static #table: [OperationInfo; #count] = [#(#infos)*];

            #router_doc
            pub fn #router<A: #trait_name>(#arg: A) -> Router {
                #router_with(#arg, Settings::default())
            }

            #with_doc
            pub fn #router_with<A: #trait_name>(#arg: A, settings: Settings) -> Router {
                #[allow(unused_variables)]
                let api = ::std::sync::Arc::new(#arg);
                rt::Routes::new(rt::ErrorShape::#shape, settings)
                    #(#routes)*
                    .into_router()
            }
        }
    }

    /// An operation's request struct, response enum and handler.
    fn operation(&self, op: &ServerOperation, service: Service) -> TokenStream {
        let request = ident(&op.request_type);
        let response = ident(&op.response_type);
        let request_doc = docs(&format!(
            "The inputs of `{}`: `{} {}`.",
            op.operation_id, op.method, op.path
        ));
        let fields = op.fields.iter().map(|f| {
            let (doc, name, ty) = (docs(&f.doc), ident(&f.name), self.field_ty(f));
            quote!(#doc pub #name: #ty,)
        });
        let response_doc = docs(&format!(
            "The documented answers of `{}`: `{} {}`.",
            op.operation_id, op.method, op.path
        ));
        let variants = op.responses.iter().map(|v| self.variant(v));
        let handler = self.handler(op, service);
        quote! {
            #request_doc
            #[derive(Debug, Clone, PartialEq)]
            pub struct #request {
                #(#fields)*
            }

            #response_doc
            #[derive(Debug, Clone, PartialEq)]
            #[allow(clippy::large_enum_variant)]
            pub enum #response {
                #(#variants)*
            }

            #handler
        }
    }

    /// A request field's type: an absent optional input is `None`.
    fn field_ty(&self, field: &RequestField) -> TokenStream {
        let ty = match &field.read {
            Read::Path { .. } => quote!(::std::string::String),
            Read::Param { ty, .. } => self.types.param_ty(ty),
            Read::Body(body) => match body {
                BodyRead::Json { ty, .. }
                | BodyRead::Form { ty }
                | BodyRead::Text { ty, .. }
                | BodyRead::MultipartForm { ty, .. } => self.types.ty(ty),
                BodyRead::Bytes { .. } => quote!(::std::vec::Vec<u8>),
                BodyRead::Multipart { .. } => quote!(Multipart),
            },
        };
        match field.required {
            true => ty,
            false => quote!(::std::option::Option<#ty>),
        }
    }

    /// A response variant: its status (for a range or `default`), body and headers.
    fn variant(&self, variant: &ResponseVariant) -> TokenStream {
        let doc = docs(&variant.doc);
        let name = ident(&variant.name);
        let mut fields = Vec::new();
        if matches!(variant.status, Status::Range(_) | Status::Default) {
            fields.push(quote!(#[doc = " The status answered."] status: u16,));
        }
        if let Some(body) = &variant.body {
            let ty = self.body_ty(body);
            fields.push(quote!(#[doc = " The body."] body: #ty,));
        }
        for header in &variant.headers {
            let (doc, name, ty) = (
                docs(&header.doc),
                ident(&header.name),
                self.types.ty(&header.ty),
            );
            fields.push(match header.required {
                true => quote!(#doc #name: #ty,),
                false => quote!(#doc #name: ::std::option::Option<#ty>,),
            });
        }
        match fields.is_empty() {
            true => quote!(#doc #name,),
            false => quote!(#doc #name { #(#fields)* },),
        }
    }

    pub(super) fn body_ty(&self, body: &BodyWrite) -> TokenStream {
        match body {
            BodyWrite::Json { ty, .. } | BodyWrite::Form { ty } | BodyWrite::Text { ty, .. } => {
                self.types.ty(ty)
            }
            BodyWrite::Bytes { .. } => quote!(::std::vec::Vec<u8>),
            BodyWrite::Multipart { .. } => quote!(Multipart),
        }
    }

    /// Reads the request field by field, calls the implementation, writes its answer.
    fn handler(&self, op: &ServerOperation, service: Service) -> TokenStream {
        let names = service.names();
        let handler = ident(&format!("{}_{}", names.handler, op.method_name));
        let trait_name = ident(names.trait_name);
        let (request, response, method) = (
            ident(&op.request_type),
            ident(&op.response_type),
            ident(&op.method_name),
        );
        let reads = op.fields.iter().map(|f| {
            let name = ident(&f.name);
            let value = read(f);
            quote!(#name: #value,)
        });
        let arms: Vec<TokenStream> = op
            .responses
            .iter()
            .map(|v| self.answer(&response, v))
            .collect();
        let answers = match arms.is_empty() {
            true => quote!(::std::result::Result::Ok(response) => match response {},),
            false => quote!(#(#arms)*),
        };
        let incoming = match op.fields.is_empty() {
            true => quote!(_incoming),
            false => quote!(incoming),
        };
        quote! {
            async fn #handler<A: #trait_name>(api: ::std::sync::Arc<A>, incoming: rt::Incoming) -> rt::Outgoing {
                let read = |#incoming: &rt::Incoming| -> ::std::result::Result<#request, Failure> {
                    ::std::result::Result::Ok(#request { #(#reads)* })
                };
                let request = match read(&incoming) {
                    ::std::result::Result::Ok(request) => request,
                    ::std::result::Result::Err(failure) => return rt::Outgoing::failed(failure),
                };
                match api.#method(request, incoming.into_context()).await {
                    #answers
                    ::std::result::Result::Err(failure) => rt::Outgoing::failed(failure),
                }
            }
        }
    }

    /// The arm writing one response variant.
    fn answer(&self, response: &Ident, variant: &ResponseVariant) -> TokenStream {
        let name = ident(&variant.name);
        let mut bindings = Vec::new();
        let start = match variant.status {
            Status::Code(code) => {
                let code = Literal::u16_unsuffixed(code);
                quote!(rt::Outgoing::status(#code))
            }
            Status::Range(class) => {
                bindings.push(quote!(status));
                let class = Literal::u8_unsuffixed(class);
                quote!(rt::Outgoing::in_range(status, #class))
            }
            Status::Default => {
                bindings.push(quote!(status));
                quote!(rt::Outgoing::any(status))
            }
        };
        let body = variant.body.as_ref().map(|b| {
            bindings.push(quote!(body));
            match b {
                BodyWrite::Json { media, .. } => quote!(.json(#media, &body)),
                BodyWrite::Form { .. } => quote!(.form(&body)),
                BodyWrite::Text { media, .. } => quote!(.text(#media, &body)),
                BodyWrite::Bytes { media } => quote!(.bytes(#media, body)),
                BodyWrite::Multipart { media } => quote!(.multipart(#media, body)),
            }
        });
        let headers: Vec<TokenStream> = variant
            .headers
            .iter()
            .map(|h: &HeaderField| {
                let (field, wire) = (ident(&h.name), &h.wire);
                bindings.push(quote!(#field));
                match h.required {
                    true => quote!(.header(#wire, &#field)),
                    false => quote!(.optional_header(#wire, &#field)),
                }
            })
            .collect();
        let pattern = match bindings.is_empty() {
            true => quote!(#response::#name),
            false => quote!(#response::#name { #(#bindings),* }),
        };
        quote!(::std::result::Result::Ok(#pattern) => #start #body #(#headers)*,)
    }
}

/// How a field is read from the request.
fn read(field: &RequestField) -> TokenStream {
    let required = field.required;
    let value = match &field.read {
        Read::Path { index, wire } => {
            let index = Literal::usize_unsuffixed(*index);
            return quote!(incoming.path(#index, #wire)?);
        }
        Read::Param { wire, location, ty } => match (location, list_style(ty)) {
            (ParamLocation::Query, None) => quote!(incoming.query(#wire, #required)?),
            (ParamLocation::Query, Some(ArrayStyle::Exploded)) => {
                quote!(incoming.query_exploded(#wire, #required)?)
            }
            (ParamLocation::Query, Some(ArrayStyle::Joined(delimiter))) => {
                quote!(incoming.query_joined(#wire, #delimiter, #required)?)
            }
            (ParamLocation::Header, None) => quote!(incoming.header(#wire, #required)?),
            (ParamLocation::Header, Some(_)) => quote!(incoming.header_list(#wire, #required)?),
            (ParamLocation::Cookie, None) => quote!(incoming.cookie(#wire, #required)?),
            (ParamLocation::Cookie, Some(_)) => quote!(incoming.cookie_list(#wire, #required)?),
        },
        Read::Body(body) => match body {
            BodyRead::Json { media, .. } => quote!(incoming.json_body(#media, #required)?),
            BodyRead::Form { .. } => quote!(incoming.form_body(#required)?),
            BodyRead::Text { media, .. } => quote!(incoming.text_body(#media, #required)?),
            BodyRead::Bytes { media } => quote!(incoming.bytes_body(#media, #required)?),
            BodyRead::Multipart { media } => quote!(incoming.multipart_body(#media, #required)?),
            BodyRead::MultipartForm { media, .. } => {
                quote!(incoming.multipart_form(#media, #required)?)
            }
        },
    };
    match required {
        true => quote!(rt::present(#value)?),
        false => value,
    }
}
