//! What the tests share: a board started in process on a free port, against its own emulator
//! with no changes but the tests' own.

use graph_presence_board::board::{self, Running};
use graph_presence_board::cli::{EmulatorOptions, Options, SourceOptions};
use std::time::Duration;

/// How long a test waits for what takes milliseconds on loopback before it fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A board of `users` generated users whose presence changes only when a test says so.
pub async fn board(users: usize) -> Running {
    let options = Options {
        port: 0,
        source: SourceOptions::Emulator(EmulatorOptions {
            users,
            seed: 1,
            change_every: None,
        }),
    };
    board::start(&options).await.expect("the board started")
}

/// The board's user ids, in its order.
pub fn user_ids(running: &Running) -> Vec<String> {
    running
        .emulator()
        .expect("the emulated mode")
        .users()
        .into_iter()
        .map(|u| u.id.to_ascii_lowercase())
        .collect()
}

/// `GET path`: the status, the content type and the body.
pub async fn get(running: &Running, path: &str) -> (u16, String, String) {
    let response = reqwest::get(format!("{}{path}", running.url()))
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, response.text().await.expect("a body"))
}

/// `GET path` as JSON, expecting 200.
pub async fn get_json(running: &Running, path: &str) -> serde_json::Value {
    let (status, content_type, body) = get(running, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    assert_eq!(content_type, "application/json", "{path}");
    serde_json::from_str(&body).expect("JSON")
}

/// A user's availability as `/presence/{id}` shows it.
pub async fn availability(running: &Running, id: &str) -> Option<String> {
    get_json(running, &format!("/presence/{id}")).await["availability"]
        .as_str()
        .map(str::to_owned)
}

/// Waits until the store shows `availability` for `id`.
pub async fn until_available_as(running: &Running, id: &str, availability: &str) {
    tokio::time::timeout(PATIENCE, async {
        loop {
            let now = running
                .store()
                .get(id)
                .and_then(|u| u.presence)
                .and_then(|p| p.availability.as_option().map(|a| a.as_str().to_owned()));
            if now.as_deref() == Some(availability) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{id} never became {availability}"));
}
