//! What each call is made of: entering (token, permission, throttle), reading and changing
//! a user's presence, and the views of presences and subscriptions it answers with.

use super::*;

impl EmulatorApi {
    /// Authenticates the request, checks its operation's permission and counts it against
    /// the throttle.
    pub(super) fn enter(&self, context: &Context) -> Result<Caller, Failure> {
        let now = self.0.clock.now();
        let identity = self
            .0
            .authority()
            .authenticate(context.bearer_token(), now)?;
        identity::check(&identity, context.operation())?;
        let class = match (context.operation().path, context.method().as_str()) {
            (path, "GET") if path.starts_with("/subscriptions") => Class::SubscriptionReads,
            (path, _) if path.starts_with("/subscriptions") => Class::SubscriptionWrites,
            _ => Class::Presence,
        };
        let admitted =
            self.0
                .state()
                .throttle
                .admit(class, &identity.tenant, &identity.app_id, now);
        if let Err(wait) = admitted {
            return Err(Failure::too_many_requests(
                "Too many requests: the application's limit for this tenant is reached. Retry after the time in Retry-After.",
                wait,
            ));
        }
        Ok(Caller { identity, now })
    }

    /// The directory index of the user `target` names.
    pub(super) fn user(
        &self,
        caller: &Caller,
        context: &Context,
        target: Target,
    ) -> Result<usize, Failure> {
        let id = match target {
            Target::Me => {
                identity::require_delegated_for_me(&caller.identity, context.uri().path())?;
                caller.identity.user.as_deref().unwrap_or_default()
            }
            Target::Id(id) => id,
        };
        if !crate::directory::is_guid(id) {
            return Err(Failure::bad_request(format!(
                "Invalid user id `{}`: presence is addressed by the user's object id (a GUID).",
                openapi_models_runtime::excerpt(id, 60)
            )));
        }
        self.0.state().directory.index_of(id).ok_or_else(|| {
            Failure::new(
                404,
                "ResourceNotFound",
                format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
            )
        })
    }

    /// Reads one user's presence (their own view when they read themselves), with `$select`.
    pub(super) fn read(
        &self,
        context: &Context,
        target: Target,
        select: Option<&[String]>,
    ) -> Result<Presence, Failure> {
        let caller = self.enter(context)?;
        let index = self.user(&caller, context, target)?;
        let state = self.0.state();
        let user = state
            .directory
            .user(index)
            .ok_or_else(|| Failure::internal("a user vanished"))?;
        let own = caller.identity.user.as_deref() == Some(user.id.as_str());
        let presence = state.users[index].view(&user.id, caller.now, own);
        Ok(selected(presence, select))
    }

    /// Acts on one user's presence, then lets the change (if any) reach its subscriptions.
    pub(super) fn act(
        &self,
        context: &Context,
        target: Target,
        action: impl FnOnce(&mut crate::presence::UserPresence, &Caller) -> Result<(), PresenceError>,
    ) -> Result<(), Failure> {
        let caller = self.enter(context)?;
        let index = self.user(&caller, context, target)?;
        let change = {
            let mut state = self.0.state();
            action(&mut state.users[index], &caller)?;
            state.observe(index, caller.now)
        };
        self.0.changed(change.into_iter().collect());
        Ok(())
    }

    /// The signed-in user a subscription is held by: presence subscriptions are delegated
    /// only (RULES.md §1; the schema's permissions refuse app-only tokens before this).
    pub(super) fn subscriber(caller: &Caller) -> Result<&str, Failure> {
        caller.identity.user.as_deref().ok_or_else(|| {
            Failure::forbidden(
                "Application permissions are not supported for presence subscriptions.",
            )
        })
    }
}

/// `$select`: the properties not asked for are left out (`id` always stays).
pub(super) fn selected(mut presence: Presence, select: Option<&[String]>) -> Presence {
    let Some(select) = select.filter(|s| !s.is_empty()) else {
        return presence;
    };
    let asked = |name: &str| select.iter().any(|s| s.trim().eq_ignore_ascii_case(name));
    if !asked("availability") {
        presence.availability = Nullable::Absent;
    }
    if !asked("activity") {
        presence.activity = Nullable::Absent;
    }
    if !asked("outOfOfficeSettings") {
        presence.out_of_office_settings = Nullable::Absent;
    }
    if !asked("statusMessage") {
        presence.status_message = Nullable::Absent;
    }
    if !asked("sequenceNumber") {
        presence.sequence_number = Nullable::Absent;
    }
    if !asked("workLocation") {
        presence.work_location = Nullable::Absent;
    }
    presence
}

