//! Every change to a document, of any type, goes through here: it is
//! checked against the version the caller last saw, applied in one
//! transaction, and recorded as an immutable revision in that same
//! transaction. Nothing here differs by content type except the rows the
//! type's `ContentType` loads.

use chrono::{DateTime, Utc};
use entity::{document, document_relation, document_tag, revision};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::documents::{ContentType, Entry, Shared};
use super::render::{Rendered, Renderers};
use super::versioned::{self, WriteError, classify};
use super::writes::{Batch, Fresh, Inserted};
use crate::domain::draft::Draft;
use crate::domain::{DocumentStatus, Visibility};

/// Who made a change, and why.
#[derive(Debug, Clone)]
pub struct Change {
    /// `user`, `api_key` or `system`.
    pub actor_kind: &'static str,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub message: Option<String>,
}

impl Change {
    /// The scheduler, publishing what fell due.
    pub fn system(message: &str) -> Self {
        Self::by_system("scheduler", message)
    }

    /// Broadside itself, as `name` (the scheduler, the seed).
    pub fn by_system(name: &str, message: &str) -> Self {
        Self { actor_kind: "system", actor_id: None, actor_name: name.into(), message: Some(message.into()) }
    }
}

/// Writes what a change to `id` leaves behind, in its transaction:
/// everything kept beside the documents (see [`super::projections`];
/// `showed`: documents that showed it before the change), its webhook
/// events (`cancelled`: the change cancelled an event) and its revision.
/// Returns the document as it now is.
async fn record<T: Rendered, C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    showed: &[Uuid],
    action: &str,
    change: &Change,
    cancelled: bool,
    renderers: &Renderers,
) -> Result<Entry<T::Detail>, WriteError> {
    let mut entries = record_all::<T, C>(db, &[(id, change)], showed, action, cancelled, renderers).await?;
    entries.pop().ok_or(WriteError::NotFound)
}

/// [`record`] for documents changed alike by one transaction, each with
/// who changed it; returns them in the order of `changed`.
async fn record_all<T: Rendered, C: ConnectionTrait>(
    db: &C,
    changed: &[(Uuid, &Change)],
    showed: &[Uuid],
    action: &str,
    cancelled: bool,
    renderers: &Renderers,
) -> Result<Vec<Entry<T::Detail>>, WriteError> {
    let ids: Vec<Uuid> = changed.iter().map(|(id, _)| *id).collect();
    super::projections::written_but_rendering(db, &ids, showed, &ids, renderers).await?;
    let entries = super::documents::entries::<T, C>(db, &ids, Visibility::All).await?;
    revise::<T, C>(db, entries, changed, action, cancelled, renderers).await
}

/// The rest of a write, once what is kept beside the documents is written
/// and the documents as they now are (`entries`) are at hand: their
/// renderings, webhook events and revisions.
async fn revise<T: Rendered, C: ConnectionTrait>(
    db: &C,
    mut entries: Vec<Entry<T::Detail>>,
    changed: &[(Uuid, &Change)],
    action: &str,
    cancelled: bool,
    renderers: &Renderers,
) -> Result<Vec<Entry<T::Detail>>, WriteError> {
    let ids: Vec<Uuid> = changed.iter().map(|(id, _)| *id).collect();
    if entries.len() != ids.len() {
        return Err(WriteError::NotFound);
    }
    entries.sort_by_key(|entry| ids.iter().position(|id| *id == entry.document.id));
    let public = super::renderings::store::<T, _>(db, &entries, renderers).await?;
    let revisions = entries.iter().zip(changed).map(|(entry, (_, change))| revision::ActiveModel {
        id: Set(Uuid::now_v7()),
        document_id: Set(entry.document.id),
        version: Set(entry.document.version),
        action: Set(action.to_owned()),
        snapshot: Set(renderers.render::<T>(entry)),
        actor_kind: Set(change.actor_kind.to_owned()),
        actor_id: Set(change.actor_id),
        actor_name: Set(change.actor_name.clone()),
        message: Set(change.message.clone()),
        created_at: Set(entry.document.updated_at),
    });
    super::writes::insert_all(db, revisions.collect()).await?;
    // Last, as it reads (the subscriptions): inserts held back go with it.
    let events: Vec<(&document::Model, Option<&str>)> =
        entries.iter().zip(&public).map(|(entry, public)| (&entry.document, public.as_deref())).collect();
    super::webhooks::documents_changed(db, &events, action, cancelled).await?;
    Ok(entries)
}

