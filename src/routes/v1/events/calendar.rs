//! Events as iCalendar (RFC 5545), all of them or one, and the occurrences
//! of one event expanded in its own time zone. Only published events: the
//! same visibility rule as every public surface.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{EventSort, Occurrence, instant};
use super::vevent::{Stored, calendar, vevent};
use crate::domain::{Country, IdOrSlug, LocalePreference, Visibility};
use crate::error::AppError;
use crate::http::origin;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, NotFound, ServerError};
use crate::routes::v1::documents::common_filter;
use crate::routes::v1::params::{id_or_slug, parse_param, slug_param};
use crate::services::documents::{self, Entry};
use crate::services::events::{self, EventDetail, EventFilter, Events};
use crate::state::AppState;

/// Most events in one calendar, and how many by default.
const MAX_EVENTS: u32 = 500;
const DEFAULT_EVENTS: u32 = 100;
/// Without `from`, a calendar starts this many days back: recent events stay
/// in subscribers' calendars for a while, older ones leave.
const DEFAULT_DAYS_BACK: i64 = 30;

/// Parameters of `GET /v1/events/calendar.ics`: the list's filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarParams {
    /// Only events with an occurrence that ends after this (RFC 3339 or
    /// `YYYY-MM-DD`). Default: 30 days ago.
    #[param(example = "2027-01-01")]
    pub from: Option<String>,
    /// Only events with an occurrence that starts before this (RFC 3339 or `YYYY-MM-DD`).
    #[param(example = "2027-12-31")]
    pub to: Option<String>,
    /// `true`: only events still to come or under way.
    #[param(example = true)]
    pub upcoming: Option<bool>,
    /// Only events whose venue is in this country (ISO 3166-1 alpha-2).
    #[param(example = "TR")]
    pub country: Option<String>,
    /// `scheduled`, `cancelled`, `postponed` or `rescheduled`.
    #[param(example = "scheduled")]
    pub event_status: Option<String>,
    /// Only events with this tag (a tag slug).
    #[param(example = "internationalism")]
    pub tag: Option<String>,
    /// Only events organized by this person (a person slug).
    #[param(example = "alvaro-rodriguez")]
    pub organizer: Option<String>,
    /// Only events in this locale (BCP 47).
    #[param(example = "en")]
    pub locale: Option<String>,
    /// At most this many events, earliest first: 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500, example = 100)]
    pub limit: Option<u32>,
}

impl CalendarParams {
    /// The events asked for, and at most how many.
    fn filter(&self) -> Result<(EventFilter, u32), AppError> {
        let limit = self.limit.unwrap_or(DEFAULT_EVENTS);
        if !(1..=MAX_EVENTS).contains(&limit) {
            return Err(AppError::bad_parameter("limit", format!("must be between 1 and {MAX_EVENTS}")));
        }
        let from = parse_param("from", self.from.as_deref(), |v| instant(v, false))?
            .unwrap_or_else(|| Utc::now() - chrono::Duration::days(DEFAULT_DAYS_BACK));
        let filter = EventFilter {
            common: common_filter(self.tag.as_deref(), self.locale.as_deref(), None)?,
            organizer: slug_param("organizer", self.organizer.as_deref())?,
            from: Some(from),
            to: parse_param("to", self.to.as_deref(), |v| instant(v, true))?,
            upcoming: self.upcoming,
            country: parse_param("country", self.country.as_deref(), Country::parse)?,
            event_status: parse_param("event_status", self.event_status.as_deref(), str::parse)?,
        };
        Ok((filter, limit))
    }
}

/// Parameters of `GET /v1/events/{id_or_slug}/occurrences`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OccurrenceParams {
    /// Occurrences that end after this (RFC 3339 or `YYYY-MM-DD`); default now.
    #[param(example = "2027-01-01")]
    pub from: Option<String>,
    /// Occurrences that start before this (RFC 3339 or `YYYY-MM-DD`).
    #[param(example = "2030-12-31")]
    pub to: Option<String>,
    /// At most this many, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000, example = 10)]
    pub limit: Option<u32>,
}

/// The occurrences of an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct Occurrences {
    /// IANA time zone every time is shown in.
    #[schema(example = "Europe/Athens")]
    pub time_zone: String,
    pub occurrences: Vec<Occurrence>,
}

fn ics(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "inline; filename=\"events.ics\""))
        .body(body)
}

