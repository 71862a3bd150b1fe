//! Presence for any number of users: getPresencesByUserId takes at most 650 ids per call (the
//! schema's `maxItems`), so the ids are de-duplicated, split into chunks of that size, and the
//! chunks sent with bounded concurrency. A chunk that still fails after its retries is reported
//! with its ids; the others' presences are kept.

use crate::{Client, CommunicationsGetPresencesByUserIdRequest, Error};
use futures_util::stream::{self, Stream, StreamExt};
use graph_presence_models::Presence;
use std::collections::HashSet;

/// The most ids one getPresencesByUserId call takes, from the schema.
pub const MAX_IDS_PER_REQUEST: usize = CommunicationsGetPresencesByUserIdRequest::IDS_MAX_ITEMS;

impl Client {
    /// Presence of any number of users, by object id (duplicates, in any letter case, are
    /// asked for once).
    ///
    /// ```no_run
    /// # async fn example(client: graph_presence_client::Client, ids: Vec<String>) {
    /// let result = client.presences_of(ids).concurrency(8).send().await;
    /// for failure in &result.failures {
    ///     eprintln!("{} ids failed: {}", failure.ids.len(), failure.error);
    /// }
    /// # }
    /// ```
    pub fn presences_of<I: Into<String>>(
        &self,
        ids: impl IntoIterator<Item = I>,
    ) -> BulkPresenceRequest {
        let mut seen = HashSet::new();
        let ids = ids
            .into_iter()
            .map(Into::into)
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

/// A chunk of ids whose request failed (after its retries).
#[derive(Debug)]
pub struct ChunkFailure {
    pub ids: Vec<String>,
    pub error: Error,
}

/// Everything a bulk request found.
#[derive(Debug, Default)]
pub struct BulkPresences {
    /// Every presence the successful chunks returned.
    pub presences: Vec<Presence>,
    /// The chunks that failed, with their ids.
    pub failures: Vec<ChunkFailure>,
}

impl BulkPresences {
    /// True when no chunk failed.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }

    /// The ids of the chunks that failed.
    pub fn failed_ids(&self) -> impl Iterator<Item = &str> {
        self.failures
            .iter()
            .flat_map(|f| f.ids.iter().map(String::as_str))
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
    pub fn stream(self) -> impl Stream<Item = Result<Vec<Presence>, ChunkFailure>> + Send {
        let client = self.client;
        let chunks: Vec<Vec<String>> = self
            .ids
            .chunks(MAX_IDS_PER_REQUEST)
            .map(<[String]>::to_vec)
            .collect();
        stream::iter(chunks)
            .map(move |ids| {
                let request = client
                    .communications()
                    .get_presences_by_user_id(ids.clone());
                async move {
                    match request.send().await {
                        Ok(response) => Ok(response.value.unwrap_or_default()),
                        Err(error) => Err(ChunkFailure { ids, error }),
                    }
                }
            })
            .buffer_unordered(self.concurrency)
    }

    /// Sends every chunk and gathers what they return.
    pub async fn send(self) -> BulkPresences {
        let mut result = BulkPresences::default();
        let mut chunks = std::pin::pin!(self.stream());
        while let Some(chunk) = chunks.next().await {
            match chunk {
                Ok(presences) => result.presences.extend(presences),
                Err(failure) => result.failures.push(failure),
            }
        }
        result
    }
}
