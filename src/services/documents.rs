//! What every document shares, whatever its type: the visibility rule, keyset
//! pagination, lookup by id or slug, and the parts stored outside the type's
//! own table (tags, related documents, translations).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{document, document_facet, document_relation, document_rendering, document_tag, person, tag};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, JoinType,
    QueryFilter, QueryOrder, QueryResult, QuerySelect, Select,
};
use uuid::Uuid;

pub use super::pages::{Cursor, Page, SortKey, column, dedup, keyset, limited};
use super::writes::Inserted;
use crate::domain::{
    DocumentKind, DocumentStatus, EventTimes, IdOrSlug, Locale, LocalePreference, Months, Translation,
    Visibility, choose_translation,
};

/// What a document listing can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    PublishedAt,
    Title,
    /// Events only: the start of the first occurrence.
    StartsAt,
}

/// A listing order: a field and a direction; ties are broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub field: SortField,
    pub descending: bool,
}

impl Sort {
    pub const fn new(field: SortField, descending: bool) -> Self {
        Self { field, descending }
    }

    /// The name a cursor records, as in `sort=-published_at`.
    pub fn name(self) -> String {
        let field = match self.field {
            SortField::PublishedAt => "published_at",
            SortField::Title => "title",
            SortField::StartsAt => "starts_at",
        };
        if self.descending { format!("-{field}") } else { field.to_owned() }
    }

    /// The sort column. Drafts have no `published_at`; where they may appear
    /// the creation time stands in, so that the order is total on every
    /// database (NULLs sort differently on SQLite and PostgreSQL).
    fn expr(self, visibility: Visibility) -> SimpleExpr {
        match self.field {
            SortField::PublishedAt if visibility.is_public() => {
                column(document::Entity, document::Column::PublishedAt)
            }
            SortField::PublishedAt => Expr::expr(column(document::Entity, document::Column::PublishedAt))
                .if_null(column(document::Entity, document::Column::CreatedAt)),
            SortField::Title => column(document::Entity, document::Column::Title),
            SortField::StartsAt => column(entity::event::Entity, entity::event::Column::StartsAt),
        }
    }

    /// The cursor pointing just after `document` (whose event starts at
    /// `starts_at`, for events).
    pub fn cursor_after(self, document: &document::Model, starts_at: Option<DateTime<Utc>>) -> Cursor {
        let key = match self.field {
            SortField::PublishedAt => SortKey::Time(document.published_at.unwrap_or(document.created_at)),
            SortField::Title => SortKey::Text(document.title.clone()),
            SortField::StartsAt => SortKey::Time(starts_at.unwrap_or(document.created_at)),
        };
        Cursor { sort: self.name(), key, id: document.id }
    }

    /// `select` in this order, after `after`, at most `limit` rows.
    /// `select` in this order after `after`, to be limited ([`limited`]).
    pub fn apply(
        self,
        select: Select<document::Entity>,
        visibility: Visibility,
        after: Option<&Cursor>,
    ) -> Select<document::Entity> {
        let id = column(document::Entity, document::Column::Id);
        keyset(select, self.expr(visibility), id, self.descending, after)
    }
}

/// The one visibility rule, for any query over `documents`.
pub fn visible(visibility: Visibility) -> Condition {
    match visibility {
        Visibility::Public => Condition::all()
            .add(literal(document::Column::Status, DocumentStatus::Published.as_str()))
            .add(document::Column::DeletedAt.is_null()),
        Visibility::Author(id) => Condition::all().add(document::Column::DeletedAt.is_null()).add(
            Condition::any()
                .add(document::Column::Status.eq(DocumentStatus::Published.as_str()))
                .add(document::Column::CreatedBy.eq(id)),
        ),
        Visibility::Staff => Condition::all().add(document::Column::DeletedAt.is_null()),
        Visibility::Deleted => Condition::all().add(document::Column::DeletedAt.is_not_null()),
        Visibility::All => Condition::all(),
    }
}

/// Documents of `kind` that `visibility` may see.
///
/// The kind, like the public's status, is written into the statement rather
/// than bound (see [`limited`]).
pub fn find(kind: DocumentKind, visibility: Visibility) -> Select<document::Entity> {
    document::Entity::find()
        .filter(literal(document::Column::Kind, kind.as_str()))
        .filter(visible(visibility))
}

/// `column = id` with the id written into the statement, in the form the
/// database stores ids in: a `uuid` on PostgreSQL, 16 bytes on SQLite.
fn literal_id<C: ColumnTrait>(column: C, id: Uuid, backend: DbBackend) -> SimpleExpr {
    let id = match backend {
        DbBackend::Postgres => format!("'{}'::uuid", id.hyphenated()),
        _ => format!("X'{}'", id.simple()),
    };
    Expr::col(column.as_column_ref()).eq(Expr::cust(id))
}

