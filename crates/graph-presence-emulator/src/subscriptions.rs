//! Presence subscriptions with Graph's rules (RULES.md §1): the resource names one user or a
//! filter of at most 650; `changeType` is `updated`; at most 60 minutes; one presence
//! subscription per signed-in user per application, whatever the filter names (the second
//! create is Graph's `409 ExtensionError`, typos and all); renewal, reauthorization and
//! deletion by the application that owns it; expiry removes it. What needs the network (the
//! validation handshake) is the caller's: this registry only decides.

use crate::delivery::EncryptionCertificate;
use crate::directory::{Directory, is_guid};
use jiff::{SignedDuration, Timestamp};
use openapi_server_runtime::Failure;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The most ids one presence subscription's filter may name.
pub const MAX_IDS: usize = 650;

/// The longest a presence subscription may live.
pub const MAX_LIFETIME: SignedDuration = SignedDuration::from_mins(60);

/// Graph's message for a second presence subscription of one user and app, as Graph words it.
pub const CONFLICT_MESSAGE: &str = "Operation: Create; Exception:[Status Code: Conflict; Reason: A subscripton already exists. It must be deleted before a another can be made.]";

/// The longest `clientState` Graph takes.
const MAX_CLIENT_STATE: usize = 128;

/// One subscription, as the emulator keeps it.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub tenant: String,
    pub app_id: String,
    /// The signed-in user who created it.
    pub creator: String,
    /// The resource as sent.
    pub resource: String,
    /// The users it covers, as directory indices, without repeats, in the filter's order.
    pub users: Vec<usize>,
    pub notification_url: String,
    pub lifecycle_url: Option<String>,
    pub client_state: Option<String>,
    pub expires: Timestamp,
    /// Rich notifications: the certificate they are encrypted for, read at create.
    pub certificate: Option<Arc<EncryptionCertificate>>,
    /// When the token it was created or last reauthorized with expires.
    pub token_expires: Timestamp,
    /// A `reauthorizationRequired` notification was sent for the current token.
    pub reauthorization_sent: bool,
}

/// What a create asks for, checked ([`Subscriptions::check_create`]) before the handshake.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub resource: String,
    pub users: Vec<usize>,
    pub notification_url: String,
    pub lifecycle_url: Option<String>,
    pub client_state: Option<String>,
    pub expires: Timestamp,
    pub certificate: Option<Arc<EncryptionCertificate>>,
}

/// Every subscription, by id, and which ones cover each user.
#[derive(Debug, Default)]
pub struct Subscriptions {
    by_id: BTreeMap<String, Record>,
    /// Directory index → ids of the subscriptions covering that user.
    covering: HashMap<usize, Vec<String>>,
}

impl Subscriptions {
    /// Checks a create's body against Graph's rules, the directory and the clock; what the
    /// handshake must then confirm is returned.
    #[allow(clippy::too_many_arguments)]
    pub fn check_create(
        &self,
        directory: &Directory,
        now: Timestamp,
        resource: &str,
        change_type: &str,
        notification_url: &str,
        lifecycle_url: Option<&str>,
        client_state: Option<&str>,
        expires: Timestamp,
        certificate: Option<Arc<EncryptionCertificate>>,
        include_resource_data: bool,
    ) -> Result<NewSubscription, Failure> {
        let users = users_of(directory, resource)?;
        if !change_type.eq_ignore_ascii_case("updated") {
            return Err(Failure::bad_request(format!(
                "changeType `{}` is not supported for presence: only `updated` is",
                short(change_type)
            )));
        }
        check_expiry(now, expires)?;
        if client_state.is_some_and(|s| s.chars().count() > MAX_CLIENT_STATE) {
            return Err(Failure::bad_request(format!(
                "clientState is longer than {MAX_CLIENT_STATE} characters"
            )));
        }
        let certificate = match (include_resource_data, certificate) {
            (false, _) => None,
            (true, Some(c)) => Some(c),
            (true, None) => {
                return Err(Failure::bad_request(
                    "includeResourceData needs encryptionCertificate and encryptionCertificateId",
                ));
            }
        };
        Ok(NewSubscription {
            resource: resource.to_owned(),
            users,
            notification_url: notification_url.to_owned(),
            lifecycle_url: lifecycle_url.map(str::to_owned),
            client_state: client_state.map(str::to_owned),
            expires,
            certificate,
        })
    }

