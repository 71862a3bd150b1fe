//! Serving: the generated router (extraction, the `Api` call, encoding, in the runtime crate)
//! against a hand-written axum handler doing the same JSON work with axum's own `Path` and
//! `Json` extractors, on the same request, called in process as a tower `Service` (no
//! network); then the mock's requests per second on loopback, through the generated client.
//!
//! `cargo bench -p benches --bench serve`

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use graph_presence_client::{BearerToken, Client};
use graph_presence_models::{
    GetPresencesByUserIdRequestBody, GetPresencesByUserIdResponse, Presence,
};
use graph_presence_server::*;
use std::hint::black_box;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};
use tower_service::Service;

/// Ids per getPresencesByUserId request: the API's maximum.
const IDS: usize = 650;
/// The generated router may take at most this many times the hand-written handler's time.
const TARGET: f64 = 1.2;

/// What both servers answer, built once.
struct Answers {
    collection: GetPresencesByUserIdResponse,
    one: Presence,
}

static ANSWERS: LazyLock<Arc<Answers>> = LazyLock::new(|| {
    let collection: GetPresencesByUserIdResponse =
        graph_presence_models::from_str(&benches::presences_response(IDS)).expect("decodes");
    let one = collection.value.as_ref().expect("presences")[0].clone();
    Arc::new(Answers { collection, one })
});

/// The body of the POST: 650 user ids.
static IDS_BODY: LazyLock<Bytes> = LazyLock::new(|| {
    let ids: Vec<String> = (0..IDS)
        .map(|i| format!("00000000-0000-4000-8000-{i:012x}"))
        .collect();
    Bytes::from(serde_json::to_vec(&serde_json::json!({ "ids": ids })).expect("json"))
});

const USER: &str = "fa8bf3dc-eca7-46b7-bad1-db199b62afc3";

/// The generated side: the two measured operations answer the prebuilt values (cloned, as the
/// hand-written handlers clone them); every other operation answers as the mock does.
#[derive(Clone)]
struct Prebuilt(Arc<Answers>);

macro_rules! prebuilt {
    ($($method:ident: $request:ident => $response:ident;)*) => {
        impl Api for Prebuilt {
            async fn communications_get_presences_by_user_id(
                &self,
                request: CommunicationsGetPresencesByUserIdRequest,
                _context: Context,
            ) -> Result<CommunicationsGetPresencesByUserIdResponse, Failure> {
                black_box(&request);
                Ok(CommunicationsGetPresencesByUserIdResponse::Success {
                    status: 200,
                    body: self.0.collection.clone(),
                })
            }

            async fn user_get_presence(
                &self,
                request: UserGetPresenceRequest,
                _context: Context,
            ) -> Result<UserGetPresenceResponse, Failure> {
                black_box(&request);
                Ok(UserGetPresenceResponse::Success {
                    status: 200,
                    body: self.0.one.clone(),
                })
            }

            $(
                async fn $method(&self, request: $request, context: Context) -> Result<$response, Failure> {
                    Mock.$method(request, context).await
                }
            )*
        }
    };
}

