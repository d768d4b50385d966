//! The change log. Every write that can alter how a document renders adds
//! a row for that document, in the same transaction: the document itself,
//! and the documents that show its title or visibility (those related to it
//! either way, and its translations), or its people and tags (whose
//! services call [`record_exactly`] with the documents using them). Rows are
//! numbered in commit order (writers take the log's lock), so a reader that
//! has seen row `n` has seen every change committed before it.
//!
//! Sync reads the log as "which documents changed since `n`" and sends each
//! one's current state: applying that on top of the state at `n` yields the
//! current state, however many times a document changed in between.

use std::collections::HashSet;

use chrono::Utc;
use entity::{change, document, document_relation};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use super::pages::dedup;
use crate::domain::DocumentStatus;

/// Takes the log's lock for the rest of the transaction (PostgreSQL; a
/// SQLite write transaction holds the database's lock already), so that
/// sequence numbers are handed out in commit order.
async fn lock<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "LOCK TABLE changes IN EXCLUSIVE MODE",
        ))
        .await?;
    }
    Ok(())
}

/// Records that each of `ids` changed, and each document whose rendering
/// shows one of them. Call it inside the write's transaction, after the
/// write (and before a purge deletes the rows it follows).
pub async fn record<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut affected: Vec<Uuid> = ids.to_vec();
    let relations = document_relation::Entity::find()
        .filter(
            Condition::any()
                .add(document_relation::Column::DocumentId.is_in(ids.iter().copied()))
                .add(document_relation::Column::RelatedId.is_in(ids.iter().copied())),
        )
        .all(db)
        .await?;
    affected.extend(relations.iter().flat_map(|r| [r.document_id, r.related_id]));
    let groups: Vec<Uuid> = document::Entity::find()
        .select_only()
        .column(document::Column::TranslationGroup)
        .filter(document::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let translations: Vec<Uuid> = document::Entity::find()
        .select_only()
        .column(document::Column::Id)
        .filter(document::Column::TranslationGroup.is_in(dedup(groups)))
        .into_tuple()
        .all(db)
        .await?;
    affected.extend(translations);
    record_exactly(db, &dedup(affected)).await
}

/// Records a change of exactly `ids` (a bulk load: nothing else shows them yet).
pub async fn record_exactly<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    lock(db).await?;
    let now = Utc::now();
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(5000) {
        let documents = document::Entity::find()
            .filter(document::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        let found: HashSet<Uuid> = documents.iter().map(|d| d.id).collect();
        for d in documents {
            rows.push(change::ActiveModel {
                document_id: Set(d.id),
                public: Set(d.status == DocumentStatus::Published.as_str() && d.deleted_at.is_none()),
                kind: Set(d.kind),
                created_at: Set(now),
                ..Default::default()
            });
        }
        // Purged already, or never there: what remains is its absence.
        let kinds = change::Entity::find()
            .filter(change::Column::DocumentId.is_in(chunk.iter().copied().filter(|id| !found.contains(id))))
            .all(db)
            .await?;
        for id in chunk.iter().filter(|id| !found.contains(id)) {
            if let Some(previous) = kinds.iter().find(|c| c.document_id == *id) {
                rows.push(change::ActiveModel {
                    document_id: Set(*id),
                    public: Set(false),
                    kind: Set(previous.kind.clone()),
                    created_at: Set(now),
                    ..Default::default()
                });
            }
        }
    }
    for chunk in rows.chunks(4000) {
        change::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    Ok(())
}

/// One document in a page of changes: the latest change of it after the
/// cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub seq: i64,
    pub document_id: Uuid,
    pub kind: String,
    /// Whether the document was ever public, at any point in the log.
    pub ever_public: bool,
}

/// The documents changed after `after`, each once at its latest change,
/// in that order: up to `limit`, and whether there are more.
pub async fn since<C: ConnectionTrait>(
    db: &C,
    after: i64,
    limit: u64,
) -> Result<(Vec<Changed>, bool), DbErr> {
    let latest = Expr::col(change::Column::Seq).max();
    let query = Query::select()
        .column(change::Column::DocumentId)
        .expr_as(latest.clone(), "seq")
        .expr_as(Expr::col(change::Column::Kind).max(), "kind")
        .from(change::Entity)
        .and_where(Expr::col(change::Column::Seq).gt(after))
        .group_by_col(change::Column::DocumentId)
        .order_by_expr(latest, Order::Asc)
        .limit(limit + 1)
        .to_owned();
    let mut page = Vec::new();
    for row in db.query_all(&query).await? {
        page.push((
            row.try_get::<Uuid>("", "document_id")?,
            row.try_get::<i64>("", "seq")?,
            row.try_get::<String>("", "kind")?,
        ));
    }
    let more = page.len() as u64 > limit;
    page.truncate(limit as usize);
    let ids: Vec<Uuid> = page.iter().map(|(id, _, _)| *id).collect();
    let ever_public: HashSet<Uuid> = if ids.is_empty() {
        HashSet::new()
    } else {
        change::Entity::find()
            .select_only()
            .column(change::Column::DocumentId)
            .filter(change::Column::DocumentId.is_in(ids))
            .filter(change::Column::Public.eq(true))
            .distinct()
            .into_tuple::<Uuid>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let changed = page
        .into_iter()
        .map(|(document_id, seq, kind)| Changed {
            seq,
            document_id,
            kind,
            ever_public: ever_public.contains(&document_id),
        })
        .collect();
    Ok((changed, more))
}

/// The newest row's number (0 for an empty log).
pub async fn head<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    let newest: Option<i64> = change::Entity::find()
        .select_only()
        .column(change::Column::Seq)
        .order_by_desc(change::Column::Seq)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(newest.unwrap_or(0))
}
