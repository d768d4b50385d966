//! The request body that creates or replaces an event.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::draft::{MAX_LINKS, MAX_TITLE, NewContent, NewEvent, Venue};
use crate::domain::markdown::Markdown;
use crate::domain::text;
use crate::domain::{AttendanceMode, Country, EventStatus, EventTimes, Recurrence, TimeZone};
use crate::error::FieldError;
use crate::http::input::checked;
use crate::routes::v1::documents::{ContentInput, credited_twice, document_input};
use crate::services::documents::Entry;
use crate::services::events::{EventDetail, Events};

/// Where an event takes place.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VenueInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    #[schema(example = "TR")]
    pub country: Option<String>,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
}

document_input!(
    /// An event as written. Unknown fields are refused.
    pub struct EventInput {
        slug = "international-meeting-of-communist-and-workers-parties",
        title = "International Meeting of Communist and Workers’ Parties";
        #[serde(default)]
        pub summary: String,
        /// CommonMark with GitHub extensions; rendered to sanitised HTML on write.
        #[serde(default)]
        pub description_markdown: String,
        /// RFC 3339 with offset: the start of the first occurrence.
        #[schema(example = "2027-10-23T10:00:00+03:00")]
        pub starts_at: String,
        /// RFC 3339 with offset; after `starts_at`.
        #[schema(example = "2027-10-25T18:00:00+03:00")]
        pub ends_at: String,
        /// IANA time zone the event is held in.
        #[schema(example = "Europe/Istanbul")]
        pub time_zone: String,
        #[serde(default)]
        pub all_day: bool,
        /// RFC 5545 RRULE value, daily at the finest.
        #[serde(default)]
        #[schema(example = "FREQ=YEARLY")]
        pub recurrence: Option<String>,
        /// `scheduled` (default), `cancelled`, `postponed` or `rescheduled`.
        #[serde(default)]
        pub event_status: Option<String>,
        /// `in_person` (default), `online` or `mixed`.
        #[serde(default)]
        pub attendance_mode: Option<String>,
        #[serde(default)]
        pub venue: Option<VenueInput>,
        /// An http(s) URL.
        #[serde(default)]
        pub online_url: Option<String>,
        /// An http(s) URL.
        #[serde(default)]
        pub registration_url: Option<String>,
        /// Person slugs.
        #[serde(default)]
        pub organizers: Vec<String>,
    }
);

fn url(field: &str, value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<url::Url> {
    let value = value?.trim();
    if let Err(e) = text::line(value) {
        errors.push(FieldError::new(field, e.to_string()));
        return None;
    }
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && value.len() <= 2048 => Some(url),
        _ => {
            errors.push(FieldError::new(field, "an http or https URL of at most 2048 characters"));
            None
        }
    }
}

impl ContentInput for EventInput {
    type Summary = super::dto::EventSummary;
    type Dto = super::dto::Event;
    type Type = Events;

    fn credited(&self) -> Vec<(String, String)> {
        self.organizers.iter().enumerate().map(|(i, p)| (format!("organizers[{i}]"), p.clone())).collect()
    }

