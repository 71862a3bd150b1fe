//! The HTTP API against the default (emulated) mode.

use crate::support::{PATIENCE, availability, board, get, get_json, user_ids};
use graph_presence_board::cli::{EmulatorOptions, Options, SourceOptions};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_lists_every_user_with_when_it_was_confirmed() {
    let running = board(30).await;
    let body = get_json(&running, "/presence").await;
    let users = body["users"].as_array().expect("a list of users");
    let listed: Vec<&str> = users.iter().filter_map(|u| u["id"].as_str()).collect();
    assert_eq!(listed, user_ids(&running));
    for user in users {
        // Every user was read when subscribed: nobody is left without a presence.
        assert_eq!(user["availability"], "Offline", "{user}");
        assert!(user["confirmed"].is_string(), "{user}");
        assert!(
            user["displayName"]
                .as_str()
                .is_some_and(|n| n.starts_with("User "))
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teams_change_reaches_the_user_and_the_stream() {
    let running = board(5).await;
    let user = user_ids(&running)[2].clone();
    assert_eq!(
        availability(&running, &user).await.as_deref(),
        Some("Offline")
    );

    let mut stream = reqwest::get(format!("{}/presence/stream", running.url()))
        .await
        .expect("the stream");
    assert_eq!(stream.status(), 200);
    assert_eq!(
        stream
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    let started = Instant::now();
    running
        .emulator()
        .and_then(|e| e.teams(&user))
        .expect("a user")
        .start_call();

    let mut received = String::new();
    let event = tokio::time::timeout(PATIENCE, async {
        loop {
            let chunk = stream.chunk().await.expect("the stream goes on");
            received.push_str(&String::from_utf8_lossy(&chunk.expect("still open")));
            // One event per change: its name, then its data, then a blank line.
            while let Some(end) = received.find("\n\n") {
                let event: String = received.drain(..end + 2).collect();
                if event.contains(&user) {
                    return event;
                }
            }
        }
    })
    .await
    .expect("the change on the stream in time");
    let data = event
        .lines()
        .find_map(|line| line.strip_prefix("data: "))
        .expect("a data line");
    let tile: serde_json::Value = serde_json::from_str(data).expect("JSON data");
    assert!(event.starts_with("event: presence\n"), "{event}");
    assert_eq!(tile["availability"], "Busy");
    assert_eq!(tile["activity"], "InACall");
    eprintln!(
        "a Teams change reached the stream in {:?}",
        started.elapsed()
    );

    // The stream tells of what the store already holds.
    assert_eq!(availability(&running, &user).await.as_deref(), Some("Busy"));
    let upper = get_json(
        &running,
        &format!("/presence/{}", user.to_ascii_uppercase()),
    )
    .await;
    assert_eq!(upper["id"], user.as_str(), "ids are matched without case");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_user_is_a_404_in_json() {
    let running = board(3).await;
    for id in ["00000000-0000-4000-8000-000000000099", "not-a-guid"] {
        let (status, content_type, body) = get(&running, &format!("/presence/{id}")).await;
        assert_eq!(status, 404, "{id}");
        assert_eq!(content_type, "application/json");
        let body: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(body["error"], "not a followed user");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_html_that_follows_the_stream_and_fetches_nothing_else() {
    let running = board(3).await;
    let (status, content_type, page) = get(&running, "/").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/html; charset=utf-8");
    assert!(page.contains(r#"new EventSource("/presence/stream")"#));
    assert!(page.contains(r#"fetch("/presence""#));
    for external in ["src=", "href=", "http://", "https://", "@import"] {
        assert!(
            !page.contains(external),
            "the page must be self-contained: {external}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulated_users_change_by_themselves() {
    let options = Options {
        port: 0,
        source: SourceOptions::Emulator(EmulatorOptions {
            users: 8,
            seed: 3,
            change_every: Some(Duration::from_millis(50)),
        }),
    };
    let running = graph_presence_board::board::start(&options)
        .await
        .expect("the board started");
    let mut changes = running.store().changes();
    let change = tokio::time::timeout(PATIENCE, changes.recv())
        .await
        .expect("a change without anyone asking")
        .expect("the store is running");
    assert!(user_ids(&running).contains(&change.user_id));
}
