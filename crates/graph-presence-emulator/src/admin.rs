//! The admin API under `/_emulator`: JSON that shows and changes what the emulator holds,
//! for tests in other languages and for people trying it with curl. Local and
//! unauthenticated, as an emulator's controls are. Bad input is answered with Graph's error
//! JSON naming the problem (`400 BadRequest`), an unknown user or subscription with `404
//! ResourceNotFound`.
//!
//! The endpoints are listed in the crate's documentation (`lib.rs`), the one place they are
//! described; the handlers here stay thin over `Shared`, the state's own modules and the
//! deliverer.

use crate::delivery::{
    AttemptFailure, BatchKind, DeliveryRecord, DropReason, EndpointState, EndpointStatus, Outcome,
};
use crate::emulator::{ALL_SCOPES, APP_ID, Shared, TeamsAction};
use crate::faults::Fault;
use crate::identity::{DEFAULT_APPLICATION_PERMISSIONS, TokenRequest};
use crate::routes::{Segment, form_pairs, graph_error, json, method_not_allowed};
use crate::subscriptions::Record;
use crate::throttle::{Class, Limit, ThrottleSettings};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, RawQuery, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use http::StatusCode;
use openapi_models_runtime::excerpt;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// The emulator, as the handlers take it.
type SharedState = State<Arc<Shared>>;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(summary))
        .route("/counters", get(counters))
        .route("/tokens", post(token))
        .route("/clock/advance", post(advance))
        .route("/users", get(users))
        .route("/users/{id}", get(user))
        .route("/users/{id}/teams", post(teams))
        .route("/users/{id}/outOfOffice", post(out_of_office))
        .route("/subscriptions", get(subscriptions))
        .route("/subscriptions/{id}", delete(remove_subscription))
        .route("/subscriptions/{id}/missed", post(send_missed))
        .route("/deliveries", get(deliveries))
        .route("/endpoints", get(endpoints))
        .route("/faults", get(faults).put(set_faults))
        .route("/throttle", get(throttle).put(set_throttle))
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared)
}

/// A JSON body of type `T`; as an extractor, a body that is not one is answered with Graph's
/// error naming the problem (`400`, or `413` over axum's limit).
struct Body<T>(T);

/// The same, an empty body reading as `T::default()`.
struct MaybeBody<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let bytes = bytes(request, state).await?;
        if bytes.is_empty() {
            return Err(bad_request("the body is empty: this endpoint takes JSON"));
        }
        parse(&bytes).map(Body).map_err(|why| bad_request(&why))
    }
}

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for MaybeBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let bytes = bytes(request, state).await?;
        if bytes.is_empty() {
            return Ok(MaybeBody(T::default()));
        }
        parse(&bytes)
            .map(MaybeBody)
            .map_err(|why| bad_request(&why))
    }
}

async fn bytes<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, Response> {
    Bytes::from_request(request, state).await.map_err(|e| {
        let code = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            "RequestEntityTooLarge"
        } else {
            "BadRequest"
        };
        graph_error(e.status(), code, &e.body_text())
    })
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "the body is not what this endpoint takes: {}",
            json_error(&e)
        )
    })
}

/// A serde_json error with its own text cut short (it may quote the input) and its position
/// kept whole.
fn json_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = text.strip_suffix(&position).unwrap_or(&text);
    format!("{}{position}", excerpt(message, 160))
}

fn bad_request(message: &str) -> Response {
    graph_error(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// Graph's 404 for an id it does not hold, in Graph's words.
fn not_found(id: &str) -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!(
            "Resource '{}' does not exist or one of its queried reference-property objects are not present.",
            excerpt(id, 60)
        ),
    )
}

/// The query's parameters named in `allowed`, each at most once, by position in `allowed`;
/// or what is wrong (another name, a repeat).
fn query<const N: usize>(
    raw: Option<String>,
    allowed: [&str; N],
) -> Result<[Option<String>; N], String> {
    let mut values = [const { None }; N];
    for (name, value) in form_pairs(raw.unwrap_or_default().as_bytes()) {
        let Some(i) = allowed.iter().position(|a| *a == name) else {
            return Err(format!(
                "the query parameter `{}` is not one this endpoint takes ({})",
                excerpt(&name, 60),
                allowed.join(", ")
            ));
        };
        if values[i].replace(value).is_some() {
            return Err(format!(
                "the query parameter `{name}` is given more than once"
            ));
        }
    }
    Ok(values)
}

fn ok(value: &Value) -> Response {
    json(StatusCode::OK, value)
}

