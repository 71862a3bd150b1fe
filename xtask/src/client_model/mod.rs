//! The client model: the operations of a [`Model`] lowered into what the client code is made
//! of, with every decision taken: the navigation tree (nodes, their type names, their child
//! methods), each operation's path steps with their parameters (the path template is parsed
//! here, once), every method, builder, field and setter name, the query options, the body's
//! constructor arguments and setters (as the models take them: [`StructDef::constructor_args`],
//! [`StructDef::setter_fields`], [`Field::setter`]), the output type, idempotence, and the docs
//! text. `emit_client` only prints it.

pub(crate) mod docs;
mod tree;

pub use tree::navigation;

use crate::model::{
    ArrayStyle, Field, HttpMethod, Media, Model, Operation, Paging, ParamLocation, PathTemplate,
    Segment, StructDef, Ty, TypeDef,
};
use crate::names::{Case, STD_METHODS, Scope, ident};
use crate::runtime_api::{
    BUILDER_NAMES, CLIENT_API, CLIENT_GRAPH_API, CLIENT_MODULE_TYPES, PAGING_METHODS,
};
use std::collections::BTreeSet;
use tree::{Tree, placement, steps};

/// What the client code needs to know about its surroundings.
pub struct ClientContext<'a> {
    /// How generated code names the models: a crate (`::graph_presence_models`) or a module
    /// (`crate::fixtures::arrays`).
    pub models_path: &'a str,
    /// How a doc example (compiled outside the crate) names the models
    /// (`graph_presence_models`).
    pub example_models: &'a str,
    /// How a doc example names the client (`graph_presence_client`).
    pub example_client: &'a str,
}

/// The client code of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientModel {
    /// The default base URL (the document's first server), if it has one the client can use.
    pub base_url: Option<String>,
    /// The docs of the `Client` type (the document's title, the base URL, the entry points).
    pub doc: String,
    /// The navigation nodes, the client itself first, then by path.
    pub nodes: Vec<Node>,
    /// One request builder per operation, in the model's order.
    pub builders: Vec<Builder>,
}

/// A URL prefix: a type with navigation methods to longer prefixes and starting methods of
/// the operations that hang there.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The type (`UsersItemPresenceResource`); `None` for the client itself.
    pub type_name: Option<String>,
    /// The path it stands for (`/users/{user-id}/presence`).
    pub path: PathTemplate,
    /// The path parameters it carries (field names, in path order).
    pub fields: Vec<String>,
    /// The node it is a child of (`None` for the client).
    pub parent: Option<usize>,
    pub children: Vec<Child>,
    /// The builders started here, as indices into [`ClientModel::builders`].
    pub operations: Vec<usize>,
}

/// A navigation method.
#[derive(Debug, Clone, PartialEq)]
pub struct Child {
    pub method: String,
    /// The node it leads to, as an index into [`ClientModel::nodes`].
    pub node: usize,
    /// The path parameter it takes (its field name is the argument's), if the step is one.
    pub parameter: Option<PathParam>,
    pub doc: String,
}

/// One segment of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Literal(String),
    Parameter(PathParam),
}

/// A path parameter: `{wire}`, held in the field `field`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathParam {
    pub wire: String,
    pub field: String,
}

/// One operation's request builder.
#[derive(Debug, Clone, PartialEq)]
pub struct Builder {
    pub type_name: String,
    /// The method that starts it, on its node.
    pub method: String,
    /// Its node, as an index into [`ClientModel::nodes`].
    pub node: usize,
    pub http_method: HttpMethod,
    pub steps: Vec<Step>,
    /// Query, header and cookie parameters, in the operation's order.
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    /// The 2XX body; `None` for no body.
    pub output: Option<Output>,
    /// The media type a JSON request body is sent as, when the document declares one other
    /// than `application/json` (`application/vnd.example+json`).
    pub json_content_type: Option<String>,
    /// The media type a JSON response is asked for (`Accept`), likewise.
    pub json_accept: Option<String>,
    /// The request body's other media types, each a method that sets the body as bytes.
    pub body_alternatives: Vec<Alternative>,
    /// The success response's other media types, each a method that asks for it and answers
    /// with bytes.
    pub accept_alternatives: Vec<Alternative>,
    pub idempotent: bool,
    /// The schema's operationId and path template, for the runtime's traces.
    pub operation_id: String,
    pub path_template: PathTemplate,
    /// The query the path's key fixes, sent with every request after the parameters.
    pub fixed_query: Vec<(String, String)>,
    /// The credentials it requires (`None`: the bearer token, stated by no code).
    pub security: Option<Vec<Vec<crate::model::AuthScheme>>>,
    /// The starting method's docs (summary, method and path, description, permissions).
    pub doc: String,
    /// A `no_run` example that compiles, line by line.
    pub example: Vec<String>,
    /// The code of the example's call, for tests that send it.
    pub call: docs::ExampleCall,
    /// The builder type's docs.
    pub builder_doc: String,
    /// The schema's `maxItems` on body fields, as constants.
    pub limits: Vec<Limit>,
    /// Which fields of the page hold the next link and the items: the builder gets `pages()`
    /// and `items()` (names kept free of its parameters and setters).
    pub paging: Option<Paging>,
}

