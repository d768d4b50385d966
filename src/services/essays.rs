//! Essays: their own table and their authors. Everything else about them is
//! shared with the other types in `documents`.

use std::collections::HashMap;

use entity::{essay, essay_author, person};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::documents::{self, CommonFilter, ContentType, Cursor, Entry, Listing, Page, Sort};
use super::people::{self, Credit};
use super::writes::Inserted;
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
        let authors = people::credits_of::<essay_author::Entity, C>(db, ids).await?;
        let essays = essay::Entity::find()
            .filter(essay::Column::DocumentId.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        Ok(details(essays, authors))
    }

    fn written(rows: &mut Inserted, people: &HashMap<Uuid, person::Model>) -> HashMap<Uuid, EssayDetail> {
        let authors = people::credits::<essay_author::Entity>(&rows.essay_authors, people);
        details(std::mem::take(&mut rows.essays), authors)
    }

    async fn clear<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
        essay_author::Entity::delete_many().filter(essay_author::Column::DocumentId.eq(id)).exec(db).await?;
        essay::Entity::delete_many().filter(essay::Column::DocumentId.eq(id)).exec(db).await?;
        Ok(())
    }
}

fn details(essays: Vec<essay::Model>, mut authors: HashMap<Uuid, Vec<Credit>>) -> HashMap<Uuid, EssayDetail> {
    essays
        .into_iter()
        .map(|essay| {
            let authors = authors.remove(&essay.document_id).unwrap_or_default();
            (essay.document_id, EssayDetail { essay, authors })
        })
        .collect()
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
