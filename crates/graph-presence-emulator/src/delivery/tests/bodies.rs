//! Rich content encrypted as Graph does, and the bodies Microsoft documents.

use super::*;

// --- Encryption ---

#[test]
fn rich_content_is_encrypted_as_graph_does_and_decrypts_with_the_receivers_keys() {
    let certificate = rsa_certificate();
    let ours = EncryptionCertificate::from_base64_der(
        &STANDARD.encode(&certificate.certificate_der),
        "cert-1",
    )
    .expect("an RSA certificate");
    assert_eq!(ours.key_bits(), 2048);
    let sha1 = digest::digest(
        &digest::SHA1_FOR_LEGACY_USE_ONLY,
        &certificate.certificate_der,
    );
    let hex: String = sha1.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(ours.thumbprint(), hex);

    let presence = presence_json(USER_A, "Busy", "InACall");
    let content = ours.encrypt(presence.as_bytes()).expect("encrypted");
    assert_eq!(content.encryption_certificate_id, "cert-1");
    assert_eq!(content.encryption_certificate_thumbprint, hex);
    // AES-CBC with PKCS#7: whole blocks, one more when the text is whole blocks already; the
    // key wrapped for a 2048-bit key is 256 bytes; the signature is 32.
    let data = STANDARD.decode(&content.data).expect("base64");
    assert_eq!(data.len(), (presence.len() / 16 + 1) * 16);
    assert_eq!(
        STANDARD.decode(&content.data_key).expect("base64").len(),
        256
    );
    assert_eq!(
        STANDARD
            .decode(&content.data_signature)
            .expect("base64")
            .len(),
        32
    );

    // The receiver's keys, requiring this certificate's thumbprint.
    let key = DecryptionKey::from_pkcs8_der(&certificate.private_key_pkcs8_der)
        .expect("the private key")
        .certificate_der(&certificate.certificate_der);
    let keys = DecryptionKeys::new().key("cert-1", key);
    let plain = keys
        .decrypt(&Sealed {
            data: &content.data,
            data_signature: &content.data_signature,
            data_key: &content.data_key,
            encryption_certificate_id: &content.encryption_certificate_id,
            encryption_certificate_thumbprint: Some(&content.encryption_certificate_thumbprint),
        })
        .expect("decrypts");
    assert_eq!(plain.as_bytes(), presence.as_bytes());

    // A new key every time.
    let again = ours.encrypt(presence.as_bytes()).expect("encrypted");
    assert_ne!(again.data_key, content.data_key);
    assert_ne!(again.data, content.data);
    // Debug shows no ciphertext.
    assert!(!format!("{content:?}").contains(&content.data));
}

#[test]
fn base64_wrapped_on_lines_reads_the_same() {
    let certificate = rsa_certificate();
    let one_line = STANDARD.encode(&certificate.certificate_der);
    let wrapped: String = one_line
        .as_bytes()
        .chunks(64)
        .map(|line| format!("{}\r\n", std::str::from_utf8(line).expect("ascii")))
        .collect();
    let a = EncryptionCertificate::from_base64_der(&one_line, "c").expect("one line");
    let b = EncryptionCertificate::from_base64_der(&wrapped, "c").expect("wrapped");
    assert_eq!(a.thumbprint(), b.thumbprint());
}

#[test]
fn what_is_not_an_rsa_certificate_is_refused_with_a_short_message() {
    let rsa = rsa_certificate();
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        STANDARD.encode(&rsa.certificate_der)
    );
    type Expected = fn(&CertificateError) -> bool;
    let cases: Vec<(String, Expected)> = vec![
        ("%%% not base64 %%%".to_owned(), |e| {
            *e == CertificateError::NotBase64
        }),
        (String::new(), |e| *e == CertificateError::NotBase64),
        (STANDARD.encode(b"not a certificate"), |e| {
            matches!(e, CertificateError::NotCertificate { .. })
        }),
        // The PEM file's text where its base64 belongs.
        (STANDARD.encode(pem.as_bytes()), |e| {
            matches!(e, CertificateError::NotCertificate { .. })
        }),
        // The private key where the certificate belongs.
        (STANDARD.encode(&rsa.private_key_pkcs8_der), |e| {
            matches!(e, CertificateError::NotCertificate { .. })
        }),
        (STANDARD.encode(ec_certificate()), |e| {
            *e == CertificateError::NotRsa
        }),
        (STANDARD.encode(rsa_1024_certificate()), |e| {
            matches!(e, CertificateError::UnusableKey { .. })
        }),
        ("QUFB".repeat(30_000), |e| *e == CertificateError::TooLong),
    ];
    for (input, expected) in cases {
        let error = EncryptionCertificate::from_base64_der(&input, "c").expect_err("refused");
        assert!(
            expected(&error),
            "{error:?} for {}",
            &input[..input.len().min(40)]
        );
        let message = error.to_string();
        assert!(message.len() < 160, "{message}");
        assert!(
            message.starts_with("encryptionCertificate")
                || message.starts_with("the encryptionCertificate"),
            "{message}"
        );
    }
}

