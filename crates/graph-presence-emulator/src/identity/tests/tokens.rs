//! Tokens: issued, verified, refused, published.

use super::*;

#[test]
fn an_issued_token_verifies_into_its_identity() {
    let authority = authority();
    let request =
        TokenRequest::delegated(TENANT, APP_ID, USER).scopes(["Presence.Read", "User.Read"]);
    let identity = authority
        .verify(&authority.issue(&request, now()), now())
        .expect("verifies");
    assert_eq!(identity, delegated(&["Presence.Read", "User.Read"]));
    assert!(identity.is_delegated());

    let request = TokenRequest::app_only(TENANT, APP_ID)
        .roles(["Presence.Read.All"])
        .scopes(["left.out"])
        .lifetime(Duration::from_secs(90 * 60));
    let identity = authority
        .verify(&authority.issue(&request, now()), at(60))
        .expect("verifies");
    assert_eq!(
        identity,
        Identity {
            expires: at(90 * 60),
            ..app_only(&["Presence.Read.All"])
        }
    );
    assert!(!identity.is_delegated());
}

#[test]
fn claims_are_entras_access_token_claims() {
    let authority = authority();
    let token = delegated_token(&authority);
    let header = segment(&token, 0);
    assert_eq!(
        header,
        json!({"typ": "JWT", "alg": "RS256", "kid": authority.keys().kid()})
    );
    let claims = segment(&token, 1);
    let issuer = format!("{BASE}/{TENANT}/v2.0");
    for (name, value) in [
        ("aud", json!("https://graph.microsoft.com")),
        ("iss", json!(issuer)),
        ("tid", json!(TENANT)),
        ("appid", json!(APP_ID)),
        ("azp", json!(APP_ID)),
        ("app_displayname", json!("Presence dashboard")),
        ("idtyp", json!("user")),
        ("oid", json!(USER)),
        ("sub", json!(USER)),
        ("scp", json!("Presence.Read")),
        ("iat", json!(now().as_second())),
        ("nbf", json!(now().as_second())),
        ("exp", json!(now().as_second() + 3600)),
        ("ver", json!("2.0")),
    ] {
        assert_eq!(claims[name], value, "{name}");
    }
    assert!(claims.get("roles").is_none());
    let uti = claims["uti"].as_str().expect("a uti");
    assert_eq!(uti.len(), 22);
    assert_eq!(claims["jti"], uti);
    let again = segment(&delegated_token(&authority), 1);
    assert_ne!(again["uti"], uti, "token ids are unique");

    let app = authority.issue(
        &TokenRequest::app_only(TENANT, APP_ID).roles(["Presence.Read.All"]),
        now(),
    );
    let claims = segment(&app, 1);
    assert_eq!(claims["idtyp"], "app");
    assert_eq!(claims["roles"], json!(["Presence.Read.All"]));
    assert_eq!(claims["sub"], APP_ID);
    assert!(claims.get("oid").is_none() && claims.get("scp").is_none());
}

#[test]
fn time_is_checked_with_five_minutes_of_skew() {
    let authority = authority();
    let token = delegated_token(&authority);
    let skew = 5 * 60;
    assert!(authority.verify(&token, at(3600 + skew - 1)).is_ok());
    assert_eq!(
        authority.verify(&token, at(3600 + skew)),
        Err(TokenError::Expired)
    );
    assert!(authority.verify(&token, at(-skew)).is_ok());
    assert_eq!(
        authority.verify(&token, at(-skew - 1)),
        Err(TokenError::NotYetValid)
    );
    assert_eq!(
        TokenError::Expired.message(),
        "Access token has expired or is not yet valid."
    );
}

/// A valid token's claims, changed by `change`, signed with the authority's key.
fn resigned(authority: &Authority, change: impl FnOnce(&mut Map<String, Value>)) -> String {
    let Value::Object(mut claims) = segment(&delegated_token(authority), 1) else {
        panic!("claims are an object");
    };
    change(&mut claims);
    authority.keys().sign(&Value::Object(claims))
}

