//! The intermediate model ("type space"): the schema after validation, with every name
//! resolved to a Rust identifier, every collision settled and everything in a fixed order.
//! The emitters read only this; they never look at the OpenAPI document.

pub use crate::openapi::{Example, HttpMethod, PathTemplate, Segment, Wire};
use std::collections::BTreeMap;

/// Everything the emitters need, in output order.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// `info.title` of the document.
    pub title: String,
    /// The client's default base URL (the document's first server, resolved), without a
    /// trailing slash; `None` when the document gives none the client can use.
    pub base_url: Option<String>,
    /// Types keyed by Rust name (so output is sorted and names are unique).
    pub types: BTreeMap<String, TypeDef>,
    /// The typed parts of `multipart/form-data` request bodies, keyed by Rust name (unique
    /// among the types' names too).
    pub forms: BTreeMap<String, FormDef>,
    /// Operations in path order, then method order.
    pub operations: Vec<Operation>,
    /// The requests the API makes to its users (webhooks, then the operations' callbacks, in
    /// document order), each an operation at the route its receiver serves it on.
    pub receivers: Vec<Receiver>,
    /// Every example embedded in the document, with the type that holds it.
    pub examples: Examples,
    /// What the generator could not represent faithfully, each saying what it did instead,
    /// in document order (see [`crate::document::Report`]).
    pub warnings: Vec<crate::document::Problem>,
    /// Whether the crates carry Graph's layer (detected, or forced by the command line).
    pub flavour: Flavour,
}

/// Whose settings the generated crates carry besides OpenAPI's: Graph's layer of the client
/// runtime (clouds, API versions, the presence rate limit, `azure_identity`), or none. Decided
/// by [`crate::lower::flavour`] from the document, unless the command line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavour {
    /// Any API: nothing of Graph's.
    #[default]
    Plain,
    /// A Microsoft Graph document: the client enables the runtime's `graph` feature and
    /// re-exports Graph's names.
    Graph,
}

/// A request the API makes to its users: what the generated server's receiver takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Receiver {
    pub kind: ReceiverKind,
    /// Its operation; `path` is the route the receiver serves it on (`/newPet`,
    /// `/onData/data`), unique among the receivers.
    pub operation: Operation,
}

/// Where a receiver comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiverKind {
    /// A 3.1 webhook, sent to a URL registered out of band.
    Webhook { name: String },
    /// A 3.0 callback of operation `operation_id`, sent to the URL `expression` names.
    Callback {
        operation_id: String,
        name: String,
        expression: String,
    },
}

/// The document's examples: those to check, in document order and without repeats of the
/// same value for the same type, and how many were skipped for each reason (none is dropped
/// silently).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Examples {
    pub checked: Vec<TypedExample>,
    pub skipped: BTreeMap<&'static str, usize>,
    /// Examples equal (value and type) to one listed earlier.
    pub repeated: usize,
}

/// An example and the type that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedExample {
    /// Where it is: the JSON pointer of its `example`, or of its entry in `examples`.
    pub pointer: String,
    pub ty: Ty,
    /// The example as JSON text.
    pub json: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    Struct(StructDef),
    Enum(EnumDef),
    Union(UnionDef),
}

impl TypeDef {
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.name,
            TypeDef::Enum(e) => &e.name,
            TypeDef::Union(u) => &u.name,
        }
    }
}

/// An object schema.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    pub name: String,
    /// Where the schema came from (a component key, or the operation that declares it inline).
    pub origin: String,
    pub description: Option<String>,
    /// The schema's `title`: the type's summary when it has no description.
    pub title: Option<String>,
    /// Own and inherited (`allOf`) properties: inherited first, then in schema order.
    pub fields: Vec<Field>,
    pub additional: Additional,
    /// The traits beyond `Clone`, `Debug` and `PartialEq` the type can derive, decided through
    /// every type it holds.
    pub derives: Derives,
    /// The operationIds of the operations that use this type (through a query parameter, the
    /// request body or the 2XX response, directly or through other types), in operation
    /// order; for "Used by: …" in its docs. Empty for a type no operation reaches (an `allOf`
    /// base, whose fields are copied into its heirs, or an error body).
    pub used_by: Vec<String>,
}

