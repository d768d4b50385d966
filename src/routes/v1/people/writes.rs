//! Creating, changing and deleting people. People are shared by every
//! document that credits them: authors, editors, admins and keys with
//! `content:write` create them; editors, admins and write keys change and
//! delete them, with `If-Match` like any other write.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::Person;
use crate::domain::text;
use crate::domain::{IdOrSlug, Visibility};
use crate::error::AppError;
use crate::http::body::{Body, Json, MergePatch};
use crate::http::caller::Caller;
use crate::http::preconditions::{if_match, version_etag};
use crate::routes::responses::{
    BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, ServerError,
    Unauthorized, UnprocessableContent,
};
use crate::routes::v1::document::id_or_slug;
use crate::routes::v1::editing::{checked, checked_name, checked_slug, merged};
use crate::services::catalog;
use crate::services::people::{self, PersonFields};
use crate::state::AppState;

/// Longest biography, in characters.
const MAX_BIO: usize = 10_000;

/// The writable fields of a person.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// Lowercase letters, digits and single hyphens; unique among people.
    #[schema(example = "ralph-chaplin")]
    pub slug: String,
    /// 1 to 200 characters.
    #[schema(example = "Ralph Chaplin")]
    pub name: String,
    /// Up to 10,000 characters of plain text.
    #[serde(default)]
    #[schema(example = "American writer, artist and organizer of the Industrial Workers of the World.")]
    pub bio: Option<String>,
}

impl Body for PersonInput {
    const LIMIT: usize = 64 * 1024;
}

impl PersonInput {
    fn of(person: &entity::person::Model) -> Self {
        Self { slug: person.slug.clone(), name: person.name.clone(), bio: person.bio.clone() }
    }

    /// The fields as domain values, or a 422 listing every invalid one.
    fn fields(self) -> Result<PersonFields, AppError> {
        let mut errors = Vec::new();
        let slug = checked_slug("slug", &self.slug, &mut errors);
        let name = checked_name("name", &self.name, 200, &mut errors);
        let bio = checked("bio", text::optional_lines(self.bio.as_deref(), MAX_BIO), &mut errors);
        match slug {
            Some(slug) if errors.is_empty() => Ok(PersonFields { slug, name, bio }),
            _ => Err(AppError::invalid_fields(errors)),
        }
    }
}

/// The person `id`, as `GET /v1/people/{id}` shows it, with its ETag.
async fn respond(state: &AppState, id: Uuid, status: StatusCode) -> Result<HttpResponse, AppError> {
    let record = people::get(&state.db, &IdOrSlug::Id(id), Visibility::Public)
        .await?
        .ok_or_else(|| AppError::not_found("no such person"))?;
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::ETAG, version_etag(record.person.id, record.person.version)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"));
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/v1/people/{id}")));
    }
    Ok(response.json(Person::from(&record)))
}

/// The person a write addresses.
async fn target(state: &AppState, key: &str) -> Result<entity::person::Model, AppError> {
    people::get(&state.db, &id_or_slug(key)?, Visibility::Public)
        .await?
        .map(|record| record.person)
        .ok_or_else(|| AppError::not_found(format!("no person `{key}`")))
}

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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 422, response = UnprocessableContent),
        (status = 500, response = ServerError),
    )
)]
#[post("/people")]
pub async fn create_person(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<PersonInput>,
) -> Result<HttpResponse, AppError> {
    let actor = caller.required()?;
    if !actor.can_create() {
        return Err(AppError::Forbidden("this API key may not create content".into()));
    }
    let fields = body.into_inner().fields()?;
    let person = catalog::create::<catalog::Person>(&state.db, Uuid::now_v7(), fields)
        .await
        .map_err(|e| AppError::write(e, "person"))?;
    respond(&state, person.id, StatusCode::CREATED).await
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = UnprocessableContent),
        (status = 428, response = PreconditionRequired),
        (status = 500, response = ServerError),
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
    let actor = caller.required()?;
    if !actor.can_edit_any() {
        return Err(AppError::Forbidden("only editors, admins and write keys change people".into()));
    }
    let person = target(&state, &path).await?;
    let expected = if_match(&request, person.id, person.version, "person")?;
    let fields = merged(&PersonInput::of(&person), &patch.patch)?.fields()?;
    catalog::update::<catalog::Person>(&state.db, person.id, expected, fields)
        .await
        .map_err(|e| AppError::write(e, "person"))?;
    respond(&state, person.id, StatusCode::OK).await
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 428, response = PreconditionRequired),
        (status = 500, response = ServerError),
    )
)]
#[delete("/people/{id_or_slug}")]
pub async fn delete_person(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let actor = caller.required()?;
    if !actor.can_edit_any() {
        return Err(AppError::Forbidden("only editors, admins and write keys delete people".into()));
    }
    let person = target(&state, &path).await?;
    let expected = if_match(&request, person.id, person.version, "person")?;
    catalog::delete::<catalog::Person>(&state.db, person.id, expected)
        .await
        .map_err(|e| AppError::write(e, "person"))?;
    Ok(HttpResponse::NoContent().finish())
}
