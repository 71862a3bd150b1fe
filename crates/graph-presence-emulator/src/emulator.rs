//! The running emulator: its state shared by the HTTP handlers, the identity platform, the
//! deliverer of notifications, and the ticker that acts when the emulated clock reaches a
//! fade, an expiry or a reauthorization notice; and [`Emulator`], what a test or the binary
//! holds.

use crate::api::EmulatorApi;
use crate::clock::Clock;
use crate::delivery::{
    self, Deliverer, DeliveryRecord, DeliverySettings, EncryptionCertificate, EndpointStatus,
    LifecycleEvent, LifecycleNotification, RichContent, ValidationClaims,
};
use crate::directory::{Directory, User};
use crate::faults::{Fault, Faults};
use crate::identity::{App, Apps, Authority, TokenRequest};
use crate::presence::UserPresence;
use crate::state::{Change, State};
use crate::subscriptions::{NewSubscription, Record};
use crate::throttle::{Throttle, ThrottleSettings};
use graph_presence_client::{Client, TokenFuture, TokenProvider};
use jiff::{SignedDuration, Timestamp};
use openapi_server_runtime::Failure;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// The tenant every built-in identity belongs to.
pub const TENANT_ID: &str = "7a1f3b3e-5c4d-4e6f-8a9b-0c1d2e3f4a5b";

/// The app registered by default, whose tokens [`Emulator::client`] uses.
pub const APP_ID: &str = "3c9d2b1a-8e7f-4a6b-9c5d-1e2f3a4b5c6d";

/// How long before a subscription's token expires its `reauthorizationRequired` notice is
/// sent. Graph does not say; ten minutes leaves an app time to act.
const REAUTHORIZATION_MARGIN: SignedDuration = SignedDuration::from_mins(10);

/// The delegated scopes of [`Emulator::client`]'s tokens: every presence operation's.
pub const ALL_SCOPES: [&str; 2] = ["Presence.Read.All", "Presence.ReadWrite"];

/// What the handlers, the ticker and the deliverer share.
pub(crate) struct Shared {
    pub clock: Clock,
    pub tenant: String,
    authority: Arc<Mutex<Authority>>,
    state: Mutex<State>,
    pub deliverer: Deliverer,
    wake: Notify,
}

impl Shared {
    /// The state, locked (a panic elsewhere does not poison it for everyone).
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The identity platform, locked.
    pub fn authority(&self) -> MutexGuard<'_, Authority> {
        self.authority
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes the ticker: a subscription or a timer changed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Hands each change to the deliverer, once per subscription covering the user.
    pub fn changed(&self, changes: Vec<Change>) {
        for change in changes {
            let resource = resource_json(&change.presence);
            for record in &change.subscriptions {
                let rich = record.certificate.as_ref().map(|certificate| RichContent {
                    certificate: certificate.clone(),
                    resource: resource.clone(),
                });
                let notification = delivery::Change {
                    notification_url: record.notification_url.clone(),
                    subscription_id: record.id.clone(),
                    subscription_expires: record.expires,
                    tenant_id: record.tenant.clone(),
                    app_id: record.app_id.clone(),
                    client_state: record.client_state.clone(),
                    user_id: change.presence.id.clone(),
                    rich,
                };
                // Encryption fails only when AWS-LC cannot draw a key: that change is lost,
                // as Graph loses what it cannot send.
                let _ = self.deliverer.notify(&notification);
            }
        }
        self.wake();
    }

    /// The validation handshake with a new subscription's endpoints.
    pub async fn validate_endpoints(&self, new: &NewSubscription) -> Result<(), Failure> {
        self.validate_url(&new.notification_url).await?;
        if let Some(url) = &new.lifecycle_url {
            self.validate_url(url).await?;
        }
        Ok(())
    }

    /// The validation handshake with one endpoint: Graph's 400 naming what went wrong.
    pub async fn validate_url(&self, url: &str) -> Result<(), Failure> {
        self.deliverer.validate(url).await.map_err(|e| {
            Failure::bad_request(format!(
                "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request: {e}"
            ))
        })
    }

