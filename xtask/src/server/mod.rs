//! The server model: each operation of a [`Model`] as a server sees it, with every decision
//! taken before anything is printed: the trait method and the request and response types
//! (named from the client model, so a server method and a client builder pair up: the
//! client's `MeGetPresenceRequest` builder sends what the server's `MeGetPresenceRequest`
//! receives), each input's field and how it is read (the inverse of how the client writes
//! it), each documented response as a variant with its status, body, headers and what the
//! mock answers with, and the document's error shape. [`emit`] and [`mock`] only print it.

pub mod emit;
pub mod mock;

use crate::client_model::{self, ClientModel, ParamTy, RequestBody, Step};
use crate::example_code::{self, Json};
use crate::model::{
    ArrayStyle, HttpMethod, Media, Model, Operation, ParamLocation, PathTemplate, Permissions,
    Receiver, ReceiverKind, Status, Ty, TypeDef,
};
use crate::names::{Case, Scope};

/// The server of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerModel {
    /// The document's title, for the docs.
    pub title: String,
    /// How the document's errors look, for what the router answers itself.
    pub error_shape: ErrorShape,
    pub operations: Vec<ServerOperation>,
    /// The requests the API makes to its users (webhooks and callbacks): the `Webhooks`
    /// trait's methods, each at its route.
    pub receivers: Vec<ServerOperation>,
}

/// How a document's errors look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorShape {
    /// An error object, `{"error": {"code", "message"}}` (Graph's shape): an error
    /// response's body is such an object.
    ErrorObject,
    /// No shape the generator recognises: RFC 9457 problem details.
    Problem,
}

/// One operation: its facts, its trait method, its request and its responses.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerOperation {
    pub operation_id: String,
    pub method: HttpMethod,
    pub path: PathTemplate,
    pub permissions: Option<Permissions>,
    /// The trait method (`me_get_presence`).
    pub method_name: String,
    /// The request struct (`MeGetPresenceRequest`).
    pub request_type: String,
    /// The response enum (`MeGetPresenceResponse`).
    pub response_type: String,
    /// The method's docs: summary, method and path, description, permissions.
    pub doc: String,
    pub fields: Vec<RequestField>,
    pub responses: Vec<ResponseVariant>,
}

/// An input of a request: its field and how it is read.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestField {
    pub name: String,
    pub doc: String,
    pub read: Read,
    /// Absent is an error (a path parameter, a required parameter or body).
    pub required: bool,
}

/// Where an input comes from, and as what.
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    /// Path segment `index` (from 0) of the template, `{wire}`: a string.
    Path {
        index: usize,
        wire: String,
    },
    /// A query, header or cookie parameter of this type (an array's items joined or exploded
    /// as its style says).
    Param {
        wire: String,
        location: ParamLocation,
        ty: ParamTy,
    },
    Body(BodyRead),
}

/// A request body, by its media type.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyRead {
    /// JSON of this type (any JSON: `RawJson`), of the document's media type.
    Json { ty: Ty, media: String },
    /// A form, read as this type.
    Form { ty: Ty },
    /// Text of this media type, read as this type.
    Text { ty: Ty, media: String },
    /// Bytes of this media type.
    Bytes { media: String },
    /// A multipart body of this media type.
    Multipart { media: String },
    /// A `multipart/form-data` body of this media type, read into this form type.
    MultipartForm { ty: Ty, media: String },
}

/// A documented response: a variant of the operation's response enum.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseVariant {
    /// The variant (`Ok`, `Status2XX`, `Default`).
    pub name: String,
    pub status: Status,
    pub doc: String,
    pub body: Option<BodyWrite>,
    pub headers: Vec<HeaderField>,
    /// What the mock answers with.
    pub mock: MockData,
}

/// A response body, by its media type.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyWrite {
    Json { ty: Ty, media: String },
    Form { ty: Ty },
    Text { ty: Ty, media: String },
    Bytes { media: String },
    Multipart { media: String },
}

/// A header a response declares: a field of its variant.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderField {
    pub name: String,
    pub wire: String,
    pub ty: Ty,
    pub required: bool,
    pub doc: String,
}

/// The values the mock answers a response with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MockData {
    /// The documented examples: name and JSON text.
    pub examples: Vec<(String, String)>,
    /// A value made from the schema, for a body without an example.
    pub sample: Option<String>,
    /// A value for each header, as text.
    pub headers: Vec<(String, String)>,
}

