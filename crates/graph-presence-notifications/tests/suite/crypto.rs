//! Rich notifications encrypted here exactly as Graph encrypts them, decrypted back; every
//! tampered or mismatched variant refused with its own error.

use crate::support::*;
use graph_presence_models::{ChangeNotificationCollection, Presence};
use graph_presence_notifications::{DecryptionKey, DecryptionKeys, EncryptedContent, Error};

const CERT_ID: &str = "presence-cert-2025";

fn keys() -> DecryptionKeys {
    let key = DecryptionKey::from_pkcs8_der(certificate_key()).expect("key");
    DecryptionKeys::new().key(CERT_ID, key)
}

#[test]
fn documented_presence_decrypts_to_a_presence() {
    for example in [PRESENCE_V1, PRESENCE_BETA] {
        let sent = encrypt_like_graph(certificate_key(), example.as_bytes());
        let decrypted = keys().decrypt(&sent.content(CERT_ID)).expect("decrypts");
        assert_eq!(decrypted.as_bytes(), example.as_bytes());
        assert_eq!(decrypted.to_str(), Ok(example));
        let presence: Presence =
            graph_presence_models::from_slice(decrypted.as_bytes()).expect("presence");
        assert_eq!(presence.id, "{User Id}");
        assert_eq!(decrypted.into_bytes(), example.as_bytes());
    }
}

#[test]
fn a_rich_notification_as_graph_posts_it_decrypts_to_a_presence() {
    // Microsoft's documented rich notification, its placeholders replaced by content
    // encrypted here for our certificate, decoded with the generated models.
    let sent = encrypt_like_graph(certificate_key(), PRESENCE_V1.as_bytes());
    let body = sent.fill_rich_notification(RICH_NOTIFICATION_V1, CERT_ID);
    let batch: ChangeNotificationCollection =
        graph_presence_models::from_str(&body).expect("notification");
    let content = batch.value[0]
        .encrypted_content
        .as_option()
        .expect("encrypted");
    let decrypted = keys()
        .decrypt(&EncryptedContent {
            data: &content.data,
            data_signature: &content.data_signature,
            data_key: &content.data_key,
            encryption_certificate_id: &content.encryption_certificate_id,
            encryption_certificate_thumbprint: Some(&content.encryption_certificate_thumbprint),
        })
        .expect("decrypts");
    let presence: Presence =
        graph_presence_models::from_slice(decrypted.as_bytes()).expect("presence");
    assert_eq!(presence.id, "{User Id}");
}

#[test]
fn every_plaintext_length_round_trips() {
    // Around the block size: empty, one short of a block, a whole block (a full padding block).
    for len in [0, 1, 15, 16, 17, 31, 32, 33, 1000] {
        let plaintext: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let sent = encrypt_like_graph(certificate_key(), &plaintext);
        assert_eq!(
            keys()
                .decrypt(&sent.content(CERT_ID))
                .expect("decrypts")
                .as_bytes(),
            plaintext
        );
    }
}

#[test]
fn keys_load_from_pkcs8_and_pkcs1_in_pem_and_der() {
    let pkcs8 = certificate_key();
    let pkcs1 = pkcs1_of(pkcs8);
    let sent = encrypt_like_graph(pkcs8, PRESENCE_V1.as_bytes());
    let loaded = [
        DecryptionKey::from_pkcs8_der(pkcs8),
        DecryptionKey::from_pkcs1_der(&pkcs1),
        DecryptionKey::from_pem(pem("PRIVATE KEY", pkcs8).as_bytes()),
        DecryptionKey::from_pem(pem("RSA PRIVATE KEY", &pkcs1).as_bytes()),
        // A file with the certificate first, as exported bundles often are.
        DecryptionKey::from_pem(
            format!(
                "{}{}",
                pem("CERTIFICATE", b"not parsed"),
                pem("PRIVATE KEY", pkcs8)
            )
            .as_bytes(),
        ),
    ];
    for key in loaded {
        let key = key.expect("loads");
        assert_eq!(key.bits(), 2048);
        let keys = DecryptionKeys::new().key(CERT_ID, key);
        assert_eq!(
            keys.decrypt(&sent.content(CERT_ID))
                .expect("decrypts")
                .as_bytes(),
            PRESENCE_V1.as_bytes()
        );
    }
}

