//! `/v1/sync`: delta sync for offline-first apps. With no cursor, every
//! visible document; with the cursor of a previous answer, every document
//! that changed since, as it is now (an upsert), or its id when it has left
//! view (a deletion). Applying the answers in order to a local store keeps it
//! equal to what the API shows.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::essays::Essay;
use super::events::Event;
use super::lyrics::Lyrics;
use crate::auth::policy;
use crate::domain::{DocumentKind, IdOrSlug, LocalePreference, Visibility};
use crate::error::AppError;
use crate::http::caller::Caller;
use crate::http::query::Query;
use crate::routes::responses::{BadRequest, Forbidden, ServerError, Unauthorized};
use crate::services::changes;
use crate::services::content::with_content_type;
use crate::services::renderings::Stored;
use crate::services::{documents, renderings};
use crate::state::AppState;

/// Parameters of `GET /v1/sync`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SyncParams {
    /// The `next_cursor` of the previous answer; none for an initial sync.
    #[param(example = "c2VxOjQy")]
    pub cursor: Option<String>,
    /// Changes per answer, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500, example = 100)]
    pub limit: Option<u32>,
    /// `true`: drafts, scheduled and archived documents too (authenticated
    /// callers with `content:read`), for preview apps.
    #[param(example = false)]
    pub preview: Option<bool>,
}

/// What happened to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Store `document`, replacing any earlier copy.
    Upsert,
    /// Remove the document with this id: it is no longer visible.
    Delete,
}

/// A document as `GET /v1/{type}/{id}` renders it.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum SyncDocument {
    Essay(Box<Essay>),
    Lyrics(Box<Lyrics>),
    Event(Box<Event>),
}

/// One change.
#[derive(Debug, Serialize, ToSchema)]
pub struct Change {
    /// Where this change sits in the log: a cursor to resume after it.
    #[schema(example = "c2VxOjQy")]
    pub cursor: String,
    pub op: Operation,
    /// `essay`, `lyrics` or `event`.
    #[serde(rename = "type")]
    #[schema(example = "essay")]
    pub kind: String,
    #[schema(example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b")]
    pub id: Uuid,
    /// The document now; absent on deletions.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<SyncDocument>)]
    pub document: Option<Box<RawValue>>,
}

/// A page of changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncPage {
    /// Oldest first; each document at most once, as it is now.
    pub changes: Vec<Change>,
    /// Send as `cursor` next time: now if `has_more`, later for what changes
    /// meanwhile.
    #[schema(example = "c2VxOjQy")]
    pub next_cursor: String,
    pub has_more: bool,
}

pub fn encode(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("seq:{seq}"))
}

pub fn decode(cursor: &str) -> Result<i64, AppError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("seq:").and_then(|n| n.parse::<i64>().ok()))
        .filter(|seq| *seq >= 0)
        .ok_or_else(|| AppError::bad_parameter("cursor", "not a cursor from /v1/sync"))
}

/// The document `id` of type `kind` as `visibility` shows it, if it does:
/// the rendering its revisions and webhooks carry too.
async fn document(
    state: &AppState,
    kind: &str,
    id: Uuid,
    visibility: Visibility,
) -> Result<Option<Box<RawValue>>, AppError> {
    let Ok(kind) = kind.parse::<DocumentKind>() else { return Ok(None) };
    let (key, preference, locale) =
        (IdOrSlug::Id(id), LocalePreference::default(), &state.settings.default_locale);
    with_content_type!(kind, T => {
        let entry = documents::get_entry::<T, _>(&state.db, visibility, &key, &preference, locale).await?;
        let Some(entry) = entry else { return Ok(None) };
        let json = serde_json::to_string(&state.renderers.render::<T>(&entry)["document"])
            .map_err(anyhow::Error::from)?;
        Ok(Some(RawValue::from_string(json).map_err(anyhow::Error::from)?))
    })
}

/// Sync documents
///
/// Delta sync for offline-first clients. Without `cursor`: every visible
/// document of every type (an initial sync), page by page. With the
/// `next_cursor` of an earlier answer: each document that changed since,
/// once, as it is now (`upsert`), or `delete` when it has left view
/// (unpublished, archived, deleted). A scheduled document appears when it
/// goes live. Renames of people and tags, and changes to related documents
/// and translations, count as changes of every document that shows them.
#[utoipa::path(
    tag = "sync",
    operation_id = "sync",
    security((), ("bearer" = []), ("api_key" = [])),
    params(SyncParams),
    responses(
        (status = 200, description = "A page of changes.", body = SyncPage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 500, response = ServerError),
    )
)]
#[get("/sync")]
pub async fn sync(
    state: web::Data<AppState>,
    caller: Caller,
    Query(params): Query<SyncParams>,
) -> Result<HttpResponse, AppError> {
    let limit = params.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::bad_parameter("limit", "must be between 1 and 500"));
    }
    let after = params.cursor.as_deref().map(decode).transpose()?;
    let visibility = stream_visibility(&caller, params.preview == Some(true))?;
    let (changes, last, has_more) = changes_after(&state, after, limit, visibility).await?;
    Ok(HttpResponse::Ok().json(SyncPage { changes, next_cursor: encode(last), has_more }))
}