async fn summary(State(shared): SharedState) -> Response {
    ok(&summary_json(&shared))
}

fn summary_json(shared: &Shared) -> Value {
    let now = shared.clock.now();
    let state = shared.state();
    json!({
        "now": now.to_string(),
        "clockFactor": shared.clock.factor(),
        "tenantId": shared.tenant,
        "users": state.directory.len(),
        "subscriptions": state.subscriptions.all().count(),
        "deliveries": shared.deliverer.deliveries().len(),
        "counters": counters_json(shared, &state),
    })
}

async fn counters(State(shared): SharedState) -> Response {
    let state = shared.state();
    ok(&counters_json(&shared, &state))
}

fn counters_json(shared: &Shared, state: &crate::state::State) -> Value {
    json!({
        "requests": state.counters.requests,
        "statuses": state.counters.statuses,
        "changes": state.counters.changes,
        "throttled": {
            "presence": state.throttle.refused(Class::Presence),
            "subscriptionWrites": state.throttle.refused(Class::SubscriptionWrites),
            "subscriptionReads": state.throttle.refused(Class::SubscriptionReads),
        },
        "injected": {
            "serverErrors": state.faults.injected_errors,
            "resets": state.faults.injected_resets,
        },
        "deliveries": {
            "evictedRecords": shared.deliverer.evicted_records(),
            "openBatches": shared.deliverer.open_batches(),
        },
    })
}

