//! Subscribes to the presence of a list of users and prints each change as it arrives.
//!
//! It serves the webhook (`/api/presence` for notifications, `/api/lifecycle` for lifecycle
//! notifications) with the axum receiver, subscribes the users with the client's helper,
//! renews the subscriptions before they expire, and reacts to lifecycle events
//! (`reauthorizationRequired` reauthorizes, `subscriptionRemoved` subscribes again, `missed`
//! reads everyone's presence again).
//!
//! Configuration (environment):
//! - `GRAPH_TOKEN`: a delegated access token with `Presence.Read.All`;
//! - `PRESENCE_USER_IDS`: the users' object ids, comma-separated;
//! - `PUBLIC_URL`: the HTTPS address Graph reaches this server at (a tunnel to `LISTEN_ADDR`);
//! - `CLIENT_STATE`: a secret of at most 128 characters Graph repeats in every notification;
//! - `LISTEN_ADDR`: where to listen (default `127.0.0.1:8080`);
//! - for rich notifications (presence in the notification, decrypted here), all three of
//!   `NOTIFY_CERT` (the certificate, PEM), `NOTIFY_KEY` (its private key, PEM) and
//!   `NOTIFY_CERT_ID` (a name for it); without them notifications say who changed, and the
//!   presence is read with the bulk call;
//! - to verify rich notifications' validation tokens, `APP_ID` and `TENANT_ID`; Microsoft's
//!   signing keys are fetched at start and again when Microsoft rotates them, or read from
//!   `JWKS_FILE` when it is set.
//!
//! ```text
//! cargo run -p graph-presence-notifications --features axum,fetch-keys --example presence_changes
//! ```

use std::env;
use std::error::Error;
use std::sync::Arc;

use graph_presence_client::{BearerToken, Client, PresenceSubscriptions};
use graph_presence_models::Presence;
use graph_presence_notifications::axum::{ServeSettings, Webhook, serve};
use graph_presence_notifications::{
    DecryptionKey, DecryptionKeys, Event, JwkSet, MICROSOFT_KEYS_URL, Receiver,
    ValidationTokenRules,
};
use tokio::sync::{Mutex, mpsc};

/// Where Graph POSTs notifications and lifecycle notifications.
pub const NOTIFICATION_PATH: &str = "/api/presence";
/// Where Graph POSTs lifecycle notifications.
pub const LIFECYCLE_PATH: &str = "/api/lifecycle";

/// The webhook's router (both paths), the handle to its receiver, and the events. With an
/// HTTP client, Microsoft's signing keys are fetched again when a token names a rotated one.
pub fn webhook(
    receiver: Receiver,
    refetch_keys: Option<reqwest::Client>,
) -> (axum::Router, Webhook, mpsc::Receiver<Event>) {
    let (mut webhook, events) = Webhook::new(receiver, 4096);
    if let Some(http) = refetch_keys {
        webhook = webhook.refetch_signing_keys(http, MICROSOFT_KEYS_URL);
    }
    let router = webhook
        .clone()
        .router(NOTIFICATION_PATH)
        .merge(webhook.clone().router(LIFECYCLE_PATH));
    (router, webhook, events)
}