impl Builder {
    /// The fields holding path parameters, in path order.
    pub fn path_fields(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().filter_map(|s| match s {
            Step::Parameter(p) => Some(p.field.as_str()),
            Step::Literal(_) => None,
        })
    }
}

/// A query, header or cookie parameter: a field of the builder. An optional one has a setter
/// of the same name; a required one is an argument of the starting method.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub wire: String,
    pub location: ParamLocation,
    pub field: String,
    pub ty: ParamTy,
    pub required: bool,
    pub doc: String,
}

/// The type of a parameter's value, and so how it is written as text (every style agrees on
/// scalars; an array is written as its [`ArrayStyle`] says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamTy {
    /// An array of scalars (`$select`), each written as `item` is.
    List {
        item: Box<ParamTy>,
        style: ArrayStyle,
    },
    Bool,
    I32,
    I64,
    /// Another integer width, by its Rust name (`u64`).
    Integer(&'static str),
    F64,
    /// A models enum, by Rust name: its wire value (its `Display`).
    Enum(String),
    String,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestBody {
    /// A models struct: required properties are arguments of the starting method, optional
    /// ones setters of the builder. Sent as JSON, or as a form when `form`.
    Model {
        type_name: String,
        args: Vec<BodyArg>,
        /// When the models' `new` takes the required properties by name
        /// ([`StructDef::takes_named_args`]): the starting method's one argument, the models'
        /// `required::` struct, instead of `args` one by one.
        named_arg: Option<String>,
        setters: Vec<BodySetter>,
        form: bool,
    },
    /// Any JSON (the schema gives no struct); sent as JSON, or as a form when `form`.
    Json { form: bool },
    /// Text: a value of `ty` (a string or scalar), the starting method's `body` argument, sent
    /// as its text with the document's media type.
    Text { ty: Ty, media: String },
    /// Bytes, the starting method's `body` argument, sent unchanged with the document's media
    /// type.
    Bytes { media: String },
    /// A multipart body the user encodes (the runtime's `MultipartBody`: bytes and boundary),
    /// the starting method's `body` argument, sent with the document's media type and the
    /// boundary.
    Multipart { media: String },
    /// A `multipart/form-data` body of a generated form (`type_name`, in the models), the
    /// starting method's `body` argument, its parts encoded by the runtime.
    Form { media: String, type_name: String },
}

/// Another media type an operation takes or answers with, which the user may choose: a
/// builder method (`body_xml(bytes)`, `accept_xml()`).
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub method: String,
    pub media: String,
    pub doc: String,
}

/// The success body an operation answers with.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// JSON of this type.
    Json(Ty),
    /// JSON of this type, or nothing (`None`) for one of these statuses, declared without a
    /// body.
    JsonOrEmpty { ty: Ty, empty: Vec<u16> },
    /// Text parsed as `ty` (a string or scalar); `media` is asked for (`Accept`).
    Text { ty: Ty, media: String },
    /// Bytes, unchanged; `media` is asked for (`Accept`).
    Bytes { media: String },
}

/// An argument of the starting method: a required body property, in constructor order.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyArg {
    pub name: String,
    pub ty: Ty,
    pub boxed: bool,
    /// Required and nullable: the models' `new` takes an `Option` (`None` sends `null`).
    pub nullable: bool,
}

/// A builder setter of an optional body property.
#[derive(Debug, Clone, PartialEq)]
pub struct BodySetter {
    pub method: String,
    /// The models' setter it calls (`session_id`).
    pub model_setter: String,
    pub ty: Ty,
    pub boxed: bool,
    pub doc: String,
}

