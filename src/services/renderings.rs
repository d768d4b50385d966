//! The stored renderings: each document's listing item, and its public
//! representation while it is public, rendered by the write that changes
//! it (or a document it shows) in that write's transaction. A read is then
//! a lookup of stored bytes. A change that touches more documents than a
//! transaction should render (renaming a tag that a hundred thousand
//! documents carry) marks their renderings stale instead; the background
//! renders stale rows, and until it has, readers render those documents
//! themselves. Either way no reader ever gets a rendering older than the
//! document. A rendering the clock changes (an event's next occurrence)
//! says until when it holds; past that readers render the document
//! themselves, and the background renders it again.

use std::collections::HashMap;

use chrono::Utc;
use entity::{document, document_rendering};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::content::with_content_type;
use super::documents::{self, Cursor, Entry, Listing, Page, Sort, SortField, is_public};
use super::pages::SortKey;
use super::render::{Rendered, Renderers};
use crate::database::direct::{self, Direct, ListKey, ListSource};
use crate::domain::{DocumentKind, IdOrSlug, Locale, LocalePreference, Visibility, choose_translation};

/// How many documents one write renders itself; beyond this it marks them
/// stale for the background.
const INLINE: usize = 1_000;

/// What a reader needs of a document's stored renderings.
#[derive(Debug, Clone, Default)]
pub struct Stored {
    pub summary: Option<String>,
    pub document: Option<String>,
}

fn json_error(error: serde_json::Error) -> DbErr {
    DbErr::Custom(format!("cannot render a document: {error}"))
}

/// Renders `ids` anew, or marks them stale when there are too many for one
/// transaction. Call it inside the write's transaction, after the write.
pub async fn refresh<C: ConnectionTrait>(db: &C, ids: &[Uuid], renderers: &Renderers) -> Result<(), DbErr> {
    if ids.len() > INLINE {
        return mark_stale(db, ids).await;
    }
    render(db, ids, renderers).await
}

/// Renders `ids` anew, whatever their number.
pub async fn render<C: ConnectionTrait>(db: &C, ids: &[Uuid], renderers: &Renderers) -> Result<(), DbErr> {
    for chunk in ids.chunks(2_000) {
        let kinds: Vec<(Uuid, String)> = document::Entity::find()
            .select_only()
            .columns([document::Column::Id, document::Column::Kind])
            .filter(document::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        let mut by_kind: HashMap<DocumentKind, Vec<Uuid>> = HashMap::new();
        for (id, kind) in kinds {
            if let Ok(kind) = kind.parse::<DocumentKind>() {
                by_kind.entry(kind).or_default().push(id);
            }
        }
        let mut rows = Vec::with_capacity(chunk.len());
        for (kind, ids) in by_kind {
            with_content_type!(kind, T => rows.extend(rendered::<T, C>(db, &ids, renderers).await?));
        }
        write(db, rows).await?;
    }
    Ok(())
}

async fn rendered<T: Rendered, C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    renderers: &Renderers,
) -> Result<Vec<document_rendering::ActiveModel>, DbErr> {
    let entries = documents::entries::<T, C>(db, ids, Visibility::All).await?;
    let now = Utc::now();
    entries.iter().map(|entry| row::<T>(entry, renderers, now)).collect()
}

/// The stored renderings of `entry`, loaded as everyone may see it.
fn row<T: Rendered>(
    entry: &Entry<T::Detail>,
    renderers: &Renderers,
    now: chrono::DateTime<Utc>,
) -> Result<document_rendering::ActiveModel, DbErr> {
    let summary = renderers.summary::<T>(entry).map_err(json_error)?;
    let (document, ical) = match is_public(&entry.document) {
        true => {
            let public = entry.public();
            (Some(renderers.document::<T>(&public).map_err(json_error)?), renderers.ical::<T>(&public))
        }
        false => (None, None),
    };
    Ok(document_rendering::ActiveModel {
        document_id: Set(entry.document.id),
        stale: Set(false),
        summary: Set(Some(summary)),
        document: Set(document),
        expires_at: Set(T::shown_until(&entry.detail, now)),
        ical: Set(ical),
    })
}

