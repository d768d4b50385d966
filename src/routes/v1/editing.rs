//! Writing documents over HTTP, for every content type alike: request
//! validation into domain values, `If-Match`, permissions, revision
//! messages, and the responses. Each type supplies its request body (a
//! [`ContentInput`]) and its response DTO; the handlers in each type's
//! `writes` module are one-line calls into these functions.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::auth::Actor;
use crate::domain::{DocumentStatus, Locale, LocalePreference, Slug, Visibility, placeholders, text};
use crate::error::{AppError, FieldError};
use crate::http::body::Body;
use crate::http::caller::Caller;
use crate::http::preconditions;
use crate::services::documents::{self, ContentType, Entry};
use crate::services::render::Rendered;
use crate::services::workflow::{self, Change, Draft, Transition};
use crate::services::writes::{NewContent, NewDocument, NewTag};
use crate::services::{people, tags};
use crate::state::AppState;

/// Most tags, related documents or credits one document may have.
pub const MAX_LINKS: usize = 50;
/// Longest title, in characters.
pub const MAX_TITLE: usize = 300;

/// The fields every document's request body has.
pub struct CommonInput<'a> {
    pub slug: &'a str,
    pub locale: Option<&'a str>,
    pub title: &'a str,
    pub tags: &'a [String],
    pub related: &'a [Uuid],
    pub translation_of: Option<Uuid>,
}

/// A content type's request body: the writable fields of a document.
pub trait ContentInput: DeserializeOwned + Serialize + Clone + Send + Sized + 'static {
    type Type: Rendered;

    fn common(&self) -> CommonInput<'_>;

    /// Every person the body credits: `(field, person slug)`.
    fn credited(&self) -> Vec<(String, String)>;

    /// The type's own content as domain values, people resolved through
    /// `people`; each invalid field is added to `errors`. CPU-bound (it
    /// renders Markdown): called off the async workers.
    fn content(&self, people: &HashMap<String, Uuid>, errors: &mut Vec<FieldError>) -> Option<NewContent>;

    /// The body that would recreate `entry`: what merge patches apply to.
    fn from_entry(entry: &Entry<<Self::Type as ContentType>::Detail>) -> Self;

    /// Everything a reader sees, for the placeholder check.
    fn text(&self) -> String;
}

/// The strong ETag of a document's current version.
pub fn etag(document: &entity::document::Model) -> String {
    preconditions::version_etag(document.id, document.version)
}

/// The version `If-Match` names for `document`.
fn check_if_match(request: &HttpRequest, document: &entity::document::Model) -> Result<i32, AppError> {
    preconditions::if_match(request, document.id, document.version, "document")
}

/// The optional `X-Revision-Message`.
fn revision_message(request: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = request.headers().get("x-revision-message") else { return Ok(None) };
    let text = value.to_str().map_err(|_| {
        AppError::bad_parameter("X-Revision-Message", "must be visible ASCII; percent-encode other text")
    })?;
    if text.chars().count() > 500 {
        return Err(AppError::bad_parameter("X-Revision-Message", "at most 500 characters"));
    }
    Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty()))
}

async fn change_of(state: &AppState, actor: &Actor, request: &HttpRequest) -> Result<Change, AppError> {
    let name = match actor {
        Actor::User { id, .. } => crate::services::users::by_id(&state.db, *id)
            .await?
            .map(|u| u.email)
            .ok_or_else(|| AppError::Unauthorized("this account no longer exists".into()))?,
        Actor::ApiKey { name, .. } => name.clone(),
    };
    Ok(Change {
        actor_kind: actor.kind(),
        actor_id: Some(actor.id()),
        actor_name: name,
        message: revision_message(request)?,
    })
}

