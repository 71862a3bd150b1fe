//! Requests the API makes to its users: 3.1 `webhooks` and 3.0 `callbacks`, each a path item
//! read like one of `paths`, at the route the generated receiver serves it on.
//!
//! The URL a webhook or callback is sent to is mostly the user's (registered out of band, or
//! given in the request that sets up the callback), so the receiver's router gives each one a
//! route of its own under wherever the user serves it: a webhook `newPet` is `/newPet`; a
//! callback `onData` at `{$request.query.callbackUrl}/data` is `/onData/data`, the user
//! giving `BASE/onData` as the callback URL. A callback to a URL written out
//! (`https://notify.example.com/hooks?id={$request.body#/id}`) is routed at that URL's path.
//! A callback whose path has a runtime expression after its start
//! (`{$request.body#/url}/events/{$request.body#/id}`) cannot be routed: a warning, and it is
//! left out. Routes that collide are made unique when lowered.

use super::{PathItem, Reader};
use crate::document::{child, key_text};
use serde_norway::Value;

/// A 3.1 webhook: its name and its path item, routed at `/{name}`.
#[derive(Debug)]
pub struct Webhook {
    pub name: String,
    pub item: PathItem,
}

/// A 3.0 callback of an operation: its name, the URL expression it is sent to, and the path
/// item, routed at `/{name}` and the URL's path after the expression.
#[derive(Debug)]
pub struct Callback {
    pub name: String,
    pub expression: String,
    pub item: PathItem,
}

/// The components a callback or a webhook may refer to, kept as written: each use is read
/// where it is used (a callback belongs to the operation that refers to it).
#[derive(Debug, Default)]
pub(super) struct ReceiverComponents {
    callbacks: Vec<(String, Value)>,
    path_items: Vec<(String, Value)>,
}

impl ReceiverComponents {
    pub(super) fn new(components: Option<&Value>) -> Self {
        let section = |key: &str| -> Vec<(String, Value)> {
            components
                .and_then(|c| c.get(key))
                .and_then(Value::as_mapping)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((key_text(k)?, v.clone())))
                        .collect()
                })
                .unwrap_or_default()
        };
        ReceiverComponents {
            callbacks: section("callbacks"),
            path_items: section("pathItems"),
        }
    }
}

impl Reader<'_> {
    /// The document's `webhooks`.
    pub(super) fn webhooks(&mut self, node: &Value) -> Vec<Webhook> {
        let mut webhooks = Vec::new();
        let Some(map) = self.report.object(node, "/webhooks", "`webhooks`") else {
            return webhooks;
        };
        for (name, node) in self.report.entries(map, "/webhooks") {
            if name.starts_with("x-") {
                continue;
            }
            let pointer = child("/webhooks", &name);
            let Some((node, pointer)) = self.resolve(node, &pointer, "#/components/pathItems/")
            else {
                continue;
            };
            let route = format!("/{}", route_segment(&name));
            if let Some(item) = self.receiver_item(&node, &pointer, &route) {
                webhooks.push(Webhook { name, item });
            }
        }
        webhooks
    }

    /// An operation's `callbacks`: each callback's URL expressions and path items.
    pub(super) fn callbacks(&mut self, node: &Value, pointer: &str) -> Vec<Callback> {
        let mut callbacks = Vec::new();
        let Some(map) = self.report.object(node, pointer, "`callbacks`") else {
            return callbacks;
        };
        for (name, node) in self.report.entries(map, pointer) {
            if name.starts_with("x-") {
                continue;
            }
            let at = child(pointer, &name);
            if self.in_receiver {
                self.report.warning(&at, format!("callback `{name}` of a webhook or callback is not generated (only the document's own operations' callbacks are)"));
                continue;
            }
            let Some((node, at)) = self.resolve(node, &at, "#/components/callbacks/") else {
                continue;
            };
            let Some(expressions) = self.report.object(&node, &at, "a callback") else {
                continue;
            };
            for (expression, node) in self.report.entries(expressions, &at) {
                if expression.starts_with("x-") {
                    continue;
                }
                let item_at = child(&at, &expression);
                let route = match callback_path(&expression) {
                    // The user gives the URL: the callback gets a route of its own under it.
                    Ok(CallbackPath::AfterExpression(suffix)) => {
                        format!("/{}{suffix}", route_segment(&name))
                    }
                    Ok(CallbackPath::Fixed(path)) if path.is_empty() => "/".to_owned(),
                    Ok(CallbackPath::Fixed(path)) => path,
                    Err(why) => {
                        self.report.warning(
                            &item_at,
                            format!("callback `{name}` to `{expression}` is not generated: {why}"),
                        );
                        continue;
                    }
                };
                let Some((node, item_at)) = self.resolve(node, &item_at, "#/components/pathItems/")
                else {
                    continue;
                };
                if let Some(item) = self.receiver_item(&node, &item_at, &route) {
                    callbacks.push(Callback {
                        name: name.clone(),
                        expression: expression.clone(),
                        item,
                    });
                }
            }
        }
        callbacks
    }

    /// A receiver's path item at `route` (its callbacks are not read: a warning each).
    fn receiver_item(&mut self, node: &Value, pointer: &str, route: &str) -> Option<PathItem> {
        let outer = std::mem::replace(&mut self.in_receiver, true);
        let item = self.path_item(node, pointer, route);
        self.in_receiver = outer;
        item
    }

    /// `node`, or the component its `$ref` names in `section` (with that component's
    /// pointer); `None` when the reference does not resolve (reported).
    fn resolve(&mut self, node: &Value, pointer: &str, section: &str) -> Option<(Value, String)> {
        let Some(target) = node.get("$ref") else {
            return Some((node.clone(), pointer.to_owned()));
        };
        let reference = self.reference(target, pointer, section);
        let key = reference.key?;
        let components = match section {
            "#/components/callbacks/" => &self.receiver_components.callbacks,
            _ => &self.receiver_components.path_items,
        };
        match components.iter().find(|(k, _)| *k == key) {
            Some((_, node)) => {
                let section = section.trim_start_matches('#').trim_end_matches('/');
                Some((node.clone(), child(section, &key)))
            }
            None => {
                self.report.problem(
                    &reference.pointer,
                    format!("`$ref` `{}` names no component", reference.text),
                );
                None
            }
        }
    }
}

