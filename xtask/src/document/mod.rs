//! Reading the OpenAPI document: parsing (YAML or JSON, one parser, key order kept), and the
//! small helpers the validator uses to walk it while tracking JSON pointers and problems.

mod numbers;

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
    /// The warnings found beside the errors, shown after them (so a user fixing the errors
    /// sees everything at once). Empty for a list of warnings.
    pub warnings: Vec<Problem>,
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
/// order of keys (which becomes the order of fields). Duplicate keys are an error; an integer
/// too large for 64 bits is read as the nearest float ([`numbers`]). A leading
/// byte order mark is allowed and skipped. Every parse error says where it is (line and
/// column), and its text is one short line whatever the input holds.
pub fn parse(text: &str) -> Result<Value, Problem> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if let Some((index, c)) = text.char_indices().find(|&(_, c)| !yaml_printable(c)) {
        return Err(located(
            text,
            index,
            format!(
                "the character U+{:04X} is not allowed in a document (YAML and JSON allow only tab, line feed and carriage return among control characters)",
                u32::from(c)
            ),
        ));
    }
    serde_norway::from_str::<numbers::Node>(text)
        .map(|node| node.0)
        .map_err(|error| parse_problem(text, &error))
}

/// Reads a document file as text: the bytes must be UTF-8, and the first one that is not is
/// reported with its line, column and byte offset.
pub fn read_text(path: &Path) -> Result<String, Problems> {
    let file = path.display().to_string();
    let failed = |problem| Problems {
        file: file.clone(),
        list: vec![problem],
        warnings: Vec::new(),
    };
    let bytes = std::fs::read(path).map_err(|error| {
        failed(Problem {
            pointer: String::new(),
            message: format!("cannot read the file: {error}"),
        })
    })?;
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let bytes = error.as_bytes();
        // Everything before the bad byte is valid UTF-8, so line and column count characters.
        let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        let bad = bytes.get(valid).copied().unwrap_or_default();
        failed(located(
            prefix,
            valid,
            format!("the file is not valid UTF-8 (byte 0x{bad:02X})"),
        ))
    })
}

/// Reads and parses a document file.
pub fn load(path: &Path) -> Result<Value, Problems> {
    let text = read_text(path)?;
    parse(&text).map_err(|problem| Problems {
        file: path.display().to_string(),
        list: vec![problem],
        warnings: Vec::new(),
    })
}

/// The longest error text shown from the parser (it can quote the input).
const MAX_MESSAGE: usize = 300;

/// A parse problem at byte `index` of `text` (which must be valid up to there): the message
/// names the line, the column (in characters, from 1) and the byte offset.
fn located(text: &str, index: usize, message: String) -> Problem {
    let before = text.get(..index).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    Problem {
        pointer: String::new(),
        message: format!("line {line}, column {column} (byte {index}): {message}"),
    }
}

/// The parser's error as a problem with a location. serde_norway gives one for most errors;
/// for a duplicate top-level key and a second document it gives none, so they are found here.
fn parse_problem(text: &str, error: &serde_norway::Error) -> Problem {
    // The location is in the message too (`… at line 3 column 1`): it is said once, first.
    let message = match error.location() {
        Some(l) => error.to_string().replacen(
            &format!(" at line {} column {}", l.line(), l.column()),
            "",
            1,
        ),
        None => error.to_string(),
    };
    if let Some((path, key)) = duplicate_key(&message) {
        // The parser's location is the start of the object (of the document, for a root
        // key): the second occurrence of the key is found from there.
        let start = error.location().map_or(0, |l| l.index());
        let what = match path {
            Some(path) => format!(
                "the key `{}` appears twice in the object at `{}`",
                shown(&key),
                shown(path)
            ),
            None => format!(
                "the key `{}` appears twice in the document's root object",
                shown(&key)
            ),
        };
        let index = repeated_key(text, if path.is_some() { start } else { 0 }, &key);
        return match index.or(path.map(|_| start)) {
            Some(index) => located(text, index, what),
            None => Problem {
                pointer: String::new(),
                message: what,
            },
        };
    }
    if let Some(location) = error.location() {
        return located(
            text,
            location.index(),
            format!("cannot parse the document: {}", shown(&message)),
        );
    }
    if message.contains("more than one document")
        && let Some(index) = second_document(text)
    {
        return located(
            text,
            index,
            "a second YAML document starts here; a document file holds one document".to_owned(),
        );
    }
    Problem {
        pointer: String::new(),
        message: format!("cannot parse the document: {}", shown(&message)),
    }
}

/// Parser text made safe to print: control characters escaped, and cut to a bounded length.
fn shown(text: &str) -> String {
    let escaped = crate::docs::one_line(text);
    match escaped.char_indices().nth(MAX_MESSAGE) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}

/// YAML 1.2's printable characters (JSON text is a subset): what a document may hold.
fn yaml_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

/// The byte offset where a second YAML document begins: a `---` line after content, or the
/// first content after a `...` line.
fn second_document(text: &str) -> Option<usize> {
    let (mut offset, mut content, mut ended) = (0, false, false);
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_end();
        let marker = |m: &str| trimmed == m || trimmed.starts_with(&format!("{m} "));
        if marker("---") {
            if content || ended {
                return Some(start);
            }
            content = true; // an explicit start of the first document
        } else if marker("...") {
            ended = true;
        } else if !trimmed.trim_start().is_empty()
            && !trimmed.trim_start().starts_with('#')
            && !trimmed.starts_with('%')
        {
            if ended {
                return Some(start);
            }
            content = true;
        }
    }
    None
}

