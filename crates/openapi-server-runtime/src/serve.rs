//! Serving a router over HTTP/1 with the limits a server facing the network needs and axum's
//! own `serve` does not set: a header read timeout, so a client that sends its headers slowly
//! (or never) does not hold a connection, and a bound on open connections.

use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How [`serve`] treats connections.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServeSettings {
    /// How long a request's headers may take to arrive (default 10 s); the connection is
    /// closed after that.
    pub header_read_timeout: Duration,
    /// The most connections open at once (default 1,024); more wait to be accepted.
    pub max_connections: usize,
}

impl Default for ServeSettings {
    fn default() -> Self {
        ServeSettings {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
        }
    }
}

impl ServeSettings {
    /// These settings with another header read timeout.
    #[must_use]
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// These settings with another bound on open connections.
    #[must_use]
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }
}

/// Serves `router` on `listener` until the task is dropped: each connection on a task of its
/// own, HTTP/1 with keep-alive, its headers read within the timeout. An error accepting a
/// connection (the process out of file descriptors) waits a moment and goes on.
pub async fn serve(listener: TcpListener, router: axum::Router, settings: ServeSettings) {
    let slots = Arc::new(Semaphore::new(settings.max_connections));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return; // the semaphore is never closed
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let timeout = settings.header_read_timeout;
        tokio::spawn(async move {
            let _slot = slot;
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(timeout)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            // A connection that fails (a client gone, a timeout) ends on its own.
            let _ = connection.await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{ServeSettings, serve};
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn slow_headers_close_the_connection_and_the_server_goes_on() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let address = listener.local_addr().expect("an address");
        let router = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
        let settings = ServeSettings::default().header_read_timeout(Duration::from_millis(200));
        let server = tokio::spawn(serve(listener, router, settings));
        let mut slow = tokio::net::TcpStream::connect(address)
            .await
            .expect("connects");
        slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("writes");
        let started = Instant::now();
        let mut buffer = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buffer)).await;
        assert!(read.is_ok(), "the connection was not closed");
        assert!(started.elapsed() < Duration::from_secs(3));
        let mut fast = tokio::net::TcpStream::connect(address)
            .await
            .expect("connects");
        fast.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .expect("writes");
        let mut answer = String::new();
        fast.read_to_string(&mut answer).await.expect("reads");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        server.abort();
    }
}
