use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::Event;
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, NotFound, ServerError, Unauthorized};
use crate::routes::v1::documents;
use crate::routes::v1::documents::GetParams;
use crate::services::events::Events;
use crate::state::AppState;

/// Get an event
///
/// One published event by id or slug: times with offset in its IANA time
/// zone, recurrence and next occurrence, venue, status, attendance mode and
/// organizers.
///
/// With `Accept: application/ld+json`: schema.org JSON-LD (an `Event`
/// with its status, attendance mode and location).
#[utoipa::path(
    tag = "events",
    operation_id = "get_event",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id_or_slug" = String, Path, description = "The event's id (UUID) or slug.",
            example = "international-meeting-of-communist-and-workers-parties"),
        GetParams,
        ("Accept-Language" = Option<String>, Header, description = "Translations the reader prefers, used when `locale` is absent.", example = "es-MX, es;q=0.9, en;q=0.5"),
    ),
    responses(
        (status = 200, description = "The event.",
            content((Event = "application/json"), (Object = "application/ld+json", example = json!({"@context": "https://schema.org", "@type": "Event", "name": "International Meeting", "eventStatus": "https://schema.org/EventScheduled", "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode"}))),
            headers(("Content-Language" = String, description = "The locale of the document served."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 500, response = ServerError),
    )
)]
#[get("/events/{id_or_slug}")]
pub async fn get_event(
    state: web::Data<AppState>,
    request: HttpRequest,
    id_or_slug: web::Path<String>,
    caller: Caller,
    Query(params): Query<GetParams>,
) -> Result<HttpResponse, AppError> {
    documents::get::<Events, Event>(&state, &request, &caller, &id_or_slug, &params).await
}
