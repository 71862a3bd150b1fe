//! The command line: flags parsed by hand (a handful, no parser crate needed), every mistake a
//! message for the user rather than a panic.

use std::path::PathBuf;
use std::time::Duration;

/// The port the board listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 5020;
/// How many generated users the emulator holds unless told otherwise.
pub const DEFAULT_USERS: usize = 50;
/// The most generated users: the emulator holds them in memory, and the page draws a tile each.
pub const MAX_USERS: usize = 100_000;
/// The longest `--instance` name (it is part of every lease in Redis).
pub const MAX_INSTANCE: usize = 100;

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Print the usage and exit.
    Help,
    /// Serve the board.
    Serve(Options),
}

/// The board's options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The port on 127.0.0.1 (0: any free one).
    pub port: u16,
    /// Whose presence the board follows.
    pub source: SourceOptions,
}

/// Where presence comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceOptions {
    /// An emulator the board starts, with generated users.
    Emulator(EmulatorOptions),
    /// Microsoft Graph, with the identities and users of a configuration file.
    Graph {
        /// The configuration file.
        config: PathBuf,
        /// Share one mirror with the other boards that name the same Redis (`None`: alone).
        shared: Option<SharedOptions>,
    },
}

/// One of several boards sharing one mirror through Redis (`--redis`, `--instance`).
///
/// Only with `--config`: the built-in emulator is each board's own, so boards sharing a
/// mirror in that mode would each subscribe on a different emulator and miss each other's
/// changes.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedOptions {
    /// `redis://host:port/db`; checked when the board starts (connecting), not here.
    pub url: String,
    /// This board's name among the instances (`None`: the mirror's default, made of the
    /// process id and a random number).
    pub instance: Option<String>,
}

impl std::fmt::Debug for SharedOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password.
        f.debug_struct("SharedOptions")
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

/// The emulated tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct EmulatorOptions {
    /// How many generated users.
    pub users: usize,
    /// The seed the changes are drawn from: the same seed, the same sequence of changes.
    pub seed: u64,
    /// How often some users' presence changes (`None`: never, for tests).
    pub change_every: Option<Duration>,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            users: DEFAULT_USERS,
            seed: 1,
            change_every: Some(Duration::from_secs(1)),
        }
    }
}

/// The text `--help` prints, and every usage error ends with.
pub const USAGE: &str = "\
usage: graph-presence-board [--port N] [--users N] [--seed N] [--change-every SECONDS]
       graph-presence-board [--port N] --config FILE [--redis URL [--instance NAME]]

Serves a live presence board on http://127.0.0.1:PORT/ (JSON at /presence and
/presence/{id}, server-sent events at /presence/stream).

  --port N               port on 127.0.0.1 (default 5020; 0 for any free one)
  --users N              generated users in the built-in emulator (default 50)
  --seed N               seed of the emulated presence changes (default 1)
  --change-every SECONDS how often some emulated users change presence (default 1;
                         0 for never)
  --config FILE          follow real users on Microsoft Graph, as the JSON file says
                         (see the crate's README); no emulator
  --redis URL            with --config: share one mirror with the other boards that
                         name this Redis (redis://host:port/db); each board serves
                         its own webhook, and the file's notificationUrl is the load
                         balancer in front of them all
  --instance NAME        with --redis: this board's name among them (default: its
                         process id and a random number)
  -h, --help             this text";

/// A flag the board cannot run with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(String);

/// Reads the arguments after the program's name.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, UsageError> {
    let mut port = DEFAULT_PORT;
    let mut emulator = EmulatorOptions::default();
    let mut emulator_flag = None;
    let mut config = None;
    let mut redis = None;
    let mut instance = None;
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (flag.clone(), None),
        };
        if name == "-h" || name == "--help" {
            return Ok(Command::Help);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| UsageError(format!("{name} needs a value")))
        };
        match name.as_str() {
            "--port" => port = number(&name, &value()?)?,
            "--users" => {
                let users: usize = number(&name, &value()?)?;
                if !(1..=MAX_USERS).contains(&users) {
                    return Err(UsageError(format!("--users must be from 1 to {MAX_USERS}")));
                }
                emulator.users = users;
                emulator_flag = Some(name.clone());
            }
            "--seed" => {
                emulator.seed = number(&name, &value()?)?;
                emulator_flag = Some(name.clone());
            }
            "--change-every" => {
                emulator.change_every = seconds(&name, &value()?)?;
                emulator_flag = Some(name.clone());
            }
            "--config" => config = Some(PathBuf::from(value()?)),
            "--redis" => {
                let url = value()?;
                if url.trim().is_empty() {
                    return Err(UsageError(format!(
                        "{name} wants a URL (redis://host:port/db)"
                    )));
                }
                redis = Some(url);
            }
            "--instance" => {
                let text = value()?;
                if text.is_empty()
                    || text.len() > MAX_INSTANCE
                    || text.chars().any(|c| c.is_control() || c.is_whitespace())
                {
                    return Err(UsageError(format!(
                        "{name} wants a name of 1 to {MAX_INSTANCE} characters without \
                         spaces, not {}",
                        shown(&text)
                    )));
                }
                instance = Some(text);
            }
            _ => return Err(UsageError(format!("unknown argument {}", shown(&flag)))),
        }
    }
    let shared = match (redis, instance) {
        (Some(url), instance) => Some(SharedOptions { url, instance }),
        (None, Some(_)) => return Err(UsageError("--instance is only for --redis".into())),
        (None, None) => None,
    };
    let source = match (config, emulator_flag, shared) {
        (Some(_), Some(flag), _) => {
            return Err(UsageError(format!(
                "{flag} is for the built-in emulator, not with --config"
            )));
        }
        (Some(config), None, shared) => SourceOptions::Graph { config, shared },
        (None, _, Some(_)) => {
            return Err(UsageError(
                "--redis is only for --config: the built-in emulator is each board's own, so \
                 boards sharing a mirror would each watch a different emulator"
                    .into(),
            ));
        }
        (None, _, None) => SourceOptions::Emulator(emulator),
    };
    Ok(Command::Serve(Options { port, source }))
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, UsageError> {
    text.parse()
        .map_err(|_| UsageError(format!("{flag} wants a whole number, not {}", shown(text))))
}

/// Seconds, fractions allowed; zero means never.
fn seconds(flag: &str, text: &str) -> Result<Option<Duration>, UsageError> {
    let refused = || {
        UsageError(format!(
            "{flag} wants seconds (such as 1 or 0.5), not {}",
            shown(text)
        ))
    };
    let seconds: f64 = text.parse().map_err(|_| refused())?;
    if seconds == 0.0 {
        return Ok(None);
    }
    // Below a millisecond the demo would only spin; above a day it is as good as never.
    if !(0.001..=86_400.0).contains(&seconds) {
        return Err(refused());
    }
    Ok(Some(Duration::from_secs_f64(seconds)))
}

/// An argument quoted in a message, escaped and cut short.
fn shown(text: &str) -> String {
    format!("`{}`", openapi_models_runtime::excerpt(text, 60))
}
