//! Validation tokens signed here with test keys the way the identity platform signs them:
//! the valid ones accepted, each invalid one refused with its own error.

use std::sync::OnceLock;
use std::time::Duration;

use crate::support::*;
use graph_presence_notifications::{Error, JwkSet, ValidationTokenRules, VerifiedToken};
use jiff::Timestamp;
use serde_json::{Value, json};

/// 2025-06-02T10:00:00Z, the fixed "now" of these tests.
const NOW: i64 = 1_748_858_400;

fn now() -> Timestamp {
    Timestamp::from_second(NOW).expect("time")
}

fn signer() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::new("JYhAcTPMZ_LX6DBlOWQ7Hn0NeXE"))
}

fn intruder() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::new("JYhAcTPMZ_LX6DBlOWQ7Hn0NeXE"))
}

/// Microsoft's published set: another current key beside the signer's.
fn key_set() -> JwkSet {
    static KEYS: OnceLock<JwkSet> = OnceLock::new();
    KEYS.get_or_init(|| {
        let other = SigningKey::new("CNv0OI3RwqlHFEVnaoMAshCH2XE");
        JwkSet::from_json(&jwks(&[&other, signer()])).expect("jwks")
    })
    .clone()
}

fn rules() -> ValidationTokenRules {
    ValidationTokenRules::new(APP_ID, TENANT_ID)
}

fn verify(token: &str) -> Result<VerifiedToken, Error> {
    rules().verify(token, &key_set(), now())
}

fn with(claims_patch: Value) -> String {
    let mut claims = claims(NOW);
    for (name, value) in claims_patch.as_object().expect("object") {
        match value {
            Value::Null => claims.as_object_mut().expect("object").remove(name),
            value => claims
                .as_object_mut()
                .expect("object")
                .insert(name.clone(), value.clone()),
        };
    }
    signer().sign(&signer().header(), &claims)
}

#[test]
fn a_graph_validation_token_is_accepted() {
    let verified = verify(&with(json!({}))).expect("valid");
    assert_eq!(verified.tenant_id, TENANT_ID);
    assert_eq!(
        verified.expires_at,
        Timestamp::from_second(NOW + 3600).expect("time")
    );
}

#[test]
fn a_v1_token_with_sts_issuer_and_appid_is_accepted() {
    let token = with(json!({
        "iss": format!("https://sts.windows.net/{TENANT_ID}/"),
        "azp": null,
        "appid": GRAPH_APP,
        "ver": "1.0"
    }));
    assert_eq!(verify(&token).expect("valid").tenant_id, TENANT_ID);
}

#[test]
fn ids_compare_in_any_case_and_an_audience_list_may_name_the_app() {
    let token = with(json!({
        "aud": ["api://someone-else", APP_ID.to_uppercase()],
        "iss": format!("https://login.microsoftonline.com/{}/v2.0", TENANT_ID.to_uppercase()),
        "azp": GRAPH_APP.to_uppercase()
    }));
    // The tenant is returned as the rules spell it.
    assert_eq!(verify(&token).expect("valid").tenant_id, TENANT_ID);
}

#[test]
fn expiry_and_not_before_allow_the_clock_skew_and_no_more() {
    let skew = 5 * 60;
    let expired_at = |t: i64| Timestamp::from_second(t).expect("time");
    assert!(verify(&with(json!({"exp": NOW - skew + 1}))).is_ok());
    assert_eq!(
        verify(&with(json!({"exp": NOW - skew}))),
        Err(Error::TokenExpired {
            expired_at: expired_at(NOW - skew)
        })
    );
    assert_eq!(
        verify(&with(json!({"exp": NOW - 7200, "nbf": NOW - 10800}))),
        Err(Error::TokenExpired {
            expired_at: expired_at(NOW - 7200)
        })
    );
    assert!(verify(&with(json!({"nbf": NOW + skew}))).is_ok());
    assert_eq!(
        verify(&with(json!({"nbf": NOW + skew + 1}))),
        Err(Error::TokenNotYetValid {
            not_before: expired_at(NOW + skew + 1)
        })
    );
    // A stricter skew, and fractional NumericDates.
    let strict = rules().clock_skew(Duration::ZERO);
    assert!(matches!(
        strict.verify(&with(json!({"exp": NOW})), &key_set(), now()),
        Err(Error::TokenExpired { .. })
    ));
    assert!(
        strict
            .verify(&with(json!({"exp": NOW as f64 + 1.5})), &key_set(), now())
            .is_ok()
    );
    assert_eq!(
        verify(&with(json!({"exp": null}))),
        Err(Error::MalformedToken { reason: "no exp" })
    );
    assert_eq!(
        verify(&with(json!({"exp": 1e300}))),
        Err(Error::MalformedToken {
            reason: "a time out of range"
        })
    );
}

