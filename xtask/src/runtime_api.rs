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
    "Flags",
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

/// Types a generated client module defines itself besides navigation nodes and builders.
pub const CLIENT_MODULE_TYPES: &[&str] = &["Client", "ClientBuilder"];

/// The methods the runtime's `client!` gives a generated `Client`: its whole surface besides
/// navigation (it has no `Deref`).
pub const CLIENT_METHODS: &[&str] = &[
    "new",
    "builder",
    "base_url",
    "build_request",
    "authorize",
    "send",
];

/// A request builder's own fields and the methods the runtime gives it (`request_builder!`,
/// the `Operation` trait), which no query option, body setter or path field may take.
pub const BUILDER_NAMES: &[&str] = &[
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
pub const PAGING_METHODS: &[&str] = &["pages", "items"];
