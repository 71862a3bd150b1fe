//! What the emulator tests share: the app's side of a subscription (the notifications crate's
//! `Webhook` served by axum on 127.0.0.1), one rich-notification certificate per run, raw HTTP
//! for what the client would refuse to send, and clients with the retries a test needs.

use graph_presence_client::{ApiError, BearerToken, Client, Error, RetryPolicy};
use graph_presence_emulator::testing::TestCertificate;
use graph_presence_emulator::{ALL_SCOPES, APP_ID, Emulator, TENANT_ID};
use graph_presence_notifications::axum::Webhook;
use graph_presence_notifications::{
    DecryptionKey, DecryptionKeys, Event, JwkSet, Receiver, ValidationTokenRules,
};
use serde_json::Value;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The client state every subscription here is made with.
pub const CLIENT_STATE: &str = "e2e-5b0c-secret-client-state";

/// How long a test waits for something that happens in milliseconds on loopback, before it
/// fails instead of hanging.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// The rich-notification certificate (RSA key generation is slow in a debug build: one per
/// run).
pub fn certificate() -> &'static TestCertificate {
    static CERTIFICATE: OnceLock<TestCertificate> = OnceLock::new();
    CERTIFICATE.get_or_init(TestCertificate::generate)
}

/// A receiver holding [`CLIENT_STATE`] and the certificate's private key.
pub fn receiver() -> Receiver {
    let certificate = certificate();
    let key = DecryptionKey::from_pkcs8_der(&certificate.private_key_pkcs8_der)
        .expect("the test key")
        .certificate_der(&certificate.certificate_der);
    Receiver::new(CLIENT_STATE)
        .decryption_keys(DecryptionKeys::new().key(certificate.certificate_id.clone(), key))
}

/// [`receiver`] that also verifies each rich batch's validation tokens against the emulator's
/// published signing keys, as an app does against Microsoft's.
pub async fn verifying_receiver(emulator: &Emulator) -> Receiver {
    let keys = raw()
        .get(format!(
            "{}/{TENANT_ID}/discovery/v2.0/keys",
            emulator.base_url()
        ))
        .send()
        .await
        .expect("the JWKS")
        .bytes()
        .await
        .expect("its body");
    receiver().validation_tokens(
        ValidationTokenRules::new(APP_ID, TENANT_ID),
        JwkSet::from_json(&keys).expect("a JWKS"),
    )
}

/// The app's webhook on 127.0.0.1: `/presence` and `/lifecycle` both served by one `Webhook`.
pub struct App {
    /// The notification URL.
    pub notification_url: String,
    /// The lifecycle notification URL.
    pub lifecycle_url: String,
    events: mpsc::Receiver<Event>,
    server: JoinHandle<()>,
}

impl App {
    /// Serves `receiver` until dropped.
    pub async fn serve(receiver: Receiver) -> App {
        let (webhook, events) = Webhook::new(receiver, 256);
        let router = webhook
            .clone()
            .router("/presence")
            .merge(webhook.router("/lifecycle"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("an address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        App {
            notification_url: format!("http://{address}/presence"),
            lifecycle_url: format!("http://{address}/lifecycle"),
            events,
            server,
        }
    }

    /// The next event the webhook handed the app.
    pub async fn next_event(&mut self) -> Event {
        tokio::time::timeout(PATIENCE, self.events.recv())
            .await
            .expect("an event in time")
            .expect("the webhook is running")
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// An endpoint that answers everything `503`: its validation handshake fails.
pub async fn failing_endpoint() -> (String, JoinHandle<()>) {
    let router = axum::Router::new().route(
        "/presence",
        axum::routing::any(|| async { axum::http::StatusCode::SERVICE_UNAVAILABLE }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("an address");
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{address}/presence"), server)
}

/// A plain HTTP client, for requests the presence client would refuse to send.
pub fn raw() -> reqwest::Client {
    reqwest::Client::new()
}

/// A raw request's answer: status, `WWW-Authenticate`, the JSON body.
pub struct Answer {
    pub status: u16,
    pub www_authenticate: Option<String>,
    pub body: Value,
}

/// POSTs `body` to `path` under the emulator's Graph URL, with `token` when given.
pub async fn post(emulator: &Emulator, path: &str, token: Option<&str>, body: &Value) -> Answer {
    let mut request = raw()
        .post(format!("{}{path}", emulator.graph_url()))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    answer(request.send().await.expect("an answer")).await
}

/// GETs `path` under the emulator's Graph URL, with `token` when given.
pub async fn get(emulator: &Emulator, path: &str, token: Option<&str>) -> Answer {
    let mut request = raw().get(format!("{}{path}", emulator.graph_url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    answer(request.send().await.expect("an answer")).await
}

async fn answer(response: reqwest::Response) -> Answer {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (status, www_authenticate) = (response.status().as_u16(), header("www-authenticate"));
    let bytes = response.bytes().await.expect("a body");
    Answer {
        status,
        www_authenticate,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

/// Asserts Graph's error JSON: `{"error": {"code", "message", "innerError": {"request-id",
/// "date"…}}}` with this code, and gives the message.
pub fn graph_error_shape(body: &Value, code: &str) -> String {
    let error = &body["error"];
    assert_eq!(error["code"], code, "{body}");
    let message = error["message"].as_str().expect("a message");
    assert!(!message.is_empty(), "{body}");
    assert!(
        error["innerError"]["request-id"].is_string(),
        "Graph's innerError: {body}"
    );
    assert!(error["innerError"]["date"].is_string(), "{body}");
    message.to_owned()
}

/// A client signed in as `user` with `scopes` (a token made now, valid an hour of emulated
/// time), on the emulated clock, never retrying: for tests about one exchange.
pub fn client_once(emulator: &Emulator, user: &str, scopes: &[&str]) -> Client {
    Client::builder(BearerToken::new(emulator.user_token(user, scopes)))
        .base_url(emulator.graph_url())
        .clock(emulator.clock().clone())
        .retry(RetryPolicy::none())
        .build()
        .expect("a loopback client")
}

/// [`client_once`] as the first user with every presence scope.
pub fn first_client_once(emulator: &Emulator) -> Client {
    client_once(emulator, &first_user(emulator), &ALL_SCOPES)
}

/// The first user's id.
pub fn first_user(emulator: &Emulator) -> String {
    emulator.users()[0].id.clone()
}

/// The Graph error inside `error`.
pub fn graph_error(error: &Error) -> &ApiError {
    match error {
        Error::Api(e) => e,
        other => panic!("not a Graph error: {other:?}"),
    }
}
