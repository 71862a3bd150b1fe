//! The generator's one list of each runtime's boundary (`xtask/src/runtime_api.rs`) against
//! the runtimes' real exports, read from their sources: a runtime's root (what is not
//! `#[doc(hidden)]`) is exactly what generated crates re-export, the methods the runtime's
//! macros give a generated `Client` and request builders are exactly the names the generator
//! keeps free for them, and a document whose paths and parameters are named like those
//! methods (`fixtures/valid/runtime_names.yaml`) keeps every one of them reachable.

use std::collections::BTreeSet;
use syn::{Attribute, Item, UseTree, Visibility};
use tests::root;
use xtask::runtime_api::{
    BUILDER_NAMES, CLIENT_API, CLIENT_GRAPH_API, CLIENT_METHODS, CLIENT_MODULE_TYPES, MODELS_API,
    PAGING_METHODS, SERVER_API,
};

fn parse(crate_dir: &str, file: &str) -> syn::File {
    let path = root().join(crate_dir).join("src").join(file);
    let text = std::fs::read_to_string(&path).expect("runtime source is readable");
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn hidden(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("doc")
            && a.parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "hidden")
    })
}

/// The names a `use` tree brings in (each leaf's own name, or its `as` name).
fn use_names(tree: &UseTree, names: &mut BTreeSet<String>) {
    match tree {
        UseTree::Path(path) => use_names(&path.tree, names),
        UseTree::Name(name) => {
            names.insert(name.ident.to_string());
        }
        UseTree::Rename(rename) => {
            names.insert(rename.rename.to_string());
        }
        UseTree::Group(group) => group.items.iter().for_each(|t| use_names(t, names)),
        UseTree::Glob(_) => panic!("a glob re-export at a runtime's root"),
    }
}

/// Whether an item is compiled only with the `graph` feature (or `azure_identity`, which
/// implies it): `#[cfg(feature = "graph")]`.
fn graph_only(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta.require_list().is_ok_and(|list| {
                let text = list.tokens.to_string();
                text == "feature = \"graph\"" || text == "feature = \"azure_identity\""
            })
    })
}

/// Every public name at a crate root that is not `#[doc(hidden)]`, whatever its cfg: the
/// user-facing surface; with `graph`, only what Graph's layer adds, else only the rest.
fn surface_of(crate_dir: &str, graph: bool) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for item in parse(crate_dir, "lib.rs").items {
        let (attrs, vis, ident) = match &item {
            Item::Use(u) => {
                if matches!(u.vis, Visibility::Public(_))
                    && !hidden(&u.attrs)
                    && graph_only(&u.attrs) == graph
                {
                    use_names(&u.tree, &mut names);
                }
                continue;
            }
            Item::Mod(m) => (&m.attrs, &m.vis, &m.ident),
            Item::Fn(f) => (&f.attrs, &f.vis, &f.sig.ident),
            Item::Struct(s) => (&s.attrs, &s.vis, &s.ident),
            Item::Enum(e) => (&e.attrs, &e.vis, &e.ident),
            Item::Trait(t) => (&t.attrs, &t.vis, &t.ident),
            Item::Const(c) => (&c.attrs, &c.vis, &c.ident),
            Item::Type(t) => (&t.attrs, &t.vis, &t.ident),
            _ => continue,
        };
        if matches!(vis, Visibility::Public(_)) && !hidden(attrs) && graph_only(attrs) == graph {
            names.insert(ident.to_string());
        }
    }
    names
}

/// The whole user-facing surface, Graph's layer included.
fn surface(crate_dir: &str) -> BTreeSet<String> {
    let mut names = surface_of(crate_dir, false);
    names.extend(surface_of(crate_dir, true));
    names
}

/// The macros of a file that `#[macro_export]` puts at the crate root without hiding them.
fn visible_macros(crate_dir: &str, file: &str) -> Vec<String> {
    parse(crate_dir, file)
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Macro(m)
                if m.attrs.iter().any(|a| a.path().is_ident("macro_export"))
                    && !hidden(&m.attrs) =>
            {
                m.ident.as_ref().map(ToString::to_string)
            }
            _ => None,
        })
        .collect()
}

/// The methods the macros of a file define: every `pub fn NAME` and `pub async fn NAME` in
/// their bodies.
fn macro_methods(crate_dir: &str, file: &str) -> BTreeSet<String> {
    use proc_macro2::{TokenStream, TokenTree};
    fn walk(tokens: TokenStream, names: &mut BTreeSet<String>) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            match token {
                TokenTree::Group(group) => walk(group.stream(), names),
                TokenTree::Ident(word) if word == "pub" => {
                    let rest: Vec<String> = tokens[i + 1..]
                        .iter()
                        .take(3)
                        .map(ToString::to_string)
                        .collect();
                    match rest.as_slice() {
                        [f, name, ..] if f == "fn" => names.insert(name.clone()),
                        [a, f, name] if a == "async" && f == "fn" => names.insert(name.clone()),
                        _ => false,
                    };
                }
                _ => {}
            }
        }
    }
    let mut names = BTreeSet::new();
    for item in parse(crate_dir, file).items {
        if let Item::Macro(m) = item {
            walk(m.mac.tokens, &mut names);
        }
    }
    names
}