/// Type names a generated server module defines itself besides requests and responses.
pub const SERVER_MODULE_TYPES: &[&str] = &["Api", "Webhooks", "Mock"];

/// Lowers the operations of `model` (whose client model is `client`) into the server model.
pub fn lower(model: &Model, client: &ClientModel) -> ServerModel {
    let mut types = Scope::with_taken(
        SERVER_MODULE_TYPES
            .iter()
            .chain(crate::runtime_api::SERVER_API)
            .copied(),
    );
    let mut methods = Scope::default();
    let operations = model
        .operations
        .iter()
        .zip(&client.builders)
        .map(|(op, builder)| {
            let inputs = InputsOf {
                steps: &builder.steps,
                params: &builder.params,
                body: builder.body.as_ref(),
            };
            let doc = crate::client_model::docs::operation_doc(op, false);
            operation(model, op, inputs, doc, &mut types, &mut methods)
        })
        .collect();
    // A receiver has no builder: its inputs are named as one would name them.
    let receivers = model
        .receivers
        .iter()
        .map(|receiver| {
            let op = &receiver.operation;
            let named = client_model::inputs(model, op, op.path.segments());
            let inputs = InputsOf {
                steps: &named.steps,
                params: &named.params,
                body: named.body.as_ref(),
            };
            let doc = receiver_doc(receiver);
            operation(model, op, inputs, doc, &mut types, &mut methods)
        })
        .collect();
    ServerModel {
        title: model.title.clone(),
        error_shape: error_shape(model),
        operations,
        receivers,
    }
}

/// A receiver method's docs: what sends it where, and its route.
fn receiver_doc(receiver: &Receiver) -> String {
    let op = &receiver.operation;
    let (method, route) = (op.method, &op.path);
    let what = match &receiver.kind {
        ReceiverKind::Webhook { name } => format!(
            "Webhook `{name}`: the API sends `{method}` to the URL registered for it. The webhooks router takes it at `{route}`: register the URL the router is served at, followed by `{route}`."
        ),
        ReceiverKind::Callback {
            operation_id,
            name,
            expression,
        } if expression.starts_with('{') => {
            let base = route.as_str().split('/').nth(1).unwrap_or_default();
            format!(
                "Callback `{name}` of `{operation_id}`: the API sends `{method} {expression}`. The webhooks router takes it at `{route}`: give `{operation_id}` the URL the router is served at, followed by `/{base}`."
            )
        }
        ReceiverKind::Callback {
            operation_id,
            name,
            expression,
        } => format!(
            "Callback `{name}` of `{operation_id}`: the API sends `{method} {expression}`. The webhooks router takes it at `{route}`, that URL's path."
        ),
    };
    let mut doc = match &op.summary {
        Some(summary) => format!("{summary}\n\n{what}"),
        None => what,
    };
    if let Some(description) = &op.description
        && Some(description) != op.summary.as_ref()
    {
        doc.push_str("\n\n");
        doc.push_str(description);
    }
    doc
}

/// What a request carries, as the client names it (a builder's, or one named likewise).
struct InputsOf<'a> {
    steps: &'a [Step],
    params: &'a [client_model::Param],
    body: Option<&'a RequestBody>,
}

