//! Creating, renaming and deleting tags. Document
//! writes create the tags they name; these calls manage them directly.
//! Authors, editors, admins and keys with `content:write` create tags;
//! editors, admins and write keys change and delete them, with `If-Match`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::Tag;
use crate::domain::Visibility;
use crate::error::AppError;
use crate::http::body::{Body, Json, MergePatch};
use crate::http::caller::Caller;
use crate::http::preconditions::{if_match, version_etag};
use crate::routes::responses::{
    BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, ServerError,
    Unauthorized, UnprocessableContent,
};
use crate::routes::v1::document::id_or_slug;
use crate::routes::v1::editing::{checked_name, checked_slug, merged};
use crate::services::catalog;
use crate::services::tags::{self, TagFields, TagRecord};
use crate::state::AppState;

/// The writable fields of a tag.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagInput {
    /// Lowercase letters, digits and single hyphens; unique among tags.
    #[schema(example = "solidarity")]
    pub slug: String,
    /// 1 to 100 characters.
    #[schema(example = "Solidarity")]
    pub name: String,
}

impl Body for TagInput {
    const LIMIT: usize = 16 * 1024;
}

impl TagInput {
    fn of(tag: &entity::tag::Model) -> Self {
        Self { slug: tag.slug.clone(), name: tag.name.clone() }
    }

    /// The fields as domain values, or a 422 listing every invalid one.
    fn fields(self) -> Result<TagFields, AppError> {
        let mut errors = Vec::new();
        let slug = checked_slug("slug", &self.slug, &mut errors);
        let name = checked_name("name", &self.name, 100, &mut errors);
        match slug {
            Some(slug) if errors.is_empty() => Ok(TagFields { slug, name }),
            _ => Err(AppError::invalid_fields(errors)),
        }
    }
}

/// The tag `key` names.
pub(super) async fn find(state: &AppState, key: &str) -> Result<TagRecord, AppError> {
    tags::get(&state.db, &id_or_slug(key)?, Visibility::Public)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no tag `{key}`")))
}

/// `record` with its ETag, for a writer.
fn respond(record: &TagRecord, status: StatusCode) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::ETAG, version_etag(record.tag.id, record.tag.version)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"));
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/v1/tags/{}", record.tag.id)));
    }
    response.json(Tag::from(record))
}

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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 422, response = UnprocessableContent),
        (status = 500, response = ServerError),
    )
)]
#[post("/tags")]
pub async fn create_tag(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<TagInput>,
) -> Result<HttpResponse, AppError> {
    let actor = caller.required()?;
    if !actor.can_create() {
        return Err(AppError::Forbidden("this API key may not create content".into()));
    }
    let fields = body.into_inner().fields()?;
    let tag = catalog::create::<catalog::Tag>(&state.db, Uuid::now_v7(), fields)
        .await
        .map_err(|e| AppError::write(e, "tag"))?;
    Ok(respond(&TagRecord { tag, documents: 0 }, StatusCode::CREATED))
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
#[patch("/tags/{id_or_slug}")]
pub async fn update_tag(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    patch: MergePatch<TagInput>,
) -> Result<HttpResponse, AppError> {
    let actor = caller.required()?;
    if !actor.can_edit_any() {
        return Err(AppError::Forbidden("only editors, admins and write keys change tags".into()));
    }
    let record = find(&state, &path).await?;
    let expected = if_match(&request, record.tag.id, record.tag.version, "tag")?;
    let fields = merged(&TagInput::of(&record.tag), &patch.patch)?.fields()?;
    let tag = catalog::update::<catalog::Tag>(&state.db, record.tag.id, expected, fields)
        .await
        .map_err(|e| AppError::write(e, "tag"))?;
    Ok(respond(&TagRecord { tag, documents: record.documents }, StatusCode::OK))
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
#[delete("/tags/{id_or_slug}")]
pub async fn delete_tag(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let actor = caller.required()?;
    if !actor.can_edit_any() {
        return Err(AppError::Forbidden("only editors, admins and write keys delete tags".into()));
    }
    let record = find(&state, &path).await?;
    let expected = if_match(&request, record.tag.id, record.tag.version, "tag")?;
    catalog::delete::<catalog::Tag>(&state.db, record.tag.id, expected)
        .await
        .map_err(|e| AppError::write(e, "tag"))?;
    Ok(HttpResponse::NoContent().finish())
}
