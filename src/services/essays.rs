//! Essays: their own table and their authors. Everything else about them is
//! shared with the other types in `documents`.

use std::collections::HashMap;

use entity::{essay, essay_author};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::documents::{self, CommonFilter, ContentType, Cursor, Entry, Listing, Page, Sort};
use super::people::{self, Credit};
use crate::database::direct::Direct;
use crate::domain::{DocumentKind, Slug, Visibility};

pub struct Essays;

#[derive(Debug, Clone)]
pub struct EssayDetail {
    pub essay: essay::Model,
    pub authors: Vec<Credit>,
}

impl ContentType for Essays {
    const KIND: DocumentKind = DocumentKind::Essay;
    type Detail = EssayDetail;

    async fn load<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, EssayDetail>, DbErr> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut authors = people::credits_of::<essay_author::Entity, C>(db, ids).await?;
        let essays = essay::Entity::find()
            .filter(essay::Column::DocumentId.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        Ok(essays
            .into_iter()
            .map(|essay| {
                let authors = authors.remove(&essay.document_id).unwrap_or_default();
                (essay.document_id, EssayDetail { essay, authors })
            })
            .collect())
    }

    async fn clear<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
        essay_author::Entity::delete_many().filter(essay_author::Column::DocumentId.eq(id)).exec(db).await?;
        essay::Entity::delete_many().filter(essay::Column::DocumentId.eq(id)).exec(db).await?;
        Ok(())
    }
}

#[derive(Debug, Clone, Default)]
pub struct EssayFilter {
    pub common: CommonFilter,
    /// Slug of a person credited as author.
    pub author: Option<Slug>,
}

/// What a listing of `filter` reads, as `visibility` sees it; `None` when
/// it names a tag or person that does not exist, so nothing can match.
/// The names are looked up on the serving thread when `direct` is given.
pub async fn listing<C: ConnectionTrait>(
    db: &C,
    direct: Option<&Direct>,
    visibility: Visibility,
    filter: &EssayFilter,
) -> Result<Option<Listing>, DbErr> {
    let person = filter.author.as_ref();
    people::listing::<essay_author::Entity, C>(
        db,
        direct,
        DocumentKind::Essay,
        visibility,
        &filter.common,
        person,
    )
    .await
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    visibility: Visibility,
    filter: &EssayFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Entry<EssayDetail>>, DbErr> {
    match listing(db, None, visibility, filter).await? {
        Some(listing) => documents::list::<Essays, C>(db, listing, sort, after, limit, |_| true).await,
        None => Ok(Page::empty()),
    }
}
