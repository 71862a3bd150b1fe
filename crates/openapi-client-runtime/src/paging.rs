//! Paging: an operation whose answer is one page of a collection, with the next page's URL in
//! a property (`@odata.nextLink`, or the one AutoRest's `x-ms-pageable` names). Generated code
//! states which fields hold the link and the items ([`pageable!`](crate::pageable)); how pages
//! are followed is decided here, once.
//!
//! The first page is the operation's own request. Each next page is a GET of the previous
//! page's link, sent like every request (token, refresh, retries, rate limit, a span), and
//! decoded as the same page type. A link is followed only to the origin (scheme, host and
//! port) of the client's base URL, so the token never goes anywhere else; a link to another
//! origin, one that does not parse, one fetched already (a server that loops) and one past the
//! page cap (a server that never stops: 1,000 pages unless set otherwise) are an
//! [`Error::NextLink`]. A missing, `null` or empty link ends the pages. After an error, on any
//! page, the stream ends.

use crate::request_base::RequestBuilder;
use openapi_models_runtime::Nullable;

/// An operation whose answer comes in pages: which property of a page holds the next page's
/// link and which holds the items. Implemented by generated builders through
/// [`pageable!`](crate::pageable), which also gives them `pages()` and `items()`.
pub trait Pageable: RequestBuilder {
    /// One item of a page.
    type Item;

    /// The link to the next page, if there is one.
    fn next_link(page: &Self::Output) -> Option<&str>;

    /// The items of a page, in order.
    fn items(page: Self::Output) -> Vec<Self::Item>;
}

/// A property that holds a page's next link, in any of the shapes a models field has
/// (`String`, `Option<String>`, `Nullable<String>`). An empty link is no link.
#[doc(hidden)]
pub trait NextLinkField {
    /// The link, if there is one.
    fn next_link(&self) -> Option<&str>;
}

impl NextLinkField for String {
    fn next_link(&self) -> Option<&str> {
        Some(self.as_str()).filter(|link| !link.trim().is_empty())
    }
}

impl<T: NextLinkField> NextLinkField for Option<T> {
    fn next_link(&self) -> Option<&str> {
        self.as_ref().and_then(T::next_link)
    }
}

impl<T: NextLinkField> NextLinkField for Nullable<T> {
    fn next_link(&self) -> Option<&str> {
        self.as_option().and_then(T::next_link)
    }
}

impl<T: NextLinkField> NextLinkField for Box<T> {
    fn next_link(&self) -> Option<&str> {
        T::next_link(self)
    }
}

/// A property that holds a page's items, in any of the shapes a models field has
/// (`Vec<T>`, `Option<Vec<T>>`, `Nullable<Vec<T>>`). Absent and `null` are no items.
#[doc(hidden)]
pub trait ItemsField {
    /// One item.
    type Item;

    /// The items, in order.
    fn into_items(self) -> Vec<Self::Item>;
}

impl<T> ItemsField for Vec<T> {
    type Item = T;

    fn into_items(self) -> Vec<T> {
        self
    }
}

impl<V: ItemsField> ItemsField for Option<V> {
    type Item = V::Item;

    fn into_items(self) -> Vec<V::Item> {
        self.map(V::into_items).unwrap_or_default()
    }
}

impl<V: ItemsField> ItemsField for Nullable<V> {
    type Item = V::Item;

    fn into_items(self) -> Vec<V::Item> {
        self.into_option().map(V::into_items).unwrap_or_default()
    }
}

impl<V: ItemsField> ItemsField for Box<V> {
    type Item = V::Item;

    fn into_items(self) -> Vec<V::Item> {
        (*self).into_items()
    }
}

#[cfg(feature = "reqwest")]
pub use streams::{Items, Pages};