/// `column = 'value'` with the value written into the statement: for the
/// closed sets (kinds, statuses, facets) only, never for input.
pub fn literal<C: ColumnTrait>(column: C, value: &'static str) -> SimpleExpr {
    debug_assert!(value.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    Expr::col(column.as_column_ref()).eq(Expr::cust(format!("'{value}'")))
}

/// Keeps documents that `link` credits to `person_id` (as author, writer or
/// organizer).
pub fn credited<E: EntityTrait>(
    link: E,
    document_column: E::Column,
    person_column: E::Column,
    person_id: Uuid,
) -> SimpleExpr {
    Expr::col((document::Entity, document::Column::Id)).in_subquery(
        Query::select().column(document_column).from(link).and_where(person_column.eq(person_id)).to_owned(),
    )
}

/// Keeps documents carrying the tag `tag_id`.
pub fn tagged(tag_id: Uuid) -> SimpleExpr {
    Expr::col((document::Entity, document::Column::Id)).in_subquery(
        Query::select()
            .column(document_tag::Column::DocumentId)
            .from(document_tag::Entity)
            .and_where(document_tag::Column::TagId.eq(tag_id))
            .to_owned(),
    )
}

/// One visible document of `kind` by id, or by slug. A slug names one
/// document per locale: `locale` picks it, else the default locale's, else
/// the oldest.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    kind: DocumentKind,
    visibility: Visibility,
    key: &IdOrSlug,
    preference: &LocalePreference,
    default_locale: &Locale,
) -> Result<Option<document::Model>, DbErr> {
    let candidates = named(kind, visibility, key).all(db).await?;
    // The documents the key names first, then their translations.
    let mut translations = Vec::new();
    if !candidates.is_empty() && !preference.wanted.is_empty() {
        let groups: Vec<Uuid> = dedup(candidates.iter().map(|d| d.translation_group).collect());
        translations = find(kind, visibility)
            .filter(document::Column::TranslationGroup.is_in(groups))
            .order_by_asc(document::Column::CreatedAt)
            .all(db)
            .await?;
    }
    Ok(choose_translation(candidates, translations, preference, default_locale))
}

impl Translation for document::Model {
    fn id(&self) -> Uuid {
        self.id
    }
    fn locale(&self) -> &str {
        &self.locale
    }
}

/// The documents of `kind` that `key` names and `visibility` may see,
/// oldest first: one by its id, or those of a slug's translations that share
/// it. [`choose_translation`] picks the one to serve.
pub fn named(kind: DocumentKind, visibility: Visibility, key: &IdOrSlug) -> Select<document::Entity> {
    let select = find(kind, visibility);
    match key {
        IdOrSlug::Id(id) => select.filter(document::Column::Id.eq(*id)),
        IdOrSlug::Slug(slug) => {
            select.filter(document::Column::Slug.eq(slug.as_str())).order_by_asc(document::Column::CreatedAt)
        }
    }
}

/// A document with one of its stored renderings, read in one statement
/// ([`with_rendering`]).
#[derive(Debug)]
pub struct RenderedDocument {
    pub document: document::Model,
    /// `None` without a rendering row.
    stale: Option<bool>,
    expires_at: Option<DateTime<Utc>>,
    rendering: Option<String>,
}

impl RenderedDocument {
    /// The rendering, when it may be read at `now`: not stale, and not past
    /// the time it holds until.
    pub fn current(&self, now: DateTime<Utc>) -> Option<&str> {
        let current = self.stale == Some(false) && self.expires_at.is_none_or(|at| at > now);
        self.rendering.as_deref().filter(|_| current)
    }
}

impl FromQueryResult for RenderedDocument {
    fn from_query_result(row: &QueryResult, prefix: &str) -> Result<Self, DbErr> {
        Ok(Self {
            document: document::Model::from_query_result(row, prefix)?,
            stale: row.try_get(prefix, "rendering_stale")?,
            expires_at: row.try_get(prefix, "rendering_expires_at")?,
            rendering: row.try_get(prefix, "rendering")?,
        })
    }
}

