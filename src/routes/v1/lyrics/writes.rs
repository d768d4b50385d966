//! Writing lyrics: create, change, publish, delete, revisions. The work is
//! done once for every content type in `routes::v1::documents`.

use super::input::LyricsInput;

crate::routes::v1::documents::document_routes!(
    tag = "lyrics",
    singular = "lyrics",
    input = LyricsInput,
    published = LyricsPublished,
    paths = [
        "/lyrics",
        "/lyrics/{id_or_slug}",
        "/lyrics/{id_or_slug}/publish",
        "/lyrics/{id_or_slug}/unpublish",
        "/lyrics/{id_or_slug}/archive",
        "/lyrics/{id_or_slug}/restore",
        "/lyrics/{id_or_slug}/revisions",
        "/lyrics/{id_or_slug}/revisions/{version}",
        "/lyrics/{id_or_slug}/revisions/{version}/diff",
        "/lyrics/{id_or_slug}/revisions/{version}/restore",
    ],
);
