//! The client model: the operations of a [`Model`] lowered into what the client code is made
//! of, with every decision taken: the navigation tree (nodes, their type names, their child
//! methods), each operation's path steps with their parameters (the path template is parsed
//! here, once), every method, builder, field and setter name, the query options, the body's
//! constructor arguments and setters (as the models take them: [`StructDef::constructor_args`],
//! [`StructDef::setter_fields`], [`Field::setter`]), the output type, idempotence, and the docs
//! text. `emit_client` only prints it.

use crate::model::{
    ArrayStyle, EnumKind, Field, Media, Model, Operation, Paging, ParamLocation, StructDef, Ty,
    TypeDef,
};
use crate::names::{Case, STD_METHODS, Scope, ident};
use std::collections::{BTreeMap, BTreeSet};

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
    /// The type (`UsersItemPresenceRequestBuilder`); `None` for the client itself.
    pub type_name: Option<String>,
    /// The path it stands for (`/users/{user-id}/presence`).
    pub path: String,
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
    /// `GET`, `POST`, …
    pub http_method: String,
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
    pub path_template: String,
    /// The starting method's docs (summary, method and path, description, permissions).
    pub doc: String,
    /// A `no_run` example that compiles, line by line.
    pub example: Vec<String>,
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

/// Names the generated module defines besides node and builder types.
const MODULE_TYPES: &[&str] = &["Client", "ClientBuilder"];

/// The methods the client has before navigation (its own and the runtime client's).
const CLIENT_METHODS: &[&str] = &[
    "new",
    "builder",
    "base_url",
    "build_request",
    "authorize",
    "send",
];

/// The builder's fields and methods that are not query options or body setters.
const BUILDER_NAMES: &[&str] = &[
    "client",
    "base",
    "body",
    "client_request_id",
    "send",
    "send_with_response",
    "to_request",
    "parse_response",
    "idempotent",
    "new",
];

/// The methods a pageable builder has besides those (the runtime's `pageable!`).
const PAGING_METHODS: [&str; 2] = ["pages", "items"];

/// A path segment before names are settled.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
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

/// A path's steps, with the parameters' field names settled: unique along the path, and
/// never a name the builders use for their own fields and methods (a parameter `{body}`).
fn steps(path: &[Segment]) -> Vec<Step> {
    let mut scope = Scope::with_taken(BUILDER_NAMES.iter().copied());
    path.iter()
        .map(|s| match s {
            Segment::Literal(l) => Step::Literal(l.clone()),
            Segment::Parameter(p) => Step::Parameter(PathParam {
                wire: p.clone(),
                field: scope.unique(p, Case::Snake),
            }),
        })
        .collect()
}

fn path_text(path: &[Segment]) -> String {
    path.iter()
        .map(|s| match s {
            Segment::Literal(l) => format!("/{l}"),
            Segment::Parameter(p) => format!("/{{{p}}}"),
        })
        .collect()
}

/// Where an operation hangs: its node's path and the starting method's wanted name. GET,
/// PATCH, PUT and DELETE hang on their own path; a POST to a path that nothing else extends is
/// an action, named after its last segment, on the parent path.
fn placement(op: &Operation, path: &[Segment], extended: &BTreeSet<&[Segment]>) -> (usize, String) {
    match (op.method.as_str(), path.last()) {
        ("POST", Some(Segment::Literal(last))) if !extended.contains(path) => {
            (path.len() - 1, literal_name(last).to_owned())
        }
        (method, _) => (path.len(), method.to_lowercase()),
    }
}

/// What a literal segment is named after: a namespaced one (Graph's
/// `microsoft.graph.reauthorize`, every dotted part a name) by its last part; any other
/// (`$count`, `v1.0`) whole, made an identifier by `names.rs`.
fn literal_name(segment: &str) -> &str {
    let namespaced = segment.contains('.')
        && segment
            .split('.')
            .all(|part| part.starts_with(|c: char| c.is_ascii_alphabetic()));
    match segment.rsplit('.').next() {
        Some(last) if namespaced => last,
        _ => segment,
    }
}

/// The type name a node would like (`UsersItemPresenceRequestBuilder`).
fn wanted_node_type_name(path: &[Segment]) -> String {
    let mut name: String = path
        .iter()
        .map(|s| match s {
            Segment::Literal(l) => ident(literal_name(l), Case::Pascal),
            Segment::Parameter(_) => "Item".to_owned(),
        })
        .collect();
    name.push_str("RequestBuilder");
    name
}