/// `select` with each document's stored `rendering` (one column of
/// `document_renderings`: a document's JSON is large, and a list wants
/// only its items), if it has one.
pub fn with_rendering(
    select: Select<document::Entity>,
    rendering: document_rendering::Column,
) -> Select<document::Entity> {
    let on_rendering = document::Entity::belongs_to(document_rendering::Entity)
        .from(document::Column::Id)
        .to(document_rendering::Column::DocumentId)
        .into();
    let column = |c: document_rendering::Column| Expr::col((document_rendering::Entity, c));
    select
        .join(JoinType::LeftJoin, on_rendering)
        .column_as(column(document_rendering::Column::Stale), "rendering_stale")
        .column_as(column(document_rendering::Column::ExpiresAt), "rendering_expires_at")
        .column_as(column(rendering), "rendering")
}

/// Whether `document` is public: published and not deleted.
pub fn is_public(document: &document::Model) -> bool {
    document.status == DocumentStatus::Published.as_str() && document.deleted_at.is_none()
}

/// A related or translated document, as much of it as a link needs.
#[derive(Debug, Clone)]
pub struct Link {
    pub id: Uuid,
    pub kind: String,
    pub slug: String,
    pub locale: String,
    pub title: String,
    /// Whether the linked document is public.
    pub public: bool,
}

impl From<&document::Model> for Link {
    fn from(d: &document::Model) -> Self {
        Self {
            id: d.id,
            kind: d.kind.clone(),
            slug: d.slug.clone(),
            locale: d.locale.clone(),
            title: d.title.clone(),
            public: is_public(d),
        }
    }
}

/// The parts of a document kept outside its own tables.
#[derive(Debug, Clone, Default)]
pub struct Shared {
    pub tags: Vec<tag::Model>,
    /// Visible documents this one links to or is linked from.
    pub related: Vec<Link>,
    /// Visible documents in other locales of the same translation group.
    pub translations: Vec<Link>,
    /// Every document this one links to, in its order, whatever their state:
    /// what a write of this document would send.
    pub outgoing: Vec<Uuid>,
}

impl Shared {
    /// What the public sees of these: only the public related documents
    /// and translations.
    pub fn public(&self) -> Shared {
        Shared {
            tags: self.tags.clone(),
            related: self.related.iter().filter(|l| l.public).cloned().collect(),
            translations: self.translations.iter().filter(|l| l.public).cloned().collect(),
            outgoing: self.outgoing.clone(),
        }
    }
}

/// The tags of each of `ids`, in one query.
pub async fn tags_of<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<tag::Model>>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let links = document_tag::Entity::find()
        .filter(document_tag::Column::DocumentId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let tags = tags_by_id(db, &links).await?;
    Ok(tags_by_document(&links, &tags))
}

/// The tags `links` name.
pub async fn tags_by_id<C: ConnectionTrait>(
    db: &C,
    links: &[document_tag::Model],
) -> Result<HashMap<Uuid, tag::Model>, DbErr> {
    if links.is_empty() {
        return Ok(HashMap::new());
    }
    let ids = dedup(links.iter().map(|link| link.tag_id).collect());
    let tags = tag::Entity::find().filter(tag::Column::Id.is_in(ids)).all(db).await?;
    Ok(tags.into_iter().map(|tag| (tag.id, tag)).collect())
}

/// The tags `links` name and the people `people` names, by id, as
/// [`tags_by_id`] and [`super::people::by_ids`] read them, in one statement
/// (a round trip fewer, in the writer's turn of creates).
pub async fn tags_and_people<C: ConnectionTrait>(
    db: &C,
    links: &[document_tag::Model],
    people: Vec<Uuid>,
) -> Result<(HashMap<Uuid, tag::Model>, HashMap<Uuid, person::Model>), DbErr> {
    use sea_orm::sea_query::UnionType;
    let tag_ids = dedup(links.iter().map(|link| link.tag_id).collect());
    let people = dedup(people);
    let (mut tags_found, mut people_found) = (HashMap::new(), HashMap::new());
    if tag_ids.is_empty() && people.is_empty() {
        return Ok((tags_found, people_found));
    }
    let no_text: Option<String> = None;
    let mut read = Query::select()
        .expr_as(Expr::val("tag"), "what")
        .columns([tag::Column::Id, tag::Column::Slug, tag::Column::Name])
        .expr_as(Expr::val(no_text), "bio")
        .column(tag::Column::CreatedAt)
        .expr_as(Expr::col(tag::Column::CreatedAt), "updated_at")
        .column(tag::Column::Version)
        .from(tag::Entity)
        .and_where(Expr::col(tag::Column::Id).is_in(tag_ids))
        .to_owned();
    read.union(
        UnionType::All,
        Query::select()
            .expr(Expr::val("person"))
            .columns([
                person::Column::Id,
                person::Column::Slug,
                person::Column::Name,
                person::Column::Bio,
                person::Column::CreatedAt,
                person::Column::UpdatedAt,
                person::Column::Version,
            ])
            .from(person::Entity)
            .and_where(Expr::col(person::Column::Id).is_in(people))
            .to_owned(),
    );
    for row in db.query_all(&read).await? {
        let (id, slug, name): (Uuid, String, String) =
            (row.try_get("", "id")?, row.try_get("", "slug")?, row.try_get("", "name")?);
        let (created_at, version) = (row.try_get("", "created_at")?, row.try_get("", "version")?);
        if row.try_get::<String>("", "what")? == "tag" {
            tags_found.insert(id, tag::Model { id, slug, name, created_at, version });
        } else {
            let (bio, updated_at) = (row.try_get("", "bio")?, row.try_get("", "updated_at")?);
            people_found.insert(id, person::Model { id, slug, name, bio, created_at, updated_at, version });
        }
    }
    Ok((tags_found, people_found))
}

