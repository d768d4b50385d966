use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{Tag, TagGetParams};
use super::input::TagInput;
use crate::error::AppError;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, NotFound, ServerError};
use crate::routes::v1::catalog;
use crate::state::AppState;

/// Get a tag
///
/// One tag by id or slug, with the number of published documents that
/// carry it.
#[utoipa::path(
    tag = "tags",
    operation_id = "get_tag",
    params(
        ("id_or_slug" = String, Path, description = "The tag's id or slug.", example = "solidarity"),
        TagGetParams,
    ),
    responses(
        (status = 200, description = "The tag.", body = Tag,
            headers(("ETag" = String, description = "The tag's version; send as If-Match to change it."))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = ServerError),
    )
)]
#[get("/tags/{id_or_slug}")]
pub async fn get_tag(
    request: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(params): Query<TagGetParams>,
) -> Result<HttpResponse, AppError> {
    catalog::get::<TagInput>(&state, &request, &path, params.fields.as_deref()).await
}
