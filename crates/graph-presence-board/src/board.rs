//! Starting the board: where presence comes from (an emulator of our own, or Graph), the
//! mirror that follows it, and one listener for both the board and the webhook.
//!
//! With Graph, several boards can share one mirror through Redis (`--redis`): each board is
//! an instance of the mirror (`MirrorSettings::redis`), the identities' subscriptions are
//! spread over the instances by lease, and every board shows every user. Each board serves
//! its own webhook; the configuration's `notificationUrl` is the load balancer in front of
//! them, and whichever board a notification reaches stores it for all. Not with the
//! built-in emulator: each board starts its own, so shared subscriptions would be made on
//! different emulators.

use crate::api::Board;
use crate::cli::{EmulatorOptions, Options, SharedOptions, SourceOptions};
use crate::config::{ConfigError, GraphConfig, SignIn};
use graph_presence_client::{AzureCredential, BearerToken, Client};
use graph_presence_emulator::{
    ALL_SCOPES, APP_ID, Clock, Directory, Emulator, TENANT_ID, TokenRequest,
};
use graph_presence_mirror::{
    Identity, Mirror, MirrorError, MirrorSettings, PresenceStore, RedisStore,
};
use graph_presence_notifications::Receiver;
use graph_presence_notifications::axum::Webhook;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Where Graph (or the emulator) posts notifications, on the board's own port.
pub const NOTIFICATIONS_PATH: &str = "/notifications";

/// How many users one identity's subscription can watch (Graph's limit).
const USERS_PER_IDENTITY: usize = 650;

/// Events the webhook holds for the mirror; when full it drops them and the mirror reads
/// everyone again.
const WEBHOOK_CAPACITY: usize = 4096;

/// The emulated client state: a secret only in name, the emulator is ours.
const EMULATED_CLIENT_STATE: &str = "graph-presence-board-emulated";

/// Why the board did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration file.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The port, or the emulator's.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Listen {
        /// The port asked for.
        port: u16,
        /// Why.
        source: std::io::Error,
    },
    /// The emulator did not start.
    #[error("the emulator did not start: {0}")]
    Emulator(std::io::Error),
    /// An identity's Azure CLI sign-in could not be set up.
    #[error("identity {identity}: the Azure CLI sign-in: {reason}")]
    SignIn {
        /// The identity's name.
        identity: String,
        /// Why, cut short.
        reason: String,
    },
    /// The Redis of `--redis` is not a URL, or does not answer.
    #[error("--redis: cannot connect to Redis: {reason}")]
    Redis {
        /// Why (never the URL, which may carry a password).
        reason: String,
    },
    /// The mirror refused or failed to start, or to subscribe the users.
    #[error("following the users failed: {0}")]
    Mirror(#[from] MirrorError),
}

/// A running board. Dropping it stops everything it started.
pub struct Running {
    address: SocketAddr,
    store: PresenceStore,
    emulator: Option<Arc<Emulator>>,
    tasks: Vec<JoinHandle<()>>,
    /// The emulated mode's registry, of no use once its emulator is gone.
    scratch_registry: Option<PathBuf>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("address", &self.address)
            .field("emulated", &self.emulator.is_some())
            .finish_non_exhaustive()
    }
}

impl Running {
    /// `http://127.0.0.1:PORT`, the board's base.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The mirror's store the board shows.
    pub fn store(&self) -> &PresenceStore {
        &self.store
    }

    /// The emulator, in the default mode: its Teams hooks change presence.
    pub fn emulator(&self) -> Option<&Emulator> {
        self.emulator.as_deref()
    }

