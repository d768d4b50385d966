use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::Utc;

use super::dto::{EventList, EventListParams, EventSort, EventSummary, instant};
use crate::domain::Country;
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, Forbidden, ServerError, Unauthorized};
use crate::routes::v1::documents::{common_filter, listing_visibility};
use crate::routes::v1::listing::{listing, stored_listing};
use crate::routes::v1::params::{page_request, parse_param, slug_param};
use crate::services::events::{self, EventFilter};
use crate::state::AppState;

/// List events
///
/// Published events as summaries, earliest first unless `sort` says
/// otherwise. `from` / `to` keep events with an occurrence overlapping the
/// range, expanding recurrences in the event's own time zone; `upcoming`
/// keeps those still to come (or, `false`, those over). Cursor pagination:
/// pass `next_cursor` back as `cursor`, or follow the `Link` header.
#[utoipa::path(
    tag = "events",
    operation_id = "list_events",
    security((), ("bearer" = []), ("api_key" = [])),
    params(EventListParams),
    responses(
        (status = 200, description = "A page of event summaries.", body = EventList,
            headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 500, response = ServerError),
    )
)]
#[get("/events")]
pub async fn list_events(
    request: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    Query(params): Query<EventListParams>,
) -> Result<HttpResponse, AppError> {
    let sort = params.sort.unwrap_or(EventSort::StartsAt).sort();
    let (limit, after) = page_request(params.limit, params.cursor.as_deref(), &sort.name())?;
    let (visibility, status) = listing_visibility(&caller, params.status.as_deref())?;
    let filter = EventFilter {
        common: common_filter(params.tag.as_deref(), params.locale.as_deref(), status)?,
        organizer: slug_param("organizer", params.organizer.as_deref())?,
        from: parse_param("from", params.from.as_deref(), |v| instant(v, false))?,
        to: parse_param("to", params.to.as_deref(), |v| instant(v, true))?,
        upcoming: params.upcoming,
        country: parse_param("country", params.country.as_deref(), Country::parse)?,
        event_status: parse_param("event_status", params.event_status.as_deref(), str::parse)?,
    };
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && to <= from
    {
        return Err(AppError::bad_parameter("to", "must be after `from`"));
    }
    if visibility.is_public() {
        let stored = match &state.direct {
            Some(direct) => events::stored_page(direct, &filter, sort, after.as_ref(), limit)
                .await
                .unwrap_or_else(|error| {
                    tracing::warn!(%error, "point read failed; reading through the pool");
                    None
                }),
            None => {
                let pool = events::Pooled(state.reader(&request));
                events::stored_page(&pool, &filter, sort, after.as_ref(), limit).await?
            }
        };
        if let Some(page) = stored {
            return stored_listing::<EventSummary>(&request, page, params.fields.as_deref());
        }
    }
    let page =
        events::list(state.reader(&request), visibility, &filter, sort, after.as_ref(), limit, Utc::now())
            .await?;
    listing::<_, EventSummary>(&request, page, params.fields.as_deref())
}
