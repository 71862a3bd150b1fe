//! One subscription request each, and what follows from its answer: a renewal Graph answers
//! with 404 becomes a create for the same ids, a failed reauthorization becomes a renewal.
//! Each returns the [`Step`] that [`PresenceSubscriptions`](super::PresenceSubscriptions)
//! applies; nothing here changes its state.

use super::event_hub::check_notification_url;
use super::resource::presences_filter;
use super::{
    Settings, SubscriptionAction, SubscriptionError, SubscriptionFailure, TrackedSubscription,
    later,
};
use crate::{Client, Error};

/// What happened to one subscription.
pub(super) enum Step {
    Created(TrackedSubscription),
    Renewed {
        id: String,
        expires: jiff::Timestamp,
        granted: jiff::Timestamp,
    },
    Reauthorized {
        id: String,
    },
    Recreated {
        previous_id: String,
        new: TrackedSubscription,
    },
    Deleted {
        id: String,
    },
    Failed(SubscriptionFailure),
}

/// A subscription for ids that have none.
pub(super) async fn create(client: &Client, settings: &Settings, ids: Vec<String>) -> Step {
    match subscribe(client, settings, &ids).await {
        Ok(created) => Step::Created(created),
        Err(error) => Step::Failed(SubscriptionFailure {
            subscription_id: None,
            action: SubscriptionAction::Create,
            ids,
            error,
        }),
    }
}

/// A new subscription in place of one Graph no longer has.
pub(super) async fn recreate(
    client: &Client,
    settings: &Settings,
    gone: TrackedSubscription,
) -> Step {
    match subscribe(client, settings, &gone.ids).await {
        Ok(new) => Step::Recreated {
            previous_id: gone.id,
            new,
        },
        Err(error) => Step::Failed(SubscriptionFailure {
            subscription_id: Some(gone.id),
            action: SubscriptionAction::Recreate,
            ids: gone.ids,
            error,
        }),
    }
}

/// The subscription's expiry moved to the lifetime from now.
pub(super) async fn renew(
    client: &Client,
    settings: &Settings,
    tracked: TrackedSubscription,
) -> Step {
    let asked = later(client.clock().now(), settings.lifetime);
    let answer = client
        .subscriptions()
        .by_id(tracked.id.as_str())
        .patch(asked)
        .send()
        .await;
    let now = client.clock().now();
    match answer {
        Ok(renewed) => {
            let expires = renewed.expiration_date_time.instant().unwrap_or(asked);
            if expires <= now {
                return Step::Failed(SubscriptionFailure {
                    subscription_id: Some(tracked.id),
                    action: SubscriptionAction::Renew,
                    ids: tracked.ids,
                    error: SubscriptionError::ExpiryNotAhead { expires, now },
                });
            }
            Step::Renewed {
                id: tracked.id,
                expires,
                granted: now,
            }
        }
        Err(error) if is_gone(&error) => recreate(client, settings, tracked).await,
        Err(error) => Step::Failed(SubscriptionFailure {
            subscription_id: Some(tracked.id),
            action: SubscriptionAction::Renew,
            ids: tracked.ids,
            error: SubscriptionError::Request(error),
        }),
    }
}

/// The subscription reauthorized, or else renewed (which reauthorizes it too).
pub(super) async fn reauthorize(
    client: &Client,
    settings: &Settings,
    tracked: TrackedSubscription,
) -> Step {
    let answer = client
        .subscriptions()
        .by_id(tracked.id.as_str())
        .reauthorize()
        .send()
        .await;
    match answer {
        Ok(()) => Step::Reauthorized { id: tracked.id },
        Err(error) => {
            tracing::warn!(
                subscription_id = %tracked.id,
                ids = tracked.ids.len(),
                error = %error,
                "presence subscription: reauthorize failed; renewing instead"
            );
            renew(client, settings, tracked).await
        }
    }
}

/// The subscription deleted (one Graph no longer has is deleted already).
pub(super) async fn delete(client: &Client, tracked: TrackedSubscription) -> Step {
    let answer = client
        .subscriptions()
        .by_id(tracked.id.as_str())
        .delete()
        .send()
        .await;
    match answer {
        Ok(()) => Step::Deleted { id: tracked.id },
        Err(error) if is_gone(&error) => Step::Deleted { id: tracked.id },
        Err(error) => Step::Failed(SubscriptionFailure {
            subscription_id: Some(tracked.id),
            action: SubscriptionAction::Delete,
            ids: tracked.ids,
            error: SubscriptionError::Request(error),
        }),
    }
}

/// `POST /subscriptions` for these ids, sent once.
async fn subscribe(
    client: &Client,
    settings: &Settings,
    ids: &[String],
) -> Result<TrackedSubscription, SubscriptionError> {
    check_urls(settings)?;
    let asked = later(client.clock().now(), settings.lifetime);
    let mut request = client
        .subscriptions()
        .post(graph_presence_models::required::Subscription {
            change_type: "updated".to_owned(),
            expiration_date_time: asked.into(),
            notification_url: settings.notification_url.clone(),
            resource: presences_filter(ids),
        })
        .client_state(settings.client_state.as_str());
    if let Some(url) = &settings.lifecycle_notification_url {
        request = request.lifecycle_notification_url(url.as_str());
    }
    if let Some(certificate) = &settings.certificate {
        request = request
            .include_resource_data(true)
            .encryption_certificate(certificate.base64_der.as_str())
            .encryption_certificate_id(certificate.id.as_str());
    }
    let created = request.send().await.map_err(SubscriptionError::Request)?;
    let id = created
        .id
        .filter(|id| !id.is_empty())
        .ok_or(SubscriptionError::NoSubscriptionId)?;
    Ok(TrackedSubscription {
        id,
        ids: ids.to_vec(),
        expires: created.expiration_date_time.instant().unwrap_or(asked),
        granted: client.clock().now(),
        retry_at: None,
    })
}

/// Both URLs, if written as Event Hubs destinations, are ones Graph documents: Graph sends no
/// validation request to an Event Hub, so nothing else would catch a mistyped one.
fn check_urls(settings: &Settings) -> Result<(), SubscriptionError> {
    let lifecycle = settings.lifecycle_notification_url.as_deref();
    [
        ("notificationUrl", Some(settings.notification_url.as_str())),
        ("lifecycleNotificationUrl", lifecycle),
    ]
    .into_iter()
    .filter_map(|(field, url)| Some((field, url?)))
    .try_for_each(|(field, url)| {
        check_notification_url(url).map_err(|error| SubscriptionError::EventHubUrl { field, error })
    })
}

/// Graph no longer has the subscription.
fn is_gone(error: &Error) -> bool {
    error.status().is_some_and(|status| status.as_u16() == 404)
}
