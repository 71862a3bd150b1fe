//! Presence for any number of users: getPresencesByUserId takes at most 650 ids per call (the
//! schema's `maxItems`), so the ids are de-duplicated, split into chunks of that size, and the
//! chunks sent with bounded concurrency. A chunk answered in pages has its `@odata.nextLink`s
//! followed (same origin only). A chunk that still fails after its retries, on any of its
//! pages, is reported with its ids; the others' presences are kept. A presence for an id the
//! chunk did not ask for is reported apart, never taken for an answer.

use crate::{Client, CommunicationsGetPresencesByUserIdRequest, Error};
use futures_util::stream::{self, Stream, StreamExt};
use graph_presence_models::Presence;
use std::collections::{HashMap, HashSet};

/// The most ids one getPresencesByUserId call takes, from the schema.
pub const MAX_IDS_PER_REQUEST: usize = CommunicationsGetPresencesByUserIdRequest::IDS_MAX_ITEMS;

impl Client {
    /// Presence of any number of users, by object id (duplicates, in any letter case, are
    /// asked for once).
    ///
    /// ```no_run
    /// # async fn example(client: graph_presence_client::Client, ids: Vec<String>) {
    /// let result = client.presences_of(&ids).concurrency(8).send().await;
    /// if let Some(presence) = result.get(&ids[0]) {
    ///     println!("{}: {:?}", ids[0], presence.availability);
    /// }
    /// for id in &result.missing {
    ///     println!("{id}: no such user");
    /// }
    /// for failure in &result.failures {
    ///     eprintln!("{} ids failed: {}", failure.ids.len(), failure.error);
    /// }
    /// # }
    /// ```
    pub fn presences_of<I: AsRef<str>>(
        &self,
        ids: impl IntoIterator<Item = I>,
    ) -> BulkPresenceRequest {
        let mut seen = HashSet::new();
        let ids = ids
            .into_iter()
            .map(|id| id.as_ref().to_owned())
            .filter(|id: &String| seen.insert(id.to_ascii_lowercase()))
            .collect();
        BulkPresenceRequest {
            client: self.clone(),
            ids,
            concurrency: 4,
        }
    }
}

/// A bulk presence request; see [`Client::presences_of`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct BulkPresenceRequest {
    client: Client,
    ids: Vec<String>,
    concurrency: usize,
}

/// A chunk of ids whose request failed (after its retries), on its first page or a later one.
#[derive(Debug)]
pub struct ChunkFailure {
    /// The ids the chunk asked for, as given to [`Client::presences_of`].
    pub ids: Vec<String>,
    /// Why the chunk failed (its last attempt's error).
    pub error: Error,
}

/// One chunk's answer: the ids it asked for and the presences Graph returned for them.
#[derive(Debug, Clone)]
pub struct ChunkPresences {
    /// The ids the chunk asked for, as given to [`Client::presences_of`].
    pub ids: Vec<String>,
    /// What Graph returned for the ids asked for, in its order, every page of the chunk's
    /// answer included.
    pub presences: Vec<Presence>,
    /// What Graph returned for ids this chunk did not ask for: not an answer about them.
    pub unrequested: Vec<Presence>,
}

impl ChunkPresences {
    /// The chunk's answer, with presences for ids it did not ask for set apart.
    fn sorted(ids: Vec<String>, returned: Vec<Presence>) -> Self {
        let asked: HashSet<String> = ids.iter().map(|id| id.to_ascii_lowercase()).collect();
        let (presences, unrequested): (Vec<Presence>, Vec<Presence>) = returned
            .into_iter()
            .partition(|p| asked.contains(&p.id.to_ascii_lowercase()));
        if !unrequested.is_empty() {
            tracing::warn!(
                unrequested = unrequested.len(),
                "bulk presence: presences for ids not asked for, set apart"
            );
        }
        ChunkPresences {
            ids,
            presences,
            unrequested,
        }
    }
}

