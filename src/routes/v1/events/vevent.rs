//! Events as iCalendar: each a `VEVENT` with a stable `UID`, `SEQUENCE`
//! from its version, times in its own zone, `RRULE`, `STATUS`, `LOCATION`,
//! `GEO` and `URL`, and a `VCALENDAR` of them with the `VTIMEZONE` of every
//! zone they name, written line by line through the strict [`Writer`].
//!
//! Each event's `VEVENT` is written when the event is, and stored with its
//! renderings ([`Stored`]); a calendar joins stored ones. Only the `URL` of
//! the event's page depends on the request (its origin): it is written
//! when the calendar is.

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

/// The years of a zone's rules that an event's times need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneYears {
    pub zone: chrono_tz::Tz,
    pub first: i32,
    pub last: i32,
}

/// One event's `VEVENT`, written but for the `URL` of its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The zone whose `VTIMEZONE` the calendar must carry, if any.
    pub zone: Option<ZoneYears>,
    /// The lines before the `URL`, and after it.
    pub head: String,
    pub tail: String,
    /// The page the `URL` names, under the calendar's origin; `None` when
    /// the event's `URL` is its own (`online_url`), already in `head`.
    pub page: Option<String>,
}

/// Separates the fields of a [`Stored`] as text: a control character, which
/// the [`Writer`] never writes.
const SEPARATOR: char = '\u{1}';

impl Stored {
    /// The event's stored form, for the column that keeps it.
    pub fn to_text(&self) -> String {
        let zone = self.zone.map(|z| format!("{} {} {}", z.zone.name(), z.first, z.last)).unwrap_or_default();
        let page = self.page.as_deref().unwrap_or_default();
        [zone.as_str(), page, &self.head, &self.tail].join(&SEPARATOR.to_string())
    }

    /// Reads [`Stored::to_text`]'s form; `None` for anything else.
    pub fn from_text(text: &str) -> Option<Self> {
        let mut fields = text.split(SEPARATOR);
        let (zone, page, head, tail) = (fields.next()?, fields.next()?, fields.next()?, fields.next()?);
        if fields.next().is_some() {
            return None;
        }
        let zone = match zone {
            "" => None,
            zone => {
                let mut parts = zone.split(' ');
                let (name, first, last) = (parts.next()?, parts.next()?, parts.next()?);
                Some(ZoneYears {
                    zone: name.parse().ok()?,
                    first: first.parse().ok()?,
                    last: last.parse().ok()?,
                })
            }
        };
        let page = (!page.is_empty()).then(|| page.to_owned());
        Some(Self { zone, head: head.to_owned(), tail: tail.to_owned(), page })
    }

    /// The `VEVENT` as a calendar at `origin` carries it.
    fn write(&self, out: &mut Writer, origin: &str) {
        out.lines(&self.head);
        if let Some(page) = &self.page {
            out.value("URL", &[], &format!("{origin}{page}"));
        }
        out.lines(&self.tail);
    }
}

/// One event's `VEVENT`, to store.
pub fn vevent(entry: &Entry<EventDetail>) -> Stored {
    let document = &entry.document;
    let e = &entry.detail.event;
    let mut out = Writer::default();
    out.begin("VEVENT");
    out.value("UID", &[], &format!("{}@broadside", document.id));
    out.value("DTSTAMP", &[], &utc(document.updated_at));
    out.value("LAST-MODIFIED", &[], &utc(document.updated_at));
    out.value("SEQUENCE", &[], &document.version.max(0).to_string());
    out.text("SUMMARY", &document.title);
    out.text("DESCRIPTION", &e.summary);
    out.value("STATUS", &[], status(&e.event_status));
    let page = match &e.online_url {
        Some(url) => {
            out.value("URL", &[], url);
            None
        }
        None => Some(format!("/v1/events/{}", document.slug)),
    };
    let head = std::mem::take(&mut out).finish();
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
            zone_years = Some(ZoneYears { zone: zone.tz(), first, last });
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
    Stored { zone: zone_years, head, tail: out.finish(), page }
}

/// The calendar of `events`, time-zone definitions included.
pub fn calendar(events: &[Stored], name: &str, origin: &str) -> String {
    let mut zones: Vec<ZoneYears> = Vec::new();
    for event in events {
        if let Some(years) = event.zone {
            match zones.iter_mut().find(|z| z.zone == years.zone) {
                Some(known) => {
                    known.first = known.first.min(years.first);
                    known.last = known.last.max(years.last);
                }
                None => zones.push(years),
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
    for z in &zones {
        out.lines(&vtimezone(z.zone, z.first, z.last));
    }
    for event in events {
        event.write(&mut out, origin);
    }
    out.end("VCALENDAR");
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_form_reads_back() {
        let zone = ZoneYears { zone: chrono_tz::Europe::Athens, first: 2027, last: 2047 };
        let stored = Stored {
            zone: Some(zone),
            head: "BEGIN:VEVENT\r\nSUMMARY:A\r\n".to_owned(),
            tail: "END:VEVENT\r\n".to_owned(),
            page: Some("/v1/events/a".to_owned()),
        };
        assert_eq!(Stored::from_text(&stored.to_text()), Some(stored.clone()));
        let own = Stored { zone: None, page: None, ..stored };
        assert_eq!(Stored::from_text(&own.to_text()), Some(own));
        assert_eq!(Stored::from_text("BEGIN:VEVENT"), None);
    }
}
