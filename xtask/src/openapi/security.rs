//! `components/securitySchemes` and the `security` requirements (of the document and of each
//! operation). The client authenticates one way: `Authorization: Bearer <token>` from its
//! token provider. So a requirement naming a scheme that is not defined is an error, and a
//! required scheme the client cannot apply is a warning (once, at its definition).

use super::Reader;
use crate::document::{child, kind};
use serde_norway::Value;
use std::collections::BTreeMap;

/// The defined schemes by name: their pointer, and why the client cannot apply them (`None`:
/// it can, a bearer token).
#[derive(Debug, Default)]
pub struct Schemes {
    defined: BTreeMap<String, (String, Option<String>)>,
    /// The schemes some requirement names.
    used: Vec<String>,
}

impl Reader<'_> {
    /// `components/securitySchemes`.
    pub(super) fn security_schemes(&mut self, node: &Value, pointer: &str) -> Schemes {
        let mut schemes = Schemes::default();
        let Some(map) = self.report.object(node, pointer, "`securitySchemes`") else {
            return schemes;
        };
        for (name, node) in self.report.entries(map, pointer) {
            let at = child(pointer, &name);
            let Some(scheme) = self.report.object(node, &at, "a security scheme") else {
                continue;
            };
            let text = |key: &str| scheme.get(key).and_then(Value::as_str).unwrap_or_default();
            let unsupported = match text("type") {
                // A reference to another document's scheme: not followed, not judged.
                _ if scheme.contains_key("$ref") => None,
                "http" if text("scheme").eq_ignore_ascii_case("bearer") => None,
                "oauth2" | "openIdConnect" => None,
                "http" => Some(format!("HTTP `{}` authentication", text("scheme"))),
                "apiKey" => Some(format!(
                    "an API key in the {} `{}`",
                    text("in"),
                    text("name")
                )),
                "" => {
                    self.report
                        .problem(&at, "a security scheme needs a string `type`");
                    continue;
                }
                other => Some(format!("`{other}` authentication")),
            };
            schemes.defined.insert(name, (at, unsupported));
        }
        schemes
    }

    /// A `security` array at `pointer`: every scheme it names must be defined.
    pub(super) fn security(&mut self, node: &Value, pointer: &str) {
        let mut schemes = std::mem::take(&mut self.schemes);
        self.requirements(node, pointer, &mut schemes);
        self.schemes = schemes;
    }

    fn requirements(&mut self, node: &Value, pointer: &str, schemes: &mut Schemes) {
        let Value::Sequence(items) = node else {
            self.report.problem(
                pointer,
                format!("`security` must be an array, found {}", kind(node)),
            );
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let at = child(pointer, &i.to_string());
            let Some(requirement) = self.report.object(item, &at, "a security requirement") else {
                continue;
            };
            for (name, scopes) in self.report.entries(requirement, &at) {
                let at = child(&at, &name);
                self.report.strings(scopes, &at, "scopes");
                if !schemes.defined.contains_key(&name) {
                    self.report.problem(
                        &at,
                        format!("security scheme `{name}` is not defined in `components/securitySchemes`"),
                    );
                } else if !schemes.used.contains(&name) {
                    schemes.used.push(name);
                }
            }
        }
    }

    /// One warning per required scheme the client cannot apply, at its definition.
    pub(super) fn warn_unsupported_schemes(&mut self) {
        let schemes = std::mem::take(&mut self.schemes);
        for name in &schemes.used {
            if let Some((at, Some(what))) = schemes.defined.get(name) {
                self.report.warning(
                    at,
                    format!("security scheme `{name}` ({what}) is not generated: the client sends `Authorization: Bearer <token>` from its token provider; send the credential another way (a proxy, or a `reqwest` client that adds it)"),
                );
            }
        }
    }
}
