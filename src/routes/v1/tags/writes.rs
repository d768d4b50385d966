//! Creating, renaming and deleting tags. Document
//! writes create the tags they name; these calls manage them directly.
//! Authors, editors, admins and keys with `content:write` create tags;
//! editors, admins and write keys change and delete them, with `If-Match`.

use actix_web::{HttpRequest, HttpResponse, delete, patch, post, web};

use super::dto::Tag;
use super::input::TagInput;
use crate::error::AppError;
use crate::http::body::{Json, MergePatch};
use crate::http::caller::Caller;
use crate::routes::responses::{ChangeRefusals, Conflict, CreateRefusals, UnprocessableContent};
use crate::routes::v1::catalog;
use crate::state::AppState;

/// Create a tag
///
/// Authors, editors, admins and keys with `content:write`. Documents that
/// name a tag that does not exist create it too, named after its slug.
#[utoipa::path(
    tag = "tags",
    operation_id = "create_tag",
    security(("bearer" = []), ("api_key" = [])),
    request_body(content = TagInput, description = "At most 16 KiB."),
    responses(
        (status = 201, description = "Created.", body = Tag,
            headers(("ETag" = String, description = "Send as If-Match to change it."), ("Location" = String, description = "The new tag."))),
        CreateRefusals,
    )
)]
#[post("/tags")]
pub async fn create_tag(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<TagInput>,
) -> Result<HttpResponse, AppError> {
    catalog::create(&state, caller, body.into_inner()).await
}

/// Change a tag
///
/// Applies a JSON Merge Patch (RFC 7396) to the tag's slug and name; the
/// documents that carry it keep it. `If-Match` with the current ETag is
/// required: 428 without it, 412 when the tag changed meanwhile. Editors,
/// admins and write keys.
#[utoipa::path(
    tag = "tags",
    operation_id = "update_tag",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id_or_slug" = String, Path, description = "The tag's id or slug.", example = "solidarity"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed.", example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6e-v1\""),
    ),
    request_body(content = TagInput, content_type = "application/merge-patch+json",
        description = "Any subset of the writable fields. At most 16 KiB."),
    responses(
        (status = 200, description = "Changed.", body = Tag, headers(("ETag" = String, description = "The new version's ETag."))),
        ChangeRefusals,
        (status = 409, response = Conflict),
        (status = 422, response = UnprocessableContent),
    )
)]
#[patch("/tags/{id_or_slug}")]
pub async fn update_tag(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    patch: MergePatch<TagInput>,
) -> Result<HttpResponse, AppError> {
    catalog::update::<TagInput>(&state, &request, caller, &path, &patch.patch).await
}

/// Delete a tag
///
/// Deletes a tag no document carries (409 otherwise, naming how many do).
/// `If-Match` is required. Editors, admins and write keys.
#[utoipa::path(
    tag = "tags",
    operation_id = "delete_tag",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id_or_slug" = String, Path, description = "The tag's id or slug.", example = "solidarity"),
        ("If-Match" = String, Header, description = "The ETag of the current version.", example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6e-v1\""),
    ),
    responses(
        (status = 204, description = "Deleted."),
        ChangeRefusals,
        (status = 409, response = Conflict),
    )
)]
#[delete("/tags/{id_or_slug}")]
pub async fn delete_tag(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    catalog::delete::<TagInput>(&state, &request, caller, &path).await
}