/// Validates `input` into a draft for document `id` (new or existing).
async fn prepare<I: ContentInput>(state: &AppState, id: Uuid, input: &I) -> Result<Draft, AppError> {
    let common = input.common();
    let mut errors = Vec::new();
    let mut check = |field: &str, result: Result<(), String>| {
        if let Err(message) = result {
            errors.push(FieldError::new(field, message));
        }
    };
    let slug = Slug::parse(common.slug);
    check("slug", slug.as_ref().map(|_| ()).map_err(|e| e.to_string()));
    let locale = match common.locale {
        Some(value) => Locale::parse(value),
        None => Ok(state.settings.default_locale.clone()),
    };
    check("locale", locale.as_ref().map(|_| ()).map_err(|e| e.to_string()));
    let title = text::required_line(common.title, MAX_TITLE);
    check("title", title.as_ref().map(|_| ()).map_err(|e| e.to_string()));
    check("tags", if common.tags.len() > MAX_LINKS { Err(format!("at most {MAX_LINKS}")) } else { Ok(()) });
    check(
        "related",
        if common.related.len() > MAX_LINKS { Err(format!("at most {MAX_LINKS}")) } else { Ok(()) },
    );
    let mut tag_slugs = Vec::new();
    for (i, tag) in common.tags.iter().enumerate() {
        match Slug::parse(tag) {
            Ok(slug) if !tag_slugs.contains(&slug) => tag_slugs.push(slug),
            Ok(_) => {}
            Err(e) => errors.push(FieldError::new(format!("tags[{i}]"), e.to_string())),
        }
    }

    let mut referenced: Vec<Uuid> = common.related.to_vec();
    referenced.extend(common.translation_of);
    let existing = documents::existing(&state.db, &referenced).await?;
    for (i, related) in common.related.iter().enumerate() {
        if *related == id {
            errors.push(FieldError::new(format!("related[{i}]"), "a document cannot be related to itself"));
        } else if !existing.contains_key(related) {
            errors.push(FieldError::new(format!("related[{i}]"), format!("no document {related}")));
        }
    }
    let kind = <I::Type as ContentType>::KIND;
    let translation_group = match common.translation_of {
        None => None,
        Some(other) => match existing.get(&other) {
            Some(original) if original.kind == kind.as_str() && original.id != id => {
                Some(original.translation_group)
            }
            Some(_) => {
                errors.push(FieldError::new("translation_of", format!("must be another {kind}")));
                None
            }
            None => {
                errors.push(FieldError::new("translation_of", format!("no document {other}")));
                None
            }
        },
    };

    let credited = input.credited();
    let mut slugs: Vec<String> = Vec::new();
    for (field, slug) in &credited {
        match Slug::parse(slug) {
            Ok(_) => slugs.push(slug.clone()),
            Err(e) => errors.push(FieldError::new(field.clone(), e.to_string())),
        }
    }
    let people = people::ids_by_slugs(&state.db, &slugs).await?;
    for (field, slug) in &credited {
        if slugs.contains(slug) && !people.contains_key(slug) {
            errors.push(FieldError::new(field.clone(), format!("no person `{slug}`")));
        }
    }
    // Checking and rendering the type's own fields is CPU work (Markdown):
    // off the async workers, and before any transaction begins.
    let owned = input.clone();
    let (content, content_errors) = crate::blocking::run(move || {
        let mut errors = Vec::new();
        let content = owned.content(&people, &mut errors);
        (content, errors)
    })
    .await?;
    errors.extend(content_errors);

    let known_tags =
        tags::ids_by_slugs(&state.db, &tag_slugs.iter().map(|s| s.to_string()).collect::<Vec<_>>()).await?;
    let (Ok(slug), Ok(locale), Ok(title), Some(content), true) =
        (slug, locale, title, content, errors.is_empty())
    else {
        return Err(AppError::invalid_fields(errors));
    };
    let now = Utc::now();
    let mut new_tags = Vec::new();
    let mut tag_ids = Vec::new();
    for tag in tag_slugs {
        match known_tags.get(tag.as_str()) {
            Some(id) => tag_ids.push(*id),
            None => {
                let id = Uuid::now_v7();
                tag_ids.push(id);
                new_tags.push(NewTag { id, name: tag.to_string(), slug: tag, created_at: now });
            }
        }
    }
    let mut related = Vec::new();
    for id in common.related {
        if !related.contains(id) {
            related.push(*id);
        }
    }
    Ok(Draft {
        document: NewDocument {
            id,
            slug,
            locale,
            title,
            status: DocumentStatus::Draft,
            published_at: None,
            created_at: now,
            translation_of: translation_group,
            tags: tag_ids,
            related,
        },
        new_tags,
        content,
    })
}

/// The revision snapshot: the document as the API shows it, and the body
/// that recreates it.
pub fn snapshot<I, Dto>(entry: &Entry<<I::Type as ContentType>::Detail>) -> Value
where
    I: ContentInput,
    Dto: for<'a> From<&'a Entry<<I::Type as ContentType>::Detail>> + Serialize,
{
    json!({ "document": Dto::from(entry), "input": I::from_entry(entry) })
}

fn document_response<D, Dto>(
    status: actix_web::http::StatusCode,
    entry: &Entry<D>,
    kind: &str,
) -> HttpResponse
where
    Dto: for<'a> From<&'a Entry<D>> + Serialize,
{
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::ETAG, etag(&entry.document)))
        .insert_header(("Cache-Control", "private, no-store"));
    if status == actix_web::http::StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/v1/{kind}/{}", entry.document.id)));
    }
    response.json(Dto::from(entry))
}

/// Which documents a write may address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lookup {
    /// Not deleted.
    Live,
    /// Soft-deleted only (to restore them).
    Deleted,
    /// Either (to purge them).
    Any,
}

