use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{EssayList, EssayListParams, EssaySort, EssaySummary};
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, Forbidden, ServerError, Unauthorized};
use crate::routes::v1::documents::{common_filter, listing_visibility};
use crate::routes::v1::listing::documents_page;
use crate::routes::v1::params::{page_request, slug_param};
use crate::services::essays::{self, EssayFilter, Essays};
use crate::state::AppState;

/// List essays
///
/// Published essays as summaries (no bodies), newest first unless `sort`
/// says otherwise, with cursor pagination: pass `next_cursor` back as
/// `cursor` for the next page, or follow the `Link` header.
#[utoipa::path(
    tag = "essays",
    operation_id = "list_essays",
    security((), ("bearer" = []), ("api_key" = [])),
    params(EssayListParams),
    responses(
        (status = 200, description = "A page of essay summaries.", body = EssayList,
            headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 500, response = ServerError),
    )
)]
#[get("/essays")]
pub async fn list_essays(
    request: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    Query(params): Query<EssayListParams>,
) -> Result<HttpResponse, AppError> {
    let sort = params.sort.unwrap_or(EssaySort::PublishedAtDesc).sort();
    let (limit, after) = page_request(params.limit, params.cursor.as_deref(), &sort.name())?;
    let (visibility, status) = listing_visibility(&caller, params.status.as_deref())?;
    let filter = EssayFilter {
        common: common_filter(params.tag.as_deref(), params.locale.as_deref(), status)?,
        author: slug_param("author", params.author.as_deref())?,
    };
    let listing = essays::listing(state.reader(&request), state.direct.as_ref(), visibility, &filter).await?;
    let fields = params.fields.as_deref();
    documents_page::<Essays, EssaySummary>(&state, &request, listing, sort, after.as_ref(), limit, fields)
        .await
}
