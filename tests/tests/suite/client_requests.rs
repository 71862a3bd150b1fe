//! Requests built without a network: every documented request example is rebuilt with the
//! builders and compared (method, URL, JSON body) with what the docs show; the requests are
//! snapshotted; and every path parameter of every operation is shown to stay one segment.

use graph_presence_client::{ApiVersion, BearerToken, Client, Error, Operation};
use graph_presence_models as models;
use serde_json::Value;
use tests::root;

const CLIENT_REQUEST_ID: &str = "00000000-0000-4000-8000-000000000000";

pub(crate) fn client(version: &str) -> Client {
    let version = if version == "v1.0" {
        ApiVersion::V1
    } else {
        ApiVersion::Beta
    };
    Client::builder(BearerToken::new("secret-token"))
        .version(version)
        .build()
        .expect("valid base URL")
}

fn decode<T: serde::de::DeserializeOwned>(text: &str) -> T {
    models::from_str(text).expect("the documented example decodes")
}

/// Rebuilds a documented request example with the builders, as a user would.
pub(crate) fn rebuild(
    file: &str,
    client: &Client,
    text: &str,
) -> Result<http::Request<Vec<u8>>, Error> {
    const USER: &str = "fa8bf3dc-eca7-46b7-bad1-db199b62afc3";
    match file.trim_end_matches(".json") {
        "clear--presence.request" => client
            .users()
            .by_id(USER)
            .presence()
            .clear_presence()
            .body(decode(text))
            .client_request_id(CLIENT_REQUEST_ID)
            .to_request(),
        "clearUserPreferredPresence.request" => client
            .users()
            .by_id(USER)
            .presence()
            .clear_user_preferred_presence()
            .client_request_id(CLIENT_REQUEST_ID)
            .to_request(),
        "get-presence-multiple-users.request" => {
            let body: models::GetPresencesByUserIdRequestBody = decode(text);
            client
                .communications()
                .get_presences_by_user_id(body.ids)
                .client_request_id(CLIENT_REQUEST_ID)
                .to_request()
        }
        "presencethis.setautomaticlocation.request"
        | "presencethis.setautomaticlocation.request.placeholder-revision" => {
            let body: models::SetAutomaticLocationRequestBody = decode(text);
            let place = body.place_id.as_option().cloned().expect("documented");
            client
                .me()
                .presence()
                .set_automatic_location(body.work_location_type)
                .place_id(place)
                .client_request_id(CLIENT_REQUEST_ID)
                .to_request()
        }
        "presencethis.setmanuallocation.request" => {
            let body: models::SetManualLocationRequestBody = decode(text);
            let place = body.place_id.as_option().cloned().expect("documented");
            client
                .me()
                .presence()
                .set_manual_location(body.work_location_type)
                .place_id(place)
                .client_request_id(CLIENT_REQUEST_ID)
                .to_request()
        }
        "set-presence.request" => {
            let body: models::SetPresenceRequestBody = decode(text);
            let session = body.session_id.as_option().cloned().expect("documented");
            let duration = body
                .expiration_duration
                .as_option()
                .cloned()
                .expect("documented");
            client
                .users()
                .by_id(USER)
                .presence()
                .set_presence(body.availability, body.activity)
                .session_id(session)
                .expiration_duration(duration)
                .client_request_id(CLIENT_REQUEST_ID)
                .to_request()
        }
        "setUserPreferredPresence.request" => {
            let body: models::SetUserPreferredPresenceRequestBody = decode(text);
            let duration = body
                .expiration_duration
                .as_option()
                .cloned()
                .expect("documented");
            client
                .users()
                .by_id(USER)
                .presence()
                .set_user_preferred_presence(body.availability, body.activity)
                .expiration_duration(duration)
                .client_request_id(CLIENT_REQUEST_ID)
                .to_request()
        }
        "setstatusmessage.request" | "setstatusmessage-another-user.request" => {
            let body: models::SetStatusMessageRequestBody = decode(text);
            let status = body
                .status_message
                .as_option()
                .cloned()
                .expect("documented");
            client
                .users()
                .by_id(USER)
                .presence()
                .set_status_message()
                .status_message(status)
                .client_request_id(CLIENT_REQUEST_ID)
                .to_request()
        }
        "changenotifications-presence-single-user-subscription.request"
        | "changenotifications-presence-multiple-users-subscription.request" => {
            let body: models::Subscription = decode(text);
            let text_of =
                |value: &models::Nullable<String>| value.as_option().cloned().expect("documented");
            client
                .subscriptions()
                .post(models::required::Subscription {
                    change_type: body.change_type,
                    expiration_date_time: body.expiration_date_time,
                    notification_url: body.notification_url,
                    resource: body.resource,
                })
                .lifecycle_notification_url(text_of(&body.lifecycle_notification_url))
                .include_resource_data(*body.include_resource_data.as_option().expect("documented"))
                .encryption_certificate(text_of(&body.encryption_certificate))
                .encryption_certificate_id(text_of(&body.encryption_certificate_id))
                .client_state(text_of(&body.client_state))
                .client_request_id(CLIENT_REQUEST_ID)
                .to_request()
        }
        other => panic!("no builder call for the documented request {other}"),
    }
}

