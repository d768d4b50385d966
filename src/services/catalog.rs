//! People and tags: the catalog every document draws on. Each is written
//! with a version (`If-Match`), and a change to one is a change to every
//! document that shows it: its change-log rows and its webhook event are
//! written in the same transaction. One is deleted only once no document,
//! deleted ones included, shows it.

use chrono::{DateTime, Utc};
use entity::{person, tag};
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, UpdateMany};
use serde_json::{Value, json};
use uuid::Uuid;

use super::people::{PersonFields, PersonRecord};
use super::render::Renderers;
use super::tags::{TagFields, TagRecord};
use super::versioned::{self, Versioned, WriteError, classify};
use crate::database::begin_write;
use crate::domain::{IdOrSlug, Visibility};

pub type Person = person::Entity;
pub type Tag = tag::Entity;

/// A kind of catalog entry.
pub trait Catalog: Versioned + EntityTrait<Model: Sync, ActiveModel: Send> {
    /// `person` or `tag`, as events name it.
    const SUBJECT: &'static str;
    type Fields: Send;
    /// The entry as the public sees it: its row and what is shown with it.
    type Record;

    /// The entry `key` names, as the public sees it.
    fn get<C: ConnectionTrait>(
        db: &C,
        key: &IdOrSlug,
    ) -> impl Future<Output = Result<Option<Self::Record>, DbErr>>;

    /// The row of `record`.
    fn row_of(record: &Self::Record) -> &Self::Model;

    fn row(id: Uuid, fields: Self::Fields, now: DateTime<Utc>) -> Self::ActiveModel;

    /// `update` setting `fields`.
    fn set(update: UpdateMany<Self>, fields: Self::Fields, now: DateTime<Utc>) -> UpdateMany<Self>;

    /// The entry as its webhook events carry it.
    fn event_fields(model: &Self::Model) -> Value;

    /// The documents, deleted ones included, that show entry `id`.
    fn showing<C: ConnectionTrait>(db: &C, id: Uuid) -> impl Future<Output = Result<Vec<Uuid>, DbErr>>;

    /// Why an entry that `n` documents show cannot be deleted.
    fn in_use(n: usize) -> String;
}

impl Catalog for Person {
    const SUBJECT: &'static str = "person";
    type Fields = PersonFields;
    type Record = PersonRecord;

    async fn get<C: ConnectionTrait>(db: &C, key: &IdOrSlug) -> Result<Option<PersonRecord>, DbErr> {
        super::people::get(db, key, Visibility::Public).await
    }

    fn row_of(record: &PersonRecord) -> &person::Model {
        &record.person
    }

    fn row(id: Uuid, fields: PersonFields, now: DateTime<Utc>) -> person::ActiveModel {
        use sea_orm::ActiveValue::Set;
        person::ActiveModel {
            id: Set(id),
            slug: Set(fields.slug.to_string()),
            name: Set(fields.name),
            bio: Set(fields.bio),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
    }

    fn set(update: UpdateMany<Self>, fields: PersonFields, now: DateTime<Utc>) -> UpdateMany<Self> {
        update
            .col_expr(person::Column::Slug, Expr::value(fields.slug.to_string()))
            .col_expr(person::Column::Name, Expr::value(fields.name))
            .col_expr(person::Column::Bio, Expr::value(fields.bio))
            .col_expr(person::Column::UpdatedAt, Expr::value(now))
    }

    fn event_fields(p: &person::Model) -> Value {
        json!({"id": p.id, "slug": p.slug, "name": p.name, "bio": p.bio, "version": p.version})
    }

    async fn showing<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Vec<Uuid>, DbErr> {
        super::people::credited_documents(db, id).await
    }

    fn in_use(n: usize) -> String {
        format!(
            "the person is credited on {n} document(s), deleted ones included; remove those credits first"
        )
    }
}

impl Catalog for Tag {
    const SUBJECT: &'static str = "tag";
    type Fields = TagFields;
    type Record = TagRecord;

    async fn get<C: ConnectionTrait>(db: &C, key: &IdOrSlug) -> Result<Option<TagRecord>, DbErr> {
        super::tags::get(db, key, Visibility::Public).await
    }

