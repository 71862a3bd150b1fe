//! The webhook against the clients of a reliability run, which held connections for over 40
//! seconds: slow headers, a slow body, a `Content-Length` of 1 GiB followed by 10 bytes, and
//! more requests at once than it handles. Each gets its answer (or its connection closed)
//! within the limits, and a valid request afterwards is answered.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use graph_presence_notifications::Receiver;
use graph_presence_notifications::axum::{ServeSettings, Webhook, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CLIENT_STATE: &str = "a secret";

async fn start(webhook: Webhook, settings: ServeSettings) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(serve(listener, webhook.router("/hook"), settings));
    address
}

fn webhook() -> Webhook {
    let (webhook, events) = Webhook::new(Receiver::new(CLIENT_STATE), 16);
    // The app's end is not read here: events past the capacity are counted as dropped.
    std::mem::forget(events);
    webhook
}

/// What the server sends back on `stream` until it closes, within `limit`.
async fn answer(stream: &mut TcpStream, limit: Duration) -> String {
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(limit, stream.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "no answer within {limit:?}");
    String::from_utf8_lossy(&buffer).into_owned()
}

/// The handshake, which a working webhook answers with the token.
async fn handshake_works(address: SocketAddr) {
    let mut stream = TcpStream::connect(address).await.expect("connects");
    stream
        .write_all(
            b"POST /hook?validationToken=ok HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )
        .await
        .expect("writes");
    let answer = answer(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok"), "{answer}");
}

#[tokio::test]
async fn slow_headers_are_cut_off() {
    let settings = ServeSettings::default().header_read_timeout(Duration::from_millis(300));
    let address = start(webhook(), settings).await;
    let mut slow = TcpStream::connect(address).await.expect("connects");
    slow.write_all(b"POST /hook HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("writes");
    let started = Instant::now();
    answer(&mut slow, Duration::from_secs(5)).await;
    assert!(started.elapsed() < Duration::from_secs(3));
    handshake_works(address).await;
}

#[tokio::test]
async fn a_slow_body_or_one_shorter_than_announced_is_408() {
    let address = start(
        webhook().body_timeout(Duration::from_millis(300)),
        ServeSettings::default(),
    )
    .await;
    for head in [
        // Announces 100 bytes, sends 10 and waits.
        "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"value\":[",
        // Chunked, one chunk, then nothing.
        "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{\"\r\n",
    ] {
        let mut stream = TcpStream::connect(address).await.expect("connects");
        stream.write_all(head.as_bytes()).await.expect("writes");
        let started = Instant::now();
        let mut buffer = [0u8; 512];
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
            .await
            .expect("an answer in time")
            .expect("reads");
        let answer = String::from_utf8_lossy(&buffer[..read]);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(started.elapsed() < Duration::from_secs(3));
    }
    handshake_works(address).await;
}

#[tokio::test]
async fn a_content_length_past_the_limit_is_413_before_the_body_is_read() {
    let address = start(webhook(), ServeSettings::default()).await;
    let mut stream = TcpStream::connect(address).await.expect("connects");
    stream
        .write_all(
            b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n0123456789",
        )
        .await
        .expect("writes");
    let started = Instant::now();
    let mut buffer = [0u8; 512];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
        .await
        .expect("an answer in time")
        .expect("reads");
    let answer = String::from_utf8_lossy(&buffer[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(1), "not waited for");
    handshake_works(address).await;
}

#[tokio::test]
async fn requests_beyond_the_bound_are_503_at_once_and_the_rest_go_on() {
    let address = start(
        webhook()
            .max_concurrent_requests(2)
            .body_timeout(Duration::from_secs(2)),
        ServeSettings::default(),
    )
    .await;
    // Two requests hold both slots, their bodies trickling.
    let mut holders = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(address).await.expect("connects");
        stream
            .write_all(b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
            .await
            .expect("writes");
        holders.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut third = TcpStream::connect(address).await.expect("connects");
    third
        .write_all(b"POST /hook?validationToken=x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .await
        .expect("writes");
    let started = Instant::now();
    let answer_third = answer(&mut third, Duration::from_secs(5)).await;
    assert!(answer_third.starts_with("HTTP/1.1 503"), "{answer_third}");
    assert!(answer_third.to_ascii_lowercase().contains("retry-after: 1"));
    assert!(started.elapsed() < Duration::from_millis(500), "at once");
    // The holders get their 408 and free the slots.
    for mut holder in holders {
        let mut buffer = [0u8; 512];
        let read = tokio::time::timeout(Duration::from_secs(5), holder.read(&mut buffer))
            .await
            .expect("an answer in time")
            .expect("reads");
        assert!(String::from_utf8_lossy(&buffer[..read]).starts_with("HTTP/1.1 408"));
    }
    handshake_works(address).await;
}