/// A name as one route segment: the characters a URL's path takes as they are (RFC 3986's
/// unreserved ones), any other `-`.
fn route_segment(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '.' | '_' | '~' => c,
            _ => '-',
        })
        .collect()
}

/// Where a callback's URL leads, as far as a receiver can route on it.
#[derive(Debug, PartialEq, Eq)]
enum CallbackPath {
    /// The URL starts with a runtime expression (the URL the user gave): the path after it
    /// (`/data`, or empty).
    AfterExpression(String),
    /// The URL is written out (`https://notify.example.com/hooks?id={$request.body#/id}`):
    /// its path, which the API always sends to.
    Fixed(String),
}

/// The path a callback's URL has after its start, without its query. An error when that
/// path holds a runtime expression, which the receiver cannot route on.
fn callback_path(expression: &str) -> Result<CallbackPath, String> {
    let (rest, fixed) = if let Some(rest) = expression.strip_prefix('{') {
        match rest.find('}') {
            Some(end) => (&rest[end + 1..], false),
            None => return Err("its URL expression has no closing `}`".to_owned()),
        }
    } else if let Some((_, after)) = expression.split_once("://") {
        // The authority ends at the path, the query or the fragment.
        let start = after.find(['/', '?', '#']).unwrap_or(after.len());
        (&after[start..], true)
    } else {
        (expression, true)
    };
    // The query or fragment starts at a `?` or `#` outside an expression (`{$request.body#/id}`
    // holds one).
    let mut depth = 0usize;
    let end = rest
        .char_indices()
        .find(|&(_, c)| {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            depth == 0 && matches!(c, '?' | '#')
        })
        .map_or(rest.len(), |(i, _)| i);
    let path = &rest[..end];
    if path.contains(['{', '}']) {
        return Err(format!(
            "its path `{path}` holds a runtime expression, which a receiver cannot route on"
        ));
    }
    let path = path.trim_end_matches('/');
    let path = match path.is_empty() || path.starts_with('/') {
        true => path.to_owned(),
        false => format!("/{path}"),
    };
    Ok(match fixed {
        true => CallbackPath::Fixed(path),
        false => CallbackPath::AfterExpression(path),
    })
}

#[cfg(test)]
mod tests {
    use super::{CallbackPath, callback_path, route_segment};

    #[test]
    fn a_callback_is_routed_on_what_follows_its_expression() {
        assert_eq!(
            callback_path("{$request.query.callbackUrl}/data"),
            Ok(CallbackPath::AfterExpression("/data".to_owned()))
        );
        assert_eq!(
            callback_path("{$request.body#/url}"),
            Ok(CallbackPath::AfterExpression(String::new()))
        );
        assert_eq!(
            callback_path("http://notify.example.com/hooks/?id={$request.body#/id}"),
            Ok(CallbackPath::Fixed("/hooks".to_owned()))
        );
        assert_eq!(
            callback_path("http://notify.example.com?id={$request.body#/id}"),
            Ok(CallbackPath::Fixed(String::new()))
        );
        assert!(callback_path("{$request.body#/url}/events/{$request.body#/id}").is_err());
        assert!(callback_path("{$request.body#/url").is_err());
        assert_eq!(route_segment("pet created/v2"), "pet-created-v2");
    }
}
