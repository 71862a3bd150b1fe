//! The board's tests: one binary.

mod cli;
