//! `components/securitySchemes` and the `security` requirements (of the document and of each
//! operation). The client sends `Authorization: Bearer <token>` from its token provider for
//! HTTP bearer, OAuth 2 and OpenID Connect schemes, and the credentials configured on its
//! builder by scheme name for API keys (in a header, the query or a cookie) and HTTP basic.
//! A requirement naming a scheme that is not defined is an error, and a required scheme the
//! client cannot apply (mutual TLS, another HTTP scheme) is a warning (once, at its
//! definition). A requirement may name a scheme by URI (OpenAPI 3.2): one in this document is
//! used; one in another document is not read, and its alternative is left out with a warning. Each operation's effective requirements (its own `security`, else the
//! document's) are resolved here into [`AuthScheme`]s.

use super::Reader;
use crate::document::{child, kind};
use crate::model::{AuthKind, AuthScheme};
use serde_norway::Value;
use std::collections::BTreeMap;

/// The defined schemes by name: their pointer, why the client cannot apply them (`None`: it
/// can), and what it sends.
#[derive(Debug, Default)]
pub struct Schemes {
    defined: BTreeMap<String, (String, Option<String>, AuthKind)>,
    /// The schemes some requirement names.
    used: Vec<String>,
    /// The document's own `security` (`None`: it has none).
    document: Option<Vec<Vec<String>>>,
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
            let location = text("in");
            let param = text("name").to_owned();
            let (unsupported, kind) = match text("type") {
                // A reference to another document's scheme: not followed, not judged.
                _ if scheme.contains_key("$ref") => (None, AuthKind::Bearer),
                "http" if text("scheme").eq_ignore_ascii_case("bearer") => (None, AuthKind::Bearer),
                "http" if text("scheme").eq_ignore_ascii_case("basic") => (None, AuthKind::Basic),
                "oauth2" | "openIdConnect" => (None, AuthKind::Bearer),
                "http" => (
                    Some(format!("HTTP `{}` authentication", text("scheme"))),
                    AuthKind::Other,
                ),
                "apiKey" if !param.is_empty() && location == "header" => {
                    (None, AuthKind::Header(param))
                }
                "apiKey" if !param.is_empty() && location == "query" => {
                    (None, AuthKind::Query(param))
                }
                "apiKey" if !param.is_empty() && location == "cookie" => {
                    (None, AuthKind::Cookie(param))
                }
                "apiKey" => (
                    Some(format!("an API key in the {location} `{param}`")),
                    AuthKind::Other,
                ),
                "" => {
                    self.report
                        .problem(&at, "a security scheme needs a string `type`");
                    continue;
                }
                other => (Some(format!("`{other}` authentication")), AuthKind::Other),
            };
            schemes.defined.insert(name, (at, unsupported, kind));
        }
        schemes
    }

    /// A `security` array at `pointer`: every scheme it names must be defined. Gives its
    /// requirement objects' scheme names (those that are defined).
    pub(super) fn security(&mut self, node: &Value, pointer: &str) -> Vec<Vec<String>> {
        let mut schemes = std::mem::take(&mut self.schemes);
        let requirements = self.requirements(node, pointer, &mut schemes);
        self.schemes = schemes;
        requirements
    }

    /// The document's own `security`, which operations without theirs follow.
    pub(super) fn document_security(&mut self, node: &Value, pointer: &str) {
        let requirements = self.security(node, pointer);
        self.schemes.document = Some(requirements);
    }

    /// An operation's effective requirements (`own`, else the document's), resolved; `None`
    /// when that is the bearer token alone (see [`crate::model::Operation::security`]).
    pub(super) fn resolved_security(
        &self,
        own: Option<Vec<Vec<String>>>,
    ) -> Option<Vec<Vec<AuthScheme>>> {
        let requirements = own.or_else(|| self.schemes.document.clone())?;
        let resolved: Vec<Vec<AuthScheme>> = requirements
            .into_iter()
            .map(|names| {
                names
                    .into_iter()
                    .filter_map(|name| {
                        let (_, _, kind) = self.schemes.defined.get(&name)?;
                        Some(AuthScheme {
                            kind: kind.clone(),
                            name,
                        })
                    })
                    .collect()
            })
            .collect();
        let bearer_only = !resolved.is_empty()
            && resolved.iter().all(|alternative| {
                !alternative.is_empty() && alternative.iter().all(|s| s.kind == AuthKind::Bearer)
            });
        (!bearer_only).then_some(resolved)
    }

    fn requirements(
        &mut self,
        node: &Value,
        pointer: &str,
        schemes: &mut Schemes,
    ) -> Vec<Vec<String>> {
        let mut requirements = Vec::new();
        let Value::Sequence(items) = node else {
            self.report.problem(
                pointer,
                format!("`security` must be an array, found {}", kind(node)),
            );
            return requirements;
        };
        let mut dropped = 0;
        for (i, item) in items.iter().enumerate() {
            let at = child(pointer, &i.to_string());
            let Some(requirement) = self.report.object(item, &at, "a security requirement") else {
                continue;
            };
            let mut names = Vec::new();
            let mut elsewhere = false;
            for (key, scopes) in self.report.entries(requirement, &at) {
                let at = child(&at, &key);
                self.report.strings(scopes, &at, "scopes");
                let name = match scheme_uri(&key) {
                    SchemeKey::Name => key,
                    SchemeKey::Local(name) => name,
                    SchemeKey::Elsewhere => {
                        // 3.2 lets a requirement name a scheme by URI, in another document
                        // too; that document is not read, so this alternative cannot be met.
                        self.report.warning(
                            &at,
                            format!("security scheme `{key}` is in another document, which is not read: this alternative of the requirement is left out"),
                        );
                        elsewhere = true;
                        continue;
                    }
                };
                if !schemes.defined.contains_key(&name) {
                    self.report.problem(
                        &at,
                        format!("security scheme `{name}` is not defined in `components/securitySchemes`"),
                    );
                    continue;
                } else if !schemes.used.contains(&name) {
                    schemes.used.push(name.clone());
                }
                names.push(name);
            }
            if elsewhere {
                dropped += 1;
            } else {
                requirements.push(names);
            }
        }
        if requirements.is_empty() && dropped > 0 {
            // Not `security: []` (no credential needed): one is, and none can be sent.
            self.report.warning(
                pointer,
                "every alternative of this requirement names a scheme in another document: the client sends no credential for it",
            );
        }
        requirements
    }

    /// One warning per required scheme the client cannot apply, at its definition.
    pub(super) fn warn_unsupported_schemes(&mut self) {
        let schemes = std::mem::take(&mut self.schemes);
        for name in &schemes.used {
            if let Some((at, Some(what), _)) = schemes.defined.get(name) {
                self.report.warning(
                    at,
                    format!("security scheme `{name}` ({what}) is not generated: the client sends nothing for it (it applies bearer tokens, API keys and HTTP basic); send the credential another way (a proxy, or a `reqwest` client that adds it)"),
                );
            }
        }
        self.schemes = Schemes {
            used: Vec::new(),
            ..schemes
        };
    }
}