fn printable(request: &http::Request<Vec<u8>>) -> String {
    let mut out = format!("{} {}\n", request.method(), request.uri());
    let mut headers: Vec<String> = request
        .headers()
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("<binary>")))
        .collect();
    headers.sort();
    out.push_str(&headers.join("\n"));
    if !request.body().is_empty() {
        let body: Value = serde_json::from_slice(request.body()).expect("JSON body");
        out.push_str(&format!(
            "\n\n{}",
            serde_json::to_string_pretty(&body).expect("prints")
        ));
    }
    out
}

#[test]
fn documented_request_examples_are_rebuilt_exactly() {
    let index: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/examples/index.json")).expect("index"),
    )
    .expect("json");
    let mut checked = 0;
    for entry in index["files"].as_array().expect("files") {
        let (version, file) = (
            entry["version"].as_str().expect("version"),
            entry["file"].as_str().expect("file"),
        );
        let Some(http_line) = entry["http"].as_str().filter(|_| file.contains(".request")) else {
            continue;
        };
        let text = std::fs::read_to_string(root().join("schema/examples").join(version).join(file))
            .expect("example");
        let mut words = http_line.split_whitespace();
        let (method, url) = (words.next().expect("method"), words.next().expect("url"));
        // The version the docs show the request with (the subscription examples, copied from
        // a version-agnostic page into both folders, show v1.0).
        let shown = if url.contains("/v1.0/") {
            "v1.0"
        } else {
            "beta"
        };
        let request =
            rebuild(file, &client(shown), &text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(request.method().as_str(), method, "{version}/{file}");
        assert_eq!(request.uri().to_string(), url, "{version}/{file}");
        let documented: Value = serde_json::from_str(&text).expect("JSON");
        let sent: Value = serde_json::from_slice(request.body()).expect("a JSON body");
        assert_eq!(sent, documented, "{version}/{file}: body");
        assert_eq!(request.headers()["content-type"], "application/json");
        assert!(
            request.headers().get("authorization").is_none(),
            "a built request never holds the token"
        );
        insta::assert_snapshot!(
            format!("request_{version}__{}", file.trim_end_matches(".json")),
            printable(&request)
        );
        checked += 1;
    }
    assert_eq!(
        checked, 23,
        "every documented request example, beta and v1.0"
    );
}

#[test]
fn get_requests_carry_their_query_options() {
    let c = client("beta");
    let select = c
        .users()
        .by_id("66825e03-7ef5-42da-9069-724602c31f6b")
        .presence()
        .get()
        .select(["availability", "activity"])
        .to_request()
        .expect("builds");
    assert_eq!(
        select.uri(),
        "https://graph.microsoft.com/beta/users/66825e03-7ef5-42da-9069-724602c31f6b/presence?$select=availability,activity"
    );
    assert!(select.body().is_empty() && select.headers().get("content-type").is_none());
    let filter = c
        .communications()
        .presences()
        .get()
        .filter("id in ('a', 'b')")
        .to_request()
        .expect("builds");
    assert_eq!(
        filter.uri(),
        "https://graph.microsoft.com/beta/communications/presences?$filter=id%20in%20('a',%20'b')"
    );
    let injected = c
        .communications()
        .presences()
        .get()
        .filter("x&$top=1#frag")
        .to_request()
        .expect("builds");
    assert_eq!(
        injected.uri().query(),
        Some("$filter=x%26$top%3D1%23frag"),
        "a query value cannot add options"
    );
    let me = c.me().presence().get().to_request().expect("builds");
    assert_eq!(me.uri(), "https://graph.microsoft.com/beta/me/presence");
    let by_id = c
        .communications()
        .presences()
        .by_id("dc74d9bb-6afe-433d-8eaa-e39d80d3a647")
        .get()
        .expand(["x"])
        .to_request()
        .expect("builds");
    assert_eq!(
        by_id.uri(),
        "https://graph.microsoft.com/beta/communications/presences/dc74d9bb-6afe-433d-8eaa-e39d80d3a647?$expand=x"
    );
}

