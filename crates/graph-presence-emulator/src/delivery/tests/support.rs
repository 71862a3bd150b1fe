//! What the delivery tests play the app with: certificates (the public `crate::testing`'s, DER
//! written by hand and signed with aws-lc-rs, plus EC and too-small RSA ones for refusals), a
//! token signer with its JWKS, and webhooks on 127.0.0.1 served by axum, answering through
//! the notifications crate's `Receiver` or as told.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use axum::body::Body;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use graph_presence_notifications::{Event, Receiver, Request};
use jiff::Timestamp;

use crate::Clock;
use crate::delivery::{TokenSigner, ValidationClaims};

pub const APP_ID: &str = "6ab6b2ee-1ef8-4a1b-9a3c-8e1b0b4d0f7e";
pub const TENANT_ID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const CLIENT_STATE: &str = "a secret client state";

pub fn start() -> Timestamp {
    "2026-12-01T09:00:00Z".parse().expect("a timestamp")
}

// --- Certificates: the public test support's, shared ---

// The DER writer and the self-signed certificate of `crate::testing`.
use crate::testing::{RSA_ENCRYPTION, TestCertificate, der, self_signed, seq};

/// RSA key generation takes a good part of a second in a debug build: the tests share their
/// keys, made once per test run.
fn issuer() -> &'static RsaKeyPair {
    static KEY: OnceLock<RsaKeyPair> = OnceLock::new();
    KEY.get_or_init(|| RsaKeyPair::generate(KeySize::Rsa2048).expect("key"))
}

/// A self-signed RSA-2048 certificate and its key (the same one for every test).
pub fn rsa_certificate() -> &'static TestCertificate {
    static CERTIFICATE: OnceLock<TestCertificate> = OnceLock::new();
    CERTIFICATE.get_or_init(TestCertificate::generate)
}

/// A certificate of a P-256 key (signed by an RSA issuer).
pub fn ec_certificate() -> Vec<u8> {
    let ec = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).expect("an EC key");
    let spki = ec.public_key().as_der().expect("SPKI").as_ref().to_vec();
    self_signed(&spki, issuer())
}

/// A certificate of a 1024-bit RSA key, too small for Graph and aws-lc.
pub fn rsa_1024_certificate() -> Vec<u8> {
    let mut modulus = vec![0x00, 0xc3];
    modulus.extend(std::iter::repeat_n(0x5a, 126));
    modulus.push(0x01);
    let public = seq(&[&der(0x02, &modulus), &der(0x02, &[0x01, 0x00, 0x01])]);
    let mut bits = vec![0];
    bits.extend(public);
    let spki = seq(&[
        &seq(&[&der(0x06, RSA_ENCRYPTION), &der(0x05, &[])]),
        &der(0x03, &bits),
    ]);
    self_signed(&spki, issuer())
}

// --- The identity platform's part: a signing key and its JWKS ---

/// Signs validation tokens as the identity module will: RS256 with a `kid`.
pub struct TestSigner {
    pub kid: String,
    pair: RsaKeyPair,
}

impl TestSigner {
    /// The signer every test uses (its key made once).
    pub fn shared() -> Arc<Self> {
        static SIGNER: OnceLock<Arc<TestSigner>> = OnceLock::new();
        SIGNER
            .get_or_init(|| {
                Arc::new(TestSigner {
                    kid: "emulator-key-1".to_owned(),
                    pair: RsaKeyPair::generate(KeySize::Rsa2048).expect("key"),
                })
            })
            .clone()
    }

    /// The JWKS document of its key.
    pub fn jwks(&self) -> Vec<u8> {
        // The public key is `RSAPublicKey` DER: SEQUENCE { INTEGER n, INTEGER e }.
        let public = self.pair.public_key().as_ref();
        let (_, inside, _) = read_der(public);
        let (_, n, rest) = read_der(inside);
        let (_, e, _) = read_der(rest);
        let unsigned =
            |int: &[u8]| -> Vec<u8> { int.iter().skip_while(|&&b| b == 0).copied().collect() };
        serde_json::to_vec(&serde_json::json!({"keys": [{
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": URL_SAFE_NO_PAD.encode(unsigned(n)),
            "e": URL_SAFE_NO_PAD.encode(unsigned(e)),
        }]}))
        .expect("json")
    }
}

