//! Two boards sharing one mirror through a real redis-server (`--redis`'s path, through
//! [`board::start_with`]): an emulator of the test's own stands for Graph, and its
//! notifications go to the first board only, as a load balancer might send them all to one.
//! Both boards serve the same users, and a change the first board receives reaches the
//! second through Redis. Skipped, and saying so, where no `redis-server` is installed.

use crate::support::{PATIENCE, availability, get_json};
use graph_presence_board::board::{self, NOTIFICATIONS_PATH, Running, Source};
use graph_presence_emulator::{
    ALL_SCOPES, APP_ID, Clock, Directory, Emulator, TENANT_ID, TokenRequest,
};
use graph_presence_mirror::testing::RedisServer;
use graph_presence_mirror::{Identity, RedisStore};
use std::path::Path;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_boards_sharing_redis_serve_the_same_users_and_changes() {
    let redis = match RedisServer::start() {
        Ok(redis) => redis,
        Err(error) => {
            // CI installs redis-server (.ci/run): there, a missing one is a failure.
            assert!(std::env::var_os("CI").is_none(), "{error}, under CI");
            eprintln!(
                "SKIPPED: two_boards_sharing_redis_serve_the_same_users_and_changes: {error}"
            );
            return;
        }
    };
    let emulator = Emulator::builder()
        .directory(Directory::synthetic(6))
        .clock(Clock::real())
        .start()
        .await
        .expect("the emulator started");
    // The first board's port, chosen before it starts: it is every subscription's URL.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let notification_url = format!("http://127.0.0.1:{port}{NOTIFICATIONS_PATH}");
    let source = |instance: &str| {
        let emulator = &emulator;
        let (notification_url, redis_url) = (notification_url.clone(), redis.url());
        let instance = instance.to_owned();
        async move {
            let users = emulator.users();
            let identities = users
                .iter()
                .take(2)
                .enumerate()
                .map(|(i, user)| {
                    let token =
                        TokenRequest::delegated(TENANT_ID, APP_ID, &user.id).scopes(ALL_SCOPES);
                    Identity::new(format!("board-{i:03}"), emulator.client_as(token))
                })
                .collect();
            let registry = Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("shared-board-{instance}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&registry);
            let store = RedisStore::connect(&redis_url)
                .await
                .expect("Redis answers")
                .instance(&instance);
            Source {
                identities,
                client_state: "graph-presence-board-shared-test".to_owned(),
                notification_url,
                registry,
                users: users
                    .into_iter()
                    .map(|u| (u.id.to_ascii_lowercase(), u.display_name))
                    .collect(),
                coalesce_window: Some(Duration::from_millis(200)),
                redis: Some(store),
            }
        }
    };
    let first = board::start_with(port, source("a").await)
        .await
        .expect("the first board started");
    let second = board::start_with(0, source("b").await)
        .await
        .expect("the second board started");

    let ids: Vec<String> = emulator
        .users()
        .into_iter()
        .map(|u| u.id.to_ascii_lowercase())
        .collect();
    for running in [&first, &second] {
        assert_eq!(listed(running).await, ids, "{}", running.url());
    }

    emulator.teams(&ids[3]).expect("a user").start_call();
    for running in [&first, &second] {
        until_shown_as(running, &ids[3], "Busy").await;
    }
    drop((first, second, redis));
}

/// The users `/presence` lists, in order.
async fn listed(running: &Running) -> Vec<String> {
    get_json(running, "/presence").await["users"]
        .as_array()
        .expect("a list of users")
        .iter()
        .filter_map(|u| u["id"].as_str().map(str::to_owned))
        .collect()
}

/// Waits until `/presence/{id}` shows `wanted`.
async fn until_shown_as(running: &Running, id: &str, wanted: &str) {
    tokio::time::timeout(PATIENCE, async {
        while availability(running, id).await.as_deref() != Some(wanted) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{} never showed {id} as {wanted}", running.url()));
}
