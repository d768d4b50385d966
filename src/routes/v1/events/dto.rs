//! Request parameters and response bodies of `/v1/events`.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{EventTimes, Invalid};
use crate::routes::v1::documents::{DocumentFields, PersonRef, SummaryFields, list_params, sort_param};
use crate::routes::v1::listing::listing_schema;
use crate::services::documents::Entry;
use crate::services::events::EventDetail;

sort_param!(
    /// Order of an event listing; `starts_at` (earliest first) by default.
    EventSort {
        StartsAt = "starts_at" => StartsAt, false,
        StartsAtDesc = "-starts_at" => StartsAt, true,
        Title = "title" => Title, false,
        TitleDesc = "-title" => Title, true,
        PublishedAtDesc = "-published_at" => PublishedAt, true,
    }
);

list_params!(
    /// Parameters of `GET /v1/events`.
    pub struct EventListParams {
        cursor = "WyJzdGFydHNfYXQiLHsidCI6IjIwMjYtMTAtMjNUMDc6MDA6MDBaIn0sIjAxOTMiXQ";
        sort {
            /// `starts_at` (default), `-starts_at`, `title`, `-title` or `-published_at`.
            /// `starts_at` is the start of the first occurrence.
            #[param(inline, example = "starts_at")]
            pub sort: Option<EventSort>,
        }
        /// Only events with an occurrence that ends after this: an RFC 3339
        /// date-time, or a date (`YYYY-MM-DD`, from its start in UTC).
        #[param(example = "2027-01-01")]
        pub from: Option<String>,
        /// Only events with an occurrence that starts before this: an RFC 3339
        /// date-time, or a date (`YYYY-MM-DD`, up to its end in UTC).
        #[param(example = "2027-12-31")]
        pub to: Option<String>,
        /// `true`: only events with an occurrence still to come or under way;
        /// `false`: only events whose last occurrence has ended.
        #[param(example = true)]
        pub upcoming: Option<bool>,
        /// Only events whose venue is in this country (ISO 3166-1 alpha-2).
        #[param(example = "TR")]
        pub country: Option<String>,
        /// Only events in this state: `scheduled`, `cancelled`, `postponed` or
        /// `rescheduled`.
        #[param(example = "scheduled")]
        pub event_status: Option<String>,
        /// Only events organized by this person (a person slug).
        #[param(example = "alvaro-rodriguez")]
        pub organizer: Option<String>,
    }
);

/// An instant from a date-time with offset, or from a date: its first moment
/// (`end_of_day = false`) or the first moment of the next day.
pub fn instant(value: &str, end_of_day: bool) -> Result<DateTime<Utc>, Invalid> {
    if let Ok(time) = DateTime::parse_from_rfc3339(value) {
        return Ok(time.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| Invalid::new("expected an RFC 3339 date-time with offset or a YYYY-MM-DD date"))?;
    let date =
        if end_of_day { date.succ_opt().ok_or_else(|| Invalid::new("date out of range"))? } else { date };
    Ok(date.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// Where an event takes place.
#[derive(Debug, Serialize, ToSchema)]
pub struct Venue {
    #[schema(example = "Sample venue (to be announced)")]
    pub name: Option<String>,
    #[schema(example = json!(null))]
    pub address: Option<String>,
    #[schema(example = "Istanbul")]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[schema(example = "TR")]
    pub country: Option<String>,
    #[schema(example = 41.0082)]
    pub latitude: Option<f64>,
    #[schema(example = 28.9784)]
    pub longitude: Option<f64>,
}

/// One occurrence of an event, in its own time zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct Occurrence {
    #[schema(value_type = String, format = DateTime, example = "2027-10-23T10:00:00+03:00")]
    pub starts_at: DateTime<FixedOffset>,
    #[schema(value_type = String, format = DateTime, example = "2027-10-25T18:00:00+03:00")]
    pub ends_at: DateTime<FixedOffset>,
}

/// When an event happens: shown in the event's own zone, with the offset in
/// force at each time.
#[derive(Debug, Serialize, ToSchema)]
pub struct When {
    /// Start of the first occurrence.
    #[schema(value_type = String, format = DateTime, example = "2026-10-23T10:00:00+03:00")]
    pub starts_at: DateTime<FixedOffset>,
    #[schema(value_type = String, format = DateTime, example = "2026-10-25T18:00:00+03:00")]
    pub ends_at: DateTime<FixedOffset>,
    /// IANA time zone.
    #[schema(example = "Europe/Istanbul")]
    pub time_zone: String,
    #[schema(example = false)]
    pub all_day: bool,
    /// RFC 5545 RRULE value, or `null` for a single occurrence.
    #[schema(example = "FREQ=YEARLY")]
    pub recurrence: Option<String>,
    /// The occurrence under way or next to come; `null` once the last has ended.
    pub next_occurrence: Option<Occurrence>,
}

impl When {
    fn of(detail: &EventDetail, now: DateTime<Utc>) -> Self {
        let event = &detail.event;
        let times: Option<EventTimes> = detail.times();
        let zone = times.as_ref().map(EventTimes::time_zone);
        let local = |at: DateTime<Utc>| zone.map_or_else(|| at.fixed_offset(), |z| z.local(at));
        let next_occurrence = times
            .as_ref()
            .and_then(|t| t.occurrences(Some(now), None, 1).into_iter().next())
            .map(|o| Occurrence { starts_at: local(o.starts_at), ends_at: local(o.ends_at) });
        Self {
            starts_at: local(event.starts_at),
            ends_at: local(event.ends_at),
            time_zone: event.time_zone.clone(),
            all_day: event.all_day,
            recurrence: event.recurrence.clone(),
            next_occurrence,
        }
    }
}

fn venue(detail: &EventDetail) -> Option<Venue> {
    let e = &detail.event;
    let any = e.venue_name.is_some()
        || e.venue_address.is_some()
        || e.venue_city.is_some()
        || e.venue_country.is_some();
    any.then(|| Venue {
        name: e.venue_name.clone(),
        address: e.venue_address.clone(),
        city: e.venue_city.clone(),
        country: e.venue_country.clone(),
        latitude: e.venue_latitude,
        longitude: e.venue_longitude,
    })
}

/// An event in a list: no description.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventSummary {
    #[serde(flatten)]
    pub document: SummaryFields,
    #[schema(
        example = "The annual global gathering of representatives of over 100 communist and workers’ parties."
    )]
    pub summary: String,
    #[serde(flatten)]
    pub when: When,
    /// `scheduled`, `cancelled`, `postponed` or `rescheduled`.
    #[schema(example = "scheduled")]
    pub event_status: String,
    /// `in_person`, `online` or `mixed`.
    #[schema(example = "in_person")]
    pub attendance_mode: String,
    pub venue: Option<Venue>,
}

