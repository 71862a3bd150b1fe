//! Request bodies with streamed parts (a multipart file made by `FilePart::from_stream` or
//! `from_reader`): the encoded bytes around each stream ([`StreamedBody`]), sent chunk by
//! chunk, never held whole.
//!
//! Such a body is sent once, by [`Client::send`](crate::Client::send) alone:
//!
//! - `Operation::to_request` cannot hold it (its body is a `Vec<u8>`), so building the request
//!   of a form with a streamed part without sending it is an [`Error::InvalidRequest`] naming
//!   the part. `send()` builds it under [`allowing`], which lets the encoded segments ride in
//!   the request's extensions to the executor.
//! - The executor takes each stream out of its part before sending (a second `send()` of the
//!   same form, or of a clone, is an `InvalidRequest` naming the part), never retries the
//!   request (not after a 429 or 503, a timeout or a failed connection, nor to replace an
//!   expired token), and follows only a redirect that drops the body (303, or 301/302 after a
//!   `POST`); a 307 or 308 comes back as the response it is (an error with its status).
//! - When every stream's length is declared, the request has a `Content-Length`; otherwise it
//!   is sent chunked. A stream's error, or a stream that gives more or fewer bytes than it
//!   declared, cuts the request off (the server sees no complete request) and `send()` returns
//!   [`Error::RequestBody`].

use crate::error::Error;
use openapi_models_runtime::__private::FileStream;
use openapi_models_runtime::excerpt;
use std::cell::Cell;

thread_local! {
    /// Whether the request being built may carry a streamed body (set by the executor only).
    static ALLOWED: Cell<bool> = const { Cell::new(false) };
}

/// `build()` with streamed bodies allowed (the executor's way of building a request): the
/// flag is this thread's, and `build` is synchronous, so it covers exactly that call.
#[cfg_attr(not(feature = "reqwest"), allow(dead_code))]
/// Not generic, so that it is compiled once, here.
pub(crate) fn allowing(
    build: &mut dyn FnMut() -> Result<http::Request<Vec<u8>>, Error>,
) -> Result<http::Request<Vec<u8>>, Error> {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            ALLOWED.with(|allowed| allowed.set(self.0));
        }
    }
    let _reset = Reset(ALLOWED.with(|allowed| allowed.replace(true)));
    build()
}

/// Whether a streamed body may be built now.
pub(crate) fn allowed() -> bool {
    ALLOWED.with(Cell::get)
}

/// A piece of a body: encoded bytes, or a part's stream.
#[derive(Clone, Debug)]
pub(crate) enum Segment {
    Bytes(Vec<u8>),
    Stream { part: String, stream: FileStream },
}

/// A body with streamed parts, in order; carried in the built request's extensions.
#[derive(Clone, Debug)]
pub(crate) struct StreamedBody {
    segments: Vec<Segment>,
}

impl StreamedBody {
    pub(crate) fn new(segments: Vec<Segment>) -> Self {
        StreamedBody { segments }
    }

    /// The segments, in order.
    #[cfg(all(test, feature = "reqwest"))]
    pub(crate) fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The first streamed part's name.
    pub(crate) fn first_part(&self) -> &str {
        self.segments
            .iter()
            .find_map(|s| match s {
                Segment::Stream { part, .. } => Some(part.as_str()),
                Segment::Bytes(_) => None,
            })
            .unwrap_or_default()
    }

    /// The body's length, when every stream declared its own.
    pub(crate) fn length(&self) -> Option<u64> {
        self.segments.iter().try_fold(0_u64, |total, segment| {
            let length = match segment {
                Segment::Bytes(bytes) => bytes.len() as u64,
                Segment::Stream { stream, .. } => stream.length()?,
            };
            total.checked_add(length)
        })
    }
}

/// The error that a part is streamed where the request is built without sending it.
pub(crate) fn not_buildable(part: &str) -> Error {
    Error::InvalidRequest(format!(
        "the part `{}` is streamed, so the request has no bytes to build: only `send()` sends it",
        excerpt(part, 80)
    ))
}

#[cfg(feature = "reqwest")]
pub(crate) use send::{Failure, SendBody};

#[cfg(feature = "reqwest")]
mod send {
    use super::{Segment, StreamedBody};
    use crate::error::Error;
    use bytes::Bytes;
    use openapi_models_runtime::__private::{Chunks, FileStream, StreamError};
    use openapi_models_runtime::excerpt;
    use std::collections::VecDeque;
    use std::pin::Pin;
    use std::sync::{Arc, Mutex, PoisonError};
    use std::task::{Context, Poll};

    /// Where the body leaves the error that cut the request off, for the executor to return
    /// (hyper's error only says that the body failed).
    pub(crate) type Failure = Arc<Mutex<Option<StreamFailure>>>;

    /// What went wrong with a part's stream.
    #[derive(Debug)]
    pub(crate) struct StreamFailure {
        part: String,
        /// Bytes of the part sent before it failed.
        sent: u64,
        problem: Problem,
    }

