//! `servers` lists (of the document, a path item or an operation), read into views.

use super::Reader;
use crate::document::{child, kind};
use serde_norway::Value;

/// One entry of a `servers` list.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    pub pointer: String,
    /// As written, variables unreplaced (`{scheme}://developer.uspto.gov/ds-api`).
    pub url: String,
    /// Each variable's name and `default`, in document order.
    pub variables: Vec<(String, String)>,
}

impl Reader<'_> {
    /// A `servers` array at `pointer`.
    pub(super) fn servers(&mut self, node: &Value, pointer: &str) -> Vec<Server> {
        let Value::Sequence(items) = node else {
            self.report.problem(
                pointer,
                format!("`servers` must be an array, found {}", kind(node)),
            );
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.server(item, &child(pointer, &i.to_string())))
            .collect()
    }

    fn server(&mut self, node: &Value, pointer: &str) -> Option<Server> {
        let map = self.report.object(node, pointer, "a server")?;
        self.report.ignore_unknown_keys(
            map,
            pointer,
            "a server",
            &["url", "description", "variables"],
        );
        if let Some(d) = map.get("description") {
            self.report
                .string(d, &child(pointer, "description"), "`description`");
        }
        let Some(url) = map.get("url") else {
            self.report.problem(pointer, "missing `url`");
            return None;
        };
        let url = self
            .report
            .string(url, &child(pointer, "url"), "`url`")?
            .to_owned();
        let mut variables = Vec::new();
        if let Some(node) = map.get("variables") {
            let at = child(pointer, "variables");
            if let Some(vars) = self.report.object(node, &at, "`variables`") {
                for (name, node) in self.report.entries(vars, &at) {
                    let at = child(&at, &name);
                    let Some(var) = self.report.object(node, &at, "a server variable") else {
                        continue;
                    };
                    self.report.ignore_unknown_keys(
                        var,
                        &at,
                        "a server variable",
                        &["enum", "default", "description"],
                    );
                    if let Some(values) = var.get("enum") {
                        self.report.strings(values, &child(&at, "enum"), "`enum`");
                    }
                    if let Some(d) = var.get("description") {
                        self.report
                            .string(d, &child(&at, "description"), "`description`");
                    }
                    match var.get("default") {
                        Some(d) => {
                            if let Some(d) =
                                self.report.string(d, &child(&at, "default"), "`default`")
                            {
                                variables.push((name, d.to_owned()));
                            }
                        }
                        None => self.report.problem(&at, "missing `default`"),
                    }
                }
            }
        }
        Some(Server {
            pointer: pointer.to_owned(),
            url,
            variables,
        })
    }
}