impl ChunkPresences {
    /// The ids Graph returned no presence for (unknown users, or ids of other tenants).
    pub fn missing(&self) -> impl Iterator<Item = &str> {
        let returned: HashSet<String> = self
            .presences
            .iter()
            .map(|p| p.id.to_ascii_lowercase())
            .collect();
        self.ids
            .iter()
            .filter(move |id| !returned.contains(&id.to_ascii_lowercase()))
            .map(String::as_str)
    }
}

/// Everything a bulk request found, by user id.
#[derive(Debug, Default)]
pub struct BulkPresences {
    /// Every presence the successful chunks returned, by id with ASCII letters lower-cased
    /// (object ids are GUIDs, whose case Graph does not keep); look one up with
    /// [`BulkPresences::get`].
    pub presences: HashMap<String, Presence>,
    /// The ids of successful chunks that Graph returned no presence for, as given.
    pub missing: Vec<String>,
    /// The chunks that failed, with their ids.
    pub failures: Vec<ChunkFailure>,
    /// Presences Graph returned for ids no chunk asked for: reported, not taken as answers.
    pub unrequested: Vec<Presence>,
}

impl BulkPresences {
    /// The presence of a user, by object id in any letter case.
    pub fn get(&self, id: &str) -> Option<&Presence> {
        self.presences.get(&id.to_ascii_lowercase())
    }

    /// True when no chunk failed (ids that got no presence are an answer, not a failure).
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }

    /// The ids of the chunks that failed.
    pub fn failed_ids(&self) -> impl Iterator<Item = &str> {
        self.failures
            .iter()
            .flat_map(|f| f.ids.iter().map(String::as_str))
    }

    fn add(&mut self, chunk: ChunkPresences) {
        self.missing.extend(chunk.missing().map(str::to_owned));
        self.unrequested.extend(chunk.unrequested);
        for presence in chunk.presences {
            self.presences
                .insert(presence.id.to_ascii_lowercase(), presence);
        }
    }
}

impl BulkPresenceRequest {
    /// How many chunks are in flight at once (default 4, at least 1).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// The unique ids, in first-seen order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// The number of getPresencesByUserId calls this makes (before retries).
    pub fn request_count(&self) -> usize {
        self.ids.len().div_ceil(MAX_IDS_PER_REQUEST)
    }

    /// The result of each chunk as it completes (not in chunk order).
    pub fn stream(self) -> impl Stream<Item = Result<ChunkPresences, ChunkFailure>> + Send {
        let client = self.client;
        let chunks: Vec<Vec<String>> = self
            .ids
            .chunks(MAX_IDS_PER_REQUEST)
            .map(<[String]>::to_vec)
            .collect();
        let (chunks_total, ids_total) = (chunks.len(), self.ids.len());
        let (mut chunks_done, mut ids_done) = (0usize, 0usize);
        stream::iter(chunks)
            .map(move |ids| {
                let request = client
                    .communications()
                    .get_presences_by_user_id(ids.clone());
                async move {
                    // Graph may answer a chunk in pages: all of them make the chunk's answer.
                    match request.items().collect_all().await {
                        Ok(presences) => Ok(ChunkPresences::sorted(ids, presences)),
                        Err(error) => Err(ChunkFailure { ids, error }),
                    }
                }
            })
            .buffer_unordered(self.concurrency)
            .inspect(move |chunk| {
                let (ids, failed) = match chunk {
                    Ok(chunk) => (chunk.ids.len(), false),
                    Err(failure) => (failure.ids.len(), true),
                };
                chunks_done += 1;
                ids_done += ids;
                tracing::info!(
                    chunk = chunks_done,
                    chunks = chunks_total,
                    ids_done,
                    ids_total,
                    failed,
                    "bulk presence: chunk {chunks_done} of {chunks_total} done"
                );
            })
    }

    /// Sends every chunk and gathers what they return.
    pub async fn send(self) -> BulkPresences {
        let mut result = BulkPresences::default();
        let mut chunks = std::pin::pin!(self.stream());
        while let Some(chunk) = chunks.next().await {
            match chunk {
                Ok(chunk) => result.add(chunk),
                Err(failure) => result.failures.push(failure),
            }
        }
        result
    }
}
