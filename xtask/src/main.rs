//! `cargo xtask codegen [--check] [--schema FILE --out DIR]`

use anyhow::{bail, Result};
use std::path::PathBuf;
use std::process::ExitCode;
use xtask::write::{self, Mode, Outcome};

const USAGE: &str = "usage: cargo xtask codegen [--check] [--schema FILE --out DIR]

  codegen                      regenerate the bundled crates from schema/presence.yaml
  codegen --check              write nothing; fail if a generated file is stale
  codegen --schema F --out D   generate a standalone models crate for any Graph-flavoured
                               OpenAPI 3.0 document F into folder D";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("codegen") => {}
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        Some(other) => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
    let (mut mode, mut schema, mut out) = (Mode::Write, None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => mode = Mode::Check,
            "--schema" => schema = Some(PathBuf::from(args.next().ok_or_else(|| anyhow::anyhow!("--schema needs a file"))?)),
            "--out" => out = Some(PathBuf::from(args.next().ok_or_else(|| anyhow::anyhow!("--out needs a folder"))?)),
            other => bail!("unknown argument `{other}`\n\n{USAGE}"),
        }
    }
    let root = xtask::workspace_root();
    let outputs = match (schema, out) {
        (None, None) => xtask::bundled_outputs(&root),
        (Some(schema), Some(out)) => xtask::standalone_outputs(&schema, &out),
        _ => bail!("--schema and --out go together\n\n{USAGE}"),
    };
    let outputs = match outputs {
        Ok(outputs) => outputs,
        Err(problems) => {
            // Nothing has been written: every output is computed before any is written.
            eprint!("error: {problems}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut stale = Vec::new();
    for (path, outcome) in write::update(&outputs, mode)? {
        let shown = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
        match outcome {
            Outcome::Unchanged => println!("unchanged  {shown}"),
            Outcome::Written => println!("wrote      {shown}"),
            Outcome::Stale => stale.push(shown),
        }
    }
    if !stale.is_empty() {
        for file in &stale {
            eprintln!("stale      {file}");
        }
        eprintln!("error: {} generated file(s) are out of date; run `cargo xtask codegen`", stale.len());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
