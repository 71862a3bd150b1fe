//! Sign-in: the scope each cloud asks for, the one token refresh after Graph refuses a token,
//! and the `azure_identity` adapter (with a fake `TokenCredential`) and its cache.

use azure_core::credentials::{self, TokenCredential, TokenRequestOptions};
use azure_core::time::{Duration as AzureDuration, OffsetDateTime};
use graph_presence_client::{
    AccessToken, ApiVersion, AzureCredential, BearerToken, Client, Cloud, Error, RetryPolicy,
    TokenFuture, TokenProvider,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PRESENCE: &str = r#"{"id":"a","availability":"Busy","activity":"InACall"}"#;
const INVALID_TOKEN: &str = r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}"#;

/// Hands out `token-0`, `token-1`… and records the scopes it was asked for and each
/// `invalidate`.
#[derive(Default)]
struct Recording {
    issued: AtomicUsize,
    scopes: Mutex<Vec<String>>,
    invalidated: AtomicUsize,
}

impl TokenProvider for Recording {
    fn token<'a>(&'a self, scope: &'a str) -> TokenFuture<'a> {
        let n = self.issued.fetch_add(1, Ordering::SeqCst);
        self.scopes
            .lock()
            .expect("not poisoned")
            .push(scope.to_owned());
        Box::pin(async move { Ok(AccessToken::new(format!("token-{n}"))) })
    }

    fn invalidate(&self) -> bool {
        self.invalidated.fetch_add(1, Ordering::SeqCst);
        true
    }
}

#[test]
fn each_cloud_has_its_host_and_its_scope() {
    for (cloud, base, scope) in [
        (
            Cloud::Global,
            "https://graph.microsoft.com/v1.0",
            "https://graph.microsoft.com/.default",
        ),
        (
            Cloud::UsGovernment,
            "https://graph.microsoft.us/v1.0",
            "https://graph.microsoft.us/.default",
        ),
        (
            Cloud::UsGovernmentDod,
            "https://dod-graph.microsoft.us/v1.0",
            "https://dod-graph.microsoft.us/.default",
        ),
        (
            Cloud::China,
            "https://microsoftgraph.chinacloudapi.cn/v1.0",
            "https://microsoftgraph.chinacloudapi.cn/.default",
        ),
    ] {
        let client = Client::builder(BearerToken::new("t"))
            .cloud(cloud)
            .version(ApiVersion::V1)
            .build()
            .expect("valid");
        assert_eq!(client.base_url(), base, "{cloud:?}");
        assert_eq!(client.scope(), scope, "{cloud:?}");
    }
    let default = Client::new(BearerToken::new("t"));
    assert_eq!(default.base_url(), "https://graph.microsoft.com/beta");
    assert_eq!(default.scope(), "https://graph.microsoft.com/.default");
    let proxied = Client::builder(BearerToken::new("t"))
        .base_url("https://graph-proxy.example.com/beta")
        .scope("https://graph.microsoft.com/.default")
        .build()
        .expect("valid");
    assert_eq!(proxied.scope(), "https://graph.microsoft.com/.default");
}

async fn client_with(server: &MockServer, provider: &Arc<Recording>) -> Client {
    tests::local_graph_as(&server.uri(), provider.clone())
        .retry(RetryPolicy::none())
        .build()
        .expect("valid")
}

