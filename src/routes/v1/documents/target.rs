//! What every document write starts from: the document it addresses (as
//! the caller may see it), the version `If-Match` names, who is writing and
//! why, and the answer it ends with.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::input::{ContentInput, Detail};
use crate::auth::Actor;
use crate::domain::{LocalePreference, Visibility};
use crate::error::AppError;
use crate::http::input::revision_message;
use crate::http::preconditions;
use crate::routes::v1::params::id_or_slug;
use crate::services::documents::{self, ContentType, Entry};
use crate::services::workflow::Change;
use crate::state::AppState;

/// The strong ETag of a document's current version.
pub fn etag(document: &entity::document::Model) -> String {
    preconditions::version_etag(document.id, document.version)
}

/// The version `If-Match` names for `document`.
pub fn if_match(request: &HttpRequest, document: &entity::document::Model) -> Result<i32, AppError> {
    preconditions::if_match(request, document.id, document.version, "document")
}

/// Which documents a write may address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// Not deleted, as the writer sees them (an author, only their own
    /// drafts besides what is public).
    Live,
    /// Soft-deleted only (to restore them).
    Deleted,
    /// Either (to purge them).
    Any,
}

/// The document of type `T` that `key` names, for `actor`.
pub async fn target<T: ContentType>(
    state: &AppState,
    actor: &Actor,
    key: &str,
    lookup: Lookup,
) -> Result<Entry<T::Detail>, AppError> {
    let visibility = if lookup == Lookup::Live { actor.visibility() } else { Visibility::All };
    let preference = LocalePreference::default();
    documents::get_entry::<T, _>(
        &state.db,
        visibility,
        &id_or_slug(key)?,
        &preference,
        &state.settings.default_locale,
    )
    .await?
    .filter(|e| lookup != Lookup::Deleted || e.document.deleted_at.is_some())
    .ok_or_else(|| AppError::not_found(format!("no {} `{key}`", T::KIND.as_str())))
}

/// The revision record a change by `actor` leaves: who, and why (the
/// request's `X-Revision-Message`).
pub async fn change(state: &AppState, actor: &Actor, request: &HttpRequest) -> Result<Change, AppError> {
    let name = match actor {
        Actor::User { id, .. } => crate::services::users::email(&state.db, state.direct.as_ref(), *id)
            .await?
            .ok_or_else(|| AppError::Unauthorized("this account no longer exists".into()))?,
        Actor::ApiKey { name, .. } => name.clone(),
    };
    let message = revision_message(request)?;
    Ok(Change { actor_kind: actor.kind(), actor_id: Some(actor.id()), actor_name: name, message })
}

/// The answer to a write: the document as it now is, never cached, with
/// its new ETag (and where it lives, when it was just created).
pub fn written<I: ContentInput>(status: StatusCode, entry: &Entry<Detail<I>>) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::ETAG, etag(&entry.document)))
        .insert_header(("Cache-Control", "private, no-store"));
    if status == StatusCode::CREATED {
        let collection = <I::Type as ContentType>::KIND.collection();
        response.insert_header((header::LOCATION, format!("/v1/{collection}/{}", entry.document.id)));
    }
    response.json(I::Dto::from(entry))
}

/// The result of publishing: the document and any non-blocking warnings.
#[derive(Serialize)]
pub struct Published<D> {
    pub document: D,
    pub warnings: Vec<String>,
}
