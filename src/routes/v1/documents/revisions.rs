//! The history of a document: every version listed, read and diffed (RFC
//! 6902), and an old one restored as a new revision. History is for
//! authenticated readers; an author's, of their own documents only.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::input::{ContentInput, prepare};
use super::params::{RevisionListParams, RevisionPath};
use super::target::{Lookup, change, if_match, target, written};
use crate::auth::{Actor, policy};
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::pagination;
use crate::services::documents::{ContentType, Entry};
use crate::services::workflow;
use crate::state::AppState;

/// One revision as listed or fetched.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    #[schema(example = 3)]
    pub version: i32,
    /// `create`, `update`, `publish`, `schedule`, `unpublish`, `archive`,
    /// `delete`, `restore` or `revert`.
    #[schema(example = "update")]
    pub action: String,
    /// `user`, `api_key` or `system`.
    #[schema(example = "user")]
    pub actor_kind: String,
    #[schema(example = "editor@example.org")]
    pub actor_name: String,
    #[schema(example = "Fix the date of the meeting")]
    pub message: Option<String>,
    #[schema(example = "2026-11-24T10:00:00Z")]
    pub created_at: DateTime<Utc>,
    /// The document as of this version (only when one revision is fetched).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub document: Option<Value>,
}

impl Revision {
    fn of(model: &entity::revision::Model, with_document: bool) -> Self {
        Self {
            version: model.version,
            action: model.action.clone(),
            actor_kind: model.actor_kind.clone(),
            actor_name: model.actor_name.clone(),
            message: model.message.clone(),
            created_at: model.created_at,
            document: with_document.then(|| model.snapshot["document"].clone()),
        }
    }
}

/// A page of revisions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    pub data: Vec<Revision>,
    /// Pass as `cursor` for older revisions; `null` on the last page.
    #[schema(example = "12")]
    pub next_cursor: Option<String>,
}

/// The document `key` names, for `actor` to read the history of.
async fn documented<T: ContentType>(
    state: &AppState,
    actor: &Actor,
    key: &str,
) -> Result<Entry<T::Detail>, AppError> {
    let entry = target::<T>(state, actor, key, Lookup::Live).await?;
    policy::may_read_history(actor, &entry.document)?;
    Ok(entry)
}

/// Version `version` of the document `key` names (`field` says which
/// parameter named the version).
async fn revision_of<T: ContentType>(
    state: &AppState,
    actor: &Actor,
    key: &str,
    version: i32,
    field: &str,
) -> Result<(Entry<T::Detail>, entity::revision::Model), AppError> {
    let entry = documented::<T>(state, actor, key).await?;
    let revision = workflow::revision(&state.db, entry.document.id, version)
        .await?
        .ok_or_else(|| AppError::not_found(format!("{key} has no revision {version} ({field})")))?;
    Ok((entry, revision))
}

fn private() -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "private, no-store"));
    response
}

/// `GET …/{id}/revisions`.
pub async fn list<T: ContentType>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    key: &str,
    params: &RevisionListParams,
) -> Result<HttpResponse, AppError> {
    let actor = policy::unpublished_reader(caller.0, "revisions")?;
    let entry = documented::<T>(state, &actor, key).await?;
    let (limit, cursor) = (pagination::limit(params.limit)?, params.cursor.as_deref());
    let malformed =
        || AppError::bad_parameter("cursor", "malformed cursor; pass back a next_cursor unchanged");
    let before = cursor.map(|c| c.parse::<i32>().map_err(|_| malformed())).transpose()?;
    let (rows, more) = workflow::revisions(&state.db, entry.document.id, before, limit).await?;
    let next_cursor = if more { rows.last().map(|r| r.version.to_string()) } else { None };
    let mut response = private();
    if let Some(next) = &next_cursor {
        response.insert_header((header::LINK, pagination::next_link(request, next)));
    }
    Ok(response
        .json(RevisionList { data: rows.iter().map(|r| Revision::of(r, false)).collect(), next_cursor }))
}

/// `GET …/{id}/revisions/{n}`.
pub async fn get<T: ContentType>(
    state: &AppState,
    caller: Caller,
    at: &RevisionPath,
) -> Result<HttpResponse, AppError> {
    let actor = policy::unpublished_reader(caller.0, "revisions")?;
    let (_, revision) = revision_of::<T>(state, &actor, &at.id_or_slug, at.version, "version").await?;
    Ok(private().json(Revision::of(&revision, true)))
}

/// `GET …/{id}/revisions/{n}/diff?against={m}`: the JSON Patch that turns
/// version m into version n.
pub async fn diff<T: ContentType>(
    state: &AppState,
    caller: Caller,
    at: &RevisionPath,
    against: i32,
) -> Result<HttpResponse, AppError> {
    let actor = policy::unpublished_reader(caller.0, "revisions")?;
    let key = &at.id_or_slug;
    let (_, to) = revision_of::<T>(state, &actor, key, at.version, "version").await?;
    let (_, from) = revision_of::<T>(state, &actor, key, against, "against").await?;
    let patch = json_patch::diff(&from.snapshot["document"], &to.snapshot["document"]);
    Ok(private().insert_header((header::CONTENT_TYPE, "application/json-patch+json")).json(patch))
}

/// `POST …/{id}/revisions/{n}/restore`: a new revision whose content is
/// that of version n.
pub async fn restore<I: ContentInput>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    at: &RevisionPath,
) -> Result<HttpResponse, AppError> {
    let actor = policy::authenticated(caller.0)?;
    let version = at.version;
    let (entry, revision) = revision_of::<I::Type>(state, &actor, &at.id_or_slug, version, "version").await?;
    policy::may_edit(&actor, &entry.document)?;
    let expected = if_match(request, &entry.document)?;
    let input: I = serde_json::from_value(revision.snapshot["input"].clone())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("revision {version} input: {e}")))?;
    let mut change = change(state, &actor, request).await?;
    change.message.get_or_insert_with(|| format!("restored from version {version}"));
    let (id, draft) = (entry.document.id, prepare(state, entry.document.id, &input).await?);
    let updated =
        workflow::update::<I::Type>(&state.db, id, expected, draft, "revert", &change, &state.renderers)
            .await?;
    Ok(written::<I>(StatusCode::OK, &updated))
}