    /// The presence subscription `creator` already holds for `app_id`, if any.
    pub fn held_by(&self, tenant: &str, app_id: &str, creator: &str) -> Option<&Record> {
        self.by_id
            .values()
            .find(|r| r.tenant == tenant && r.app_id == app_id && r.creator == creator)
    }

    /// Adds a checked subscription (after its handshake), unless the user holds one for the
    /// app already: Graph's 409.
    pub fn insert(&mut self, record: Record) -> Result<&Record, Failure> {
        if self
            .held_by(&record.tenant, &record.app_id, &record.creator)
            .is_some()
        {
            return Err(Failure::new(409, "ExtensionError", CONFLICT_MESSAGE));
        }
        for &user in &record.users {
            self.covering
                .entry(user)
                .or_default()
                .push(record.id.clone());
        }
        let id = record.id.clone();
        Ok(self.by_id.entry(id).or_insert(record))
    }

    /// A subscription of `app_id` (another app's is not found, as in Graph).
    pub fn get(&self, app_id: &str, id: &str) -> Result<&Record, Failure> {
        self.by_id
            .get(id)
            .filter(|r| r.app_id == app_id)
            .ok_or_else(|| not_found(id))
    }

    /// Every subscription of `app_id`, by id.
    pub fn of_app<'a>(&'a self, app_id: &'a str) -> impl Iterator<Item = &'a Record> {
        self.by_id.values().filter(move |r| r.app_id == app_id)
    }

    /// Every subscription.
    pub fn all(&self) -> impl Iterator<Item = &Record> {
        self.by_id.values()
    }

    /// Renews (and may move) a subscription of `app_id`.
    pub fn renew(
        &mut self,
        app_id: &str,
        id: &str,
        now: Timestamp,
        expires: Timestamp,
        notification_url: Option<String>,
    ) -> Result<&Record, Failure> {
        check_expiry(now, expires)?;
        let record = self
            .by_id
            .get_mut(id)
            .filter(|r| r.app_id == app_id)
            .ok_or_else(|| not_found(id))?;
        record.expires = expires;
        if let Some(url) = notification_url {
            record.notification_url = url;
        }
        Ok(record)
    }

    /// Reauthorizes a subscription with a new token that expires at `token_expires`.
    pub fn reauthorize(
        &mut self,
        app_id: &str,
        id: &str,
        token_expires: Timestamp,
    ) -> Result<(), Failure> {
        let record = self
            .by_id
            .get_mut(id)
            .filter(|r| r.app_id == app_id)
            .ok_or_else(|| not_found(id))?;
        record.token_expires = token_expires;
        record.reauthorization_sent = false;
        Ok(())
    }

    /// Deletes a subscription of `app_id`.
    pub fn delete(&mut self, app_id: &str, id: &str) -> Result<Record, Failure> {
        if self.by_id.get(id).is_none_or(|r| r.app_id != app_id) {
            return Err(not_found(id));
        }
        self.remove(id).ok_or_else(|| not_found(id))
    }

    /// Removes a subscription whatever app owns it (an expiry, or the admin API's removal).
    pub fn remove(&mut self, id: &str) -> Option<Record> {
        let record = self.by_id.remove(id)?;
        self.uncover(&record);
        Some(record)
    }

    /// Removes every subscription expired at `now`, and gives them.
    pub fn expire(&mut self, now: Timestamp) -> Vec<Record> {
        let expired: Vec<String> = self
            .by_id
            .values()
            .filter(|r| r.expires <= now)
            .map(|r| r.id.clone())
            .collect();
        expired.iter().filter_map(|id| self.remove(id)).collect()
    }

