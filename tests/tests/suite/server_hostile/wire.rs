//! The wire: what only raw HTTP/1.1 over TCP can do (bodies cut short, lengths that lie,
//! slow headers).

use super::*;

// ---------------------------------------------------------------------------------------
// The wire

/// The limits of the wire tests: short, so that timeouts come quickly.
const BODY_TIMEOUT: Duration = Duration::from_millis(300);
const HEADER_TIMEOUT: Duration = Duration::from_millis(300);
const BODY_LIMIT: usize = 64 * 1024;
const CONNECTIONS: usize = 8;

/// `serve(router_with(Mock, …))` on 127.0.0.1, stopped when dropped.
struct Server {
    address: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What came back on a connection, read until the server closed it.
#[derive(Debug)]
struct Wire {
    /// The status of the answer, if there was one.
    status: Option<u16>,
    /// Its body, as JSON (`Null` when it is not).
    body: Value,
    /// Everything received, as text.
    text: String,
}

impl Wire {
    fn error(&self, code: &str) -> &str {
        assert_eq!(self.body["error"]["code"], code, "{self:?}");
        self.body["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message in {self:?}"))
    }
}

impl Server {
    async fn start() -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port on 127.0.0.1");
        let address = listener.local_addr().expect("an address");
        let settings = Settings::default()
            .body_limit(BODY_LIMIT)
            .body_timeout(BODY_TIMEOUT);
        let serving = ServeSettings::default()
            .header_read_timeout(HEADER_TIMEOUT)
            .max_connections(CONNECTIONS);
        let task = tokio::spawn(serve(listener, router_with(Mock, settings), serving));
        Server { address, task }
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.address).await.expect("connects")
    }

    /// Sends `request` whole, then reads until the server closes the connection.
    async fn exchange(&self, request: &[u8]) -> Wire {
        let mut stream = self.connect().await;
        stream.write_all(request).await.expect("writes");
        read(&mut stream).await
    }

    async fn still_answers(&self) {
        let wire = self.exchange(VALID).await;
        assert_eq!(wire.status, Some(200), "a valid request after: {wire:?}");
    }
}

/// Reads until the server closes (or resets) the connection, within 5 s.
async fn read(stream: &mut (impl AsyncReadExt + Unpin)) -> Wire {
    let mut received = Vec::new();
    let reading = async {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
                // Reset: what came before it is the answer.
                Err(_) => break,
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), reading)
        .await
        .expect("the server answers or closes the connection within 5 s");
    let text = String::from_utf8_lossy(&received).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok());
    let body = text
        .split_once("\r\n\r\n")
        .map(|(head, body)| {
            match head
                .to_ascii_lowercase()
                .contains("transfer-encoding: chunked")
            {
                true => unchunked(body),
                false => body.to_owned(),
            }
        })
        .and_then(|body| serde_json::from_str(&body).ok())
        .unwrap_or(Value::Null);
    Wire { status, body, text }
}

/// A chunked body's data.
fn unchunked(mut text: &str) -> String {
    let mut data = String::new();
    while let Some((size, rest)) = text.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        data.push_str(&rest[..size]);
        text = rest[size..].trim_start_matches("\r\n");
    }
    data
}

