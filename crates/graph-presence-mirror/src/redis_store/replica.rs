//! Each instance's local copy of the shared presences: loaded once, then kept by reading the
//! change stream, so that the store's `get`, `snapshot` and `changes` answer locally on every
//! instance, and every change (whichever instance received it) reaches each instance's
//! subscribers once, in the order Redis applied them.
//!
//! Each stream entry carries a count that grows by one per entry. A jump means entries were
//! trimmed before this replica read them: it loads the whole state again. A count that goes
//! back means Redis restarted empty: the replica keeps what it holds and takes what comes.

use super::RedisStore;
use crate::store::{PresenceStore, Replicated, Source};
use graph_presence_models::Presence;
use redis::AsyncCommands;
use redis::streams::{StreamReadOptions, StreamReadReply};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::task::JoinHandle;

/// The four presence hashes: presence, sequence number, generation, confirmed, by user.
type Hashes = (
    BTreeMap<String, String>,
    BTreeMap<String, String>,
    BTreeMap<String, u64>,
    BTreeMap<String, String>,
);

/// How long one read of the stream waits for news.
const BLOCK: Duration = Duration::from_secs(1);

/// How long after a failure the replica tries Redis again.
const RETRY: Duration = Duration::from_millis(250);

/// Keeps `replica` in step with the shared state until the task is aborted.
pub(crate) fn follow(shared: RedisStore, replica: PresenceStore) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut follower = Follower {
            shared,
            replica,
            last_id: None,
            last_count: 0,
            connection: None,
        };
        loop {
            if let Err(error) = follower.step().await {
                tracing::debug!(%error, "presence mirror: the change stream failed; again shortly");
                follower.connection = None;
                tokio::time::sleep(RETRY).await;
            }
        }
    })
}

struct Follower {
    shared: RedisStore,
    replica: PresenceStore,
    /// The last entry read; `None` until the state is loaded.
    last_id: Option<String>,
    last_count: u64,
    /// A connection of its own: a blocking read holds the connection it is sent on.
    connection: Option<redis::aio::MultiplexedConnection>,
}

impl Follower {
    async fn step(&mut self) -> redis::RedisResult<()> {
        let Some(last_id) = self.last_id.clone() else {
            return self.load().await;
        };
        let mut connection = match &self.connection {
            Some(connection) => connection.clone(),
            None => {
                let connection = self.connect().await?;
                self.connection = Some(connection.clone());
                connection
            }
        };
        let options = StreamReadOptions::default()
            .block(usize::try_from(BLOCK.as_millis()).unwrap_or(1000))
            .count(1000);
        let reply: Option<StreamReadReply> = connection
            .xread_options(&[self.shared.stream_key()], &[&last_id], &options)
            .await?;
        for key in reply.map(|r| r.keys).unwrap_or_default() {
            for entry in key.ids {
                let field = |name: &str| -> Option<String> {
                    entry
                        .map
                        .get(name)
                        .and_then(|v| redis::from_redis_value(v.clone()).ok())
                };
                let count: u64 = field("n").and_then(|n| n.parse().ok()).unwrap_or(0);
                if count <= self.last_count && self.last_count > 0 {
                    // Redis restarted empty: its counts start again.
                    self.replica.restart_generations();
                } else if count > self.last_count + 1 && self.last_count > 0 {
                    // Entries trimmed before they were read.
                    return self.load().await;
                }
                self.last_count = count;
                self.last_id = Some(entry.id.clone());
                let json = field("p").unwrap_or_default();
                if json.is_empty() {
                    // Forgotten: no longer followed.
                    if let Some(user) = field("u") {
                        self.replica.forget(&[user]);
                    }
                    continue;
                }
                let Ok(presence) = serde_json::from_str::<Presence>(&json) else {
                    tracing::warn!("presence mirror: a change in Redis is not readable; skipped");
                    continue;
                };
                self.replica.replicate(Replicated {
                    presence,
                    sequence_number: field("s").filter(|s| !s.is_empty()),
                    generation: field("g").and_then(|g| g.parse().ok()).unwrap_or(0),
                    confirmed: field("c").and_then(|c| c.parse().ok()),
                    source: if field("src").as_deref() == Some("read") {
                        Source::Read
                    } else {
                        Source::Notification
                    },
                });
            }
        }
        Ok(())
    }

    /// Loads the whole state, and the stream's position from which to follow it.
    async fn load(&mut self) -> redis::RedisResult<()> {
        let mut connection = self.shared.connection.clone();
        let last: redis::streams::StreamRangeReply = connection
            .xrevrange_count(self.shared.stream_key(), "+", "-", 1)
            .await?;
        let (last_id, last_count) = match last.ids.first() {
            Some(entry) => (
                entry.id.clone(),
                entry
                    .map
                    .get("n")
                    .and_then(|v| redis::from_redis_value::<String>(v.clone()).ok())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0),
            ),
            None => ("0-0".to_owned(), 0),
        };
        let [presence, seq, generation, confirmed] = self.shared.presence_keys();
        let (presences, seqs, generations, confirmeds): Hashes = redis::pipe()
            .hgetall(presence)
            .hgetall(seq)
            .hgetall(generation)
            .hgetall(confirmed)
            .query_async(&mut connection)
            .await?;
        for (user, json) in presences {
            let Ok(presence) = serde_json::from_str::<Presence>(&json) else {
                tracing::warn!(user = %crate::error::cut(&user), "presence mirror: a presence in Redis is not readable; skipped");
                continue;
            };
            self.replica.replicate(Replicated {
                presence,
                sequence_number: seqs.get(&user).cloned(),
                generation: generations.get(&user).copied().unwrap_or(0),
                confirmed: confirmeds.get(&user).and_then(|c| c.parse().ok()),
                source: Source::Read,
            });
        }
        self.last_id = Some(last_id);
        self.last_count = last_count;
        Ok(())
    }

    async fn connect(&self) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
        let client = redis::Client::open(self.shared.url())?;
        let config = redis::AsyncConnectionConfig::new()
            .set_response_timeout(Some(BLOCK * 3))
            .set_connection_timeout(Some(BLOCK * 2));
        client
            .get_multiplexed_async_connection_with_config(&config)
            .await
    }
}
