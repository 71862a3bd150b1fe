//! Permissions and the token endpoint.

use super::*;

#[test]
fn the_permission_hierarchy() {
    let names = [
        "Presence.Read",
        "Presence.Read.All",
        "Presence.ReadWrite",
        "Presence.ReadWrite.All",
    ];
    // Rows granted, columns required.
    let table = [
        [true, false, false, false],
        [true, true, false, false],
        [true, false, true, false],
        [true, true, true, true],
    ];
    for (granted, row) in names.iter().zip(table) {
        for (required, expected) in names.iter().zip(row) {
            assert_eq!(
                satisfies(granted, required),
                expected,
                "{granted} for {required}"
            );
        }
    }
    assert!(satisfies("presence.read.all", "Presence.Read"));
    assert!(!satisfies("User.Read", "Presence.Read"));
    assert!(satisfies("User.Read", "User.Read"));
}

#[test]
fn permissions_follow_the_operations_lists() {
    let allowed = |identity: &Identity, id: &str| check(identity, operation(id));

    // Delegated Presence.Read reads your own presence.
    assert!(allowed(&delegated(&["Presence.Read"]), "me_GetPresence").is_ok());
    // /me with an app-only token is a 400, whatever the roles.
    let failure = allowed(&app_only(&["Presence.ReadWrite.All"]), "me_GetPresence")
        .expect_err("/me is delegated only");
    assert_eq!(
        (failure.status().as_u16(), failure.code()),
        (400, "BadRequest")
    );
    assert_eq!(
        failure.message(),
        "/me request is only valid with delegated authentication flow."
    );

    // Presence subscriptions refuse application permissions.
    let failure = allowed(
        &app_only(&["Presence.Read.All"]),
        "subscription_CreateSubscription",
    )
    .expect_err("app-only subscriptions are not supported");
    assert_eq!(
        (failure.status().as_u16(), failure.code()),
        (403, "Forbidden")
    );
    assert!(
        failure
            .message()
            .starts_with("Application permissions are not supported")
    );
    assert!(
        allowed(
            &delegated(&["Presence.Read.All"]),
            "subscription_CreateSubscription"
        )
        .is_ok()
    );
    assert!(
        allowed(
            &delegated(&["Presence.Read"]),
            "subscription_CreateSubscription"
        )
        .is_err()
    );

    // getPresencesByUserId needs Read.All; Presence.Read is not enough.
    let failure = allowed(
        &delegated(&["Presence.Read"]),
        "communications_getPresencesByUserId",
    )
    .expect_err("Read.All needed");
    assert_eq!(
        (failure.status().as_u16(), failure.code()),
        (403, "Forbidden")
    );
    assert_eq!(
        failure.message(),
        "Insufficient privileges to complete the operation."
    );
    // A higher permission passes, delegated and application alike.
    for scopes in [&["Presence.Read.All"], &["Presence.ReadWrite.All"]] {
        assert!(allowed(&delegated(scopes), "communications_getPresencesByUserId").is_ok());
    }
    assert!(
        allowed(
            &app_only(&["Presence.ReadWrite.All"]),
            "communications_getPresencesByUserId"
        )
        .is_ok()
    );
    // Reading all does not let you write.
    assert!(
        allowed(
            &app_only(&["Presence.Read.All"]),
            "user.presence_setPresence"
        )
        .is_err()
    );
    assert!(
        allowed(
            &app_only(&["Presence.ReadWrite.All"]),
            "user.presence_setPresence"
        )
        .is_ok()
    );
    assert!(
        allowed(
            &delegated(&["Presence.Read.All"]),
            "me.presence_setPresence"
        )
        .is_err()
    );
    assert!(
        allowed(
            &delegated(&["Presence.ReadWrite"]),
            "me.presence_setPresence"
        )
        .is_ok()
    );
    // No scopes or roles at all.
    assert!(allowed(&delegated(&[]), "me_GetPresence").is_err());
    assert!(allowed(&app_only(&[]), "user_GetPresence").is_err());

    // An operation whose document states no permissions lets any verified token by.
    static UNSTATED: OperationInfo = OperationInfo {
        id: "unstated",
        method: "GET",
        path: "/unstated",
        permissions: None,
    };
    assert!(check(&app_only(&[]), &UNSTATED).is_ok());
}

