use super::*;
use graph_presence_server::OPERATIONS;

const BASE: &str = "http://127.0.0.1:4010";
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const APP_ID: &str = "6ab6b2ee-1ef8-4a1b-9a3c-8e1b0b4d0f7e";
const LOCKED_APP_ID: &str = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9";
const SECRET: &str = "s3cr3t~value";
const USER: &str = "2d9e1f3c-9d0e-4f5b-8f7f-0c7c2a3c4d5e";

fn now() -> Timestamp {
    "2026-12-01T09:00:00Z".parse().expect("a timestamp")
}

fn at(seconds_from_now: i64) -> Timestamp {
    now()
        .checked_add(SignedDuration::from_secs(seconds_from_now))
        .expect("in range")
}

/// An authority with two apps: one with the default permissions and no secret, one with a
/// secret and read permission only.
fn authority() -> Authority {
    let mut apps = Apps::new();
    apps.insert(App::new(APP_ID, "Presence dashboard"));
    apps.insert(
        App::new(LOCKED_APP_ID, "Locked app")
            .secret(SECRET)
            .application_permissions(["Presence.Read.All"]),
    );
    Authority::new(BASE, apps).expect("a key")
}

fn delegated(scopes: &[&str]) -> Identity {
    Identity {
        tenant: TENANT.into(),
        app_id: APP_ID.into(),
        user: Some(USER.into()),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        roles: Vec::new(),
        expires: at(3600),
    }
}

fn app_only(roles: &[&str]) -> Identity {
    Identity {
        user: None,
        scopes: Vec::new(),
        roles: roles.iter().map(|s| (*s).to_owned()).collect(),
        ..delegated(&[])
    }
}

fn operation(id: &str) -> &'static OperationInfo {
    OPERATIONS
        .iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("no operation {id}"))
}

fn segment(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).expect("a segment");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

fn delegated_token(authority: &Authority) -> String {
    authority.issue(
        &TokenRequest::delegated(TENANT, APP_ID, USER).scopes(["Presence.Read"]),
        now(),
    )
}

mod grants;
mod tokens;
