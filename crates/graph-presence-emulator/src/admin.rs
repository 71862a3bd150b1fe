//! The admin API under `/_emulator`: JSON that shows and changes what the emulator holds,
//! for tests in other languages and for people trying it with curl. Local and
//! unauthenticated, as an emulator's controls are.
//!
//! - `GET /_emulator`: the clock, the counts and the counters.
//! - `POST /_emulator/tokens` `{"user": id?, "scopes": […]?, "roles": […]?, "appId": id?}`:
//!   a token (delegated when `user` is given, else app-only).
//! - `POST /_emulator/clock/advance` `{"seconds": n}`: moves the emulated clock.

use crate::emulator::{ALL_SCOPES, APP_ID, Shared};
use crate::identity::TokenRequest;
use crate::routes::{graph_error, json};
use crate::throttle::Class;
use axum::Router;
use axum::body::Bytes;
use axum::response::Response;
use axum::routing::{get, post};
use http::StatusCode;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let summary = {
        let shared = shared.clone();
        move || std::future::ready(summary(&shared))
    };
    let tokens = {
        let shared = shared.clone();
        move |body: Bytes| std::future::ready(token(&shared, &body))
    };
    let advance = {
        let shared = shared.clone();
        move |body: Bytes| std::future::ready(advance(&shared, &body))
    };
    Router::new()
        .route("/", get(summary))
        .route("/tokens", post(tokens))
        .route("/clock/advance", post(advance))
}

/// A JSON body of type `T`, or Graph's 400 naming the problem.
fn body<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, Box<Response>> {
    serde_json::from_slice(bytes).map_err(|e| {
        Box::new(graph_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!("the body is not what this endpoint takes: {e}"),
        ))
    })
}

fn summary(shared: &Shared) -> Response {
    let now = shared.clock.now();
    let state = shared.state();
    json(
        StatusCode::OK,
        &serde_json::json!({
            "now": now.to_string(),
            "clockFactor": shared.clock.factor(),
            "tenantId": shared.tenant,
            "users": state.directory.len(),
            "subscriptions": state.subscriptions.all().count(),
            "deliveries": shared.deliverer.deliveries().len(),
            "counters": state.counters,
            "throttled": {
                "presence": state.throttle.refused(Class::Presence),
                "subscriptionWrites": state.throttle.refused(Class::SubscriptionWrites),
                "subscriptionReads": state.throttle.refused(Class::SubscriptionReads),
            },
        }),
    )
}

fn token(shared: &Shared, bytes: &[u8]) -> Response {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Ask {
        user: Option<String>,
        scopes: Option<Vec<String>>,
        roles: Option<Vec<String>>,
        app_id: Option<String>,
    }
    let ask: Ask = match body(if bytes.is_empty() { b"{}" } else { bytes }) {
        Ok(ask) => ask,
        Err(refused) => return *refused,
    };
    let app = ask.app_id.unwrap_or_else(|| APP_ID.to_owned());
    let request = match ask.user {
        Some(user) => TokenRequest::delegated(&shared.tenant, app, user).scopes(
            ask.scopes
                .unwrap_or_else(|| ALL_SCOPES.iter().map(|s| (*s).to_owned()).collect()),
        ),
        None => TokenRequest::app_only(&shared.tenant, app).roles(ask.roles.unwrap_or_else(|| {
            vec![
                "Presence.Read.All".to_owned(),
                "Presence.ReadWrite.All".to_owned(),
            ]
        })),
    };
    let token = shared.authority().issue(&request, shared.clock.now());
    json(
        StatusCode::OK,
        &serde_json::json!({"token_type": "Bearer", "access_token": token}),
    )
}

fn advance(shared: &Shared, bytes: &[u8]) -> Response {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Ask {
        seconds: f64,
    }
    let ask: Ask = match body(bytes) {
        Ok(ask) => ask,
        Err(refused) => return *refused,
    };
    if !(ask.seconds.is_finite() && ask.seconds >= 0.0 && ask.seconds <= 31_536_000.0) {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "seconds must be between 0 and one year",
        );
    }
    shared.clock.advance(Duration::from_secs_f64(ask.seconds));
    shared.wake();
    summary(shared)
}