#[test]
fn the_schemas_subscription_operations_state_the_presence_rule() {
    // Why no separate presence subscription check exists: the schema's subscription
    // operations already say delegated Presence.Read.All, application not supported.
    let subscriptions: Vec<_> = OPERATIONS
        .iter()
        .filter(|o| o.path.starts_with("/subscriptions"))
        .collect();
    assert_eq!(subscriptions.len(), 6);
    for operation in subscriptions {
        let permissions = operation.permissions.as_ref().expect("stated");
        assert_eq!(
            permissions.delegated,
            ["Presence.Read.All"],
            "{}",
            operation.id
        );
        assert!(permissions.application.is_empty(), "{}", operation.id);
    }
}

#[test]
fn me_needs_a_delegated_token_whatever_the_paths_form() {
    let app = app_only(&["Presence.Read.All"]);
    for path in [
        "/me",
        "/me/presence",
        "/beta/me/presence",
        "/v1.0/me?$select=id",
    ] {
        assert!(require_delegated_for_me(&app, path).is_err(), "{path}");
    }
    for path in [
        "/members",
        "/users/me/presence",
        "/metrics",
        "/beta/meetings",
    ] {
        assert!(require_delegated_for_me(&app, path).is_ok(), "{path}");
    }
    assert!(require_delegated_for_me(&delegated(&[]), "/me/presence").is_ok());
}

#[test]
fn the_token_endpoint_issues_app_only_tokens_by_client_credentials() {
    let mut authority = authority();
    let answer = authority
        .token_response(
            TENANT,
            &form(&[
                ("grant_type", "client_credentials"),
                ("client_id", APP_ID),
                ("client_secret", "any secret will do"),
                ("scope", "https://graph.microsoft.com/.default"),
            ]),
            now(),
        )
        .expect("a token");
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["expires_in"], 3600);
    let token = answer["access_token"].as_str().expect("a token");
    let identity = authority.verify(token, now()).expect("verifies");
    assert_eq!(
        identity,
        app_only(&["Presence.Read.All", "Presence.ReadWrite.All"])
    );

    // The configured secret, Graph named by its app id, a shorter lifetime.
    authority.set_token_lifetime(Duration::from_secs(600));
    let answer = authority
        .token_response(
            TENANT,
            &form(&[
                ("scope", "00000003-0000-0000-c000-000000000000/.default"),
                ("client_secret", SECRET),
                ("client_id", &LOCKED_APP_ID.to_uppercase()),
                ("grant_type", "client_credentials"),
            ]),
            now(),
        )
        .expect("a token");
    assert_eq!(answer["expires_in"], 600);
    let token = answer["access_token"].as_str().expect("a token");
    let identity = authority.verify(token, now()).expect("verifies");
    assert_eq!(identity.app_id, LOCKED_APP_ID);
    assert_eq!(identity.roles, ["Presence.Read.All"]);
    assert_eq!(identity.expires, at(600));
    assert_eq!(segment(token, 1)["app_displayname"], "Locked app");
}

