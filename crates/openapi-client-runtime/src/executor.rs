//! The reqwest executor (feature `reqwest`): the one send path of every request
//! ([`Client::send_prepared`], whichever way it is sent), with the retry loop, one exchange with
//! its redirects and size limit, and the default HTTP client.

use crate::client::{Client, RETRY_ATTEMPT, check_scheme};
use crate::error::{Error, RequestInfo, SendFailure, TimeoutFailure};
use openapi_models_runtime::excerpt;

/// The most redirects followed for one attempt.
const MAX_REDIRECTS: usize = 5;

/// An operation's request as built, and the facts about it the executor needs.
struct Prepared {
    request: Result<http::Request<Vec<u8>>, Error>,
    operation_id: &'static str,
    path_template: &'static str,
    idempotent: bool,
    security: Option<&'static [&'static [crate::credentials::Scheme]]>,
}

impl Prepared {
    fn of<O: crate::request::Operation + ?Sized>(operation: &O) -> Self {
        Prepared {
            request: crate::streaming::allowing(&mut || operation.to_request()),
            operation_id: operation.operation_id(),
            path_template: operation.path_template(),
            idempotent: operation.idempotent(),
            security: operation.security(),
        }
    }
}

/// The executor's work on one request: the raw answer and the request it answers.
type Exchange = std::pin::Pin<
    Box<
        dyn std::future::Future<Output = Result<(http::Response<Vec<u8>>, RequestInfo), Error>>
            + Send,
    >,
>;

/// What a request builder's `send_with_response()` returns, and its `send()` awaits: when
/// first polled, the request is built and sent by the client (token, retries, rate limit,
/// timeout); its answer is read by the operation when it arrives. Nothing happens before the
/// first poll. A named type rather than an `async fn`'s, so that a generated crate compiles one
/// small `poll` per operation.
#[must_use = "a future does nothing unless awaited"]
pub struct ResponseFuture<O: crate::request::Operation> {
    client: Client,
    /// Taken when the answer is parsed.
    operation: Option<O>,
    /// Begun at the first poll.
    exchange: Option<Exchange>,
}

impl<O: crate::request::Operation> ResponseFuture<O> {
    /// `operation`, to be sent with `client` when the future is first polled.
    pub fn new(client: Client, operation: O) -> Self {
        ResponseFuture {
            client,
            operation: Some(operation),
            exchange: None,
        }
    }
}

// The operation is never pinned: it is only read, then moved out, by `poll`.
impl<O: crate::request::Operation> Unpin for ResponseFuture<O> {}

impl<O: crate::request::Operation> std::future::Future for ResponseFuture<O> {
    type Output = Result<http::Response<O::Output>, Error>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.get_mut();
        // Polled again after its answer: the exchange is over, and must not be polled again.
        let read_already = || {
            Err(Error::InvalidRequest(
                "the answer was read already".to_owned(),
            ))
        };
        let Some(operation) = &this.operation else {
            return std::task::Poll::Ready(read_already());
        };
        let client = &this.client;
        let exchange = this
            .exchange
            .get_or_insert_with(|| client.send_prepared(Prepared::of(operation), None));
        let answer = std::task::ready!(exchange.as_mut().poll(cx));
        std::task::Poll::Ready(match (answer, this.operation.take()) {
            (Ok((response, info)), Some(operation)) => operation
                .parse_response(response)
                .map_err(|e| e.with_request(&info)),
            (Ok(_), None) => read_already(),
            (Err(error), _) => Err(error),
        })
    }
}

/// What a request builder's `send()` returns (and `.await` on the builder): as
/// [`ResponseFuture`], the decoded body alone.
#[must_use = "a future does nothing unless awaited"]
pub struct OutputFuture<O: crate::request::Operation>(ResponseFuture<O>);

impl<O: crate::request::Operation> OutputFuture<O> {
    /// `operation`, to be sent with `client` when the future is first polled.
    pub fn new(client: Client, operation: O) -> Self {
        OutputFuture(ResponseFuture::new(client, operation))
    }
}

impl<O: crate::request::Operation> std::future::Future for OutputFuture<O> {
    type Output = Result<O::Output, Error>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0)
            .poll(cx)
            .map(|answer| answer.map(http::Response::into_body))
    }
}

impl<O: crate::request::Operation> std::fmt::Debug for ResponseFuture<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<O: crate::request::Operation> std::fmt::Debug for OutputFuture<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputFuture").finish_non_exhaustive()
    }
}

