use actix_web::{HttpResponse, post, web};

use super::dto::{RefreshRequest, TokenPair};
use super::token::issue_pair;
use crate::error::AppError;
use crate::http::body::Json;
use crate::routes::responses::{BadRequest, ServerError, Unauthorized, UnprocessableContent};
use crate::services::sessions::{self, SessionError};
use crate::state::AppState;

/// Refresh an access token
///
/// Trades a refresh token for a new access token and a new refresh token;
/// the one presented stops working. Presenting a refresh token that was
/// already traded means it leaked: every token of that sign-in is revoked.
#[utoipa::path(
    tag = "auth",
    operation_id = "refresh_token",
    request_body(content = RefreshRequest, description = "At most 4 KiB."),
    responses(
        (status = 200, description = "A new pair of tokens.", body = TokenPair),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = UnprocessableContent),
        (status = 500, response = ServerError),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh_token(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let ttl = state.settings.auth.refresh_token_ttl_seconds;
    let (user, next, session) = match sessions::rotate(&state.db, &body.refresh_token, ttl).await {
        Ok(rotated) => rotated,
        Err(SessionError::Database(error)) => return Err(error.into()),
        Err(reused @ SessionError::Reused { family }) => {
            // A stolen token came back: its access tokens end now too.
            state.end_session(family);
            return Err(AppError::Unauthorized(reused.to_string()));
        }
        Err(other) => return Err(AppError::Unauthorized(other.to_string())),
    };
    let pair = issue_pair(&state, &user, Some((next, session))).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(pair))
}