/// Lowers the operations of `model` into the client model.
pub fn lower(model: &Model, context: &ClientContext) -> ClientModel {
    let paths: Vec<Vec<Segment>> = model.operations.iter().map(|o| segments(&o.path)).collect();
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
    let mut types = Scope::with_taken(MODULE_TYPES.iter().copied());
    let mut nodes = tree.nodes(&mut types);
    let docs = Docs {
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
            builder(model, op, path, names, &docs)
        })
        .collect();
    for (i, b) in builders.iter().enumerate() {
        nodes[b.node].operations.push(i);
    }
    let doc = client_doc(model, nodes.first(), &builders);
    ClientModel {
        base_url: model.base_url.clone(),
        doc,
        nodes,
        builders,
    }
}

/// The `Client` type's docs: what it is a client of, where it sends, where requests start.
fn client_doc(model: &Model, root: Option<&Node>, builders: &[Builder]) -> String {
    let title = model.title.split_whitespace().collect::<Vec<_>>().join(" ");
    let what = if title.is_empty() {
        "A client".to_owned()
    } else {
        format!("A client for {title}")
    };
    let base = match &model.base_url {
        Some(url) => format!("It sends to `{url}` unless `ClientBuilder::base_url` says otherwise."),
        None => "The document declares no server the client can use: set the base URL with `ClientBuilder::base_url`.".to_owned(),
    };
    let starts: Vec<String> = root
        .into_iter()
        .flat_map(|root| {
            let children = root.children.iter().map(|c| &c.method);
            let operations = root.operations.iter().map(|&i| &builders[i].method);
            children.chain(operations)
        })
        .map(|method| format!("[`Client::{method}`]"))
        .collect();
    let starts = match starts.is_empty() {
        true => String::new(),
        false => format!("; start requests from {}", starts.join(", ")),
    };
    format!("{what}. Cheap to clone (shared internally){starts}.\n\n{base}")
}

/// The navigation tree while it is settled: every prefix of every placement, in path order.
struct Tree<'a> {
    paths: Vec<&'a [Segment]>,
    index: BTreeMap<&'a [Segment], usize>,
    /// Each node's method names (navigation first, then operations).
    scopes: Vec<Scope>,
}

