use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{LyricsList, LyricsListParams, LyricsSort, LyricsSummary};
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, Forbidden, ServerError, Unauthorized};
use crate::routes::v1::documents::{common_filter, listing_visibility};
use crate::routes::v1::listing::documents_page;
use crate::routes::v1::params::{page_request, slug_param};
use crate::services::lyrics::{self, Lyrics, LyricsFilter};
use crate::state::AppState;

/// List lyrics
///
/// Published songs as summaries (no stanzas), newest first unless `sort`
/// says otherwise, with cursor pagination: pass `next_cursor` back as
/// `cursor` for the next page, or follow the `Link` header.
#[utoipa::path(
    tag = "lyrics",
    operation_id = "list_lyrics",
    security((), ("bearer" = []), ("api_key" = [])),
    params(LyricsListParams),
    responses(
        (status = 200, description = "A page of song summaries.", body = LyricsList,
            headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 500, response = ServerError),
    )
)]
#[get("/lyrics")]
pub async fn list_lyrics(
    request: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    Query(params): Query<LyricsListParams>,
) -> Result<HttpResponse, AppError> {
    let sort = params.sort.unwrap_or(LyricsSort::PublishedAtDesc).sort();
    let (limit, after) = page_request(params.limit, params.cursor.as_deref(), &sort.name())?;
    let (visibility, status) = listing_visibility(&caller, params.status.as_deref())?;
    let filter = LyricsFilter {
        common: common_filter(params.tag.as_deref(), params.locale.as_deref(), status)?,
        writer: slug_param("writer", params.writer.as_deref())?,
    };
    let listing = lyrics::listing(state.reader(&request), state.direct.as_ref(), visibility, &filter).await?;
    let fields = params.fields.as_deref();
    documents_page::<Lyrics, LyricsSummary>(&state, &request, listing, sort, after.as_ref(), limit, fields)
        .await
}
