//! The flags, and the messages for mistakes in them.

use graph_presence_board::cli::{
    Command, EmulatorOptions, Options, SharedOptions, SourceOptions, parse,
};

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
                config: "board.json".into(),
                shared: None,
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
        ("--redis redis://127.0.0.1/", "--redis is only for --config"),
        (
            "--users 5 --redis redis://127.0.0.1/",
            "--redis is only for --config",
        ),
        ("--config a.json --redis", "--redis needs a value"),
        ("--config a.json --redis=", "--redis wants a URL"),
        (
            "--config a.json --instance board-1",
            "--instance is only for --redis",
        ),
        ("--instance board-1", "--instance is only for --redis"),
        (
            "--config a.json --redis redis://127.0.0.1/ --instance=",
            "--instance wants a name of 1 to 100 characters",
        ),
    ] {
        let error = parse(args(bad)).expect_err(bad).to_string();
        assert!(error.starts_with(why), "{bad}: {error}");
    }
}

#[test]
fn redis_shares_the_mirror_of_a_configured_board() {
    let shared = |url: &str, instance: Option<&str>| {
        Ok(Command::Serve(Options {
            port: 5020,
            source: SourceOptions::Graph {
                config: "board.json".into(),
                shared: Some(SharedOptions {
                    url: url.to_owned(),
                    instance: instance.map(str::to_owned),
                }),
            },
        }))
    };
    assert_eq!(
        parse(args("--config board.json --redis redis://10.0.0.5:6379/2")),
        shared("redis://10.0.0.5:6379/2", None)
    );
    assert_eq!(
        parse(args(
            "--instance=board-b --redis=redis://redis.internal/ --config board.json"
        )),
        shared("redis://redis.internal/", Some("board-b"))
    );
    // The URL is checked when the board starts (by connecting), not when parsed.
    assert_eq!(
        parse(args("--config board.json --redis not-a-url")),
        shared("not-a-url", None)
    );
    let long = "x".repeat(101);
    let error = parse(args(&format!(
        "--config board.json --redis redis://r/ --instance {long}"
    )))
    .expect_err("too long");
    assert!(error.to_string().contains("1 to 100 characters"), "{error}");
    // The URL may carry a password: not in the options' Debug.
    let Ok(Command::Serve(options)) =
        parse(args("--config board.json --redis redis://:hunter2@r/"))
    else {
        panic!("parsed");
    };
    assert!(!format!("{options:?}").contains("hunter2"));
}
