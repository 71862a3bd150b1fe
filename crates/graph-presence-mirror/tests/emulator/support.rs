//! What the tests share: the emulator with synthetic users, identities signed in as its first
//! users, the app's webhook on 127.0.0.1, and a pump from the webhook to the mirror.

use axum::response::IntoResponse;
use graph_presence_emulator::{ALL_SCOPES, APP_ID, Directory, Emulator, TENANT_ID, TokenRequest};
use graph_presence_mirror::{Identity, Mirror, MirrorSettings};
use graph_presence_models::Availability;
use graph_presence_notifications::axum::Webhook;
use graph_presence_notifications::{Event, Receiver};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The client state every subscription here is made with.
pub const CLIENT_STATE: &str = "mirror-tests-5b0c-client-state";

/// How long a test waits for what happens in milliseconds on loopback before it fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub const MINUTE: Duration = Duration::from_secs(60);

/// An emulator with `users` synthetic users.
pub async fn emulator(users: usize) -> Emulator {
    Emulator::builder()
        .directory(Directory::synthetic(users))
        .start()
        .await
        .expect("started")
}

/// `count` identities, signed in as the directory's first users with every presence scope.
pub fn identities(emulator: &Emulator, count: usize) -> Vec<Identity> {
    emulator.users()[..count]
        .iter()
        .enumerate()
        .map(|(i, user)| {
            let client = emulator
                .client_as(TokenRequest::delegated(TENANT_ID, APP_ID, &user.id).scopes(ALL_SCOPES));
            Identity::new(format!("watcher-{i:02}"), client)
        })
        .collect()
}

/// Every user of the directory, lowercase.
pub fn all_users(emulator: &Emulator) -> Vec<String> {
    emulator
        .users()
        .iter()
        .map(|u| u.id.to_ascii_lowercase())
        .collect()
}

/// A fresh directory for a registry.
pub fn registry_directory(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "graph-presence-mirror-{test}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The settings every test starts from: the app's URLs, the registry in `dir`.
pub fn settings(app: &App, dir: &std::path::Path) -> MirrorSettings {
    MirrorSettings::new(&app.url, CLIENT_STATE, dir).lifecycle_notification_url(&app.url)
}

/// The mirror's availability for a user.
pub fn availability(mirror: &Mirror, user: &str) -> Option<Availability> {
    mirror
        .store()
        .get(user)
        .and_then(|u| u.presence)
        .and_then(|p| p.availability.as_option().cloned())
}

/// The emulator's admin summary (counters, throttled requests).
pub async fn summary(emulator: &Emulator) -> serde_json::Value {
    let text = reqwest::Client::new()
        .get(format!("{}/_emulator", emulator.base_url()))
        .send()
        .await
        .expect("the summary")
        .text()
        .await
        .expect("its body");
    serde_json::from_str(&text).expect("JSON")
}

/// Calls the emulator's admin API; its status.
pub async fn admin(emulator: &Emulator, method: reqwest::Method, path: &str) -> u16 {
    reqwest::Client::new()
        .request(method, format!("{}/_emulator{path}", emulator.base_url()))
        .send()
        .await
        .expect("the admin API answers")
        .status()
        .as_u16()
}

/// How many answers were 429 so far.
pub async fn throttled(emulator: &Emulator) -> u64 {
    summary(emulator).await["counters"]["statuses"]["429"]
        .as_u64()
        .unwrap_or(0)
}

/// The app's webhook: notifications and lifecycle notifications at one URL.
pub struct App {
    pub url: String,
    pub webhook: Webhook,
    /// The webhook's events, for the mirror.
    pub events: mpsc::Receiver<Event>,
    /// While set, every POST is answered `503` before the webhook sees it: the emulator's
    /// deliveries fail, are retried and, past Graph's retry window, lost.
    refusing: Arc<AtomicBool>,
    server: JoinHandle<()>,
}

impl App {
    /// Serves a webhook whose channel holds `capacity` events.
    pub async fn serve(capacity: usize) -> App {
        App::serve_with(Receiver::new(CLIENT_STATE), capacity).await
    }

    /// Serves `receiver`, whose channel holds `capacity` events.
    pub async fn serve_with(receiver: Receiver, capacity: usize) -> App {
        let (webhook, events) = Webhook::new(receiver, capacity);
        let refusing = Arc::new(AtomicBool::new(false));
        let gate = refusing.clone();
        let router = webhook
            .clone()
            .router("/presence")
            .layer(axum::middleware::from_fn(
                move |request: axum::extract::Request, next: axum::middleware::Next| {
                    let refuse = gate.load(Ordering::SeqCst);
                    async move {
                        if refuse {
                            axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response()
                        } else {
                            next.run(request).await
                        }
                    }
                },
            ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("an address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        App {
            url: format!("http://{address}/presence"),
            webhook,
            events,
            refusing,
            server,
        }
    }

    /// Answers every delivery `503` (`true`) or hands it to the webhook again (`false`).
    pub fn refuse_deliveries(&self, refuse: bool) {
        self.refusing.store(refuse, Ordering::SeqCst);
    }

    /// Hands the mirror every event until a basic notification has come for each of `users`,
    /// then reads them (the coalesced read, without waiting for the window).
    pub async fn pump_until_notified(&mut self, mirror: &mut Mirror, users: &[String]) {
        let mut waiting: BTreeSet<String> = users.iter().cloned().collect();
        while !waiting.is_empty() {
            let event = tokio::time::timeout(PATIENCE, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("{} users never notified", waiting.len()))
                .expect("the webhook is running");
            if let Event::ResourceChanged {
                user_id: Some(user),
                ..
            } = &event
            {
                waiting.remove(&user.to_ascii_lowercase());
            }
            let report = mirror.handle(event).await;
            assert!(report.failures.is_empty(), "{:?}", report.failures);
        }
        let report = mirror.flush().await;
        assert!(report.failures.is_empty(), "{:?}", report.failures);
    }

    /// The next event.
    pub async fn next_event(&mut self) -> Event {
        tokio::time::timeout(PATIENCE, self.events.recv())
            .await
            .expect("an event in time")
            .expect("the webhook is running")
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.server.abort();
    }
}
