//! Paging against a local server: pages and items in order, the end of the pages, links to
//! other origins refused without a request, loops, a throttled and a failed page, a POST
//! action's next pages (GETs, with the token), headers kept, relative links, and bulk presence
//! answered in pages. Retry waits go through a fake clock.

use graph_presence_client::{BearerToken, Client, Error, NextLinkProblem, Pageable};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tests::FakeClock;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const LIST: &str = "/beta/communications/presences";
const ACTION: &str = "/beta/communications/getPresencesByUserId";

fn presence(id: &str) -> Value {
    json!({"id": id, "availability": "Busy", "activity": "InACall"})
}

/// One page: its presences and its next link (`None`: absent).
fn page(ids: &[&str], next: Option<String>) -> Value {
    let mut body = json!({ "value": ids.iter().map(|id| presence(id)).collect::<Vec<_>>() });
    if let Some(next) = next {
        body["@odata.nextLink"] = json!(next);
    }
    body
}

/// Answers by `$skiptoken` (none: the first page) with the page given for it, or with a
/// status of its own for a number of times first; records every request.
#[derive(Clone, Default)]
struct Paged {
    pages: Arc<BTreeMap<String, Value>>,
    /// `$skiptoken` → statuses to answer with before the page (each used once).
    failures: Arc<Mutex<BTreeMap<String, Vec<u16>>>>,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl Paged {
    fn new(pages: &[(&str, Value)]) -> Self {
        Paged {
            pages: Arc::new(
                pages
                    .iter()
                    .map(|(token, body)| ((*token).to_owned(), body.clone()))
                    .collect(),
            ),
            ..Paged::default()
        }
    }

    fn failing(self, token: &str, statuses: &[u16]) -> Self {
        self.failures
            .lock()
            .expect("not poisoned")
            .insert(token.to_owned(), statuses.to_vec());
        self
    }

    fn seen(&self) -> Vec<Request> {
        self.seen.lock().expect("not poisoned").clone()
    }

    /// Each request's method and path with query.
    fn requests(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|r| {
                let query = r.url.query().map(|q| format!("?{q}")).unwrap_or_default();
                format!("{} {}{query}", r.method, r.url.path())
            })
            .collect()
    }
}

fn skiptoken(request: &Request) -> String {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == "$skiptoken")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

impl Respond for Paged {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.seen
            .lock()
            .expect("not poisoned")
            .push(request.clone());
        let token = skiptoken(request);
        let failure = self
            .failures
            .lock()
            .expect("not poisoned")
            .get_mut(&token)
            .and_then(|statuses| (!statuses.is_empty()).then(|| statuses.remove(0)));
        if let Some(status) = failure {
            return ResponseTemplate::new(status)
                .insert_header("Retry-After", "1")
                .set_body_raw(
                    r#"{"error":{"code":"TooManyRequests","message":"Please retry."}}"#,
                    "application/json",
                );
        }
        match self.pages.get(&token) {
            Some(body) => ResponseTemplate::new(200).set_body_json(body),
            None => ResponseTemplate::new(404),
        }
    }
}

async fn serve(server: &MockServer, route: &str, paged: &Paged) {
    Mock::given(path(route))
        .respond_with(paged.clone())
        .mount(server)
        .await;
}

fn client(server: &MockServer, clock: &FakeClock) -> Client {
    tests::local_client(&server.uri(), clock)
}

/// A link to page `token` of the list on `server`.
fn link(server: &MockServer, token: &str) -> String {
    format!("{}{LIST}?$skiptoken={token}", server.uri())
}

fn ids(presences: &[graph_presence_models::Presence]) -> Vec<&str> {
    presences.iter().map(|p| p.id.as_str()).collect()
}

/// Three pages, the last with a `null` link.
async fn three_pages() -> (MockServer, Paged) {
    let server = MockServer::start().await;
    let mut last = page(&["e"], None);
    last["@odata.nextLink"] = Value::Null;
    let mut first = page(&["a", "b"], Some(link(&server, "p2")));
    first["@odata.count"] = json!(5);
    let paged = Paged::new(&[
        ("", first),
        ("p2", page(&["c", "d"], Some(link(&server, "p3")))),
        ("p3", last),
    ]);
    serve(&server, LIST, &paged).await;
    (server, paged)
}

