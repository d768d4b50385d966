use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::Lyrics;
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, NotFound, ServerError, Unauthorized};
use crate::routes::v1::documents;
use crate::routes::v1::documents::GetParams;
use crate::services::lyrics::Lyrics as LyricsType;
use crate::state::AppState;

/// Get lyrics
///
/// One published song by id or slug: its stanzas (each stored once), the
/// arrangement that gives the sung order, the full text in that order, its
/// writers and rights.
///
/// With `Accept: application/ld+json`: schema.org JSON-LD (a `MusicComposition`
/// with its lyrics).
#[utoipa::path(
    tag = "lyrics",
    operation_id = "get_lyrics",
    security((), ("bearer" = []), ("api_key" = [])),
    params(
        ("id_or_slug" = String, Path, description = "The song's id (UUID) or slug.", example = "solidarity-forever"),
        GetParams,
        ("Accept-Language" = Option<String>, Header, description = "Translations the reader prefers, used when `locale` is absent.", example = "es-MX, es;q=0.9, en;q=0.5"),
    ),
    responses(
        (status = 200, description = "The song.",
            content((Lyrics = "application/json"), (Object = "application/ld+json", example = json!({"@context": "https://schema.org", "@type": "MusicComposition", "name": "Solidarity Forever", "lyrics": {"@type": "CreativeWork", "text": "When the union’s inspiration…"}}))),
            headers(("Content-Language" = String, description = "The locale of the document served."))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 500, response = ServerError),
    )
)]
#[get("/lyrics/{id_or_slug}")]
pub async fn get_lyrics(
    state: web::Data<AppState>,
    request: HttpRequest,
    id_or_slug: web::Path<String>,
    caller: Caller,
    Query(params): Query<GetParams>,
) -> Result<HttpResponse, AppError> {
    documents::get::<LyricsType, Lyrics>(&state, &request, &caller, &id_or_slug, &params).await
}