/// A `maxItems` constant.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    pub name: String,
    pub max: u64,
    pub doc: String,
}

/// Lowers the operations of `model` into the client model.
pub fn lower(model: &Model, context: &ClientContext) -> ClientModel {
    let paths: Vec<&[Segment]> = model.operations.iter().map(|o| o.path.segments()).collect();
    // Paths that another operation's path extends (so a POST there is not an action).
    let extended: BTreeSet<&[Segment]> = paths
        .iter()
        .flat_map(|p| (0..p.len()).map(move |n| &p[..n]))
        .collect();
    let placements: Vec<(&[Segment], String)> = model
        .operations
        .iter()
        .zip(&paths)
        .map(|(op, path)| {
            let (len, method) = placement(op, path, &extended);
            (&path[..len], method)
        })
        .collect();
    let mut tree = Tree::new(&placements);
    let mut types = Scope::with_taken(
        CLIENT_MODULE_TYPES.iter().copied().chain(
            CLIENT_API
                .iter()
                .chain(CLIENT_GRAPH_API)
                .map(|(name, _)| *name),
        ),
    );
    let mut nodes = tree.nodes(&mut types);
    let doc_context = DocContext {
        nodes: &nodes,
        context,
    };
    let builders: Vec<Builder> = model
        .operations
        .iter()
        .zip(&paths)
        .zip(&placements)
        .map(|((op, path), (node_path, method))| {
            let node = tree.index[node_path];
            let names = Names {
                type_name: types.unique(&format!("{}Request", op.name), Case::Pascal),
                method: tree.scopes[node].unique(method, Case::Snake),
                node,
            };
            builder(model, op, path, names, &doc_context)
        })
        .collect();
    for (i, b) in builders.iter().enumerate() {
        nodes[b.node].operations.push(i);
    }
    let doc = docs::client_doc(model, nodes.first(), &builders);
    ClientModel {
        base_url: model.base_url.clone(),
        doc,
        nodes,
        builders,
    }
}

/// A builder's names, settled by [`lower`].
struct Names {
    type_name: String,
    method: String,
    node: usize,
}

/// What the docs of a builder read: the navigation to it and the crate paths of examples.
struct DocContext<'a> {
    nodes: &'a [Node],
    context: &'a ClientContext<'a>,
}

fn builder(
    model: &Model,
    op: &Operation,
    path: &[Segment],
    names: Names,
    doc_context: &DocContext,
) -> Builder {
    let Inputs {
        steps,
        params,
        body,
        body_struct,
        mut scope,
    } = inputs(model, op, path);
    let body_alternatives = op
        .request_body
        .iter()
        .flat_map(|b| &b.alternatives)
        .map(|media| Alternative {
            method: scope.unique(&format!("body_{}", media_suffix(media)), Case::Snake),
            media: media.clone(),
            doc: format!("Sends `body`, unchanged, as `{media}`, instead of the body the arguments and setters make: another media type the operation takes."),
        })
        .collect();
    let accept_alternatives = op
        .response
        .iter()
        .flat_map(|b| &b.alternatives)
        .map(|media| Alternative {
            method: scope.unique(&format!("accept_{}", media_suffix(media)), Case::Snake),
            media: media.clone(),
            doc: format!("Asks for the response as `{media}` (`Accept`), another media type the operation answers with: the request then answers with the body's bytes, unchanged, instead of the usual output."),
        })
        .collect();
    let call = docs::example_call(
        model,
        op,
        &names,
        doc_context,
        &params,
        body.as_ref(),
        body_struct,
    );
    let example = docs::example(op, &call, doc_context);
    let start = match &doc_context.nodes[names.node].type_name {
        Some(node) => format!("{node}::{}", names.method),
        None => format!("Client::{}", names.method),
    };
    Builder {
        builder_doc: format!(
            "The `{}` request: `{} {}{}`. Start it with [`{}`]({start}).",
            op.operation_id,
            op.method,
            op.path,
            fixed_query_text(&op.fixed_query),
            names.method
        ),
        type_name: names.type_name,
        method: names.method,
        node: names.node,
        http_method: op.method,
        steps,
        params,
        body,
        output: op.response.as_ref().map(|r| match &r.media {
            Media::Json | Media::Form if !op.empty_statuses.is_empty() => Output::JsonOrEmpty {
                ty: r.ty.clone(),
                empty: op.empty_statuses.clone(),
            },
            Media::Json | Media::Form => Output::Json(r.ty.clone()),
            Media::Text(media) => Output::Text {
                ty: r.ty.clone(),
                media: media.clone(),
            },
            Media::Bytes(media) | Media::Multipart(media) => Output::Bytes {
                media: media.clone(),
            },
        }),
        json_content_type: op
            .request_body
            .as_ref()
            .filter(|b| b.media == Media::Json)
            .and_then(|b| b.json_media.clone()),
        json_accept: op
            .response
            .as_ref()
            .filter(|r| r.media == Media::Json)
            .and_then(|r| r.json_media.clone()),
        body_alternatives,
        accept_alternatives,
        idempotent: op.idempotent,
        operation_id: op.operation_id.clone(),
        path_template: op.path.clone(),
        fixed_query: op.fixed_query.clone(),
        security: op.security.clone(),
        doc: docs::method_doc(op),
        example,
        call,
        limits: body_struct.map(limits).unwrap_or_default(),
        paging: op.paging.clone(),
    }
}

