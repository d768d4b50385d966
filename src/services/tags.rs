//! Tags and how many visible documents carry each.

use std::collections::HashMap;

use entity::{document, document_tag, tag};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::documents::visible;
use super::pages::{Cursor, Page, SortKey, column, keyset};
use crate::domain::{IdOrSlug, Slug, Visibility};

/// A tag and the number of documents `visibility` may see that carry it.
#[derive(Debug, Clone)]
pub struct TagRecord {
    pub tag: tag::Model,
    pub documents: u64,
}

/// Tags in slug order, each with its count of visible documents.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    visibility: Visibility,
    descending: bool,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<TagRecord>, DbErr> {
    let rows = keyset(
        tag::Entity::find(),
        column(tag::Entity, tag::Column::Slug),
        column(tag::Entity, tag::Column::Id),
        descending,
        after,
    )
    .limit(limit + 1)
    .all(db)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let counts = counts(db, &ids, visibility).await?;
    let sort = if descending { "-slug" } else { "slug" };
    let page = Page::from_rows(rows, limit, |t| Cursor {
        sort: sort.to_owned(),
        key: SortKey::Text(t.slug.clone()),
        id: t.id,
    });
    Ok(page.map(|tag| {
        let documents = counts.get(&tag.id).copied().unwrap_or(0);
        TagRecord { tag, documents }
    }))
}

/// One tag by id or slug, with its count of visible documents.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    key: &IdOrSlug,
    visibility: Visibility,
) -> Result<Option<TagRecord>, DbErr> {
    let select = tag::Entity::find();
    let tag = match key {
        IdOrSlug::Id(id) => select.filter(tag::Column::Id.eq(*id)).one(db).await?,
        IdOrSlug::Slug(slug) => select.filter(tag::Column::Slug.eq(slug.as_str())).one(db).await?,
    };
    let Some(tag) = tag else { return Ok(None) };
    let documents = counts(db, &[tag.id], visibility).await?.get(&tag.id).copied().unwrap_or(0);
    Ok(Some(TagRecord { tag, documents }))
}

/// Every document (deleted ones too) that carries tag `id`.
pub async fn carrying_documents<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    document_tag::Entity::find()
        .select_only()
        .column(document_tag::Column::DocumentId)
        .filter(document_tag::Column::TagId.eq(id))
        .into_tuple()
        .all(db)
        .await
}

/// The writable fields of a tag.
#[derive(Debug, Clone)]
pub struct TagFields {
    pub slug: Slug,
    pub name: String,
}

async fn counts<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    visibility: Visibility,
) -> Result<HashMap<Uuid, u64>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let on_document = document_tag::Entity::belongs_to(document::Entity)
        .from(document_tag::Column::DocumentId)
        .to(document::Column::Id)
        .into();
    let rows: Vec<(Uuid, i64)> = document_tag::Entity::find()
        .select_only()
        .column(document_tag::Column::TagId)
        .column_as(Expr::col((document_tag::Entity, document_tag::Column::DocumentId)).count(), "documents")
        .join(JoinType::InnerJoin, on_document)
        .filter(document_tag::Column::TagId.is_in(ids.iter().copied()))
        .filter(visible(visibility))
        .group_by(document_tag::Column::TagId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, n)| (id, u64::try_from(n).unwrap_or(0))).collect())
}