/// One line per presence.
pub fn describe(user_id: &str, presence: &Presence) -> String {
    let show = |value: Option<String>| value.unwrap_or_else(|| "-".to_owned());
    format!(
        "{user_id}: {} / {}",
        show(presence.availability.as_option().map(|a| format!("{a:?}"))),
        show(presence.activity.as_option().map(|a| format!("{a:?}"))),
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let token = required("GRAPH_TOKEN")?;
    let ids: Vec<String> = required("PRESENCE_USER_IDS")?
        .split(',')
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
        .collect();
    let public_url = required("PUBLIC_URL")?;
    let public_url = public_url.trim_end_matches('/');
    let client_state = required("CLIENT_STATE")?;
    let listen = env::var("LISTEN_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());

    let mut receiver = Receiver::new(client_state.clone());
    let certificate = match (
        env::var("NOTIFY_CERT"),
        env::var("NOTIFY_KEY"),
        env::var("NOTIFY_CERT_ID"),
    ) {
        (Ok(cert), Ok(key), Ok(id)) => {
            let key = DecryptionKey::from_pem(&std::fs::read(key)?)?;
            receiver = receiver.decryption_keys(DecryptionKeys::new().key(id.clone(), key));
            Some((pem_body(&std::fs::read_to_string(cert)?), id))
        }
        _ => None,
    };
    let mut refetch_keys = None;
    if let (Ok(app_id), Ok(tenant_id)) = (env::var("APP_ID"), env::var("TENANT_ID")) {
        let keys = match env::var("JWKS_FILE") {
            Ok(path) => JwkSet::from_json(&std::fs::read(path)?)?,
            Err(_) => {
                let http = reqwest::Client::new();
                let keys = JwkSet::fetch_microsoft(&http).await?;
                refetch_keys = Some(http);
                keys
            }
        };
        receiver = receiver.validation_tokens(ValidationTokenRules::new(app_id, tenant_id), keys);
    }

    // Serve first: Graph checks both URLs before it answers the subscription request.
    let (router, webhook_handle, mut events) = webhook(receiver, refetch_keys);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("listening on {listen}");
    // With a header read timeout and a bound on connections: the webhook faces the internet.
    tokio::spawn(serve(listener, router, ServeSettings::default()));

    let client = Client::new(BearerToken::new(token));
    let mut request = client
        .presence_subscriptions(
            &ids,
            format!("{public_url}{NOTIFICATION_PATH}"),
            client_state,
        )
        .lifecycle_notification_url(format!("{public_url}{LIFECYCLE_PATH}"));
    if let Some((certificate, id)) = certificate {
        request = request.include_resource_data(certificate, id);
    }
    for rejected in request.rejected() {
        eprintln!("not subscribable: {rejected:?}");
    }
    let (subscriptions, report) = request.create().await;
    for failure in &report.failures {
        eprintln!(
            "{} users not subscribed: {}",
            failure.ids.len(),
            failure.error
        );
    }
    println!("{} subscriptions", subscriptions.subscriptions().len());
    let subscriptions = Arc::new(Mutex::new(subscriptions));

    let renewing = Arc::clone(&subscriptions);
    tokio::spawn(async move {
        loop {
            let sleep = renewing.lock().await.renewal_sleep();
            sleep.await;
            let report = renewing.lock().await.renew_due().await;
            for failure in &report.failures {
                eprintln!(
                    "renewal failed for {} users: {}",
                    failure.ids.len(),
                    failure.error
                );
            }
        }
    });

    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(event) => on_event(event, &subscriptions, &client, &webhook_handle).await,
                None => break,
            },
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    subscriptions.lock().await.delete_all().await;
    Ok(())
}

async fn on_event(
    event: Event,
    subscriptions: &Mutex<PresenceSubscriptions>,
    client: &Client,
    webhook: &Webhook,
) {
    match event {
        Event::PresenceChanged {
            user_id, presence, ..
        } => println!("{}", describe(&user_id, &presence)),
        Event::ResourceChanged {
            user_id: Some(user_id),
            ..
        } => match client.users().by_id(&user_id).presence().get().send().await {
            Ok(presence) => println!("{}", describe(&user_id, &presence)),
            Err(error) => eprintln!("{user_id}: {error}"),
        },
        Event::Lifecycle(notification) => {
            match subscriptions
                .lock()
                .await
                .handle_lifecycle(&notification)
                .await
            {
                Ok(reaction) => {
                    println!(
                        "{:?} for subscription {}",
                        reaction.event, reaction.subscription_id
                    );
                    for (user_id, presence) in reaction.presences.iter().flat_map(|p| &p.presences)
                    {
                        // Newer than any notification still in flight for them.
                        let sequence = presence.sequence_number.as_option().map(String::as_str);
                        webhook.with_receiver(|r| r.sequences_mut().observe(user_id, sequence));
                        println!("{}", describe(user_id, presence));
                    }
                }
                Err(error) => eprintln!("lifecycle notification ignored: {error}"),
            }
        }
        Event::Rejected { error, .. } => eprintln!("notification refused: {error}"),
        Event::BatchRejected(error) => eprintln!("request refused: {error}"),
        Event::SigningKeysNotFetched(error) => eprintln!("{error}"),
        _ => {}
    }
}

fn required(name: &str) -> Result<String, Box<dyn Error>> {
    env::var(name).map_err(|_| format!("set {name} (see the example's docs)").into())
}

/// A PEM certificate's base64 body, the DER Graph wants.
fn pem_body(pem: &str) -> String {
    pem.lines()
        .map(str::trim)
        .skip_while(|line| !line.starts_with("-----BEGIN CERTIFICATE"))
        .skip(1)
        .take_while(|line| !line.starts_with("-----END"))
        .collect()
}
