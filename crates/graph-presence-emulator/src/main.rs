//! `cargo run -p graph-presence-emulator -- [OPTIONS]`: the emulator on 127.0.0.1 until
//! Ctrl-C, printing what an app needs to use it: the URLs, how to get tokens, a token, the
//! users and the lines that point a client at it. `--help` lists the options.

mod cli;

use cli::{Command, Options, Users};
use graph_presence_emulator::{ALL_SCOPES, APP_ID, Clock, Directory, Emulator};
use openapi_models_runtime::excerpt;
use std::fmt::Write as _;
use std::process::ExitCode;

/// How many users the start-up text lists; the admin API lists them all.
const USERS_SHOWN: usize = 10;

fn main() -> ExitCode {
    let options = match cli::parse(std::env::args_os().skip(1)) {
        Ok(Command::Help) => {
            println!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Run(options)) => options,
        Err(message) => return usage_error(&message),
    };
    let directory = match directory(&options.users) {
        Ok(directory) => directory,
        Err(message) => return usage_error(&message),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return failure(&format!("cannot start the async runtime: {e}")),
    };
    let outcome = runtime.block_on(run(options, directory));
    // The emulator is dropped: nothing left is worth waiting for.
    runtime.shutdown_background();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => failure(&message),
    }
}

/// A mistake on the command line: status 2, as command-line tools use.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("graph-presence-emulator: {message}");
    ExitCode::from(2)
}

fn failure(message: &str) -> ExitCode {
    eprintln!("graph-presence-emulator: {message}");
    ExitCode::FAILURE
}

/// The tenant's users, as the options name them.
fn directory(users: &Users) -> Result<Directory, String> {
    let path = match users {
        Users::BuiltIn => return Ok(Directory::built_in()),
        Users::Synthetic(count) => return Ok(Directory::synthetic(*count)),
        Users::File(path) => path,
    };
    let shown = excerpt(&path.display().to_string(), 200);
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the users file `{shown}`: {e}"))?;
    let directory = Directory::from_json(&text).map_err(|e| format!("`{shown}`: {e}"))?;
    if directory.is_empty() {
        return Err(format!("`{shown}` names no users: give at least one"));
    }
    Ok(directory)
}

async fn run(options: Options, directory: Directory) -> Result<(), String> {
    let port = options.port;
    let emulator = Emulator::builder()
        .directory(directory)
        .clock(Clock::accelerated(jiff::Timestamp::now(), options.factor))
        .seed(options.seed)
        .throttle(options.throttle)
        .port(port)
        .start()
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                format!(
                    "port {port} is in use: give another with --port, or --port 0 for any free one"
                )
            }
            _ => format!("cannot start on 127.0.0.1:{port}: {e}"),
        })?;
    println!("{}", banner(&emulator));
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    println!("stopped");
    Ok(())
}

