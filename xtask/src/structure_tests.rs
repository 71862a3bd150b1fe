//! The generator's structure, held: only the parser and the reader see the parsed document,
//! and every file stays small enough to read in one sitting.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, relative to it.
fn sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path.strip_prefix(&root).unwrap_or(&path).to_path_buf());
            }
        }
    }
    files.sort();
    files
}

fn text(relative: &Path) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(relative);
    std::fs::read_to_string(path).expect("readable")
}

/// Nothing after `openapi/` reads a raw key: only the parser (`document/`), the reader
/// (`openapi/`) and the pipeline that hands the parsed tree from one to the other and sorts
/// the problems by their place in it (`lib.rs`) name the tree's type. So every keyword is
/// read, and checked, in one place, and lowering and the printers work on typed views.
#[test]
fn only_the_reader_sees_the_parsed_document() {
    let files = sources();
    assert!(files.len() > 20, "{files:?}");
    // Spelled in two parts, so that this file does not name it.
    let needle = ["serde", "_norway"].concat();
    let readers = |path: &Path| {
        path.starts_with("openapi") || path.starts_with("document") || path == Path::new("lib.rs")
    };
    let offenders: Vec<&PathBuf> = files
        .iter()
        .filter(|path| !readers(path) && text(path).contains(&needle))
        .collect();
    assert!(
        offenders.is_empty(),
        "raw YAML read after openapi/: {offenders:?}"
    );
}

/// No file of the generator is over 700 lines.
#[test]
fn every_file_reads_in_one_sitting() {
    let long: Vec<(String, usize)> = sources()
        .iter()
        .map(|path| (path.display().to_string(), text(path).lines().count()))
        .filter(|(_, lines)| *lines > 700)
        .collect();
    assert!(long.is_empty(), "files over 700 lines: {long:?}");
}