    fn row_of(record: &TagRecord) -> &tag::Model {
        &record.tag
    }

    fn row(id: Uuid, fields: TagFields, now: DateTime<Utc>) -> tag::ActiveModel {
        use sea_orm::ActiveValue::Set;
        tag::ActiveModel {
            id: Set(id),
            slug: Set(fields.slug.to_string()),
            name: Set(fields.name),
            created_at: Set(now),
            version: Set(1),
        }
    }

    fn set(update: UpdateMany<Self>, fields: TagFields, _: DateTime<Utc>) -> UpdateMany<Self> {
        update
            .col_expr(tag::Column::Slug, Expr::value(fields.slug.to_string()))
            .col_expr(tag::Column::Name, Expr::value(fields.name))
    }

    fn event_fields(t: &tag::Model) -> Value {
        json!({"id": t.id, "slug": t.slug, "name": t.name, "version": t.version})
    }

    async fn showing<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Vec<Uuid>, DbErr> {
        super::tags::carrying_documents(db, id).await
    }

    fn in_use(n: usize) -> String {
        format!("{n} document(s), deleted ones included, carry the tag; remove it from them first")
    }
}

/// Writes what a change to an entry leaves behind, in its transaction: a
/// change-log row for each document that shows it (`showing`), whose
/// rendering changes with it, and its webhook event.
async fn record<K: Catalog, C: ConnectionTrait>(
    db: &C,
    action: &str,
    model: &K::Model,
    showing: &[Uuid],
    renderers: &Renderers,
) -> Result<(), DbErr> {
    super::projections::shown(db, showing, renderers).await?;
    super::webhooks::catalog_changed(db, K::SUBJECT, action, K::event_fields(model), showing).await
}

async fn find<K: Catalog, C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<K::Model>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    K::find().filter(K::id_column().eq(id)).one(db).await
}

pub async fn create<K: Catalog>(
    db: &DatabaseConnection,
    id: Uuid,
    fields: K::Fields,
    renderers: &Renderers,
) -> Result<K::Model, WriteError> {
    let txn = begin_write(db).await?;
    K::insert(K::row(id, fields, Utc::now())).exec_without_returning(&txn).await.map_err(classify)?;
    let model = find::<K, _>(&txn, id).await?.ok_or(WriteError::NotFound)?;
    record::<K, _>(&txn, "create", &model, &[], renderers).await?;
    txn.commit().await?;
    Ok(model)
}

/// Replaces the fields of version `expected` of entry `id`. Documents keep
/// it: they link to it by id.
pub async fn update<K: Catalog>(
    db: &DatabaseConnection,
    id: Uuid,
    expected: i32,
    fields: K::Fields,
    renderers: &Renderers,
) -> Result<K::Model, WriteError> {
    let txn = begin_write(db).await?;
    let now = Utc::now();
    versioned::bump::<K, _>(&txn, id, expected, |update| K::set(update, fields, now), "").await?;
    let model = find::<K, _>(&txn, id).await?.ok_or(WriteError::NotFound)?;
    let showing = K::showing(&txn, id).await?;
    record::<K, _>(&txn, "update", &model, &showing, renderers).await?;
    txn.commit().await?;
    Ok(model)
}

/// Deletes version `expected` of entry `id`, unless a document (deleted
/// ones too) still shows it: taking it off a document is a change to that
/// document, with its own revision.
pub async fn delete<K: Catalog>(
    db: &DatabaseConnection,
    id: Uuid,
    expected: i32,
    renderers: &Renderers,
) -> Result<(), WriteError> {
    let txn = begin_write(db).await?;
    let showing = K::showing(&txn, id).await?.len();
    if showing > 0 {
        return Err(WriteError::State(K::in_use(showing)));
    }
    let gone = find::<K, _>(&txn, id).await?;
    versioned::delete::<K, _>(&txn, id, expected).await?;
    if let Some(model) = gone {
        record::<K, _>(&txn, "delete", &model, &[], renderers).await?;
    }
    txn.commit().await?;
    Ok(())
}
