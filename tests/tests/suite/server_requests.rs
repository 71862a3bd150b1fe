//! Every documented presence request, built by the generated client, arrives at the generated
//! server decoded: its body equal to the documented example, its path parameters the ids in
//! its URL, on the operation its method and path name. The server records what it receives
//! and answers as the mock does.

use super::client_requests::{client, rebuild};
use graph_presence_server::*;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use tests::root;
use tower_service::Service;

/// What the server received for one request.
#[derive(Debug)]
struct Received {
    operation: &'static OperationInfo,
    /// The typed request, printed.
    request: String,
    /// Its body, encoded again.
    body: Option<Value>,
}

/// Records each typed request, then answers as the mock does.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Received>>>);

impl Recorder {
    fn record(&self, context: &Context, request: String, body: Option<Value>) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(Received {
                operation: context.operation(),
                request,
                body,
            });
    }

    fn take(&self) -> Vec<Received> {
        std::mem::take(
            &mut self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

/// `body` for the operations whose request has one, `none` for the others.
macro_rules! recorder {
    ($($method:ident: $request:ident => $response:ident, $body:ident;)*) => {
        impl Api for Recorder {
            $(
                async fn $method(&self, request: $request, context: Context) -> Result<$response, Failure> {
                    let body = recorder!(@body $body request);
                    self.record(&context, format!("{request:?}"), body);
                    Mock.$method(request, context).await
                }
            )*
        }
    };
    (@body body $request:ident) => {
        Some(serde_json::to_value(&$request.body).expect("a body encodes"))
    };
    (@body none $request:ident) => {
        None
    };
}

recorder! {
    me_get_presence: MeGetPresenceRequest => MeGetPresenceResponse, none;
    user_get_presence: UserGetPresenceRequest => UserGetPresenceResponse, none;
    communications_get_presence: CommunicationsGetPresenceRequest => CommunicationsGetPresenceResponse, none;
    communications_list_presences: CommunicationsListPresencesRequest => CommunicationsListPresencesResponse, none;
    communications_get_presences_by_user_id: CommunicationsGetPresencesByUserIdRequest => CommunicationsGetPresencesByUserIdResponse, body;
    me_presence_set_presence: MePresenceSetPresenceRequest => MePresenceSetPresenceResponse, body;
    user_presence_set_presence: UserPresenceSetPresenceRequest => UserPresenceSetPresenceResponse, body;
    me_presence_clear_presence: MePresenceClearPresenceRequest => MePresenceClearPresenceResponse, body;
    user_presence_clear_presence: UserPresenceClearPresenceRequest => UserPresenceClearPresenceResponse, body;
    me_presence_set_user_preferred_presence: MePresenceSetUserPreferredPresenceRequest => MePresenceSetUserPreferredPresenceResponse, body;
    user_presence_set_user_preferred_presence: UserPresenceSetUserPreferredPresenceRequest => UserPresenceSetUserPreferredPresenceResponse, body;
    me_presence_clear_user_preferred_presence: MePresenceClearUserPreferredPresenceRequest => MePresenceClearUserPreferredPresenceResponse, body;
    user_presence_clear_user_preferred_presence: UserPresenceClearUserPreferredPresenceRequest => UserPresenceClearUserPreferredPresenceResponse, body;
    me_presence_set_status_message: MePresenceSetStatusMessageRequest => MePresenceSetStatusMessageResponse, body;
    user_presence_set_status_message: UserPresenceSetStatusMessageRequest => UserPresenceSetStatusMessageResponse, body;
    me_presence_set_automatic_location: MePresenceSetAutomaticLocationRequest => MePresenceSetAutomaticLocationResponse, body;
    user_presence_set_automatic_location: UserPresenceSetAutomaticLocationRequest => UserPresenceSetAutomaticLocationResponse, body;
    communications_presence_set_automatic_location: CommunicationsPresenceSetAutomaticLocationRequest => CommunicationsPresenceSetAutomaticLocationResponse, body;
    me_presence_set_manual_location: MePresenceSetManualLocationRequest => MePresenceSetManualLocationResponse, body;
    user_presence_set_manual_location: UserPresenceSetManualLocationRequest => UserPresenceSetManualLocationResponse, body;
    communications_presence_set_manual_location: CommunicationsPresenceSetManualLocationRequest => CommunicationsPresenceSetManualLocationResponse, body;
    me_presence_clear_automatic_location: MePresenceClearAutomaticLocationRequest => MePresenceClearAutomaticLocationResponse, none;
    user_presence_clear_automatic_location: UserPresenceClearAutomaticLocationRequest => UserPresenceClearAutomaticLocationResponse, none;
    communications_presence_clear_automatic_location: CommunicationsPresenceClearAutomaticLocationRequest => CommunicationsPresenceClearAutomaticLocationResponse, none;
    me_presence_clear_location: MePresenceClearLocationRequest => MePresenceClearLocationResponse, none;
    user_presence_clear_location: UserPresenceClearLocationRequest => UserPresenceClearLocationResponse, none;
    communications_presence_clear_location: CommunicationsPresenceClearLocationRequest => CommunicationsPresenceClearLocationResponse, none;
    subscription_list_subscription: SubscriptionListSubscriptionRequest => SubscriptionListSubscriptionResponse, none;
    subscription_create_subscription: SubscriptionCreateSubscriptionRequest => SubscriptionCreateSubscriptionResponse, body;
    subscription_get_subscription: SubscriptionGetSubscriptionRequest => SubscriptionGetSubscriptionResponse, none;
    subscription_delete_subscription: SubscriptionDeleteSubscriptionRequest => SubscriptionDeleteSubscriptionResponse, none;
    subscription_update_subscription: SubscriptionUpdateSubscriptionRequest => SubscriptionUpdateSubscriptionResponse, body;
    subscription_reauthorize: SubscriptionReauthorizeRequest => SubscriptionReauthorizeResponse, none;
}

/// Whether a path template names this request path (`{…}` segments match any one segment).
fn names(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    template.len() == path.len()
        && template
            .iter()
            .zip(&path)
            .all(|(t, p)| t.starts_with('{') || t == p)
}

#[tokio::test]
async fn every_documented_request_arrives_decoded_as_documented() {
    let index: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/examples/index.json")).expect("index"),
    )
    .expect("json");
    let recorder = Recorder::default();
    // The versions' prefixes: the server's paths are the document's, below the base URL.
    let mut server = axum::Router::new()
        .nest("/beta", router(recorder.clone()))
        .nest("/v1.0", router(recorder.clone()));
    let mut checked = 0;
    for entry in index["files"].as_array().expect("files") {
        let (version, file) = (
            entry["version"].as_str().expect("version"),
            entry["file"].as_str().expect("file"),
        );
        if entry["http"].as_str().is_none() || !file.contains(".request") {
            continue;
        }
        let text = std::fs::read_to_string(root().join("schema/examples").join(version).join(file))
            .expect("example");
        let request =
            rebuild(file, &client(version), &text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let path = request.uri().path().to_owned();
        let (parts, body) = request.into_parts();
        let request = http::Request::from_parts(parts, axum::body::Body::from(body));
        let response = server.call(request).await.expect("the router answers");
        assert!(
            response.status().is_success(),
            "{version}/{file}: {} {:?}",
            response.status(),
            axum::body::to_bytes(response.into_body(), 1 << 20).await
        );
        let [received] = recorder
            .take()
            .try_into()
            .unwrap_or_else(|r: Vec<Received>| {
                panic!("{version}/{file}: {} requests recorded", r.len())
            });
        let local = path
            .split_once(&format!("/{version}"))
            .map_or(path.as_str(), |(_, p)| p);
        assert!(
            names(received.operation.path, local),
            "{version}/{file}: `{local}` arrived as {} {}",
            received.operation.method,
            received.operation.path
        );
        for (template, value) in received.operation.path.split('/').zip(local.split('/')) {
            if template.starts_with('{') {
                assert!(
                    received.request.contains(&format!("{value:?}")),
                    "{version}/{file}: {template} is not {value}: {}",
                    received.request
                );
            }
        }
        let body = received
            .body
            .unwrap_or_else(|| panic!("{version}/{file}: no body arrived"));
        assert_eq!(
            openapi_models_runtime::__private::agrees(&body, &text),
            Ok(()),
            "{version}/{file}"
        );
        checked += 1;
    }
    assert_eq!(
        checked, 23,
        "every documented request example, beta and v1.0"
    );
}
