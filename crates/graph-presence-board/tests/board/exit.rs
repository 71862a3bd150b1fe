//! The binary's answer to flags and configurations it cannot run with: a message and exit
//! status 2, never a panic.

use std::path::Path;
use std::process::Command;

/// Runs the board with `args`; returns its exit code and what it printed on stderr.
fn board(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_graph-presence-board"))
        .args(args)
        .env_remove("BOARD_TEST_TOKEN_UNSET")
        .output()
        .expect("the board ran");
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
}