    /// Serves until the server stops (it does not on its own) or Ctrl-C.
    pub async fn wait(mut self) {
        // The server is the first task `start` spawns.
        let server = self.tasks.remove(0);
        tokio::select! {
            _ = server => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        if let Some(registry) = &self.scratch_registry {
            let _ = std::fs::remove_dir_all(registry);
        }
    }
}

/// Whom the board follows and through which identities: what the emulated mode and
/// `--config` make, or a program's own (see [`start_with`]).
pub struct Source {
    /// The identities the subscriptions are made as (650 users each).
    pub identities: Vec<Identity>,
    /// The secret every subscription carries and every notification must show.
    pub client_state: String,
    /// Where the subscriptions deliver (this board's `/notifications`, or a load balancer in
    /// front of several boards).
    pub notification_url: String,
    /// The mirror's registry directory.
    pub registry: PathBuf,
    /// (id, display name) of every followed user, in the board's order.
    pub users: Vec<(String, String)>,
    /// Basic notifications are read after this window (`None`: the mirror's default). Short
    /// for the emulator, whose reads cost nothing.
    pub coalesce_window: Option<Duration>,
    /// The Redis this board shares its mirror through, with other boards (`None`: alone).
    pub redis: Option<RedisStore>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The client state is a secret.
        f.debug_struct("Source")
            .field("identities", &self.identities.len())
            .field("notification_url", &self.notification_url)
            .field("users", &self.users.len())
            .field("redis", &self.redis)
            .finish_non_exhaustive()
    }
}

/// Starts the board as `options` say: binds the port, starts the source and the mirror,
/// subscribes every user and reads them, then serves.
pub async fn start(options: &Options) -> Result<Running, StartError> {
    let (listener, address) = bind(options.port).await?;
    let local_notifications = format!("http://{address}{NOTIFICATIONS_PATH}");
    let (source, emulator) = match &options.source {
        SourceOptions::Emulator(emulated) => {
            let (source, emulator) = emulated_source(emulated, local_notifications).await?;
            (source, Some(Arc::new(emulator)))
        }
        SourceOptions::Graph { config, shared } => {
            let mut source = graph_source(&GraphConfig::load(config)?)?;
            // Before anything is served or subscribed: a Redis that does not answer stops
            // the start with a message.
            if let Some(shared) = shared {
                source.redis = Some(connect(shared).await?);
            }
            (source, None)
        }
    };
    let demo_users: Vec<String> = source.users.iter().map(|(id, _)| id.clone()).collect();
    let mut running = serve(listener, address, source, emulator).await?;
    if let (SourceOptions::Emulator(emulated), Some(emulator)) =
        (&options.source, &running.emulator)
        && let Some(every) = emulated.change_every
    {
        let demo = crate::demo::run(emulator.clone(), demo_users, emulated.seed, every);
        running.tasks.push(tokio::spawn(demo));
    }
    Ok(running)
}

/// Starts a board on 127.0.0.1:`port` (0: any free one) following `source`: for a program
/// that makes its own identities (its own clients, another Graph endpoint, an emulator it
/// runs), as the tests of boards sharing one mirror do.
pub async fn start_with(port: u16, source: Source) -> Result<Running, StartError> {
    let (listener, address) = bind(port).await?;
    serve(listener, address, source, None).await
}

async fn bind(port: u16) -> Result<(tokio::net::TcpListener, SocketAddr), StartError> {
    let listen = |source| StartError::Listen { port, source };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(listen)?;
    let address = listener.local_addr().map_err(listen)?;
    Ok((listener, address))
}

/// Serves the board and the webhook, then starts the mirror, subscribes every user and
/// reads them.
async fn serve(
    listener: tokio::net::TcpListener,
    address: SocketAddr,
    source: Source,
    emulator: Option<Arc<Emulator>>,
) -> Result<Running, StartError> {
    let (webhook, mut events) = Webhook::new(Receiver::new(&source.client_state), WEBHOOK_CAPACITY);
    let board = Board::new(source.users.iter().cloned());
    let router = board
        .clone()
        .router()
        .merge(webhook.clone().router(NOTIFICATIONS_PATH));
    let server = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            eprintln!("graph-presence-board: the server stopped: {error}");
        }
    });
    // From here on a failure drops `Running`, which stops the server.
    let mut running = Running {
        address,
        store: PresenceStore::default(),
        scratch_registry: emulator.is_some().then(|| source.registry.clone()),
        emulator,
        tasks: vec![server],
    };

    let mut settings = MirrorSettings::new(
        &source.notification_url,
        &source.client_state,
        &source.registry,
    )
    .lifecycle_notification_url(&source.notification_url);
    if let Some(window) = source.coalesce_window {
        settings = settings.coalesce_window(window);
    }
    if let Some(redis) = source.redis {
        settings = settings.redis(redis);
    }
    let (mut mirror, report) = Mirror::start(source.identities, settings).await?;
    warn_failures(&report);
    let ids: Vec<&str> = source.users.iter().map(|(id, _)| id.as_str()).collect();
    let report = mirror.add(&ids).await?;
    warn_failures(&report);
    board.attach(mirror.store().clone());
    running.store = mirror.store().clone();
    running.tasks.push(tokio::spawn(async move {
        mirror.run(&mut events, || webhook.dropped_events()).await;
    }));
    Ok(running)
}

