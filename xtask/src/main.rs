//! `cargo xtask codegen [--check] [--schema FILE --out DIR]`; see `xtask::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = xtask::cli::run(
        std::env::args().skip(1),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
