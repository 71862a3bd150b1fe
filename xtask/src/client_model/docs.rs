//! The client's prose: the `Client` type's docs, each starting method's docs (summary, method
//! and path, description, paging, permissions) and its `no_run` example, navigation to the
//! operation with its body filled from a documented example or one made from the schema.

use super::{Builder, DocContext, Names, Node, Param, ParamTy, RequestBody, navigation};
use crate::docs::rust_string;
use crate::example_code::{self, Args, Json, Writer};
use crate::model::{Example, FileShape, HttpMethod, Model, Operation, StructDef, Ty};

/// The `Client` type's docs: what it is a client of, where it sends, where requests start.
pub(super) fn client_doc(model: &Model, root: Option<&Node>, builders: &[Builder]) -> String {
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

/// The client's docs of an operation: [`operation_doc`] with what the client adds (how it
/// reads another success status, how it follows pages).
pub(super) fn method_doc(op: &Operation) -> String {
    operation_doc(op, true)
}

/// Summary, method and path, description, permissions; with `client_notes`, what the client
/// does with untyped success statuses and pages between the description and the permissions.
pub(crate) fn operation_doc(op: &Operation, client_notes: bool) -> String {
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
    if let Some(untyped) = op.untyped_statuses.as_ref().filter(|_| client_notes) {
        let typed = &untyped.typed;
        let others: Vec<String> = untyped.others.iter().map(|s| format!("`{s}`")).collect();
        text.push_str(&format!(
            "\n\nThe output is the `{typed}` response's body. A {} response has another body, which is not typed: it is read as the `{typed}` body too, so it may fail to decode (`send_with_response` shows the status).",
            others.join(" or ")
        ));
    }
    if let Some(paging) = op.paging.as_ref().filter(|_| client_notes) {
        let resend = match op.method {
            HttpMethod::Get => String::new(),
            method => format!(" (the `{method}` is not repeated)"),
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

/// A `no_run` example that compiles: navigation to the operation (placeholder path and
/// required query arguments) and a body filled with a realistic value ([`body_value`]).
/// The code of an operation's call: navigation from `client` to the operation (placeholder
/// path arguments), the starting method with its arguments, and the builder calls that fill
/// the body; the statements it needs first and the models' names it uses.
pub(super) fn example_call(
    model: &Model,
    op: &Operation,
    names: &Names,
    context: &DocContext,
    params: &[Param],
    body: Option<&RequestBody>,
    body_struct: Option<&StructDef>,
) -> ExampleCall {
    let mut call = String::from("client");
    for child in navigation(context.nodes, names.node) {
        match &child.parameter {
            // A literal, escaped: the wire name is schema text.
            Some(p) => call.push_str(&format!(".{}({})", child.method, rust_string(&p.wire))),
            None => call.push_str(&format!(".{}()", child.method)),
        }
    }
    let mut writer = Writer::new(model);
    let mut args: Vec<String> = params
        .iter()
        .filter(|p| p.required)
        .map(|p| param_example(model, &mut writer, &p.ty, &p.wire))
        .collect();
    // Builder calls after the starting method: body setters, or the whole body.
    let mut calls = String::new();
    let body_ty = op.request_body.as_ref().map(|b| &b.ty);
    match (body, body_struct, body_ty) {
        (Some(RequestBody::Model { setters, .. }), Some(s), Some(ty)) => {
            let fits = |json: &Json| {
                Writer::new(model)
                    .struct_parts(s, json, Args::Builder)
                    .is_ok()
            };
            let json = body_value(model, op, &fits).unwrap_or_else(|| top_level_sample(model, s));
            // By name, the models' `required::` struct takes values as their `new` would.
            let style = if s.takes_named_args() {
                Args::Constructor
            } else {
                Args::Builder
            };
            if let Ok(parts) = writer.struct_parts(s, &json, style) {
                if s.takes_named_args() {
                    args.push(writer.named_required(s, &parts.args));
                } else {
                    args.extend(parts.args);
                }
                if parts.decoded {
                    // What the setters cannot say: the whole body, decoded.
                    calls.push_str(&format!(".body({})", writer.decoded(&json, ty)));
                } else {
                    for (i, arg) in parts.setters {
                        calls.push_str(&format!(".{}({arg})", setters[i].method));
                    }
                }
            } else {
                // A schema no value made from it fits (a required property that holds its
                // own type): each argument decoded from such a value, which compiles.
                let mut decoded_args = Vec::new();
                for field in s.constructor_args() {
                    let value = example_code::sample(model, &field.ty, &field.wire);
                    let decoded = writer.decoded(&value, &field.ty);
                    decoded_args.push(match (field.nullable, field.boxed) {
                        (true, true) => format!("Some(Box::new({decoded}))"),
                        (true, false) => format!("Some({decoded})"),
                        (false, _) => decoded,
                    });
                }
                if s.takes_named_args() {
                    args.push(writer.named_required(s, &decoded_args));
                } else {
                    args.extend(decoded_args);
                }
            }
        }
        (Some(RequestBody::Json { .. }), _, Some(ty)) => {
            let fits = |json: &Json| Writer::new(model).exact(json, ty).is_ok();
            // Any JSON without an example: nothing to say beyond the empty object it starts as.
            let json = body_value(model, op, &fits)
                .or_else(|| (*ty != Ty::Any).then(|| example_code::sample(model, ty, "value")));
            // The body starts as the empty object: an example of one adds nothing.
            if let Some(json) = json.filter(|j| *j != Json::Object(Vec::new())) {
                // The body is a JSON value (`serde_json::Value`): decoded from its text.
                calls.push_str(&format!(".body({})", writer.decoded_in_place(&json)));
            }
        }
        (Some(RequestBody::Text { ty, .. }), _, _) => {
            let fits = |json: &Json| Writer::new(model).argument(json, ty).is_ok();
            let json = body_value(model, op, &fits)
                .unwrap_or_else(|| example_code::sample(model, ty, "text"));
            let arg = writer.argument(&json, ty);
            args.push(arg.unwrap_or_else(|_| writer.decoded(&json, ty)));
        }
        (Some(RequestBody::Bytes { .. }), _, _) => args.push("vec![0_u8, 1, 2]".to_owned()),
        (Some(RequestBody::Form { type_name, .. }), _, _) => {
            if let Some(form) = model.forms.get(type_name) {
                args.push(form_value(model, form, &mut writer));
            }
        }
        (Some(RequestBody::Multipart { .. }), _, _) => args.push(format!(
            "{}::MultipartBody::new(\"boundary\", b\"--boundary--\".to_vec())",
            context.context.example_client
        )),
        _ => {}
    }
    call.push_str(&format!(".{}({}){calls}", names.method, args.join(", ")));
    ExampleCall {
        uses: writer.uses.iter().cloned().collect(),
        lets: writer.lets.clone(),
        call,
        fallible: writer.fallible,
    }
}

/// A `no_run` doc example that compiles: the call, sent.
pub(super) fn example(op: &Operation, call: &ExampleCall, context: &DocContext) -> Vec<String> {
    let binding = if op.response.is_some() {
        "let response = "
    } else {
        ""
    };
    let client = context.context.example_client;
    // A parse or a decode (`?`) needs an error type both convert into.
    let error = match call.fallible {
        true => "Box<dyn std::error::Error>".to_owned(),
        false => format!("{client}::Error"),
    };
    let mut lines = vec![
        "```no_run".to_owned(),
        format!("# async fn example(client: {client}::Client) -> Result<(), {error}> {{"),
    ];
    // What the code names from the models, on one line (as rustfmt would keep it).
    if let Some(uses) = call.use_line(context.context.example_models) {
        lines.push(uses);
    }
    let mut statements = call.lets.join("\n");
    statements.push_str(&format!("\n{binding}{}.send().await?;", call.call));
    lines.extend(formatted(&statements));
    lines.push("# Ok(()) }".to_owned());
    lines.push("```".to_owned());
    lines
}

/// The code of an operation's call ([`example_call`]), for its doc example and for tests
/// that send it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleCall {
    /// The models' names the code uses, sorted.
    pub uses: Vec<String>,
    /// Statements before the call (values decoded from their text).
    pub lets: Vec<String>,
    /// The call without `.send()`: `client.users().by_id("…").presence().get()`.
    pub call: String,
    /// Whether the statements use `?` on a parse or a decode (`Box<dyn Error>` then).
    pub fallible: bool,
}

impl ExampleCall {
    /// The `use` line of the models' names, on one line as rustfmt keeps it.
    pub fn use_line(&self, models: &str) -> Option<String> {
        match self.uses.as_slice() {
            [] => None,
            [one] => Some(format!("use {models}::{one};")),
            many => Some(format!("use {models}::{{{}}};", many.join(", "))),
        }
    }
}

/// Statements laid out as rustfmt would (prettyplease), one doc line each; as they are if they
/// do not parse (a generator bug, which the doctest then shows).
fn formatted(statements: &str) -> Vec<String> {
    let wrapped = format!("fn example() {{\n{statements}\n}}");
    let Ok(file) = syn::parse_str::<syn::File>(&wrapped) else {
        return statements.lines().map(str::to_owned).collect();
    };
    let text = prettyplease::unparse(&file);
    let lines: Vec<&str> = text.lines().collect();
    lines
        .get(1..lines.len().saturating_sub(1))
        .unwrap_or_default()
        .iter()
        .map(|l| l.strip_prefix("    ").unwrap_or(l).to_owned())
        .collect()
}

/// The value a doc example fills a request body with: of the operation's documented examples
/// that `fit` its type, the one that shows the most (the first of equals); else likewise of
/// those documented for the same body on other operations (Graph documents an action on
/// `/users/{id}` and not on `/me`); `None` when no documented example fits.
fn body_value(model: &Model, op: &Operation, fits: &dyn Fn(&Json) -> bool) -> Option<Json> {
    let best = |examples: &mut dyn Iterator<Item = &Example>| {
        examples
            .filter_map(|example| Json::parse(example.value.as_ref().ok()?))
            .filter(|json| fits(json))
            .fold(None::<Json>, |best, json| match &best {
                Some(b) if b.leaves() >= json.leaves() => best,
                _ => Some(json),
            })
    };
    best(&mut op.request_examples.iter()).or_else(|| {
        let body = op.request_body.as_ref()?;
        best(
            &mut model
                .operations
                .iter()
                .filter(|o| {
                    o.request_body
                        .as_ref()
                        .is_some_and(|b| b.ty == body.ty && b.media == body.media)
                })
                .flat_map(|o| &o.request_examples),
        )
    })
}

/// A struct body made from the schema ([`example_code::sample`]): its required properties, or,
/// when it has none, its first property, so that the example still fills something.
fn top_level_sample(model: &Model, s: &StructDef) -> Json {
    let mut json = example_code::sample(model, &Ty::Named(s.name.clone()), "value");
    if let (Json::Object(entries), Some(first)) = (&mut json, s.fields.first())
        && entries.is_empty()
    {
        entries.push((
            first.wire.clone(),
            example_code::sample(model, &first.ty, &first.wire),
        ));
    }
    json
}

/// A placeholder for a required query, header or cookie parameter; an enum's or union's is a
/// value made from the schema ([`example_code::sample`]).
fn param_example(model: &Model, writer: &mut Writer, ty: &ParamTy, wire: &str) -> String {
    match ty {
        ParamTy::List { item, .. } => format!("[{}]", param_example(model, writer, item, wire)),
        ParamTy::Bool => "true".to_owned(),
        ParamTy::I32 | ParamTy::I64 | ParamTy::Integer(_) => "1".to_owned(),
        ParamTy::F64 => "1.0".to_owned(),
        ParamTy::Enum(name) => {
            let ty = Ty::Named(name.clone());
            let value = example_code::sample(model, &ty, wire);
            let arg = writer.argument(&value, &ty);
            arg.unwrap_or_else(|_| writer.decoded(&value, &ty))
        }
        ParamTy::String => "\"…\"".to_owned(),
    }
}

/// A form's value as a struct expression: each required file a small one with a name, each
/// required value a sample of its type, each optional property `None`.
fn form_value(model: &Model, form: &crate::model::FormDef, writer: &mut Writer) -> String {
    writer.uses.insert(form.name.clone());
    let mut fields = Vec::new();
    for f in &form.fields {
        let file = || {
            let name = rust_string(&format!("{}.bin", f.wire));
            format!("FilePart::new(b\"...\".to_vec()).file_name({name})")
        };
        let value = match (f.required, f.file) {
            (false, _) => "None".to_owned(),
            (true, Some(FileShape::One)) => file(),
            (true, Some(FileShape::Many)) => format!("vec![{}]", file()),
            (true, None) => {
                let sample = example_code::sample(model, &f.ty, &f.wire);
                match writer.exact(&sample, &f.ty) {
                    Ok(code) => code,
                    Err(_) => writer.decoded(&sample, &f.ty),
                }
            }
        };
        if f.file.is_some() && f.required {
            writer.uses.insert("FilePart".to_owned());
        }
        fields.push(format!("{}: {value}", f.name));
    }
    format!("{} {{ {} }}", form.name, fields.join(", "))
}