    /// Acts on user `index`'s presence without a Graph call (a Teams client, an admin), then
    /// lets the change reach the subscriptions covering them. An unknown index does nothing.
    pub fn act_on_user(&self, index: usize, action: impl FnOnce(&mut UserPresence, Timestamp)) {
        let now = self.clock.now();
        let change = {
            let mut state = self.state();
            let Some(user) = state.users.get_mut(index) else {
                return;
            };
            action(user, now);
            state.observe(index, now)
        };
        self.changed(change.into_iter().collect());
    }

    /// Removes a subscription whatever app owns it, as its expiry does (silently); with
    /// `notice`, a `subscriptionRemoved` lifecycle notification goes to its lifecycle URL, if
    /// it has one. `None`: no such subscription.
    pub fn remove_subscription(&self, id: &str, notice: bool) -> Option<Record> {
        let record = self.state().subscriptions.remove(id)?;
        if notice {
            self.notify_lifecycle(&record, LifecycleEvent::SubscriptionRemoved);
        }
        self.wake();
        Some(record)
    }

    /// Sends `missed` to a subscription's lifecycle URL, if it has one, and keeps the
    /// subscription. `None`: no such subscription.
    pub fn send_missed(&self, id: &str) -> Option<()> {
        let record = self
            .state()
            .subscriptions
            .all()
            .find(|r| r.id == id)?
            .clone();
        self.notify_lifecycle(&record, LifecycleEvent::Missed);
        Some(())
    }

    /// Queues `event` for `record`'s lifecycle URL; nothing when it has none.
    fn notify_lifecycle(&self, record: &Record, event: LifecycleEvent) {
        let Some(url) = &record.lifecycle_url else {
            return;
        };
        self.deliverer.notify_lifecycle(&LifecycleNotification {
            lifecycle_url: url.clone(),
            subscription_id: record.id.clone(),
            subscription_expires: record.expires,
            tenant_id: record.tenant.clone(),
            client_state: record.client_state.clone(),
            event,
        });
    }

    /// Sends `reauthorizationRequired` for each subscription due one.
    fn reauthorization_required(&self, records: Vec<Record>) {
        for record in records {
            self.notify_lifecycle(&record, LifecycleEvent::ReauthorizationRequired);
        }
    }
}

/// A presence as a rich notification carries it (`@odata.type`, `@odata.id` and the rest).
fn resource_json(presence: &graph_presence_models::Presence) -> String {
    let mut value = serde_json::to_value(presence).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert("@odata.type".to_owned(), "#microsoft.graph.presence".into());
        map.insert(
            "@odata.id".to_owned(),
            format!("communications/presences/{}", presence.id).into(),
        );
    }
    value.to_string()
}

/// Acts when the emulated clock reaches what the state waits for: users' fades and expiries,
/// subscriptions' expiries and reauthorization notices.
async fn tick(shared: Arc<Shared>) {
    loop {
        let woken = shared.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let next = {
            let state = shared.state();
            let subscriptions = state.subscriptions.next_change(REAUTHORIZATION_MARGIN);
            [state.next_timer(), subscriptions]
                .into_iter()
                .flatten()
                .min()
        };
        match next {
            Some(at) => {
                tokio::select! {
                    () = shared.clock.sleep_until(at) => {}
                    () = &mut woken => {}
                }
            }
            None => woken.await,
        }
        let now = shared.clock.now();
        let (changes, due) = {
            let mut state = shared.state();
            let changes = state.due(now);
            state.subscriptions.expire(now);
            let due = state
                .subscriptions
                .due_for_reauthorization(now, REAUTHORIZATION_MARGIN);
            (changes, due)
        };
        if !changes.is_empty() {
            shared.changed(changes);
        }
        shared.reauthorization_required(due);
    }
}

/// How to start an emulator. `Emulator::builder().start().await`.
#[derive(Debug)]
pub struct EmulatorBuilder {
    directory: Directory,
    clock: Option<Clock>,
    apps: Vec<App>,
    throttle: ThrottleSettings,
    delivery: DeliverySettings,
    seed: u64,
    port: u16,
}

