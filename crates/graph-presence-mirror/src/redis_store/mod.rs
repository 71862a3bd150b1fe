//! The mirror's state in Redis (feature `redis`), shared by every instance that names the same
//! Redis and prefix: presences with their sequence numbers, the placement, the subscription
//! records, leases, and a change feed. Each write that decides something is one Lua script, so
//! it is atomic on the server (see the `.lua` files beside this one):
//!
//! - `apply.lua`: a presence update compared and set on `sequenceNumber` (the store's rules),
//!   and appended to the change stream when it changed something;
//! - `lease.lua`: one owner per identity, with a fencing token that grows with each owner;
//! - `fenced.lua`: a subscription record written only under the lease and token it was
//!   decided under;
//! - `placement.lua`: the placement replaced only if unchanged since it was read;
//! - `forget.lua`: users no longer followed removed, and the removal streamed.
//!
//! Every key shares one hash tag (`{prefix}`), so the scripts also run on a Redis Cluster,
//! where a script may only touch keys of one slot. The client is redis-rs with tokio
//! (`ConnectionManager`): it reconnects by itself, and its scripts fall back from `EVALSHA` to
//! `EVAL` after a restart emptied the script cache.

mod replica;

pub(crate) use replica::follow;

use crate::error::{MirrorError, cut};
use crate::registry::SavedSubscription;
use crate::store::Applied;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

/// How many changes the stream keeps (roughly: trimmed with `~`). A replica further behind
/// than that reloads the whole state.
pub(crate) const STREAM_CAP: usize = 100_000;

/// The default lease: an instance that stops renewing its leases for this long loses its
/// identities to another instance.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(15);

/// How long a command may go unanswered: past it Redis counts as unreachable (a partition
/// leaves connections open and silent).
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);

/// A Redis (or Valkey) the mirror keeps its state in, shared with every other instance that
/// names the same server and prefix. Give it to [`MirrorSettings::redis`](crate::MirrorSettings::redis).
#[derive(Clone)]
pub struct RedisStore {
    pub(crate) connection: ConnectionManager,
    url: String,
    prefix: Arc<str>,
    instance: Arc<str>,
    pub(crate) lease: Duration,
    scripts: Arc<Scripts>,
}