/// The shared store of `--redis`, named as `--instance` says.
async fn connect(shared: &SharedOptions) -> Result<RedisStore, StartError> {
    let store = RedisStore::connect(&shared.url)
        .await
        .map_err(|error| StartError::Redis {
            reason: match error {
                MirrorError::Store { reason, .. } => reason,
                other => other.to_string(),
            },
        })?;
    Ok(match &shared.instance {
        Some(name) => store.instance(name),
        None => store,
    })
}

/// Failures the mirror tries again by itself: worth a line, not a stop.
fn warn_failures(report: &graph_presence_mirror::Report) {
    for failure in &report.failures {
        eprintln!("graph-presence-board: will try again: {failure}");
    }
}

/// An emulator on real time with `options.users` generated users, followed by as many
/// identities (signed in as its first users) as 650 users each needs.
async fn emulated_source(
    options: &EmulatorOptions,
    notification_url: String,
) -> Result<(Source, Emulator), StartError> {
    // The builder's default delivery allows `http:` to loopback, where the board listens.
    let emulator = Emulator::builder()
        .directory(Directory::synthetic(options.users))
        .clock(Clock::real())
        .start()
        .await
        .map_err(StartError::Emulator)?;
    let users = emulator.users();
    let identities = users
        .iter()
        .take(options.users.div_ceil(USERS_PER_IDENTITY))
        .enumerate()
        .map(|(i, user)| {
            let token = TokenRequest::delegated(TENANT_ID, APP_ID, &user.id).scopes(ALL_SCOPES);
            Identity::new(format!("board-{i:03}"), emulator.client_as(token))
        })
        .collect();
    // A fresh emulator knows none of an earlier run's subscriptions: a fresh registry too.
    let registry = std::env::temp_dir().join(format!(
        "graph-presence-board-{}-{}",
        std::process::id(),
        emulator.base_url().rsplit(':').next().unwrap_or("0")
    ));
    let _ = std::fs::remove_dir_all(&registry);
    let source = Source {
        identities,
        client_state: EMULATED_CLIENT_STATE.to_owned(),
        notification_url,
        registry,
        users: users
            .into_iter()
            .map(|u| (u.id.to_ascii_lowercase(), u.display_name))
            .collect(),
        coalesce_window: Some(Duration::from_millis(200)),
        redis: None,
    };
    Ok((source, emulator))
}

/// Graph, as the configuration says: one identity per sign-in, each a client of Graph's beta
/// endpoint.
fn graph_source(config: &GraphConfig) -> Result<Source, StartError> {
    let identities = config
        .sign_ins()?
        .into_iter()
        .map(|(name, sign_in)| {
            let client = match sign_in {
                SignIn::Token(token) => Client::new(BearerToken::new(token)),
                SignIn::AzureCli(cli) => {
                    let options = azure_identity::AzureCliCredentialOptions {
                        tenant_id: cli.tenant_id,
                        subscription: cli.subscription,
                        ..Default::default()
                    };
                    let credential = azure_identity::AzureCliCredential::new(Some(options))
                        .map_err(|e| StartError::SignIn {
                            identity: openapi_models_runtime::excerpt(&name, 60),
                            reason: openapi_models_runtime::excerpt(&e.to_string(), 200),
                        })?;
                    Client::new(AzureCredential::new(credential))
                }
            };
            Ok(Identity::new(name, client))
        })
        .collect::<Result<Vec<_>, StartError>>()?;
    Ok(Source {
        identities,
        client_state: config.client_state.clone(),
        notification_url: config.notification_url.clone(),
        registry: config.state_directory.clone(),
        users: config
            .users
            .iter()
            .map(|u| {
                let id = u.id.to_ascii_lowercase();
                let name = u.display_name.clone().unwrap_or_else(|| id.clone());
                (id, name)
            })
            .collect(),
        coalesce_window: None,
        redis: None,
    })
}
