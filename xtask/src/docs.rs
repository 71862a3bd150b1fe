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
    text.lines()
        .map(|line| {
            let line = line.trim();
            let mut out = String::with_capacity(line.len() + 2);
            // A fence is three or more backticks or tildes at the start of a line; a
            // backslash makes the first one literal.
            if line.starts_with("```") || line.starts_with("~~~") {
                out.push('\\');
            }
            for c in line.chars() {
                if c.is_control() || is_bidi_control(c) {
                    out.extend(c.escape_default());
                } else {
                    out.push(c);
                }
            }
            out
        })
        .collect()
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
}