#[tokio::test]
async fn pages_come_in_order_whole_and_end_without_a_link() {
    let (server, paged) = three_pages().await;
    let client = client(&server, &FakeClock::new());
    let mut pages = client
        .communications()
        .presences()
        .get()
        .filter("id in ('a','b','c','d','e')")
        .pages();
    let mut seen = Vec::new();
    while let Some(page) = pages.next().await {
        seen.push(page.expect("a page"));
    }
    assert!(pages.next().await.is_none(), "the end stays the end");
    let per_page: Vec<Vec<&str>> = seen
        .iter()
        .map(|p| ids(p.value.as_deref().unwrap_or_default()))
        .collect();
    assert_eq!(per_page, [vec!["a", "b"], vec!["c", "d"], vec!["e"]]);
    // A page is the whole value: what the schema does not name is kept.
    let count = seen[0]
        .additional_properties
        .get("@odata.count")
        .map(|c| c.get().to_owned());
    assert_eq!(count.as_deref(), Some("5"));
    let requests = paged.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests[0].starts_with("GET /beta/communications/presences?$filter="));
    assert_eq!(
        requests[1..],
        [
            "GET /beta/communications/presences?$skiptoken=p2",
            "GET /beta/communications/presences?$skiptoken=p3"
        ]
    );
    for request in paged.seen() {
        assert_eq!(request.headers["authorization"], "Bearer t");
    }
}

#[tokio::test]
async fn items_are_every_page_flattened_in_order() {
    let (server, _) = three_pages().await;
    let client = client(&server, &FakeClock::new());
    let all = client
        .communications()
        .presences()
        .get()
        .items()
        .collect_all()
        .await
        .expect("every page");
    assert_eq!(ids(&all), ["a", "b", "c", "d", "e"]);
    // The same through the `Stream` trait, with a stream library.
    use futures_util::StreamExt;
    let streamed: Vec<String> = client
        .communications()
        .presences()
        .get()
        .items()
        .map(|p| p.expect("an item").id)
        .collect()
        .await;
    assert_eq!(streamed, ["a", "b", "c", "d", "e"]);
}

/// The streams can be moved to another task.
#[tokio::test]
async fn pages_can_be_spawned() {
    let (server, _) = three_pages().await;
    let client = client(&server, &FakeClock::new());
    let items = client.communications().presences().get().items();
    let all = tokio::spawn(items.collect_all())
        .await
        .expect("the task ends")
        .expect("every page");
    assert_eq!(all.len(), 5);
    let pages = client.communications().presences().get().pages();
    let count = tokio::spawn(async move { pages.collect_all().await.map(|p| p.len()) });
    assert_eq!(count.await.expect("the task ends").expect("every page"), 3);
}

/// The first page, then a next link that must not be followed: one page, one error, the end,
/// and no request beyond the first.
async fn refused(next: String) -> (Error, Paged) {
    let server = MockServer::start().await;
    let paged = Paged::new(&[("", page(&["a"], Some(next))), ("p2", page(&["b"], None))]);
    serve(&server, LIST, &paged).await;
    let client = client(&server, &FakeClock::new());
    let mut items = client.communications().presences().get().items();
    assert_eq!(items.next().await.expect("an item").expect("a").id, "a");
    let error = items
        .next()
        .await
        .expect("an error")
        .expect_err("not followed");
    assert!(items.next().await.is_none());
    (error, paged)
}

fn problem(error: &Error) -> (&str, &NextLinkProblem) {
    match error {
        Error::NextLink(e) => (e.link.as_str(), &e.problem),
        other => panic!("not a next-link error: {other:?}"),
    }
}

#[tokio::test]
async fn a_link_to_another_origin_is_refused_without_a_request() {
    let other = MockServer::start().await;
    let elsewhere = Paged::new(&[("p2", page(&["b"], None))]);
    serve(&other, LIST, &elsewhere).await;
    let port = |s: &MockServer| s.address().port();
    let other_port = port(&other);
    // Another port (a server that would answer), another host name for the same address,
    // another scheme, and a scheme-relative link to another host: each refused, nothing sent.
    let candidates = [
        format!("http://127.0.0.1:{other_port}{LIST}?$skiptoken=p2"),
        "http://localhost:{PORT}/beta/communications/presences?$skiptoken=p2".to_owned(),
        "https://127.0.0.1:{PORT}/beta/communications/presences?$skiptoken=p2".to_owned(),
        "//evil.example/beta/communications/presences?$skiptoken=p2".to_owned(),
    ];
    for candidate in candidates {
        let server = MockServer::start().await;
        let next = candidate.replace("{PORT}", &port(&server).to_string());
        let paged = Paged::new(&[
            ("", page(&["a"], Some(next.clone()))),
            ("p2", page(&["b"], None)),
        ]);
        serve(&server, LIST, &paged).await;
        let client = client(&server, &FakeClock::new());
        let mut items = client.communications().presences().get().items();
        assert_eq!(items.next().await.expect("an item").expect("a").id, "a");
        let error = items.next().await.expect("an error").expect_err("refused");
        assert!(items.next().await.is_none());
        assert_eq!(
            problem(&error),
            (next.as_str(), &NextLinkProblem::ForeignOrigin)
        );
        assert_eq!(paged.requests().len(), 1, "{next}: only the first page");
        assert!(error.to_string().contains("origin"), "{error}");
        assert_eq!(error.status(), None);
    }
    assert!(
        elsewhere.requests().is_empty(),
        "nothing went to the other port"
    );
}

