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

/// A tokio reader as [`Chunks`]: up to 64 KiB a read, each chunk split off one buffer that is
/// replaced only when little of it is left (a poll that finds nothing to read allocates
/// nothing).
#[cfg(feature = "tokio")]
pub(crate) struct ReaderChunks<R> {
    reader: Pin<Box<R>>,
    buffer: bytes::BytesMut,
}

#[cfg(feature = "tokio")]
impl<R> ReaderChunks<R> {
    /// The most one read gives.
    const READ: usize = 64 * 1024;

    pub(crate) fn new(reader: R) -> Self {
        ReaderChunks {
            reader: Box::pin(reader),
            buffer: bytes::BytesMut::new(),
        }
    }
}

#[cfg(feature = "tokio")]
impl<R: tokio::io::AsyncRead> Stream for ReaderChunks<R> {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.buffer.len() < Self::READ / 8 {
            this.buffer = bytes::BytesMut::zeroed(Self::READ);
        }
        let mut buffer = tokio::io::ReadBuf::new(&mut this.buffer);
        match this.reader.as_mut().poll_read(cx, &mut buffer) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) => {
                let read = buffer.filled().len();
                if read == 0 {
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Ok(this.buffer.split_to(read).freeze())))
            }
        }
    }
}

#[cfg(all(test, feature = "tokio"))]
mod tests {
    use super::ReaderChunks;
    use futures_core::Stream;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};

    /// A reader that has nothing to give on every other poll, and at most 1,000 bytes on the
    /// others.
    struct Slow {
        data: Vec<u8>,
        at: usize,
        ready: bool,
    }

    impl tokio::io::AsyncRead for Slow {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            self.ready = !self.ready;
            if !self.ready {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let end = (self.at + 1_000)
                .min(self.data.len())
                .min(self.at + buf.remaining());
            buf.put_slice(&self.data[self.at..end]);
            self.at = end;
            Poll::Ready(Ok(()))
        }
    }

    fn collect(mut chunks: ReaderChunks<impl tokio::io::AsyncRead>) -> (Vec<usize>, Vec<u8>) {
        let mut cx = Context::from_waker(Waker::noop());
        let (mut sizes, mut all) = (Vec::new(), Vec::new());
        loop {
            match Pin::new(&mut chunks).poll_next(&mut cx) {
                Poll::Pending => continue,
                Poll::Ready(None) => return (sizes, all),
                Poll::Ready(Some(chunk)) => {
                    let chunk = chunk.expect("no error");
                    sizes.push(chunk.len());
                    all.extend_from_slice(&chunk);
                }
            }
        }
    }

    #[test]
    fn a_reader_arrives_whole_in_chunks_of_at_most_64_kib() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let (sizes, all) = collect(ReaderChunks::new(&data[..]));
        assert_eq!(all, data);
        assert!(sizes.iter().all(|&n| n > 0 && n <= 64 * 1024), "{sizes:?}");
        let slow = Slow {
            data: data.clone(),
            at: 0,
            ready: false,
        };
        let (sizes, all) = collect(ReaderChunks::new(slow));
        assert_eq!(all, data);
        assert_eq!(sizes.len(), 200);
    }
}
