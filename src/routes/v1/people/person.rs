//! Reading, creating, changing and deleting people. People are shared by every
//! document that credits them: authors, editors, admins and keys with
//! `content:write` create them; editors, admins and write keys change and
//! delete them, with `If-Match` like any other write.

use super::dto::PersonGetParams;
use super::input::PersonInput;

crate::routes::v1::catalog::catalog_routes!(
    tag = "people",
    singular = "person",
    input = PersonInput,
    get_params = PersonGetParams,
    paths = ["/people", "/people/{id_or_slug}"],
    limit = "At most 64 KiB.",
    get = {
        summary = "Get a person",
        description = "One person by id or slug, with their most recent published works of every type and how \
            many there are in all.",
        found = "The person and their works.",
    },
    create = {
        summary = "Create a person",
        description = "Adds a person that documents can credit as author, writer or organizer. Authors, \
            editors, admins and keys with `content:write`.",
    },
    update = {
        summary = "Change a person",
        description = "Applies a JSON Merge Patch (RFC 7396) to the person's writable fields. `If-Match` with \
            the current ETag is required: 428 without it, 412 when the person changed meanwhile. \
            Editors, admins and write keys.",
        body = "Any subset of the writable fields; `null` removes the bio. At most 64 KiB.",
    },
    delete = {
        summary = "Delete a person",
        description = "Deletes a person no document credits (409 otherwise, naming how many do). `If-Match` is \
            required. Editors, admins and write keys.",
    },
);
