//! The binary's command line (a module of `main.rs`, not of the library): flags read by hand,
//! every mistake a message for standard error (the binary then exits with status 2).

use graph_presence_emulator::ThrottleSettings;
use openapi_models_runtime::excerpt;
use std::ffi::OsString;
use std::path::PathBuf;

/// The port when `--port` is not given: fixed, so that the URLs printed (and pasted into an
/// app's settings) stay right across restarts. `--port 0` takes any free one.
pub const DEFAULT_PORT: u16 = 5010;

/// The most synthetic users `--synthetic` makes: far more than a tenant's presence load
/// needs, and a bound on what a typo can allocate.
pub const MAX_SYNTHETIC: usize = 1_000_000;

/// The fastest `--accelerate` runs the clock: a year in under a minute.
pub const MAX_FACTOR: f64 = 1_000_000.0;

pub const USAGE: &str = "\
A local Microsoft Graph for presence, on 127.0.0.1.

Usage: graph-presence-emulator [OPTIONS]

Options:
  --port N            the port (default 5010; 0: any free one)
  --users FILE        the tenant's users: a JSON array of
                      {\"id\", \"displayName\"?, \"userPrincipalName\"?} (default: six built-in)
  --synthetic N       N users named User 1, User 2… instead (at most 1000000)
  --accelerate F      run the clock F times faster than real time (default 1)
  --seed N            the seed injected faults draw from (default 0)
  --throttle PRESET   presencePages (default), throttlingLimitsPage or off
  -h, --help          this text

The admin API under /_emulator shows and changes users, subscriptions, deliveries,
faults, throttling and the clock; the start-up text says how to get tokens.";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Print [`USAGE`].
    Help,
    /// Run the emulator.
    Run(Options),
}

/// How to run the emulator.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub port: u16,
    pub users: Users,
    /// How many times faster than real time the clock runs.
    pub factor: f64,
    pub seed: u64,
    pub throttle: ThrottleSettings,
}

/// Where the tenant's users come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Users {
    BuiltIn,
    File(PathBuf),
    Synthetic(usize),
}

impl Default for Options {
    fn default() -> Self {
        Options {
            port: DEFAULT_PORT,
            users: Users::BuiltIn,
            factor: 1.0,
            seed: 0,
            throttle: ThrottleSettings::default(),
        }
    }
}

/// Reads the arguments after the program's name: `--flag value` or `--flag=value`, each flag
/// at most once.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut options = Options::default();
    let mut seen: Vec<Flag> = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|raw| format!("`{}` is not UTF-8", excerpt(&raw.to_string_lossy(), 60)))?;
        if arg == "-h" || arg == "--help" {
            return Ok(Command::Help);
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let Some(&(flag_name, flag)) = FLAGS.iter().find(|(f, _)| *f == name) else {
            return Err(format!(
                "unknown option `{}` (--help lists them)",
                excerpt(name, 60)
            ));
        };
        if seen.contains(&flag) {
            return Err(format!("{flag_name} is given more than once"));
        }
        seen.push(flag);
        let value = match inline {
            Some(value) => value,
            None => args
                .next()
                .ok_or_else(|| format!("{flag_name} needs a value"))?
                .into_string()
                .map_err(|_| format!("the value of {flag_name} is not UTF-8"))?,
        };
        let bad = |what: &str| format!("{flag_name} takes {what}, not `{}`", excerpt(&value, 60));
        match flag {
            Flag::Port => options.port = value.parse().map_err(|_| bad("a port (0 to 65535)"))?,
            Flag::Users => {
                if value.is_empty() {
                    return Err(bad("a file"));
                }
                options.users = Users::File(PathBuf::from(&value));
            }
            Flag::Synthetic => {
                let count = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_SYNTHETIC).contains(n))
                    .ok_or_else(|| bad(&format!("a count of users from 1 to {MAX_SYNTHETIC}")))?;
                options.users = Users::Synthetic(count);
            }
            Flag::Accelerate => {
                options.factor = value
                    .parse()
                    .ok()
                    .filter(|f: &f64| f.is_finite() && *f > 0.0 && *f <= MAX_FACTOR)
                    .ok_or_else(|| bad(&format!("a factor above 0, at most {MAX_FACTOR}")))?;
            }
            Flag::Seed => options.seed = value.parse().map_err(|_| bad("a whole number"))?,
            Flag::Throttle => {
                options.throttle = ThrottleSettings::preset(&value).ok_or_else(|| {
                    let names: Vec<&str> =
                        ThrottleSettings::PRESETS.iter().map(|(n, _)| *n).collect();
                    bad(&format!("a preset ({})", names.join(", ")))
                })?;
            }
        }
    }
    if seen.contains(&Flag::Users) && seen.contains(&Flag::Synthetic) {
        return Err("--users and --synthetic both name the users: give one".to_owned());
    }
    Ok(Command::Run(options))
}