/// A subscription as Graph answers it.
pub(super) fn subscription_view(record: &Record) -> Result<Subscription, Failure> {
    let mut value = serde_json::json!({
        "id": record.id,
        "resource": record.resource,
        "applicationId": record.app_id,
        "changeType": "updated",
        "clientState": record.client_state,
        "notificationUrl": record.notification_url,
        "lifecycleNotificationUrl": record.lifecycle_url,
        "expirationDateTime": record.expires.to_string(),
        "creatorId": record.creator,
        "includeResourceData": record.certificate.is_some(),
        "latestSupportedTlsVersion": "v1_2",
        "encryptionCertificate": null,
        "encryptionCertificateId": record.certificate.as_ref().map(|c| c.id().to_owned()),
        "notificationQueryOptions": null,
        "notificationUrlAppId": null,
    });
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "@odata.context".to_owned(),
            "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity".into(),
        );
    }
    serde_json::from_value(value)
        .map_err(|e| Failure::internal(format!("a subscription does not encode: {e}")))
}

/// The ids of `$filter=id in ('…', …)`.
pub(super) fn filter_ids(filter: &str) -> Option<Vec<String>> {
    let (field, rest) = filter.trim().split_once(char::is_whitespace)?;
    let rest = rest.trim_start();
    if field != "id" || !rest.get(..2)?.eq_ignore_ascii_case("in") {
        return None;
    }
    let list = rest[2..].trim().strip_prefix('(')?.strip_suffix(')')?;
    list.split(',')
        .map(|item| {
            Some(
                item.trim()
                    .strip_prefix('\'')?
                    .strip_suffix('\'')?
                    .to_owned(),
            )
        })
        .collect()
}

impl EmulatorApi {
    /// The presences of `ids` (at most 650, each a GUID; unknown users left out, repeats
    /// once), as another user sees them.
    pub(super) fn presences(
        &self,
        caller: &Caller,
        ids: &[String],
        select: Option<&[String]>,
    ) -> Result<Vec<Presence>, Failure> {
        if ids.len() > MAX_IDS {
            return Err(Failure::bad_request(format!(
                "The request asks for {} user ids; at most {MAX_IDS} are allowed in one request.",
                ids.len()
            )));
        }
        if let Some(bad) = ids.iter().find(|id| !crate::directory::is_guid(id)) {
            return Err(Failure::bad_request(format!(
                "Invalid user id `{}`: ids must be users' object ids (GUIDs).",
                openapi_models_runtime::excerpt(bad, 60)
            )));
        }
        let state = self.0.state();
        let mut seen = Vec::with_capacity(ids.len());
        let mut presences = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(index) = state.directory.index_of(id) else {
                continue;
            };
            if seen.contains(&index) {
                continue;
            }
            seen.push(index);
            let user_id = state
                .directory
                .user(index)
                .map(|u| u.id.as_str())
                .unwrap_or(id);
            let own = caller.identity.user.as_deref() == Some(user_id);
            let presence = state.users[index].view(user_id, caller.now, own);
            presences.push(selected(presence, select));
        }
        Ok(presences)
    }

    pub(super) fn set_presence(
        &self,
        context: &Context,
        target: Target,
        body: &graph_presence_models::SetPresenceRequestBody,
    ) -> Result<(), Failure> {
        self.act(context, target, |user, caller| {
            let session = body
                .session_id
                .as_option()
                .map_or(caller.identity.app_id.as_str(), String::as_str);
            user.set_presence(
                session,
                &body.availability,
                &body.activity,
                body.expiration_duration.as_option(),
                caller.now,
            )
        })
    }

    pub(super) fn clear_presence(
        &self,
        context: &Context,
        target: Target,
        session: Option<&String>,
    ) -> Result<(), Failure> {
        self.act(context, target, |user, caller| {
            let session = session.map_or(caller.identity.app_id.as_str(), String::as_str);
            user.clear_presence(session, caller.now)
        })
    }
}
