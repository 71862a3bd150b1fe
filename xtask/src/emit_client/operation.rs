//! The `Operation` impl of a request builder: the facts a `RequestSpec` is built from.

use super::*;

impl Printer<'_> {
    /// The `Operation` impl: the request's facts, turned into a `RequestSpec`.
    pub(super) fn operation(&self, builder: &Builder) -> TokenStream {
        let name = ident(&builder.type_name);
        let http_method = ident(builder.http_method.as_str());
        let steps = builder.steps.iter().map(|s| match s {
            Step::Literal(l) => quote!(spec.segment(#l);),
            Step::Parameter(p) => {
                let (wire, field) = (&p.wire, ident(&p.field));
                quote!(spec.parameter(#wire, &self.#field)?;)
            }
        });
        let params = builder.params.iter().map(|p| {
            let (wire, f) = (&p.wire, ident(&p.field));
            let to_string = quote!(::std::string::ToString::to_string);
            let add = |text: TokenStream| match p.location {
                ParamLocation::Query => quote!(spec.query(#wire, #text);),
                ParamLocation::Header => quote!(spec.header(#wire, #text);),
                ParamLocation::Cookie => quote!(spec.cookie(#wire, #text);),
            };
            let (value, add) = match &p.ty {
                ParamTy::List {
                    style: ArrayStyle::Exploded,
                    ..
                } => {
                    let add = add(quote!(&#to_string(value)));
                    (quote!(values), quote!(for value in values { #add }))
                }
                ParamTy::List {
                    style: ArrayStyle::Joined(delimiter),
                    ..
                } => (
                    quote!(values),
                    add(
                        quote!(&::openapi_client_runtime::__private::delimited(values, #delimiter)),
                    ),
                ),
                _ => (quote!(value), add(quote!(&#to_string(value)))),
            };
            match p.required {
                true => quote!({ let #value = &self.#f; #add }),
                false => quote!(if let ::std::option::Option::Some(#value) = &self.#f { #add }),
            }
        });
        let fixed = builder
            .fixed_query
            .iter()
            .map(|(name, value)| quote!(spec.query(#name, #value);));
        let body = builder.body.as_ref().map(|body| match body {
            RequestBody::Model { form: false, .. } | RequestBody::Json { form: false } => {
                quote!(spec.json_body(&self.body)?;)
            }
            RequestBody::Model { form: true, .. } | RequestBody::Json { form: true } => {
                quote!(spec.form_body(&self.body)?;)
            }
            RequestBody::Text { media, .. } => quote!(spec.text_body(#media, &self.body);),
            RequestBody::Bytes { media } => {
                quote!(spec.raw_body(#media, ::std::clone::Clone::clone(&self.body));)
            }
            RequestBody::Multipart { media } => {
                quote!(spec.multipart_body(#media, &self.body)?;)
            }
            RequestBody::Form { media, .. } => {
                quote!(spec.multipart_form(#media, &self.body)?;)
            }
        });
        let body = body.map(|body| match &builder.json_content_type {
            Some(media) => quote!(#body spec.content_type(#media);),
            None => body,
        });
        let accept = match (&builder.output, &builder.json_accept) {
            (Some(Output::Text { media, .. } | Output::Bytes { media }), _) | (_, Some(media)) => {
                Some(quote!(spec.accept(#media);))
            }
            _ => None,
        };
        let spec = if builder.steps.is_empty()
            && builder.params.is_empty()
            && builder.fixed_query.is_empty()
            && body.is_none()
            && accept.is_none()
        {
            quote!(spec)
        } else {
            quote!(mut spec)
        };
        let (output, parse) = match &builder.output {
            Some(Output::Json(ty)) => {
                let ty = self.types.ty(ty);
                (
                    ty.clone(),
                    quote!(::openapi_client_runtime::__private::json_response::<#ty>(response)),
                )
            }
            Some(Output::JsonOrEmpty { ty, empty }) => {
                let ty = self.types.ty(ty);
                let empty = empty.iter().map(|s| Literal::u16_unsuffixed(*s));
                (
                    quote!(::std::option::Option<#ty>),
                    quote!(::openapi_client_runtime::__private::json_response_or_empty::<#ty>(response, &[#(#empty),*])),
                )
            }
            Some(Output::Text { ty, .. }) => {
                let ty = self.types.ty(ty);
                (
                    ty.clone(),
                    quote!(::openapi_client_runtime::__private::text_response::<#ty>(response)),
                )
            }
            Some(Output::Bytes { .. }) => (
                quote!(::std::vec::Vec<u8>),
                quote!(::openapi_client_runtime::__private::bytes_response(
                    response
                )),
            ),
            None => (
                quote!(()),
                quote!(::openapi_client_runtime::__private::empty_response(
                    response
                )),
            ),
        };
        let idempotent = builder.idempotent;
        let (operation_id, path_template) = (&builder.operation_id, builder.path_template.as_str());
        let security = builder.security.as_ref().map(|alternatives| {
            let alternatives = alternatives.iter().map(|schemes| {
                let schemes = schemes.iter().map(|scheme| {
                    let name = &scheme.name;
                    let kind = match &scheme.kind {
                        AuthKind::Bearer => quote!(Bearer),
                        AuthKind::Basic => quote!(Basic),
                        AuthKind::Header(n) => quote!(Header(#n)),
                        AuthKind::Query(n) => quote!(Query(#n)),
                        AuthKind::Cookie(n) => quote!(Cookie(#n)),
                        AuthKind::Other => quote!(Other),
                    };
                    quote!(::openapi_client_runtime::__private::Scheme { name: #name, kind: ::openapi_client_runtime::__private::SchemeKind::#kind })
                });
                quote!(&[#(#schemes),*])
            });
            quote! {
                fn security(&self) -> ::std::option::Option<&'static [&'static [::openapi_client_runtime::__private::Scheme]]> {
                    ::std::option::Option::Some(&[#(#alternatives),*])
                }
            }
        });
        quote! {
            impl ::openapi_client_runtime::Operation for #name {
                type Output = #output;
                fn to_request(&self) -> ::std::result::Result<::openapi_client_runtime::__private::http::Request<::std::vec::Vec<u8>>, ::openapi_client_runtime::Error> {
                    let #spec = ::openapi_client_runtime::__private::RequestSpec::new(::openapi_client_runtime::__private::http::Method::#http_method);
                    #(#steps)*
                    #(#params)*
                    #(#fixed)*
                    #body
                    #accept
                    self.base.build(spec)
                }
                fn parse_response(&self, response: ::openapi_client_runtime::__private::http::Response<::std::vec::Vec<u8>>) -> ::std::result::Result<::openapi_client_runtime::__private::http::Response<#output>, ::openapi_client_runtime::Error> {
                    #parse
                }
                fn idempotent(&self) -> bool {
                    #idempotent
                }
                fn operation_id(&self) -> &'static str {
                    #operation_id
                }
                fn path_template(&self) -> &'static str {
                    #path_template
                }
                #security
            }
        }
    }
}