/// What the binary prints once it serves: where it is, how to get tokens, a token for the
/// first user, the users, and what an app sets to use it.
fn banner(emulator: &Emulator) -> String {
    let base = emulator.base_url();
    let graph = emulator.graph_url();
    let users = emulator.users();
    let mut out = String::new();
    // Writing to a String cannot fail.
    let mut line = |text: &str| {
        let _ = writeln!(out, "{text}");
    };
    line(&format!(
        "Microsoft Graph presence emulator on {base} (tenant {})",
        emulator.tenant()
    ));
    line(&format!(
        "  Graph:      {graph}   ({base}/beta serves the same)"
    ));
    line(&format!("  Admin API:  {base}/_emulator"));
    line(&format!(
        "  Identity:   {}",
        emulator.openid_configuration_url()
    ));
    let factor = emulator.clock().factor();
    line(&if factor == 1.0 {
        "  Clock:      real time (POST /_emulator/clock/advance jumps ahead)".to_owned()
    } else {
        format!(
            "  Clock:      {factor} times real time (POST /_emulator/clock/advance jumps ahead)"
        )
    });
    line("");
    line("Tokens (60 emulated minutes each)");
    line("  App-only, client credentials for the default app (any non-empty secret):");
    line(&format!(
        "    curl -s {} -d grant_type=client_credentials -d client_id={APP_ID} -d client_secret=any -d scope=https://graph.microsoft.com/.default",
        emulator.token_url()
    ));
    line("  Delegated, for any user, from the admin API:");
    line(&format!(
        "    curl -s {base}/_emulator/tokens -H 'content-type: application/json' -d '{{\"user\": \"USER-ID\"}}'"
    ));
    let token = users
        .first()
        .map(|first| (first, emulator.user_token(&first.id, &ALL_SCOPES)));
    if let Some((first, _)) = &token {
        line(&format!(
            "  Delegated for {} ({}), scopes {}: GRAPH_TOKEN below",
            excerpt(&first.display_name, 60),
            first.id,
            ALL_SCOPES.join(" ")
        ));
    }
    line("");
    line(&format!("Users ({})", users.len()));
    for user in users.iter().take(USERS_SHOWN) {
        line(&format!(
            "  {}  {}",
            user.id,
            excerpt(&user.display_name, 60)
        ));
    }
    if users.len() > USERS_SHOWN {
        line(&format!(
            "  … and {} more: curl -s {base}/_emulator/users",
            users.len() - USERS_SHOWN
        ));
    }
    line("");
    line("A new app (graph-presence-client): in its shell,");
    line(&format!("  export GRAPH_BASE_URL={graph}"));
    line(&format!(
        "  export GRAPH_TOKEN={}",
        token.as_ref().map_or("TOKEN", |(_, token)| token.as_str())
    ));
    line("and in its code,");
    line(
        "  let client = Client::builder(BearerToken::new(std::env::var(\"GRAPH_TOKEN\")?))\n      .base_url(std::env::var(\"GRAPH_BASE_URL\")?)\n      .build()?;",
    );
    line("");
    line("Ctrl-C stops it.");
    out
}

#[cfg(test)]
mod tests {
    use super::{banner, directory};
    use crate::cli::Users;
    use graph_presence_emulator::{Directory, Emulator};

    #[tokio::test]
    async fn the_banner_says_where_it_is_and_how_to_use_it() {
        let emulator = Emulator::builder()
            .directory(Directory::synthetic(12))
            .start()
            .await
            .expect("started");
        let text = banner(&emulator);
        let base = emulator.base_url();
        for expected in [
            format!("  Graph:      {base}/v1.0"),
            format!("  Admin API:  {base}/_emulator"),
            format!(
                "    curl -s {} -d grant_type=client_credentials",
                emulator.token_url()
            ),
            format!("  export GRAPH_BASE_URL={base}/v1.0"),
            "  00000000-0000-4000-8000-00000000000a  User 10".to_owned(),
            format!("  … and 2 more: curl -s {base}/_emulator/users"),
        ] {
            assert!(
                text.contains(&expected),
                "`{expected}` missing from:\n{text}"
            );
        }
        assert!(!text.contains("User 11"), "{text}");
        let token = text
            .lines()
            .find_map(|l| l.strip_prefix("  export GRAPH_TOKEN="))
            .expect("a token line");
        let user = emulator.users()[0].id.clone();
        let client =
            graph_presence_client::Client::builder(graph_presence_client::BearerToken::new(token))
                .base_url(emulator.graph_url())
                .build()
                .expect("a client");
        let me = client.me().presence().get().await.expect("the token works");
        assert_eq!(me.id, user);
    }

    #[test]
    fn a_users_file_is_read_or_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("emulator-users-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder");
        let good = dir.join("good.json");
        std::fs::write(
            &good,
            r#"[{"id": "66825e03-7ef5-42da-9069-724602c31f6b", "displayName": "Ana"}]"#,
        )
        .expect("written");
        let users = directory(&Users::File(good)).expect("read");
        assert_eq!(users.users()[0].display_name, "Ana");
        let empty = dir.join("empty.json");
        std::fs::write(&empty, "[]").expect("written");
        let refused = directory(&Users::File(empty)).expect_err("no users");
        assert!(refused.contains("names no users"), "{refused}");
        let bad = dir.join("bad.json");
        std::fs::write(&bad, r#"[{"id": "ada"}]"#).expect("written");
        let refused = directory(&Users::File(bad)).expect_err("not a GUID");
        assert!(refused.contains("is not a GUID"), "{refused}");
        let missing = directory(&Users::File(dir.join("missing.json"))).expect_err("missing");
        assert!(missing.contains("cannot read the users file"), "{missing}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