#[cfg(feature = "reqwest")]
mod streams {
    use super::Pageable;
    use crate::client::Client;
    use crate::error::{Error, NextLinkError, NextLinkProblem, RequestInfo};
    use crate::request::Operation;
    use reqwest::Url;
    use std::collections::HashSet;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll};

    /// A page on its way, and the request it is the answer to.
    type PageFuture<P> =
        Pin<Box<dyn Future<Output = Result<(http::Response<P>, RequestInfo), Error>> + Send>>;

    /// The pages of a pageable request, in order, each a whole page value (every property of
    /// the page included): the request's own
    /// answer, then the GET of each page's next link. A [`futures_core::Stream`]; without a
    /// stream library, call [`Pages::next`] in a `while let` loop, or [`Pages::collect_all`].
    ///
    /// Links are followed only to the base URL's origin; see [`Error::NextLink`]. After an
    /// error the stream ends. Pages are fetched one at a time, when asked for.
    #[must_use = "a stream does nothing until it is polled"]
    pub struct Pages<B: Pageable> {
        client: Client,
        request: Arc<B>,
        /// Every URL fetched (the first page's and each link followed), to catch a loop.
        fetched: HashSet<String>,
        /// The number of the last page asked for, from 1.
        page: u32,
        /// No link is followed past this many pages.
        max_pages: u32,
        state: State<B::Output>,
    }

    enum State<P> {
        /// The next page to ask for: `None` for the first (the request itself), else a link.
        Next(Option<Link>),
        /// A page on its way, and its URL (for a relative next link).
        Fetching {
            url: Option<Url>,
            future: PageFuture<P>,
        },
        /// An error to yield before the end.
        Failed(Error),
        Done,
    }

    /// A next link, checked: resolved, on the base URL's origin, not fetched before.
    struct Link {
        url: Url,
        uri: http::Uri,
    }

    impl<B: Pageable> std::fmt::Debug for Pages<B> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Pages")
                .field("operation_id", &self.request.operation_id())
                .field("page", &self.page)
                .finish_non_exhaustive()
        }
    }

    impl<B> Pages<B>
    where
        B: Pageable + Send + Sync + 'static,
        B::Output: Send + 'static,
    {
        /// The pages of `request`; nothing is sent until the first is asked for.
        pub fn new(request: B) -> Self {
            Pages {
                client: request.base().client().clone(),
                request: Arc::new(request),
                fetched: HashSet::new(),
                page: 0,
                max_pages: Self::DEFAULT_MAX_PAGES,
                state: State::Next(None),
            }
        }

        /// The most pages read unless [`Pages::max_pages`] says otherwise: large collections
        /// at their largest page size fit (Graph's largest do), and a server sending new links for ever
        /// is stopped.
        pub const DEFAULT_MAX_PAGES: u32 = 1_000;

        /// Reads at most `max_pages` pages (at least 1): a next link on the last of them is
        /// an [`Error::NextLink`] with [`NextLinkProblem::TooManyPages`].
        pub fn max_pages(mut self, max_pages: u32) -> Self {
            self.max_pages = max_pages.max(1);
            self
        }

        /// The next page: `None` after the last page and after an error.
        pub async fn next(&mut self) -> Option<Result<B::Output, Error>> {
            std::future::poll_fn(|cx| self.poll_page(cx)).await
        }

        /// Every page, in order, or the first error.
        pub async fn collect_all(mut self) -> Result<Vec<B::Output>, Error> {
            let mut pages = Vec::new();
            while let Some(page) = self.next().await {
                pages.push(page?);
            }
            Ok(pages)
        }

        fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<B::Output, Error>>> {
            loop {
                match std::mem::replace(&mut self.state, State::Done) {
                    State::Done => return Poll::Ready(None),
                    State::Failed(error) => return Poll::Ready(Some(Err(error))),
                    State::Next(link) => self.state = self.fetch(link),
                    State::Fetching { url, mut future } => {
                        let (page, info) = match future.as_mut().poll(cx) {
                            Poll::Pending => {
                                self.state = State::Fetching { url, future };
                                return Poll::Pending;
                            }
                            Poll::Ready(Err(error)) => return Poll::Ready(Some(Err(error))),
                            Poll::Ready(Ok((response, info))) => (response.into_body(), info),
                        };
                        self.state = match B::next_link(&page) {
                            None => State::Done,
                            Some(link) => match self.follow(url.as_ref(), link, &info) {
                                Ok(link) => State::Next(Some(link)),
                                Err(error) => State::Failed(error),
                            },
                        };
                        return Poll::Ready(Some(Ok(page)));
                    }
                }
            }
        }

        /// Starts fetching a page: the request itself, or the GET of a link.
        fn fetch(&mut self, link: Option<Link>) -> State<B::Output> {
            self.page = self.page.saturating_add(1);
            let url = match &link {
                Some(link) => Some(link.url.clone()),
                // The first page's URL, to resolve a relative link against and to catch a
                // loop back to it. If the request cannot be built, sending says why.
                None => self
                    .request
                    .to_request()
                    .ok()
                    .and_then(|r| Url::parse(&r.uri().to_string()).ok()),
            };
            if let Some(url) = &url {
                self.fetched.insert(url.as_str().to_owned());
            }
            let page = PageRequest {
                request: Arc::clone(&self.request),
                link: link.map(|l| l.uri),
            };
            let (client, number) = (self.client.clone(), self.page);
            State::Fetching {
                url,
                future: Box::pin(async move { client.send_page(&page, number).await }),
            }
        }

        /// Checks a page's next link: resolved against the page's URL (OData allows a relative
        /// one), on the base URL's origin, and not fetched before. A refusal names `request`,
        /// the one whose page held the link.
        fn follow(
            &self,
            page_url: Option<&Url>,
            link: &str,
            request: &RequestInfo,
        ) -> Result<Link, Error> {
            let refuse = |problem| {
                Error::NextLink(Box::new(NextLinkError {
                    link: link.to_owned(),
                    problem,
                    request: Some(request.clone()),
                }))
            };
            let invalid =
                |e: &dyn std::fmt::Display| refuse(NextLinkProblem::Invalid(e.to_string()));
            let mut url = match page_url {
                Some(page_url) => page_url.join(link),
                None => Url::parse(link),
            }
            .map_err(|e| invalid(&e))?;
            url.set_fragment(None);
            if !url.username().is_empty() || url.password().is_some() {
                return Err(invalid(&"user information (`user@host`) is not allowed"));
            }
            let same_origin =
                Url::parse(self.client.base_url()).is_ok_and(|base| base.origin() == url.origin());
            if !same_origin {
                return Err(refuse(NextLinkProblem::ForeignOrigin));
            }
            if self.fetched.contains(url.as_str()) {
                return Err(refuse(NextLinkProblem::Repeated));
            }
            if self.page >= self.max_pages {
                return Err(refuse(NextLinkProblem::TooManyPages {
                    max_pages: self.max_pages,
                }));
            }
            let uri = url.as_str().parse().map_err(|e| invalid(&e))?;
            Ok(Link { url, uri })
        }
    }

    impl<B> futures_core::Stream for Pages<B>
    where
        B: Pageable + Send + Sync + 'static,
        B::Output: Send + 'static,
    {
        type Item = Result<B::Output, Error>;

        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            self.get_mut().poll_page(cx)
        }
    }

    /// The items of every page of a pageable request, in order (see [`Pages`]). A
    /// [`futures_core::Stream`]; without a stream library, call [`Items::next`] in a
    /// `while let` loop, or [`Items::collect_all`].
    #[must_use = "a stream does nothing until it is polled"]
    pub struct Items<B: Pageable> {
        pages: Pages<B>,
        /// What is left of the current page.
        items: std::vec::IntoIter<B::Item>,
    }

    // Nothing in it is pinned structurally: the page future is boxed.
    impl<B: Pageable> Unpin for Items<B> {}

    impl<B: Pageable> std::fmt::Debug for Items<B> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Items")
                .field("pages", &self.pages)
                .field("left_in_page", &self.items.len())
                .finish()
        }
    }

    impl<B> Items<B>
    where
        B: Pageable + Send + Sync + 'static,
        B::Output: Send + 'static,
    {
        /// The items of every page of `request`; nothing is sent until the first is asked for.
        pub fn new(request: B) -> Self {
            Items {
                pages: Pages::new(request),
                items: Vec::new().into_iter(),
            }
        }

        /// Reads at most `max_pages` pages (see [`Pages::max_pages`]).
        pub fn max_pages(mut self, max_pages: u32) -> Self {
            self.pages = self.pages.max_pages(max_pages);
            self
        }

        /// The next item: `None` after the last page and after an error.
        pub async fn next(&mut self) -> Option<Result<B::Item, Error>> {
            std::future::poll_fn(|cx| self.poll_item(cx)).await
        }

        /// Every item of every page, in order, or the first error.
        pub async fn collect_all(mut self) -> Result<Vec<B::Item>, Error> {
            let mut items = Vec::new();
            while let Some(item) = self.next().await {
                items.push(item?);
            }
            Ok(items)
        }

        fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<B::Item, Error>>> {
            loop {
                if let Some(item) = self.items.next() {
                    return Poll::Ready(Some(Ok(item)));
                }
                match self.pages.poll_page(cx) {
                    Poll::Ready(Some(Ok(page))) => self.items = B::items(page).into_iter(),
                    Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                    Poll::Ready(None) => return Poll::Ready(None),
                    Poll::Pending => return Poll::Pending,
                }
            }
        }
    }

    impl<B> futures_core::Stream for Items<B>
    where
        B: Pageable + Send + Sync + 'static,
        B::Output: Send + 'static,
    {
        type Item = Result<B::Item, Error>;

        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            self.get_mut().poll_item(cx)
        }
    }

    /// One page's request: the operation's own for the first page; for the others a GET of
    /// the link, with the operation's headers (`Accept`, its header parameters, a chosen
    /// `client-request-id`) and no body, decoded as the operation's page type.
    struct PageRequest<B> {
        request: Arc<B>,
        link: Option<http::Uri>,
    }

    impl<B: Pageable> Operation for PageRequest<B> {
        type Output = B::Output;

        fn to_request(&self) -> Result<http::Request<Vec<u8>>, Error> {
            let mut request = self.request.to_request()?;
            if let Some(uri) = &self.link {
                *request.method_mut() = http::Method::GET;
                *request.uri_mut() = uri.clone();
                request.body_mut().clear();
                request.headers_mut().remove(http::header::CONTENT_TYPE);
            }
            Ok(request)
        }

        fn parse_response(
            &self,
            response: http::Response<Vec<u8>>,
        ) -> Result<http::Response<B::Output>, Error> {
            self.request.parse_response(response)
        }

        /// A next page is a GET: safe to send again whatever the operation is.
        fn idempotent(&self) -> bool {
            self.link.is_some() || self.request.idempotent()
        }

        fn operation_id(&self) -> &'static str {
            self.request.operation_id()
        }

        fn path_template(&self) -> &'static str {
            self.request.path_template()
        }

        /// A next page is authorized as its first page was.
        fn security(&self) -> Option<&'static [&'static [crate::credentials::Scheme]]> {
            self.request.security()
        }
    }
}