/// A POST of a JSON body to `getPresencesByUserId`, its head announcing `length` (or chunked).
fn head(length: Option<usize>) -> Vec<u8> {
    let length = match length {
        Some(n) => format!("Content-Length: {n}\r\n"),
        None => "Transfer-Encoding: chunked\r\n".to_owned(),
    };
    format!(
        "POST /communications/getPresencesByUserId HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/json\r\nConnection: close\r\n{length}\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn a_body_cut_short_by_a_closed_connection_is_a_bad_request() {
    let server = Server::start().await;
    for length in [Some(IDS_BODY.len()), None] {
        let mut stream = server.connect().await;
        stream.write_all(&head(length)).await.expect("writes");
        let half = &IDS_BODY[..IDS_BODY.len() / 2];
        if length.is_none() {
            let size = format!("{:x}\r\n", IDS_BODY.len());
            stream.write_all(size.as_bytes()).await.expect("writes");
        }
        stream.write_all(half).await.expect("writes");
        stream.shutdown().await.expect("closes its half");
        let wire = read(&mut stream).await;
        assert_eq!(wire.status, Some(400), "length {length:?}: {wire:?}");
        assert_eq!(
            wire.error("BadRequest"),
            "the request body could not be read"
        );
        server.still_answers().await;
    }
}

#[tokio::test]
async fn a_json_body_cut_short_names_its_line_and_column() {
    let server = Server::start().await;
    let cut = br#"{"ids":
["fa8bf3dc-eca7"#;
    let mut request = head(Some(cut.len()));
    request.extend_from_slice(cut);
    let wire = server.exchange(&request).await;
    assert_eq!(wire.status, Some(400), "{wire:?}");
    let message = wire.error("BadRequest");
    assert!(message.contains("line 2 column 15"), "{message}");
    server.still_answers().await;
}

#[tokio::test]
async fn a_length_announced_and_never_sent_is_a_timeout() {
    let server = Server::start().await;
    let half = &IDS_BODY[..IDS_BODY.len() / 2];
    // A length, half of it sent; a chunk, half of it sent; a body sent a byte at a time, too
    // slowly.
    let mut chunk = format!("{:x}\r\n", IDS_BODY.len()).into_bytes();
    chunk.extend_from_slice(half);
    let cases: [(Option<usize>, &[u8], Duration); 3] = [
        (Some(IDS_BODY.len()), half, Duration::ZERO),
        (None, &chunk, Duration::ZERO),
        (Some(IDS_BODY.len()), IDS_BODY, Duration::from_millis(40)),
    ];
    for (length, sent, pause) in cases {
        let (mut reading, mut writing) = server.connect().await.into_split();
        writing.write_all(&head(length)).await.expect("writes");
        let started = Instant::now();
        let sent = sent.to_vec();
        // The connection stays open: the writer is dropped only when done.
        let writer = tokio::spawn(async move {
            for byte in sent {
                if writing.write_all(&[byte]).await.is_err() {
                    break;
                }
                tokio::time::sleep(pause).await;
            }
            tokio::time::sleep(Duration::from_secs(10)).await;
            drop(writing);
        });
        let wire = read(&mut reading).await;
        writer.abort();
        assert_eq!(wire.status, Some(408), "{length:?} {pause:?}: {wire:?}");
        assert_eq!(
            wire.error("RequestTimeout"),
            "the request body did not arrive within 0.3 s"
        );
        // Generous: timers run late on a loaded machine.
        assert!(
            started.elapsed() < BODY_TIMEOUT * 10,
            "{:?}",
            started.elapsed()
        );
        server.still_answers().await;
    }
}

#[tokio::test]
async fn ten_megabytes_are_refused_on_the_wire() {
    let server = Server::start().await;
    let body = vec![b' '; 10 * 1024 * 1024];
    for length in [Some(body.len()), None] {
        let (mut reading, mut writing) = server.connect().await.into_split();
        let mut request = head(length);
        match length {
            Some(_) => request.extend_from_slice(&body),
            None => {
                for chunk in body.chunks(1024 * 1024) {
                    request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    request.extend_from_slice(chunk);
                    request.extend_from_slice(b"\r\n");
                }
                request.extend_from_slice(b"0\r\n\r\n");
            }
        }
        // Written while the answer is read: the server answers before reading it all.
        let writer = tokio::spawn(async move {
            let _ = writing.write_all(&request).await;
            writing
        });
        let wire = read(&mut reading).await;
        writer.abort();
        assert_eq!(wire.status, Some(413), "{length:?}: {wire:?}");
        assert_eq!(
            wire.error("RequestEntityTooLarge"),
            format!("the request body is larger than {BODY_LIMIT} bytes")
        );
        server.still_answers().await;
    }
    // Announced and waiting for `100 Continue`: refused without a byte of it sent.
    let mut request = head(Some(body.len()));
    request.splice(request.len() - 2.., *b"Expect: 100-continue\r\n\r\n");
    let wire = server.exchange(&request).await;
    assert_eq!(wire.status, Some(413), "{wire:?}");
    wire.error("RequestEntityTooLarge");
    server.still_answers().await;
}

/// Sends `bytes` one at a time, `pause` apart, until the server closes the connection; what
/// came back, and how long the server took to close it.
async fn trickle(address: SocketAddr, bytes: &'static [u8], pause: Duration) -> (Wire, Duration) {
    let stream = TcpStream::connect(address).await.expect("connects");
    let (mut reading, mut writing) = stream.into_split();
    let started = Instant::now();
    let writer = tokio::spawn(async move {
        for byte in bytes {
            if writing.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(pause).await;
        }
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(writing);
    });
    let wire = read(&mut reading).await;
    writer.abort();
    (wire, started.elapsed())
}

#[tokio::test]
async fn slow_or_missing_headers_close_the_connection() {
    let server = Server::start().await;
    // Headers a byte every 50 ms (a whole request would take 3 s), and none at all.
    for bytes in [VALID, b""] {
        let (wire, took) = trickle(server.address, bytes, Duration::from_millis(50)).await;
        assert!(
            wire.text.is_empty() || wire.status == Some(408),
            "{:?}: {wire:?}",
            String::from_utf8_lossy(bytes)
        );
        assert!(
            took >= HEADER_TIMEOUT && took < HEADER_TIMEOUT * 10,
            "closed after {took:?}"
        );
        server.still_answers().await;
    }
    // As many slow connections as the server takes at once: a valid request waits for one of
    // them to time out, then is answered.
    // Their headers would take 5.8 s to arrive whole.
    let slow: Vec<_> = (0..CONNECTIONS)
        .map(|_| trickle(server.address, VALID, Duration::from_millis(100)))
        .collect();
    let slow = tokio::spawn(futures_util::future::join_all(slow));
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    server.still_answers().await;
    let waited = started.elapsed();
    assert!(
        waited >= HEADER_TIMEOUT / 2 && waited < HEADER_TIMEOUT * 8,
        "answered after {waited:?}"
    );
    for (wire, _) in slow.await.expect("the slow connections end") {
        assert!(wire.text.is_empty() || wire.status == Some(408), "{wire:?}");
    }
}

#[tokio::test]
async fn malformed_heads_are_refused_before_routing() {
    let server = Server::start().await;
    let long = format!(
        "GET /me/presence HTTP/1.1\r\nHost: x\r\nX-Long: {}\r\n\r\n",
        "a".repeat(1024 * 1024)
    );
    let long_uri = format!(
        "GET /me/presence?$select={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    let cases: [(&[u8], u16); 10] = [
        (b"garbage\r\n\r\n", 400),
        (b"GET /me/presence HTTP/9.9\r\nHost: x\r\n\r\n", 400),
        (b"GET /me/\xff/presence HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /me/presence HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400),
        (
            b"POST /me/presence/setPresence HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            400,
        ),
        (
            b"POST /me/presence/setPresence HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            400,
        ),
        (
            b"POST /me/presence/setPresence HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            400,
        ),
        (long.as_bytes(), 431),
        (long_uri.as_bytes(), 414),
        // Through the parser to the router: an id that is not UTF-8.
        (b"GET /users/%FF/presence HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400),
    ];
    for (request, status) in cases {
        let wire = server.exchange(request).await;
        let shown = String::from_utf8_lossy(&request[..request.len().min(120)]).into_owned();
        assert_eq!(wire.status, Some(status), "{shown}: {wire:?}");
        server.still_answers().await;
    }
    // HTTP/2's preface to an HTTP/1 server: the connection is closed, unanswered.
    let wire = server.exchange(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await;
    assert!(
        wire.status.is_none_or(|s| (400..500).contains(&s)),
        "{wire:?}"
    );
    server.still_answers().await;
}

/// The mock's `Prefer: code=…`: a code that is no final answer's status is a bad request (it
/// was a 500, and 101 a switch of protocols); a 204 carries no body, nor a length for one.
#[tokio::test]
async fn prefer_codes_the_mock_cannot_answer_are_refused() {
    let server = Server::start().await;
    let prefer = |code: &str| {
        format!(
            "GET /me/presence HTTP/1.1\r\nHost: x\r\nPrefer: code={code}\r\n\
             Connection: close\r\n\r\n"
        )
    };
    for code in [
        "0", "99", "100", "101", "103", "199", "600", "999", "65536", "2xx", "",
    ] {
        let wire = server.exchange(prefer(code).as_bytes()).await;
        assert_eq!(wire.status, Some(400), "code={code}: {wire:?}");
        let message = wire.error("BadRequest");
        assert!(
            message.contains("is not a status the mock answers"),
            "{message}"
        );
        server.still_answers().await;
    }
    let wire = server.exchange(prefer("204").as_bytes()).await;
    assert_eq!(wire.status, Some(204), "{wire:?}");
    let (head, body) = wire.text.split_once("\r\n\r\n").expect("a head");
    assert!(body.is_empty(), "{wire:?}");
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "));
    assert!(
        length.is_none_or(|l| l == "0"),
        "a length for no body: {head}"
    );
    // The documented error, asked for.
    let wire = server.exchange(prefer("404").as_bytes()).await;
    assert_eq!(wire.status, Some(404), "{wire:?}");
    assert_eq!(
        wire.error("invalidRange"),
        "Uploaded fragment overlaps with existing data."
    );
    server.still_answers().await;
}