#[test]
fn the_wrong_audience_is_refused() {
    for aud in [
        json!("00000003-0000-0000-c000-000000000000"),
        json!([]),
        json!(["a", "b"]),
    ] {
        assert!(
            matches!(
                verify(&with(json!({"aud": aud}))),
                Err(Error::WrongAudience { .. })
            ),
            "{aud}"
        );
    }
    assert_eq!(
        verify(&with(
            json!({"aud": "00000003-0000-0000-c000-000000000000"})
        )),
        Err(Error::WrongAudience {
            audience: Some("00000003-0000-0000-c000-000000000000".into())
        })
    );
    assert_eq!(
        verify(&with(json!({"aud": null}))),
        Err(Error::WrongAudience { audience: None })
    );
}

#[test]
fn the_wrong_issuer_is_refused() {
    let other_tenant = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
    for iss in [
        format!("https://login.microsoftonline.com/{other_tenant}/v2.0"),
        format!("https://sts.windows.net/{other_tenant}/"),
        format!("https://evil.example/{TENANT_ID}/v2.0"),
        format!("https://login.microsoftonline.com/{TENANT_ID}/"),
        format!("https://sts.windows.net/{TENANT_ID}"),
        format!("https://login.microsoftonline.com/x/{TENANT_ID}/v2.0"),
        format!("http://sts.windows.net/{TENANT_ID}/"),
    ] {
        assert_eq!(
            verify(&with(json!({"iss": iss}))),
            Err(Error::WrongIssuer {
                issuer: Some(iss.clone())
            }),
            "{iss}"
        );
    }
    assert_eq!(
        verify(&with(json!({"iss": null}))),
        Err(Error::WrongIssuer { issuer: None })
    );
    // A multi-tenant app names every tenant it subscribed in.
    let token = with(json!({"iss": format!("https://sts.windows.net/{other_tenant}/")}));
    let verified = rules()
        .also_tenant(other_tenant)
        .verify(&token, &key_set(), now())
        .expect("valid");
    assert_eq!(verified.tenant_id, other_tenant);
}

#[test]
fn a_national_clouds_issuer_is_accepted_once_named() {
    let iss = format!("https://login.microsoftonline.us/{TENANT_ID}/v2.0");
    let token = with(json!({"iss": iss}));
    assert_eq!(
        verify(&token),
        Err(Error::WrongIssuer {
            issuer: Some(iss.clone())
        })
    );
    let us_government = rules()
        .also_issuer("https://login.microsoftonline.us/{tenantid}/v2.0")
        .expect("an issuer form");
    let verified = us_government
        .verify(&token, &key_set(), now())
        .expect("valid");
    assert_eq!(verified.tenant_id, TENANT_ID);
    // The global forms still hold, and the added one is as exact as they are.
    assert!(
        us_government
            .verify(&with(json!({})), &key_set(), now())
            .is_ok()
    );
    for iss in [
        format!("https://login.microsoftonline.us/{TENANT_ID}/"),
        format!("https://login.microsoftonline.us/x/{TENANT_ID}/v2.0"),
        "https://login.microsoftonline.us//v2.0".to_owned(),
    ] {
        assert_eq!(
            us_government.verify(&with(json!({"iss": iss})), &key_set(), now()),
            Err(Error::WrongIssuer {
                issuer: Some(iss.clone())
            }),
            "{iss}"
        );
    }
    // An issuer form names the tenant exactly once.
    for template in [
        "https://login.microsoftonline.us/v2.0",
        "https://login.microsoftonline.us/{tenantid}/{tenantid}",
    ] {
        let error = rules().also_issuer(template).expect_err(template);
        assert_eq!(
            error,
            Error::IssuerTemplate {
                template: template.to_owned()
            }
        );
        assert!(error.to_string().contains("{tenantid}"), "{error}");
    }
}

#[test]
fn a_token_not_issued_to_graph_change_tracking_is_refused() {
    let someone = "11111111-2222-3333-4444-555555555555";
    assert_eq!(
        verify(&with(json!({"azp": someone}))),
        Err(Error::WrongAuthorizedParty {
            authorized_party: Some(someone.into())
        })
    );
    assert_eq!(
        verify(&with(json!({"azp": null, "appid": someone}))),
        Err(Error::WrongAuthorizedParty {
            authorized_party: Some(someone.into())
        })
    );
    // Both named: both must be Graph.
    assert!(matches!(
        verify(&with(json!({"appid": someone}))),
        Err(Error::WrongAuthorizedParty { .. })
    ));
    assert_eq!(
        verify(&with(json!({"azp": null}))),
        Err(Error::WrongAuthorizedParty {
            authorized_party: None
        })
    );
}

