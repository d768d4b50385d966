//! Writing events: create, change, publish, delete, revisions. The work is
//! done once for every content type in `routes::v1::documents`.

use super::input::EventInput;

crate::routes::v1::documents::document_routes!(
    tag = "events",
    singular = "event",
    input = EventInput,
    published = EventPublished,
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
