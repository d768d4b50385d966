//! `POST /v1/{type}`: a new draft at version 1, with its first revision.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use uuid::Uuid;

use super::input::{ContentInput, prepare};
use super::target::{change, written};
use crate::auth::policy;
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::services::workflow::Creation;
use crate::state::AppState;

pub async fn create<I: ContentInput>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    input: I,
) -> Result<HttpResponse, AppError> {
    let actor = policy::authenticated(caller.0)?;
    policy::may_create(&actor)?;
    let change = change(state, &actor, request).await?;
    let draft = prepare(state, Uuid::now_v7(), &input).await?;
    let creation = Creation { draft, created_by: actor.user_id(), change };
    let entry = state.creations.create::<I::Type>(creation).await?;
    Ok(written::<I>(StatusCode::CREATED, &entry))
}
