use actix_web::{HttpResponse, delete, web};

use super::require_admin;
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::routes::responses::AdminRefusals;
use crate::services::api_keys;
use crate::state::AppState;

/// Revoke an API key
///
/// The key stops working at once; it stays listed, marked revoked. Admins only.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "delete_api_key",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The key's id.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6f")),
    responses(
        (status = 204, description = "Revoked."),
        AdminRefusals,
    )
)]
#[delete("/api-keys/{id}")]
pub async fn delete_api_key(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    require_admin(caller)?;
    let id = uuid::Uuid::try_parse(&id).map_err(|_| AppError::bad_parameter("id", "not a UUID"))?;
    if !api_keys::revoke(&state.db, id).await? {
        return Err(AppError::not_found(format!("no live API key {id}")));
    }
    Ok(HttpResponse::NoContent().finish())
}
