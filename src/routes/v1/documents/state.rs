//! The publication workflow of a document: publish now or later,
//! unpublish, archive, soft-delete and restore, and purge for good.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};

use super::input::ContentInput;
use super::target::{Lookup, Published, change, etag, if_match, target, written};
use crate::auth::policy;
use crate::domain::placeholders;
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::services::documents::ContentType;
use crate::services::workflow::{self, Transition};
use crate::state::AppState;

/// `POST …/publish`, now or at `publish_at`; the answer lists placeholder
/// copy left in the text, as non-blocking warnings.
pub async fn publish<I: ContentInput>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    key: &str,
    publish_at: Option<DateTime<Utc>>,
) -> Result<HttpResponse, AppError> {
    let actor = policy::authenticated(caller.0)?;
    policy::may_change_state(&actor)?;
    let entry = target::<I::Type>(state, &actor, key, Lookup::Live).await?;
    let expected = if_match(request, &entry.document)?;
    let transition = match publish_at {
        Some(at) if at > Utc::now() => Transition::Schedule(at),
        _ => Transition::Publish,
    };
    let warnings = placeholders::warnings(&I::from_entry(&entry).text());
    let (id, change) = (entry.document.id, change(state, &actor, request).await?);
    let entry =
        workflow::transition::<I::Type>(&state.db, id, expected, transition, &change, &state.renderers)
            .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(&entry.document)))
        .insert_header(("Cache-Control", "private, no-store"))
        .json(Published { document: I::Dto::from(&entry), warnings }))
}

/// `POST …/unpublish`, `…/archive`, `…/restore` and `DELETE …` (soft).
pub async fn change_state<I: ContentInput>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    key: &str,
    transition: Transition,
) -> Result<HttpResponse, AppError> {
    let actor = policy::authenticated(caller.0)?;
    let lookup = if transition == Transition::Restore { Lookup::Deleted } else { Lookup::Live };
    let entry = target::<I::Type>(state, &actor, key, lookup).await?;
    match transition {
        Transition::Delete | Transition::Restore => policy::may_edit(&actor, &entry.document)?,
        _ => policy::may_change_state(&actor)?,
    }
    let expected = if_match(request, &entry.document)?;
    let (id, change) = (entry.document.id, change(state, &actor, request).await?);
    let entry =
        workflow::transition::<I::Type>(&state.db, id, expected, transition, &change, &state.renderers)
            .await?;
    Ok(written::<I>(StatusCode::OK, &entry))
}

/// `DELETE …?purge=true`: gone for good, revisions included. Admins only.
pub async fn purge<T: ContentType>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    key: &str,
) -> Result<HttpResponse, AppError> {
    let actor = policy::authenticated(caller.0)?;
    policy::may_purge(&actor)?;
    let entry = target::<T>(state, &actor, key, Lookup::Any).await?;
    if_match(request, &entry.document)?;
    workflow::purge(&state.db, entry.document.id, &state.renderers).await?;
    Ok(HttpResponse::NoContent().finish())
}
