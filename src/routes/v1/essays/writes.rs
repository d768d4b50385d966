//! Writing essays: create, change, publish, delete, revisions. The work is
//! done once for every content type in `routes::v1::documents`.

use super::input::EssayInput;

crate::routes::v1::documents::document_routes!(
    tag = "essays",
    singular = "essay",
    input = EssayInput,
    published = EssayPublished,
    paths = [
        "/essays",
        "/essays/{id_or_slug}",
        "/essays/{id_or_slug}/publish",
        "/essays/{id_or_slug}/unpublish",
        "/essays/{id_or_slug}/archive",
        "/essays/{id_or_slug}/restore",
        "/essays/{id_or_slug}/revisions",
        "/essays/{id_or_slug}/revisions/{version}",
        "/essays/{id_or_slug}/revisions/{version}/diff",
        "/essays/{id_or_slug}/revisions/{version}/restore",
    ],
);