async fn token(State(shared): SharedState, MaybeBody(ask): MaybeBody<TokenAsk>) -> Response {
    let app = ask.app_id.unwrap_or_else(|| APP_ID.to_owned());
    let request = match ask.user {
        Some(user) => TokenRequest::delegated(&shared.tenant, app, user).scopes(
            ask.scopes
                .unwrap_or_else(|| ALL_SCOPES.iter().map(|s| (*s).to_owned()).collect()),
        ),
        None => TokenRequest::app_only(&shared.tenant, app).roles(ask.roles.unwrap_or_else(|| {
            DEFAULT_APPLICATION_PERMISSIONS
                .iter()
                .map(|r| (*r).to_owned())
                .collect()
        })),
    };
    let token = shared.authority().issue(&request, shared.clock.now());
    ok(&json!({"token_type": "Bearer", "access_token": token}))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenAsk {
    user: Option<String>,
    scopes: Option<Vec<String>>,
    roles: Option<Vec<String>>,
    app_id: Option<String>,
}

async fn advance(State(shared): SharedState, Body(ask): Body<AdvanceAsk>) -> Response {
    if !(ask.seconds.is_finite() && ask.seconds >= 0.0 && ask.seconds <= 31_536_000.0) {
        return bad_request("seconds must be between 0 and one year");
    }
    shared.clock.advance(Duration::from_secs_f64(ask.seconds));
    shared.wake();
    ok(&summary_json(&shared))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceAsk {
    seconds: f64,
}

async fn users(State(shared): SharedState) -> Response {
    let now = shared.clock.now();
    let state = shared.state();
    let value: Vec<Value> = (state.directory.users().iter())
        .zip(&state.users)
        .map(|(user, presence)| {
            let view = presence.view(&user.id, now, false);
            json!({
                "id": user.id,
                "displayName": user.display_name,
                "userPrincipalName": user.user_principal_name,
                "availability": view.availability,
                "activity": view.activity,
            })
        })
        .collect();
    ok(&json!({ "value": value }))
}

async fn user(State(shared): SharedState, Segment(id): Segment) -> Response {
    user_answer(&shared, &id)
}

/// One user's detail, or Graph's 404.
fn user_answer(shared: &Shared, id: &str) -> Response {
    let now = shared.clock.now();
    let state = shared.state();
    let Some(index) = state.directory.index_of(id) else {
        return not_found(id);
    };
    let (Some(user), Some(presence)) = (state.directory.user(index), state.users.get(index)) else {
        return not_found(id);
    };
    let detail = presence.detail(now);
    ok(&json!({
        "id": user.id,
        "displayName": user.display_name,
        "userPrincipalName": user.user_principal_name,
        "presence": presence.view(&user.id, now, true),
        "sessions": detail.sessions,
        "preferred": detail.preferred,
    }))
}

async fn teams(
    State(shared): SharedState,
    Segment(id): Segment,
    Body(ask): Body<TeamsAsk>,
) -> Response {
    let Some(index) = shared.state().directory.index_of(&id) else {
        return not_found(&id);
    };
    shared.act_on_user(index, |user, now| ask.action.apply(user, now));
    user_answer(&shared, &id)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamsAsk {
    action: TeamsAction,
}

async fn out_of_office(
    State(shared): SharedState,
    Segment(id): Segment,
    Body(ask): Body<OutOfOfficeAsk>,
) -> Response {
    let Some(index) = shared.state().directory.index_of(&id) else {
        return not_found(&id);
    };
    shared.act_on_user(index, |user, now| {
        user.set_out_of_office(ask.on, ask.message.as_deref(), now);
    });
    user_answer(&shared, &id)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutOfOfficeAsk {
    on: bool,
    message: Option<String>,
}

async fn subscriptions(State(shared): SharedState) -> Response {
    let value: Vec<Value> = shared
        .state()
        .subscriptions
        .all()
        .map(subscription_json)
        .collect();
    ok(&json!({ "value": value }))
}

/// A subscription as the admin sees it: who holds it, what it covers and when it ends (not
/// its `clientState`, the app's secret).
fn subscription_json(record: &Record) -> Value {
    json!({
        "id": record.id,
        "applicationId": record.app_id,
        "creatorId": record.creator,
        "resource": record.resource,
        "userCount": record.users.len(),
        "notificationUrl": record.notification_url,
        "lifecycleNotificationUrl": record.lifecycle_url,
        "includeResourceData": record.certificate.is_some(),
        "encryptionCertificateId": record.certificate.as_ref().map(|c| c.id()),
        "encryptionCertificateThumbprint": record.certificate.as_ref().map(|c| c.thumbprint()),
        "expirationDateTime": record.expires.to_string(),
        "tokenExpirationDateTime": record.token_expires.to_string(),
        "reauthorizationRequiredSent": record.reauthorization_sent,
    })
}

async fn remove_subscription(
    State(shared): SharedState,
    Segment(id): Segment,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = match query(raw, ["lifecycleEvent"]) {
        Ok([None]) => false,
        Ok([Some(event)]) if event == "subscriptionRemoved" => true,
        Ok([Some(event)]) => {
            return bad_request(&format!(
                "lifecycleEvent `{}` is not one a removal sends: only subscriptionRemoved",
                excerpt(&event, 60)
            ));
        }
        Err(why) => return bad_request(&why),
    };
    match shared.remove_subscription(&id, notice) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => not_found(&id),
    }
}

async fn send_missed(State(shared): SharedState, Segment(id): Segment) -> Response {
    match shared.send_missed(&id) {
        Some(()) => StatusCode::ACCEPTED.into_response(),
        None => not_found(&id),
    }
}

async fn deliveries(State(shared): SharedState, RawQuery(raw): RawQuery) -> Response {
    let [subscription, url] = match query(raw, ["subscription", "url"]) {
        Ok(filters) => filters,
        Err(why) => return bad_request(&why),
    };
    let deliverer = &shared.deliverer;
    let records = match (subscription, url) {
        (None, None) => deliverer.deliveries(),
        (Some(id), None) => deliverer.deliveries_of(&id),
        (None, Some(url)) => deliverer.deliveries_to(&url),
        (Some(id), Some(url)) => {
            let mut records = deliverer.deliveries_of(&id);
            records.retain(|r| r.url == url);
            records
        }
    };
    let value: Vec<Value> = records.iter().map(delivery_json).collect();
    ok(&json!({ "value": value }))
}

fn delivery_json(record: &DeliveryRecord) -> Value {
    let millis = |d: Duration| d.as_secs_f64() * 1000.0;
    let outcome = match &record.outcome {
        Outcome::Delivered { status, latency } => {
            json!({"result": "delivered", "status": status, "latencyMs": millis(*latency)})
        }
        Outcome::Failed(AttemptFailure::Status { status, latency }) => json!({
            "result": "failed", "reason": "status", "status": status,
            "latencyMs": millis(*latency),
        }),
        Outcome::Failed(AttemptFailure::Timeout { after }) => {
            json!({"result": "failed", "reason": "timeout", "afterMs": millis(*after)})
        }
        Outcome::Failed(AttemptFailure::Unreachable { message }) => {
            json!({"result": "failed", "reason": "unreachable", "message": message})
        }
        Outcome::Delayed { until } => json!({"result": "delayed", "until": until.to_string()}),
        Outcome::Dropped(DropReason::EndpointDropping) => {
            json!({"result": "dropped", "reason": "endpointDropping"})
        }
        Outcome::Dropped(DropReason::RetriesExhausted) => {
            json!({"result": "dropped", "reason": "retriesExhausted"})
        }
        Outcome::Dropped(DropReason::UrlRefused { message }) => {
            json!({"result": "dropped", "reason": "urlRefused", "message": message})
        }
    };
    json!({
        "batch": record.batch,
        "url": record.url,
        "kind": match record.kind {
            BatchKind::Changes => "changes",
            BatchKind::Lifecycle => "lifecycle",
        },
        "subscriptionIds": record.subscription_ids,
        "notifications": record.notifications,
        "attempt": record.attempt,
        "at": record.at.to_string(),
        "outcome": outcome,
    })
}

async fn endpoints(State(shared): SharedState, RawQuery(raw): RawQuery) -> Response {
    let statuses = match query(raw, ["url"]) {
        Ok([None]) => shared.deliverer.endpoints(),
        Ok([Some(url)]) => vec![shared.deliverer.endpoint(&url)],
        Err(why) => return bad_request(&why),
    };
    let value: Vec<Value> = statuses.iter().map(endpoint_json).collect();
    ok(&json!({ "value": value }))
}

fn endpoint_json(status: &EndpointStatus) -> Value {
    json!({
        "url": status.url,
        "state": match status.state {
            EndpointState::Normal => "normal",
            EndpointState::Slow => "slow",
            EndpointState::Drop => "drop",
        },
        "answers": status.answers,
        "slowShare": status.slow_share,
        "dropShare": status.drop_share,
        "dropUntil": status.drop_until.map(|t| t.to_string()),
    })
}

async fn faults(State(shared): SharedState) -> Response {
    ok(&faults_json(&shared))
}

fn faults_json(shared: &Shared) -> Value {
    serde_json::to_value(shared.state().faults.rules()).unwrap_or_default()
}

async fn set_faults(State(shared): SharedState, Body(faults): Body<Vec<Fault>>) -> Response {
    if let Err(why) = shared.state().faults.set(faults) {
        return bad_request(&why);
    }
    ok(&faults_json(&shared))
}

async fn throttle(State(shared): SharedState) -> Response {
    ok(&throttle_json(shared.state().throttle.settings()))
}

fn throttle_json(settings: ThrottleSettings) -> Value {
    let limit = |limit: Option<Limit>| {
        limit.map(|l| json!({"requests": l.requests, "windowSeconds": l.window.as_secs_f64()}))
    };
    json!({
        "presence": limit(settings.presence),
        "subscriptionWrites": limit(settings.subscription_writes),
        "subscriptionReads": limit(settings.subscription_reads),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LimitsAsk {
    presence: Option<LimitAsk>,
    subscription_writes: Option<LimitAsk>,
    subscription_reads: Option<LimitAsk>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LimitAsk {
    requests: u32,
    window_seconds: f64,
}

/// `PUT /_emulator/throttle`'s body: a preset's name, or the limits; what is wrong, if not.
fn throttle_settings(body: Value) -> Result<ThrottleSettings, String> {
    if let Value::String(name) = &body {
        return ThrottleSettings::preset(name).ok_or_else(|| {
            let names: Vec<&str> = ThrottleSettings::PRESETS.iter().map(|(n, _)| *n).collect();
            format!(
                "`{}` is not a preset ({})",
                excerpt(name, 60),
                names.join(", ")
            )
        });
    }
    let limits: LimitsAsk = serde_json::from_value(body).map_err(|e| {
        format!(
            "neither a preset's name nor {{\"presence\", \"subscriptionWrites\", \"subscriptionReads\"}}: {}",
            excerpt(&e.to_string(), 160)
        )
    })?;
    let limit = |name: &str, ask: Option<LimitAsk>| {
        ask.map(|ask| {
            Duration::try_from_secs_f64(ask.window_seconds)
                .map(|window| Limit {
                    requests: ask.requests,
                    window,
                })
                .map_err(|_| format!("{name}: windowSeconds must be a positive number"))
        })
        .transpose()
    };
    let settings = ThrottleSettings {
        presence: limit("presence", limits.presence)?,
        subscription_writes: limit("subscriptionWrites", limits.subscription_writes)?,
        subscription_reads: limit("subscriptionReads", limits.subscription_reads)?,
    };
    settings.check()?;
    Ok(settings)
}

async fn set_throttle(State(shared): SharedState, Body(body): Body<Value>) -> Response {
    match throttle_settings(body) {
        Ok(settings) => {
            shared.state().throttle.set(settings);
            ok(&throttle_json(settings))
        }
        Err(why) => bad_request(&format!(
            "the throttle is not what this endpoint takes: {why}"
        )),
    }
}

#[cfg(test)]
mod tests;