/// The tags `links` give each document, in order of their slugs.
pub fn tags_by_document(
    links: &[document_tag::Model],
    tags: &HashMap<Uuid, tag::Model>,
) -> HashMap<Uuid, Vec<tag::Model>> {
    let mut by_document: HashMap<Uuid, Vec<tag::Model>> = HashMap::new();
    for link in links {
        if let Some(tag) = tags.get(&link.tag_id) {
            by_document.entry(link.document_id).or_default().push(tag.clone());
        }
    }
    for tags in by_document.values_mut() {
        tags.sort_by(|a, b| a.slug.cmp(&b.slug));
    }
    by_document
}

/// Everything of `document` kept outside its own tables.
pub async fn shared_of<C: ConnectionTrait>(
    db: &C,
    document: &document::Model,
    visibility: Visibility,
) -> Result<Shared, DbErr> {
    let mut shared = shared_of_many(db, std::slice::from_ref(document), visibility).await?;
    Ok(shared.remove(&document.id).unwrap_or_default())
}

/// Everything of each of `documents` kept outside its own tables, in a
/// fixed number of queries however many there are.
pub async fn shared_of_many<C: ConnectionTrait>(
    db: &C,
    documents: &[document::Model],
    visibility: Visibility,
) -> Result<HashMap<Uuid, Shared>, DbErr> {
    let ids: Vec<Uuid> = documents.iter().map(|d| d.id).collect();
    let mut tags = tags_of(db, &ids).await?;
    let mut shared: HashMap<Uuid, Shared> = HashMap::with_capacity(documents.len());
    if documents.is_empty() {
        return Ok(shared);
    }
    let links = document_relation::Entity::find()
        .filter(
            Condition::any()
                .add(document_relation::Column::DocumentId.is_in(ids.iter().copied()))
                .add(document_relation::Column::RelatedId.is_in(ids.iter().copied())),
        )
        .order_by_asc(document_relation::Column::Position)
        .all(db)
        .await?;
    let other_ids: Vec<Uuid> = links.iter().flat_map(|l| [l.document_id, l.related_id]).collect();
    let others: HashMap<Uuid, document::Model> = match other_ids.is_empty() {
        true => HashMap::new(),
        false => document::Entity::find()
            .filter(document::Column::Id.is_in(dedup(other_ids)))
            .filter(visible(visibility))
            .all(db)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect(),
    };
    let groups = dedup(documents.iter().map(|d| d.translation_group).collect());
    let in_groups = document::Entity::find()
        .filter(document::Column::TranslationGroup.is_in(groups))
        .filter(visible(visibility))
        .order_by_asc(document::Column::Locale)
        .all(db)
        .await?;
    for document in documents {
        let id = document.id;
        // Links this document makes come first, in its order; then those made to it.
        let mine = links.iter().filter(|l| l.document_id == id).map(|l| l.related_id);
        let theirs = links.iter().filter(|l| l.related_id == id).map(|l| l.document_id);
        let mut related: Vec<Link> = Vec::new();
        for other in mine.chain(theirs) {
            if let Some(other) = others.get(&other)
                && !related.iter().any(|l| l.id == other.id)
            {
                related.push(other.into());
            }
        }
        let translations = in_groups
            .iter()
            .filter(|t| t.translation_group == document.translation_group && t.id != id)
            .map(Link::from)
            .collect();
        let outgoing = links.iter().filter(|l| l.document_id == id).map(|l| l.related_id).collect();
        let tags = tags.remove(&id).unwrap_or_default();
        shared.insert(id, Shared { tags, related, translations, outgoing });
    }
    Ok(shared)
}

/// A content type: how to load the part of its documents kept in its own
/// tables. Listing, lookup, visibility and the shared parts are written once,
/// here, for all of them.
pub trait ContentType {
    const KIND: DocumentKind;
    /// The type's own part of one document.
    type Detail: Clone + Send + 'static;