/// The document `id_or_slug` names, for `actor` to change or to read the
/// history of: live documents as the actor sees them (an author, only
/// their own drafts besides what is public), deleted ones to restore.
async fn target<T: ContentType>(
    state: &AppState,
    actor: &Actor,
    id_or_slug: &str,
    lookup: Lookup,
) -> Result<Entry<T::Detail>, AppError> {
    let key = super::document::id_or_slug(id_or_slug)?;
    let visibility = if lookup == Lookup::Live { actor.visibility() } else { Visibility::All };
    documents::get_entry::<T, _>(
        &state.db,
        visibility,
        &key,
        &LocalePreference::default(),
        &state.settings.default_locale,
    )
    .await?
    .filter(|e| lookup != Lookup::Deleted || e.document.deleted_at.is_some())
    .ok_or_else(|| AppError::not_found(format!("no {} `{id_or_slug}`", T::KIND.as_str())))
}

/// May `actor` change `document`? Editors, admins and write keys may change
/// anything; authors only their own drafts.
fn may_edit(actor: &Actor, document: &entity::document::Model) -> Result<(), AppError> {
    if actor.can_edit_any() {
        return Ok(());
    }
    let own_draft = actor.user_id().is_some_and(|me| document.created_by == Some(me))
        && document.status == DocumentStatus::Draft.as_str();
    if own_draft {
        Ok(())
    } else if actor.can_create() {
        Err(AppError::Forbidden("authors may change only their own drafts".into()))
    } else {
        Err(AppError::Forbidden("this API key may not change content".into()))
    }
}

/// `POST /v1/{type}`.
pub async fn create<I, Dto>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    input: I,
) -> Result<HttpResponse, AppError>
where
    I: ContentInput,
    Dto: for<'a> From<&'a Entry<<I::Type as ContentType>::Detail>> + Serialize,
{
    let actor = caller.required()?;
    if !actor.can_create() {
        return Err(AppError::Forbidden("this API key may not create content".into()));
    }
    let change = change_of(state, &actor, request).await?;
    let draft = prepare(state, Uuid::now_v7(), &input).await?;
    let entry =
        workflow::create::<I::Type>(&state.db, draft, actor.user_id(), &change, &state.renderers).await?;
    Ok(document_response::<_, Dto>(
        actix_web::http::StatusCode::CREATED,
        &entry,
        <I::Type as ContentType>::KIND.collection(),
    ))
}

/// `PATCH /v1/{type}/{id}` with a JSON Merge Patch (RFC 7396).
pub async fn update<I, Dto>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    id_or_slug: &str,
    patch: Value,
) -> Result<HttpResponse, AppError>
where
    I: ContentInput,
    Dto: for<'a> From<&'a Entry<<I::Type as ContentType>::Detail>> + Serialize,
{
    let actor = caller.required()?;
    let entry = target::<I::Type>(state, &actor, id_or_slug, Lookup::Live).await?;
    may_edit(&actor, &entry.document)?;
    let expected = check_if_match(request, &entry.document)?;
    let input = merged(&I::from_entry(&entry), &patch)?;
    let change = change_of(state, &actor, request).await?;
    let draft = prepare(state, entry.document.id, &input).await?;
    let updated = workflow::update::<I::Type>(
        &state.db,
        entry.document.id,
        expected,
        draft,
        "update",
        &change,
        &state.renderers,
    )
    .await?;
    Ok(document_response::<_, Dto>(actix_web::http::StatusCode::OK, &updated, ""))
}

/// `current` with the JSON Merge Patch (RFC 7396) `patch` applied, read
/// back as a request body: a field the body does not have, or a value of
/// the wrong type, is a 422 naming it.
pub fn merged<I: Serialize + DeserializeOwned>(current: &I, patch: &Value) -> Result<I, AppError> {
    if !patch.is_object() {
        return Err(AppError::invalid_fields(vec![FieldError::new(
            "body",
            "a merge patch is a JSON object",
        )]));
    }
    let mut body = serde_json::to_value(current).map_err(anyhow::Error::from)?;
    json_patch::merge(&mut body, patch);
    serde_json::from_value(body).map_err(|e| {
        let message = e.to_string();
        let field = message.split('`').nth(1).unwrap_or("body").to_owned();
        AppError::invalid_fields(vec![FieldError::new(field, message)])
    })
}

/// A name or title: one line, trimmed, 1 to `max` characters; else an
/// error on `field`.
pub fn checked_name(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    text::required_line(value, max).unwrap_or_else(|e| {
        errors.push(FieldError::new(field, e.to_string()));
        String::new()
    })
}

/// An optional value checked by `check` (see [`crate::domain::text`]);
/// else an error on `field`.
pub fn checked<T>(
    field: &str,
    result: Result<Option<T>, crate::domain::Invalid>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    result.unwrap_or_else(|e| {
        errors.push(FieldError::new(field, e.to_string()));
        None
    })
}

/// A slug; else an error on `field`.
pub fn checked_slug(field: &str, value: &str, errors: &mut Vec<FieldError>) -> Option<Slug> {
    Slug::parse(value).map_err(|e| errors.push(FieldError::new(field, e.to_string()))).ok()
}

