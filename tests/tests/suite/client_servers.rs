//! The default base URL comes from the document's `servers` (`fixtures/valid/servers.yaml`,
//! `servers_relative.yaml`): the first server with its variables' defaults, or none at all,
//! and then `build` asks for one.

use tests::fixtures::servers::client::{BearerToken, Client, Error, Operation};
use tests::fixtures::servers_relative::client::Client as RelativeClient;

#[test]
fn the_first_server_with_its_variable_defaults_is_the_default_base_url() {
    let client = Client::new(BearerToken::new("t"));
    assert_eq!(client.base_url(), "https://eu.api.example.com/v2");
    let request = client.widgets().get().to_request().expect("builds");
    assert_eq!(
        request.uri().to_string(),
        "https://eu.api.example.com/v2/widgets"
    );
    let built = Client::builder(BearerToken::new("t"))
        .build()
        .expect("an https default");
    assert_eq!(built.base_url(), "https://eu.api.example.com/v2");
}

/// A path's or operation's own server is a warning (see the fixture's snapshot): its requests
/// go to the client's base URL, which the user can change.
#[test]
fn other_servers_are_reached_by_setting_the_base_url() {
    let client = Client::builder(BearerToken::new("t"))
        .base_url("https://reports.example.com/v1")
        .build()
        .expect("valid base URL");
    let request = client.reports().get().to_request().expect("builds");
    assert_eq!(
        request.uri().to_string(),
        "https://reports.example.com/v1/reports"
    );
}

#[test]
fn without_a_usable_server_build_asks_for_a_base_url() {
    let error = RelativeClient::builder(BearerToken::new("t"))
        .build()
        .map(|_| ());
    assert!(
        matches!(&error, Err(Error::InvalidRequest(m)) if m.contains("no base URL")),
        "{error:?}"
    );
    let client = RelativeClient::builder(BearerToken::new("t"))
        .base_url("https://petstore.example.com/api/v3")
        .build()
        .expect("valid base URL");
    let request = client.pets().get().to_request().expect("builds");
    assert_eq!(
        request.uri().to_string(),
        "https://petstore.example.com/api/v3/pets"
    );
}
