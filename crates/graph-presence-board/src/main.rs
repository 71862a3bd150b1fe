//! `graph-presence-board`: see the crate's README and `--help`.

use graph_presence_board::{board, cli};
use std::process::ExitCode;

/// Usage mistakes and configurations the board cannot run with.
const EXIT_USAGE: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    let options = match cli::parse(std::env::args().skip(1)) {
        Ok(cli::Command::Help) => {
            println!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(cli::Command::Serve(options)) => options,
        Err(error) => {
            eprintln!("graph-presence-board: {error}\n\n{}", cli::USAGE);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match board::start(&options).await {
        Ok(running) => {
            println!("presence board on {}/", running.url());
            running.wait().await;
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("graph-presence-board: {error}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