    /// The subscriptions covering user `index`.
    pub fn covering(&self, index: usize) -> impl Iterator<Item = &Record> {
        self.covering
            .get(&index)
            .into_iter()
            .flatten()
            .filter_map(|id| self.by_id.get(id))
    }

    /// Subscriptions whose token expires within `margin` of `now` and have not been told:
    /// marked told, and given for a `reauthorizationRequired` notification.
    pub fn due_for_reauthorization(
        &mut self,
        now: Timestamp,
        margin: SignedDuration,
    ) -> Vec<Record> {
        let mut due = Vec::new();
        for record in self.by_id.values_mut() {
            let warn_at = record
                .token_expires
                .saturating_sub(margin)
                .unwrap_or(Timestamp::MIN);
            if !record.reauthorization_sent && warn_at <= now {
                record.reauthorization_sent = true;
                due.push(record.clone());
            }
        }
        due
    }

    /// The earliest instant something here changes by time alone: an expiry, or a
    /// reauthorization notice falling due.
    pub fn next_change(&self, margin: SignedDuration) -> Option<Timestamp> {
        self.by_id
            .values()
            .flat_map(|r| {
                let warn = (!r.reauthorization_sent)
                    .then(|| r.token_expires.saturating_sub(margin).ok())
                    .flatten();
                [Some(r.expires), warn]
            })
            .flatten()
            .min()
    }

    fn uncover(&mut self, record: &Record) {
        for user in &record.users {
            if let Some(ids) = self.covering.get_mut(user) {
                ids.retain(|id| *id != record.id);
                if ids.is_empty() {
                    self.covering.remove(user);
                }
            }
        }
    }
}

/// An expiry in the future and at most 60 minutes from now.
fn check_expiry(now: Timestamp, expires: Timestamp) -> Result<(), Failure> {
    let latest = now.saturating_add(MAX_LIFETIME).unwrap_or(Timestamp::MAX);
    if expires <= now {
        return Err(Failure::bad_request(format!(
            "Subscription expiration can only be in the future: expirationDateTime {expires} is not after {now}"
        )));
    }
    if expires > latest {
        return Err(Failure::bad_request(format!(
            "Subscription expiration can only be 60 minutes in the future for presence: expirationDateTime {expires} is after {latest}"
        )));
    }
    Ok(())
}

/// The users a presence resource names: `communications/presences/{id}`, or
/// `communications/presences?$filter=id in ('{id}', …)` with at most 650 ids (each a GUID of
/// a user in the directory; repeats counted once).
pub fn users_of(directory: &Directory, resource: &str) -> Result<Vec<usize>, Failure> {
    let rest = resource.trim_start_matches('/');
    let bad = |why: &str| {
        Failure::bad_request(format!(
            "resource `{}` is not a presence resource: {why}",
            short(resource)
        ))
    };
    let Some(rest) = strip_prefix_ignore_case(rest, "communications/presences") else {
        return Err(bad(
            "expected communications/presences/{id} or communications/presences?$filter=id in (…)",
        ));
    };
    let ids: Vec<&str> = if let Some(id) = rest.strip_prefix('/') {
        vec![id]
    } else if let Some(query) = rest.strip_prefix('?') {
        let filter = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("$filter="))
            .ok_or_else(|| bad("the query has no $filter"))?;
        filter_ids(filter).ok_or_else(|| bad("$filter must be id in ('…', …)"))?
    } else {
        return Err(bad("expected one id or a $filter"));
    };
    let mut users = Vec::with_capacity(ids.len());
    for id in ids {
        if !is_guid(id) {
            return Err(Failure::bad_request(format!(
                "`{}` is not a user's object id (a GUID)",
                short(id)
            )));
        }
        let index = directory.index_of(id).ok_or_else(|| {
            Failure::new(
                404,
                "ResourceNotFound",
                format!("no user with id `{id}` in this tenant"),
            )
        })?;
        if !users.contains(&index) {
            users.push(index);
        }
    }
    if users.len() > MAX_IDS {
        return Err(Failure::bad_request(format!(
            "a presence subscription covers at most {MAX_IDS} users; the filter names {}",
            users.len()
        )));
    }
    Ok(users)
}

