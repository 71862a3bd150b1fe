//! The runtime crates' boundary as generated code sees it, written once: what a generated
//! crate re-exports from each runtime (the runtime's user-facing surface, by name, never a
//! glob), and the names the runtime's macros and traits give generated types, which no
//! generated name may take. Everything else generated code reaches through each runtime's
//! hidden `__private` module. `tests/tests/suite/runtime_api.rs` holds these lists to the
//! runtimes' real exports.

/// The models runtime's user-facing surface: every name a generated models crate re-exports.
pub const MODELS_API: &[&str] = &[
    "DecodeError",
    "Extensions",
    "FilePart",
    "Flags",
    "FormError",
    "IsoDuration",
    "Nullable",
    "PropertyMap",
    "RawJson",
    "TimeParseError",
    "Timestamp",
    "excerpt",
    "from_slice",
    "from_str",
];

/// The client runtime's neutral surface: every name a generated client crate re-exports,
/// with the cargo feature the runtime gives it (a generated client crate has features of the
/// same names). The runtime's own `Client` and `ClientBuilder` are the rest of its surface: a
/// generated crate defines its own, which wrap them ([`CLIENT_MODULE_TYPES`]); Graph's layer
/// is [`CLIENT_GRAPH_API`].
pub const CLIENT_API: &[(&str, Option<&str>)] = &[
    ("AcceptAs", None),
    ("AccessToken", None),
    ("ApiError", None),
    ("BearerToken", None),
    ("BoxError", None),
    ("CLIENT_REQUEST_ID", None),
    ("Clock", None),
    ("DecodeFailure", None),
    ("Error", None),
    ("MultipartBody", None),
    ("NextLinkError", None),
    ("NextLinkProblem", None),
    ("Operation", None),
    ("Pageable", None),
    ("RETRY_ATTEMPT", None),
    ("RateLimit", None),
    ("RequestInfo", None),
    ("RetryPolicy", None),
    ("SendFailure", None),
    ("Sleep", None),
    ("TextFailure", None),
    ("TimeoutFailure", None),
    ("TokenFuture", None),
    ("TokenProvider", None),
    ("UnexpectedBody", None),
    ("is_retryable_status", None),
    ("retry_after", None),
    ("Items", Some("reqwest")),
    ("OutputFuture", Some("reqwest")),
    ("Pages", Some("reqwest")),
    ("ResponseFuture", Some("reqwest")),
    ("SystemClock", Some("reqwest")),
];

/// The client runtime's Graph layer (its `graph` feature), which only a client generated from
/// a Graph document ([`crate::model::Flavour::Graph`]) enables and re-exports, each name with
/// the cargo feature beyond `graph` the runtime gives it (the generated crate has it too).
pub const CLIENT_GRAPH_API: &[(&str, Option<&str>)] = &[
    ("ApiVersion", None),
    ("Cloud", None),
    ("GraphError", None),
    ("AzureCredential", Some("azure_identity")),
    ("REFRESH_MARGIN", Some("azure_identity")),
];

/// Types a generated client module defines itself besides navigation nodes and builders.
pub const CLIENT_MODULE_TYPES: &[&str] = &["Client", "ClientBuilder"];

/// The methods the runtime's `client!` gives a generated `Client`: its whole surface besides
/// navigation (it has no `Deref`).
pub const CLIENT_METHODS: &[&str] = &[
    "new",
    "builder",
    "base_url",
    "scope",
    "clock",
    "authorize",
    "runtime",
    "send",
];

/// A request builder's own fields (`base`, `body`; `client` and `new` kept free for clarity)
/// and the methods the runtime gives it (`request_builder!`, the `Operation` trait,
/// `IntoFuture`), which no query option, body setter or path field may take.
pub const BUILDER_NAMES: &[&str] = &[
    "client",
    "base",
    "body",
    "new",
    "client_request_id",
    "header",
    "send",
    "send_with_response",
    "to_request",
    "parse_response",
    "idempotent",
    "operation_id",
    "path_template",
    "security",
    "into_future",
];

/// The methods a pageable builder has besides those (the runtime's `pageable!`).
pub const PAGING_METHODS: &[&str] = &["pages", "items"];

/// The server runtime's user-facing surface: every name a generated server crate re-exports.
pub const SERVER_API: &[&str] = &[
    "Context",
    "Failure",
    "Multipart",
    "OperationInfo",
    "Permissions",
    "Router",
    "ServeSettings",
    "Settings",
    "serve",
];
