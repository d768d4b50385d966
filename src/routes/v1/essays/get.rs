use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::Essay;
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, NotFound, ServerError, Unauthorized};
use crate::routes::v1::documents;
use crate::routes::v1::documents::GetParams;
use crate::services::essays::Essays;
use crate::state::AppState;

/// Get an essay
///
/// One published essay by id or slug, with its Markdown body, the body
/// rendered to sanitised HTML, its authors, tags, related documents and
/// translations.
///
/// With `Accept: application/ld+json`: schema.org JSON-LD (an `Article`).
#[utoipa::path(
    tag = "essays",
    operation_id = "get_essay",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id_or_slug" = String, Path, description = "The essay's id (UUID) or slug.", example = "proletarian-internationalism"),
        GetParams,
        ("Accept-Language" = Option<String>, Header, description = "Translations the reader prefers, used when `locale` is absent.", example = "es-MX, es;q=0.9, en;q=0.5"),
    ),
    responses(
        (status = 200, description = "The essay.",
            content((Essay = "application/json"), (Object = "application/ld+json", example = json!({"@context": "https://schema.org", "@type": "Article", "headline": "Proletarian Internationalism", "author": [{"@type": "Person", "name": "Alvaro Rodriguez"}]}))),
            headers(("Content-Language" = String, description = "The locale of the document served."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 500, response = ServerError),
    )
)]
#[get("/essays/{id_or_slug}")]
pub async fn get_essay(
    state: web::Data<AppState>,
    request: HttpRequest,
    id_or_slug: web::Path<String>,
    caller: Caller,
    Query(params): Query<GetParams>,
) -> Result<HttpResponse, AppError> {
    documents::get::<Essays, Essay>(&state, &request, &caller, &id_or_slug, &params).await
}
