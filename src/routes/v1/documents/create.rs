//! `POST /v1/{type}`: a new draft at version 1, with its first revision.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use uuid::Uuid;

use super::input::{ContentInput, prepare};
use super::target::{change, written};
use crate::auth::policy;
use crate::domain::DocumentStatus;
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::services::workflow::Creation;
use crate::state::{AppState, Written};

pub async fn create<I: ContentInput>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    input: I,
) -> Result<HttpResponse, AppError> {
    let actor = policy::authenticated(caller.0)?;
    policy::may_create(&actor)?;
    // Both read the database: at once. Who is writing is checked first.
    let (change, draft) =
        tokio::join!(change(state, &actor, request), prepare(state, Uuid::now_v7(), &input));
    let (change, draft) = (change?, draft?);
    let creation = Creation { draft, created_by: actor.user_id(), change };
    let entry = state.creations.create::<I::Type>(creation).await?;
    let mut response = written::<I>(StatusCode::CREATED, &entry);
    // A new draft changes nothing that anyone without credentials sees.
    if entry.document.status != DocumentStatus::Published.as_str() {
        response.extensions_mut().insert(Written::Drafts);
    }
    Ok(response)
}