#[tokio::test]
async fn a_link_that_is_not_a_url_is_an_error_cut_in_its_message() {
    let long = format!("http://[::1{}", "x".repeat(5_000));
    let (error, paged) = refused(long.clone()).await;
    let (link, problem) = problem(&error);
    assert_eq!(link, long, "the whole link is kept");
    assert!(
        matches!(problem, NextLinkProblem::Invalid(_)),
        "{problem:?}"
    );
    let message = error.to_string();
    assert!(message.len() < 600, "{} bytes", message.len());
    assert_eq!(paged.requests().len(), 1);
    // A link with control characters is escaped in the message.
    let (error, _) = refused("http://evil.example/\r\nX-Injected: 1".to_owned()).await;
    assert!(!error.to_string().contains('\n'), "{error}");
}

#[tokio::test]
async fn a_link_fetched_already_is_a_loop_not_an_endless_stream() {
    let server = MockServer::start().await;
    let paged = Paged::new(&[
        ("", page(&["a"], Some(link(&server, "p2")))),
        ("p2", page(&["b"], Some(link(&server, "p3")))),
        // Back to page 2.
        ("p3", page(&["c"], Some(link(&server, "p2")))),
    ]);
    serve(&server, LIST, &paged).await;
    let client = client(&server, &FakeClock::new());
    let mut items = client.communications().presences().get().items();
    let mut got = Vec::new();
    let mut errors = Vec::new();
    while let Some(item) = items.next().await {
        match item {
            Ok(p) => got.push(p.id),
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(got, ["a", "b", "c"]);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        problem(&errors[0]),
        (link(&server, "p2").as_str(), &NextLinkProblem::Repeated)
    );
    assert_eq!(paged.requests().len(), 3);
}

#[tokio::test]
async fn a_throttled_page_is_retried_and_the_stream_goes_on() {
    let (server, paged) = three_pages().await;
    let paged = paged.failing("p2", &[429]);
    let clock = FakeClock::new();
    let client = client(&server, &clock);
    let all = client
        .communications()
        .presences()
        .get()
        .items()
        .collect_all()
        .await
        .expect("the retry succeeds");
    assert_eq!(ids(&all), ["a", "b", "c", "d", "e"]);
    assert_eq!(clock.sleeps(), [Duration::from_secs(1)]);
    let seen = paged.seen();
    assert_eq!(seen.len(), 4);
    assert_eq!(skiptoken(&seen[2]), "p2");
    assert_eq!(seen[2].headers["retry-attempt"], "1");
}

#[tokio::test]
async fn a_failed_page_is_one_error_then_the_end() {
    let (server, paged) = three_pages().await;
    let _ = paged.failing("p2", &[500, 500, 500]);
    let client = client(&server, &FakeClock::new());
    let mut items = client.communications().presences().get().items();
    let mut got = Vec::new();
    while let Some(Ok(p)) = items.next().await {
        got.push(p.id);
    }
    assert_eq!(got, ["a", "b"]);
    assert!(items.next().await.is_none(), "nothing after the error");
    let mut pages = client.communications().presences().get().pages();
    assert!(pages.next().await.expect("page 1").is_ok());
    let error = pages.next().await.expect("page 2").expect_err("500");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(pages.next().await.is_none());
    // `collect_all` gives the error.
    let all = client
        .communications()
        .presences()
        .get()
        .items()
        .collect_all()
        .await;
    assert!(
        matches!(all, Err(Error::UnexpectedBody(_) | Error::Api(_))),
        "{all:?}"
    );
}

/// getPresencesByUserId answering in two pages: `a`, `b`, then `c`.
async fn action_in_two_pages() -> (MockServer, Paged) {
    let server = MockServer::start().await;
    let next = format!("{}{ACTION}?$skiptoken=p2", server.uri());
    let paged = Paged::new(&[
        ("", page(&["a", "b"], Some(next))),
        ("p2", page(&["c"], None)),
    ]);
    serve(&server, ACTION, &paged).await;
    (server, paged)
}

#[tokio::test]
async fn the_action_follows_its_links_with_get_and_the_token() {
    let (server, paged) = action_in_two_pages().await;
    let client = client(&server, &FakeClock::new());
    let all = client
        .communications()
        .get_presences_by_user_id(["a", "b", "c"])
        .client_request_id("7e9b3a6c-0000-4000-8000-0000000000aa")
        .items()
        .collect_all()
        .await
        .expect("both pages");
    assert_eq!(ids(&all), ["a", "b", "c"]);
    let seen = paged.seen();
    assert_eq!(
        paged.requests(),
        [
            "POST /beta/communications/getPresencesByUserId",
            "GET /beta/communications/getPresencesByUserId?$skiptoken=p2"
        ]
    );
    assert_eq!(tests::requested_ids(&seen[0].body), ["a", "b", "c"]);
    let second = &seen[1];
    assert!(second.body.is_empty(), "a GET carries no body");
    assert!(second.headers.get("content-type").is_none());
    assert_eq!(second.headers["authorization"], "Bearer t");
    // A client-request-id the caller chose goes with every page.
    for request in &seen {
        assert_eq!(
            request.headers["client-request-id"],
            "7e9b3a6c-0000-4000-8000-0000000000aa"
        );
    }
}

#[tokio::test]
async fn bulk_presence_follows_each_chunks_pages() {
    let (server, paged) = action_in_two_pages().await;
    let client = client(&server, &FakeClock::new());
    let result = client.presences_of(["a", "b", "c", "d"]).send().await;
    assert!(result.is_complete());
    assert!(result.get("c").is_some(), "the second page's presence");
    assert_eq!(result.missing, ["d"]);
    assert_eq!(paged.requests().len(), 2);
}

mod fixture {
    //! The `paging` fixture's client: AutoRest's own names (`nextLink`, `entries`), a relative
    //! link, and header parameters kept on every page.

    use super::*;
    use tests::fixtures::paging::client::Client;

    fn client(server: &MockServer) -> Client {
        Client::builder(BearerToken::new("t"))
            .base_url(format!("{}/v1", server.uri()))
            .clock(FakeClock::new())
            .build()
            .expect("valid")
    }

    #[tokio::test]
    async fn x_ms_pageable_names_and_a_relative_link() {
        let server = MockServer::start().await;
        let paged = Paged::new(&[
            (
                "",
                json!({"entries": [{"id": "s1"}], "nextLink": "subscriptions?$skiptoken=p2"}),
            ),
            ("p2", json!({"entries": [{"id": "s2"}, {"id": "s3"}]})),
        ]);
        serve(&server, "/v1/subscriptions", &paged).await;
        let all = client(&server)
            .subscriptions()
            .get()
            .items_query(2)
            .items()
            .collect_all()
            .await
            .expect("both pages");
        let ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["s1", "s2", "s3"]);
        assert_eq!(
            paged.requests(),
            [
                "GET /v1/subscriptions?items=2",
                "GET /v1/subscriptions?$skiptoken=p2"
            ]
        );
    }

    #[tokio::test]
    async fn next_pages_keep_the_requests_headers() {
        let server = MockServer::start().await;
        let next = format!("{}/v1/users?$skiptoken=p2", server.uri());
        let paged = Paged::new(&[
            (
                "",
                json!({"value": [{"id": "u1"}], "@odata.count": 2, "@odata.nextLink": next}),
            ),
            ("p2", json!({"value": [{"id": "u2"}], "@odata.count": 2})),
        ]);
        serve(&server, "/v1/users", &paged).await;
        let pages = client(&server)
            .users()
            .get()
            .count(true)
            .consistency_level("eventual")
            .pages()
            .collect_all()
            .await
            .expect("both pages");
        assert_eq!(pages.len(), 2);
        // The count is a property of the schema here (Graph's base collection type).
        assert_eq!(pages[0].odata_count.as_option(), Some(&2));
        for request in paged.seen() {
            assert_eq!(request.headers["consistencylevel"], "eventual");
        }
    }

    /// The facts the generated code states, read through the trait.
    #[test]
    fn the_trait_reads_the_declared_fields() {
        use tests::fixtures::paging::{Subscription, SubscriptionPage};
        type Request = tests::fixtures::paging::client::ListSubscriptionsRequest;
        let page = SubscriptionPage::new(vec![Subscription::new("s1")])
            .next_link("https://api.example.com/v1/subscriptions?$skiptoken=2");
        assert_eq!(
            <Request as Pageable>::next_link(&page),
            Some("https://api.example.com/v1/subscriptions?$skiptoken=2")
        );
        let items = <Request as Pageable>::items(page);
        assert_eq!(items.len(), 1);
    }
}