#[test]
fn every_request_has_a_client_request_id_and_user_agent() {
    let c = client("beta");
    let a = c.me().presence().get().to_request().expect("builds");
    let b = c.me().presence().get().to_request().expect("builds");
    let id = |r: &http::Request<Vec<u8>>| {
        r.headers()["client-request-id"]
            .to_str()
            .expect("text")
            .to_owned()
    };
    assert_ne!(id(&a), id(&b), "a fresh UUID per request");
    assert_eq!(id(&a).len(), 36);
    assert!(
        a.headers()["user-agent"]
            .to_str()
            .expect("text")
            .starts_with("graph-presence-client/")
    );
    let fixed = c
        .me()
        .presence()
        .get()
        .client_request_id("my-id")
        .to_request()
        .expect("builds");
    assert_eq!(id(&fixed), "my-id");
    let bad = c
        .me()
        .presence()
        .get()
        .client_request_id("line\nbreak")
        .to_request();
    assert!(matches!(bad, Err(Error::InvalidRequest(_))));
}

#[test]
fn base_urls_national_clouds_and_local_servers() {
    let token = || BearerToken::new("t");
    let us = Client::builder(token())
        .base_url("https://graph.microsoft.us/v1.0/")
        .build()
        .expect("valid");
    assert_eq!(
        us.me().presence().get().to_request().expect("builds").uri(),
        "https://graph.microsoft.us/v1.0/me/presence"
    );
    let local = Client::builder(token())
        .base_url("http://127.0.0.1:8080/beta")
        .build()
        .expect("valid");
    assert_eq!(
        local
            .me()
            .presence()
            .get()
            .to_request()
            .expect("builds")
            .uri(),
        "http://127.0.0.1:8080/beta/me/presence"
    );
    assert_eq!(
        Client::new(token()).base_url(),
        "https://graph.microsoft.com/beta"
    );
    for bad in [
        "graph.microsoft.com/beta",
        "ftp://example.com",
        "",
        "https://",
    ] {
        assert!(
            matches!(
                Client::builder(token()).base_url(bad).build(),
                Err(Error::InvalidRequest(_))
            ),
            "{bad}"
        );
    }
}

#[test]
fn secrets_never_show_in_debug_output() {
    let client = Client::new(BearerToken::new("super-secret-token"));
    assert!(!format!("{client:?}").contains("super-secret"));
    assert!(!format!("{:?}", BearerToken::new("super-secret-token")).contains("super-secret"));
    assert!(!format!("{:?}", client.me().presence().get()).contains("super-secret"));
}

/// Ids that would address another resource if they were not encoded as one segment.
const HOSTILE_IDS: &[&str] = &[
    "../me",
    "..",
    ".",
    "a/b?c#d",
    "me/presence",
    "%2e%2e%2fme",
    "x y",
    "ü/ü",
    "a;b=c",
    "id?$select=x",
    "a\\b",
];

/// Builds a request with a hostile id and checks it stayed one segment at `position`.
fn assert_one_segment(
    request: Result<http::Request<Vec<u8>>, Error>,
    id: &str,
    prefix: &str,
    position: usize,
    what: &str,
) {
    let request = request.unwrap_or_else(|e| panic!("{what} with {id:?}: {e}"));
    let uri = request.uri();
    assert!(uri.path().starts_with(prefix), "{what} with {id:?}: {uri}");
    assert_eq!(
        uri.query(),
        None,
        "{what} with {id:?}: the id added a query: {uri}"
    );
    let segments: Vec<&str> = uri.path().split('/').collect();
    let decoded = percent_encoding::percent_decode_str(segments[position])
        .decode_utf8()
        .expect("UTF-8");
    assert_eq!(decoded, id, "{what}: {uri}");
}