    /// The details of each of `ids`, in as few queries as possible.
    fn load<C: ConnectionTrait>(
        db: &C,
        ids: &[Uuid],
    ) -> impl std::future::Future<Output = Result<HashMap<Uuid, Self::Detail>, DbErr>>;

    /// The details of documents just written, from the rows written
    /// (taken out of `rows`) and the `people` they credit.
    fn written(rows: &mut Inserted, people: &HashMap<Uuid, person::Model>) -> HashMap<Uuid, Self::Detail>;

    /// Deletes the type's own rows of document `id`, before it is written
    /// anew.
    fn clear<C: ConnectionTrait>(db: &C, id: Uuid) -> impl std::future::Future<Output = Result<(), DbErr>>;

    /// When the detail's event starts (events only), for `sort=starts_at`.
    fn starts_at(_detail: &Self::Detail) -> Option<DateTime<Utc>> {
        None
    }

    /// Until when a rendering of the detail made at `now` stays true: the
    /// end of the occurrence an event names as under way or next (events
    /// only; the clock changes nothing else).
    fn shown_until(_detail: &Self::Detail, _now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        None
    }

    /// Whether document `id` is a cancelled event (events only).
    fn cancelled<C: ConnectionTrait>(
        _db: &C,
        _id: Uuid,
    ) -> impl std::future::Future<Output = Result<bool, DbErr>> {
        async { Ok(false) }
    }
}

/// A document with its type's detail and its shared parts (in a listing,
/// only the tags).
#[derive(Debug, Clone)]
pub struct Entry<D> {
    pub document: document::Model,
    pub detail: D,
    pub shared: Shared,
}

impl<D: Clone> Entry<D> {
    /// The entry as the public sees it, for an entry loaded for staff.
    pub fn public(&self) -> Entry<D> {
        Entry { document: self.document.clone(), detail: self.detail.clone(), shared: self.shared.public() }
    }
}

/// The filters every content type offers.
#[derive(Debug, Clone, Default)]
pub struct CommonFilter {
    pub tag: Option<crate::domain::Slug>,
    pub locale: Option<Locale>,
    /// Only documents in this status (authenticated readers).
    pub status: Option<DocumentStatus>,
}

/// What a listing reads: the documents `select` finds, and, for a public
/// listing narrowed to one tag or one credited person, the facet whose
/// index gives its rows in order; for events in order of their start, the
/// window whose index range does.
#[derive(Debug, Clone)]
pub struct Listing {
    pub select: Select<document::Entity>,
    pub facet: Option<Facet>,
    pub starts: Option<Starts>,
    pub visibility: Visibility,
    /// The locale `select` keeps to, if any.
    pub locale: Option<Locale>,
    /// Whether `select` narrows the documents by more than their kind,
    /// visibility and locale (a status, a credit beside a facet).
    pub narrowed: bool,
}

/// Events whose series ends after `from` (if given) and that start before
/// `to` (if given), read in order of their start from `events_starts_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Starts {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Starts {
    /// One batch in `sort` order after `after`: each id and the cursor just
    /// after it. With a start to the window, short events come from a range
    /// of `events_starts_at` (a short series ends within
    /// [`EventTimes::SHORT_SPAN`] of its start) and long-running ones from
    /// their own index; the two are merged. Neither reads the events that
    /// ended before the window.
    async fn batch<C: ConnectionTrait>(
        self,
        db: &C,
        sort: Sort,
        after: Option<&Cursor>,
        limit: u64,
    ) -> Result<Vec<(Uuid, Cursor)>, DbErr> {
        use entity::event;
        let mut select =
            event::Entity::find().select_only().columns([event::Column::DocumentId, event::Column::StartsAt]);
        if let Some(to) = self.to {
            select = select.filter(event::Column::StartsAt.lt(to));
        }
        let key = column(event::Entity, event::Column::StartsAt);
        let id = column(event::Entity, event::Column::DocumentId);
        let read = |select: Select<event::Entity>| {
            keyset(select, key.clone(), id.clone(), sort.descending, after).limit(limit).into_tuple().all(db)
        };
        let mut rows: Vec<(Uuid, DateTime<Utc>)> = match self.from {
            None => read(select).await?,
            Some(from) => {
                // A series that never runs in the window's months is passed
                // over in the index of long-running events, which holds them.
                let months = Months::of_window(from, self.to).bits();
                let select =
                    select.filter(Expr::col((event::Entity, event::Column::Months)).bit_and(months).ne(0));
                let short = select
                    .clone()
                    .filter(event::Column::LongRunning.eq(false))
                    .filter(event::Column::StartsAt.gte(from - EventTimes::SHORT_SPAN))
                    .filter(event::Column::SeriesEndsAt.gt(from));
                // The column itself proves the partial index's `WHERE long_running`.
                let long = select.filter(Expr::col((event::Entity, event::Column::LongRunning))).filter(
                    Condition::any()
                        .add(event::Column::SeriesEndsAt.is_null())
                        .add(event::Column::SeriesEndsAt.gt(from)),
                );
                let mut rows = read(short).await?;
                rows.extend(read(long).await?);
                rows.sort_by(|a, b| {
                    if sort.descending { (b.1, b.0).cmp(&(a.1, a.0)) } else { (a.1, a.0).cmp(&(b.1, b.0)) }
                });
                rows
            }
        };
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(rows
            .into_iter()
            .map(|(id, starts_at)| (id, Cursor { sort: sort.name(), key: SortKey::Time(starts_at), id }))
            .collect())
    }
}