impl From<&Entry<EventDetail>> for EventSummary {
    fn from(entry: &Entry<EventDetail>) -> Self {
        let event = &entry.detail.event;
        Self {
            document: entry.into(),
            summary: event.summary.clone(),
            when: When::of(&entry.detail, Utc::now()),
            event_status: event.event_status.clone(),
            attendance_mode: event.attendance_mode.clone(),
            venue: venue(&entry.detail),
        }
    }
}

/// A whole event.
#[derive(Debug, Serialize, ToSchema)]
pub struct Event {
    #[serde(flatten)]
    pub document: DocumentFields,
    #[schema(
        example = "The annual global gathering of representatives of over 100 communist and workers’ parties."
    )]
    pub summary: String,
    /// The description as written: CommonMark with GitHub extensions.
    #[schema(example = "The annual meeting of Communist and Workers Parties…")]
    pub description_markdown: String,
    /// The description rendered to sanitised HTML when it was written.
    #[schema(example = "<p>The annual meeting of Communist and Workers Parties…</p>")]
    pub description_html: String,
    #[serde(flatten)]
    pub when: When,
    /// `scheduled`, `cancelled`, `postponed` or `rescheduled`.
    #[schema(example = "scheduled")]
    pub event_status: String,
    /// `in_person`, `online` or `mixed`.
    #[schema(example = "in_person")]
    pub attendance_mode: String,
    pub venue: Option<Venue>,
    #[schema(example = json!(null))]
    pub online_url: Option<String>,
    #[schema(example = json!(null))]
    pub registration_url: Option<String>,
    pub organizers: Vec<PersonRef>,
}

impl From<&Entry<EventDetail>> for Event {
    fn from(entry: &Entry<EventDetail>) -> Self {
        let event = &entry.detail.event;
        Self {
            document: entry.into(),
            summary: event.summary.clone(),
            description_markdown: event.description_markdown.clone(),
            description_html: event.description_html.clone(),
            when: When::of(&entry.detail, Utc::now()),
            event_status: event.event_status.clone(),
            attendance_mode: event.attendance_mode.clone(),
            venue: venue(&entry.detail),
            online_url: event.online_url.clone(),
            registration_url: event.registration_url.clone(),
            organizers: entry.detail.organizers.iter().map(PersonRef::from).collect(),
        }
    }
}

listing_schema!(EventList, EventSummary, "event summaries");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_date_times_are_instants() {
        let start = instant("2027-01-01", false).map(|t| t.to_rfc3339());
        let end = instant("2027-01-01", true).map(|t| t.to_rfc3339());
        assert_eq!(start.ok().as_deref(), Some("2027-01-01T00:00:00+00:00"));
        assert_eq!(end.ok().as_deref(), Some("2027-01-02T00:00:00+00:00"));
        let offset = instant("2027-01-01T10:00:00+03:00", false).map(|t| t.to_rfc3339());
        assert_eq!(offset.ok().as_deref(), Some("2027-01-01T07:00:00+00:00"));
        for bad in ["2027-13-01", "tomorrow", "2027-01-01T10:00:00"] {
            assert!(instant(bad, false).is_err(), "{bad}");
        }
    }
}