/// The ids of `id in ('a', 'b')` (spaces anywhere between tokens; `%20` read as a space).
fn filter_ids(filter: &str) -> Option<Vec<&str>> {
    let filter = filter.trim();
    let (field, rest) = filter.split_once(char::is_whitespace)?;
    if field != "id" {
        return None;
    }
    let rest = rest.trim_start();
    let rest = strip_prefix_ignore_case(rest, "in")?.trim_start();
    let list = rest.strip_prefix('(')?.strip_suffix(')')?;
    list.split(',')
        .map(|item| item.trim().strip_prefix('\'')?.strip_suffix('\''))
        .collect()
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn not_found(id: &str) -> Failure {
    Failure::new(
        404,
        "ResourceNotFound",
        format!(
            "Resource '{}' does not exist or one of its queried reference-property objects are not present.",
            short(id)
        ),
    )
}

/// Outside text in a message, cut short.
fn short(text: &str) -> String {
    openapi_models_runtime::excerpt(text, 80)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Timestamp {
        text.parse().expect("a timestamp")
    }

    fn filter(directory: &Directory, count: usize) -> String {
        let ids: Vec<String> = directory.users()[..count]
            .iter()
            .map(|u| format!("'{}'", u.id))
            .collect();
        format!(
            "/communications/presences?$filter=id in ({})",
            ids.join(",")
        )
    }

    fn record(id: &str, creator: &str, users: Vec<usize>) -> Record {
        Record {
            id: id.to_owned(),
            tenant: "t".to_owned(),
            app_id: "app".to_owned(),
            creator: creator.to_owned(),
            resource: String::new(),
            users,
            notification_url: "https://example.com/hook".to_owned(),
            lifecycle_url: None,
            client_state: None,
            expires: t("2026-12-01T10:00:00Z"),
            certificate: None,
            token_expires: t("2026-12-01T10:00:00Z"),
            reauthorization_sent: false,
        }
    }

    #[test]
    fn a_resource_names_one_user_or_at_most_650() {
        let directory = Directory::synthetic(700);
        let one = format!("communications/presences/{}", directory.users()[3].id);
        assert_eq!(users_of(&directory, &one).expect("one user"), [3]);
        assert_eq!(
            users_of(&directory, &filter(&directory, 650))
                .expect("650 users")
                .len(),
            650
        );
        let refused = users_of(&directory, &filter(&directory, 651)).expect_err("651");
        assert_eq!(refused.status().as_u16(), 400);
        assert!(
            refused.message().contains("at most 650"),
            "{}",
            refused.message()
        );
        let spaced = format!(
            "communications/presences?$filter=id in ( '{}' , '{}' )",
            directory.users()[0].id,
            directory.users()[0].id.to_uppercase()
        );
        assert_eq!(users_of(&directory, &spaced).expect("repeats once"), [0]);
        for bad in [
            "users/x/presence",
            "communications/presences?$top=5",
            "communications/presences?$filter=name eq 'x'",
            "communications/presences/ada@contoso.example",
        ] {
            assert_eq!(
                users_of(&directory, bad).map_err(|f| f.status().as_u16()),
                Err(400),
                "{bad}"
            );
        }
        let unknown = "communications/presences/00000000-0000-4000-8000-ffffffffffff";
        assert_eq!(
            users_of(&directory, unknown).map_err(|f| f.status().as_u16()),
            Err(404)
        );
    }

    #[test]
    fn one_presence_subscription_per_user_per_app() {
        let mut subscriptions = Subscriptions::default();
        subscriptions
            .insert(record("a", "ada", vec![1, 2]))
            .expect("the first");
        let second = subscriptions
            .insert(record("b", "ada", vec![3]))
            .expect_err("the second of the same user and app");
        assert_eq!(
            (second.status().as_u16(), second.code(), second.message()),
            (409, "ExtensionError", CONFLICT_MESSAGE)
        );
        // Another user, or another app, may.
        subscriptions
            .insert(record("c", "bruno", vec![1]))
            .expect("another user");
        let mut other_app = record("d", "ada", vec![1]);
        other_app.app_id = "other".to_owned();
        subscriptions.insert(other_app).expect("another app");
        assert_eq!(
            subscriptions
                .covering(1)
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>(),
            ["a", "c", "d"]
        );
        // Deleting the first frees the user to subscribe again.
        subscriptions.delete("app", "a").expect("deleted");
        assert_eq!(
            subscriptions
                .delete("app", "a")
                .map_err(|f| f.status().as_u16())
                .err(),
            Some(404)
        );
        subscriptions
            .insert(record("e", "ada", vec![3]))
            .expect("after the delete");
    }

    #[test]
    fn expiry_is_at_most_60_minutes_and_removes_the_subscription() {
        let directory = Directory::built_in();
        let subscriptions = Subscriptions::default();
        let now = t("2026-12-01T09:00:00Z");
        let check = |expires: &str| {
            subscriptions
                .check_create(
                    &directory,
                    now,
                    &format!("communications/presences/{}", directory.users()[0].id),
                    "updated",
                    "https://example.com/hook",
                    None,
                    None,
                    t(expires),
                    None,
                    false,
                )
                .map(|_| ())
                .map_err(|f| f.status().as_u16())
        };
        assert_eq!(check("2026-12-01T10:00:00Z"), Ok(()));
        assert_eq!(check("2026-12-01T10:00:01Z"), Err(400));
        assert_eq!(check("2026-12-01T09:00:00Z"), Err(400));
        let mut subscriptions = Subscriptions::default();
        subscriptions
            .insert(record("a", "ada", vec![0]))
            .expect("inserted");
        assert!(subscriptions.expire(t("2026-12-01T09:59:59Z")).is_empty());
        assert_eq!(
            subscriptions.next_change(SignedDuration::ZERO),
            Some(t("2026-12-01T10:00:00Z"))
        );
        assert_eq!(subscriptions.expire(t("2026-12-01T10:00:00Z")).len(), 1);
        assert_eq!(subscriptions.covering(0).count(), 0);
        assert_eq!(
            subscriptions
                .get("app", "a")
                .map_err(|f| f.status().as_u16())
                .err(),
            Some(404)
        );
    }

    #[test]
    fn a_reauthorization_notice_falls_due_once_per_token() {
        let mut subscriptions = Subscriptions::default();
        subscriptions
            .insert(record("a", "ada", vec![0]))
            .expect("inserted");
        let margin = SignedDuration::from_mins(10);
        assert!(
            subscriptions
                .due_for_reauthorization(t("2026-12-01T09:49:59Z"), margin)
                .is_empty()
        );
        assert_eq!(
            subscriptions
                .due_for_reauthorization(t("2026-12-01T09:50:00Z"), margin)
                .len(),
            1
        );
        assert!(
            subscriptions
                .due_for_reauthorization(t("2026-12-01T09:55:00Z"), margin)
                .is_empty()
        );
        subscriptions
            .reauthorize("app", "a", t("2026-12-01T11:00:00Z"))
            .expect("reauthorized");
        assert_eq!(
            subscriptions
                .due_for_reauthorization(t("2026-12-01T10:50:00Z"), margin)
                .len(),
            1
        );
    }

    #[test]
    fn rich_notifications_need_a_certificate() {
        let directory = Directory::built_in();
        let refused = Subscriptions::default()
            .check_create(
                &directory,
                t("2026-12-01T09:00:00Z"),
                &format!("communications/presences/{}", directory.users()[0].id),
                "updated",
                "https://example.com/hook",
                None,
                Some(&"x".repeat(129)),
                t("2026-12-01T09:30:00Z"),
                None,
                true,
            )
            .expect_err("too long a clientState");
        assert!(refused.message().contains("clientState"));
    }
}
