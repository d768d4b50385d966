use actix_web::http::header;
use actix_web::{HttpResponse, get, web};

use super::dto::{Tag, TagGetParams};
use super::writes::find;
use crate::error::AppError;
use crate::http::fields::Fields;
use crate::http::preconditions::version_etag;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, NotFound, ServerError};
use crate::routes::v1::document::selected;
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
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(params): Query<TagGetParams>,
) -> Result<HttpResponse, AppError> {
    let fields = Fields::parse::<Tag>(params.fields.as_deref())?;
    let record = find(&state, &path).await?;
    let mut response = HttpResponse::Ok();
    response.insert_header((header::ETAG, version_etag(record.tag.id, record.tag.version)));
    selected(response, &Tag::from(&record), fields.as_ref(), false)
}