/// Records revision 1 of each of `ids`, documents of type `T` written
/// together outside [`create`] (generated content): the revision each
/// would have had, had it been created one by one.
pub async fn record_created<T: Rendered, C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    change: &Change,
    renderers: &Renderers,
) -> Result<(), DbErr> {
    super::projections::written(db, ids, &[], renderers).await?;
    let entries = super::documents::entries::<T, C>(db, ids, Visibility::All).await?;
    let revisions: Vec<revision::ActiveModel> = entries
        .iter()
        .map(|entry| revision::ActiveModel {
            id: Set(Uuid::now_v7()),
            document_id: Set(entry.document.id),
            version: Set(entry.document.version),
            action: Set("create".to_owned()),
            snapshot: Set(renderers.render::<T>(entry)),
            actor_kind: Set(change.actor_kind.to_owned()),
            actor_id: Set(change.actor_id),
            actor_name: Set(change.actor_name.clone()),
            message: Set(change.message.clone()),
            created_at: Set(entry.document.updated_at),
        })
        .collect();
    super::writes::insert_all(db, revisions).await
}

/// A draft to create, by whom and why.
#[derive(Debug, Clone)]
pub struct Creation {
    pub draft: Draft,
    /// The user who creates it, if a user does.
    pub created_by: Option<Uuid>,
    pub change: Change,
}

/// Creates a draft and its first revision.
pub async fn create<T: Rendered>(
    db: &impl crate::database::Writer,
    draft: Draft,
    created_by: Option<Uuid>,
    change: &Change,
    renderers: &Renderers,
) -> Result<Entry<T::Detail>, WriteError> {
    let creation = Creation { draft, created_by, change: change.clone() };
    let mut created = create_all::<T>(db, vec![creation], renderers).await?;
    created.pop().ok_or(WriteError::NotFound)
}

/// Creates drafts, each with its first revision, in one transaction: all
/// of them or (on any error) none. Returns them in the order given.
pub async fn create_all<T: Rendered>(
    db: &impl crate::database::Writer,
    creations: Vec<Creation>,
    renderers: &Renderers,
) -> Result<Vec<Entry<T::Detail>>, WriteError> {
    // The rows are built before the turn to write is taken.
    let mut batch = Batch::default();
    let mut changed = Vec::with_capacity(creations.len());
    for Creation { draft, created_by, change } in creations {
        for tag in draft.new_tags {
            batch.add_tag(tag);
        }
        changed.push((draft.document.id, change));
        batch.add_document(draft.document, draft.content, created_by);
    }
    // Nothing here reads what an insert returns. A held insert's violation
    // (a slug taken) surfaces with a later statement: each error is
    // classified, wherever it surfaces.
    let txn = crate::database::begin_write(db).await?.holding_inserts();
    let written = async {
        let (fresh, rows) = batch.insert_keeping(&txn).await?;
        super::projections::created(&txn, &fresh, renderers).await?;
        let changed: Vec<(Uuid, &Change)> = changed.iter().map(|(id, change)| (*id, change)).collect();
        let entries = if fresh.iter().all(Fresh::unlinked) {
            entries_written::<T, _>(&txn, rows).await?
        } else {
            let ids: Vec<Uuid> = fresh.iter().map(|document| document.id).collect();
            super::documents::entries::<T, _>(&txn, &ids, Visibility::All).await?
        };
        let entries = revise::<T, _>(&txn, entries, &changed, "create", false, renderers).await?;
        txn.commit().await?;
        Ok(entries)
    };
    written.await.map_err(|error| match error {
        WriteError::Database(error) => classify(error),
        other => other,
    })
}

/// The entries of documents just created that link to no other and
/// translate none, from the rows written (`rows`): nothing links to them
/// yet and each is alone in its translation group, so only the tags and
/// people they name are read, in the writer's transaction, as they now
/// are.
async fn entries_written<T: ContentType, C: ConnectionTrait>(
    db: &C,
    mut rows: Inserted,
) -> Result<Vec<Entry<T::Detail>>, DbErr> {
    let (tags, people) = super::documents::tags_and_people(db, &rows.document_tags, rows.people()).await?;
    let mut tags = super::documents::tags_by_document(&rows.document_tags, &tags);
    let mut details = T::written(&mut rows, &people);
    Ok(rows
        .documents
        .into_iter()
        .filter_map(|document| {
            let detail = details.remove(&document.id)?;
            let shared = Shared { tags: tags.remove(&document.id).unwrap_or_default(), ..Shared::default() };
            Some(Entry { document, detail, shared })
        })
        .collect())
}