/// The most required properties a models' `new` takes as positional arguments (see
/// [`StructDef::takes_named_args`]).
pub const MAX_POSITIONAL_ARGS: usize = 3;

impl StructDef {
    /// The arguments of `new`, in order: the required properties, in schema order. Both
    /// emitters call this, so a request builder passes them exactly as the models take them.
    pub fn constructor_args(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.required)
    }

    /// Whether `new` takes its required properties by name, as one struct in the models'
    /// `required` module, rather than as positional arguments: when there are more than
    /// [`MAX_POSITIONAL_ARGS`], or two of one type, a list a person cannot order safely and a
    /// schema change could silently reorder.
    pub fn takes_named_args(&self) -> bool {
        if self.derives.default {
            return false;
        }
        let args: Vec<&Field> = self.constructor_args().collect();
        args.len() > MAX_POSITIONAL_ARGS
            || args.iter().enumerate().any(|(i, a)| {
                args[i + 1..]
                    .iter()
                    .any(|b| (&a.ty, a.nullable, a.boxed) == (&b.ty, b.nullable, b.boxed))
            })
    }

    /// The field that keeps properties the schema does not name (unless the struct refuses
    /// them): `additional_properties`, or a numbered name if a property takes that one.
    pub fn extra_field(&self) -> String {
        let mut scope =
            crate::names::Scope::with_taken(self.fields.iter().map(|f| f.name.as_str()));
        scope.unique("additional_properties", crate::names::Case::Snake)
    }

    /// The properties set by name after construction.
    pub fn setter_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| !f.required)
    }
}

impl Field {
    /// The models' setter for an optional property: the field's name (`session_id`), with a
    /// trailing `_` where the struct already has a method of that name (`clone_`); the policy
    /// is [`crate::names::setter`]'s.
    pub fn setter(&self) -> String {
        crate::names::setter(&self.name, crate::names::is_model_method)
    }
}

/// Derivable traits, decided by whole-model analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Derives {
    /// No float anywhere inside (through references and inheritance).
    pub eq: bool,
    /// Likewise for `Hash`.
    pub hash: bool,
    /// No required property, so an empty value exists.
    pub default: bool,
}

/// What happens to properties the schema does not name.
#[derive(Debug, Clone, PartialEq)]
pub enum Additional {
    /// Kept as JSON values and written back (`additionalProperties` absent, `true`, or Graph's
    /// `{type: object}` idiom, which its SDKs read as "anything").
    Any,
    /// Kept, each decoded as this type.
    Typed(Ty),
    /// Rejected with an error (`additionalProperties: false`).
    Deny,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The Rust field name (snake case, sanitized, unique in the struct).
    pub name: String,
    /// The JSON property name, exactly.
    pub wire: String,
    pub ty: Ty,
    /// In the schema's `required` list: absence is an error.
    pub required: bool,
    /// `nullable: true` (or the `anyOf` nullable wrapper): `null` is a value of its own.
    pub nullable: bool,
    /// Box the value because the field's type contains this struct (a recursive schema).
    pub boxed: bool,
    /// `readOnly`: sent by the service, ignored in requests (documented; the field is
    /// still a constructor argument when required, since responses carry it).
    pub read_only: bool,
    /// `writeOnly`: sent by clients, never returned (documented).
    pub write_only: bool,
    /// `default`, as JSON text: documented and published in the JSON Schema, never filled in
    /// (an absent property stays absent, so it is written back absent).
    pub default: Option<String>,
    pub description: Option<String>,
    pub max_items: Option<u64>,
}

/// The parts of a `multipart/form-data` body whose schema is an object: one field per
/// property, each a file part or a value part (text, or JSON for objects).
#[derive(Debug, Clone, PartialEq)]
pub struct FormDef {
    pub name: String,
    /// The struct the body's schema lowers to, whose properties these are.
    pub origin: String,
    pub description: Option<String>,
    pub fields: Vec<FormField>,
}