/// Calendar of events
///
/// Published events as an iCalendar feed (RFC 5545) that calendar apps can
/// subscribe to: each with a stable `UID`, `SEQUENCE` from its version,
/// times in its own zone (`TZID`, with the zone's `VTIMEZONE`), `RRULE`,
/// `STATUS` (cancelled events stay, marked `CANCELLED`), `LOCATION`, `GEO`
/// and `URL`. Filterable like the list; by default the 100 earliest events
/// with an occurrence in the last 30 days or later (`from`, `limit` change
/// that).
#[utoipa::path(
    tag = "events",
    operation_id = "events_calendar",
    params(CalendarParams),
    responses(
        (status = 200, description = "An iCalendar document.", content_type = "text/calendar", body = String,
            example = json!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n…\r\nEND:VCALENDAR\r\n")),
        (status = 400, response = BadRequest),
        (status = 500, response = ServerError),
    )
)]
#[get("/events/calendar.ics")]
pub async fn events_calendar(
    request: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<CalendarParams>,
) -> Result<HttpResponse, AppError> {
    let (filter, limit) = params.filter()?;
    let name = "Broadside events";
    let stored = match &state.direct {
        Some(direct) => {
            events::stored_calendar(direct, &filter, u64::from(limit)).await.unwrap_or_else(|error| {
                tracing::warn!(%error, "point read failed; reading through the pool");
                None
            })
        }
        None => {
            events::stored_calendar(&events::Pooled(state.reader(&request)), &filter, u64::from(limit))
                .await?
        }
    };
    // A stored form that does not read (written by another version) leaves
    // the calendar to the pooled path.
    let events: Option<Vec<Stored>> =
        stored.and_then(|stored| stored.iter().map(|t| Stored::from_text(t)).collect());
    if let Some(events) = events {
        return Ok(ics(calendar(&events, name, &origin(&request))));
    }
    let sort = EventSort::StartsAt.sort();
    let page = events::list(
        state.reader(&request),
        Visibility::Public,
        &filter,
        sort,
        None,
        u64::from(limit),
        Utc::now(),
    )
    .await?;
    // A listing loads tags only; the calendar needs nothing more.
    let events: Vec<Stored> = page.items.iter().map(vevent).collect();
    Ok(ics(calendar(&events, name, &origin(&request))))
}

async fn published(state: &AppState, key: &str) -> Result<Entry<EventDetail>, AppError> {
    let id: IdOrSlug = id_or_slug(key)?;
    documents::get_entry::<Events, _>(
        &state.db,
        Visibility::Public,
        &id,
        &LocalePreference::default(),
        &state.settings.default_locale,
    )
    .await?
    .ok_or_else(|| AppError::not_found(format!("no event `{key}`")))
}

/// Calendar of one event
///
/// One published event as an iCalendar document, to add to a calendar.
#[utoipa::path(
    tag = "events",
    operation_id = "event_calendar",
    params(("id_or_slug" = String, Path, description = "The event's id or slug.", example = "international-meeting-of-communist-and-workers-parties")),
    responses(
        (status = 200, description = "An iCalendar document with one event.", content_type = "text/calendar", body = String,
            example = json!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n…\r\nEND:VCALENDAR\r\n")),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = ServerError),
    )
)]
#[get("/events/{id_or_slug}/calendar.ics")]
pub async fn event_calendar(
    request: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let entry = published(&state, &path).await?;
    let name = entry.document.title.clone();
    Ok(ics(calendar(&[vevent(&entry)], &name, &origin(&request))))
}

/// Occurrences of an event
///
/// The occurrences of a published event that overlap `from`..`to`, its
/// recurrence expanded in the event's own time zone: a weekly meeting at
/// 19:00 stays at 19:00 local time across daylight-saving changes, its UTC
/// offset changing instead.
#[utoipa::path(
    tag = "events",
    operation_id = "event_occurrences",
    params(
        ("id_or_slug" = String, Path, description = "The event's id or slug.", example = "international-meeting-of-communist-and-workers-parties"),
        OccurrenceParams,
    ),
    responses(
        (status = 200, description = "The occurrences, earliest first.", body = Occurrences),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = ServerError),
    )
)]
#[get("/events/{id_or_slug}/occurrences")]
pub async fn event_occurrences(
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(params): Query<OccurrenceParams>,
) -> Result<HttpResponse, AppError> {
    let from = parse_param("from", params.from.as_deref(), |v| instant(v, false))?.unwrap_or_else(Utc::now);
    let to = parse_param("to", params.to.as_deref(), |v| instant(v, true))?;
    if to.is_some_and(|to| to <= from) {
        return Err(AppError::bad_parameter("to", "must be after `from`"));
    }
    let limit = params.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::bad_parameter("limit", "must be between 1 and 1000"));
    }
    let entry = published(&state, &path).await?;
    let event = &entry.detail.event;
    let Some(times) = entry.detail.times() else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "event {} has times that no longer parse",
            entry.document.id
        )));
    };
    let zone = times.time_zone();
    let occurrences = times
        .occurrences(Some(from), to, u16::try_from(limit).unwrap_or(u16::MAX))
        .into_iter()
        .map(|o| Occurrence { starts_at: zone.local(o.starts_at), ends_at: zone.local(o.ends_at) })
        .collect();
    Ok(HttpResponse::Ok().json(Occurrences { time_zone: event.time_zone.clone(), occurrences }))
}
