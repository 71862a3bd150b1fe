//! The generated code of every valid generator fixture, compiled (see `build.rs`), and helpers
//! shared by the integration tests.

/// One module per fixture in `tests/fixtures/valid`, named after the file.
#[allow(dead_code, unused_imports)]
pub mod fixtures {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The README's Rust examples, run as doctests so that they stay true.
#[doc = include_str!("../../README.md")]
pub mod readme {}
