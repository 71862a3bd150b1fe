//! Paging: whether an operation's response is one page of a collection, and which fields of
//! its struct hold the next page's link and the items. AutoRest's `x-ms-pageable` says so
//! explicitly (and `nextLinkName: null` says there is one page); without it, Graph's shape
//! does: a `value` array beside an `@odata.nextLink` string, wherever `allOf` put them (Graph
//! writes `BaseCollectionPaginationCountResponse` as a base).

use super::Lowering;
use crate::model::{Body, Media, PageField, Paging, Ty, TypeDef};
use crate::openapi::{Operation as OperationView, Pageable};

/// Graph's (OData's) next link and items.
const ODATA_NEXT_LINK: &str = "@odata.nextLink";
const ODATA_ITEMS: &str = "value";

impl Lowering<'_> {
    /// The operation's paging, decided once. What `x-ms-pageable` names but the response does
    /// not have is a warning, and the operation is not paged.
    pub(super) fn paging(
        &mut self,
        view: &OperationView,
        response: Option<&Body>,
        empty_statuses: &[u16],
    ) -> Option<Paging> {
        let paging = match &view.pageable {
            Some(Pageable {
                next_link: None, ..
            }) => return None,
            Some(Pageable {
                pointer,
                next_link: Some(link),
                items,
            }) => match self.page_fields(response, link, items) {
                Ok(paging) => paging,
                Err(why) => {
                    self.report.warning(
                        pointer,
                        format!("`x-ms-pageable`: {why}: the operation is not paged"),
                    );
                    return None;
                }
            },
            None => self
                .page_fields(response, ODATA_NEXT_LINK, ODATA_ITEMS)
                .ok()?,
        };
        if !empty_statuses.is_empty() {
            let statuses: Vec<String> = empty_statuses.iter().map(|s| format!("`{s}`")).collect();
            self.report.warning(
                &format!("{}/responses", view.pointer),
                format!(
                    "the response is a page (`{}`), but {} answers without a body: the operation is not paged (`send` gives one page)",
                    paging.next_link.wire,
                    statuses.join(", ")
                ),
            );
            return None;
        }
        Some(paging)
    }

    /// The fields of the response's struct named `link` (a string) and `items` (an array), or
    /// why there are none.
    fn page_fields(
        &self,
        response: Option<&Body>,
        link: &str,
        items: &str,
    ) -> Result<Paging, String> {
        let body = match response {
            Some(body) if body.media == Media::Json => body,
            _ => return Err("the success response has no JSON body".to_owned()),
        };
        let page = match &body.ty {
            Ty::Named(name) => match self.types.get(name) {
                Some(TypeDef::Struct(page)) => page,
                _ => return Err(format!("the response type `{name}` is not an object")),
            },
            _ => return Err("the response type is not an object".to_owned()),
        };
        let field = |wire: &str| {
            page.fields.iter().find(|f| f.wire == wire).ok_or_else(|| {
                format!("the response type `{}` has no property `{wire}`", page.name)
            })
        };
        let next_link = field(link)?;
        if next_link.ty != Ty::String {
            return Err(format!(
                "`{link}` of the response type `{}` is not a string",
                page.name
            ));
        }
        let items_field = field(items)?;
        let Ty::Array(item) = &items_field.ty else {
            return Err(format!(
                "`{items}` of the response type `{}` is not an array",
                page.name
            ));
        };
        Ok(Paging {
            next_link: PageField {
                name: next_link.name.clone(),
                wire: next_link.wire.clone(),
            },
            items: PageField {
                name: items_field.name.clone(),
                wire: items_field.wire.clone(),
            },
            item: (**item).clone(),
        })
    }
}
