//! Prints the mock: an implementation of the `Api` trait that answers each operation with
//! what the document says it answers, chosen by the runtime (`Prefer: code=…, example=…`):
//! the documented examples, a value made from the schema where none is documented, and a
//! value for each header. Behind the generated crate's `mock` feature.

use super::emit::Printer;
use super::{BodyWrite, ResponseVariant, ServerOperation};
use crate::model::Status;
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The `Mock` type, its `Api` (and `Webhooks`) impl and each operation's answers.
pub(super) fn mock(printer: &Printer) -> TokenStream {
    let methods = |operations: &[ServerOperation]| -> Vec<TokenStream> {
        operations.iter().map(method).collect()
    };
    let api = methods(&printer.server.operations);
    let webhooks = match printer.server.receivers.is_empty() {
        true => quote!(),
        false => {
            let receivers = methods(&printer.server.receivers);
            quote! {
                #[cfg(feature = "mock")]
                impl Webhooks for Mock {
                    #(#receivers)*
                }
            }
        }
    };
    let answers = printer
        .server
        .operations
        .iter()
        .chain(&printer.server.receivers)
        .map(|op| answer(printer, op));
    quote! {
        /// Answers every operation with what the document says it answers: its first success
        /// response with its first documented example, or a value made from the schema where
        /// it documents none. A request asks for another with Prism's header,
        /// `Prefer: code=404, example=name`. The request is read first, so one the document
        /// does not allow is a `400` naming what is wrong.
        #[cfg(feature = "mock")]
        #[derive(Debug, Clone, Copy, Default)]
        pub struct Mock;

        #[cfg(feature = "mock")]
        impl Api for Mock {
            #(#api)*
        }

        #webhooks

        #(#answers)*
    }
}

/// The mock's method for one operation: the answer its function builds.
fn method(op: &ServerOperation) -> TokenStream {
    let (method, request, response) = (
        ident(&op.method_name),
        ident(&op.request_type),
        ident(&op.response_type),
    );
    let answer = ident(&format!("mock_{}", op.method_name));
    quote! {
        fn #method(&self, _request: #request, context: Context) -> impl ::std::future::Future<Output = ::std::result::Result<#response, Failure>> + ::std::marker::Send {
            ::std::future::ready(#answer(&context))
        }
    }
}

/// One operation's answers, and the function that builds the chosen one.
fn answer(printer: &Printer, op: &ServerOperation) -> TokenStream {
    let name = ident(&format!("mock_{}", op.method_name));
    let response = ident(&op.response_type);
    let count = Literal::usize_unsuffixed(op.responses.len());
    let table = op.responses.iter().map(|v| {
        let status = match v.status {
            Status::Code(code) => {
                let code = Literal::u16_unsuffixed(code);
                quote!(rt::StatusKey::Code(#code))
            }
            Status::Range(class) => {
                let class = Literal::u16_unsuffixed(u16::from(class));
                quote!(rt::StatusKey::Range(#class))
            }
            Status::Default => quote!(rt::StatusKey::Default),
        };
        let examples = v.mock.examples.iter().map(|(name, json)| quote!((#name, #json),));
        let sample = match &v.mock.sample {
            Some(sample) => quote!(::std::option::Option::Some(#sample)),
            None => quote!(::std::option::Option::None),
        };
        let headers = v.mock.headers.iter().map(|(wire, text)| quote!((#wire, #text),));
        quote! {
            rt::MockResponse { status: #status, examples: &[#(#examples)*], sample: #sample, headers: &[#(#headers)*] },
        }
    });
    let arms = op.responses.iter().enumerate().map(|(i, v)| {
        let i = Literal::usize_unsuffixed(i);
        let value = variant(printer, &response, v);
        quote!(#i => #value,)
    });
    if op.responses.is_empty() {
        let message = format!("`{}` declares no response", op.operation_id);
        return quote! {
            #[cfg(feature = "mock")]
            fn #name(_context: &Context) -> ::std::result::Result<#response, Failure> {
                ::std::result::Result::Err(Failure::new(501, "NotImplemented", #message))
            }
        };
    }
    quote! {
        #[cfg(feature = "mock")]
        fn #name(context: &Context) -> ::std::result::Result<#response, Failure> {
            static RESPONSES: [rt::MockResponse; #count] = [#(#table)*];
            #[allow(unused_variables)]
            let choice = rt::choose(context, &RESPONSES)?;
            #[allow(unreachable_code)]
            ::std::result::Result::Ok(match choice.index {
                #(#arms)*
                _ => return ::std::result::Result::Err(Failure::internal("the mock chose no documented response")),
            })
        }
    }
}

/// The chosen variant, built from the choice.
fn variant(printer: &Printer, response: &Ident, variant: &ResponseVariant) -> TokenStream {
    let name = ident(&variant.name);
    let _ = printer;
    let mut fields = Vec::new();
    if matches!(variant.status, Status::Range(_) | Status::Default) {
        fields.push(quote!(status: choice.status,));
    }
    if let Some(body) = &variant.body {
        let value = match body {
            BodyWrite::Json { .. } | BodyWrite::Form { .. } => quote!(choice.body()?),
            BodyWrite::Text { .. } => quote!(choice.text()?),
            BodyWrite::Bytes { .. } => quote!(choice.bytes()?),
            BodyWrite::Multipart { .. } => quote!(Multipart {
                boundary: ::std::string::String::from("mock"),
                bytes: choice.bytes()?,
            }),
        };
        fields.push(quote!(body: #value,));
    }
    for header in &variant.headers {
        let (field, wire) = (ident(&header.name), &header.wire);
        fields.push(match header.required {
            true => quote!(#field: choice.header(#wire)?,),
            false => quote!(#field: ::std::option::Option::Some(choice.header(#wire)?),),
        });
    }
    match fields.is_empty() {
        true => quote!(#response::#name),
        false => quote!(#response::#name { #(#fields)* }),
    }
}