/// One tag (`t`) or one credited person (`p`) of public documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facet {
    pub facet: &'static str,
    pub value: Uuid,
}

impl Facet {
    /// `select` narrowed to this facet's public rows of `kind` in `sort`
    /// order after `after`: one range of a partial index
    /// (`document_facets_public_*`).
    /// The tag's or person's id is written into the statement, like the
    /// kind (see [`limited`]): bound, it left PostgreSQL costing the generic
    /// plan above the custom one, and planning the statement at every run.
    fn keyset<E: EntityTrait>(
        self,
        select: Select<E>,
        backend: DbBackend,
        kind: DocumentKind,
        sort: Sort,
        after: Option<&Cursor>,
    ) -> Select<E> {
        let key = match sort.field {
            SortField::PublishedAt => document_facet::Column::PublishedAt,
            SortField::Title => document_facet::Column::Title,
            SortField::StartsAt => document_facet::Column::StartsAt,
        };
        let select = select
            .filter(literal(document_facet::Column::Facet, self.facet))
            .filter(literal_id(document_facet::Column::Value, self.value, backend))
            .filter(literal(document_facet::Column::Kind, kind.as_str()))
            // The column itself, not `= ?`: a bound value would not prove
            // the partial indexes' `WHERE public` to the planner.
            .filter(Expr::col((document_facet::Entity, document_facet::Column::Public)));
        let id = column(document_facet::Entity, document_facet::Column::DocumentId);
        keyset(select, column(document_facet::Entity, key), id, sort.descending, after)
    }

    /// `select` (documents) joined to this facet's rows and read in their
    /// order, as [`Facet::batch`] reads them: the facet's index range and
    /// its documents in one statement.
    fn joined(
        self,
        select: Select<document::Entity>,
        backend: DbBackend,
        kind: DocumentKind,
        sort: Sort,
        after: Option<&Cursor>,
    ) -> Select<document::Entity> {
        let on_facet = document::Entity::belongs_to(document_facet::Entity)
            .from(document::Column::Id)
            .to(document_facet::Column::DocumentId)
            .into();
        self.keyset(select.join(JoinType::InnerJoin, on_facet), backend, kind, sort, after)
    }

    /// One batch of the documents of `kind` with this facet, in `sort`
    /// order after `after`: each id and the cursor just after it. One range
    /// of a partial index (`document_facets_public_*`).
    async fn batch<C: ConnectionTrait>(
        self,
        db: &C,
        kind: DocumentKind,
        sort: Sort,
        after: Option<&Cursor>,
        limit: u64,
    ) -> Result<Vec<(Uuid, Cursor)>, DbErr> {
        let select =
            self.keyset(document_facet::Entity::find(), db.get_database_backend(), kind, sort, after);
        let rows =
            document_facet::Model::find_by_statement(limited(select, db.get_database_backend(), limit))
                .all(db)
                .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let key = match sort.field {
                    SortField::PublishedAt => SortKey::Time(row.published_at.unwrap_or_default()),
                    SortField::Title => SortKey::Text(row.title),
                    SortField::StartsAt => SortKey::Time(row.starts_at.unwrap_or_default()),
                };
                (row.document_id, Cursor { sort: sort.name(), key, id: row.document_id })
            })
            .collect())
    }
}

/// `select` narrowed by `filter`; `None` when it names a tag that does not
/// exist, so nothing can match.
pub async fn filter<C: ConnectionTrait>(
    db: &C,
    select: Select<document::Entity>,
    visibility: Visibility,
    filter: &CommonFilter,
) -> Result<Option<Listing>, DbErr> {
    let tag = match &filter.tag {
        Some(tag) => Some(
            tag::Entity::find()
                .select_only()
                .column(tag::Column::Id)
                .filter(tag::Column::Slug.eq(tag.as_str()))
                .into_tuple()
                .one(db)
                .await?,
        ),
        None => None,
    };
    Ok(filtered(select, visibility, filter, tag))
}

