//! The command line of `cargo xtask`, in the library so tests can run it in-process.

use crate::document::Problem;
use crate::write::{self, Mode, Outcome};
use anyhow::{Result, bail};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

const USAGE: &str =
    "usage: cargo xtask codegen [--check] [--strict] [--schema FILE --out DIR [--name NAME] [--runtime DIR]
                      [--flavour graph|plain] [--tag-features auto|always|never]]

  codegen                      regenerate the bundled crates from schema/presence.yaml
  codegen --check              write nothing; fail if a generated file is stale
  codegen --schema F --out D   generate a standalone workspace for any OpenAPI 3.0, 3.1
                               or 3.2 document F into folder D: a models crate, a
                               client crate and the runtime crates they use, named
                               NAME-models and NAME-client, where NAME is D's folder name
                               made a valid package name (`graph-v1.0-Mail` gives
                               `graph-v1-0-mail`)
  --name NAME                  with --out: use NAME instead (an ASCII letter, then ASCII
                               letters, digits, `-` and `_`)
  --runtime DIR                with --out: depend on the runtime crates in DIR (this
                               repository's `crates`, or another generated workspace's
                               `runtime`) instead of vendoring a copy, so that several
                               workspaces share one runtime
  --flavour graph|plain        with --out: whether the crates carry Graph's layer (clouds,
                               API versions, the presence rate limit, `azure_identity`);
                               by default a document is Graph's when a server is on a
                               Graph host or a component is named `microsoft.graph.…`
  --tag-features WHEN          with --out: one cargo feature per tag, so an app compiles
                               only the tags it uses: `auto` (the default) when the
                               document has 100 operations or more and two tags,
                               `always` when it has tags, `never`
  --strict                     treat warnings as errors: write nothing and exit 1 if the
                               document has anything the generator cannot represent
                               faithfully

A document that is really broken (a dangling `$ref`, a keyword with the wrong type, a
duplicate operationId) gets every error listed with its JSON pointer, and nothing is written.
What the generator cannot represent faithfully is a warning (`warning: /pointer: message`,
saying what it did instead) on stderr, and the files are still written. The same warning at
several pointers is one line naming them all (`warning: message (3 places: /a, /b, /c)`).";

/// Runs `cargo xtask ARGS…`, printing to `out` and `err`; returns the exit code (0 or 1).
pub fn run(
    args: impl IntoIterator<Item = String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    match try_run(args.into_iter(), out, err) {
        Ok(code) => code,
        Err(error) => {
            let _ = writeln!(err, "error: {error:#}");
            1
        }
    }
}

fn try_run(
    mut args: impl Iterator<Item = String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32> {
    match args.next().as_deref() {
        Some("codegen") => {}
        Some("help" | "--help" | "-h") | None => {
            writeln!(out, "{USAGE}")?;
            return Ok(0);
        }
        Some(other) => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
    let (mut mode, mut schema, mut out_dir, mut name) = (Mode::Write, None, None, None);
    let mut runtime: Option<PathBuf> = None;
    let mut flavour = None;
    let mut strict = false;
    let mut tag_features = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => mode = Mode::Check,
            "--strict" => strict = true,
            "--schema" => {
                schema = Some(PathBuf::from(
                    args.next()
                        .ok_or_else(|| anyhow::anyhow!("--schema needs a file"))?,
                ))
            }
            "--out" => {
                out_dir = Some(PathBuf::from(
                    args.next()
                        .ok_or_else(|| anyhow::anyhow!("--out needs a folder"))?,
                ))
            }
            "--name" => {
                let given = args
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("--name needs a package name"))?;
                if let Err(error) = crate::names::check_package_stem(&given) {
                    bail!("--name: {error}");
                }
                name = Some(given);
            }
            "--runtime" => {
                runtime = Some(PathBuf::from(args.next().ok_or_else(|| {
                    anyhow::anyhow!("--runtime needs the folder of the runtime crates")
                })?))
            }
            "--flavour" => {
                flavour = Some(match args.next().as_deref() {
                    Some("graph") => crate::model::Flavour::Graph,
                    Some("plain") => crate::model::Flavour::Plain,
                    _ => bail!("--flavour needs `graph` or `plain`"),
                })
            }
            "--tag-features" => {
                tag_features = match args.next().as_deref() {
                    Some("auto") => None,
                    Some("always") => Some(true),
                    Some("never") => Some(false),
                    _ => bail!("--tag-features needs `auto`, `always` or `never`"),
                }
            }
            other => bail!("unknown argument `{other}`\n\n{USAGE}"),
        }
    }
    let root = crate::workspace_root();
    let outputs = match (schema, out_dir) {
        (None, None)
            if name.is_some()
                || runtime.is_some()
                || flavour.is_some()
                || tag_features.is_some() =>
        {
            bail!(
                "--name, --runtime, --flavour and --tag-features go with --schema and --out\n\n{USAGE}"
            )
        }
        (None, None) => crate::bundled_outputs(&root),
        (Some(schema), Some(out)) => crate::standalone_outputs(
            &schema,
            &out,
            crate::Standalone {
                name: name.as_deref(),
                runtime: runtime.as_deref(),
                flavour,
                tag_features,
            },
        ),
        _ => bail!("--schema and --out go together\n\n{USAGE}"),
    };
    let generated = match outputs {
        Ok(generated) if strict && !generated.warnings.list.is_empty() => {
            // `--strict`: every warning is an error, and nothing is written.
            write!(err, "error: {}", generated.warnings)?;
            return Ok(1);
        }
        Ok(generated) => generated,
        Err(problems) => {
            // Nothing has been written: every output is computed before any is written. The
            // warnings follow the errors, so whoever fixes the errors sees everything.
            write!(err, "error: {problems}")?;
            for line in warning_lines(&problems.warnings) {
                writeln!(err, "warning: {line}")?;
            }
            return Ok(1);
        }
    };
    for line in warning_lines(&generated.warnings.list) {
        writeln!(err, "warning: {line}")?;
    }
    let mut stale = Vec::new();
    for (path, outcome) in write::update(&generated.files, mode)? {
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        match outcome {
            Outcome::Unchanged => writeln!(out, "unchanged  {shown}")?,
            Outcome::Written => writeln!(out, "wrote      {shown}")?,
            Outcome::Stale => stale.push(shown),
        }
    }
    if !stale.is_empty() {
        for file in &stale {
            writeln!(err, "stale      {file}")?;
        }
        writeln!(
            err,
            "error: {} generated file(s) are out of date; run `cargo xtask codegen`",
            stale.len()
        )?;
        return Ok(1);
    }
    Ok(0)
}