#[test]
fn keys_that_are_not_rsa_private_keys_are_refused() {
    let pkcs8 = certificate_key();
    let invalid = |result: Result<DecryptionKey, Error>| match result {
        Err(Error::InvalidKey { reason }) => reason,
        other => panic!("expected InvalidKey, got {other:?}"),
    };
    assert_eq!(
        invalid(DecryptionKey::from_pem(b"")),
        "no PRIVATE KEY or RSA PRIVATE KEY section in the PEM"
    );
    assert_eq!(
        invalid(DecryptionKey::from_pem(
            pem("ENCRYPTED PRIVATE KEY", pkcs8).as_bytes()
        )),
        "the PEM key is encrypted"
    );
    assert_eq!(
        invalid(DecryptionKey::from_pem(
            b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"
        )),
        "malformed PEM"
    );
    let ec = aws_lc_rs::signature::EcdsaKeyPair::generate(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
    )
    .expect("ec key")
    .to_pkcs8v1()
    .expect("pkcs8");
    invalid(DecryptionKey::from_pem(
        pem("PRIVATE KEY", ec.as_ref()).as_bytes(),
    ));
    invalid(DecryptionKey::from_pkcs8_der(ec.as_ref()));
    invalid(DecryptionKey::from_pkcs8_der(&pkcs8[..pkcs8.len() - 1]));
    invalid(DecryptionKey::from_pkcs1_der(pkcs8));
    invalid(DecryptionKey::from_pkcs8_der(&pkcs1_of(pkcs8)));
}

#[test]
fn tampered_data_is_refused_by_its_signature() {
    let sent = encrypt_like_graph(certificate_key(), PRESENCE_V1.as_bytes());
    for index in [0, 17, usize::MAX] {
        let tampered = Encrypted {
            data: flip_byte(&sent.data, index),
            ..sent.clone()
        };
        assert_eq!(
            keys().decrypt(&tampered.content(CERT_ID)),
            Err(Error::DataSignature)
        );
    }
    // Cut to whole blocks (a truncation that would still decrypt) and extended.
    let short = Encrypted {
        data: cut_blocks(&sent.data, 1),
        ..sent.clone()
    };
    assert_eq!(
        keys().decrypt(&short.content(CERT_ID)),
        Err(Error::DataSignature)
    );
}

#[test]
fn tampered_signature_is_refused() {
    let sent = encrypt_like_graph(certificate_key(), PRESENCE_V1.as_bytes());
    for index in [0, 31] {
        let tampered = Encrypted {
            data_signature: flip_byte(&sent.data_signature, index),
            ..sent.clone()
        };
        assert_eq!(
            keys().decrypt(&tampered.content(CERT_ID)),
            Err(Error::DataSignature)
        );
    }
    // A signature of another length (cut, empty) is refused the same way.
    let cut = Encrypted {
        data_signature: "AAAA".to_owned(),
        ..sent.clone()
    };
    assert_eq!(
        keys().decrypt(&cut.content(CERT_ID)),
        Err(Error::DataSignature)
    );
    let empty = Encrypted {
        data_signature: String::new(),
        ..sent
    };
    assert_eq!(
        keys().decrypt(&empty.content(CERT_ID)),
        Err(Error::DataSignature)
    );
}

#[test]
fn tampered_data_key_is_refused_by_rsa_oaep() {
    let sent = encrypt_like_graph(certificate_key(), PRESENCE_V1.as_bytes());
    for index in [0, 100, 255] {
        let tampered = Encrypted {
            data_key: flip_byte(&sent.data_key, index),
            ..sent.clone()
        };
        assert_eq!(
            keys().decrypt(&tampered.content(CERT_ID)),
            Err(Error::KeyDecryption)
        );
    }
    let short = Encrypted {
        data_key: "AAAA".to_owned(),
        ..sent
    };
    assert_eq!(
        keys().decrypt(&short.content(CERT_ID)),
        Err(Error::KeyDecryption)
    );
}