impl Client {
    /// Sends an operation and reads its response, as a builder's `send()` does.
    ///
    /// Each attempt reuses the request's `client-request-id`; a retry adds `Retry-Attempt`. A
    /// retry waits as long as the server's `Retry-After` asks, or backs off exponentially with
    /// jitter, and never starts after the policy's deadline.
    ///
    /// A request with a streamed body (a multipart file from `FilePart::from_stream`) is sent
    /// once: never retried, nor re-sent to replace a refused token or after a 307/308 redirect
    /// (that response is returned as it is); its stream's failure is [`Error::RequestBody`].
    pub async fn send<O: crate::request::Operation + ?Sized>(
        &self,
        operation: &O,
    ) -> Result<http::Response<O::Output>, Error> {
        let (response, _) = self.send_traced(operation, None).await?;
        Ok(response)
    }

    /// Sends one page of a paged operation: as [`Client::send`], its span numbering the page.
    /// The request comes back too, for an error about the page's next link.
    pub(crate) async fn send_page<O: crate::request::Operation + ?Sized>(
        &self,
        operation: &O,
        page: u32,
    ) -> Result<(http::Response<O::Output>, RequestInfo), Error> {
        self.send_traced(operation, Some(page)).await
    }

    /// The one part of sending that knows the operation's type: its facts go in, its answer's
    /// bytes are parsed. It is compiled once per operation in the generated crate, so it stays
    /// this small; everything else is [`Client::send_prepared`], compiled once, here.
    async fn send_traced<O: crate::request::Operation + ?Sized>(
        &self,
        operation: &O,
        page: Option<u32>,
    ) -> Result<(http::Response<O::Output>, RequestInfo), Error> {
        let (response, info) = self.send_prepared(Prepared::of(operation), page).await?;
        let parsed = operation
            .parse_response(response)
            .map_err(|e| e.with_request(&info))?;
        Ok((parsed, info))
    }

    /// Sends a built request with its retries, in its span; every error that leaves here names
    /// its request (an unbuilt one, its operation). Boxed, and owning a handle on the client,
    /// so that its state machine is compiled in this crate, not again in every generated crate
    /// for every operation.
    fn send_prepared(&self, prepared: Prepared, page: Option<u32>) -> Exchange {
        Box::pin(self.clone().send_prepared_inner(prepared, page))
    }