/// [`filter`] with the id of its tag found: `Some(None)` when the filter
/// names a tag that does not exist, so nothing can match.
pub fn filtered(
    mut select: Select<document::Entity>,
    visibility: Visibility,
    filter: &CommonFilter,
    tag: Option<Option<Uuid>>,
) -> Option<Listing> {
    if let Some(locale) = &filter.locale {
        select = select.filter(document::Column::Locale.eq(locale.as_str()));
    }
    let mut narrowed = false;
    if let Some(status) = filter.status {
        select = select.filter(document::Column::Status.eq(status.as_str()));
        narrowed = true;
    }
    let mut facet = None;
    match tag {
        Some(Some(id)) if visibility.is_public() => facet = Some(Facet { facet: "t", value: id }),
        Some(Some(id)) => {
            select = select.filter(tagged(id));
            narrowed = true;
        }
        Some(None) => return None,
        None => {}
    }
    let locale = filter.locale.clone();
    Some(Listing { select, facet, starts: None, visibility, locale, narrowed })
}

/// One page of `listing` in `sort` order after `after`, keeping only
/// entries that pass `keep` (for conditions SQL cannot decide, such as
/// recurrences). A faceted listing walks its facet's index a batch at a
/// time and reads just those documents.
pub async fn list<T: ContentType, C: ConnectionTrait>(
    db: &C,
    listing: Listing,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u64,
    keep: impl Fn(&Entry<T::Detail>) -> bool,
) -> Result<Page<Entry<T::Detail>>, DbErr> {
    let batch = limit + 1;
    let mut kept: Vec<Entry<T::Detail>> = Vec::new();
    let mut position = after.cloned();
    loop {
        let rows = listing.rows(db, T::KIND, sort, position.as_ref(), batch).await?;
        let ids: Vec<Uuid> = rows.documents.iter().map(|d| d.id).collect();
        let mut details = T::load(db, &ids).await?;
        let mut tags = tags_of(db, &ids).await?;
        for document in rows.documents {
            let Some(detail) = details.remove(&document.id) else { continue };
            position = Some(sort.cursor_after(&document, T::starts_at(&detail)));
            let shared = Shared { tags: tags.remove(&document.id).unwrap_or_default(), ..Shared::default() };
            let entry = Entry { document, detail, shared };
            if keep(&entry) {
                kept.push(entry);
            }
        }
        position = rows.passed.or(position);
        if rows.exhausted || kept.len() as u64 > limit {
            break;
        }
    }
    Ok(Page::from_rows(kept, limit, |e| sort.cursor_after(&e.document, T::starts_at(&e.detail))))
}

/// One batch of a listing's documents.
pub struct Rows {
    pub documents: Vec<document::Model>,
    /// Their current stored listing items, when asked for
    /// ([`Listing::rendered_rows`]).
    pub renderings: HashMap<Uuid, String>,
    /// Whether nothing comes after this batch.
    pub exhausted: bool,
    /// Where the driving index's batch ended (rows the filters left out
    /// are passed over too).
    pub passed: Option<Cursor>,
}

impl Listing {
    /// One batch of up to `batch` documents of `kind` in `sort` order after
    /// `after`, read through the driving index when there is one.
    pub async fn rows<C: ConnectionTrait>(
        &self,
        db: &C,
        kind: DocumentKind,
        sort: Sort,
        after: Option<&Cursor>,
        batch: u64,
    ) -> Result<Rows, DbErr> {
        self.read(db, kind, sort, after, batch, false).await
    }

    /// [`Listing::rows`] with each document's stored renderings, read in
    /// the same statement.
    pub async fn rendered_rows<C: ConnectionTrait>(
        &self,
        db: &C,
        kind: DocumentKind,
        sort: Sort,
        after: Option<&Cursor>,
        batch: u64,
    ) -> Result<Rows, DbErr> {
        self.read(db, kind, sort, after, batch, true).await
    }

