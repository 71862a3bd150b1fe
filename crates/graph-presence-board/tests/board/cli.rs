//! The flags, and the messages for mistakes in them.

use graph_presence_board::cli::{Command, EmulatorOptions, Options, SourceOptions, parse};

fn args(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

#[test]
fn flags_and_their_mistakes() {
    assert_eq!(
        parse(args("--port 0 --users 3 --change-every 0")),
        Ok(Command::Serve(Options {
            port: 0,
            source: SourceOptions::Emulator(EmulatorOptions {
                users: 3,
                seed: 1,
                change_every: None,
            }),
        }))
    );
    assert_eq!(
        parse(args("--config board.json --port=7000")),
        Ok(Command::Serve(Options {
            port: 7000,
            source: SourceOptions::Graph {
                config: "board.json".into()
            },
        }))
    );
    assert_eq!(parse(args("--help --port x")), Ok(Command::Help));
    for (bad, why) in [
        ("--port 70000", "--port wants a whole number"),
        ("--port", "--port needs a value"),
        ("--users 0", "--users must be from 1"),
        ("--change-every -1", "--change-every wants seconds"),
        ("--frobnicate", "unknown argument `--frobnicate`"),
        (
            "--config a.json --users 5",
            "--users is for the built-in emulator",
        ),
    ] {
        let error = parse(args(bad)).expect_err(bad).to_string();
        assert!(error.starts_with(why), "{bad}: {error}");
    }
}
