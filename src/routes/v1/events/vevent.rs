//! Events as iCalendar: each a `VEVENT` with a stable `UID`, `SEQUENCE`
//! from its version, times in its own zone, `RRULE`, `STATUS`, `LOCATION`,
//! `GEO` and `URL`, and a `VCALENDAR` of them with the `VTIMEZONE` of every
//! zone they name, written line by line through the strict [`Writer`].

use chrono::{DateTime, Datelike, Utc};

use super::ical::Writer;
use crate::domain::EventTimes;
use crate::domain::vtimezone::vtimezone;
use crate::services::documents::Entry;
use crate::services::events::EventDetail;

/// Most years of a recurring event's time-zone rules included.
const MAX_ZONE_YEARS: i32 = 20;

fn status(value: &str) -> &'static str {
    match value {
        "cancelled" => "CANCELLED",
        "postponed" => "TENTATIVE",
        _ => "CONFIRMED",
    }
}

/// A UTC time as iCalendar writes it.
fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// One `VEVENT`; returns the years its zone's rules must cover.
fn vevent(out: &mut Writer, entry: &Entry<EventDetail>, origin: &str) -> Option<(chrono_tz::Tz, i32, i32)> {
    let document = &entry.document;
    let e = &entry.detail.event;
    out.begin("VEVENT");
    out.value("UID", &[], &format!("{}@broadside", document.id));
    out.value("DTSTAMP", &[], &utc(document.updated_at));
    out.value("LAST-MODIFIED", &[], &utc(document.updated_at));
    out.value("SEQUENCE", &[], &document.version.max(0).to_string());
    out.text("SUMMARY", &document.title);
    out.text("DESCRIPTION", &e.summary);
    out.value("STATUS", &[], status(&e.event_status));
    let page = format!("{origin}/v1/events/{}", document.slug);
    out.value("URL", &[], e.online_url.as_deref().unwrap_or(&page));
    let times: Option<EventTimes> = entry.detail.times();
    let mut zone_years = None;
    match &times {
        Some(times) if !times.all_day() => {
            let zone = times.time_zone();
            let local = |at: DateTime<Utc>| {
                at.with_timezone(&zone.tz()).naive_local().format("%Y%m%dT%H%M%S").to_string()
            };
            out.value("DTSTART", &[("TZID", zone.name())], &local(times.starts_at()));
            out.value("DTEND", &[("TZID", zone.name())], &local(times.ends_at()));
            let first = times.starts_at().with_timezone(&zone.tz()).year();
            let last = times
                .series_ends_at()
                .map_or(first + MAX_ZONE_YEARS, |end| end.year())
                .clamp(first, first + MAX_ZONE_YEARS);
            zone_years = Some((zone.tz(), first, last));
        }
        Some(times) => {
            let zone = times.time_zone().tz();
            let day = |at: DateTime<Utc>| at.with_timezone(&zone).date_naive().format("%Y%m%d").to_string();
            out.value("DTSTART", &[("VALUE", "DATE")], &day(times.starts_at()));
            out.value("DTEND", &[("VALUE", "DATE")], &day(times.ends_at()));
        }
        None => {
            out.value("DTSTART", &[], &utc(e.starts_at));
            out.value("DTEND", &[], &utc(e.ends_at));
        }
    }
    if let Some(rule) = &e.recurrence {
        out.value("RRULE", &[], rule);
    }
    let place: Vec<&str> = [&e.venue_name, &e.venue_address, &e.venue_city, &e.venue_country]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if !place.is_empty() {
        out.text("LOCATION", &place.join(", "));
    }
    if let (Some(latitude), Some(longitude)) = (e.venue_latitude, e.venue_longitude) {
        out.value("GEO", &[], &format!("{latitude};{longitude}"));
    }
    out.texts("CATEGORIES", entry.shared.tags.iter().map(|t| t.name.as_str()));
    out.end("VEVENT");
    zone_years
}

/// The calendar of `entries`, time-zone definitions included.
pub fn calendar(entries: &[Entry<EventDetail>], name: &str, origin: &str) -> String {
    let mut zones: Vec<(chrono_tz::Tz, i32, i32)> = Vec::new();
    let mut events = Writer::default();
    for entry in entries {
        if let Some((zone, first, last)) = vevent(&mut events, entry, origin) {
            match zones.iter_mut().find(|(z, _, _)| *z == zone) {
                Some(known) => {
                    known.1 = known.1.min(first);
                    known.2 = known.2.max(last);
                }
                None => zones.push((zone, first, last)),
            }
        }
    }
    let mut out = Writer::default();
    out.begin("VCALENDAR");
    out.value("VERSION", &[], "2.0");
    out.value("PRODID", &[], "-//Broadside//Broadside API//EN");
    out.value("CALSCALE", &[], "GREGORIAN");
    out.value("METHOD", &[], "PUBLISH");
    out.text("NAME", name);
    out.text("X-WR-CALNAME", name);
    // Each zone's rules go before the events that name it.
    for (zone, first, last) in &zones {
        out.lines(&vtimezone(*zone, *first, *last));
    }
    out.lines(&events.finish());
    out.end("VCALENDAR");
    out.finish()
}