fn operation(
    model: &Model,
    op: &Operation,
    inputs: InputsOf,
    doc: String,
    types: &mut Scope,
    methods: &mut Scope,
) -> ServerOperation {
    let mut fields = Vec::new();
    for (index, step) in inputs.steps.iter().enumerate() {
        if let Step::Parameter(p) = step {
            fields.push(RequestField {
                name: p.field.clone(),
                doc: format!("`{{{}}}` in the path.", p.wire),
                read: Read::Path {
                    index,
                    wire: p.wire.clone(),
                },
                required: true,
            });
        }
    }
    for param in inputs.params {
        fields.push(RequestField {
            name: param.field.clone(),
            doc: param.doc.clone(),
            read: Read::Param {
                wire: param.wire.clone(),
                location: param.location,
                ty: param.ty.clone(),
            },
            required: param.required,
        });
    }
    if let (Some(body), Some(declared)) = (inputs.body, &op.request_body) {
        let media = declared
            .json_media
            .clone()
            .unwrap_or_else(|| "application/json".to_owned());
        let read = match body {
            RequestBody::Model { form: false, .. } | RequestBody::Json { form: false } => {
                BodyRead::Json {
                    ty: declared.ty.clone(),
                    media,
                }
            }
            RequestBody::Model { form: true, .. } | RequestBody::Json { form: true } => {
                BodyRead::Form {
                    ty: declared.ty.clone(),
                }
            }
            RequestBody::Text { ty, media } => BodyRead::Text {
                ty: ty.clone(),
                media: media.clone(),
            },
            RequestBody::Bytes { media } => BodyRead::Bytes {
                media: media.clone(),
            },
            RequestBody::Multipart { media } => BodyRead::Multipart {
                media: media.clone(),
            },
            RequestBody::Form { media, .. } => BodyRead::MultipartForm {
                ty: declared.ty.clone(),
                media: media.clone(),
            },
        };
        fields.push(RequestField {
            name: "body".to_owned(),
            doc: "The request body.".to_owned(),
            read: Read::Body(read),
            required: declared.required,
        });
    }
    let mut variants = Scope::default();
    let responses = op
        .responses
        .iter()
        .map(|response| {
            let name = variants.unique(&variant_name(response.status), Case::Pascal);
            let mut header_names = Scope::with_taken(["status", "body"]);
            let headers: Vec<HeaderField> = response
                .headers
                .iter()
                .map(|h| HeaderField {
                    name: header_names.unique(&h.wire, Case::Snake),
                    wire: h.wire.clone(),
                    ty: h.ty.clone(),
                    required: h.required,
                    doc: match &h.description {
                        Some(d) => format!("`{}` header: {d}", h.wire),
                        None => format!("The `{}` header.", h.wire),
                    },
                })
                .collect();
            let body = response.body.as_ref().map(|b| match &b.media {
                Media::Json => BodyWrite::Json {
                    ty: b.ty.clone(),
                    media: b
                        .json_media
                        .clone()
                        .unwrap_or_else(|| "application/json".to_owned()),
                },
                Media::Form => BodyWrite::Form { ty: b.ty.clone() },
                Media::Text(media) => BodyWrite::Text {
                    ty: b.ty.clone(),
                    media: media.clone(),
                },
                Media::Bytes(media) => BodyWrite::Bytes {
                    media: media.clone(),
                },
                Media::Multipart(media) => BodyWrite::Multipart {
                    media: media.clone(),
                },
            });
            let mock = mock_data(model, response, body.as_ref(), &headers);
            let status = status_text(response.status);
            ResponseVariant {
                name,
                status: response.status,
                doc: match &response.description {
                    Some(d) => format!("`{status}`: {d}"),
                    None => format!("`{status}`."),
                },
                body,
                headers,
                mock,
            }
        })
        .collect();
    ServerOperation {
        operation_id: op.operation_id.clone(),
        method: op.method,
        path: op.path.clone(),
        permissions: op.permissions.clone(),
        method_name: methods.unique(&op.name, Case::Snake),
        request_type: types.unique(&format!("{}Request", op.name), Case::Pascal),
        response_type: types.unique(&format!("{}Response", op.name), Case::Pascal),
        doc,
        fields,
        responses,
    }
}

/// A status key as the document writes it (`200`, `2XX`, `default`).
pub fn status_text(status: Status) -> String {
    match status {
        Status::Code(code) => code.to_string(),
        Status::Range(class) => format!("{class}XX"),
        Status::Default => "default".to_owned(),
    }
}

