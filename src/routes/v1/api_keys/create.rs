use actix_web::{HttpResponse, post, web};

use super::dto::{ApiKey, CreatedApiKey, NewApiKey};
use super::require_admin;
use crate::error::AppError;
use crate::http::body::Json;
use crate::http::caller::Caller;
use crate::routes::responses::{BadRequest, Forbidden, ServerError, Unauthorized, UnprocessableContent};
use crate::services::api_keys;
use crate::state::AppState;

/// Create an API key
///
/// A new key with the given scopes. The response is the only time the key
/// is shown; only its digest is stored. Admins only.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "create_api_key",
    security(("bearer" = [])),
    request_body(content = NewApiKey, description = "At most 4 KiB."),
    responses(
        (status = 201, description = "The key, shown this once.", body = CreatedApiKey),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = UnprocessableContent),
        (status = 500, response = ServerError),
    )
)]
#[post("/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewApiKey>,
) -> Result<HttpResponse, AppError> {
    let admin = require_admin(caller)?;
    let (name, scopes) = body.validate()?;
    let (model, key) = api_keys::create(&state.db, &name, &scopes, body.expires_at, admin.user_id()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/api-keys/{}", model.id)))
        .insert_header(("Cache-Control", "no-store"))
        .json(CreatedApiKey { api_key: ApiKey::from(&model), key }))
}
