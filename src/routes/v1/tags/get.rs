use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};

use super::dto::Tag;
use super::writes::{find, respond};
use crate::error::AppError;
use crate::routes::responses::{BadRequest, NotFound, ServerError};
use crate::startup::AppState;

/// Get a tag
///
/// One tag by id or slug, with the number of published documents that
/// carry it.
#[utoipa::path(
    tag = "tags",
    operation_id = "get_tag",
    params(("id_or_slug" = String, Path, description = "The tag's id or slug.", example = "solidarity")),
    responses(
        (status = 200, description = "The tag.", body = Tag,
            headers(("ETag" = String, description = "The tag's version; send as If-Match to change it."))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = ServerError),
    )
)]
#[get("/tags/{id_or_slug}")]
pub async fn get_tag(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    Ok(respond(&find(&state, &path).await?, StatusCode::OK, false))
}