/// What a change feed shows: public documents, or with `preview` (and
/// credentials that may read unpublished documents) every one not deleted.
pub fn stream_visibility(caller: &Caller, preview: bool) -> Result<Visibility, AppError> {
    if !preview {
        return Ok(Visibility::Public);
    }
    if caller.actor().is_none() {
        return Err(AppError::Unauthorized("a preview feed needs credentials".into()));
    }
    Ok(policy::unpublished_reader(caller.actor().cloned(), "unpublished documents")?.visibility())
}

/// Up to `limit` changes after `after` (`None`: an initial sync), as
/// `visibility` sees them; the position reached, and whether there is more.
pub async fn changes_after(
    state: &AppState,
    after: Option<i64>,
    limit: u32,
    visibility: Visibility,
) -> Result<(Vec<Change>, i64, bool), AppError> {
    // The public sees what the writes stored; a preview is rendered afresh.
    let (changed, has_more, mut stored) = match visibility {
        Visibility::Public => public_changes(state, after.unwrap_or(0), u64::from(limit)).await?,
        _ => {
            let (changed, has_more) = changes::since(&state.db, after.unwrap_or(0), u64::from(limit)).await?;
            (changed, has_more, HashMap::new())
        }
    };
    let mut page = Vec::with_capacity(changed.len());
    let mut last = after.unwrap_or(0);
    for change in changed {
        last = change.seq;
        // Stored JSON goes out as it is, neither parsed nor written again.
        let document = match stored.remove(&change.document_id) {
            Some(stored) => {
                stored.document.map(RawValue::from_string).transpose().map_err(anyhow::Error::from)?
            }
            None => document(state, &change.kind, change.document_id, visibility).await?,
        };
        let Some(op) = operation(state, &change, document.is_some(), after.is_none(), visibility).await?
        else {
            continue;
        };
        page.push(Change {
            cursor: encode(change.seq),
            op,
            kind: change.kind,
            id: change.document_id,
            document,
        });
    }
    Ok((page, last, has_more))
}

/// Up to `limit` changes after `after`, whether there are more, and the
/// current stored renderings of their documents: on SQLite in one statement
/// on the serving thread, else through the pool.
async fn public_changes(
    state: &AppState,
    after: i64,
    limit: u64,
) -> Result<(Vec<changes::Changed>, bool, HashMap<Uuid, Stored>), AppError> {
    if let Some(direct) = &state.direct {
        match direct.changes(after, limit + 1) {
            Ok(mut rows) => {
                let more = rows.len() as u64 > limit;
                rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
                let mut stored = HashMap::with_capacity(rows.len());
                let mut changed = Vec::with_capacity(rows.len());
                for row in rows {
                    if let Some(document) = row.rendering {
                        stored.insert(row.document_id, Stored { summary: None, document });
                    }
                    let (seq, document_id, kind, ever_public) =
                        (row.seq, row.document_id, row.kind, row.ever_public);
                    changed.push(changes::Changed { seq, document_id, kind, ever_public });
                }
                return Ok((changed, more, stored));
            }
            Err(error) => tracing::warn!(%error, "point read failed; reading through the pool"),
        }
    }
    let (changed, more) = changes::since(&state.db, after, limit).await?;
    let ids: Vec<Uuid> = changed.iter().map(|c| c.document_id).collect();
    Ok((changed, more, renderings::stored(&state.db, &ids).await?))
}

/// What a change means to a reader: the document as it is now, its
/// deletion, or nothing — an initial sync has nothing to delete, nor does a
/// reader who could never have seen the document.
async fn operation(
    state: &AppState,
    change: &changes::Changed,
    visible: bool,
    initial: bool,
    visibility: Visibility,
) -> Result<Option<Operation>, AppError> {
    Ok(match visible {
        true => Some(Operation::Upsert),
        false if initial => None,
        false if !change.ever_public && !may_have_seen(state, visibility, change.document_id).await? => None,
        false => Some(Operation::Delete),
    })
}

/// Whether a reader with `visibility` may have seen the document `id`,
/// never public, that it no longer sees: staff saw every draft; an author
/// only their own; the public none.
async fn may_have_seen(state: &AppState, visibility: Visibility, id: Uuid) -> Result<bool, AppError> {
    Ok(match visibility {
        Visibility::Staff | Visibility::All | Visibility::Deleted => true,
        Visibility::Public => false,
        Visibility::Author(me) => documents::existing_any(&state.db, &[id])
            .await?
            .get(&id)
            .is_some_and(|d| d.created_by == Some(me)),
    })
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config.service(sync);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_forgeries_are_refused() {
        assert_eq!(decode(&encode(42)).ok(), Some(42));
        for bad in ["", "42", "c2VxOi0x", "bm9wZQ", "!!!"] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
