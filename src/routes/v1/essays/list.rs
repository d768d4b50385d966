use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{EssayList, EssayListParams, EssaySort, EssaySummary};
use crate::domain::Visibility;
use crate::error::AppError;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, ServerError};
use crate::routes::v1::document::{common_filter, listing, page_request, slug_param};
use crate::services::essays::{self, EssayFilter};
use crate::startup::AppState;

/// List essays
///
/// Published essays as summaries (no bodies), newest first unless `sort`
/// says otherwise, with cursor pagination: pass `next_cursor` back as
/// `cursor` for the next page, or follow the `Link` header.
#[utoipa::path(
    tag = "essays",
    operation_id = "list_essays",
    params(EssayListParams),
    responses(
        (status = 200, description = "A page of essay summaries.", body = EssayList,
            headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 500, response = ServerError),
    )
)]
#[get("/essays")]
pub async fn list_essays(
    request: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<EssayListParams>,
) -> Result<HttpResponse, AppError> {
    let sort = params.sort.unwrap_or(EssaySort::PublishedAtDesc).sort();
    let (limit, after) = page_request(params.limit, params.cursor.as_deref(), &sort.name())?;
    let filter = EssayFilter {
        common: common_filter(params.tag.as_deref(), params.locale.as_deref())?,
        author: slug_param("author", params.author.as_deref())?,
    };
    let page = essays::list(&state.db, Visibility::Public, &filter, sort, after.as_ref(), limit).await?;
    Ok(listing::<_, EssaySummary>(&request, page))
}