// --- Bodies ---

#[test]
fn a_basic_notification_is_microsofts_documented_one() {
    let mut basic = change(
        "https://webhook.contoso.com/api",
        "{Subscription id}",
        "{User Id}",
    );
    basic.tenant_id = "{Organization/Tenant id}".to_owned();
    basic.client_state = Some("{secret client state}".to_owned());
    basic.subscription_expires = "2023-09-14T10:00:00Z".parse().expect("a time");
    let body = batch_body([&basic.prepare().expect("prepared")], &[]);

    // The documented text has a trailing comma; its resource names the user `{id}`.
    let documented = DOCUMENTED_BASIC
        .replace(
            "\"{Organization/Tenant id}\",\n  }]",
            "\"{Organization/Tenant id}\"\n  }]",
        )
        .replace(
            "communications/presences/{id}",
            "communications/presences/{User Id}",
        );
    let documented: serde_json::Value = serde_json::from_str(&documented).expect("JSON");
    let ours: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(ours, documented);

    // In the documented order, and no validationTokens with basic notifications.
    let text = String::from_utf8(body.clone()).expect("UTF-8");
    let order = [
        "subscriptionId",
        "clientState",
        "changeType",
        "tenantId",
        "resource",
        "subscriptionExpirationDateTime",
        "resourceData",
        "organizationId",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|key| text.find(&format!("\"{key}\"")).expect(key))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(!text.contains("validationTokens"));

    // It is a changeNotificationCollection for the generated models.
    graph_presence_models::from_slice::<graph_presence_models::ChangeNotificationCollection>(&body)
        .expect("the models read it");
}

#[test]
fn a_rich_notification_is_microsofts_documented_one_with_content_filled_in() {
    let certificate = rsa_certificate();
    let certificate = Arc::new(
        EncryptionCertificate::from_der(
            &certificate.certificate_der,
            "{User specified id of encryption certificate}",
        )
        .expect("a certificate"),
    );
    let mut rich = rich_change(
        "https://webhook.contoso.com/api",
        "{Subscription id}",
        "{User Id}",
        &certificate,
        "Busy",
    );
    rich.tenant_id = "{Organization/Tenant id}".to_owned();
    rich.client_state = Some("{secret client state}".to_owned());
    rich.subscription_expires = "2023-09-14T10:00:00Z".parse().expect("a time");
    let prepared: Prepared = rich.prepare().expect("prepared");
    assert!(prepared.rich);
    let body = batch_body([&prepared], &["{Validation Tokens}".to_owned()]);

    let mut ours: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    let content = &mut ours["value"][0]["encryptedContent"];
    assert_eq!(
        content["encryptionCertificateThumbprint"].as_str(),
        Some(certificate.thumbprint())
    );
    for (field, placeholder) in [
        ("data", "{Encrypted content}"),
        ("dataSignature", "{Encrypted data signature}"),
        ("dataKey", "{Encrypted data key for encrypting content}"),
        (
            "encryptionCertificateThumbprint",
            "{Encrpytion certification thumbprint}",
        ),
    ] {
        content[field] = placeholder.into();
    }
    let documented: serde_json::Value = serde_json::from_str(&DOCUMENTED_RICH.replace(
        "communications/presences/{id}",
        "communications/presences/{User Id}",
    ))
    .expect("JSON");
    assert_eq!(ours, documented);
}

#[test]
fn a_lifecycle_notification_is_the_documented_one() {
    let notification = LifecycleNotification {
        lifecycle_url: "https://webhook.contoso.com/lifecycle".to_owned(),
        subscription_id: "7f8d0f1a-0000-4000-8000-000000000001".to_owned(),
        subscription_expires: "2019-09-18T00:00:00Z".parse().expect("a time"),
        tenant_id: TENANT_ID.to_owned(),
        client_state: Some(CLIENT_STATE.to_owned()),
        event: LifecycleEvent::ReauthorizationRequired,
    };
    let body = batch_body([&notification.prepare()], &[]);
    let expected = format!(
        r#"{{"value":[{{"subscriptionId":"7f8d0f1a-0000-4000-8000-000000000001","subscriptionExpirationDateTime":"2019-09-18T00:00:00.0000000Z","tenantId":"{TENANT_ID}","clientState":"{CLIENT_STATE}","lifecycleEvent":"reauthorizationRequired"}}]}}"#
    );
    assert_eq!(String::from_utf8(body).expect("UTF-8"), expected);
}