impl EmulatorBuilder {
    /// The tenant's users (default: [`Directory::built_in`]).
    pub fn directory(mut self, directory: Directory) -> Self {
        self.directory = directory;
        self
    }

    /// The clock (default: a manual clock at the real time now).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Registers an app besides the default one ([`APP_ID`]).
    pub fn app(mut self, app: App) -> Self {
        self.apps.push(app);
        self
    }

    /// The throttling limits (default: [`ThrottleSettings::PRESENCE_PAGES`]).
    pub fn throttle(mut self, throttle: ThrottleSettings) -> Self {
        self.throttle = throttle;
        self
    }

    /// How notifications are delivered (default: the current docs' figures, with plain
    /// `http:` to loopback allowed, as tests need).
    pub fn delivery(mut self, delivery: DeliverySettings) -> Self {
        self.delivery = delivery;
        self
    }

    /// The seed injected faults draw from (default 0): the same seed and requests, the same
    /// faults.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The port on 127.0.0.1 (default: any free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Binds 127.0.0.1 and starts serving, delivering and ticking. Call within a tokio
    /// runtime.
    pub async fn start(self) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let mut apps = Apps::new();
        apps.insert(App::new(APP_ID, "Presence emulator app"));
        for app in self.apps {
            apps.insert(app);
        }
        let authority = Authority::new(&base_url, apps)
            .map_err(|_| std::io::Error::other("AWS-LC could not make a signing key"))?;
        let authority = Arc::new(Mutex::new(authority));
        let signer = {
            let authority = authority.clone();
            move |claims: &ValidationClaims| {
                let claims = serde_json::from_str(&claims.to_json()).unwrap_or_default();
                authority
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .keys()
                    .sign(&claims)
            }
        };
        let clock = self
            .clock
            .unwrap_or_else(|| Clock::manual(Timestamp::now()));
        let deliverer = Deliverer::new(clock.clone(), self.delivery, Arc::new(signer))
            .map_err(std::io::Error::other)?;
        let state = State::new(
            self.directory,
            Throttle::new(self.throttle),
            Faults::new(self.seed),
        );
        let shared = Arc::new(Shared {
            clock,
            tenant: TENANT_ID.to_owned(),
            authority,
            state: Mutex::new(state),
            deliverer,
            wake: Notify::new(),
        });
        let server = tokio::spawn(openapi_server_runtime::serve(
            listener,
            router(&shared),
            openapi_server_runtime::ServeSettings::default(),
        ));
        let ticker = tokio::spawn(tick(shared.clone()));
        Ok(Emulator {
            shared,
            base_url,
            tasks: vec![server, ticker],
        })
    }
}

/// The whole HTTP surface over `shared`.
fn router(shared: &Arc<Shared>) -> axum::Router {
    crate::routes::router(shared.clone(), EmulatorApi(shared.clone()))
}

