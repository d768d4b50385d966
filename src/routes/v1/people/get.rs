use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::{Person, PersonGetParams};
use super::input::PersonInput;
use crate::error::AppError;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, NotFound, ServerError};
use crate::routes::v1::catalog;
use crate::state::AppState;

/// Get a person
///
/// One person by id or slug, with their most recent published works of
/// every type and how many there are in all.
#[utoipa::path(
    tag = "people",
    operation_id = "get_person",
    params(
        ("id_or_slug" = String, Path, description = "The person's id (UUID) or slug.", example = "ralph-chaplin"),
        PersonGetParams,
    ),
    responses(
        (status = 200, description = "The person and their works.", body = Person,
            headers(("ETag" = String, description = "The person's version; send as If-Match to change it."))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = ServerError),
    )
)]
#[get("/people/{id_or_slug}")]
pub async fn get_person(
    request: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    Query(params): Query<PersonGetParams>,
) -> Result<HttpResponse, AppError> {
    catalog::get::<PersonInput>(&state, &request, &path, params.fields.as_deref()).await
}