    #[derive(Debug)]
    enum Problem {
        Stream(StreamError),
        Length(u64),
    }

    impl std::fmt::Display for StreamFailure {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let part = excerpt(&self.part, 80);
            match &self.problem {
                Problem::Stream(e) => write!(
                    f,
                    "the stream of part `{}` failed after {} bytes: {}",
                    part,
                    self.sent,
                    excerpt(&e.to_string(), 200)
                ),
                Problem::Length(declared) => write!(
                    f,
                    "the stream of part `{}` gave {}{} bytes, but declared {declared}",
                    part,
                    if self.sent > *declared {
                        "at least "
                    } else {
                        ""
                    },
                    self.sent
                ),
            }
        }
    }

    impl std::error::Error for StreamFailure {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            match &self.problem {
                Problem::Stream(e) => Some(e.as_ref()),
                Problem::Length(_) => None,
            }
        }
    }

    /// The error hyper gets from the body (the real one is in the [`Failure`]).
    #[derive(Debug)]
    struct Cut;

    impl std::fmt::Display for Cut {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("the streamed request body failed")
        }
    }

    impl std::error::Error for Cut {}

    enum Sending {
        Bytes(Bytes),
        Stream {
            part: String,
            // A `Mutex` only to be `Sync`, as reqwest's body must be; reached by `get_mut`.
            chunks: Mutex<Chunks>,
            declared: Option<u64>,
            sent: u64,
        },
    }

    /// A [`StreamedBody`] being sent: an `http_body::Body` of its segments, in order.
    pub(crate) struct SendBody {
        segments: VecDeque<Sending>,
        length: Option<u64>,
        failure: Failure,
    }

    impl SendBody {
        /// Takes every stream out of its part (an error naming the first one taken already).
        pub(crate) fn take(body: StreamedBody, failure: Failure) -> Result<Self, Error> {
            // Checked before any is taken, so that a refused form loses none of its streams.
            let streams: Vec<(&String, &FileStream)> = body
                .segments
                .iter()
                .filter_map(|segment| match segment {
                    Segment::Stream { part, stream } => Some((part, stream)),
                    Segment::Bytes(_) => None,
                })
                .collect();
            for (i, (part, stream)) in streams.iter().enumerate() {
                let problem = if stream.is_taken() {
                    "was sent already"
                } else if streams[..i].iter().any(|(_, earlier)| earlier == stream) {
                    "is in the form twice"
                } else {
                    continue;
                };
                return Err(Error::InvalidRequest(format!(
                    "the stream of part `{}` {problem}: a streamed part is read once",
                    excerpt(part, 80)
                )));
            }
            let length = body.length();
            let mut segments = VecDeque::with_capacity(body.segments.len());
            for segment in body.segments {
                segments.push_back(match segment {
                    Segment::Bytes(bytes) => Sending::Bytes(Bytes::from(bytes)),
                    Segment::Stream { part, stream } => {
                        let Some(chunks) = stream.take() else {
                            return Err(Error::InvalidRequest(format!(
                                "the stream of part `{}` was sent already: a streamed part is read once",
                                excerpt(&part, 80)
                            )));
                        };
                        Sending::Stream {
                            part,
                            chunks: Mutex::new(chunks),
                            declared: stream.length(),
                            sent: 0,
                        }
                    }
                });
            }
            Ok(SendBody {
                segments,
                length,
                failure,
            })
        }

        fn fail(&mut self, part: String, sent: u64, problem: Problem) -> Poll<Option<Frame>> {
            self.segments.clear();
            *self.failure.lock().unwrap_or_else(PoisonError::into_inner) = Some(StreamFailure {
                part,
                sent,
                problem,
            });
            Poll::Ready(Some(Err(Box::new(Cut))))
        }
    }

    type Frame = Result<http_body::Frame<Bytes>, StreamError>;

    impl http_body::Body for SendBody {
        type Data = Bytes;
        type Error = StreamError;

        fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Frame>> {
            let this = &mut *self;
            loop {
                let Some(front) = this.segments.front_mut() else {
                    return Poll::Ready(None);
                };
                match front {
                    Sending::Bytes(bytes) => {
                        let bytes = std::mem::take(bytes);
                        this.segments.pop_front();
                        if !bytes.is_empty() {
                            return Poll::Ready(Some(Ok(http_body::Frame::data(bytes))));
                        }
                    }
                    Sending::Stream {
                        part,
                        chunks,
                        declared,
                        sent,
                    } => {
                        let chunks = chunks.get_mut().unwrap_or_else(PoisonError::into_inner);
                        match chunks.as_mut().poll_next(cx) {
                            Poll::Pending => return Poll::Pending,
                            Poll::Ready(Some(Ok(chunk))) => {
                                *sent += chunk.len() as u64;
                                if declared.is_some_and(|declared| *sent > declared) {
                                    let (part, sent, declared) =
                                        (std::mem::take(part), *sent, declared.unwrap_or(0));
                                    return this.fail(part, sent, Problem::Length(declared));
                                }
                                if !chunk.is_empty() {
                                    return Poll::Ready(Some(Ok(http_body::Frame::data(chunk))));
                                }
                            }
                            Poll::Ready(Some(Err(e))) => {
                                let (part, sent) = (std::mem::take(part), *sent);
                                return this.fail(part, sent, Problem::Stream(e));
                            }
                            Poll::Ready(None) => {
                                if let Some(declared) = *declared
                                    && declared != *sent
                                {
                                    let (part, sent) = (std::mem::take(part), *sent);
                                    return this.fail(part, sent, Problem::Length(declared));
                                }
                                this.segments.pop_front();
                            }
                        }
                    }
                }
            }
        }

        fn is_end_stream(&self) -> bool {
            self.segments.is_empty()
        }

        /// The whole body's length (hyper asks before the first frame).
        fn size_hint(&self) -> http_body::SizeHint {
            match self.length {
                Some(length) => http_body::SizeHint::with_exact(length),
                None => http_body::SizeHint::default(),
            }
        }
    }
}