/// A response's variant name: a code's reason (`Ok`, `NotFound`), a range's class (`Success`
/// for `2XX`, `ClientError` for `4XX`), `Default`.
fn variant_name(status: Status) -> String {
    let reason = match status {
        Status::Code(code) => match code {
            100 => "Continue",
            200 => "Ok",
            201 => "Created",
            202 => "Accepted",
            203 => "NonAuthoritativeInformation",
            204 => "NoContent",
            205 => "ResetContent",
            206 => "PartialContent",
            207 => "MultiStatus",
            300 => "MultipleChoices",
            301 => "MovedPermanently",
            302 => "Found",
            303 => "SeeOther",
            304 => "NotModified",
            307 => "TemporaryRedirect",
            308 => "PermanentRedirect",
            400 => "BadRequest",
            401 => "Unauthorized",
            402 => "PaymentRequired",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            406 => "NotAcceptable",
            408 => "RequestTimeout",
            409 => "Conflict",
            410 => "Gone",
            411 => "LengthRequired",
            412 => "PreconditionFailed",
            413 => "ContentTooLarge",
            415 => "UnsupportedMediaType",
            416 => "RangeNotSatisfiable",
            422 => "UnprocessableContent",
            423 => "Locked",
            428 => "PreconditionRequired",
            429 => "TooManyRequests",
            500 => "InternalServerError",
            501 => "NotImplemented",
            502 => "BadGateway",
            503 => "ServiceUnavailable",
            504 => "GatewayTimeout",
            _ => return format!("Status{code}"),
        },
        // RFC 9110's names of the classes.
        Status::Range(class) => match class {
            1 => "Informational",
            2 => "Success",
            3 => "Redirection",
            4 => "ClientError",
            _ => "ServerError",
        },
        Status::Default => "Default",
    };
    reason.to_owned()
}

/// An error object when an error response of any operation (`default`, `4XX`, `5XX`, a code from
/// 400) has a body whose type is an object with an `error` object that has `code` and
/// `message`; else problem details.
fn error_shape(model: &Model) -> ErrorShape {
    let is_error = |status: Status| match status {
        Status::Code(code) => code >= 400,
        Status::Range(class) => class >= 4,
        Status::Default => true,
    };
    let fields = |ty: &Ty| -> Option<Vec<(String, Ty)>> {
        match ty {
            Ty::Named(name) => match model.types.get(name) {
                Some(TypeDef::Struct(s)) => Some(
                    s.fields
                        .iter()
                        .map(|f| (f.wire.clone(), f.ty.clone()))
                        .collect(),
                ),
                _ => None,
            },
            _ => None,
        }
    };
    let graph_shaped = |ty: &Ty| {
        let Some(outer) = fields(ty) else {
            return false;
        };
        outer.iter().any(|(wire, inner)| {
            wire == "error"
                && fields(inner).is_some_and(|inner| {
                    ["code", "message"]
                        .iter()
                        .all(|name| inner.iter().any(|(w, t)| w == name && *t == Ty::String))
                })
        })
    };
    let graph = model.operations.iter().any(|op| {
        op.responses
            .iter()
            .any(|r| is_error(r.status) && r.body.as_ref().is_some_and(|b| graph_shaped(&b.ty)))
    });
    match graph {
        true => ErrorShape::ErrorObject,
        false => ErrorShape::Problem,
    }
}

/// The mock's values for a response: its documented examples, a value made from the schema
/// for a body without one, and a value for each header.
fn mock_data(
    model: &Model,
    response: &crate::model::Response,
    body: Option<&BodyWrite>,
    headers: &[HeaderField],
) -> MockData {
    let examples: Vec<(String, String)> = response
        .examples
        .iter()
        .filter_map(|e| {
            let json = e.value.as_ref().ok()?;
            Some((
                e.name.clone().unwrap_or_else(|| "example".to_owned()),
                json.clone(),
            ))
        })
        .collect();
    let sample = match body {
        Some(BodyWrite::Json { ty, .. } | BodyWrite::Form { ty } | BodyWrite::Text { ty, .. }) => {
            Some(example_code::sample(model, ty, "value").text())
        }
        Some(BodyWrite::Bytes { .. } | BodyWrite::Multipart { .. }) => Some("\"\"".to_owned()),
        None => None,
    };
    let headers = headers
        .iter()
        .map(|h| {
            let value = example_code::sample(model, &h.ty, &h.wire);
            (h.wire.clone(), header_text(&value))
        })
        .collect();
    MockData {
        sample: if examples.is_empty() { sample } else { None },
        examples,
        headers,
    }
}

/// A header's text from a sample value: a string as it is, a scalar as JSON writes it, an
/// array's items joined by `,`.
fn header_text(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        Json::Array(items) => items.iter().map(header_text).collect::<Vec<_>>().join(","),
        other => other.text(),
    }
}

/// How an array parameter's items are read: `None` for a scalar.
pub fn list_style(ty: &ParamTy) -> Option<ArrayStyle> {
    match ty {
        ParamTy::List { style, .. } => Some(*style),
        _ => None,
    }
}