/// One property of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormField {
    /// The Rust field name (the struct's).
    pub name: String,
    /// The part's name, exactly.
    pub wire: String,
    /// The value's type, for a value part (unused for a file).
    pub ty: Ty,
    /// `Some` for a binary string (`format: binary`, `contentMediaType`, `contentEncoding`),
    /// or an array of them.
    pub file: Option<FileShape>,
    pub required: bool,
    /// The document's `encoding.contentType` for it, one media type without wildcards.
    pub content_type: Option<String>,
    pub description: Option<String>,
}

/// How many files a file property holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileShape {
    One,
    Many,
}

/// An enum schema (of strings or integers), a `const`, or a string with
/// `x-graph-known-values`. Always open: a value outside the list is kept as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    pub name: String,
    pub origin: String,
    pub description: Option<String>,
    /// The schema's `title`, as [`StructDef::title`].
    pub title: Option<String>,
    pub variants: Vec<Variant>,
    /// The catch-all variant's name (usually `Other`; renamed if a member takes that name).
    pub other: String,
    /// From `enum` (true) or from `x-graph-known-values` (false); only changes the docs.
    pub declared_enum: bool,
    pub kind: EnumKind,
    /// `x-ms-enum-flags`: positions of this type hold [`Ty::Flags`], a comma-separated set of
    /// its values; the enum is one member.
    pub flags: bool,
    /// The operationIds of the operations that use this type, as [`StructDef::used_by`].
    pub used_by: Vec<String>,
}

/// `oneOf`, `anyOf` (other than Kiota's nullable wrapper), or a base with a `discriminator`
/// mapping (Graph's `@odata.type` polymorphism): one variant per alternative and a catch-all
/// that keeps, as sent, a value no alternative accepts. Which alternative a value decodes as
/// is the runtime's rule (`openapi_models_runtime::union`).
#[derive(Debug, Clone, PartialEq)]
pub struct UnionDef {
    pub name: String,
    pub origin: String,
    pub description: Option<String>,
    /// The schema's `title`, as [`StructDef::title`].
    pub title: Option<String>,
    /// The alternatives in the order they are tried (schema order).
    pub variants: Vec<UnionVariant>,
    /// The tag property (`discriminator.propertyName`) of a tagged union.
    pub tag: Option<String>,
    /// The variant an absent or unknown tag decodes as (a polymorphic base's own struct).
    pub default: Option<usize>,
    /// The catch-all variant's name (usually `Other`; renamed if an alternative takes it).
    pub other: String,
    /// Written as `anyOf` (true) or `oneOf` / a discriminator (false); only changes the docs.
    pub any_of: bool,
    pub derives: Derives,
    /// The operationIds of the operations that use this type, as [`StructDef::used_by`].
    pub used_by: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    pub name: String,
    pub ty: Ty,
    /// The tag values that choose it, in a tagged union.
    pub tags: Vec<String>,
    /// Box the value because it contains this union (a recursive schema).
    pub boxed: bool,
}

/// What an enum's values are on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumKind {
    String,
    /// JSON integers, held as `i64`.
    Integer,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub name: String,
    /// The value on the wire, of the enum's kind.
    pub wire: Wire,
    /// `x-ms-enum`'s description of the value, or its `oneOf` alternative's.
    pub description: Option<String>,
}

/// A property's type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ty {
    String,
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F64,
    /// `format: date-time`.
    Timestamp,
    /// `format: duration`.
    Duration,
    /// Any JSON value.
    Any,
    Array(Box<Ty>),
    Map(Box<Ty>),
    /// An array item or map value that may be `null`.
    Option(Box<Ty>),
    /// `x-ms-enum-flags`: a comma-separated set of the members of an enum (the `Named` inside).
    Flags(Box<Ty>),
    /// A generated type, by Rust name.
    Named(String),
}

