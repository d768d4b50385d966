use actix_web::{HttpResponse, get, web};

use super::dto::{ApiKey, ApiKeyList};
use super::require_admin;
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::routes::responses::{Forbidden, ServerError, Unauthorized};
use crate::services::api_keys;
use crate::state::AppState;

/// List API keys
///
/// Every key, live or revoked, oldest first, without the secrets. Admins only.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "list_api_keys",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The keys.", body = ApiKeyList),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 500, response = ServerError),
    )
)]
#[get("/api-keys")]
pub async fn list_api_keys(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    require_admin(caller)?;
    let keys = api_keys::list(&state.db).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-store"))
        .json(ApiKeyList { data: keys.iter().map(ApiKey::from).collect() }))
}
