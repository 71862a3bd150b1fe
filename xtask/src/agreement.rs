//! The test that holds a document's client and mock to each other: for every documented
//! response example, the client sends the operation's call (its doc example's) to the mock on
//! loopback, asking for that example (`Prefer: code=…, example=…`); a success must decode as
//! the client's output and an error's body as the response's type, and either must equal the
//! example as JSON. The comparison is the models runtime's (`agrees`, `decodes_to`); this file
//! only lists the cases and the calls.

use crate::client_model::{Builder, ClientModel};
use crate::emit_types::Types;
use crate::model::{AuthKind, Media, Model, Operation, Status, Ty};
use crate::server::{BodyWrite, ServerModel, ServerOperation};
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use std::collections::BTreeMap;

/// How the crates are named in the test.
pub struct Crates<'a> {
    pub client: &'a str,
    pub server: &'a str,
    pub models: &'a str,
}

/// The cases a document's test checks, and how many examples it leaves out, by reason.
#[derive(Debug, Default)]
pub struct Cases {
    cases: Vec<Case>,
    /// Error body types, by position (`decode_error`'s arms).
    error_types: Vec<Ty>,
    pub skipped: BTreeMap<&'static str, usize>,
}

#[derive(Debug)]
struct Case {
    /// The operation (its `send` arm).
    call: usize,
    /// `None`: a success the client reads as its output; else the error body's type.
    error: Option<usize>,
    prefer: String,
    pointer: String,
    example: String,
}

impl Cases {
    pub fn len(&self) -> usize {
        self.cases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }
}

const NOT_JSON: &str = "a body that is not JSON";
const OTHER_SUCCESS: &str = "a success the client does not read as its output";

/// The cases of a document: every documented example of every response, but those left out
/// (counted by reason).
pub fn cases(model: &Model, client: &ClientModel, server: &ServerModel) -> Cases {
    let mut out = Cases::default();
    let operations = model
        .operations
        .iter()
        .zip(&client.builders)
        .zip(&server.operations);
    for (call, ((op, _), sop)) in operations.enumerate() {
        let has_success = op.responses.iter().any(|r| is_success(r.status));
        for (variant, response) in sop.responses.iter().zip(&op.responses) {
            let code = match variant.status {
                Status::Code(code) => code,
                Status::Range(class) => u16::from(class) * 100,
                Status::Default if has_success => 400,
                Status::Default => 200,
            };
            for example in &response.examples {
                let Ok(json) = &example.value else { continue };
                let error = match (success_read(op, code), &variant.body) {
                    (Some(true), _) => None,
                    (Some(false), _) => {
                        *out.skipped.entry(OTHER_SUCCESS).or_default() += 1;
                        continue;
                    }
                    (None, Some(BodyWrite::Json { ty, .. })) => {
                        let position = out.error_types.iter().position(|t| t == ty);
                        Some(position.unwrap_or_else(|| {
                            out.error_types.push(ty.clone());
                            out.error_types.len() - 1
                        }))
                    }
                    (None, _) => {
                        *out.skipped.entry(NOT_JSON).or_default() += 1;
                        continue;
                    }
                };
                let name = example.name.as_deref().unwrap_or("example");
                out.cases.push(Case {
                    call,
                    error,
                    prefer: format!("code={code}, example=\"{name}\""),
                    pointer: example.pointer.clone(),
                    example: json.clone(),
                });
            }
        }
    }
    out
}

fn is_success(status: Status) -> bool {
    match status {
        Status::Code(code) => (200..300).contains(&code),
        Status::Range(class) => class == 2,
        Status::Default => false,
    }
}

/// For a success status: whether the client reads it as its JSON output (`Some(true)`), or not
/// (`Some(false)`: another body, or no output); `None` for an error status.
fn success_read(op: &Operation, code: u16) -> Option<bool> {
    if !(200..300).contains(&code) {
        return None;
    }
    Some(
        op.response
            .as_ref()
            .is_some_and(|r| r.media == Media::Json && !op.empty_statuses.contains(&code))
            && op
                .untyped_statuses
                .as_ref()
                .is_none_or(|u| !u.others.iter().any(|s| s.parse() == Ok(code))),
    )
}