impl Ty {
    /// The Rust integer type, for an integer (every one is `Eq` and `Hash`).
    pub fn integer(&self) -> Option<&'static str> {
        Some(match self {
            Ty::I8 => "i8",
            Ty::I16 => "i16",
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::U8 => "u8",
            Ty::U16 => "u16",
            Ty::U32 => "u32",
            Ty::U64 => "u64",
            _ => return None,
        })
    }
}

/// One operation (path + method).
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The operationId, or, when the document gives none, one made from the method and the
    /// path (`getUsersByUserIdPresence`), unique in the document.
    pub operation_id: String,
    /// Whether the document gave the operationId (docs say so only then).
    pub operation_id_declared: bool,
    /// The Rust name of the operation, Pascal case: its request builder is `{name}Request`. The
    /// operationId (`CommunicationsListPresences`), with an operation on one item of a
    /// collection named in the singular the document gives (`communications_GetPresences` on
    /// `/communications/presences/{presence-id}` is `CommunicationsGetPresence`).
    pub name: String,
    pub method: HttpMethod,
    pub path: PathTemplate,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// Query, header and cookie parameters, operation's own after the path item's (path
    /// parameters are read from the path template).
    pub params: Vec<Param>,
    pub request_body: Option<Body>,
    /// The documented examples of the request body, on the media type lowering chose (`$ref`s
    /// and `externalValue` files resolved), in document order: what the client's doc example
    /// fills the body with.
    pub request_examples: Vec<Example>,
    /// The type of the 2XX body, if it has one (the first 2xx response with a body).
    pub response: Option<Body>,
    /// The documented examples of that body, on the media type lowering chose.
    pub response_examples: Vec<Example>,
    /// Success statuses declared without a body beside a JSON `response` (`202`, `204`): the
    /// output is then optional, `None` for these.
    pub empty_statuses: Vec<u16>,
    /// Every response the operation declares, in document order: what a server answers.
    pub responses: Vec<Response>,
    /// Success statuses whose body differs from `response`'s and is not typed (`203` beside a
    /// `201`): such a response is read as that body (a warning says so, and so do the docs).
    pub untyped_statuses: Option<UntypedStatuses>,
    pub permissions: Option<Permissions>,
    /// Safe to send again after a failure: GET, HEAD, PUT, DELETE and OPTIONS by HTTP's
    /// semantics, and a POST or PATCH that the schema marks `x-graph-idempotent: true` (an
    /// action that sets state rather than adds it, a PATCH that sets a value).
    pub idempotent: bool,
    /// The response is one page of a collection (AutoRest's `x-ms-pageable`, or Graph's shape:
    /// a `value` array beside an `@odata.nextLink` string).
    pub paging: Option<Paging>,
    /// The query the path's key fixes (`/items/{id}?beta=true`): name and value, sent with
    /// every request and not an input.
    pub fixed_query: Vec<(String, String)>,
    /// The credentials the operation requires (its `security`, else the document's):
    /// alternatives of which any one suffices; an empty list requires none. `None` when that is
    /// the client's bearer token alone (only OAuth 2, OpenID Connect or HTTP bearer schemes,
    /// or no `security` at all), which the client sends without being told.
    pub security: Option<Vec<Vec<AuthScheme>>>,
    /// The document's `tags`: on a large document, the cargo features that compile the
    /// operation (see [`crate::tags`]).
    pub tags: Vec<String>,
}

/// A security scheme an operation requires: its name in `components/securitySchemes` and
/// what the client sends for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthScheme {
    pub name: String,
    pub kind: AuthKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthKind {
    /// The token provider's bearer token (HTTP bearer, OAuth 2, OpenID Connect, or a `$ref`
    /// to another document's scheme, not followed).
    Bearer,
    /// HTTP basic.
    Basic,
    /// An API key in this header, query parameter or cookie.
    Header(String),
    Query(String),
    Cookie(String),
    /// A scheme the client cannot apply (warned at its definition): nothing is sent for it.
    Other,
}