#[test]
fn claims_that_do_not_fit_are_refused() {
    let authority = authority();
    let verify = |token: String| authority.verify(&token, now());
    let set = |name: &'static str, value: Value| {
        move |claims: &mut Map<String, Value>| {
            claims.insert(name.to_owned(), value);
        }
    };
    let remove = |name: &'static str| {
        move |claims: &mut Map<String, Value>| {
            claims.remove(name);
        }
    };

    assert_eq!(
        verify(resigned(&authority, set("aud", json!("api://another-app")))),
        Err(TokenError::Audience)
    );
    assert_eq!(
        verify(resigned(&authority, remove("aud"))),
        Err(TokenError::Audience)
    );
    // Graph's other names for itself pass.
    for aud in [
        json!(GRAPH_APP_ID),
        json!("https://graph.microsoft.com/"),
        json!(["api://another-app", "https://graph.microsoft.com"]),
    ] {
        assert!(verify(resigned(&authority, set("aud", aud))).is_ok());
    }

    let microsoft = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
    assert_eq!(
        verify(resigned(&authority, set("iss", json!(microsoft)))),
        Err(TokenError::Issuer)
    );
    let another_tenant = format!("{BASE}/another-tenant/v2.0");
    assert_eq!(
        verify(resigned(&authority, set("iss", json!(another_tenant)))),
        Err(TokenError::Issuer)
    );

    assert_eq!(
        verify(resigned(&authority, remove("exp"))),
        Err(TokenError::Malformed("no exp"))
    );
    assert_eq!(
        verify(resigned(&authority, set("exp", json!("tomorrow")))),
        Err(TokenError::Malformed("claims that are not base64url JSON"))
    );
    assert_eq!(
        verify(resigned(&authority, remove("tid"))),
        Err(TokenError::Malformed("no tid"))
    );
    assert_eq!(
        verify(resigned(&authority, remove("oid"))),
        Err(TokenError::Malformed("a delegated token without oid"))
    );
    assert_eq!(
        verify(resigned(&authority, set("azp", json!(LOCKED_APP_ID)))),
        Err(TokenError::Malformed("azp and appid differ"))
    );
    let no_app = resigned(&authority, |claims| {
        claims.remove("azp");
        claims.remove("appid");
    });
    assert_eq!(
        verify(no_app),
        Err(TokenError::Malformed("no azp or appid"))
    );
    // v1 tokens name the app in `appid` only.
    let v1 = verify(resigned(&authority, remove("azp"))).expect("verifies");
    assert_eq!(v1.app_id, APP_ID);
}

#[test]
fn tampered_tokens_are_refused() {
    let authority = authority();
    let token = delegated_token(&authority);
    let parts: Vec<&str> = token.split('.').collect();

    // A payload that grants more, under the original signature.
    let mut claims = segment(&token, 1);
    claims["scp"] = json!("Presence.ReadWrite.All");
    let forged = format!("{}.{}.{}", parts[0], b64_json(&claims), parts[2]);
    assert_eq!(authority.verify(&forged, now()), Err(TokenError::Signature));

    // One bit of the signature flipped.
    let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("base64url");
    signature[100] ^= 1;
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode(signature)
    );
    assert_eq!(authority.verify(&forged, now()), Err(TokenError::Signature));

    // Another authority's token, and another key claiming this authority's kid.
    let other = Authority::new(BASE, Apps::new()).expect("a key");
    assert_eq!(
        authority.verify(&delegated_token(&other), now()),
        Err(TokenError::UnknownKey)
    );
    let header = json!({"typ": "JWT", "alg": "RS256", "kid": authority.keys().kid()});
    let forged = other.keys().sign_with_header(&header, &segment(&token, 1));
    assert_eq!(authority.verify(&forged, now()), Err(TokenError::Signature));
}

