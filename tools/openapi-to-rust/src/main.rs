//! `openapi-to-rust generate DOC --out DIR`: the generator for any OpenAPI document, installed
//! with `cargo install --path tools/openapi-to-rust` and run anywhere. It is this repository's
//! `cargo xtask codegen --schema DOC --out DIR` under a command line of its own, as
//! `cargo progenitor` is progenitor's; the runtime crates it vendors are read from the checkout
//! it was installed from.

use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage: openapi-to-rust generate DOC --out DIR [--name NAME] [--runtime DIR]
                             [--flavour graph|plain] [--tag-features auto|always|never]
                             [--strict]

Writes a Cargo workspace for the OpenAPI 3.0, 3.1 or 3.2 document DOC (YAML or JSON) into the
folder DIR: a models crate (serde types with JSON Schemas), a client crate (request builders
sent with reqwest), a server crate (a trait per API with an axum router, and a mock that
answers with the document's examples), and the runtime crates they use.

  --name NAME     the crates' name stem (default: DIR's folder name made a package name):
                  NAME-models, NAME-client, NAME-server
  --runtime DIR   depend on the runtime crates in DIR instead of vendoring a copy
  --flavour graph|plain
                  whether the crates carry Microsoft Graph's layer (clouds, API versions,
                  the presence rate limit, `azure_identity`); by default a document is
                  Graph's when a server is on a Graph host or a component is named
                  `microsoft.graph.…`
  --tag-features auto|always|never
                  one cargo feature per tag, so that an app compiles only the tags it
                  uses: `auto` (the default) when the document has 100 operations or
                  more and two tags, `always` when it has tags, `never`
  --strict        treat warnings as errors: write nothing if the document has anything the
                  generator cannot represent faithfully
  -h, --help      this text
  -V, --version   the tool's version

A broken document (a dangling `$ref`, a keyword of the wrong type, a duplicate operationId)
gets every error with its JSON pointer, and nothing is written. What cannot be represented
faithfully is a warning on stderr naming its pointers, and the files are still written.";

/// The exit code of a usage error (the generator's own failures exit 1).
const USAGE_ERROR: u8 = 2;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    match generator_args(&args) {
        Ok(Command::Help) => {
            let _ = writeln!(out, "{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            let _ = writeln!(out, "openapi-to-rust {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Generate(args)) => {
            let code = xtask::cli::run(args, &mut out, &mut err);
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
        Err(message) => {
            let _ = writeln!(err, "error: {message}\n\n{USAGE}");
            ExitCode::from(USAGE_ERROR)
        }
    }
}

enum Command {
    Help,
    Version,
    /// The generator's own arguments.
    Generate(Vec<String>),
}

/// The tool's arguments as the generator's (`codegen --schema DOC --out DIR …`).
fn generator_args(args: &[String]) -> Result<Command, String> {
    let Some((command, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    match command.as_str() {
        "-h" | "--help" | "help" => return Ok(Command::Help),
        "-V" | "--version" => return Ok(Command::Version),
        "generate" => {}
        other => return Err(format!("unknown command `{}`", shown(other))),
    }
    if rest.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(Command::Help);
    }
    let mut document = None;
    let mut generator = vec!["codegen".to_owned()];
    let mut has_out = false;
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--out" | "--name" | "--runtime" | "--flavour" | "--tag-features" => {
                let value = rest.next().ok_or_else(|| format!("{arg} needs a value"))?;
                has_out |= arg == "--out";
                generator.extend([arg.clone(), value.clone()]);
            }
            "--strict" => generator.push(arg.clone()),
            flag if flag.starts_with('-') => {
                return Err(format!("unknown argument `{}`", shown(flag)));
            }
            path if document.is_none() => document = Some(path.to_owned()),
            extra => {
                return Err(format!(
                    "one document at a time (also given `{}`)",
                    shown(extra)
                ));
            }
        }
    }
    let document = document.ok_or("generate needs a document")?;
    if !has_out {
        return Err("generate needs --out DIR".into());
    }
    generator.extend(["--schema".to_owned(), document]);
    Ok(Command::Generate(generator))
}

/// An argument quoted in a message: escaped, and cut short.
fn shown(text: &str) -> String {
    let escaped: String = text.escape_debug().collect();
    match escaped.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}