/// A running emulator on 127.0.0.1. Dropping it stops it.
pub struct Emulator {
    shared: Arc<Shared>,
    base_url: String,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Emulator {
    /// How to start one.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            directory: Directory::built_in(),
            clock: None,
            apps: Vec::new(),
            throttle: ThrottleSettings::default(),
            delivery: DeliverySettings::default().allowing_http_loopback(),
            seed: 0,
            port: 0,
        }
    }

    /// One with the defaults: the built-in users, a manual clock, the presence pages'
    /// throttling, loopback `http:` webhooks allowed.
    pub async fn start() -> std::io::Result<Emulator> {
        Emulator::builder().start().await
    }

    /// `http://127.0.0.1:PORT`: the identity platform's base.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Graph's base URL for a client: `http://127.0.0.1:PORT/v1.0` (`/beta` serves the same).
    pub fn graph_url(&self) -> String {
        format!("{}/v1.0", self.base_url)
    }

    /// The whole HTTP surface as a router to call in process (as a tower `Service`), sharing
    /// this emulator's state: for the benchmarks, which time the emulator's handling of a
    /// request without the network. Not part of the API.
    #[doc(hidden)]
    pub fn in_process_router(&self) -> axum::Router {
        crate::routes::router(self.shared.clone(), EmulatorApi(self.shared.clone()))
    }

    /// The tenant's id.
    pub fn tenant(&self) -> &str {
        &self.shared.tenant
    }

    /// The tenant's client-credentials token endpoint, as Microsoft's:
    /// `http://127.0.0.1:PORT/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> String {
        self.shared.authority().token_endpoint(&self.shared.tenant)
    }

    /// The tenant's OpenID configuration (issuer, keys), as Microsoft's:
    /// `http://127.0.0.1:PORT/{tenant}/v2.0/.well-known/openid-configuration`.
    pub fn openid_configuration_url(&self) -> String {
        self.shared
            .authority()
            .openid_configuration_uri(&self.shared.tenant)
    }

    /// The emulated clock.
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// The tenant's users.
    pub fn users(&self) -> Vec<User> {
        self.shared.state().directory.users().to_vec()
    }

    /// A token for `request`, issued now.
    pub fn token(&self, request: &TokenRequest) -> String {
        self.shared
            .authority()
            .issue(request, self.shared.clock.now())
    }

    /// A delegated token of the default app for `user_id` with `scopes`.
    pub fn user_token(&self, user_id: &str, scopes: &[&str]) -> String {
        self.token(
            &TokenRequest::delegated(&self.shared.tenant, APP_ID, user_id)
                .scopes(scopes.iter().copied()),
        )
    }

    /// An app-only token of the default app with `roles`.
    pub fn app_token(&self, roles: &[&str]) -> String {
        self.token(
            &TokenRequest::app_only(&self.shared.tenant, APP_ID).roles(roles.iter().copied()),
        )
    }

    /// A client of the emulator signed in as the first user with every presence scope, on the
    /// emulated clock.
    pub fn client(&self) -> Client {
        let first = self
            .users()
            .first()
            .map(|u| u.id.clone())
            .unwrap_or_default();
        self.client_as(
            TokenRequest::delegated(&self.shared.tenant, APP_ID, first).scopes(ALL_SCOPES),
        )
    }

    /// A client whose every request carries a fresh token for `request` (so tokens never
    /// expire under it, however fast the clock runs), on the emulated clock.
    pub fn client_as(&self, request: TokenRequest) -> Client {
        let tokens = Tokens {
            shared: self.shared.clone(),
            request,
        };
        Client::builder(tokens)
            .base_url(self.graph_url())
            .clock(self.shared.clock.clone())
            .build_unchecked()
    }

    /// Acts on a user as a Teams client would (see [`Teams`]); `None` for an unknown id.
    pub fn teams(&self, user_id: &str) -> Option<Teams<'_>> {
        let index = self.shared.state().directory.index_of(user_id)?;
        Some(Teams {
            emulator: self,
            index,
        })
    }

    /// Every delivery attempt kept, oldest first.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.shared.deliverer.deliveries()
    }

    /// Each webhook endpoint's state (normal, slow, drop).
    pub fn endpoints(&self) -> Vec<EndpointStatus> {
        self.shared.deliverer.endpoints()
    }

    /// Waits until `done` holds for the deliveries so far.
    pub async fn wait_for_deliveries(&self, done: impl FnMut(&[DeliveryRecord]) -> bool) {
        self.shared.deliverer.wait_for(done).await;
    }

    /// How many subscriptions there are.
    pub fn subscription_count(&self) -> usize {
        self.shared.state().subscriptions.all().count()
    }

    /// Replaces the injected faults; a rate outside 0..=1, or a latency over ten minutes, is
    /// refused (and the faults in force stay).
    pub fn set_faults(&self, faults: Vec<Fault>) -> Result<(), String> {
        self.shared.state().faults.set(faults)
    }

    /// Replaces the throttling limits.
    pub fn set_throttle(&self, throttle: ThrottleSettings) {
        self.shared.state().throttle.set(throttle);
    }

    /// Moves the clock forward, and lets the ticker act on what fell due.
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
        self.shared.wake();
    }

    /// The HTTP surface the emulator serves, to call in process (the fuzz target does):
    /// the same state as the served one.
    #[doc(hidden)]
    pub fn router(&self) -> axum::Router {
        router(&self.shared)
    }
}

