//! One essay by id or slug: get, the writes and the revisions. The work
//! is done once for every content type in `routes::v1::documents`.

use super::input::EssayInput;

crate::routes::v1::documents::document_routes!(
    tag = "essays",
    singular = "essay",
    input = EssayInput,
    published = EssayPublished,
    get = {
        summary = "Get an essay",
        description = "One published essay by id or slug, with its Markdown body, the body rendered to sanitised \
            HTML, its authors, tags, related documents and translations.\n\nWith `Accept: \
            application/ld+json`: schema.org JSON-LD (an `Article`).",
        found = "The essay.",
        json_ld = ({"@context": "https://schema.org", "@type": "Article", "headline": "Proletarian Internationalism", "author": [{"@type": "Person", "name": "Alvaro Rodriguez"}]}),
    },
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