#[test]
fn every_path_parameter_is_exactly_one_segment() {
    let c = client("beta");
    type Build = fn(&Client, &str) -> Result<http::Request<Vec<u8>>, Error>;
    // Every operation with a path parameter: /users/{user-id}/…, /communications/presences/{presence-id}/…
    // and /subscriptions/{subscription-id}/….
    let user_ops: &[(&str, Build)] = &[
        ("get", |c, id| {
            c.users().by_id(id).presence().get().to_request()
        }),
        ("setPresence", |c, id| {
            c.users()
                .by_id(id)
                .presence()
                .set_presence("Busy", "InACall")
                .to_request()
        }),
        ("clearPresence", |c, id| {
            c.users().by_id(id).presence().clear_presence().to_request()
        }),
        ("setUserPreferredPresence", |c, id| {
            c.users()
                .by_id(id)
                .presence()
                .set_user_preferred_presence("Busy", "Busy")
                .to_request()
        }),
        ("clearUserPreferredPresence", |c, id| {
            c.users()
                .by_id(id)
                .presence()
                .clear_user_preferred_presence()
                .to_request()
        }),
        ("setStatusMessage", |c, id| {
            c.users()
                .by_id(id)
                .presence()
                .set_status_message()
                .to_request()
        }),
        ("setAutomaticLocation", |c, id| {
            c.users()
                .by_id(id)
                .presence()
                .set_automatic_location("office")
                .to_request()
        }),
        ("setManualLocation", |c, id| {
            c.users()
                .by_id(id)
                .presence()
                .set_manual_location("remote")
                .to_request()
        }),
        ("clearAutomaticLocation", |c, id| {
            c.users()
                .by_id(id)
                .presence()
                .clear_automatic_location()
                .to_request()
        }),
        ("clearLocation", |c, id| {
            c.users().by_id(id).presence().clear_location().to_request()
        }),
    ];
    let presence_ops: &[(&str, Build)] = &[
        ("get", |c, id| {
            c.communications().presences().by_id(id).get().to_request()
        }),
        ("setAutomaticLocation", |c, id| {
            c.communications()
                .presences()
                .by_id(id)
                .set_automatic_location("office")
                .to_request()
        }),
        ("setManualLocation", |c, id| {
            c.communications()
                .presences()
                .by_id(id)
                .set_manual_location("office")
                .to_request()
        }),
        ("clearAutomaticLocation", |c, id| {
            c.communications()
                .presences()
                .by_id(id)
                .clear_automatic_location()
                .to_request()
        }),
        ("clearLocation", |c, id| {
            c.communications()
                .presences()
                .by_id(id)
                .clear_location()
                .to_request()
        }),
    ];
    let subscription_ops: &[(&str, Build)] = &[
        ("get subscription", |c, id| {
            c.subscriptions().by_id(id).get().to_request()
        }),
        ("update subscription", |c, id| {
            let expiry: graph_presence_models::Timestamp =
                "2026-03-20T11:00:00Z".parse().expect("RFC 3339");
            c.subscriptions().by_id(id).patch(expiry).to_request()
        }),
        ("delete subscription", |c, id| {
            c.subscriptions().by_id(id).delete().to_request()
        }),
        ("reauthorize", |c, id| {
            c.subscriptions().by_id(id).reauthorize().to_request()
        }),
    ];
    for id in HOSTILE_IDS {
        for (what, build) in subscription_ops {
            assert_one_segment(build(&c, id), id, "/beta/subscriptions/", 3, what);
        }
        for (what, build) in user_ops {
            assert_one_segment(build(&c, id), id, "/beta/users/", 3, what);
        }
        for (what, build) in presence_ops {
            assert_one_segment(
                build(&c, id),
                id,
                "/beta/communications/presences/",
                4,
                what,
            );
        }
    }
    for (what, build) in user_ops.iter().chain(presence_ops).chain(subscription_ops) {
        assert!(
            matches!(build(&c, ""), Err(Error::InvalidRequest(_))),
            "{what}: an empty id must be refused"
        );
    }
}

/// Reading responses needs no network either.
#[test]
fn responses_are_read_without_a_network() {
    let c = client("beta");
    let response = |status: u16, body: &str| {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .expect("valid")
    };
    let get = c.me().presence().get();
    let presence = get
        .parse_response(response(200, r#"{"id":"a","availability":"Busy"}"#))
        .expect("decodes");
    assert_eq!(presence.status(), 200);
    assert_eq!(presence.body().id, "a");
    let action = c.me().presence().clear_location();
    assert!(action.parse_response(response(204, "")).is_ok());
    assert!(action.parse_response(response(200, "")).is_ok());
    assert!(
        action.parse_response(response(200, "{}")).is_ok(),
        "a body on a no-body action is accepted"
    );
    let decode = get
        .parse_response(response(200, ""))
        .expect_err("empty body for a GET");
    assert!(matches!(decode, Error::Decode(_)), "{decode}");
}

/// `header(name, value)` adds a header to one request (`Prefer`, `ConsistencyLevel`), replacing
/// one the request would send; an invalid name or value is an error when built, which does not
/// repeat the value (it may be a secret).
#[test]
fn a_request_can_carry_headers_of_the_callers_choice() {
    let client = client("beta");
    let request = client
        .me()
        .presence()
        .get()
        .header("Prefer", "code=404")
        .header("ConsistencyLevel", "eventual")
        .header("accept", "application/json;odata.metadata=none")
        .to_request()
        .expect("builds");
    assert_eq!(request.headers()["prefer"], "code=404");
    assert_eq!(request.headers()["consistencylevel"], "eventual");
    assert_eq!(
        request.headers()["accept"],
        "application/json;odata.metadata=none"
    );
    let error = client
        .me()
        .presence()
        .get()
        .header("x-secret", "line\r\nInjected: yes")
        .to_request()
        .expect_err("refused");
    let text = error.to_string();
    assert!(matches!(error, Error::InvalidRequest(_)), "{text}");
    assert!(
        text.contains("`x-secret`") && !text.contains("Injected"),
        "{text}"
    );
    let bad_name = client
        .me()
        .presence()
        .get()
        .header("bad name", "x")
        .to_request();
    assert!(matches!(bad_name, Err(Error::InvalidRequest(_))));
}