/// The fixed query as the docs show it (`?beta=true`), empty when there is none.
fn fixed_query_text(query: &[(String, String)]) -> String {
    let pairs: Vec<String> = query.iter().map(|(n, v)| format!("{n}={v}")).collect();
    match pairs.is_empty() {
        true => String::new(),
        false => format!("?{}", pairs.join("&")),
    }
}

/// A request's inputs, named as its builder names them: the path's steps, the query, header
/// and cookie parameters, and the body. A server reads the same inputs into fields of these
/// names, and a receiver (a webhook or callback, which has no builder) gets its names here.
pub struct Inputs<'m> {
    pub steps: Vec<Step>,
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    /// The models struct of a JSON or form body.
    pub body_struct: Option<&'m StructDef>,
    /// The builder's names so far (its other methods are named after these).
    pub scope: Scope,
}

/// The inputs of `op` at `path`.
pub fn inputs<'m>(model: &'m Model, op: &Operation, path: &[Segment]) -> Inputs<'m> {
    let steps = steps(path);
    // Names on the builder: fixed methods first, then path fields, query options, body setters.
    let mut scope = Scope::with_taken(BUILDER_NAMES.iter().chain(STD_METHODS).copied());
    if op.paging.is_some() {
        for method in PAGING_METHODS {
            scope.take(method);
        }
    }
    for step in &steps {
        if let Step::Parameter(p) = step {
            scope.take(&p.field);
        }
    }
    let params: Vec<Param> = op
        .params
        .iter()
        .map(|p| {
            let location = location_name(p.location);
            Param {
                wire: p.wire.clone(),
                location: p.location,
                field: param_field(&mut scope, p.wire.trim_start_matches('$'), location),
                ty: match param_ty(model, &p.ty) {
                    ParamTy::List { item, .. } => ParamTy::List {
                        item,
                        style: p.array_style,
                    },
                    ty => ty,
                },
                required: p.required,
                // A query option is named as it is; a header or cookie says which it is.
                doc: {
                    let what = match p.location {
                        ParamLocation::Query => format!("`{}`", p.wire),
                        _ => format!("`{}` {location}", p.wire),
                    };
                    match &p.description {
                        Some(d) => format!("{what}: {d}"),
                        None => format!("The {what}."),
                    }
                },
            }
        })
        .collect();
    // The starting method's arguments: required parameters, then the body's.
    let mut args = Scope::with_taken(
        params
            .iter()
            .filter(|p| p.required)
            .map(|p| p.field.as_str()),
    );
    let body_struct = body_struct(model, op);
    let body = op
        .request_body
        .as_ref()
        .map(|b| match (&b.media, body_struct) {
            (Media::Text(media), _) => RequestBody::Text {
                ty: b.ty.clone(),
                media: media.clone(),
            },
            (Media::Bytes(media), _) => RequestBody::Bytes {
                media: media.clone(),
            },
            (Media::Multipart(media), _) => match &b.ty {
                Ty::Named(type_name) => RequestBody::Form {
                    media: media.clone(),
                    type_name: type_name.clone(),
                },
                _ => RequestBody::Multipart {
                    media: media.clone(),
                },
            },
            (media, Some(s)) => model_body(s, &mut scope, &mut args, *media == Media::Form),
            (media, None) => RequestBody::Json {
                form: *media == Media::Form,
            },
        });
    Inputs {
        steps,
        params,
        body,
        body_struct,
        scope,
    }
}