/// One declared response: its status key, body, headers and examples.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: Status,
    pub description: Option<String>,
    /// The body, on the media type lowering chose (`None`: no body, or none typed).
    pub body: Option<Body>,
    pub headers: Vec<ResponseHeader>,
    /// The documented examples of the body, on that media type.
    pub examples: Vec<Example>,
}

/// A response's key: a status code, a range (`2XX`: the class, 2), or `default`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Code(u16),
    Range(u8),
    Default,
}

impl Status {
    /// A key the reader accepted: `default`, `1XX`…`5XX` (any case), or a code.
    pub fn parse(key: &str) -> Status {
        match key.as_bytes() {
            [class @ b'1'..=b'5', x, y]
                if x.eq_ignore_ascii_case(&b'x') && y.eq_ignore_ascii_case(&b'x') =>
            {
                Status::Range(class - b'0')
            }
            _ => key.parse().map_or(Status::Default, Status::Code),
        }
    }
}

/// A header a response declares.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseHeader {
    /// Its name, as declared.
    pub wire: String,
    pub ty: Ty,
    pub required: bool,
    pub description: Option<String>,
}

/// Success statuses whose body is not the output's, read as the output's body anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UntypedStatuses {
    /// The status the output's body comes from (`201`).
    pub typed: String,
    /// The others, in document order (`203`).
    pub others: Vec<String>,
}

/// Which fields of a paged response's struct hold the next page's link and the items.
#[derive(Debug, Clone, PartialEq)]
pub struct Paging {
    pub next_link: PageField,
    pub items: PageField,
    /// The type of one item.
    pub item: Ty,
}

/// A field of a page struct: its Rust name and its JSON property name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageField {
    pub name: String,
    pub wire: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub wire: String,
    pub location: ParamLocation,
    pub ty: Ty,
    pub required: bool,
    pub description: Option<String>,
    /// How an array value is written (its `style` and `explode`).
    pub array_style: ArrayStyle,
    /// The parameter's documented examples.
    pub examples: Vec<Example>,
}

/// How a parameter's array value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayStyle {
    /// Each item as a parameter of its own (`?a=1&a=2`: `form` with `explode`, a query's
    /// default).
    Exploded,
    /// The items joined by this delimiter in one value (`,` for `form` without `explode` and
    /// for `simple`; ` ` for `spaceDelimited`, `|` for `pipeDelimited`).
    Joined(&'static str),
}

/// Where a non-path parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    Query,
    Header,
    Cookie,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The body's type: the schema's for JSON and forms, the scalar (or `String`) for text,
    /// and `Ty::Any`, unused, for bytes.
    pub ty: Ty,
    pub required: bool,
    /// How it travels.
    pub media: Media,
    /// A JSON body's media type as the document declares it, when that is not plain
    /// `application/json` (`application/vnd.example+json`, `application/json; charset=utf-8`):
    /// sent as its `Content-Type` or asked for with `Accept`.
    pub json_media: Option<String>,
    /// The content map's other media types, in document order, which the user may choose
    /// instead (sent or received as bytes); a request's `multipart/*` ones are left out.
    pub alternatives: Vec<String>,
}

/// How a body travels, chosen from its `content` map (JSON first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Media {
    /// JSON (`application/json` and its variants).
    Json,
    /// Text (`text/plain`, `text/*`): the value's text; the document's media type.
    Text(String),
    /// `application/x-www-form-urlencoded`: an object of scalars, as a form.
    Form,
    /// Bytes, unchanged, of the document's media type (`application/octet-stream`, `*/*`…).
    Bytes(String),
    /// `multipart/*`: bytes the user encodes, with the boundary they chose, when the body's
    /// type is `Ty::Any`; a `multipart/form-data` body whose type names a
    /// [`FormDef`] is that form's parts.
    Multipart(String),
}

/// Least-privileged permissions from `x-graph-permissions`; empty means not supported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Permissions {
    pub delegated: Vec<String>,
    pub application: Vec<String>,
}