/// What a requirement's key names: a scheme of `components/securitySchemes` by name (the
/// usual form), or (OpenAPI 3.2) by URI: in this document (`#/components/securitySchemes/X`)
/// or in another one.
#[derive(Debug, PartialEq)]
enum SchemeKey {
    Name,
    Local(String),
    Elsewhere,
}

fn scheme_uri(key: &str) -> SchemeKey {
    const LOCAL: &str = "#/components/securitySchemes/";
    if let Some(name) = key.strip_prefix(LOCAL).filter(|n| !n.contains('/')) {
        SchemeKey::Local(name.replace("~1", "/").replace("~0", "~"))
    } else if key.contains('#') || key.contains("://") {
        SchemeKey::Elsewhere
    } else {
        SchemeKey::Name
    }
}

#[cfg(test)]
mod tests {
    use super::{SchemeKey, scheme_uri};

    #[test]
    fn requirement_keys_are_names_or_uris() {
        assert_eq!(scheme_uri("petstore_auth"), SchemeKey::Name);
        assert_eq!(
            scheme_uri("#/components/securitySchemes/a~1b"),
            SchemeKey::Local("a/b".to_owned())
        );
        assert_eq!(
            scheme_uri("otherapi#/components/securitySchemes/generic_auth"),
            SchemeKey::Elsewhere
        );
        assert_eq!(
            scheme_uri("https://example.com/api.yaml#/components/securitySchemes/x"),
            SchemeKey::Elsewhere
        );
    }
}