/// A duplicate-key error's object path (`paths./a.get`, `None` for the root) and key.
fn duplicate_key(message: &str) -> Option<(Option<&str>, String)> {
    const MARK: &str = "duplicate entry with key ";
    let at = message.find(MARK)?;
    let key = serde_norway::from_str::<String>(&message[at + MARK.len()..]).ok()?;
    let path = message[..at].strip_suffix(": ").filter(|p| !p.is_empty());
    Some((path, key))
}

/// The byte offset of the second time `key` is a key of the object that starts at byte
/// `start`: in block YAML, a line at the object's indentation that starts with `key:` (plain
/// or quoted); in JSON (or a YAML flow mapping), a string followed by `:` one level deep.
fn repeated_key(text: &str, start: usize, key: &str) -> Option<usize> {
    let rest = text.get(start..)?;
    let opening = rest.len() - rest.trim_start().len();
    if rest.trim_start().starts_with('{') {
        return repeated_flow_key(rest, key).map(|i| start + i);
    }
    // Block: the object's lines are indented like its first key; it ends at a line indented
    // less.
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = start + opening - line_start;
    let forms = [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ];
    let (mut offset, mut found) = (line_start, 0);
    for line in text[line_start..].split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        let body = line.trim_start_matches(' ');
        let depth = line.len() - body.len();
        if body.trim().is_empty() || body.starts_with('#') {
            continue;
        }
        if depth < indent {
            break;
        }
        if depth == indent && forms.iter().any(|form| body.starts_with(form.as_str())) {
            found += 1;
            if found == 2 {
                return Some(here + depth);
            }
        }
    }
    None
}

/// [`repeated_key`] in flow style: `text` starts (after blanks) with the object's `{`.
fn repeated_flow_key(text: &str, key: &str) -> Option<usize> {
    let (mut depth, mut found) = (0usize, 0);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return None;
                }
            }
            '"' => {
                let start = i + 1;
                let mut end = start;
                while let Some((j, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => {
                            end = j;
                            break;
                        }
                        _ => {}
                    }
                }
                while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
                if depth == 1
                    && text.get(start..end) == Some(key)
                    && chars.peek().is_some_and(|&(_, c)| c == ':')
                {
                    found += 1;
                    if found == 2 {
                        return Some(i);
                    }
                }
            }
            _ => {}
        }
    }
    None
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

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        parse(text).expect_err("a problem").to_string()
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped() {
        let doc = parse("\u{FEFF}openapi: 3.0.1\npaths: {}\n").expect("parses");
        assert_eq!(doc.get("openapi").and_then(Value::as_str), Some("3.0.1"));
    }

    #[test]
    fn a_control_character_is_reported_with_line_column_and_byte() {
        assert_eq!(
            message("a: 1\nb: \"é\u{1}\"\n"),
            "(document): line 2, column 6 (byte 11): the character U+0001 is not allowed in a document (YAML and JSON allow only tab, line feed and carriage return among control characters)"
        );
    }

    #[test]
    fn parser_errors_say_where_once() {
        assert_eq!(
            message("a: {b: 1\nc: 2\n"),
            "(document): line 2, column 2 (byte 10): cannot parse the document: did not find expected ',' or '}', while parsing a flow mapping at line 1 column 4"
        );
    }

    #[test]
    fn duplicate_root_keys_are_found_in_yaml_and_json() {
        assert!(
            message("a: 1\nb: 2\n\"a\": 3\n").starts_with("(document): line 3, column 1 (byte 10): the key `a` appears twice in the document's root object"),
        );
        assert!(
            message("{\"a\": {\"a\": 1}, \"b\": 2,\n  \"a\": 3}")
                .starts_with("(document): line 2, column 3 (byte 26): the key `a` appears twice"),
            "{}",
            message("{\"a\": {\"a\": 1}, \"b\": 2,\n  \"a\": 3}")
        );
    }

    #[test]
    fn a_nested_duplicate_key_names_its_path_and_position() {
        assert_eq!(
            message("a:\n  b: 1\n  c:\n    b: 0\n  b: 2\n"),
            "(document): line 5, column 3 (byte 26): the key `b` appears twice in the object at `a`"
        );
    }

    #[test]
    fn a_second_document_is_located() {
        assert!(
            message("---\na: 1\n---\nb: 2\n")
                .starts_with("(document): line 3, column 1 (byte 9): a second YAML document")
        );
        assert!(
            message("a: 1\n...\n# c\nb: 2\n")
                .starts_with("(document): line 4, column 1 (byte 13): a second YAML document")
        );
    }

    #[test]
    fn error_text_is_one_bounded_line() {
        // The parser quotes the path of a duplicate key: here one with a line break in it.
        let shown = message("\"a\\nb\":\n  c: 1\n  c: 2\n");
        assert!(shown.contains("in the object at `a\\nb`"), "{shown}");
        let long = format!("\u{1b}[31m{}", "x".repeat(100_000));
        let cut = super::shown(&long);
        assert!(cut.len() < 400 && cut.ends_with('…'), "{} bytes", cut.len());
        assert!(cut.starts_with("\\u{1b}[31m"), "{cut}");
    }

    #[test]
    fn invalid_utf8_is_reported_with_line_column_and_byte() {
        let path = std::env::temp_dir().join(format!("xtask-utf8-{}.yaml", std::process::id()));
        std::fs::write(&path, b"a: 1\nb: \"\xC3\xA9\xFF\"\n").expect("writes");
        let problems = read_text(&path).expect_err("not UTF-8");
        let _ = std::fs::remove_file(&path);
        assert_eq!(
            problems.list[0].to_string(),
            "(document): line 2, column 6 (byte 11): the file is not valid UTF-8 (byte 0xFF)"
        );
    }
}