/// The warnings as printed, one line per distinct message in the order of its first
/// occurrence: `pointer: message` for a message found once, else `message (N places: …)`
/// naming every pointer in document order. (The list itself keeps every one: `--strict` and
/// the model's `warnings` see each.)
pub fn warning_lines(warnings: &[Problem]) -> Vec<String> {
    let mut groups: Vec<(&str, Vec<&Problem>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for warning in warnings {
        let message = warning.message.as_str();
        match index.get(message) {
            Some(&i) => groups[i].1.push(warning),
            None => {
                index.insert(message, groups.len());
                groups.push((message, vec![warning]));
            }
        }
    }
    groups
        .into_iter()
        .map(|(message, places)| match places.as_slice() {
            [one] => one.to_string(),
            _ => {
                let pointers: Vec<&str> = places
                    .iter()
                    .map(|p| match p.pointer.as_str() {
                        "" => "(document)",
                        pointer => pointer,
                    })
                    .collect();
                format!(
                    "{message} ({} places: {})",
                    pointers.len(),
                    pointers.join(", ")
                )
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::document::Problem;

    fn warning(pointer: &str, message: &str) -> Problem {
        Problem {
            pointer: pointer.to_owned(),
            message: message.to_owned(),
        }
    }

    #[test]
    fn a_warning_found_in_several_places_is_one_line_naming_them_in_order() {
        let warnings = [
            warning("/paths/~1a/get", "unsupported thing"),
            warning("/components/schemas/X", "another thing"),
            warning("/paths/~1b/get", "unsupported thing"),
            warning("", "unsupported thing"),
        ];
        assert_eq!(
            super::warning_lines(&warnings),
            [
                "unsupported thing (3 places: /paths/~1a/get, /paths/~1b/get, (document))",
                "/components/schemas/X: another thing",
            ]
        );
        assert!(super::warning_lines(&[]).is_empty());
    }

    /// Through the command line: one line for the three responses, one for the parameter,
    /// and every file still written.
    #[test]
    fn codegen_prints_each_distinct_warning_once() {
        let schema = crate::workspace_root().join("tests/fixtures/valid/repeated_warnings.yaml");
        let out = std::env::temp_dir().join(format!("xtask-repeated-{}", std::process::id()));
        let args = [
            "codegen",
            "--schema",
            &schema.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ]
        .map(str::to_owned);
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let code = super::run(args, &mut stdout, &mut stderr);
        let _ = std::fs::remove_dir_all(&out);
        let err = String::from_utf8_lossy(&stderr);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            err,
            "warning: unknown keyword `type` on a response: ignored (3 places: \
             /paths/~1a/get/responses/200/type, /paths/~1b/get/responses/200/type, \
             /paths/~1b/delete/responses/204/type)\n\
             warning: /paths/~1c/get/parameters/0/colour: unknown keyword `colour` on a parameter: ignored\n"
        );
    }

    #[test]
    fn help_names_every_openapi_version_read() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(super::run(["--help".to_owned()], &mut out, &mut err), 0);
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.contains("any OpenAPI 3.0, 3.1\n") && text.contains("or 3.2 document F"),
            "{text}"
        );
    }
}
