//! People: authors, writers and organizers, the credits that link them to
//! documents, and their works.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{document, essay_author, event_organizer, lyrics_writer, person};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::documents::{self, CommonFilter, Facet, Listing};
use super::pages::{Cursor, Page, SortKey, column, keyset};
use crate::database::direct::{Direct, Named};
use crate::domain::{DocumentKind, IdOrSlug, Slug, Visibility};

/// A person credited on a document, with what the credit says: the
/// affiliation printed on an essay, or the role on a song.
#[derive(Debug, Clone)]
pub struct Credit {
    pub person: person::Model,
    pub detail: Option<String>,
}

/// A table that credits people on documents.
pub trait CreditLink: EntityTrait + Default {
    const KIND: DocumentKind;
    /// What the credit is called on a person's list of works.
    const ROLE: &'static str;
    fn document_column() -> Self::Column;
    fn person_column() -> Self::Column;
    fn position_column() -> Self::Column;
    /// `(document, person, detail)`.
    fn parts(model: &Self::Model) -> (Uuid, Uuid, Option<String>);
}

impl CreditLink for essay_author::Entity {
    const KIND: DocumentKind = DocumentKind::Essay;
    const ROLE: &'static str = "author";

    fn document_column() -> Self::Column {
        essay_author::Column::DocumentId
    }
    fn person_column() -> Self::Column {
        essay_author::Column::PersonId
    }
    fn position_column() -> Self::Column {
        essay_author::Column::Position
    }
    fn parts(m: &essay_author::Model) -> (Uuid, Uuid, Option<String>) {
        (m.document_id, m.person_id, m.affiliation.clone())
    }
}

impl CreditLink for lyrics_writer::Entity {
    const KIND: DocumentKind = DocumentKind::Lyrics;
    const ROLE: &'static str = "writer";

    fn document_column() -> Self::Column {
        lyrics_writer::Column::DocumentId
    }
    fn person_column() -> Self::Column {
        lyrics_writer::Column::PersonId
    }
    fn position_column() -> Self::Column {
        lyrics_writer::Column::Position
    }
    fn parts(m: &lyrics_writer::Model) -> (Uuid, Uuid, Option<String>) {
        (m.document_id, m.person_id, Some(m.role.clone()))
    }
}

impl CreditLink for event_organizer::Entity {
    const KIND: DocumentKind = DocumentKind::Event;
    const ROLE: &'static str = "organizer";

    fn document_column() -> Self::Column {
        event_organizer::Column::DocumentId
    }
    fn person_column() -> Self::Column {
        event_organizer::Column::PersonId
    }
    fn position_column() -> Self::Column {
        event_organizer::Column::Position
    }
    fn parts(m: &event_organizer::Model) -> (Uuid, Uuid, Option<String>) {
        (m.document_id, m.person_id, None)
    }
}

/// The credits of each of `ids` in `L`, in credit order, in two queries.
pub async fn credits_of<L: CreditLink, C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Credit>>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let links = L::find()
        .filter(L::document_column().is_in(ids.iter().copied()))
        .order_by_asc(L::position_column())
        .all(db)
        .await?;
    let people = by_ids(db, links.iter().map(|link| L::parts(link).1).collect()).await?;
    Ok(credits::<L>(&links, &people))
}

/// The credits `links` (in credit order) give each document, with the
/// `people` they name; a link to a person not among them is left out.
pub fn credits<L: CreditLink>(
    links: &[L::Model],
    people: &HashMap<Uuid, person::Model>,
) -> HashMap<Uuid, Vec<Credit>> {
    let mut by_document: HashMap<Uuid, Vec<Credit>> = HashMap::new();
    for (document_id, person_id, detail) in links.iter().map(L::parts) {
        if let Some(person) = people.get(&person_id) {
            by_document.entry(document_id).or_default().push(Credit { person: person.clone(), detail });
        }
    }
    by_document
}

pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, person::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(person::Entity::find()
        .filter(person::Column::Id.is_in(documents::dedup(ids)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

pub async fn id_of<C: ConnectionTrait>(db: &C, slug: &Slug) -> Result<Option<Uuid>, DbErr> {
    person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::Slug.eq(slug.as_str()))
        .into_tuple()
        .one(db)
        .await
}

/// What a listing of the documents of `kind` reads, filtered by `common`
/// and, when given, by a `person` credited through `L`; `None` when a
/// filter names a tag or person that does not exist, so nothing can match.
pub async fn listing<L: CreditLink, C: ConnectionTrait>(
    db: &C,
    direct: Option<&Direct>,
    kind: DocumentKind,
    visibility: Visibility,
    common: &CommonFilter,
    person: Option<&Slug>,
) -> Result<Option<Listing>, DbErr> {
    if let Some(direct) = direct {
        match direct_listing::<L>(direct, kind, visibility, common, person) {
            Ok(listing) => return Ok(listing),
            Err(error) => tracing::warn!(%error, "point read failed; reading through the pool"),
        }
    }
    let select = documents::find(kind, visibility);
    let Some(listing) = documents::filter(db, select, visibility, common).await? else {
        return Ok(None);
    };
    match person {
        Some(person) => credited::<L, C>(db, listing, person).await,
        None => Ok(Some(listing)),
    }
}

/// `listing` narrowed to documents crediting `person` through `L`; `None`
/// when there is no such person, so nothing can match. A public listing
/// not yet narrowed to a facet reads this person's.
pub async fn credited<L: CreditLink, C: ConnectionTrait>(
    db: &C,
    listing: Listing,
    person: &Slug,
) -> Result<Option<Listing>, DbErr> {
    Ok(id_of(db, person).await?.map(|id| credit::<L>(listing, id)))
}

/// `listing` narrowed to documents crediting the person `id` through `L`.
fn credit<L: CreditLink>(mut listing: Listing, id: Uuid) -> Listing {
    if listing.visibility.is_public() && listing.facet.is_none() {
        listing.facet = Some(Facet { facet: "p", value: id });
    } else {
        let credited = documents::credited(L::default(), L::document_column(), L::person_column(), id);
        listing.select = listing.select.filter(credited);
        listing.narrowed = true;
    }
    listing
}

/// [`listing`], with the tag and person it names found on the serving
/// thread (SQLite) instead of through the pool.
fn direct_listing<L: CreditLink>(
    direct: &Direct,
    kind: DocumentKind,
    visibility: Visibility,
    common: &CommonFilter,
    person: Option<&Slug>,
) -> rusqlite::Result<Option<Listing>> {
    let tag = common.tag.as_ref().map(|tag| direct.id_by_slug(Named::Tag, tag.as_str())).transpose()?;
    let person = person.map(|person| direct.id_by_slug(Named::Person, person.as_str())).transpose()?;
    let Some(listing) = documents::filtered(documents::find(kind, visibility), visibility, common, tag)
    else {
        return Ok(None);
    };
    Ok(match person {
        Some(Some(id)) => Some(credit::<L>(listing, id)),
        Some(None) => None,
        None => Some(listing),
    })
}

/// People in name order.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    descending: bool,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<person::Model>, DbErr> {
    let rows = keyset(
        person::Entity::find(),
        column(person::Entity, person::Column::Name),
        column(person::Entity, person::Column::Id),
        descending,
        after,
    )
    .limit(limit + 1)
    .all(db)
    .await?;
    let sort = if descending { "-name" } else { "name" };
    Ok(Page::from_rows(rows, limit, |p| Cursor {
        sort: sort.to_owned(),
        key: SortKey::Text(p.name.clone()),
        id: p.id,
    }))
}

/// One of a person's works.
#[derive(Debug, Clone)]
pub struct Work {
    pub document: document::Model,
    /// `author`, `writer` or `organizer`.
    pub role: &'static str,
    /// The affiliation or role printed with the credit.
    pub detail: Option<String>,
}

/// A person and their most recent visible works.
#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub person: person::Model,
    pub works: Vec<Work>,
    pub works_total: u64,
}

/// How many works a person's page lists; the lists filtered by `author`,
/// `writer` or `organizer` have the rest.
pub const WORKS_SHOWN: u64 = 20;

pub async fn get<C: ConnectionTrait>(
    db: &C,
    key: &IdOrSlug,
    visibility: Visibility,
) -> Result<Option<PersonRecord>, DbErr> {
    let select = person::Entity::find();
    let person = match key {
        IdOrSlug::Id(id) => select.filter(person::Column::Id.eq(*id)).one(db).await?,
        IdOrSlug::Slug(slug) => select.filter(person::Column::Slug.eq(slug.as_str())).one(db).await?,
    };
    let Some(person) = person else { return Ok(None) };
    let mut works = Vec::new();
    let mut works_total = 0;
    for (mut batch, total) in [
        works_of::<essay_author::Entity, C>(db, person.id, visibility).await?,
        works_of::<lyrics_writer::Entity, C>(db, person.id, visibility).await?,
        works_of::<event_organizer::Entity, C>(db, person.id, visibility).await?,
    ] {
        works.append(&mut batch);
        works_total += total;
    }
    let newest_first =
        |w: &Work| std::cmp::Reverse(w.document.published_at.unwrap_or(DateTime::<Utc>::MIN_UTC));
    works.sort_by_key(newest_first);
    works.truncate(WORKS_SHOWN as usize);
    Ok(Some(PersonRecord { person, works, works_total }))
}

/// The newest visible works credited to `person_id` through `L`, and how many there are.
async fn works_of<L: CreditLink, C: ConnectionTrait>(
    db: &C,
    person_id: Uuid,
    visibility: Visibility,
) -> Result<(Vec<Work>, u64), DbErr> {
    let select = documents::find(L::KIND, visibility).filter(documents::credited(
        L::default(),
        L::document_column(),
        L::person_column(),
        person_id,
    ));
    let total = select.clone().count(db).await?;
    let documents = select
        .order_by_desc(document::Column::PublishedAt)
        .order_by_desc(document::Column::Id)
        .limit(WORKS_SHOWN)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = documents.iter().map(|d| d.id).collect();
    let links = L::find()
        .filter(L::document_column().is_in(ids))
        .filter(L::person_column().eq(person_id))
        .all(db)
        .await?;
    let works = documents
        .into_iter()
        .map(|document| {
            let detail = links
                .iter()
                .map(L::parts)
                .find(|(d, _, _)| *d == document.id)
                .and_then(|(_, _, detail)| detail);
            Work { document, role: L::ROLE, detail }
        })
        .collect();
    Ok((works, total))
}

/// Every document (deleted ones too) that credits person `id`, once each.
pub async fn credited_documents<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    async fn of<L: CreditLink, C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Vec<Uuid>, DbErr> {
        L::find()
            .select_only()
            .column(L::document_column())
            .filter(L::person_column().eq(id))
            .into_tuple()
            .all(db)
            .await
    }
    let mut ids = of::<essay_author::Entity, C>(db, id).await?;
    ids.extend(of::<lyrics_writer::Entity, C>(db, id).await?);
    ids.extend(of::<event_organizer::Entity, C>(db, id).await?);
    Ok(documents::dedup(ids))
}

/// The writable fields of a person.
#[derive(Debug, Clone)]
pub struct PersonFields {
    pub slug: Slug,
    pub name: String,
    pub bio: Option<String>,
}