/// Claims version `expected` of `id` for a change: bumps the version and
/// applies `set`, only if the document is still at `expected` (and deleted
/// or not, as `deleted` says). Concurrent writers with the same `expected`:
/// exactly one succeeds.
async fn claim<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    expected: i32,
    deleted: bool,
    set: impl FnOnce(sea_orm::UpdateMany<document::Entity>) -> sea_orm::UpdateMany<document::Entity>,
) -> Result<(), WriteError> {
    let otherwise =
        if deleted { "the document is not deleted" } else { "the document is deleted; restore it first" };
    let set = |update: sea_orm::UpdateMany<document::Entity>| {
        let update = update.col_expr(document::Column::UpdatedAt, Expr::value(Utc::now()));
        let update = if deleted {
            update.filter(document::Column::DeletedAt.is_not_null())
        } else {
            update.filter(document::Column::DeletedAt.is_null())
        };
        set(update)
    };
    versioned::bump::<document::Entity, C>(db, id, expected, set, otherwise).await
}

/// Removes what a document of type `T` consists of, before it is written
/// anew; returns the documents that showed it, which change too (a
/// rewrite can drop the links that say which they are).
async fn clear_content<T: ContentType, C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    let showed = super::changes::affected(db, &[id]).await?;
    T::clear(db, id).await?;
    document_tag::Entity::delete_many().filter(document_tag::Column::DocumentId.eq(id)).exec(db).await?;
    document_relation::Entity::delete_many()
        .filter(document_relation::Column::DocumentId.eq(id))
        .exec(db)
        .await?;
    Ok(showed)
}

/// Replaces the content of `id` (at version `expected`) with `draft`.
pub async fn update<T: Rendered>(
    db: &DatabaseConnection,
    id: Uuid,
    expected: i32,
    draft: Draft,
    action: &str,
    change: &Change,
    renderers: &Renderers,
) -> Result<Entry<T::Detail>, WriteError> {
    let txn = crate::database::begin_write(db).await?;
    let was_cancelled = T::cancelled(&txn, id).await?;
    let new = &draft.document;
    let group = new.translation_of;
    let (slug, locale, title) = (new.slug.to_string(), new.locale.to_string(), new.title.clone());
    claim(&txn, id, expected, false, |update| {
        let update = update
            .col_expr(document::Column::Slug, Expr::value(slug))
            .col_expr(document::Column::Locale, Expr::value(locale))
            .col_expr(document::Column::Title, Expr::value(title));
        match group {
            Some(group) => update.col_expr(document::Column::TranslationGroup, Expr::value(group)),
            None => update,
        }
    })
    .await?;
    let showed = clear_content::<T, _>(&txn, id).await?;
    let mut batch = Batch::default();
    for tag in draft.new_tags {
        batch.add_tag(tag);
    }
    batch.add_content(id, draft.document, draft.content);
    batch.insert(&txn).await.map_err(classify)?;
    let now_cancelled = !was_cancelled && T::cancelled(&txn, id).await?;
    let entry = record::<T, _>(&txn, id, &showed, action, change, now_cancelled, renderers).await?;
    txn.commit().await?;
    Ok(entry)
}

/// A change of state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Published now.
    Publish,
    /// Published by the scheduler at this time.
    Schedule(DateTime<Utc>),
    /// Back to draft.
    Unpublish,
    Archive,
    /// Soft delete: gone from every surface, restorable.
    Delete,
    /// Undo a soft delete.
    Restore,
}

impl Transition {
    pub fn action(self) -> &'static str {
        match self {
            Self::Publish => "publish",
            Self::Schedule(_) => "schedule",
            Self::Unpublish => "unpublish",
            Self::Archive => "archive",
            Self::Delete => "delete",
            Self::Restore => "restore",
        }
    }
}

/// Applies `transition` to `id` at version `expected`.
pub async fn transition<T: Rendered>(
    db: &impl crate::database::Writer,
    id: Uuid,
    expected: i32,
    transition: Transition,
    change: &Change,
    renderers: &Renderers,
) -> Result<Entry<T::Detail>, WriteError> {
    let txn = crate::database::begin_write(db).await?;
    let now = Utc::now();
    let status = |s: DocumentStatus| Expr::value(s.as_str());
    let none: Option<DateTime<Utc>> = None;
    let deleted = transition == Transition::Restore;
    claim(&txn, id, expected, deleted, |update| match transition {
        Transition::Publish => update
            .col_expr(document::Column::Status, status(DocumentStatus::Published))
            .col_expr(document::Column::PublishedAt, Expr::value(now))
            .col_expr(document::Column::PublishAt, Expr::value(none)),
        Transition::Schedule(at) => update
            .col_expr(document::Column::Status, status(DocumentStatus::Scheduled))
            .col_expr(document::Column::PublishAt, Expr::value(at)),
        Transition::Unpublish => update
            .col_expr(document::Column::Status, status(DocumentStatus::Draft))
            .col_expr(document::Column::PublishAt, Expr::value(none)),
        Transition::Archive => update
            .col_expr(document::Column::Status, status(DocumentStatus::Archived))
            .col_expr(document::Column::PublishAt, Expr::value(none)),
        Transition::Delete => update.col_expr(document::Column::DeletedAt, Expr::value(now)),
        Transition::Restore => update.col_expr(document::Column::DeletedAt, Expr::value(none)),
    })
    .await?;
    let entry = record::<T, _>(&txn, id, &[], transition.action(), change, false, renderers).await?;
    txn.commit().await?;
    Ok(entry)
}