prebuilt! {
    me_get_presence: MeGetPresenceRequest => MeGetPresenceResponse;
    communications_get_presence: CommunicationsGetPresenceRequest => CommunicationsGetPresenceResponse;
    communications_list_presences: CommunicationsListPresencesRequest => CommunicationsListPresencesResponse;
    me_presence_set_presence: MePresenceSetPresenceRequest => MePresenceSetPresenceResponse;
    user_presence_set_presence: UserPresenceSetPresenceRequest => UserPresenceSetPresenceResponse;
    me_presence_clear_presence: MePresenceClearPresenceRequest => MePresenceClearPresenceResponse;
    user_presence_clear_presence: UserPresenceClearPresenceRequest => UserPresenceClearPresenceResponse;
    me_presence_set_user_preferred_presence: MePresenceSetUserPreferredPresenceRequest => MePresenceSetUserPreferredPresenceResponse;
    user_presence_set_user_preferred_presence: UserPresenceSetUserPreferredPresenceRequest => UserPresenceSetUserPreferredPresenceResponse;
    me_presence_clear_user_preferred_presence: MePresenceClearUserPreferredPresenceRequest => MePresenceClearUserPreferredPresenceResponse;
    user_presence_clear_user_preferred_presence: UserPresenceClearUserPreferredPresenceRequest => UserPresenceClearUserPreferredPresenceResponse;
    me_presence_set_status_message: MePresenceSetStatusMessageRequest => MePresenceSetStatusMessageResponse;
    user_presence_set_status_message: UserPresenceSetStatusMessageRequest => UserPresenceSetStatusMessageResponse;
    me_presence_set_automatic_location: MePresenceSetAutomaticLocationRequest => MePresenceSetAutomaticLocationResponse;
    user_presence_set_automatic_location: UserPresenceSetAutomaticLocationRequest => UserPresenceSetAutomaticLocationResponse;
    communications_presence_set_automatic_location: CommunicationsPresenceSetAutomaticLocationRequest => CommunicationsPresenceSetAutomaticLocationResponse;
    me_presence_set_manual_location: MePresenceSetManualLocationRequest => MePresenceSetManualLocationResponse;
    user_presence_set_manual_location: UserPresenceSetManualLocationRequest => UserPresenceSetManualLocationResponse;
    communications_presence_set_manual_location: CommunicationsPresenceSetManualLocationRequest => CommunicationsPresenceSetManualLocationResponse;
    me_presence_clear_automatic_location: MePresenceClearAutomaticLocationRequest => MePresenceClearAutomaticLocationResponse;
    user_presence_clear_automatic_location: UserPresenceClearAutomaticLocationRequest => UserPresenceClearAutomaticLocationResponse;
    communications_presence_clear_automatic_location: CommunicationsPresenceClearAutomaticLocationRequest => CommunicationsPresenceClearAutomaticLocationResponse;
    me_presence_clear_location: MePresenceClearLocationRequest => MePresenceClearLocationResponse;
    user_presence_clear_location: UserPresenceClearLocationRequest => UserPresenceClearLocationResponse;
    communications_presence_clear_location: CommunicationsPresenceClearLocationRequest => CommunicationsPresenceClearLocationResponse;
    subscription_list_subscription: SubscriptionListSubscriptionRequest => SubscriptionListSubscriptionResponse;
    subscription_create_subscription: SubscriptionCreateSubscriptionRequest => SubscriptionCreateSubscriptionResponse;
    subscription_get_subscription: SubscriptionGetSubscriptionRequest => SubscriptionGetSubscriptionResponse;
    subscription_delete_subscription: SubscriptionDeleteSubscriptionRequest => SubscriptionDeleteSubscriptionResponse;
    subscription_update_subscription: SubscriptionUpdateSubscriptionRequest => SubscriptionUpdateSubscriptionResponse;
    subscription_reauthorize: SubscriptionReauthorizeRequest => SubscriptionReauthorizeResponse;
}

/// The hand-written side: what one writes with axum alone, the same model types in and out.
async fn by_user_id(
    State(answers): State<Arc<Answers>>,
    axum::Json(body): axum::Json<GetPresencesByUserIdRequestBody>,
) -> axum::Json<GetPresencesByUserIdResponse> {
    black_box(&body);
    axum::Json(answers.collection.clone())
}

async fn user_presence(
    State(answers): State<Arc<Answers>>,
    Path(user): Path<String>,
) -> axum::Json<Presence> {
    black_box(&user);
    axum::Json(answers.one.clone())
}

/// The same handlers, encoding as the generated router does (`serde_json::to_vec`) instead of
/// through axum's `Json` response (`serde_json::to_writer` into a `BytesMut`, which takes about
/// twice as long on a large body): the runtime's own overhead, with the encoding equal.
async fn by_user_id_to_vec(
    State(answers): State<Arc<Answers>>,
    axum::Json(body): axum::Json<GetPresencesByUserIdRequestBody>,
) -> impl IntoResponse {
    black_box(&body);
    to_vec(&answers.collection.clone())
}

async fn user_presence_to_vec(
    State(answers): State<Arc<Answers>>,
    Path(user): Path<String>,
) -> impl IntoResponse {
    black_box(&user);
    to_vec(&answers.one.clone())
}

