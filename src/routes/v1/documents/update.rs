//! `PATCH /v1/{type}/{id}`: a JSON Merge Patch (RFC 7396) applied to the
//! document's writable fields, and checked as a whole body would be.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

use super::input::{ContentInput, prepare};
use super::target::{Lookup, change, if_match, target, written};
use crate::auth::policy;
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::input::merged;
use crate::services::workflow;
use crate::state::AppState;

pub async fn update<I: ContentInput>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    key: &str,
    patch: Value,
) -> Result<HttpResponse, AppError> {
    let actor = policy::authenticated(caller.0)?;
    let entry = target::<I::Type>(state, &actor, key, Lookup::Live).await?;
    policy::may_edit(&actor, &entry.document)?;
    let expected = if_match(request, &entry.document)?;
    let input = merged(&I::from_entry(&entry), &patch)?;
    let change = change(state, &actor, request).await?;
    let (id, draft) = (entry.document.id, prepare(state, entry.document.id, &input).await?);
    let updated =
        workflow::update::<I::Type>(&state.db, id, expected, draft, "update", &change, &state.renderers)
            .await?;
    Ok(written::<I>(StatusCode::OK, &updated))
}
