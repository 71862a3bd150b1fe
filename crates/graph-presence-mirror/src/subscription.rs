//! One identity's subscription, brought to what its users need: created, adopted after a `409`,
//! renewed, reauthorized, recreated or deleted. Each function sends as one identity and reports
//! what it did; the caller goes on with the other identities whatever happens here.
//!
//! Creating goes through the client's helper (`presence_subscriptions`, one chunk of at most
//! 650 users), so the resource filter, id checks and "a create is never retried" are the
//! client's. The helper cannot take over a subscription it did not create (after a `409`, or
//! from the registry after a restart), so renewing, reauthorizing and deleting are sent here
//! with the generated builders, on the helper's renewal rules (see [`Held::due`]).

use crate::error::MirrorError;
use crate::identity::{Identity, refused_as_app_only};
use crate::settings::MirrorSettings;
use graph_presence_client::{
    Error, MAX_SUBSCRIPTION_LIFETIME, SubscriptionError, SubscriptionFailure,
};
use graph_presence_models::Subscription;
use std::collections::BTreeSet;
use std::time::Duration;

/// How long after a failure the same request is tried again (the helper's figure).
pub(crate) const RETRY_DELAY: Duration = graph_presence_client::RENEWAL_RETRY_DELAY;

/// A subscription Graph holds for an identity.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Held {
    pub id: String,
    /// The users its resource names.
    pub users: BTreeSet<String>,
    pub expires: jiff::Timestamp,
    /// When `expires` was granted.
    pub granted: jiff::Timestamp,
    /// After a failed renewal: not before this.
    pub retry_at: Option<jiff::Timestamp>,
}

impl Held {
    /// When it is due for renewal, by the client helper's rule: `margin` before it expires, or
    /// half-way through a shorter grant; never sooner than 30 s after the grant; later after a
    /// failure.
    pub fn due(&self, margin: Duration) -> jiff::Timestamp {
        graph_presence_client::renewal_due(self.granted, self.expires, margin, self.retry_at)
    }
}

/// What one request about a subscription did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Created for users that had none.
    Created,
    /// A subscription the identity already held (Graph's `409`) was ours and is kept.
    Adopted,
    /// Graph no longer had it (or its users changed): made again.
    Recreated,
    /// Renewed.
    Renewed,
    /// Reauthorized.
    Reauthorized,
    /// Deleted.
    Deleted,
}

/// Creates a subscription for `users`; after a `409`, adopts the identity's subscription when
/// it is ours or deletes it and creates once more.
pub(crate) async fn create(
    identity: &Identity,
    signed_in: Option<&str>,
    settings: &MirrorSettings,
    users: &BTreeSet<String>,
    others: &BTreeSet<String>,
) -> Result<(Held, Action), MirrorError> {
    match create_once(identity, settings, users).await {
        Err(CreateError::Conflict) => {}
        Err(CreateError::Other(error)) => return Err(error),
        Ok(held) => return Ok((held, Action::Created)),
    }
    tracing::info!(
        identity = identity.name(),
        "presence mirror: the identity holds a subscription already (409); looking at it"
    );
    settings.acquire(identity).await;
    let listed = identity
        .client()
        .subscriptions()
        .get()
        .send()
        .await
        .map_err(|e| failed(identity, "list subscriptions", e))?;
    for subscription in listed.value.unwrap_or_default() {
        let Some(id) = subscription.id.clone() else {
            continue;
        };
        let creator = subscription.creator_id.as_option().map(String::as_str);
        let theirs =
            matches!((creator, signed_in), (Some(c), Some(me)) if !c.eq_ignore_ascii_case(me));
        if others.contains(&id) || theirs {
            continue;
        }
        if is_ours(&subscription, settings) && resource_users(&subscription.resource) == *users {
            let mut held = Held {
                id,
                users: users.clone(),
                expires: identity.client().clock().now(),
                granted: identity.client().clock().now(),
                retry_at: None,
            };
            renew(identity, settings, &mut held).await?;
            return Ok((held, Action::Adopted));
        }
        delete(identity, settings, &id).await?;
    }
    match create_once(identity, settings, users).await {
        Ok(held) => Ok((held, Action::Recreated)),
        Err(CreateError::Other(error)) => Err(error),
        Err(CreateError::Conflict) => Err(MirrorError::Unexpected {
            identity: identity.name().to_owned(),
            what: "Graph still answers 409 after the identity's subscription was deleted",
        }),
    }
}

enum CreateError {
    Conflict,
    Other(MirrorError),
}

async fn create_once(
    identity: &Identity,
    settings: &MirrorSettings,
    users: &BTreeSet<String>,
) -> Result<Held, CreateError> {
    settings.acquire(identity).await;
    let mut request = identity
        .client()
        .presence_subscriptions(users, &settings.notification_url, &settings.client_state)
        .lifetime(settings.lifetime);
    if let Some(url) = &settings.lifecycle_notification_url {
        request = request.lifecycle_notification_url(url);
    }
    if let Some((certificate, id)) = &settings.certificate {
        request = request.include_resource_data(certificate, id);
    }
    let (created, mut report) = request.create().await;
    if let Some(tracked) = created.subscriptions().first() {
        return Ok(Held {
            id: tracked.id().to_owned(),
            users: users.clone(),
            expires: tracked.expires(),
            granted: identity.client().clock().now(),
            retry_at: None,
        });
    }
    match report.failures.pop() {
        Some(SubscriptionFailure {
            error: SubscriptionError::Request(error),
            ..
        }) => {
            if error.status().is_some_and(|s| s.as_u16() == 409) {
                Err(CreateError::Conflict)
            } else if refused_as_app_only(&error) {
                Err(CreateError::Other(MirrorError::AppOnlyToken {
                    identity: identity.name().to_owned(),
                }))
            } else {
                Err(CreateError::Other(failed(identity, "create", error)))
            }
        }
        _ => Err(CreateError::Other(MirrorError::Unexpected {
            identity: identity.name().to_owned(),
            what: "the subscription was not created (no id in Graph's answer, or ids refused)",
        })),
    }
}