impl<'a> Tree<'a> {
    fn new(placements: &[(&'a [Segment], String)]) -> Self {
        let mut set = BTreeSet::new();
        for (path, _) in placements {
            set.extend((0..=path.len()).map(|n| &path[..n]));
        }
        let paths: Vec<&[Segment]> = set.into_iter().collect();
        let index = paths.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let scopes = paths
            .iter()
            .map(|p| match p.is_empty() {
                true => Scope::with_taken(CLIENT_METHODS.iter().chain(STD_METHODS).copied()),
                false => Scope::with_taken(STD_METHODS.iter().copied()),
            })
            .collect();
        Tree {
            paths,
            index,
            scopes,
        }
    }

    /// The nodes with their type names, fields and navigation methods.
    fn nodes(&mut self, types: &mut Scope) -> Vec<Node> {
        let mut nodes: Vec<Node> = self
            .paths
            .iter()
            .map(|path| Node {
                type_name: (!path.is_empty())
                    .then(|| types.unique(&wanted_node_type_name(path), Case::Pascal)),
                path: path_text(path),
                fields: steps(path)
                    .into_iter()
                    .filter_map(|s| match s {
                        Step::Parameter(p) => Some(p.field),
                        Step::Literal(_) => None,
                    })
                    .collect(),
                parent: None,
                children: Vec::new(),
                operations: Vec::new(),
            })
            .collect();
        let parents: Vec<usize> = self
            .paths
            .iter()
            .skip(1)
            .map(|path| self.index[&path[..path.len() - 1]])
            .collect();
        let mut parameter_children = vec![0; nodes.len()];
        for (path, parent) in self.paths.iter().skip(1).zip(&parents) {
            if matches!(path.last(), Some(Segment::Parameter(_))) {
                parameter_children[*parent] += 1;
            }
        }
        for (i, parent) in (1..).zip(parents) {
            let child = self.child(parent, i, parameter_children[parent] > 1);
            nodes[i].parent = Some(parent);
            nodes[parent].children.push(child);
        }
        nodes
    }

    /// The method from `parent` to node `i`: a literal's name, or `by_id` (`by_{name}` when
    /// the parent has more than one parameter child).
    fn child(&mut self, parent: usize, i: usize, named_by_parameter: bool) -> Child {
        let path = self.paths[i];
        let (raw, parameter, doc) = match steps(path).pop() {
            Some(Step::Parameter(p)) => (
                if named_by_parameter {
                    format!("by_{}", p.wire)
                } else {
                    "by_id".to_owned()
                },
                Some(p.clone()),
                format!(
                    "`/{{{}}}`: the item with this id (percent-encoded as exactly one path segment).",
                    p.wire
                ),
            ),
            Some(Step::Literal(l)) => (
                literal_name(&l).to_owned(),
                None,
                format!("`{}`", path_text(path)),
            ),
            None => (String::new(), None, String::new()),
        };
        Child {
            method: self.scopes[parent].unique(&raw, Case::Snake),
            node: i,
            parameter,
            doc,
        }
    }
}

/// A builder's names, settled by [`lower`].
struct Names {
    type_name: String,
    method: String,
    node: usize,
}

/// What the docs of a builder read: the navigation to it and the crate paths of examples.
struct Docs<'a> {
    nodes: &'a [Node],
    context: &'a ClientContext<'a>,
}

fn builder(model: &Model, op: &Operation, path: &[Segment], names: Names, docs: &Docs) -> Builder {
    let steps = steps(path);
    // Names on the builder: fixed methods first, then path fields, query options, body setters.
    let mut scope = Scope::with_taken(BUILDER_NAMES.iter().chain(STD_METHODS).copied());
    if op.paging.is_some() {
        scope.take(PAGING_METHODS[0]);
        scope.take(PAGING_METHODS[1]);
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
            (Media::Multipart(media), _) => RequestBody::Multipart {
                media: media.clone(),
            },
            (media, Some(s)) => model_body(s, &mut scope, &mut args, *media == Media::Form),
            (media, None) => RequestBody::Json {
                form: *media == Media::Form,
            },
        });
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
    let example = example(model, op, &names, docs, &params, body_struct);
    let start = match &docs.nodes[names.node].type_name {
        Some(node) => format!("{node}::{}", names.method),
        None => format!("Client::{}", names.method),
    };
    Builder {
        builder_doc: format!(
            "The `{}` request: `{} {}`. Start it with [`{}`]({start}).",
            op.operation_id, op.method, op.path, names.method
        ),
        type_name: names.type_name,
        method: names.method,
        node: names.node,
        http_method: op.method.clone(),
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
        doc: method_doc(op),
        example,
        limits: body_struct.map(limits).unwrap_or_default(),
        paging: op.paging.clone(),
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

/// Summary, method and path, description, permissions.
fn method_doc(op: &Operation) -> String {
    let mut text = String::new();
    if let Some(summary) = &op.summary {
        text.push_str(summary.trim_end_matches('.'));
        text.push_str(".\n\n");
    }
    text.push_str(&match op.operation_id_declared {
        true => format!(
            "`{} {}` (operationId `{}`).",
            op.method, op.path, op.operation_id
        ),
        false => format!("`{} {}` (no operationId).", op.method, op.path),
    });
    if let Some(description) = &op.description {
        text.push_str("\n\n");
        text.push_str(description);
    }
    if let Some((typed, others)) = &op.untyped_statuses {
        let others: Vec<String> = others.iter().map(|s| format!("`{s}`")).collect();
        text.push_str(&format!(
            "\n\nThe output is the `{typed}` response's body. A {} response has another body, which is not typed: it is read as the `{typed}` body too, so it may fail to decode (`send_with_response` shows the status).",
            others.join(" or ")
        ));
    }
    if let Some(paging) = &op.paging {
        let resend = match op.method.as_str() {
            "GET" => String::new(),
            method => format!(" (the `{method}` is not repeated, as in Graph's SDKs)"),
        };
        text.push_str(&format!(
            "\n\nThe answer comes in pages: `send()` gives the first, `items()` streams every `{}` item of every page and `pages()` every whole page. Each next page is a GET of the previous page's `{}`{resend}, followed only to the base URL's origin (scheme, host and port).",
            paging.items.wire, paging.next_link.wire
        ));
    }
    // Only a document that states permissions (Graph's `x-graph-permissions`) says them.
    if let Some(permissions) = &op.permissions {
        text.push_str(&format!(
            "\n\nLeast-privileged permissions: delegated {}; application {}.",
            permission_list(&permissions.delegated),
            permission_list(&permissions.application)
        ));
    }
    text
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

/// A `no_run` example that compiles: navigation to the operation with placeholder arguments.
fn example(
    model: &Model,
    op: &Operation,
    names: &Names,
    docs: &Docs,
    params: &[Param],
    body: Option<&StructDef>,
) -> Vec<String> {
    let mut call = String::from("client");
    for child in navigation(docs.nodes, names.node) {
        match &child.parameter {
            // A literal, escaped: the wire name is schema text.
            Some(p) => call.push_str(&format!(".{}({:?})", child.method, p.wire)),
            None => call.push_str(&format!(".{}()", child.method)),
        }
    }
    let models = docs.context.example_models;
    let mut args: Vec<String> = params
        .iter()
        .filter(|p| p.required)
        .map(|p| param_example(model, &p.ty))
        .collect();
    args.extend(body.into_iter().flat_map(StructDef::constructor_args).map(
        |f: &Field| match &f.ty {
            Ty::Array(item) => format!("[{}]", example_value(model, item, models, 1)),
            ty => example_value(model, ty, models, 0),
        },
    ));
    match op.request_body.as_ref().map(|b| (&b.media, &b.ty)) {
        Some((Media::Text(_), ty)) => args.push(example_value(model, ty, models, 0)),
        Some((Media::Bytes(_), _)) => args.push("vec![0_u8, 1, 2]".to_owned()),
        Some((Media::Multipart(_), _)) => args.push(format!(
            "{}::MultipartBody::new(\"boundary\", b\"--boundary--\".to_vec())",
            docs.context.example_client
        )),
        _ => {}
    }
    call.push_str(&format!(".{}({})", names.method, args.join(", ")));
    let binding = if op.response.is_some() {
        "let response = "
    } else {
        ""
    };
    let client = docs.context.example_client;
    vec![
        "```no_run".to_owned(),
        format!("# async fn example(client: {client}::Client) -> Result<(), {client}::Error> {{"),
        format!("{binding}{call}.send().await?;"),
        "# Ok(()) }".to_owned(),
        "```".to_owned(),
    ]
}

/// The navigation methods from the client to node `target`.
pub fn navigation(nodes: &[Node], target: usize) -> Vec<&Child> {
    let mut chain = Vec::new();
    let mut at = target;
    while let Some(parent) = nodes[at].parent {
        chain.extend(nodes[parent].children.iter().find(|c| c.node == at));
        at = parent;
    }
    chain.reverse();
    chain
}

fn param_example(model: &Model, ty: &ParamTy) -> String {
    match ty {
        ParamTy::List { item, .. } => format!("[{}]", param_example(model, item)),
        ParamTy::Bool => "true".to_owned(),
        ParamTy::I32 | ParamTy::I64 | ParamTy::Integer(_) => "1".to_owned(),
        ParamTy::F64 => "1.0".to_owned(),
        ParamTy::Enum(name) => example_value(model, &Ty::Named(name.clone()), "", 0),
        ParamTy::String => "\"…\"".to_owned(),
    }
}

fn example_value(model: &Model, ty: &Ty, models: &str, depth: usize) -> String {
    match ty {
        Ty::String => "\"…\"".to_owned(),
        Ty::Bool => "true".to_owned(),
        Ty::I8 | Ty::I16 | Ty::I32 | Ty::I64 | Ty::U8 | Ty::U16 | Ty::U32 | Ty::U64 => {
            "1".to_owned()
        }
        Ty::F64 => "1.0".to_owned(),
        Ty::Any => "serde_json::json!({})".to_owned(),
        Ty::Array(item) => format!("vec![{}]", example_value(model, item, models, depth + 1)),
        Ty::Option(inner) => format!("Some({})", example_value(model, inner, models, depth + 1)),
        Ty::Named(name) => match model.types.get(name) {
            Some(TypeDef::Enum(e)) => {
                let first = e.variants.first().map(|v| v.wire.as_str());
                match e.kind {
                    EnumKind::String => format!("{:?}", first.unwrap_or("value")),
                    EnumKind::Integer => format!("{}_i64", first.unwrap_or("0")),
                }
            }
            Some(TypeDef::Struct(s)) if depth < 4 => {
                let args: Vec<String> = s
                    .constructor_args()
                    .map(|f| example_value(model, &f.ty, models, depth + 1))
                    .collect();
                format!("{models}::{name}::new({})", args.join(", "))
            }
            _ => "todo!()".to_owned(),
        },
        // One member (a set converts from one of its enum's values).
        Ty::Flags(member) => match member.as_ref() {
            Ty::Named(name) => format!(
                "{models}::{name}::from({})",
                example_value(model, member, models, depth + 1)
            ),
            _ => "todo!()".to_owned(),
        },
        // A literal the type accepts (`todo!()` cannot stand where `impl Into<_>` is taken).
        Ty::Timestamp => format!(
            "{models}::Timestamp::parse(\"2026-03-20T11:00:00Z\").expect(\"an RFC 3339 date-time\")"
        ),
        Ty::Duration => {
            format!("{models}::IsoDuration::parse(\"PT1H\").expect(\"an ISO 8601 duration\")")
        }
        Ty::Map(_) => "todo!()".to_owned(),
    }
}

#[cfg(test)]
mod tests;
