//! What a request meant for the app ([`Event`]), and why a notification or a whole batch was
//! refused.

use super::*;

/// What a request meant for the app. Its `Debug` cuts the sender's text in a rejection (a
/// subscription id can be anything a sender put there); the fields keep it whole.
#[non_exhaustive]
pub enum Event {
    /// A rich notification's presence, decrypted, verified and newer than the one held.
    PresenceChanged {
        /// The subscription it came through.
        subscription_id: String,
        /// The user (the decrypted presence's `id`).
        user_id: String,
        /// The presence.
        presence: Box<Presence>,
    },
    /// A basic notification: the resource changed, and the app fetches it (for presence, with
    /// `getPresencesByUserId` or `GET /communications/presences/{id}`).
    ResourceChanged {
        /// The subscription it came through.
        subscription_id: String,
        /// The user (`resourceData.id`), when sent.
        user_id: Option<String>,
        /// `resource`, when sent.
        resource: Option<String>,
    },
    /// A presence older than, or the same as, the one already delivered for the user (by
    /// `sequenceNumber`): not delivered as a change.
    Stale {
        /// The subscription it came through.
        subscription_id: String,
        /// The user.
        user_id: String,
        /// Its sequence number.
        sequence_number: String,
        /// The newer one held.
        held: String,
    },
    /// A lifecycle notification (`reauthorizationRequired`, `subscriptionRemoved`, `missed`),
    /// its client state checked: for `PresenceSubscriptions::handle_lifecycle`.
    Lifecycle(Box<ChangeNotification>),
    /// One notification of a batch was refused; the others were processed.
    Rejected {
        /// Its position in the batch's `value`.
        index: usize,
        /// The subscription it named (the sender's text; empty when it named none).
        subscription_id: String,
        /// Why.
        error: NotificationError,
    },
    /// The whole request was refused (the response says so with its status).
    BatchRejected(BatchError),
    /// The `axum` webhook fetched the signing keys again for a token naming a key its set
    /// lacks, and the fetch failed: the old keys stay, and batches that need new ones are
    /// answered `401` (Graph delivers them again later).
    #[cfg(feature = "fetch-keys")]
    SigningKeysNotFetched(crate::FetchError),
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::PresenceChanged {
                subscription_id,
                user_id,
                presence,
            } => f
                .debug_struct("PresenceChanged")
                .field("subscription_id", subscription_id)
                .field("user_id", user_id)
                .field("presence", presence)
                .finish(),
            Event::ResourceChanged {
                subscription_id,
                user_id,
                resource,
            } => f
                .debug_struct("ResourceChanged")
                .field("subscription_id", subscription_id)
                .field("user_id", user_id)
                .field("resource", resource)
                .finish(),
            Event::Stale {
                subscription_id,
                user_id,
                sequence_number,
                held,
            } => f
                .debug_struct("Stale")
                .field("subscription_id", subscription_id)
                .field("user_id", user_id)
                .field("sequence_number", sequence_number)
                .field("held", held)
                .finish(),
            Event::Lifecycle(notification) => {
                f.debug_tuple("Lifecycle").field(notification).finish()
            }
            // A refused notification's text is whatever was sent: cut like an error's.
            Event::Rejected {
                index,
                subscription_id,
                error,
            } => f
                .debug_struct("Rejected")
                .field("index", index)
                .field("subscription_id", &excerpt(subscription_id, SHOWN))
                .field("error", error)
                .finish(),
            Event::BatchRejected(error) => f.debug_tuple("BatchRejected").field(error).finish(),
            #[cfg(feature = "fetch-keys")]
            Event::SigningKeysNotFetched(error) => {
                f.debug_tuple("SigningKeysNotFetched").field(error).finish()
            }
        }
    }
}

/// Why one notification of a batch was refused.
#[derive(Debug)]
#[non_exhaustive]
pub enum NotificationError {
    /// Its `clientState` is missing or not the app's.
    ClientState,
    /// It carries `encryptedContent` and the receiver has no decryption keys.
    NoDecryptionKeys,
    /// Its `encryptedContent` does not decrypt: tampered, another key, an unknown certificate.
    Decryption(Error),
    /// The decrypted content is not a presence.
    Presence(DecodeError),
    /// It is not a change notification (a required property missing, a wrong type).
    Shape(DecodeError),
}

impl fmt::Display for NotificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotificationError::ClientState => write!(f, "the client state is not the app's"),
            NotificationError::NoDecryptionKeys => {
                write!(
                    f,
                    "encrypted content, and no decryption keys are configured"
                )
            }
            NotificationError::Decryption(error) => write!(f, "{error}"),
            NotificationError::Shape(error) => write!(f, "not a change notification: {error}"),
            NotificationError::Presence(error) => {
                write!(f, "the decrypted content is not a presence: {error}")
            }
        }
    }
}

impl std::error::Error for NotificationError {}

/// Why a whole request was refused.
#[non_exhaustive]
pub enum BatchError {
    /// Not a POST (`405`).
    Method {
        /// The method, as sent.
        method: String,
    },
    /// The body is longer than the receiver accepts (`413`).
    TooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A `validationToken` query longer than [`MAX_VALIDATION_TOKEN_LEN`] once decoded (`400`).
    ValidationTokenTooLong,
    /// The body is not a change notification collection (`400`): where and why.
    Malformed(DecodeError),
    /// Validation tokens are required (the receiver has rules) and the batch carries
    /// encrypted content without any (`401`).
    MissingValidationTokens,
    /// A validation token does not verify (`401`).
    ValidationToken {
        /// Its position in `validationTokens`.
        index: usize,
        /// Why.
        error: Error,
    },
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::Method { method } => {
                write!(f, "method {} is not POST", excerpt(method, 20))
            }
            BatchError::TooLarge { len, max } => {
                write!(f, "the body is {len} bytes, more than {max}")
            }
            BatchError::ValidationTokenTooLong => write!(
                f,
                "the validation token is longer than {MAX_VALIDATION_TOKEN_LEN} bytes"
            ),
            BatchError::Malformed(error) => write!(f, "malformed notification batch: {error}"),
            BatchError::MissingValidationTokens => {
                write!(f, "encrypted content without validation tokens")
            }
            BatchError::ValidationToken { index, error } => {
                write!(f, "validation token {index}: {error}")
            }
        }
    }
}

impl fmt::Debug for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::Method { method } => f
                .debug_struct("Method")
                .field("method", &excerpt(method, SHOWN))
                .finish(),
            BatchError::TooLarge { len, max } => f
                .debug_struct("TooLarge")
                .field("len", len)
                .field("max", max)
                .finish(),
            BatchError::ValidationTokenTooLong => f.write_str("ValidationTokenTooLong"),
            BatchError::Malformed(error) => f.debug_tuple("Malformed").field(error).finish(),
            BatchError::MissingValidationTokens => f.write_str("MissingValidationTokens"),
            BatchError::ValidationToken { index, error } => f
                .debug_struct("ValidationToken")
                .field("index", index)
                .field("error", error)
                .finish(),
        }
    }
}

impl std::error::Error for BatchError {}

impl BatchError {
    /// The HTTP status it is answered with.
    pub fn status(&self) -> u16 {
        match self {
            BatchError::Method { .. } => 405,
            BatchError::TooLarge { .. } => 413,
            BatchError::ValidationTokenTooLong | BatchError::Malformed(_) => 400,
            BatchError::MissingValidationTokens | BatchError::ValidationToken { .. } => 401,
        }
    }
}
