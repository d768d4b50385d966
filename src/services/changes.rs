//! The change log. Every write that can alter how a document renders moves
//! that document's row to the end of the log, in the same transaction: the
//! document itself, and the documents that show its title or visibility
//! (those related to it either way, and its translations), or its people
//! and tags. Changes are numbered in commit order (writers take the log's
//! lock), so a reader that has seen change `n` has seen every change
//! committed before it.
//!
//! Sync reads the log as "which documents changed since `n`" and sends each
//! one's current state: applying that on top of the state at `n` yields the
//! current state, however many times a document changed in between.

use std::collections::{HashMap, HashSet};

use entity::{change_log, document, document_relation};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use super::documents;
use super::pages::dedup;
use super::writes::Fresh;
use crate::domain::DocumentStatus;

/// Takes the log's lock for the rest of the transaction (PostgreSQL; a
/// SQLite write transaction holds the database's lock already), so that
/// sequence numbers are handed out in commit order.
pub async fn lock<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "LOCK TABLE change_log IN EXCLUSIVE MODE",
        ))
        .await?;
    }
    Ok(())
}

/// `ids` and every document whose rendering shows one of them: those
/// related to one either way, and their translations.
pub async fn affected<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Uuid>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
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
    Ok(dedup(affected))
}

/// Records a change of exactly `ids` (a bulk load: nothing else shows them
/// yet): each moves to the end of the log, numbered after every change
/// committed before. Returns those of `ids` that were public before the
/// change or are now.
pub async fn record_exactly<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<HashSet<Uuid>, DbErr> {
    let mut public_then_or_now = HashSet::new();
    if ids.is_empty() {
        return Ok(public_then_or_now);
    }
    lock(db).await?;
    let mut seq = newest(db).await?;
    for chunk in ids.chunks(5000) {
        let documents = documents::existing_any(db, chunk).await?;
        let previous: HashMap<Uuid, change_log::Model> = change_log::Entity::find()
            .filter(change_log::Column::DocumentId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.document_id, c))
            .collect();
        let mut rows = Vec::with_capacity(chunk.len());
        for id in dedup(chunk.to_vec()) {
            let (kind, public) = match (documents.get(&id), previous.get(&id)) {
                (Some(d), _) => {
                    (d.kind.clone(), d.status == DocumentStatus::Published.as_str() && d.deleted_at.is_none())
                }
                // Purged already: what remains is its absence.
                (None, Some(before)) => (before.kind.clone(), false),
                (None, None) => continue,
            };
            seq += 1;
            let was_public = previous.get(&id).is_some_and(|p| p.public);
            if public || was_public {
                public_then_or_now.insert(id);
            }
            let ever_public = public || previous.get(&id).is_some_and(|p| p.ever_public);
            let public_seq =
                if public || was_public { seq } else { previous.get(&id).map_or(0, |p| p.public_seq) };
            rows.push(change_log::ActiveModel {
                document_id: Set(id),
                seq: Set(seq),
                kind: Set(kind),
                public: Set(public),
                ever_public: Set(ever_public),
                public_seq: Set(public_seq),
            });
        }
        if rows.is_empty() {
            continue;
        }
        let upsert = OnConflict::column(change_log::Column::DocumentId)
            .update_columns([
                change_log::Column::Seq,
                change_log::Column::Kind,
                change_log::Column::Public,
                change_log::Column::EverPublic,
                change_log::Column::PublicSeq,
            ])
            .to_owned();
        super::writes::upsert_all(db, rows, upsert).await?;
    }
    Ok(public_then_or_now)
}

/// Records the creation of new documents that nothing else shows yet:
/// [`record_exactly`] for documents the log cannot hold already.
pub async fn record_new<C: ConnectionTrait>(db: &C, fresh: &[Fresh]) -> Result<(), DbErr> {
    if fresh.is_empty() {
        return Ok(());
    }
    lock(db).await?;
    for chunk in fresh.chunks(5_000) {
        db.execute_raw(numbered_after_newest(db.get_database_backend(), chunk)).await?;
    }
    Ok(())
}

/// One insert of `fresh` into the log, numbered after the newest change
/// as the statement finds it: nothing is read first (a write held back
/// goes with the next statement, see
/// [`crate::database::WriteTransaction::holding_inserts`]). Both
/// databases read the whole `SELECT` before inserting its rows.
fn numbered_after_newest(backend: DatabaseBackend, fresh: &[Fresh]) -> Statement {
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(4 * fresh.len());
    let mut placeholder = |value: sea_orm::Value| {
        values.push(value);
        match backend {
            DatabaseBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_owned(),
        }
    };
    let rows: Vec<String> = (1_i64..)
        .zip(fresh)
        .map(|(n, document)| {
            let id = placeholder(document.id.into());
            let n = placeholder(n.into());
            let kind = placeholder(document.kind.as_str().into());
            let public = placeholder(document.public.into());
            format!("({id}, {n}, {kind}, {public})")
        })
        .collect();
    let sql = format!(
        "INSERT INTO change_log (document_id, seq, kind, public, ever_public, public_seq) \
         SELECT v.column1, newest.seq + v.column2, v.column3, v.column4, v.column4, \
         CASE WHEN v.column4 THEN newest.seq + v.column2 ELSE 0 END \
         FROM (VALUES {}) AS v, (SELECT COALESCE(MAX(seq), 0) AS seq FROM change_log) AS newest",
        rows.join(", ")
    );
    Statement::from_sql_and_values(backend, sql, values)
}

/// The number of the newest change (0 for an empty log), inside a
/// transaction that holds the log's lock.
async fn newest<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    let newest: Option<i64> = change_log::Entity::find()
        .select_only()
        .column_as(change_log::Column::Seq.max(), "seq")
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    Ok(newest.unwrap_or(0))
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
    let mut rows = change_log::Entity::find()
        .filter(change_log::Column::Seq.gt(after))
        .order_by_asc(change_log::Column::Seq)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let changed = rows
        .into_iter()
        .map(|c| Changed { seq: c.seq, document_id: c.document_id, kind: c.kind, ever_public: c.ever_public })
        .collect();
    Ok((changed, more))
}

/// The documents whose public output changed after `after`: those changed
/// since while public, or made public or hidden since. With the newest
/// change seen, for the next call.
pub async fn public_since<C: ConnectionTrait>(db: &C, after: i64) -> Result<(Vec<Uuid>, i64), DbErr> {
    let rows: Vec<(Uuid, i64, i64)> = change_log::Entity::find()
        .select_only()
        .columns([change_log::Column::DocumentId, change_log::Column::Seq, change_log::Column::PublicSeq])
        .filter(change_log::Column::Seq.gt(after))
        .into_tuple()
        .all(db)
        .await?;
    let newest = rows.iter().map(|(_, seq, _)| *seq).max().unwrap_or(after);
    Ok((rows.into_iter().filter(|(_, _, public)| *public > after).map(|(id, _, _)| id).collect(), newest))
}

/// The newest row's number (0 for an empty log).
pub async fn head<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    let newest: Option<i64> = change_log::Entity::find()
        .select_only()
        .column(change_log::Column::Seq)
        .order_by_desc(change_log::Column::Seq)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(newest.unwrap_or(0))
}