/// Makes a generated request builder pageable: implements [`Pageable`] from the facts (the
/// item type, and the page fields that hold the next link and the items, each `as` its wire
/// name as the docs show it: one line, escaped by the generator) and, with the `reqwest`
/// feature, adds `pages()` and `items()`:
///
/// ```text
/// pageable!(ListPresencesRequest, item = Presence,
///     next_link = odata_next_link as "@odata.nextLink", items = value as "value");
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! pageable {
    ($builder:ident, item = $item:ty, next_link = $link:ident as $link_wire:literal, items = $items:ident as $items_wire:literal) => {
        impl $crate::Pageable for $builder {
            type Item = $item;

            fn next_link(
                page: &<Self as $crate::Operation>::Output,
            ) -> ::std::option::Option<&str> {
                $crate::__private::NextLinkField::next_link(&page.$link)
            }

            fn items(page: <Self as $crate::Operation>::Output) -> ::std::vec::Vec<$item> {
                $crate::__private::ItemsField::into_items(page.$items)
            }
        }

        impl $builder {
            $crate::__paging_methods!($link_wire, $items_wire);
        }
    };
}

#[cfg(feature = "reqwest")]
#[doc(hidden)]
#[macro_export]
macro_rules! __paging_methods {
    ($link_wire:literal, $items_wire:literal) => {
        #[doc = ::std::concat!(" Every page of the answer, in order, each a whole page (every property of the page included): this request's answer, then a GET of each page's `", $link_wire, "`, sent like any request (token, retries, rate limit).")]
        ///
        #[doc = ::std::concat!(" `", $link_wire, "` is followed only to the base URL's origin (scheme, host and port); a link elsewhere, one that is not a URL, or one fetched already is an error, and the stream ends after any error. A page without the link is the last.")]
        pub fn pages(self) -> $crate::Pages<Self> {
            $crate::Pages::new(self)
        }

        #[doc = ::std::concat!(" Every item (`", $items_wire, "`) of every page, in order; see [`pages`](Self::pages) for how `", $link_wire, "` is followed (same origin only).")]
        pub fn items(self) -> $crate::Items<Self> {
            $crate::Items::new(self)
        }
    };
}