#[test]
fn a_key_encrypted_for_another_certificate_is_refused() {
    let sent = encrypt_like_graph(other_certificate_key(), PRESENCE_V1.as_bytes());
    assert_eq!(
        keys().decrypt(&sent.content(CERT_ID)),
        Err(Error::KeyDecryption)
    );
}

#[test]
fn a_symmetric_key_that_is_not_aes_256_is_refused() {
    let key = random_key();
    let sent = seal(
        certificate_key(),
        &key[..16],
        &encrypt_unpadded(&key, &[0x10; 16]),
    );
    assert_eq!(
        keys().decrypt(&sent.content(CERT_ID)),
        Err(Error::SymmetricKeyLength { len: 16 })
    );
}

#[test]
fn bad_padding_and_partial_blocks_are_refused_after_the_signature_check() {
    let key = random_key();
    // Whole blocks whose last byte is not a PKCS#7 pad length, properly signed.
    for last in [0u8, 17, 0xff] {
        let mut block = [0x41; 32];
        block[31] = last;
        let sent = seal(certificate_key(), &key, &encrypt_unpadded(&key, &block));
        assert_eq!(
            keys().decrypt(&sent.content(CERT_ID)),
            Err(Error::Padding),
            "last byte {last}"
        );
    }
    // Inconsistent padding: ends in 03 but the two bytes before are not 03.
    let mut block = [0x41; 16];
    block[15] = 3;
    let sent = seal(certificate_key(), &key, &encrypt_unpadded(&key, &block));
    assert_eq!(keys().decrypt(&sent.content(CERT_ID)), Err(Error::Padding));
    // A truncated ciphertext (not whole blocks), signed as it is; and an empty one.
    let full = encrypt_unpadded(&key, &[0x10; 32]);
    for cut in [&full[..27], &full[..0]] {
        let sent = seal(certificate_key(), &key, cut);
        assert_eq!(keys().decrypt(&sent.content(CERT_ID)), Err(Error::Padding));
    }
}

#[test]
fn malformed_base64_names_its_field() {
    let sent = encrypt_like_graph(certificate_key(), PRESENCE_V1.as_bytes());
    let cases = [
        (
            Encrypted {
                data: "not base64!".into(),
                ..sent.clone()
            },
            "data",
        ),
        (
            Encrypted {
                data_signature: "@@@@".into(),
                ..sent.clone()
            },
            "dataSignature",
        ),
        (
            Encrypted {
                data_key: "abc".into(),
                ..sent.clone()
            },
            "dataKey",
        ),
        // base64url is not what Graph sends
        (
            Encrypted {
                data: sent.data.replace('+', "-").replace('/', "_") + "-_",
                ..sent.clone()
            },
            "data",
        ),
    ];
    for (tampered, field) in cases {
        assert_eq!(
            keys().decrypt(&tampered.content(CERT_ID)),
            Err(Error::Base64 { field })
        );
    }
}

#[test]
fn an_unknown_certificate_id_is_refused_and_rotation_keeps_both() {
    let old = encrypt_like_graph(certificate_key(), b"{\"old\":true}");
    let new = encrypt_like_graph(other_certificate_key(), b"{\"new\":true}");
    let mut keys = keys();
    assert_eq!(
        keys.decrypt(&new.content("presence-cert-2026")),
        Err(Error::UnknownCertificate {
            id: "presence-cert-2026".into()
        })
    );
    keys.insert(
        "presence-cert-2026",
        DecryptionKey::from_pkcs8_der(other_certificate_key()).expect("key"),
    );
    assert_eq!(
        keys.certificate_ids().collect::<Vec<_>>(),
        ["presence-cert-2025", "presence-cert-2026"]
    );
    assert_eq!(
        keys.decrypt(&old.content(CERT_ID)).expect("old").as_bytes(),
        b"{\"old\":true}"
    );
    assert_eq!(
        keys.decrypt(&new.content("presence-cert-2026"))
            .expect("new")
            .as_bytes(),
        b"{\"new\":true}"
    );
    // The id selects the key: content for the new certificate under the old id fails.
    assert_eq!(
        keys.decrypt(&new.content(CERT_ID)),
        Err(Error::KeyDecryption)
    );
    assert!(keys.remove(CERT_ID));
    assert!(!keys.remove(CERT_ID));
    assert_eq!(
        keys.decrypt(&old.content(CERT_ID)),
        Err(Error::UnknownCertificate { id: CERT_ID.into() })
    );
}