/// Fresh tokens from the emulator's identity platform, one per request.
struct Tokens {
    shared: Arc<Shared>,
    request: TokenRequest,
}

impl TokenProvider for Tokens {
    fn token<'a>(&'a self, _scope: &'a str) -> TokenFuture<'a> {
        let token = self
            .shared
            .authority()
            .issue(&self.request, self.shared.clock.now());
        Box::pin(std::future::ready(Ok(
            graph_presence_client::AccessToken::new(token),
        )))
    }
}

/// A user's Teams client: what changes presence without a Graph call.
#[derive(Debug)]
pub struct Teams<'a> {
    emulator: &'a Emulator,
    index: usize,
}

impl Teams<'_> {
    fn act(&self, action: TeamsAction) {
        let shared = &self.emulator.shared;
        shared.act_on_user(self.index, |user, now| action.apply(user, now));
    }

    /// Signs in: Available, kept alive while the client is active.
    pub fn sign_in(&self) {
        self.act(TeamsAction::SignIn);
    }

    /// Starts a call: Busy, InACall (signing in first if needed).
    pub fn start_call(&self) {
        self.act(TeamsAction::StartCall);
    }

    /// Ends the call: Available again.
    pub fn end_call(&self) {
        self.act(TeamsAction::EndCall);
    }

    /// Stops touching the keyboard: the Available session fades from now.
    pub fn go_idle(&self) {
        self.act(TeamsAction::GoIdle);
    }

    /// Signs out: the Teams session ends.
    pub fn sign_out(&self) {
        self.act(TeamsAction::SignOut);
    }

    /// Turns out of office on or off, with its message.
    pub fn out_of_office(&self, on: bool, message: Option<&str>) {
        let shared = &self.emulator.shared;
        shared.act_on_user(self.index, |user, now| {
            user.set_out_of_office(on, message, now);
        });
    }
}

/// What a Teams client does to its user's presence: the [`Teams`] hooks, and the admin API's
/// `{"action": …}` by these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum TeamsAction {
    SignIn,
    StartCall,
    EndCall,
    GoIdle,
    SignOut,
}

impl TeamsAction {
    pub fn apply(self, user: &mut UserPresence, now: Timestamp) {
        match self {
            TeamsAction::SignIn => user.teams_sign_in(now),
            TeamsAction::StartCall => user.start_call(now),
            TeamsAction::EndCall => user.end_call(now),
            TeamsAction::GoIdle => user.go_idle(now),
            TeamsAction::SignOut => user.sign_out(now),
        }
    }
}

/// A certificate from a subscription's body, read once at create.
pub(crate) fn certificate(
    base64_der: &str,
    id: &str,
) -> Result<Arc<EncryptionCertificate>, Failure> {
    EncryptionCertificate::from_base64_der(base64_der, id)
        .map(Arc::new)
        .map_err(|e| Failure::bad_request(format!("encryptionCertificate: {e}")))
}

#[cfg(test)]
mod tests {
    use super::Emulator;
    use graph_presence_models::{Activity, Availability};
    use std::time::Duration;

    #[tokio::test]
    async fn presence_set_through_the_client_reads_back_and_fades_on_the_clock() {
        let emulator = Emulator::start().await.expect("started");
        let client = emulator.client();
        let me = client.me().presence().get().await.expect("my presence");
        assert_eq!(me.availability.as_option(), Some(&Availability::Offline));
        let user = emulator.users()[0].id.clone();
        client
            .users()
            .by_id(&user)
            .presence()
            .set_presence(Availability::Available, Activity::Available)
            .expiration_duration(
                "PT1H"
                    .parse::<graph_presence_models::IsoDuration>()
                    .expect("a duration"),
            )
            .await
            .expect("set");
        let me = client.me().presence().get().await.expect("my presence");
        assert_eq!(me.availability.as_option(), Some(&Availability::Available));
        emulator.advance(Duration::from_secs(301));
        let me = client.me().presence().get().await.expect("my presence");
        assert_eq!(
            (me.availability.as_option(), me.activity.as_option()),
            (
                Some(&Availability::Available),
                Some(&Activity::AvailableInactive)
            )
        );
    }
}