    async fn send_prepared_inner(
        self,
        prepared: Prepared,
        page: Option<u32>,
    ) -> Result<(http::Response<Vec<u8>>, RequestInfo), Error> {
        use tracing::Instrument;
        let Prepared {
            request,
            operation_id,
            path_template,
            idempotent,
            security,
        } = prepared;
        let mut request = request.map_err(|e| e.with_operation(operation_id))?;
        let streamed = request
            .extensions_mut()
            .remove::<crate::streaming::StreamedBody>();
        check_scheme(request.uri())
            .map_err(|e| e.with_request(&RequestInfo::new(operation_id, &request, 0)))?;
        // Facts only: no token, no body, no path with ids in it (the template instead).
        let span = tracing::info_span!(
            "api.request",
            operation_id = operation_id,
            method = %request.method(),
            path_template = path_template,
            client_request_id = request
                .headers()
                .get(crate::request::CLIENT_REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default(),
            // A page's number (from 1) when the request is one page of a paged answer; the
            // link itself is not traced (it holds the query, with ids).
            page = page,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            error = tracing::field::Empty,
        );
        let mut attempts = 0;
        let outcome = self
            .execute(&request, idempotent, security, &mut attempts, streamed)
            .instrument(span.clone())
            .await;
        match &outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                if let Some(id) = response
                    .headers()
                    .get("request-id")
                    .and_then(|v| v.to_str().ok())
                {
                    span.record("request_id", excerpt(id, 100));
                }
            }
            // Recorded before it names the request: the span has the operation, and a path
            // with ids in it stays out of traces.
            Err(error) => {
                span.record("error", tracing::field::display(error));
            }
        }
        let info = RequestInfo::new(operation_id, &request, attempts);
        let response = outcome.map_err(|e| e.with_request(&info))?;
        Ok((response, info))
    }

    /// The retry loop; `sent` counts the exchanges begun (a token refresh's resend too), for
    /// the error to say how many times the request went out. A `streamed` body is sent once.
    async fn execute(
        &self,
        request: &http::Request<Vec<u8>>,
        idempotent: bool,
        security: Option<&'static [&'static [crate::credentials::Scheme]]>,
        sent: &mut u32,
        streamed: Option<crate::streaming::StreamedBody>,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        // A stream is read as it is sent: nothing is left to send again.
        let replayable = streamed.is_none();
        let idempotent = idempotent && replayable;
        let mut streamed = streamed;
        let limits = &self.inner.limits;
        let clock = limits.clock.as_ref();
        let deadline = clock.now() + limits.retry.total_deadline;
        let mut attempt: u32 = 1;
        let mut refreshed_token = false;
        loop {
            if let Some(rate_limit) = &limits.rate_limit {
                rate_limit.acquire(clock).await;
            }
            let mut this = copy(request);
            if attempt > 1 {
                this.headers_mut()
                    .insert(RETRY_ATTEMPT, http::HeaderValue::from(attempt - 1));
            }
            tracing::Span::current().record("attempts", attempt);
            let applied = self.apply_credentials(security, &mut this).await?;
            *sent += 1;
            let exchange = self.exchange(this, &applied, streamed.take());
            let outcome = match tokio::time::timeout(limits.timeout, exchange).await {
                Ok(outcome) => outcome,
                Err(_) => Err(TimeoutFailure::error(limits.timeout)),
            };
            // A token the server calls invalid (expired or revoked early) is replaced once, whatever
            // the operation: a 401 means nothing was done.
            if let Ok(response) = &outcome
                && response.status() == http::StatusCode::UNAUTHORIZED
                && !refreshed_token
                && crate::error::error_code(response.body())
                    .is_some_and(|code| code.eq_ignore_ascii_case("InvalidAuthenticationToken"))
            {
                refreshed_token = true;
                // A streamed request's answer is returned; the next request gets a new token.
                if self.inner.auth.invalidate() && replayable {
                    tracing::info!(
                        "the server refused the access token; sending again with a new one"
                    );
                    continue;
                }
            }
            if let (Ok(response), Some(rate_limit)) = (&outcome, &limits.rate_limit)
                && response.status() == http::StatusCode::TOO_MANY_REQUESTS
            {
                rate_limit.throttled(clock.now());
            }
            let (wait, reason) = match &outcome {
                Ok(response)
                    if idempotent && crate::retry::is_retryable_status(response.status()) =>
                {
                    let wait = crate::retry::retry_after(response.headers(), clock.now());
                    let reason = match wait {
                        Some(_) => "status with Retry-After",
                        None => "status",
                    };
                    let wait = match wait {
                        Some(asked) => limits.retry.server_wait(attempt, asked),
                        None => limits.retry.backoff(attempt, fastrand::f64()),
                    };
                    (wait, reason)
                }
                Err(Error::Connection(_)) if idempotent => (
                    limits.retry.backoff(attempt, fastrand::f64()),
                    "no response (connection failed)",
                ),
                Err(Error::Timeout(_)) if idempotent => (
                    limits.retry.backoff(attempt, fastrand::f64()),
                    "no response (timeout)",
                ),
                _ => return outcome,
            };
            let status = outcome.as_ref().map_or(0, |r| r.status().as_u16());
            let in_time = jiff::SignedDuration::try_from(wait)
                .is_ok_and(|wait| clock.now().checked_add(wait).is_ok_and(|at| at <= deadline));
            if attempt >= limits.retry.max_attempts || !in_time {
                tracing::warn!(
                    attempt,
                    status,
                    reason,
                    wait_ms = crate::retry::millis(wait),
                    "giving up: {}",
                    if in_time {
                        "no attempts left"
                    } else {
                        "the wait would end past the retry deadline"
                    }
                );
                return outcome;
            }
            tracing::warn!(
                attempt,
                status,
                reason,
                wait_ms = crate::retry::millis(wait),
                "retrying after a wait"
            );
            clock.sleep(wait).await;
            attempt += 1;
        }
    }

    /// One attempt: the request, any redirects, and the body read under the size limit. A
    /// `streamed` body is sent in the first exchange; a redirect that would send it again is
    /// not followed.
    async fn exchange(
        &self,
        mut request: http::Request<Vec<u8>>,
        applied: &crate::credentials::Applied,
        streamed: Option<crate::streaming::StreamedBody>,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        let failure = crate::streaming::Failure::default();
        let mut streamed = streamed
            .map(|body| crate::streaming::SendBody::take(body, failure.clone()))
            .transpose()?;
        // Why a request failed: its body's stream, if that failed, else the exchange.
        let cut = || {
            failure
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take()
                .map(|cut| SendFailure::request_body(Box::new(cut)))
        };
        let failed = |e: reqwest::Error| cut().unwrap_or_else(|| send_error(e));
        let mut stream_sent = false;
        for _ in 0..=MAX_REDIRECTS {
            let sent = copy(&request);
            let sent = match streamed.take() {
                Some(body) => {
                    stream_sent = true;
                    sent.map(|_| reqwest::Body::wrap(body))
                }
                None => sent.map(reqwest::Body::from),
            };
            let outgoing = reqwest::Request::try_from(sent)
                .map_err(|e| Error::InvalidRequest(e.without_url().to_string()))?;
            let mut response = self.inner.http.execute(outgoing).await.map_err(failed)?;
            let status = response.status();
            let location = response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .map(str::to_owned);
            // A redirect that keeps the body (307, 308, 301/302 but after a POST) would send a
            // stream that is read already: it is the answer.
            let keeps_body = !(status == http::StatusCode::SEE_OTHER
                || (matches!(status.as_u16(), 301 | 302)
                    && request.method() == http::Method::POST));
            if let (true, Some(location)) = (
                status.is_redirection()
                    && status != http::StatusCode::NOT_MODIFIED
                    && !(stream_sent && keeps_body),
                location,
            ) {
                let cross_origin = redirect(&mut request, status, &location)?;
                applied.redirected(&mut request, cross_origin)?;
                continue;
            }
            let limit = self.inner.limits.max_response_bytes;
            if response
                .content_length()
                .is_some_and(|length| length > limit as u64)
            {
                return Err(Error::ResponseTooLarge {
                    status,
                    limit,
                    request: None,
                });
            }
            let headers = std::mem::take(response.headers_mut());
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| {
                cut().unwrap_or_else(|| SendFailure::transport(Box::new(e.without_url())))
            })? {
                if body.len() + chunk.len() > limit {
                    return Err(Error::ResponseTooLarge {
                        status,
                        limit,
                        request: None,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            let mut received = http::Response::new(body);
            *received.status_mut() = status;
            *received.headers_mut() = headers;
            return Ok(received);
        }
        Err(Error::InvalidRequest(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }
}

/// What a failed exchange was: a response head that arrived but is malformed (an impossible
/// `Content-Length`, headers over hyper's limit) is [`Error::Transport`], which is not retried
/// (sending again would get the same answer); anything else produced no response and is
/// [`Error::Connection`]. reqwest's URL is dropped: its query can hold ids, and the error
/// names the request's path instead.
fn send_error(error: reqwest::Error) -> Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(current) = source {
        if current
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_parse)
        {
            return SendFailure::transport(Box::new(error.without_url()));
        }
        source = current.source();
    }
    SendFailure::connection(Box::new(error.without_url()))
}

/// Points `request` at a redirect's target. The credentials go only to the same origin (scheme,
/// host and port); a 303, or a 301/302 after a POST, becomes a GET without a body. Says whether
/// the target is another origin.
fn redirect(
    request: &mut http::Request<Vec<u8>>,
    status: http::StatusCode,
    location: &str,
) -> Result<bool, Error> {
    let current = reqwest::Url::parse(&request.uri().to_string())
        .map_err(|e| Error::InvalidRequest(e.to_string()))?;
    let next = current.join(location).map_err(|e| {
        Error::InvalidRequest(format!("redirect to `{}`: {e}", excerpt(location, 200)))
    })?;
    let next_uri: http::Uri = next.as_str().parse().map_err(|e| {
        Error::InvalidRequest(format!("redirect to `{}`: {e}", excerpt(location, 200)))
    })?;
    check_scheme(&next_uri)?;
    let cross_origin = next.origin() != current.origin();
    if cross_origin {
        request.headers_mut().remove(http::header::AUTHORIZATION);
    }
    // The target without its query, which may carry a signature.
    tracing::info!(
        status = status.as_u16(),
        to = %excerpt(&format!("{}{}", next.origin().ascii_serialization(), next.path()), 200),
        cross_origin,
        "following a redirect"
    );
    let to_get = status == http::StatusCode::SEE_OTHER
        || (matches!(status.as_u16(), 301 | 302) && request.method() == http::Method::POST);
    if to_get {
        *request.method_mut() = http::Method::GET;
        request.body_mut().clear();
        // A streamed body's declared length is a header of its own: the GET has no body.
        for header in [
            http::header::CONTENT_TYPE,
            http::header::CONTENT_LENGTH,
            http::header::TRANSFER_ENCODING,
        ] {
            request.headers_mut().remove(header);
        }
    }
    *request.uri_mut() = next_uri;
    Ok(cross_origin)
}

/// `http::Request` is not `Clone` (extensions may not be); ours carry none.
fn copy(request: &http::Request<Vec<u8>>) -> http::Request<Vec<u8>> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// The HTTP client used unless one is given: it does not follow redirects, so that
/// [`Client::send`] can follow them and keep the token on its origin.
pub(crate) fn default_http_client() -> Result<reqwest::Client, Error> {
    // rustls needs a crypto provider; with `rustls-ring` it is ring, unless the application
    // installed one already (then `install_default` leaves it and says so, which is fine).
    #[cfg(feature = "rustls-ring")]
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::InvalidRequest(format!("the HTTP client cannot be created: {e}")))
}

#[cfg(test)]
mod tests {
    /// Each TLS feature gives a client that can be built (CI builds every feature on its own).
    #[test]
    fn the_default_http_client_builds_with_the_chosen_tls_stack() {
        super::default_http_client().expect("the TLS backend initialises");
    }
}
