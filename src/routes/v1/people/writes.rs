//! Creating, changing and deleting people. People are shared by every
//! document that credits them: authors, editors, admins and keys with
//! `content:write` create them; editors, admins and write keys change and
//! delete them, with `If-Match` like any other write.

use actix_web::{HttpRequest, HttpResponse, delete, patch, post, web};

use super::dto::Person;
use super::input::PersonInput;
use crate::error::AppError;
use crate::http::body::{Json, MergePatch};
use crate::http::caller::Caller;
use crate::routes::responses::{ChangeRefusals, Conflict, CreateRefusals, UnprocessableContent};
use crate::routes::v1::catalog;
use crate::state::AppState;

/// Create a person
///
/// Adds a person that documents can credit as author, writer or organizer.
/// Authors, editors, admins and keys with `content:write`.
#[utoipa::path(
    tag = "people",
    operation_id = "create_person",
    security(("bearer" = []), ("api_key" = [])),
    request_body(content = PersonInput, description = "At most 64 KiB."),
    responses(
        (status = 201, description = "Created.", body = Person,
            headers(("ETag" = String, description = "Send as If-Match to change it."), ("Location" = String, description = "The new person."))),
        CreateRefusals,
    )
)]
#[post("/people")]
pub async fn create_person(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<PersonInput>,
) -> Result<HttpResponse, AppError> {
    catalog::create(&state, caller, body.into_inner()).await
}

/// Change a person
///
/// Applies a JSON Merge Patch (RFC 7396) to the person's writable fields.
/// `If-Match` with the current ETag is required: 428 without it, 412 when
/// the person changed meanwhile. Editors, admins and write keys.
#[utoipa::path(
    tag = "people",
    operation_id = "update_person",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id_or_slug" = String, Path, description = "The person's id or slug.", example = "ralph-chaplin"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed.", example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6d-v1\""),
    ),
    request_body(content = PersonInput, content_type = "application/merge-patch+json",
        description = "Any subset of the writable fields; `null` removes the bio. At most 64 KiB."),
    responses(
        (status = 200, description = "Changed.", body = Person, headers(("ETag" = String, description = "The new version's ETag."))),
        ChangeRefusals,
        (status = 409, response = Conflict),
        (status = 422, response = UnprocessableContent),
    )
)]
#[patch("/people/{id_or_slug}")]
pub async fn update_person(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    patch: MergePatch<PersonInput>,
) -> Result<HttpResponse, AppError> {
    catalog::update::<PersonInput>(&state, &request, caller, &path, &patch.patch).await
}

/// Delete a person
///
/// Deletes a person no document credits (409 otherwise, naming how many
/// do). `If-Match` is required. Editors, admins and write keys.
#[utoipa::path(
    tag = "people",
    operation_id = "delete_person",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id_or_slug" = String, Path, description = "The person's id or slug.", example = "ralph-chaplin"),
        ("If-Match" = String, Header, description = "The ETag of the current version.", example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6d-v1\""),
    ),
    responses(
        (status = 204, description = "Deleted."),
        ChangeRefusals,
        (status = 409, response = Conflict),
    )
)]
#[delete("/people/{id_or_slug}")]
pub async fn delete_person(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    catalog::delete::<PersonInput>(&state, &request, caller, &path).await
}