/// The test's source, or `None` when there is nothing to check.
pub fn test_source(
    cases: &Cases,
    client: &ClientModel,
    server: &ServerModel,
    crates: &Crates,
    schema_label: &str,
) -> Option<Result<String, syn::Error>> {
    if cases.is_empty() {
        return None;
    }
    Some(source(cases, client, server, crates, schema_label))
}

fn source(
    cases: &Cases,
    client: &ClientModel,
    server: &ServerModel,
    crates: &Crates,
    schema_label: &str,
) -> Result<String, syn::Error> {
    let path = |p: &str| syn::parse_str::<syn::Path>(p);
    let (client_crate, server_crate, models) =
        (path(crates.client)?, path(crates.server)?, crates.models);
    let types = Types::new(models);
    let rows = cases.cases.iter().map(|c| {
        let call = Literal::usize_unsuffixed(c.call);
        let error = match c.error {
            Some(i) => {
                let i = Literal::usize_unsuffixed(i);
                quote!(::std::option::Option::Some(#i))
            }
            None => quote!(::std::option::Option::None),
        };
        let (prefer, pointer, example) = (&c.prefer, &c.pointer, &c.example);
        quote!((#call, #error, #prefer, #pointer, #example),)
    });
    let count = Literal::usize_unsuffixed(cases.len());
    // A stand-in for each API key and basic credential some operation requires (the mock
    // checks none), so that no call stops for want of one.
    let mut credentials = std::collections::BTreeMap::new();
    for scheme in client
        .builders
        .iter()
        .flat_map(|b| b.security.iter().flatten().flatten())
    {
        let scheme_name = &scheme.name;
        let setter = match scheme.kind {
            AuthKind::Basic => quote!(.basic_auth(#scheme_name, "mock", "mock")),
            AuthKind::Header(_) | AuthKind::Query(_) | AuthKind::Cookie(_) => {
                quote!(.api_key(#scheme_name, "mock"))
            }
            AuthKind::Bearer | AuthKind::Other => continue,
        };
        credentials.insert(scheme.name.clone(), setter);
    }
    let credentials = credentials.into_values();
    let mut calls = Vec::new();
    let needed: std::collections::BTreeSet<usize> = cases.cases.iter().map(|c| c.call).collect();
    for index in needed {
        calls.push(call_arm(
            index,
            &client.builders[index],
            &server.operations[index],
            crates.models,
        )?);
    }
    let decodes: Vec<TokenStream> = cases
        .error_types
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            let i = Literal::usize_unsuffixed(i);
            let ty = types.ty(ty);
            quote!(#i => openapi_models_runtime::__private::decodes_to::<#ty>(body, example),)
        })
        .collect();
    // A match with only its fallback arm is a `let` to clippy.
    let decode_error_body = if decodes.is_empty() {
        quote! {
            let _ = (body, example);
            ::std::result::Result::Err(format!("no error type {kind}"))
        }
    } else {
        quote! {
            match kind {
                #(#decodes)*
                other => ::std::result::Result::Err(format!("no error type {other}")),
            }
        }
    };
    let doc = format!(
        " Client and mock agree: for each of the {} documented response examples, the client's call, answered by the mock with that example (`Prefer: code=…, example=…`), decodes as its type and equals the example as JSON.",
        cases.len()
    );
    let items = [
        quote! {
            #![doc = #doc]
            #![allow(clippy::too_many_lines, unused_imports)]
        },
        quote! {
            /// The cases: call, error body type (none: the client's output), `Prefer`, the
            /// example's pointer, the example.
            static CASES: [(usize, ::std::option::Option<usize>, &str, &str, &str); #count] = [#(#rows)*];
        },
        quote! {
            #[tokio::test]
            async fn client_and_mock_agree_on_every_documented_response_example() {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
                let base = format!("http://{}", listener.local_addr().expect("an address"));
                let mock = tokio::spawn(#server_crate::serve(listener, #server_crate::router(#server_crate::Mock), #server_crate::ServeSettings::default()));
                let client = #client_crate::Client::builder(#client_crate::BearerToken::new("mock"))
                    .base_url(base)
                    #(#credentials)*
                    .retry(#client_crate::RetryPolicy::none())
                    .build()
                    .expect("a client of the mock");
                let mut failures = ::std::vec::Vec::new();
                for (call, error, prefer, pointer, example) in &CASES {
                    if let ::std::result::Result::Err(why) = send(*call, *error, &client, prefer, example).await {
                        failures.push(format!("agreement failure: {pointer} ({prefer}): {why}"));
                    }
                }
                mock.abort();
                assert!(failures.is_empty(), "{} of {} examples disagree:\n{}", failures.len(), CASES.len(), failures.join("\n"));
            }
        },
        quote! {
            /// Sends operation `call` asking for the example, and checks the answer. Each call is
            /// a future of its own on the heap: a document with hundreds of operations would
            /// otherwise make one future too large for a test thread's stack.
            fn send<'a>(call: usize, error: ::std::option::Option<usize>, client: &'a #client_crate::Client, prefer: &'a str, example: &'a str) -> ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = ::std::result::Result<(), ::std::string::String>> + 'a>> {
                match call {
                    #(#calls)*
                    other => ::std::boxed::Box::pin(::std::future::ready(::std::result::Result::Err(format!("no call {other}")))),
                }
            }
        },
        quote! {
            /// A success must be the client's output, equal to the example; an error must have
            /// a body that decodes as its type, equal to the example.
            fn answer<T: openapi_models_runtime::__private::serde::Serialize>(
                sent: ::std::result::Result<T, #client_crate::Error>,
                error: ::std::option::Option<usize>,
                example: &str,
            ) -> ::std::result::Result<(), ::std::string::String> {
                match (sent, error) {
                    (::std::result::Result::Ok(output), ::std::option::Option::None) => {
                        openapi_models_runtime::__private::agrees(&output, example)
                    }
                    (::std::result::Result::Err(sent), ::std::option::Option::Some(kind)) => {
                        let body = match &sent {
                            #client_crate::Error::Api(e) => &e.body,
                            #client_crate::Error::UnexpectedBody(e) => &e.body,
                            other => return ::std::result::Result::Err(other.to_string()),
                        };
                        decode_error(kind, body, example)
                    }
                    (::std::result::Result::Ok(_), ::std::option::Option::Some(_)) => {
                        ::std::result::Result::Err("the client read a success, not the error".to_owned())
                    }
                    (::std::result::Result::Err(sent), ::std::option::Option::None) => {
                        ::std::result::Result::Err(sent.to_string())
                    }
                }
            }
        },
        quote! {
            /// An error's body, decoded as error body type `kind` and compared with the example.
            fn decode_error(kind: usize, body: &[u8], example: &str) -> ::std::result::Result<(), ::std::string::String> {
                #decode_error_body
            }
        },
    ];
    let mut out = crate::write::header("//", schema_label);
    for item in items {
        out.push('\n');
        out.push_str(&crate::write::format_item(item)?);
    }
    Ok(out)
}

/// One operation's arm of `send`: its doc example's call, with the `Prefer` header, sent.
fn call_arm(
    index: usize,
    builder: &Builder,
    _operation: &ServerOperation,
    models: &str,
) -> Result<TokenStream, syn::Error> {
    let call = &builder.call;
    let uses: TokenStream = match call.use_line(models) {
        Some(line) => syn::parse_str(&line)?,
        None => TokenStream::new(),
    };
    let lets = call
        .lets
        .iter()
        .map(|s| syn::parse_str::<syn::Stmt>(s))
        .collect::<Result<Vec<_>, _>>()?;
    let expression: syn::Expr = syn::parse_str(&call.call)?;
    let index = Literal::usize_unsuffixed(index);
    Ok(quote! {
        #index => ::std::boxed::Box::pin(async move {
            #uses
            let sent = async {
                #(#lets)*
                ::std::result::Result::Ok::<_, ::std::boxed::Box<dyn ::std::error::Error>>(
                    #expression.header("Prefer", prefer).send().await,
                )
            }
            .await
            .map_err(|e| e.to_string())?;
            answer(sent, error, example)
        }),
    })
}