#[cfg(not(feature = "reqwest"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __paging_methods {
    ($link_wire:literal, $items_wire:literal) => {};
}

#[cfg(test)]
mod tests {
    use super::{ItemsField, NextLinkField};
    use openapi_models_runtime::Nullable;

    #[test]
    fn every_field_shape_gives_its_link_and_items() {
        let link = "https://graph.microsoft.com/beta/x?$skiptoken=2".to_owned();
        assert_eq!(link.next_link(), Some(link.as_str()));
        assert_eq!(Some(link.clone()).next_link(), Some(link.as_str()));
        assert_eq!(
            Nullable::Value(link.clone()).next_link(),
            Some(link.as_str())
        );
        assert_eq!(None::<String>.next_link(), None);
        assert_eq!(Nullable::<String>::Null.next_link(), None);
        assert_eq!(Nullable::<String>::Absent.next_link(), None);
        assert_eq!(String::new().next_link(), None);
        assert_eq!(vec![1, 2].into_items(), [1, 2]);
        assert_eq!(Some(vec![1]).into_items(), [1]);
        assert_eq!(None::<Vec<u8>>.into_items(), Vec::<u8>::new());
        assert_eq!(Nullable::<Vec<u8>>::Null.into_items(), Vec::<u8>::new());
        assert_eq!(Nullable::Value(vec![3]).into_items(), [3]);
    }
}
