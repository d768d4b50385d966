//! One event by id or slug: get, the writes and the revisions. The work
//! is done once for every content type in `routes::v1::documents`.

use super::input::EventInput;

crate::routes::v1::documents::document_routes!(
    tag = "events",
    singular = "event",
    input = EventInput,
    published = EventPublished,
    get = {
        summary = "Get an event",
        description = "One published event by id or slug: times with offset in its IANA time zone, recurrence and \
            next occurrence, venue, status, attendance mode and organizers.\n\nWith `Accept: \
            application/ld+json`: schema.org JSON-LD (an `Event` with its status, attendance mode and \
            location).",
        found = "The event.",
        json_ld = ({"@context": "https://schema.org", "@type": "Event", "name": "International Meeting", "eventStatus": "https://schema.org/EventScheduled", "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode"}),
    },
    paths = [
        "/events",
        "/events/{id_or_slug}",
        "/events/{id_or_slug}/publish",
        "/events/{id_or_slug}/unpublish",
        "/events/{id_or_slug}/archive",
        "/events/{id_or_slug}/restore",
        "/events/{id_or_slug}/revisions",
        "/events/{id_or_slug}/revisions/{version}",
        "/events/{id_or_slug}/revisions/{version}/diff",
        "/events/{id_or_slug}/revisions/{version}/restore",
    ],
);