#[test]
fn only_rs256_with_this_authoritys_key_is_accepted() {
    let authority = authority();
    let token = delegated_token(&authority);
    let claims = segment(&token, 1);
    let kid = authority.keys().kid();

    let none = format!(
        "{}.{}.",
        b64_json(&json!({"typ": "JWT", "alg": "none"})),
        b64_json(&claims)
    );
    assert_eq!(authority.verify(&none, now()), Err(TokenError::Algorithm));

    // HS256 keyed with the public key's bytes: the classic algorithm confusion.
    let input = format!(
        "{}.{}",
        b64_json(&json!({"typ": "JWT", "alg": "HS256", "kid": kid})),
        b64_json(&claims)
    );
    let jwks = authority.jwks(TENANT);
    let key = aws_lc_rs::hmac::Key::new(
        aws_lc_rs::hmac::HMAC_SHA256,
        jwks["keys"][0]["n"].as_str().expect("n").as_bytes(),
    );
    let mac = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    let hs256 = format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.as_ref()));
    assert_eq!(authority.verify(&hs256, now()), Err(TokenError::Algorithm));

    for header in [
        json!({"typ": "JWT", "alg": "RS256", "kid": "another-key"}),
        json!({"typ": "JWT", "alg": "RS256"}),
    ] {
        let token = authority.keys().sign_with_header(&header, &claims);
        assert_eq!(authority.verify(&token, now()), Err(TokenError::UnknownKey));
    }
    let critical = json!({"alg": "RS256", "kid": kid, "crit": ["exp"]});
    let token = authority.keys().sign_with_header(&critical, &claims);
    assert_eq!(
        authority.verify(&token, now()),
        Err(TokenError::Malformed("critical header parameters"))
    );
}

#[test]
fn malformed_tokens_are_refused_and_never_repeated() {
    let authority = authority();
    assert_eq!(authority.verify("", now()), Err(TokenError::Empty));
    assert_eq!(authority.verify("  ", now()), Err(TokenError::Empty));
    assert_eq!(TokenError::Empty.message(), "Access token is empty.");

    let valid = delegated_token(&authority);
    let (header, rest) = valid.split_once('.').expect("dots");
    let duplicate_alg = format!(
        "{}.{rest}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","alg":"none"}"#)
    );
    let cases = [
        (
            "secret-opaque-token-value".to_owned(),
            "not three dot-separated parts",
        ),
        (format!("{valid}.extra"), "not three dot-separated parts"),
        (
            format!("!!{header}.{rest}"),
            "a header that is not base64url JSON",
        ),
        (duplicate_alg, "a header that is not base64url JSON"),
        (format!("{valid}~"), "a signature that is not base64url"),
        ("x".repeat(MAX_TOKEN_LEN + 1), "longer than 16 KiB"),
    ];
    for (token, reason) in cases {
        let error = authority.verify(&token, now()).expect_err("refused");
        assert_eq!(error, TokenError::Malformed(reason));
        let message = error.failure().message().to_owned();
        assert!(message.len() < 200, "{message}");
        assert!(!message.contains("secret-opaque") && !message.contains(header));
    }
}

#[test]
fn the_published_key_set_verifies_the_tokens() {
    use graph_presence_notifications::{
        GRAPH_CHANGE_TRACKING_APP_ID, JwkSet, ValidationTokenRules,
    };
    let authority = authority();
    let jwks = authority.jwks(TENANT);

    // With the notifications crate's verifier, as Graph's validation tokens are checked:
    // app-only for Graph's change-tracking app, the audience standing for the app.
    let keys = JwkSet::from_json(&serde_json::to_vec(&jwks).expect("JSON")).expect("a JWKS");
    assert_eq!(keys.key_ids().collect::<Vec<_>>(), [authority.keys().kid()]);
    let token = authority.issue(
        &TokenRequest::app_only(TENANT, GRAPH_CHANGE_TRACKING_APP_ID),
        now(),
    );
    let rules = ValidationTokenRules::new(GRAPH_AUDIENCE, TENANT)
        .also_issuer(format!("{BASE}/{{tenantid}}/v2.0"))
        .expect("an issuer form");
    let verified = rules.verify(&token, &keys, now()).expect("verifies");
    assert_eq!(verified.tenant_id, TENANT);
    assert_eq!(verified.expires_at, at(3600));

    // With aws-lc-rs directly, from the document's `n` and `e`.
    let jwk = &jwks["keys"][0];
    assert_eq!(
        (&jwk["kty"], &jwk["use"], &jwk["e"]),
        (&json!("RSA"), &json!("sig"), &json!("AQAB"))
    );
    let number = |name: &str| {
        URL_SAFE_NO_PAD
            .decode(jwk[name].as_str().expect("a string"))
            .expect("base64url")
    };
    let (n, e) = (number("n"), number("e"));
    assert_eq!(n.len(), 256, "RSA-2048");
    let token = delegated_token(&authority);
    let (signed, signature) = token.rsplit_once('.').expect("dots");
    RsaPublicKeyComponents { n: &n, e: &e }
        .verify(
            &RSA_PKCS1_2048_8192_SHA256,
            signed.as_bytes(),
            &URL_SAFE_NO_PAD.decode(signature).expect("base64url"),
        )
        .expect("the signature verifies with the published key");

    // The kid is the key's RFC 7638 thumbprint.
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        jwk["e"].as_str().expect("e"),
        jwk["n"].as_str().expect("n")
    );
    let thumbprint = URL_SAFE_NO_PAD.encode(digest(&SHA256, canonical.as_bytes()));
    assert_eq!(jwk["kid"], thumbprint);
}

