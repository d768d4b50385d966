use actix_web::{HttpResponse, get, web};

use super::dto::Me;
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::routes::responses::{ServerError, Unauthorized};
use crate::services::users;
use crate::state::AppState;

/// Who am I
///
/// The authenticated caller: a user with their email and role, or an API
/// key with its name and scopes.
#[utoipa::path(
    tag = "auth",
    operation_id = "get_me",
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "The caller.", body = Me),
        (status = 401, response = Unauthorized),
        (status = 500, response = ServerError),
    )
)]
#[get("/auth/me")]
pub async fn get_me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    let actor = caller.required()?;
    let email = match actor.user_id() {
        Some(id) => match users::by_id(&state.db, id).await? {
            Some(user) => Some(user.email),
            None => return Err(AppError::Unauthorized("this account no longer exists".into())),
        },
        None => None,
    };
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "private, no-store")).json(Me::of(&actor, email)))
}
