//! Reading the OpenAPI document: parsing (YAML or JSON, one parser, key order kept), and the
//! small helpers the validator uses to walk it while tracking JSON pointers and problems.

use serde_norway::{Mapping, Value};
use std::collections::HashSet;
use std::fmt;
use std::path::Path;

/// One thing wrong with the document, at a JSON pointer (RFC 6901) into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(document)"
        } else {
            &self.pointer
        };
        write!(f, "{pointer}: {}", self.message)
    }
}

/// Every problem found in one document, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems {
    pub file: String,
    pub list: Vec<Problem>,
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.list.len();
        writeln!(
            f,
            "{} has {n} problem{}:",
            self.file,
            if n == 1 { "" } else { "s" }
        )?;
        for problem in &self.list {
            writeln!(f, "  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// Parses a document. YAML 1.2 is a superset of JSON, so one parser reads both and keeps the
/// order of keys (which becomes the order of fields). Duplicate keys are an error.
pub fn parse(text: &str) -> Result<Value, Problem> {
    serde_norway::from_str::<Value>(text).map_err(|error| Problem {
        pointer: String::new(),
        message: format!("cannot parse the document: {error}"),
    })
}

/// Reads and parses a document file.
pub fn load(path: &Path) -> Result<Value, Problems> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| Problems {
        file: file.clone(),
        list: vec![Problem {
            pointer: String::new(),
            message: format!("cannot read the file: {error}"),
        }],
    })?;
    parse(&text).map_err(|problem| Problems {
        file,
        list: vec![problem],
    })
}