fn to_vec<T: serde::Serialize>(value: &T) -> impl IntoResponse + use<T> {
    (
        [(http::header::CONTENT_TYPE, "application/json")],
        serde_json::to_vec(value).expect("encodes"),
    )
}

fn hand_written() -> axum::Router {
    axum::Router::new()
        .route(
            "/communications/getPresencesByUserId",
            axum::routing::post(by_user_id),
        )
        .route(
            "/users/{user_id}/presence",
            axum::routing::get(user_presence),
        )
        .with_state(ANSWERS.clone())
}

fn hand_written_to_vec() -> axum::Router {
    axum::Router::new()
        .route(
            "/communications/getPresencesByUserId",
            axum::routing::post(by_user_id_to_vec),
        )
        .route(
            "/users/{user_id}/presence",
            axum::routing::get(user_presence_to_vec),
        )
        .with_state(ANSWERS.clone())
}

fn generated() -> axum::Router {
    router(Prebuilt(ANSWERS.clone()))
}

/// The POST as a client sends it (the same bytes every time: `Bytes` is shared, not copied).
fn post() -> http::Request<Body> {
    http::Request::builder()
        .method("POST")
        .uri("/communications/getPresencesByUserId")
        .header("content-type", "application/json")
        .header("content-length", IDS_BODY.len())
        .header("authorization", "Bearer t")
        .body(Body::from(IDS_BODY.clone()))
        .expect("a request")
}

fn get() -> http::Request<Body> {
    http::Request::builder()
        .method("GET")
        .uri(format!("/users/{USER}/presence"))
        .header("authorization", "Bearer t")
        .body(Body::empty())
        .expect("a request")
}