/// Publishes the scheduled documents of type `T` whose time has come,
/// each in its own transaction with its revision and events. Instances
/// sharing the database each take documents no other is publishing
/// (`FOR UPDATE SKIP LOCKED` on PostgreSQL; a SQLite write transaction is
/// exclusive), so each is published once. `published` hears of each as
/// soon as it is committed. A document that fails is logged and left for
/// the next call; the others go ahead.
pub async fn publish_due<T: Rendered>(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    renderers: &Renderers,
    published: &mut (dyn FnMut(Uuid) + Send),
) -> Result<(), WriteError> {
    let due = || {
        document::Entity::find()
            .filter(document::Column::Kind.eq(T::KIND.as_str()))
            .filter(document::Column::Status.eq(DocumentStatus::Scheduled.as_str()))
            .filter(document::Column::PublishAt.lte(now))
            .filter(document::Column::DeletedAt.is_null())
    };
    // Most ticks find nothing: look before taking a write lock.
    if due().count(db).await? == 0 {
        return Ok(());
    }
    // Documents that failed to publish on this tick, left for the next.
    let mut failed: Vec<Uuid> = Vec::new();
    // Bounded, so one tick cannot run forever behind a flood.
    for _ in 0..1000 {
        let txn = crate::database::begin_write(db).await?;
        let next = due()
            .filter(document::Column::Id.is_not_in(failed.iter().copied()))
            .order_by_asc(document::Column::PublishAt)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .one(&txn)
            .await?;
        let Some(due) = next else { break };
        match publish_one::<T>(&txn, &due, now, renderers).await {
            Ok(()) => {
                txn.commit().await?;
                published(due.id);
            }
            Err(error) => {
                tracing::warn!(document = %due.id, %error, "cannot publish a scheduled document; trying again later");
                failed.push(due.id);
            }
        }
    }
    Ok(())
}

async fn publish_one<T: Rendered>(
    txn: &crate::database::WriteTransaction,
    due: &document::Model,
    now: DateTime<Utc>,
    renderers: &Renderers,
) -> Result<(), WriteError> {
    let publish_at = due.publish_at;
    claim(txn, due.id, due.version, false, |update| {
        update
            .col_expr(document::Column::Status, Expr::value(DocumentStatus::Published.as_str()))
            .col_expr(document::Column::PublishedAt, Expr::value(publish_at.unwrap_or(now)))
            .col_expr(document::Column::PublishAt, Expr::value(Option::<DateTime<Utc>>::None))
    })
    .await?;
    let change = Change::system("scheduled publication");
    record::<T, _>(txn, due.id, &[], "publish", &change, false, renderers).await?;
    Ok(())
}

/// Deletes a document and its revisions for good.
pub async fn purge(db: &DatabaseConnection, id: Uuid, renderers: &Renderers) -> Result<bool, DbErr> {
    let txn = crate::database::begin_write(db).await?;
    if let Some(document) = document::Entity::find_by_id(id).one(&txn).await? {
        super::webhooks::document_purged(&txn, &document).await?;
    }
    // The documents that showed it change too: find them while the links
    // that say which they are still exist.
    let showed = super::projections::purging(&txn, id).await?;
    let result = document::Entity::delete_many().filter(document::Column::Id.eq(id)).exec(&txn).await?;
    super::projections::purged(&txn, id, &showed, renderers).await?;
    txn.commit().await?;
    Ok(result.rows_affected == 1)
}

/// The revisions of `id`, newest first, `limit` after version `before`.
pub async fn revisions<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    before: Option<i32>,
    limit: u64,
) -> Result<(Vec<revision::Model>, bool), DbErr> {
    let mut select = revision::Entity::find().filter(revision::Column::DocumentId.eq(id));
    if let Some(before) = before {
        select = select.filter(revision::Column::Version.lt(before));
    }
    let mut rows = select.order_by_desc(revision::Column::Version).limit(limit + 1).all(db).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

pub async fn revision<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    version: i32,
) -> Result<Option<revision::Model>, DbErr> {
    revision::Entity::find()
        .filter(revision::Column::DocumentId.eq(id))
        .filter(revision::Column::Version.eq(version))
        .one(db)
        .await
}

/// How many revisions `id` has.
pub async fn revision_count<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<u64, DbErr> {
    revision::Entity::find().filter(revision::Column::DocumentId.eq(id)).count(db).await
}