    async fn read<C: ConnectionTrait>(
        &self,
        db: &C,
        kind: DocumentKind,
        sort: Sort,
        after: Option<&Cursor>,
        batch: u64,
        rendered: bool,
    ) -> Result<Rows, DbErr> {
        // A public page of one facet with its renderings: the facet's index
        // range, its documents and their renderings in one statement.
        if rendered && let Some(facet) = self.facet {
            let select = facet.joined(self.select.clone(), db.get_database_backend(), kind, sort, after);
            let (documents, renderings) = fetch(db, select, batch, rendered).await?;
            let exhausted = (documents.len() as u64) < batch;
            return Ok(Rows { documents, renderings, exhausted, passed: None });
        }
        let mut select = self.select.clone();
        let driven = match (self.facet, self.starts) {
            (Some(facet), _) => Some(facet.batch(db, kind, sort, after, batch).await?),
            (None, Some(starts)) if sort.field == SortField::StartsAt => {
                Some(starts.batch(db, sort, after, batch).await?)
            }
            _ => None,
        };
        let mut passed = None;
        let mut exhausted = None;
        if let Some(driven) = driven {
            let ids: Vec<Uuid> = driven.iter().map(|(id, _)| *id).collect();
            select = select.filter(document::Column::Id.is_in(ids));
            exhausted = Some((driven.len() as u64) < batch);
            passed = driven.last().map(|(_, c)| c.clone());
        }
        let select = sort.apply(select, self.visibility, after);
        let (documents, renderings) = fetch(db, select, batch, rendered).await?;
        let exhausted = exhausted.unwrap_or((documents.len() as u64) < batch);
        Ok(Rows { documents, renderings, exhausted, passed })
    }
}

/// Up to `limit` documents of `select`, and with `rendered` their current
/// stored listing items.
async fn fetch<C: ConnectionTrait>(
    db: &C,
    select: Select<document::Entity>,
    limit: u64,
    rendered: bool,
) -> Result<(Vec<document::Model>, HashMap<Uuid, String>), DbErr> {
    let backend = db.get_database_backend();
    Ok(match rendered {
        false => (
            document::Model::find_by_statement(limited(select, backend, limit)).all(db).await?,
            HashMap::new(),
        ),
        true => {
            let select = with_rendering(select, document_rendering::Column::Summary);
            let rows = RenderedDocument::find_by_statement(limited(select, backend, limit)).all(db).await?;
            let now = Utc::now();
            let renderings =
                rows.iter().filter_map(|row| Some((row.document.id, row.current(now)?.to_owned()))).collect();
            (rows.into_iter().map(|row| row.document).collect(), renderings)
        }
    })
}

/// One visible document of type `T` with everything it shows.
pub async fn get_entry<T: ContentType, C: ConnectionTrait>(
    db: &C,
    visibility: Visibility,
    key: &IdOrSlug,
    preference: &LocalePreference,
    default_locale: &Locale,
) -> Result<Option<Entry<T::Detail>>, DbErr> {
    let Some(document) = get(db, T::KIND, visibility, key, preference, default_locale).await? else {
        return Ok(None);
    };
    let Some(detail) = T::load(db, &[document.id]).await?.remove(&document.id) else {
        return Ok(None);
    };
    let shared = shared_of(db, &document, visibility).await?;
    Ok(Some(Entry { document, detail, shared }))
}

/// The documents of type `T` among `ids` that `visibility` may see, with
/// everything they show, in a fixed number of queries.
pub async fn entries<T: ContentType, C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    visibility: Visibility,
) -> Result<Vec<Entry<T::Detail>>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let documents =
        find(T::KIND, visibility).filter(document::Column::Id.is_in(dedup(ids.to_vec()))).all(db).await?;
    let shared = shared_of_many(db, &documents, visibility).await?;
    with_details::<T, C>(db, documents, shared).await
}

/// `documents` as entries, with their details and `shared`.
async fn with_details<T: ContentType, C: ConnectionTrait>(
    db: &C,
    documents: Vec<document::Model>,
    mut shared: HashMap<Uuid, Shared>,
) -> Result<Vec<Entry<T::Detail>>, DbErr> {
    let found: Vec<Uuid> = documents.iter().map(|d| d.id).collect();
    let mut details = T::load(db, &found).await?;
    Ok(documents
        .into_iter()
        .filter_map(|document| {
            let detail = details.remove(&document.id)?;
            let shared = shared.remove(&document.id).unwrap_or_default();
            Some(Entry { document, detail, shared })
        })
        .collect())
}

/// The documents among `ids`, deleted or not, any status, any type.
pub async fn existing_any<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, document::Model>, DbErr> {
    by_ids(db, ids, Visibility::All).await
}

/// The documents among `ids` that are not deleted, any status, any type.
pub async fn existing<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, document::Model>, DbErr> {
    by_ids(db, ids, Visibility::Staff).await
}

async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    visibility: Visibility,
) -> Result<HashMap<Uuid, document::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(document::Entity::find()
        .filter(document::Column::Id.is_in(dedup(ids.to_vec())))
        .filter(visible(visibility))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect())
}
