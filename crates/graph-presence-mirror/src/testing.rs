//! A real `redis-server` for tests (feature `testing`): started on a free loopback port with a
//! temporary directory and no persistence, so a restart comes back empty, as a Redis without
//! persistence does after a crash. Killed when dropped.
//!
//! The binary is `$REDIS_SERVER`, or `redis-server` on the `PATH` (Debian: `apt-get install
//! redis-server`; Valkey's `valkey-server` speaks the same protocol).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a start may take before it is an error.
const START_PATIENCE: Duration = Duration::from_secs(15);

/// A `redis-server` process of the test's own.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    directory: PathBuf,
}

impl RedisServer {
    /// Starts one on a free port of 127.0.0.1, in a new temporary directory.
    pub fn start() -> std::io::Result<RedisServer> {
        let directory = std::env::temp_dir().join(format!(
            "graph-presence-redis-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&directory)?;
        let mut last = None;
        // A port found free can be taken before the server binds it: try another.
        for _ in 0..5 {
            let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
                .local_addr()?
                .port();
            let mut server = RedisServer {
                child: None,
                port,
                directory: directory.clone(),
            };
            match server.spawn() {
                Ok(()) => return Ok(server),
                Err(error) => {
                    server.kill();
                    last = Some(error);
                }
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("redis-server did not start")))
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Its address.
    pub fn address(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// Kills it at once (`SIGKILL`): every connection drops, nothing is saved.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills it and starts it again on the same port: it comes back empty.
    pub fn restart(&mut self) -> std::io::Result<()> {
        self.kill();
        let waited = Instant::now();
        // The port is free once the old process is reaped; a rebind can still race its
        // sockets' teardown, so it is tried for a while.
        loop {
            match self.spawn() {
                Ok(()) => return Ok(()),
                Err(error) if waited.elapsed() > START_PATIENCE => return Err(error),
                Err(_) => {
                    self.kill();
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let binary = std::env::var_os("REDIS_SERVER").unwrap_or_else(|| "redis-server".into());
        let child = Command::new(&binary)
            .args(["--bind", "127.0.0.1", "--port"])
            .arg(self.port.to_string())
            .arg("--dir")
            .arg(&self.directory)
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .args(["--loglevel", "warning", "--logfile", "redis.log"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| {
                std::io::Error::new(
                    error.kind(),
                    format!(
                        "{} could not be started ({error}); install it with `apt-get install redis-server`, or name it in $REDIS_SERVER",
                        binary.to_string_lossy()
                    ),
                )
            })?;
        self.child = Some(child);
        let waited = Instant::now();
        loop {
            if self.answers_ping() {
                return Ok(());
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(std::io::Error::other(format!(
                    "redis-server exited at start ({status}); see {}",
                    self.directory.join("redis.log").display()
                )));
            }
            if waited.elapsed() > START_PATIENCE {
                return Err(std::io::Error::other("redis-server did not answer PING"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn answers_ping(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect_timeout(&self.address(), Duration::from_secs(1))
        else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let mut answer = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut answer).is_ok()
            && &answer == b"+PONG\r\n"
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}
