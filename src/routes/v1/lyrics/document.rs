//! One song by id or slug: get, the writes and the revisions. The work
//! is done once for every content type in `routes::v1::documents`.

use super::input::LyricsInput;

crate::routes::v1::documents::document_routes!(
    tag = "lyrics",
    singular = "lyrics",
    input = LyricsInput,
    published = LyricsPublished,
    get = {
        summary = "Get lyrics",
        description = "One published song by id or slug: its stanzas (each stored once), the arrangement that gives \
            the sung order, the full text in that order, its writers and rights.\n\nWith `Accept: \
            application/ld+json`: schema.org JSON-LD (a `MusicComposition` with its lyrics).",
        found = "The song.",
        json_ld = ({"@context": "https://schema.org", "@type": "MusicComposition", "name": "Solidarity Forever", "lyrics": {"@type": "CreativeWork", "text": "When the union’s inspiration…"}}),
    },
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
