//! Reading, creating, renaming and deleting tags. Document
//! writes create the tags they name; these calls manage them directly.
//! Authors, editors, admins and keys with `content:write` create tags;
//! editors, admins and write keys change and delete them, with `If-Match`.

use super::dto::TagGetParams;
use super::input::TagInput;

crate::routes::v1::catalog::catalog_routes!(
    tag = "tags",
    singular = "tag",
    input = TagInput,
    get_params = TagGetParams,
    paths = ["/tags", "/tags/{id_or_slug}"],
    limit = "At most 16 KiB.",
    get = {
        summary = "Get a tag",
        description = "One tag by id or slug, with the number of published documents that carry it.",
        found = "The tag.",
    },
    create = {
        summary = "Create a tag",
        description = "Authors, editors, admins and keys with `content:write`. Documents that name a tag that \
            does not exist create it too, named after its slug.",
    },
    update = {
        summary = "Change a tag",
        description = "Applies a JSON Merge Patch (RFC 7396) to the tag's slug and name; the documents that \
            carry it keep it. `If-Match` with the current ETag is required: 428 without it, 412 when \
            the tag changed meanwhile. Editors, admins and write keys.",
        body = "Any subset of the writable fields. At most 16 KiB.",
    },
    delete = {
        summary = "Delete a tag",
        description = "Deletes a tag no document carries (409 otherwise, naming how many do). `If-Match` is \
            required. Editors, admins and write keys.",
    },
);
