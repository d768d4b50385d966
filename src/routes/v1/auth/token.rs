use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::http::body::Json;

use super::dto::{Credentials, TokenPair};
use crate::error::AppError;
use crate::routes::responses::{
    BadRequest, ServerError, TooManyRequests, Unauthorized, UnprocessableContent,
};
use crate::services::{sessions, users};
use crate::state::AppState;

/// Sign in
///
/// Trades an email and password for a short-lived access token (a JWT) and
/// a refresh token. A wrong password and an unknown email get the same
/// answer in the same time. Attempts are limited per client address and
/// per account; over the limit the answer is 429 with `Retry-After`.
#[utoipa::path(
    tag = "auth",
    operation_id = "create_token",
    request_body(content = Credentials, description = "At most 4 KiB."),
    responses(
        (status = 200, description = "Signed in.", body = TokenPair),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = UnprocessableContent),
        (status = 429, response = TooManyRequests),
        (status = 500, response = ServerError),
    )
)]
#[post("/auth/token")]
pub async fn create_token(
    request: HttpRequest,
    state: web::Data<AppState>,
    body: Json<Credentials>,
) -> Result<HttpResponse, AppError> {
    body.check()?;
    let address = request.peer_addr().map_or([127, 0, 0, 1].into(), |a| a.ip());
    state
        .login_limiter
        .check(address, &body.email)
        .map_err(|wait| AppError::TooManyRequests { retry_after_seconds: wait.as_secs().max(1) })?;
    let user = users::by_email(&state.db, &body.email).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let matches = state.passwords.verify(body.password.clone(), hash).await.map_err(anyhow::Error::from)?;
    let user = match user {
        Some(user) if matches => user,
        _ => return Err(AppError::Unauthorized("the email or the password is wrong".into())),
    };
    let pair = issue_pair(&state, &user, None).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(pair))
}

/// A new access token for `user`, with the refresh token of its sign-in:
/// `refresh` (a token and its family, just rotated), or a new sign-in.
pub(super) async fn issue_pair(
    state: &AppState,
    user: &entity::user::Model,
    refresh: Option<(String, uuid::Uuid)>,
) -> Result<TokenPair, AppError> {
    let role = user.role.parse().map_err(|e| AppError::Internal(anyhow::anyhow!("stored role: {e}")))?;
    let (refresh_token, session) = match refresh {
        Some(refresh) => refresh,
        None => {
            sessions::issue(&state.db, user.id, None, state.settings.auth.refresh_token_ttl_seconds).await?
        }
    };
    let access_token = state.jwt.issue(user.id, role, session).map_err(anyhow::Error::from)?;
    Ok(TokenPair { access_token, token_type: "Bearer", expires_in: state.jwt.ttl_seconds(), refresh_token })
}