/// One request through `router`, its answer read whole: status, content type, body.
async fn call(router: &mut axum::Router, request: http::Request<Body>) -> (u16, String, Bytes) {
    let response = router.call(request).await.expect("infallible");
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body");
    (status, media, body)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// The servers answer both requests alike: the same status and content type, equal JSON.
fn check_same_answers(runtime: &tokio::runtime::Runtime) {
    runtime.block_on(async {
        let mut routers = [generated(), hand_written(), hand_written_to_vec()];
        for (what, request) in [("POST", post as fn() -> http::Request<Body>), ("GET", get)] {
            let mut answers = Vec::new();
            for router in &mut routers {
                let (status, media, body) = call(router, request()).await;
                let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
                answers.push((status, media, json));
            }
            assert_eq!(
                (answers[0].0, answers[0].1.as_str()),
                (200, "application/json"),
                "{what}"
            );
            assert!(
                answers.iter().all(|a| a == &answers[0]),
                "{what}: the same status, content type and JSON"
            );
        }
    });
}

fn once(
    runtime: &tokio::runtime::Runtime,
    router: &mut axum::Router,
    request: fn() -> http::Request<Body>,
) {
    black_box(runtime.block_on(call(router, request())));
}

#[divan::bench]
fn generated_get_presences_by_user_id(bencher: divan::Bencher) {
    let (runtime, mut router) = (runtime(), generated());
    bencher.bench_local(|| once(&runtime, &mut router, post));
}

#[divan::bench]
fn hand_written_get_presences_by_user_id(bencher: divan::Bencher) {
    let (runtime, mut router) = (runtime(), hand_written());
    bencher.bench_local(|| once(&runtime, &mut router, post));
}

#[divan::bench]
fn hand_written_to_vec_get_presences_by_user_id(bencher: divan::Bencher) {
    let (runtime, mut router) = (runtime(), hand_written_to_vec());
    bencher.bench_local(|| once(&runtime, &mut router, post));
}

#[divan::bench]
fn generated_user_presence(bencher: divan::Bencher) {
    let (runtime, mut router) = (runtime(), generated());
    bencher.bench_local(|| once(&runtime, &mut router, get));
}

#[divan::bench]
fn hand_written_user_presence(bencher: divan::Bencher) {
    let (runtime, mut router) = (runtime(), hand_written());
    bencher.bench_local(|| once(&runtime, &mut router, get));
}

#[divan::bench]
fn hand_written_to_vec_user_presence(bencher: divan::Bencher) {
    let (runtime, mut router) = (runtime(), hand_written_to_vec());
    bencher.bench_local(|| once(&runtime, &mut router, get));
}

/// The generated router against the hand-written ones on one request, interleaved.
fn side_by_side(
    runtime: &tokio::runtime::Runtime,
    title: &str,
    iterations: usize,
    request: fn() -> http::Request<Body>,
) {
    let (mut generated, mut hand_written, mut to_vec) =
        (generated(), hand_written(), hand_written_to_vec());
    let t = benches::compare(
        title,
        61,
        iterations,
        &mut [
            ("generated router (Api impl)", &mut || {
                once(runtime, &mut generated, request)
            }),
            ("hand-written axum (Path, Json)", &mut || {
                once(runtime, &mut hand_written, request)
            }),
            ("hand-written, encoded with to_vec", &mut || {
                once(runtime, &mut to_vec, request)
            }),
        ],
    );
    let ratio = |i: usize| t[0].as_secs_f64() / t[i].as_secs_f64();
    benches::verdict(
        &format!("generated at most {TARGET}x the hand-written handler's time"),
        ratio(1) <= TARGET,
        &format!("{:.2}x", ratio(1)),
    );
    benches::verdict(
        &format!(
            "(stricter, not the issue's) generated at most {TARGET}x a hand-written handler that encodes alike"
        ),
        ratio(2) <= TARGET,
        &format!("{:.2}x", ratio(2)),
    );
}

/// `count` GETs of one user's presence from the generated client to the mock, `concurrency`
/// at a time; the time they all take.
async fn loopback(client: &Client, count: usize, concurrency: usize) -> Duration {
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|task| {
            let client = client.clone();
            let share = count / concurrency + usize::from(task < count % concurrency);
            tokio::spawn(async move {
                for _ in 0..share {
                    let presence = client
                        .users()
                        .by_id(USER)
                        .presence()
                        .get()
                        .send()
                        .await
                        .expect("the mock answers");
                    black_box(presence);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a task");
    }
    start.elapsed()
}

/// The mock served with `serve` on 127.0.0.1, the client in the same process (both on the
/// machine's cores).
fn mock_on_loopback(count: usize, rounds: usize, levels: &[usize]) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let address = listener.local_addr().expect("an address");
        let server = tokio::spawn(serve(listener, router(Mock), ServeSettings::default()));
        let client = Client::builder(BearerToken::new("t"))
            .base_url(format!("http://{address}"))
            .build()
            .expect("valid");
        // Connections opened and warm.
        loopback(&client, levels.iter().max().copied().unwrap_or(1), 16).await;
        let mut samples = vec![Vec::new(); levels.len()];
        for _ in 0..rounds {
            for (level, samples) in levels.iter().zip(&mut samples) {
                samples.push(loopback(&client, count, *level).await);
            }
        }
        println!(
            "\nthe mock on loopback: {count} GET /users/{{id}}/presence from the generated client (median of {rounds} interleaved rounds)"
        );
        for (level, samples) in levels.iter().zip(&mut samples) {
            samples.sort();
            let median = samples[samples.len() / 2];
            println!(
                "  concurrency {level:>2}: {median:>10.1?}, {:>8.0} requests/s",
                count as f64 / median.as_secs_f64()
            );
        }
        server.abort();
    });
}

fn main() {
    check_same_answers(&runtime());
    divan::main();
    if !benches::benchmarking() {
        // Quick mode (cargo test --benches): a few requests on loopback, nothing compared.
        mock_on_loopback(20, 1, &[1, 4]);
        println!("serve: quick mode ok");
        return;
    }
    let runtime = runtime();
    side_by_side(
        &runtime,
        &format!("POST /communications/getPresencesByUserId: {IDS} ids in, {IDS} presences out"),
        10,
        post,
    );
    side_by_side(
        &runtime,
        "GET /users/{id}/presence: one presence out",
        1000,
        get,
    );
    mock_on_loopback(4000, 7, &[1, 16]);
}