/// The flags that take a value, by name.
const FLAGS: [(&str, Flag); 6] = [
    ("--port", Flag::Port),
    ("--users", Flag::Users),
    ("--synthetic", Flag::Synthetic),
    ("--accelerate", Flag::Accelerate),
    ("--seed", Flag::Seed),
    ("--throttle", Flag::Throttle),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    Port,
    Users,
    Synthetic,
    Accelerate,
    Seed,
    Throttle,
}

#[cfg(test)]
mod tests {
    use super::{Command, Options, Users, parse};
    use graph_presence_emulator::ThrottleSettings;
    use std::ffi::OsString;

    fn run(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(OsString::from))
    }

    fn options(args: &[&str]) -> Options {
        match run(args) {
            Ok(Command::Run(options)) => options,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn no_flags_runs_with_the_defaults() {
        assert_eq!(options(&[]), Options::default());
        assert_eq!(Options::default().port, 5010);
    }

    #[test]
    fn each_flag_is_read_in_either_form() {
        let read = options(&[
            "--port",
            "0",
            "--synthetic=2000",
            "--accelerate",
            "60",
            "--seed=7",
            "--throttle",
            "off",
        ]);
        assert_eq!(
            read,
            Options {
                port: 0,
                users: Users::Synthetic(2000),
                factor: 60.0,
                seed: 7,
                throttle: ThrottleSettings::NONE,
            }
        );
        assert_eq!(
            options(&["--users", "users.json", "--throttle=throttlingLimitsPage"]),
            Options {
                users: Users::File("users.json".into()),
                throttle: ThrottleSettings::THROTTLING_LIMITS_PAGE,
                ..Options::default()
            }
        );
        assert_eq!(
            run(&["--port", "x", "--help"]),
            Err("--port takes a port (0 to 65535), not `x`".to_owned())
        );
        assert_eq!(run(&["--seed", "1", "-h"]), Ok(Command::Help));
    }

    #[test]
    fn mistakes_are_named() {
        for (args, message) in [
            (
                &["--port", "65536"][..],
                "--port takes a port (0 to 65535), not `65536`",
            ),
            (&["--port"], "--port needs a value"),
            (
                &["--prot", "1"],
                "unknown option `--prot` (--help lists them)",
            ),
            (&["serve"], "unknown option `serve` (--help lists them)"),
            (
                &["--seed", "1", "--seed=2"],
                "--seed is given more than once",
            ),
            (
                &["--synthetic", "0"],
                "--synthetic takes a count of users from 1 to 1000000, not `0`",
            ),
            (
                &["--synthetic", "1000001"],
                "--synthetic takes a count of users from 1 to 1000000, not `1000001`",
            ),
            (
                &["--accelerate", "NaN"],
                "--accelerate takes a factor above 0, at most 1000000, not `NaN`",
            ),
            (
                &["--accelerate", "-2"],
                "--accelerate takes a factor above 0, at most 1000000, not `-2`",
            ),
            (
                &["--throttle", "fast"],
                "--throttle takes a preset (presencePages, throttlingLimitsPage, off), not `fast`",
            ),
            (&["--users", ""], "--users takes a file, not ``"),
            (
                &["--users", "a.json", "--synthetic", "5"],
                "--users and --synthetic both name the users: give one",
            ),
        ] {
            assert_eq!(run(args), Err(message.to_owned()), "{args:?}");
        }
    }

    #[test]
    fn outside_text_in_a_message_is_escaped_and_cut_short() {
        let long = format!("--{}", "x".repeat(500));
        let message = run(&[&long]).expect_err("unknown");
        assert!(message.chars().count() < 120, "{message}");
        let message = run(&["--seed", "1\u{1b}[31m"]).expect_err("not a number");
        assert!(!message.contains('\u{1b}'), "{message}");
    }

    #[cfg(unix)]
    #[test]
    fn an_argument_that_is_not_utf8_is_refused() {
        use std::os::unix::ffi::OsStringExt;
        let args = vec![OsString::from("--users"), OsString::from_vec(vec![0xff])];
        assert_eq!(
            parse(args),
            Err("the value of --users is not UTF-8".to_owned())
        );
    }
}