#[test]
fn the_token_endpoint_refuses_with_entras_errors() {
    let authority = authority();
    let good = [
        ("grant_type", "client_credentials"),
        ("client_id", APP_ID),
        ("client_secret", "x"),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let with = |name: &str, value: Option<&str>| -> Vec<(String, String)> {
        let mut pairs: Vec<_> = good
            .iter()
            .filter(|(n, _)| *n != name)
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(value) = value {
            pairs.push((name.to_owned(), value.to_owned()));
        }
        pairs
    };
    let mut duplicated = form(&good);
    duplicated.push(("client_id".into(), LOCKED_APP_ID.into()));
    // (tenant, form, error, status, AADSTS code)
    type Case = (
        &'static str,
        Vec<(String, String)>,
        &'static str,
        u16,
        Option<u32>,
    );
    let cases: Vec<Case> = vec![
        (
            TENANT,
            with("grant_type", None),
            "invalid_request",
            400,
            Some(900144),
        ),
        (
            TENANT,
            with("grant_type", Some("password")),
            "unsupported_grant_type",
            400,
            Some(70003),
        ),
        (
            TENANT,
            with("client_id", None),
            "invalid_request",
            400,
            Some(900144),
        ),
        (
            TENANT,
            with("client_id", Some("no-such-app")),
            "unauthorized_client",
            400,
            Some(700016),
        ),
        (
            TENANT,
            with("client_secret", None),
            "invalid_client",
            401,
            Some(7000218),
        ),
        (
            TENANT,
            with("client_secret", Some("")),
            "invalid_client",
            401,
            Some(7000218),
        ),
        (
            TENANT,
            with("scope", None),
            "invalid_request",
            400,
            Some(900144),
        ),
        (
            TENANT,
            with("scope", Some("Presence.Read.All")),
            "invalid_scope",
            400,
            Some(1002012),
        ),
        (
            TENANT,
            with("scope", Some("https://graph.microsoft.com/.default openid")),
            "invalid_scope",
            400,
            Some(1002012),
        ),
        (
            TENANT,
            with("scope", Some("https://vault.azure.net/.default")),
            "invalid_resource",
            400,
            Some(500011),
        ),
        (TENANT, duplicated, "invalid_request", 400, None),
        ("common", form(&good), "invalid_request", 400, None),
        ("a/b", form(&good), "invalid_request", 400, Some(90002)),
    ];
    for (tenant, form, error, status, code) in cases {
        let refusal = authority
            .token_response(tenant, &form, now())
            .expect_err("refused");
        let context = format!("{tenant} {form:?}");
        assert_eq!(refusal.error(), error, "{context}");
        assert_eq!(refusal.status(), status, "{context}");
        let body = refusal.to_json();
        assert_eq!(body["error"], error, "{context}");
        assert_eq!(
            body.get("error_codes"),
            code.map(|c| json!([c])).as_ref(),
            "{context}"
        );
        if let Some(code) = code {
            let prefix = format!("AADSTS{code}: ");
            assert!(refusal.description().starts_with(&prefix), "{context}");
        }
        assert_eq!(body["timestamp"], "2026-12-01 09:00:00Z");
    }

    // A wrong secret for an app that has one; the secret is never repeated.
    let refusal = authority
        .token_response(
            TENANT,
            &form(&[
                ("grant_type", "client_credentials"),
                ("client_id", LOCKED_APP_ID),
                ("client_secret", "wrong-secret-value"),
                ("scope", "https://graph.microsoft.com/.default"),
            ]),
            now(),
        )
        .expect_err("refused");
    assert_eq!((refusal.error(), refusal.status()), ("invalid_client", 401));
    assert!(refusal.description().starts_with("AADSTS7000215: "));
    assert!(!refusal.to_string().contains("wrong-secret") && !refusal.to_string().contains(SECRET));

    // Hostile text is cut short and escaped.
    let hostile = format!("\u{1b}[31m{}", "x".repeat(100_000));
    let refusal = authority
        .token_response(TENANT, &with("client_id", Some(&hostile)), now())
        .expect_err("refused");
    assert!(refusal.description().len() < 600);
    assert!(!refusal.description().contains('\u{1b}'));
}

#[test]
fn an_apps_secret_never_shows() {
    let app = App::new(APP_ID, "App").secret("hunter2");
    let shown = format!("{app:?}");
    assert!(
        !shown.contains("hunter2") && shown.contains("redacted"),
        "{shown}"
    );
    let mut apps = Apps::new();
    apps.insert(app);
    assert!(!format!("{apps:?}").contains("hunter2"));
    assert_eq!(apps.iter().count(), 1);
    assert_eq!(
        apps.get(&APP_ID.to_uppercase()).map(App::granted),
        Some(
            &[
                "Presence.Read.All".to_owned(),
                "Presence.ReadWrite.All".to_owned()
            ][..]
        )
    );
}