fn set(names: impl IntoIterator<Item = impl ToString>) -> BTreeSet<String> {
    names.into_iter().map(|n| n.to_string()).collect()
}

#[test]
fn the_models_runtime_surface_is_what_generated_crates_re_export() {
    assert_eq!(surface("crates/openapi-models-runtime"), set(MODELS_API));
    for file in ["open_enum.rs", "record.rs", "union.rs"] {
        assert_eq!(
            visible_macros("crates/openapi-models-runtime", file),
            Vec::<String>::new(),
            "{file}: macros are for generated code, hidden from users' docs"
        );
    }
}

#[test]
fn the_client_runtime_surface_is_what_generated_crates_re_export_and_wrap() {
    let listed = set(CLIENT_API
        .iter()
        .map(|(name, _)| *name)
        .chain(CLIENT_MODULE_TYPES.iter().copied()));
    assert_eq!(surface_of("crates/openapi-client-runtime", false), listed);
    assert_eq!(
        surface_of("crates/openapi-client-runtime", true),
        set(CLIENT_GRAPH_API.iter().map(|(name, _)| *name)),
        "Graph's layer is what only Graph clients re-export"
    );
    assert_eq!(
        surface_of("crates/openapi-models-runtime", true),
        BTreeSet::new()
    );
    for file in ["builder.rs", "client_macro.rs", "paging.rs"] {
        assert_eq!(
            visible_macros("crates/openapi-client-runtime", file),
            Vec::<String>::new(),
            "{file}: macros are for generated code, hidden from users' docs"
        );
    }
}

#[test]
fn the_server_runtime_surface_is_what_generated_crates_re_export() {
    assert_eq!(surface("crates/openapi-server-runtime"), set(SERVER_API));
}

/// A generated `Client` has no `Deref`: what `client!` gives it is all it has besides
/// navigation, and the generator keeps exactly those names free.
#[test]
fn a_generated_clients_methods_are_the_listed_ones() {
    assert_eq!(
        macro_methods("crates/openapi-client-runtime", "client_macro.rs"),
        set(CLIENT_METHODS)
    );
    assert_eq!(
        macro_methods("crates/openapi-client-runtime", "paging.rs"),
        set(PAGING_METHODS)
    );
}

/// Every method a builder gets from the runtime (`request_builder!`, the `Operation` trait,
/// `IntoFuture`) is a name no parameter or body setter takes.
#[test]
fn a_builders_runtime_methods_are_kept_free() {
    let mut methods = macro_methods("crates/openapi-client-runtime", "builder.rs");
    for item in parse("crates/openapi-client-runtime", "request.rs").items {
        if let Item::Trait(t) = item
            && t.ident == "Operation"
        {
            methods.extend(t.items.iter().filter_map(|i| match i {
                syn::TraitItem::Fn(f) => Some(f.sig.ident.to_string()),
                _ => None,
            }));
        }
    }
    methods.insert("into_future".to_owned());
    assert!(methods.len() >= 9, "{methods:?}");
    let free = set(BUILDER_NAMES);
    let missing: Vec<&String> = methods.difference(&free).collect();
    assert!(missing.is_empty(), "not kept free on builders: {missing:?}");
}

/// Top-level paths named like the client's methods, and query parameters named like a
/// builder's: every runtime method is still there, with its own type, and the paths and
/// parameters take other names.
#[test]
fn runtime_methods_stay_reachable_beside_paths_named_like_them() {
    use openapi_client_runtime::{Clock, Operation};
    use tests::fixtures::runtime_names::client::{BearerToken, Client};
    let client = Client::new(BearerToken::new("t"));
    let _: &str = client.base_url();
    let _: &str = client.scope();
    let _: &dyn Clock = client.clock();
    let _: &openapi_client_runtime::Client = client.runtime();
    let paths = [
        client.clock_2().get().to_request(),
        client.scope_2().get().to_request(),
        client.runtime_2().get().to_request(),
        client.send_2().to_request(),
        client.authorize_2().get().to_request(),
        client.base_url_2().get().to_request(),
    ]
    .map(|r| r.expect("builds").uri().path().to_owned());
    assert_eq!(
        paths,
        [
            "/v1/clock",
            "/v1/scope",
            "/v1/runtime",
            "/v1/send",
            "/v1/authorize",
            "/v1/base_url"
        ]
    );
    let things = client
        .things()
        .get()
        .send_query("a")
        .into_future_query("b")
        .operation_id_query("c")
        .path_template_query("d")
        .client_request_id_query("e")
        .client_request_id("f");
    assert_eq!(things.operation_id(), "listThings");
    assert_eq!(things.path_template(), "/things");
    let request = things.to_request().expect("builds");
    assert_eq!(
        request.uri().query(),
        Some("send=a&into_future=b&operation_id=c&path_template=d&client_request_id=e")
    );
    assert_eq!(request.headers()["client-request-id"], "f");
}