/// The models struct of a JSON or form body.
fn body_struct<'m>(model: &'m Model, op: &Operation) -> Option<&'m StructDef> {
    let body = op.request_body.as_ref()?;
    if !matches!(body.media, Media::Json | Media::Form) {
        return None;
    }
    match &body.ty {
        Ty::Named(name) => match model.types.get(name) {
            Some(TypeDef::Struct(s)) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

fn model_body(s: &StructDef, scope: &mut Scope, args: &mut Scope, form: bool) -> RequestBody {
    RequestBody::Model {
        type_name: s.name.clone(),
        named_arg: s
            .takes_named_args()
            .then(|| param_field(args, "required", "body")),
        form,
        args: s
            .constructor_args()
            .map(|f| BodyArg {
                name: param_field(args, &f.name, "body"),
                ty: f.ty.clone(),
                boxed: f.boxed,
                nullable: f.nullable,
            })
            .collect(),
        setters: s
            .setter_fields()
            .map(|f| BodySetter {
                method: body_setter(scope, f),
                model_setter: f.setter(),
                ty: f.ty.clone(),
                boxed: f.boxed,
                doc: format!("Sets `{}` in the request body.", f.wire),
            })
            .collect(),
    }
}

/// A builder's setter of a body property: the models' setter's name, so one name sets the
/// property on the body and on the builder. Where the builder has that name already (its own
/// `send` or `body`, a parameter's field), the name gets a trailing `_`, as in the models
/// (`body_`, [`crate::names::setter`]), and is numbered if that is taken too.
fn body_setter(scope: &mut Scope, field: &Field) -> String {
    let setter = field.setter();
    let name = if !scope.is_taken(&setter) {
        setter
    } else {
        let marked = format!("{}_", setter.trim_end_matches('_'));
        if scope.is_taken(&marked) {
            return scope.unique(&field.name, Case::Snake);
        }
        marked
    };
    scope.take(&name);
    name
}

/// A parameter's field name: its own, or, when a path parameter or another parameter has it
/// already (or the builder uses it for itself: `body`, `send`, `client`), the name with its
/// location (`id_query`, `client_header`), numbered only if that is taken too.
fn param_field(scope: &mut Scope, wire: &str, location: &str) -> String {
    let own = ident(wire, Case::Snake);
    if scope.is_taken(&own) {
        scope.unique(&format!("{own}_{location}"), Case::Snake)
    } else {
        scope.unique(wire, Case::Snake)
    }
}

/// What names a media type's method: its essence without `application/` (`application/xml`
/// → `xml`, `text/plain` → `text_plain`), `*/*` as `any`.
fn media_suffix(media: &str) -> String {
    let essence = media.split(';').next().unwrap_or(media).trim();
    match essence {
        "*/*" => "any".to_owned(),
        _ => ident(essence.trim_start_matches("application/"), Case::Snake),
    }
}

fn location_name(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

fn param_ty(model: &Model, ty: &Ty) -> ParamTy {
    match ty {
        Ty::Array(item) => ParamTy::List {
            // An array of arrays or objects is not serialized (a warning): its items are the
            // text to send.
            item: Box::new(match param_ty(model, item) {
                ParamTy::List { .. } => ParamTy::String,
                item => item,
            }),
            style: ArrayStyle::Joined(","),
        },
        Ty::Bool => ParamTy::Bool,
        Ty::I32 => ParamTy::I32,
        Ty::I64 => ParamTy::I64,
        Ty::F64 => ParamTy::F64,
        Ty::Option(inner) => param_ty(model, inner),
        // Written through `Display`: an enum's wire text, a union's variant text.
        Ty::Named(name)
            if matches!(
                model.types.get(name),
                Some(TypeDef::Enum(_) | TypeDef::Union(_))
            ) =>
        {
            ParamTy::Enum(name.clone())
        }
        other => match other.integer() {
            Some(name) => ParamTy::Integer(name),
            None => ParamTy::String,
        },
    }
}

fn limits(s: &StructDef) -> Vec<Limit> {
    s.fields
        .iter()
        .filter_map(|f| {
            Some(Limit {
                // Through names.rs like every identifier: `2fa` becomes `_2FA_MAX_ITEMS`.
                name: ident(&format!("{}_max_items", f.name), Case::Snake).to_uppercase(),
                max: f.max_items?,
                doc: format!(
                    "The most items `{}` may hold (the schema's `maxItems`).",
                    f.wire
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
