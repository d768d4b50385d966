use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{Tag, TagList, TagListParams, TagSort};
use crate::domain::Visibility;
use crate::error::AppError;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, ServerError};
use crate::routes::v1::listing::listing;
use crate::routes::v1::params::page_request;
use crate::services::tags;
use crate::state::AppState;

/// List tags
///
/// Every tag in slug order, each with the number of published documents
/// that carry it, with cursor pagination. Filter the document lists with
/// `tag=` to see them.
#[utoipa::path(
    tag = "tags",
    operation_id = "list_tags",
    params(TagListParams),
    responses(
        (status = 200, description = "A page of tags.", body = TagList,
            headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 500, response = ServerError),
    )
)]
#[get("/tags")]
pub async fn list_tags(
    request: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<TagListParams>,
) -> Result<HttpResponse, AppError> {
    let descending = params.sort == Some(TagSort::SlugDesc);
    let sort = if descending { "-slug" } else { "slug" };
    let (limit, after) = page_request(params.limit, params.cursor.as_deref(), sort)?;
    let page =
        tags::list(state.reader(&request), Visibility::Public, descending, after.as_ref(), limit).await?;
    listing::<_, Tag>(&request, page, params.fields.as_deref())
}
