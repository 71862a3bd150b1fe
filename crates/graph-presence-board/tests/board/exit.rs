//! The binary's answer to flags and configurations it cannot run with: a message and exit
//! status 2, never a panic.

use std::path::Path;
use std::process::Command;

/// Runs the board with `args`; returns its exit code and what it printed on stderr.
fn board(args: &[&str]) -> (Option<i32>, String) {
    board_with_token(args, None)
}

/// Runs the board with `args`, and `BOARD_TEST_TOKEN` set to `token` if given.
fn board_with_token(args: &[&str], token: Option<&str>) -> (Option<i32>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_graph-presence-board"));
    command.args(args).env_remove("BOARD_TEST_TOKEN_UNSET");
    match token {
        Some(token) => command.env("BOARD_TEST_TOKEN", token),
        None => command.env_remove("BOARD_TEST_TOKEN"),
    };
    let output = command.output().expect("the board ran");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A configuration file with `text`, in Cargo's temporary directory for tests.
fn config(name: &str, text: &str) -> String {
    let path =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}.json", std::process::id()));
    std::fs::write(&path, text).expect("written");
    path.display().to_string()
}

#[test]
fn bad_flags_and_configurations_exit_2_with_a_message() {
    let missing_token = config(
        "missing-token",
        r#"{"notificationUrl": "https://board.contoso.example/notifications",
            "clientState": "secret",
            "identities": [{"name": "watcher", "tokenEnv": "BOARD_TEST_TOKEN_UNSET"}],
            "users": [{"id": "00000000-0000-4000-8000-000000000001"}]}"#,
    );
    let typo = config(
        "typo",
        r#"{"notificationURL": "https://board.contoso.example/notifications"}"#,
    );
    let not_json = config("not-json", "users = [1, 2]");
    let with_identity = |name: &str, identity: &str| {
        config(
            name,
            &format!(
                r#"{{"notificationUrl": "https://board.contoso.example/notifications",
                    "clientState": "secret",
                    "identities": [{identity}],
                    "users": [{{"id": "00000000-0000-4000-8000-000000000001"}}]}}"#
            ),
        )
    };
    let two_sign_ins = with_identity(
        "two-sign-ins",
        r#"{"name": "watcher", "tokenEnv": "X", "azureCli": {}}"#,
    );
    let no_sign_in = with_identity("no-sign-in", r#"{"name": "watcher"}"#);
    let bad_tenant = with_identity(
        "bad-tenant",
        r#"{"name": "watcher", "azureCli": {"tenantId": "not a tenant!"}}"#,
    );
    for (args, message) in [
        (vec!["--port", "many"], "--port wants a whole number"),
        (vec!["--bogus"], "unknown argument `--bogus`"),
        (
            vec!["--config", "/nonexistent/board.json"],
            "cannot read /nonexistent/board.json",
        ),
        (vec!["--config", &not_json], "is not a board configuration"),
        (vec!["--config", &typo], "unknown field `notificationURL`"),
        (
            vec!["--config", &missing_token],
            "identity watcher: environment variable BOARD_TEST_TOKEN_UNSET holds no token",
        ),
        (
            vec!["--config", &two_sign_ins],
            "identity watcher: give exactly one of tokenEnv and azureCli",
        ),
        (
            vec!["--config", &no_sign_in],
            "identity watcher: give exactly one of tokenEnv and azureCli",
        ),
        (
            vec!["--port", "0", "--config", &bad_tenant],
            "identity watcher: the Azure CLI sign-in: ",
        ),
    ] {
        let (code, stderr) = board(&args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    let (code, _) = board(&["--help"]);
    assert_eq!(code, Some(0));
    let (code, stderr) = board(&["--redis", "redis://127.0.0.1/"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--redis is only for --config"), "{stderr}");
    assert!(stderr.contains("usage: "), "{stderr}");
}

/// A Redis that is not a URL, or does not answer, stops the start with a message (before
/// anything is subscribed), and the message does not show the URL's password.
#[test]
fn a_redis_that_cannot_be_used_exits_2_with_a_message() {
    let valid = config(
        "redis-valid",
        r#"{"notificationUrl": "https://board.contoso.example/notifications",
            "clientState": "secret",
            "identities": [{"name": "watcher", "tokenEnv": "BOARD_TEST_TOKEN"}],
            "users": [{"id": "00000000-0000-4000-8000-000000000001"}]}"#,
    );
    // A port nothing listens on: bound, then let go.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let unreachable = format!("redis://:hunter2@127.0.0.1:{closed}/");
    for url in [
        "not-a-url",
        "redis://127.0.0.1:99999/",
        unreachable.as_str(),
    ] {
        let args = ["--port", "0", "--config", &valid, "--redis", url];
        let (code, stderr) = board_with_token(&args, Some("not-a-real-token"));
        assert_eq!(code, Some(2), "{url}: {stderr}");
        assert!(
            stderr.contains("--redis: cannot connect to Redis: "),
            "{url}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{url}: {stderr}");
        assert!(!stderr.contains("hunter2"), "{url}: {stderr}");
    }
}
