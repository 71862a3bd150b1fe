//! The board's HTTP surface: the store as JSON, its changes as server-sent events, and the
//! page that shows them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
use graph_presence_mirror::{PresenceStore, UserPresence};
use graph_presence_models::Presence;
use serde::Serialize;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// The page at `/`: inline CSS and script, nothing fetched from elsewhere.
pub const PAGE: &str = include_str!("page.html");

/// How often an idle stream sends a comment, so proxies and browsers keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What the routes read: the mirror's store, and the names on the tiles.
///
/// The store is attached once the mirror has started: the listener serves the webhook before
/// that (subscribing needs Graph's validation handshake answered), and the board's routes
/// answer 503 until then.
#[derive(Debug, Clone)]
pub struct Board {
    store: Arc<OnceLock<PresenceStore>>,
    /// Display names by lowercase id; also the followed users, in the board's order.
    names: Arc<BTreeMap<String, String>>,
}

impl Board {
    /// A board of `names` (id, display name), without a store yet.
    pub fn new(names: impl IntoIterator<Item = (String, String)>) -> Self {
        let names = names
            .into_iter()
            .map(|(id, name)| (id.to_ascii_lowercase(), name))
            .collect();
        Board {
            store: Arc::default(),
            names: Arc::new(names),
        }
    }

    /// Shows `store` from now on (a second store is ignored: the board follows one mirror).
    pub fn attach(&self, store: PresenceStore) {
        let _ = self.store.set(store);
    }

    fn store(&self) -> Option<&PresenceStore> {
        self.store.get()
    }

    /// The routes: `/`, `/presence`, `/presence/stream`, `/presence/{id}`.
    pub fn router(self) -> Router {
        Router::new()
            .route("/", get(page))
            .route("/presence", get(everyone))
            .route("/presence/stream", get(stream))
            .route("/presence/{id}", get(one))
            .with_state(self)
    }

    /// Every followed user's tile, in the board's order.
    fn everyone(&self, store: &PresenceStore) -> Everyone {
        let snapshot = store.snapshot();
        let users = self
            .names
            .keys()
            .map(|id| self.tile(id, snapshot.get(id)))
            .collect();
        Everyone { users }
    }

    fn name(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    fn tile(&self, id: &str, user: Option<&UserPresence>) -> Tile {
        let mut tile =
            Tile::from_presence(id, self.name(id), user.and_then(|u| u.presence.as_ref()));
        tile.confirmed = user.and_then(|u| u.confirmed).map(|t| t.to_string());
        tile
    }
}

/// One user as the board shows it: the JSON of `/presence`, `/presence/{id}` and each event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tile {
    /// The user's object id (lowercase).
    pub id: String,
    /// The name on the tile.
    pub display_name: String,
    /// Graph's availability (`Available`, `Busy`…), or none before the first read.
    pub availability: Option<String>,
    /// Graph's activity (`InACall`…).
    pub activity: Option<String>,
    /// Whether out of office is on.
    pub out_of_office: bool,
    /// When Graph last confirmed it (RFC 3339), by the mirror's clock.
    pub confirmed: Option<String>,
}

impl Tile {
    fn from_presence(id: &str, display_name: String, presence: Option<&Presence>) -> Tile {
        Tile {
            id: id.to_owned(),
            display_name,
            availability: presence
                .and_then(|p| p.availability.as_option())
                .map(|a| a.as_str().to_owned()),
            activity: presence
                .and_then(|p| p.activity.as_option())
                .map(|a| a.as_str().to_owned()),
            out_of_office: presence
                .and_then(|p| p.out_of_office_settings.as_option())
                .and_then(|o| o.is_out_of_office.as_option().copied())
                .unwrap_or(false),
            confirmed: None,
        }
    }
}

/// A JSON answer. Serializing these plain structs cannot fail; were it to, the client gets a
/// 500 rather than a panic.
fn json(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_string(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Where the page holds the board as it is when served (JSON, or `null` while starting).
const PAGE_BOARD: &str = "/*BOARD*/";

/// The page, with the board as it is now inside it: its script draws the tiles from that at
/// once, then follows the stream.
async fn page(State(board): State<Board>) -> Response {
    let initial = match board.store() {
        Some(store) => serde_json::to_string(&board.everyone(store)).unwrap_or_default(),
        None => String::new(),
    };
    // Inside a <script> element only `</script` can end it early, and JSON holds `<` only in
    // strings, where `\u003c` means the same.
    let initial = if initial.is_empty() {
        "null".to_owned()
    } else {
        initial.replace('<', "\\u003c")
    };
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE.replacen(PAGE_BOARD, &initial, 1),
    )
        .into_response()
}

#[derive(Serialize)]
struct Everyone {
    users: Vec<Tile>,
}

async fn everyone(State(board): State<Board>) -> Response {
    match board.store() {
        Some(store) => json(StatusCode::OK, &board.everyone(store)),
        None => starting(),
    }
}

#[derive(Serialize)]
struct Problem {
    error: &'static str,
}

/// The answer before the mirror's store is attached.
fn starting() -> Response {
    json(
        StatusCode::SERVICE_UNAVAILABLE,
        &Problem {
            error: "the board is starting",
        },
    )
}

async fn one(State(board): State<Board>, Path(id): Path<String>) -> Response {
    let id = id.to_ascii_lowercase();
    let store = match board.store() {
        Some(store) => store,
        None => return starting(),
    };
    if !board.names.contains_key(&id) {
        return json(
            StatusCode::NOT_FOUND,
            &Problem {
                error: "not a followed user",
            },
        );
    }
    json(StatusCode::OK, &board.tile(&id, store.get(&id).as_ref()))
}

/// Each change in the store as a `presence` event whose data is the user's [`Tile`]. A
/// subscriber that fell too far behind gets a `resync` event instead: it reads `/presence`
/// again, since the changes it missed are gone.
async fn stream(State(board): State<Board>) -> Response {
    let store = match board.store() {
        Some(store) => store.clone(),
        None => return starting(),
    };
    Sse::new(changes(board, store))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response()
}

fn changes(board: Board, store: PresenceStore) -> impl Stream<Item = Result<Event, Infallible>> {
    let changes = store.changes();
    futures_util::stream::unfold(
        (board, store, changes),
        |(board, store, mut changes)| async move {
            let event = match changes.recv().await {
                Ok(change) => {
                    let mut tile = Tile::from_presence(
                        &change.user_id,
                        board.name(&change.user_id),
                        Some(&change.presence),
                    );
                    tile.confirmed = store.last_confirmed(&change.user_id).map(|t| t.to_string());
                    // Compact JSON has no line breaks, which an event's data line cannot hold.
                    match serde_json::to_string(&tile) {
                        Ok(data) => Event::default().event("presence").data(data),
                        Err(_) => resync(),
                    }
                }
                Err(RecvError::Lagged(_)) => resync(),
                Err(RecvError::Closed) => return None,
            };
            Some((Ok(event), (board, store, changes)))
        },
    )
}

/// Tells the page to read `/presence` again.
fn resync() -> Event {
    Event::default().event("resync").data("{}")
}