/// The result of publishing: the document and any non-blocking warnings.
#[derive(Serialize)]
pub struct Published<D> {
    pub document: D,
    pub warnings: Vec<String>,
}

/// `POST /v1/{type}/{id}/publish`, now or at `publish_at`.
pub async fn publish<I, Dto>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    id_or_slug: &str,
    publish_at: Option<DateTime<Utc>>,
) -> Result<HttpResponse, AppError>
where
    I: ContentInput,
    Dto: for<'a> From<&'a Entry<<I::Type as ContentType>::Detail>> + Serialize,
{
    let actor = caller.required()?;
    if !actor.can_edit_any() {
        return Err(AppError::Forbidden("only editors and admins publish".into()));
    }
    let entry = target::<I::Type>(state, &actor, id_or_slug, Lookup::Live).await?;
    let expected = check_if_match(request, &entry.document)?;
    let transition = match publish_at {
        Some(at) if at > Utc::now() => Transition::Schedule(at),
        _ => Transition::Publish,
    };
    let warnings = placeholders::warnings(&I::from_entry(&entry).text());
    let change = change_of(state, &actor, request).await?;
    let entry = workflow::transition::<I::Type>(
        &state.db,
        entry.document.id,
        expected,
        transition,
        &change,
        &state.renderers,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(&entry.document)))
        .insert_header(("Cache-Control", "private, no-store"))
        .json(Published { document: Dto::from(&entry), warnings }))
}

/// `POST …/unpublish`, `…/archive`, `…/restore` and `DELETE …` (soft).
pub async fn change_state<I, Dto>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    id_or_slug: &str,
    transition: Transition,
) -> Result<HttpResponse, AppError>
where
    I: ContentInput,
    Dto: for<'a> From<&'a Entry<<I::Type as ContentType>::Detail>> + Serialize,
{
    let actor = caller.required()?;
    let lookup = if transition == Transition::Restore { Lookup::Deleted } else { Lookup::Live };
    let entry = target::<I::Type>(state, &actor, id_or_slug, lookup).await?;
    match transition {
        Transition::Delete | Transition::Restore => may_edit(&actor, &entry.document)?,
        _ if !actor.can_edit_any() => {
            return Err(AppError::Forbidden("only editors and admins change the publication state".into()));
        }
        _ => {}
    }
    let expected = check_if_match(request, &entry.document)?;
    let change = change_of(state, &actor, request).await?;
    let entry = workflow::transition::<I::Type>(
        &state.db,
        entry.document.id,
        expected,
        transition,
        &change,
        &state.renderers,
    )
    .await?;
    Ok(document_response::<_, Dto>(actix_web::http::StatusCode::OK, &entry, ""))
}

/// `DELETE …?purge=true`: gone for good, revisions included. Admins only.
pub async fn purge<T: ContentType>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    id_or_slug: &str,
) -> Result<HttpResponse, AppError> {
    let actor = caller.required()?;
    if !actor.is_admin() {
        return Err(AppError::Forbidden("only admins purge documents".into()));
    }
    let entry = target::<T>(state, &actor, id_or_slug, Lookup::Any).await?;
    check_if_match(request, &entry.document)?;
    workflow::purge(&state.db, entry.document.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Revisions are for authenticated readers only: the reader, if it may.
fn revision_reader(caller: Caller) -> Result<Actor, AppError> {
    match caller.0 {
        None => Err(AppError::Unauthorized("revisions need credentials".into())),
        Some(actor) if !actor.can_read_unpublished() => {
            Err(AppError::Forbidden("this API key may not read revisions".into()))
        }
        Some(actor) => Ok(actor),
    }
}

/// The history of a document is its writers' and its editors': an author
/// reads the revisions of their own documents only.
fn may_read_history(actor: &Actor, document: &entity::document::Model) -> Result<(), AppError> {
    match actor.visibility() {
        Visibility::Author(me) if document.created_by != Some(me) => {
            Err(AppError::Forbidden("authors read the revisions of their own documents only".into()))
        }
        _ => Ok(()),
    }
}

/// One revision as listed or fetched.
#[derive(Debug, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevisionList {
    pub data: Vec<Revision>,
    /// Pass as `cursor` for older revisions; `null` on the last page.
    #[schema(example = "12")]
    pub next_cursor: Option<String>,
}

/// `GET …/{id}/revisions`.
pub async fn list_revisions<T: ContentType>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    id_or_slug: &str,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let actor = revision_reader(caller)?;
    let entry = target::<T>(state, &actor, id_or_slug, Lookup::Live).await?;
    may_read_history(&actor, &entry.document)?;
    let limit = crate::http::pagination::limit(limit)?;
    let before = cursor
        .map(|c| {
            c.parse::<i32>().map_err(|_| {
                AppError::bad_parameter("cursor", "malformed cursor; pass back a next_cursor unchanged")
            })
        })
        .transpose()?;
    let (rows, more) = workflow::revisions(&state.db, entry.document.id, before, limit).await?;
    let next_cursor = if more { rows.last().map(|r| r.version.to_string()) } else { None };
    let mut response = HttpResponse::Ok();
    response.insert_header(("Cache-Control", "private, no-store"));
    if let Some(next) = &next_cursor {
        response.insert_header((header::LINK, crate::http::pagination::next_link(request, next)));
    }
    Ok(response
        .json(RevisionList { data: rows.iter().map(|r| Revision::of(r, false)).collect(), next_cursor }))
}

