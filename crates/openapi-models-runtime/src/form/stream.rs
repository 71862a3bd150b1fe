//! A file part's content read from a stream ([`FileStream`]), for files too large to hold in
//! memory. The stream is read once, as the request is sent: a form that holds one can be
//! cloned (its clones share the one stream) but sent only once, and only by the client's
//! `send()`, which never retries or re-sends such a request after a redirect (see the client
//! runtime's `multipart` docs). A stream is only ever sent: the server reads every part into
//! bytes.

use bytes::Bytes;
use futures_core::Stream;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

/// An error from a file's stream (the stream's own, boxed).
pub type StreamError = Box<dyn std::error::Error + Send + Sync>;

/// The chunks of a streamed file, as the client sends them.
pub type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, StreamError>> + Send>>;

/// A file's content as a stream of chunks, read once (shared by the clones of its form), and
/// its length when it was declared.
#[derive(Clone)]
pub struct FileStream {
    chunks: Arc<Mutex<Option<Chunks>>>,
    length: Option<u64>,
}

impl FileStream {
    /// A stream of `chunks`, of `length` bytes if known.
    pub fn new<S, B, E>(chunks: S, length: Option<u64>) -> Self
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes>,
        E: Into<StreamError>,
    {
        let chunks: Chunks = Box::pin(IntoChunks(Box::pin(chunks)));
        FileStream {
            chunks: Arc::new(Mutex::new(Some(chunks))),
            length,
        }
    }

    /// The declared length in bytes, if any.
    pub fn length(&self) -> Option<u64> {
        self.length
    }

    /// The chunks, taken out: `None` when this stream (or a clone of it) was taken already.
    pub fn take(&self) -> Option<Chunks> {
        self.chunks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Whether the chunks were taken (the file was sent, or is being sent).
    pub fn is_taken(&self) -> bool {
        self.chunks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }
}

/// The same stream (a clone) is equal; two streams are not, whatever they hold.
impl PartialEq for FileStream {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chunks, &other.chunks)
    }
}

impl Eq for FileStream {}

impl std::hash::Hash for FileStream {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::ptr::hash(Arc::as_ptr(&self.chunks), state);
    }
}

impl std::fmt::Debug for FileStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStream")
            .field("length", &self.length)
            .field("taken", &self.is_taken())
            .finish()
    }
}

/// A user's stream with its items made [`Chunks`]' items.
struct IntoChunks<S>(Pin<Box<S>>);

impl<S, B, E> Stream for IntoChunks<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Into<Bytes>,
    E: Into<StreamError>,
{
    type Item = Result<Bytes, StreamError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0
            .as_mut()
            .poll_next(cx)
            .map(|item| item.map(|chunk| chunk.map(Into::into).map_err(Into::into)))
    }
}

/// A tokio reader as [`Chunks`]: up to 64 KiB a read.
#[cfg(feature = "tokio")]
pub(crate) struct ReaderChunks<R>(pub(crate) Pin<Box<R>>);

#[cfg(feature = "tokio")]
impl<R: tokio::io::AsyncRead> Stream for ReaderChunks<R> {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut chunk = vec![0; 64 * 1024];
        let mut buffer = tokio::io::ReadBuf::new(&mut chunk);
        match self.0.as_mut().poll_read(cx, &mut buffer) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) => {
                let read = buffer.filled().len();
                if read == 0 {
                    return Poll::Ready(None);
                }
                chunk.truncate(read);
                Poll::Ready(Some(Ok(Bytes::from(chunk))))
            }
        }
    }
}
