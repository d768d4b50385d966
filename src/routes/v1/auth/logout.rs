use actix_web::{HttpResponse, post, web};

use super::dto::RefreshRequest;
use crate::error::AppError;
use crate::http::body::Json;
use crate::routes::responses::{BadRequest, ServerError, UnprocessableContent};
use crate::services::sessions;
use crate::state::AppState;

/// Sign out
///
/// Ends the sign-in the refresh token belongs to: that token, every token
/// rotated from the same sign-in, and the access tokens issued to it stop
/// working at once. Signing out twice is not an error.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    request_body(content = RefreshRequest, description = "At most 4 KiB."),
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
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    if let Some(session) = sessions::revoke(&state.db, &body.refresh_token).await? {
        state.end_session(session);
    }
    Ok(HttpResponse::NoContent().finish())
}
