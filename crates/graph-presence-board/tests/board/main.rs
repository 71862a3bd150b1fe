//! The board's tests: one binary.

mod api;
mod browser;
mod cli;
mod exit;
mod shared;
mod support;
