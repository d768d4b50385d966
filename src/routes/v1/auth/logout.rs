use actix_web::{HttpResponse, post, web};

use super::dto::RefreshRequest;
use crate::error::AppError;
use crate::routes::responses::{BadRequest, ServerError, UnprocessableContent};
use crate::services::sessions;
use crate::startup::AppState;

/// Sign out
///
/// Revokes the refresh token and every token rotated from the same sign-in.
/// Access tokens already issued stay valid until they expire (minutes).
/// Signing out twice is not an error.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out."),
        (status = 400, response = BadRequest),
        (status = 422, response = UnprocessableContent),
        (status = 500, response = ServerError),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    sessions::revoke(&state.db, &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}