#[test]
fn a_thumbprint_is_checked_when_the_key_has_one() {
    let certificate = b"a certificate's DER bytes";
    let other = "D6E0E8FF6DC7E5C3F1E9B7E8C7C5F5B3B6FCDD16";
    let sent = encrypt_like_graph(certificate_key(), PRESENCE_V1.as_bytes());
    let naming = |thumbprint| EncryptedContent {
        encryption_certificate_thumbprint: thumbprint,
        ..sent.content(CERT_ID)
    };
    let key = || DecryptionKey::from_pkcs8_der(certificate_key()).expect("key");
    // Graph sends the thumbprint in upper case, as .NET shows it.
    let sha1 = hex_sha1(certificate).to_uppercase();

    let by_der = DecryptionKeys::new().key(CERT_ID, key().certificate_der(certificate));
    assert!(by_der.decrypt(&naming(Some(&sha1))).is_ok());
    assert_eq!(
        by_der.decrypt(&naming(Some(other))),
        Err(Error::ThumbprintMismatch {
            thumbprint: Some(other.into())
        })
    );
    assert_eq!(
        by_der.decrypt(&naming(None)),
        Err(Error::ThumbprintMismatch { thumbprint: None })
    );

    let by_hex = DecryptionKeys::new().key(
        CERT_ID,
        key().thumbprint(&sha1.to_lowercase()).expect("hex"),
    );
    assert!(by_hex.decrypt(&naming(Some(&sha1))).is_ok());
    assert_eq!(
        by_hex.decrypt(&naming(Some("not hex"))),
        Err(Error::ThumbprintMismatch {
            thumbprint: Some("not hex".into())
        })
    );

    // Without a thumbprint on the key, whatever the notification names is not checked.
    assert!(keys().decrypt(&naming(Some("anything"))).is_ok());
    assert_eq!(
        key().thumbprint("abc").map(|_| ()),
        Err(Error::InvalidKey {
            reason: "a thumbprint is 40 hex digits"
        })
    );
}

#[test]
fn nothing_secret_is_printed() {
    let secret_json = br#"{"availability":"Busy","statusMessage":"secret plans"}"#;
    let sent = encrypt_like_graph(certificate_key(), secret_json);
    let decrypted = keys().decrypt(&sent.content(CERT_ID)).expect("decrypts");
    let printed = format!("{decrypted:?} {:?} {:?}", keys(), sent.content(CERT_ID));
    assert!(!printed.contains("secret plans"), "{printed}");
    assert!(!printed.contains(&sent.data[..16]), "{printed}");
    assert!(!printed.contains(&sent.data_key[..16]), "{printed}");
    let pkcs8_b64 = pem("PRIVATE KEY", certificate_key());
    for line in pkcs8_b64.lines().skip(1).take(5) {
        assert!(!printed.contains(line), "{printed}");
    }
    // Every error's text, the ones that carry wire text escaped and cut.
    let hostile = format!("id\u{1b}[31m\nforged line\u{202e}{}", "x".repeat(500));
    let error = keys()
        .decrypt(&sent.content(&hostile))
        .expect_err("unknown id");
    let text = error.to_string();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\n') && !text.contains('\u{202e}'),
        "{text}"
    );
    assert!(text.chars().count() < 160, "{text}");
    assert!(matches!(error, Error::UnknownCertificate { id } if id == hostile));
}

fn cut_blocks(base64: &str, blocks: usize) -> String {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let bytes = engine.decode(base64).expect("base64");
    engine.encode(&bytes[..bytes.len() - 16 * blocks])
}

fn hex_sha1(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
