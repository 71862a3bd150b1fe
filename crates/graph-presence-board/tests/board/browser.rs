//! The page in a real browser: headless Chromium loads the board, and the tiles its script
//! drew (from the board inlined in the page, before the load event) are compared with the
//! store. Skipped, and saying so, where no Chromium is installed
//! (`apt-get install -y --no-install-recommends chromium`, or `CHROMIUM=/path/to/chrome`).

use crate::support::{board, until_available_as, user_ids};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long Chromium may take to start, load the page and exit.
const BROWSER_PATIENCE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_renders_a_tile_per_user_with_the_stores_availability() {
    let Some(chromium) = chromium() else {
        // CI installs a browser (.ci/run): there, a missing one is a failure, not a skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "no chromium on PATH and CHROMIUM not set, under CI"
        );
        eprintln!(
            "SKIPPED: chromium_renders_a_tile_per_user_with_the_stores_availability: no \
             `chromium` on PATH and CHROMIUM not set (apt-get install -y \
             --no-install-recommends chromium)"
        );
        return;
    };
    let started = Instant::now();
    let running = board(12).await;
    let users = user_ids(&running);
    let teams = |i: usize| {
        running
            .emulator()
            .and_then(|e| e.teams(&users[i]))
            .expect("a user")
    };
    teams(0).start_call();
    teams(1).sign_in();
    teams(2).sign_in();
    teams(2).go_idle();
    until_available_as(&running, &users[0], "Busy").await;
    until_available_as(&running, &users[1], "Available").await;

    let url = format!("{}/", running.url());
    let profile = scratch("chromium-profile");
    let dom = tokio::task::spawn_blocking({
        let (chromium, url, profile) = (chromium.clone(), url.clone(), profile.clone());
        move || run(&chromium, &profile, &["--dump-dom", &url])
    })
    .await
    .expect("the browser's thread");
    let tiles = tiles(&dom);
    let store = running.store().snapshot();
    assert_eq!(
        tiles.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        users.iter().map(String::as_str).collect::<Vec<_>>(),
        "a tile per user, in the board's order; the DOM was:\n{}",
        excerpt(&dom)
    );
    for (id, shown) in &tiles {
        let held = store
            .get(id)
            .and_then(|u| u.presence.clone())
            .and_then(|p| p.availability.as_option().map(|a| a.as_str().to_owned()));
        assert_eq!(Some(shown), held.as_ref(), "{id}");
    }
    assert_eq!(tiles[0].1, "Busy");

    let screenshot = target_directory().join("board.png");
    let _ = std::fs::remove_file(&screenshot);
    let shot = format!("--screenshot={}", screenshot.display());
    tokio::task::spawn_blocking(move || {
        run(
            &chromium,
            &profile,
            &[&shot, "--window-size=1200,800", &url],
        );
    })
    .await
    .expect("the browser's thread");
    assert!(
        screenshot.is_file(),
        "no screenshot at {}",
        screenshot.display()
    );
    eprintln!(
        "browser test: {} tiles as the store holds them, screenshot at {} ({:?} in all)",
        tiles.len(),
        screenshot.display(),
        started.elapsed()
    );
}

/// `CHROMIUM`, else `chromium` or `chromium-browser` on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs headless Chromium with `arguments` and returns what it printed; fails the test if it
/// does not finish in time or fails.
fn run(chromium: &Path, profile: &Path, arguments: &[&str]) -> String {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            // No `--virtual-time-budget`: virtual time pauses while a fetch is pending, and
            // the page's event stream never ends, so Chromium would wait forever. The tiles
            // are drawn by the page's script before the load event, when Chromium captures.
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(arguments)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{} did not start: {e}", chromium.display()));
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    let deadline = Instant::now() + BROWSER_PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().expect("the browser's status") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium took more than {BROWSER_PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "chromium failed: {status}");
    reader.join().expect("the reader")
}

/// Each tile's user and shown availability, in document order, read from the serialized DOM.
fn tiles(dom: &str) -> Vec<(String, String)> {
    dom.split(r#"<div class="tile""#)
        .skip(1)
        .map(|tile| {
            let tag = &tile[..tile.find('>').unwrap_or(tile.len())];
            (
                attribute(tag, "data-user"),
                attribute(tag, "data-availability"),
            )
        })
        .collect()
}

fn attribute(tag: &str, name: &str) -> String {
    let start = format!(r#"{name}=""#);
    tag.split_once(&start)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(value, _)| value.to_owned())
        .unwrap_or_default()
}

/// The target directory (the parent of Cargo's temporary directory for tests).
fn target_directory() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_path_buf()
}

/// A fresh directory under Cargo's temporary directory for tests.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The board's part of the DOM, for a failure message.
fn excerpt(text: &str) -> String {
    let board = text.find("<main").unwrap_or(0);
    text[board..].chars().take(3000).collect()
}
