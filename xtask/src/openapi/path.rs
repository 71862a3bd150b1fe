//! An operation's method and path template, parsed once where the document is read: naming,
//! lowering's checks and the client model read these, never the text.

use std::fmt;

/// An operation's HTTP method (a path item's key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Patch,
    Head,
    Options,
    Trace,
}

impl HttpMethod {
    /// In the order a path item's operations are read (OpenAPI's order of the keys).
    pub const ALL: [HttpMethod; 8] = [
        HttpMethod::Get,
        HttpMethod::Put,
        HttpMethod::Post,
        HttpMethod::Delete,
        HttpMethod::Patch,
        HttpMethod::Head,
        HttpMethod::Options,
        HttpMethod::Trace,
    ];

    /// The path item's key (`get`).
    pub fn key(self) -> &'static str {
        match self {
            HttpMethod::Get => "get",
            HttpMethod::Put => "put",
            HttpMethod::Post => "post",
            HttpMethod::Delete => "delete",
            HttpMethod::Patch => "patch",
            HttpMethod::Head => "head",
            HttpMethod::Options => "options",
            HttpMethod::Trace => "trace",
        }
    }

    /// As on the wire and in `http::Method`'s constants (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Head => "HEAD",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Trace => "TRACE",
        }
    }

    /// Safe to send twice by HTTP's semantics (a POST or PATCH only when the schema says so).
    pub fn idempotent(self) -> bool {
        matches!(
            self,
            HttpMethod::Get
                | HttpMethod::Head
                | HttpMethod::Put
                | HttpMethod::Delete
                | HttpMethod::Options
        )
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A path template (`/users/{user-id}/presence`): its text and its segments.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PathTemplate {
    text: String,
    segments: Vec<Segment>,
}

/// One non-empty segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    Literal(String),
    /// `{name}`, a whole segment.
    Parameter(String),
}

impl PathTemplate {
    /// The template of a path key, and the segments that hold a brace without being one whole
    /// parameter (`x{name}`, `{a}{b}`): unsupported, reported by the reader, and kept here as
    /// literals.
    pub fn parse(text: &str) -> (PathTemplate, Vec<String>) {
        let mut unsupported = Vec::new();
        let segments = text
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) if !name.is_empty() && !name.contains(['{', '}']) => {
                        return Segment::Parameter(name.to_owned());
                    }
                    _ if s.contains(['{', '}']) => unsupported.push(s.to_owned()),
                    _ => {}
                }
                Segment::Literal(s.to_owned())
            })
            .collect();
        let template = PathTemplate {
            text: text.to_owned(),
            segments,
        };
        (template, unsupported)
    }

    /// The template of a path known to parse (tests, and the prefixes of a parsed template).
    pub fn of(segments: &[Segment]) -> PathTemplate {
        let text = segments
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => format!("/{l}"),
                Segment::Parameter(p) => format!("/{{{p}}}"),
            })
            .collect();
        PathTemplate {
            text,
            segments: segments.to_vec(),
        }
    }

    /// The template as the document writes it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The parameters' names, in path order.
    pub fn parameters(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Parameter(p) => Some(p.as_str()),
            Segment::Literal(_) => None,
        })
    }
}

/// A key of `paths` split where OpenAPI's path templating ends: `/items/{id}?beta=true#top`
/// is the route `/items/{id}`, the fixed query `beta=true` and the fragment `top`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathKey<'k> {
    pub route: &'k str,
    /// The query written into the key, each pair percent-decoded (a name alone has the value
    /// ``): sent by the client with every request of the path's operations.
    pub fixed_query: Vec<(String, String)>,
    /// Text after `#`: never sent over HTTP, so no request can reach such a path.
    pub fragment: Option<&'k str>,
}

impl<'k> PathKey<'k> {
    pub fn parse(key: &'k str) -> PathKey<'k> {
        let (rest, fragment) = match key.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (key, None),
        };
        let (route, query) = rest.split_once('?').unwrap_or((rest, ""));
        let fixed_query = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decoded(name), percent_decoded(value))
            })
            .collect();
        PathKey {
            route,
            fixed_query,
            fragment,
        }
    }
}

/// `%XX` escapes decoded (`+` is a space, as in a form); an escape that is not one, or bytes
/// that are not UTF-8, are kept as written.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape = bytes
            .get(i + 1..i + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[i], escape) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

impl fmt::Display for PathTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Segment {
    /// What the segment is named after: a parameter by its name; a namespaced literal
    /// (Graph's `microsoft.graph.reauthorize`, every dotted part a name) by its last part; any
    /// other literal (`$count`, `v1.0`) whole.
    pub fn name(&self) -> &str {
        match self {
            Segment::Parameter(name) => name,
            Segment::Literal(literal) => {
                let namespaced = literal.contains('.')
                    && literal
                        .split('.')
                        .all(|part| part.starts_with(|c: char| c.is_ascii_alphabetic()));
                match literal.rsplit('.').next() {
                    Some(last) if namespaced => last,
                    _ => literal,
                }
            }
        }
    }

    pub fn is_parameter(&self) -> bool {
        matches!(self, Segment::Parameter(_))
    }
}

#[cfg(test)]
mod tests {
    use super::{PathKey, PathTemplate, Segment};

    #[test]
    fn a_key_splits_into_route_fixed_query_and_fragment() {
        let key = PathKey::parse("/items/{item_id}?beta=true&name=a%20b+c&flag");
        assert_eq!(key.route, "/items/{item_id}");
        let pairs = [("beta", "true"), ("name", "a b c"), ("flag", "")];
        let expected: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(key.fixed_query, expected);
        assert_eq!(key.fragment, None);
        let key = PathKey::parse("/things/{thing_id}#label");
        assert_eq!(
            (key.route, key.fragment, key.fixed_query.len()),
            ("/things/{thing_id}", Some("label"), 0)
        );
        let key = PathKey::parse("/a?x=%zz");
        assert_eq!(key.fixed_query, [("x".to_owned(), "%zz".to_owned())]);
    }

    #[test]
    fn segments_are_literals_or_whole_parameters() {
        let (template, unsupported) =
            PathTemplate::parse("/users/{user-id}/x{name}/{a}{b}//microsoft.graph.reauthorize");
        assert_eq!(
            template.segments(),
            [
                Segment::Literal("users".to_owned()),
                Segment::Parameter("user-id".to_owned()),
                Segment::Literal("x{name}".to_owned()),
                Segment::Literal("{a}{b}".to_owned()),
                Segment::Literal("microsoft.graph.reauthorize".to_owned()),
            ]
        );
        assert_eq!(unsupported, ["x{name}", "{a}{b}"]);
        assert_eq!(template.parameters().collect::<Vec<_>>(), ["user-id"]);
        let names: Vec<&str> = template.segments().iter().map(Segment::name).collect();
        assert_eq!(
            names,
            ["users", "user-id", "x{name}", "{a}{b}", "reauthorize"]
        );
        assert_eq!(
            PathTemplate::of(&template.segments()[..2]).as_str(),
            "/users/{user-id}"
        );
    }

    #[test]
    fn only_names_make_a_namespace() {
        let name = |s: &str| Segment::Literal(s.to_owned()).name().to_owned();
        assert_eq!(name("v1.0"), "v1.0");
        assert_eq!(name("$count"), "$count");
        assert_eq!(
            name("microsoft.graph.getPresencesByUserId"),
            "getPresencesByUserId"
        );
    }
}