#[tokio::test]
async fn a_refused_token_is_replaced_once_and_the_request_sent_again() {
    let server = MockServer::start().await;
    Mock::given(header("authorization", "Bearer token-0"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(INVALID_TOKEN, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PRESENCE, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let provider = Arc::new(Recording::default());
    // Even with retries off (and for a POST): a 401 means nothing was done.
    let presence = client_with(&server, &provider)
        .await
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect("the second token works");
    assert_eq!(presence.id, "a");
    assert_eq!(provider.invalidated.load(Ordering::SeqCst), 1);
    assert_eq!(
        *provider.scopes.lock().expect("not poisoned"),
        vec![format!("{}/.default", server.uri()); 2],
        "a local server's own origin is the scope"
    );
}

#[tokio::test]
async fn a_token_refused_twice_is_an_error_not_a_loop() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(INVALID_TOKEN, "application/json"))
        .expect(2)
        .mount(&server)
        .await;
    let provider = Arc::new(Recording::default());
    let error = client_with(&server, &provider)
        .await
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("refused twice");
    assert!(
        matches!(&error, Error::Api(e) if e.code == "InvalidAuthenticationToken"),
        "{error:?}"
    );
    assert_eq!(provider.invalidated.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn other_401s_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges."}}"#,
            "application/json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let provider = Arc::new(Recording::default());
    let error = client_with(&server, &provider)
        .await
        .me()
        .presence()
        .get()
        .send()
        .await
        .expect_err("denied");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(provider.invalidated.load(Ordering::SeqCst), 0);
}

/// A stand-in for an `azure_identity` credential: counts its calls, records the scopes, and
/// issues tokens valid for `lifetime`.
#[derive(Debug)]
struct FakeCredential {
    calls: AtomicUsize,
    scopes: Mutex<Vec<String>>,
    lifetime: AzureDuration,
}

impl FakeCredential {
    fn new(lifetime: AzureDuration) -> Arc<Self> {
        Arc::new(FakeCredential {
            calls: AtomicUsize::new(0),
            scopes: Mutex::new(Vec::new()),
            lifetime,
        })
    }
}

#[async_trait::async_trait]
impl TokenCredential for FakeCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<credentials::AccessToken> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        self.scopes
            .lock()
            .expect("not poisoned")
            .extend(scopes.iter().map(|s| (*s).to_owned()));
        Ok(credentials::AccessToken::new(
            format!("azure-{n}"),
            OffsetDateTime::now_utc() + self.lifetime,
        ))
    }
}

#[tokio::test]
async fn the_azure_adapter_asks_for_the_cloud_scope_and_caches_the_token() {
    let credential = FakeCredential::new(AzureDuration::hours(1));
    let adapter = AzureCredential::new(credential.clone());
    let scope = Cloud::China.scope();
    for _ in 0..3 {
        let token = adapter.token(&scope).await.expect("token");
        assert_eq!(token.secret(), "azure-0");
    }
    assert_eq!(credential.calls.load(Ordering::SeqCst), 1, "cached");
    assert_eq!(
        *credential.scopes.lock().expect("not poisoned"),
        vec!["https://microsoftgraph.chinacloudapi.cn/.default"]
    );
    // Another scope is another token; invalidating forgets the cached one.
    let other = adapter
        .token("https://graph.microsoft.com/.default")
        .await
        .expect("token");
    assert_eq!(other.secret(), "azure-1");
    adapter.invalidate();
    let fresh = adapter
        .token("https://graph.microsoft.com/.default")
        .await
        .expect("token");
    assert_eq!(fresh.secret(), "azure-2");
}

#[tokio::test]
async fn a_token_about_to_expire_is_not_reused() {
    // Two minutes left is inside the five-minute margin: every request gets a new token.
    let credential = FakeCredential::new(AzureDuration::minutes(2));
    let adapter = AzureCredential::new(credential.clone());
    for n in 0..3 {
        let token = adapter.token(&Cloud::Global.scope()).await.expect("token");
        assert_eq!(token.secret(), format!("azure-{n}"));
    }
    assert_eq!(credential.calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_client_refreshes_an_azure_token_that_graph_refuses() {
    let server = MockServer::start().await;
    Mock::given(header("authorization", "Bearer azure-0"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(INVALID_TOKEN, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(header("authorization", "Bearer azure-1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PRESENCE, "application/json"))
        .expect(2)
        .mount(&server)
        .await;
    let credential = FakeCredential::new(AzureDuration::hours(1));
    let client = Client::builder(AzureCredential::new(credential.clone()))
        .base_url(format!("{}/beta", server.uri()))
        .scope(Cloud::UsGovernment.scope())
        .build()
        .expect("valid");
    for _ in 0..2 {
        client.me().presence().get().send().await.expect("presence");
    }
    assert_eq!(
        credential.calls.load(Ordering::SeqCst),
        2,
        "one token, refused; one more, cached for the second request"
    );
    assert_eq!(
        credential.scopes.lock().expect("not poisoned")[0],
        "https://graph.microsoft.us/.default"
    );
}
