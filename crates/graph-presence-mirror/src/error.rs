//! The mirror's one error type. Text from outside (Graph's messages, file contents) is shown
//! through the client's bounded `Display`, or cut here.

use std::path::PathBuf;

/// What went wrong, by where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MirrorError {
    /// More users than the identities can hold: each identity holds one subscription of at
    /// most 650 users. Nothing was sent.
    #[error(
        "{users} users need {needed} identities of 650 users each, the pool has {have}: {missing} more identities are needed"
    )]
    NotEnoughIdentities {
        /// The users that would be followed.
        users: usize,
        /// The identities they need.
        needed: usize,
        /// The identities in the pool.
        have: usize,
        /// How many identities are missing.
        missing: usize,
    },
    /// The identity signs in with an application (app-only) token; Graph refuses those for
    /// presence subscriptions, which need a delegated token with `Presence.Read.All`.
    #[error(
        "identity `{identity}` has an application token; presence subscriptions need a delegated one (a user signed in, with Presence.Read.All)"
    )]
    AppOnlyToken {
        /// The identity's name.
        identity: String,
    },
    /// Two identities of the pool have one name.
    #[error("two identities are named `{0}`")]
    DuplicateIdentity(String),
    /// Ids no subscription filter can carry, refused before anything was sent.
    #[error("{count} ids cannot be subscribed (first: {first})")]
    InvalidIds {
        /// How many.
        count: usize,
        /// The first one and why, cut.
        first: String,
    },
    /// A request failed.
    #[error("identity `{identity}`: {action} failed: {source}")]
    Request {
        /// The identity it was sent as.
        identity: String,
        /// What was being done.
        action: &'static str,
        /// The client's error (status, Graph's code and message, bounded).
        #[source]
        source: Box<graph_presence_client::Error>,
    },
    /// Graph answered without what the mirror needs (a subscription without an id).
    #[error("identity `{identity}`: {what}")]
    Unexpected {
        /// The identity it was sent as.
        identity: String,
        /// What was missing.
        what: &'static str,
    },
    /// The registry file could not be read or written.
    #[error("registry {path}: {source}")]
    RegistryIo {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The shared store (Redis) failed or refused: unreachable, timed out, or holding what this
    /// version cannot read.
    #[error("shared store: {action}: {reason}")]
    Store {
        /// What was being done.
        action: &'static str,
        /// Why, cut to a line.
        reason: String,
    },
    /// The registry file is not one this version wrote (corrupt, or cut short).
    #[error("registry {path} is not readable: {reason}")]
    RegistryCorrupt {
        /// The file.
        path: PathBuf,
        /// Why, cut to a line.
        reason: String,
    },
}

/// Outside text (a file's contents, an id) escaped and cut, for error messages.
pub(crate) fn cut(text: &str) -> String {
    openapi_models_runtime::excerpt(text, 100)
}