/// A pointer one level down.
pub fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// A mapping key as text (YAML allows numbers and booleans as keys: `200:`).
pub fn key_text(key: &Value) -> Option<String> {
    match key {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The name of a node's JSON type, for messages.
pub fn kind(node: &Value) -> &'static str {
    match node {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "an array",
        Value::Mapping(_) => "an object",
        Value::Tagged(_) => "a tagged YAML value",
    }
}

/// Collects what the walk finds; every reader takes the pointer of the node it reads.
///
/// Two kinds: a *problem* (an error) is a document that is really broken (a dangling `$ref`,
/// a keyword with the wrong type, a duplicate operationId), and then nothing is generated; a
/// *warning* is something the generator cannot represent faithfully, saying what it did
/// instead, and generation goes on (`--strict` makes warnings errors). One finding is
/// recorded once, however many references lead to it.
#[derive(Default)]
pub struct Report {
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
    seen: HashSet<(bool, String, String)>,
}

impl Report {
    pub fn problem(&mut self, pointer: &str, message: impl Into<String>) {
        self.record(true, pointer, message.into());
    }

    /// Something the generator cannot represent faithfully: `message` says what it did
    /// instead. Generation goes on.
    pub fn warning(&mut self, pointer: &str, message: impl Into<String>) {
        self.record(false, pointer, message.into());
    }

    fn record(&mut self, error: bool, pointer: &str, message: String) {
        if !self
            .seen
            .insert((error, pointer.to_owned(), message.clone()))
        {
            return;
        }
        let list = if error {
            &mut self.problems
        } else {
            &mut self.warnings
        };
        list.push(Problem {
            pointer: pointer.to_owned(),
            message,
        });
    }

    /// The node as an object, or a problem.
    pub fn object<'a>(
        &mut self,
        node: &'a Value,
        pointer: &str,
        what: &str,
    ) -> Option<&'a Mapping> {
        match node {
            Value::Mapping(map) => Some(map),
            other => {
                self.problem(
                    pointer,
                    format!("{what} must be an object, found {}", kind(other)),
                );
                None
            }
        }
    }

    /// The entries of an object with text keys, or a problem per bad key.
    pub fn entries<'a>(&mut self, map: &'a Mapping, pointer: &str) -> Vec<(String, &'a Value)> {
        let mut out = Vec::with_capacity(map.len());
        for (key, value) in map {
            match key_text(key) {
                Some(text) => out.push((text, value)),
                None => self.problem(
                    pointer,
                    format!("object key must be text, found {}", kind(key)),
                ),
            }
        }
        out
    }

    /// Checks that every key of `map` is one of `allowed` or an `x-` extension. OpenAPI allows
    /// any extension anywhere: the ones the generator knows are read where they apply, the
    /// others are accepted and ignored.
    pub fn only_keys(&mut self, map: &Mapping, pointer: &str, what: &str, allowed: &[&str]) {
        for key in self.unknown_keys(map, pointer, allowed) {
            self.problem(
                &child(pointer, &key),
                format!("unsupported keyword `{key}` on {what}"),
            );
        }
    }

    /// Like [`Report::only_keys`], for objects where an unknown key cannot change what the
    /// generator makes of the rest (a response, a parameter, a media type): a warning that
    /// the key is ignored, not an error.
    pub fn ignore_unknown_keys(
        &mut self,
        map: &Mapping,
        pointer: &str,
        what: &str,
        allowed: &[&str],
    ) {
        for key in self.unknown_keys(map, pointer, allowed) {
            self.warning(
                &child(pointer, &key),
                format!("unknown keyword `{key}` on {what}: ignored"),
            );
        }
    }

    fn unknown_keys(&mut self, map: &Mapping, pointer: &str, allowed: &[&str]) -> Vec<String> {
        self.entries(map, pointer)
            .into_iter()
            .map(|(key, _)| key)
            .filter(|key| !allowed.contains(&key.as_str()) && !key.starts_with("x-"))
            .collect()
    }

    pub fn string<'a>(&mut self, node: &'a Value, pointer: &str, what: &str) -> Option<&'a str> {
        match node {
            Value::String(s) => Some(s),
            other => {
                self.problem(
                    pointer,
                    format!("{what} must be a string, found {}", kind(other)),
                );
                None
            }
        }
    }

    /// An optional boolean keyword of `map` (`required`, `x-graph-idempotent`): absent means
    /// false, and a value of another type is reported (and read as false).
    pub fn flag(&mut self, map: &Mapping, pointer: &str, key: &str) -> bool {
        map.get(key)
            .and_then(|node| self.boolean(node, &child(pointer, key), &format!("`{key}`")))
            .unwrap_or(false)
    }

    pub fn boolean(&mut self, node: &Value, pointer: &str, what: &str) -> Option<bool> {
        match node {
            Value::Bool(b) => Some(*b),
            other => {
                self.problem(
                    pointer,
                    format!("{what} must be a boolean, found {}", kind(other)),
                );
                None
            }
        }
    }

    pub fn count(&mut self, node: &Value, pointer: &str, what: &str) -> Option<u64> {
        match node.as_u64() {
            Some(n) => Some(n),
            None => {
                self.problem(
                    pointer,
                    format!(
                        "{what} must be a non-negative integer, found {}",
                        kind(node)
                    ),
                );
                None
            }
        }
    }

    /// An array of strings, or a problem for the array or for each bad item.
    pub fn strings(&mut self, node: &Value, pointer: &str, what: &str) -> Vec<String> {
        let Value::Sequence(items) = node else {
            self.problem(
                pointer,
                format!("{what} must be an array of strings, found {}", kind(node)),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(s) = self.string(item, &child(pointer, &i.to_string()), what) {
                out.push(s.to_owned());
            }
        }
        out
    }
}

/// Problems sorted into document order (a node's problems before those of the nodes inside
/// it), keeping the order they were found in for the same node. Lowering finds some problems
/// after reading has found others; this puts each list back the way a reader meets them.
pub fn in_document_order(root: &Value, problems: Vec<Problem>) -> Vec<Problem> {
    let mut keyed: Vec<(Vec<usize>, Problem)> = problems
        .into_iter()
        .map(|p| (position(root, &p.pointer), p))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, p)| p).collect()
}

/// The index of each step of a pointer among its siblings, as far as the pointer resolves.
fn position(root: &Value, pointer: &str) -> Vec<usize> {
    let mut steps = Vec::new();
    let mut node = root;
    for part in pointer.split('/').skip(1) {
        let key = part.replace("~1", "/").replace("~0", "~");
        let found = match node {
            Value::Mapping(map) => map
                .iter()
                .enumerate()
                .find(|(_, (k, _))| key_text(k).as_deref() == Some(&key))
                .map(|(i, (_, v))| (i, v)),
            Value::Sequence(items) => key
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i).map(|v| (i, v))),
            _ => None,
        };
        let Some((i, next)) = found else { break };
        steps.push(i);
        node = next;
    }
    steps
}