#[cfg(all(test, feature = "reqwest"))]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// A stream of these chunks, each ready at once.
    struct Ready(VecDeque<Result<Vec<u8>, std::io::Error>>);

    impl futures_core::Stream for Ready {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            Poll::Ready(self.0.pop_front())
        }
    }

    fn body(chunks: &[&[u8]], length: Option<u64>) -> (StreamedBody, FileStream) {
        let chunks = Ready(chunks.iter().map(|c| Ok(c.to_vec())).collect());
        let stream = FileStream::new(chunks, length);
        let segments = vec![
            Segment::Bytes(b"<".to_vec()),
            Segment::Stream {
                part: "f\n".to_owned(),
                stream: stream.clone(),
            },
            Segment::Bytes(b">".to_vec()),
        ];
        (StreamedBody::new(segments), stream)
    }

    /// Every frame of `body` sent, and the failure that cut it off, if any.
    fn sent(body: StreamedBody) -> (Vec<u8>, Option<String>) {
        use http_body::Body as _;
        let failure = Failure::default();
        let mut sending = SendBody::take(body, failure.clone()).expect("not taken");
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut bytes = Vec::new();
        while let Poll::Ready(Some(frame)) = Pin::new(&mut sending).poll_frame(&mut cx) {
            match frame {
                Ok(frame) => bytes.extend_from_slice(frame.data_ref().expect("data")),
                Err(_) => break,
            }
        }
        let cut = failure.lock().expect("not poisoned").take();
        (bytes, cut.map(|cut| cut.to_string()))
    }

    #[test]
    fn the_segments_are_sent_in_order_and_the_length_is_checked() {
        let (whole, _) = body(&[b"ab", b"", b"c"], Some(3));
        assert_eq!(whole.length(), Some(5));
        assert_eq!(sent(whole), (b"<abc>".to_vec(), None));
        let (long, _) = body(&[b"ab", b"cd"], Some(3));
        let (bytes, cut) = sent(long);
        assert_eq!(bytes, b"<ab");
        assert_eq!(
            cut.as_deref(),
            Some("the stream of part `f\\n` gave at least 4 bytes, but declared 3")
        );
        let (short, _) = body(&[b"ab"], Some(3));
        let cut = sent(short).1;
        assert_eq!(
            cut.as_deref(),
            Some("the stream of part `f\\n` gave 2 bytes, but declared 3")
        );
        let (unknown, _) = body(&[b"ab"], None);
        assert_eq!(unknown.length(), None);
        assert_eq!(sent(unknown), (b"<ab>".to_vec(), None));
    }

    #[test]
    fn a_stream_is_taken_once() {
        let (first, stream) = body(&[b"a"], None);
        let second = first.clone();
        assert!(!stream.is_taken());
        let _sending = SendBody::take(first, Failure::default()).expect("taken");
        assert!(stream.is_taken());
        let Err(error) = SendBody::take(second, Failure::default()) else {
            panic!("taken twice");
        };
        assert!(
            error.to_string().contains("part `f\\n` was sent already"),
            "{error}"
        );
    }

    #[test]
    fn a_stream_twice_in_one_form_is_refused_before_any_is_taken() {
        let (_, stream) = body(&[b"a"], None);
        let twice = StreamedBody::new(vec![
            Segment::Stream {
                part: "a".to_owned(),
                stream: stream.clone(),
            },
            Segment::Stream {
                part: "b".to_owned(),
                stream: stream.clone(),
            },
        ]);
        let Err(error) = SendBody::take(twice, Failure::default()) else {
            panic!("one stream sent as two parts");
        };
        assert!(
            error.to_string().contains("part `b` is in the form twice"),
            "{error}"
        );
        assert!(!stream.is_taken(), "the refused form kept its stream");
    }
}