#[test]
fn a_signature_by_another_key_or_over_other_claims_is_refused() {
    // Same kid, another key: what a forger without Microsoft's key can make.
    let forged = intruder().sign(&intruder().header(), &claims(NOW));
    assert_eq!(verify(&forged), Err(Error::TokenSignature));
    // A genuine signature moved onto other claims.
    let genuine = with(json!({}));
    let signature = genuine.rsplit('.').next().expect("signature");
    let mut other = claims(NOW);
    other["aud"] = json!("someone-else");
    let moved = format!(
        "{}.{}.{signature}",
        b64_json(&signer().header()),
        b64_json(&other)
    );
    assert_eq!(verify(&moved), Err(Error::TokenSignature));
    // A signature one byte short.
    let (input, signature) = genuine.rsplit_once('.').expect("signature");
    let short = format!("{input}.{}", b64(&unb64(signature)[1..]));
    assert_eq!(verify(&short), Err(Error::TokenSignature));
}

#[test]
fn only_rs256_is_accepted() {
    let claims = b64_json(&claims(NOW));
    let kid = &signer().kid;
    // alg none with an empty signature, in any spelling.
    for alg in ["none", "None", "NONE"] {
        let token = format!("{}.{claims}.", b64_json(&json!({"alg": alg, "kid": kid})));
        assert_eq!(
            verify(&token),
            Err(Error::TokenAlgorithm { alg: alg.into() })
        );
    }
    // HS256 keyed with the public modulus: the classic key-confusion forgery.
    let (n, _) = signer().n_e();
    let input = format!(
        "{}.{claims}",
        b64_json(&json!({"alg": "HS256", "kid": kid}))
    );
    let mac = aws_lc_rs::hmac::sign(
        &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &n),
        input.as_bytes(),
    );
    let token = format!("{input}.{}", b64(mac.as_ref()));
    assert_eq!(
        verify(&token),
        Err(Error::TokenAlgorithm {
            alg: "HS256".into()
        })
    );
    // Other RSA algorithms are refused too, signature unchecked.
    for alg in ["RS512", "PS256", "rs256"] {
        let token = signer().sign(
            &json!({"alg": alg, "kid": kid}),
            &crate::support::claims(NOW),
        );
        assert_eq!(
            verify(&token),
            Err(Error::TokenAlgorithm { alg: alg.into() })
        );
    }
}

#[test]
fn an_unknown_kid_is_refused() {
    let stranger = SigningKey::new("rotated-away");
    let token = stranger.sign(&stranger.header(), &claims(NOW));
    assert_eq!(
        verify(&token),
        Err(Error::UnknownKeyId {
            kid: "rotated-away".into()
        })
    );
    // With that key published, it verifies.
    let keys = JwkSet::from_json(&jwks(&[signer(), &stranger])).expect("jwks");
    assert!(rules().verify(&token, &keys, now()).is_ok());
    // No kid at all.
    let token = signer().sign(&json!({"alg": "RS256"}), &claims(NOW));
    assert_eq!(
        verify(&token),
        Err(Error::MalformedToken { reason: "no kid" })
    );
}

