//! Whether a document is Microsoft Graph's, so its crates carry Graph's layer of the client
//! runtime (clouds, API versions, the presence rate limit, `azure_identity`). The rule, which
//! `--flavour graph|plain` overrides:
//!
//! - a server on one of Graph's hosts (`graph.microsoft.com`, `graph.microsoft.us`,
//!   `dod-graph.microsoft.us`, `microsoftgraph.chinacloudapi.cn`), by its first server or any
//!   other; or
//! - a component schema in Graph's root namespace (`microsoft.graph.…`), which every Graph
//!   metadata document has and no other API's does.
//!
//! `x-ms-*` extensions and `@odata.*` properties alone are not enough: AutoRest's Azure
//! documents and any OData service use them without being Graph.

use crate::model::Flavour;
use crate::openapi::Document;

/// Graph's hosts, one per cloud (the client runtime's `Cloud`).
pub const GRAPH_HOSTS: &[&str] = &[
    "graph.microsoft.com",
    "graph.microsoft.us",
    "dod-graph.microsoft.us",
    "microsoftgraph.chinacloudapi.cn",
];

/// Graph's root namespace, which Graph's component keys start with.
const GRAPH_NAMESPACE: &str = "microsoft.graph.";

/// The flavour of a document by the rule above.
pub fn detect(document: &Document) -> Flavour {
    let graph_server = document.servers.iter().any(|s| is_graph_url(&s.url));
    let graph_names = document
        .components
        .schemas
        .iter()
        .any(|(key, _)| key.starts_with(GRAPH_NAMESPACE));
    if graph_server || graph_names {
        Flavour::Graph
    } else {
        Flavour::Plain
    }
}

/// Whether a server URL is on one of Graph's hosts (any scheme, port or path; case ignored).
pub fn is_graph_url(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    GRAPH_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::{Flavour, is_graph_url};
    use crate::lower::tests::model;

    #[test]
    fn graph_hosts_are_graph_and_look_alikes_are_not() {
        assert!(is_graph_url("https://graph.microsoft.com/beta"));
        assert!(is_graph_url("https://GRAPH.microsoft.us:443/v1.0/"));
        assert!(is_graph_url("https://microsoftgraph.chinacloudapi.cn"));
        assert!(!is_graph_url(
            "https://graph.microsoft.com.example.org/v1.0"
        ));
        assert!(!is_graph_url("https://api.github.com"));
        assert!(!is_graph_url("/graph.microsoft.com"));
    }

    #[test]
    fn graph_namespace_components_make_a_graph_document() {
        let graph = model(
            "  {}",
            "    microsoft.graph.presence: {type: object, properties: {id: {type: string}}}",
        );
        assert_eq!(graph.flavour, Flavour::Graph);
        let odata = model(
            "  {}",
            "    Pet: {type: object, x-ms-discriminator-value: p, properties: {'@odata.type': {type: string}}}",
        );
        assert_eq!(odata.flavour, Flavour::Plain);
    }

    #[test]
    fn any_server_on_a_graph_host_makes_a_graph_document() {
        let text = |servers: &str| {
            format!(
                "openapi: 3.0.1\ninfo: {{title: t, version: '1'}}\nservers: {servers}\npaths: {{}}\n"
            )
        };
        let flavour = |servers: &str| {
            crate::model_from_text(&text(servers), None)
                .expect("valid")
                .flavour
        };
        assert_eq!(
            flavour("[{url: 'https://example.com'}, {url: 'https://graph.microsoft.us/v1.0'}]"),
            Flavour::Graph
        );
        assert_eq!(
            flavour("[{url: 'https://api.example.com/v1'}]"),
            Flavour::Plain
        );
    }
}
