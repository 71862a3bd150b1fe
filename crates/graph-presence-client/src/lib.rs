//! Request builders for Microsoft Graph's presence API, generated from `schema/presence.yaml`.
//!
//! One builder for each of the 33 presence operations: presence on three paths, the list,
//! getPresencesByUserId, the presence, status message and work-location actions, and
//! subscriptions (list, create, get, renew, reauthorize, delete). Beside them, two helpers:
//! `Client::presences_of` reads any number of users, and `Client::presence_subscriptions`
//! subscribes any number of users and keeps the subscriptions renewed.
//!
//! # Features
//!
//! - `rustls` (default): requests are sent with reqwest, over rustls with aws-lc-rs.
//!   `rustls-ring` or `native-tls` (with `default-features = false`) choose another TLS stack.
//!   Each turns on `reqwest`, the executor: `send()`, `.await` on a builder, the paging
//!   streams and both helpers. Sending runs on the tokio runtime (reqwest's and the retry
//!   timer's).
//! - `azure_identity`: `AzureCredential`, sign-in through any `azure_identity` credential.
//! - Without any of them the crate still builds every `http::Request` and reads every
//!   `http::Response`, for another HTTP stack.
//!
//! # Making requests
//!
//! Navigation mirrors the URL, as in Microsoft's own SDKs; required inputs are arguments,
//! optional ones are named setters:
//!
//! ```no_run
//! use graph_presence_client::{BearerToken, Client};
//! use graph_presence_models::{Activity, Availability};
//!
//! # async fn example() -> Result<(), graph_presence_client::Error> {
//! let client = Client::new(BearerToken::new("eyJ0eX…")); // https://graph.microsoft.com/beta
//! let me = client.me().presence().get().send().await?;
//! let other = client.users().by_id("66825e03-7ef5-42da-9069-724602c31f6b").presence().get()
//!     .select(["availability", "activity"]).send().await?;
//! let many = client.communications()
//!     .get_presences_by_user_id(["fa8bf3dc-eca7-46b7-bad1-db199b62afc3", "66825e03-7ef5-42da-9069-724602c31f6b"])
//!     .send().await?;
//! client.users().by_id("66825e03-7ef5-42da-9069-724602c31f6b").presence()
//!     .set_presence(Availability::Busy, Activity::InACall)
//!     .session_id("22553876-f5ab-4529-bffb-cfe50aa89f87")
//!     .send().await?;
//!
//! // Status and headers too, when you need them:
//! let response = client.me().presence().get().send_with_response().await?;
//! println!("{} {:?}", response.status(), response.headers().get("request-id"));
//! # let _ = (me, other, many); Ok(()) }
//! ```
//!
//! With the default `reqwest` feature a builder is also a future (`IntoFuture`): `.await` on
//! it sends it, as `.send().await` does. The future is `Send`, so it can be spawned:
//!
//! ```no_run
//! # async fn example(client: graph_presence_client::Client) -> Result<(), graph_presence_client::Error> {
//! let me = client.me().presence().get().await?;
//! println!("{:?}", me.availability);
//! # Ok(()) }
//! ```
//!
//! [`Client`] is cheap to clone. Besides its navigation methods (`communications`, `me`,
//! `subscriptions`, `users`) it has `new`, `builder`, `base_url`, `scope`, `clock`,
//! `authorize`, `runtime` (the runtime's client it wraps) and, with `reqwest`, `send` (any
//! [`Operation`]); it does not dereference to the runtime's client. Every builder has
//! `client_request_id`, and with `reqwest` `send`, `send_with_response` and `into_future`.
//!
//! # The shape of the API
//!
//! These rules hold for every client `cargo xtask codegen` writes; this crate is one.
//!
//! - **Navigation.** Each step of a path is a navigation type named after it and ending in
//!   `Resource` (`client.users().by_id(id).presence()` is a `UsersItemPresenceResource`); an
//!   item of a collection is `by_id(id)`. Graph's namespaced segments are named by their last
//!   part (`…/microsoft.graph.reauthorize` is `reauthorize()`), and an operation on `/`
//!   starts on the `Client`.
//! - **Builders.** A request builder is named after its operationId
//!   (`me.presence_setPresence` is `MePresenceSetPresenceRequest`). An operation on one item
//!   that Graph names with the collection (`communications_GetPresences` is
//!   `GET /communications/presences/{presence-id}`) takes the singular the document gives, the
//!   item's component name: `CommunicationsGetPresenceRequest`, started by
//!   `client.communications().presences().by_id(id).get()`. A list keeps its plural, and so
//!   does an item whose type is not a component or whose singular another operation has. An
//!   operation without an operationId is named from its method and path (`GetUsersByUserId`).
//! - **Parameters.** Query, header and cookie parameters are fields of the builder: a
//!   required one is an argument of the method that starts it (`If-Match`,
//!   `ConsistencyLevel`), an optional one a setter of the same name. Values are written in
//!   OpenAPI's `form` and `simple` styles without `explode` (an array is its items joined by
//!   commas); an object parameter is a warning of the generator, and its setter takes the
//!   text to send. Cookies go in one `Cookie` header, percent-encoded; a header value with a
//!   line break is an error when the request is built. A parameter whose name something else
//!   has already (a path parameter, a parameter in another location, the builder's own
//!   `client`, `body` or `send`) is named with its location: `id_query`, `client_header`.
//!   Header parameters named `Accept`, `Content-Type` or `Authorization` are ignored, with a
//!   warning, as OpenAPI says: the client sets those.
//! - **Setters.** An optional property is set with its field's name, in models and builders
//!   alike (`.session_id(v)` on `SetPresenceRequestBody` and on the `set_presence` builder).
//!   A property named like a method the value already has (`clone`, `new`, `default`, `eq`,
//!   `hash`, `fmt`, `into`, `serialize`, `json_schema`…) gets a trailing `_` (`clone_`, as the
//!   keyword `type` is `type_`), so `value.clone()` still clones; on a builder, a body
//!   property named like something the builder has already (its `send` or `body`, a
//!   parameter) gets one too (`body_`).
//! - **Bodies.** JSON is preferred. An operation's other request media types are methods that
//!   send bytes as that type (`body_xml(bytes)`), and its other response media types methods
//!   that ask for one (`accept_xml()`, an [`AcceptAs`]) and answer with its bytes. A
//!   `multipart/form-data` body whose schema is an object is a form type, a field per part (a
//!   file is a `FilePart`: bytes, or a stream read as it is sent, never held whole); another
//!   `multipart/*` body is a [`MultipartBody`] (the bytes and their boundary) that you encode.
//! - **Responses.** The output is the body of the first success response that has one (`()`
//!   when none has; `default`'s body, with a warning, when no `2XX` response is declared). A
//!   success status without a body beside a JSON output makes it an `Option`, and another
//!   success status with a different body is read as the chosen one's (a warning of the
//!   generator, and the method's docs say so). `send_with_response()` also gives the status
//!   and headers (headers are not typed).
//! - **Base URL.** A client's default base URL is its document's first `servers` entry, with
//!   its variables at their defaults, when that is an absolute `https` URL. Without one (a
//!   relative or plain-`http` server, or none) `build()` asks for `base_url(…)`. Servers
//!   declared on a path or an operation that differ are a warning: every request goes to the
//!   one base URL.
//!
//! # Without a network
//!
//! Every builder produces its `http::Request` ([`Operation::to_request`]) and reads an
//! `http::Response` ([`Operation::parse_response`]) on its own; `send()` does both around one
//! HTTP exchange. Every request carries a `client-request-id` (a fresh UUID unless set with
//! `client_request_id`) and a `User-Agent` (this crate's name and version). Path parameters
//! are percent-encoded as exactly one segment, so an id like `../me` never addresses another
//! resource.
//!
//! ```
//! use graph_presence_client::{ApiVersion, BearerToken, Client, Operation};
//!
//! let client = Client::builder(BearerToken::new("token")).version(ApiVersion::V1).build()?;
//! let request = client.users().by_id("../me").presence().get().to_request()?;
//! assert_eq!(request.uri(), "https://graph.microsoft.com/v1.0/users/%2E%2E%2Fme/presence");
//! assert!(request.headers().get("authorization").is_none()); // added by send() or authorize()
//!
//! let response = http::Response::builder()
//!     .status(200)
//!     .body(br#"{"id":"a","availability":"Away"}"#.to_vec())?;
//! let presence = client.me().presence().get().parse_response(response)?.into_body();
//! assert_eq!(presence.id, "a");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! One type, [`Error`], by where things went wrong:
//!
//! | variant | when |
//! |---|---|
//! | `Error::Api` | Graph answered with an error: status, `code`, `message`, `request_id`, `client_request_id`, `date`, the whole `error` object (decode it as the models' `ODataError` with [`ApiError::decode`]), the headers and the raw body |
//! | `Error::UnexpectedBody` | an error status whose body is not Graph's (a proxy's HTML page, an empty body) |
//! | `Error::Decode` | a success whose body does not decode as the operation's type (the path of the bad value, line and column) |
//! | `Error::Text` | a success whose text body (a `$count`) does not parse |
//! | `Error::Connection` | no response: refused, reset, TLS failure (retried for idempotent operations) |
//! | `Error::Transport` | a response began but could not be read: malformed head, body cut off (not retried) |
//! | `Error::Timeout` | an attempt took longer than the timeout (retried for idempotent operations) |
//! | `Error::ResponseTooLarge` | the body is over `max_response_bytes` |
//! | `Error::Auth` | the token provider failed |
//! | `Error::RequestBody` | a streamed multipart file (`FilePart::from_stream`) failed as it was sent: its stream's error, or a length other than declared; the request was cut off (not retried) |
//! | `Error::NextLink` | a page's `@odata.nextLink` was not followed: another origin than the base URL's, not a URL, or a page fetched already (a server loop); `link` holds it whole |
//! | `Error::InvalidRequest` | refused before sending: an empty path parameter, a bad base URL or header value, plain `http` off loopback, a redirect loop |
//!
//! An error from `send()` or a paging stream names its request ([`Error::request`] gives a
//! [`RequestInfo`]): the operation id, the method, the URL's path as sent (never the query,
//! which can hold ids and filters) and how many times it was sent, as in
//! `` `user_GetPresence` GET /beta/users/66825e03-…/presence, 3 attempts: HTTP 429 Too Many Requests: … ``.
//! An `InvalidRequest` names them in its message. One from the sans-IO
//! [`Operation::parse_response`] names none. `Display` and `Debug` are bounded: text from
//! outside (a message, a body, a link, a path) is escaped and cut there, and kept whole in the
//! fields.
//!
//! # Lists come in pages
//!
//! Graph answers a list one page at a time, with the next page's URL in `@odata.nextLink`.
//! Every operation whose answer is a page (AutoRest's `x-ms-pageable` says so, or the
//! response has a `value` array beside an `@odata.nextLink`) has `items()`, every item of every
//! page in order, and `pages()`, the whole pages; `send()` still gives the first page alone.
//!
//! ```no_run
//! use graph_presence_client::{Client, Error};
//!
//! # async fn example(client: Client) -> Result<(), Error> {
//! let ids = ["fa8bf3dc-eca7-46b7-bad1-db199b62afc3", "66825e03-7ef5-42da-9069-724602c31f6b"];
//! let quoted: Vec<String> = ids.iter().map(|id| format!("'{id}'")).collect();
//! let filter = format!("id in ({})", quoted.join(","));
//!
//! let mut presences = client.communications().presences().get().filter(&filter).items();
//! while let Some(presence) = presences.next().await {
//!     let presence = presence?; // an error on any page ends the stream
//!     println!("{}: {:?}", presence.id, presence.availability);
//! }
//!
//! // Whole pages, for what a page says beside its items: properties the schema does not name,
//! // such as `@odata.count` or `@odata.deltaLink`, are kept in `additional_properties`.
//! let mut pages = client.communications().presences().get().filter(&filter).pages();
//! while let Some(page) = pages.next().await {
//!     let page = page?;
//!     if let Some(count) = page.additional_properties.get("@odata.count") {
//!         println!("{} presences in all", count.get());
//!     }
//! }
//!
//! // Or everything at once.
//! let all = client.communications().presences().get().filter(&filter).items().collect_all().await?;
//! # let _ = all; Ok(()) }
//! ```
//!
//! - Pages are fetched one at a time, as you ask for them. Each next page is a GET of the
//!   link, sent like any request (token, refresh, retries, rate limit, a span with
//!   `page = n`), with the first request's headers (`Accept`, header parameters, a chosen
//!   `client-request-id`) and no body; getPresencesByUserId's next pages are GETs too, as
//!   Graph's SDKs send them.
//! - A link is followed only to the base URL's origin (scheme, host and port), so the token
//!   goes nowhere else. A link to another origin, one that is not a URL, or one naming a page
//!   fetched already is an `Error::NextLink`; after any error the stream ends (`None`). A page
//!   without a link, or with `null` or an empty one, is the last.
//! - Both are `futures_core::Stream`s (use `futures::StreamExt` if you like) and `Send`, so
//!   they can be moved into `tokio::spawn`; `next()` and `collect_all()` need no other crate.
//!
//! # Sign-in and clouds
//!
//! Tokens come from a [`TokenProvider`]: a fixed [`BearerToken`], your own, or, with the
//! `azure_identity` feature, any `azure_identity` credential through `AzureCredential`, which
//! caches each token until five minutes before it expires. The client asks the provider for a
//! token for its cloud's `.default` scope before each attempt. A 401 with `InvalidAuthenticationToken` makes
//! the client ask the provider to drop its token ([`TokenProvider::invalidate`]); if it can
//! (`AzureCredential` can, a `BearerToken` cannot), the request is sent once more with a new
//! one. Tokens never appear in `Debug` output or traces. An app that signs in with its own
//! secret needs the application permission `Presence.Read.All`, consented by an admin.
//!
//! In a national cloud both ends change: the credential signs in at that cloud's authority
//! (in `azure_identity`, the credential options' `CloudConfiguration`), and the client sends
//! to its Graph host and asks for its scope:
//!
//! ```
//! use graph_presence_client::{ApiVersion, BearerToken, Client, Cloud};
//!
//! let client = Client::builder(BearerToken::new("token"))
//!     .cloud(Cloud::UsGovernment) // https://graph.microsoft.us
//!     .version(ApiVersion::V1) // v1.0 (default: beta)
//!     .build()?;
//! assert_eq!(client.base_url(), "https://graph.microsoft.us/v1.0");
//! assert_eq!(client.scope(), "https://graph.microsoft.us/.default");
//! # Ok::<(), graph_presence_client::Error>(())
//! ```
//!
//! [`Cloud`]s: `Global` (the default), `UsGovernment` (L4), `UsGovernmentDod` (L5,
//! `https://dod-graph.microsoft.us`) and `China` (`https://microsoftgraph.chinacloudapi.cn`,
//! whose credential takes `CloudConfiguration::AzureChina`). `base_url("https://proxy.example/beta")`
//! replaces cloud and version (a query, fragment or user information in it is refused), and
//! `scope(…)` sets the token scope when a proxy stands in front of Graph.
//!
//! # Limits, retries and safety
//!
//! Graph throttles presence at 1,500 requests per 30 seconds per application per tenant, and
//! getPresencesByUserId takes at most 650 ids per call.
//!
//! - **Retries.** Operations that are safe to send twice (every one but creating a
//!   subscription: reads, getPresencesByUserId, the actions, which set state rather than add
//!   it, and renewing, reauthorizing or deleting a subscription; the schema marks them) are
//!   retried after 429, 503 or 504, and after failures that produced no response (connection
//!   refused or reset, timeout). The wait is what `Retry-After` asks, in any form (`3`,
//!   `2.128`, or an HTTP-date), never less; without it, exponential backoff with jitter. Each
//!   retry reuses the request's `client-request-id` and adds `Retry-Attempt: N`.
//! - **Bounds.** [`RetryPolicy`] `{ max_attempts, total_deadline, base_delay, max_delay }`
//!   (default: 5 attempts within 2 minutes), a per-attempt `timeout` (default 30 s, redirects
//!   and body included), and `max_response_bytes` (default 16 MiB). The [`Clock`] is
//!   injectable ([`ClientBuilder::clock`]), so tests of retry behaviour never sleep.
//! - **Rate limit.** `.rate_limit(RateLimit::graph_presence())` keeps one client under 1,500
//!   requests per 30 s (give each of several clients a share with [`RateLimit::new`]).
//! - **Safety.** Only `https`, or plain `http` to a loopback address, is sent to; anything else
//!   is refused before a request leaves. Redirects are followed by the client (at most five
//!   per attempt), and the token is sent only to the same origin.
//!
//! ```no_run
//! use graph_presence_client::{BearerToken, Client, RateLimit, RetryPolicy};
//! use std::time::Duration;
//!
//! # fn example(token: String) -> Result<(), graph_presence_client::Error> {
//! let client = Client::builder(BearerToken::new(token))
//!     .retry(RetryPolicy { max_attempts: 4, total_deadline: Duration::from_secs(60), ..RetryPolicy::default() })
//!     .timeout(Duration::from_secs(20))
//!     .rate_limit(RateLimit::graph_presence())
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! # Presence of many users
//!
//! `client.presences_of(ids)` takes any number of ids: duplicates (in any letter case) are
//! asked for once, and the rest are sent as ⌈n / 650⌉ getPresencesByUserId calls, 4 at a time
//! unless `.concurrency(n)` says otherwise; a chunk answered in pages has its pages followed.
//! `send()` gathers a `BulkPresences`: the presences by id (`get(id)` in any letter case), the
//! ids Graph returned no presence for (`missing`), and the chunks that still failed after their
//! retries, with their ids (`failures`); the other chunks' presences are kept.
//! For dashboards that want results as they come, `.stream()` yields each chunk's result as it
//! completes (its ids, its presences and `missing()`).
//!
//! # Presence subscriptions
//!
//! Instead of polling, a subscription makes Graph POST each presence change to your HTTPS
//! endpoint. For presence, `resource` is `communications/presences/{id}` for one user or
//! `/communications/presences?$filter=id in ('…', '…')` for at most 650 users, `changeType` is
//! `updated`, and a subscription lasts at most 60 minutes, so it is renewed before it expires.
//! The permission is the delegated `Presence.Read.All` (application permissions cannot
//! subscribe to presence).
//!
//! `client.presence_subscriptions(ids, notification_url, client_state)` subscribes any number
//! of users and keeps the subscriptions alive. Duplicate ids (in any letter case) are dropped;
//! ids no filter can carry (empty, or holding a space, `#`, `&`, `%`, `+`, a control or
//! non-ASCII character) are refused and reported; a `'` is doubled as OData needs; and the
//! rest are split into subscriptions of at most 650 ids (2,000 users are 4 subscriptions),
//! each created once with `changeType: updated` and an expiry 60 minutes away (`.lifetime(…)`
//! shortens it). `create()` gives the subscriptions (`PresenceSubscriptions`: each one's id,
//! users and expiry) and a report of what failed. Renewal runs on the client's clock, so a
//! test's fake clock drives it.
//!
//! - **Creating is never retried**, by the helper or the client: a second POST would make a
//!   second subscription. A subscription made by a lost answer is never renewed, so it lapses
//!   within the hour (or list them with `client.subscriptions().get()` and delete it). Call
//!   `subscriptions.subscribe(&failure.ids)` when you decide to try again.
//! - **Before it answers the create**, Graph checks both URLs: it POSTs `?validationToken=…` to
//!   each, and the endpoint must answer `200` with the token as `text/plain` within 10 seconds
//!   (the notifications crate's `Receiver` does).
//! - **Event Hubs** instead of a webhook: pass `EventHubDestination::new(namespace, hub,
//!   tenant)` (or its `EventHub:https://…servicebus.windows.net/eventhubname/…?tenantId=…`
//!   text) as either URL. Graph sends no validation request there, so the helper checks every
//!   `EventHub:` URL itself and refuses a malformed one before sending
//!   (`SubscriptionError::EventHubUrl`; `check_notification_url` checks one up front).
//! - **Renewal.** `renew_due()` renews each subscription 10 minutes (`.renewal_margin(…)`)
//!   before it expires, and creates one Graph no longer has again for the same users;
//!   `renewal_sleep()` waits until the next is due. `delete_all()` ends them.
//! - **Lifecycle notifications** (at `.lifecycle_notification_url(…)`) go to
//!   `handle_lifecycle`: `reauthorizationRequired` reauthorizes (or renews),
//!   `subscriptionRemoved` creates the subscription again, and `missed` reads the current
//!   presence of that subscription's users, to replace yours.
//! - **Rich notifications**, which carry each presence encrypted, need
//!   `.include_resource_data(base64_der_certificate, certificate_id)`.
//! - The generated builders (`client.subscriptions().post(…)`, `.by_id(id).patch(…)`,
//!   `.reauthorize()`, `.delete()`) are there for anything the helper does not do.
//!
//! Methods that send take `&mut self`: share the subscriptions between a renewal task and the
//! lifecycle handler behind an async mutex, held across a call but not across
//! `renewal_sleep()`.
//!
//! ```no_run
//! use graph_presence_client::{Client, PresenceSubscriptions};
//! use graph_presence_models::ChangeNotificationCollection;
//!
//! # async fn example(client: Client, user_ids: Vec<String>) {
//! let (mut subscriptions, report) = client
//!     .presence_subscriptions(
//!         &user_ids,
//!         "https://webhook.contoso.com/api/presence",
//!         "9c1e7d55-8a43-4bd4-9a6d-f6a1c0c20b3e", // a secret Graph repeats in every notification
//!     )
//!     .lifecycle_notification_url("https://webhook.contoso.com/api/lifecycle")
//!     .create()
//!     .await;
//! for failure in &report.failures {
//!     eprintln!("{} users not subscribed: {}", failure.ids.len(), failure.error);
//! }
//!
//! // What the lifecycle URL receives (or the receiver's `Event::Lifecycle`):
//! async fn on_lifecycle(subscriptions: &mut PresenceSubscriptions, body: &[u8]) {
//!     let Ok(notifications) = graph_presence_models::from_slice::<ChangeNotificationCollection>(body) else {
//!         return;
//!     };
//!     for notification in &notifications.value {
//!         match subscriptions.handle_lifecycle(notification).await {
//!             Ok(reaction) => {
//!                 if let Some(current) = reaction.presences {
//!                     println!("resynced {} users", current.presences.len());
//!                 }
//!             }
//!             Err(error) => eprintln!("lifecycle notification ignored: {error}"),
//!         }
//!     }
//! }
//! # let _ = on_lifecycle;
//!
//! loop {
//!     subscriptions.renewal_sleep().await;
//!     subscriptions.renew_due().await;
//! }
//! # }
//! ```
//!
//! # Tracing
//!
//! Every request is a `tracing` span `api.request` (operationId, method, path template,
//! `client-request-id`, the page's number for a page of a list, then the attempts, status and
//! Graph's `request-id`, or the error); each retry is a `WARN` event with the status, reason
//! and wait. Rate-limit waits, redirects, token refreshes, bulk progress (chunk k of n, ids
//! done) and each presence subscription created, renewed, recreated, reauthorized or deleted
//! (its id and how many users) are `INFO` events, a failed one `WARN`. No token, body, client
//! state or certificate is ever recorded, nor a path with ids in it. Install any subscriber,
//! for example `tracing_subscriber::fmt().init()`.
//!
//! The generated code re-exports the client runtime's user API by name
//! (`openapi-client-runtime`): the executor, auth, errors, retries and the sans-IO request
//! building are compiled and tested there.

#![deny(missing_docs)]
// docs.rs shows which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "reqwest")]
mod bulk;
#[cfg(feature = "reqwest")]
mod subscribe;

#[rustfmt::skip]
mod generated;

#[cfg(feature = "reqwest")]
pub use bulk::{
    BulkPresenceRequest, BulkPresences, ChunkFailure, ChunkPresences, MAX_IDS_PER_REQUEST,
};
pub use generated::*;
#[cfg(feature = "reqwest")]
pub use subscribe::{
    DEFAULT_RENEWAL_MARGIN, EventHubDestination, EventHubUrlError, LifecycleError,
    LifecycleReaction, MAX_IDS_PER_SUBSCRIPTION, MAX_SUBSCRIPTION_LIFETIME, MIN_RENEWAL_SPACING,
    PresenceSubscriptions, PresenceSubscriptionsRequest, RENEWAL_RETRY_DELAY, Recreated,
    RejectedId, SubscriptionAction, SubscriptionError, SubscriptionFailure, SubscriptionReport,
    TrackedSubscription, check_notification_url, renewal_due,
};