    fn content(&self, people: &HashMap<String, Uuid>, errors: &mut Vec<FieldError>) -> Option<NewContent> {
        let before = errors.len();
        let summary = checked("summary", text::optional_lines(Some(&self.summary), 1000), errors);
        let description =
            checked("description_markdown", Markdown::parse(&self.description_markdown).map(Some), errors);
        let venue_input = self.venue.clone().unwrap_or_default();
        let venue_name =
            checked("venue.name", text::optional_line(venue_input.name.as_deref(), MAX_TITLE), errors);
        let venue_address =
            checked("venue.address", text::optional_lines(venue_input.address.as_deref(), MAX_TITLE), errors);
        let venue_city =
            checked("venue.city", text::optional_line(venue_input.city.as_deref(), MAX_TITLE), errors);
        let online_url = url("online_url", self.online_url.as_deref(), errors);
        let registration_url = url("registration_url", self.registration_url.as_deref(), errors);
        let mut field = |name: &str, message: String| errors.push(FieldError::new(name, message));
        if self.organizers.len() > MAX_LINKS {
            field("organizers", format!("at most {MAX_LINKS}"));
        }
        for (i, person) in self.organizers.iter().enumerate() {
            if let Some(first) = self.organizers[..i].iter().position(|p| p == person) {
                field(&format!("organizers[{i}]"), credited_twice("organizers", first));
            }
        }
        let instant = |name: &str, value: &str, field: &mut dyn FnMut(&str, String)| {
            DateTime::parse_from_rfc3339(value)
                .map(|t| crate::domain::kept(t.with_timezone(&Utc)))
                .map_err(|_| {
                    field(name, "an RFC 3339 date-time with offset, such as 2027-10-23T10:00:00+03:00".into())
                })
                .ok()
        };
        let starts_at = instant("starts_at", &self.starts_at, &mut field);
        let ends_at = instant("ends_at", &self.ends_at, &mut field);
        let zone = TimeZone::parse(&self.time_zone).map_err(|e| field("time_zone", e.to_string())).ok();
        let recurrence = self
            .recurrence
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(Recurrence::parse)
            .transpose()
            .map_err(|e| field("recurrence", e.to_string()))
            .ok()
            .flatten();
        let status = self
            .event_status
            .as_deref()
            .unwrap_or("scheduled")
            .parse::<EventStatus>()
            .map_err(|e| field("event_status", e.to_string()))
            .ok();
        let mode = self
            .attendance_mode
            .as_deref()
            .unwrap_or("in_person")
            .parse::<AttendanceMode>()
            .map_err(|e| field("attendance_mode", e.to_string()))
            .ok();
        let country = venue_input
            .country
            .as_deref()
            .map(Country::parse)
            .transpose()
            .map_err(|e| field("venue.country", e.to_string()))
            .ok()
            .flatten();
        if venue_input.latitude.is_some_and(|l| !(-90.0..=90.0).contains(&l)) {
            field("venue.latitude", "between -90 and 90".into());
        }
        if venue_input.longitude.is_some_and(|l| !(-180.0..=180.0).contains(&l)) {
            field("venue.longitude", "between -180 and 180".into());
        }
        let times = match (starts_at, ends_at, zone) {
            (Some(starts_at), Some(ends_at), Some(zone)) => {
                let recurrence_given = self.recurrence.as_deref().is_some_and(|r| !r.trim().is_empty());
                match EventTimes::new(starts_at, ends_at, zone, self.all_day, recurrence) {
                    Ok(times) => Some(times),
                    Err(e) if ends_at <= starts_at => {
                        field("ends_at", e.to_string());
                        None
                    }
                    Err(e) if recurrence_given => {
                        field("recurrence", e.to_string());
                        None
                    }
                    Err(e) => {
                        field("starts_at", e.to_string());
                        None
                    }
                }
            }
            _ => None,
        };
        let (Some(times), Some(event_status), Some(attendance_mode), Some(description), true) =
            (times, status, mode, description, errors.len() == before)
        else {
            return None;
        };
        Some(NewContent::Event(Box::new(NewEvent {
            summary: summary.unwrap_or_default(),
            description,
            times,
            event_status,
            attendance_mode,
            venue: Venue {
                name: venue_name,
                address: venue_address,
                city: venue_city,
                country,
                latitude: venue_input.latitude,
                longitude: venue_input.longitude,
            },
            online_url,
            registration_url,
            organizers: self.organizers.iter().filter_map(|slug| people.get(slug).copied()).collect(),
        })))
    }

    fn from_entry(entry: &Entry<EventDetail>) -> Self {
        let e = &entry.detail.event;
        let zone = TimeZone::parse(&e.time_zone).ok();
        let local = |at: DateTime<Utc>| zone.map_or_else(|| at.fixed_offset(), |z| z.local(at)).to_rfc3339();
        let any_venue = e.venue_name.is_some()
            || e.venue_address.is_some()
            || e.venue_city.is_some()
            || e.venue_country.is_some();
        Self {
            summary: e.summary.clone(),
            description_markdown: e.description_markdown.clone(),
            starts_at: local(e.starts_at),
            ends_at: local(e.ends_at),
            time_zone: e.time_zone.clone(),
            all_day: e.all_day,
            recurrence: e.recurrence.clone(),
            event_status: Some(e.event_status.clone()),
            attendance_mode: Some(e.attendance_mode.clone()),
            venue: any_venue.then(|| VenueInput {
                name: e.venue_name.clone(),
                address: e.venue_address.clone(),
                city: e.venue_city.clone(),
                country: e.venue_country.clone(),
                latitude: e.venue_latitude,
                longitude: e.venue_longitude,
            }),
            online_url: e.online_url.clone(),
            registration_url: e.registration_url.clone(),
            organizers: entry.detail.organizers.iter().map(|c| c.person.slug.clone()).collect(),
            ..Self::shared_of(entry)
        }
    }

    fn content_bytes(&self) -> usize {
        self.description_markdown.len() + self.summary.len()
    }

    fn text(&self) -> String {
        [self.title.as_str(), self.summary.as_str(), self.description_markdown.as_str()].join("\n")
    }

    fn ical(entry: &Entry<EventDetail>) -> Option<String> {
        Some(super::vevent::vevent(entry).to_text())
    }
}