#[test]
fn the_public_numbers_are_read_from_der_and_junk_is_not() {
    // SEQUENCE { INTEGER 0x00ff (a leading zero), INTEGER 3 }, then long-form lengths.
    assert_eq!(
        rsa_public_numbers(&[0x30, 0x07, 0x02, 0x02, 0x00, 0xff, 0x02, 0x01, 0x03]),
        Some((vec![0xff], vec![0x03]))
    );
    assert_eq!(
        rsa_public_numbers(&[0x30, 0x81, 0x07, 0x02, 0x81, 0x01, 0x07, 0x02, 0x01, 0x03]),
        Some((vec![0x07], vec![0x03]))
    );
    for junk in [
        &[][..],
        &[0x30],
        &[0x30, 0x05, 0x02, 0x01],
        &[0x31, 0x03, 0x02, 0x01, 0x03],
        &[0x30, 0x06, 0x02, 0x01, 0x07, 0x02, 0x01, 0x03, 0x00],
        &[0x30, 0x85, 0, 0, 0, 0, 0],
    ] {
        assert_eq!(rsa_public_numbers(junk), None, "{junk:?}");
    }
}

#[test]
fn discovery_documents_use_microsofts_url_shapes() {
    let authority = Authority::new(&format!("{BASE}/"), Apps::new()).expect("a key");
    let config = authority.openid_configuration(TENANT);
    assert_eq!(config["issuer"], format!("{BASE}/{TENANT}/v2.0"));
    assert_eq!(
        config["jwks_uri"],
        format!("{BASE}/{TENANT}/discovery/v2.0/keys")
    );
    assert_eq!(
        config["token_endpoint"],
        format!("{BASE}/{TENANT}/oauth2/v2.0/token")
    );
    assert_eq!(
        config["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(
        authority.openid_configuration_uri(TENANT),
        format!("{BASE}/{TENANT}/v2.0/.well-known/openid-configuration")
    );
    assert_eq!(config["jwks_uri"], authority.jwks_uri(TENANT));
    assert_eq!(config["token_endpoint"], authority.token_endpoint(TENANT));
    assert_eq!(
        authority.jwks(TENANT)["keys"][0]["issuer"],
        authority.issuer(TENANT)
    );
}

#[test]
fn authentication_failures_are_graphs_401() {
    let authority = authority();
    let failure = authority.authenticate(None, now()).expect_err("no token");
    assert_eq!(failure.status(), 401);
    assert_eq!(failure.code(), "InvalidAuthenticationToken");
    assert_eq!(failure.message(), "Access token is empty.");
    let challenge = failure.headers()[http::header::WWW_AUTHENTICATE]
        .to_str()
        .expect("text");
    assert!(
        challenge.starts_with("Bearer ") && challenge.contains(BASE),
        "{challenge}"
    );

    let token = delegated_token(&authority);
    let failure = authority
        .authenticate(Some(&token), at(2 * 3600))
        .expect_err("expired");
    assert_eq!(
        failure.message(),
        "Access token has expired or is not yet valid."
    );
    let identity = authority
        .authenticate(Some(&token), now())
        .expect("verifies");
    assert_eq!(identity.user.as_deref(), Some(USER));
}