/// Renders and stores the renderings of `entries`, for a write that has
/// just loaded them (as everyone may see them): the same rows [`refresh`]
/// writes, without loading them again. Returns each one's public
/// representation, while it is public, in the order of `entries`.
pub async fn store<T: Rendered, C: ConnectionTrait>(
    db: &C,
    entries: &[Entry<T::Detail>],
    renderers: &Renderers,
) -> Result<Vec<Option<String>>, DbErr> {
    let now = Utc::now();
    let rows = entries.iter().map(|entry| row::<T>(entry, renderers, now)).collect::<Result<Vec<_>, _>>()?;
    let public = rows.iter().map(|row| row.document.clone().take().flatten()).collect();
    write(db, rows).await?;
    Ok(public)
}

async fn write<C: ConnectionTrait>(db: &C, rows: Vec<document_rendering::ActiveModel>) -> Result<(), DbErr> {
    let upsert = OnConflict::column(document_rendering::Column::DocumentId)
        .update_columns([
            document_rendering::Column::Stale,
            document_rendering::Column::Summary,
            document_rendering::Column::Document,
            document_rendering::Column::ExpiresAt,
            document_rendering::Column::Ical,
        ])
        .to_owned();
    super::writes::upsert_all(db, rows, upsert).await
}

/// Marks the renderings of `ids` stale (made, for a document that had
/// none): nothing reads them until they are rendered again.
pub async fn mark_stale<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<(), DbErr> {
    for chunk in ids.chunks(5_000) {
        let present: Vec<Uuid> = document::Entity::find()
            .select_only()
            .column(document::Column::Id)
            .filter(document::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        let rows = present.into_iter().map(|id| document_rendering::ActiveModel {
            document_id: Set(id),
            stale: Set(true),
            summary: Set(None),
            document: Set(None),
            expires_at: Set(None),
            ical: Set(None),
        });
        write(db, rows.collect()).await?;
    }
    Ok(())
}

/// Renders up to `limit` documents whose renderings are stale or have
/// expired, in a write transaction of their own (holding the change log's
/// lock, as every content write does, so that no write can change one of
/// them meanwhile). Returns how many.
pub async fn render_stale(
    db: &DatabaseConnection,
    renderers: &Renderers,
    limit: u64,
) -> Result<usize, DbErr> {
    let mut ids: Vec<Uuid> = document_rendering::Entity::find()
        .select_only()
        .column(document_rendering::Column::DocumentId)
        .filter(Expr::col(document_rendering::Column::Stale))
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    let expired: Vec<Uuid> = document_rendering::Entity::find()
        .select_only()
        .column(document_rendering::Column::DocumentId)
        .filter(document_rendering::Column::ExpiresAt.lte(Utc::now()))
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    ids.extend(expired);
    let ids = documents::dedup(ids);
    if ids.is_empty() {
        return Ok(0);
    }
    // Rendering one that a write rendered meanwhile is merely repeated work.
    let txn = crate::database::begin_write(db).await?;
    super::changes::lock(&txn).await?;
    render(&txn, &ids, renderers).await?;
    txn.commit().await?;
    Ok(ids.len())
}

/// The stored renderings of `ids` that are neither stale nor expired.
pub async fn stored<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, Stored>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = document_rendering::Entity::find()
        .filter(document_rendering::Column::DocumentId.is_in(ids.iter().copied()))
        .filter(document_rendering::Column::Stale.eq(false))
        .filter(
            Condition::any()
                .add(document_rendering::Column::ExpiresAt.is_null())
                .add(document_rendering::Column::ExpiresAt.gt(Utc::now())),
        )
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.document_id, Stored { summary: r.summary, document: r.document }))
        .collect())
}

/// A public document as anonymous readers get it: its row, and its stored
/// representation when that is current.
pub struct Public {
    pub document: document::Model,
    pub json: Option<String>,
}

/// The public document of `kind` that `key` names in the locale asked for:
/// one indexed lookup (two with a locale asked for), no rendering.
pub async fn public<C: ConnectionTrait>(
    db: &C,
    kind: DocumentKind,
    key: &IdOrSlug,
    preference: &LocalePreference,
    default_locale: &Locale,
) -> Result<Option<Public>, DbErr> {
    // Without a locale asked for, the documents the key names are all the
    // candidates: they come with their renderings in one statement.
    if preference.wanted.is_empty() {
        let select = documents::named(kind, Visibility::Public, key);
        let rows = documents::with_rendering(select, document_rendering::Column::Document)
            .into_model::<documents::RenderedDocument>()
            .all(db)
            .await?;
        let now = Utc::now();
        let mut json: HashMap<Uuid, String> =
            rows.iter().filter_map(|row| Some((row.document.id, row.current(now)?.to_owned()))).collect();
        let candidates = rows.into_iter().map(|row| row.document).collect();
        let Some(document) = choose_translation(candidates, Vec::new(), preference, default_locale) else {
            return Ok(None);
        };
        let json = json.remove(&document.id);
        return Ok(Some(Public { document, json }));
    }
    let Some(document) =
        documents::get(db, kind, Visibility::Public, key, preference, default_locale).await?
    else {
        return Ok(None);
    };
    let json = stored(db, &[document.id]).await?.remove(&document.id).and_then(|s| s.document);
    Ok(Some(Public { document, json }))
}