async fn revision_of<T: ContentType>(
    state: &AppState,
    actor: &Actor,
    id_or_slug: &str,
    version: i32,
    field: &str,
) -> Result<(Entry<T::Detail>, entity::revision::Model), AppError> {
    let entry = target::<T>(state, actor, id_or_slug, Lookup::Live).await?;
    may_read_history(actor, &entry.document)?;
    let revision = workflow::revision(&state.db, entry.document.id, version)
        .await?
        .ok_or_else(|| AppError::not_found(format!("{} has no revision {version} ({field})", id_or_slug)))?;
    Ok((entry, revision))
}

/// `GET …/{id}/revisions/{n}`.
pub async fn get_revision<T: ContentType>(
    state: &AppState,
    caller: Caller,
    id_or_slug: &str,
    version: i32,
) -> Result<HttpResponse, AppError> {
    let actor = revision_reader(caller)?;
    let (_, revision) = revision_of::<T>(state, &actor, id_or_slug, version, "version").await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-store"))
        .json(Revision::of(&revision, true)))
}

/// `GET …/{id}/revisions/{n}/diff?against={m}`: the JSON Patch that turns
/// version m into version n.
pub async fn diff_revisions<T: ContentType>(
    state: &AppState,
    caller: Caller,
    id_or_slug: &str,
    version: i32,
    against: i32,
) -> Result<HttpResponse, AppError> {
    let actor = revision_reader(caller)?;
    let (_, to) = revision_of::<T>(state, &actor, id_or_slug, version, "version").await?;
    let (_, from) = revision_of::<T>(state, &actor, id_or_slug, against, "against").await?;
    let patch = json_patch::diff(&from.snapshot["document"], &to.snapshot["document"]);
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-store"))
        .insert_header((header::CONTENT_TYPE, "application/json-patch+json"))
        .json(patch))
}

/// `POST …/{id}/revisions/{n}/restore`: a new revision whose content is
/// that of version n.
pub async fn restore_revision<I, Dto>(
    state: &AppState,
    request: &HttpRequest,
    caller: Caller,
    id_or_slug: &str,
    version: i32,
) -> Result<HttpResponse, AppError>
where
    I: ContentInput,
    Dto: for<'a> From<&'a Entry<<I::Type as ContentType>::Detail>> + Serialize,
{
    let actor = caller.required()?;
    let (entry, revision) = revision_of::<I::Type>(state, &actor, id_or_slug, version, "version").await?;
    may_edit(&actor, &entry.document)?;
    let expected = check_if_match(request, &entry.document)?;
    let input: I = serde_json::from_value(revision.snapshot["input"].clone())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("revision {version} input: {e}")))?;
    let change = change_of(state, &actor, request).await?;
    let mut change = change;
    if change.message.is_none() {
        change.message = Some(format!("restored from version {version}"));
    }
    let draft = prepare(state, entry.document.id, &input).await?;
    let updated = workflow::update::<I::Type>(
        &state.db,
        entry.document.id,
        expected,
        draft,
        "revert",
        &change,
        &state.renderers,
    )
    .await?;
    Ok(document_response::<_, Dto>(actix_web::http::StatusCode::OK, &updated, ""))
}

/// The body of `POST …/publish`.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// Publish at this time instead of now: the document is `scheduled`
    /// until then. A time in the past publishes now.
    #[schema(example = "2027-01-01T09:00:00Z")]
    pub publish_at: Option<DateTime<Utc>>,
}

impl Body for PublishRequest {
    const LIMIT: usize = 1024;
}

/// The largest document body accepted, in bytes (768 KiB): room for the
/// largest Markdown ([`crate::domain::markdown::MAX_BYTES`], 512 KiB) with
/// its JSON escapes and the other fields.
pub const DOCUMENT_LIMIT: usize = 768 * 1024;

/// Parameters of `DELETE /v1/{type}/{id}`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// `true`: delete for good, revisions included (admins only). Otherwise
    /// the document is soft-deleted and can be restored.
    #[param(example = false)]
    pub purge: Option<bool>,
}

/// Parameters of `GET …/revisions`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RevisionListParams {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, unchanged.
    #[param(example = "12")]
    pub cursor: Option<String>,
}

/// Parameters of `GET …/revisions/{version}/diff`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffParams {
    /// The version to diff from; the patch turns it into `{version}`.
    #[param(example = 1)]
    pub against: i32,
}