impl TokenSigner for TestSigner {
    fn sign(&self, claims: &ValidationClaims) -> String {
        let header =
            serde_json::json!({"typ": "JWT", "alg": "RS256", "kid": self.kid, "x5t": self.kid});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_json())
        );
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .expect("sign");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

/// One DER item: (tag, contents, what follows).
fn read_der(bytes: &[u8]) -> (u8, &[u8], &[u8]) {
    let (len, header) = match bytes[1] {
        short @ 0..=0x7f => (usize::from(short), 2),
        long => {
            let n = usize::from(long & 0x7f);
            let len = bytes[2..2 + n]
                .iter()
                .fold(0, |acc, &b| acc << 8 | usize::from(b));
            (len, 2 + n)
        }
    };
    (
        bytes[0],
        &bytes[header..header + len],
        &bytes[header + len..],
    )
}

// --- Webhooks ---

/// How a webhook answers.
#[derive(Debug, Clone)]
pub enum Answer {
    /// Through its `Receiver` (the handshake echoed, batches decrypted and checked).
    Receive,
    /// This status, empty body.
    Status(u16),
    /// 200 `text/plain` with this body, whatever was asked.
    Text(&'static str),
    /// The token echoed, but with this Content-Type.
    EchoAs(&'static str),
    /// After this long (real time), through the receiver.
    After(Duration),
}

/// A request a webhook got.
#[derive(Debug, Clone)]
pub struct Seen {
    pub query: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

struct HookState {
    clock: Clock,
    answer: Mutex<Answer>,
    receiver: Mutex<Receiver>,
    seen: Mutex<Vec<Seen>>,
    events: Mutex<Vec<Event>>,
}

/// A webhook on 127.0.0.1, stopped when dropped.
pub struct Hook {
    pub url: String,
    state: Arc<HookState>,
    server: tokio::task::JoinHandle<()>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Hook {
    /// A webhook answering `answer`, with a receiver that knows the client state only.
    pub async fn start(clock: &Clock, answer: Answer) -> Hook {
        Hook::with_receiver(clock, answer, Receiver::new(CLIENT_STATE)).await
    }

    pub async fn with_receiver(clock: &Clock, answer: Answer, receiver: Receiver) -> Hook {
        let state = Arc::new(HookState {
            clock: clock.clone(),
            answer: Mutex::new(answer),
            receiver: Mutex::new(receiver),
            seen: Mutex::new(Vec::new()),
            events: Mutex::new(Vec::new()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let router = axum::Router::new()
            .route("/hook", axum::routing::any(handle))
            .with_state(state.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Hook {
            url: format!("http://{address}/hook"),
            state,
            server,
        }
    }

    pub fn answer(&self, answer: Answer) {
        *lock(&self.state.answer) = answer;
    }

    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.state.seen).clone()
    }

    pub fn take_events(&self) -> Vec<Event> {
        std::mem::take(&mut *lock(&self.state.events))
    }
}

impl Drop for Hook {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn handle(State(state): State<Arc<HookState>>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 8 << 20)
        .await
        .unwrap_or_default();
    let query = parts.uri.query().map(str::to_owned);
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    lock(&state.seen).push(Seen {
        query: query.clone(),
        content_type,
        body: body.to_vec(),
    });
    let answer = lock(&state.answer).clone();
    let reply = |status: u16, content_type: &str, body: Vec<u8>| {
        Response::builder()
            .status(status)
            .header(CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("a response")
    };
    let receive = || {
        let handled = lock(&state.receiver).handle(
            Request {
                method: parts.method.as_str(),
                query: query.as_deref(),
                body: &body,
            },
            state.clock.now(),
        );
        lock(&state.events).extend(handled.events);
        handled.response
    };
    match answer {
        Answer::Receive => {
            let response = receive();
            reply(response.status, response.content_type, response.body)
        }
        Answer::Status(status) => reply(status, "text/plain", Vec::new()),
        Answer::Text(text) => reply(200, "text/plain", text.as_bytes().to_vec()),
        Answer::EchoAs(content_type) => {
            let response = receive();
            reply(response.status, content_type, response.body)
        }
        Answer::After(delay) => {
            tokio::time::sleep(delay).await;
            let response = receive();
            reply(response.status, response.content_type, response.body)
        }
    }
}
