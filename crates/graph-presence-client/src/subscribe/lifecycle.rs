//! What a lifecycle notification asks for, done as Graph documents it:
//! `reauthorizationRequired` reauthorizes the subscription (or, if that fails, renews it),
//! `subscriptionRemoved` creates it again for the same ids, and `missed` reads the current
//! presence of its users through the bulk call, for the application to replace what it holds.

use super::calls::{self, Step};
use super::{PresenceSubscriptions, SubscriptionReport};
use crate::BulkPresences;
use graph_presence_models::{ChangeNotification, LifecycleEventType};
use openapi_models_runtime::excerpt;
use std::fmt;

/// What a lifecycle notification led to.
#[derive(Debug)]
#[non_exhaustive]
pub struct LifecycleReaction {
    /// The subscription it was about.
    pub subscription_id: String,
    /// The event.
    pub event: LifecycleEventType,
    /// The requests about the subscription and how they went (reauthorized, renewed or
    /// recreated; or failed, with the ids).
    pub report: SubscriptionReport,
    /// For `missed`: the current presence of the subscription's users, to replace what the
    /// application holds for them (chunks that failed are in its `failures`).
    pub presences: Option<BulkPresences>,
}

/// A lifecycle notification that was not acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LifecycleError {
    /// The notification has no `lifecycleEvent`: it is a change notification.
    NotLifecycle {
        /// The subscription it names.
        subscription_id: String,
    },
    /// Its `clientState` is not the one the subscriptions were created with: it is not from
    /// Graph, or not about these subscriptions.
    ClientStateMismatch {
        /// The subscription it names.
        subscription_id: String,
    },
    /// It names a subscription these are not (one deleted or replaced already, or made by
    /// another program).
    UnknownSubscription {
        /// The subscription it names.
        subscription_id: String,
    },
    /// An event this version does not know.
    UnknownEvent {
        /// The subscription it names.
        subscription_id: String,
        /// The event, as sent.
        event: String,
    },
}

impl fmt::Display for LifecycleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Ids and events are the sender's text: escaped and cut.
        let shown = |text: &str| excerpt(text, 100);
        match self {
            LifecycleError::NotLifecycle { subscription_id } => write!(
                f,
                "the notification for subscription `{}` has no lifecycle event",
                shown(subscription_id)
            ),
            LifecycleError::ClientStateMismatch { subscription_id } => write!(
                f,
                "the notification for subscription `{}` does not carry the client state",
                shown(subscription_id)
            ),
            LifecycleError::UnknownSubscription { subscription_id } => write!(
                f,
                "no subscription here has the id `{}`",
                shown(subscription_id)
            ),
            LifecycleError::UnknownEvent {
                subscription_id,
                event,
            } => write!(
                f,
                "unknown lifecycle event `{}` for subscription `{}`",
                shown(event),
                shown(subscription_id)
            ),
        }
    }
}

impl std::error::Error for LifecycleError {}

impl PresenceSubscriptions {
    /// Acts on a lifecycle notification (from the lifecycle notification URL), after checking
    /// that it carries the client state. A notification that cannot be acted on (not a
    /// lifecycle one, another client state, a subscription or an event this does not know) is
    /// an error and changes nothing.
    pub async fn handle_lifecycle(
        &mut self,
        notification: &ChangeNotification,
    ) -> Result<LifecycleReaction, LifecycleError> {
        let reaction = self.react(notification).await;
        if let Err(error) = &reaction {
            tracing::warn!(
                subscription_id = %excerpt(&notification.subscription_id, 100),
                error = %error,
                "presence subscription: lifecycle notification not acted on"
            );
        }
        reaction
    }

    async fn react(
        &mut self,
        notification: &ChangeNotification,
    ) -> Result<LifecycleReaction, LifecycleError> {
        let subscription_id = notification.subscription_id.clone();
        let Some(event) = notification.lifecycle_event.as_option().cloned() else {
            return Err(LifecycleError::NotLifecycle { subscription_id });
        };
        if !notification.has_client_state(&self.settings.client_state) {
            return Err(LifecycleError::ClientStateMismatch { subscription_id });
        }
        let Some(tracked) = self.get(&subscription_id).cloned() else {
            return Err(LifecycleError::UnknownSubscription { subscription_id });
        };
        let (client, settings) = (&self.client, &self.settings);
        let mut presences = None;
        let step = match &event {
            LifecycleEventType::ReauthorizationRequired => {
                Some(calls::reauthorize(client, settings, tracked).await)
            }
            LifecycleEventType::SubscriptionRemoved => {
                Some(calls::recreate(client, settings, tracked).await)
            }
            LifecycleEventType::Missed => {
                let bulk = client
                    .presences_of(&tracked.ids)
                    .concurrency(settings.concurrency)
                    .send()
                    .await;
                tracing::info!(
                    subscription_id = %tracked.id,
                    ids = tracked.ids.len(),
                    presences = bulk.presences.len(),
                    failed_ids = bulk.failed_ids().count(),
                    "presence subscription resynced after missed notifications"
                );
                presences = Some(bulk);
                None
            }
            LifecycleEventType::Other(other) => {
                return Err(LifecycleError::UnknownEvent {
                    subscription_id,
                    event: other.clone(),
                });
            }
            // The enum is non-exhaustive: an event a later version of the models lists.
            unknown => {
                return Err(LifecycleError::UnknownEvent {
                    subscription_id,
                    event: format!("{unknown:?}"),
                });
            }
        };
        let report = self.apply_all(step.into_iter().collect::<Vec<Step>>());
        Ok(LifecycleReaction {
            subscription_id,
            event,
            report,
            presences,
        })
    }
}
