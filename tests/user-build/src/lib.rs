//! Nothing but tests (in `tests/`); see `Cargo.toml` for why this is a workspace of its own.