/// One page of a public listing of type `T`, in order, as the listing items
/// its writes stored (one rendered afresh where the stored one is stale).
/// For types whose order never depends on their own detail: essays and
/// songs, not events (sorted by start, or windowed by recurrence).
pub async fn summaries<T: Rendered, C: ConnectionTrait>(
    db: &C,
    listing: &Listing,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u64,
    renderers: &Renderers,
) -> Result<Page<String>, DbErr> {
    let batch = limit + 1;
    let mut kept: Vec<document::Model> = Vec::new();
    let mut stored: HashMap<Uuid, String> = HashMap::new();
    let mut position = after.cloned();
    loop {
        let rows = listing.rendered_rows(db, T::KIND, sort, position.as_ref(), batch).await?;
        position =
            rows.passed.or_else(|| rows.documents.last().map(|d| sort.cursor_after(d, None))).or(position);
        kept.extend(rows.documents);
        stored.extend(rows.renderings);
        if rows.exhausted || kept.len() as u64 > limit {
            break;
        }
    }
    let page = Page::from_rows(kept, limit, |d| sort.cursor_after(d, None));
    let stale: Vec<Uuid> = page.items.iter().map(|d| d.id).filter(|id| !stored.contains_key(id)).collect();
    let mut fresh = HashMap::new();
    for entry in documents::entries::<T, C>(db, &stale, Visibility::All).await? {
        fresh.insert(entry.document.id, renderers.summary::<T>(&entry).map_err(json_error)?);
    }
    // A document gone between the queries is left out.
    let items =
        page.items.iter().filter_map(|d| stored.remove(&d.id).or_else(|| fresh.remove(&d.id))).collect();
    Ok(Page { items, next: page.next })
}

/// The same page as [`summaries`], read on the serving thread (SQLite)
/// when it can be: a public listing of essays or songs, of all documents of
/// the kind (in one locale or all) or of one facet, sorted by publication
/// or title, whose items are all stored and current. `None` leaves the
/// page to [`summaries`].
pub fn direct_summaries(
    direct: &Direct,
    kind: DocumentKind,
    listing: &Listing,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Option<Page<String>>, rusqlite::Error> {
    if !listing.visibility.is_public() || listing.narrowed || listing.starts.is_some() {
        return Ok(None);
    }
    let source = match (listing.facet, &listing.locale) {
        (None, locale) => ListSource::Documents { locale: locale.as_ref().map(Locale::as_str) },
        (Some(facet), None) => ListSource::Facet { facet: facet.facet, value: facet.value },
        (Some(_), Some(_)) => return Ok(None),
    };
    let key = match sort.field {
        SortField::PublishedAt => ListKey::PublishedAt,
        SortField::Title => ListKey::Title,
        SortField::StartsAt => return Ok(None),
    };
    let after_key = after.map(|cursor| match &cursor.key {
        SortKey::Time(time) => direct::sqlx_timestamp(*time),
        SortKey::Text(text) => text.clone(),
    });
    let after = after.zip(after_key.as_deref()).map(|(cursor, key)| (key, cursor.id));
    let rows = direct.list(kind, source, key, sort.descending, after, limit + 1)?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let key = match key {
            ListKey::PublishedAt => match direct::parse_timestamp(&row.key) {
                Some(time) => SortKey::Time(time),
                None => return Ok(None),
            },
            ListKey::Title => SortKey::Text(row.key),
        };
        items.push((row.summary, Cursor { sort: sort.name(), key, id: row.id }));
    }
    let page = Page::from_rows(items, limit, |(_, cursor)| cursor.clone());
    // A stale item: the pooled path renders it.
    let items: Option<Vec<String>> = page.items.into_iter().map(|(summary, _)| summary).collect();
    Ok(items.map(|items| Page { items, next: page.next }))
}