struct Scripts {
    apply: redis::Script,
    lease: redis::Script,
    fenced: redis::Script,
    placement: redis::Script,
    forget: redis::Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password.
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("instance", &self.instance)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

/// The shared placement: which identity watches which users, and its version.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SharedPlacement {
    pub version: u64,
    /// Set by whoever wrote the placement first; a different one means Redis lost its data in
    /// between (restarted empty) and someone wrote it again.
    pub epoch: String,
    pub notification_url: Option<String>,
    pub identities: BTreeMap<String, BTreeSet<String>>,
    /// How many times a lease was taken from an instance that stopped renewing it.
    pub takeovers: u64,
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`, `rediss://` for TLS is not built in). The
    /// prefix defaults to `graph-presence-mirror`; the instance's name to one made of the
    /// host's process id and a random number.
    pub async fn connect(url: &str) -> Result<RedisStore, MirrorError> {
        let client = redis::Client::open(url).map_err(|e| store_error("connect", &e))?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| store_error("connect", &e))?;
        Ok(RedisStore {
            connection,
            url: url.to_owned(),
            prefix: "graph-presence-mirror".into(),
            instance: format!("{}-{:08x}", std::process::id(), fastrand::u32(..)).into(),
            lease: DEFAULT_LEASE,
            scripts: Arc::new(Scripts {
                apply: redis::Script::new(include_str!("apply.lua")),
                lease: redis::Script::new(include_str!("lease.lua")),
                fenced: redis::Script::new(include_str!("fenced.lua")),
                placement: redis::Script::new(include_str!("placement.lua")),
                forget: redis::Script::new(include_str!("forget.lua")),
            }),
        })
    }

    /// The namespace of this mirror's keys, for several mirrors on one Redis.
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// This instance's name, as its leases show it (unique among the instances).
    pub fn instance(mut self, name: &str) -> Self {
        self.instance = name.into();
        self
    }

    /// How long a lease lasts without renewal (default [`DEFAULT_LEASE`]): the longest an
    /// identity goes without an owner after its owner dies. Renewed at every tick, and at
    /// least every third of it by [`Mirror::run`](crate::Mirror::run).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(300));
        self
    }

    /// This instance's name.
    pub fn instance_name(&self) -> &str {
        &self.instance
    }

    fn key(&self, name: &str) -> String {
        format!("{{{}}}:{name}", self.prefix)
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn stream_key(&self) -> String {
        self.key("changes")
    }

    /// The keys of the presence hashes: presence, sequence number, generation, confirmed.
    pub(crate) fn presence_keys(&self) -> [String; 4] {
        [
            self.key("presence"),
            self.key("seq"),
            self.key("gen"),
            self.key("confirmed"),
        ]
    }

    /// Applies presences, in one round trip: `(user's presence as JSON, its sequence number,
    /// the read's generation when sent)`.
    pub(crate) async fn apply(
        &self,
        updates: &[Update],
        now: jiff::Timestamp,
    ) -> Result<Vec<Applied>, MirrorError> {
        if updates.is_empty() {
            return Ok(Vec::new());
        }
        let [presence, seq, generation_by_user, confirmed] = self.presence_keys();
        let (generation, stream, count) = (
            self.key("generation"),
            self.stream_key(),
            self.key("change-count"),
        );
        let now = now.to_string();
        let mut pipeline = redis::pipe();
        for update in updates {
            let mut invocation = self.scripts.apply.key(&presence);
            invocation
                .key(&seq)
                .key(&generation_by_user)
                .key(&confirmed)
                .key(&generation)
                .key(&stream)
                .key(&count)
                .arg(&update.user)
                .arg(update.sequence_number.as_deref().unwrap_or(""))
                .arg(&update.json)
                .arg(&now)
                .arg(if update.read_sent_at.is_some() {
                    "read"
                } else {
                    "notification"
                })
                .arg(
                    update
                        .read_sent_at
                        .map(|g| g.to_string())
                        .unwrap_or_default(),
                )
                .arg(STREAM_CAP);
            pipeline.invoke_script(&invocation);
        }
        let mut connection = self.connection.clone();
        let answers: Vec<(u8, u8)> = match pipeline.query_async(&mut connection).await {
            Ok(answers) => answers,
            // After a restart the script cache is empty; the pipeline does not load scripts
            // itself, so they are loaded and the batch sent once more.
            Err(e) if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) => {
                self.load_scripts().await?;
                pipeline
                    .query_async(&mut connection)
                    .await
                    .map_err(|e| store_error("store presences", &e))?
            }
            Err(e) => return Err(store_error("store presences", &e)),
        };
        Ok(answers
            .into_iter()
            .map(|(newer, replaced)| Applied {
                newer: newer == 1,
                replaced: replaced == 1,
            })
            .collect())
    }

    async fn load_scripts(&self) -> Result<(), MirrorError> {
        let mut connection = self.connection.clone();
        for script in [&self.scripts.apply] {
            script
                .prepare_invoke()
                .load_async(&mut connection)
                .await
                .map_err(|e| store_error("load scripts", &e))?;
        }
        Ok(())
    }

    /// The generation now: a read sent after this is newer than every update applied before.
    pub(crate) async fn generation(&self) -> Result<u64, MirrorError> {
        let mut connection = self.connection.clone();
        let generation: Option<u64> = connection
            .get(self.key("generation"))
            .await
            .map_err(|e| store_error("read the generation", &e))?;
        Ok(generation.unwrap_or(0))
    }

    /// Forgets users no longer followed, here and in every instance's copy.
    pub(crate) async fn forget(&self, users: &BTreeSet<String>) -> Result<(), MirrorError> {
        if users.is_empty() {
            return Ok(());
        }
        let [presence, seq, generation, confirmed] = self.presence_keys();
        let mut invocation = self.scripts.forget.key(presence);
        invocation
            .key(seq)
            .key(generation)
            .key(confirmed)
            .key(self.stream_key())
            .key(self.key("change-count"))
            .arg(STREAM_CAP);
        for user in users {
            invocation.arg(user);
        }
        let mut connection = self.connection.clone();
        invocation
            .invoke_async::<u64>(&mut connection)
            .await
            .map(|_| ())
            .map_err(|e| store_error("forget users", &e))
    }

    /// The placement, and every identity's subscription record.
    pub(crate) async fn load(
        &self,
        identities: impl Iterator<Item = &String>,
    ) -> Result<(SharedPlacement, BTreeMap<String, SavedSubscription>), MirrorError> {
        let names: Vec<&String> = identities.collect();
        let mut connection = self.connection.clone();
        let mut pipeline = redis::pipe();
        pipeline.hgetall(self.key("placement"));
        pipeline.get(self.key("takeovers"));
        for name in &names {
            pipeline.get(self.key(&format!("subscription:{name}")));
        }
        let answers: Vec<redis::Value> = pipeline
            .query_async(&mut connection)
            .await
            .map_err(|e| store_error("read the registry", &e))?;
        let mut answers = answers.into_iter();
        let fields: BTreeMap<String, String> =
            redis::from_redis_value(answers.next().unwrap_or(redis::Value::Nil))
                .map_err(|e| corrupt("the placement", &e.to_string()))?;
        let takeovers: Option<u64> =
            redis::from_redis_value(answers.next().unwrap_or(redis::Value::Nil))
                .map_err(|e| corrupt("the takeover count", &e.to_string()))?;
        let placement = SharedPlacement {
            takeovers: takeovers.unwrap_or(0),
            version: fields
                .get("version")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            epoch: fields.get("epoch").cloned().unwrap_or_default(),
            notification_url: fields.get("notification_url").cloned(),
            identities: match fields.get("placement") {
                Some(json) => serde_json::from_str(json)
                    .map_err(|e| corrupt("the placement", &e.to_string()))?,
                None => BTreeMap::new(),
            },
        };
        let mut subscriptions = BTreeMap::new();
        for (name, answer) in names.into_iter().zip(answers) {
            let json: Option<String> = redis::from_redis_value(answer)
                .map_err(|e| corrupt("a subscription record", &e.to_string()))?;
            if let Some(json) = json {
                let saved: SavedSubscription = serde_json::from_str(&json)
                    .map_err(|e| corrupt("a subscription record", &e.to_string()))?;
                subscriptions.insert(name.clone(), saved);
            }
        }
        Ok((placement, subscriptions))
    }

    /// Replaces the placement read at `version`; `None` when someone changed it since.
    pub(crate) async fn write_placement(
        &self,
        version: u64,
        epoch: &str,
        notification_url: &str,
        identities: &BTreeMap<String, BTreeSet<String>>,
    ) -> Result<Option<u64>, MirrorError> {
        let json = serde_json::to_string(identities)
            .map_err(|e| corrupt("the placement", &e.to_string()))?;
        let mut connection = self.connection.clone();
        let version: i64 = self
            .scripts
            .placement
            .key(self.key("placement"))
            .arg(version)
            .arg(json)
            .arg(epoch)
            .arg(notification_url)
            .invoke_async(&mut connection)
            .await
            .map_err(|e| store_error("write the placement", &e))?;
        Ok(u64::try_from(version).ok())
    }

    /// Takes or extends the lease on `identity`: its fencing token, and whether it was just
    /// taken; `None` while another instance holds it.
    pub(crate) async fn lease_identity(
        &self,
        identity: &str,
    ) -> Result<Option<(u64, bool)>, MirrorError> {
        let mut connection = self.connection.clone();
        let (token, taken): (u64, u8) = self
            .scripts
            .lease
            .key(self.key(&format!("lease:{identity}")))
            .key(self.key(&format!("fence:{identity}")))
            .key(self.key("takeovers"))
            .arg(&*self.instance)
            .arg(u64::try_from(self.lease.as_millis()).unwrap_or(u64::MAX))
            .invoke_async(&mut connection)
            .await
            .map_err(|e| store_error("take a lease", &e))?;
        Ok((token > 0).then_some((token, taken == 1)))
    }

    /// Does `what` (a write of the identity's subscription record, a check, a release) only
    /// while the lease is this instance's with `token`; false when it is not.
    pub(crate) async fn fenced(
        &self,
        identity: &str,
        token: u64,
        what: Fenced<'_>,
    ) -> Result<bool, MirrorError> {
        let (verb, value) = match what {
            Fenced::Write(Some(saved)) => (
                "set",
                serde_json::to_string(saved)
                    .map_err(|e| corrupt("a subscription record", &e.to_string()))?,
            ),
            Fenced::Write(None) => ("delete", String::new()),
            Fenced::Check => ("check", String::new()),
            Fenced::Release => ("release", String::new()),
            Fenced::Extend => (
                "extend",
                u64::try_from(self.lease.as_millis())
                    .unwrap_or(u64::MAX)
                    .to_string(),
            ),
        };
        let mut connection = self.connection.clone();
        let done: u8 = self
            .scripts
            .fenced
            .key(self.key(&format!("lease:{identity}")))
            .key(self.key(&format!("subscription:{identity}")))
            .arg(&*self.instance)
            .arg(token)
            .arg(verb)
            .arg(value)
            .invoke_async(&mut connection)
            .await
            .map_err(|e| store_error("write under a lease", &e))?;
        Ok(done == 1)
    }

    /// Asks the owner of `identity` to act on a lifecycle notification another instance
    /// received (`reauthorize`, `recreate`).
    pub(crate) async fn ask_owner(&self, identity: &str, what: &str) -> Result<(), MirrorError> {
        let mut connection = self.connection.clone();
        connection
            .sadd::<_, _, ()>(self.key(&format!("asked:{identity}")), what)
            .await
            .map_err(|e| store_error("ask an identity's owner", &e))
    }

    /// What other instances asked of the owner of `identity`, taken.
    pub(crate) async fn take_asked(&self, identity: &str) -> Result<Vec<String>, MirrorError> {
        let mut connection = self.connection.clone();
        let key = self.key(&format!("asked:{identity}"));
        let (asked,): (Vec<String>,) = redis::pipe()
            .atomic()
            .smembers(&key)
            .del(&key)
            .ignore()
            .query_async(&mut connection)
            .await
            .map_err(|e| store_error("read what was asked", &e))?;
        Ok(asked)
    }
}

/// One presence to apply.
#[derive(Debug)]
pub(crate) struct Update {
    pub user: String,
    pub json: String,
    pub sequence_number: Option<String>,
    /// For a read: the generation when it was sent.
    pub read_sent_at: Option<u64>,
}

/// What [`RedisStore::fenced`] does under the lease.
pub(crate) enum Fenced<'a> {
    Write(Option<&'a SavedSubscription>),
    Check,
    Release,
    /// The lease renewed, as long as it is still this instance's with this token.
    Extend,
}

fn store_error(action: &'static str, error: &redis::RedisError) -> MirrorError {
    MirrorError::Store {
        action,
        reason: cut(&error.to_string()),
    }
}

fn corrupt(what: &'static str, reason: &str) -> MirrorError {
    MirrorError::Store {
        action: what,
        reason: format!("not readable: {}", cut(reason)),
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests;