/// Declares, in the calling module, the write and revision operations of one
/// content type: each handler is documented for OpenAPI and calls the shared
/// function of this module that does the work.
macro_rules! document_writes {
    (
        tag = $tag:tt,
        singular = $singular:tt,
        input = $Input:ty,
        dto = $Dto:ty,
        published = $Published:ident,
        paths = [$collection:tt, $item:tt, $publish:tt, $unpublish:tt, $archive:tt, $restore:tt,
                 $revisions:tt, $revision:tt, $diff:tt, $revert:tt $(,)?] $(,)?
    ) => {
        use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

        use crate::http::caller::Caller;
        use crate::error::AppError;
        use crate::http::body::{Json, MergePatch, OptionalJson};
        use crate::http::query::Query;
        use crate::routes::responses::{
            BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, ServerError,
            Unauthorized, UnprocessableContent,
        };
        use crate::routes::v1::editing::{self, DeleteParams, DiffParams, PublishRequest, RevisionListParams};
        use crate::services::workflow::Transition;
        use crate::state::AppState;

        type Kind = <$Input as editing::ContentInput>::Type;

        /// The result of publishing.
        #[derive(utoipa::ToSchema)]
        #[allow(dead_code)]
        pub struct $Published {
            pub document: $Dto,
            /// Non-blocking: placeholder copy found in the text, such as "lorem ipsum".
            pub warnings: Vec<String>,
        }

        pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
            config
                .service(create)
                .service(update)
                .service(remove)
                .service(restore)
                .service(publish)
                .service(unpublish)
                .service(archive)
                .service(list_revisions)
                .service(get_revision)
                .service(diff_revisions)
                .service(restore_revision);
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("create_", $singular),
            summary = concat!("Create a draft ", $singular),
            description = "Validates every field (422 lists each invalid one), creates the document as a draft \
                at version 1 and records revision 1. Authors, editors, admins and keys with `content:write`.",
            security(("bearer" = []), ("api_key" = [])),
            params(("X-Revision-Message" = Option<String>, Header, description = "Why, recorded with the revision (≤ 500 characters).", example = "First draft")),
            request_body(content = $Input, description = "At most 768 KiB of JSON; the Markdown in it at most 512 KiB."),
            responses(
                (status = 201, description = "Created.", body = $Dto,
                    headers(("ETag" = String, description = "Send as If-Match to change it."), ("Location" = String, description = "The new document."))),
                (status = 400, response = BadRequest),
                (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden),
                (status = 409, response = Conflict),
                (status = 422, response = UnprocessableContent),
                (status = 500, response = ServerError),
            )
        )]
        #[post($collection)]
        pub async fn create(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            body: Json<$Input>,
        ) -> Result<HttpResponse, AppError> {
            editing::create::<$Input, $Dto>(&state, &request, caller, body.into_inner()).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("update_", $singular),
            summary = concat!("Change a ", $singular),
            description = "Applies a JSON Merge Patch (RFC 7396) to the document's writable fields (the shape of \
                the create body) and records a revision. `If-Match` with the current ETag is required: 428 without \
                it, 412 when the document changed meanwhile. Authors may change only their own drafts.",
            security(("bearer" = []), ("api_key" = [])),
            params(
                ("id_or_slug" = String, Path, description = "The document's id or slug.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b"),
                ("If-Match" = String, Header, description = "The ETag of the version being changed.", example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6b-v1\""),
                ("X-Revision-Message" = Option<String>, Header, description = "Why, recorded with the revision.", example = "Fix a typo"),
            ),
            request_body(content = $Input, content_type = "application/merge-patch+json",
                description = "Any subset of the writable fields; `null` removes an optional one. At most 768 KiB."),
            responses(
                (status = 200, description = "Changed.", body = $Dto, headers(("ETag" = String, description = "The new version's ETag."))),
                (status = 400, response = BadRequest),
                (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 409, response = Conflict),
                (status = 412, response = PreconditionFailed),
                (status = 422, response = UnprocessableContent),
                (status = 428, response = PreconditionRequired),
                (status = 500, response = ServerError),
            )
        )]
        #[patch($item)]
        pub async fn update(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            id_or_slug: web::Path<String>,
            patch: MergePatch<$Input>,
        ) -> Result<HttpResponse, AppError> {
            editing::update::<$Input, $Dto>(&state, &request, caller, &id_or_slug, patch.patch).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("delete_", $singular),
            summary = concat!("Delete a ", $singular),
            description = "Soft delete: the document leaves every public and authenticated surface and can be \
                restored with `…/restore`. With `purge=true` (admins only) it is deleted for good, revisions \
                included. `If-Match` is required.",
            security(("bearer" = []), ("api_key" = [])),
            params(
                ("id_or_slug" = String, Path, description = "The document's id or slug.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b"),
                ("If-Match" = String, Header, description = "The ETag of the current version.", example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6b-v1\""),
                DeleteParams,
            ),
            responses(
                (status = 200, description = "Soft-deleted.", body = $Dto),
                (status = 204, description = "Purged."),
                (status = 400, response = BadRequest),
                (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 412, response = PreconditionFailed),
                (status = 428, response = PreconditionRequired),
                (status = 500, response = ServerError),
            )
        )]
        #[delete($item)]
        pub async fn remove(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            id_or_slug: web::Path<String>,
            Query(params): Query<DeleteParams>,
        ) -> Result<HttpResponse, AppError> {
            if params.purge == Some(true) {
                return editing::purge::<Kind>(&state, &request, caller, &id_or_slug).await;
            }
            editing::change_state::<$Input, $Dto>(&state, &request, caller, &id_or_slug, Transition::Delete).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("restore_", $singular),
            summary = concat!("Restore a deleted ", $singular),
            description = "Undoes a soft delete. `If-Match` is required.",
            security(("bearer" = []), ("api_key" = [])),
            params(
                ("id_or_slug" = String, Path, description = "The document's id or slug.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b"),
                ("If-Match" = String, Header, description = "The ETag of the current version.", example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6b-v2\""),
            ),
            responses(
                (status = 200, description = "Restored.", body = $Dto),
                (status = 400, response = BadRequest),
                (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 412, response = PreconditionFailed),
                (status = 428, response = PreconditionRequired),
                (status = 500, response = ServerError),
            )
        )]
        #[post($restore)]
        pub async fn restore(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            id_or_slug: web::Path<String>,
        ) -> Result<HttpResponse, AppError> {
            editing::change_state::<$Input, $Dto>(&state, &request, caller, &id_or_slug, Transition::Restore).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("publish_", $singular),
            summary = concat!("Publish a ", $singular),
            description = "Publishes now, or at `publish_at` (the document is `scheduled` until the scheduler \
                publishes it, within seconds of that time). Answers with non-blocking `warnings` when the text \
                contains placeholder copy. Editors, admins and keys with `content:write`. `If-Match` is required.",
            security(("bearer" = []), ("api_key" = [])),
            params(
                ("id_or_slug" = String, Path, description = "The document's id or slug.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b"),
                ("If-Match" = String, Header, description = "The ETag of the current version.", example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6b-v1\""),
                ("X-Revision-Message" = Option<String>, Header, description = "Why, recorded with the revision.", example = "Ready"),
            ),
            request_body(content = Option<PublishRequest>, description = "Optional: when to publish. At most 1 KiB."),
            responses(
                (status = 200, description = "Published or scheduled.", body = $Published),
                (status = 400, response = BadRequest),
                (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 412, response = PreconditionFailed),
                (status = 422, response = UnprocessableContent),
                (status = 428, response = PreconditionRequired),
                (status = 500, response = ServerError),
            )
        )]
        #[post($publish)]
        pub async fn publish(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            id_or_slug: web::Path<String>,
            OptionalJson(body): OptionalJson<PublishRequest>,
        ) -> Result<HttpResponse, AppError> {
            let publish_at = body.and_then(|b| b.publish_at);
            editing::publish::<$Input, $Dto>(&state, &request, caller, &id_or_slug, publish_at).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("unpublish_", $singular),
            summary = concat!("Unpublish a ", $singular),
            description = "Back to draft: it leaves every public surface. Editors, admins and keys with \
                `content:write`. `If-Match` is required.",
            security(("bearer" = []), ("api_key" = [])),
            params(
                ("id_or_slug" = String, Path, description = "The document's id or slug.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b"),
                ("If-Match" = String, Header, description = "The ETag of the current version.", example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6b-v2\""),
            ),
            responses(
                (status = 200, description = "Now a draft.", body = $Dto),
                (status = 400, response = BadRequest),
                (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 412, response = PreconditionFailed),
                (status = 428, response = PreconditionRequired),
                (status = 500, response = ServerError),
            )
        )]
        #[post($unpublish)]
        pub async fn unpublish(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            id_or_slug: web::Path<String>,
        ) -> Result<HttpResponse, AppError> {
            editing::change_state::<$Input, $Dto>(&state, &request, caller, &id_or_slug, Transition::Unpublish).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("archive_", $singular),
            summary = concat!("Archive a ", $singular),
            description = "Archived documents leave every public surface but are kept. Editors, admins and keys \
                with `content:write`. `If-Match` is required.",
            security(("bearer" = []), ("api_key" = [])),
            params(
                ("id_or_slug" = String, Path, description = "The document's id or slug.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b"),
                ("If-Match" = String, Header, description = "The ETag of the current version.", example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6b-v2\""),
            ),
            responses(
                (status = 200, description = "Archived.", body = $Dto),
                (status = 400, response = BadRequest),
                (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 412, response = PreconditionFailed),
                (status = 428, response = PreconditionRequired),
                (status = 500, response = ServerError),
            )
        )]
        #[post($archive)]
        pub async fn archive(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            id_or_slug: web::Path<String>,
        ) -> Result<HttpResponse, AppError> {
            editing::change_state::<$Input, $Dto>(&state, &request, caller, &id_or_slug, Transition::Archive).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("list_", $singular, "_revisions"),
            summary = concat!("List the revisions of a ", $singular),
            description = "Every version, newest first, with who made it, when, and why. Authenticated readers only.",
            security(("bearer" = []), ("api_key" = [])),
            params(
                ("id_or_slug" = String, Path, description = "The document's id or slug.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b"),
                RevisionListParams,
            ),
            responses(
                (status = 200, description = "A page of revisions.", body = editing::RevisionList),
                (status = 400, response = BadRequest),
                (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 500, response = ServerError),
            )
        )]
        #[get($revisions)]
        pub async fn list_revisions(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            id_or_slug: web::Path<String>,
            Query(params): Query<RevisionListParams>,
        ) -> Result<HttpResponse, AppError> {
            editing::list_revisions::<Kind>(&state, &request, caller, &id_or_slug, params.limit, params.cursor.as_deref())
                .await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("get_", $singular, "_revision"),
            summary = concat!("Get a revision of a ", $singular),
            description = "The document as it was at that version. Authenticated readers only.",
            security(("bearer" = []), ("api_key" = [])),
            params(
                ("id_or_slug" = String, Path, description = "The document's id or slug.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b"),
                ("version" = i32, Path, description = "The version number.", example = 1),
            ),
            responses(
                (status = 200, description = "The revision.", body = editing::Revision),
                (status = 400, response = BadRequest),
                (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 500, response = ServerError),
            )
        )]
        #[get($revision)]
        pub async fn get_revision(
            state: web::Data<AppState>,
            caller: Caller,
            path: web::Path<(String, i32)>,
        ) -> Result<HttpResponse, AppError> {
            let (id_or_slug, version) = path.into_inner();
            editing::get_revision::<Kind>(&state, caller, &id_or_slug, version).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("diff_", $singular, "_revisions"),
            summary = concat!("Diff two revisions of a ", $singular),
            description = "A JSON Patch (RFC 6902) that turns version `against` into version `{version}`. \
                Authenticated readers only.",
            security(("bearer" = []), ("api_key" = [])),
            params(
                ("id_or_slug" = String, Path, description = "The document's id or slug.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b"),
                ("version" = i32, Path, description = "The version the patch leads to.", example = 2),
                DiffParams,
            ),
            responses(
                (status = 200, description = "The patch.", content_type = "application/json-patch+json", body = Vec<Object>,
                    example = json!([{"op": "replace", "path": "/title", "value": "A better title"}])),
                (status = 400, response = BadRequest),
                (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 500, response = ServerError),
            )
        )]
        #[get($diff)]
        pub async fn diff_revisions(
            state: web::Data<AppState>,
            caller: Caller,
            path: web::Path<(String, i32)>,
            Query(params): Query<DiffParams>,
        ) -> Result<HttpResponse, AppError> {
            let (id_or_slug, version) = path.into_inner();
            editing::diff_revisions::<Kind>(&state, caller, &id_or_slug, version, params.against).await
        }

        #[utoipa::path(
            tag = $tag,
            operation_id = concat!("restore_", $singular, "_revision"),
            summary = concat!("Restore a revision of a ", $singular),
            description = "Writes a new revision whose content equals that version's; the publication state is \
                unchanged. `If-Match` with the current ETag is required.",
            security(("bearer" = []), ("api_key" = [])),
            params(
                ("id_or_slug" = String, Path, description = "The document's id or slug.", example = "0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b"),
                ("version" = i32, Path, description = "The version to bring back.", example = 1),
                ("If-Match" = String, Header, description = "The ETag of the current version.", example = "\"0193a5b07c1e7d2a9f3b1c2d3e4f5a6b-v3\""),
                ("X-Revision-Message" = Option<String>, Header, description = "Why, recorded with the revision.", example = "Back to the first draft"),
            ),
            responses(
                (status = 200, description = "Restored as a new revision.", body = $Dto),
                (status = 400, response = BadRequest),
                (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 409, response = Conflict),
                (status = 412, response = PreconditionFailed),
                (status = 422, response = UnprocessableContent),
                (status = 428, response = PreconditionRequired),
                (status = 500, response = ServerError),
            )
        )]
        #[post($revert)]
        pub async fn restore_revision(
            state: web::Data<AppState>,
            request: HttpRequest,
            caller: Caller,
            path: web::Path<(String, i32)>,
        ) -> Result<HttpResponse, AppError> {
            let (id_or_slug, version) = path.into_inner();
            editing::restore_revision::<$Input, $Dto>(&state, &request, caller, &id_or_slug, version).await
        }
    };
}
pub(crate) use document_writes;
