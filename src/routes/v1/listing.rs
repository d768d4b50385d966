//! The envelope of every listing of `/v1`, `{"data": [...], "next_cursor":
//! ...}`, with its `Link` header and sparse fields.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::http::fields::Fields;
use crate::http::pagination;
use crate::services::documents::{self, Cursor, Entry, Sort};
use crate::services::pages::Page;
use crate::services::render::Rendered;
use crate::services::renderings;
use crate::state::AppState;

/// `body` as JSON, cut down to `fields` when given: the body itself, or
/// each item of a listing's `data`.
pub fn selected<B: Serialize>(
    mut response: actix_web::HttpResponseBuilder,
    body: &B,
    fields: Option<&Fields>,
    listing: bool,
) -> Result<HttpResponse, AppError> {
    let Some(fields) = fields else { return Ok(response.json(body)) };
    let mut value = serde_json::to_value(body).map_err(anyhow::Error::from)?;
    if listing {
        value["data"].as_array_mut().into_iter().flatten().for_each(|item| fields.select(item));
    } else {
        fields.select(&mut value);
    }
    Ok(response.json(value))
}

/// A page of a listing: `{"data": [...], "next_cursor": ...}`.
#[derive(Debug, Serialize)]
pub struct Listing<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The response for a page: the body (its items cut down to `fields`), and
/// a `Link` header when there is a next page.
pub fn listing<S, T>(
    request: &HttpRequest,
    page: Page<S>,
    fields: Option<&str>,
) -> Result<HttpResponse, AppError>
where
    T: for<'a> From<&'a S> + Serialize + ToSchema,
{
    let fields = Fields::parse::<T>(fields)?;
    let next_cursor = page.next.as_ref().map(pagination::encode);
    let mut response = HttpResponse::Ok();
    if let Some(next) = &next_cursor {
        response.insert_header((header::LINK, pagination::next_link(request, next)));
    }
    let body = Listing { data: page.items.iter().map(T::from).collect::<Vec<T>>(), next_cursor };
    selected(response, &body, fields.as_ref(), true)
}

/// The same response as [`listing`] for items of type `T`, from their
/// stored JSON: the items are sent as stored, or cut down to `fields`.
pub fn stored_listing<T: ToSchema>(
    request: &HttpRequest,
    page: Page<String>,
    fields: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let fields = Fields::parse::<T>(fields)?;
    let next_cursor = page.next.as_ref().map(pagination::encode);
    let mut response = HttpResponse::Ok();
    if let Some(next) = &next_cursor {
        response.insert_header((header::LINK, pagination::next_link(request, next)));
    }
    if fields.is_some() {
        let data = page.items.iter().map(|item| serde_json::from_str(item)).collect::<Result<Vec<_>, _>>();
        let body = Listing::<serde_json::Value> { data: data.map_err(anyhow::Error::from)?, next_cursor };
        return selected(response, &body, fields.as_ref(), true);
    }
    let next = serde_json::to_string(&next_cursor).map_err(anyhow::Error::from)?;
    let length = page.items.iter().map(|item| item.len() + 1).sum::<usize>() + next.len() + 32;
    let mut body = String::with_capacity(length);
    body.push_str("{\"data\":[");
    body.push_str(&page.items.join(","));
    body.push_str("],\"next_cursor\":");
    body.push_str(&next);
    body.push('}');
    Ok(response.insert_header(header::ContentType::json()).body(body))
}

/// A page of a listing of essays or songs (`T`), as `S` items: anonymous
/// callers get the items stored when each document was written, others
/// fresh ones. `listing` is `None` when a filter names nothing that exists.
#[allow(clippy::too_many_arguments)]
pub async fn documents_page<T, S>(
    state: &AppState,
    request: &HttpRequest,
    listing: Option<documents::Listing>,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u64,
    fields: Option<&str>,
) -> Result<HttpResponse, AppError>
where
    T: Rendered,
    S: for<'a> From<&'a Entry<T::Detail>> + Serialize + ToSchema,
{
    let Some(listing) = listing else { return stored_listing::<S>(request, Page::empty(), fields) };
    let reader = state.reader(request);
    if let Some(direct) = &state.direct {
        match renderings::direct_summaries(direct, T::KIND, &listing, sort, after, limit) {
            Ok(Some(page)) => return stored_listing::<S>(request, page, fields),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "point read failed; reading through the pool"),
        }
    }
    if listing.visibility.is_public() {
        let page =
            renderings::summaries::<T, _>(reader, &listing, sort, after, limit, &state.renderers).await?;
        return stored_listing::<S>(request, page, fields);
    }
    let page = documents::list::<T, _>(reader, listing, sort, after, limit, |_| true).await?;
    self::listing::<_, S>(request, page, fields)
}

/// Declares the OpenAPI schema of one listing type, whose body is
/// [`Listing`]: utoipa documents concrete types under their own names.
macro_rules! listing_schema {
    ($name:ident, $item:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ".")]
        #[derive(utoipa::ToSchema)]
        #[allow(dead_code)]
        pub struct $name {
            pub data: Vec<$item>,
            /// Pass as `cursor` to get the next page; `null` on the last page.
            #[schema(example = "WyItcHVibGlzaGVkX2F0Iix7InQiOiIyMDI2LTExLTI0VDEwOjAwOjAwWiJ9LCIwMTkzIl0")]
            pub next_cursor: Option<String>,
        }
    };
}
pub(crate) use listing_schema;
