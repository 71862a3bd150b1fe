//! The one place text becomes documentation in generated code. Schema text (descriptions,
//! property names, enum values, paths, operationIds) is untrusted: it must not turn into a
//! doctest that `cargo test` would run, into a second line of code, or into anything the
//! compiler refuses (a bare carriage return, a bidirectional override).

use proc_macro2::TokenStream;
use quote::quote;

/// The lines of `text` as they go after `///`: each trimmed (so none becomes an indented code
/// block), a line that would open a code fence escaped (so none becomes a doctest), control
/// and bidirectional-formatting characters written as escapes.
pub fn lines(text: &str) -> Vec<String> {
    // Inside a list item, the width of its marker: a line that continues the item is indented
    // to the item's text, as Markdown (and clippy's `doc_lazy_continuation`) expects.
    let mut item_width: Option<usize> = None;
    text.lines()
        .map(|line| {
            let line = line.trim();
            let mut out = String::with_capacity(line.len() + 2);
            match list_marker_width(line) {
                Some(width) => item_width = Some(width),
                None if line.is_empty() => item_width = None,
                None => {
                    if let Some(width) = item_width {
                        out.extend(std::iter::repeat_n(' ', width));
                    }
                }
            }
            // A fence is three or more backticks or tildes at the start of a line; a
            // backslash makes the first one literal.
            if line.starts_with("```") || line.starts_with("~~~") {
                out.push('\\');
            }
            for c in line.chars() {
                if needs_escape(c) {
                    out.extend(c.escape_default());
                } else {
                    out.push(c);
                }
            }
            out
        })
        .collect()
}

/// The width of a Markdown list marker and the spaces after it (`- `, `*   `, `12. `), if the
/// line starts a list item.
fn list_marker_width(line: &str) -> Option<usize> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let marker = match line.as_bytes().get(digits) {
        Some(b'-' | b'*' | b'+') if digits == 0 => 1,
        Some(b'.' | b')') if (1..=9).contains(&digits) => digits + 1,
        _ => return None,
    };
    let spaces = line[marker..].bytes().take_while(|b| *b == b' ').count();
    // A marker needs a space after it and text (`**bold**` and `-1` are not items).
    (spaces > 0 && marker + spaces < line.len()).then_some(marker + spaces)
}

/// `#[doc]` attributes for `text` (see [`lines`]).
pub fn attrs(text: &str) -> TokenStream {
    let lines = lines(text).into_iter().map(|line| format!(" {line}"));
    quote! { #(#[doc = #lines])* }
}

/// `#[doc]` attributes for lines the generator wrote itself (a doc example's fences and
/// code), kept as they are. Schema text never goes here unescaped: values inside an example
/// are written as Rust literals.
pub fn generated_attrs<S: AsRef<str>>(lines: &[S]) -> TokenStream {
    let lines = lines.iter().map(|l| format!(" {}", l.as_ref()));
    quote! { #(#[doc = #lines])* }
}

/// `text` as one line, for a comment or a `//!` line the generator writes itself (a file's
/// header naming the schema file, a crate's title): every control (line feed included),
/// line-separating or bidirectional-formatting character becomes an escape, so no input can
/// end the comment's line and start code.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` as a TOML basic string, quotes included: `"` and `\\` escaped, and every control,
/// line-separating or bidirectional-formatting character written as a `\\uXXXX` escape.
pub fn toml_string(text: &str) -> String {
    // All such characters are in the Basic Multilingual Plane.
    quoted(text, |c| {
        needs_escape(c).then(|| format!("\\u{:04X}", u32::from(c)))
    })
}

/// `text` as a Rust string literal for code the generator writes into a doc example: `"` and
/// `\` escaped, and every control, line-separating or bidirectional-formatting character written
/// as a `\u{…}` escape, so the literal stays on its line and compiles to exactly `text`.
pub fn rust_string(text: &str) -> String {
    quoted(text, |c| match c {
        '\n' => Some("\\n".to_owned()),
        '\r' => Some("\\r".to_owned()),
        '\t' => Some("\\t".to_owned()),
        c => needs_escape(c).then(|| format!("\\u{{{:x}}}", u32::from(c))),
    })
}

/// `text` as a raw Rust string literal (`r#"…"#`, with as many `#` as it needs), which reads
/// better for JSON; [`rust_string`] when `text` has a character that needs an escape.
pub fn rust_raw_string(text: &str) -> String {
    if text.chars().any(needs_escape) {
        return rust_string(text);
    }
    // One `#` more than the longest run of them after a quote in the text.
    let mut longest = 0;
    for (i, _) in text.match_indices('"') {
        longest = longest.max(text[i + 1..].bytes().take_while(|b| *b == b'#').count());
    }
    let hashes = "#".repeat(longest + 1);
    format!("r{hashes}\"{text}\"{hashes}")
}

/// `text` as a JSON string, quotes included, for JSON the generator writes into a doc example:
/// what JSON requires escaped, and every other control, line-separating or
/// bidirectional-formatting character as a `\uXXXX` escape (so [`rust_raw_string`] can hold it).
pub fn json_string(text: &str) -> String {
    quoted(text, |c| match c {
        '\n' => Some("\\n".to_owned()),
        // All such characters are in the Basic Multilingual Plane.
        c => needs_escape(c).then(|| format!("\\u{:04x}", u32::from(c))),
    })
}

/// `text` between double quotes with `"` and `\` backslash-escaped, and each other character
/// written as `escape` says (or as itself): what the TOML, Rust and JSON literals share.
fn quoted(text: &str, escape: impl Fn(char) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => match escape(c) {
                Some(escaped) => out.push_str(&escaped),
                None => out.push(c),
            },
        }
    }
    out.push('"');
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Characters that reorder how text is displayed (rustc refuses them in comments and
/// literals, and they can make code read differently from what it is).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::lines;

    #[test]
    fn schema_text_cannot_become_code() {
        assert_eq!(
            lines("Hello\n  ~~~\nfn main() {}\n```rust\n    indented"),
            ["Hello", "\\~~~", "fn main() {}", "\\```rust", "indented"]
        );
        assert_eq!(lines("a\rb\u{202E}c"), ["a\\rb\\u{202e}c"]);
        assert_eq!(lines("`inline` code stays"), ["`inline` code stays"]);
    }

    #[test]
    fn a_list_item_continued_on_the_next_line_stays_in_the_item() {
        assert_eq!(
            lines(
                "**Note**:\n*   first item, wrapped\nhere.\n*   second\n\nAfter the list.\n1. one\n   two\n-1 is not an item\nnor this"
            ),
            [
                "**Note**:",
                "*   first item, wrapped",
                "    here.",
                "*   second",
                "",
                "After the list.",
                "1. one",
                "   two",
                "   -1 is not an item",
                "   nor this",
            ]
        );
    }

    #[test]
    fn a_label_stays_one_line_and_a_toml_string_stays_one_string() {
        use super::{one_line, toml_string};
        let evil = "evil\npub fn injected() {}\r\u{2028}\u{202E}\"q\" \\ */.yaml";
        assert_eq!(
            one_line(evil),
            "evil\\npub fn injected() {}\\r\\u{2028}\\u{202e}\"q\" \\ */.yaml"
        );
        assert_eq!(
            toml_string(evil),
            "\"evil\\u000Apub fn injected() {}\\u000D\\u2028\\u202E\\\"q\\\" \\\\ */.yaml\""
        );
    }
}