#[test]
fn malformed_tokens_are_refused_before_any_signature_check() {
    let token = with(json!({}));
    let parts: Vec<&str> = token.split('.').collect();
    let cases: Vec<(String, Error)> = vec![
        (
            String::new(),
            Error::MalformedToken {
                reason: "not three dot-separated parts",
            },
        ),
        (
            format!("{}.{}", parts[0], parts[1]),
            Error::MalformedToken {
                reason: "not three dot-separated parts",
            },
        ),
        (
            format!("{token}.x"),
            Error::MalformedToken {
                reason: "not three dot-separated parts",
            },
        ),
        (
            "a".repeat(17 * 1024),
            Error::MalformedToken {
                reason: "longer than 16 KiB",
            },
        ),
        (
            format!("!!.{}.{}", parts[1], parts[2]),
            Error::Base64 {
                field: "token header",
            },
        ),
        (
            format!("{}.{}.%%", parts[0], parts[1]),
            Error::Base64 {
                field: "token signature",
            },
        ),
        // Standard base64 with padding is not base64url.
        (
            format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
            Error::Base64 {
                field: "token header",
            },
        ),
    ];
    for (token, error) in cases {
        assert_eq!(
            verify(&token),
            Err(error),
            "{}",
            &token[..token.len().min(60)]
        );
    }
    let not_json = format!("{}.{}.{}", b64(b"{\"alg\":"), parts[1], parts[2]);
    assert!(matches!(
        verify(&not_json),
        Err(Error::Json {
            what: "token header",
            ..
        })
    ));
    let crit = signer().sign(
        &json!({"alg": "RS256", "kid": signer().kid, "crit": ["exp"]}),
        &claims(NOW),
    );
    assert_eq!(
        verify(&crit),
        Err(Error::MalformedToken {
            reason: "critical header parameters"
        })
    );
    // Claims that are not an object, or repeat a claim, are malformed JSON (after the
    // signature, which is good: the identity platform signed them).
    let array = signer().sign(&signer().header(), &json!([1, 2]));
    assert!(matches!(
        verify(&array),
        Err(Error::Json {
            what: "token claims",
            ..
        })
    ));
    let header = b64_json(&signer().header());
    let duplicate = format!(r#"{{"aud":"{APP_ID}","aud":"{APP_ID}"}}"#);
    let input = format!("{header}.{}", b64(duplicate.as_bytes()));
    let token = sign_input(&input);
    assert!(matches!(
        verify(&token),
        Err(Error::Json {
            what: "token claims",
            ..
        })
    ));
}

#[test]
fn key_sets_keep_only_rs256_signing_keys() {
    let rsa = signer().jwk();
    let document = json!({"keys": [
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "RSA", "kid": "enc", "use": "enc", "n": rsa["n"], "e": rsa["e"]},
        {"kty": "RSA", "kid": "ps", "alg": "PS256", "n": rsa["n"], "e": rsa["e"]},
        {"kty": "RSA", "n": rsa["n"], "e": rsa["e"]},
        {"kty": "RSA", "kid": "cert-only", "x5c": ["MIIC"]},
        rsa,
    ]});
    let keys = JwkSet::from_json(&serde_json::to_vec(&document).expect("json")).expect("jwks");
    assert_eq!(keys.key_ids().collect::<Vec<_>>(), [signer().kid.as_str()]);
    assert_eq!(keys.len(), 1);
    assert!(!keys.is_empty());
    assert!(rules().verify(&with(json!({})), &keys, now()).is_ok());

    let bad_n = json!({"keys": [{"kty": "RSA", "kid": "k", "n": "not base64url!", "e": "AQAB"}]});
    assert_eq!(
        JwkSet::from_json(&serde_json::to_vec(&bad_n).expect("json")).map(|k| k.len()),
        Err(Error::Base64 { field: "JWK n" })
    );
    assert!(matches!(
        JwkSet::from_json(b"{\"keys\": 1}"),
        Err(Error::Json {
            what: "key set",
            ..
        })
    ));
    assert!(matches!(
        JwkSet::from_json(b"<html>"),
        Err(Error::Json {
            what: "key set",
            ..
        })
    ));
    assert!(
        JwkSet::from_json(b"{\"keys\": []}")
            .expect("empty")
            .is_empty()
    );
    // Padded base64url and a leading zero byte in n are tolerated.
    let (n, e) = signer().n_e();
    let padded = json!({"keys": [{
        "kty": "RSA", "kid": signer().kid,
        "n": base64_url_padded(&[&[0u8][..], &n].concat()),
        "e": base64_url_padded(&e),
    }]});
    let keys = JwkSet::from_json(&serde_json::to_vec(&padded).expect("json")).expect("jwks");
    assert!(rules().verify(&with(json!({})), &keys, now()).is_ok());
}

#[test]
fn error_text_from_the_token_is_escaped_and_short() {
    let hostile = format!("\u{1b}]0;pwned\u{7}\r\n{}", "k".repeat(300));
    let token = signer().sign(&json!({"alg": "RS256", "kid": hostile}), &claims(NOW));
    let error = verify(&token).expect_err("unknown kid");
    let text = error.to_string();
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(text.chars().count() < 160, "{text}");
    assert_eq!(error, Error::UnknownKeyId { kid: hostile });
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .expect("base64url")
}

fn base64_url_padded(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE.encode(bytes)
}

fn sign_input(input: &str) -> String {
    let pair = &signer().pair;
    let mut signature = vec![0; pair.public_modulus_len()];
    pair.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .expect("sign");
    format!("{input}.{}", b64(&signature))
}