/// Renews `held` to the lifetime from now. `Ok(false)`: Graph no longer has it (404).
pub(crate) async fn renew(
    identity: &Identity,
    settings: &MirrorSettings,
    held: &mut Held,
) -> Result<bool, MirrorError> {
    let clock = identity.client().clock();
    let asked = later(clock.now(), settings.lifetime);
    settings.acquire(identity).await;
    let answer = identity
        .client()
        .subscriptions()
        .by_id(held.id.as_str())
        .patch(asked)
        .send()
        .await;
    let now = clock.now();
    match answer {
        Ok(renewed) => {
            held.expires = renewed.expiration_date_time.instant().unwrap_or(asked);
            held.granted = now;
            held.retry_at = None;
            Ok(true)
        }
        Err(error) if is_gone(&error) => Ok(false),
        Err(error) => {
            held.retry_at = Some(later(now, RETRY_DELAY));
            Err(failed(identity, "renew", error))
        }
    }
}

/// Reauthorizes `held`, or else renews it (which reauthorizes too). `Ok(false)`: gone.
pub(crate) async fn reauthorize(
    identity: &Identity,
    settings: &MirrorSettings,
    held: &mut Held,
) -> Result<bool, MirrorError> {
    settings.acquire(identity).await;
    let answer = identity
        .client()
        .subscriptions()
        .by_id(held.id.as_str())
        .reauthorize()
        .send()
        .await;
    match answer {
        Ok(()) => Ok(true),
        Err(error) if is_gone(&error) => Ok(false),
        Err(_) => renew(identity, settings, held).await,
    }
}

/// Deletes a subscription; one Graph no longer has counts as deleted.
pub(crate) async fn delete(
    identity: &Identity,
    settings: &MirrorSettings,
    id: &str,
) -> Result<(), MirrorError> {
    settings.acquire(identity).await;
    match identity
        .client()
        .subscriptions()
        .by_id(id)
        .delete()
        .send()
        .await
    {
        Ok(()) => Ok(()),
        Err(error) if is_gone(&error) => Ok(()),
        Err(error) => Err(failed(identity, "delete", error)),
    }
}

/// Same notification URL, and the same client state when Graph shows it.
fn is_ours(subscription: &Subscription, settings: &MirrorSettings) -> bool {
    subscription.notification_url == settings.notification_url
        && subscription
            .client_state
            .as_option()
            .is_none_or(|state| *state == settings.client_state)
}

/// The users a presence resource names: `/communications/presences?$filter=id in ('a','b')`
/// (OData quotes doubled), or `communications/presences/{id}`; lowercase.
pub(crate) fn resource_users(resource: &str) -> BTreeSet<String> {
    if let Some(start) = resource.find("in (") {
        let list = resource[start + 4..].trim_end_matches(')');
        let mut users = BTreeSet::new();
        let mut current = String::new();
        let mut chars = list.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('\'', true) if chars.peek() == Some(&'\'') => {
                    chars.next();
                    current.push('\'');
                }
                ('\'', _) => quoted = !quoted,
                (',', false) => {
                    users.insert(std::mem::take(&mut current).to_ascii_lowercase());
                }
                (c, true) => current.push(c),
                _ => {}
            }
        }
        if !current.is_empty() {
            users.insert(current.to_ascii_lowercase());
        }
        return users;
    }
    resource
        .trim_start_matches('/')
        .strip_prefix("communications/presences/")
        .map(|id| BTreeSet::from([id.to_ascii_lowercase()]))
        .unwrap_or_default()
}

fn is_gone(error: &Error) -> bool {
    error.status().is_some_and(|status| status.as_u16() == 404)
}

fn failed(identity: &Identity, action: &'static str, error: Error) -> MirrorError {
    MirrorError::Request {
        identity: identity.name().to_owned(),
        action,
        source: Box::new(error),
    }
}

/// The longest lifetime Graph grants a presence subscription.
pub(crate) const LIFETIME: Duration = MAX_SUBSCRIPTION_LIFETIME;

/// `at + wait`, or the latest time there is.
pub(crate) fn later(at: jiff::Timestamp, wait: Duration) -> jiff::Timestamp {
    jiff::SignedDuration::try_from(wait)
        .ok()
        .and_then(|wait| at.checked_add(wait).ok())
        .unwrap_or(jiff::Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_s_users_are_read_back_quotes_and_all() {
        let users = resource_users("/communications/presences?$filter=id in ('A','o''brien')");
        assert_eq!(
            users,
            BTreeSet::from(["a".to_owned(), "o'brien".to_owned()])
        );
        assert_eq!(
            resource_users("communications/presences/B"),
            BTreeSet::from(["b".to_owned()])
        );
    }

    #[test]
    fn renewal_is_due_ten_minutes_before_expiry_and_not_in_the_first_30_seconds() {
        let t0 = jiff::Timestamp::UNIX_EPOCH;
        let held = Held {
            id: "s".into(),
            users: BTreeSet::new(),
            expires: later(t0, LIFETIME),
            granted: t0,
            retry_at: None,
        };
        let margin = Duration::from_secs(600);
        assert_eq!(held.due(margin), later(t0, Duration::from_secs(50 * 60)));
        let short = Held {
            expires: later(t0, Duration::from_secs(40)),
            ..held
        };
        assert_eq!(short.due(margin), later(t0, Duration::from_secs(30)));
    }
}
