//! Several instances of one mirror, as a deployment runs them: each with its own webhook and
//! its own connection to one real Redis (through a proxy the test can cut, for partitions),
//! behind a round-robin proxy that Graph's notification URL names.

use crate::support::{App, CLIENT_STATE, identities};
use graph_presence_emulator::Emulator;
use graph_presence_mirror::{Mirror, MirrorSettings, PresenceStore, RedisStore};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The lease the tests run with: short, so that a takeover is seen in seconds, and longer
/// than a tick that reads a few thousand users in a debug build.
pub const LEASE: Duration = Duration::from_secs(4);

/// An HTTP proxy on loopback that sends each request to the next backend in turn, and to the
/// one after when a backend does not answer (a killed instance): a load balancer.
pub struct RoundRobin {
    pub url: String,
    backends: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl RoundRobin {
    pub async fn start(path: &str) -> RoundRobin {
        let backends: Arc<Mutex<Vec<String>>> = Arc::default();
        let next = Arc::new(AtomicUsize::new(0));
        let http = reqwest::Client::new();
        let shared = backends.clone();
        let forward = move |request: axum::extract::Request| {
            let (backends, next, http) = (shared.clone(), next.clone(), http.clone());
            async move {
                let (parts, body) = request.into_parts();
                let body = axum::body::to_bytes(body, 64 << 20)
                    .await
                    .unwrap_or_default();
                let list = backends.lock().expect("backends").clone();
                for _ in 0..list.len() {
                    let backend = &list[next.fetch_add(1, Ordering::SeqCst) % list.len()];
                    let url = match parts.uri.query() {
                        Some(query) => format!("{backend}?{query}"),
                        None => backend.clone(),
                    };
                    let mut forwarded = http.request(parts.method.clone(), url).body(body.clone());
                    for (name, value) in &parts.headers {
                        if name != "host" {
                            forwarded = forwarded.header(name, value);
                        }
                    }
                    let Ok(answer) = forwarded.send().await else {
                        continue;
                    };
                    let status = answer.status();
                    let headers = answer.headers().clone();
                    let bytes = answer.bytes().await.unwrap_or_default();
                    let mut response = axum::response::Response::new(axum::body::Body::from(bytes));
                    *response.status_mut() = status;
                    for (name, value) in &headers {
                        if name != "content-length" && name != "transfer-encoding" {
                            response.headers_mut().insert(name, value.clone());
                        }
                    }
                    return response;
                }
                let mut response = axum::response::Response::new(axum::body::Body::empty());
                *response.status_mut() = axum::http::StatusCode::BAD_GATEWAY;
                response
            }
        };
        let router = axum::Router::new().route(path, axum::routing::any(forward));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("an address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        RoundRobin {
            url: format!("http://{address}{path}"),
            backends,
            task,
        }
    }

    pub fn add(&self, backend: &str) {
        self.backends
            .lock()
            .expect("backends")
            .push(backend.to_owned());
    }
}

impl Drop for RoundRobin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A TCP proxy to Redis that can be cut: a partition between one instance and Redis. Cut,
/// it stops forwarding both ways and holds the connections open and silent, as a lost route
/// does; healed, it drops them (the client reconnects) and forwards again.
pub struct Link {
    pub url: String,
    cut: Arc<AtomicBool>,
    generation: watch::Sender<u64>,
    task: JoinHandle<()>,
}

impl Link {
    pub async fn to(redis: SocketAddr) -> Link {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("an address");
        let cut = Arc::new(AtomicBool::new(false));
        let (generation, _) = watch::channel(0u64);
        let (flag, healed) = (cut.clone(), generation.clone());
        let task = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let (flag, mut healed) = (flag.clone(), healed.subscribe());
                tokio::spawn(async move {
                    if flag.load(Ordering::SeqCst) {
                        // Accepted, never answered, until healed.
                        let _ = healed.changed().await;
                        drop(inbound);
                        return;
                    }
                    let Ok(outbound) = TcpStream::connect(redis).await else {
                        return;
                    };
                    let (mut a, mut b) = (inbound, outbound);
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut a, &mut b) => {}
                        _ = wait_cut(flag.clone()) => {
                            // Silent until healed, then closed.
                            let _ = healed.changed().await;
                        }
                    }
                });
            }
        });
        Link {
            url: format!("redis://{address}/"),
            cut,
            generation,
            task,
        }
    }

    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
    }

    pub fn heal(&self) {
        self.cut.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }
}

async fn wait_cut(flag: Arc<AtomicBool>) {
    while !flag.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One instance: its webhook, its link to Redis, its mirror driven in a task.
pub struct Instance {
    pub name: String,
    pub store: PresenceStore,
    pub link: Link,
    owned: watch::Receiver<BTreeSet<String>>,
    task: JoinHandle<()>,
}

impl Instance {
    /// Starts an instance named `name` over `identity_count` identities, behind `proxy`, and
    /// follows `users` (already followed ones are left alone).
    pub async fn start(
        name: &str,
        emulator: &Emulator,
        identity_count: usize,
        redis: SocketAddr,
        proxy: &RoundRobin,
        users: &[String],
    ) -> Instance {
        let mut app = App::serve(1 << 16).await;
        proxy.add(&app.url);
        let link = Link::to(redis).await;
        let store = RedisStore::connect(&link.url)
            .await
            .expect("Redis answers")
            .instance(name)
            .lease(LEASE);
        let settings = MirrorSettings::new(&proxy.url, CLIENT_STATE, "/nonexistent")
            .lifecycle_notification_url(&proxy.url)
            .redis(store);
        let (mut mirror, report) = Mirror::start(identities(emulator, identity_count), settings)
            .await
            .expect("started");
        assert!(report.failures.is_empty(), "{name}: {:?}", report.failures);
        let report = mirror.add(users).await.expect("fits");
        assert!(report.failures.is_empty(), "{name}: {:?}", report.failures);
        let (owned_tx, owned) = watch::channel(mirror.owned());
        let mirror_name = name.to_owned();
        let store = mirror.store().clone();
        // The task owns the webhook: killing it stops both.
        let name = name.to_owned();
        let task = tokio::spawn(async move {
            loop {
                // Ticks at least every 100 ms of real time: leases are on real time, the
                // subscriptions on the emulator's clock, which the test moves.
                let report = tokio::select! {
                    event = app.events.recv() => match event {
                        Some(event) => mirror.handle(event).await,
                        None => return,
                    },
                    () = tokio::time::sleep(Duration::from_millis(100)) => mirror.tick().await,
                };
                for failure in &report.failures {
                    if std::env::var_os("MIRROR_TEST_DEBUG").is_some() {
                        eprintln!("{name}: {failure}");
                    }
                }
                let _ = owned_tx.send(mirror.owned());
            }
        });
        Instance {
            name: mirror_name,
            store,
            link,
            owned,
            task,
        }
    }

    /// The identities it keeps now.
    pub fn owned(&self) -> BTreeSet<String> {
        self.owned.borrow().clone()
    }

    /// Stops it as `kill -9` would: no shutdown, no lease released, whatever it was doing
    /// dropped mid-way.
    pub fn kill(&self) {
        self.task.abort();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.task.abort();
    }
}
