//! The client's default base URL: the document's first server, its variables replaced by
//! their defaults. A path's or operation's own `servers` is honoured when it names the same
//! URL and is a warning otherwise (every request goes to the client's one base URL).

use crate::document::Report;
use crate::openapi::{Document, Server};

/// The default base URL, without a trailing slash; `None` when the document declares no
/// server (OpenAPI's default, `/`, is relative) or one the client cannot use as it is.
pub fn base_url(document: &Document, report: &mut Report) -> Option<String> {
    let default = document
        .servers
        .first()
        .and_then(|server| usable(server, report));
    for item in &document.paths {
        check_override(&item.servers, default.as_deref(), report);
        for operation in &item.operations {
            check_override(&operation.servers, default.as_deref(), report);
        }
    }
    default
}

/// A server's URL with each `{variable}` replaced by its default, or `None` (a warning) when
/// one is not defined.
fn resolve(server: &Server, report: &mut Report) -> Option<String> {
    let mut url = String::new();
    let mut rest = server.url.as_str();
    while let Some(open) = rest.find('{') {
        url.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        match server.variables.iter().find(|(n, _)| n == name) {
            Some((_, default)) => url.push_str(default),
            None => {
                report.warning(
                    &format!("{}/url", server.pointer),
                    format!("server URL `{}` uses `{{{name}}}`, which `variables` does not define: the client has no default base URL (set one with `ClientBuilder::base_url`)", server.url),
                );
                return None;
            }
        }
        rest = &rest[open + close + 1..];
    }
    url.push_str(rest);
    Some(url.trim_end_matches('/').to_owned())
}

/// The resolved URL of the document's first server, if the client can send to it: an
/// absolute https URL. Anything else is a warning, and the user sets the base URL.
fn usable(server: &Server, report: &mut Report) -> Option<String> {
    let url = resolve(server, report)?;
    let at = format!("{}/url", server.pointer);
    // Characters a URL may hold unescaped (RFC 3986), so the default is plain text in docs.
    let plain = url
        .chars()
        .all(|c| c.is_ascii_graphic() && !"`<>\"\\{}|^".contains(c));
    if url.starts_with("https://") && plain {
        return Some(url);
    }
    let why = if !plain {
        "it is not a valid URL"
    } else if url.contains("://") {
        "the client sends only over https (plain http only to loopback)"
    } else {
        "it is relative to where the document is served, which the generator does not know"
    };
    report.warning(
        &at,
        format!("server URL `{url}` is not the client's default base URL: {why}; the client has none, so set one with `ClientBuilder::base_url`"),
    );
    None
}

/// A path's or operation's `servers`: fine when its first entry is the document's default,
/// a warning otherwise.
fn check_override(servers: &[Server], default: Option<&str>, report: &mut Report) {
    let Some(first) = servers.first() else {
        return;
    };
    let Some(url) = resolve(first, report) else {
        return;
    };
    if Some(url.as_str()) == default {
        return;
    }
    let pointer = first.pointer.rsplit_once('/').map_or("", |(p, _)| p);
    let goes_to = match default {
        Some(default) => format!("the client's base URL (by default `{default}`)"),
        None => "the client's base URL".to_owned(),
    };
    report.warning(
        pointer,
        format!("`servers` here (`{url}`) is not generated: these requests go to {goes_to}"),
    );
}
