//! The facets of each document: a row per tag and per credited person, with
//! its visibility and the columns listings sort by. A listing filtered by
//! tag, author, writer or organizer, and a person's works, read one range
//! of a (partial, public-only) index of them instead of every document
//! that carries the tag. A write rewrites the facets of the documents whose
//! own rows it changed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{document_facet, document_tag, essay_author, event, event_organizer, lyrics_writer};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::documents::{self, is_public};
use super::people::CreditLink;
use super::writes::Fresh;
use crate::domain::DocumentKind;

/// A tag's facet.
pub const TAG: &str = "t";
/// A credited person's facet.
pub const PERSON: &str = "p";

/// The people `L` credits on each of `ids`.
async fn credited<L: CreditLink, C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, Uuid)>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(L::find()
        .filter(L::document_column().is_in(ids.iter().copied()))
        .all(db)
        .await?
        .iter()
        .map(|link| {
            let (document, person, _) = L::parts(link);
            (document, person)
        })
        .collect())
}

/// Writes the facets of new documents, from the rows just written.
pub async fn insert<C: ConnectionTrait>(db: &C, fresh: &[Fresh]) -> Result<(), DbErr> {
    let rows = fresh.iter().flat_map(|document| {
        let facet = move |facet: &str, value: Uuid| document_facet::ActiveModel {
            facet: Set(facet.to_owned()),
            value: Set(value),
            document_id: Set(document.id),
            kind: Set(document.kind.as_str().to_owned()),
            public: Set(document.public),
            published_at: Set(document.published_at),
            title: Set(document.title.clone()),
            starts_at: Set(document.starts_at),
        };
        let tags = document.tags.iter().map(move |tag| facet(TAG, *tag));
        tags.chain(document.people.iter().map(move |person| facet(PERSON, *person)))
    });
    super::writes::insert_all(db, rows.collect()).await
}

/// Writes the facets of `ids` anew from their rows, and whether each event
/// among them is public. Call it inside the write's transaction, after the
/// write.
pub async fn refresh<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<(), DbErr> {
    for chunk in ids.chunks(2_000) {
        document_facet::Entity::delete_many()
            .filter(document_facet::Column::DocumentId.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
        let documents = documents::existing_any(db, chunk).await?;
        if documents.is_empty() {
            continue;
        }
        let present: Vec<Uuid> = documents.keys().copied().collect();
        // Each type's own rows are read only when the chunk has one of it.
        let of = |kind: DocumentKind| -> Vec<Uuid> {
            documents.values().filter(|d| d.kind == kind.as_str()).map(|d| d.id).collect()
        };
        let (essays, songs, events) =
            (of(DocumentKind::Essay), of(DocumentKind::Lyrics), of(DocumentKind::Event));
        let mut starts: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
        if !events.is_empty() {
            // Whether each is public, where a window of public events reads it.
            let (public, hidden): (Vec<Uuid>, Vec<Uuid>) =
                events.iter().copied().partition(|id| documents.get(id).is_some_and(is_public));
            for (ids, public) in [(public, true), (hidden, false)] {
                if !ids.is_empty() {
                    event::Entity::update_many()
                        .col_expr(event::Column::Public, Expr::value(public))
                        .filter(event::Column::DocumentId.is_in(ids))
                        .exec(db)
                        .await?;
                }
            }
            starts = event::Entity::find()
                .select_only()
                .columns([event::Column::DocumentId, event::Column::StartsAt])
                .filter(event::Column::DocumentId.is_in(events.iter().copied()))
                .into_tuple::<(Uuid, DateTime<Utc>)>()
                .all(db)
                .await?
                .into_iter()
                .collect();
        }
        let tags: Vec<(Uuid, Uuid)> = document_tag::Entity::find()
            .filter(document_tag::Column::DocumentId.is_in(present.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.document_id, t.tag_id))
            .collect();
        let mut people = credited::<essay_author::Entity, C>(db, &essays).await?;
        people.extend(credited::<lyrics_writer::Entity, C>(db, &songs).await?);
        people.extend(credited::<event_organizer::Entity, C>(db, &events).await?);
        // A person credited twice on one document is one facet.
        people.sort_unstable();
        people.dedup();

        let facet = |kind: &str, (document_id, value): (Uuid, Uuid)| {
            let d = documents.get(&document_id)?;
            Some(document_facet::ActiveModel {
                facet: Set(kind.to_owned()),
                value: Set(value),
                document_id: Set(document_id),
                kind: Set(d.kind.clone()),
                public: Set(is_public(d)),
                published_at: Set(d.published_at),
                title: Set(d.title.clone()),
                starts_at: Set(starts.get(&document_id).copied()),
            })
        };
        let rows: Vec<document_facet::ActiveModel> = tags
            .into_iter()
            .filter_map(|pair| facet(TAG, pair))
            .chain(people.into_iter().filter_map(|pair| facet(PERSON, pair)))
            .collect();
        super::writes::insert_all(db, rows).await?;
    }
    Ok(())
}
